/**
 * Two harmonic wells in d dimensions joined by a smoothed minimum (docs/models.md §1.3,
 * free energy of wells, capture by wide wells):
 *
 *   q_i(x) = −D_i + ½ Σ_j k_ij (x_j − c_ij)²,   f(x) = −θ_s ln(e^{−q₁/θ_s} + e^{−q₂/θ_s})
 *
 * `depth1`, `depth2` are DEPTHS D_i > 0: the bottom of well i is at energy −D_i,
 * so docs/models.md §1.3's θ* = 2(D₁ − D₂)/ln(k₁/k₂) holds literally (theory/two-wells.ts).
 * Each well is exactly harmonic up to terms ≤ θ_s e^{−(q_j − q_i)/θ_s}; the
 * smoothing only rounds the ridge q₁ = q₂ (f ≥ min q − θ_s ln 2 there), so its
 * effect on well free energies is bounded by θ_s ln 2 and confined to the ridge;
 * the exact 1-D occupancies (theory `twoWellsOccupancies1D`) include it. Keep
 * θ_s ≪ θ (default 0.01·min(D₁, D₂)). The gradient is the softmax-weighted mix
 * w₁∇q₁ + w₂∇q₂, bounded, so the negatively curved ridge needs no small η.
 *
 * Minima (for the `well` observable) are the Newton-refined centres, in order
 * [well 1, well 2]; a well swallowed by the other (no local minimum) is an error.
 * Start (`ensemble.init: {kind: potential}`): the midpoint of the two centres.
 */
import type { Potential } from '../../engine/types.js';
import type { TwoWellsSpec } from '../../theory/two-wells.js';
import { defaultCoordinates, registerPotential, singleGroup } from '../registry.js';

export type { TwoWellsSpec } from '../../theory/two-wells.js';

/** Raw parameters as in a scenario: stiffness and centre may be numbers (see the schema). */
export interface TwoWellsParams {
  dim?: number | null;
  depth1?: number;
  depth2?: number;
  k1?: number | number[];
  k2?: number | number[];
  centre1?: number | number[];
  centre2?: number | number[];
  theta_s?: number | null;
}

/**
 * Resolve raw parameters: a stiffness number applies to every axis, a centre
 * number is the x0 coordinate (the others 0); θ_s null → 0.01·min(D₁, D₂).
 * The dimension is `dim`, or the length of any array given.
 */
export function resolveTwoWells(p: TwoWellsParams): TwoWellsSpec {
  const arrays = [p.k1, p.k2, p.centre1, p.centre2].filter((v): v is number[] => Array.isArray(v));
  const dim = arrays.length > 0 ? arrays[0]!.length : (p.dim ?? 1);
  if (!(Number.isInteger(dim) && dim >= 1)) throw new Error(`two-wells: dim must be an integer ≥ 1, got ${dim}`);
  if (p.dim != null && p.dim !== dim) throw new Error(`two-wells: dim = ${p.dim} but the arrays given have length ${dim}`);
  const stiff = (v: number | number[] | undefined, dflt: number, name: string): number[] => {
    const a = v === undefined ? new Array<number>(dim).fill(dflt) : typeof v === 'number' ? new Array<number>(dim).fill(v) : v;
    if (a.length !== dim) throw new Error(`two-wells: ${name} has ${a.length} entries, expected dim = ${dim}`);
    a.forEach((k) => {
      if (!(k > 0)) throw new Error(`two-wells: ${name} must be > 0, got ${k}`);
    });
    return [...a];
  };
  const centre = (v: number | number[] | undefined, dflt: number, name: string): number[] => {
    if (Array.isArray(v)) {
      if (v.length !== dim) throw new Error(`two-wells: ${name} has ${v.length} entries, expected dim = ${dim}`);
      return [...v];
    }
    const c = new Array<number>(dim).fill(0);
    c[0] = v ?? dflt;
    return c;
  };
  const depth1 = p.depth1 ?? 1;
  const depth2 = p.depth2 ?? 0.5;
  if (!(depth1 > 0 && depth2 > 0)) throw new Error(`two-wells: depths must be > 0 (bottoms at −depth), got ${depth1}, ${depth2}`);
  const thetaS = p.theta_s ?? 0.01 * Math.min(depth1, depth2);
  if (!(thetaS > 0)) throw new Error(`two-wells: theta_s must be > 0, got ${thetaS}`);
  const spec: TwoWellsSpec = {
    depth1,
    depth2,
    k1: stiff(p.k1, 4, 'k1'),
    k2: stiff(p.k2, 1, 'k2'),
    centre1: centre(p.centre1, -2, 'centre1'),
    centre2: centre(p.centre2, 2, 'centre2'),
    thetaS,
  };
  if (spec.centre1.every((c, j) => c === spec.centre2[j])) throw new Error('two-wells: centre1 and centre2 coincide');
  return spec;
}

export function twoWells(spec: TwoWellsSpec): Potential {
  const dim = spec.k1.length;
  const K1 = Float64Array.from(spec.k1);
  const K2 = Float64Array.from(spec.k2);
  const C1 = Float64Array.from(spec.centre1);
  const C2 = Float64Array.from(spec.centre2);
  const D1 = spec.depth1;
  const D2 = spec.depth2;
  const ts = spec.thetaS;
  const invTs = 1 / ts;

  const energyAndGradient: Potential['energyAndGradient'] = (x, count, energy, grad) => {
    for (let r = 0; r < count; r++) {
      const base = r * dim;
      let q1 = -D1;
      let q2 = -D2;
      for (let j = 0; j < dim; j++) {
        const d1 = x[base + j] - C1[j];
        const d2 = x[base + j] - C2[j];
        q1 += 0.5 * K1[j] * d1 * d1;
        q2 += 0.5 * K2[j] * d2 * d2;
      }
      // Softmin weights w_i = e^{−q_i/θs}/Σ, and f = min q − θs ln(1 + e^{−|q1−q2|/θs}).
      const e = Math.exp(-Math.abs(q1 - q2) * invTs);
      const wMin = 1 / (1 + e);
      const w1 = q1 <= q2 ? wMin : 1 - wMin;
      const w2 = 1 - w1;
      energy[r] = (q1 <= q2 ? q1 : q2) - ts * Math.log1p(e);
      for (let j = 0; j < dim; j++) {
        const xj = x[base + j];
        grad[base + j] = w1 * K1[j] * (xj - C1[j]) + w2 * K2[j] * (xj - C2[j]);
      }
    }
  };

  // 1-D: the same floating-point expression as the batched gradient, for the fused integrator path.
  const k1 = K1[0];
  const k2 = K2[0];
  const c1 = C1[0];
  const c2 = C2[0];
  const gradient1D =
    dim === 1
      ? (xj: number): number => {
          let q1 = -D1;
          let q2 = -D2;
          const d1 = xj - c1;
          const d2 = xj - c2;
          q1 += 0.5 * k1 * d1 * d1;
          q2 += 0.5 * k2 * d2 * d2;
          const e = Math.exp(-Math.abs(q1 - q2) * invTs);
          const wMin = 1 / (1 + e);
          const w1 = q1 <= q2 ? wMin : 1 - wMin;
          const w2 = 1 - w1;
          return w1 * k1 * (xj - c1) + w2 * k2 * (xj - c2);
        }
      : undefined;

  const minima = [findMinimum(spec, 0), findMinimum(spec, 1)];
  const mid = C1.map((c, j) => 0.5 * (c + C2[j]));
  return {
    name: 'two-wells',
    dim,
    coordinates: defaultCoordinates(dim),
    groups: singleGroup(dim),
    minima,
    energyAndGradient,
    gradient1D,
    initialise(out, offset) {
      out.set(mid, offset);
    },
  };
}

/**
 * The minimum of well i by Newton's method from its centre. Hessian of the
 * softmin: H = w₁K₁ + w₂K₂ − (w₁w₂/θ_s)(∇q₁ − ∇q₂)(∇q₁ − ∇q₂)ᵀ.
 */
function findMinimum(spec: TwoWellsSpec, i: 0 | 1): number[] {
  const dim = spec.k1.length;
  const ks = [spec.k1, spec.k2];
  const cs = [spec.centre1, spec.centre2];
  const ds = [spec.depth1, spec.depth2];
  const x = [...cs[i]!];
  const H = new Float64Array(dim * dim);
  const g = new Float64Array(dim);
  const dq = new Float64Array(dim);
  let scale = 0;
  for (let j = 0; j < dim; j++) scale += ks[0]![j]! + ks[1]![j]!;
  const evaluate = (): void => {
    const q = [0, 1].map((w) => {
      let s = -ds[w]!;
      for (let j = 0; j < dim; j++) s += 0.5 * ks[w]![j]! * (x[j]! - cs[w]![j]!) ** 2;
      return s;
    });
    const e = Math.exp(-Math.abs(q[0]! - q[1]!) / spec.thetaS);
    const w1 = q[0]! <= q[1]! ? 1 / (1 + e) : e / (1 + e);
    const w2 = 1 - w1;
    for (let j = 0; j < dim; j++) {
      const g1 = ks[0]![j]! * (x[j]! - cs[0]![j]!);
      const g2 = ks[1]![j]! * (x[j]! - cs[1]![j]!);
      g[j] = w1 * g1 + w2 * g2;
      dq[j] = g1 - g2;
    }
    const c = (w1 * w2) / spec.thetaS;
    for (let j = 0; j < dim; j++)
      for (let l = 0; l < dim; l++) H[j * dim + l] = (j === l ? w1 * ks[0]![j]! + w2 * ks[1]![j]! : 0) - c * dq[j]! * dq[l]!;
  };
  const fail = (why: string): never => {
    throw new Error(
      `two-wells: well ${i + 1} has no local minimum near its centre (${why}); the other well's paraboloid lies below it there — deepen it or move the centres apart`,
    );
  };
  for (let it = 0; it < 50; it++) {
    evaluate();
    const s = solve(H, g, dim) ?? fail('Hessian not positive definite');
    let norm = 0;
    for (let j = 0; j < dim; j++) {
      x[j] -= s[j]!;
      norm += s[j]! * s[j]!;
    }
    if (Math.sqrt(norm) < 1e-15 * (1 + Math.hypot(...x))) break;
  }
  evaluate();
  let gn = 0;
  for (let j = 0; j < dim; j++) gn += g[j]! * g[j]!;
  if (!(Math.sqrt(gn) <= 1e-9 * scale * (1 + Math.hypot(...x)))) fail('Newton did not converge');
  if (!solve(H, g, dim)) fail('Hessian not positive definite');
  // Nearer to its own centre than to the other: otherwise Newton slid into the other well.
  const dOwn = Math.hypot(...x.map((v, j) => v - cs[i]![j]!));
  const dOther = Math.hypot(...x.map((v, j) => v - cs[1 - i]![j]!));
  if (!(dOwn < dOther)) fail('Newton slid into the other well');
  return x;
}

/** Solve H s = g by Cholesky (H symmetric); undefined if H is not positive definite. */
function solve(H: Float64Array, g: Float64Array, n: number): number[] | undefined {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = H[i * n + j]!;
      for (let k = 0; k < j; k++) s -= L[i * n + k]! * L[j * n + k]!;
      if (i === j) {
        if (!(s > 0)) return undefined;
        L[i * n + i] = Math.sqrt(s);
      } else L[i * n + j] = s / L[j * n + j]!;
    }
  const y = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let s = g[i]!;
    for (let k = 0; k < i; k++) s -= L[i * n + k]! * y[k]!;
    y[i] = s / L[i * n + i]!;
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * y[k]!;
    y[i] = s / L[i * n + i]!;
  }
  return y;
}

const numberOrArray = (positive: boolean, description: string, dflt: number) => ({
  default: dflt,
  description,
  oneOf: positive
    ? [
        { type: 'number', exclusiveMinimum: 0 },
        { type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, minItems: 1 },
      ]
    : [{ type: 'number' }, { type: 'array', items: { type: 'number' }, minItems: 1 }],
});

registerPotential({
  name: 'two-wells',
  description: 'softmin of two harmonic wells −D_i + ½ Σ k_ij (x_j − c_ij)² in d dimensions: depth vs width (free energy of wells)',
  paramsSchema: {
    type: 'object',
    properties: {
      dim: {
        type: ['integer', 'null'],
        minimum: 1,
        default: null,
        description: 'dimension d; null = the length of any array parameter, else 1',
      },
      depth1: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'depth D₁ of well 1: its bottom is at energy −D₁' },
      depth2: { type: 'number', exclusiveMinimum: 0, default: 0.5, description: 'depth D₂ of well 2: its bottom is at energy −D₂' },
      k1: numberOrArray(true, 'stiffness of well 1: a number (every axis) or one per axis', 4),
      k2: numberOrArray(true, 'stiffness of well 2: a number (every axis) or one per axis', 1),
      centre1: numberOrArray(false, 'centre of well 1: a number (x0; other axes 0) or a point', -2),
      centre2: numberOrArray(false, 'centre of well 2: a number (x0; other axes 0) or a point', 2),
      theta_s: {
        type: ['number', 'null'],
        exclusiveMinimum: 0,
        default: null,
        description: 'smoothing temperature of the minimum (keep ≪ θ); null = 0.01·min(depth1, depth2)',
      },
    },
    additionalProperties: false,
  },
  create: (p) => twoWells(resolveTwoWells(p as TwoWellsParams)),
});
