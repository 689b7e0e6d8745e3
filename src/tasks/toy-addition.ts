/**
 * The toy addition task (docs/models.md §3.4; Liu et al., "Towards understanding
 * grokking", Sec. 3): symbols 0…p−1; a sample is an unordered pair (i, j),
 * i ≤ j, labelled i + j, so the full data set D₀ has p(p+1)/2 samples; a
 * training set is a subset D ⊂ D₀ (training fraction |D|/|D₀|). Sample lists
 * are flat Int32Arrays [i₀, j₀, i₁, j₁, …]. The effective theory over these
 * sets (parallelograms, RQI, λ₃) is in theory/toy-addition.ts.
 */
import type { Stream } from '../random/rng.js';

/** Throw a RangeError naming `who` unless the number of symbols p ≥ 2 is an integer. */
export function checkSymbolCount(p: number, who: string): void {
  if (!(Number.isInteger(p) && p >= 2)) throw new RangeError(`${who}: p must be an integer ≥ 2, got ${p}`);
}

/** The full dataset D₀: all (i, j) with 0 ≤ i ≤ j < p, in lexicographic order. */
export function additionSamples(p: number): Int32Array {
  checkSymbolCount(p, 'additionSamples');
  const out = new Int32Array(p * (p + 1));
  let k = 0;
  for (let i = 0; i < p; i++)
    for (let j = i; j < p; j++) {
      out[k++] = i;
      out[k++] = j;
    }
  return out;
}

/**
 * A random training set of `count` distinct samples of D₀ (uniform without
 * replacement, partial Fisher–Yates on the stream), in D₀ order.
 */
export function randomAdditionTrainingSet(p: number, count: number, stream: Stream): Int32Array {
  const all = additionSamples(p);
  const S = all.length / 2;
  if (!(Number.isInteger(count) && count >= 0 && count <= S))
    throw new RangeError(`randomAdditionTrainingSet: need 0 ≤ count ≤ ${S}, got ${count}`);
  const perm = Int32Array.from({ length: S }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + stream.int(S - i);
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  const chosen = perm.subarray(0, count).sort();
  const out = new Int32Array(2 * count);
  for (let k = 0; k < count; k++) {
    out[2 * k] = all[2 * chosen[k]];
    out[2 * k + 1] = all[2 * chosen[k] + 1];
  }
  return out;
}

/** Number of training samples for a training fraction: round(fraction · p(p+1)/2). */
export function additionTrainingCount(p: number, fraction: number): number {
  checkSymbolCount(p, 'additionTrainingCount');
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`additionTrainingCount: fraction must be in [0, 1], got ${fraction}`);
  return Math.round((fraction * p * (p + 1)) / 2);
}
