/**
 * Observables of toy-addition: `rqi` (RQI of Liu et al. Eq. 3 over the full
 * dataset's parallelograms P₀(D₀), δ absolute), `rqi_normalised` (the same
 * for the normalised embeddings (E − μ)/σ, i.e. δ relative to the spread σ),
 * `rqi_train` (over the training set's P₀(D)), `train_loss`,
 * `train_accuracy`, `test_loss`, `test_accuracy`, `embedding_norm` (Z₀); and
 * what the effective theory says about the split (the potential's `info`).
 */
import type { PotentialObservable } from '../../../engine/types.js';
import { grokkingRate, idealRQI, permissibleParallelograms } from '../../../theory/toy-addition.js';
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
  let scale = 1;
  if (normalised) {
    let v = 0;
    for (let a = 0; a < d; a++) {
      let m = 0;
      for (let k = 0; k < p; k++) m += x[base + k * d + a];
      m /= p;
      for (let k = 0; k < p; k++) v += (x[base + k * d + a] - m) ** 2;
    }
    scale = v / p; // σ²
  }
  const d2 = delta * delta * scale;
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
