/**
 * `wells` (run scope; docs/models.md §1.3, free energy of wells): per-well
 * occupancies of the final state, F_i = −θ ln P_i relative to the most
 * occupied well, ΔF between wells, each with a 95 % CI, against theory.
 *
 * Wells are the values of the `by` observable (default `well`: the index of the
 * nearest declared minimum, so the wells are the Voronoi cells of the minima;
 * it must be in observe.observables). Replicas that diverged are dropped.
 *
 * Measured: P_i = n_i/N with the Wilson 95 % interval. F_i − F_ref = −θ ln(n_i/n_ref)
 * (ref = the most occupied well) and ΔF_ij = F_j − F_i = −θ ln(n_j/n_i) with the
 * interval from the Wilson interval of q = n_j/(n_i + n_j) (given n_i + n_j,
 * n_j is binomial; ΔF = −θ ln(q/(1 − q)) is monotone in q).
 *
 * Theory (same θ and weight decay λ on every coordinate; f + λ|x|²/2):
 *  - 1-D: exact, quadrature of exp(−f/θ) over the cells split at the midpoints
 *    between consecutive minima (theory/quadrature.ts logIntegrateExp);
 *  - `two-wells` in d dimensions with isotropic wells centred on the x0 axis and
 *    λ = 0: exact by radial quadrature (theory/two-wells.ts);
 *  - always: the harmonic estimate F_i = E_i − (θ/2) Σ_j ln(2πθ/k_ij) with k_ij
 *    the eigenvalues of the Hessian at minimum i (central differences of the
 *    gradient, step 1e-5·(1 + |x|), Jacobi eigenvalues) — theory/wells.ts.
 * The first available of exact and harmonic is `theory.method`; per well the
 * result gives z = (P_meas − P_theory)/SE with SE = sqrt(P_theory(1 − P_theory)/N)
 * (the binomial standard error under the theory) and the ratio P_meas/P_theory.
 */
import type { Potential } from '../engine/types.js';
import type { Walls } from '../engine/walls.js';
import { resolveTwoWells, type TwoWellsParams } from '../potentials/analytic/two-wells.js';
import { didYouMean, renderValue } from '../scenario/index.js';
import type { Scenario } from '../scenario/types.js';
import { wilsonInterval } from '../stats/compare.js';
import { logIntegrateExp } from '../theory/quadrature.js';
import { twoWellsOccupanciesRadial } from '../theory/two-wells.js';
import { harmonicWellFreeEnergy, wellOccupancies } from '../theory/wells.js';
import { finalsNames, finalsOf, finite, pointEnergy, scalarEnergy, wideInterval, type CheckIssue } from './free-energy-profile.js';
import { temperatureScheduled, temperatureText, uniformTemperature, uniformThermostat, wallOf } from '../plan/run-plan.js';
import { registerAnalysis } from './registry.js';
import { gibbsTailProblem } from './energy.js';
import { symmetricEigenvalues } from '../linalg/symmetric-eigen.js';

interface Entry {
  by?: string;
}

export { symmetricEigenvalues };

/** Hessian of f + λ|x|²/2 at x by central differences of the gradient, symmetrised. */
export function hessianAt(potential: Potential, x: readonly number[], weightDecay = 0): Float64Array {
  const d = potential.dim;
  const H = new Float64Array(d * d);
  const X = new Float64Array(d);
  const E = new Float64Array(1);
  const Gp = new Float64Array(d);
  const Gm = new Float64Array(d);
  for (let k = 0; k < d; k++) {
    const h = 1e-5 * (1 + Math.abs(x[k]!));
    X.set(x);
    X[k] = x[k]! + h;
    potential.energyAndGradient(X, 1, E, Gp);
    X[k] = x[k]! - h;
    potential.energyAndGradient(X, 1, E, Gm);
    for (let j = 0; j < d; j++) H[j * d + k] = (Gp[j]! - Gm[j]!) / (2 * h);
  }
  for (let j = 0; j < d; j++) {
    H[j * d + j] = H[j * d + j]! + weightDecay;
    for (let k = j + 1; k < d; k++) {
      const m = 0.5 * (H[j * d + k]! + H[k * d + j]!);
      H[j * d + k] = m;
      H[k * d + j] = m;
    }
  }
  return H;
}

interface TheoryResult {
  method: string;
  occupancies: number[];
  /** Free energies relative to the lowest. */
  freeEnergies: number[];
}

/**
 * Exact 1-D well free energies: quadrature over the cells between consecutive
 * minima, split at the midpoints (the `well` observable: nearest minimum) or at
 * the energy maximum between them (the `basin` observable: basins of attraction).
 */
function exact1D(
  potential: Potential,
  minima: number[],
  theta: number,
  weightDecay: number,
  split: 'midpoint' | 'barrier' = 'midpoint',
  box: { kind: 'reflect' | 'periodic'; lo: number; hi: number } | null = null,
): TheoryResult {
  const f = scalarEnergy(potential, weightDecay);
  const order = minima.map((_, i) => i).sort((a, b) => minima[a]! - minima[b]!);
  const xs = order.map((i) => minima[i]!);
  const span = Math.max(1, xs[xs.length - 1]! - xs[0]!);
  // In a box the stationary density is exp(−f/θ) restricted to the box (reflecting: zero flux at the walls; periodic: one period).
  const [lo, hi] = box ? [box.lo, box.hi] : wideInterval(f, theta, xs[0]! - span, xs[xs.length - 1]! + span);
  const barrier = (a: number, b: number) => {
    let best = a,
      fb = -Infinity;
    for (let i = 1; i < 4000; i++) {
      const x = a + ((b - a) * i) / 4000;
      const v = f(x);
      if (v > fb) {
        fb = v;
        best = x;
      }
    }
    return best;
  };
  const cuts = [lo, ...xs.slice(1).map((x, k) => (split === 'barrier' ? barrier(xs[k]!, x) : 0.5 * (x + xs[k]!))), hi].map((c) =>
    Math.min(hi, Math.max(lo, c)),
  );
  const F = new Array<number>(minima.length);
  order.forEach((i, k) => {
    // A cell the box leaves empty holds no mass (F = +∞, occupancy 0).
    F[i] = cuts[k + 1]! > cuts[k]! ? -theta * logIntegrateExp(f, cuts[k]!, cuts[k + 1]!, theta) : Infinity;
  });
  const m = Math.min(...F);
  return {
    method: `exact: quadrature of exp(−f/θ)${box ? ` in the ${box.kind === 'reflect' ? 'reflecting' : 'periodic'} box [${box.lo}, ${box.hi}]` : ''} over the wells split at the ${split === 'barrier' ? 'energy maxima' : 'midpoints'} between minima (${cuts
      .slice(1, -1)
      .map((c) => c.toPrecision(4))
      .join(', ')}), integration range [${lo.toPrecision(4)}, ${hi.toPrecision(4)}]`,
    occupancies: wellOccupancies(F, theta),
    freeEnergies: F.map((v) => v - m),
  };
}

function exactTwoWells(s: Scenario, theta: number): TheoryResult | string {
  if (!('kind' in s.potential) || s.potential.kind !== 'two-wells') return 'not a two-wells potential';
  const spec = resolveTwoWells(s.potential.params as TwoWellsParams);
  const d = spec.k1.length;
  if (d > 1) {
    if (spec.k1.some((k) => k !== spec.k1[0]) || spec.k2.some((k) => k !== spec.k2[0]))
      return 'two-wells: exact radial quadrature needs isotropic wells';
    for (let j = 1; j < d; j++)
      if (spec.centre1[j] !== 0 || spec.centre2[j] !== 0) return 'two-wells: exact radial quadrature needs both centres on the x0 axis';
  }
  const r = twoWellsOccupanciesRadial(spec, theta);
  const m = Math.min(...r.freeEnergies);
  return {
    method: `exact: two-wells ${d === 1 ? '1-D quadrature' : `radial quadrature in d = ${d}`} split at x0 = ${r.split} (theory/two-wells.ts)`,
    occupancies: [...r.occupancies],
    freeEnergies: r.freeEnergies.map((v) => v - m),
  };
}

registerAnalysis<Entry>({
  kind: 'wells',
  scope: 'run',
  description:
    'per-well occupancies with Wilson CIs, F_i = −θ ln P_i and ΔF, vs exact quadrature (1-D, two-wells) and the harmonic Hessian estimate',
  keys: { by: 'string' },
  check(e, s, potential, plan) {
    const by = e.by ?? 'well';
    const issues: CheckIssue[] = [];
    if (!finalsNames(s).includes(by)) {
      const guess = didYouMean(by, finalsNames(s));
      issues.push({
        key: 'by',
        expected: `an observable in observe.observables (the wells are its final values)`,
        found: `${renderValue(by)}${e.by === undefined ? ' (the default)' : ''} not observed`,
        hint: guess && guess !== by ? `Did you mean '${guess}'?` : `Add '${by}' to observe.observables.`,
      });
    }
    if ((by === 'well' || by === 'basin') && !(potential.minima && potential.minima.length > 0))
      issues.push({
        key: 'by',
        expected: `a potential that declares its minima (for the 'well' observable)`,
        found: `'${potential.name}' declares none`,
      });
    // F = −θ ln P needs one θ: the occupancies of a run with per-group temperatures have no single free energy.
    const theta = uniformTemperature(plan);
    if (temperatureScheduled(plan))
      issues.push({ key: 'by', expected: 'a constant temperature (F = −θ ln P at one θ)', found: 'a temperature schedule' });
    else if (theta === null)
      issues.push({ key: 'by', expected: 'one temperature on every coordinate (F = −θ ln P)', found: temperatureText(plan) });
    else if (!(theta > 0)) issues.push({ key: 'by', expected: 'dynamics.temperature > 0 (F = −θ ln P)', found: String(theta) });
    else {
      // Occupancies against theory need a normalisable Gibbs density: asked for explicitly, a density that is not is an error.
      const problem = normalisabilityProblem(s, potential, theta, uniformThermostat(plan)?.weightDecay ?? 0, plan.walls);
      if (problem) issues.push({ key: 'by', ...problem });
    }
    return issues;
  },
  run(e, { scenario: s, plan, result: r, potential }) {
    const by = e.by ?? 'well';
    const theta = uniformTemperature(plan) ?? Number.NaN;
    const values = finalsOf(r, by) ?? new Float64Array(0);
    const N = values.length;
    const minima = (by === 'well' || by === 'basin') && potential.minima ? potential.minima.map((m) => [...m]) : null;
    const labels = new Set<number>();
    for (const v of values) labels.add(Math.round(v));
    if (minima) minima.forEach((_, i) => labels.add(i));
    const wells = [...labels].sort((a, b) => a - b);
    const counts = wells.map(() => 0);
    for (const v of values) counts[wells.indexOf(Math.round(v))]! += 1;
    const ref = counts.indexOf(Math.max(...counts));
    const dF = (i: number, j: number): { value: number | null; ci95: [number | null, number | null] } => {
      const ni = counts[i]!;
      const nj = counts[j]!;
      const [qlo, qhi] = wilsonInterval(nj, ni + nj);
      const g = (q: number) => finite(-theta * Math.log(q / (1 - q)));
      return { value: ni > 0 && nj > 0 ? -theta * Math.log(nj / ni) : null, ci95: [g(qhi), g(qlo)] };
    };

    // Theory.
    const thermo = uniformThermostat(plan);
    let theory: TheoryResult | null = null;
    const notes: string[] = [];
    let harmonic: Array<Record<string, unknown>> | null = null;
    let harmonicTheory: TheoryResult | null = null;
    const tail = thermo ? normalisabilityProblem(s, potential, theta, thermo.weightDecay, plan.walls) : undefined;
    if (!thermo) notes.push('no theory: the coordinates run at different temperatures or weight decays');
    else if (tail) notes.push(`no theory: ${tail.found}`);
    else if (!minima) notes.push(`no theory: wells by '${by}' (only the 'well' and 'basin' observables have known minima)`);
    else if (minima.length !== wells.length) notes.push(`no theory: the '${by}' values are not the ${minima.length} declared minima`);
    else {
      const f = pointEnergy(potential, thermo.weightDecay);
      harmonic = minima.map((x) => {
        const H = hessianAt(potential, x, thermo.weightDecay);
        const k = symmetricEigenvalues(H, potential.dim);
        const E = f(x);
        const ok = k.every((v) => v > 0);
        return { minimum: x, energy: E, stiffness: k, freeEnergy: ok ? harmonicWellFreeEnergy(E, k, theta) : null };
      });
      if (harmonic.every((h) => h.freeEnergy !== null)) {
        const F = harmonic.map((h) => h.freeEnergy as number);
        const m = Math.min(...F);
        harmonicTheory = {
          method: 'harmonic: F_i = E_i − (θ/2) Σ_j ln(2πθ/k_ij), k_ij the eigenvalues of the finite-difference Hessian at minimum i',
          occupancies: wellOccupancies(F, theta),
          freeEnergies: F.map((v) => v - m),
        };
      } else notes.push('harmonic estimate unavailable: a Hessian at a minimum is not positive definite');
      if (potential.dim === 1)
        theory = exact1D(
          potential,
          minima.map((m) => m[0]!),
          theta,
          thermo.weightDecay,
          by === 'basin' ? 'barrier' : 'midpoint',
          wallOf(plan, 0),
        );
      else if (plan.walls)
        notes.push(`no exact theory in d = ${potential.dim} with walls; using the harmonic estimate (which does not see the walls)`);
      else if (by === 'basin')
        notes.push(`no exact theory for basins in d = ${potential.dim} (curved basin boundaries); using the harmonic estimate`);
      else if (thermo.weightDecay === 0) {
        const t = exactTwoWells(s, theta);
        if (typeof t === 'string') notes.push(`no exact theory in d = ${potential.dim}: ${t}; using the harmonic estimate`);
        else theory = t;
      } else notes.push('no exact theory in d > 1 with weight decay; using the harmonic estimate');
      theory ??= harmonicTheory;
    }

    const perWell = wells.map((w, i) => {
      const n = counts[i]!;
      const P = N > 0 ? n / N : Number.NaN;
      const [lo, hi] = wilsonInterval(n, N);
      const rel = i === ref ? { value: 0, ci95: [0, 0] as [number | null, number | null] } : dF(ref, i);
      const out: Record<string, unknown> = {
        well: w,
        minimum: minima?.[w] ?? null,
        count: n,
        occupancy: finite(P),
        occupancyCi95: [lo, hi],
        freeEnergy: rel.value,
        freeEnergyCi95: rel.ci95,
      };
      if (theory) {
        const Pt = theory.occupancies[i]!;
        const se = Math.sqrt((Pt * (1 - Pt)) / N);
        out.theoryOccupancy = Pt;
        out.theoryFreeEnergy = theory.freeEnergies[i]! - theory.freeEnergies[ref]!;
        out.occupancyRatio = finite(P / Pt);
        out.z = finite((P - Pt) / se);
        if (harmonicTheory && harmonicTheory !== theory) out.harmonicOccupancy = harmonicTheory.occupancies[i];
      }
      return out;
    });
    const pairs: Array<Record<string, unknown>> = [];
    for (let i = 0; i < wells.length; i++)
      for (let j = i + 1; j < wells.length; j++) {
        const d = dF(i, j);
        const th = theory ? theory.freeEnergies[j]! - theory.freeEnergies[i]! : null;
        pairs.push({
          from: wells[i],
          to: wells[j],
          deltaF: d.value,
          ci95: d.ci95,
          theory: th,
          ratio: th !== null && d.value !== null && th !== 0 ? finite(d.value / th) : null,
        });
      }
    const zs = perWell.map((w) => w.z as number | null | undefined).filter((z): z is number => typeof z === 'number');
    return {
      by,
      temperature: theta,
      replicas: N,
      reference: wells[ref],
      wells: perWell,
      deltaF: pairs,
      theory: theory ? { method: theory.method, occupancies: theory.occupancies, freeEnergies: theory.freeEnergies } : null,
      harmonic,
      maxAbsZ: zs.length ? Math.max(...zs.map(Math.abs)) : null,
      notes,
      ...(tail ? { theorySkipped: { reason: 'gibbs density not normalisable', detail: tail.found } } : {}),
    };
  },
  text(res) {
    const wells = res.wells as Array<{ well: number; occupancy: number | null; theoryOccupancy?: number; z?: number | null }>;
    const parts = wells.map(
      (w) =>
        `${w.well}: ${w.occupancy === null ? '—' : w.occupancy.toFixed(4)}` +
        (w.theoryOccupancy !== undefined
          ? ` (theory ${w.theoryOccupancy.toFixed(4)}, z = ${w.z === null || w.z === undefined ? '—' : w.z.toFixed(2)})`
          : ''),
    );
    const skipped = res.theorySkipped as { detail: string } | undefined;
    return `well occupancies by ${res.by} at θ = ${res.temperature}: ${parts.join('; ')}${skipped ? ` — theory skipped: ${skipped.detail}` : ''}`;
  },
});

/**
 * Why exp(−(f + λ|x|²/2)/θ) is not a probability density (gaussian-wells
 * with confinement 0 tends to exp(0) = 1 at infinity), as the parts of a
 * ScenarioIssue, or undefined. Shared by the wells analysis and the gibbs overlay.
 */
export function normalisabilityProblem(
  scenario: Scenario,
  potential: Potential,
  temperature: number,
  weightDecay: number,
  walls: Walls | null = null,
): { expected: string; found: string; hint: string } | undefined {
  const found = gibbsTailProblem(potential, temperature, weightDecay, potential.minima, walls);
  if (!found) return undefined;
  const confinement =
    'kind' in scenario.potential && scenario.potential.kind === 'gaussian-wells'
      ? `Set potential.params.confinement > 0 (the harmonic confinement (κ/2)|x|²; it is ${String((scenario.potential.params as Record<string, unknown>).confinement ?? 0)}), `
      : 'Confine the potential, ';
  return {
    expected: 'a normalisable Gibbs density exp(−f/θ) (f → +∞ in every direction) for theory',
    found,
    hint: `${confinement}or add dynamics.weight_decay > 0, or walls (ensemble.bounds), or remove this entry: the run itself is fine without it.`,
  };
}
