/**
 * `stochdyn sweep <scenario>`: run every point of a scenario's `sweep:` into a
 * resumable sweep directory (optionally one shard of it), and
 * `stochdyn merge <dirs…>`: combine shard directories into one.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import { collect, intArg, kernelsArg, KERNELS_HELP, withKernels, workersArg } from './args.js';
import cliProgress from 'cli-progress';
import {
  defaultSweepDir,
  mergeSweeps,
  runSweep,
  SweepDirError,
  type SweepOutput,
  type SweepPointResult,
  type SweepProgress,
} from '../runs/sweep.js';
import type { PhaseBoundaryFile } from '../results/sweep-files.js';
import { classifyPhase, phaseAnalyses } from '../analysis/phases.js';
import { valueAtPath } from '../scenario/sweep.js';
import { expandSweep, loadScenario, type Scenario } from '../scenario/index.js';
import { checkScenario } from '../runs/run.js';
import { isRunShardDir, mergeRunShards } from '../runs/run-shards.js';
import { formatRunTable, potentialInfoLine } from './format.js';
import { onInterrupt } from './signals.js';
import { showProgressHere } from './progress.js';
import { isSweepDir, prepareOutDir } from './output-dir.js';
import { errorTextLine, stochdynRoots } from './errors.js';
import { faultsFromEnv } from './faults.js';
import { writeReport } from '../report/html.js';
import { analysisText } from '../analysis/index.js';
import { parseShardText, shardOption } from './scheduler.js';

/** `i/N` with 1 ≤ i ≤ N, or `auto` (resolved from the scheduler's environment when the command runs). */
export function parseShard(v: string): { index: number; count: number } | 'auto' {
  if (v.trim().toLowerCase() === 'auto') return 'auto';
  try {
    return parseShardText(v);
  } catch (e) {
    throw new InvalidArgumentError((e as Error).message);
  }
}

/** `--lease <seconds>`: a positive number. */
function leaseArg(v: string): number {
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError(`--lease must be a number of seconds > 0, found '${v}'`);
  return n;
}

const f = (v: unknown, digits = 4): string =>
  v === null || v === undefined
    ? '—'
    : typeof v === 'number'
      ? Number.isFinite(v)
        ? Number(v.toPrecision(digits)).toString()
        : '—'
      : typeof v === 'string'
        ? v
        : JSON.stringify(v);

function sweepBar(enabled: boolean) {
  if (!enabled) return undefined;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'sweep |{bar}| {value}/{total} points · {rate} replica-steps/s · ETA {etaText}',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const t0 = Date.now();
  return {
    update(p: SweepProgress) {
      const secs = (Date.now() - t0) / 1000;
      const rate = secs > 0 ? p.replicaSteps / secs : 0;
      const left = p.replicaStepsTotal - p.replicaSteps;
      const eta = rate > 0 ? left / rate : NaN;
      const payload = { rate: rate > 0 ? rate.toExponential(2) : '—', etaText: Number.isFinite(eta) ? formatSeconds(eta) : '—' };
      if (!started) {
        bar.start(p.pointsTotal, p.pointsDone, payload);
        started = true;
      } else bar.update(p.pointsDone, payload);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function formatSeconds(s: number): string {
  if (s < 60) return `${Math.round(s)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

function table(rows: string[][]): string[] {
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join('  '));
}

/** At most this many sampling-warning lines under the sweep table. */
const MAX_WARNING_LINES = 20;

/** The compact table of points: index, swept values, one headline metric, the phase, the status. */
export function formatSweepTable(
  s: Scenario,
  out: Pick<SweepOutput, 'dir' | 'hash' | 'axes' | 'points' | 'complete' | 'files' | 'phaseBoundary'>,
  header: string,
): string {
  const keys = out.axes.map((a) => a.key);
  const phase = phaseAnalyses(s)[0];
  const firstEvent = s.observe.events[0]?.name;
  const firstObs = s.observe.observables[0];
  const metric = phase
    ? { title: phase.metric, get: (p: SweepPointResult) => valueAtPath(p.summary, phase.metric) }
    : firstEvent
      ? { title: `${firstEvent} fraction`, get: (p: SweepPointResult) => p.summary?.events[firstEvent]?.fractionEntered }
      : firstObs
        ? { title: `${firstObs} mean`, get: (p: SweepPointResult) => p.summary?.observables[firstObs]?.final.mean }
        : undefined;
  // With sampling: the posterior-mean predictor's error (when there is one) and the number of sampling warnings.
  const sampled = out.points.some((p) => p.summary?.sampling);
  const predError = out.points.some((p) => p.summary?.sampling?.predictive?.posteriorMean.error !== undefined);
  const rows: string[][] = [
    [
      'point',
      ...keys,
      ...(metric ? [metric.title] : []),
      ...(phase ? ['phase'] : []),
      ...(predError ? ['pred error'] : []),
      ...(sampled ? ['warnings'] : []),
      'status',
    ],
  ];
  for (const p of out.points) {
    const m = metric && p.summary ? metric.get(p) : undefined;
    const sm = p.summary?.sampling;
    rows.push([
      String(p.index),
      ...keys.map((k) => f(p.values[k])),
      ...(metric ? [p.summary ? f(m) : ''] : []),
      ...(phase ? [p.summary ? (classifyPhase(m, phase) ?? '—') : ''] : []),
      ...(predError ? [sm ? f(sm.predictive?.posteriorMean.error) : ''] : []),
      ...(sampled ? [sm ? String(sm.warnings.length) : ''] : []),
      p.status === 'other-shard' ? '(other shard)' : p.status,
    ]);
  }
  const lines = [header, '', ...table(rows), ''];
  const warned = out.points.flatMap((p) => (p.summary?.sampling?.warnings ?? []).map((w) => `point ${p.index}: warning: ${w}`));
  if (warned.length) {
    lines.push(...warned.slice(0, MAX_WARNING_LINES));
    if (warned.length > MAX_WARNING_LINES)
      lines.push(`… ${warned.length - MAX_WARNING_LINES} more sampling warnings in points/<k>/summary.json (sampling.warnings)`);
    lines.push('');
  }
  const b = out.phaseBoundary;
  if (b) lines.push(boundaryText(b), '');
  // One line per sweep-level analysis (analyses.json).
  const fitsFile = join(out.dir, 'analyses.json');
  if (out.complete && existsSync(fitsFile)) {
    const fits = (JSON.parse(readFileSync(fitsFile, 'utf8')) as { analyses: Record<string, unknown>[] }).analyses;
    for (const a of fits) {
      const text = analysisText(a) ?? (typeof a.text === 'string' ? a.text : undefined);
      if (text) lines.push(text, '');
    }
  }
  if (out.complete)
    lines.push(
      `output: ${out.dir}  (${['sweep.json', 'points/', ...out.files, ...(existsSync(join(out.dir, 'report.html')) ? ['report.html'] : [])].join(', ')})`,
    );
  else {
    const other = out.points.filter((p) => p.status === 'other-shard').length;
    const mine = out.points.filter((p) => !p.summary && p.status !== 'other-shard').length;
    const parts = [
      ...(mine ? [`${mine} of ${out.points.length} points not complete: run the same command again to resume`] : []),
      ...(other ? [`${other} of ${out.points.length} points are another shard's: run them, then stochdyn merge the directories`] : []),
    ];
    lines.push(`output: ${out.dir}  (${parts.join('; ')})`);
  }
  return lines.join('\n') + '\n';
}

function boundaryText(b: PhaseBoundaryFile): string {
  const head = `phase boundary ${b.between[0]} | ${b.between[1]} (${b.metric} = ${b.threshold}) over ${b.x} × ${b.y}:`;
  if (!b.fit) return `${head} ${b.note ?? 'no fit'}`;
  const ci = (c: [number, number] | null) => (c ? ` [${f(c[0])}, ${f(c[1])}]` : '');
  return `${head} log10 y = ${f(b.fit.intercept)}${ci(b.fit.interceptCi)} + ${f(b.fit.slope)}${ci(b.fit.slopeCi)} · log10 x from ${b.used} points${b.fit.slopeCi ? ' (95 % CIs)' : ''}${b.note ? `; ${b.note}` : ''}`;
}

/** A sweep directory problem is a usage error (exit 1) with a readable message. */
function dirError(e: unknown): never {
  if (e instanceof SweepDirError) throw new Error(e.message);
  throw e;
}

export function register(program: Command): void {
  program
    .command('sweep')
    .description("run every point of a scenario's sweep: into a resumable directory (output/<name>/sweep-<hash>/)")
    .argument('<scenario>', 'scenario file with a sweep: section')
    .option('-o, --out <dir>', 'sweep directory (default: output/<name>/sweep-<hash>; the same command resumes there)')
    .option('-w, --workers <n>', 'worker threads (0 = in this thread)', workersArg, Math.min(2, availableParallelism()))
    .option(
      '--shard <i/N|auto>',
      "run only the points with index % N = i − 1 (merge the shard directories with stochdyn merge); auto: i and N from the scheduler's array task (Slurm, Kubernetes, PBS, Grid Engine)",
      parseShard,
    )
    .option(
      '--claim',
      'share the directory with other processes (array tasks, machines on one filesystem): each takes the next point nobody holds (a lock file with a lease); the sweep is complete when the last one finishes',
    )
    .option(
      '--lease <seconds>',
      'with --claim: a claim not renewed for this long is taken over (its claimer crashed); renewed while the point runs',
      leaseArg,
      60,
    )
    .option('-r, --replicas <n>', 'override ensemble.replicas', intArg('--replicas', 1))
    .option('-s, --seed <n>', 'override the seed', intArg('--seed', 0))
    .option('--set <key=value>', 'override any scenario key by its dotted path (repeatable); swept keys take the sweep values', collect, [])
    .option('--kernels <auto|js|wasm|native>', KERNELS_HELP, kernelsArg)
    .option('--json', 'print the result (directory, points and their summaries) as JSON')
    .option('-q, --quiet', 'no progress bar')
    .option('--no-report', 'do not write report.html when the sweep is complete')
    .option(
      '--force',
      'clear the sweep directory first and start over (never /, the home directory, the current directory or a repository)',
    )
    .addHelpText(
      'after',
      `
Points are numbered from 0 in sweep order (grid: first key slowest). Each runs as
a normal run into points/<index>/ with run index = point index; sweep.csv (and
phases.csv, phase-boundary.json with a phase analysis over two keys) is written
when every point is complete. Interrupted? Run the same command again: complete
points are skipped. A non-empty directory that is not a sweep directory is
refused (exit code 2, nothing written); --force clears it (or a sweep directory,
to start over) first.

Examples:
  $ stochdyn sweep scenarios/examples/sweep-kramers.yaml
  $ stochdyn sweep scenarios/examples/sweep-kramers.yaml --workers 4 --replicas 500
  $ stochdyn sweep sweep.yaml --shard 1/2 --out runs/s1 && stochdyn sweep sweep.yaml --shard 2/2 --out runs/s2
  $ stochdyn merge runs/s1 runs/s2 --out runs/all
  $ sbatch --array=1-8 --wrap 'stochdyn sweep sweep.yaml --shard auto --out runs/$SLURM_ARRAY_TASK_ID'
  $ sbatch --array=1-8 --wrap 'stochdyn sweep sweep.yaml --claim --out runs/all'    # no merge needed

--shard auto reads the array task from Slurm (SLURM_ARRAY_TASK_ID, _MIN, _MAX,
_STEP, _COUNT), a Kubernetes Indexed Job (JOB_COMPLETION_INDEX with
STOCHDYN_SHARD_COUNT), PBS Pro / Torque (PBS_ARRAY_INDEX / PBS_ARRAYID with
STOCHDYN_SHARD_COUNT or STOCHDYN_SHARD_RANGE) or Grid Engine (SGE_TASK_ID,
_FIRST, _LAST, _STEPSIZE); STOCHDYN_SHARD_RANGE=first-last[:step] overrides the
array's own range (a task resubmitted alone). No array task found: exit code 2.`,
    )
    .action(
      async (
        file: string,
        opts: {
          out?: string;
          workers: number;
          shard?: { index: number; count: number } | 'auto';
          claim?: boolean;
          lease: number;
          replicas?: number;
          seed?: number;
          set: string[];
          kernels?: string;
          json?: boolean;
          quiet?: boolean;
          report: boolean;
          force?: boolean;
        },
      ) => {
        if (opts.claim && opts.shard !== undefined)
          throw new InvalidArgumentError('--claim and --shard do not go together: with --claim every process takes the next free point');
        if (opts.claim && opts.force)
          throw new InvalidArgumentError(
            '--claim and --force do not go together: --force would clear the points other processes are running; clear the directory once, before starting them',
          );
        const shard = shardOption(opts.shard);
        const s = await loadScenario(file, { set: withKernels(opts.set, opts.kernels), replicas: opts.replicas, seed: opts.seed });
        // A sweep directory (sweep.json) is resumed by the sweep itself, which refuses another sweep's; anything else non-empty needs --force.
        prepareOutDir(opts.out ?? defaultSweepDir(s), {
          force: opts.force,
          // With --claim, processes start together: a directory holding only another one's temporary sweep.json is being made.
          sameRun: opts.claim ? (d) => isSweepDir(d) || readdirSync(d).every((n) => n.startsWith('.')) : isSweepDir,
          option: opts.out === undefined ? 'directory (--out)' : '--out',
        });
        // What the potential wants said at the start (e.g. its tfjs backend), from the first point: stderr.
        const first = expandSweep(s)[0];
        if (first && !opts.quiet) {
          const { potential } = await checkScenario(first.scenario, first.index);
          const line = potentialInfoLine(potential.name, potential.info);
          if (line) process.stderr.write(line + '\n');
        }
        const bar = sweepBar(showProgressHere(opts));
        const interrupt = opts.workers > 0 ? onInterrupt('point') : undefined;
        let out: SweepOutput;
        try {
          out = await runSweep(s, {
            out: opts.out,
            workers: opts.workers,
            shard,
            claim: opts.claim ? { leaseSeconds: opts.lease } : undefined,
            signal: interrupt?.signal,
            fault: faultsFromEnv().fault,
            onProgress: bar ? (p) => bar.update(p) : undefined,
          }).catch(dirError);
        } finally {
          bar?.stop();
          interrupt?.dispose();
        }
        const failed = out.points.filter((p) => p.status === 'failed');
        const allDiverged = out.points.filter(
          (p) =>
            p.status === 'ran' &&
            p.summary &&
            p.summary.run.completedReplicas > 0 &&
            p.summary.divergence.count === p.summary.run.completedReplicas,
        );
        const complete = out.points.filter((p) => p.summary).length;
        const trouble: string[] = [];
        if (allDiverged.length)
          trouble.push(
            `stochdyn: at ${allDiverged.length} point(s) every replica diverged (${allDiverged
              .slice(0, 10)
              .map((p) => p.index)
              .join(', ')}${allDiverged.length > 10 ? ', …' : ''}): their step size is too large — lower dynamics.lr there`,
          );
        if (failed.length)
          trouble.push(
            `stochdyn: ${failed.length} point(s) failed and were not committed (a worker failed twice): ${failed
              .slice(0, 10)
              .map((p) => `point ${p.index}: ${errorTextLine(p.error ?? '', stochdynRoots())}`)
              .join(' | ')}${failed.length > 10 ? ' | …' : ''} — run the same command again to retry them`,
          );
        if (out.interrupted)
          trouble.push(
            `stochdyn: interrupted — ${complete} of ${out.points.length} points are complete in ${out.dir}; the points that were running are discarded; run the same command again to resume`,
          );
        process.on('exit', () => {
          if (trouble.length) process.stderr.write(trouble.join('\n') + '\n');
        });
        if (out.interrupted) process.exitCode = interrupt?.exitCode() ?? 130;
        else if (failed.length) process.exitCode = 4;
        // The report of a sweep needs every point; a shard's report comes after merge.
        if (opts.report && out.complete) await writeReport(out.dir);
        if (opts.json) {
          process.stdout.write(JSON.stringify(out, null, 2) + '\n');
          return;
        }
        const ran = out.points.filter((p) => p.status === 'ran').length;
        const skipped = out.points.filter((p) => p.status === 'skipped').length;
        const shardText = shard ? ` (shard ${shard.index}/${shard.count})` : opts.claim ? ' (claim mode)' : '';
        const header =
          `${s.name}: sweep ${out.hash}${shardText}, ${out.points.length} points (${out.mode} over ${out.axes.map((a) => `${a.key} × ${a.values.length}`).join(', ')}); ` +
          `${ran} run now, ${skipped} already complete, in ${f(out.wallSeconds, 3)} s (${out.schedule.concurrentPoints} point(s) at a time, ${out.schedule.workersPerPoint} worker(s) each)`;
        process.stdout.write(formatSweepTable(s, out, header));
      },
    );

  program
    .command('merge')
    .description('combine the shard directories of one sweep (sweep --shard) or of one run (run --shard) into one complete directory')
    .argument('<dirs...>', 'sweep directories of the same sweep (same hash), or run-shard directories of the same run')
    .option('-o, --out <dir>', 'merged directory (default: output/<name>/sweep-<hash>); may be one of the inputs')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      `
Every point must be in one of the directories (copies of a point must agree);
otherwise nothing is written and the missing points are named. The merged
sweep.csv, phases.csv and phase-boundary.json equal those of an unsharded run.
Run shards: every replica must be in one shard; the merged run directory holds
the same files as the run on one machine (summary.json differs in timing and
run id only).

Examples:
  $ stochdyn merge runs/s1 runs/s2 --out runs/all`,
    )
    .option('--no-report', 'do not write report.html into the merged directory')
    .action(async (dirs: string[], opts: { out?: string; json?: boolean; report: boolean }) => {
      // The shard directories of one run (run --shard i/N) merge into its run directory.
      if (dirs.length > 0 && dirs.every((d) => isRunShardDir(d))) {
        const run = await mergeRunShards(dirs, { out: opts.out });
        if (opts.report) await writeReport(run.dir);
        if (opts.json) process.stdout.write(JSON.stringify(run.summary, null, 2) + '\n');
        else
          process.stdout.write(
            `merged ${dirs.length} run shard(s) of '${run.summary.scenario.name}'\n` + formatRunTable(run.summary, run.dir),
          );
        return;
      }
      let out;
      try {
        out = mergeSweeps(dirs, { out: opts.out });
      } catch (e) {
        dirError(e);
      }
      if (opts.report) await writeReport(out.dir);
      if (opts.json) {
        process.stdout.write(JSON.stringify(out, null, 2) + '\n');
        return;
      }
      const s = out.points[0]?.summary;
      const lines = [
        `merged ${dirs.length} director${dirs.length === 1 ? 'y' : 'ies'}: sweep ${out.hash}${s ? ` of '${s.scenario.name}'` : ''}, ${out.points.length} points (${out.copied} copied)`,
      ];
      if (out.phaseBoundary) lines.push(boundaryText(out.phaseBoundary));
      lines.push(`output: ${out.dir}  (${['sweep.json', 'points/', ...out.files, ...(opts.report ? ['report.html'] : [])].join(', ')})`);
      process.stdout.write(lines.join('\n') + '\n');
    });
}
