/**
 * Gaussian wells in d dimensions (docs/models.md §1.3, free energy of wells):
 *
 *   f(x) = −Σ_i D_i exp(−|x − c_i|² / (2 w_i²)) + (κ/2) |x|²
 *
 * D_i = depth, c_i = centre, w_i = width, κ = confinement (default 0). With
 * κ = 0 the Gibbs measure exp(−f/θ) is not normalisable (f → 0 at infinity);
 * κ > 0 makes it so. A deep narrow well next to a shallow wide one is the
 * setting of the entropic capture picture: the well's stiffness is ≈ D_i / w_i².
 */
import type { Potential } from '../../engine/types.js';
import { defaultCoordinates, registerPotential, singleGroup } from '../registry.js';

export interface GaussianWell {
  /** Depth D > 0 (energy units). */
  depth: number;
  /** Centre c, length d. */
  centre: number[];
  /** Width w > 0 (length units: the well's standard deviation). */
  width: number;
}

export function gaussianWells(wells: readonly GaussianWell[], confinement = 0): Potential {
  if (wells.length === 0) throw new Error('gaussian-wells: at least one well is required');
  const dim = wells[0].centre.length;
  if (dim < 1) throw new Error('gaussian-wells: well 0 has an empty centre');
  wells.forEach((w, i) => {
    if (w.centre.length !== dim) throw new Error(`gaussian-wells: well ${i} has a centre of length ${w.centre.length}, well 0 has ${dim}`);
    if (!(w.width > 0)) throw new Error(`gaussian-wells: well ${i} has width ${w.width}, expected > 0`);
    if (!Number.isFinite(w.depth)) throw new Error(`gaussian-wells: well ${i} has a non-finite depth`);
  });
  if (!(confinement >= 0)) throw new Error(`gaussian-wells: confinement ${confinement}, expected ≥ 0`);

  const m = wells.length;
  const C = new Float64Array(m * dim);
  const D = new Float64Array(m);
  /** 1 / w² (gradient factor) and −1 / (2w²) (exponent factor). */
  const invW2 = new Float64Array(m);
  const negHalfInvW2 = new Float64Array(m);
  wells.forEach((w, i) => {
    C.set(w.centre, i * dim);
    D[i] = w.depth;
    invW2[i] = 1 / (w.width * w.width);
    negHalfInvW2[i] = -0.5 * invW2[i];
  });
  const kappa = confinement;

  const energyAndGradient: Potential['energyAndGradient'] = (x, count, energy, grad) => {
    for (let r = 0; r < count; r++) {
      const base = r * dim;
      let sq = 0;
      for (let j = 0; j < dim; j++) {
        const xj = x[base + j];
        sq += xj * xj;
        grad[base + j] = kappa * xj;
      }
      let e = 0.5 * kappa * sq;
      for (let i = 0; i < m; i++) {
        const ci = i * dim;
        let d2 = 0;
        for (let j = 0; j < dim; j++) {
          const dj = x[base + j] - C[ci + j];
          d2 += dj * dj;
        }
        const t = D[i] * Math.exp(negHalfInvW2[i] * d2);
        e -= t;
        // ∂/∂x_j of −D e^{−d²/(2w²)} = D e^{…} (x_j − c_j) / w².
        const s = t * invW2[i];
        for (let j = 0; j < dim; j++) grad[base + j] += s * (x[base + j] - C[ci + j]);
      }
      energy[r] = e;
    }
  };
  return {
    name: 'gaussian-wells',
    dim,
    coordinates: defaultCoordinates(dim),
    groups: singleGroup(dim),
    minima: findMinima(wells, kappa, dim, energyAndGradient),
    energyAndGradient,
  };
}

/** Hessian of f at x into H (dim × dim, row-major). */
function hessian(wells: readonly GaussianWell[], kappa: number, x: Float64Array, H: Float64Array): void {
  const dim = x.length;
  H.fill(0);
  for (let j = 0; j < dim; j++) H[j * dim + j] = kappa;
  for (const w of wells) {
    const iw2 = 1 / (w.width * w.width);
    let d2 = 0;
    for (let j = 0; j < dim; j++) d2 += (x[j] - w.centre[j]) ** 2;
    const t = w.depth * Math.exp(-0.5 * iw2 * d2) * iw2;
    // ∂²/∂x_j∂x_k = D e (δ_jk / w² − (x_j − c_j)(x_k − c_k) / w⁴).
    for (let j = 0; j < dim; j++) {
      H[j * dim + j] += t;
      for (let k = 0; k < dim; k++) H[j * dim + k] -= t * iw2 * (x[j] - w.centre[j]) * (x[k] - w.centre[k]);
    }
  }
}

/** Cholesky solve H s = g in place (s returned in g); false if H is not positive definite. */
function choleskySolve(H: Float64Array, g: Float64Array): boolean {
  const n = g.length;
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = H[i * n + j];
      for (let k = 0; k < j; k++) s -= L[i * n + k] * L[j * n + k];
      if (i === j) {
        if (!(s > 0)) return false;
        L[i * n + i] = Math.sqrt(s);
      } else L[i * n + j] = s / L[j * n + j];
    }
  }
  for (let i = 0; i < n; i++) {
    let s = g[i];
    for (let k = 0; k < i; k++) s -= L[i * n + k] * g[k];
    g[i] = s / L[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = g[i];
    for (let k = i + 1; k < n; k++) s -= L[k * n + i] * g[k];
    g[i] = s / L[i * n + i];
  }
  return true;
}

/**
 * Local minima by damped Newton (gradient descent with backtracking where the
 * Hessian is not positive definite) from each centre; kept if the final
 * gradient vanishes and the Hessian is positive definite, deduplicated.
 */
function findMinima(wells: readonly GaussianWell[], kappa: number, dim: number, evaluate: Potential['energyAndGradient']): number[][] {
  const x = new Float64Array(dim);
  const trial = new Float64Array(dim);
  const g = new Float64Array(dim);
  const step = new Float64Array(dim);
  const H = new Float64Array(dim * dim);
  const e = new Float64Array(1);
  const eTrial = new Float64Array(1);
  const gTrial = new Float64Array(dim);
  const found: number[][] = [];
  const norm = (v: Float64Array) => Math.sqrt(v.reduce((s, a) => s + a * a, 0));
  const scale = wells.reduce((s, w) => s + Math.abs(w.depth) / w.width, 0) + kappa;

  for (const w of wells) {
    x.set(w.centre);
    evaluate(x, 1, e, g);
    for (let it = 0; it < 500 && norm(g) > 1e-13 * scale; it++) {
      hessian(wells, kappa, x, H);
      step.set(g);
      if (!choleskySolve(H, step)) step.set(g); // not convex here: steepest descent
      let a = 1;
      for (let ls = 0; ls < 60; ls++, a *= 0.5) {
        for (let j = 0; j < dim; j++) trial[j] = x[j] - a * step[j];
        evaluate(trial, 1, eTrial, gTrial);
        if (eTrial[0] <= e[0]) break;
      }
      x.set(trial);
      e[0] = eTrial[0];
      g.set(gTrial);
    }
    hessian(wells, kappa, x, H);
    step.fill(1);
    if (!(norm(g) <= 1e-8 * scale) || !choleskySolve(H, step)) continue;
    const candidate = Array.from(x);
    const duplicate = found.some((m) => Math.hypot(...m.map((v, j) => v - candidate[j])) < 1e-6 * (1 + norm(x)));
    if (!duplicate) found.push(candidate);
  }
  return found;
}

registerPotential({
  name: 'gaussian-wells',
  description: '−Σ D_i exp(−|x − c_i|²/(2 w_i²)) + (κ/2)|x|² in d dimensions: wells of chosen depth and width',
  paramsSchema: {
    type: 'object',
    properties: {
      wells: {
        type: 'array',
        minItems: 1,
        description: 'the wells; every centre has the same length d (the dimension)',
        items: {
          type: 'object',
          properties: {
            depth: { type: 'number', default: 1, description: 'depth D (energy)' },
            centre: { type: 'array', items: { type: 'number' }, minItems: 1, description: 'centre c (length d)' },
            width: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'width w (length)' },
          },
          required: ['centre'],
          additionalProperties: false,
        },
      },
      confinement: {
        type: 'number',
        minimum: 0,
        default: 0,
        description: 'κ of the harmonic confinement (κ/2)|x|²; > 0 makes the Gibbs measure normalisable',
      },
    },
    required: ['wells'],
    additionalProperties: false,
  },
  create: (p) => gaussianWells(p.wells as GaussianWell[], p.confinement as number),
});
