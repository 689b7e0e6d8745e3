/**
 * The batched energy and gradient of a tfjs potential:
 *
 *   U(x) = Σ_params |θ|² / (2 s²)  [declared Gaussian priors, float64 in JS]
 *        + (N / B) · loss(θ, minibatch)   [tfjs, float32; N/B = 1 for full batch]
 *
 * Gradients come from `tf.valueAndGrads`; all tensors of a call live inside
 * `tf.tidy`. `loop` evaluates `loss` once per replica; `batched` evaluates
 * `batchedLoss` once per tile, with parameters [R, …shape] and data tensors
 * [1, N, …] (full batch, broadcast) or [R, B, …] (row r = replica r's minibatch).
 * A throw inside a model function becomes an error naming the file, the
 * function and the shapes it was given.
 */
import type { Minibatch } from '../../engine/types.js';
import { describeValue, firstLine, fmtShape, isTensor, type Fail } from './describe.js';
import { priorTerms, type ParamSpec } from './parameters.js';
import type { NamedTensors, Tensor, Tf, TfjsEvaluation, TfjsModel } from './types.js';

export type EnergyEvaluator = (
  mode: TfjsEvaluation,
  x: Float64Array,
  count: number,
  energy: Float64Array,
  grad: Float64Array,
  batch?: Minibatch,
) => void;

export interface TfjsEnergySetup {
  tf: Tf;
  specs: ParamSpec[];
  dim: number;
  /** The data set (rows on axis 0) and the same with a leading axis of size 1 (for batchedLoss). */
  data: NamedTensors;
  data1: NamedTensors;
  /** Rows of the data set (0 without data). */
  rows: number;
  loss?: TfjsModel['loss'];
  batchedLoss?: TfjsModel['batchedLoss'];
  /** Prefix of every error message (names the module file). */
  where: string;
  fail: Fail;
}

export interface TfjsEnergy {
  /** Energy and gradient of `count` replicas in the given mode, priors included. */
  evaluate: EnergyEvaluator;
  /** The named parameter tensors of a list in declaration order. */
  paramsOf(values: Tensor[]): NamedTensors;
  /** Run a model function; a throw becomes an error naming the file, the function and the shapes it was given. */
  call<T>(fn: string, f: () => T, values: Tensor[], data: NamedTensors, lossOf?: (p: NamedTensors) => Tensor): T;
}

export function tfjsEnergy(setup: TfjsEnergySetup): TfjsEnergy {
  const { tf, specs, dim, data, data1, rows: N, loss: lossFn, batchedLoss: batchedFn, where, fail } = setup;
  const describeData = (d: NamedTensors) =>
    Object.entries(d)
      .map(([k, t]) => `${k} ${fmtShape(t.shape)}`)
      .join(', ') || 'none';
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
              const out = checkOut(
                'loss',
                call('loss', () => lossFn!(paramsOf(v), d), v, d),
                [],
                v,
                d,
              );
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
            const src = r * dim + p.offset,
              dst = r * p.size;
            for (let j = 0; j < p.size; j++) buf[dst + j] = x[src + j];
          }
          return tf.tensor(buf, [count, ...p.shape], 'float32');
        });
        const d = batch ? gather(batch, null, count) : data1;
        const { grads } = call(
          'batchedLoss',
          () =>
            tf.valueAndGrads((...v: Tensor[]) => {
              let out = checkOut(
                'batchedLoss',
                call('batchedLoss', () => batchedFn!(paramsOf(v), d), v, d),
                [count],
                v,
                d,
              );
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
            const dst = r * dim + p.offset,
              src = r * p.size;
            for (let j = 0; j < p.size; j++) grad[dst + j] = g[src + j];
          }
        });
      });
    } finally {
      kept.values?.dispose();
    }
  };

  const addPriors = priorTerms(specs, dim);
  const evaluate: EnergyEvaluator = (mode, x, count, energy, grad, batch) => {
    if (mode === 'batched') evalBatched(x, count, energy, grad, batch);
    else evalLoop(x, count, energy, grad, batch);
    addPriors(x, count, energy, grad);
  };

  return { evaluate, paramsOf, call };
}

/** One replica's slice of x as float32 (the model's arithmetic). */
export function toF32(x: Float64Array, offset: number, size: number): Float32Array {
  const out = new Float32Array(size);
  for (let j = 0; j < size; j++) out[j] = x[offset + j];
  return out;
}
