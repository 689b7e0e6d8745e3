/**
 * `free-energy-profile` (run scope; docs/models.md §1.1, 1.3): the free-energy
 * profile F(q) = −θ ln p(q) of one observable, shifted so that min F = 0, per
 * histogram bin, with a seeded bootstrap 95 % band, and — for a coordinate of a
 * 1-D potential — the theory profile from the exact Gibbs bin probabilities
 * (quadrature of exp(−f/θ)).
 *
 * Data. When `of` is in `observe.observables`, the per-replica final values
 * (replicas that diverged are dropped) are binned: with the edges of the first
 * `observe.histograms` entry of `of` if there is one, else `bins` (default 60)
 * equal bins on `range` (default [min, max] of the finals). Otherwise the
 * counts of the histogram of `of` are used (for `at: grid` histograms the
 * pooled samples are correlated in time, so the band is too narrow; the result
 * says so).
 *
 * Band. B (`bootstrap`, default 200) resamples of the N values with
 * replacement — a multinomial draw of the bin counts (under/overflow included)
 * with the observed proportions — from `seededUniform(seed)` (stats/compare.ts;
 * `seed` defaults to the scenario seed). Each resample's profile is shifted by
 * its own minimum, like the estimate, and the band is the 2.5–97.5 %
 * percentile interval per bin; `sigma` is the bootstrap standard deviation
 * (over resamples in which the bin is non-empty). Resampling draws each value
 * by inversion of the cumulative counts (exact) while N·B ≤ 5·10⁷, else bin by
 * bin as conditional binomials in the normal approximation (rounded), which
 * the result states as `bootstrap.method`.
 *
 * Agreement. Over the bins with at least `min_count` (default 25) counts,
 * `maxDeviationSigma` = max |F_meas − F_theory| / sigma and
 * `maxDeviationBand` = the same in units of the band half-width; both profiles
 * are shifted to min 0 over all bins.
 *
 * This file also holds helpers shared by the run-level analyses of the
 * Brownian-motion picture (name checks, finals, 1-D energies, temperatures).
 */
import { pointEnergy, scalarEnergy, wideInterval } from './energy.js';
import type { Potential } from '../engine/types.js';
import type { RunResult } from '../parallel/merge.js';
import { didYouMean, renderValue, type ScenarioIssue } from '../scenario/index.js';
import type { Scenario } from '../scenario/types.js';
import { seededUniform } from '../stats/compare.js';
import { gibbsDensity1D } from '../theory/gibbs.js';
import { registerAnalysis } from './registry.js';
import { eventIssue } from './event-stats.js';
import {
  planEvents,
  planGroupOf,
  temperatureScheduled,
  temperatureText,
  uniformTemperature,
  uniformThermostat,
  type RunPlan,
  wallOf,
} from '../plan/run-plan.js';

// ---------------------------------------------------------------- shared helpers

export type CheckIssue = Omit<ScenarioIssue, 'path'> & { key: string };

/** An issue when `name` is not an event of `observe.events` (eventIssue, event-stats.ts). */
export function checkEventName(s: Scenario, key: string, name: unknown): CheckIssue[] {
  if (typeof name !== 'string') return [];
  const issue = eventIssue(planEvents(s), name, key);
  if (!issue) return [];
  const { path: _path, ...rest } = issue;
  return [{ ...rest, key }];
}

/** Observables whose final values are recorded (`observe.observables`). */
export function finalsNames(s: Scenario): string[] {
  return [...s.observe.observables];
}

/** The final values of an observed observable over replicas that did not diverge (null when not observed). */
export function finalsOf(r: RunResult, name: string): Float64Array | null {
  const k = r.finals.observables.indexOf(name);
  if (k < 0) return null;
  const n = r.finals.observables.length;
  const out: number[] = [];
  for (let i = 0; i < r.count; i++) {
    if (r.divergedAt[i]! >= 0) continue;
    const v = r.finals.values[i * n + k]!;
    if (Number.isFinite(v)) out.push(v);
  }
  return Float64Array.from(out);
}

/** Index of the coordinate an observable name denotes (`x`, `y0`, `x[3]`), or −1. */
export function coordinateIndex(potential: Potential, name: string): number {
  const i = potential.coordinates.indexOf(name);
  if (i >= 0) return i;
  const m = /^x\[(\d+)\]$/.exec(name);
  if (m) {
    const j = Number(m[1]);
    return j < potential.dim ? j : -1;
  }
  return -1;
}

/** Temperature θ, step η and weight decay λ integrated on coordinate j (from the run plan). */
export function coordinateDynamics(plan: RunPlan, j: number): { temperature: number; lr: number; weightDecay: number } {
  const g = planGroupOf(plan, j)!;
  return { temperature: g.temperature, lr: g.lr, weightDecay: g.weightDecay };
}

export const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** Percentile (linear interpolation) of a sorted array; +∞ entries allowed. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  if (lo + 1 >= n) return sorted[n - 1]!;
  const a = sorted[lo]!;
  const b = sorted[lo + 1]!;
  if (a === b) return a;
  return a + (h - lo) * (b - a);
}

// ---------------------------------------------------------------- the analysis

interface Entry {
  of: string;
  bootstrap?: number;
  seed?: number;
  bins?: number;
  range?: number[];
  min_count?: number;
}

/**
 * One multinomial resample of N draws over cells with counts `counts` (sum N),
 * written into `out`: exact inversion of the cumulative counts.
 */
function resampleExact(cum: Float64Array, N: number, u: () => number, out: Float64Array): void {
  out.fill(0);
  const cells = cum.length;
  for (let i = 0; i < N; i++) {
    const t = u() * N;
    let lo = 0;
    let hi = cells - 1;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (cum[m]! > t) hi = m;
      else lo = m + 1;
    }
    out[lo] += 1;
  }
}

/** Standard normal from two uniforms (Box–Muller, one branch). */
function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/** Multinomial resample as conditional binomials; binomial(n, p) by inversion when the mean is < 30, else rounded normal. */
function resampleBinomial(counts: Float64Array, N: number, u: () => number, out: Float64Array): void {
  let left = N;
  let massLeft = N;
  for (let c = 0; c < counts.length; c++) {
    if (left <= 0 || massLeft <= 0) {
      out[c] = 0;
      continue;
    }
    const p = Math.min(1, counts[c]! / massLeft);
    let k: number;
    if (p >= 1) k = left;
    else if (left * p < 30 || left * (1 - p) < 30) {
      // Inversion of the binomial pmf (mean < 30 on one side: few iterations).
      const flip = p > 0.5;
      const q = flip ? 1 - p : p;
      let pmf = Math.pow(1 - q, left);
      let cdf = pmf;
      const t = u();
      k = 0;
      while (t > cdf && k < left) {
        pmf *= ((left - k) / (k + 1)) * (q / (1 - q));
        cdf += pmf;
        k++;
      }
      if (flip) k = left - k;
    } else k = Math.min(left, Math.max(0, Math.round(left * p + Math.sqrt(left * p * (1 - p)) * normal(u))));
    out[c] = k;
    left -= k;
    massLeft -= counts[c]!;
  }
}

registerAnalysis<Entry>({
  kind: 'free-energy-profile',
  scope: 'run',
  description: 'F(q) = −θ ln p(q) of an observable per bin with a bootstrap 95 % band, vs the Gibbs quadrature profile (1-D potentials)',
  keys: { of: 'string', bootstrap: 'number', seed: 'number', bins: 'number', range: 'array', min_count: 'number' },
  required: ['of'],
  check(e, s, potential, plan) {
    const issues: CheckIssue[] = [];
    const observed = finalsNames(s).includes(e.of);
    const hist = s.observe.histograms.some((h) => h.of === e.of);
    if (!observed && !hist) {
      const names = [...new Set([...finalsNames(s), ...s.observe.histograms.map((h) => h.of)])];
      const guess = didYouMean(e.of, names);
      issues.push({
        key: 'of',
        expected: `an observable in observe.observables or with an observe.histograms entry (${names.join(', ') || 'none'})`,
        found: renderValue(e.of),
        hint: guess ? `Did you mean '${guess}'?` : `Add '${e.of}' to observe.observables (its final values are binned and bootstrapped).`,
      });
    }
    if (e.bootstrap !== undefined && !(Number.isInteger(e.bootstrap) && e.bootstrap >= 20))
      issues.push({ key: 'bootstrap', expected: 'an integer ≥ 20 (number of bootstrap resamples)', found: renderValue(e.bootstrap) });
    if (e.bins !== undefined && !(Number.isInteger(e.bins) && e.bins >= 2))
      issues.push({ key: 'bins', expected: 'an integer ≥ 2', found: renderValue(e.bins) });
    if (
      e.range !== undefined &&
      !(e.range.length === 2 && e.range.every((v) => typeof v === 'number' && Number.isFinite(v)) && e.range[1]! > e.range[0]!)
    )
      issues.push({ key: 'range', expected: 'a pair [lo, hi] of numbers with lo < hi', found: renderValue(e.range) });
    if (e.min_count !== undefined && !(e.min_count >= 1))
      issues.push({ key: 'min_count', expected: 'a number ≥ 1', found: renderValue(e.min_count) });
    const j = coordinateIndex(potential, e.of);
    // θ of the coordinate binned; for another observable, the one θ of the run (F = −θ ln p needs one).
    const theta = j >= 0 ? coordinateDynamics(plan, j).temperature : (uniformTemperature(plan) ?? Number.NaN);
    if (temperatureScheduled(plan))
      issues.push({ key: 'of', expected: `a constant temperature for '${e.of}' (F = −θ ln p at one θ)`, found: 'a temperature schedule' });
    else if (j < 0 && uniformTemperature(plan) === null)
      issues.push({ key: 'of', expected: `one temperature on every coordinate for '${e.of}' (F = −θ ln p)`, found: temperatureText(plan) });
    else if (!(theta > 0)) issues.push({ key: 'of', expected: `θ > 0 for '${e.of}' (F = −θ ln p)`, found: `θ = ${theta}` });
    return issues;
  },
  run(e, { scenario: s, plan, result: r, potential }) {
    const B = e.bootstrap ?? 200;
    const seed = e.seed ?? s.seed;
    const minCount = e.min_count ?? 25;
    const j = coordinateIndex(potential, e.of);
    const theta = j >= 0 ? coordinateDynamics(plan, j).temperature : (uniformTemperature(plan) ?? Number.NaN);
    const hSpec = s.observe.histograms.find((h) => h.of === e.of);
    const finals = s.observe.observables.includes(e.of) ? finalsOf(r, e.of) : null;

    // Bins and counts: cells = [underflow, bins…, overflow].
    let edges: number[];
    let cells: Float64Array;
    let source: string;
    if (finals && finals.length > 0) {
      let lo: number, hi: number;
      if (e.range) [lo, hi] = e.range as [number, number];
      else if (hSpec) [lo, hi] = hSpec.range;
      else {
        lo = Infinity;
        hi = -Infinity;
        for (const v of finals) {
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
        if (!(hi > lo)) hi = lo + 1;
      }
      const bins: number = e.bins ?? hSpec?.bins ?? 60;
      const w = (hi - lo) / bins;
      edges = Array.from({ length: bins + 1 }, (_, b) => lo + b * w);
      cells = new Float64Array(bins + 2);
      const scale = bins / (hi - lo); // the same binning as the histogram recorder
      for (const v of finals) {
        if (v < lo) cells[0] += 1;
        else if (v > hi) cells[bins + 1] += 1;
        else cells[1 + Math.min(bins - 1, Math.floor((v - lo) * scale))] += 1;
      }
      source = `final values of '${e.of}' (${finals.length} replicas that did not diverge), binned ${e.range || !hSpec ? 'by this analysis' : 'with the edges of observe.histograms'}`;
    } else {
      const hi = r.histograms.findIndex((h) => h.of === e.of);
      const h = r.histograms[hi]!;
      const w = (h.range[1] - h.range[0]) / h.bins;
      edges = Array.from({ length: h.bins + 1 }, (_, b) => h.range[0] + b * w);
      cells = Float64Array.from([h.underflow, ...Array.from(h.counts), h.overflow]);
      source = `histogram ${hi} of '${e.of}' (${h.at === 'grid' ? `all grid points from step ${h.from}: samples correlated in time, so the band is too narrow` : 'final'})`;
    }
    const bins = edges.length - 1;
    let N = 0;
    for (const c of cells) N += c;
    const counts = cells.subarray(1, bins + 1);
    const profile = (c: ArrayLike<number>, total: number, out: Float64Array): void => {
      let min = Infinity;
      for (let b = 0; b < bins; b++) {
        out[b] = c[b]! > 0 ? -theta * Math.log(c[b]! / total) : Infinity;
        min = Math.min(min, out[b]!);
      }
      for (let b = 0; b < bins; b++) out[b] = out[b]! - min;
    };
    const F = new Float64Array(bins);
    profile(counts, N, F);

    // Bootstrap.
    const exact = N * B <= 5e7;
    const u = seededUniform(seed);
    const cum = new Float64Array(cells.length);
    let acc = 0;
    cells.forEach((c, k) => {
      acc += c;
      cum[k] = acc;
    });
    const res = new Float64Array(cells.length);
    const boot = Array.from({ length: bins }, () => new Float64Array(B));
    const Fb = new Float64Array(bins);
    for (let k = 0; k < B; k++) {
      if (exact) resampleExact(cum, N, u, res);
      else resampleBinomial(cells, N, u, res);
      profile(res.subarray(1, bins + 1), N, Fb);
      for (let b = 0; b < bins; b++) boot[b]![k] = Fb[b]!;
    }
    const lower: Array<number | null> = [];
    const upper: Array<number | null> = [];
    const sigma: Array<number | null> = [];
    for (let b = 0; b < bins; b++) {
      const v = boot[b]!.slice().sort();
      lower.push(finite(percentile(v, 0.025)));
      upper.push(finite(percentile(v, 0.975)));
      let n = 0,
        m = 0,
        m2 = 0;
      for (const x of v) {
        if (!Number.isFinite(x)) continue;
        n++;
        const d = x - m;
        m += d / n;
        m2 += d * (x - m);
      }
      sigma.push(n > 1 ? Math.sqrt(m2 / (n - 1)) : null);
    }

    // Theory: 1-D potential, `of` its coordinate, one thermostat.
    let theory: Record<string, unknown> | null = null;
    let theoryF: number[] | null = null;
    let theoryNote: string | null = null;
    const thermo = uniformThermostat(plan);
    if (potential.dim !== 1 || j !== 0) theoryNote = 'theory needs a coordinate of a 1-D potential';
    else if (!thermo) theoryNote = 'theory needs one temperature and weight decay for all coordinates';
    else {
      const f = scalarEnergy(potential, thermo.weightDecay);
      // Walls restrict the Gibbs density to the box (docs/models.md, boundaries).
      const box = wallOf(plan, 0);
      const [a, b] = box ? [box.lo, box.hi] : wideInterval(f, theta, edges[0]!, edges[bins]!);
      const g = gibbsDensity1D(f, theta, a, b);
      const P = g.binProbabilities(edges);
      const Ft = Array.from(P, (p) => (p > 0 ? -theta * Math.log(p) : Infinity));
      const min = Math.min(...Ft);
      theoryF = Ft.map((v) => v - min);
      theory = {
        method: `Gibbs bin probabilities by quadrature of exp(−f/θ) on [${a.toPrecision(4)}, ${b.toPrecision(4)}]${thermo.weightDecay ? ` (f + λx²/2, λ = ${thermo.weightDecay})` : ''}`,
        probabilities: Array.from(P),
        F: theoryF.map(finite),
        belowRange: g.cdf(edges[0]!),
        aboveRange: g.sf(edges[bins]!),
      };
    }

    let compared = 0;
    let maxSigma = 0;
    let maxBand = 0;
    let worst: number | null = null;
    const deviation: Array<number | null> = [];
    for (let b = 0; b < bins; b++) {
      const d = theoryF ? F[b]! - theoryF[b]! : Number.NaN;
      deviation.push(finite(d));
      if (!theoryF || counts[b]! < minCount) continue;
      const sg = sigma[b];
      const lo = lower[b];
      const up = upper[b];
      if (sg === null || !(sg > 0) || lo === null || up === null || !Number.isFinite(d)) continue;
      compared++;
      const zs = Math.abs(d) / sg;
      const zb = Math.abs(d) / (0.5 * (up - lo));
      if (zs > maxSigma) {
        maxSigma = zs;
        worst = b;
      }
      maxBand = Math.max(maxBand, zb);
    }
    const centres = edges.slice(0, -1).map((x, b) => 0.5 * (x + edges[b + 1]!));
    return {
      of: e.of,
      temperature: theta,
      source,
      samples: N,
      underflow: cells[0],
      overflow: cells[bins + 1],
      edges,
      centres,
      counts: Array.from(counts),
      F: Array.from(F, finite),
      lower,
      upper,
      sigma,
      bootstrap: {
        resamples: B,
        seed,
        method: exact
          ? 'multinomial resampling of the N values with replacement (exact: each draw by inversion of the cumulative counts, seededUniform(seed)); each resample shifted by its own minimum; 2.5–97.5 % percentiles'
          : 'multinomial resampling of the N values as conditional binomials per bin (exact inversion for means < 30, else rounded normal approximation), seededUniform(seed); each resample shifted by its own minimum; 2.5–97.5 % percentiles',
      },
      theory,
      theoryNote,
      comparison: theoryF
        ? {
            minCount,
            binsCompared: compared,
            deviation,
            maxDeviationSigma: compared > 0 ? maxSigma : null,
            maxDeviationBand: compared > 0 ? maxBand : null,
            worstBin: worst,
            worstCentre: worst !== null ? centres[worst] : null,
          }
        : null,
    };
  },
  text(res) {
    const c = res.comparison as { maxDeviationSigma: number | null; binsCompared: number } | null;
    const base = `free-energy profile of ${res.of} at θ = ${res.temperature}: ${(res.counts as number[]).length} bins, ${res.samples} samples, bootstrap ${(res.bootstrap as { resamples: number }).resamples}`;
    if (!c || c.maxDeviationSigma === null) return `${base}${res.theoryNote ? ` (${res.theoryNote})` : ''}`;
    const corr = String(res.source).includes('correlated') ? ' (pooled grid samples are correlated: the band is too narrow)' : '';
    return `${base}; vs Gibbs quadrature: max |ΔF| = ${c.maxDeviationSigma.toFixed(2)} σ over ${c.binsCompared} bins${corr}`;
  },
});

export { pointEnergy, scalarEnergy, wideInterval };
