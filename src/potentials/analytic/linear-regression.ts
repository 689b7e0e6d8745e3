/**
 * Bayesian linear regression: a potential with data, so minibatch SGLD (and its
 * gradient noise) can be tested against a closed form.
 *
 *   f(w) = Σ_μ (a_μ·w − b_μ)² / (2 s²) + |w|² / (2 σ_p²)
 *
 * Data (n samples, dimension d), drawn deterministically from the build seed:
 *   w* ~ N(0, I_d) / √d   (so a·w* has unit variance),
 *   a_μ ~ N(0, I_d),   b_μ = a_μ·w* + noise · N(0, 1).
 * The data set does not depend on `ctx.run`, so every sweep point and regime of
 * a scenario sees the same data; samples are drawn in order, so a larger n
 * extends the same data set.
 *
 * At θ = 1 the Gibbs density exp(−f) is the Gaussian posterior
 * (docs/models.md §2: SGLD at temperature 1 samples the Bayesian posterior) with
 * precision P = AᵀA/s² + I/σ_p² and mean P⁻¹ Aᵀb / s²
 * (`linearRegressionPosterior`).
 */
import { Stream } from '../../random/rng.js';
import type { Potential } from '../../engine/types.js';
import { defaultCoordinates, registerPotential, singleGroup, type BuildContext } from '../registry.js';

export interface LinearRegressionParams {
  /** Number of samples n (dataSize). */
  n: number;
  /** Dimension d of w. */
  d: number;
  /** Standard deviation of the label noise used to generate b. */
  noise: number;
  /** Likelihood standard deviation s in the energy. */
  sigma: number;
  /** Prior standard deviation σ_p. */
  prior: number;
}

export const linearRegressionDefaults: LinearRegressionParams = { n: 100, d: 2, noise: 0.5, sigma: 0.5, prior: 1 };

export interface LinearRegressionData {
  /** Design matrix, n × d row-major (row μ is a_μ). */
  A: Float64Array;
  /** Labels, length n. */
  b: Float64Array;
  /** The teacher weights w*. */
  wStar: Float64Array;
}

function resolve(params: Partial<LinearRegressionParams> | Record<string, unknown>): LinearRegressionParams {
  const p = { ...linearRegressionDefaults, ...(params as Partial<LinearRegressionParams>) };
  if (!Number.isInteger(p.n) || p.n < 1) throw new Error(`linear-regression: n = ${p.n}, expected an integer ≥ 1`);
  if (!Number.isInteger(p.d) || p.d < 1) throw new Error(`linear-regression: d = ${p.d}, expected an integer ≥ 1`);
  if (!(p.noise >= 0)) throw new Error(`linear-regression: noise = ${p.noise}, expected ≥ 0`);
  if (!(p.sigma > 0)) throw new Error(`linear-regression: sigma = ${p.sigma}, expected > 0`);
  if (!(p.prior > 0)) throw new Error(`linear-regression: prior = ${p.prior}, expected > 0`);
  return p;
}

/** The data set for these params and seed (deterministic; independent of ctx.run). */
export function linearRegressionData(
  params: Partial<LinearRegressionParams> | Record<string, unknown>,
  ctx: BuildContext,
): LinearRegressionData {
  const { n, d, noise } = resolve(params);
  // A key no replica stream can have (replica keys are all-numeric).
  const rng = new Stream(`${ctx.seed}/data:linear-regression`, 0, 0);
  const wStar = new Float64Array(d);
  for (let j = 0; j < d; j++) wStar[j] = rng.normal() / Math.sqrt(d);
  const A = new Float64Array(n * d);
  const b = new Float64Array(n);
  for (let mu = 0; mu < n; mu++) {
    let dot = 0;
    for (let j = 0; j < d; j++) {
      const v = rng.normal();
      A[mu * d + j] = v;
      dot += v * wStar[j];
    }
    b[mu] = dot + noise * rng.normal();
  }
  return { A, b, wStar };
}

export interface GaussianPosterior {
  mean: number[];
  /** Covariance P⁻¹ (d × d). */
  covariance: number[][];
  /** Precision P = AᵀA/s² + I/σ_p² (d × d). */
  precision: number[][];
}

/** Exact posterior (= Gibbs measure of f at θ = 1): Gaussian with precision AᵀA/s² + I/σ_p². */
export function linearRegressionPosterior(
  params: Partial<LinearRegressionParams> | Record<string, unknown>,
  ctx: BuildContext,
): GaussianPosterior {
  const p = resolve(params);
  const { A, b } = linearRegressionData(p, ctx);
  const { n, d } = p;
  const is2 = 1 / (p.sigma * p.sigma);
  const P = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  const h = new Array<number>(d).fill(0);
  for (let mu = 0; mu < n; mu++) {
    for (let j = 0; j < d; j++) {
      h[j] += A[mu * d + j] * b[mu] * is2;
      for (let k = 0; k < d; k++) P[j][k] += A[mu * d + j] * A[mu * d + k] * is2;
    }
  }
  for (let j = 0; j < d; j++) P[j][j] += 1 / (p.prior * p.prior);
  const L = cholesky(P);
  const covariance = Array.from({ length: d }, (_, k) => {
    const e = new Array<number>(d).fill(0);
    e[k] = 1;
    return cholSolve(L, e);
  });
  // Symmetrise (columns were solved separately; differences are rounding only).
  for (let j = 0; j < d; j++) for (let k = 0; k < j; k++) covariance[j][k] = covariance[k][j] = 0.5 * (covariance[j][k] + covariance[k][j]);
  return { mean: cholSolve(L, h), covariance, precision: P };
}

function cholesky(P: number[][]): number[][] {
  const d = P.length;
  const L = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      let s = P[i][j];
      for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
      L[i][j] = i === j ? Math.sqrt(s) : s / L[j][j];
    }
  return L;
}

function cholSolve(L: number[][], rhs: number[]): number[] {
  const d = L.length;
  const y = rhs.slice();
  for (let i = 0; i < d; i++) {
    for (let k = 0; k < i; k++) y[i] -= L[i][k] * y[k];
    y[i] /= L[i][i];
  }
  for (let i = d - 1; i >= 0; i--) {
    for (let k = i + 1; k < d; k++) y[i] -= L[k][i] * y[k];
    y[i] /= L[i][i];
  }
  return y;
}

export function linearRegression(params: Partial<LinearRegressionParams> | Record<string, unknown>, ctx: BuildContext): Potential {
  const p = resolve(params);
  const { n, d } = p;
  const { A, b } = linearRegressionData(p, ctx);
  const half_is2 = 0.5 / (p.sigma * p.sigma);
  const is2 = 1 / (p.sigma * p.sigma);
  const ip2 = 1 / (p.prior * p.prior);
  const prior = p.prior;
  const posterior = linearRegressionPosterior(p, ctx);

  return {
    name: 'linear-regression',
    dim: d,
    coordinates: defaultCoordinates(d),
    groups: singleGroup(d, 'w'),
    dataSize: n,
    // The MAP estimate (the posterior mean): f is a convex quadratic.
    minima: [posterior.mean],
    initialise(out, offset, normal) {
      for (let j = 0; j < d; j++) out[offset + j] = prior * normal();
    },
    energyAndGradient(x, count, energy, grad, batch) {
      const B = batch ? batch.size : n;
      // Unbiased estimate: prior + (n / B) Σ_{μ ∈ batch} (full batch: factor 1).
      const factor = batch ? n / B : 1;
      const idx = batch?.indices;
      for (let r = 0; r < count; r++) {
        const base = r * d;
        let data = 0;
        for (let j = 0; j < d; j++) grad[base + j] = 0;
        for (let k = 0; k < B; k++) {
          const mu = idx ? idx[r * B + k] : k;
          const row = mu * d;
          let res = -b[mu];
          for (let j = 0; j < d; j++) res += A[row + j] * x[base + j];
          data += res * res;
          for (let j = 0; j < d; j++) grad[base + j] += res * A[row + j];
        }
        let w2 = 0;
        const gs = factor * is2;
        for (let j = 0; j < d; j++) {
          const wj = x[base + j];
          w2 += wj * wj;
          grad[base + j] = gs * grad[base + j] + ip2 * wj;
        }
        energy[r] = factor * half_is2 * data + 0.5 * ip2 * w2;
      }
    },
  };
}

registerPotential({
  name: 'linear-regression',
  description: 'Bayesian linear regression on seeded synthetic data (n samples, d weights): minibatch SGLD vs the exact posterior',
  paramsSchema: {
    type: 'object',
    properties: {
      n: { type: 'integer', minimum: 1, default: linearRegressionDefaults.n, description: 'number of samples (dataSize)' },
      d: { type: 'integer', minimum: 1, default: linearRegressionDefaults.d, description: 'dimension of w' },
      noise: {
        type: 'number',
        minimum: 0,
        default: linearRegressionDefaults.noise,
        description: 'label noise std used to generate the data',
      },
      sigma: {
        type: 'number',
        exclusiveMinimum: 0,
        default: linearRegressionDefaults.sigma,
        description: 'likelihood std s in the energy',
      },
      prior: { type: 'number', exclusiveMinimum: 0, default: linearRegressionDefaults.prior, description: 'prior std of w' },
    },
    additionalProperties: false,
  },
  create: (p, ctx) => linearRegression(p, ctx),
});
