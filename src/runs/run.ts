/**
 * Run a validated scenario end to end and write its output directory:
 * scenario.resolved.json, summary.json, traces.csv, histograms.json,
 * finals.csv, events.csv, and chains.csv with a `sampling:` section. The scenario is checked against its potential
 * before anything is computed or written.
 */
import { serialize } from 'node:v8';
import { existsSync, mkdirSync, readFileSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { buildPotential } from '../potentials/index.js';
import type { Potential } from '../engine/types.js';
import { TfjsUnavailableError } from '../potentials/tfjs/backend.js';
import { checkAnalyses, runRunAnalyses } from '../analysis/index.js';
import { isKnownObservable, observableNames } from '../observables/observables.js';
import { runEnsemble } from '../parallel/run.js';
import { packageRoot, type FaultInjection } from '../parallel/pool.js';
import { replicaId, type RunResult } from '../parallel/merge.js';
import type { ShardSnapshot } from '../parallel/shard-runner.js';
import { checkAgainstPotential, locateIssues, ScenarioError, type ScenarioIssue } from '../scenario/index.js';
import type { Scenario } from '../scenario/types.js';
import { buildSummary, tracePoints, type Summary } from '../analysis/summary.js';
import { buildSamplingSummary, chainsCsvRows } from '../analysis/sampling.js';
import { checkTheory, theoryOverlays, type HistogramOverlay } from '../analysis/theory-overlays.js';
import { resolvePlan, type RunPlan, planTime } from '../plan/run-plan.js';
import { jsonReplacer, toCsv, writeAtomic, writeCsvAtomic, type CsvCell } from '../results/write.js';
import { validateSummaryIfAsked } from '../results/summary-schema.js';
import { runSplitting } from './splitting.js';
import { pauseAfterShards, pauseAfterSnapshots } from './test-pause.js';
import {
  clearShardResults,
  keepShardResults,
  loadShardResults,
  loadShardSnapshots,
  saveShardResult,
  saveShardSnapshot,
} from '../results/checkpoint.js';
import type { ShardResult } from '../observables/results.js';
import { blockSize } from '../observables/results.js';

export interface RunScenarioOptions {
  /**
   * Write the run directory (default `true`). With `false` nothing touches the
   * disk — no directory is created, no file written — and the result has
   * `dir: undefined`; `out` must then be unset (`outputRoot` and `writeFault` are ignored).
   */
  write?: boolean;
  /** Output directory; default `<outputRoot>/<name>/<run-id>`. */
  out?: string;
  /** Root for default output directories; default `output` in the working directory. */
  outputRoot?: string;
  /** Worker threads (default 1); 0 runs every shard in the calling thread. Results are identical for any count. */
  workers?: number;
  /** Run index within a sweep or regime set, part of every replica's stream key (default 0). */
  run?: number;
  /**
   * Progress, called from the calling thread with (replica-steps done, replica-steps
   * total = replicas × steps), at least once per shard tile and once at its end.
   */
  onProgress?: (done: number, total: number) => void;
  /** Called once the scenario is checked, before the run, with the built potential (e.g. to show `potential.info`). */
  onStart?: (potential: Potential) => void;
  /** Stop early (SIGINT/SIGTERM in the CLI): the outputs are written for the shards finished by then, `run.status` = 'interrupted'. */
  signal?: AbortSignal;
  /** Fault injection for testing: shard faults, or `writeFault` = the name of an output file whose write fails as a full disk would (ENOSPC). */
  fault?: FaultInjection;
  writeFault?: string;
  /**
   * Save each finished shard's result under `<out>/partial/` so that an
   * interrupted run continues (default `true` when writing). `false`: no
   * checkpoint, and an interrupted run starts again from the beginning.
   */
  checkpoint?: boolean;
  /**
   * Seconds between snapshots of a running shard (default 60; never more
   * often than 50 times a snapshot's own cost, which keeps them under 2 % of
   * the run). A run stopped by `signal` saves one at once either way.
   */
  checkpointEvery?: number;
  /**
   * Keep the shard results of a completed run in `<out>/shards/` (what
   * `continueRun` needs to add replicas to it). Default false; the CLI's
   * `run` keeps them.
   */
  keepShards?: boolean;
  /** Called before running when the output directory holds saved work of this run (finished shards, snapshots) that the run continues from. */
  onResume?: (saved: SavedWork) => void;
}

/** The saved work a run continues from: finished shards and unfinished ones with the steps they had done. */
export interface SavedWork {
  /** Replicas that have done every step. */
  replicasDone: number;
  /** Replicas continued from a snapshot (each the tile a stopped shard was running), with the steps they had done. */
  continued: Array<{ firstReplica: number; count: number; step: number }>;
}

/** Default seconds between snapshots of a running shard (RunScenarioOptions.checkpointEvery). */
export const CHECKPOINT_EVERY_SECONDS = 60;

/**
 * The output directory cannot be written. Raised before the run when the
 * directory cannot be created or written (nothing computed is lost), or after
 * it, with `rescuedTo` (the results were written to another directory) or
 * `summary` (nothing could be written: the caller should print it).
 */
export class OutputError extends Error {
  override readonly name = 'OutputError';
  constructor(
    message: string,
    readonly dir: string,
    readonly rescuedTo?: string,
    readonly summary?: Summary,
  ) {
    super(message);
  }
}

const errText = (e: unknown) => {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `${err.code}: ${err.message.replace(/^[A-Z]+: /, '')}` : (err.message ?? String(e));
};

/** Rough size of a run's output files (full-precision numbers take ~19 bytes in CSV), for the free-space check before the run. */
function expectedOutputBytes(s: Scenario, plan: RunPlan): number {
  const n = plan.replicas;
  const obs = s.observe.observables.length;
  let bytes = 2e4 + plan.grid.length * obs * 165;
  if (s.observe.finals) bytes += n * (8 + 20 * obs);
  if (plan.events.length) bytes += n * (8 + 8 * plan.events.length);
  if (s.sampling) bytes += n * plan.sampleSteps.length * (12 + 20 * s.sampling.chains.length);
  return bytes;
}

/** Create `dir` and check it takes a file and has room for the outputs; throws OutputError before any work. */
function prepareOutputDir(dir: string, s: Scenario, plan: RunPlan, keep = false): void {
  try {
    mkdirSync(dir, { recursive: true });
    writeAtomic(join(dir, 'scenario.resolved.json'), resolvedScenarioJson(s));
    // The scenario itself, losslessly (JSON turns ±Infinity into null): extending the run starts from it.
    if (keep) writeAtomic(join(dir, 'scenario.bin'), serialize(s));
  } catch (e) {
    throw new OutputError(`cannot write to the output directory ${dir} (${errText(e)}); nothing was run — choose another --out`, dir);
  }
  let free = Infinity;
  try {
    const st = statfsSync(dir);
    free = Number(st.bavail) * Number(st.bsize);
  } catch {
    // statfs unsupported here: no check
  }
  const need = expectedOutputBytes(s, plan);
  if (free < need)
    throw new OutputError(
      `the output directory ${dir} has ${(free / 1e6).toFixed(1)} MB free, but this run's output files need about ${(need / 1e6).toFixed(1)} MB; nothing was run — free some space or choose another --out`,
      dir,
    );
}

export interface RunOutput {
  dir: string;
  summary: Summary;
  result: RunResult;
}

/** What `runScenario` returns with `write: false`: the same summary and result, and no directory. */
export interface InMemoryRunOutput {
  dir: undefined;
  summary: Summary;
  result: RunResult;
}

/**
 * The text of a run directory's scenario.resolved.json: the validated scenario
 * and the stochdyn version. Two runs with the same text are the same run
 * (same seed, overrides and code version), which is how the CLI recognises an
 * unfinished run of this scenario in an `--out` directory.
 */
export function resolvedScenarioJson(scenario: Scenario, version: string = packageVersion()): string {
  return JSON.stringify({ ...scenario, stochdyn: version }, jsonReplacer, 2) + '\n';
}

/** `dir` holds a run of exactly this scenario (its scenario.resolved.json has the same text). */
export function sameResolvedScenario(dir: string, s: Scenario): boolean {
  try {
    return readFileSync(join(dir, 'scenario.resolved.json'), 'utf8') === resolvedScenarioJson(s);
  } catch {
    return false;
  }
}

export function packageVersion(): string {
  return JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).version as string;
}

export function runId(s: Scenario, when: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${when.getUTCFullYear()}${p(when.getUTCMonth() + 1)}${p(when.getUTCDate())}-${p(when.getUTCHours())}${p(when.getUTCMinutes())}${p(when.getUTCSeconds())}-seed${s.seed}`;
}

/** What `checkScenario` resolved: the built potential and the run plan every later stage reads. */
export interface CheckedScenario {
  dim: number;
  coordinates: string[];
  potential: Potential;
  plan: RunPlan;
}

/**
 * Check everything that needs the potential; throws one ScenarioError listing
 * every issue. Builds the potential once and resolves the run plan from it
 * (src/plan/run-plan.ts); the theory overlays and analyses are checked against the plan.
 */
export async function checkScenario(s: Scenario, run = 0): Promise<CheckedScenario> {
  const potential = await buildPotential(s.potential, { seed: s.seed, run }).catch((e: unknown) => {
    // An optional package that is not installed is a property of the scenario's potential here: an invalid-scenario error naming the field.
    if (e instanceof TfjsUnavailableError)
      throw new ScenarioError(
        s.source || '(scenario)',
        locateIssues(s, [
          {
            path: 'potential.tfjs',
            expected: 'TensorFlow.js installed (the optional dependency @tensorflow/tfjs)',
            found: 'not installed',
            hint: 'install @tensorflow/tfjs to use tfjs potentials: npm install @tensorflow/tfjs',
          },
        ]),
      );
    throw e;
  });
  const base = checkAgainstPotential(s, potential, (name) => isKnownObservable(name, potential), observableNames(potential));
  // The plan needs dynamics that fit the potential (known groups); with issues there, those are the error.
  if (base.length > 0) throw new ScenarioError(s.source || '(scenario)', base);
  const plan = resolvePlan(s, potential, run);
  const issues = locateIssues(s, [
    ...checkTheory(s, plan, potential),
    ...checkAnalyses(s, potential, plan),
    ...splittingPlanIssues(s, plan),
  ]);
  if (issues.length > 0) throw new ScenarioError(s.source || '(scenario)', issues);
  return { dim: potential.dim, coordinates: [...potential.coordinates], potential, plan };
}

/** Splitting integrates with one constant η, θ, λ for every coordinate (the MFPT relation converts steps to time with one η). */
function splittingPlanIssues(s: Scenario, plan: RunPlan): ScenarioIssue[] {
  if (!s.splitting) return [];
  if (!(plan.settings.temperature[0] > 0))
    return [
      {
        path: 'dynamics.temperature',
        expected: 'θ > 0 with a splitting section (clones of a noiseless trajectory never part)',
        found: String(plan.settings.temperature[0]),
      },
    ];
  if (plan.settings.uniform && !plan.scheduled) return [];
  return [
    {
      path: 'splitting',
      expected: 'dynamics with one constant lr and temperature for every coordinate (no schedules, no per-group values)',
      found: 'schedules or per-group settings',
      hint: 'Remove the schedules and dynamics.groups overrides, or the splitting section.',
    },
  ];
}

/**
 * Run a validated scenario: check it against its potential (throws
 * ScenarioError listing every issue, before anything runs or is written), run
 * the ensemble, build the summary (theory overlays, analyses) and write the run
 * directory — or, with `write: false`, return the results without touching the disk.
 * `signal` stops the run early (the summary covers the shards finished by then,
 * `run.status` = 'interrupted'); `onProgress` reports replica-steps.
 */
export function runScenario(scenario: Scenario, options: RunScenarioOptions & { write: false }): Promise<InMemoryRunOutput>;
export function runScenario(scenario: Scenario, options?: RunScenarioOptions & { write?: true }): Promise<RunOutput>;
export function runScenario(scenario: Scenario, options?: RunScenarioOptions): Promise<RunOutput | InMemoryRunOutput>;
export async function runScenario(s: Scenario, o: RunScenarioOptions = {}): Promise<RunOutput | InMemoryRunOutput> {
  if (o.write === false && o.out !== undefined)
    throw new TypeError(`runScenario: write: false writes nothing, so out (${o.out}) must not be set`);
  const { potential, plan } = await checkScenario(s, o.run ?? 0);
  o.onStart?.(potential);
  const startedAt = new Date();
  const id = runId(s, startedAt);
  let dir: string | undefined;
  if (o.write !== false) {
    dir = o.out ? resolve(o.out) : resolve(o.outputRoot ?? 'output', s.name, id);
    if (!o.out) for (let k = 2; existsSync(dir); k++) dir = resolve(o.outputRoot ?? 'output', s.name, `${id}-${k}`);
    // Saved shard results are this run's only when the directory holds this same scenario (and stochdyn version).
    const resumable = sameResolvedScenario(dir, s);
    prepareOutputDir(dir, s, plan, o.keepShards === true && o.checkpoint !== false);
    if (!resumable) clearShardResults(dir);
  }
  const workers = o.workers ?? 1;
  const checkpoint = dir === undefined || o.checkpoint === false ? undefined : runCheckpoint(dir, plan, workers, o.checkpointEvery);
  if (checkpoint && (checkpoint.saved.replicasDone > 0 || checkpoint.saved.continued.length > 0)) o.onResume?.(checkpoint.saved);
  const result = await runEnsemble(s, {
    workers,
    plan,
    onProgress: o.onProgress,
    signal: o.signal,
    fault: o.fault,
    keepFinal: o.keepShards === true && checkpoint !== undefined,
    ...checkpoint?.options,
  });
  const out = await finishRun(s, plan, potential, result, { id, startedAt, workers, dir, signal: o.signal, writeFault: o.writeFault });
  if (dir !== undefined && out.summary.run.status === 'completed') {
    if (o.keepShards && checkpoint) keepShardResults(dir);
    else clearShardResults(dir);
  }
  return out;
}

/**
 * Checkpoint options of a run written to `dir`: the shard results saved there
 * by an unfinished run of the same scenario (the caller has checked that
 * scenario.resolved.json matches), each new shard result saved as soon as it
 * is done, and shards fine enough that an interruption loses little.
 */
export function runCheckpoint(dir: string, plan: RunPlan, workers: number, every = CHECKPOINT_EVERY_SECONDS) {
  const done: ShardResult[] = loadShardResults(dir);
  const snapshots = loadShardSnapshots(dir, done);
  const failures: string[] = [];
  let saved = 0;
  let snapshotsSaved = 0;
  const work = plan.replicas * plan.steps * Math.max(1, plan.dim);
  const blocks = Math.ceil(plan.replicas / blockSize(plan.replicas));
  // About one shard per 2.5·10⁷ replica-step·dimensions, up to 8 per worker; wide potentials keep ≥ 64 replicas per shard (they batch over replicas).
  const wideCap = plan.dim >= 64 ? Math.max(1, Math.floor(plan.replicas / 64)) : blocks;
  const minShards = Math.max(1, Math.min(blocks, wideCap, 8 * Math.max(1, workers), Math.ceil(work / 2.5e7)));
  return {
    failures,
    /** Unfinished shards found, with the steps their running tile had done. */
    saved: {
      replicasDone: done.reduce((n, r) => n + r.count, 0) + snapshots.reduce((n, x) => n + (x.tiles ? 0 : x.tileStart), 0),
      // The tile that was running (temporal blocking); the shard's later tiles start from step 0.
      continued: snapshots.map((x) =>
        x.tiles
          ? { firstReplica: x.firstReplica, count: x.count, step: x.step } // every tile at that step (a run extended in steps)
          : { firstReplica: x.firstReplica + x.tileStart, count: Math.min(x.tile, x.count - x.tileStart), step: x.step },
      ),
    } satisfies SavedWork,
    options: {
      done,
      snapshots,
      snapshotSeconds: every,
      onSnapshot: (x: ShardSnapshot) => {
        try {
          saveShardSnapshot(dir, x);
          pauseAfterSnapshots(++snapshotsSaved);
        } catch (e) {
          failures.push(`snapshot of replicas ${x.firstReplica}…${x.firstReplica + x.count - 1}: ${errText(e)}`);
        }
      },
      minShards,
      onShardDone: (r: ShardResult) => {
        try {
          saveShardResult(dir, r);
          pauseAfterShards(++saved);
        } catch (e) {
          // A checkpoint that cannot be written does not stop the run: its outputs come at the end as always.
          failures.push(`replicas ${r.firstReplica}…${r.firstReplica + r.count - 1}: ${errText(e)}`);
        }
      },
    },
  };
}

export interface FinishOptions {
  id: string;
  startedAt: Date;
  workers: number;
  /** Write the run directory here (undefined: in memory only). */
  dir: string | undefined;
  signal?: AbortSignal;
  writeFault?: string;
}

/**
 * From a merged result to a run: theory overlays, summary, analyses,
 * splitting, then the run directory (with the rescue to a temporary folder
 * when the disk fails). Shared by a run on one machine and the merge of a
 * run's shards, so both give the same bytes.
 */
export async function finishRun(
  s: Scenario,
  plan: RunPlan,
  potential: Potential,
  result: RunResult,
  m: FinishOptions,
): Promise<RunOutput | InMemoryRunOutput> {
  const { id, startedAt, workers, dir } = m;
  const finishedAt = new Date();
  // With no replica finished (interrupted at once) there is nothing to compare with theory or analyse.
  const overlays = result.count > 0 ? await theoryOverlays(s, plan, result, potential) : { summary: [], histograms: [] };
  const summary = buildSummary(s, plan, result, {
    id,
    version: packageVersion(),
    kernels: typeof potential.info?.kernels === 'string' ? potential.info.kernels : undefined,
    workers,
    startedAt,
    finishedAt,
    theory: overlays.summary,
    sampling:
      s.sampling && result.sampling ? buildSamplingSummary(s.sampling, result.sampling, result.count, potential.predictive) : undefined,
  });
  summary.analyses = result.count > 0 ? await runRunAnalyses({ scenario: s, plan, result, potential, summary }) : [];
  if (s.splitting && !m.signal?.aborted) summary.splitting = await runSplitting(s, plan, potential, { workers });
  validateSummaryIfAsked(summary, dir === undefined ? undefined : join(dir, 'summary.json'));
  if (dir === undefined) return { dir, summary, result };
  try {
    writeOutputs(dir, s, plan, summary, result, overlays.histograms, m.writeFault);
  } catch (e) {
    // The disk filled up (or the directory went away) after the work was done: save it elsewhere.
    const why = `could not write the outputs to ${dir} (${errText(e)})`;
    const rescue = join(tmpdir(), `stochdyn-rescue-${s.name.replace(/[^\w.-]+/g, '_')}-${id}-${process.pid}`);
    try {
      writeOutputs(rescue, s, plan, summary, result, overlays.histograms);
    } catch (e2) {
      throw new OutputError(`${why}, nor to ${rescue} (${errText(e2)}); the summary follows on stdout`, dir, undefined, summary);
    }
    throw new OutputError(`${why}; the complete results were written to ${rescue} instead`, dir, rescue, summary);
  }
  return { dir, summary, result };
}

/** An error as a full disk gives it (fault injection for tests). */
function injectedEnospc(file: string): NodeJS.ErrnoException {
  const e: NodeJS.ErrnoException = new Error(`ENOSPC: no space left on device, write '${file}' (injected fault)`);
  e.code = 'ENOSPC';
  return e;
}

/** Write a run directory; summary.json last, so its presence means the directory is complete. `failOn`: a file name whose write fails (testing). */
export function writeOutputs(
  dir: string,
  s: Scenario,
  plan: RunPlan,
  summary: Summary,
  r: RunResult,
  overlays: (HistogramOverlay | null)[],
  failOn?: string,
): void {
  const writeAtomicChecked = (file: string, content: string) => {
    if (failOn && basename(file) === failOn) throw injectedEnospc(file);
    writeAtomic(file, content);
  };
  const writeJson = (file: string, value: unknown) => writeAtomicChecked(file, JSON.stringify(value, jsonReplacer, 2) + '\n');
  writeAtomicChecked(join(dir, 'scenario.resolved.json'), resolvedScenarioJson(s, summary.stochdyn.version));
  const traces = tracePoints(r, planTime(plan));
  const rows: Array<Array<string | number | null>> = [];
  for (const [name, pts] of Object.entries(traces)) {
    for (const p of pts) rows.push([p.step, p.time, name, p.n, p.mean, p.std, p.q05, p.q25, p.q50, p.q75, p.q95]);
  }
  writeAtomicChecked(
    join(dir, 'traces.csv'),
    toCsv(['step', 'time', 'observable', 'n', 'mean', 'std', 'q05', 'q25', 'q50', 'q75', 'q95'], rows),
  );
  writeJson(
    join(dir, 'histograms.json'),
    r.histograms.map((h, i) => {
      const width = (h.range[1] - h.range[0]) / h.bins;
      const edges = Array.from({ length: h.bins + 1 }, (_, b) => h.range[0] + b * width);
      const inRange = h.samples - h.underflow - h.overflow;
      return {
        of: h.of,
        at: h.at,
        from: h.from,
        bins: h.bins,
        range: h.range,
        edges,
        counts: Array.from(h.counts),
        density: Array.from(h.counts, (c) => (h.samples > 0 ? c / (h.samples * width) : 0)),
        samples: h.samples,
        inRange,
        underflow: h.underflow,
        overflow: h.overflow,
        theory: overlays[i] ?? null,
      };
    }),
  );
  // Per-replica files are streamed (one reused row array, ~1 MB of text at a time):
  // 10^6 replicas never exist as 10^6 row arrays plus their text (bench/load.ts).
  const writeCsvChecked = (file: string, header: string[], count: number, row: (i: number) => CsvCell[]) => {
    if (failOn && basename(file) === failOn) throw injectedEnospc(file);
    writeCsvAtomic(file, header, count, row);
  };
  if (s.observe.finals) {
    const n = r.finals.observables.length;
    const row: Array<number | null> = new Array(n + 2);
    writeCsvChecked(join(dir, 'finals.csv'), ['replica', ...r.finals.observables, 'diverged_step'], r.count, (i) => {
      row[0] = replicaId(r, i);
      for (let k = 0; k < n; k++) row[k + 1] = r.finals.values[i * n + k];
      row[n + 1] = r.divergedAt[i] >= 0 ? r.divergedAt[i] : null;
      return row;
    });
  }
  if (r.events.length > 0) {
    const m = r.events.length;
    const row: Array<number | null> = new Array(m + 1);
    writeCsvChecked(join(dir, 'events.csv'), ['replica', ...r.events.map((e) => e.name)], r.count, (i) => {
      row[0] = replicaId(r, i);
      for (let e = 0; e < m; e++) {
        const f = r.events[e].firstStep[i];
        row[e + 1] = f === f ? f : null;
      }
      return row;
    });
  }
  if (r.sampling && r.sampling.chains.length > 0) {
    const c = chainsCsvRows(r.sampling, r.replicaIds);
    writeAtomicChecked(join(dir, 'chains.csv'), toCsv(c.header, c.rows));
  }
  // summary.json last: its presence means the run directory is complete.
  writeJson(join(dir, 'summary.json'), summary);
}
