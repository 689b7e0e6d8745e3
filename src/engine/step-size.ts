/**
 * Curvature-scaled, prior-preconditioned step sizes (docs/models.md §2: "step sizes
 * preconditioned by the prior").
 *
 * With a diagonal preconditioner M (one scale per parameter group, the
 * potential's `preconditioner`, e.g. the prior variances s_w², s_a²), the
 * overdamped Langevin step x_g ← x_g − η_g ∇_g U + sqrt(2 η_g θ) ξ with
 * η_g = h·M_g samples exp(−U/θ) like plain SGLD does in the coordinates
 * M^{-1/2} x, where the prior term has unit curvature. The explicit scheme is
 * stable for h·L < 2, with L the largest curvature |λ_max(M^{1/2} ∇²U M^{1/2})|
 * (≈ 1 + the largest curvature of the data term). We take
 *
 *   η_g = c · M_g / (safety · L),
 *
 * L estimated by power iteration with finite-difference Hessian–vector
 * products at `probes` initial states of the ensemble (replicas 0 … probes−1,
 * which every shard can regenerate, so the choice is the same for any number
 * of workers), the largest over probes. `safety` (default 2) leaves room for
 * the curvature to grow as the weights move away from the initial ensemble
 * (e.g. into the condensed, "droplet" saddles): the run stays stable while
 * the curvature stays below 2·safety/c times the initial estimate.
 */
import { Stream } from '../random/rng.js';
import type { Potential } from './types.js';

export interface CurvatureStepSpec {
  /** Fraction of the stability limit 1/L (c ≈ 0.3). */
  c: number;
  /** The estimated curvature is multiplied by this before use. */
  safety: number;
  /** Initial states used to estimate the curvature. */
  probes: number;
}

export interface StepSizeChoice {
  /** Largest preconditioned curvature over the probes (before the safety factor). */
  curvature: number;
  /** Per probe. */
  perProbe: number[];
  /** Chosen learning rate per parameter group. */
  lr: Record<string, number>;
  /** The preconditioner used per group (1 where the potential gives none). */
  preconditioner: Record<string, number>;
}

/**
 * Largest |eigenvalue| of M^{1/2} H M^{1/2} at each of `count` points
 * (`x`, replica-major), by power iteration (at most 200 iterations, relative
 * change < 1e-6) with central-difference Hessian–vector products. All probes
 * advance together, so each iteration is one batched gradient call.
 */
export function preconditionedCurvature(potential: Potential, x: Float64Array, count: number, scale: Float64Array): number[] {
  const dim = potential.dim;
  const sqrtM = scale.map(Math.sqrt);
  const v = new Float64Array(count * dim);
  const rng = new Stream('curvature', 0, 0);
  for (let i = 0; i < v.length; i++) v[i] = rng.normal();
  const xp = new Float64Array(2 * count * dim);
  const g = new Float64Array(2 * count * dim);
  const e = new Float64Array(2 * count);
  const lambda = new Array<number>(count).fill(0);
  const done = new Array<boolean>(count).fill(false);
  const eps = new Float64Array(count);
  for (let r = 0; r < count; r++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += x[r * dim + j] ** 2;
    eps[r] = 1e-5 * Math.max(1, Math.sqrt(s / dim));
  }
  for (let it = 0; it < 200; it++) {
    // Normalise v; u = M^{1/2} v; evaluate gradients at x ± eps u.
    for (let r = 0; r < count; r++) {
      let n = 0;
      for (let j = 0; j < dim; j++) n += v[r * dim + j] ** 2;
      n = Math.sqrt(n) || 1;
      for (let j = 0; j < dim; j++) {
        const vj = (v[r * dim + j] /= n);
        const u = eps[r] * sqrtM[j] * vj;
        xp[r * dim + j] = x[r * dim + j] + u;
        xp[(count + r) * dim + j] = x[r * dim + j] - u;
      }
    }
    potential.energyAndGradient(xp, 2 * count, e, g);
    let moving = false;
    for (let r = 0; r < count; r++) {
      // w = M^{1/2} H M^{1/2} v; Rayleigh quotient vᵀw (|v| = 1).
      let q = 0;
      for (let j = 0; j < dim; j++) {
        const w = (sqrtM[j] * (g[r * dim + j] - g[(count + r) * dim + j])) / (2 * eps[r]);
        q += w * v[r * dim + j];
        v[r * dim + j] = w;
      }
      const l = Math.abs(q);
      if (!done[r]) {
        if (it > 5 && Math.abs(l - lambda[r]) <= 1e-6 * l) done[r] = true;
        else moving = true;
        lambda[r] = l;
      }
    }
    if (!moving) break;
  }
  return lambda;
}

/**
 * Step sizes η_g = c·M_g/(safety·L) for every group of the potential, with L
 * the largest preconditioned curvature over the given initial states.
 */
export function curvatureStepSizes(potential: Potential, x: Float64Array, count: number, spec: CurvatureStepSpec): StepSizeChoice {
  const dim = potential.dim;
  const scale = new Float64Array(dim).fill(1);
  const preconditioner: Record<string, number> = {};
  for (const g of potential.groups) {
    const m = potential.preconditioner?.[g.name] ?? 1;
    if (!(m > 0) || !Number.isFinite(m))
      throw new Error(`potential '${potential.name}': preconditioner of group '${g.name}' is ${m}, expected a finite number > 0`);
    preconditioner[g.name] = m;
    scale.fill(m, g.offset, g.offset + g.size);
  }
  const perProbe = preconditionedCurvature(potential, x, count, scale);
  const curvature = Math.max(...perProbe);
  if (!(curvature > 0) || !Number.isFinite(curvature))
    throw new Error(
      `dynamics.step_size: the estimated curvature of '${potential.name}' at the initial ensemble is ${curvature}; give dynamics.lr instead`,
    );
  const lr: Record<string, number> = {};
  for (const g of potential.groups) lr[g.name] = (spec.c * preconditioner[g.name]) / (spec.safety * curvature);
  return { curvature, perProbe, lr, preconditioner };
}
