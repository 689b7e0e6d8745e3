/**
 * Building a tfjs potential from what a model module's `createModel`
 * returned: the model object validated (parameters, losses, data,
 * observables), the potential assembled from the parameter layout
 * (parameters.ts) and the batched energy (energy.ts), and a build-time probe
 * that evaluates everything once so a broken model fails here, with its file
 * named, not inside a worker.
 */
import { Stream } from '../../random/rng.js';
import type { Minibatch, Potential, PotentialObservable } from '../../engine/types.js';
import { describeValue, firstLine, fmtShape, isTensor, type Fail } from './describe.js';
import { tfjsEnergy, toF32, type EnergyEvaluator } from './energy.js';
import { IDENT, parameterInitialiser, parameterLayout, parseParameters } from './parameters.js';
import type { BuildTfjsOptions, NamedTensors, Tensor, Tf, TfjsEvaluation, TfjsModel, TfjsPotential } from './types.js';

/** Names every potential already has (src/observables/observables.ts); a model's observables must not reuse them. */
const RESERVED_OBSERVABLES = ['energy', 'grad_norm', 'radius', 'well', 'basin'];

/** Validate what `createModel` returned and build the potential (exported for tests of inline models). */
export function buildTfjsPotential(model: unknown, o: BuildTfjsOptions): TfjsPotential {
  const { where, handle } = o;
  const tf = handle.tf;
  const fail: Fail = (what, expected, found) => {
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
  const { dim, groups, preconditioner, coordinates } = parameterLayout(specs, fail);

  // ---------------------------------------------------------------- losses
  const loss = m.loss,
    batchedLoss = m.batchedLoss;
  if (loss !== undefined && typeof loss !== 'function')
    fail('loss', 'a function loss(p, data) returning a scalar tensor', describeValue(loss));
  if (batchedLoss !== undefined && typeof batchedLoss !== 'function')
    fail('batchedLoss', 'a function batchedLoss(p, data) returning a tensor of shape [R]', describeValue(batchedLoss));
  if (loss === undefined && batchedLoss === undefined)
    fail('the model object', 'a loss(p, data) function (one replica) and/or a batchedLoss(p, data) function (all replicas)', 'neither');
  const want = o.evaluation ?? 'auto';
  if (want === 'loop' && !loss) fail('evaluation: loop', 'a loss(p, data) function', 'only batchedLoss');
  if (want === 'batched' && !batchedLoss) fail('evaluation: batched', 'a batchedLoss(p, data) function', 'only loss');
  const mode: TfjsEvaluation = want === 'loop' ? 'loop' : want === 'batched' ? 'batched' : batchedLoss ? 'batched' : 'loop';
  const lossFn = loss as TfjsModel['loss'];
  const batchedFn = batchedLoss as TfjsModel['batchedLoss'];

  // ---------------------------------------------------------------- data
  const { data, data1, dataSize, owned, dispose } = dataTensors(m.data, tf, fail);
  const N = dataSize ?? 0;

  // ---------------------------------------------------------------- evaluation
  const energy = tfjsEnergy({ tf, specs, dim, data, data1, rows: N, loss: lossFn, batchedLoss: batchedFn, where, fail });
  const { evaluate, paramsOf, call } = energy;
  const initialise = parameterInitialiser(specs);

  // ---------------------------------------------------------------- observables
  const observables = parseObservables(m.observables, coordinates, fail).map((ob): PotentialObservable => ({
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
          else
            return fail(`${fn}(p, data)`, `a number or a tf.Tensor with ${ob.units} value${ob.units === 1 ? '' : 's'}`, describeValue(v));
          if (vals.length !== ob.units || (isTensor(v) && v.rank > 1))
            fail(
              `${fn}(p, data)`,
              ob.units === 1 ? 'a scalar (units: 1)' : `a tensor of shape [${ob.units}] (units: ${ob.units})`,
              describeValue(v),
            );
          for (let u = 0; u < ob.units; u++) out[r * ob.units + u] = vals[u];
        });
      }
    },
  }));

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
    energyAndGradient(x, count, e, g, batch) {
      evaluate(mode, x, count, e, g, batch);
    },
    dispose,
  };

  // ---------------------------------------------------------------- build-time probe
  // Evaluate everything once at two points (full batch and a small minibatch),
  // so a broken model fails here, with its file named, not inside a worker.
  try {
    probe(potential, dim, N, o.seed, initialise, evaluate, lossFn && batchedFn ? ['loop', 'batched'] : [mode], where);
  } catch (e) {
    dispose();
    throw e;
  }
  finalizer.register(potential, owned);
  return potential;
}

/**
 * The model's `data` as tensors (one common number of rows on axis 0), the
 * same with a leading axis of size 1, and the list of tensors the potential
 * owns (disposed by `dispose`, here on a failed check too).
 */
function dataTensors(
  raw: unknown,
  tf: Tf,
  fail: Fail,
): { data: NamedTensors; data1: NamedTensors; dataSize: number | undefined; owned: Tensor[]; dispose: () => void } {
  const owned: Tensor[] = [];
  const data: NamedTensors = {};
  const data1: NamedTensors = {};
  let dataSize: number | undefined;
  const dispose = () => {
    for (const t of owned) if (!t.isDisposed) t.dispose();
    owned.length = 0;
  };
  try {
    if (raw !== undefined) {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
        fail('data', 'an object {key: tensor or number array} of per-example rows', describeValue(raw));
      const entries = Object.entries(raw as Record<string, unknown>);
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
          const shapes = Object.keys(data)
            .map((j) => `${j} ${fmtShape(data[j].shape)}`)
            .join(', ');
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
  return { data, data1, dataSize, owned, dispose };
}

/** Why tfjs-node is not in use, in a few words (the full loader message only when it is not simply absent). */
function whyNotNative(reason: string): string {
  if (/Cannot find (package|module) '@tensorflow\/tfjs-node'/.test(reason))
    return '@tensorflow/tfjs-node is not installed (optional dependency)';
  return `@tensorflow/tfjs-node failed to load: ${reason}`;
}

/** Disposes a garbage-collected potential's data tensors. */
const finalizer = new FinalizationRegistry<Tensor[]>((ts) => {
  for (const t of ts) if (!t.isDisposed) t.dispose();
});

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
    if (typeof v === 'function')
      return { name, description: `tfjs model observable ${name}`, units: 1, evaluate: v as ParsedObservable['evaluate'] };
    if (typeof v !== 'object' || v === null)
      fail(at, 'a function (p, data) => value or {description?, units?, evaluate}', describeValue(v));
    const o = v as Record<string, unknown>;
    if (typeof o.evaluate !== 'function') fail(`${at}.evaluate`, 'a function (p, data) => number or tensor', describeValue(o.evaluate));
    const units = o.units ?? 1;
    if (!Number.isInteger(units) || (units as number) < 1) fail(`${at}.units`, 'a positive integer', describeValue(o.units));
    if (o.description !== undefined && typeof o.description !== 'string')
      fail(`${at}.description`, 'a string', describeValue(o.description));
    return {
      name,
      description: (o.description as string | undefined) ?? `tfjs model observable ${name}`,
      units: units as number,
      evaluate: o.evaluate as ParsedObservable['evaluate'],
    };
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
  evaluate: EnergyEvaluator,
  modes: TfjsEvaluation[],
  where: string,
): void {
  const count = 2;
  const rng = new Stream(`${seed}/probe:tfjs`, 0, 0);
  const x = new Float64Array(count * dim);
  for (let r = 0; r < count; r++) {
    initialise(
      x,
      r * dim,
      () => rng.normal(),
      () => rng.uniform(),
    );
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
      const e = new Float64Array(count),
        g = new Float64Array(count * dim);
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
