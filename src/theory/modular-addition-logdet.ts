/**
 * The mean-field theory of modular-addition-square with the log-determinant
 * term kept (docs/models.md §2.1), by two closures: a Hartree decoupling of
 * the modes with exact per-mode quadrature ({@link modularAdditionHartreeTheory},
 * the one the overlay uses), and sampling one neuron without any decoupling
 * ({@link modularAdditionLogDetTheory}, its check).
 *
 * src/theory/modular-addition.ts closes the paper's decoupled action, which
 * keeps the data term of the readout marginal and drops the first order of
 * its log-determinant. Measured against networks of N = 32 and 128 the
 * dropped term is several times the kept one (its `dropped` ratio), so here
 * it is kept. Integrating out one neuron's readout weights with the other
 * neurons' kernel at its mean Q, to first order in that neuron's share,
 * gives the single-neuron action
 *
 *   S[w] = |w|²/(2s_w²) + γ R(w)
 *          − (s_a²/2) Σ_k (y_kᵀ A⁻¹ φ)²          (data term: kept by the paper)
 *          + (P s_a²/2) φᵀ A⁻¹ φ                  (log-determinant: kept here),
 *
 * A = Q + σ² I on the P² pairs, Q = N s_a² ⟨φ φᵀ⟩, φ(n, m) = (u_n + v_m)².
 *
 * Both terms are diagonal in the 2-D Fourier basis of the table. The single
 * neuron's law is invariant under separate shifts of u and v and under the
 * relabelling n → a n (a ≠ 0 mod P), so Q's eigenvalue λ_{pq} takes one value
 * per class: the origin (0, 0), the axes (p, 0) and (0, q), and for p, q ≠ 0
 * the ratio r = q p⁻¹ mod P with r and −r identified (K = (P − 1)/2 classes;
 * r = 1 holds the target modes (p, p)). With φ̂_{pq} = Σ_{nm} φ e^{−2πi(pn+qm)/P} / P,
 *
 *   φ̂_{pq} = 2 ũ_p ṽ_q / P          (p, q ≠ 0; ũ the plain DFT),
 *   φ̂_{p0} = ψ̃_p, ψ_n = mean_m φ(n, m);   φ̂_{0q} = χ̃_q, χ_m = mean_n φ(n, m);
 *   φ̂_{00} = P mean φ,
 *
 *   data term      = −(P s_a²/2) g₁² Σ_{p≠0} |φ̂_{pp}|²,
 *   log-det term   = +(P s_a²/2) Σ_{pq} g_{pq} |φ̂_{pq}|²,      g = 1/(λ + σ²),
 *
 * and the self-consistency is λ_class = N s_a² ⟨|φ̂_{pq}|²⟩ over the class;
 * the discrepancy is t = τ y with τ = σ²/(σ² + λ₁) as in the decoupled
 * theory. Every term is O(P²) to evaluate with its gradient.
 *
 * The neuron's law no longer factorises over modes (the log-det couples
 * r_p² s_q² across p ≠ q and the squares u², v² on the axes). The sampler
 * runs parallel-tempered HMC on the 2P coordinates, τ by bisection and the
 * other eigenvalues by damped iteration along it; with `logDet: false` it
 * samples the paper's decoupled action, which the quadrature of
 * modular-addition.ts solves exactly — the check of the sampler itself
 * (test/theory/modular-addition-logdet.test.ts).
 */
import { priorConcentrationQuantile } from './fourier-prior.js';
import { independentModesDropletFraction, radialGrid, tabulatedSampler, type ModularAdditionTheoryOptions } from './modular-addition.js';
import { Stream } from '../random/rng.js';
import { splitRhat } from '../stats/mcmc.js';
import { normalSf } from '../stats/special.js';

export interface LogDetTheoryOptions extends ModularAdditionTheoryOptions {
  /** Keep the log-determinant term (default true); false samples the paper's decoupled action. */
  logDet?: boolean;
  /** Independent HMC chains (default 8). */
  chains?: number;
  /** Bisection steps on τ (default 14). */
  bisections?: number;
  /** Samples per chain per bisection step (default 1,000); the final sampling takes 4 ×. */
  samples?: number;
  /** Rungs of each chain's tempering ladder, inverse temperatures geometric from `betaMin` to 1 (default 10; 1 = plain HMC). */
  rungs?: number;
  /** The hottest rung's inverse temperature (default 0.05). */
  betaMin?: number;
  /** Seed of the chains' streams (default 1). */
  seed?: number;
}

/** Eigenvalue classes of Q: index 0 the origin, 1 the axes, 1 + r (r = 1 … K) the ratio classes. */
export interface LogDetTheoryPoint {
  sigma2: number;
  logDet: boolean;
  /** τ = σ²/(σ² + λ₁) and the posterior-mean error τ² on the table. */
  tau: number;
  error: number;
  /** The GP limit τ_GP² (as in modular-addition.ts). */
  errorGP: number;
  /** λ per class (origin, axes, r = 1 … K), at the fixed point. */
  lambda: number[];
  /** ⟨Σ_{q≥1} r_q² s_q²⟩ per neuron (the `target_overlap` observable's mean) over its prior value 4 s_w⁴ K, with its standard error. */
  overlapRatio: number;
  overlapRatioSe: number;
  /** Share of samples whose Fourier concentration exceeds the droplet threshold (the `droplet_fraction` observable), with its standard error. */
  droplet: number;
  dropletSe: number;
  /** ⟨|w|²⟩ over its prior value 2P s_w². */
  normRatio: number;
  /** Split R-hat of the target overlap over the final chains (half started from the prior, half from one-frequency neurons). */
  rhat: number;
  /** τ(σ² + λ₁ measured in the final sampling)/σ² − 1: the self-consistency residual at the returned τ (0 at the exact root; its size is the sampling noise plus the bisection's width). */
  residual: number;
  /** Relative change of the non-target eigenvalues over the last inner iteration (their convergence). */
  lastChange: number;
  /** HMC acceptance at β = 1 and the neighbour-swap acceptance over the ladder, in the final sampling. */
  acceptance: number;
  swapAcceptance: number;
}

/** The class of (p, q) ∈ Z_P²: 0 origin, 1 axes, 1 + r for the ratio class r ∈ 1 … K. */
export function fourierClass(P: number, p: number, q: number): number {
  if (p === 0 && q === 0) return 0;
  if (p === 0 || q === 0) return 1;
  // r = q p⁻¹ mod P by search (P is small), folded to 1 … K.
  let r = 0;
  for (let s = 1; s < P; s++)
    if ((s * p) % P === q) {
      r = s;
      break;
    }
  return 1 + Math.min(r, P - r);
}

/** λ per class in the GP limit (prior moments): N s_a² s_w⁴ × (4(P² + P + 1), 2P + 4, 4, …, 4). */
export function gpLambdas(P: number, N: number, priorW: number, priorA: number): number[] {
  const K = (P - 1) / 2;
  const s = N * priorA * priorW * priorW;
  return [4 * (P * P + P + 1) * s, (2 * P + 4) * s, ...Array.from({ length: K }, () => 4 * s)];
}

/**
 * The single-neuron action at fixed coefficients, with its gradient: the
 * prior, the sextic regulariser and Σ_{pq} c_{pq} |φ̂_{pq}|² with
 * c_{pq} = (P s_a²/2)(ℓ g_{pq} − [p = q ≠ 0] g₁²), ℓ = 1 with the log-det.
 */
export class SingleNeuronAction {
  readonly P: number;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  /** c_{pq} on the full grid [p·P + q]. */
  readonly c: Float64Array;
  private readonly sw2: number;
  private readonly gamma: number;
  // scratch
  private readonly ur: Float64Array;
  private readonly ui: Float64Array;
  private readonly vr: Float64Array;
  private readonly vi: Float64Array;
  private readonly au: Float64Array;
  private readonly av: Float64Array;
  private readonly psi: Float64Array;
  private readonly chi: Float64Array;
  private readonly pr: Float64Array;
  private readonly pi: Float64Array;
  private readonly cr: Float64Array;
  private readonly ci: Float64Array;
  private readonly gu: Float64Array;
  private readonly gv: Float64Array;
  private readonly hp: Float64Array;
  private readonly hc: Float64Array;
  private readonly hs: Float64Array;
  private readonly Gp: Float64Array;
  private readonly Gc: Float64Array;
  /** {@link fourierClass} of (p, q) at [p·P + q]. */
  private readonly cls: Uint16Array;

  constructor(P: number, priorW: number, sextic: number) {
    this.P = P;
    this.sw2 = priorW;
    this.gamma = sextic;
    this.cos = new Float64Array(P * P);
    this.sin = new Float64Array(P * P);
    for (let p = 0; p < P; p++)
      for (let n = 0; n < P; n++) {
        const ang = (2 * Math.PI * ((p * n) % P)) / P;
        this.cos[p * P + n] = Math.cos(ang);
        this.sin[p * P + n] = Math.sin(ang);
      }
    this.c = new Float64Array(P * P);
    const a = () => new Float64Array(P);
    this.ur = a();
    this.ui = a();
    this.vr = a();
    this.vi = a();
    this.au = a();
    this.av = a();
    this.psi = a();
    this.chi = a();
    this.pr = a();
    this.pi = a();
    this.cr = a();
    this.ci = a();
    this.gu = a();
    this.gv = a();
    this.hp = a();
    this.hc = a();
    this.hs = a();
    this.Gp = a();
    this.Gc = a();
    this.cls = new Uint16Array(P * P);
    for (let p = 0; p < P; p++) for (let q = 0; q < P; q++) this.cls[p * P + q] = fourierClass(P, p, q);
  }

  /** Set c from λ per class, σ², s_a² and whether the log-det is kept; `scale` multiplies every c (a tempering rung's β). */
  setCoefficients(lambda: readonly number[], sigma2: number, priorA: number, logDet: boolean, scale = 1): void {
    const P = this.P;
    const g1 = 1 / (lambda[2] + sigma2);
    for (let p = 0; p < P; p++)
      for (let q = 0; q < P; q++) {
        const g = 1 / (lambda[this.cls[p * P + q]] + sigma2);
        this.c[p * P + q] = scale * ((P * priorA) / 2) * ((logDet ? g : 0) - (p === q && p !== 0 ? g1 * g1 : 0));
      }
  }

  private dft(x: Float64Array, o: number, re: Float64Array, im: Float64Array): void {
    const { P, cos, sin } = this;
    for (let p = 0; p < P; p++) {
      let a = 0;
      let b = 0;
      for (let n = 0; n < P; n++) {
        a += x[o + n] * cos[p * P + n];
        b += x[o + n] * sin[p * P + n];
      }
      re[p] = a;
      im[p] = b;
    }
  }

  /** ∂(Σ_p h_p |x̃_p|²)/∂x_n given x̃ (re, im), h only at p ≠ 0 where `skipZero`, added into out. */
  private backPower(h: Float64Array, re: Float64Array, im: Float64Array, scale: number, out: Float64Array, skipZero: boolean): void {
    const { P, cos, sin } = this;
    for (let n = 0; n < P; n++) {
      let s = 0;
      for (let p = skipZero ? 1 : 0; p < P; p++) s += h[p] * (re[p] * cos[p * P + n] + im[p] * sin[p * P + n]);
      out[n] += 2 * scale * s;
    }
  }

  /** The prior and sextic part of the action at w (the β = 0 end of the tempering ladder). */
  baseEnergy(w: Float64Array, o: number): number {
    const P = this.P;
    const K = (P - 1) >> 1;
    let e = 0;
    for (let i = 0; i < 2 * P; i++) e += w[o + i] * w[o + i];
    e /= 2 * this.sw2;
    if (this.gamma > 0)
      for (let k = 0; k <= K; k++) {
        let a = 0;
        let b = 0;
        let c = 0;
        let d = 0;
        for (let n = 0; n < P; n++) {
          a += w[o + n] * this.cos[k * P + n];
          b += w[o + n] * this.sin[k * P + n];
          c += w[o + P + n] * this.cos[k * P + n];
          d += w[o + P + n] * this.sin[k * P + n];
        }
        const rho2 = (k === 0 ? 1 / P : 2 / P) * (a * a + b * b + c * c + d * d);
        e += this.gamma * rho2 * rho2 * rho2;
      }
    return e;
  }

  /**
   * The action at w = (u, v) (2P values from `o`); the gradient into `grad`
   * when given. Also leaves the Fourier powers for {@link moments}.
   */
  energy(w: Float64Array, o: number, grad?: Float64Array): number {
    const { P, c } = this;
    const { ur, ui, vr, vi, au, av, psi, chi, pr, pi, cr, ci, gu, gv } = this;
    this.dft(w, o, ur, ui);
    this.dft(w, o + P, vr, vi);
    let ubar = 0;
    let vbar = 0;
    let u2 = 0;
    let v2 = 0;
    for (let n = 0; n < P; n++) {
      ubar += w[o + n];
      vbar += w[o + P + n];
      u2 += w[o + n] * w[o + n];
      v2 += w[o + P + n] * w[o + P + n];
    }
    ubar /= P;
    vbar /= P;
    for (let p = 0; p < P; p++) {
      au[p] = ur[p] * ur[p] + ui[p] * ui[p];
      av[p] = vr[p] * vr[p] + vi[p] * vi[p];
    }
    // prior
    let e = (u2 + v2) / (2 * this.sw2);
    // p, q ≠ 0 block: (4/P²) Σ c_pq |ũ_p|² |ṽ_q|²
    const k4 = 4 / (P * P);
    const hu = gu; // reuse as ∂/∂|ũ_p|² then overwritten below
    hu.fill(0);
    const hv = gv;
    hv.fill(0);
    for (let p = 1; p < P; p++)
      for (let q = 1; q < P; q++) {
        const cc = k4 * c[p * P + q];
        e += cc * au[p] * av[q];
        hu[p] += cc * av[q];
        hv[q] += cc * au[p];
      }
    // axes: ψ_n = u_n² + 2 u_n v̄ (+ const), χ_m = v_m² + 2 v_m ū (+ const); Σ_{p≠0} c_p0 |ψ̃_p|² + c_0q |χ̃_q|²
    for (let n = 0; n < P; n++) {
      const un = w[o + n];
      const vn = w[o + P + n];
      psi[n] = un * un + 2 * un * vbar;
      chi[n] = vn * vn + 2 * vn * ubar;
    }
    this.dft(psi, 0, pr, pi);
    this.dft(chi, 0, cr, ci);
    const { hp, hc, hs, Gp, Gc } = this;
    hp.fill(0);
    hc.fill(0);
    for (let p = 1; p < P; p++) {
      hp[p] = c[p * P];
      hc[p] = c[p];
      e += hp[p] * (pr[p] * pr[p] + pi[p] * pi[p]) + hc[p] * (cr[p] * cr[p] + ci[p] * ci[p]);
    }
    // origin: c_00 (P μ)², μ = mean u² + mean v² + 2 ū v̄
    const mu = u2 / P + v2 / P + 2 * ubar * vbar;
    e += c[0] * P * P * mu * mu;
    // sextic: γ Σ_k ρ_k⁶, ρ_k² = f_k (|ũ_k|² + |ṽ_k|²), f_0 = 1/P, f_k = 2/P, k = 0 … K
    const K = (P - 1) >> 1;
    hs.fill(0);
    if (this.gamma > 0)
      for (let k = 0; k <= K; k++) {
        const f = k === 0 ? 1 / P : 2 / P;
        const rho2 = f * (au[k] + av[k]);
        e += this.gamma * rho2 * rho2 * rho2;
        hs[k] = this.gamma * 3 * rho2 * rho2 * f;
      }
    if (!grad) return e;
    for (let i = 0; i < 2 * P; i++) grad[i] = w[o + i] / this.sw2;
    const gU = grad.subarray(0, P);
    const gV = grad.subarray(P, 2 * P);
    // block and sextic through |ũ_p|², |ṽ_q|²
    for (let p = 0; p < P; p++) {
      hu[p] += hs[p];
      hv[p] += hs[p];
    }
    this.backPower(hu, ur, ui, 1, gU, false);
    this.backPower(hv, vr, vi, 1, gV, false);
    // axes: G_n = ∂/∂ψ_n, then ψ_n = u_n² + 2 u_n v̄
    Gp.fill(0);
    Gc.fill(0);
    this.backPower(hp, pr, pi, 1, Gp, true);
    this.backPower(hc, cr, ci, 1, Gc, true);
    let sGpU = 0;
    let sGcV = 0;
    for (let n = 0; n < P; n++) {
      gU[n] += Gp[n] * (2 * w[o + n] + 2 * vbar);
      gV[n] += Gc[n] * (2 * w[o + P + n] + 2 * ubar);
      sGpU += Gp[n] * w[o + n];
      sGcV += Gc[n] * w[o + P + n];
    }
    for (let n = 0; n < P; n++) {
      gV[n] += (2 / P) * sGpU;
      gU[n] += (2 / P) * sGcV;
    }
    // origin
    const d = 2 * c[0] * P * P * mu;
    for (let n = 0; n < P; n++) {
      gU[n] += d * ((2 * w[o + n]) / P + (2 * vbar) / P);
      gV[n] += d * ((2 * w[o + P + n]) / P + (2 * ubar) / P);
    }
    return e;
  }

  /**
   * At the w of the last {@link energy} call: |φ̂|² summed per class (into
   * `sums`, length 2 + K), the target overlap Σ_{q=1}^{K} r_q² s_q² and the
   * Fourier concentration. Call right after `energy` on the same w.
   */
  moments(w: Float64Array, o: number, sums: Float64Array): { overlap: number; concentration: number } {
    const { P, au, av, pr, pi, cr, ci, cls } = this;
    const K = (P - 1) >> 1;
    const k4 = 4 / (P * P);
    for (let p = 1; p < P; p++) for (let q = 1; q < P; q++) sums[cls[p * P + q]] += k4 * au[p] * av[q];
    for (let p = 1; p < P; p++) sums[1] += pr[p] * pr[p] + pi[p] * pi[p] + cr[p] * cr[p] + ci[p] * ci[p];
    let u2 = 0;
    let v2 = 0;
    let ub = 0;
    let vb = 0;
    for (let n = 0; n < P; n++) {
      u2 += w[o + n] ** 2;
      v2 += w[o + P + n] ** 2;
      ub += w[o + n];
      vb += w[o + P + n];
    }
    const mu = u2 / P + v2 / P + (2 * ub * vb) / (P * P);
    sums[0] += P * P * mu * mu;
    let overlap = 0;
    let total = au[0] + av[0];
    let best = 0;
    for (let q = 1; q <= K; q++) {
      overlap += k4 * au[q] * av[q]; // r_q² s_q² = (2|ũ_q|²/P)(2|ṽ_q|²/P)
      const s = 2 * (au[q] + av[q]);
      total += s;
      if (s > best) best = s;
    }
    return { overlap, concentration: total > 0 ? best / total : 0 };
  }
}

/** Class sizes: origin 1, axes 2(P − 1), each ratio class 2(P − 1). */
function classSizes(P: number): number[] {
  const K = (P - 1) / 2;
  return [1, 2 * (P - 1), ...Array.from({ length: K }, () => 2 * (P - 1))];
}

/** The options both closures need: an odd P ≥ 3 and a sextic regulariser (the data term is unbounded below without it). */
function checkOptions(P: number, sextic: number): void {
  if (!Number.isInteger(P) || P < 3 || P % 2 === 0)
    throw new Error(`modular-addition log-det theory: P = ${P}, expected an odd integer ≥ 3`);
  if (!(sextic > 0))
    throw new Error(`modular-addition log-det theory: sextic = ${sextic}, expected > 0 (the data term is unbounded below without it)`);
}

/** One tempering ladder: a state and an HMC step per rung, and its own stream. */
interface Ladder {
  x: Float64Array[];
  eps: number[];
  stream: Stream;
}

/**
 * The self-consistent solution at one σ², by HMC on one neuron (2P
 * coordinates) with τ found by bisection and the other eigenvalues iterated.
 *
 * The single neuron's law can be bimodal (a neuron near zero or condensed on
 * one frequency), which plain HMC does not cross; each chain is therefore a
 * parallel-tempering ladder: rung j samples e^{−β_j S}, β geometric from
 * `betaMin` to 1 (`rungs` values), with neighbour swaps after every sweep
 * (even pairs, then odd). Only the β = 1 rung is measured.
 */
export function modularAdditionLogDetTheory(o: LogDetTheoryOptions): LogDetTheoryPoint {
  const { P, N, sigma2, priorW, priorA, sextic } = o;
  checkOptions(P, sextic);
  const logDet = o.logDet ?? true;
  const nChains = o.chains ?? 8;
  const bisections = o.bisections ?? 14;
  const samples = o.samples ?? 1000;
  const seed = o.seed ?? 1;
  const J = o.rungs ?? 10;
  if (!Number.isInteger(J) || J < 1) throw new Error(`modular-addition log-det theory: rungs = ${J}, expected an integer ≥ 1`);
  const K = (P - 1) / 2;
  const D = 2 * P;
  const betaMin = o.betaMin ?? 0.05;
  const betas = Array.from({ length: J }, (_, j) => (J === 1 ? 1 : Math.pow(betaMin, 1 - j / (J - 1))));
  const action = new SingleNeuronAction(P, priorW, sextic);
  const setAll = () => action.setCoefficients(lambda, sigma2, priorA, logDet);
  const sizes = classSizes(P);
  const lambda = gpLambdas(P, N, priorW, priorA);
  const lambdaGP = lambda[2];
  const sw = Math.sqrt(priorW);
  const ladders: Ladder[] = [];
  for (let c = 0; c < nChains; c++) {
    const stream = new Stream(seed, 0, c, 'modular-addition-logdet');
    const x: Float64Array[] = [];
    for (let j = 0; j < J; j++) {
      const xj = new Float64Array(D);
      if (c % 2 === 0) for (let i = 0; i < D; i++) xj[i] = sw * stream.normal();
      else {
        // one-frequency start: u_n = A cos(2π q n/P + α), v_m = A cos(2π q m/P + β), |u|² = A² P/2 = 4 s_w²
        const q = 1 + ((c >> 1) % K);
        const A = Math.sqrt((8 * priorW) / P);
        const a0 = 2 * Math.PI * stream.uniform();
        const b0 = 2 * Math.PI * stream.uniform();
        for (let n = 0; n < P; n++) {
          xj[n] = A * Math.cos((2 * Math.PI * q * n) / P + a0);
          xj[P + n] = A * Math.cos((2 * Math.PI * q * n) / P + b0);
        }
      }
      x.push(xj);
    }
    ladders.push({ x, eps: betas.map(() => 0.2 * sw), stream });
  }
  const grad = new Float64Array(D);
  const x1 = new Float64Array(D);
  const p1 = new Float64Array(D);
  const g1 = new Float64Array(D);
  const threshold = priorConcentrationQuantile(P);
  let accepted = 0;
  let proposed = 0;
  let swapsTried = 0;
  let swapsAccepted = 0;
  /** One HMC transition of rung j of a ladder (mass 1/s_w²: momenta ~ N(0, 1/s_w²)). */
  const hmc = (ld: Ladder, j: number, adapt: boolean): void => {
    const { stream } = ld;
    const x = ld.x[j];
    const beta = betas[j];
    const L = 4 + stream.int(9);
    const eps = ld.eps[j] * (0.8 + 0.4 * stream.uniform());
    const e0 = beta * action.energy(x, 0, grad);
    for (let i = 0; i < D; i++) grad[i] *= beta;
    let k0 = 0;
    for (let i = 0; i < D; i++) {
      p1[i] = stream.normal() / sw;
      k0 += p1[i] * p1[i];
      x1[i] = x[i];
    }
    k0 *= priorW / 2;
    g1.set(grad);
    for (let l = 0; l < L; l++) {
      for (let i = 0; i < D; i++) p1[i] -= 0.5 * eps * g1[i];
      for (let i = 0; i < D; i++) x1[i] += eps * priorW * p1[i];
      action.energy(x1, 0, g1);
      for (let i = 0; i < D; i++) g1[i] *= beta;
      for (let i = 0; i < D; i++) p1[i] -= 0.5 * eps * g1[i];
    }
    const e1 = beta * action.energy(x1, 0);
    let k1 = 0;
    for (let i = 0; i < D; i++) k1 += p1[i] * p1[i];
    k1 *= priorW / 2;
    const logA = e0 + k0 - e1 - k1;
    const ok = Number.isFinite(logA) && Math.log(stream.uniform()) < logA;
    if (ok) x.set(x1);
    if (j === J - 1) {
      proposed++;
      if (ok) accepted++;
    }
    if (adapt) ld.eps[j] *= ok ? 1.02 : 0.96;
  };
  let sweep = 0;
  /** HMC on every rung, then neighbour swaps (even pairs on even sweeps, odd on odd). */
  const step = (ld: Ladder, adapt: boolean): void => {
    for (let j = 0; j < J; j++) hmc(ld, j, adapt);
    for (let j = sweep % 2; j + 1 < J; j += 2) {
      // rung j samples e^{−β_j S}: accept exp((β_{j+1} − β_j)(S(x_{j+1}) − S(x_j)))
      const Sa = action.energy(ld.x[j], 0);
      const Sb = action.energy(ld.x[j + 1], 0);
      const logA = (betas[j + 1] - betas[j]) * (Sb - Sa);
      swapsTried++;
      if (Number.isFinite(logA) && Math.log(ld.stream.uniform()) < logA) {
        const t = ld.x[j];
        ld.x[j] = ld.x[j + 1];
        ld.x[j + 1] = t;
        swapsAccepted++;
      }
    }
    sweep++;
  };
  const chains = ladders;
  const sums = new Float64Array(2 + K);
  /** Sample every chain `n` times after `burn` transitions; class means of |φ̂|², per-chain overlap and droplet traces. */
  const sample = (n: number, burn: number, adapt: boolean) => {
    sums.fill(0);
    const overlap: Float64Array[] = [];
    const droplet: Float64Array[] = [];
    let norm = 0;
    for (const ch of chains) {
      for (let b = 0; b < burn; b++) step(ch, adapt);
      const top = () => ch.x[J - 1];
      const ov = new Float64Array(n);
      const dr = new Float64Array(n);
      for (let s = 0; s < n; s++) {
        step(ch, false);
        action.energy(top(), 0);
        const m = action.moments(top(), 0, sums);
        ov[s] = m.overlap;
        dr[s] = m.concentration > threshold ? 1 : 0;
        for (let i = 0; i < D; i++) norm += top()[i] * top()[i];
      }
      overlap.push(ov);
      droplet.push(dr);
    }
    const total = n * chains.length;
    const means = Array.from(sums, (s, k) => s / (total * sizes[k]));
    return { means, overlap, droplet, norm: norm / total };
  };
  // Bisection on τ: for a trial τ the target class has λ₁ + σ² = σ²/τ; the other classes follow by damped
  // iteration (warm-started along the bisection); h(τ) = τ (σ² + λ₁ measured) − σ² grows with τ (a larger τ
  // couples the target modes more strongly), so its root is bracketed in (0, 1].
  let lo = 0;
  let hi = 1;
  let lastChange = NaN;
  for (let it = 0; it < bisections; it++) {
    const tau = 0.5 * (lo + hi);
    lambda[2] = sigma2 / tau - sigma2;
    let measured1 = NaN;
    for (let inner = 0; inner < (logDet ? 2 : 1); inner++) {
      setAll();
      const r = sample(samples, samples >> 1, true);
      const target = r.means.map((m) => N * priorA * m);
      measured1 = target[2];
      if (logDet)
        for (let k = 0; k < lambda.length; k++) {
          if (k === 2) continue;
          const next = 0.5 * lambda[k] + 0.5 * target[k];
          if (k === 0 || k === 1 || k === 3) lastChange = Math.abs(next - lambda[k]) / lambda[k];
          lambda[k] = next;
        }
    }
    if (tau * (sigma2 + measured1) - sigma2 > 0) hi = tau;
    else lo = tau;
  }
  const tauStar = 0.5 * (lo + hi);
  lambda[2] = sigma2 / tauStar - sigma2;
  setAll();
  accepted = 0;
  proposed = 0;
  swapsTried = 0;
  swapsAccepted = 0;
  const fin = sample(4 * samples, samples >> 2, false);
  const chainMeans = (tr: Float64Array[]) => tr.map((t) => t.reduce((a, b) => a + b, 0) / t.length);
  const meanSe = (tr: Float64Array[]) => {
    const m = chainMeans(tr);
    const mean = m.reduce((a, b) => a + b, 0) / m.length;
    const v = m.reduce((a, b) => a + (b - mean) ** 2, 0) / (m.length - 1);
    return { mean, se: Math.sqrt(v / m.length) };
  };
  const ov = meanSe(fin.overlap);
  const dr = meanSe(fin.droplet);
  const prior = 4 * priorW * priorW * K;
  const tau = tauStar;
  const lambda1 = N * priorA * fin.means[2];
  const tauGP = sigma2 / (sigma2 + lambdaGP);
  return {
    sigma2,
    logDet,
    tau,
    error: tau * tau,
    errorGP: tauGP * tauGP,
    lambda,
    overlapRatio: ov.mean / prior,
    overlapRatioSe: ov.se / prior,
    droplet: dr.mean,
    dropletSe: dr.se,
    normRatio: fin.norm / (2 * P * priorW),
    rhat: splitRhat(fin.overlap),
    residual: (tau * (sigma2 + lambda1)) / sigma2 - 1,
    lastChange,
    acceptance: accepted / proposed,
    swapAcceptance: swapsTried > 0 ? swapsAccepted / swapsTried : NaN,
  };
}

/**
 * log ∫₀¹ e^{−a x²} dx and ⟨x²⟩ under that weight, for any real a (a < 0:
 * the angle is pushed to x = 1, r = s; the power series for −150 < a < 1,
 * the Dawson asymptotic below −150, relative error < 10⁻⁹ there).
 */
export function angleMoments(a: number): { logG0: number; x2: number } {
  if (Math.abs(a) < 1e-12) return { logG0: 0, x2: 1 / 3 };
  let logG0: number;
  if (a > -150) {
    // Σ_j (−a)^j / (j! (2j + 1)): alternating for a > 0 (used only while a < 1), positive for a < 0
    if (a >= 1) logG0 = Math.log(gaussAngle0Positive(a));
    else {
      let term = 1;
      let sum = 1;
      for (let j = 1; j < 800; j++) {
        term *= -a / j;
        sum += term / (2 * j + 1);
        if (Math.abs(term) < 1e-17 * sum) break;
      }
      logG0 = Math.log(sum);
    }
  } else {
    const b = -a;
    logG0 = b + Math.log(1 / (2 * b) + 1 / (4 * b * b) + 3 / (8 * b ** 3) + 15 / (16 * b ** 4) + 105 / (32 * b ** 5));
  }
  // ∫ x² e^{−a x²} = (g₀ − e^{−a}) / (2a)  ⇒  ⟨x²⟩ = (1 − e^{−a − log g₀}) / (2a)
  const x2 = (1 - Math.exp(-a - logG0)) / (2 * a);
  return { logG0, x2 };
}

/** ∫₀¹ e^{−a x²} dx for a ≥ 1 (error function). */
function gaussAngle0Positive(a: number): number {
  const z = Math.sqrt(a);
  return (Math.sqrt(Math.PI) * (1 - 2 * normalSf(z * Math.SQRT2))) / (2 * z);
}

/** One mode q ≥ 1 under the Hartree action S = ρ²(1/(2s_w²) + B) + A₄ ρ⁴ + γ ρ⁶ − C r² s². */
export interface HartreeMode {
  rs2: number;
  rho2: number;
  rho4: number;
  /** Probability beyond the barrier of the diagonal (r = s) action, 0 when it has one minimum. */
  condensed: number;
  barrierRho2: number | null;
  saddleRho2: number | null;
  saddleAction: number | null;
  grid: Float64Array;
  density: Float64Array;
}

export function hartreeMode(B: number, A4: number, C: number, priorW: number, gamma: number, gridPoints = 4001): HartreeMode {
  const k1 = 1 / (2 * priorW) + B;
  if (!(k1 > 0)) throw new Error(`modular-addition log-det theory: the mode's quadratic coefficient ${k1} is not positive`);
  const quartic = A4 - C / 4; // on the diagonal r = s
  if (!(gamma > 0) && !(A4 > 0 && quartic > 0))
    throw new Error('modular-addition log-det theory: the mode action is unbounded below (sextic = 0)');
  const logDensity = (q: number): number => {
    const a = (C * q * q) / 4;
    return Math.log(q) - k1 * q - A4 * q * q - gamma * q * q * q + a + angleMoments(a).logG0;
  };
  // stationary points of the diagonal action k1 q + quartic q² + γ q³: k1 + 2 quartic q + 3γ q² = 0
  let stat: { barrier: number; saddle: number } | null = null;
  if (gamma > 0 && quartic < 0) {
    const disc = 4 * quartic * quartic - 12 * gamma * k1;
    if (disc > 0) {
      const s = Math.sqrt(disc);
      stat = { barrier: (-2 * quartic - s) / (6 * gamma), saddle: (-2 * quartic + s) / (6 * gamma) };
    }
  }
  const scale = 1 / k1;
  const past = Math.max(8 * scale, stat ? 1.5 * stat.saddle : 0);
  const {
    grid,
    weights: wts,
    logDensity: lw,
    max,
  } = radialGrid(logDensity, scale, past, 128 * scale, gridPoints, 'modular-addition log-det theory');
  const n = grid.length;
  const density = new Float64Array(n);
  let z = 0;
  let rs2 = 0;
  let rho2 = 0;
  let rho4 = 0;
  let beyond = 0;
  for (let i = 0; i < n; i++) {
    density[i] = Math.exp(lw[i] - max);
    const w = density[i] * wts[i];
    const q = grid[i];
    const x2 = angleMoments((C * q * q) / 4).x2;
    z += w;
    rs2 += (w * q * q * (1 - x2)) / 4;
    rho2 += w * q;
    rho4 += w * q * q;
    if (stat && q > stat.barrier) beyond += w;
  }
  for (let i = 0; i < n; i++) density[i] /= z;
  return {
    rs2: rs2 / z,
    rho2: rho2 / z,
    rho4: rho4 / z,
    condensed: stat ? beyond / z : 0,
    barrierRho2: stat ? stat.barrier : null,
    saddleRho2: stat ? stat.saddle : null,
    saddleAction: stat ? k1 * stat.saddle + quartic * stat.saddle ** 2 + gamma * stat.saddle ** 3 : null,
    grid,
    density,
  };
}

/**
 * The zero mode (U₀, V₀) under its Hartree action, in t = U₀ + V₀ and
 * d = U₀ − V₀ (ρ₀² = (t² + d²)/2): ρ₀²/(2s_w²) + γ ρ₀⁶ + E t² + a₀₀ t⁴, by a
 * two-dimensional Simpson rule. Returns ⟨t²⟩, Var t², and a sampler of ρ₀².
 */
export function hartreeZeroMode(E: number, a00: number, priorW: number, gamma: number, points = 201) {
  const n = points | 1;
  const L = 10 * Math.sqrt(2 * priorW);
  const h = (2 * L) / (n - 1);
  const simpson = (i: number) => (i === 0 || i === n - 1 ? 1 : i % 2 === 1 ? 4 : 2);
  const logW = new Float64Array(n * n);
  let max = -Infinity;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const t = -L + i * h;
      const d = -L + j * h;
      const r2 = (t * t + d * d) / 2;
      const v = -r2 / (2 * priorW) - gamma * r2 ** 3 - E * t * t - a00 * t ** 4;
      logW[i * n + j] = v;
      if (v > max) max = v;
    }
  let z = 0;
  let t2 = 0;
  let t4 = 0;
  let r0 = 0;
  const cells: number[] = [];
  const rho2: number[] = [];
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const t = -L + i * h;
      const d = -L + j * h;
      const w = simpson(i) * simpson(j) * Math.exp(logW[i * n + j] - max);
      z += w;
      t2 += w * t * t;
      t4 += w * t ** 4;
      r0 += (w * (t * t + d * d)) / 2;
      cells.push(z);
      rho2.push((t * t + d * d) / 2);
    }
  const meanT2 = t2 / z;
  return {
    t2: meanT2,
    varT2: t4 / z - meanT2 * meanT2,
    rho2: r0 / z,
    /** ρ₀² of a node drawn with its quadrature weight (u uniform in (0, 1)). */
    draw(u: number): number {
      const target = u * z;
      let lo = 0;
      let hi = cells.length - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cells[mid] < target) lo = mid + 1;
        else hi = mid;
      }
      return rho2[lo];
    },
  };
}

/** The Hartree solution at one σ² (see {@link modularAdditionHartreeTheory}). */
export interface HartreeTheoryPoint {
  sigma2: number;
  logDet: boolean;
  tau: number;
  error: number;
  errorGP: number;
  /** λ of the target class, of the other ratio classes (equal under Hartree), of the axes and of the origin. */
  lambda: { target: number; ratio: number; axes: number; origin: number };
  /** ⟨r_q² s_q²⟩ over its prior value 4 s_w⁴ (the measured `target_overlap` ÷ prior). */
  overlapRatio: number;
  /** ⟨|w|²⟩ over its prior value 2P s_w². */
  normRatio: number;
  /** Share of neurons whose Fourier concentration exceeds the droplet threshold (Monte Carlo over independent modes), and its standard error. */
  droplet: number;
  dropletSe: number;
  /** Per-mode coefficients at the solution: S_q = ρ²(1/(2s_w²) + B) + A₄ρ⁴ + γρ⁶ − C r²s². */
  B: number;
  A4: number;
  C: number;
  modeCondensed: number;
  neuronCondensed: number;
  saddleRho2: number | null;
  barrierRho2: number | null;
  saddleAction: number | null;
  /** Inner fixed-point iterations at the root, and the last relative change. */
  iterations: number;
  change: number;
  /**
   * τ(σ² + λ₁)/σ² − 1 at the returned τ, λ₁ from the branch continued from the GP. Near 0: the theory closes.
   * Of order one: there is no self-consistent solution on that branch; the bisection has stopped at the τ
   * where the branch runs away into condensed neurons (`closed` false).
   */
  residual: number;
  closed: boolean;
}

/**
 * The theory with the first-order log-determinant kept, closed by a Hartree
 * (self-consistent field) decoupling of the modes, so that every mode's law
 * is again a one-dimensional quadrature with its droplet weight exact.
 *
 * Writing u = ū + Σ_{q=1}^{K} u⁽q⁾ (u⁽q⁾_n = √(2/P) r_q cos(2πqn/P + α_q)) and
 * likewise v, with a = P s_a²/2 and g = 1/(λ + σ²) per class, the action of
 * {@link SingleNeuronAction} is, term by term,
 *   ratio classes   Σ_{p,q} 4a g_{r(p,q)} r_p² s_q²  − 2a g₁² Σ_q r_q² s_q²,
 *   axes            a g_ax [4 t² (R_u + R_v) + Σ_q (r_q⁴ + s_q⁴)/2 + 4 Σ_{q<q′} (r_q² r_q′² + s_q² s_q′²)] + phase terms,
 *   origin          a g₀₀ (R_u + R_v + t²)²,
 * with R_u = Σ_q r_q², t = U₀ + V₀ (the zero mode, t² = P(ū + v̄)²); the phase
 * terms average to zero over independent phases. Hartree replaces every
 * product of two different modes by one mode times the other's mean, which
 * leaves, for each q ≥ 1,
 *   S_q = ρ²(1/(2s_w²) + B) + A₄ ρ⁴ + γ ρ⁶ − C r² s²,
 *   C  = 2a g₁² − 4a g₁ + a g_ax,       A₄ = a g_ax/2 + a g₀₀,
 *   B  = 2a ρ̄² Σ_{r≥2} g_r + 2a g_ax ((K − 1) ρ̄² + 2⟨t²⟩) + 2a g₀₀ ((K − 1) ρ̄² + ⟨t²⟩),
 * ρ̄² = ⟨ρ_q²⟩, and for the zero mode ρ₀²/(2s_w²) + γρ₀⁶ + (4a g_ax + 2a g₀₀) K ρ̄² t² + a g₀₀ t⁴.
 * The class eigenvalues follow from the same moments:
 *   λ₁ = N s_a² ⟨r²s²⟩,  λ_r = N s_a² (ρ̄²/2)²  (r ≥ 2),
 *   λ_ax = N s_a² [2K ρ̄² ⟨t²⟩ + K ⟨r⁴⟩/2 + 2K(K − 1)(ρ̄²/2)²]/(P − 1),
 *   λ₀₀ = N s_a² [(K ρ̄² + ⟨t²⟩)² + K Var ρ² + Var t²],
 * which reproduce the GP values of {@link gpLambdas} at the prior exactly.
 * τ is found by bisection as in the decoupled theory, the rest by damped
 * iteration at each τ. With `logDet: false` every g but the data's vanishes
 * and this is exactly the decoupled theory of modular-addition.ts.
 */
export function modularAdditionHartreeTheory(
  o: ModularAdditionTheoryOptions & { logDet?: boolean; neurons?: number; seed?: number },
): HartreeTheoryPoint {
  const { P, N, sigma2, priorW, priorA, sextic } = o;
  checkOptions(P, sextic);
  const logDet = o.logDet ?? true;
  const K = (P - 1) / 2;
  const a = (P * priorA) / 2;
  const ns = N * priorA;
  const gp = gpLambdas(P, N, priorW, priorA);
  const start = { ratio: gp[3] ?? gp[2], axes: gp[1], origin: gp[0], rho2: 4 * priorW, t2: 2 * priorW };
  const state = { ...start };
  type Solved = {
    mode: HartreeMode;
    zero: ReturnType<typeof hartreeZeroMode>;
    B: number;
    A4: number;
    C: number;
    iterations: number;
    change: number;
  };
  const solve = (tau: number): Solved => {
    const g1 = tau / sigma2;
    Object.assign(state, start); // every τ from the GP: the branch continued from it
    let last: Solved | null = null;
    for (let it = 1; it <= 400; it++) {
      const gr = logDet ? 1 / (state.ratio + sigma2) : 0;
      const gax = logDet ? 1 / (state.axes + sigma2) : 0;
      const g00 = logDet ? 1 / (state.origin + sigma2) : 0;
      const C = 2 * a * g1 * g1 - (logDet ? 4 * a * g1 : 0) + a * gax;
      const A4 = (a * gax) / 2 + a * g00;
      const B =
        2 * a * state.rho2 * (K - 1) * gr +
        2 * a * gax * ((K - 1) * state.rho2 + 2 * state.t2) +
        2 * a * g00 * ((K - 1) * state.rho2 + state.t2);
      const mode = hartreeMode(B, A4, C, priorW, sextic, o.gridPoints);
      const zero = hartreeZeroMode((4 * a * gax + 2 * a * g00) * K * state.rho2, a * g00, priorW, sextic);
      const r2 = mode.rho2 / 2;
      const r4 = (mode.rho4 - 2 * mode.rs2) / 2;
      const next = {
        ratio: ns * r2 * r2,
        axes: (ns * (2 * K * mode.rho2 * zero.t2 + (K * r4) / 2 + 2 * K * (K - 1) * r2 * r2)) / (P - 1),
        origin: ns * ((K * mode.rho2 + zero.t2) ** 2 + K * (mode.rho4 - mode.rho2 ** 2) + zero.varT2),
        rho2: mode.rho2,
        t2: zero.t2,
      };
      let change = 0;
      for (const k of Object.keys(next) as (keyof typeof next)[]) {
        change = Math.max(change, Math.abs(next[k] - state[k]) / Math.abs(state[k]));
        state[k] = logDet ? 0.5 * state[k] + 0.5 * next[k] : next[k];
      }
      last = { mode, zero, B, A4, C, iterations: it, change };
      if (!logDet || change < 1e-9) break;
    }
    return last as Solved;
  };
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 60 && hi - lo > 1e-8; i++) {
    const mid = 0.5 * (lo + hi);
    const s = solve(mid);
    if (mid * (sigma2 + ns * s.mode.rs2) - sigma2 > 0) hi = mid;
    else lo = mid;
  }
  const tau = 0.5 * (lo + hi);
  const s = solve(tau);
  // droplet fraction: independent modes drawn from their laws
  const neurons = o.neurons ?? 20000;
  const threshold = priorConcentrationQuantile(P);
  const drawMode = tabulatedSampler(s.mode.grid, s.mode.density);
  const st = new Stream(o.seed ?? 1, 0, 0, 'modular-addition-hartree');
  const drop = independentModesDropletFraction((u) => s.zero.draw(u), drawMode, K, threshold, neurons, st);
  const tauGP = sigma2 / (sigma2 + gp[2]);
  const residual = (tau * (sigma2 + ns * s.mode.rs2)) / sigma2 - 1;
  return {
    sigma2,
    logDet,
    tau,
    error: tau * tau,
    errorGP: tauGP * tauGP,
    lambda: { target: ns * s.mode.rs2, ratio: state.ratio, axes: state.axes, origin: state.origin },
    overlapRatio: s.mode.rs2 / (4 * priorW * priorW),
    normRatio: (K * s.mode.rho2 + s.zero.rho2) / (2 * P * priorW),
    droplet: drop.fraction,
    dropletSe: drop.se,
    B: s.B,
    A4: s.A4,
    C: s.C,
    modeCondensed: s.mode.condensed,
    neuronCondensed: 1 - Math.pow(1 - s.mode.condensed, K),
    saddleRho2: s.mode.saddleRho2,
    barrierRho2: s.mode.barrierRho2,
    saddleAction: s.mode.saddleAction,
    iterations: s.iterations,
    change: s.change,
    residual,
    closed: Math.abs(residual) < 1e-3,
  };
}
