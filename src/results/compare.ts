/**
 * Comparisons of run directories: read them with the one reader
 * (src/results/read.ts) into the in-memory runs that the comparison
 * statistics of src/analysis/compare.ts take. A directory that is not a
 * completed run is a {@link CompareInputError} (a usage error, exit code 2).
 */
import { existsSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { compareRunPair, CompareInputError, compareWithBaseline, type Comparison, type ComparedRun } from '../analysis/compare.js';
import { loadRunDir, readJsonFile, ResultDirError } from './read.js';
import type { CsvTable, RunData } from './types.js';

export { CompareInputError };

/** A cell as a number; empty → NaN (a censored or diverged replica). */
const cellNum = (c: string | undefined) => (c === undefined || c.trim() === '' ? Number.NaN : Number(c));

/** finals.csv by column, without `replica`; `diverged_step` apart (NaN where the replica did not diverge). */
function finalsColumns(table: CsvTable): NonNullable<ComparedRun['finals']> {
  const columns = new Map<string, Float64Array>();
  const n = table.rows.length;
  table.header.forEach((h, k) => {
    if (h === 'replica') return;
    const col = new Float64Array(n);
    for (let i = 0; i < n; i++) col[i] = cellNum(table.rows[i]![k]);
    columns.set(h, col);
  });
  const divergedStep = columns.get('diverged_step') ?? new Float64Array(n).fill(Number.NaN);
  columns.delete('diverged_step');
  return { replicas: n, columns, divergedStep };
}

/** A loaded run directory in the shape the comparison statistics take. */
export function comparedRunOf(run: RunData): ComparedRun {
  let events: ComparedRun['events'] = null;
  if (run.events) {
    events = new Map();
    run.events.names.forEach((name, e) =>
      events!.set(
        name,
        Float64Array.from(run.events!.firstStep[e]!, (s) => (s === null ? Number.NaN : s)),
      ),
    );
  }
  return {
    dir: run.dir,
    label: run.label,
    summary: run.summary,
    scenario: run.scenario as Record<string, unknown> | null,
    finals: run.finals ? finalsColumns(run.finals) : null,
    events,
  };
}

/** Read a run directory for a comparison; throws CompareInputError when it is missing or not a completed run. */
export function loadComparedRun(dirArg: string, label?: string): ComparedRun {
  const dir = resolve(dirArg);
  if (!existsSync(dir)) throw new CompareInputError(`${dirArg}: no such directory`);
  if (!statSync(dir).isDirectory()) throw new CompareInputError(`${dirArg}: not a directory (expected a run directory with summary.json)`);
  const summaryFile = join(dir, 'summary.json');
  if (!existsSync(summaryFile)) {
    const hint = existsSync(join(dir, 'regimes.json'))
      ? ' — it is a regimes directory: `stochdyn compare <dir>` compares its regimes'
      : ' — an incomplete run, or not a run directory';
    throw new CompareInputError(`${dirArg}: no summary.json${hint}`);
  }
  let run: RunData;
  try {
    run = loadRunDir(dir, label ?? basename(dir));
  } catch (e) {
    if (e instanceof ResultDirError) throw new CompareInputError(e.message);
    throw e;
  }
  const schema = (run.summary as { schema?: unknown } | null)?.schema;
  if (!run.summary || schema !== 'stochdyn.summary/1')
    throw new CompareInputError(`${summaryFile}: expected schema "stochdyn.summary/1", found ${JSON.stringify(schema ?? null)}`);
  return comparedRunOf(run);
}

/**
 * Compare two run directories (A is the reference: differences are B − A).
 * Labels default to the directory names (prefixed A: / B: when equal).
 * Throws CompareInputError for a directory that is not a completed run.
 */
export function compareRuns(dirA: string, dirB: string, options: { labels?: [string, string] } = {}): Comparison {
  let labelA = options.labels?.[0] ?? basename(resolve(dirA));
  let labelB = options.labels?.[1] ?? basename(resolve(dirB));
  if (labelA === labelB && !options.labels) {
    labelA = `A:${labelA}`;
    labelB = `B:${labelB}`;
  }
  return compareRunPair(loadComparedRun(dirA, labelA), loadComparedRun(dirB, labelB));
}

/** Compare every run directory against the first (the baseline); rows grouped by pair in the given order. */
export function compareAgainstBaseline(runs: Array<{ dir: string; label: string }>): Comparison {
  if (runs.length < 1) throw new CompareInputError('no runs to compare');
  return compareWithBaseline(runs.map((r) => loadComparedRun(r.dir, r.label)));
}

function readJsonForCompare(file: string): unknown {
  try {
    return readJsonFile(file);
  } catch (e) {
    if (e instanceof ResultDirError) throw new CompareInputError(e.message);
    throw e;
  }
}

/** Regimes of a regimes directory (regimes.json order, baseline first). */
export function regimesOfDir(dirArg: string): Array<{ dir: string; label: string }> {
  const dir = resolve(dirArg);
  const meta = join(dir, 'regimes.json');
  if (!existsSync(meta)) throw new CompareInputError(`${dirArg}: no regimes.json (not a regimes directory)`);
  const m = readJsonForCompare(meta) as { regimes?: Array<{ name: string; dir?: string }> };
  if (!Array.isArray(m?.regimes)) throw new CompareInputError(`${meta}: expected a 'regimes' list`);
  // regimes.json may come from elsewhere (a copied directory): its paths must stay inside the regimes directory.
  return m.regimes.map((r) => {
    const sub = join(dir, r.dir ?? join('regimes', String(r.name)));
    const rel = relative(dir, sub);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel))
      throw new CompareInputError(
        `${meta}: regime ${JSON.stringify(r.name)} points outside the regimes directory (${JSON.stringify(r.dir ?? r.name)})`,
      );
    return { dir: sub, label: r.name };
  });
}

/** The comparison of a regimes directory (every regime against the first), as `runRegimes` writes it. */
export function compareRegimesDir(dirArg: string): Comparison {
  const comparison = compareAgainstBaseline(regimesOfDir(dirArg));
  const meta = readJsonForCompare(join(resolve(dirArg), 'regimes.json')) as { commonRandomNumbers?: unknown };
  if (typeof meta.commonRandomNumbers === 'string') comparison.notes.unshift(meta.commonRandomNumbers);
  return comparison;
}
