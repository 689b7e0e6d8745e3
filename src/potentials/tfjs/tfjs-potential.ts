/**
 * A potential defined by a TensorFlow.js model module:
 * `potential: {tfjs: ./models/my-model.mjs, params: {…}}`.
 *
 * SECURITY: like `potential: {module: …}` (module.ts) this executes code. The
 * module named by the scenario (a path resolved against the scenario file) is
 * imported with Node's dynamic `import()` and runs with the full rights of the
 * stochdyn process. Scenario files stay data; this path is the one explicit
 * code-execution point.
 *
 * The module contract (README, "TensorFlow.js models"):
 *
 *   export function createModel(params, ctx)   // sync or async
 *     params: the scenario's potential.params
 *     ctx:    {seed, run, tf, random: {uniform(), normal(), int(n)}}
 *             `tf` is the loaded tfjs (use it; do not import tfjs yourself: two
 *             copies do not share tensors); `random` is a stream seeded from
 *             `seed` only, the same for every run index, for drawing data.
 *   returns {
 *     name?: string,
 *     parameters: [{name, shape, group?, prior?: {std}|{variance}, init?: {std, mean?}|{low, high}|{values}}],
 *     data?: {key: tf.Tensor | (nested) number array},   // per-example rows, one common length N on axis 0
 *     loss?(p, data): tf.Scalar,                          // one replica: Σ over the rows of data
 *     batchedLoss?(p, data): tf.Tensor1D,                 // R replicas at once: shape [R]
 *     observables?: {name: {description?, units?, evaluate(p, data)} | (p, data) => …},
 *   }
 *
 * The flat parameter vector x lists the parameters in declaration order, each
 * flattened row-major; consecutive parameters with the same `group` form one
 * engine parameter group (per-group learning rates / temperatures). Energy:
 *
 *   U(x) = Σ_params |θ|² / (2 s²)  [declared Gaussian priors, float64 in JS]
 *        + (N / B) · loss(θ, minibatch)   [tfjs, float32; N/B = 1 for full batch]
 *
 * Gradients come from `tf.valueAndGrads`. All tensors of a call live inside
 * `tf.tidy`; the only long-lived tensors are the data set's (created once per
 * build, disposed with `dispose()` or when the potential is garbage-collected).
 *
 * Evaluation: `batchedLoss` (when given) evaluates every replica of a tile in
 * one tfjs graph: parameters have a leading replica axis [R, …shape]; data
 * tensors have a leading axis of size 1 (the full data set, broadcast) or R
 * (row r = replica r's minibatch, [R, B, …]). Measured on the shipped
 * tiny-mlp (25 parameters, 32 data rows; tfjs cpu backend, one thread, SGLD
 * on 32 replicas in tiles of 16): 2.7 ms per step batched vs 5.2 ms with
 * `loss` in a loop — per-op overhead dominates small models. `loss` alone
 * works too (one graph per replica).
 * When both are given they are compared at build time.
 */
import { pathToFileURL } from 'node:url';
import { basename, isAbsolute } from 'node:path';
import type { Tensor } from '@tensorflow/tfjs';
import { Stream } from '../../random/rng.js';
import type { Minibatch, ParamGroup, Potential, PotentialObservable } from '../../engine/types.js';
import type { BuildContext } from '../registry.js';
import { loadTensorflow, type Tf, type TfHandle } from './backend.js';

/** Named tensors handed to a model's functions. */
export type NamedTensors = Record<string, Tensor>;

export type TfjsInit = { std: number; mean?: number } | { low: number; high: number } | { values: unknown };

export interface TfjsParameter {
  name: string;
  /** Shape of the tensor ([] for a scalar). */
  shape: number[];
  /** Engine parameter group (default: the parameter's own name). */
  group?: string;
  /** Gaussian prior N(0, s²) added to the energy as |θ|²/(2s²); absent or null = flat. */
  prior?: { std: number } | { variance: number } | null;
  /** Initialiser for `ensemble.init: {kind: potential}` (default: a draw from the prior, else zeros). */
  init?: TfjsInit;
}

export interface TfjsObservableSpec {
  description?: string;
  /** Values per replica (default 1: a scalar). */
  units?: number;
  evaluate(p: NamedTensors, data: NamedTensors): Tensor | number;
}

/** What a model module's `createModel` returns. */
export interface TfjsModel {
  name?: string;
  parameters: TfjsParameter[];
  data?: Record<string, unknown>;
  loss?: (p: NamedTensors, data: NamedTensors) => Tensor;
  batchedLoss?: (p: NamedTensors, data: NamedTensors) => Tensor;
  observables?: Record<string, TfjsObservableSpec | ((p: NamedTensors, data: NamedTensors) => Tensor | number)>;
}

/** The context handed to `createModel`. */
export interface TfjsModelContext {
  seed: number;
  run: number;
  tf: Tf;
  /** Seeded from `seed` only (the same for every run index): for drawing data sets. */
  random: { uniform(): number; normal(): number; int(n: number): number };
}

export interface TfjsPotentialOptions {
  /** Which loss evaluates the energy: `auto` (batchedLoss when given, else loss), or force one. */
  evaluation?: 'auto' | 'loop' | 'batched';
}

/** A tfjs potential: a Potential plus `dispose()` for its data tensors. */
export interface TfjsPotential extends Potential {
  /** Free the data tensors (the potential is unusable afterwards). */
  dispose(): void;
}

/** Names every potential already has (src/observables/observables.ts); a model's observables must not reuse them. */
const RESERVED_OBSERVABLES = ['energy', 'grad_norm', 'radius', 'well', 'basin'];
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface ParamSpec {
  name: string;
  shape: number[];
  size: number;
  offset: number;
  group: string;
  /** 1/s² of the Gaussian prior, 0 when flat. */
  precision: number;
  init: { kind: 'normal'; mean: number; std: number } | { kind: 'uniform'; low: number; high: number } | { kind: 'values'; values: Float64Array };
}

const fmtShape = (s: readonly number[]) => `[${s.join(', ')}]`;
const isTensor = (v: unknown): v is Tensor =>
  typeof v === 'object' && v !== null && typeof (v as Tensor).dataSync === 'function' && Array.isArray((v as Tensor).shape);
const describeValue = (v: unknown): string => {
  if (isTensor(v)) return `a tensor of shape ${fmtShape(v.shape)}`;
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === 'object') return `an object with keys ${Object.keys(v as object).join(', ') || '(none)'}`;
  return `${typeof v} ${JSON.stringify(v)}`;
};
const firstLine = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0];

/**
 * Import the model module at `absPath`, call its `createModel(params, ctx)`,
 * validate the model and build the potential. Errors name the module path,
 * what was expected and what was found.
 */
export async function loadTfjsPotential(
  absPath: string,
  params: Record<string, unknown>,
  ctx: BuildContext,
  opts: TfjsPotentialOptions = {},
): Promise<TfjsPotential> {
  const where = `tfjs model ${absPath}`;
  if (!isAbsolute(absPath)) throw new Error(`${where}: expected an absolute path (the scenario loader resolves it against the scenario file)`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(absPath).href)) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${where}: could not be imported: ${(err as Error).message}`, { cause: err });
  }
  const create = mod.createModel;
  if (typeof create !== 'function') {
    const exported = Object.keys(mod).join(', ') || 'nothing';
    throw new Error(`${where}: expected an exported function createModel(params, ctx); the module exports ${exported}`);
  }
  const handle = await loadTensorflow();
  quietTensorflow(handle);
  const rng = new Stream(`${ctx.seed}/data:tfjs`, 0, 0);
  const modelCtx: TfjsModelContext = {
    seed: ctx.seed,
    run: ctx.run,
    tf: handle.tf,
    random: { uniform: () => rng.uniform(), normal: () => rng.normal(), int: (n: number) => rng.int(n) },
  };
  let model: unknown;
  try {
    model = await (create as (p: Record<string, unknown>, c: TfjsModelContext) => unknown)(params, modelCtx);
  } catch (err) {
    throw new Error(`${where}: createModel threw: ${(err as Error).message}`, { cause: err });
  }
  return buildTfjsPotential(model, { where, name: basename(absPath).replace(/\.[cm]?js$/, ''), handle, seed: ctx.seed, evaluation: opts.evaluation });
}

/**
 * tfjs's cpu backend prints a "install tfjs-node" banner on first use (through
 * console.warn); nothing below the CLI prints, and `info` says the same thing.
 * Production mode only silences tfjs warnings (it changes no computation).
 */
function quietTensorflow(h: TfHandle): void {
  if (h.package === '@tensorflow/tfjs') h.tf.enableProdMode();
}

export interface BuildTfjsOptions {
  /** Prefix of every error message (names the module file). */
  where: string;
  /** Fallback model name (the file's base name). */
  name: string;
  handle: TfHandle;
  /** Seed of the build-time probe points. */
  seed: number;
  evaluation?: TfjsPotentialOptions['evaluation'];
}

/** Validate what `createModel` returned and build the potential (exported for tests of inline models). */
export function buildTfjsPotential(model: unknown, o: BuildTfjsOptions): TfjsPotential {
  const { where, handle } = o;
  const tf = handle.tf;
  const fail = (what: string, expected: string, found: string): never => {
    throw new Error(`${where}: ${what}: expected ${expected}; found ${found}`);
  };
  if (typeof model !== 'object' || model === null || Array.isArray(model))
    fail('createModel(params, ctx) returned', 'an object {parameters, loss and/or batchedLoss, data?, observables?}', describeValue(model));
  const m = model as Record<string, unknown>;
  const known = ['name', 'parameters', 'data', 'loss', 'batchedLoss', 'observables'];
  const unknown = Object.keys(m).filter((k) => !known.includes(k));
  if (unknown.length > 0) fail('the model object', `only the keys ${known.join(', ')}`, `also ${unknown.join(', ')}`);
  if (m.name !== undefined && typeof m.name !== 'string') fail('name', 'a string', describeValue(m.name));

  // ---------------------------------------------------------------- parameters
  const specs = parseParameters(m.parameters, fail);
  const dim = specs.reduce((a, p) => a + p.size, 0);
  const groups: ParamGroup[] = [];
  for (const p of specs) {
    const last = groups[groups.length - 1];
    if (last && last.name === p.group) last.size += p.size;
    else {
      if (groups.some((g) => g.name === p.group))
        fail(`parameter '${p.name}'`, `group '${p.group}' to be declared next to the other parameters of group '${p.group}' (groups are contiguous slices of x)`, 'another group in between');
      groups.push({ name: p.group, offset: p.offset, size: p.size });
    }
  }
  // A group whose parameters share one Gaussian prior has that variance as its
  // preconditioner (dynamics.step_size); other groups get none (1).
  const preconditioner: Record<string, number> = {};
  for (const g of groups) {
    const own = specs.filter((p) => p.group === g.name);
    if (own.every((p) => p.precision > 0 && p.precision === own[0].precision)) preconditioner[g.name] = 1 / own[0].precision;
  }
  const coordinates: string[] = [];
  for (const p of specs) coordinates.push(...coordinateNames(p));
  const seen = new Map<string, string>();
  for (const [i, c] of coordinates.entries()) {
    const owner = specs.find((p) => i >= p.offset && i < p.offset + p.size)!.name;
    if (seen.has(c)) fail('parameter names', 'distinct coordinate names (name, name_i, name_i_j …)', `'${c}' from both '${seen.get(c)}' and '${owner}'`);
    seen.set(c, owner);
  }

  // ---------------------------------------------------------------- losses
  const loss = m.loss, batchedLoss = m.batchedLoss;
  if (loss !== undefined && typeof loss !== 'function') fail('loss', 'a function loss(p, data) returning a scalar tensor', describeValue(loss));
  if (batchedLoss !== undefined && typeof batchedLoss !== 'function')
    fail('batchedLoss', 'a function batchedLoss(p, data) returning a tensor of shape [R]', describeValue(batchedLoss));
  if (loss === undefined && batchedLoss === undefined)
    fail('the model object', 'a loss(p, data) function (one replica) and/or a batchedLoss(p, data) function (all replicas)', 'neither');
  const want = o.evaluation ?? 'auto';
  if (want === 'loop' && !loss) fail('evaluation: loop', 'a loss(p, data) function', 'only batchedLoss');
  if (want === 'batched' && !batchedLoss) fail('evaluation: batched', 'a batchedLoss(p, data) function', 'only loss');
  const mode: 'loop' | 'batched' = want === 'loop' ? 'loop' : want === 'batched' ? 'batched' : batchedLoss ? 'batched' : 'loop';
  const lossFn = loss as TfjsModel['loss'];
  const batchedFn = batchedLoss as TfjsModel['batchedLoss'];

  // ---------------------------------------------------------------- data
  const owned: Tensor[] = [];
  const data: NamedTensors = {};
  const data1: NamedTensors = {};
  let dataSize: number | undefined;
  const dispose = () => {
    for (const t of owned) if (!t.isDisposed) t.dispose();
    owned.length = 0;
  };
  try {
    if (m.data !== undefined) {
      if (typeof m.data !== 'object' || m.data === null || Array.isArray(m.data))
        fail('data', 'an object {key: tensor or number array} of per-example rows', describeValue(m.data));
      const entries = Object.entries(m.data as Record<string, unknown>);
      for (const [k, v] of entries) {
        let t: Tensor;
        if (isTensor(v)) t = v;
        else if (Array.isArray(v) || ArrayBuffer.isView(v)) {
          try {
            t = tf.tensor(v as number[]);
          } catch (e) {
            return fail(`data.${k}`, 'a rectangular (nested) number array or a tf.Tensor', `${describeValue(v)} (${firstLine(e)})`);
          }
        } else return fail(`data.${k}`, 'a tf.Tensor or a (nested) number array with one row per example', describeValue(v));
        owned.push(t);
        if (t.rank < 1) fail(`data.${k}`, 'one row per example (rank ≥ 1)', `a scalar`);
        if (dataSize === undefined) dataSize = t.shape[0];
        else if (t.shape[0] !== dataSize) {
          const shapes = Object.keys(data).map((j) => `${j} ${fmtShape(data[j].shape)}`).join(', ');
          fail(`data.${k}`, `${dataSize} rows (axis 0), like ${shapes}`, `shape ${fmtShape(t.shape)}`);
        }
        data[k] = t;
      }
      if (entries.length > 0 && dataSize === 0) fail('data', 'at least one row', 'zero rows');
      for (const [k, t] of Object.entries(data)) {
        data1[k] = tf.expandDims(t, 0);
        owned.push(data1[k]);
      }
    }
  } catch (e) {
    dispose();
    throw e;
  }
  const N = dataSize ?? 0;
  const describeData = (d: NamedTensors) => Object.entries(d).map(([k, t]) => `${k} ${fmtShape(t.shape)}`).join(', ') || 'none';

  // ---------------------------------------------------------------- evaluation
  const paramsOf = (vs: Tensor[]): NamedTensors => Object.fromEntries(specs.map((p, i) => [p.name, vs[i]]));
  const describeParams = (vs: Tensor[]) => specs.map((p, i) => `${p.name} ${fmtShape(vs[i].shape)}`).join(', ');

  /** Parameters the function `f` does not depend on (tfjs finds no path from them to its value). */
  const unusedParameters = (f: (p: NamedTensors) => Tensor, vs: Tensor[]): string[] =>
    specs
      .filter((_, i) => {
        try {
          tf.tidy(() => {
            tf.grad((vi: Tensor) => {
              const v2 = vs.slice();
              v2[i] = vi;
              return tf.sum(f(paramsOf(v2)));
            })(vs[i]);
          });
          return false;
        } catch {
          return true;
        }
      })
      .map((p) => `'${p.name}'`);

  /** Run a model function; a throw becomes an error naming the file, the function and the shapes it was given. */
  const call = <T>(fn: string, f: () => T, vs: Tensor[], d: NamedTensors, lossOf?: (p: NamedTensors) => Tensor): T => {
    try {
      return f();
    } catch (e) {
      const msg = firstLine(e);
      if (/Cannot compute gradient/.test(msg) && lossOf) {
        const unused = unusedParameters(lossOf, vs);
        throw new Error(
          `${where}: ${fn}(p, data): expected a loss that depends on every declared parameter; found no dependence on ${unused.join(', ') || 'some parameter'} ` +
            `(tf.valueAndGrads cannot differentiate with respect to it). Use it in the loss or remove it from 'parameters'.`,
          { cause: e },
        );
      }
      if ((e as Error).message.startsWith(where)) throw e;
      throw new Error(`${where}: ${fn}(p, data) threw: ${msg} (p: ${describeParams(vs)}; data: ${describeData(d)})`, { cause: e });
    }
  };
  const checkOut = (fn: string, out: unknown, shape: number[], vs: Tensor[], d: NamedTensors): Tensor => {
    if (!isTensor(out)) fail(`${fn}(p, data)`, `a tf.Tensor of shape ${fmtShape(shape)}`, `${describeValue(out)}`);
    const t = out as Tensor;
    if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i]))
      fail(
        `${fn}(p, data)`,
        `a tensor of shape ${fmtShape(shape)} (${shape.length === 0 ? 'a scalar: sum over the rows of data' : 'one loss per replica'})`,
        `shape ${fmtShape(t.shape)} (p: ${describeParams(vs)}; data: ${describeData(d)})`,
      );
    return t;
  };

  /** Minibatch rows of every data tensor: replica r's rows (loop), or all replicas' rows as [R, B, …] (batched). */
  const gather = (batch: Minibatch, r: number | null, count: number): NamedTensors => {
    const B = batch.size;
    const idx = r === null ? batch.indices.slice(0, count * B) : batch.indices.slice(r * B, (r + 1) * B);
    const it = tf.tensor1d(idx, 'int32');
    const out: NamedTensors = {};
    for (const [k, t] of Object.entries(data)) {
      const g = tf.gather(t, it);
      out[k] = r === null ? tf.reshape(g, [count, B, ...t.shape.slice(1)]) : g;
    }
    return out;
  };

  const evalLoop = (x: Float64Array, count: number, energy: Float64Array, grad: Float64Array, batch?: Minibatch) => {
    const scale = batch ? N / batch.size : 1;
    for (let r = 0; r < count; r++) {
      tf.tidy(() => {
        const base = r * dim;
        const vs = specs.map((p) => tf.tensor(toF32(x, base + p.offset, p.size), p.shape, 'float32'));
        const d = batch ? gather(batch, r, count) : data;
        const { value, grads } = call(
          'loss',
          () =>
            tf.valueAndGrads((...v: Tensor[]) => {
              const out = checkOut('loss', call('loss', () => lossFn!(paramsOf(v), d), v, d), [], v, d);
              return scale === 1 ? out : tf.mul(out, scale);
            })(vs),
          vs,
          d,
          (p) => lossFn!(p, d),
        );
        energy[r] = value.dataSync()[0];
        specs.forEach((p, i) => grad.set(grads[i].dataSync(), base + p.offset));
      });
    }
  };

  const evalBatched = (x: Float64Array, count: number, energy: Float64Array, grad: Float64Array, batch?: Minibatch) => {
    const scale = batch ? N / batch.size : 1;
    const kept: { values: Tensor | null } = { values: null };
    try {
      tf.tidy(() => {
        const vs = specs.map((p) => {
          const buf = new Float32Array(count * p.size);
          for (let r = 0; r < count; r++) {
            const src = r * dim + p.offset, dst = r * p.size;
            for (let j = 0; j < p.size; j++) buf[dst + j] = x[src + j];
          }
          return tf.tensor(buf, [count, ...p.shape], 'float32');
        });
        const d = batch ? gather(batch, null, count) : data1;
        const { grads } = call(
          'batchedLoss',
          () =>
            tf.valueAndGrads((...v: Tensor[]) => {
              let out = checkOut('batchedLoss', call('batchedLoss', () => batchedFn!(paramsOf(v), d), v, d), [count], v, d);
              if (scale !== 1) out = tf.mul(out, scale);
              kept.values = tf.keep(out);
              return tf.sum(out);
            })(vs),
          vs,
          d,
          (p) => batchedFn!(p, d),
        );
        const e = kept.values!.dataSync();
        for (let r = 0; r < count; r++) energy[r] = e[r];
        specs.forEach((p, i) => {
          const g = grads[i].dataSync();
          for (let r = 0; r < count; r++) {
            const dst = r * dim + p.offset, src = r * p.size;
            for (let j = 0; j < p.size; j++) grad[dst + j] = g[src + j];
          }
        });
      });
    } finally {
      kept.values?.dispose();
    }
  };

  const priors = specs.filter((p) => p.precision > 0);
  /** Gaussian priors in float64: U += λ|θ|²/2, ∇U += λθ. */
  const addPriors = (x: Float64Array, count: number, energy: Float64Array, grad: Float64Array) => {
    for (let r = 0; r < count; r++) {
      let e = 0;
      for (const p of priors) {
        const lam = p.precision;
        const o = r * dim + p.offset;
        let s = 0;
        for (let j = o; j < o + p.size; j++) {
          const v = x[j];
          s += v * v;
          grad[j] += lam * v;
        }
        e += 0.5 * lam * s;
      }
      energy[r] += e;
    }
  };

  const evaluate = (m2: 'loop' | 'batched', x: Float64Array, count: number, energy: Float64Array, grad: Float64Array, batch?: Minibatch) => {
    if (m2 === 'batched') evalBatched(x, count, energy, grad, batch);
    else evalLoop(x, count, energy, grad, batch);
    addPriors(x, count, energy, grad);
  };

  // ---------------------------------------------------------------- initialiser
  const initialise = (out: Float64Array, offset: number, normal: () => number, uniform: () => number) => {
    for (const p of specs) {
      const o = offset + p.offset;
      const it = p.init;
      for (let j = 0; j < p.size; j++) {
        if (it.kind === 'normal') out[o + j] = it.std > 0 ? it.mean + it.std * normal() : it.mean;
        else if (it.kind === 'uniform') out[o + j] = it.low + (it.high - it.low) * uniform();
        else out[o + j] = it.values[j];
      }
    }
  };

  // ---------------------------------------------------------------- observables
  const observables = parseObservables(m.observables, coordinates, fail).map(
    (ob): PotentialObservable => ({
      name: ob.name,
      description: ob.description,
      units: ob.units,
      evaluate(x: Float64Array, count: number, out: Float64Array) {
        for (let r = 0; r < count; r++) {
          tf.tidy(() => {
            const vs = specs.map((p) => tf.tensor(toF32(x, r * dim + p.offset, p.size), p.shape, 'float32'));
            const fn = `observables.${ob.name}`;
            const v = call(fn, () => ob.evaluate(paramsOf(vs), data), vs, data);
            let vals: ArrayLike<number>;
            if (typeof v === 'number') vals = [v];
            else if (isTensor(v)) vals = v.dataSync();
            else return fail(`${fn}(p, data)`, `a number or a tf.Tensor with ${ob.units} value${ob.units === 1 ? '' : 's'}`, describeValue(v));
            if (vals.length !== ob.units || (isTensor(v) && v.rank > 1))
              fail(`${fn}(p, data)`, ob.units === 1 ? 'a scalar (units: 1)' : `a tensor of shape [${ob.units}] (units: ${ob.units})`, describeValue(v));
            for (let u = 0; u < ob.units; u++) out[r * ob.units + u] = vals[u];
          });
        }
      },
    }),
  );

  const potential: TfjsPotential = {
    name: `tfjs:${(m.name as string | undefined) ?? o.name}`,
    dim,
    coordinates,
    groups,
    ...(dataSize !== undefined ? { dataSize } : {}),
    initialise,
    preconditioner,
    ...(observables.length > 0 ? { observables } : {}),
    info: {
      tfjs: handle.package,
      backend: handle.backend,
      ...(handle.fallbackReason ? { why: whyNotNative(handle.fallbackReason) } : {}),
      evaluation: mode === 'batched' ? 'batchedLoss (all replicas of a tile per call)' : 'loss (one replica per call)',
      precision: 'float32 loss and gradient; priors and dynamics float64',
    },
    energyAndGradient(x, count, energy, grad, batch) {
      evaluate(mode, x, count, energy, grad, batch);
    },
    dispose,
  };

  // ---------------------------------------------------------------- build-time probe
  // Evaluate everything once at two points (full batch and a small minibatch),
  // so a broken model fails here, with its file named, not inside a worker.
  try {
    probe(potential, dim, N, o.seed, initialise, (mm, ...a) => evaluate(mm, ...a), lossFn && batchedFn ? ['loop', 'batched'] : [mode], where);
  } catch (e) {
    dispose();
    throw e;
  }
  finalizer.register(potential, owned);
  return potential;
}

/** Why tfjs-node is not in use, in a few words (the full loader message only when it is not simply absent). */
function whyNotNative(reason: string): string {
  if (/Cannot find (package|module) '@tensorflow\/tfjs-node'/.test(reason)) return '@tensorflow/tfjs-node is not installed (optional dependency)';
  return `@tensorflow/tfjs-node failed to load: ${reason}`;
}

/** Disposes a garbage-collected potential's data tensors. */
const finalizer = new FinalizationRegistry<Tensor[]>((ts) => {
  for (const t of ts) if (!t.isDisposed) t.dispose();
});

function toF32(x: Float64Array, offset: number, size: number): Float32Array {
  const out = new Float32Array(size);
  for (let j = 0; j < size; j++) out[j] = x[offset + j];
  return out;
}

function coordinateNames(p: ParamSpec): string[] {
  if (p.shape.length === 0) return [p.name];
  const names: string[] = [];
  const idx = new Array<number>(p.shape.length).fill(0);
  for (let k = 0; k < p.size; k++) {
    names.push(`${p.name}_${idx.join('_')}`);
    for (let a = p.shape.length - 1; a >= 0; a--) {
      if (++idx[a] < p.shape[a]) break;
      idx[a] = 0;
    }
  }
  return names;
}

type Fail = (what: string, expected: string, found: string) => never;

function parseParameters(raw: unknown, fail: Fail): ParamSpec[] {
  if (!Array.isArray(raw) || raw.length === 0)
    fail('parameters', 'a non-empty array of {name, shape, group?, prior?, init?}', raw === undefined ? 'nothing (no parameters key)' : describeValue(raw));
  const specs: ParamSpec[] = [];
  let offset = 0;
  (raw as unknown[]).forEach((q, i) => {
    const at = `parameters[${i}]`;
    if (typeof q !== 'object' || q === null || Array.isArray(q)) fail(at, 'an object {name, shape, group?, prior?, init?}', describeValue(q));
    const e = q as Record<string, unknown>;
    const extra = Object.keys(e).filter((k) => !['name', 'shape', 'group', 'prior', 'init'].includes(k));
    if (extra.length > 0) fail(at, 'only the keys name, shape, group, prior, init', `also ${extra.join(', ')}`);
    if (typeof e.name !== 'string' || !IDENT.test(e.name)) fail(`${at}.name`, 'an identifier (letters, digits, _)', describeValue(e.name));
    const name = e.name as string;
    const here = `parameter '${name}'`;
    if (specs.some((s) => s.name === name)) fail(here, 'a unique name', 'it twice');
    if (!Array.isArray(e.shape) || !e.shape.every((s) => Number.isInteger(s) && (s as number) >= 1))
      fail(`${here}: shape`, 'an array of positive integers ([] for a scalar)', describeValue(e.shape));
    const shape = [...(e.shape as number[])];
    const size = shape.reduce((a, b) => a * b, 1);
    if (e.group !== undefined && (typeof e.group !== 'string' || !IDENT.test(e.group))) fail(`${here}: group`, 'an identifier', describeValue(e.group));
    let precision = 0;
    if (e.prior !== undefined && e.prior !== null) {
      const pr = e.prior as Record<string, unknown>;
      const keys = typeof pr === 'object' && !Array.isArray(pr) ? Object.keys(pr) : [];
      const v = keys.length === 1 && keys[0] === 'std' ? (pr.std as number) ** 2 : keys.length === 1 && keys[0] === 'variance' ? (pr.variance as number) : NaN;
      if (!(v > 0 && Number.isFinite(v))) fail(`${here}: prior`, '{std: s} or {variance: s²} with s > 0, or null (flat)', describeValue(e.prior));
      precision = 1 / v;
    }
    let init: ParamSpec['init'];
    if (e.init === undefined) init = { kind: 'normal', mean: 0, std: precision > 0 ? 1 / Math.sqrt(precision) : 0 };
    else {
      const it = e.init as Record<string, unknown>;
      const ok = typeof it === 'object' && it !== null && !Array.isArray(it);
      const keys = ok ? Object.keys(it).sort().join(',') : '';
      const expected = '{std, mean?} (normal), {low, high} (uniform) or {values} (fixed, nested like shape or flat)';
      if (keys === 'std' || keys === 'mean,std') {
        const mean = (it.mean ?? 0) as number, std = it.std as number;
        if (!(Number.isFinite(mean) && Number.isFinite(std) && std >= 0)) fail(`${here}: init`, expected + ' with std ≥ 0', describeValue(e.init));
        init = { kind: 'normal', mean, std };
      } else if (keys === 'high,low') {
        const low = it.low as number, high = it.high as number;
        if (!(Number.isFinite(low) && Number.isFinite(high) && high > low)) fail(`${here}: init`, expected + ' with low < high', describeValue(e.init));
        init = { kind: 'uniform', low, high };
      } else if (keys === 'values') {
        const flat = Array.isArray(it.values) ? (it.values as unknown[]).flat(Infinity) : typeof it.values === 'number' ? [it.values] : [];
        if (flat.length !== size || !flat.every((v) => typeof v === 'number' && Number.isFinite(v)))
          fail(`${here}: init.values`, `${size} finite numbers (shape ${fmtShape(shape)})`, describeValue(it.values));
        init = { kind: 'values', values: Float64Array.from(flat as number[]) };
      } else return fail(`${here}: init`, expected, describeValue(e.init));
    }
    specs.push({ name, shape, size, offset, group: (e.group as string | undefined) ?? name, precision, init });
    offset += size;
  });
  return specs;
}

interface ParsedObservable {
  name: string;
  description: string;
  units: number;
  evaluate(p: NamedTensors, data: NamedTensors): Tensor | number;
}

function parseObservables(raw: unknown, coordinates: string[], fail: Fail): ParsedObservable[] {
  if (raw === undefined) return [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    fail('observables', 'an object {name: {description?, units?, evaluate(p, data)} or (p, data) => value}', describeValue(raw));
  return Object.entries(raw as Record<string, unknown>).map(([name, v]) => {
    const at = `observables.${name}`;
    if (!IDENT.test(name)) fail(at, 'an identifier as the name', JSON.stringify(name));
    if (RESERVED_OBSERVABLES.includes(name) || coordinates.includes(name))
      fail(at, `a name other than the built-in observables (${RESERVED_OBSERVABLES.join(', ')}) and the coordinates`, `'${name}'`);
    if (typeof v === 'function') return { name, description: `tfjs model observable ${name}`, units: 1, evaluate: v as ParsedObservable['evaluate'] };
    if (typeof v !== 'object' || v === null) fail(at, 'a function (p, data) => value or {description?, units?, evaluate}', describeValue(v));
    const o = v as Record<string, unknown>;
    if (typeof o.evaluate !== 'function') fail(`${at}.evaluate`, 'a function (p, data) => number or tensor', describeValue(o.evaluate));
    const units = o.units ?? 1;
    if (!Number.isInteger(units) || (units as number) < 1) fail(`${at}.units`, 'a positive integer', describeValue(o.units));
    if (o.description !== undefined && typeof o.description !== 'string') fail(`${at}.description`, 'a string', describeValue(o.description));
    return { name, description: (o.description as string | undefined) ?? `tfjs model observable ${name}`, units: units as number, evaluate: o.evaluate as ParsedObservable['evaluate'] };
  });
}

/**
 * Build-time check: evaluate the energy at two points (initialiser draws plus
 * a small jitter, so even a zero initialiser gives distinct points), full
 * batch and a minibatch of min(N, 3) rows, in every available mode; compare
 * loss with batchedLoss when both exist; evaluate each observable once.
 */
function probe(
  p: TfjsPotential,
  dim: number,
  N: number,
  seed: number,
  initialise: NonNullable<Potential['initialise']>,
  evaluate: (mode: 'loop' | 'batched', x: Float64Array, count: number, e: Float64Array, g: Float64Array, b?: Minibatch) => void,
  modes: ('loop' | 'batched')[],
  where: string,
): void {
  const count = 2;
  const rng = new Stream(`${seed}/probe:tfjs`, 0, 0);
  const x = new Float64Array(count * dim);
  for (let r = 0; r < count; r++) {
    initialise(x, r * dim, () => rng.normal(), () => rng.uniform());
    for (let j = 0; j < dim; j++) x[r * dim + j] += 0.1 * rng.normal();
  }
  const batches: (Minibatch | undefined)[] = [undefined];
  if (N > 0) {
    const B = Math.min(N, 3);
    const indices = new Int32Array(count * B);
    for (let k = 0; k < indices.length; k++) indices[k] = rng.int(N);
    batches.push({ size: B, indices });
  }
  for (const batch of batches) {
    const results = modes.map((mode) => {
      const e = new Float64Array(count), g = new Float64Array(count * dim);
      evaluate(mode, x, count, e, g, batch);
      return { e, g };
    });
    if (results.length === 2) {
      const [a, b] = results;
      // Both are float32 evaluations of the same function: they may differ by rounding (≈ 1e-7 relative to the terms summed).
      let gmax = 0;
      for (let k = 0; k < a.g.length; k++) gmax = Math.max(gmax, Math.abs(a.g[k]));
      for (let r = 0; r < count; r++) {
        const tol = 1e-4 * (1 + Math.abs(a.e[r]));
        if (!(Math.abs(a.e[r] - b.e[r]) <= tol) && Number.isFinite(a.e[r]))
          throw new Error(
            `${where}: batchedLoss disagrees with loss${batch ? ` on a minibatch (data tensors of shape [R, B, …])` : ' on the full data (data tensors of shape [1, N, …])'}: ` +
              `expected the same energy for replica ${r}, found ${b.e[r]} (batchedLoss) vs ${a.e[r]} (loss)`,
          );
      }
      for (let k = 0; k < a.g.length; k++)
        if (!(Math.abs(a.g[k] - b.g[k]) <= 1e-4 * (1 + gmax)) && Number.isFinite(a.g[k]))
          throw new Error(
            `${where}: batchedLoss disagrees with loss: expected the same gradient, found ${b.g[k]} vs ${a.g[k]} for coordinate ${p.coordinates[k % dim]} of replica ${Math.floor(k / dim)}`,
          );
    }
  }
  for (const ob of p.observables ?? []) ob.evaluate(x, count, new Float64Array(count * ob.units));
}
