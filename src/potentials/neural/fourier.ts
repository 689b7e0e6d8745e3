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
export { priorConcentrationSf, priorConcentrationQuantile } from '../../theory/fourier-prior.js';

/** DFT tables and scratch for one P (allocated once). */
export class FourierSpectrum {
  readonly P: number;
  /** Frequencies k = 1 … K with K = (P − 1)/2. */
  readonly K: number;
  /** cos(2π(kn mod P)/P) and sin(…) at [k·P + n], k = 0 … K. */
  readonly cos: Float64Array;
  readonly sin: Float64Array;
  /** Combined spectrum S_0 … S_K of the last neuron analysed. */
  readonly S: Float64Array;
  /** Σ_n w_n cos(2πkn/P) and Σ_n w_n sin(2πkn/P) of the last {@link dft}. */
  re = 0;
  im = 0;

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

  /** The frequency-k transform of the P weights at `w[h … h + P)` into `this.re`, `this.im`. */
  dft(w: Float64Array, h: number, k: number): void {
    const { P, cos, sin } = this;
    let re = 0;
    let im = 0;
    for (let n = 0; n < P; n++) {
      re += w[h + n] * cos[k * P + n];
      im += w[h + n] * sin[k * P + n];
    }
    this.re = re;
    this.im = im;
  }

  /**
   * Spectrum of the 2P weights at `w[o … o + 2P)` into `this.S`; returns the
   * concentration (0 for an all-zero neuron, whose spectrum is empty).
   */
  analyse(w: Float64Array, o: number): number {
    return this.analyseParts(w, o, o + this.P, -1);
  }

  /**
   * The same for the spectrum summed over two or three P-vectors (`third` < 0:
   * two), e.g. a neuron's input halves u, v and its output weights a.
   */
  analyseParts(w: Float64Array, first: number, second: number, third: number): number {
    const { K, S } = this;
    const parts = third < 0 ? 2 : 3;
    let total = 0;
    for (let k = 0; k <= K; k++) {
      let s = 0;
      for (let part = 0; part < parts; part++) {
        this.dft(w, part === 0 ? first : part === 1 ? second : third, k);
        s += this.re * this.re + this.im * this.im;
      }
      S[k] = k === 0 ? s : 2 * s;
      total += S[k];
    }
    let best = 0;
    for (let k = 1; k <= K; k++) if (S[k] > best) best = S[k];
    return total > 0 ? best / total : 0;
  }

  /**
   * The neuron's overlap with the target, Σ_{k=1}^{K} r_k² s_k² with r_k² =
   * 2|ũ_k|²/P and s_k² = 2|ṽ_k|²/P the cosine–sine power of its two input
   * halves at frequency k: its share of the target eigenvalue of the kernel
   * ((1/2P) Σ_classes (Σ_pairs y φ)², src/theory/modular-addition.ts). Under
   * an isotropic Gaussian prior of variance s² its mean is 4 s⁴ K.
   */
  targetOverlap(w: Float64Array, o: number): number {
    const { P, K } = this;
    let sum = 0;
    for (let k = 1; k <= K; k++) {
      this.dft(w, o, k);
      const pu = (2 * (this.re * this.re + this.im * this.im)) / P;
      this.dft(w, o + P, k);
      const pv = (2 * (this.re * this.re + this.im * this.im)) / P;
      sum += pu * pv;
    }
    return sum;
  }

  /** Dominant frequency k ≥ 1 of the last analysed neuron (smallest k on ties). */
  frequency(): number {
    const { K, S } = this;
    let arg = 1;
    for (let k = 2; k <= K; k++) if (S[k] > S[arg]) arg = k;
    return arg;
  }
}
