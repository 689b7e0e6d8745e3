/**
 * `stochdyn slurm <scenario> --tasks N`: write a Slurm array script (one task
 * per shard, `stochdyn sweep … --shard auto`) and a merge script, submit the
 * array with `sbatch --parsable` and the merge after it with
 * `--dependency=afterok:<array job>`, and say where the result will be.
 *
 * Layout of the directory (`--out`, default `output/<name>/slurm-<hash>/`):
 *
 *     sweep.sbatch     the array job: task i runs shard i/N into shards/<i>/
 *     merge.sbatch     stochdyn merge shards/1 … shards/N --out merged
 *     submitted.json   the job ids (after submission)
 *     logs/            the tasks' stdout/stderr (shard-<i>.out, merge.out)
 *     shards/<i>/      the shard sweep directories
 *     merged/          the complete sweep directory (when the merge job ran)
 *
 * The scripts call the stochdyn entry point that is running (Node's absolute
 * path and this script's), so they need no global install, only the same
 * paths on the compute nodes (a shared filesystem).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { collect, intArg } from './args.js';
import { expandSweep, loadScenario, sweepHash } from '../scenario/index.js';

/** A word for a POSIX shell: single-quoted unless it is plainly safe. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface SlurmPlan {
  dir: string;
  tasks: number;
  /** The two scripts' text. */
  sweepScript: string;
  mergeScript: string;
  sweepScriptPath: string;
  mergeScriptPath: string;
  merged: string;
}

export interface SlurmPlanOptions {
  scenarioFile: string;
  name: string;
  dir: string;
  tasks: number;
  cpus: number;
  partition?: string;
  time?: string;
  /** Extra `#SBATCH` options for both scripts (e.g. --account=x). */
  sbatchOptions: string[];
  /** Scenario overrides passed to every task (`--replicas`, `--seed`, `--set`): the shards must all be the same sweep. */
  overrides: string[];
  /** The command that runs stochdyn: [node, entry script]. */
  stochdyn: string[];
}

/** The two scripts for a sweep of `tasks` shards in `dir`. */
export function slurmPlan(o: SlurmPlanOptions): SlurmPlan {
  const dir = resolve(o.dir);
  const logs = join(dir, 'logs');
  const header = (jobName: string, extra: string[]) =>
    [
      '#!/bin/bash',
      `#SBATCH --job-name=${shellQuote(jobName)}`,
      ...extra,
      ...(o.partition ? [`#SBATCH --partition=${shellQuote(o.partition)}`] : []),
      ...(o.time ? [`#SBATCH --time=${shellQuote(o.time)}`] : []),
      ...o.sbatchOptions.map((opt) => `#SBATCH ${opt}`),
      '# Written by stochdyn slurm. Submit with: sbatch <this file>',
      'set -euo pipefail',
    ].join('\n');
  const cmd = o.stochdyn.map(shellQuote).join(' ');
  const sweepScript = [
    header(o.name, [
      `#SBATCH --array=1-${o.tasks}`,
      `#SBATCH --cpus-per-task=${o.cpus}`,
      `#SBATCH --chdir=${shellQuote(dir)}`,
      `#SBATCH --output=${shellQuote(join(logs, 'shard-%a.out'))}`,
    ]),
    `# Task i runs shard i/${o.tasks}; STOCHDYN_SHARD_RANGE keeps it so when a task is resubmitted alone (sbatch --array=i ${shellQuote(join(dir, 'sweep.sbatch'))}).`,
    `export STOCHDYN_SHARD_RANGE=1-${o.tasks}`,
    `exec ${cmd} sweep ${shellQuote(resolve(o.scenarioFile))} --shard auto --out ${shellQuote(join(dir, 'shards'))}/"$SLURM_ARRAY_TASK_ID" \\`,
    `  --workers "\${SLURM_CPUS_PER_TASK:-1}" --quiet --no-report${o.overrides.length ? ' ' + o.overrides.map(shellQuote).join(' ') : ''}`,
    '',
  ].join('\n');
  const shardDirs = Array.from({ length: o.tasks }, (_, i) => shellQuote(join(dir, 'shards', String(i + 1))));
  const merged = join(dir, 'merged');
  const mergeScript = [
    header(`${o.name}-merge`, [`#SBATCH --chdir=${shellQuote(dir)}`, `#SBATCH --output=${shellQuote(join(logs, 'merge.out'))}`]),
    `exec ${cmd} merge ${shardDirs.join(' ')} --out ${shellQuote(merged)}`,
    '',
  ].join('\n');
  return {
    dir,
    tasks: o.tasks,
    sweepScript,
    mergeScript,
    sweepScriptPath: join(dir, 'sweep.sbatch'),
    mergeScriptPath: join(dir, 'merge.sbatch'),
    merged,
  };
}

/** sbatch could not be run, or refused the job. */
export class SbatchError extends Error {
  override readonly name = 'SbatchError';
}

/** `sbatch --parsable [args] script` → the job id (the part before `;cluster`). */
export function sbatch(args: string[], script: string, env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync('sbatch', ['--parsable', ...args, script], { encoding: 'utf8', env });
  if (r.error) {
    if ((r.error as NodeJS.ErrnoException).code === 'ENOENT')
      throw new SbatchError(
        'sbatch not found on PATH: run this on a Slurm login node (or put the Slurm client commands on PATH); --dry-run prints the scripts without submitting',
      );
    throw new SbatchError(`sbatch could not be run: ${r.error.message}`);
  }
  if (r.status !== 0)
    throw new SbatchError(
      `sbatch ${[...args, script].join(' ')} failed (${r.status === null ? `signal ${r.signal}` : `exit code ${r.status}`}): ${r.stderr.trim() || r.stdout.trim() || 'no message'}`,
    );
  const id = r.stdout.trim().split('\n').pop()?.split(';')[0] ?? '';
  if (!/^\d+$/.test(id)) throw new SbatchError(`sbatch printed no job id (stdout: ${JSON.stringify(r.stdout.trim())})`);
  return id;
}

export function register(program: Command): void {
  program
    .command('slurm')
    .description('submit a sweep to Slurm: an array job of shards (--shard auto) and a merge job after it')
    .argument('<scenario>', 'scenario file with a sweep: section')
    .argument('[sbatch-options...]', 'after --: more #SBATCH options for both jobs (e.g. -- --account=proj --qos=short)')
    .requiredOption('-n, --tasks <n>', 'array tasks = shards (each runs the points with index % N = i − 1)', intArg('--tasks', 1))
    .option('-p, --partition <name>', 'Slurm partition for both jobs')
    .option('-t, --time <limit>', 'time limit of each task (Slurm format, e.g. 02:00:00)')
    .option('-c, --cpus <n>', 'CPUs per task (= --workers of each shard)', intArg('--cpus', 1), 1)
    .option('-o, --out <dir>', 'directory for the scripts, logs, shards and the merged sweep (default output/<name>/slurm-<hash>)')
    .option('-r, --replicas <n>', 'override ensemble.replicas (passed to every task)', intArg('--replicas', 1))
    .option('-s, --seed <n>', 'override the seed (passed to every task)', intArg('--seed', 0))
    .option('--set <key=value>', 'override a scenario key (repeatable; passed to every task)', collect, [])
    .option('--dry-run', 'print the two scripts and the sbatch commands; write and submit nothing')
    .option('--json', 'print the job ids and paths as JSON')
    .addHelpText(
      'after',
      `
Writes sweep.sbatch (--array=1-N; task i runs stochdyn sweep <scenario>
--shard auto --out <dir>/shards/i) and merge.sbatch (stochdyn merge of the N
shard directories into <dir>/merged), submits the first with sbatch --parsable
and the second with --dependency=afterok:<array job>, and prints the job ids.
If a task fails the merge job is not run; resubmit the task alone (it resumes
its shard) and the merge after it:
  $ sbatch --parsable --array=2 <dir>/sweep.sbatch      # → job id J
  $ sbatch --dependency=afterok:J <dir>/merge.sbatch

Examples:
  $ stochdyn slurm scenarios/examples/sweep-kramers.yaml --tasks 8 --partition short --time 01:00:00
  $ stochdyn slurm sweep.yaml --tasks 4 --dry-run -- --account=myproject`,
    )
    .action(
      async (
        file: string,
        sbatchOptions: string[],
        opts: {
          tasks: number;
          partition?: string;
          time?: string;
          cpus: number;
          out?: string;
          replicas?: number;
          seed?: number;
          set: string[];
          dryRun?: boolean;
          json?: boolean;
        },
      ) => {
        const s = await loadScenario(file, { set: opts.set, replicas: opts.replicas, seed: opts.seed });
        const points = expandSweep(s).length;
        if (opts.tasks > points)
          throw new InvalidArgumentError(`--tasks ${opts.tasks} is more than the sweep's ${points} points: use --tasks ${points} or fewer`);
        const overrides = [
          ...(opts.replicas !== undefined ? ['--replicas', String(opts.replicas)] : []),
          ...(opts.seed !== undefined ? ['--seed', String(opts.seed)] : []),
          ...opts.set.flatMap((v) => ['--set', v]),
        ];
        const plan = slurmPlan({
          scenarioFile: file,
          name: s.name,
          dir: opts.out ?? resolve('output', s.name, `slurm-${sweepHash(s)}`),
          tasks: opts.tasks,
          cpus: opts.cpus,
          partition: opts.partition,
          time: opts.time,
          sbatchOptions,
          overrides,
          stochdyn: [process.execPath, resolve(process.argv[1])],
        });
        if (opts.dryRun) {
          process.stdout.write(
            [
              `# ${plan.sweepScriptPath}`,
              plan.sweepScript,
              `# ${plan.mergeScriptPath}`,
              plan.mergeScript,
              `# submit (not done: --dry-run):`,
              `jobid=$(sbatch --parsable ${shellQuote(plan.sweepScriptPath)})`,
              `sbatch --parsable --dependency=afterok:$jobid ${shellQuote(plan.mergeScriptPath)}`,
              '',
            ].join('\n'),
          );
          return;
        }
        mkdirSync(join(plan.dir, 'logs'), { recursive: true });
        mkdirSync(join(plan.dir, 'shards'), { recursive: true });
        writeFileSync(plan.sweepScriptPath, plan.sweepScript, { mode: 0o755 });
        writeFileSync(plan.mergeScriptPath, plan.mergeScript, { mode: 0o755 });
        let arrayJob: string, mergeJob: string;
        try {
          arrayJob = sbatch([], plan.sweepScriptPath);
        } catch (e) {
          if (!(e instanceof SbatchError)) throw e;
          process.stderr.write(`stochdyn: ${e.message}\nstochdyn: nothing submitted; the scripts are in ${plan.dir}\n`);
          process.exitCode = 1;
          return;
        }
        try {
          mergeJob = sbatch([`--dependency=afterok:${arrayJob}`], plan.mergeScriptPath);
        } catch (e) {
          if (!(e instanceof SbatchError)) throw e;
          process.stderr.write(
            `stochdyn: ${e.message}\nstochdyn: the array job ${arrayJob} is submitted, the merge job is not: submit it with sbatch --dependency=afterok:${arrayJob} ${shellQuote(plan.mergeScriptPath)}\n`,
          );
          process.exitCode = 1;
          return;
        }
        const record = {
          arrayJob,
          mergeJob,
          tasks: plan.tasks,
          dir: plan.dir,
          scripts: { sweep: plan.sweepScriptPath, merge: plan.mergeScriptPath },
          shards: join(plan.dir, 'shards'),
          logs: join(plan.dir, 'logs'),
          merged: plan.merged,
        };
        writeFileSync(join(plan.dir, 'submitted.json'), JSON.stringify(record, null, 2) + '\n');
        if (opts.json) {
          process.stdout.write(JSON.stringify(record, null, 2) + '\n');
          return;
        }
        process.stdout.write(
          [
            `${s.name}: submitted array job ${arrayJob} (${plan.tasks} tasks, one shard each, into ${record.shards}/<i>) and merge job ${mergeJob} (runs when every task has succeeded)`,
            `logs: ${record.logs}/  (shard-<i>.out, merge.out)`,
            `result: ${plan.merged}  (when job ${mergeJob} has run)`,
            `a task failed? resubmit it alone, then the merge: sbatch --parsable --array=<i> ${shellQuote(plan.sweepScriptPath)}; sbatch --dependency=afterok:<that job> ${shellQuote(plan.mergeScriptPath)}`,
            '',
          ].join('\n'),
        );
      },
    );
}
