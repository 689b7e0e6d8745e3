/**
 * Comparison statistics of two runs (or of every regime against its
 * baseline), on runs already in memory ({@link ComparedRun}; reading run
 * directories into that shape is src/results/compare.ts, printing it
 * src/cli/format-comparison.ts): one row per result the runs share — first
 * passage (log-rank, fraction entered), final values of each observable (mean by bootstrap,
 * location by Mann–Whitney, shape by two-sample KS), `well` occupancies and
 * the divergence fraction — each with both estimates, their 95 % intervals,
 * the difference, a test and whether the runs differ at the level
 * SIGNIFICANCE_LEVEL (0.001, src/analysis/significance.ts, the level of every verdict).
 * Schema `stochdyn.comparison/1` (docs/outputs.md, "comparison.json").
 */
import {
  bootstrapMeanDifference,
  holmAdjust,
  ksTwoSample,
  logRankTest,
  mannWhitneyTest,
  medianWithCI,
  twoProportionTest,
} from '../stats/compare.js';
import { chiSquareQuantile, normalQuantile } from '../stats/special.js';
import type { Summary } from './summary.js';
import { levelPhrase, SIGNIFICANCE_LEVEL } from './significance.js';

export const COMPARISON_SCHEMA = 'stochdyn.comparison/1';
/** Significance level of every row's `differs`: the one level of every verdict (src/analysis/significance.ts). */
export const COMPARISON_LEVEL = SIGNIFICANCE_LEVEL;
/**
 * Bootstrap resamples of the mean rows. The percentile-bootstrap p-value is at
 * least 2/(B + 1); B = 9999 puts that floor (2·10⁻⁴) below COMPARISON_LEVEL, so
 * a mean row can reach `differs` (with 1999 resamples the floor would be 0.001 itself).
 */
export const BOOTSTRAP_RESAMPLES = 9999;

/** The runs cannot be compared (a directory that is not a completed run, no runs at all): a usage error. */
export class CompareInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompareInputError';
  }
}

/** One side of a comparison. */
export interface ComparisonSide {
  dir: string;
  label: string;
  scenario: string;
  settings: {
    integrator: string;
    lr: number;
    temperature: number;
    steps: number;
    replicas: number;
    seed: number;
    run: number;
  };
}

export interface Estimate {
  value: number | null;
  ci95: [number, number] | null;
  /** Sample size behind the estimate (replicas used). */
  n: number | null;
}

/** Replicas a summary's statistics are over (older summaries have no completedReplicas). */
const done = (s: Summary): number => s.run.completedReplicas ?? s.run.replicas;

export type RowKind = 'mfpt' | 'fraction-entered' | 'mean' | 'location' | 'shape' | 'occupancy' | 'divergence';

export interface ComparisonRow {
  /** Labels of the two runs this row compares. */
  pair: { a: string; b: string };
  /** Human-readable name, e.g. "escape: MFPT (time)". */
  name: string;
  kind: RowKind;
  /** The event, observable, or `well=k`, or `divergence`. */
  subject: string;
  a: Estimate;
  b: Estimate;
  /** B − A (for `mfpt` in time units, `location` the difference of medians, `shape` null). */
  difference: { value: number | null; ci95: [number, number] | null; of: string };
  test: string;
  /** Name of the statistic: `chi2(1)`, `z`, `D`. */
  statisticName: string;
  statistic: number | null;
  pValue: number | null;
  /** Holm-adjusted p-value over the rows of this pair (family-wise). */
  pHolm: number | null;
  /** pValue < the comparison's `level` (null when no test was possible). */
  differs: boolean | null;
  /** What `differs` is decided on, e.g. "Mann–Whitney U (location)". */
  decidedBy: string;
  /** Test-specific extras (observed/expected events, effect sizes, methods). */
  detail: Record<string, unknown>;
}

export interface Comparison {
  schema: typeof COMPARISON_SCHEMA;
  /** `pair`: two runs; `regimes`: every regime against the baseline `a`. */
  kind: 'pair' | 'regimes';
  a: ComparisonSide;
  /** The other run — for `regimes`, every other regime in order. */
  b: ComparisonSide | ComparisonSide[];
  /** The significance level of every row's `differs` (SIGNIFICANCE_LEVEL). */
  level: number;
  rows: ComparisonRow[];
  notes: string[];
}

// ------------------------------------------------------------------ input

/** What the comparison needs of one run: its summary, resolved scenario and per-replica files, in memory. */
export interface ComparedRun {
  /** Where the run came from (reported in {@link ComparisonSide}). */
  dir: string;
  label: string;
  summary: Summary;
  /** scenario.resolved.json, or null when absent. */
  scenario: Record<string, unknown> | null;
  /** finals.csv by column (NaN for empty cells), or null when absent. */
  finals: { replicas: number; columns: Map<string, Float64Array>; divergedStep: Float64Array } | null;
  /** events.csv: event name → first-entry step per replica (NaN when censored), or null when absent. */
  events: Map<string, Float64Array> | null;
}

function side(r: ComparedRun): ComparisonSide {
  const s = r.summary;
  return {
    dir: r.dir,
    label: r.label,
    scenario: s.scenario.name,
    settings: {
      integrator: s.run.integrator,
      lr: s.run.lr,
      temperature: s.run.temperature,
      steps: s.run.steps,
      replicas: s.run.replicas,
      seed: s.run.seed,
      run: s.run.run,
    },
  };
}

// ------------------------------------------------------------------ rows

const Z95 = normalQuantile(0.975);
const fin = (v: number | null | undefined): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const finPair = (p: [number, number] | null | undefined): [number, number] | null =>
  p && Number.isFinite(p[0]) && Number.isFinite(p[1]) ? [p[0], p[1]] : null;

/** Deterministic seed for a row's bootstrap (FNV-1a of the row key). */
function seedOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

const stable = (v: unknown) => JSON.stringify(v ?? null);

/** Whether the two runs share random numbers replica by replica (same seed, run index and replica count). */
function commonRandomNumbers(A: ComparedRun, B: ComparedRun): boolean {
  const a = A.summary.run;
  const b = B.summary.run;
  return a.seed === b.seed && a.run === b.run && a.replicas === b.replicas;
}

/** Per-replica first-passage data of one event: observed time (t = step·η) and event flag. */
function censoredTimes(r: ComparedRun, steps: Float64Array): { times: Float64Array; events: Uint8Array } {
  const n = steps.length;
  const lr = r.summary.run.lr;
  const times = new Float64Array(n);
  const events = new Uint8Array(n);
  const div = r.finals?.divergedStep;
  for (let i = 0; i < n; i++) {
    const s = steps[i]!;
    if (Number.isFinite(s)) {
      times[i] = s * lr;
      events[i] = 1;
    } else {
      const d = div && div.length === n ? div[i]! : Number.NaN;
      times[i] = (Number.isFinite(d) ? d : r.summary.run.steps) * lr;
    }
  }
  return { times, events };
}

function finalValues(r: ComparedRun, obs: string): Float64Array | null {
  const col = r.finals?.columns.get(obs);
  if (!col) return null;
  const div = r.finals!.divergedStep;
  const out: number[] = [];
  for (let i = 0; i < col.length; i++) if (!Number.isFinite(div[i]!) && Number.isFinite(col[i]!)) out.push(col[i]!);
  return Float64Array.from(out);
}

/** Paired final values (replica i of both runs, neither diverged nor missing). */
function pairedFinals(A: ComparedRun, B: ComparedRun, obs: string): { a: Float64Array; b: Float64Array } | null {
  const ca = A.finals?.columns.get(obs);
  const cb = B.finals?.columns.get(obs);
  if (!ca || !cb || ca.length !== cb.length) return null;
  const da = A.finals!.divergedStep;
  const db = B.finals!.divergedStep;
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < ca.length; i++) {
    if (Number.isFinite(da[i]!) || Number.isFinite(db[i]!) || !Number.isFinite(ca[i]!) || !Number.isFinite(cb[i]!)) continue;
    a.push(ca[i]!);
    b.push(cb[i]!);
  }
  return { a: Float64Array.from(a), b: Float64Array.from(b) };
}

function meanCI(x: Float64Array): Estimate {
  const n = x.length;
  if (n === 0) return { value: null, ci95: null, n: 0 };
  let m = 0;
  for (let i = 0; i < n; i++) m += (x[i]! - m) / (i + 1);
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (x[i]! - m) ** 2;
  const sem = n > 1 ? Math.sqrt(ss / (n - 1) / n) : Number.NaN;
  return { value: m, ci95: Number.isFinite(sem) ? [m - Z95 * sem, m + Z95 * sem] : null, n };
}

type RowDraft = Omit<ComparisonRow, 'pair' | 'pHolm'>;

function proportionRow(
  name: string,
  kind: RowKind,
  subject: string,
  xA: number,
  nA: number,
  xB: number,
  nB: number,
  detail: Record<string, unknown> = {},
): RowDraft {
  if (!(nA > 0 && nB > 0))
    return {
      name,
      kind,
      subject,
      a: { value: nA > 0 ? xA / nA : null, ci95: null, n: nA },
      b: { value: nB > 0 ? xB / nB : null, ci95: null, n: nB },
      difference: { value: null, ci95: null, of: 'B − A' },
      test: 'two-proportion z',
      statisticName: 'z',
      statistic: null,
      pValue: null,
      differs: null,
      decidedBy: 'two-proportion z (pooled)',
      detail: { ...detail, reason: 'an empty sample' },
    };
  const t = twoProportionTest(xA, nA, xB, nB);
  return {
    name,
    kind,
    subject,
    a: { value: t.pA, ci95: t.ciA, n: nA },
    b: { value: t.pB, ci95: t.ciB, n: nB },
    difference: { value: t.difference, ci95: t.ci, of: 'B − A (Newcombe interval)' },
    test: 'two-proportion z',
    statisticName: 'z',
    statistic: t.z,
    pValue: t.pValue,
    differs: t.pValue < COMPARISON_LEVEL,
    decidedBy: 'two-proportion z (pooled)',
    detail: { ...detail, countA: xA, countB: xB, interval: 'Wilson' },
  };
}

function eventRows(A: ComparedRun, B: ComparedRun, ev: string, notes: string[]): RowDraft[] {
  const rows: RowDraft[] = [];
  const ea = A.summary.events[ev]!;
  const eb = B.summary.events[ev]!;
  const sa = A.events?.get(ev);
  const sb = B.events?.get(ev);
  const base: Omit<RowDraft, 'test' | 'statisticName' | 'statistic' | 'pValue' | 'differs' | 'decidedBy' | 'detail'> = {
    name: `${ev}: MFPT (time)`,
    kind: 'mfpt',
    subject: ev,
    a: { value: fin(ea.mfpt.time), ci95: finPair(ea.mfpt.ci95Time), n: ea.replicas },
    b: { value: fin(eb.mfpt.time), ci95: finPair(eb.mfpt.ci95Time), n: eb.replicas },
    difference: { value: null, ci95: null, of: 'B − A (delta method)' },
  };
  const ma = fin(ea.mfpt.time);
  const mb = fin(eb.mfpt.time);
  if (ma !== null && mb !== null && ea.entered > 0 && eb.entered > 0) {
    // Var(1/λ̂) ≈ (1/λ)²/d for the censored exponential MLE.
    const se = Math.sqrt((ma * ma) / ea.entered + (mb * mb) / eb.entered);
    base.difference = { value: mb - ma, ci95: [mb - ma - Z95 * se, mb - ma + Z95 * se], of: 'B − A (delta method)' };
  }
  if (sa && sb) {
    for (const [r, s] of [
      [A, sa],
      [B, sb],
    ] as const) {
      if (s.length !== done(r.summary)) notes.push(`${r.label}: events.csv has ${s.length} rows for ${done(r.summary)} replicas`);
      if (!r.finals && r.summary.divergence.count > 0)
        notes.push(
          `${r.label}: no finals.csv — the ${r.summary.divergence.count} diverged replicas are censored at the last step instead of their divergence step`,
        );
    }
    const ca = censoredTimes(A, sa);
    const cb = censoredTimes(B, sb);
    const lr = logRankTest(ca, cb);
    // No entries: the MFPT estimate is ∞ and its interval [1/λ_upper, ∞), λ_upper = χ²_2(0.975)/(2·exposure).
    for (const [e, c, est] of [
      [ea, ca, base.a],
      [eb, cb, base.b],
    ] as const) {
      if (e.entered > 0) continue;
      const exposure = c.times.reduce((x, t) => x + t, 0);
      if (exposure > 0) {
        est.value = Infinity;
        est.ci95 = [(2 * exposure) / chiSquareQuantile(0.975, 2), Infinity];
      }
    }
    const rateA = fin(ea.rate.perTime);
    const rateB = fin(eb.rate.perTime);
    let ratio: { value: number; ci95: [number, number] } | null = null;
    if (rateA && rateB && ea.entered > 0 && eb.entered > 0) {
      const s = Math.sqrt(1 / ea.entered + 1 / eb.entered);
      const v = rateA / rateB; // MFPT_B / MFPT_A
      ratio = { value: v, ci95: [v * Math.exp(-Z95 * s), v * Math.exp(Z95 * s)] };
    }
    rows.push({
      ...base,
      test: 'log-rank',
      statisticName: 'chi2(1)',
      statistic: lr.statistic,
      pValue: lr.pValue,
      differs: lr.pValue < COMPARISON_LEVEL,
      decidedBy: 'log-rank (censored first-passage times, t = step·η)',
      detail: {
        enteredA: ea.entered,
        enteredB: eb.entered,
        observedA: lr.observedA,
        expectedA: lr.expectedA,
        observedB: lr.observedB,
        expectedB: lr.expectedB,
        hazardRatioAtoB: fin(lr.hazardRatio),
        mfptRatioBtoA: ratio,
      },
    });
  } else {
    const missing = [!sa ? A.label : null, !sb ? B.label : null].filter(Boolean).join(', ');
    notes.push(`event '${ev}': no per-replica first-passage steps (events.csv) in ${missing}; MFPT not tested`);
    rows.push({
      ...base,
      test: 'log-rank',
      statisticName: 'chi2(1)',
      statistic: null,
      pValue: null,
      differs: null,
      decidedBy: 'log-rank (not possible: events.csv missing)',
      detail: {},
    });
  }
  rows.push(proportionRow(`${ev}: fraction entered`, 'fraction-entered', ev, ea.entered, ea.replicas, eb.entered, eb.replicas));
  return rows;
}

function observableRows(A: ComparedRun, B: ComparedRun, obs: string, crn: boolean, key: string): RowDraft[] {
  const xa = finalValues(A, obs)!;
  const xb = finalValues(B, obs)!;
  if (xa.length === 0 || xb.length === 0) {
    const empty = (x: Float64Array): Estimate => ({ value: null, ci95: null, n: x.length });
    return [
      {
        name: `${obs}: final mean`,
        kind: 'mean',
        subject: obs,
        a: empty(xa),
        b: empty(xb),
        difference: { value: null, ci95: null, of: 'B − A' },
        test: 'bootstrap',
        statisticName: 'z',
        statistic: null,
        pValue: null,
        differs: null,
        decidedBy: 'bootstrap (not possible: no final values)',
        detail: {},
      },
    ];
  }
  const paired = crn ? pairedFinals(A, B, obs) : null;
  const boot =
    paired && paired.a.length > 0
      ? bootstrapMeanDifference(paired.a, paired.b, { paired: true, resamples: BOOTSTRAP_RESAMPLES, seed: seedOf(key) })
      : bootstrapMeanDifference(xa, xb, { resamples: BOOTSTRAP_RESAMPLES, seed: seedOf(key) });
  const mean: RowDraft = {
    name: `${obs}: final mean`,
    kind: 'mean',
    subject: obs,
    a: meanCI(xa),
    b: meanCI(xb),
    difference: {
      value: meanCI(xb).value! - meanCI(xa).value!,
      ci95: boot.ci,
      of: `B − A (${boot.paired ? 'paired ' : ''}percentile bootstrap, ${boot.resamples} resamples)`,
    },
    test: boot.paired ? 'paired bootstrap' : 'bootstrap',
    statisticName: 'z',
    statistic: boot.z,
    pValue: boot.pValue,
    differs: boot.pValue < COMPARISON_LEVEL,
    decidedBy: `${boot.paired ? 'paired ' : ''}bootstrap of the difference of means (percentile-bootstrap p: 0 outside the ${Number((100 * (1 - COMPARISON_LEVEL)).toPrecision(6))} % interval)`,
    detail: {
      bootstrapSE: boot.se,
      resamples: boot.resamples,
      paired: boot.paired,
      pairs: boot.paired ? paired!.a.length : null,
      pValueResolution: 2 / (boot.resamples + 1),
    },
  };
  const mw = mannWhitneyTest(xb, xa);
  const medA = medianWithCI(xa);
  const medB = medianWithCI(xb);
  const location: RowDraft = {
    name: `${obs}: final location`,
    kind: 'location',
    subject: obs,
    a: { value: medA.median, ci95: medA.ci, n: xa.length },
    b: { value: medB.median, ci95: medB.ci, n: xb.length },
    difference: { value: medB.median - medA.median, ci95: null, of: 'median B − median A' },
    test: 'Mann–Whitney U',
    statisticName: 'z',
    statistic: mw.z,
    pValue: mw.pValue,
    differs: mw.pValue < COMPARISON_LEVEL,
    decidedBy: 'Mann–Whitney U (location)',
    detail: { U_B: mw.uA, probBgreaterA: mw.effect, method: mw.method, ties: mw.ties },
  };
  const ks = ksTwoSample(xa, xb);
  const shape: RowDraft = {
    name: `${obs}: final distribution`,
    kind: 'shape',
    subject: obs,
    a: { value: null, ci95: null, n: xa.length },
    b: { value: null, ci95: null, n: xb.length },
    difference: { value: ks.statistic, ci95: null, of: 'D = sup |F_B − F_A|' },
    test: 'KS two-sample',
    statisticName: 'D',
    statistic: ks.statistic,
    pValue: ks.pValue,
    differs: ks.pValue < COMPARISON_LEVEL,
    decidedBy: 'Kolmogorov–Smirnov two-sample (shape)',
    detail: { at: ks.at, method: ks.method, effectiveN: ks.effectiveN },
  };
  return [mean, location, shape];
}

function wellRows(A: ComparedRun, B: ComparedRun): RowDraft[] {
  const wa = finalValues(A, 'well');
  const wb = finalValues(B, 'well');
  if (!wa || !wb) return [];
  const wells = [...new Set([...wa, ...wb])].sort((x, y) => x - y);
  const count = (x: Float64Array, w: number) => x.reduce((c, v) => c + (v === w ? 1 : 0), 0);
  return wells.map((w) =>
    proportionRow(`well ${w}: occupancy`, 'occupancy', `well=${w}`, count(wa, w), wa.length, count(wb, w), wb.length),
  );
}

function settingDiffs(A: ComparedRun, B: ComparedRun): string[] {
  const sa = side(A).settings as unknown as Record<string, unknown>;
  const sb = side(B).settings as unknown as Record<string, unknown>;
  return Object.keys(sa)
    .filter((k) => stable(sa[k]) !== stable(sb[k]))
    .map((k) => `${k} ${stable(sa[k])} → ${stable(sb[k])}`);
}

/** Rows and notes comparing A (reference) with B. */
function comparePair(A: ComparedRun, B: ComparedRun): { rows: ComparisonRow[]; notes: string[] } {
  const notes: string[] = [];
  const pre = `${A.label} vs ${B.label}: `;
  const sa = A.scenario as { potential?: unknown; observe?: { events?: Array<{ name: string }> } } | null;
  const sb = B.scenario as typeof sa;
  if (sa && sb && stable(sa.potential) !== stable(sb.potential))
    notes.push(`${pre}the potentials differ (${stable(sa.potential)} vs ${stable(sb.potential)})`);
  if (stable(A.summary.run.coordinates) !== stable(B.summary.run.coordinates))
    notes.push(`${pre}the coordinates differ (${A.summary.run.coordinates.join(', ')} vs ${B.summary.run.coordinates.join(', ')})`);
  const diffs = settingDiffs(A, B);
  notes.push(`${pre}${diffs.length ? `settings that differ: ${diffs.join('; ')}` : 'no run settings differ'}`);
  const crn = commonRandomNumbers(A, B);
  if (crn)
    notes.push(
      `${pre}common random numbers (same seed ${A.summary.run.seed}, run ${A.summary.run.run}, ${A.summary.run.replicas} replicas): replica i sees the same initial draw and noise stream in both. The final means are compared by a paired bootstrap over replicas; the log-rank, Mann–Whitney, KS and proportion tests treat the two samples as independent, which makes them conservative (p-values too large, never too small) when common random numbers correlate the outcomes positively, the usual case.`,
    );

  const drafts: RowDraft[] = [];
  // events
  const evA = Object.keys(A.summary.events ?? {});
  const evB = Object.keys(B.summary.events ?? {});
  for (const e of evA.filter((e) => !evB.includes(e))) notes.push(`${pre}event '${e}' only in ${A.label}; not compared`);
  for (const e of evB.filter((e) => !evA.includes(e))) notes.push(`${pre}event '${e}' only in ${B.label}; not compared`);
  const defs = (s: typeof sa) => new Map((s?.observe?.events ?? []).map((e) => [e.name, stable(e)]));
  const da = defs(sa);
  const db = defs(sb);
  for (const e of evA.filter((e) => evB.includes(e))) {
    if (da.has(e) && db.has(e) && da.get(e) !== db.get(e))
      notes.push(`${pre}event '${e}' is defined differently (${da.get(e)} vs ${db.get(e)}); compared anyway`);
    drafts.push(...eventRows(A, B, e, notes));
  }
  // observables
  const obA = A.finals ? [...A.finals.columns.keys()] : Object.keys(A.summary.observables ?? {});
  const obB = B.finals ? [...B.finals.columns.keys()] : Object.keys(B.summary.observables ?? {});
  for (const o of obA.filter((o) => !obB.includes(o))) notes.push(`${pre}observable '${o}' only in ${A.label}; not compared`);
  for (const o of obB.filter((o) => !obA.includes(o))) notes.push(`${pre}observable '${o}' only in ${B.label}; not compared`);
  const shared = obA.filter((o) => obB.includes(o));
  if (!A.finals || !B.finals) {
    const missing = [!A.finals ? A.label : null, !B.finals ? B.label : null].filter(Boolean).join(', ');
    if (shared.length)
      notes.push(`${pre}no finals.csv in ${missing} (observe.finals: false): final values and well occupancies not compared`);
  } else {
    for (const o of shared) if (o !== 'well') drafts.push(...observableRows(A, B, o, crn, `${A.label}|${B.label}|${o}`));
    if (shared.includes('well')) drafts.push(...wellRows(A, B));
  }
  // divergence
  drafts.push(
    proportionRow(
      'divergence fraction',
      'divergence',
      'divergence',
      A.summary.divergence.count,
      done(A.summary),
      B.summary.divergence.count,
      done(B.summary),
    ),
  );

  const holm = holmAdjust(drafts.map((r) => (r.pValue === null ? Number.NaN : r.pValue)));
  const rows = drafts.map((r, i) => ({ pair: { a: A.label, b: B.label }, ...r, pHolm: Number.isFinite(holm[i]!) ? holm[i]! : null }));
  return { rows, notes };
}

const GENERAL_NOTES = [
  `differs: p < ${COMPARISON_LEVEL} for that row alone (${levelPhrase(COMPARISON_LEVEL)}, the level of every verdict stochdyn states); pHolm adjusts the p-values of one pair for multiplicity (Holm).`,
  'MFPT: log-rank on per-replica first-passage times t = step·η (censored at the last step, or at divergence); the estimates and intervals are the censored exponential MLE of summary.json.',
  'Final values exclude diverged replicas. Distribution rows: location by Mann–Whitney U (A/B = median, order-statistic interval), shape by two-sample Kolmogorov–Smirnov (D).',
];

/**
 * Compare two runs (A is the reference: differences are B − A). Shared
 * events, observables, `well` occupancies and divergence each give rows;
 * results in only one run are listed in `notes`.
 */
export function compareRunPair(runA: ComparedRun, runB: ComparedRun): Comparison {
  const { rows, notes } = comparePair(runA, runB);
  return {
    schema: COMPARISON_SCHEMA,
    kind: 'pair',
    a: side(runA),
    b: side(runB),
    level: COMPARISON_LEVEL,
    rows,
    notes: [...notes, ...GENERAL_NOTES],
  };
}

/** Compare every run against the first (the baseline); rows grouped by pair in the given order. */
export function compareWithBaseline(runs: readonly ComparedRun[]): Comparison {
  if (runs.length < 1) throw new CompareInputError('no runs to compare');
  const base = runs[0]!;
  const rows: ComparisonRow[] = [];
  const notes: string[] = [];
  for (const other of runs.slice(1)) {
    const p = comparePair(base, other);
    rows.push(...p.rows);
    notes.push(...p.notes);
  }
  if (runs.length === 1) notes.push(`only one regime ('${base.label}'): nothing to compare`);
  return {
    schema: COMPARISON_SCHEMA,
    kind: 'regimes',
    a: side(base),
    b: runs.slice(1).map(side),
    level: COMPARISON_LEVEL,
    rows,
    notes: [...notes, ...GENERAL_NOTES],
  };
}
