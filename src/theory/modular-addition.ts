/**
 * The adaptive-kernel (mean-field) theory of modular-addition-square trained
 * on the whole table, after Rubin, Seroussi and Ringel (docs/models.md §2.1,
 * docs/results/first-order.md), derived here in our own notation.
 *
 * Network f_k(x) = Σ_{c=1}^N a_{c,k} (w_c·x)², two-hot x = (n, m), so
 * w_c·x = u_{c,n} + v_{c,m}; centred targets y_k = δ_{k,(n+m) mod P} − 1/P on
 * all P² pairs; posterior ∝ exp(−|f − y|²/(2σ²) − |w|²/(2s_w²) − |a|²/(2s_a²)
 * − γ R(w)), with s_a² the prior variance of each readout weight (1/N standard,
 * 1/N² mean-field) and R the Fourier regulariser below.
 *
 * 1. The readout weights integrate out exactly: for every output k, y_k is a
 *    Gaussian process with kernel s_a² Σ_c φ_c φ_cᵀ (φ_c(x) = (w_c·x)²).
 *    Mean-field decoupling: one neuron's share of the kernel is small, so its
 *    weights see, to first order in it, the action
 *      S[w] = |w|²/(2s_w²) − (s_a²/(2σ⁴)) Σ_k (Σ_x t_k(x) φ(x))² + γ R(w),
 *    t = σ² (Q + σ²)⁻¹ y the discrepancy and Q = N s_a² ⟨φφᵀ⟩ the mean kernel.
 *    (The first-order term of the log-determinant, +(P/2) s_a² φᵀ(Q + σ²)⁻¹φ,
 *    is dropped as in the paper: it is smaller by ~σ²/((P − 1) τ²).)
 * 2. On the whole table the target is an eigenvector of Q (the symmetries
 *    n → n + j, m → m − j), so t = τ y with τ = σ²/(σ² + λ), λ the eigenvalue.
 * 3. Fourier modes decouple. With U_q = Σ_n u_n e^{−2πiqn/P}/√P (unitary) and,
 *    for q = 1 … K = (P − 1)/2, r_q² = 2|U_q|², s_q² = 2|V_q|² (the norms of
 *    the cosine–sine pairs of the two operand halves),
 *      Σ_k (Σ_x y_k φ)² = 2P Σ_{q=1}^{K} r_q² s_q²,
 *    so each mode q ≥ 1 carries the same action, in ρ² = r² + s² and
 *    r s = ρ² sin(2φ)/2,
 *      S_q = ρ²/(2s_w²) − κτ² r² s² + γ ρ⁶,    κ = s_a² P / σ⁴,
 *    and the mode q = 0 (no target component) keeps S_0 = ρ_0²/(2s_w²) + γ ρ_0⁶.
 * 4. The target eigenvalue is λ = N s_a² ⟨r² s²⟩ per mode (the GP limit,
 *    κ = γ = 0, gives ⟨r² s²⟩ = 4 s_w⁴: λ_GP = 4 N s_a² s_w⁴), closing
 *      τ = σ² / (σ² + N s_a² m(κτ²)),   m = ⟨r² s²⟩ under e^{−S_q}.
 *    m grows with its coupling, so τ (σ² + N s_a² m) grows with τ and the root
 *    in (0, 1] is unique (bisection).
 * 5. The regulariser: the negative quartic makes e^{−S_q} unnormalisable for
 *    any κτ² > 0, which is why the paper adds a non-linear weight decay. The
 *    paper's choice is not legible in the printed text; we use the sextic
 *      R(w) = Σ_c Σ_{q=0}^{K} ρ_{c,q}⁶,   ρ_{c,q}² = S_{c,q}/P
 *    (S the per-frequency spectrum of fourier.ts), which keeps the modes
 *    decoupled, and the network potential applies the same term (param
 *    fourier_sextic), so theory and network share one model.
 *
 * The per-mode integrals are done without a saddle-point approximation: the
 * angle integral is closed-form (error functions) and the radial one is a
 * Simpson rule on a grid fitted to where the density lives, in log space.
 * The saddle-point phases of the paper (GFL, GMFL-I, GMFL-II) are read off
 * the per-mode radial density: its weight beyond the barrier between ρ = 0
 * and the non-zero saddle (the droplet probability per mode).
 */
import { priorConcentrationQuantile } from './fourier-prior.js';
import { choleskyInPlace, choleskySolve } from '../linalg/cholesky.js';
import { Stream } from '../random/rng.js';
import { normalSf } from '../stats/special.js';

export interface ModularAdditionTheoryOptions {
  /** Modulus (odd prime). */
  P: number;
  /** Hidden neurons. */
  N: number;
  /** Likelihood noise σ². */
  sigma2: number;
  /** Prior variance s_w² of each input weight. */
  priorW: number;
  /** Prior variance s_a² of each readout weight (1/N standard scaling, 1/N² mean-field). */
  priorA: number;
  /** γ of the sextic Fourier regulariser (> 0 whenever the coupling is on). */
  sextic: number;
  /** Radial grid points per Simpson segment (odd; default 4,001). */
  gridPoints?: number;
}

/** The per-mode distribution at one coupling c = κτ². */
export interface ModeDistribution {
  coupling: number;
  /** m = ⟨r² s²⟩. */
  rs2: number;
  /** ⟨ρ²⟩ = ⟨r² + s²⟩. */
  rho2: number;
  /** ρ² at the barrier between the zero and the non-zero saddle (on the diagonal r = s), or null when there is one minimum only. */
  barrierRho2: number | null;
  /** ρ² of the non-zero saddle (on r = s), or null. */
  saddleRho2: number | null;
  /** The action of the non-zero saddle relative to ρ = 0 (negative: the droplet saddle is the deeper one), or null. */
  saddleAction: number | null;
  /** Probability that the mode sits beyond the barrier (0 without a barrier). */
  condensed: number;
  /** The density of ρ² (marginal over the angle) at the grid nodes, normalised to integrate to 1 (for sampling). */
  grid: Float64Array;
  density: Float64Array;
}

export interface ModularAdditionTheoryPoint {
  sigma2: number;
  /** Discrepancy factor τ (t = τ y); the normalised MSE of the posterior mean on the table is τ². */
  tau: number;
  error: number;
  /** Target eigenvalue λ = N s_a² m. */
  lambda: number;
  /** The GP (NNGP) limit: τ_GP = σ²/(σ² + 4 N s_a² s_w⁴) and its error τ_GP². */
  tauGP: number;
  errorGP: number;
  /** Coupling κτ² of the self-consistent solution. */
  coupling: number;
  /** Per-mode overlap m = ⟨r² s²⟩ and its ratio to the GP value 4 s_w⁴. */
  rs2: number;
  overlapRatio: number;
  /** Probability that a mode q ≥ 1 is condensed (beyond the barrier), and that a neuron has at least one condensed mode. */
  modeCondensed: number;
  neuronCondensed: number;
  /** The non-zero saddle ρ² and the barrier ρ² on r = s at the solution (null: a single minimum). */
  saddleRho2: number | null;
  barrierRho2: number | null;
  /** Action of the non-zero saddle minus that of ρ = 0 (GFL: > 0 and large; GMFL-I: near 0; GMFL-II: < 0), or null. */
  saddleAction: number | null;
}

function check(o: ModularAdditionTheoryOptions): void {
  const bad = (what: string, v: unknown, want: string) => {
    throw new Error(`modular-addition theory: ${what} = ${String(v)}, expected ${want}`);
  };
  if (!Number.isInteger(o.P) || o.P < 3 || o.P % 2 === 0) bad('P', o.P, 'an odd integer ≥ 3');
  if (!Number.isInteger(o.N) || o.N < 1) bad('N', o.N, 'an integer ≥ 1');
  if (!(o.sigma2 > 0)) bad('sigma2', o.sigma2, '> 0');
  if (!(o.priorW > 0)) bad('priorW', o.priorW, '> 0');
  if (!(o.priorA > 0)) bad('priorA', o.priorA, '> 0');
  if (!(o.sextic >= 0)) bad('sextic', o.sextic, '≥ 0');
}

/** Composite Simpson weight of node i of n (n odd), up to the factor h/3. */
function simpson(i: number, n: number): number {
  return i === 0 || i === n - 1 ? 1 : i % 2 === 1 ? 4 : 2;
}

/** ∫₀¹ e^{−a x²} dx (a ≥ 0). */
export function gaussAngle0(a: number): number {
  if (a < 1) {
    let term = 1;
    let sum = 1;
    for (let j = 1; j < 30; j++) {
      term *= -a / j;
      sum += term / (2 * j + 1);
    }
    return sum;
  }
  const z = Math.sqrt(a);
  // erf(z) = 1 − 2 Φc(z √2)
  return (Math.sqrt(Math.PI) * (1 - 2 * normalSf(z * Math.SQRT2))) / (2 * z);
}

/** ∫₀¹ x² e^{−a x²} dx (a ≥ 0). */
export function gaussAngle2(a: number): number {
  if (a < 1) {
    let term = 1;
    let sum = 1 / 3;
    for (let j = 1; j < 30; j++) {
      term *= -a / j;
      sum += term / (2 * j + 3);
    }
    return sum;
  }
  return (gaussAngle0(a) - Math.exp(-a)) / (2 * a);
}

/**
 * The action on the diagonal r = s (sin 2φ = 1), the path through both
 * saddles: S(ρ²) = ρ²/(2s_w²) − c ρ⁴/4 + γ ρ⁶.
 */
function diagonalAction(q: number, c: number, sw2: number, gamma: number): number {
  return q / (2 * sw2) - (c * q * q) / 4 + gamma * q * q * q;
}

/** Stationary points of the diagonal action in q = ρ² > 0: roots of 1/(2s_w²) − c q/2 + 3γ q² = 0. */
function diagonalStationary(c: number, sw2: number, gamma: number): { barrier: number; saddle: number } | null {
  if (!(gamma > 0) || !(c > 0)) return null;
  const A = 3 * gamma;
  const B = -c / 2;
  const C = 1 / (2 * sw2);
  const disc = B * B - 4 * A * C;
  if (disc <= 0) return null;
  const s = Math.sqrt(disc);
  return { barrier: (-B - s) / (2 * A), saddle: (-B + s) / (2 * A) };
}

/**
 * The radial grid of a mode density in q = ρ²: scanned outward from
 * `scale`/64 in steps of 5 % past `past` until the log density is 60 below its
 * running maximum, then two Simpson segments of `gridPoints` nodes each,
 * [0, split] and [split, end] (one when the end is below `split`), so that a
 * far droplet saddle does not coarsen the grid of the peak at zero. Returns
 * the nodes, their Simpson weights, the log density at each node (−∞ at 0)
 * and its maximum.
 */
export function radialGrid(
  logDensity: (q: number) => number,
  scale: number,
  past: number,
  split: number,
  gridPoints: number,
  who: string,
): { grid: Float64Array; weights: Float64Array; logDensity: Float64Array; max: number } {
  let best = -Infinity;
  let hi = scale / 64;
  for (; ; hi *= 1.05) {
    const v = logDensity(hi);
    if (v > best) best = v;
    if (v < best - 60 && hi > past) break;
    if (v === Infinity) throw new Error(`${who}: the mode density overflows (raise sextic)`);
  }
  const half = gridPoints | 1;
  const b = Math.min(hi, split);
  const segments: [number, number][] =
    hi > b
      ? [
          [0, b],
          [b, hi],
        ]
      : [[0, hi]];
  const n = segments.length * half;
  const grid = new Float64Array(n);
  const weights = new Float64Array(n);
  segments.forEach(([from, to], k) => {
    const h = (to - from) / (half - 1);
    for (let i = 0; i < half; i++) {
      grid[k * half + i] = from + i * h;
      weights[k * half + i] = (simpson(i, half) * h) / 3;
    }
  });
  const lw = new Float64Array(n);
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    lw[i] = grid[i] > 0 ? logDensity(grid[i]) : -Infinity;
    if (lw[i] > max) max = lw[i];
  }
  return { grid, weights, logDensity: lw, max };
}

/**
 * The distribution of one mode q ≥ 1 at coupling c = κτ² (κτ²·r²s² is the
 * attraction): moments by quadrature. In q = ρ² and x = cos 2φ ∈ [0, 1],
 * r²s² = q²(1 − x²)/4 and the measure is ∝ q dq dx, so with a = c q²/4
 *   density(q) ∝ q · exp(−q/(2s_w²) + a − γq³) · ∫₀¹ e^{−a x²} dx,
 *   ⟨1 − x²⟩_q = 1 − g₂(a)/g₀(a).
 */
export function modeDistribution(coupling: number, priorW: number, sextic: number, gridPoints = 4001): ModeDistribution {
  const c = coupling;
  const sw2 = priorW;
  const gamma = sextic;
  if (c > 0 && !(gamma > 0))
    throw new Error(`modular-addition theory: coupling ${c} > 0 needs sextic > 0 (the mode action is unbounded below)`);
  const logDensity = (q: number): number => {
    const a = (c * q * q) / 4;
    return Math.log(q) - q / (2 * sw2) + a - gamma * q * q * q + Math.log(gaussAngle0(a));
  };
  // Extent: scan outward, past the non-zero saddle when there is one (a peak beyond a barrier must not be
  // cut off), until the log density is 60 below its running maximum.
  const stat = diagonalStationary(c, sw2, gamma);
  const past = Math.max(4 * sw2, stat ? 1.5 * stat.saddle : 0);
  const {
    grid,
    weights: simpsonW,
    logDensity: lw,
    max,
  } = radialGrid(logDensity, sw2, past, 64 * sw2, gridPoints, 'modular-addition theory');
  const n = grid.length;
  const density = new Float64Array(n);
  let z = 0;
  let rs2 = 0;
  let rho2 = 0;
  let beyond = 0;
  for (let i = 0; i < n; i++) {
    density[i] = Math.exp(lw[i] - max); // 0 at q = 0
    const w = density[i] * simpsonW[i];
    const q = grid[i];
    const a = (c * q * q) / 4;
    const oneMinusX2 = 1 - gaussAngle2(a) / gaussAngle0(a);
    z += w;
    rs2 += (w * q * q * oneMinusX2) / 4;
    rho2 += w * q;
    if (stat && q > stat.barrier) beyond += w;
  }
  for (let i = 0; i < n; i++) density[i] /= z;
  return {
    coupling: c,
    rs2: rs2 / z,
    rho2: rho2 / z,
    barrierRho2: stat ? stat.barrier : null,
    saddleRho2: stat ? stat.saddle : null,
    saddleAction: stat ? diagonalAction(stat.saddle, c, sw2, gamma) : null,
    condensed: stat ? beyond / z : 0,
    grid,
    density,
  };
}

/** κ = s_a² P / σ⁴: the coupling of a mode is κτ². */
export function modularAdditionKappa(o: ModularAdditionTheoryOptions): number {
  return (o.priorA * o.P) / (o.sigma2 * o.sigma2);
}

/** The self-consistent solution at one σ² (bisection on τ to 1e-12). */
export function modularAdditionTheory(o: ModularAdditionTheoryOptions): ModularAdditionTheoryPoint {
  check(o);
  const { N, sigma2, priorW, priorA, sextic } = o;
  const K = (o.P - 1) / 2;
  const kappa = modularAdditionKappa(o);
  const lambdaGP = 4 * N * priorA * priorW * priorW;
  const tauGP = sigma2 / (sigma2 + lambdaGP);
  const mode = (tau: number) => modeDistribution(kappa * tau * tau, priorW, sextic, o.gridPoints);
  const h = (tau: number) => tau * (sigma2 + N * priorA * mode(tau).rs2) - sigma2;
  let lo = 0;
  let hi = 1;
  if (h(1) <= 0) lo = hi = 1; // cannot happen for s_a², s_w² > 0; kept for safety
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = 0.5 * (lo + hi);
    if (h(mid) > 0) hi = mid;
    else lo = mid;
  }
  const tau = 0.5 * (lo + hi);
  const m = mode(tau);
  return {
    sigma2,
    tau,
    error: tau * tau,
    lambda: N * priorA * m.rs2,
    tauGP,
    errorGP: tauGP * tauGP,
    coupling: kappa * tau * tau,
    rs2: m.rs2,
    overlapRatio: m.rs2 / (4 * priorW * priorW),
    modeCondensed: m.condensed,
    neuronCondensed: 1 - Math.pow(1 - m.condensed, K),
    saddleRho2: m.saddleRho2,
    barrierRho2: m.barrierRho2,
    saddleAction: m.saddleAction,
  };
}

/** The theory curve over a list of σ². */
export function modularAdditionTheoryCurve(
  o: Omit<ModularAdditionTheoryOptions, 'sigma2'>,
  sigma2s: readonly number[],
): ModularAdditionTheoryPoint[] {
  return sigma2s.map((sigma2) => modularAdditionTheory({ ...o, sigma2 }));
}

/** Draw from a density tabulated at grid nodes: trapezoid cell masses, uniform within a cell. */
export function tabulatedSampler(grid: Float64Array, density: Float64Array): (u: number) => number {
  const n = grid.length;
  const cdf = new Float64Array(n);
  for (let i = 1; i < n; i++) cdf[i] = cdf[i - 1] + 0.5 * (density[i - 1] + density[i]) * (grid[i] - grid[i - 1]);
  const total = cdf[n - 1];
  return (u: number) => {
    const target = u * total;
    let lo = 1;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid] < target) lo = mid + 1;
      else hi = mid;
    }
    const mass = cdf[lo] - cdf[lo - 1];
    const f = mass > 0 ? (target - cdf[lo - 1]) / mass : 0.5;
    return grid[lo - 1] + f * (grid[lo] - grid[lo - 1]);
  };
}

/**
 * The theory's droplet fraction — the share of neurons whose Fourier
 * concentration max_{q≥1} ρ_q² / Σ_{q≥0} ρ_q² exceeds the droplet threshold
 * of the observable (its 99th percentile under the Gaussian prior) — by Monte
 * Carlo over independent modes drawn from the theory's distributions (the
 * decoupled action makes a neuron's modes independent). Returns the fraction
 * and its standard error.
 */
export function modularAdditionDropletFraction(
  o: ModularAdditionTheoryOptions,
  tau: number,
  neurons = 20000,
  seed = 1,
): { fraction: number; se: number; threshold: number } {
  check(o);
  const K = (o.P - 1) / 2;
  const threshold = priorConcentrationQuantile(o.P);
  const kappa = modularAdditionKappa(o);
  const mode = modeDistribution(kappa * tau * tau, o.priorW, o.sextic, o.gridPoints);
  const zero = zeroModeDistribution(o.priorW, o.sextic, o.gridPoints);
  const drawMode = tabulatedSampler(mode.grid, mode.density);
  const drawZero = tabulatedSampler(zero.grid, zero.density);
  const st = new Stream(seed, 0, 0, 'modular-addition-theory');
  return { ...independentModesDropletFraction(drawZero, drawMode, K, threshold, neurons, st), threshold };
}

/**
 * The droplet fraction of neurons whose K modes q ≥ 1 and zero mode are
 * independent draws (ρ_q² from `drawMode`, ρ₀² from `drawZero`, each given a
 * uniform from `st`): the share whose concentration max_q ρ_q² / Σ ρ² exceeds
 * `threshold`, and its binomial standard error.
 */
export function independentModesDropletFraction(
  drawZero: (u: number) => number,
  drawMode: (u: number) => number,
  K: number,
  threshold: number,
  neurons: number,
  st: Stream,
): { fraction: number; se: number } {
  let hits = 0;
  for (let i = 0; i < neurons; i++) {
    let total = drawZero(st.uniform());
    let best = 0;
    for (let q = 0; q < K; q++) {
      const v = drawMode(st.uniform());
      total += v;
      if (v > best) best = v;
    }
    if (total > 0 && best / total > threshold) hits++;
  }
  const f = hits / neurons;
  return { fraction: f, se: Math.sqrt((f * (1 - f)) / neurons) };
}

/** The q = 0 mode: two real components, density of ρ₀² ∝ exp(−ρ₀²/(2s_w²) − γ ρ₀⁶) (flat measure in ρ₀²). */
export function zeroModeDistribution(
  priorW: number,
  sextic: number,
  gridPoints = 4001,
): { grid: Float64Array; density: Float64Array; mean: number } {
  const hi = 2 * priorW * 80;
  const n = gridPoints | 1;
  const h = hi / (n - 1);
  const grid = new Float64Array(n);
  const density = new Float64Array(n);
  let z = 0;
  let mean = 0;
  for (let i = 0; i < n; i++) {
    const q = i * h;
    grid[i] = q;
    density[i] = Math.exp(-q / (2 * priorW) - sextic * q * q * q);
    z += density[i] * simpson(i, n);
    mean += density[i] * simpson(i, n) * q;
  }
  for (let i = 0; i < n; i++) density[i] /= (z * h) / 3;
  return { grid, density, mean: mean / z };
}

/**
 * The size of the term the decoupling drops against the term it keeps, for
 * neurons drawn from the prior with the mean kernel at its GP value (the GFL
 * phase). Per neuron, with φ(x) = (w·x)² over the P² pairs:
 *   kept     D = (s_a² τ²/(2σ⁴)) Σ_k (y_kᵀφ)²                 (the data term of the action),
 *   dropped  L = (P/2) s_a² φᵀ(Q_GP + σ²)⁻¹φ                   (first order of ½ log det(K + σ²), P outputs),
 *   Q_GP(x, x′) = N s_a² E[φ(x) φ(x′)] = N s_a² s_w⁴ (4 + 2(δ_nn′ + δ_mm′)²).
 * The decoupled action is a fair description only where L ≪ D. Monte Carlo
 * over `neurons` prior draws (fixed seed); means and standard errors.
 */
export function modularAdditionDroppedTerm(
  o: ModularAdditionTheoryOptions,
  tau: number,
  neurons = 2000,
  seed = 1,
): { kept: number; keptSe: number; dropped: number; droppedSe: number; ratio: number } {
  check(o);
  const { P, N, sigma2, priorW, priorA } = o;
  const M = P * P;
  const Q = new Float64Array(M * M);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < M; j++) {
      const d = (Math.floor(i / P) === Math.floor(j / P) ? 1 : 0) + (i % P === j % P ? 1 : 0);
      Q[i * M + j] = N * priorA * priorW * priorW * (4 + 2 * d * d) + (i === j ? sigma2 : 0);
    }
  choleskyInPlace(Q, M);
  const st = new Stream(seed, 0, 0, 'modular-addition-dropped-term');
  const sw = Math.sqrt(priorW);
  const u = new Float64Array(P);
  const v = new Float64Array(P);
  const phi = new Float64Array(M);
  const sol = new Float64Array(M);
  let sD = 0;
  let sD2 = 0;
  let sL = 0;
  let sL2 = 0;
  for (let c = 0; c < neurons; c++) {
    for (let n = 0; n < P; n++) {
      u[n] = sw * st.normal();
      v[n] = sw * st.normal();
    }
    for (let n = 0; n < P; n++)
      for (let m = 0; m < P; m++) {
        const z = u[n] + v[m];
        phi[n * P + m] = z * z;
      }
    let overlap = 0;
    for (let k = 0; k < P; k++) {
      let g = 0;
      for (let n = 0; n < P; n++) for (let m = 0; m < P; m++) g += (((n + m) % P === k ? 1 : 0) - 1 / P) * phi[n * P + m];
      overlap += g * g;
    }
    const D = ((priorA * tau * tau) / (2 * sigma2 * sigma2)) * overlap;
    sol.set(phi);
    choleskySolve(Q, M, sol);
    let quad = 0;
    for (let i = 0; i < M; i++) quad += phi[i] * sol[i];
    const L = (P / 2) * priorA * quad;
    sD += D;
    sD2 += D * D;
    sL += L;
    sL2 += L * L;
  }
  const mean = (s: number) => s / neurons;
  const se = (s: number, s2: number) => Math.sqrt(Math.max(0, s2 / neurons - (s / neurons) ** 2) / (neurons - 1));
  return { kept: mean(sD), keptSe: se(sD, sD2), dropped: mean(sL), droppedSe: se(sL, sL2), ratio: sL / sD };
}
