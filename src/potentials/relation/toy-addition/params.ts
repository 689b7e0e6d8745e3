/** Params of toy-addition: types, defaults, validation and the JSON Schema of `potential.params`. */
import { checkKernelParams, kernelParamsSchema, type KernelChoice, type Precision } from '../../../kernels/wasm.js';

export const TOY_ADDITION = 'toy-addition';

export type ToyAdditionTask = 'regression' | 'classification';
export type ToyAdditionActivation = 'tanh' | 'relu';

export interface ToyAdditionParams {
  p: number;
  d_in: number;
  /** Output dimension of the regression targets (classification: ignored, 2p − 1 logits). */
  d_out: number;
  hidden: number[];
  activation: ToyAdditionActivation;
  task: ToyAdditionTask;
  train_fraction: number;
  /** Embeddings start U[−s/2, s/2]. */
  init_scale: number;
  /** RQI tolerance δ (Liu et al. App. E uses 0.01). */
  delta: number;
  /** Kernels of the energy/gradient: auto (wasm when available), js (plain TypeScript, the reference) or wasm. */
  kernels: KernelChoice;
  /** Arithmetic of the network: float64, or float32 (wasm only; positions and updates stay float64). */
  precision: Precision;
}

export const toyAdditionDefaults: ToyAdditionParams = {
  p: 10,
  d_in: 1,
  d_out: 30,
  hidden: [200, 200],
  activation: 'tanh',
  task: 'regression',
  train_fraction: 0.82,
  init_scale: 1,
  delta: 0.01,
  kernels: 'auto',
  precision: 'float64',
};

/** Defaults filled in and every param checked; errors name the param, the value and what was expected. */
export function resolveToyAddition(params: Partial<ToyAdditionParams> | Record<string, unknown>): ToyAdditionParams {
  const p = { ...toyAdditionDefaults, ...(params as Partial<ToyAdditionParams>) };
  const name = TOY_ADDITION;
  const posInt = (v: unknown) => Number.isInteger(v) && (v as number) >= 1;
  if (!(Number.isInteger(p.p) && p.p >= 2)) throw new Error(`${name}: p = ${p.p}, expected an integer ≥ 2`);
  if (!posInt(p.d_in)) throw new Error(`${name}: d_in = ${p.d_in}, expected an integer ≥ 1`);
  if (!posInt(p.d_out)) throw new Error(`${name}: d_out = ${p.d_out}, expected an integer ≥ 1`);
  if (!Array.isArray(p.hidden) || !p.hidden.every(posInt))
    throw new Error(`${name}: hidden = ${JSON.stringify(p.hidden)}, expected a list of integers ≥ 1`);
  if (p.activation !== 'tanh' && p.activation !== 'relu')
    throw new Error(`${name}: activation = ${JSON.stringify(p.activation)}, expected 'tanh' or 'relu'`);
  if (p.task !== 'regression' && p.task !== 'classification')
    throw new Error(`${name}: task = ${JSON.stringify(p.task)}, expected 'regression' or 'classification'`);
  if (!(p.train_fraction > 0 && p.train_fraction <= 1))
    throw new Error(`${name}: train_fraction = ${p.train_fraction}, expected in (0, 1]`);
  if (!(p.init_scale >= 0)) throw new Error(`${name}: init_scale = ${p.init_scale}, expected ≥ 0`);
  if (!(p.delta >= 0)) throw new Error(`${name}: delta = ${p.delta}, expected ≥ 0`);
  checkKernelParams(name, p.kernels, p.precision);
  return p;
}

export const toyAdditionSchema = {
  type: 'object',
  properties: {
    p: { type: 'integer', minimum: 2, default: toyAdditionDefaults.p, description: 'symbols 0 … p−1' },
    d_in: { type: 'integer', minimum: 1, default: toyAdditionDefaults.d_in, description: 'embedding dimension' },
    d_out: { type: 'integer', minimum: 1, default: toyAdditionDefaults.d_out, description: 'regression target dimension' },
    hidden: {
      type: 'array',
      items: { type: 'integer', minimum: 1 },
      default: toyAdditionDefaults.hidden,
      description: 'decoder hidden widths',
    },
    activation: { enum: ['tanh', 'relu'], default: toyAdditionDefaults.activation, description: 'decoder hidden activation' },
    task: {
      enum: ['regression', 'classification'],
      default: toyAdditionDefaults.task,
      description: 'MSE to random targets Y_{a+b}, or cross-entropy over 2p − 1 classes',
    },
    train_fraction: {
      type: 'number',
      exclusiveMinimum: 0,
      maximum: 1,
      default: toyAdditionDefaults.train_fraction,
      description: 'fraction of the p(p+1)/2 unordered pairs used for training (split from the seed)',
    },
    init_scale: { type: 'number', minimum: 0, default: toyAdditionDefaults.init_scale, description: 'embeddings start U[−s/2, s/2]' },
    delta: { type: 'number', minimum: 0, default: toyAdditionDefaults.delta, description: 'RQI tolerance δ' },
    ...kernelParamsSchema,
  },
  additionalProperties: false,
};
