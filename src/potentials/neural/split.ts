/** The seeded train/held-out split of a finite set of items (the pairs of modular-addition and relation-learner). */
import { Stream } from '../../random/rng.js';

/**
 * Items 0 … total−1 split into the first round(trainFraction · total) (at
 * least 1) of a Fisher–Yates shuffle drawn from a stream keyed by `key`, and
 * the rest; both ascending. A larger fraction extends the same training set.
 * `key` must be one no replica stream can have (replica keys are all-numeric).
 */
export function shuffledSplit(total: number, trainFraction: number, key: string): { train: Int32Array; test: Int32Array } {
  const nTrain = Math.min(total, Math.max(1, Math.round(trainFraction * total)));
  const order = Int32Array.from({ length: total }, (_, i) => i);
  if (nTrain < total) {
    const rng = new Stream(key, 0, 0);
    for (let i = total - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }
  return { train: order.slice(0, nTrain).sort(), test: order.slice(nTrain).sort() };
}
