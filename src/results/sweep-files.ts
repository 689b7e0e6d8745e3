/**
 * The files of a complete sweep directory that are computed from its point
 * summaries alone (never from timings), so an interrupted-and-resumed, a
 * sharded-and-merged and a straight run give byte-identical files:
 *
 * - `sweep.csv`: one row per point in index order — `index`, one column per
 *   swept key, `<obs>_mean,<obs>_sem,<obs>_q50` per observable (final values),
 *   `<ev>_entered,<ev>_fraction,<ev>_mfpt_time,<ev>_mfpt_lo,<ev>_mfpt_hi` per
 *   event, `diverged` (count), then `phase` (and `phase_2` … for further phase
 *   analyses) when the scenario has `analysis: [{kind: phase, …}]`; with a
 *   `sampling:` section, `<obs>_post_mean,<obs>_post_mcse,<obs>_ess,<obs>_rhat`
 *   per chain observable and `pred_<metric>,pred_<metric>_mean,pred_<metric>_sem`
 *   per posterior-predictive metric (see samplingColumns); then `<kind>_<key>`
 *   (dashes → underscores) per scalar in the `columns` of a theory overlay or
 *   run-scope analysis result (e.g. `learning_phases_grokking`); last, the
 *   dynamics each point integrated (from its summary, which the run plan wrote):
 *   `temperature,lr,weight_decay` (empty when the point's groups differ) and,
 *   when some point's groups differ, `temperature_<g>,lr_<g>,weight_decay_<g>`
 *   per parameter group — a swept `dynamics.temperature` next to a group
 *   override shows here what was integrated.
 * - with a phase analysis and exactly two swept keys: `phases.csv`
 *   (`index,x,y,metric,phase`) and `phase-boundary.json` (see `phaseBoundary`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyPhase, phaseAnalyses } from '../analysis/phases.js';
import { valueAtPath } from '../scenario/sweep.js';
import type { PhaseAnalysisSpec, Scenario, SweepMode } from '../scenario/types.js';
import { olsFit, type OlsFit } from '../stats/regression.js';
import type { Summary } from '../analysis/summary.js';
import { pointLr, pointTemperature, pointWeightDecay } from '../analysis/sweep-points.js';
import { runSweepAnalyses } from '../analysis/index.js';
import { toCsv, writeAtomic, writeJson } from './write.js';
import { samplingColumns } from '../analysis/sampling.js';
import { planEvents } from '../plan/run-plan.js';

export const SWEEP_SCHEMA = 'stochdyn.sweep/1';
export const PHASE_BOUNDARY_SCHEMA = 'stochdyn.phase-boundary/1';

/** `sweep.json`: what the sweep is, written when the directory is created. */
export interface SweepMeta {
  schema: typeof SWEEP_SCHEMA;
  name: string;
  /** `sweepHash` of the scenario: resuming and merging require it to match. */
  hash: string;
  mode: SweepMode;
  axes: Array<{ key: string; values: unknown[] }>;
  points: Array<{ index: number; values: Record<string, unknown> }>;
  /** The resolved scenario, sweep included (with `source` and the `stochdyn` version). */
  scenario: Scenario & { stochdyn?: string };
}

type Cell = string | number | null;

const cell = (v: unknown): Cell =>
  v === null || v === undefined ? null : typeof v === 'number' || typeof v === 'string' ? v : JSON.stringify(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function pointDir(dir: string, index: number): string {
  return join(dir, 'points', String(index));
}

/** The summary of a completed point, or null when it is not (yet) there. */
export function readPointSummary(dir: string, index: number): Summary | null {
  const f = join(pointDir(dir, index), 'summary.json');
  if (!existsSync(f)) return null;
  return JSON.parse(readFileSync(f, 'utf8')) as Summary;
}

/** The integrated dynamics columns of sweep.csv and the summary.json `run` fields they come from. */
const DYNAMICS_COLUMNS = [
  { column: 'temperature', key: 'temperature' },
  { column: 'lr', key: 'lr' },
  { column: 'weight_decay', key: 'weightDecay' },
] as const;

/** The rows of sweep.csv from the point summaries (index order). */
export function sweepTable(meta: SweepMeta, summaries: Summary[]): { header: string[]; rows: Cell[][] } {
  const keys = meta.axes.map((a) => a.key);
  const observables: string[] = [];
  const events: string[] = [];
  for (const s of summaries) {
    for (const o of Object.keys(s.observables)) if (!observables.includes(o)) observables.push(o);
    for (const e of Object.keys(s.events)) if (!events.includes(e)) events.push(e);
  }
  const phases = phaseAnalyses(meta.scenario);
  const groups: string[] = [];
  for (const s of summaries) for (const g of Object.keys(s.run.groups ?? {})) if (!groups.includes(g)) groups.push(g);
  const sampling = samplingColumns(summaries);
  // Theory overlays and run-scope analyses that publish scalar `columns` (e.g. toy-addition, learning-phases):
  // `<kind>_<key>`, first entry of a kind.
  const withColumns = (s: Summary) =>
    [...(s.theory ?? []), ...(s.analyses ?? [])] as Array<{ kind?: string; columns?: Record<string, unknown> }>;
  const theoryCols: Array<{ kind: string; key: string }> = [];
  for (const s of summaries)
    for (const t of withColumns(s))
      if (t && typeof t.kind === 'string' && t.columns && typeof t.columns === 'object')
        for (const key of Object.keys(t.columns))
          if (!theoryCols.some((c) => c.kind === t.kind && c.key === key)) theoryCols.push({ kind: t.kind, key });
  const header = [
    'index',
    ...keys,
    ...observables.flatMap((o) => [`${o}_mean`, `${o}_sem`, `${o}_q50`]),
    ...events.flatMap((e) => [`${e}_entered`, `${e}_fraction`, `${e}_mfpt_time`, `${e}_mfpt_lo`, `${e}_mfpt_hi`]),
    'diverged',
    ...phases.map((_, i) => (i === 0 ? 'phase' : `phase_${i + 1}`)),
    ...sampling.header,
    ...theoryCols.map((c) => `${c.kind.replace(/-/g, '_')}_${c.key}`),
    // Appended last: new columns never move the existing ones.
    ...DYNAMICS_COLUMNS.map((c) => c.column),
    ...groups.flatMap((g) => DYNAMICS_COLUMNS.map((c) => `${c.column}_${g}`)),
  ];
  const rows = meta.points.map((p, i) => {
    const s = summaries[i];
    const row: Cell[] = [p.index, ...keys.map((k) => cell(p.values[k]))];
    for (const o of observables) {
      const d = s.observables[o]?.final;
      row.push(num(d?.mean), num(d?.sem), num(d?.q50));
    }
    for (const e of events) {
      const ev = s.events[e];
      row.push(num(ev?.entered), num(ev?.fractionEntered), num(ev?.mfpt.time), num(ev?.mfpt.ci95Time?.[0]), num(ev?.mfpt.ci95Time?.[1]));
    }
    row.push(num(s.divergence.count));
    for (const ph of phases) row.push(classifyPhase(valueAtPath(s, ph.metric), ph));
    row.push(...sampling.row(s));
    for (const c of theoryCols) {
      const t = withColumns(s).find((e) => e?.kind === c.kind && e.columns);
      const v = t?.columns?.[c.key];
      row.push(typeof v === 'number' ? num(v) : null);
    }
    for (const c of DYNAMICS_COLUMNS)
      row.push(num(c.key === 'temperature' ? pointTemperature(s) : c.key === 'lr' ? pointLr(s) : pointWeightDecay(s)));
    for (const g of groups) for (const c of DYNAMICS_COLUMNS) row.push(num(s.run.groups?.[g]?.[c.key]));
    return row;
  });
  return { header, rows };
}

export interface BoundaryPoint {
  x: number;
  /** Geometric mean of the two adjacent y values between which the phase changes. */
  y: number;
  /** The adjacent y values (below: the lower y) and their phases. */
  yBelow: number;
  yAbove: number;
  phaseBelow: string;
  phaseAbove: string;
}

export interface PhaseBoundaryEntry {
  /** The two phases it separates (labels[j], labels[j + 1]) and the threshold between them. */
  between: [string, string];
  threshold: number;
  points: BoundaryPoint[];
  /** Number of boundary points used in the fit. */
  used: number;
  /** x values with no single crossing (none, or several). */
  skipped: Array<{ x: unknown; reason: string }>;
  /** log10 y = intercept + slope · log10 x, with 95 % CIs from the t distribution (n − 2 dof); null with fewer than 2 points. */
  fit: (OlsFit & { base: 10 }) | null;
  note: string | null;
}

export interface PhaseBoundaryFile extends PhaseBoundaryEntry {
  schema: typeof PHASE_BOUNDARY_SCHEMA;
  metric: string;
  /** The swept keys on the axes: x the first, y the second. */
  x: string;
  y: string;
  base: 10;
  model: string;
  /** One entry per threshold (the top-level fields repeat the first). */
  boundaries: PhaseBoundaryEntry[];
}

/**
 * The boundary between phases on log–log axes. For each threshold t_j
 * (between labels[j] and labels[j+1]) and each x, the points at that x are
 * ordered by y and split into "below" (label index ≤ j) and "above"; where the
 * side changes exactly once, the boundary point is (x, √(y_i·y_{i+1})) of the
 * two adjacent y values. An OLS fit of log10 y = a + b·log10 x over the
 * boundary points gives slope and intercept with 95 % t-based CIs (CIs need
 * at least 3 points; the note says when there are fewer).
 */
export function phaseBoundary(
  points: Array<{ x: unknown; y: unknown; phase: string | null }>,
  spec: Pick<PhaseAnalysisSpec, 'thresholds' | 'labels'>,
): PhaseBoundaryEntry[] {
  const positive = points.every((p) => typeof p.x === 'number' && p.x > 0 && typeof p.y === 'number' && p.y > 0);
  return spec.thresholds.map((threshold, j) => {
    const between: [string, string] = [spec.labels[j], spec.labels[j + 1]];
    if (!positive)
      return {
        between,
        threshold,
        points: [],
        used: 0,
        skipped: [],
        fit: null,
        note: 'both swept keys must be positive numbers for a boundary on log–log axes',
      };
    const byX = new Map<number, Array<{ y: number; phase: string }>>();
    for (const p of points) {
      if (p.phase === null) continue;
      const list = byX.get(p.x as number) ?? [];
      list.push({ y: p.y as number, phase: p.phase });
      byX.set(p.x as number, list);
    }
    const bpts: BoundaryPoint[] = [];
    const skipped: PhaseBoundaryEntry['skipped'] = [];
    for (const x of [...byX.keys()].sort((a, b) => a - b)) {
      const col = byX.get(x)!.sort((a, b) => a.y - b.y);
      const above = (ph: string) => spec.labels.indexOf(ph) > j;
      const changes: number[] = [];
      for (let i = 0; i + 1 < col.length; i++) if (above(col[i].phase) !== above(col[i + 1].phase)) changes.push(i);
      if (changes.length === 1) {
        const i = changes[0];
        bpts.push({
          x,
          y: Math.sqrt(col[i].y * col[i + 1].y),
          yBelow: col[i].y,
          yAbove: col[i + 1].y,
          phaseBelow: col[i].phase,
          phaseAbove: col[i + 1].phase,
        });
      } else
        skipped.push({
          x,
          reason: changes.length === 0 ? 'no change of phase along y' : `the phase changes ${changes.length} times along y`,
        });
    }
    let fit: PhaseBoundaryEntry['fit'] = null;
    let note: string | null = null;
    if (bpts.length >= 2) {
      const f = olsFit(
        bpts.map((p) => Math.log10(p.x)),
        bpts.map((p) => Math.log10(p.y)),
        0.95,
      );
      fit = { ...f, base: 10 };
      if (bpts.length < 3)
        note = `only ${bpts.length} boundary points: slope and intercept without confidence intervals (they need at least 3)`;
    } else
      note = `only ${bpts.length} boundary point${bpts.length === 1 ? '' : 's'}: no fit (it needs at least 2, and 3 for confidence intervals)`;
    return { between, threshold, points: bpts, used: bpts.length, skipped, fit, note };
  });
}

/**
 * Write sweep.csv (and phases.csv, phase-boundary.json when they apply) of a
 * complete sweep directory from its sweep.json and point summaries. Returns
 * the names of the files written.
 */
export function writeSweepOutputs(dir: string, meta: SweepMeta): { files: string[]; phaseBoundary: PhaseBoundaryFile | null } {
  const summaries = meta.points.map((p) => {
    const s = readPointSummary(dir, p.index);
    if (!s) throw new Error(`${pointDir(dir, p.index)}: point ${p.index} is not complete (no summary.json)`);
    return s;
  });
  const table = sweepTable(meta, summaries);
  writeAtomic(join(dir, 'sweep.csv'), toCsv(table.header, table.rows));
  const files = ['sweep.csv'];
  const fits = runSweepAnalyses({
    scenario: meta.scenario,
    events: planEvents(meta.scenario),
    dir,
    keys: meta.axes.map((a) => a.key),
    points: meta.points.map((p, i) => ({ index: p.index, values: p.values, summary: summaries[i] })),
  });
  if (fits.length > 0) {
    writeJson(join(dir, 'analyses.json'), { schema: 'stochdyn.sweep-analyses/1', name: meta.name, hash: meta.hash, analyses: fits });
    files.push('analyses.json');
  }
  const phase = phaseAnalyses(meta.scenario)[0];
  let boundaryFile: PhaseBoundaryFile | null = null;
  if (phase && meta.axes.length === 2) {
    const [xKey, yKey] = meta.axes.map((a) => a.key);
    const rows = meta.points.map((p, i) => {
      const metric = valueAtPath(summaries[i], phase.metric);
      return { index: p.index, x: p.values[xKey], y: p.values[yKey], metric: num(metric), phase: classifyPhase(metric, phase) };
    });
    writeAtomic(
      join(dir, 'phases.csv'),
      toCsv(
        ['index', 'x', 'y', 'metric', 'phase'],
        rows.map((r) => [r.index, cell(r.x), cell(r.y), r.metric, r.phase]),
      ),
    );
    const boundaries = phaseBoundary(rows, phase);
    boundaryFile = {
      schema: PHASE_BOUNDARY_SCHEMA,
      metric: phase.metric,
      x: xKey,
      y: yKey,
      base: 10,
      model: 'log10 y = intercept + slope · log10 x',
      ...boundaries[0],
      boundaries,
    };
    writeJson(join(dir, 'phase-boundary.json'), boundaryFile);
    files.push('phases.csv', 'phase-boundary.json');
  }
  return { files, phaseBoundary: boundaryFile };
}
