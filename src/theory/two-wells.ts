/**
 * Two harmonic wells joined by a smoothed minimum (docs/models.md §1.3, free energy of
 * wells; the `two-wells` potential):
 *
 *   q_i(x) = −D_i + ½ Σ_j k_ij (x_j − c_ij)²,   f(x) = −θ_s ln(e^{−q₁/θ_s} + e^{−q₂/θ_s})
 *
 * D_i > 0 is the DEPTH of well i (its bottom energy is −D_i), k_ij its stiffness
 * along axis j, c_i its centre, θ_s the smoothing temperature of the minimum.
 * min(q₁, q₂) − θ_s ln 2 ≤ f ≤ min(q₁, q₂): f differs from the exact piecewise
 * paraboloid only within ~θ_s of the ridge q₁ = q₂ (inside well i the deviation
 * is ≤ θ_s e^{−(q_j − q_i)/θ_s}), so each well is harmonic to exponential
 * accuracy and the free energies move by at most θ_s ln 2, from the ridge only.
 *
 * Convention (docs/models.md §1.3): with depths, F_i ≈ −D_i − (θ/2) Σ_j ln(2πθ/k_ij)
 * and the 1-D crossover is θ* = 2(D₁ − D₂)/ln(k₁/k₂), positive for a deep narrow
 * well 1 (D₁ > D₂, k₁ > k₂); the wide well wins above θ*. Units as in wells.ts.
 */
import { crossoverTemperature, harmonicWellFreeEnergy, wellOccupancies } from './wells.js';
import { integrate, logIntegrateExpDetailed } from './quadrature.js';

/** Resolved parameters of the two wells (per-axis stiffnesses and centres, length d). */
export interface TwoWellsSpec {
  /** Depths D₁, D₂ (bottoms at −D_i). */
  depth1: number;
  depth2: number;
  /** Stiffnesses k_1j, k_2j > 0 (length d). */
  k1: readonly number[];
  k2: readonly number[];
  /** Centres (length d). */
  centre1: readonly number[];
  centre2: readonly number[];
  /** Smoothing temperature θ_s > 0 of the minimum. */
  thetaS: number;
}

function paraboloid(x: ArrayLike<number>, depth: number, k: readonly number[], c: readonly number[]): number {
  let q = -depth;
  for (let j = 0; j < k.length; j++) {
    const d = x[j]! - c[j]!;
    q += 0.5 * k[j]! * d * d;
  }
  return q;
}

/** Reference (scalar) energy of the two wells at one point x (length d). */
export function twoWellsEnergy(spec: TwoWellsSpec, x: ArrayLike<number>): number {
  const q1 = paraboloid(x, spec.depth1, spec.k1, spec.centre1);
  const q2 = paraboloid(x, spec.depth2, spec.k2, spec.centre2);
  const lo = Math.min(q1, q2);
  return lo - spec.thetaS * Math.log1p(Math.exp(-Math.abs(q1 - q2) / spec.thetaS));
}

/**
 * Harmonic free energies of the two wells (docs/models.md §1.3, depths convention):
 * `F_i = −D_i − (θ/2) Σ_j ln(2πθ/k_ij)` (Gaussian integral of each full paraboloid).
 */
export function twoWellsHarmonicFreeEnergies(
  depth1: number,
  k1: number | readonly number[],
  depth2: number,
  k2: number | readonly number[],
  theta: number,
): [number, number] {
  return [harmonicWellFreeEnergy(-depth1, k1, theta), harmonicWellFreeEnergy(-depth2, k2, theta)];
}

/**
 * Harmonic (Gaussian-integral) occupancies in d dimensions:
 * `P_i ∝ exp(D_i/θ) Π_j sqrt(2πθ/k_ij)`, normalised. Exact for the Gibbs measure
 * of min(q₁, q₂) up to the Gaussian tail mass beyond the ridge, O(e^{−barrier/θ}).
 */
export function twoWellsHarmonicOccupancies(
  depth1: number,
  k1: number | readonly number[],
  depth2: number,
  k2: number | readonly number[],
  theta: number,
): [number, number] {
  const p = wellOccupancies(twoWellsHarmonicFreeEnergies(depth1, k1, depth2, k2, theta), theta);
  return [p[0]!, p[1]!];
}

/**
 * Crossover temperature of the two wells in the depths convention (docs/models.md §1.3
 * literally): `θ* = 2(D₁ − D₂)/Σ_j ln(k₁ⱼ/k₂ⱼ)` (1-D: `2(D₁ − D₂)/ln(k₁/k₂)`),
 * where the harmonic free energies are equal; {@link crossoverTemperature} with
 * bottom energies E_i = −D_i. NaN when there is no positive crossover.
 */
export function twoWellsCrossoverTemperature(
  depth1: number,
  k1: number | readonly number[],
  depth2: number,
  k2: number | readonly number[],
): number {
  return crossoverTemperature(-depth1, k1, -depth2, k2);
}

/** Exact free energies and occupancies, see {@link twoWellsOccupancies1D} and {@link twoWellsOccupanciesRadial}. */
export interface TwoWellsExact1D {
  /** P(x < split), P(x > split) under exp(−f/θ)/Z. */
  occupancies: [number, number];
  /** F_i = −θ ln ∫_{U_i} e^{−f/θ} dx over the two sides of the split. */
  freeEnergies: [number, number];
  /** The split point used. */
  split: number;
}

/**
 * Exact well occupancies of the 1-D `two-wells` potential by quadrature of
 * exp(−f/θ) on both sides of `split` (default: the midpoint of the two centres,
 * which is the boundary the `well` observable — nearest declared minimum — uses,
 * since the minima sit at the centres to exponential accuracy). Well 1 is the
 * side containing centre 1. Integration runs out to where f exceeds its minimum
 * by > 60θ (negligible mass beyond).
 */
export function twoWellsOccupancies1D(spec: TwoWellsSpec, theta: number, split?: number): TwoWellsExact1D {
  if (spec.k1.length !== 1 || spec.k2.length !== 1) throw new RangeError('twoWellsOccupancies1D: the wells must be 1-D');
  if (!(theta > 0)) throw new RangeError(`twoWellsOccupancies1D: θ must be > 0, got ${theta}`);
  const c1 = spec.centre1[0]!;
  const c2 = spec.centre2[0]!;
  const k1 = spec.k1[0]!;
  const k2 = spec.k2[0]!;
  if (c1 === c2) throw new RangeError('twoWellsOccupancies1D: the centres coincide');
  const s = split ?? 0.5 * (c1 + c2);
  const f = (x: number) => twoWellsEnergy(spec, [x]);
  const span = 2 * (60 * theta + Math.abs(spec.depth1) + Math.abs(spec.depth2));
  const lo = Math.min(c1 - Math.sqrt(span / k1), c2 - Math.sqrt(span / k2), s) - 1;
  const hi = Math.max(c1 + Math.sqrt(span / k1), c2 + Math.sqrt(span / k2), s) + 1;
  // The ridge q₁ = q₂ (roots of a quadratic) is a kink of width θ_s: give it to the quadrature.
  const A = 0.5 * (k1 - k2);
  const B = -(k1 * c1 - k2 * c2);
  const C = 0.5 * (k1 * c1 * c1 - k2 * c2 * c2) - spec.depth1 + spec.depth2;
  const ridge: number[] = [];
  if (Math.abs(A) < 1e-300) ridge.push(-C / B);
  else {
    const disc = B * B - 4 * A * C;
    if (disc >= 0) ridge.push((-B - Math.sqrt(disc)) / (2 * A), (-B + Math.sqrt(disc)) / (2 * A));
  }
  const bp = ridge.filter((r) => Number.isFinite(r) && r > lo && r < hi);
  const left = logIntegrateExpDetailed(f, lo, s, theta, { breakpoints: bp.filter((r) => r < s) });
  const right = logIntegrateExpDetailed(f, s, hi, theta, { breakpoints: bp.filter((r) => r > s) });
  const [l1, l2] = c1 < s ? [left.logValue, right.logValue] : [right.logValue, left.logValue];
  const F: [number, number] = [-theta * l1, -theta * l2];
  const p = wellOccupancies(F, theta);
  return { occupancies: [p[0]!, p[1]!], freeEnergies: F, split: s };
}

/** |S^{n}| = 2π^{(n+1)/2}/Γ((n+1)/2), the area of the unit n-sphere in R^{n+1} (n ≥ 0). */
function sphereArea(n: number): number {
  // Γ(h) for h = (n+1)/2, integer or half-integer.
  const h = (n + 1) / 2;
  let x = Number.isInteger(h) ? 1 : 0.5;
  let g = Number.isInteger(h) ? 1 : Math.sqrt(Math.PI);
  while (x < h - 1e-9) {
    g *= x;
    x += 1;
  }
  return (2 * Math.pow(Math.PI, h)) / g;
}

/**
 * Exact well occupancies and free energies of the d-dimensional `two-wells`
 * potential when each well is isotropic (k_i the same on every axis) and both
 * centres lie on the x0 axis: the wells are split by the hyperplane x0 = split
 * (default the midpoint of the centres — the nearest-minimum boundary of the
 * `well` observable) and `∫ e^{−f/θ} dx = |S^{d−2}| ∫dx0 ∫_0^∞ r^{d−2} e^{−f(x0, r)/θ} dr`
 * with r = |x⊥| is done by nested adaptive quadrature (the ridge q₁ = q₂ given
 * as a breakpoint). d = 1 is {@link twoWellsOccupancies1D}. Free energies carry
 * the length unit (only differences are physical), as in wells.ts.
 */
export function twoWellsOccupanciesRadial(spec: TwoWellsSpec, theta: number, split?: number): TwoWellsExact1D {
  const d = spec.k1.length;
  if (d === 1) return twoWellsOccupancies1D(spec, theta, split);
  if (!(theta > 0)) throw new RangeError(`twoWellsOccupanciesRadial: θ must be > 0, got ${theta}`);
  const k1 = spec.k1[0]!;
  const k2 = spec.k2[0]!;
  if (spec.k1.some((k) => k !== k1) || spec.k2.some((k) => k !== k2))
    throw new RangeError('twoWellsOccupanciesRadial: each well must be isotropic (one stiffness on every axis)');
  for (let j = 1; j < d; j++)
    if (spec.centre1[j] !== 0 || spec.centre2[j] !== 0)
      throw new RangeError('twoWellsOccupanciesRadial: both centres must lie on the x0 axis');
  const c1 = spec.centre1[0]!;
  const c2 = spec.centre2[0]!;
  if (c1 === c2) throw new RangeError('twoWellsOccupanciesRadial: the centres coincide');
  const s = split ?? 0.5 * (c1 + c2);
  const ts = spec.thetaS;
  const fmin = -Math.max(spec.depth1, spec.depth2);
  // f(x0, r) with r = |x⊥|: the same softmin as the potential.
  const f = (x0: number, r: number): number => {
    const q1 = -spec.depth1 + 0.5 * k1 * ((x0 - c1) * (x0 - c1) + r * r);
    const q2 = -spec.depth2 + 0.5 * k2 * ((x0 - c2) * (x0 - c2) + r * r);
    return Math.min(q1, q2) - ts * Math.log1p(Math.exp(-Math.abs(q1 - q2) / ts));
  };
  const span = 2 * (60 * theta + Math.abs(spec.depth1) + Math.abs(spec.depth2));
  const kMin = Math.min(k1, k2);
  const rMax = Math.sqrt(span / kMin);
  const lo = Math.min(c1 - Math.sqrt(span / k1), c2 - Math.sqrt(span / k2), s) - 1;
  const hi = Math.max(c1 + Math.sqrt(span / k1), c2 + Math.sqrt(span / k2), s) + 1;
  const inner = (x0: number): number => {
    // Ridge in r: q₁ − q₂ = a + ½(k₁ − k₂) r² = 0.
    const a = -spec.depth1 + spec.depth2 + 0.5 * k1 * (x0 - c1) ** 2 - 0.5 * k2 * (x0 - c2) ** 2;
    const bp: number[] = [];
    if (k1 !== k2) {
      const r2 = (-2 * a) / (k1 - k2);
      if (r2 > 0 && Math.sqrt(r2) < rMax) bp.push(Math.sqrt(r2));
    }
    // Gaussian scale in r near the axis: graded breakpoints keep the adaptive rule on the bulk.
    const w = Math.sqrt(theta / Math.max(k1, k2));
    for (const m of [0.5, 1, 2, 4, 8]) if (m * w < rMax) bp.push(m * w);
    return integrate((r) => Math.pow(r, d - 2) * Math.exp(-(f(x0, r) - fmin) / theta), 0, rMax, {
      absTol: 0,
      relTol: 1e-11,
      breakpoints: bp.sort((x, y) => x - y),
    });
  };
  // Kinks of the outer integrand where the ridge meets the axis (1-D ridge roots).
  const A = 0.5 * (k1 - k2);
  const B = -(k1 * c1 - k2 * c2);
  const C = 0.5 * (k1 * c1 * c1 - k2 * c2 * c2) - spec.depth1 + spec.depth2;
  const roots: number[] = [];
  if (A === 0) roots.push(-C / B);
  else if (B * B - 4 * A * C >= 0) roots.push((-B - Math.sqrt(B * B - 4 * A * C)) / (2 * A), (-B + Math.sqrt(B * B - 4 * A * C)) / (2 * A));
  const outerBp = (a: number, b: number) =>
    [...roots, c1, c2, c1 - Math.sqrt(theta / k1), c1 + Math.sqrt(theta / k1), c2 - Math.sqrt(theta / k2), c2 + Math.sqrt(theta / k2)]
      .filter((x) => Number.isFinite(x) && x > a && x < b)
      .sort((x, y) => x - y);
  const area = sphereArea(d - 2);
  const Zl = area * integrate(inner, lo, s, { absTol: 0, relTol: 1e-10, breakpoints: outerBp(lo, s) });
  const Zr = area * integrate(inner, s, hi, { absTol: 0, relTol: 1e-10, breakpoints: outerBp(s, hi) });
  const [z1, z2] = c1 < s ? [Zl, Zr] : [Zr, Zl];
  const F: [number, number] = [fmin - theta * Math.log(z1), fmin - theta * Math.log(z2)];
  const p = wellOccupancies(F, theta);
  return { occupancies: [p[0]!, p[1]!], freeEnergies: F, split: s };
}
