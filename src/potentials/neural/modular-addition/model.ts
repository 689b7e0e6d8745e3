/**
 * The network of modular-addition-square and its energy and gradient
 * (docs/models.md §2.1): f_k(x) = Σ_c a_{c,k} (w_c · x)² on the two-hot input of the
 * pair (n, m), so w_c·x = w_{c,n} + w_{c,P+m} is a gather, not a matmul;
 *
 *   U(w, a) = λ Σ_{μ ∈ train} |f(x_μ) − y_μ|² + |w|²/(2 s_w²) + |a|²/(2 s_a²).
 *
 * Parameter layout: group `w` = N rows of 2P (row c = neuron c), then group
 * `a` = N rows of P (row c = the output weights of neuron c).
 *
 * The energy and gradient are fused by hand and batched over the replicas of
 * a shard. Per replica, w and a are transposed into scratch (2P × N and P × N)
 * so that every inner loop runs over the N neurons in contiguous memory; pairs
 * go through in blocks of 4 with 2 outputs at a time (register blocking: 6
 * loads per 8 multiply–adds). No allocation per call. The same kernel exists
 * as WebAssembly SIMD (assembly/modular-addition.ts), chosen by the params
 * `kernels` and `precision`; the TypeScript one here is the reference.
 */
import type { Minibatch, Potential } from '../../../engine/types.js';
import { selectKernels, type KernelSelection } from '../../../kernels/wasm.js';
import { FourierSpectrum } from '../fourier.js';
import { priorOf } from '../prior.js';
import type { ModularAdditionData } from './data.js';
import { MODULAR_ADDITION, type ModularAdditionParams } from './params.js';

export interface ModularAdditionModel {
  dim: number;
  /** Size of group `w` (N · 2P, at offset 0). */
  wSize: number;
  /** Size of group `a` (N · P, at offset wSize). */
  aSize: number;
  /** Targets are y_k = δ_{k,(n+m) mod P} − targetOffset (1/P centred, 0 one-hot). */
  targetOffset: number;
  /** Prior precisions (0 = flat) and the variances initialise draws from. */
  priorW: { precision: number; initVariance: number };
  priorA: { precision: number; initVariance: number };
  selection: KernelSelection;
  /** The batched energy and gradient (the wasm kernel when selected, else the TypeScript reference). */
  energyAndGradient: Potential['energyAndGradient'];
  /** Network outputs f(x_pair) of the replica at x[base …] into out[0 … P). */
  outputs(x: Float64Array, base: number, pair: number, out: Float64Array): void;
}

export function modularAdditionModel(p: ModularAdditionParams, data: ModularAdditionData): ModularAdditionModel {
  const { P, N } = p;
  const D2 = 2 * P;
  const Wsz = N * D2;
  const Asz = N * P;
  const dim = Wsz + Asz;
  const { train } = data;
  const nTrain = train.length;
  const off = p.targets === 'centred' ? 1 / P : 0;
  const ls = p.loss_scale ?? 1 / (2 * p.sigma2);
  // prior_w: null = flat; prior_a: null = 1/N.
  const pw = priorOf(p.prior_w, 0.5);
  const pa = priorOf(p.prior_a === null ? 1 / N : p.prior_a, 1 / N);
  const ipw = pw.precision;
  const ipa = pa.precision;

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
      // Gather z = w_n + w_{P+m} and h = z² (the square activation) for 4 pairs
      // (a short last block repeats its last pair with zero error).
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
        let y00 = 0,
          y10 = 0,
          y20 = 0,
          y30 = 0,
          y01 = 0,
          y11 = 0,
          y21 = 0,
          y31 = 0;
        for (let c = 0; c < N; c++) {
          const a0 = aT[a0o + c];
          const a1 = aT[a1o + c];
          const h0 = H[c],
            h1 = H[N + c],
            h2 = H[N2 + c],
            h3 = H[N3 + c];
          y00 += h0 * a0;
          y10 += h1 * a0;
          y20 += h2 * a0;
          y30 += h3 * a0;
          y01 += h0 * a1;
          y11 += h1 * a1;
          y21 += h2 * a1;
          y31 += h3 * a1;
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
        const e0 = E[k],
          e1 = E[P + k],
          e2 = E[2 * P + k],
          e3 = E[3 * P + k];
        const f0 = E[k + 1],
          f1 = E[P + k + 1],
          f2 = E[2 * P + k + 1],
          f3 = E[3 * P + k + 1];
        for (let c = 0; c < N; c++) {
          const h0 = H[c],
            h1 = H[N + c],
            h2 = H[N2 + c],
            h3 = H[N3 + c];
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
        const e0 = E[k],
          e1 = E[P + k],
          e2 = E[2 * P + k],
          e3 = E[3 * P + k];
        for (let c = 0; c < N; c++) {
          const h0 = H[c],
            h1 = H[N + c],
            h2 = H[N2 + c],
            h3 = H[N3 + c];
          gaT[ko + c] += e0 * h0 + e1 * h1 + e2 * h2 + e3 * h3;
          const a0 = aT[ko + c];
          S[c] += e0 * a0;
          S[N + c] += e1 * a0;
          S[N2 + c] += e2 * a0;
          S[N3 + c] += e3 * a0;
        }
      }
      // ∂/∂z = 2 z S (the square activation's derivative), scattered to both inputs of each pair.
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

  const selection = selectKernels(MODULAR_ADDITION, p.kernels, p.precision);
  const wasm = selection.kernels;
  const native = selection.native;
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
      kernel(
        at.x,
        count,
        dim,
        P,
        N,
        at.picks,
        batch ? B : 0,
        B,
        rn,
        rm,
        c,
        off,
        2 * ls * factor,
        ls * factor,
        ipw,
        ipa,
        at.energy,
        at.grad,
        at.scratch,
      );
    });
  }

  /** The same energy and gradient by the native kernel (assembly/native/modular-addition.inc). */
  function energyAndGradientNative(x: Float64Array, count: number, energy: Float64Array, grad: Float64Array, batch?: Minibatch): void {
    const B = batch ? batch.size : nTrain;
    const factor = batch ? nTrain / B : 1;
    const picks = batch ? batch.indices.subarray(0, count * B) : identity;
    native!.maEnergyGrad(
      f32 ? 32 : 64,
      x,
      count,
      dim,
      P,
      N,
      picks,
      batch ? B : 0,
      B,
      rowNumN,
      rowNumM,
      cls,
      off,
      2 * ls * factor,
      ls * factor,
      ipw,
      ipa,
      energy,
      grad,
    );
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

  /** Network outputs f(x_{pair}) of the replica at `base` into out (observation points only). */
  function outputs(x: Float64Array, base: number, pair: number, out: Float64Array): void {
    const n = Math.floor(pair / P);
    const m = pair - n * P;
    out.fill(0);
    for (let c = 0; c < N; c++) {
      const wo = base + c * D2;
      const z = x[wo + n] + x[wo + P + m];
      const h = z * z;
      const ao = base + Wsz + c * P;
      for (let k = 0; k < P; k++) out[k] += h * x[ao + k];
    }
  }

  const base = native ? energyAndGradientNative : wasm ? energyAndGradientWasm : energyAndGradient;
  const sextic = p.fourier_sextic > 0 ? fourierSextic(P, N, p.fourier_sextic) : null;

  return {
    dim,
    wSize: Wsz,
    aSize: Asz,
    targetOffset: off,
    priorW: pw,
    priorA: pa,
    selection,
    energyAndGradient: sextic
      ? (x, count, energy, grad, batch) => {
          base(x, count, energy, grad, batch);
          sextic(x, count, dim, energy, grad);
        }
      : base,
    outputs,
  };
}

/**
 * The sextic Fourier regulariser γ R(w), R = Σ_c Σ_{k=0}^{K} ρ_{c,k}⁶ with
 * ρ_{c,k}² = f_k (|ũ_k|² + |ṽ_k|²), f_0 = 1/P, f_k = 2/P (k ≥ 1) — the
 * neuron's spectrum of fourier.ts divided by P — added to energy and
 * gradient of every replica (part of the prior: in full with minibatches).
 * It keeps the modes of the mean-field action decoupled
 * (src/theory/modular-addition.ts). ∂ρ_k²/∂u_n = 2 f_k (Re ũ_k cos θ_kn +
 * Im ũ_k sin θ_kn), θ_kn = 2π(kn mod P)/P.
 */
function fourierSextic(P: number, N: number, gamma: number) {
  const K = (P - 1) >> 1;
  const spectrum = new FourierSpectrum(P);
  const { cos, sin } = spectrum;
  const re = new Float64Array(2 * (K + 1));
  const im = new Float64Array(2 * (K + 1));
  const coef = new Float64Array(K + 1);
  return (x: Float64Array, count: number, dim: number, energy: Float64Array, grad: Float64Array): void => {
    for (let r = 0; r < count; r++) {
      let e = 0;
      for (let c = 0; c < N; c++) {
        const o = r * dim + c * 2 * P;
        for (let k = 0; k <= K; k++) {
          let rho2 = 0;
          for (let half = 0; half < 2; half++) {
            spectrum.dft(x, o + half * P, k);
            re[half * (K + 1) + k] = spectrum.re;
            im[half * (K + 1) + k] = spectrum.im;
            rho2 += spectrum.re * spectrum.re + spectrum.im * spectrum.im;
          }
          const f = k === 0 ? 1 / P : 2 / P;
          rho2 *= f;
          e += rho2 * rho2 * rho2;
          coef[k] = gamma * 3 * rho2 * rho2 * 2 * f; // γ · dρ⁶/dρ² · 2 f_k
        }
        for (let half = 0; half < 2; half++) {
          const h = o + half * P;
          for (let n = 0; n < P; n++) {
            let g = 0;
            for (let k = 0; k <= K; k++) g += coef[k] * (re[half * (K + 1) + k] * cos[k * P + n] + im[half * (K + 1) + k] * sin[k * P + n]);
            grad[h + n] += g;
          }
        }
      }
      energy[r] += gamma * e;
    }
  };
}
