/** The contract between stochdyn and a TensorFlow.js model module (tfjs-potential.ts describes it in full). */
import type { Potential } from '../../engine/types.js';
import type { TfHandle } from './backend.js';

/**
 * The part of a tfjs tensor that stochdyn reads. Structural, so that stochdyn
 * compiles without `@tensorflow/tfjs` (an optional dependency): a real
 * `tf.Tensor` satisfies it.
 */
export interface Tensor {
  readonly shape: number[];
  readonly rank: number;
  readonly size: number;
  readonly dtype: string;
  readonly isDisposed: boolean;
  dataSync(): ArrayLike<number>;
  dispose(): void;
}

/** The functions of the tfjs module that stochdyn calls (a structural subset of the module's own type). */
export interface Tf {
  readonly version_core: string;
  tidy<T>(fn: () => T): T;
  grad(f: (x: Tensor) => Tensor): (x: Tensor, dy?: Tensor) => Tensor;
  valueAndGrads(f: (...args: Tensor[]) => Tensor): (args: Tensor[], dy?: Tensor) => { value: Tensor; grads: Tensor[] };
  tensor(values: ArrayLike<number> | number | unknown[], shape?: number[], dtype?: 'float32' | 'int32' | 'bool'): Tensor;
  tensor1d(values: ArrayLike<number> | number[], dtype?: 'float32' | 'int32' | 'bool'): Tensor;
  gather(x: Tensor, indices: Tensor | number[], axis?: number): Tensor;
  reshape(x: Tensor, shape: number[]): Tensor;
  expandDims(x: Tensor, axis?: number): Tensor;
  mul(a: Tensor | number, b: Tensor | number): Tensor;
  sum(x: Tensor, axis?: number | number[], keepDims?: boolean): Tensor;
  keep<T extends Tensor>(x: T): T;
  ready(): Promise<void>;
  getBackend(): string;
  setBackend(name: string): Promise<boolean>;
  enableProdMode(): void;
}

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

/** Which loss evaluates the energy: one replica per call (`loss`) or all replicas of a tile (`batchedLoss`). */
export type TfjsEvaluation = 'loop' | 'batched';

export interface TfjsPotentialOptions {
  /** Which loss evaluates the energy: `auto` (batchedLoss when given, else loss), or force one. */
  evaluation?: 'auto' | TfjsEvaluation;
}

/** A tfjs potential: a Potential plus `dispose()` for its data tensors. */
export interface TfjsPotential extends Potential {
  /** Free the data tensors (the potential is unusable afterwards). */
  dispose(): void;
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
