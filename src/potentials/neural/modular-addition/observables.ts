/**
 * Observables and held-out predictions of modular-addition-square: Fourier
 * order parameters of the input weights (fourier.ts), train and held-out
 * errors and accuracies, weight norms. Evaluated at observation points only;
 * scratch is reused.
 */
import type { PosteriorPredictive, PotentialObservable } from '../../../engine/types.js';
import { FourierSpectrum, priorConcentrationQuantile } from '../fourier.js';
import { euclideanNorm, scalarObservable } from '../replica-observables.js';
import type { ModularAdditionData } from './data.js';
import type { ModularAdditionModel } from './model.js';
import type { ModularAdditionParams } from './params.js';

export interface ModularAdditionObservables {
  observables: PotentialObservable[];
  /** Predictions on the held-out pairs, or on the whole table when it is all trained on (train_fraction 1). */
  predictive: PosteriorPredictive;
  /** Fourier concentration above which a neuron counts as a droplet (99th percentile under the prior). */
  dropletThreshold: number;
}

export function modularAdditionObservables(
  p: ModularAdditionParams,
  data: ModularAdditionData,
  model: ModularAdditionModel,
): ModularAdditionObservables {
  const { P, N } = p;
  const D2 = 2 * P;
  const { dim, wSize: Wsz, aSize: Asz, targetOffset: off } = model;
  const { train, test } = data;
  const nTest = test.length;
  const yNorm2 = p.targets === 'centred' ? 1 - 1 / P : 1; // |y|² of every target row
  const fRow = new Float64Array(P);

  let lastHit = false;
  /** Squared error |f − y|² of the outputs pred[o … o + P) for `pair`; sets lastHit = (argmax f is its class). */
  function score(pred: Float64Array, o: number, pair: number): number {
    const n = Math.floor(pair / P);
    const t = (n + (pair - n * P)) % P;
    let se = 0;
    let arg = 0;
    for (let k = 0; k < P; k++) {
      const v = pred[o + k];
      const d = v - ((k === t ? 1 : 0) - off);
      se += d * d;
      if (v > pred[o + arg]) arg = k;
    }
    lastHit = arg === t;
    return se;
  }

  /** Normalised MSE (1 = predicting zero) and accuracy of one replica on a set of pairs. */
  function errorOn(x: Float64Array, base: number, pairs: Int32Array, want: 'error' | 'accuracy'): number {
    let se = 0;
    let hits = 0;
    for (let i = 0; i < pairs.length; i++) {
      model.outputs(x, base, pairs[i], fRow);
      se += score(fRow, 0, pairs[i]);
      if (lastHit) hits++;
    }
    return want === 'error' ? se / pairs.length / yNorm2 : hits / pairs.length;
  }

  const spectrum = new FourierSpectrum(P);
  const threshold = priorConcentrationQuantile(P, 0.99);
  const scalar = (name: string, description: string, f: (x: Float64Array, base: number) => number) =>
    scalarObservable(dim, name, description, f);

  const observables: PotentialObservable[] = [
    {
      name: 'fourier_concentration',
      description:
        'per neuron: largest share of one frequency k ≥ 1 in the power spectrum of its input weights (both halves, k and P−k combined)',
      units: N,
      evaluate(x, count, out) {
        for (let r = 0; r < count; r++) for (let c = 0; c < N; c++) out[r * N + c] = spectrum.analyse(x, r * dim + c * D2);
      },
    },
    {
      name: 'fourier_frequency',
      description: 'per neuron: the dominant frequency k ∈ 1 … (P−1)/2 of its input weights',
      units: N,
      evaluate(x, count, out) {
        for (let r = 0; r < count; r++)
          for (let c = 0; c < N; c++) {
            spectrum.analyse(x, r * dim + c * D2);
            out[r * N + c] = spectrum.frequency();
          }
      },
    },
    {
      name: 'target_overlap',
      description:
        "per neuron: Σ_k r_k² s_k², the product of the cosine–sine powers of its two input halves at each frequency k ≥ 1 — its share of the kernel's eigenvalue on the target (mean 4 s_w⁴ (P−1)/2 under the prior)",
      units: N,
      evaluate(x, count, out) {
        for (let r = 0; r < count; r++) for (let c = 0; c < N; c++) out[r * N + c] = spectrum.targetOverlap(x, r * dim + c * D2);
      },
    },
    {
      name: 'fourier_concentration_uva',
      description:
        'per neuron: the Fourier concentration of its input halves and its output weights together (u, v, a: one frequency in all three is the Fourier solution)',
      units: N,
      evaluate(x, count, out) {
        for (let r = 0; r < count; r++)
          for (let c = 0; c < N; c++) {
            const o = r * dim + c * D2;
            out[r * N + c] = spectrum.analyseParts(x, o, o + P, r * dim + Wsz + c * P);
          }
      },
    },
    scalar(
      'droplet_fraction',
      `fraction of neurons whose Fourier concentration exceeds ${threshold.toFixed(4)}, the 99th percentile under an isotropic Gaussian prior (exact)`,
      (x, base) => {
        let n = 0;
        for (let c = 0; c < N; c++) if (spectrum.analyse(x, base + c * D2) > threshold) n++;
        return n / N;
      },
    ),
    scalar('train_error', 'training MSE per pair / |y|² (1 = predicting zero), this sample', (x, b) => errorOn(x, b, train, 'error')),
    scalar('train_accuracy', 'fraction of training pairs with argmax f = (n+m) mod P, this sample', (x, b) =>
      errorOn(x, b, train, 'accuracy'),
    ),
    scalar('w_norm', '|w|, Euclidean norm of all input weights', (x, b) => euclideanNorm(x, b, Wsz)),
    scalar('a_norm', '|a|, Euclidean norm of all output weights', (x, b) => euclideanNorm(x, b + Wsz, Asz)),
  ];
  if (nTest > 0) {
    observables.push(
      scalar('test_error', 'held-out MSE per pair / |y|² (1 = predicting zero), this sample', (x, b) => errorOn(x, b, test, 'error')),
      scalar('test_accuracy', 'fraction of held-out pairs with argmax f = (n+m) mod P, this sample', (x, b) =>
        errorOn(x, b, test, 'accuracy'),
      ),
    );
  }

  // Posterior predictive on the held-out pairs; trained on the whole table, on the table itself (the
  // posterior-mean error there is the discrepancy τ² of the mean-field theory).
  const predicted = nTest > 0 ? test : train;
  const nPred = predicted.length;
  const predictive: PosteriorPredictive = {
    size: nPred * P,
    points: nPred,
    set: nTest > 0 ? 'held-out' : 'training',
    predict(x, count, out) {
      for (let r = 0; r < count; r++)
        for (let i = 0; i < nPred; i++) {
          model.outputs(x, r * dim, predicted[i], fRow);
          out.set(fRow, r * nPred * P + i * P);
        }
    },
    metrics(pred, offset) {
      let se = 0;
      let hits = 0;
      for (let i = 0; i < nPred; i++) {
        se += score(pred, offset + i * P, predicted[i]);
        if (lastHit) hits++;
      }
      return { error: se / nPred / yNorm2, accuracy: hits / nPred };
    },
  };

  return { observables, predictive, dropletThreshold: threshold };
}
