/**
 * The catalog of a folder of results: every run, sweep, regimes,
 * replica-exchange and run-shard directory under it (searched a few levels
 * deep, never inside another result directory), each summarised by its kind,
 * scenario, start time, seed, status, size, wall time and headline numbers.
 * `stochdyn ls` prints it and `stochdyn report <folder>` writes it as
 * index.html. It only reads; a directory whose files cannot be read is listed
 * as `unreadable` with the reason and the others are still listed.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { analysisText } from '../analysis/index.js';
import type { Summary } from '../analysis/summary.js';
import { PARTIAL_DIR } from './checkpoint.js';
import { parseCsv } from './read.js';

/** How many folder levels below the root are searched for result directories. */
export const CATALOG_DEPTH = 6;

export type CatalogKind = 'run' | 'sweep' | 'regimes' | 'exchange' | 'run-shard';

/**
 * `complete`: every part written (a run with `run.status` completed, a sweep with
 * every point and sweep.csv, regimes with comparison.json, an exchange with
 * exchange.json completed); `incomplete`: unfinished, interrupted or partial
 * (`detail` says what is missing); `unreadable`: a file could not be read (`detail` says which and why).
 */
export type CatalogStatus = 'complete' | 'incomplete' | 'unreadable';

/** First passage of one event (physical time; `mfpt` null when no replica entered). */
export interface CatalogEvent {
  name: string;
  entered: number;
  replicas: number;
  mfpt: number | null;
  ci95: [number | null, number | null] | null;
}

/** One swept key: how many values and their range (numbers), or the first and last value. */
export interface CatalogSweptKey {
  key: string;
  count: number;
  min: unknown;
  max: unknown;
}

/** The verdicts of one pair of regimes in comparison.json. */
export interface CatalogVerdict {
  a: string;
  b: string;
  /** Rows with a test (differs not null) and the rows among them that differ at `level`. */
  tested: number;
  differs: number;
  /** The names of the rows that differ (e.g. `x: final mean`). */
  which: string[];
}

export interface CatalogEntry {
  /** Relative to the catalogued folder, '/'-separated; '.' for the folder itself. */
  path: string;
  /** Absolute path. */
  dir: string;
  kind: CatalogKind;
  scenario: string | null;
  /** Start time, ISO 8601 UTC (from the summaries' timing; else the modification time of the directory's first file). */
  started: string | null;
  seed: number | null;
  status: CatalogStatus;
  /** Why it is incomplete or unreadable (null when complete). */
  detail: string | null;
  /** Replicas (sweep and regimes: when every part has the same number; exchange: ladders). */
  replicas: number | null;
  steps: number | null;
  /** Wall time in seconds (sweeps and regimes: summed over their runs; exchange: the longest rung's). */
  wallSeconds: number | null;
  /** The file to open, relative to `dir`: report.html when it exists, else the directory's main result file. */
  link: string | null;
  /** True when `link` is report.html. */
  hasReport: boolean;
  /** Run: its events; exchange: those of rung 0. */
  events: CatalogEvent[];
  /** Diverged replicas (sweeps, regimes, exchange: summed over their runs). */
  diverged: number | null;
  /**
   * Each run-scope analysis of a run (summary.json) or sweep-scope analysis of a sweep (analyses.json): its kind and one-line
   * text; for a run also `splitting` (the AMS estimate) and `sampling` (its warnings) when it has them.
   */
  analyses: Array<{ kind: string; text: string }>;
  sweep?: {
    done: number;
    total: number | null;
    keys: CatalogSweptKey[];
    /** Points per phase label (the `phase` column of sweep.csv; {} without one). */
    phases: Record<string, number>;
    boundarySlope: { value: number; ci95: [number, number] | null } | null;
  };
  regimes?: { names: string[]; baseline: string | null; level: number | null; verdicts: CatalogVerdict[] };
  exchange?: { key: string; rungs: number; values: number[]; minAcceptance: number | null; roundTrips: number | null; warnings: number };
  /** A run-shard directory (`run --shard i/N`): shard i of N, its replica range and the run's replicas. */
  shard?: { index: number | null; count: number | null; first: number | null; replicas: number | null; requested: number | null };
  /** The headline numbers as short texts (events, analyses, points, verdicts …), in order. */
  headlines: string[];
  /** `headlines` joined into one line (what `stochdyn ls` prints). */
  headline: string;
}

/** The folder does not exist, is not a folder, or holds no result directory. */
export class CatalogError extends Error {
  constructor(
    message: string,
    /** `missing`: no such path; `not-a-directory`; `empty`: a folder without any result directory. */
    readonly reason: 'missing' | 'not-a-directory' | 'empty',
  ) {
    super(message);
    this.name = 'CatalogError';
  }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};
const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const fmt = (v: number | null | undefined, digits = 3) =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : Number(v.toPrecision(digits)).toString();

/** A JSON file of `dir` (null when absent); unreadable or invalid JSON throws an error naming the file. */
function readJson(dir: string, name: string): unknown {
  const file = join(dir, name);
  if (!existsSync(file)) return null;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`${name}: cannot be read (${(e as Error).message})`, { cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new Error(`${name}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
}

/** A summary.json: null when absent; an object with a `run` object, else an error naming the file. */
function readSummary(dir: string, name = 'summary.json'): Summary | null {
  const s = readJson(dir, name);
  if (s === null) return null;
  if (!isObject(s) || !isObject(s.run)) throw new Error(`${name}: not a stochdyn summary (expected an object with a "run" object)`);
  return s as unknown as Summary;
}

const mtime = (file: string): string | null => {
  try {
    return statSync(file).mtime.toISOString();
  } catch {
    return null;
  }
};

/** `YYYYMMDD-HHMMSS` at the start of a run id, as ISO 8601 UTC. */
function timeOfRunId(id: unknown): string | null {
  const m = typeof id === 'string' ? /^(\d{4})(\d{2})(\d{2})-(\d{2})(\d{2})(\d{2})/.exec(id) : null;
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.000Z` : null;
}

const startOf = (s: Summary): string | null => (typeof s.timing?.startedAt === 'string' ? s.timing.startedAt : timeOfRunId(s.run.id));
const earliest = (times: Array<string | null>): string | null => times.filter((t): t is string => t !== null).sort()[0] ?? null;
/** The value every element has, or null when they differ or there are none. */
const common = (values: Array<number | null>): number | null =>
  values.length > 0 && values.every((v) => v === values[0]) ? values[0] : null;
const sum = (values: Array<number | null>): number | null =>
  values.length === 0 || values.some((v) => v === null) ? null : values.reduce<number>((a, v) => a + (v as number), 0);

/** The link of a directory: report.html when it exists, else the first of `files` that exists. */
function linkOf(dir: string, files: string[]): { link: string | null; hasReport: boolean } {
  if (existsSync(join(dir, 'report.html'))) return { link: 'report.html', hasReport: true };
  return { link: files.find((f) => existsSync(join(dir, f))) ?? null, hasReport: false };
}

function eventsOf(s: Summary): CatalogEvent[] {
  return Object.entries(isObject(s.events) ? s.events : {}).map(([name, e]) => ({
    name,
    entered: e.entered,
    replicas: e.replicas,
    mfpt: finite(e.mfpt?.time),
    ci95: e.mfpt?.ci95Time ? [finite(e.mfpt.ci95Time[0]), finite(e.mfpt.ci95Time[1])] : null,
  }));
}

/** The first line of an analysis result's text: the analysis's own one-line text, else `text`, else its scalar fields. */
function analysisLine(result: unknown): { kind: string; text: string } | null {
  if (!isObject(result)) return null;
  const kind = String(result.kind ?? 'analysis');
  let text: string | undefined;
  try {
    text = analysisText(result) ?? (typeof result.text === 'string' ? result.text : undefined);
  } catch {
    text = undefined;
  }
  if (!text) {
    const scalars = Object.entries(result)
      .filter(([k, v]) => k !== 'kind' && (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean'))
      .slice(0, 4)
      .map(([k, v]) => `${k} ${typeof v === 'number' ? fmt(v, 4) : String(v)}`);
    text = `${kind}: ${scalars.join(', ') || 'no scalar fields'}`;
  }
  return { kind, text: text.split('\n')[0] };
}

const eventText = (e: CatalogEvent) =>
  `${e.name} MFPT ${fmt(e.mfpt)}${e.ci95 ? ` [${fmt(e.ci95[0])}, ${fmt(e.ci95[1])}]` : ''} (${e.entered}/${e.replicas} entered)`;

/** The checkpoint a run directory holds in partial/: shard results and snapshots. */
function checkpointOf(dir: string): { results: number; snapshots: number } {
  const partial = join(dir, PARTIAL_DIR);
  if (!isDir(partial)) return { results: 0, snapshots: 0 };
  const names = readdirSync(partial);
  return {
    results: names.filter((n) => /^(replicas|ladders)-\d+-\d+\.bin$/.test(n)).length,
    snapshots: names.filter((n) => /^(state|ladders-state)-\d+-\d+\.bin$/.test(n) || n === 'adaptation.bin').length,
  };
}

function checkpointText(dir: string): string {
  const c = checkpointOf(dir);
  return c.results + c.snapshots > 0
    ? `resume checkpoint in ${PARTIAL_DIR}/ (${c.results} shard result(s), ${c.snapshots} snapshot(s)); the same command with --out on this directory continues it`
    : 'no checkpoint yet (still running, or stopped before a shard finished)';
}

type EntryFields = Omit<CatalogEntry, 'path' | 'dir' | 'headline' | 'headlines'>;

const blank = (kind: CatalogKind): EntryFields => ({
  kind,
  scenario: null,
  started: null,
  seed: null,
  status: 'complete',
  detail: null,
  replicas: null,
  steps: null,
  wallSeconds: null,
  link: null,
  hasReport: false,
  events: [],
  diverged: null,
  analyses: [],
});

function runStatus(s: Summary): { status: CatalogStatus; detail: string | null } {
  const status = s.run.status ?? 'completed';
  if (status === 'completed') return { status: 'complete', detail: null };
  return { status: 'incomplete', detail: `${status}: results of ${s.run.completedReplicas} of ${s.run.replicas} replicas` };
}

function summariseRun(dir: string): EntryFields {
  const e = { ...blank('run'), ...linkOf(dir, ['summary.json', 'scenario.resolved.json']) };
  const s = readSummary(dir);
  if (!s) {
    const scenario = readJson(dir, 'scenario.resolved.json');
    return {
      ...e,
      scenario: isObject(scenario) && typeof scenario.name === 'string' ? scenario.name : null,
      seed: isObject(scenario) ? finite(scenario.seed) : null,
      replicas: isObject(scenario) && isObject(scenario.ensemble) ? finite(scenario.ensemble.replicas) : null,
      steps: isObject(scenario) && isObject(scenario.dynamics) ? finite(scenario.dynamics.steps) : null,
      started: mtime(join(dir, 'scenario.resolved.json')),
      status: 'incomplete',
      detail: `no summary.json; ${checkpointText(dir)}`,
    };
  }
  const sp = (
    s as { splitting?: { probability?: { mean?: number; ci95?: [number, number] }; mfpt?: { mean?: number; ci95?: [number, number] } } }
  ).splitting;
  const analyses = (Array.isArray(s.analyses) ? s.analyses : []).map(analysisLine).filter((a): a is { kind: string; text: string } => !!a);
  const warnings = (s as { sampling?: { warnings?: unknown[] } }).sampling?.warnings;
  if (Array.isArray(warnings) && warnings.length > 0)
    analyses.push({ kind: 'sampling', text: `sampling: ${warnings.length} warning(s), the first: ${String(warnings[0])}` });
  if (sp)
    analyses.push({
      kind: 'splitting',
      text: `splitting: p(B before A) ${fmt(sp.probability?.mean)}${sp.probability?.ci95 ? ` [${fmt(sp.probability.ci95[0])}, ${fmt(sp.probability.ci95[1])}]` : ''}; MFPT ${fmt(sp.mfpt?.mean)}${sp.mfpt?.ci95 ? ` [${fmt(sp.mfpt.ci95[0])}, ${fmt(sp.mfpt.ci95[1])}]` : ''}`,
    });
  return {
    ...e,
    ...runStatus(s),
    scenario: s.scenario?.name ?? null,
    started: startOf(s),
    seed: finite(s.run.seed),
    replicas: finite(s.run.replicas),
    steps: finite(s.run.steps),
    wallSeconds: finite(s.timing?.wallSeconds),
    events: eventsOf(s),
    diverged: finite(s.divergence?.count),
    analyses,
  };
}

/** The sub-directories of `dir/sub` holding summary.json, with the summaries (an unreadable one throws, naming it). */
function childSummaries(dir: string, sub: string, names?: string[]): Array<{ name: string; summary: Summary }> {
  const parent = join(dir, sub);
  if (!isDir(parent)) return [];
  const found = (names ?? readdirSync(parent).filter((n) => !n.startsWith('.'))).filter((n) => existsSync(join(parent, n, 'summary.json')));
  return found.map((name) => ({ name, summary: readSummary(dir, join(sub, name, 'summary.json'))! }));
}

function sweptKeysOf(meta: Json | null): CatalogSweptKey[] {
  const describe = (key: string, values: unknown[]): CatalogSweptKey => {
    const numbers = values.filter((v): v is number => typeof v === 'number');
    return numbers.length === values.length && numbers.length > 0
      ? { key, count: values.length, min: Math.min(...numbers), max: Math.max(...numbers) }
      : { key, count: values.length, min: values[0] ?? null, max: values[values.length - 1] ?? null };
  };
  if (!meta) return [];
  if (Array.isArray(meta.axes))
    return meta.axes.filter(isObject).map((a) => describe(String(a.key), Array.isArray(a.values) ? a.values : []));
  // Without axes: the distinct values of each key over the points.
  if (Array.isArray(meta.points)) {
    const byKey = new Map<string, unknown[]>();
    for (const p of meta.points.filter(isObject))
      for (const [k, v] of Object.entries(isObject(p.values) ? p.values : {})) {
        const list = byKey.get(k) ?? [];
        if (!list.some((x) => JSON.stringify(x) === JSON.stringify(v))) list.push(v);
        byKey.set(k, list);
      }
    return [...byKey].map(([k, values]) => describe(k, values));
  }
  return [];
}

/** Points per label of the `phase` column of sweep.csv (empty cells left out). */
function phaseCounts(dir: string): Record<string, number> {
  const file = join(dir, 'sweep.csv');
  if (!existsSync(file)) return {};
  const table = parseCsv(readFileSync(file, 'utf8'));
  const k = table.header.indexOf('phase');
  const counts: Record<string, number> = {};
  if (k >= 0) for (const row of table.rows) if (row[k]) counts[row[k]] = (counts[row[k]] ?? 0) + 1;
  return counts;
}

function summariseSweep(dir: string): EntryFields {
  const meta = readJson(dir, 'sweep.json');
  const m = isObject(meta) ? meta : null;
  if (meta !== null && !m) throw new Error('sweep.json: not a sweep description (expected an object)');
  const indices = Array.isArray(m?.points) ? m.points.filter(isObject).map((p) => String(p.index)) : undefined;
  const points = childSummaries(dir, 'points', indices);
  const total = indices ? indices.length : null;
  const complete = points.filter((p) => (p.summary.run.status ?? 'completed') === 'completed').length;
  const hasCsv = existsSync(join(dir, 'sweep.csv'));
  const scenario = isObject(m?.scenario) ? m.scenario : null;
  const analysesFile = readJson(dir, 'analyses.json');
  const analyses = (isObject(analysesFile) && Array.isArray(analysesFile.analyses) ? analysesFile.analyses : [])
    .map(analysisLine)
    .filter((a): a is { kind: string; text: string } => !!a);
  const boundary = readJson(dir, 'phase-boundary.json');
  const fit = isObject(boundary) && isObject(boundary.fit) ? boundary.fit : null;
  const slope = fit ? finite(fit.slope) : null;
  const slopeCi =
    fit && Array.isArray(fit.slopeCi) && fit.slopeCi.every((v) => finite(v) !== null) ? (fit.slopeCi as [number, number]) : null;
  const done = points.length;
  let status: CatalogStatus = 'complete';
  const missing: string[] = [];
  if (total !== null && done < total) missing.push(`${total - done} of ${total} points not done`);
  if (done > complete) missing.push(`${done - complete} point(s) partial or interrupted`);
  if (!hasCsv && missing.length === 0) missing.push('no sweep.csv yet');
  if (missing.length) status = 'incomplete';
  const summaries = points.map((p) => p.summary);
  return {
    ...blank('sweep'),
    ...linkOf(dir, ['sweep.csv', 'sweep.json']),
    scenario: typeof m?.name === 'string' ? m.name : (summaries[0]?.scenario?.name ?? null),
    started: earliest(summaries.map(startOf)) ?? mtime(join(dir, 'sweep.json')),
    seed: scenario ? finite(scenario.seed) : (common(summaries.map((s) => finite(s.run.seed))) ?? null),
    status,
    detail: missing.length ? missing.join('; ') : null,
    replicas: common(summaries.map((s) => finite(s.run.replicas))),
    steps: common(summaries.map((s) => finite(s.run.steps))),
    wallSeconds: sum(summaries.map((s) => finite(s.timing?.wallSeconds))),
    diverged: sum(summaries.map((s) => finite(s.divergence?.count))),
    analyses,
    sweep: {
      done,
      total,
      keys: sweptKeysOf(m),
      phases: phaseCounts(dir),
      boundarySlope: slope === null ? null : { value: slope, ci95: slopeCi },
    },
  };
}

function verdictsOf(comparison: unknown): { level: number | null; verdicts: CatalogVerdict[] } {
  if (!isObject(comparison)) return { level: null, verdicts: [] };
  const verdicts: CatalogVerdict[] = [];
  for (const row of Array.isArray(comparison.rows) ? comparison.rows.filter(isObject) : []) {
    const pair = isObject(row.pair) ? row.pair : {};
    const a = String(pair.a ?? '?'),
      b = String(pair.b ?? '?');
    let v = verdicts.find((x) => x.a === a && x.b === b);
    if (!v) verdicts.push((v = { a, b, tested: 0, differs: 0, which: [] }));
    if (typeof row.differs !== 'boolean') continue;
    v.tested++;
    if (row.differs) {
      v.differs++;
      v.which.push(String(row.name ?? row.subject ?? '?'));
    }
  }
  return { level: finite(comparison.level), verdicts };
}

function summariseRegimes(dir: string): EntryFields {
  const meta = readJson(dir, 'regimes.json');
  const m = isObject(meta) ? meta : null;
  if (meta !== null && !m) throw new Error('regimes.json: not a regimes description (expected an object)');
  const listed = Array.isArray(m?.regimes)
    ? m.regimes.map((r) => (isObject(r) ? String(r.name ?? '') : typeof r === 'string' ? r : '')).filter(Boolean)
    : [];
  const found = isDir(join(dir, 'regimes')) ? readdirSync(join(dir, 'regimes')).filter((n) => isDir(join(dir, 'regimes', n))) : [];
  const names = [...listed, ...found.filter((n) => !listed.includes(n))];
  const runs = childSummaries(dir, 'regimes', names);
  const summaries = runs.map((r) => r.summary);
  const comparison = readJson(dir, 'comparison.json');
  const missing: string[] = [];
  const notDone = names.filter((n) => !runs.some((r) => r.name === n));
  if (notDone.length) missing.push(`regime(s) without summary.json: ${notDone.join(', ')}`);
  const unfinished = runs.filter((r) => (r.summary.run.status ?? 'completed') !== 'completed').map((r) => r.name);
  if (unfinished.length) missing.push(`regime(s) partial or interrupted: ${unfinished.join(', ')}`);
  if (comparison === null) missing.push('no comparison.json');
  return {
    ...blank('regimes'),
    ...linkOf(dir, ['comparison.json', 'regimes.json']),
    scenario: typeof m?.scenario === 'string' ? m.scenario : (summaries[0]?.scenario?.name ?? null),
    started: earliest(summaries.map(startOf)) ?? mtime(join(dir, 'regimes.json')),
    seed: finite(m?.seed) ?? common(summaries.map((s) => finite(s.run.seed))),
    status: missing.length ? 'incomplete' : 'complete',
    detail: missing.length ? missing.join('; ') : null,
    replicas: common(summaries.map((s) => finite(s.run.replicas))),
    steps: common(summaries.map((s) => finite(s.run.steps))),
    wallSeconds: sum(summaries.map((s) => finite(s.timing?.wallSeconds))),
    diverged: sum(summaries.map((s) => finite(s.divergence?.count))),
    regimes: { names, baseline: typeof m?.baseline === 'string' ? m.baseline : (names[0] ?? null), ...verdictsOf(comparison) },
  };
}

function summariseExchange(dir: string): EntryFields {
  const ex = readJson(dir, 'exchange.json');
  const scenario = readJson(dir, 'scenario.resolved.json');
  const sc = isObject(scenario) ? scenario : null;
  const base = {
    ...blank('exchange'),
    ...linkOf(dir, ['exchange.json', 'scenario.resolved.json']),
    scenario: typeof sc?.name === 'string' ? sc.name : null,
    seed: finite(sc?.seed),
  };
  if (ex === null)
    return {
      ...base,
      started: mtime(join(dir, 'scenario.resolved.json')),
      replicas: isObject(sc?.ensemble) ? finite(sc.ensemble.replicas) : null,
      steps: isObject(sc?.dynamics) ? finite(sc.dynamics.steps) : null,
      status: 'incomplete',
      detail: `no exchange.json; ${checkpointText(dir)}`,
    };
  if (!isObject(ex) || !Array.isArray(ex.rungs) || !Array.isArray(ex.pairs))
    throw new Error('exchange.json: not an exchange summary (expected "rungs" and "pairs" lists)');
  const rungs = ex.rungs.filter(isObject);
  const dirs = rungs.map((r) => String(r.dir ?? ''));
  const summaries = dirs
    .filter((d) => d && existsSync(join(dir, d, 'summary.json')))
    .map((d) => readSummary(dir, join(d, 'summary.json'))!);
  const acceptances = ex.pairs.filter(isObject).map((p) => finite(p.acceptance));
  const known = acceptances.filter((a): a is number => a !== null);
  const interrupted = ex.status === 'interrupted';
  return {
    ...base,
    scenario: typeof ex.name === 'string' ? ex.name : base.scenario,
    started: earliest(summaries.map(startOf)) ?? mtime(join(dir, 'exchange.json')),
    status: interrupted ? 'incomplete' : 'complete',
    detail: interrupted ? `interrupted: ${Array.isArray(ex.missing) ? ex.missing.length : '?'} range(s) of ladders missing` : null,
    replicas: finite(ex.sets),
    steps: common(summaries.map((s) => finite(s.run.steps))),
    wallSeconds: summaries.length ? Math.max(...summaries.map((s) => finite(s.timing?.wallSeconds) ?? 0)) : null,
    diverged: sum(summaries.map((s) => finite(s.divergence?.count))),
    events: summaries[0] ? eventsOf(summaries[0]) : [],
    exchange: {
      key: String(ex.key ?? '?'),
      rungs: rungs.length,
      values: rungs.map((r) => finite(r.value)).filter((v): v is number => v !== null),
      minAcceptance: known.length ? Math.min(...known) : null,
      roundTrips: isObject(ex.roundTrips) ? finite(ex.roundTrips.count) : null,
      warnings: Array.isArray(ex.warnings) ? ex.warnings.length : 0,
    },
  };
}

function summariseShard(dir: string): EntryFields {
  const info = readJson(dir, 'shard.json');
  if (!isObject(info)) throw new Error('shard.json: not a run-shard description (expected an object)');
  const shard = isObject(info.shard) ? info.shard : {};
  const range = isObject(info.replicas) ? info.replicas : {};
  const scenario = readJson(dir, 'scenario.resolved.json');
  const done = info.status === 'completed';
  return {
    ...blank('run-shard'),
    ...linkOf(dir, ['shard.json']),
    scenario: typeof info.name === 'string' ? info.name : null,
    started: mtime(join(dir, 'scenario.resolved.json')) ?? mtime(join(dir, 'shard.json')),
    seed: isObject(scenario) ? finite(scenario.seed) : null,
    status: done ? 'complete' : 'incomplete',
    detail: done ? null : `${String(info.status)}: the same command continues it`,
    replicas: finite(range.count),
    steps: isObject(scenario) && isObject(scenario.dynamics) ? finite(scenario.dynamics.steps) : null,
    shard: {
      index: finite(shard.index),
      count: finite(shard.count),
      first: finite(range.first),
      replicas: finite(range.count),
      requested: finite(info.requested),
    },
  };
}

/** The kind of a directory, or null when it is not a result directory (then its sub-folders are searched). */
export function catalogKind(dir: string): CatalogKind | null {
  const has = (name: string) => existsSync(join(dir, name));
  if (has('exchange.json')) return 'exchange';
  if (has('sweep.json') || has('sweep.csv')) return 'sweep';
  // regimes.json is written first; a bare regimes/ folder could be the output folder of a scenario named 'regimes'.
  if (has('regimes.json') || (isDir(join(dir, 'regimes')) && has('comparison.json'))) return 'regimes';
  if (has('shard.json')) return 'run-shard';
  if (has('summary.json')) return 'run';
  if (has('scenario.resolved.json')) {
    // Written first by every run; an exchange run's names its ladder.
    try {
      const s = JSON.parse(readFileSync(join(dir, 'scenario.resolved.json'), 'utf8')) as unknown;
      return isObject(s) && s.exchange ? 'exchange' : 'run';
    } catch {
      return 'run';
    }
  }
  return null;
}

function headlinesOf(e: EntryFields): string[] {
  const parts: string[] = [];
  if (e.sweep) {
    parts.push(`${e.sweep.done}/${e.sweep.total ?? '?'} points`);
    for (const k of e.sweep.keys)
      parts.push(
        `${k.key} ${typeof k.min === 'number' ? fmt(k.min) : String(k.min)}…${typeof k.max === 'number' ? fmt(k.max) : String(k.max)} (${k.count})`,
      );
    const phases = Object.entries(e.sweep.phases);
    if (phases.length) parts.push(`phases ${phases.map(([label, n]) => `${label} ${n}`).join(', ')}`);
    if (e.sweep.boundarySlope)
      parts.push(
        `boundary slope ${fmt(e.sweep.boundarySlope.value)}${e.sweep.boundarySlope.ci95 ? ` [${fmt(e.sweep.boundarySlope.ci95[0])}, ${fmt(e.sweep.boundarySlope.ci95[1])}]` : ''}`,
      );
  }
  if (e.regimes) {
    parts.push(`regimes ${e.regimes.names.join(', ')}${e.regimes.level !== null ? ` (tested at the ${e.regimes.level} level)` : ''}`);
    for (const v of e.regimes.verdicts)
      parts.push(`${v.b} vs ${v.a}: ${v.differs} of ${v.tested} differ${v.which.length ? ` (${v.which.join(', ')})` : ''}`);
  }
  if (e.exchange) {
    const x = e.exchange;
    parts.push(
      `${x.rungs} rungs of ${x.key}${x.values.length ? ` ${fmt(x.values[0])}…${fmt(x.values[x.values.length - 1])}` : ''}`,
      `min acceptance ${fmt(x.minAcceptance)}`,
      `${x.roundTrips ?? '—'} round trips`,
    );
    if (x.warnings) parts.push(`${x.warnings} warning(s)`);
  }
  if (e.shard) {
    const { index, count, first, replicas, requested } = e.shard;
    const range = first !== null && replicas !== null ? `replicas ${first}…${first + replicas - 1}` : 'replicas ?';
    parts.push(`shard ${index ?? '?'}/${count ?? '?'}: ${range} of ${requested ?? '?'}`);
  }
  if (e.kind === 'run' || e.kind === 'exchange') parts.push(...e.events.map(eventText));
  // A run always says how many diverged (0 included); a sweep, regimes or exchange only when some did.
  if (e.diverged !== null && (e.kind === 'run' || e.diverged > 0)) parts.push(`${e.diverged} diverged`);
  parts.push(...e.analyses.map((a) => a.text));
  if (parts.length === 0 && e.detail) parts.push(e.detail);
  return parts;
}

function summarise(dir: string, kind: CatalogKind): EntryFields {
  switch (kind) {
    case 'run':
      return summariseRun(dir);
    case 'sweep':
      return summariseSweep(dir);
    case 'regimes':
      return summariseRegimes(dir);
    case 'exchange':
      return summariseExchange(dir);
    case 'run-shard':
      return summariseShard(dir);
  }
}

/** The scenario name from whichever of the directory's description files can be read, or null (for an unreadable entry). */
function scenarioName(dir: string): string | null {
  for (const [file, key] of [
    ['scenario.resolved.json', 'name'],
    ['sweep.json', 'name'],
    ['regimes.json', 'scenario'],
    ['exchange.json', 'name'],
    ['shard.json', 'name'],
  ]) {
    try {
      const s = readJson(dir, file);
      if (isObject(s) && typeof s[key] === 'string') return s[key] as string;
    } catch {
      // unreadable too: try the next file
    }
  }
  return null;
}

/** One entry for a result directory of a known kind; a directory that cannot be read is `unreadable` with the reason. */
export function catalogEntry(root: string, dir: string, kind: CatalogKind): CatalogEntry {
  const rel = relative(root, dir).split(sep).join('/') || '.';
  let e: EntryFields;
  try {
    e = summarise(dir, kind);
  } catch (err) {
    e = {
      ...blank(kind),
      ...linkOf(dir, []),
      scenario: scenarioName(dir),
      started: mtime(join(dir, 'scenario.resolved.json')) ?? mtime(dir),
      status: 'unreadable',
      detail: (err as Error).message,
    };
  }
  const headlines = e.status === 'unreadable' ? [String(e.detail)] : headlinesOf(e);
  return { path: rel, dir, ...e, headlines, headline: headlines.join('; ') };
}

/**
 * Every result directory under `root` (the folder itself included), newest
 * first (by start time; those without one last, then by path). Searches
 * `depth` levels down, skipping hidden folders and node_modules, and never
 * descends into a result directory (its points, regimes or rungs are part of
 * it). Throws {@link CatalogError} when `root` is not a folder or holds no result directory.
 */
export function scanResults(rootArg: string, options: { depth?: number } = {}): CatalogEntry[] {
  const root = resolve(rootArg);
  if (!existsSync(root)) throw new CatalogError(`${root}: no such directory`, 'missing');
  if (!isDir(root)) throw new CatalogError(`${root}: not a directory`, 'not-a-directory');
  const depth = options.depth ?? CATALOG_DEPTH;
  const entries: CatalogEntry[] = [];
  const seen = new Set<string>();
  const visit = (dir: string, level: number) => {
    let real: string;
    try {
      real = realpathSync(dir);
    } catch {
      return;
    }
    if (seen.has(real)) return;
    seen.add(real);
    const kind = catalogKind(dir);
    if (kind) {
      entries.push(catalogEntry(root, dir, kind));
      return;
    }
    if (level >= depth) return;
    let children: Dirent[];
    try {
      children = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const c of children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (c.name.startsWith('.') || c.name === 'node_modules') continue;
      const child = join(dir, c.name);
      if (c.isDirectory() || (c.isSymbolicLink() && isDir(child))) visit(child, level + 1);
    }
  };
  visit(root, 0);
  if (entries.length === 0)
    throw new CatalogError(
      `${root}: holds no result directory — expected, within ${depth} levels, a run (summary.json or scenario.resolved.json), sweep (sweep.json or sweep.csv), regimes (regimes.json or regimes/), replica-exchange (exchange.json) or run-shard (shard.json) directory`,
      'empty',
    );
  return entries.sort((a, b) =>
    a.started === b.started
      ? a.path < b.path
        ? -1
        : 1
      : a.started === null
        ? 1
        : b.started === null
          ? -1
          : a.started < b.started
            ? 1
            : -1,
  );
}
