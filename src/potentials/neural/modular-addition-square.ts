/**
 * Modular addition with a two-layer square-activation network (MODELS.md 2.1,
 * Gromov's setting), as the negative log posterior at temperature 1:
 *
 *   U(w, a) = λ Σ_{μ ∈ train} |f(x_μ) − y_μ|² + |w|²/(2 s_w²) + |a|²/(2 s_a²),
 *   f_k(x) = Σ_c a_{c,k} (w_c · x)²,   λ = 1/(2σ²) (or `loss_scale`).
 *
 * Input of the pair (n, m): two-hot x ∈ R^{2P} (1 at n and at P + m), so
 * w_c·x = w_{c,n} + w_{c,P+m} is a gather, not a matmul. Targets y_k =
 * δ_{k,(n+m) mod P} − 1/P (`centred`) or δ_{k,(n+m) mod P} (`one-hot`).
 * Parameter layout: group `w` = N rows of 2P (row c = neuron c), then group
 * `a` = N rows of P (row c = the output weights of neuron c).
 *
 * Training pairs: a random subset (train_fraction of the P² pairs) drawn from
 * the scenario seed only, so every run index, sweep point and regime sees the
 * same split; the other pairs are the held-out set.
 *
 * The energy and gradient are fused by hand and batched over the replicas of
 * a shard. Per replica, w and a are transposed into scratch (2P × N and P × N)
 * so that every inner loop runs over the N neurons in contiguous memory; pairs
 * go through in blocks of 4 with 2 outputs at a time (register blocking: 6
 * loads per 8 multiply–adds). No allocation per call.
 */
import { Stream } from '../../random/rng.js';
import type { Minibatch, PosteriorPredictive, Potential, PotentialObservable } from '../../engine/types.js';
import { registerPotential, type BuildContext } from '../registry.js';
import { FourierSpectrum, priorConcentrationQuantile } from './fourier.js';
import { checkKernelParams, kernelParamsSchema, kernelsInfo, selectKernels, type KernelChoice, type Precision } from '../../kernels/wasm.js';

/** A prior variance, or flat (no prior term). */
export type PriorVariance = number | null | 'flat';

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
  kernels: 'auto',
  precision: 'float64',
};

function isPrime(p: number): boolean {
  if (p < 2) return false;
  for (let q = 2; q * q <= p; q++) if (p % q === 0) return false;
  return true;
}

export function resolveModularAddition(params: Partial<ModularAdditionParams> | Record<string, unknown>): ModularAdditionParams {
  const p = { ...modularAdditionDefaults, ...(params as Partial<ModularAdditionParams>) };
  const name = 'modular-addition-square';
  if (!Number.isInteger(p.P) || p.P < 3 || !isPrime(p.P)) throw new Error(`${name}: P = ${p.P}, expected a prime ≥ 3`);
  if (!Number.isInteger(p.N) || p.N < 1) throw new Error(`${name}: N = ${p.N}, expected an integer ≥ 1`);
  if (!(p.sigma2 > 0)) throw new Error(`${name}: sigma2 = ${p.sigma2}, expected > 0`);
  for (const key of ['prior_w', 'prior_a'] as const) {
    const v = p[key];
    if (!(v === null || v === 'flat' || (typeof v === 'number' && v > 0)))
      throw new Error(`${name}: ${key} = ${JSON.stringify(v)}, expected a variance > 0, null or 'flat'`);
  }
  if (!(p.train_fraction > 0 && p.train_fraction <= 1)) throw new Error(`${name}: train_fraction = ${p.train_fraction}, expected in (0, 1]`);
  if (p.targets !== 'centred' && p.targets !== 'one-hot') throw new Error(`${name}: targets = ${JSON.stringify(p.targets)}, expected 'centred' or 'one-hot'`);
  if (!(p.loss_scale === null || (typeof p.loss_scale === 'number' && p.loss_scale > 0)))
    throw new Error(`${name}: loss_scale = ${p.loss_scale}, expected a number > 0 or null`);
  checkKernelParams(name, p.kernels, p.precision);
  return p;
}

export interface ModularAdditionData {
  /** Training pairs, as n·P + m, ascending. */
  train: Int32Array;
  /** Held-out pairs, as n·P + m, ascending (empty with train_fraction 1). */
  test: Int32Array;
}

/**
 * The train/held-out split: the first round(train_fraction · P²) pairs (at
 * least 1) of a Fisher–Yates shuffle keyed by the seed and P only (not by
 * ctx.run), so a larger fraction extends the same training set.
 */
export function modularAdditionData(params: Partial<ModularAdditionParams> | Record<string, unknown>, ctx: BuildContext): ModularAdditionData {
  const { P, train_fraction } = resolveModularAddition(params);
  const total = P * P;
  const nTrain = Math.min(total, Math.max(1, Math.round(train_fraction * total)));
  const order = Int32Array.from({ length: total }, (_, i) => i);
  if (nTrain < total) {
    // A key no replica stream can have (replica keys are all-numeric).
    const rng = new Stream(`${ctx.seed}/data:modular-addition-square/${P}`, 0, 0);
    for (let i = total - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }
  return { train: order.slice(0, nTrain).sort(), test: order.slice(nTrain).sort() };
}

/** Prior precision (0 = flat) and the variance initialise draws from (the prior's, else `fallback`). */
function priorOf(v: PriorVariance, fallback: number): { precision: number; initVariance: number } {
  return typeof v === 'number' ? { precision: 1 / v, initVariance: v } : { precision: 0, initVariance: fallback };
}

export function modularAdditionSquare(params: Partial<ModularAdditionParams> | Record<string, unknown>, ctx: BuildContext): Potential {
  const p = resolveModularAddition(params);
  const { P, N } = p;
  const D2 = 2 * P;
  const Wsz = N * D2;
  const Asz = N * P;
  const dim = Wsz + Asz;
  const { train, test } = modularAdditionData(p, ctx);
  const nTrain = train.length;
  const nTest = test.length;
  const off = p.targets === 'centred' ? 1 / P : 0;
  const yNorm2 = p.targets === 'centred' ? 1 - 1 / P : 1; // |y|² of every target row
  const ls = p.loss_scale ?? 1 / (2 * p.sigma2);
  // prior_w: null = flat; prior_a: null = 1/N.
  const pw = priorOf(p.prior_w, 0.5);
  const pa = priorOf(p.prior_a === null ? 1 / N : p.prior_a, 1 / N);
  const ipw = pw.precision;
  const ipa = pa.precision;
  const sw = Math.sqrt(pw.initVariance);
  const sa = Math.sqrt(pa.initVariance);

  // Per training pair: row offsets of its two inputs in the transposed w (×N), and its class.
  const rowN = new Int32Array(nTrain);
  const rowM = new Int32Array(nTrain);
  const cls = new Int32Array(nTrain);
  for (let i = 0; i < nTrain; i++) {
    const n = Math.floor(train[i] / P);
    const m = train[i] - n * P;
    rowN[i] = n * N;
    rowM[i] = (P + m) * N;
    cls[i] = (n + m) % P;
  }

  // Scratch, allocated once (the kernel works one replica at a time).
  const wT = new Float64Array(D2 * N);
  const aT = new Float64Array(P * N);
  const gT = new Float64Array(D2 * N);
  const gaT = new Float64Array(P * N);
  const Z = new Float64Array(4 * N);
  const H = new Float64Array(4 * N);
  const S = new Float64Array(4 * N);
  const E = new Float64Array(4 * P);
  const identity = Int32Array.from({ length: nTrain }, (_, i) => i);
  let sel = new Int32Array(nTrain);

  /** Transpose replica r's w and a into wT (2P × N) and aT (P × N). */
  function loadReplica(x: Float64Array, base: number): void {
    for (let c = 0; c < N; c++) {
      const wo = base + c * D2;
      for (let j = 0; j < D2; j++) wT[j * N + c] = x[wo + j];
      const ao = base + Wsz + c * P;
      for (let k = 0; k < P; k++) aT[k * N + c] = x[ao + k];
    }
  }

  /**
   * Data term Σ_i |f(x_i) − y_i|² over the training pairs `pick[0 … count)`
   * (indices into the training list) for the replica loaded in wT/aT; adds
   * g2 · ∂/∂(w,a) of it into gT/gaT (transposed layout).
   */
  function dataTerm(pick: Int32Array, count: number, g2: number): number {
    const N2 = 2 * N;
    const N3 = 3 * N;
    let data = 0;
    for (let i0 = 0; i0 < count; i0 += 4) {
      const nb = Math.min(4, count - i0);
      // Gather z = w_n + w_{P+m} and h = z² for 4 pairs (a short last block repeats its last pair with zero error).
      for (let q = 0; q < 4; q++) {
        const i = pick[i0 + (q < nb ? q : nb - 1)];
        const rn = rowN[i];
        const rm = rowM[i];
        const o = q * N;
        for (let c = 0; c < N; c++) {
          const zc = wT[rn + c] + wT[rm + c];
          Z[o + c] = zc;
          H[o + c] = zc * zc;
        }
      }
      const c0 = cls[pick[i0]];
      const c1 = nb > 1 ? cls[pick[i0 + 1]] : -1;
      const c2 = nb > 2 ? cls[pick[i0 + 2]] : -1;
      const c3 = nb > 3 ? cls[pick[i0 + 3]] : -1;
      // Outputs y_k = Σ_c h_c a_{c,k} − t_k: 4 pairs × 2 outputs per pass; E = g2 · residual.
      for (let k = 0; k < P; k += 2) {
        const k1 = k + 1 < P ? k + 1 : k;
        const a0o = k * N;
        const a1o = k1 * N;
        let y00 = 0, y10 = 0, y20 = 0, y30 = 0, y01 = 0, y11 = 0, y21 = 0, y31 = 0;
        for (let c = 0; c < N; c++) {
          const a0 = aT[a0o + c];
          const a1 = aT[a1o + c];
          const h0 = H[c], h1 = H[N + c], h2 = H[N2 + c], h3 = H[N3 + c];
          y00 += h0 * a0; y10 += h1 * a0; y20 += h2 * a0; y30 += h3 * a0;
          y01 += h0 * a1; y11 += h1 * a1; y21 += h2 * a1; y31 += h3 * a1;
        }
        for (let kk = k; kk <= k1; kk++) {
          const first = kk === k;
          const r0 = (first ? y00 : y01) + off - (c0 === kk ? 1 : 0);
          E[kk] = g2 * r0;
          data += r0 * r0;
          if (c1 >= 0) {
            const r1 = (first ? y10 : y11) + off - (c1 === kk ? 1 : 0);
            E[P + kk] = g2 * r1;
            data += r1 * r1;
          } else E[P + kk] = 0;
          if (c2 >= 0) {
            const r2 = (first ? y20 : y21) + off - (c2 === kk ? 1 : 0);
            E[2 * P + kk] = g2 * r2;
            data += r2 * r2;
          } else E[2 * P + kk] = 0;
          if (c3 >= 0) {
            const r3 = (first ? y30 : y31) + off - (c3 === kk ? 1 : 0);
            E[3 * P + kk] = g2 * r3;
            data += r3 * r3;
          } else E[3 * P + kk] = 0;
        }
      }
      // ∂/∂a_{c,k} += Σ_q E_{q,k} h_{q,c}  and  S_{q,c} = Σ_k E_{q,k} a_{c,k}, 2 outputs per pass.
      S.fill(0);
      let k = 0;
      for (; k + 1 < P; k += 2) {
        const ko = k * N;
        const k1o = ko + N;
        const e0 = E[k], e1 = E[P + k], e2 = E[2 * P + k], e3 = E[3 * P + k];
        const f0 = E[k + 1], f1 = E[P + k + 1], f2 = E[2 * P + k + 1], f3 = E[3 * P + k + 1];
        for (let c = 0; c < N; c++) {
          const h0 = H[c], h1 = H[N + c], h2 = H[N2 + c], h3 = H[N3 + c];
          gaT[ko + c] += e0 * h0 + e1 * h1 + e2 * h2 + e3 * h3;
          gaT[k1o + c] += f0 * h0 + f1 * h1 + f2 * h2 + f3 * h3;
        }
        for (let c = 0; c < N; c++) {
          const a0 = aT[ko + c];
          const a1 = aT[k1o + c];
          S[c] += e0 * a0 + f0 * a1;
          S[N + c] += e1 * a0 + f1 * a1;
          S[N2 + c] += e2 * a0 + f2 * a1;
          S[N3 + c] += e3 * a0 + f3 * a1;
        }
      }
      for (; k < P; k++) {
        const ko = k * N;
        const e0 = E[k], e1 = E[P + k], e2 = E[2 * P + k], e3 = E[3 * P + k];
        for (let c = 0; c < N; c++) {
          const h0 = H[c], h1 = H[N + c], h2 = H[N2 + c], h3 = H[N3 + c];
          gaT[ko + c] += e0 * h0 + e1 * h1 + e2 * h2 + e3 * h3;
          const a0 = aT[ko + c];
          S[c] += e0 * a0;
          S[N + c] += e1 * a0;
          S[N2 + c] += e2 * a0;
          S[N3 + c] += e3 * a0;
        }
      }
      // ∂/∂z = 2 z S, scattered to both inputs of each pair.
      for (let q = 0; q < nb; q++) {
        const i = pick[i0 + q];
        const rn = rowN[i];
        const rm = rowM[i];
        const o = q * N;
        for (let c = 0; c < N; c++) {
          const dz = 2 * Z[o + c] * S[o + c];
          gT[rn + c] += dz;
          gT[rm + c] += dz;
        }
      }
    }
    return data;
  }

  const selection = selectKernels('modular-addition-square', p.kernels, p.precision);
  const wasm = selection.kernels;
  // Per training pair for the wasm kernel: row numbers (not offsets) of its two inputs in the transposed w.
  const rowNumN = Int32Array.from(rowN, (v) => v / N);
  const rowNumM = Int32Array.from(rowM, (v) => v / N);
  const f32 = p.precision === 'float32';

  /** The same energy and gradient by the wasm kernel (assembly/modular-addition.ts). */
  function energyAndGradientWasm(x: Float64Array, count: number, energy: Float64Array, grad: Float64Array, batch?: Minibatch): void {
    const ex = wasm!.exports;
    const B = batch ? batch.size : nTrain;
    const factor = batch ? nTrain / B : 1;
    const picks = batch ? batch.indices.subarray(0, count * B) : identity;
    const scratch = f32 ? ex.maScratch32(P, N) : ex.maScratch64(P, N);
    const kernel = f32 ? ex.maEnergyGrad32 : ex.maEnergyGrad64;
    wasm!.energyGradient(x, count, dim, energy, grad, picks, [rowNumN, rowNumM, cls], scratch, (at) => {
      const [rn, rm, c] = at.inputs;
      kernel(at.x, count, dim, P, N, at.picks, batch ? B : 0, B, rn, rm, c, off, 2 * ls * factor, ls * factor, ipw, ipa, at.energy, at.grad, at.scratch);
    });
  }

  function energyAndGradient(x: Float64Array, count: number, energy: Float64Array, grad: Float64Array, batch?: Minibatch): void {
    const B = batch ? batch.size : nTrain;
    // Unbiased minibatch estimate: prior + (n_train / B) Σ_{batch} (full batch: factor 1).
    const factor = batch ? nTrain / B : 1;
    if (batch && sel.length < B) sel = new Int32Array(B);
    const g2 = 2 * ls * factor;
    for (let r = 0; r < count; r++) {
      const base = r * dim;
      loadReplica(x, base);
      gT.fill(0);
      gaT.fill(0);
      let pick = identity;
      if (batch) {
        const idx = batch.indices;
        for (let k = 0; k < B; k++) sel[k] = idx[r * B + k];
        pick = sel;
      }
      const data = dataTerm(pick, B, g2);
      let w2 = 0;
      for (let c = 0; c < N; c++) {
        const wo = base + c * D2;
        for (let j = 0; j < D2; j++) {
          const v = x[wo + j];
          w2 += v * v;
          grad[wo + j] = gT[j * N + c] + ipw * v;
        }
      }
      let a2 = 0;
      for (let c = 0; c < N; c++) {
        const ao = base + Wsz + c * P;
        for (let k = 0; k < P; k++) {
          const v = x[ao + k];
          a2 += v * v;
          grad[ao + k] = gaT[k * N + c] + ipa * v;
        }
      }
      energy[r] = ls * factor * data + 0.5 * ipw * w2 + 0.5 * ipa * a2;
    }
  }

  // ---- outputs, errors, accuracies (observation points only; scratch reused) ----
  const fRow = new Float64Array(P);

  /** Network outputs f(x_{pair}) of the replica at `base` into fRow. */
  function outputs(x: Float64Array, base: number, pair: number): void {
    const n = Math.floor(pair / P);
    const m = pair - n * P;
    fRow.fill(0);
    for (let c = 0; c < N; c++) {
      const wo = base + c * D2;
      const z = x[wo + n] + x[wo + P + m];
      const h = z * z;
      const ao = base + Wsz + c * P;
      for (let k = 0; k < P; k++) fRow[k] += h * x[ao + k];
    }
  }

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
      outputs(x, base, pairs[i]);
      se += score(fRow, 0, pairs[i]);
      if (lastHit) hits++;
    }
    return want === 'error' ? se / pairs.length / yNorm2 : hits / pairs.length;
  }

  const spectrum = new FourierSpectrum(P);
  const threshold = priorConcentrationQuantile(P, 0.99);

  const scalar = (name: string, description: string, f: (x: Float64Array, base: number) => number): PotentialObservable => ({
    name,
    description,
    units: 1,
    evaluate(x, count, out) {
      for (let r = 0; r < count; r++) out[r] = f(x, r * dim);
    },
  });

  const observables: PotentialObservable[] = [
    {
      name: 'fourier_concentration',
      description: 'per neuron: largest share of one frequency k ≥ 1 in the power spectrum of its input weights (both halves, k and P−k combined)',
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
    scalar('train_accuracy', 'fraction of training pairs with argmax f = (n+m) mod P, this sample', (x, b) => errorOn(x, b, train, 'accuracy')),
    scalar('w_norm', '|w|, Euclidean norm of all input weights', (x, b) => norm(x, b, Wsz)),
    scalar('a_norm', '|a|, Euclidean norm of all output weights', (x, b) => norm(x, b + Wsz, Asz)),
  ];
  if (nTest > 0) {
    observables.push(
      scalar('test_error', 'held-out MSE per pair / |y|² (1 = predicting zero), this sample', (x, b) => errorOn(x, b, test, 'error')),
      scalar('test_accuracy', 'fraction of held-out pairs with argmax f = (n+m) mod P, this sample', (x, b) => errorOn(x, b, test, 'accuracy')),
    );
  }

  const predictive: PosteriorPredictive | undefined =
    nTest > 0
      ? {
          size: nTest * P,
          points: nTest,
          predict(x, count, out) {
            for (let r = 0; r < count; r++)
              for (let i = 0; i < nTest; i++) {
                outputs(x, r * dim, test[i]);
                out.set(fRow, r * nTest * P + i * P);
              }
          },
          metrics(pred, offset) {
            let se = 0;
            let hits = 0;
            for (let i = 0; i < nTest; i++) {
              se += score(pred, offset + i * P, test[i]);
              if (lastHit) hits++;
            }
            return { error: se / nTest / yNorm2, accuracy: hits / nTest };
          },
        }
      : undefined;

  const coordinates: string[] = [];
  for (let c = 0; c < N; c++) for (let j = 0; j < D2; j++) coordinates.push(`w${c}_${j}`);
  for (let c = 0; c < N; c++) for (let k = 0; k < P; k++) coordinates.push(`a${c}_${k}`);

  return {
    name: 'modular-addition-square',
    dim,
    coordinates,
    groups: [
      { name: 'w', offset: 0, size: Wsz },
      { name: 'a', offset: Wsz, size: Asz },
    ],
    dataSize: nTrain,
    // Prior variances (the initial spread when flat): the preconditioner of dynamics.step_size.
    preconditioner: { w: pw.initVariance, a: pa.initVariance },
    initialise(out, offset, normal) {
      for (let j = 0; j < Wsz; j++) out[offset + j] = sw * normal();
      for (let j = 0; j < Asz; j++) out[offset + Wsz + j] = sa * normal();
    },
    energyAndGradient: wasm ? energyAndGradientWasm : energyAndGradient,
    observables,
    predictive,
    info: {
      kernels: kernelsInfo(selection, p.precision),
      train_pairs: nTrain,
      test_pairs: nTest,
      droplet_threshold: threshold,
    },
  };
}

function norm(x: Float64Array, o: number, n: number): number {
  let s = 0;
  for (let j = 0; j < n; j++) s += x[o + j] * x[o + j];
  return Math.sqrt(s);
}

const priorSchema = (description: string, dflt: number | null) => ({
  anyOf: [{ type: 'number', exclusiveMinimum: 0 }, { type: 'null' }, { const: 'flat' }],
  default: dflt,
  description,
});

registerPotential({
  name: 'modular-addition-square',
  description: 'two-layer square-activation network on (n + m) mod P: posterior energy (MSE/(2σ²) + Gaussian priors), train/held-out split',
  paramsSchema: {
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
      ...kernelParamsSchema,
    },
    additionalProperties: false,
  },
  create: (p, ctx) => modularAdditionSquare(p, ctx),
});
