/**
 * A cloud of repons (docs/models.md §3.1 generalised; GenEFT Sec. 5): N = k·n
 * embeddings x_i ∈ R^d in k clusters of n (equivalence classes), one shared
 * linear decoder D(x) = A x + b (A ∈ R^{m×d}), cluster targets y_c ∈ R^m, loss
 *
 *   ℓ = ½ Σ_i |A x_i + b − y_{c(i)}|².
 *
 * Every same-cluster pair is a repon pair (GenEFT Eq. 7) and the clusters are
 * held apart by their different targets. With e_i = A x_i + b − y_{c(i)}:
 * ∂A = Σ e_i x_iᵀ, ∂b = Σ e_i, ∂x_i = Aᵀ e_i. Gradient flow with rates η_A
 * (group `decoder`) and η_x (group `repons`) conserves AᵀA/η_A − Σ x_i x_iᵀ/η_x
 * (d×d); observable `balance` is its trace ‖A‖_F²/η_A − Σ|x_i|²/η_x (params
 * `eta_A`, `eta_x`, used by it only — keep them equal to the group rates).
 *
 * What to expect: a zero-loss state needs A(x_i − x_j) = 0 within a cluster, so
 * within-cluster differences along the decoder's row space always vanish
 * (`within_along_A` → 0). In d = 1 with distinct targets A ≠ 0 is forced, so
 * every cluster collapses to a point; when d > m the components orthogonal to
 * the row space of A survive (no full collapse), as for the repon pair with a
 * row-vector decoder.
 *
 * Targets: `spaced` = y_c = spacing·(c − (k−1)/2) in every output component;
 * `random` = N(0, spacing²) per component, drawn from the scenario seed only.
 * Initialisation: A ~ N(0, σ_a²), b ~ N(0, σ_b²), x_i ~ N(0, σ_x²) i.i.d. (the
 * clusters are not separated at the start). Layout: group `decoder` = [A (m×d
 * row-major), b (m)], group `repons` = [x_0 … x_{N−1}], repon i in cluster ⌊i/n⌋.
 */
import { Stream } from '../../random/rng.js';
import type { Potential, PotentialObservable } from '../../engine/types.js';
import { registerPotential, type BuildContext } from '../registry.js';
import { rowSpaceProjection2 } from '../../linalg/dense.js';

export interface ReponCloudParams {
  /** Number of clusters. */
  k: number;
  /** Repons per cluster. */
  n: number;
  /** Embedding dimension. */
  d: number;
  /** Decoder outputs. */
  m: number;
  targets: 'spaced' | 'random';
  /** Target spacing (spaced) or spread (random). */
  spacing: number;
  sigma_a: number;
  sigma_b: number;
  sigma_x: number;
  /** Rates for the `balance` observable only. */
  eta_A: number;
  eta_x: number;
  /** A cluster is collapsed when its RMS spread ≤ collision_tol·σ_x. */
  collision_tol: number;
}

export const reponCloudDefaults: ReponCloudParams = {
  k: 3,
  n: 4,
  d: 2,
  m: 1,
  targets: 'spaced',
  spacing: 1,
  sigma_a: 1,
  sigma_b: 0,
  sigma_x: 1,
  eta_A: 1,
  eta_x: 1,
  collision_tol: 1e-3,
};

export function resolveReponCloud(params: Partial<ReponCloudParams> | Record<string, unknown>): ReponCloudParams {
  const p = { ...reponCloudDefaults, ...(params as Partial<ReponCloudParams>) };
  const name = 'repon-cloud';
  for (const key of ['k', 'n', 'd', 'm'] as const)
    if (!(Number.isInteger(p[key]) && p[key] >= 1)) throw new Error(`${name}: ${key} = ${p[key]}, expected an integer ≥ 1`);
  for (const key of ['spacing', 'sigma_a', 'sigma_x', 'eta_A', 'eta_x', 'collision_tol'] as const)
    if (!(p[key] > 0)) throw new Error(`${name}: ${key} = ${p[key]}, expected > 0`);
  if (!(p.sigma_b >= 0)) throw new Error(`${name}: sigma_b = ${p.sigma_b}, expected ≥ 0`);
  if (p.targets !== 'spaced' && p.targets !== 'random')
    throw new Error(`${name}: targets = ${JSON.stringify(p.targets)}, expected 'spaced' or 'random'`);
  return p;
}

/** The k×m cluster targets (row-major). */
export function reponCloudTargets(params: Partial<ReponCloudParams> | Record<string, unknown>, ctx: BuildContext): Float64Array {
  const p = resolveReponCloud(params);
  const Y = new Float64Array(p.k * p.m);
  if (p.targets === 'spaced') {
    for (let c = 0; c < p.k; c++) for (let j = 0; j < p.m; j++) Y[c * p.m + j] = p.spacing * (c - (p.k - 1) / 2);
  } else {
    const rng = new Stream(`${ctx.seed}/data:repon-cloud/${p.k}/${p.m}`, 0, 0);
    for (let i = 0; i < Y.length; i++) Y[i] = p.spacing * rng.normal();
  }
  return Y;
}

export function reponCloud(params: Partial<ReponCloudParams> | Record<string, unknown>, ctx: BuildContext): Potential {
  const p = resolveReponCloud(params);
  const { k, n, d, m } = p;
  const N = k * n;
  const nA = m * d;
  const oB = nA;
  const oX = nA + m;
  const dim = oX + N * d;
  const Y = reponCloudTargets(p, ctx);
  const e = new Float64Array(m);

  function energyAndGradient(x: Float64Array, count: number, energy: Float64Array, grad: Float64Array): void {
    for (let r = 0; r < count; r++) {
      const o = r * dim;
      for (let j = 0; j < oX; j++) grad[o + j] = 0;
      let en = 0;
      for (let i = 0; i < N; i++) {
        const xo = o + oX + i * d;
        const yo = Math.floor(i / n) * m;
        for (let q = 0; q < m; q++) {
          let v = x[o + oB + q] - Y[yo + q];
          const ao = o + q * d;
          for (let j = 0; j < d; j++) v += x[ao + j] * x[xo + j];
          e[q] = v;
          en += v * v;
          grad[o + oB + q] += v;
          for (let j = 0; j < d; j++) grad[ao + j] += v * x[xo + j];
        }
        for (let j = 0; j < d; j++) {
          let g = 0;
          for (let q = 0; q < m; q++) g += x[o + q * d + j] * e[q];
          grad[xo + j] = g;
        }
      }
      energy[r] = 0.5 * en;
    }
  }

  // ---- observables ----
  const mu = new Float64Array(k * d);
  const spread = new Float64Array(k);
  const along = new Float64Array(k);
  const dev = new Float64Array(d);
  const Q = new Float64Array(nA);
  /** Cluster means into mu, RMS spreads into spread, RMS spreads along the row space of A into along. */
  function clusters(x: Float64Array, o: number): void {
    mu.fill(0);
    for (let i = 0; i < N; i++) {
      const c = Math.floor(i / n);
      for (let j = 0; j < d; j++) mu[c * d + j] += x[o + oX + i * d + j] / n;
    }
    spread.fill(0);
    along.fill(0);
    for (let i = 0; i < N; i++) {
      const c = Math.floor(i / n);
      for (let j = 0; j < d; j++) {
        dev[j] = x[o + oX + i * d + j] - mu[c * d + j];
        spread[c] += dev[j] * dev[j];
      }
      along[c] += rowSpaceProjection2(x, o, m, d, dev, 0, Q);
    }
    for (let c = 0; c < k; c++) {
      spread[c] = Math.sqrt(spread[c] / n);
      along[c] = Math.sqrt(along[c] / n);
    }
  }
  const tol = p.collision_tol * p.sigma_x;
  const scalar = (name: string, description: string, f: (x: Float64Array, o: number) => number): PotentialObservable => ({
    name,
    description,
    units: 1,
    evaluate(x, count, out) {
      for (let r = 0; r < count; r++) out[r] = f(x, r * dim);
    },
  });
  const mean = (v: Float64Array) => v.reduce((s, t) => s + t, 0) / v.length;
  const observables: PotentialObservable[] = [
    scalar('within', 'mean over clusters of the RMS distance of its repons from the cluster mean', (x, o) => {
      clusters(x, o);
      return mean(spread);
    }),
    scalar('within_along_A', 'as `within`, for the deviations projected on the row space of A (→ 0 at zero loss)', (x, o) => {
      clusters(x, o);
      return mean(along);
    }),
    scalar('between', 'RMS distance between the means of distinct clusters (0 for k = 1)', (x, o) => {
      if (k < 2) return 0;
      clusters(x, o);
      let s = 0;
      for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) for (let j = 0; j < d; j++) s += (mu[a * d + j] - mu[b * d + j]) ** 2;
      return Math.sqrt(s / ((k * (k - 1)) / 2));
    }),
    scalar('collapsed_fraction', `fraction of clusters whose RMS spread ≤ collision_tol·σ_x = ${tol}`, (x, o) => {
      clusters(x, o);
      let c = 0;
      for (let a = 0; a < k; a++) if (spread[a] <= tol) c++;
      return c / k;
    }),
    {
      name: 'cluster_spread',
      description: 'per cluster: RMS distance of its repons from the cluster mean',
      units: k,
      evaluate(x, count, out) {
        for (let r = 0; r < count; r++) {
          clusters(x, r * dim);
          out.set(spread, r * k);
        }
      },
    },
    scalar('balance', '‖A‖_F²/η_A − Σ|x_i|²/η_x, conserved by gradient flow with rates η_A, η_x', (x, o) => {
      let a2 = 0;
      for (let j = 0; j < nA; j++) a2 += x[o + j] * x[o + j];
      let x2 = 0;
      for (let j = oX; j < dim; j++) x2 += x[o + j] * x[o + j];
      return a2 / p.eta_A - x2 / p.eta_x;
    }),
  ];

  const coordinates: string[] = [];
  for (let q = 0; q < m; q++) for (let j = 0; j < d; j++) coordinates.push(`A${q}_${j}`);
  for (let q = 0; q < m; q++) coordinates.push(`b${q}`);
  for (let i = 0; i < N; i++) for (let j = 0; j < d; j++) coordinates.push(`x${i}_${j}`);

  return {
    name: 'repon-cloud',
    dim,
    coordinates,
    groups: [
      { name: 'decoder', offset: 0, size: oX },
      { name: 'repons', offset: oX, size: N * d },
    ],
    initialise(out, offset, normal) {
      for (let j = 0; j < nA; j++) out[offset + j] = p.sigma_a * normal();
      for (let q = 0; q < m; q++) out[offset + oB + q] = p.sigma_b * normal();
      for (let j = 0; j < N * d; j++) out[offset + oX + j] = p.sigma_x * normal();
    },
    energyAndGradient,
    observables,
    info: { repons: N, collapse_threshold: tol },
  };
}

registerPotential({
  name: 'repon-cloud',
  description:
    'k clusters of n repons sharing one linear decoder Ax + b with cluster targets; groups decoder / repons; within/between separations, collapsed clusters',
  paramsSchema: {
    type: 'object',
    properties: {
      k: { type: 'integer', minimum: 1, default: reponCloudDefaults.k, description: 'clusters' },
      n: { type: 'integer', minimum: 1, default: reponCloudDefaults.n, description: 'repons per cluster' },
      d: { type: 'integer', minimum: 1, default: reponCloudDefaults.d, description: 'embedding dimension' },
      m: { type: 'integer', minimum: 1, default: reponCloudDefaults.m, description: 'decoder outputs' },
      targets: {
        enum: ['spaced', 'random'],
        default: reponCloudDefaults.targets,
        description: 'spaced: spacing·(c − (k−1)/2); random: N(0, spacing²) from the seed',
      },
      spacing: { type: 'number', exclusiveMinimum: 0, default: reponCloudDefaults.spacing, description: 'target spacing or spread' },
      sigma_a: { type: 'number', exclusiveMinimum: 0, default: reponCloudDefaults.sigma_a, description: 'initial spread of A' },
      sigma_b: { type: 'number', minimum: 0, default: reponCloudDefaults.sigma_b, description: 'initial spread of b' },
      sigma_x: {
        type: 'number',
        exclusiveMinimum: 0,
        default: reponCloudDefaults.sigma_x,
        description: 'initial spread of every repon coordinate',
      },
      eta_A: { type: 'number', exclusiveMinimum: 0, default: reponCloudDefaults.eta_A, description: 'η_A for the balance observable only' },
      eta_x: { type: 'number', exclusiveMinimum: 0, default: reponCloudDefaults.eta_x, description: 'η_x for the balance observable only' },
      collision_tol: {
        type: 'number',
        exclusiveMinimum: 0,
        default: reponCloudDefaults.collision_tol,
        description: 'collapsed when the RMS spread ≤ collision_tol·sigma_x',
      },
    },
    additionalProperties: false,
  },
  create: (params, ctx) => reponCloud(params, ctx),
});
