/**
 * Observables of toy-addition: `rqi` (RQI of Liu et al. Eq. 3 over the full
 * dataset's parallelograms P₀(D₀), δ absolute), `rqi_normalised` (the same
 * for the normalised embeddings (E − μ)/σ, i.e. δ relative to the spread σ),
 * `rqi_train` (over the training set's P₀(D)), `predicted_accuracy` and
 * `predicted_accuracy_normalised` (Acc-hat of Liu et al. App. D, Eqs. 12–13,
 * δ absolute or relative to σ), `train_loss`, `train_accuracy`, `test_loss`,
 * `test_accuracy`, `accuracy` (over the whole dataset D₀, the paper's Acc),
 * `embedding_norm` (Z₀); and what the effective theory says about the split
 * (the potential's `info`).
 */
import type { PotentialObservable } from '../../../engine/types.js';
import { additionSamples, grokkingRate, idealRQI, permissibleParallelograms } from '../../../theory/toy-addition.js';
import { scalarObservable } from '../../neural/replica-observables.js';
import type { ToyAdditionData } from './data.js';
import type { ToyAdditionModel } from './model.js';
import type { ToyAdditionParams } from './params.js';

export function toyAdditionObservables(
  o: ToyAdditionParams,
  data: ToyAdditionData,
  model: ToyAdditionModel,
): { observables: PotentialObservable[]; parallelograms: { train: number; all: number } } {
  const { p, d_in: din } = o;
  const { train, test, targets } = data;
  const { dim, embeddingSize: Esz, outputs: K } = model;
  const nTest = test.length / 2;
  const regression = o.task === 'regression';
  const quadsTrain = permissibleParallelograms(p, train);
  const quadsAll = permissibleParallelograms(p);
  const trainKeys = pairKeys(p, train);
  const allSamples = additionSamples(p);
  const nAll = allSamples.length / 2;

  /** Mean loss or accuracy of the replica at `base` on a sample list. */
  function metricOn(x: Float64Array, base: number, samples: Int32Array, want: 'loss' | 'accuracy'): number {
    const n = samples.length / 2;
    let loss = 0;
    let hits = 0;
    for (let i0 = 0; i0 < n; i0 += 4) {
      const nb = model.forwardBlock(x, base, samples, i0, n);
      const out = model.blockOutputs;
      for (let q = 0; q < nb; q++) {
        const c = model.blockClass(q);
        loss += model.blockLoss(q);
        const o = q * K;
        let best = 0;
        if (regression) {
          let bestD = Infinity;
          for (let t = 0; t < 2 * p - 1; t++) {
            let dd = 0;
            for (let k = 0; k < K; k++) {
              const v = out[o + k] - targets[t * K + k];
              dd += v * v;
            }
            if (dd < bestD) {
              bestD = dd;
              best = t;
            }
          }
        } else for (let k = 1; k < K; k++) if (out[o + k] > out[o + best]) best = k;
        if (best === c) hits++;
      }
    }
    return want === 'loss' ? loss / n : hits / n;
  }

  const scalar = (name: string, description: string, f: (x: Float64Array, base: number) => number) =>
    scalarObservable(dim, name, description, f);
  const acc = regression ? 'nearest target is Y_{a+b}' : 'argmax = a + b';
  const observables: PotentialObservable[] = [
    scalar(
      'rqi',
      `RQI (Liu et al. Eq. 3): fraction of the full dataset's ${quadsAll.length / 4} parallelograms realised within δ = ${o.delta}`,
      (x, b) => rqi(x, b, p, din, o.delta, quadsAll),
    ),
    scalar('rqi_normalised', `RQI of the normalised embeddings (E − μ)/σ: δ = ${o.delta} relative to σ`, (x, b) =>
      rqi(x, b, p, din, o.delta, quadsAll, true),
    ),
    scalar(
      'rqi_train',
      `fraction of the training set's ${quadsTrain.length / 4} parallelograms P₀(D) realised within δ = ${o.delta}`,
      (x, b) => rqi(x, b, p, din, o.delta, quadsTrain),
    ),
    scalar(
      'predicted_accuracy',
      `Acc-hat (Liu et al. App. D): fraction of the ${nAll} pairs that are training pairs or complete a parallelogram realised within δ = ${o.delta} with a training pair`,
      (x, b) => predictedAccuracy(x, b, p, din, o.delta, quadsAll, trainKeys),
    ),
    scalar('predicted_accuracy_normalised', `Acc-hat with δ = ${o.delta} relative to σ (as rqi_normalised)`, (x, b) =>
      predictedAccuracy(x, b, p, din, o.delta, quadsAll, trainKeys, true),
    ),
    scalar(
      'train_loss',
      `mean ${regression ? 'squared error per component' : 'cross-entropy'} over the training samples (= the energy at full batch)`,
      (x, b) => metricOn(x, b, train, 'loss'),
    ),
    scalar('train_accuracy', `fraction of training samples whose ${acc}`, (x, b) => metricOn(x, b, train, 'accuracy')),
    scalar('embedding_norm', 'Z₀ = Σ_k |E_k|²', (x, b) => {
      let s = 0;
      for (let j = 0; j < Esz; j++) s += x[b + j] * x[b + j];
      return s;
    }),
  ];
  if (nTest > 0)
    observables.push(
      scalar('test_loss', `mean ${regression ? 'squared error per component' : 'cross-entropy'} over the test samples`, (x, b) =>
        metricOn(x, b, test, 'loss'),
      ),
      scalar('test_accuracy', `fraction of test samples whose ${acc}`, (x, b) => metricOn(x, b, test, 'accuracy')),
    );
  observables.push(
    scalar('accuracy', `fraction of all ${nAll} pairs (training and test) whose ${acc}: the paper's Acc`, (x, b) =>
      metricOn(x, b, allSamples, 'accuracy'),
    ),
  );
  return { observables, parallelograms: { train: quadsTrain.length / 4, all: quadsAll.length / 4 } };
}

/**
 * Fraction of the parallelograms `quads` realised within δ by the embeddings at
 * x[base …] (p × d). With `normalised`, by the normalised embeddings
 * Ẽ = (E − μ)/σ, σ² = (1/p) Σ_k |E_k − μ|² (Liu et al. Sec. 3.2): the violation
 * E_i + E_j − E_m − E_n does not see μ, so this is δ relative to σ.
 */
export function rqi(x: Float64Array, base: number, p: number, d: number, delta: number, quads: Int32Array, normalised = false): number {
  const P = quads.length / 4;
  if (P === 0) return 1;
  const d2 = delta * delta * (normalised ? embeddingVariance(x, base, p, d) : 1);
  let hit = 0;
  for (let q = 0; q < P; q++) {
    const i = base + quads[4 * q] * d,
      j = base + quads[4 * q + 1] * d,
      m = base + quads[4 * q + 2] * d,
      n = base + quads[4 * q + 3] * d;
    let s = 0;
    for (let a = 0; a < d; a++) {
      const v = x[i + a] + x[j + a] - x[m + a] - x[n + a];
      s += v * v;
    }
    if (s <= d2) hit++;
  }
  return hit / P;
}

/** Keys a·p + b (a ≤ b) of the pairs in a sample list [a₀, b₀, a₁, b₁, …]. */
export function pairKeys(p: number, samples: Int32Array): Set<number> {
  const keys = new Set<number>();
  for (let k = 0; k < samples.length; k += 2) {
    const a = Math.min(samples[k], samples[k + 1]);
    keys.add(a * p + Math.max(samples[k], samples[k + 1]));
  }
  return keys;
}

/**
 * Acc-hat of Liu et al. App. D (Eqs. 12–13): the augmented training set
 * D̄ = D ∪ {(i, j) : (m, n) ∈ D and (i, j, m, n) a parallelogram of the
 * representation within δ}, over all pairs with i + j = m + n (`quads`, the full
 * dataset's P₀(D₀)); Acc-hat = |D̄| / |D₀|, D₀ the p(p+1)/2 unordered pairs. It is
 * the accuracy a decoder with zero training loss reaches on D₀ if it predicts
 * an unseen pair through an equal embedding sum. `train` holds the keys a·p + b
 * (a ≤ b) of D (`pairKeys`); `normalised` as in `rqi`.
 */
export function predictedAccuracy(
  x: Float64Array,
  base: number,
  p: number,
  d: number,
  delta: number,
  quads: Int32Array,
  train: Set<number>,
  normalised = false,
): number {
  const d2 = delta * delta * (normalised ? embeddingVariance(x, base, p, d) : 1);
  const reached = new Set(train);
  const key = (a: number, b: number) => (a <= b ? a * p + b : b * p + a);
  for (let q = 0; q < quads.length; q += 4) {
    const k1 = key(quads[q], quads[q + 1]);
    const k2 = key(quads[q + 2], quads[q + 3]);
    const t1 = train.has(k1);
    const t2 = train.has(k2);
    if (t1 === t2) continue; // both in D (nothing to add) or neither (no training pair to copy from)
    const i = base + quads[q] * d,
      j = base + quads[q + 1] * d,
      m = base + quads[q + 2] * d,
      n = base + quads[q + 3] * d;
    let s = 0;
    for (let a = 0; a < d; a++) {
      const v = x[i + a] + x[j + a] - x[m + a] - x[n + a];
      s += v * v;
    }
    if (s <= d2) reached.add(t1 ? k2 : k1);
  }
  return reached.size / ((p * (p + 1)) / 2);
}

/** σ² = (1/p) Σ_k |E_k − μ|² of the embeddings at x[base …] (p × d). */
function embeddingVariance(x: Float64Array, base: number, p: number, d: number): number {
  let v = 0;
  for (let a = 0; a < d; a++) {
    let m = 0;
    for (let k = 0; k < p; k++) m += x[base + k * d + a];
    m /= p;
    for (let k = 0; k < p; k++) v += (x[base + k * d + a] - m) ** 2;
  }
  return v / p;
}

/**
 * What the effective theory says about a training set (theory/toy-addition.ts):
 * nullity of its parallelogram system (2 = the linear structure is pinned),
 * the ideal RQI it implies, and λ₃ of ℓ_eff's Hessian at the normalised linear
 * structure (Z₀ = p; 0 if nullity > 2) — the predicted grokking steps are
 * 1/(λ₃ η) for embedding rate η.
 */
export function effectiveTheoryInfo(p: number, train: Int32Array): { nullity: number; ideal_rqi: number; lambda3: number } {
  const g = grokkingRate(p, train);
  return { nullity: g.nullity, ideal_rqi: idealRQI(p, train), lambda3: g.lambda3 };
}
