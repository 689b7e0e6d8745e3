/**
 * Run a parameter sweep into a resumable, shardable directory, and merge shard
 * directories.
 *
 * Layout of `output/<name>/sweep-<hash>/` (or `--out`):
 *
 *     sweep.json             axes, mode, hash, points [{index, values}], resolved scenario
 *     points/<index>/        a normal run directory (runScenario with run = index)
 *     sweep.csv              one row per point (when every point is complete)
 *     phases.csv             with a phase analysis and two swept keys
 *     phase-boundary.json    idem
 *
 * Each point runs into `points/.tmp-<index>-<pid>/` and is renamed to
 * `points/<index>/` when complete, so a point directory exists only complete.
 * Starting again deletes the temporary directories of processes that are gone,
 * skips points whose `summary.json` exists and refuses a directory made for
 * another scenario (different hash).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { phaseAnalyses } from '../analysis/phases.js';
import { expandSweep, sweepAxes, sweepHash, sweepMode, type SweepPoint } from '../scenario/index.js';
import type { Scenario } from '../scenario/types.js';
import { NAME_PATTERN } from '../scenario/schema.js';
import { checkScenario, OutputError, packageVersion, runScenario } from './run.js';
import { RunFailedError } from '../parallel/run.js';
import type { FaultInjection } from '../parallel/pool.js';
import type { Summary } from '../analysis/summary.js';
import {
  pointDir,
  readPointSummary,
  SWEEP_SCHEMA,
  writeSweepOutputs,
  type PhaseBoundaryFile,
  type SweepMeta,
} from '../results/sweep-files.js';
import { writeJson } from '../results/write.js';
import { pauseAfterPoints, pauseInClaimedPoint } from './test-pause.js';
import { PointClaims, type PointClaim } from './claim.js';

/** Points with at least this many replicas run one at a time on all workers; smaller points run side by side, one worker each. */
export const LARGE_POINT_REPLICAS = 2048;

/**
 * A sweep of at least TINY_SWEEP_POINTS points to run, each of at most this
 * many replica-steps × coordinates, runs its points in this thread, one at a
 * time, whatever `workers`: handing a point to a worker thread, even a live
 * one of the pool, costs more than computing it (the plan, the result's
 * transfer and merge; a 4-replica × 100-step 1-D run takes ~0.6 ms) — the
 * 1,000-point sweep of bench/scenarios/tiny-sweep-1000.yaml took 25.3 s on the
 * pool against 15.8 s in this thread (docs/internals.md, "Worker pool").
 * Results do not depend on it (identical for any number of workers).
 */
export const TINY_POINT_WORK = 1_000_000;

/** Below this many points to run, worker starts cost seconds at most and the usual schedule is kept. */
export const TINY_SWEEP_POINTS = 256;

export interface SweepProgress {
  /** Points of this run's share (the shard, or all) that are complete, skipped ones included. */
  pointsDone: number;
  pointsTotal: number;
  /** Points that were already complete when the run started. */
  pointsSkipped: number;
  /** Replica-steps done in this run, and to do in this run. */
  replicaSteps: number;
  replicaStepsTotal: number;
}

export interface RunSweepOptions {
  /** Sweep directory; default `<outputRoot>/<name>/sweep-<hash>`. */
  out?: string;
  /** Root of default output directories; default `output` in the working directory. */
  outputRoot?: string;
  /** Worker threads (0 = in this thread, one point at a time). Default 1. */
  workers?: number;
  /** Run only the points with index % count === index − 1 (index 1-based). */
  shard?: { index: number; count: number };
  onProgress?: (p: SweepProgress) => void;
  /** No progress callbacks. */
  quiet?: boolean;
  /** Stop (SIGINT/SIGTERM): no new point starts, running points are abandoned (not committed); complete points stay. */
  signal?: AbortSignal;
  /** Fault injection (testing): passed to every point's run (select a point with `fault.run` = its index). */
  fault?: FaultInjection;
  /**
   * Claim mode (not with `shard`): take the next point nobody holds through a
   * lock file with a lease (src/runs/claim.ts), so that any number of
   * processes sharing the directory run the sweep together; wait for points
   * others hold, take over a point whose lease expired (its claimer crashed),
   * and return when every point is complete (or failed here).
   */
  claim?: { leaseSeconds: number };
}

export type PointStatus = 'ran' | 'skipped' | 'other-shard' | 'missing' | 'merged' | 'failed';

export interface SweepPointResult {
  index: number;
  values: Record<string, unknown>;
  /** ran: computed now; skipped: complete before; other-shard: another shard's, not present here; merged: taken by merge; missing: this run's but absent (not reached, or interrupted); failed: some of its replicas failed twice (see `error`), not committed. */
  status: PointStatus;
  /** The point summary when the point is complete. */
  summary: Summary | null;
  /** Why a failed point failed. */
  error?: string;
}

export interface SweepOutput {
  dir: string;
  hash: string;
  mode: SweepMeta['mode'];
  axes: SweepMeta['axes'];
  points: SweepPointResult[];
  /** Every point of the sweep is complete (then sweep.csv etc. were written). */
  complete: boolean;
  /** Derived files written (sweep.csv, phases.csv, phase-boundary.json). */
  files: string[];
  phaseBoundary: PhaseBoundaryFile | null;
  wallSeconds: number;
  /** How points were scheduled. */
  schedule: { concurrentPoints: number; workersPerPoint: number };
  /** The signal stopped the sweep before every point of this run's share was done. */
  interrupted: boolean;
}

/** A sweep directory cannot be used (another scenario's, not a sweep directory, shards that do not fit). */
export class SweepDirError extends Error {
  override readonly name = 'SweepDirError';
}

export function defaultSweepDir(s: Scenario, outputRoot = 'output'): string {
  return resolve(outputRoot, s.name, `sweep-${sweepHash(s)}`);
}

export function sweepMeta(s: Scenario, points: SweepPoint[]): SweepMeta {
  return {
    schema: SWEEP_SCHEMA,
    name: s.name,
    hash: sweepHash(s),
    mode: sweepMode(s.sweep ?? {}),
    axes: sweepAxes(s.sweep ?? {}).map((a) => ({ key: a.key, values: a.values })),
    points: points.map((p) => ({ index: p.index, values: p.values })),
    scenario: { ...s, stochdyn: packageVersion() },
  };
}

export function readSweepMeta(dir: string): SweepMeta | null {
  const f = join(dir, 'sweep.json');
  if (!existsSync(f)) return null;
  let meta: SweepMeta;
  try {
    meta = JSON.parse(readFileSync(f, 'utf8')) as SweepMeta;
  } catch (e) {
    throw new SweepDirError(`${f}: not readable as JSON (${(e as Error).message})`);
  }
  if (meta?.schema !== SWEEP_SCHEMA || typeof meta.hash !== 'string' || !Array.isArray(meta.points))
    throw new SweepDirError(`${f}: not a stochdyn sweep file (schema ${SWEEP_SCHEMA})`);
  // sweep.json may come from elsewhere (a shard directory brought back for merge): the name becomes a folder of the default merge output and must stay inside it.
  if (typeof meta.name !== 'string' || !new RegExp(NAME_PATTERN).test(meta.name) || meta.name.length > 128)
    throw new SweepDirError(`${f}: name ${JSON.stringify(meta.name)} is not a scenario name (letters, digits, . _ -; not . or ..)`);
  if (!/^[0-9a-f]+$/.test(meta.hash)) throw new SweepDirError(`${f}: hash ${JSON.stringify(meta.hash)} is not a sweep hash`);
  return meta;
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Where an unfinished point keeps its saved shard results (a run checkpoint) for the next process that runs it. */
const resumeDir = (pointsDir: string, index: number) => join(pointsDir, `.resume-${index}`);

const hasSavedShards = (dir: string) =>
  existsSync(join(dir, 'partial')) && readdirSync(join(dir, 'partial')).some((n) => n.endsWith('.bin'));

/**
 * Keep what an unfinished point saved for the next run of it: `dir` (a point's
 * temporary directory) becomes `points/.resume-<index>` when it holds saved
 * shard results, and is deleted otherwise. Never fails: at worst the point
 * starts again from the beginning.
 */
function keepForResume(pointsDir: string, index: number, dir: string): void {
  try {
    if (hasSavedShards(dir)) {
      rmSync(resumeDir(pointsDir, index), { recursive: true, force: true });
      renameSync(dir, resumeDir(pointsDir, index));
      return;
    }
  } catch {
    // another process took it, or the disk failed: start over
  }
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Tidy `points/.tmp-<index>-<pid>` directories left by processes that no
 * longer run (on this machine): those with saved shard results become
 * `.resume-<index>` (unless one is there), the others are deleted.
 */
function cleanStaleTemps(pointsDir: string): string[] {
  if (!existsSync(pointsDir)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(pointsDir)) {
    const m = /^\.tmp-(\d+)-(\d+)$/.exec(name);
    if (!m) continue;
    const pid = Number(m[2]);
    if (pid !== process.pid && isAlive(pid)) continue;
    const index = Number(m[1]);
    if (!existsSync(resumeDir(pointsDir, index))) keepForResume(pointsDir, index, join(pointsDir, name));
    else rmSync(join(pointsDir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/** Prepare (or reopen) a sweep directory for `meta`: refuse another scenario's directory or a non-empty non-sweep directory. */
function openSweepDir(dir: string, meta: SweepMeta): void {
  const existing = readSweepMeta(dir);
  if (existing) {
    if (existing.hash !== meta.hash)
      throw new SweepDirError(
        `${dir} holds sweep ${existing.hash} of '${existing.name}', but this scenario is sweep ${meta.hash}: the scenario (or an override) differs, so its points cannot be resumed there. Use another --out, or delete the directory to start over.`,
      );
    return;
  }
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new SweepDirError(`${dir}: exists and is not a directory`);
    const entries = readdirSync(dir).filter((n) => !n.startsWith('.'));
    if (entries.length > 0) throw new SweepDirError(`${dir}: not empty and not a sweep directory (no sweep.json); choose another --out`);
  }
  try {
    // sweep.json first: processes starting together on one directory (--claim) then see it or nothing but temporary files.
    writeJson(join(dir, 'sweep.json'), meta);
    mkdirSync(join(dir, 'points'), { recursive: true });
  } catch (e) {
    throw new OutputError(
      `cannot write to the sweep directory ${dir} (${(e as Error).message}); nothing was run — choose another --out`,
      dir,
    );
  }
}

/** Move a finished temporary point directory into place (a complete point already there wins: results are deterministic). */
function commitPoint(dir: string, index: number, tmp: string): void {
  const final = pointDir(dir, index);
  if (existsSync(join(final, 'summary.json'))) {
    rmSync(tmp, { recursive: true, force: true });
    return;
  }
  if (existsSync(final)) rmSync(final, { recursive: true, force: true });
  renameSync(tmp, final);
}

/**
 * Run the points of a sweep (all, or one shard's) that are not complete yet,
 * and, when every point of the sweep is complete, write sweep.csv (and
 * phases.csv / phase-boundary.json). Points are checked against their
 * potential before anything is written (throws ScenarioError).
 *
 * Scheduling: when a point has ≥ 2048 replicas, points run one at a time with
 * `workers` worker threads each; otherwise `workers` points run side by side
 * with one worker each. Results do not depend on it (streams are keyed by
 * (seed, point index, replica), merges are deterministic).
 */
export async function runSweep(s: Scenario, o: RunSweepOptions = {}): Promise<SweepOutput> {
  const t0 = Date.now();
  const points = expandSweep(s);
  if (o.shard) {
    const { index, count } = o.shard;
    if (!(Number.isInteger(count) && count >= 1 && Number.isInteger(index) && index >= 1 && index <= count))
      throw new Error(`shard must be i/N with 1 ≤ i ≤ N, found ${index}/${count}`);
    if (o.claim) throw new Error('claim mode takes the points as they come: it cannot be combined with a shard');
  }
  // The sweep-level scenario carries the sweep-scope analyses; each point is checked against its potential.
  await checkScenario(s);
  const dims = new Map<number, number>();
  for (const p of points) dims.set(p.index, (await checkScenario(p.scenario)).dim);

  const meta = sweepMeta(s, points);
  const dir = o.out ? resolve(o.out) : defaultSweepDir(s, o.outputRoot);
  openSweepDir(dir, meta);
  const pointsDir = join(dir, 'points');
  cleanStaleTemps(pointsDir);

  const mine = o.shard ? points.filter((p) => p.index % o.shard!.count === o.shard!.index - 1) : points;
  const before = new Map<number, Summary | null>(points.map((p) => [p.index, readPointSummary(dir, p.index)]));
  const todo = mine.filter((p) => !before.get(p.index));
  const mineSet = new Set(mine.map((p) => p.index));

  const workers = Math.max(0, Math.floor(o.workers ?? 1));
  const large = points.some((p) => p.scenario.ensemble.replicas >= LARGE_POINT_REPLICAS);
  const tiny =
    todo.length >= TINY_SWEEP_POINTS &&
    points.every((p) => p.scenario.ensemble.replicas * p.scenario.dynamics.steps * (dims.get(p.index) ?? Infinity) <= TINY_POINT_WORK);
  const concurrentPoints = workers === 0 || large || tiny ? 1 : workers;
  const workersPerPoint = workers === 0 || tiny ? 0 : large ? workers : 1;

  const progress = o.quiet ? undefined : o.onProgress;
  const replicaStepsTotal = todo.reduce((a, p) => a + p.scenario.ensemble.replicas * p.scenario.dynamics.steps, 0);
  const doneSteps = new Map<number, number>();
  let pointsDone = mine.length - todo.length;
  const isComplete = (index: number) => existsSync(join(pointDir(dir, index), 'summary.json'));
  // Claim mode: the points complete in the directory, whoever ran them (as last looked at).
  let claimDone = pointsDone;
  const report = () =>
    progress?.({
      pointsDone: o.claim ? claimDone : pointsDone,
      pointsTotal: mine.length,
      pointsSkipped: mine.length - todo.length,
      replicaSteps: [...doneSteps.values()].reduce((a, b) => a + b, 0),
      replicaStepsTotal,
    });
  report();

  const ran = new Map<number, Summary>();
  const failed = new Map<number, string>();
  let next = 0;
  let failure: unknown;
  const claims = o.claim ? new PointClaims(dir, { leaseSeconds: o.claim.leaseSeconds }) : undefined;
  const held = new Set<number>();
  let claimedCount = 0;
  /** The next point to run and its claim (claim mode: undefined = none free now; null = nothing left to wait for). */
  const nextPoint = (): { p: SweepPoint; claim?: PointClaim } | undefined | null => {
    if (!claims) return next < todo.length ? { p: todo[next++] } : null;
    const open = points.filter((p) => !failed.has(p.index) && !ran.has(p.index) && !isComplete(p.index));
    claimDone = Math.max(claimDone, points.length - failed.size - open.length);
    if (open.length === 0) return null;
    for (const p of open) {
      if (held.has(p.index)) continue;
      const claim = claims.tryClaim(p.index);
      if (!claim) continue;
      if (isComplete(p.index)) {
        claim.release();
        continue;
      }
      return { p, claim };
    }
    return undefined;
  };
  const pollMs = o.claim ? Math.min(1000, (o.claim.leaseSeconds * 1000) / 4) : 0;
  const lane = async () => {
    while (failure === undefined && !o.signal?.aborted) {
      const got = nextPoint();
      if (got === null) break;
      if (got === undefined) {
        // Every open point is held by another process: wait for it to finish, or for its lease to expire.
        await new Promise((r) => setTimeout(r, pollMs));
        continue;
      }
      const { p, claim } = got;
      // A claimed point runs in a directory named by the claim's owner (processes on other machines may share pids).
      const tmp = claim
        ? join(pointsDir, `.claimed-${p.index}-${claim.token.replace(/[^A-Za-z0-9]/g, '_')}`)
        : join(pointsDir, `.tmp-${p.index}-${process.pid}`);
      let renewer: ReturnType<typeof setInterval> | undefined;
      let renewedAt = Date.now();
      const renew = () => {
        renewedAt = Date.now();
        claim?.renew();
      };
      const claimNumber = claim ? ++claimedCount : 0;
      let paused = false;
      if (claim) {
        held.add(p.index);
        // What an expired claimer of this point left behind.
        for (const n of readdirSync(pointsDir))
          if (n.startsWith(`.claimed-${p.index}-`) && join(pointsDir, n) !== tmp)
            rmSync(join(pointsDir, n), { recursive: true, force: true });
        renewer = setInterval(renew, (o.claim!.leaseSeconds * 1000) / 3);
      }
      rmSync(tmp, { recursive: true, force: true });
      // A point stopped part-way by an earlier process continues from its saved shards (runScenario checks they are this point's).
      if (!claim && existsSync(resumeDir(pointsDir, p.index)))
        try {
          renameSync(resumeDir(pointsDir, p.index), tmp);
        } catch {
          // taken by another process running the same point: start from the beginning
        }
      try {
        const out = await runScenario(p.scenario, {
          out: tmp,
          workers: workersPerPoint,
          run: p.index,
          signal: o.signal,
          fault: o.fault,
          onProgress: (d) => {
            doneSteps.set(p.index, d);
            // A point computed in this thread blocks the timer: renew from its progress too.
            if (claim && Date.now() - renewedAt > (o.claim!.leaseSeconds * 1000) / 3) renew();
            if (claim && !paused && d > 0) {
              paused = true;
              pauseInClaimedPoint(claimNumber);
            }
            report();
          },
        });
        // Only a complete point is committed; an interrupted one is run again on resume, a failed one is reported.
        if (out.summary.run.status !== 'completed') {
          // Its finished shards are kept for the next run of the sweep (a claimed point starts again).
          if (claim) rmSync(tmp, { recursive: true, force: true });
          else keepForResume(pointsDir, p.index, tmp);
          if (out.summary.run.status === 'partial')
            failed.set(
              p.index,
              out.summary.run.missing.map((g) => `replicas ${g.first}…${g.first + g.count - 1}: ${g.errors.join('; ')}`).join(' | '),
            );
          continue;
        }
        commitPoint(dir, p.index, tmp);
        ran.set(p.index, out.summary);
        pauseAfterPoints(ran.size);
        doneSteps.set(p.index, p.scenario.ensemble.replicas * p.scenario.dynamics.steps);
        pointsDone++;
        claimDone++;
        report();
      } catch (e) {
        rmSync(tmp, { recursive: true, force: true });
        // A point whose every shard failed is reported; the other points go on. Anything else stops the sweep.
        if (e instanceof RunFailedError) failed.set(p.index, e.message);
        else failure ??= e;
      } finally {
        if (renewer) clearInterval(renewer);
        if (claim) {
          claim.release();
          held.delete(p.index);
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrentPoints, Math.max(1, todo.length)) }, lane));
  if (failure !== undefined) throw failure;

  const results: SweepPointResult[] = points.map((p) => {
    const summary = ran.get(p.index) ?? readPointSummary(dir, p.index);
    const status: PointStatus = ran.has(p.index)
      ? 'ran'
      : before.get(p.index) || summary
        ? 'skipped'
        : failed.has(p.index)
          ? 'failed'
          : mineSet.has(p.index)
            ? 'missing'
            : 'other-shard';
    return { index: p.index, values: p.values, status, summary, ...(failed.has(p.index) ? { error: failed.get(p.index) } : {}) };
  });
  const complete = results.every((r) => r.summary !== null);
  if (claims && complete) removeClaimLeftovers(pointsDir, claims);
  if (complete)
    for (const n of readdirSync(pointsDir)) if (/^\.resume-\d+$/.test(n)) rmSync(join(pointsDir, n), { recursive: true, force: true });
  const derived = complete ? writeSweepOutputs(dir, meta) : { files: [], phaseBoundary: null };
  return {
    dir,
    hash: meta.hash,
    mode: meta.mode,
    axes: meta.axes,
    points: results,
    complete,
    files: derived.files,
    phaseBoundary: derived.phaseBoundary,
    wallSeconds: (Date.now() - t0) / 1000,
    schedule: { concurrentPoints, workersPerPoint },
    interrupted: !!o.signal?.aborted && results.some((r) => mineSet.has(r.index) && !r.summary),
  };
}

/** Once every point is complete: the claims and point directories of claimers that crashed (expired leases). */
function removeClaimLeftovers(pointsDir: string, claims: PointClaims): void {
  for (const n of readdirSync(pointsDir)) if (n.startsWith('.claimed-')) rmSync(join(pointsDir, n), { recursive: true, force: true });
  if (!existsSync(claims.dir)) return;
  for (const n of readdirSync(claims.dir)) {
    const m = /^(\d+)\.lock$/.exec(n);
    if (m && claims.holder(Number(m[1]))?.expired) rmSync(join(claims.dir, n), { force: true });
  }
}

/** The deterministic part of a point summary (what must agree between copies of the same point). */
export function deterministicSummary(s: Summary): unknown {
  const { timing: _timing, ...rest } = s;
  return { ...rest, run: { ...rest.run, id: undefined }, scenario: { ...rest.scenario, source: undefined } };
}

export interface MergeOptions {
  /** Merged directory; default `<outputRoot>/<name>/sweep-<hash>` (the directory an unsharded run would use). */
  out?: string;
  outputRoot?: string;
}

export interface MergeOutput extends Omit<SweepOutput, 'wallSeconds' | 'schedule' | 'interrupted'> {
  /** For each point, the directory it was taken from. */
  sources: Record<number, string>;
  /** Points copied into the merged directory (the others were there already). */
  copied: number;
}

/**
 * Combine sweep directories of the same sweep (shards run with --shard i/N,
 * possibly on other machines) into one: every point must be present in at
 * least one of them (copies of a point must agree, apart from timing, run id
 * and source path); else nothing is written and the error names the missing
 * points. The merged directory's sweep.csv, phases.csv and phase-boundary.json
 * are those of an unsharded run. The output directory may be one of the inputs.
 */
export function mergeSweeps(dirs: string[], o: MergeOptions = {}): MergeOutput {
  if (dirs.length === 0) throw new SweepDirError('merge: no sweep directories given');
  const inputs = [...new Set(dirs.map((d) => resolve(d)))];
  const metas = inputs.map((d) => {
    if (!existsSync(d)) throw new SweepDirError(`${d}: no such directory`);
    const m = readSweepMeta(d);
    if (!m) throw new SweepDirError(`${d}: not a sweep directory (no sweep.json)`);
    return m;
  });
  const hashes = new Set(metas.map((m) => m.hash));
  if (hashes.size > 1)
    throw new SweepDirError(
      `merge: the directories hold different sweeps (they must come from the same scenario and overrides): ${inputs.map((d, i) => `${d} → ${metas[i].hash}`).join('; ')}`,
    );
  const meta = metas[0];
  const dir = o.out ? resolve(o.out) : resolve(o.outputRoot ?? 'output', meta.name, `sweep-${meta.hash}`);
  const outMeta = existsSync(dir) ? readSweepMeta(dir) : null;
  if (outMeta && outMeta.hash !== meta.hash)
    throw new SweepDirError(`${dir} holds sweep ${outMeta.hash}, not ${meta.hash}: choose another --out`);
  if (!outMeta && existsSync(dir) && readdirSync(dir).some((n) => !n.startsWith('.')))
    throw new SweepDirError(`${dir}: not empty and not a sweep directory (no sweep.json); choose another --out`);
  const candidates =
    outMeta && !inputs.includes(dir) ? [dir, ...inputs] : inputs.includes(dir) ? [dir, ...inputs.filter((d) => d !== dir)] : inputs;

  const sources: Record<number, string> = {};
  const summaries = new Map<number, Summary>();
  const missing: number[] = [];
  const conflicts: string[] = [];
  for (const p of meta.points) {
    for (const d of candidates) {
      const s = readPointSummary(d, p.index);
      if (!s) continue;
      const have = summaries.get(p.index);
      if (!have) {
        summaries.set(p.index, s);
        sources[p.index] = d;
      } else if (JSON.stringify(deterministicSummary(have)) !== JSON.stringify(deterministicSummary(s)))
        conflicts.push(`point ${p.index}: ${sources[p.index]} and ${d} differ`);
    }
    if (!summaries.has(p.index)) missing.push(p.index);
  }
  if (conflicts.length > 0)
    throw new SweepDirError(`merge: copies of the same point disagree (different code or data?): ${conflicts.slice(0, 10).join('; ')}`);
  if (missing.length > 0) {
    const shown = missing.slice(0, 20).map((i) => {
      const v = meta.points[i]?.values ?? {};
      return `${i} (${Object.entries(v)
        .map(([k, x]) => `${k} = ${JSON.stringify(x)}`)
        .join(', ')})`;
    });
    throw new SweepDirError(
      `merge: ${missing.length} of ${meta.points.length} points are in none of the directories: ${shown.join('; ')}${missing.length > 20 ? '; …' : ''}. Run the missing shard(s) (stochdyn sweep … --shard i/N) and merge again.`,
    );
  }

  if (!outMeta) {
    mkdirSync(join(dir, 'points'), { recursive: true });
    writeJson(join(dir, 'sweep.json'), meta);
  }
  cleanStaleTemps(join(dir, 'points'));
  let copied = 0;
  for (const p of meta.points) {
    if (sources[p.index] === dir) continue;
    const tmp = join(dir, 'points', `.tmp-${p.index}-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    cpSync(pointDir(sources[p.index], p.index), tmp, { recursive: true });
    commitPoint(dir, p.index, tmp);
    copied++;
  }
  const derived = writeSweepOutputs(dir, meta);
  return {
    dir,
    hash: meta.hash,
    mode: meta.mode,
    axes: meta.axes,
    points: meta.points.map((p) => ({
      index: p.index,
      values: p.values,
      status: 'merged' as const,
      summary: summaries.get(p.index) ?? null,
    })),
    complete: true,
    files: derived.files,
    phaseBoundary: derived.phaseBoundary,
    sources,
    copied,
  };
}

/** Whether a scenario has a phase analysis (for display). */
export function hasPhaseAnalysis(s: Scenario): boolean {
  return phaseAnalyses(s).length > 0;
}
