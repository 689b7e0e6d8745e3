/**
 * The data of toy-addition: the unordered pairs (a, b), a ≤ b, of
 * theory/toy-addition.ts (p(p+1)/2 samples, 55 at p = 10); the training set is
 * round(train_fraction · p(p+1)/2) of them (default 0.82 → 45, the paper's
 * 45/10 split), drawn with `randomAdditionTrainingSet` from a stream keyed by
 * the seed and p only (not ctx.run); the rest is the test set. Regression
 * targets Y_c ∈ R^{d_out} (c = a + b) are standard normal vectors from
 * another stream keyed by the seed, p and d_out.
 */
import { Stream } from '../../../random/rng.js';
import { additionSamples, additionTrainingCount, randomAdditionTrainingSet } from '../../../theory/toy-addition.js';
import type { BuildContext } from '../../registry.js';
import { resolveToyAddition, TOY_ADDITION, type ToyAdditionParams } from './params.js';

export interface ToyAdditionData {
  /** Training samples [a₀, b₀, a₁, b₁, …] (a ≤ b), in D₀ order. */
  train: Int32Array;
  /** Test samples, the rest of D₀. */
  test: Int32Array;
  /** Regression targets Y_c, (2p − 1) × d_out row-major (empty for classification). */
  targets: Float64Array;
}

/** The split and the targets: from streams keyed by the seed, p (and d_out) only. */
export function toyAdditionData(params: Partial<ToyAdditionParams> | Record<string, unknown>, ctx: BuildContext): ToyAdditionData {
  const o = resolveToyAddition(params);
  const { p } = o;
  const count = Math.max(1, additionTrainingCount(p, o.train_fraction));
  // Keys no replica stream can have (replica keys are all-numeric).
  const train = randomAdditionTrainingSet(p, count, new Stream(`${ctx.seed}/data:${TOY_ADDITION}/${p}`, 0, 0));
  const all = additionSamples(p);
  const inTrain = new Set<number>();
  for (let k = 0; k < train.length; k += 2) inTrain.add(train[k] * p + train[k + 1]);
  const rest: number[] = [];
  for (let k = 0; k < all.length; k += 2) if (!inTrain.has(all[k] * p + all[k + 1])) rest.push(all[k], all[k + 1]);
  let targets = new Float64Array(0);
  if (o.task === 'regression') {
    const rng = new Stream(`${ctx.seed}/targets:${TOY_ADDITION}/${p}/${o.d_out}`, 0, 0);
    targets = Float64Array.from({ length: (2 * p - 1) * o.d_out }, () => rng.normal());
  }
  return { train, test: Int32Array.from(rest), targets };
}
