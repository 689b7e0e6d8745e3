/**
 * Theory overlays named in a scenario's `theory:` list, computed by
 * quadrature and closed forms (src/theory) and compared with the run:
 *   gibbs   — 1-D: histogram of a coordinate vs exp(−f/θ)/Z (Pearson χ²)
 *   mfpt-1d — 1-D: exact mean first-passage time and the Kramers asymptote vs
 *             the measured (censored-MLE) MFPT of an event
 *   toy-addition — the effective theory of a toy-addition split (toy-addition-theory.ts)
 */
import type { Potential } from '../engine/types.js';
import type { RunResult } from '../parallel/merge.js';
import { buildPotential } from '../potentials/index.js';
import type { Scenario } from '../scenario/types.js';
import { didYouMean, renderValue, type ScenarioIssue } from '../scenario/index.js';
import { chiSquareSf } from '../stats/special.js';
import { gibbsDensity1D } from '../theory/gibbs.js';
import { kramersRate, meanFirstPassageTime } from '../theory/mfpt.js';
import { firstPassageSummary } from './event-stats.js';
import { checkToyAdditionTheory, toyAdditionOverlay } from './toy-addition-theory.js';
import { scalarEnergy, wideInterval } from './energy.js';
import { initialValue } from '../engine/schedule.js';

/** What each theory kind accepts: its keys with their types, and which are required. */
const THEORY_KINDS: Record<string, { keys: Record<string, 'number' | 'string'>; required: string[]; description: string }> = {
  gibbs: { keys: { of: 'string' }, required: [], description: 'histogram of a coordinate vs exp(−f/θ)/Z (1-D potentials, θ > 0)' },
  'mfpt-1d': {
    keys: { event: 'string', from: 'number', to: 'number' },
    required: ['from', 'to'],
    description: 'exact mean first-passage time from → to and the Kramers asymptote vs an event (1-D, θ > 0)',
  },
  'toy-addition': {
    keys: { event: 'string', group: 'string', trials: 'number', mc_seed: 'number' },
    required: [],
    description: "effective theory of the run's toy-addition split (nullity, ideal RQI, λ₃, 1/(λ₃η), unique-structure probability) vs the measured grokking step of an event",
  },
};

export function listTheoryKinds(): Array<{ name: string; description: string }> {
  return Object.entries(THEORY_KINDS).map(([name, k]) => ({ name, description: k.description }));
}

/**
 * Check a scenario's `theory:` entries against the kinds implemented here and
 * against the scenario (events, histograms, dimension, temperature): every
 * problem becomes a ScenarioIssue, so a misspelt overlay is an error, not a
 * silently skipped entry.
 */
export function checkTheory(s: Scenario, potential: Potential): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const kinds = Object.keys(THEORY_KINDS);
  s.theory.forEach((t, i) => {
    const at = `theory[${i}]`;
    const spec = THEORY_KINDS[t.kind];
    if (!spec) {
      const guess = didYouMean(t.kind, kinds);
      issues.push({ path: `${at}.kind`, expected: `one of ${kinds.map((k) => `'${k}'`).join(', ')}`, found: renderValue(t.kind), hint: guess ? `Did you mean '${guess}'?` : undefined });
      return;
    }
    for (const [key, value] of Object.entries(t)) {
      if (key === 'kind') continue;
      const type = spec.keys[key];
      if (!type) {
        const guess = didYouMean(key, Object.keys(spec.keys));
        issues.push({ path: `${at}.${key}`, expected: `a known key of '${t.kind}' (${Object.keys(spec.keys).join(', ')})`, found: `unknown key ${renderValue(key)}`, hint: guess ? `Did you mean '${guess}'?` : undefined });
      } else if (typeof value !== type || (type === 'number' && !Number.isFinite(value))) {
        issues.push({ path: `${at}.${key}`, expected: type === 'number' ? 'a finite number' : 'a string', found: renderValue(value) });
      }
    }
    for (const key of spec.required) if (!(key in t)) issues.push({ path: `${at}.${key}`, expected: `a ${spec.keys[key]} (required for '${t.kind}')`, found: 'nothing' });
    if (t.kind === 'toy-addition') {
      issues.push(...checkToyAdditionTheory(s, t, at));
      return;
    }
    if (potential.dim !== 1) issues.push({ path: `${at}.kind`, expected: `a 1-D potential for '${t.kind}'`, found: `dim = ${potential.dim}` });
    if (!(initialValue(s.dynamics.temperature) > 0)) issues.push({ path: `${at}.kind`, expected: `dynamics.temperature > 0 for '${t.kind}'`, found: String(initialValue(s.dynamics.temperature)) });
    if (t.kind === 'gibbs') {
      const of = (t.of as string | undefined) ?? potential.coordinates[0];
      if (!potential.coordinates.includes(of))
        issues.push({ path: `${at}.of`, expected: `a coordinate of the potential (${potential.coordinates.join(', ')})`, found: renderValue(of) });
      else if (!s.observe.histograms.some((h) => h.of === of))
        issues.push({ path: `${at}.of`, expected: `a histogram of '${of}' in observe.histograms to compare with`, found: 'none', hint: `Add observe.histograms: [{of: ${of}, bins: 100, range: [lo, hi]}].` });
    } else if (t.kind === 'mfpt-1d') {
      if (typeof t.from === 'number' && typeof t.to === 'number' && !(t.to > t.from))
        issues.push({ path: `${at}.to`, expected: `a number > from (${t.from})`, found: renderValue(t.to) });
      if (typeof t.event === 'string' && !s.observe.events.some((e) => e.name === t.event)) {
        const names = s.observe.events.map((e) => e.name);
        const guess = didYouMean(t.event, names);
        issues.push({ path: `${at}.event`, expected: names.length ? `an event of observe.events (${names.join(', ')})` : 'an event defined in observe.events', found: renderValue(t.event), hint: guess ? `Did you mean '${guess}'?` : undefined });
      }
    }
  });
  return issues;
}

export interface HistogramOverlay {
  kind: 'gibbs';
  temperature: number;
  /** Gibbs probability of each bin (of the whole line's mass). */
  probabilities: number[];
  /** Gibbs density at the bin centres. */
  density: number[];
}

export interface OverlayOutput {
  summary: unknown[];
  histograms: (HistogramOverlay | null)[];
}

/**
 * Pearson χ² of observed bin counts (plus an 'outside' cell for under/overflow)
 * against expected probabilities, pooling adjacent cells with expected count < 5.
 */
export function pearsonChi2(observed: number[], probs: number[], n: number): { chi2: number; dof: number; pValue: number } {
  const cells: Array<[number, number]> = [];
  let o = 0, e = 0;
  for (let i = 0; i < observed.length; i++) {
    o += observed[i];
    e += probs[i] * n;
    if (e >= 5) {
      cells.push([o, e]);
      o = 0;
      e = 0;
    }
  }
  if (e > 0 || o > 0) {
    if (cells.length > 0) {
      cells[cells.length - 1][0] += o;
      cells[cells.length - 1][1] += e;
    } else cells.push([o, e]);
  }
  let chi2 = 0;
  for (const [ob, ex] of cells) chi2 += ex > 0 ? ((ob - ex) * (ob - ex)) / ex : 0;
  const dof = Math.max(1, cells.length - 1);
  return { chi2, dof, pValue: chiSquareSf(chi2, dof) };
}

export async function theoryOverlays(s: Scenario, r: RunResult, built?: Potential): Promise<OverlayOutput> {
  const out: OverlayOutput = { summary: [], histograms: r.histograms.map(() => null) };
  if (s.theory.length === 0) return out;
  const potential = built ?? (await buildPotential(s.potential, { seed: s.seed, run: 0 }));
  const theta = initialValue(s.dynamics.temperature);
  for (const t of s.theory) {
    if (t.kind === 'gibbs') {
      const of = (t.of as string | undefined) ?? potential.coordinates[0];
      if (potential.dim !== 1) {
        out.summary.push({ kind: 'gibbs', of, skipped: `needs a 1-D potential (this one has dim ${potential.dim})` });
        continue;
      }
      if (!(theta > 0)) {
        out.summary.push({ kind: 'gibbs', of, skipped: 'needs θ > 0' });
        continue;
      }
      const f = scalarEnergy(potential);
      r.histograms.forEach((h, i) => {
        if (h.of !== of) return;
        const [a, b] = wideInterval(f, theta, h.range[0], h.range[1]);
        const g = gibbsDensity1D(f, theta, a, b);
        const width = (h.range[1] - h.range[0]) / h.bins;
        const edges = Array.from({ length: h.bins + 1 }, (_, k) => h.range[0] + k * width);
        const probs = Array.from(g.binProbabilities(edges));
        const inside = probs.reduce((x, y) => x + y, 0);
        const pUnder = g.cdf(h.range[0]);
        const pOver = Math.max(0, 1 - inside - pUnder);
        const observed = [h.underflow, ...Array.from(h.counts), h.overflow];
        const expected = [pUnder, ...probs, pOver];
        const test = pearsonChi2(observed, expected, h.samples);
        out.histograms[i] = {
          kind: 'gibbs',
          temperature: theta,
          probabilities: probs,
          density: edges.slice(0, -1).map((e) => g.pdf(e + width / 2)),
        };
        const verdict = test.pValue < 0.001 ? 'differs from Gibbs (not yet at equilibrium?)' : 'consistent with Gibbs';
        out.summary.push({
          kind: 'gibbs',
          of,
          histogram: i,
          temperature: theta,
          logZ: g.logZ,
          ...test,
          text: `histogram of ${of} vs Gibbs exp(−f/θ)/Z at θ = ${theta}: χ² = ${test.chi2.toFixed(1)} on ${test.dof} dof, p = ${test.pValue.toPrecision(3)} — ${verdict}`,
        });
      });
    } else if (t.kind === 'mfpt-1d') {
      const from = Number(t.from), to = Number(t.to);
      const event = t.event as string | undefined;
      if (potential.dim !== 1 || !(theta > 0) || !(to > from)) {
        out.summary.push({ kind: 'mfpt-1d', event, skipped: 'needs a 1-D potential, θ > 0 and from < to' });
        continue;
      }
      const f = scalarEnergy(potential);
      const exact = meanFirstPassageTime(f, from, to, theta);
      // Kramers: curvature at the start minimum and at the highest point between (the saddle).
      let xs = from, fs = -Infinity;
      for (let i = 0; i <= 2000; i++) {
        const x = from + ((to - from) * i) / 2000;
        const v = f(x);
        if (v > fs) {
          fs = v;
          xs = x;
        }
      }
      const h = 1e-4;
      const fpp = (x: number) => (f(x + h) - 2 * f(x) + f(x - h)) / (h * h);
      const kr = kramersRate(fpp(from), Math.abs(fpp(xs)), fs - f(from), theta);
      const ev = r.events.find((e) => e.name === event);
      const measured = ev ? firstPassageSummary(ev.firstStep, r.divergedAt, r.steps, initialValue(s.dynamics.lr)) : null;
      const m = measured?.mfpt;
      out.summary.push({
        kind: 'mfpt-1d',
        event: event ?? null,
        from,
        to,
        temperature: theta,
        exactTime: exact,
        kramersTime: 1 / kr,
        measuredTime: m?.time ?? null,
        measuredCi95Time: m?.ci95Time ?? null,
        text:
          `mean first-passage time ${from} → ${to}: exact integral ${exact.toPrecision(4)}, Kramers ${(1 / kr).toPrecision(4)}` +
          (m && m.time !== null ? `, measured ${m.time.toPrecision(4)} (95% CI ${m.ci95Time?.map((v) => v.toPrecision(4)).join(' – ')})` : ''),
      });
    } else if (t.kind === 'toy-addition') {
      out.summary.push(toyAdditionOverlay(s, r, t));
    } else {
      out.summary.push({ kind: t.kind, skipped: 'unknown theory kind in this version' });
    }
  }
  return out;
}
