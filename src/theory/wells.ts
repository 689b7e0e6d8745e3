/**
 * Free energy of wells and capture by wide wells (docs/models.md §1.3).
 * F(U) = −θ ln ∫_U e^{−f/θ} dx = E − θS; occupancy of well i ∝ exp(−F_i/θ).
 * Units: energies and θ in the units of f; lengths in the units of x.
 */
import { logIntegrateExp } from './quadrature.js';

/**
 * Exact 1-D free energy of the well U = [lo, hi] (docs/models.md §1.3):
 * `F = −θ ln ∫_lo^hi e^{−f/θ} dx` by stable quadrature. Note F depends on the
 * length unit (adds θ ln(unit)); only differences between wells are physical.
 */
export function wellFreeEnergy1D(f: (x: number) => number, theta: number, lo: number, hi: number): number {
  return -theta * logIntegrateExp(f, lo, hi, theta);
}

/**
 * Harmonic (Laplace) free energy of a well of depth E with Hessian eigenvalues
 * k_j > 0 (docs/models.md §1.3): `F ≈ E − (θ/2) Σ_j ln(2πθ / k_j)`. `k` may be one
 * stiffness (1-D) or the list of eigenvalues (d dimensions).
 */
export function harmonicWellFreeEnergy(E: number, k: number | readonly number[], theta: number): number {
  const ks = typeof k === 'number' ? [k] : k;
  let s = 0;
  for (const kj of ks) {
    if (!(kj > 0)) throw new RangeError(`harmonicWellFreeEnergy: stiffness must be > 0, got ${kj}`);
    s += Math.log((2 * Math.PI * theta) / kj);
  }
  return E - (theta / 2) * s;
}

/**
 * Temperature at which two harmonic wells (depths E₁, E₂; stiffnesses k₁, k₂ —
 * numbers in 1-D or eigenvalue lists of equal length in d dimensions) have equal
 * harmonic free energy: `θ* = 2(E₁ − E₂) / Σ_j ln(k₂ⱼ/k₁ⱼ)`; in 1-D
 * `θ* = 2(E₁ − E₂)/ln(k₂/k₁) = 2(E₂ − E₁)/ln(k₁/k₂)`.
 * Derived from F₁(θ*) = F₂(θ*) with {@link harmonicWellFreeEnergy}. NOTE: docs/models.md
 * 1.3 prints `2(E₁ − E₂)/ln(k₁/k₂)`, which has the opposite sign (negative for a
 * deep narrow well vs a shallow wide one); this function returns the positive
 * crossover. Above θ* the wider well has the lower free energy. Returns NaN
 * when no positive crossover exists (e.g. the deeper well is also the wider).
 */
export function crossoverTemperature(E1: number, k1: number | readonly number[], E2: number, k2: number | readonly number[]): number {
  const a = typeof k1 === 'number' ? [k1] : k1;
  const b = typeof k2 === 'number' ? [k2] : k2;
  if (a.length !== b.length) throw new RangeError(`crossoverTemperature: dimension mismatch (${a.length} vs ${b.length})`);
  let s = 0;
  for (let j = 0; j < a.length; j++) s += Math.log(b[j]! / a[j]!);
  const t = (2 * (E1 - E2)) / s;
  return t > 0 && Number.isFinite(t) ? t : Number.NaN;
}

/**
 * Equilibrium occupancies of wells from their free energies (docs/models.md §1.3):
 * `p_i = exp(−F_i/θ) / Σ_j exp(−F_j/θ)`, computed with a max-shift.
 */
export function wellOccupancies(freeEnergies: readonly number[], theta: number): number[] {
  const l = freeEnergies.map((F) => -F / theta);
  const m = Math.max(...l);
  const w = l.map((v) => Math.exp(v - m));
  const z = w.reduce((x, y) => x + y, 0);
  return w.map((v) => v / z);
}
