/**
 * `--out` into a directory that already holds something. Writing a run over
 * another leaves the earlier run's files that this one does not write (a
 * chains.csv of other chains beside the new summary.json, a comparison file
 * that points at data that changed), so a non-empty output directory is
 * refused — unless it is an unfinished result of the same run, which the
 * command continues or completes (a sweep directory of the same sweep, a run
 * or regimes directory of this very scenario that did not finish) — or
 * `--force` is given, which clears the directory's contents first.
 */
import { existsSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { packageRoot } from '../parallel/pool.js';
import { resolvedScenarioJson } from '../runs/run.js';
import { expandRegimes, type Scenario } from '../scenario/index.js';

/** The output directory cannot be used as asked: a usage error (exit code 2), raised before anything is written. */
export class OutputDirError extends Error {
  override readonly name = 'OutputDirError';
}

/** How many entries of a refused directory the message names. */
const SHOWN_ENTRIES = 5;

/** Paths `--force` never clears; `cwd`, `home` and `repository` are passed in so tests can choose them. */
export interface DangerContext {
  cwd: string;
  home: string;
  /** The stochdyn repository (package root). */
  repository: string;
}

const real = (path: string): string => {
  try {
    return realpathSync(path);
  } catch {
    return resolve(path);
  }
};

/** `inner` is `outer` or lies inside it. */
const within = (inner: string, outer: string): boolean => {
  const r = relative(outer, inner);
  return r === '' || (r !== '..' && !r.startsWith('..' + sep) && !isAbsolute(r));
};

/**
 * Why clearing `dir` would be dangerous, or undefined when it is not: the file
 * system root, the home directory, the current directory, the stochdyn
 * repository, a directory that contains one of these, or a directory that is a
 * git work tree (holds `.git`).
 */
export function dangerousToClear(dir: string, context: DangerContext): string | undefined {
  const d = real(dir);
  if (dirname(d) === d) return 'it is the root of the file system';
  const home = real(context.home);
  if (d === home) return 'it is your home directory';
  if (within(home, d)) return 'it contains your home directory';
  const cwd = real(context.cwd);
  if (d === cwd) return 'it is the current directory';
  if (within(cwd, d)) return 'it contains the current directory';
  const repository = real(context.repository);
  if (d === repository) return 'it is the stochdyn repository';
  if (within(repository, d)) return 'it contains the stochdyn repository';
  if (existsSync(join(d, '.git'))) return 'it is a git repository (holds .git)';
  return undefined;
}

export interface OutputDirOptions {
  /** `--force`: clear a non-empty directory first. */
  force?: boolean;
  /** A non-empty directory that this returns true for is an unfinished result of the same run: kept as it is. */
  sameRun?: (dir: string) => boolean;
  /** The option that named the directory, for the message (default `--out`). */
  option?: string;
  /** For tests: the paths `--force` refuses (default: this process's). */
  danger?: DangerContext;
}

/**
 * Make sure `dir` may receive a command's results: absent or empty is fine; a
 * non-empty directory is refused with OutputDirError (naming the directory,
 * its first entries and the way on) unless `sameRun` recognises it; with
 * `force` its contents are removed first (the directory itself stays), except
 * on a dangerous path. Returns what was done.
 */
export function prepareOutDir(dir: string, options: OutputDirOptions = {}): 'absent' | 'empty' | 'same-run' | 'cleared' {
  const path = resolve(dir);
  const option = options.option ?? '--out';
  if (!existsSync(path)) return 'absent';
  if (!statSync(path).isDirectory())
    throw new OutputDirError(
      `${path} exists and is not a directory${options.force ? '; --force clears the contents of a directory and never removes a file' : ''}. Nothing was written. Choose another ${option}.`,
    );
  const entries = readdirSync(path).sort();
  if (entries.length === 0) return 'empty';
  if (!options.force) {
    if (options.sameRun?.(path)) return 'same-run';
    const shown = entries.slice(0, SHOWN_ENTRIES).join(', ') + (entries.length > SHOWN_ENTRIES ? `, … (${entries.length} entries)` : '');
    throw new OutputDirError(
      `the output directory ${path} is not empty: it holds ${shown}, and it is not an unfinished result of this run. ` +
        `Writing into it would leave the files of what was there beside the new ones. Nothing was written. ` +
        `Add --force to clear it first, or choose another ${option}.`,
    );
  }
  const danger = dangerousToClear(path, options.danger ?? { cwd: process.cwd(), home: homedir(), repository: packageRoot() });
  if (danger)
    throw new OutputDirError(
      `refusing --force on ${path}: ${danger}. Nothing was removed or written. Choose another ${option} (a directory of its own).`,
    );
  for (const name of entries) rmSync(join(path, name), { recursive: true, force: true });
  return 'cleared';
}

const readText = (file: string): string | undefined => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
};

/**
 * `dir` is a run directory of this very scenario (same resolved scenario and
 * version) that did not finish: no summary.json (stopped hard), or one whose
 * `run.status` is not `completed` (interrupted, partial). Running again there
 * rewrites every file of the run.
 */
export function isUnfinishedRunOf(dir: string, scenario: Scenario): boolean {
  if (readText(join(dir, 'scenario.resolved.json')) !== resolvedScenarioJson(scenario)) return false;
  const summary = readText(join(dir, 'summary.json'));
  if (summary === undefined) return true;
  try {
    return (JSON.parse(summary) as { run?: { status?: string } }).run?.status !== 'completed';
  } catch {
    return false;
  }
}

/** `dir` is a shard directory of this scenario and shard (to be continued or re-checked). */
export function isShardDirOf(dir: string, scenario: Scenario, shard: { index: number; count: number }): boolean {
  if (readText(join(dir, 'scenario.resolved.json')) !== resolvedScenarioJson(scenario)) return false;
  try {
    const info = JSON.parse(readText(join(dir, 'shard.json')) ?? 'null') as { shard?: { index: number; count: number } } | null;
    // No shard.json yet: the shard was stopped before its first write of it.
    return info === null || (info.shard?.index === shard.index && info.shard?.count === shard.count);
  } catch {
    return false;
  }
}

/**
 * `dir` is a regimes directory of this scenario that did not finish (no
 * comparison.json): the same scenario name, source, seed and regimes, and
 * every regime directory there holds that regime's resolved scenario.
 */
export function isUnfinishedRegimesOf(dir: string, scenario: Scenario): boolean {
  const text = readText(join(dir, 'regimes.json'));
  if (text === undefined || existsSync(join(dir, 'comparison.json'))) return false;
  let meta: { scenario?: unknown; source?: unknown; seed?: unknown; regimes?: Array<{ name?: unknown }> };
  try {
    meta = JSON.parse(text);
  } catch {
    return false;
  }
  const variants = expandRegimes(scenario);
  if (meta.scenario !== scenario.name || meta.source !== scenario.source || meta.seed !== scenario.seed) return false;
  if (JSON.stringify((meta.regimes ?? []).map((r) => r.name)) !== JSON.stringify(variants.map((v) => v.name))) return false;
  const allowed = new Set(['regimes.json', 'regimes', 'report.html', 'figures']);
  if (readdirSync(dir).some((n) => !allowed.has(n) && !n.startsWith('.'))) return false;
  return variants.every((v) => {
    const r = join(dir, 'regimes', v.name);
    return !existsSync(r) || readText(join(r, 'scenario.resolved.json')) === resolvedScenarioJson(v.scenario);
  });
}

/** `dir` is a sweep directory (holds sweep.json): the sweep itself resumes it, or refuses another sweep's (its hash differs). */
export function isSweepDir(dir: string): boolean {
  return existsSync(join(dir, 'sweep.json'));
}
