/** Params of modular-addition-square: types, defaults, validation and the JSON Schema of `potential.params`. */
import { checkKernelParams, kernelParamsSchema, type KernelChoice, type Precision } from '../../../kernels/wasm.js';
import { checkPriorVariances, priorSchema, type PriorVariance } from '../prior.js';

export const MODULAR_ADDITION = 'modular-addition-square';

export interface ModularAdditionParams {
  /** Modulus, a prime ≥ 3. */
  P: number;
  /** Hidden neurons. */
  N: number;
  /** Likelihood noise σ² (the data term is |f − y|²/(2σ²)). */
  sigma2: number;
  /** Prior variance s_w² of each input weight; null or 'flat' = no prior. */
  prior_w: PriorVariance;
  /** Prior variance s_a² of each output weight; null = 1/N; 'flat' = no prior. */
  prior_a: PriorVariance;
  /** Fraction of the P² pairs used for training (the rest is held out). */
  train_fraction: number;
  targets: 'centred' | 'one-hot';
  /** Override of the data-term factor 1/(2σ²) (e.g. 1/(P²·P) for mean((Y − T)²)); null = 1/(2σ²). */
  loss_scale: number | null;
  /** γ of the sextic Fourier regulariser γ Σ_c Σ_k (S_{c,k}/P)³ (0 = none). */
  fourier_sextic: number;
  /** Initial weights of `ensemble.init: {kind: potential}`: draws from the prior, or the ordered (Fourier) phase. */
  init_state: 'prior' | 'fourier';
  /** Factor on the prior draws of `init_state: prior` (the initialisation scale; 1 = the prior itself). */
  init_scale: number;
  /** Kernels of the energy/gradient: auto (wasm when available), js (plain TypeScript, the reference) or wasm. */
  kernels: KernelChoice;
  /** Arithmetic of the network: float64, or float32 (wasm only; positions and updates stay float64). */
  precision: Precision;
}

export const modularAdditionDefaults: ModularAdditionParams = {
  P: 11,
  N: 32,
  sigma2: 0.1,
  prior_w: 0.5,
  prior_a: null,
  train_fraction: 0.8,
  targets: 'centred',
  loss_scale: null,
  fourier_sextic: 0,
  init_state: 'prior',
  init_scale: 1,
  kernels: 'auto',
  precision: 'float64',
};

function isPrime(p: number): boolean {
  if (p < 2) return false;
  for (let q = 2; q * q <= p; q++) if (p % q === 0) return false;
  return true;
}

/** Defaults filled in and every param checked; errors name the param, the value and what was expected. */
export function resolveModularAddition(params: Partial<ModularAdditionParams> | Record<string, unknown>): ModularAdditionParams {
  const p = { ...modularAdditionDefaults, ...(params as Partial<ModularAdditionParams>) };
  const name = MODULAR_ADDITION;
  if (!Number.isInteger(p.P) || p.P < 3 || !isPrime(p.P)) throw new Error(`${name}: P = ${p.P}, expected a prime ≥ 3`);
  if (!Number.isInteger(p.N) || p.N < 1) throw new Error(`${name}: N = ${p.N}, expected an integer ≥ 1`);
  if (!(p.sigma2 > 0)) throw new Error(`${name}: sigma2 = ${p.sigma2}, expected > 0`);
  checkPriorVariances(name, p as unknown as Record<string, unknown>, ['prior_w', 'prior_a']);
  if (!(p.train_fraction > 0 && p.train_fraction <= 1))
    throw new Error(`${name}: train_fraction = ${p.train_fraction}, expected in (0, 1]`);
  if (p.targets !== 'centred' && p.targets !== 'one-hot')
    throw new Error(`${name}: targets = ${JSON.stringify(p.targets)}, expected 'centred' or 'one-hot'`);
  if (!(p.loss_scale === null || (typeof p.loss_scale === 'number' && p.loss_scale > 0)))
    throw new Error(`${name}: loss_scale = ${p.loss_scale}, expected a number > 0 or null`);
  const gamma: unknown = p.fourier_sextic;
  if (!(typeof gamma === 'number' && Number.isFinite(gamma) && gamma >= 0))
    throw new Error(
      `${name}: fourier_sextic = ${typeof gamma === 'string' ? JSON.stringify(gamma) : String(gamma)}, expected a finite number ≥ 0 (0 = off)`,
    );
  if (p.init_state !== 'prior' && p.init_state !== 'fourier')
    throw new Error(`${name}: init_state = ${JSON.stringify(p.init_state)}, expected 'prior' or 'fourier'`);
  const scale: unknown = p.init_scale;
  if (!(typeof scale === 'number' && Number.isFinite(scale) && scale > 0))
    throw new Error(
      `${name}: init_scale = ${typeof scale === 'string' ? JSON.stringify(scale) : String(scale)}, expected a finite number > 0`,
    );
  if (p.init_state === 'fourier' && scale !== 1)
    throw new Error(`${name}: init_scale = ${scale} with init_state 'fourier', expected 1 (the scale applies to the prior draws only)`);
  checkKernelParams(name, p.kernels, p.precision);
  return p;
}

export const modularAdditionSchema = {
  type: 'object',
  properties: {
    P: { type: 'integer', minimum: 3, default: modularAdditionDefaults.P, description: 'modulus (a prime)' },
    N: { type: 'integer', minimum: 1, default: modularAdditionDefaults.N, description: 'hidden neurons' },
    sigma2: { type: 'number', exclusiveMinimum: 0, default: modularAdditionDefaults.sigma2, description: 'likelihood noise σ²' },
    prior_w: priorSchema('prior variance s_w² of the input weights (null or "flat": no prior)', modularAdditionDefaults.prior_w as number),
    prior_a: priorSchema('prior variance s_a² of the output weights (null: 1/N; "flat": no prior)', null),
    train_fraction: {
      type: 'number',
      exclusiveMinimum: 0,
      maximum: 1,
      default: modularAdditionDefaults.train_fraction,
      description: 'fraction of the P² pairs used for training (split drawn from the seed)',
    },
    targets: { enum: ['centred', 'one-hot'], default: modularAdditionDefaults.targets, description: 'centred: δ − 1/P; one-hot: δ' },
    loss_scale: {
      type: ['number', 'null'],
      exclusiveMinimum: 0,
      default: null,
      description: 'override of the data-term factor 1/(2σ²) (null: 1/(2σ²))',
    },
    fourier_sextic: {
      type: 'number',
      minimum: 0,
      default: 0,
      description:
        "γ of the sextic Fourier regulariser γ Σ_c Σ_k (S_ck/P)³ on the input weights (S_ck: neuron c's power at frequency k, both halves); 0 = none",
    },
    init_state: {
      enum: ['prior', 'fourier'],
      default: 'prior',
      description:
        'initial weights of ensemble.init {kind: potential}: prior draws, or the ordered phase (each neuron a unit cosine at one frequency with random phases, readout weights at their posterior mean given the input weights)',
    },
    init_scale: {
      type: 'number',
      exclusiveMinimum: 0,
      default: 1,
      description: 'factor on the prior draws of init_state prior (the initialisation scale; the prior itself is unchanged)',
    },
    ...kernelParamsSchema,
  },
  additionalProperties: false,
};
