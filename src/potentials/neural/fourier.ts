/**
 * Fourier order parameters of the modular-addition network (docs/models.md §2.1).
 *
 * Neuron c has input weights w_c ∈ R^{2P}: the first half acts on the first
 * operand n, the second half on m. Its spectrum, both halves summed, with the
 * frequencies k and P − k combined (for real weights |w̃_{P−k}| = |w̃_k|):
 *   S_0 = |w̃¹_0|² + |w̃²_0|²,   S_k = 2 (|w̃¹_k|² + |w̃²_k|²)  (k = 1 … (P−1)/2),
 *   w̃_k = Σ_n w_n e^{2πi kn/P}.
 * Concentration = max_{k≥1} S_k / Σ_{k≥0} S_k ∈ [0, 1] (1 for a pure cosine
 * neuron); frequency = the argmax k ≥ 1 (the smallest on ties).
 */
import { lnGamma } from '../../stats/special.js';

/** DFT tables and scratch for one P (allocated once). */
export class FourierSpectrum {
  readonly P: number;
  /** Frequencies k = 1 … K with K = (P − 1)/2. */
  readonly K: number;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  /** Combined spectrum S_0 … S_K of the last neuron analysed. */
  readonly S: Float64Array;

  constructor(P: number) {
    this.P = P;
    this.K = (P - 1) >> 1;
    this.cos = new Float64Array((this.K + 1) * P);
    this.sin = new Float64Array((this.K + 1) * P);
    for (let k = 0; k <= this.K; k++)
      for (let n = 0; n < P; n++) {
        // kn mod P keeps the argument small (exact integer arithmetic).
        const ang = (2 * Math.PI * ((k * n) % P)) / P;
        this.cos[k * P + n] = Math.cos(ang);
        this.sin[k * P + n] = Math.sin(ang);
      }
    this.S = new Float64Array(this.K + 1);
  }

  /**
   * Spectrum of the 2P weights at `w[o … o + 2P)` into `this.S`; returns the
   * concentration (0 for an all-zero neuron, whose spectrum is empty).
   */
  analyse(w: Float64Array, o: number): number {
    const { P, K, cos, sin, S } = this;
    let total = 0;
    for (let k = 0; k <= K; k++) {
      let s = 0;
      for (let half = 0; half < 2; half++) {
        const h = o + half * P;
        let re = 0;
        let im = 0;
        for (let n = 0; n < P; n++) {
          re += w[h + n] * cos[k * P + n];
          im += w[h + n] * sin[k * P + n];
        }
        s += re * re + im * im;
      }
      S[k] = k === 0 ? s : 2 * s;
      total += S[k];
    }
    let best = 0;
    for (let k = 1; k <= K; k++) if (S[k] > best) best = S[k];
    return total > 0 ? best / total : 0;
  }

  /** Dominant frequency k ≥ 1 of the last analysed neuron (smallest k on ties). */
  frequency(): number {
    const { K, S } = this;
    let arg = 1;
    for (let k = 2; k <= K; k++) if (S[k] > S[arg]) arg = k;
    return arg;
  }
}

/**
 * P(C > t) for the concentration C of an isotropic Gaussian neuron
 * (w ~ N(0, s² I_{2P}); C does not depend on s), exactly.
 *
 * For such w, S_0 = P s² χ²_2 and S_k = P s² χ²_4 (k = 1 … K), all independent,
 * so (S_0, S_1, …, S_K)/ΣS ~ Dirichlet(1, 2, …, 2) and C = max_{k≥1} D_k.
 * Inclusion–exclusion over the K symmetric events {D_k > t}:
 *   P(C > t) = Σ_{j=1}^{K} (−1)^{j+1} C(K, j) P_j(t),
 *   P_j(t) = P(D_1 > t, …, D_j > t)
 *          = Σ_{a=0}^{j} C(j, a) t^{j−a} ρ^{2K−j+a} (2K)! / (2K−j+a)!,   ρ = 1 − j t > 0
 * (the Dirichlet(2,…,2, 1+2(K−j)) density integrated over d_i > t: substitute
 * d_i = t + u_i, expand Π(t + u_i), and use the Dirichlet integral).
 */
export function priorConcentrationSf(P: number, t: number): number {
  const K = (P - 1) >> 1;
  if (!(t > 0)) return 1;
  if (t >= 1) return 0;
  const lnFact2K = lnGamma(2 * K + 1);
  let sum = 0;
  for (let j = 1; j <= K; j++) {
    const rho = 1 - j * t;
    if (rho <= 0) break;
    let pj = 0;
    for (let a = 0; a <= j; a++) {
      const lnTerm = lnBinomial(j, a) + (j - a) * Math.log(t) + (2 * K - j + a) * Math.log(rho) + lnFact2K - lnGamma(2 * K - j + a + 1);
      pj += Math.exp(lnTerm);
    }
    sum += (j % 2 === 1 ? 1 : -1) * Math.exp(lnBinomial(K, j)) * pj;
  }
  return Math.min(1, Math.max(0, sum));
}

function lnBinomial(n: number, k: number): number {
  return lnGamma(n + 1) - lnGamma(k + 1) - lnGamma(n - k + 1);
}

const quantileCache = new Map<string, number>();

/**
 * The q-quantile of the concentration under an isotropic Gaussian prior
 * (default q = 0.99: the droplet threshold), by bisection on the exact
 * survival function to 1e-12.
 */
export function priorConcentrationQuantile(P: number, q = 0.99): number {
  const key = `${P}/${q}`;
  const hit = quantileCache.get(key);
  if (hit !== undefined) return hit;
  const K = (P - 1) >> 1;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = 0.5 * (lo + hi);
    if (priorConcentrationSf(P, mid) > 1 - q) lo = mid;
    else hi = mid;
  }
  const t = 0.5 * (lo + hi);
  if (K >= 1) quantileCache.set(key, t);
  return t;
}
