/**
 * Binomial logistic regression for grouped counts: k_i successes of n_i
 * trials at covariates x_i (a row with the intercept's 1 included),
 *
 *   logit p_i = x_i · β,   ℓ(β) = Σ k_i ln p_i + (n_i − k_i) ln(1 − p_i).
 *
 * Fitted by Newton–Raphson (Fisher scoring is Newton here) with step halving.
 * By default the estimate is Firth's bias-reduced one (Firth 1993; Heinze &
 * Schemper 2002): it maximises the penalised likelihood
 *
 *   ℓ*(β) = ℓ(β) + ½ ln det I(β),   I(β) = Xᵀ W X,  W = diag(n_i p_i (1 − p_i)),
 *
 * whose score is U*_r = Σ_i x_ir (k_i − n_i p_i + h_i (½ − p_i)), h_i the
 * diagonal of the hat matrix W^½ X I⁻¹ Xᵀ W^½. Unlike the plain maximum
 * likelihood estimate it is finite when the outcomes are (quasi-)separated —
 * the usual case for a sharp phase boundary sampled with a few replicas per
 * cell — and it removes the O(1/n) bias of β̂. Standard errors are from
 * I(β̂)⁻¹ in both cases; nested models are compared by the (penalised)
 * likelihood-ratio statistic 2(ℓ*₁ − ℓ*₀), referred to χ² with the difference
 * in the number of coefficients as degrees of freedom.
 *
 * Whether the plain MLE exists is reported (`separated`): when the counts are
 * separated its iterations run away (|β| grows without bound) and only the
 * Firth estimate is meaningful.
 */
import { choleskyInPlace, choleskySolve } from '../linalg/cholesky.js';
import { chiSquareSf } from './special.js';
import { zPValue } from './tests.js';

export interface LogisticOptions {
  /** Firth's penalised likelihood (default true); false: the plain maximum likelihood estimate. */
  firth?: boolean;
  maxIterations?: number;
  /** Convergence: max |Δβ| below this (default 1e-10). */
  tolerance?: number;
}

export interface LogisticFit {
  method: 'firth' | 'mle';
  coef: number[];
  se: number[];
  /** Covariance I(β̂)⁻¹, row-major p × p. */
  cov: number[][];
  z: number[];
  /** Two-sided Wald p-values. */
  p: number[];
  /** ℓ(β̂) (without the binomial coefficients). */
  logLik: number;
  /** ℓ(β̂) + ½ ln det I(β̂) (= logLik for method 'mle'). */
  penalizedLogLik: number;
  /** Fitted p_i. */
  fitted: number[];
  iterations: number;
  converged: boolean;
}

/** ln(1 + e^x) without overflow. */
const softplus = (x: number) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

function check(X: readonly (readonly number[])[], k: readonly number[], n: readonly number[]): number {
  const m = X.length;
  if (k.length !== m || n.length !== m) throw new RangeError(`logisticFit: ${m} rows, ${k.length} counts, ${n.length} totals`);
  if (m === 0) throw new RangeError('logisticFit: no rows');
  const p = X[0]!.length;
  for (let i = 0; i < m; i++) {
    if (X[i]!.length !== p) throw new RangeError(`logisticFit: row ${i} has ${X[i]!.length} covariates, expected ${p}`);
    if (!(n[i]! >= 0 && k[i]! >= 0 && k[i]! <= n[i]!))
      throw new RangeError(`logisticFit: row ${i}: need 0 ≤ k ≤ n, found k = ${k[i]}, n = ${n[i]}`);
    for (const v of X[i]!) if (!Number.isFinite(v)) throw new RangeError(`logisticFit: row ${i} has a non-finite covariate`);
  }
  return p;
}

interface Evaluation {
  logLik: number;
  logDet: number;
  /** Cholesky factor of I(β) (row-major), or null when I is singular. */
  chol: Float64Array | null;
  score: Float64Array;
  fitted: number[];
}

function evaluate(
  X: readonly (readonly number[])[],
  k: readonly number[],
  n: readonly number[],
  beta: readonly number[],
  firth: boolean,
): Evaluation {
  const m = X.length;
  const p = beta.length;
  const info = new Float64Array(p * p);
  const score = new Float64Array(p);
  const fitted: number[] = new Array(m);
  const w = new Float64Array(m);
  let logLik = 0;
  for (let i = 0; i < m; i++) {
    const xi = X[i]!;
    let eta = 0;
    for (let r = 0; r < p; r++) eta += xi[r]! * beta[r]!;
    const pi = sigmoid(eta);
    fitted[i] = pi;
    // ln p = −softplus(−η), ln(1 − p) = −softplus(η)
    logLik -= k[i]! * softplus(-eta) + (n[i]! - k[i]!) * softplus(eta);
    w[i] = n[i]! * pi * (1 - pi);
    const resid = k[i]! - n[i]! * pi;
    for (let r = 0; r < p; r++) {
      score[r] += xi[r]! * resid;
      for (let c = 0; c <= r; c++) info[r * p + c] += w[i]! * xi[r]! * xi[c]!;
    }
  }
  const chol = info.slice();
  try {
    choleskyInPlace(chol, p);
  } catch {
    return { logLik, logDet: -Infinity, chol: null, score, fitted };
  }
  let logDet = 0;
  for (let r = 0; r < p; r++) logDet += 2 * Math.log(chol[r * p + r]!);
  if (firth) {
    const tmp = new Float64Array(p);
    for (let i = 0; i < m; i++) {
      const xi = X[i]!;
      for (let r = 0; r < p; r++) tmp[r] = xi[r]!;
      choleskySolve(chol, p, tmp);
      let q = 0;
      for (let r = 0; r < p; r++) q += xi[r]! * tmp[r]!;
      const h = w[i]! * q;
      for (let r = 0; r < p; r++) score[r] += xi[r]! * h * (0.5 - fitted[i]!);
    }
  }
  return { logLik, logDet, chol, score, fitted };
}

const objective = (e: Evaluation, firth: boolean) => (firth ? e.logLik + 0.5 * e.logDet : e.logLik);

/** Fit a binomial logistic regression to grouped counts (see the module comment). */
export function logisticFit(
  X: readonly (readonly number[])[],
  k: readonly number[],
  n: readonly number[],
  o: LogisticOptions = {},
): LogisticFit {
  const p = check(X, k, n);
  const firth = o.firth ?? true;
  const maxIterations = o.maxIterations ?? 200;
  const tol = o.tolerance ?? 1e-10;
  let beta = new Array<number>(p).fill(0);
  let ev = evaluate(X, k, n, beta, firth);
  if (!ev.chol) throw new RangeError('logisticFit: the information matrix is singular at β = 0 (collinear covariates or empty cells)');
  let converged = false;
  let it = 0;
  for (; it < maxIterations; it++) {
    const step = Float64Array.from(ev.score);
    choleskySolve(ev.chol!, p, step);
    let t = 1;
    let next: number[] = beta;
    let nextEv: Evaluation = ev;
    const f0 = objective(ev, firth);
    // Step halving: accept the first step that does not lower the objective (and keeps I invertible).
    for (let h = 0; h < 30; h++, t /= 2) {
      next = beta.map((b, r) => b + t * step[r]!);
      nextEv = evaluate(X, k, n, next, firth);
      if (nextEv.chol && objective(nextEv, firth) >= f0 - 1e-12 * Math.abs(f0)) break;
    }
    const delta = Math.max(...next.map((b, r) => Math.abs(b - beta[r]!)));
    beta = next;
    ev = nextEv;
    if (!ev.chol) break;
    if (delta < tol) {
      converged = true;
      it++;
      break;
    }
  }
  const cov: number[][] = [];
  const se: number[] = [];
  if (ev.chol) {
    for (let c = 0; c < p; c++) {
      const e = new Float64Array(p);
      e[c] = 1;
      choleskySolve(ev.chol, p, e);
      cov.push(Array.from(e));
    }
    for (let r = 0; r < p; r++) se.push(Math.sqrt(cov[r]![r]!));
  } else
    for (let r = 0; r < p; r++) {
      cov.push(new Array<number>(p).fill(NaN));
      se.push(NaN);
    }
  const z = beta.map((b, r) => b / se[r]!);
  return {
    method: firth ? 'firth' : 'mle',
    coef: beta,
    se,
    cov,
    z,
    p: z.map((v) => (Number.isFinite(v) ? zPValue(v) : NaN)),
    logLik: ev.logLik,
    penalizedLogLik: objective(ev, firth),
    fitted: ev.fitted,
    iterations: it,
    converged,
  };
}

/**
 * Whether the plain maximum likelihood estimate exists: false when its Newton
 * iterations do not converge, or converge only by pushing a fitted probability
 * to within 1e-6 of 0 or 1 — the signature of (quasi-)separated counts, where
 * ℓ keeps rising as |β| → ∞.
 */
export function mleExists(X: readonly (readonly number[])[], k: readonly number[], n: readonly number[]): boolean {
  try {
    const f = logisticFit(X, k, n, { firth: false, maxIterations: 100, tolerance: 1e-8 });
    return f.converged && f.fitted.every((pi, i) => n[i] === 0 || (pi > 1e-6 && pi < 1 - 1e-6));
  } catch {
    return false;
  }
}

/** Likelihood-ratio test of a nested (reduced) fit against a full one: 2(ℓ*_full − ℓ*_reduced) ~ χ²(df). */
export function likelihoodRatioTest(full: LogisticFit, reduced: LogisticFit): { statistic: number; df: number; p: number } {
  const df = full.coef.length - reduced.coef.length;
  if (!(df > 0))
    throw new RangeError(`likelihoodRatioTest: the full model needs more coefficients (${full.coef.length} vs ${reduced.coef.length})`);
  const statistic = Math.max(0, 2 * (full.penalizedLogLik - reduced.penalizedLogLik));
  return { statistic, df, p: chiSquareSf(statistic, df) };
}

/**
 * The delta-method standard error of a smooth function g(β): √(∇gᵀ Σ ∇g),
 * with ∇g supplied.
 */
export function deltaSe(grad: readonly number[], cov: readonly (readonly number[])[]): number {
  let v = 0;
  for (let r = 0; r < grad.length; r++) for (let c = 0; c < grad.length; c++) v += grad[r]! * cov[r]![c]! * grad[c]!;
  return Math.sqrt(Math.max(0, v));
}
