/** Gradient estimators, chosen from the dynamics settings (see types.ts). */
import type { GradientEstimator } from './types.js';
import { fullBatch } from './full-batch.js';
import { minibatch } from './minibatch.js';

export type { GradientEstimator } from './types.js';
export { fullBatch } from './full-batch.js';
export { autoBatch, drawMinibatch, minibatch } from './minibatch.js';

/** The estimator for a run: minibatches when a batch size applies (the potential has data), the full batch otherwise. */
export function gradientEstimator(options: { batchSize?: number | null }): GradientEstimator {
  return options.batchSize ? minibatch : fullBatch;
}
