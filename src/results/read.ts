/**
 * The one reader of the on-disk format: a run directory (summary.json), a
 * sweep directory (sweep.json / sweep.csv, points/<k>/) or a regimes directory
 * (regimes.json, regimes/<name>/). Optional files that are absent load as
 * null; a directory of none of the three layouts is a {@link ResultDirError}.
 * The report, the comparison (src/results/compare.ts) and the tests read
 * result directories only through this module.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Summary } from '../analysis/summary.js';
import type { CsvTable, EventsData, HistogramData, Layout, RegimesData, ResultDirectory, RunData, SweepData, TraceRow } from './types.js';

/** The directory is not a run, sweep or regimes directory (or cannot be read as one). */
export class ResultDirError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResultDirError';
  }
}

/** RFC 4180 CSV (quoted cells with "" escapes); a trailing newline is optional. */
export function parseCsv(text: string): CsvTable {
  // Without any quote the format is plain lines of comma-separated cells: split
  // them (exactly sized row arrays, no per-character concatenation). A
  // 1,000,000-row finals.csv then costs about half the memory and a fraction of the time.
  if (text.indexOf('"') < 0) return parsePlainCsv(text);
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let i = 0;
  let quoted = false;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else cell += c;
      i++;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
    i++;
  }
  if (cell !== '' || row.length > 0) {
    row.push(cell);
    rows.push(row);
  }
  const nonEmpty = rows.filter((r) => !(r.length === 1 && r[0] === ''));
  return { header: nonEmpty[0] ?? [], rows: nonEmpty.slice(1) };
}

/** parseCsv of a text without quotes: the same rows (line breaks \n, \r\n or \r; empty lines dropped). */
function parsePlainCsv(text: string): CsvTable {
  const rows: string[][] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    let j = i;
    for (let c = text.charCodeAt(j); j < n && c !== 10 && c !== 13; c = text.charCodeAt(++j));
    if (j > i) rows.push(text.slice(i, j).split(','));
    i = text.charCodeAt(j) === 13 && text.charCodeAt(j + 1) === 10 ? j + 2 : j + 1;
  }
  return { header: rows[0] ?? [], rows: rows.slice(1) };
}

/** A numeric cell: '' and non-numbers → null. */
export function num(cell: string | undefined): number | null {
  if (cell === undefined || cell.trim() === '') return null;
  const v = Number(cell);
  return Number.isFinite(v) ? v : null;
}

/** Column `name` of a table as numbers (null where empty or not a number). */
export function column(t: CsvTable, name: string): Array<number | null> {
  const k = t.header.indexOf(name);
  return k < 0 ? [] : t.rows.map((r) => num(r[k]));
}

/** Rows of a table as records keyed by the header. */
export function records(t: CsvTable): Array<Record<string, string>> {
  return t.rows.map((r) => Object.fromEntries(t.header.map((h, k) => [h, r[k] ?? ''])));
}

const readText = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : null);

/** A JSON file, or null when it does not exist; invalid JSON is a {@link ResultDirError} naming the file. */
export function readJsonFile<T>(f: string): T | null {
  const text = readText(f);
  if (text === null) return null;
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new ResultDirError(`${f}: not valid JSON (${(e as Error).message})`);
  }
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

/** Load a run directory (summary.json required). */
export function loadRunDir(dir: string, label = basename(dir)): RunData {
  const summary = readJsonFile<Summary>(join(dir, 'summary.json'));
  if (!summary) throw new ResultDirError(`${dir}: no summary.json (an incomplete or missing run)`);
  const tracesCsv = readText(join(dir, 'traces.csv'));
  const traces: TraceRow[] = [];
  if (tracesCsv !== null) {
    const t = parseCsv(tracesCsv);
    const k = (h: string) => t.header.indexOf(h);
    const [iStep, iTime, iObs, iN, iMean, iStd, i05, i25, i50, i75, i95] = [
      'step',
      'time',
      'observable',
      'n',
      'mean',
      'std',
      'q05',
      'q25',
      'q50',
      'q75',
      'q95',
    ].map(k);
    for (const r of t.rows) {
      traces.push({
        step: num(r[iStep]) ?? 0,
        time: num(r[iTime]) ?? 0,
        observable: r[iObs] ?? '',
        n: num(r[iN]) ?? 0,
        mean: num(r[iMean]),
        std: num(r[iStd]),
        q05: num(r[i05]),
        q25: num(r[i25]),
        q50: num(r[i50]),
        q75: num(r[i75]),
        q95: num(r[i95]),
      });
    }
  }
  const histograms = readJsonFile<HistogramData[]>(join(dir, 'histograms.json')) ?? [];
  let events: EventsData | null = null;
  const eventsCsv = readText(join(dir, 'events.csv'));
  if (eventsCsv !== null) {
    const t = parseCsv(eventsCsv);
    const names = t.header.slice(1);
    events = { names, firstStep: names.map((_, e) => t.rows.map((r) => num(r[e + 1]))) };
  }
  const finalsCsv = readText(join(dir, 'finals.csv'));
  return {
    dir,
    label,
    summary,
    scenario: readJsonFile(join(dir, 'scenario.resolved.json')),
    traces,
    histograms,
    events,
    finals: finalsCsv === null ? null : parseCsv(finalsCsv),
  };
}

/** Which layout a directory has, or null. A sweep or regimes directory wins over a stray summary.json. */
export function detectLayout(dir: string): Layout | null {
  if (existsSync(join(dir, 'sweep.json')) || existsSync(join(dir, 'sweep.csv'))) return 'sweep';
  if (existsSync(join(dir, 'regimes.json')) || isDir(join(dir, 'regimes'))) return 'regimes';
  if (existsSync(join(dir, 'summary.json'))) return 'run';
  return null;
}

/** Sub-directories holding a completed run (summary.json), sorted numerically when names are numbers. */
function runSubdirs(dir: string): string[] {
  if (!isDir(dir)) return [];
  const names = readdirSync(dir).filter((n) => isDir(join(dir, n)) && existsSync(join(dir, n, 'summary.json')));
  return names.sort((a, b) => {
    const na = Number(a),
      nb = Number(b);
    return Number.isFinite(na) && Number.isFinite(nb) ? na - nb : a < b ? -1 : a > b ? 1 : 0;
  });
}

/** Every string (keys and values) found in a JSON value, for matching swept keys. */
function stringsIn(v: unknown, out = new Set<string>(), depth = 0): Set<string> {
  if (depth > 8) return out;
  if (typeof v === 'string') out.add(v);
  else if (Array.isArray(v)) for (const x of v) stringsIn(x, out, depth + 1);
  else if (v && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      out.add(k);
      stringsIn(x, out, depth + 1);
    }
  return out;
}

const INDEX_COLUMNS = new Set(['index', 'point', 'k', 'run', 'id', 'dir', 'path', 'status']);

/**
 * The swept keys of sweep.csv: the columns named in sweep.json (as keys or
 * strings); else the dotted-path columns (`dynamics.temperature`); else the first
 * non-index column.
 */
export function sweptKeys(table: CsvTable, meta: Record<string, unknown> | null): string[] {
  const cols = table.header.filter((h) => !INDEX_COLUMNS.has(h));
  if (meta) {
    const named = meta.keys ?? meta.parameters ?? meta.axes ?? meta.sweep ?? meta.grid;
    const explicit = Array.isArray(named)
      ? named.map((x) =>
          typeof x === 'string'
            ? x
            : x && typeof x === 'object'
              ? ((x as Record<string, unknown>).key ?? (x as Record<string, unknown>).name)
              : undefined,
        )
      : named && typeof named === 'object'
        ? Object.keys(named)
        : [];
    const hits = explicit.filter((k): k is string => typeof k === 'string' && cols.includes(k));
    if (hits.length > 0) return hits;
    const strings = stringsIn(meta);
    const found = cols.filter((c) => c.includes('.') && strings.has(c));
    if (found.length > 0) return found;
  }
  const dotted = cols.filter(
    (c) => c.includes('.') && !/(^|[._])(ci|lo|hi|lower|upper|low|high|ci95)\d*($|[._])/i.test(c.slice(c.lastIndexOf('.') + 1)),
  );
  if (dotted.length > 0) return dotted;
  return cols.length > 0 ? [cols[0]] : [];
}

function loadSweep(dir: string): SweepData {
  const meta = readJsonFile<Record<string, unknown>>(join(dir, 'sweep.json'));
  const csv = readText(join(dir, 'sweep.csv'));
  const table = csv === null ? null : parseCsv(csv);
  const phasesCsv = readText(join(dir, 'phases.csv'));
  return {
    meta,
    table,
    keys: table ? sweptKeys(table, meta) : [],
    points: runSubdirs(join(dir, 'points')).map((k) => loadRunDir(join(dir, 'points', k), k)),
    phases: phasesCsv === null ? null : parseCsv(phasesCsv),
    phaseBoundary: readJsonFile(join(dir, 'phase-boundary.json')),
  };
}

/** Regime names in the order regimes.json lists them (array of names / of {name}, or an object keyed by name). */
function regimeOrder(meta: Record<string, unknown> | null): string[] {
  if (!meta) return [];
  const list = Array.isArray(meta) ? meta : (meta.regimes ?? meta.names ?? null);
  if (Array.isArray(list))
    return list
      .map((x) => (typeof x === 'string' ? x : x && typeof x === 'object' ? String((x as { name?: unknown }).name ?? '') : ''))
      .filter(Boolean);
  if (list && typeof list === 'object') return Object.keys(list);
  return [];
}

function loadRegimes(dir: string): RegimesData {
  const meta = readJsonFile<Record<string, unknown>>(join(dir, 'regimes.json'));
  const found = runSubdirs(join(dir, 'regimes'));
  const order = regimeOrder(meta).filter((n) => found.includes(n));
  const names = [...order, ...found.filter((n) => !order.includes(n))];
  return {
    meta,
    runs: names.map((n) => loadRunDir(join(dir, 'regimes', n), n)),
    comparison: readJsonFile(join(dir, 'comparison.json')),
  };
}

/** Load a directory of any of the three layouts. */
export function loadResultDirectory(dirArg: string): ResultDirectory {
  const dir = resolve(dirArg);
  if (!isDir(dir)) throw new ResultDirError(`${dir}: not a directory`);
  const layout = detectLayout(dir);
  if (layout === null)
    throw new ResultDirError(
      `${dir}: not a stochdyn result directory — expected a run directory (summary.json), a sweep directory (sweep.json or sweep.csv with points/<k>/) or a regimes directory (regimes.json or regimes/<name>/)`,
    );
  if (layout === 'run') return { dir, layout, run: loadRunDir(dir) };
  if (layout === 'sweep') return { dir, layout, sweep: loadSweep(dir) };
  return { dir, layout, regimes: loadRegimes(dir) };
}

/** The run directories a context holds: the run, the sweep points or the regimes. */
export function runsOf(ctx: ResultDirectory): RunData[] {
  if (ctx.run) return [ctx.run];
  if (ctx.sweep) return ctx.sweep.points;
  if (ctx.regimes) return ctx.regimes.runs;
  return [];
}
