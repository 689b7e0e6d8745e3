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
 *
 * This file loads the module (the one code-execution point) and hands what
 * `createModel` returns to model.ts; backend.ts finds tfjs, parameters.ts
 * lays out x, energy.ts evaluates the energy and gradient, types.ts holds the
 * module contract.
 */
import { pathToFileURL } from 'node:url';
import { basename, isAbsolute } from 'node:path';
import { Stream } from '../../random/rng.js';
import type { BuildContext } from '../registry.js';
import { loadTensorflow, type TfHandle } from './backend.js';
import { buildTfjsPotential } from './model.js';
import type { TfjsModelContext, TfjsPotential, TfjsPotentialOptions } from './types.js';

export { buildTfjsPotential } from './model.js';
export type {
  BuildTfjsOptions,
  NamedTensors,
  TfjsEvaluation,
  TfjsInit,
  TfjsModel,
  TfjsModelContext,
  TfjsObservableSpec,
  TfjsParameter,
  TfjsPotential,
  TfjsPotentialOptions,
} from './types.js';

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
  if (!isAbsolute(absPath))
    throw new Error(`${where}: expected an absolute path (the scenario loader resolves it against the scenario file)`);
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
  return buildTfjsPotential(model, {
    where,
    name: basename(absPath).replace(/\.[cm]?js$/, ''),
    handle,
    seed: ctx.seed,
    evaluation: opts.evaluation,
  });
}

/**
 * tfjs's cpu backend prints a "install tfjs-node" banner on first use (through
 * console.warn); nothing below the CLI prints, and `info` says the same thing.
 * Production mode only silences tfjs warnings (it changes no computation).
 */
function quietTensorflow(h: TfHandle): void {
  if (h.package === '@tensorflow/tfjs') h.tf.enableProdMode();
}
