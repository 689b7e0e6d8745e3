/**
 * `--shard auto`: which shard this process is, read from the environment a
 * batch scheduler gives each task of an array job.
 *
 * The shards of a sweep are numbered 1 … N (`--shard i/N`). An array job
 * numbers its tasks by ids `first, first + step, …, last`; task id `t` is shard
 * `(t − first) / step + 1` of `N = (last − first) / step + 1`. So Slurm's
 * `--array=0-9:2` (ids 0, 2, 4, 6, 8) is five shards: id 0 → 1/5, id 8 → 5/5;
 * `--array=1-8` and `--array=0-7` are both eight shards.
 *
 * Schedulers, looked for in this order:
 *
 * - Slurm job arrays: SLURM_ARRAY_TASK_ID, with the array's range from
 *   SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_MAX and SLURM_ARRAY_TASK_STEP
 *   (default 1), checked against SLURM_ARRAY_TASK_COUNT (an array given as a
 *   list of ids that is not a range, e.g. `--array=1,4,5`, is refused);
 * - Kubernetes Indexed Jobs: JOB_COMPLETION_INDEX (0 … completions − 1); the
 *   count is not exported by Kubernetes, so it comes from STOCHDYN_SHARD_COUNT;
 * - PBS Pro (PBS_ARRAY_INDEX) and Torque (PBS_ARRAYID): the task id; the
 *   range is not exported, so STOCHDYN_SHARD_COUNT = N means ids 1 … N;
 * - Grid Engine: SGE_TASK_ID with SGE_TASK_FIRST, SGE_TASK_LAST and
 *   SGE_TASK_STEPSIZE (SGE_TASK_ID is `undefined` outside an array job).
 *
 * STOCHDYN_SHARD_RANGE = `first-last[:step]` states the whole array the sweep
 * was split over and takes precedence over the scheduler's own range: a task
 * resubmitted alone (`sbatch --array=3 …`) sees an array of one task, but
 * still is shard 3 of the original array. STOCHDYN_SHARD_COUNT, when given
 * with a range, must agree with it.
 */

/** Where `--shard auto` found its shard, or why it could not. */
export interface ResolvedShard {
  /** 1-based shard index (1 ≤ index ≤ count). */
  index: number;
  count: number;
  /** Human-readable origin, e.g. `Slurm array task SLURM_ARRAY_TASK_ID=4 of 0-8:2`. */
  source: string;
}

/** `--shard` could not be resolved (CLI exit code 2). */
export class ShardResolutionError extends Error {
  override readonly name = 'ShardResolutionError';
}

/** Every variable `--shard auto` reads, in the order it looks for a scheduler. */
export const SHARD_ENV_VARS = [
  'SLURM_ARRAY_TASK_ID',
  'SLURM_ARRAY_TASK_MIN',
  'SLURM_ARRAY_TASK_MAX',
  'SLURM_ARRAY_TASK_STEP',
  'SLURM_ARRAY_TASK_COUNT',
  'JOB_COMPLETION_INDEX',
  'PBS_ARRAY_INDEX',
  'PBS_ARRAYID',
  'SGE_TASK_ID',
  'SGE_TASK_FIRST',
  'SGE_TASK_LAST',
  'SGE_TASK_STEPSIZE',
  'STOCHDYN_SHARD_COUNT',
  'STOCHDYN_SHARD_RANGE',
] as const;

type Env = Record<string, string | undefined>;

interface Range {
  first: number;
  last: number;
  step: number;
  /** How the range was given (for messages). */
  from: string;
}

const rangeText = (r: Range) => `${r.first}-${r.last}${r.step !== 1 ? `:${r.step}` : ''}`;

function intVar(env: Env, name: string, min = 0): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const v = raw.trim();
  if (!/^\d+$/.test(v) || Number(v) < min || !Number.isSafeInteger(Number(v)))
    throw new ShardResolutionError(`${name}=${JSON.stringify(raw)} is not an integer ≥ ${min}`);
  return Number(v);
}

function parseRange(text: string, from: string): Range {
  const m = /^\s*(\d+)\s*-\s*(\d+)\s*(?::\s*(\d+)\s*)?$/.exec(text);
  if (!m) throw new ShardResolutionError(`${from}=${JSON.stringify(text)} is not a range first-last[:step] (e.g. 1-8 or 0-9:2)`);
  return checkedRange(Number(m[1]), Number(m[2]), m[3] === undefined ? 1 : Number(m[3]), from);
}

function checkedRange(first: number, last: number, step: number, from: string): Range {
  if (!(step >= 1)) throw new ShardResolutionError(`${from}: the step must be ≥ 1, found ${step}`);
  if (last < first) throw new ShardResolutionError(`${from}: the array range ${first}-${last} is empty (last < first)`);
  // A range whose last id is not on the step grid ends at the last id on it (Slurm's 0-9:2 runs 0 … 8).
  return { first, last: first + Math.floor((last - first) / step) * step, step, from };
}

const countOf = (r: Range) => (r.last - r.first) / r.step + 1;

/** STOCHDYN_SHARD_RANGE, when set (it wins over a scheduler's own range), checked against STOCHDYN_SHARD_COUNT. */
function overrideRange(env: Env): Range | undefined {
  const raw = env.STOCHDYN_SHARD_RANGE;
  if (raw === undefined || raw.trim() === '') return undefined;
  return parseRange(raw, 'STOCHDYN_SHARD_RANGE');
}

/** The shard of task id `id` in `range`, with STOCHDYN_SHARD_COUNT (when set) required to agree. */
function shardOf(env: Env, scheduler: string, idVar: string, id: number, range: Range): ResolvedShard {
  const count = countOf(range);
  const declared = intVar(env, 'STOCHDYN_SHARD_COUNT', 1);
  if (declared !== undefined && declared !== count)
    throw new ShardResolutionError(
      `STOCHDYN_SHARD_COUNT=${declared} disagrees with the array range ${rangeText(range)} (${range.from}), which has ${count} task(s)`,
    );
  if (id < range.first || id > range.last || (id - range.first) % range.step !== 0)
    throw new ShardResolutionError(
      `${idVar}=${id} is not a task id of the array range ${rangeText(range)} (${range.from}); ids are ${range.first}, ${range.first + range.step}, … ${range.last}`,
    );
  const index = (id - range.first) / range.step + 1;
  return { index, count, source: `${scheduler} ${idVar}=${id} of ${rangeText(range)} (${range.from})` };
}

function slurm(env: Env): ResolvedShard {
  const id = intVar(env, 'SLURM_ARRAY_TASK_ID')!;
  const override = overrideRange(env);
  if (override) return shardOf(env, 'Slurm', 'SLURM_ARRAY_TASK_ID', id, override);
  const min = intVar(env, 'SLURM_ARRAY_TASK_MIN');
  const max = intVar(env, 'SLURM_ARRAY_TASK_MAX');
  const step = intVar(env, 'SLURM_ARRAY_TASK_STEP', 1) ?? 1;
  const taskCount = intVar(env, 'SLURM_ARRAY_TASK_COUNT', 1);
  if (min === undefined)
    throw new ShardResolutionError(
      'SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_MIN is not, so where the array starts is unknown: set STOCHDYN_SHARD_RANGE=first-last[:step] (the --array range) or use --shard i/N',
    );
  let range: Range;
  if (max !== undefined) range = checkedRange(min, max, step, 'SLURM_ARRAY_TASK_MIN/MAX/STEP');
  else if (taskCount !== undefined) range = checkedRange(min, min + (taskCount - 1) * step, step, 'SLURM_ARRAY_TASK_MIN/COUNT/STEP');
  else
    throw new ShardResolutionError(
      'SLURM_ARRAY_TASK_ID is set but neither SLURM_ARRAY_TASK_MAX nor SLURM_ARRAY_TASK_COUNT is: set STOCHDYN_SHARD_RANGE=first-last[:step] or use --shard i/N',
    );
  if (taskCount !== undefined && taskCount !== countOf(range))
    throw new ShardResolutionError(
      `the Slurm array is not a range: SLURM_ARRAY_TASK_COUNT=${taskCount}, but ${rangeText(range)} (SLURM_ARRAY_TASK_MIN/MAX/STEP) has ${countOf(range)} ids — ` +
        'an array given as a list (e.g. --array=1,4,5) cannot be numbered as shards: submit a range (--array=1-N), or set STOCHDYN_SHARD_RANGE to the range the sweep was split over',
    );
  return shardOf(env, 'Slurm', 'SLURM_ARRAY_TASK_ID', id, range);
}

function kubernetes(env: Env): ResolvedShard {
  const id = intVar(env, 'JOB_COMPLETION_INDEX')!;
  const override = overrideRange(env);
  if (override) return shardOf(env, 'Kubernetes', 'JOB_COMPLETION_INDEX', id, override);
  const count = intVar(env, 'STOCHDYN_SHARD_COUNT', 1);
  if (count === undefined)
    throw new ShardResolutionError(
      'JOB_COMPLETION_INDEX is set (a Kubernetes Indexed Job) but Kubernetes does not export the number of completions: set STOCHDYN_SHARD_COUNT to spec.completions in the pod template',
    );
  return shardOf(env, 'Kubernetes', 'JOB_COMPLETION_INDEX', id, {
    first: 0,
    last: count - 1,
    step: 1,
    from: 'STOCHDYN_SHARD_COUNT, indexes from 0',
  });
}

function pbs(env: Env, idVar: 'PBS_ARRAY_INDEX' | 'PBS_ARRAYID'): ResolvedShard {
  const name = idVar === 'PBS_ARRAY_INDEX' ? 'PBS Pro' : 'Torque';
  const id = intVar(env, idVar)!;
  const override = overrideRange(env);
  if (override) return shardOf(env, name, idVar, id, override);
  const count = intVar(env, 'STOCHDYN_SHARD_COUNT', 1);
  if (count === undefined)
    throw new ShardResolutionError(
      `${idVar} is set (a ${name} array job) but ${name} does not export the array's range: set STOCHDYN_SHARD_RANGE to the range given to ${idVar === 'PBS_ARRAY_INDEX' ? '-J' : '-t'} (e.g. 1-8), or STOCHDYN_SHARD_COUNT=N for ids 1 … N`,
    );
  return shardOf(env, name, idVar, id, { first: 1, last: count, step: 1, from: 'STOCHDYN_SHARD_COUNT, ids from 1' });
}

function sge(env: Env): ResolvedShard {
  const id = intVar(env, 'SGE_TASK_ID')!;
  const override = overrideRange(env);
  if (override) return shardOf(env, 'Grid Engine', 'SGE_TASK_ID', id, override);
  const first = intVar(env, 'SGE_TASK_FIRST');
  const last = intVar(env, 'SGE_TASK_LAST');
  if (first === undefined || last === undefined)
    throw new ShardResolutionError(
      'SGE_TASK_ID is set but SGE_TASK_FIRST or SGE_TASK_LAST is not: set STOCHDYN_SHARD_RANGE=first-last[:step] (the -t range) or use --shard i/N',
    );
  const step = intVar(env, 'SGE_TASK_STEPSIZE', 1) ?? 1;
  return shardOf(env, 'Grid Engine', 'SGE_TASK_ID', id, checkedRange(first, last, step, 'SGE_TASK_FIRST/LAST/STEPSIZE'));
}

const isSet = (env: Env, name: string) => env[name] !== undefined && env[name]!.trim() !== '';

/** `i/N` with 1 ≤ i ≤ N; throws ShardResolutionError otherwise. */
export function parseShardText(v: string): { index: number; count: number } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(v);
  const index = m ? Number(m[1]) : NaN,
    count = m ? Number(m[2]) : NaN;
  if (!m || !(count >= 1) || !(index >= 1 && index <= count))
    throw new ShardResolutionError(`--shard must be i/N with 1 ≤ i ≤ N (e.g. 1/4) or auto, found '${v}'`);
  return { index, count };
}

/**
 * The shard a `--shard` value names: `i/N` as written, or `auto`: from the
 * environment of a Slurm, Kubernetes, PBS Pro / Torque or Grid Engine array
 * task (see the module comment for the variables). Throws
 * ShardResolutionError naming the variables it looked for when none is set,
 * or what is inconsistent.
 */
export function resolveShard(value: string, env: Env = process.env): ResolvedShard {
  if (value.trim().toLowerCase() !== 'auto') {
    const { index, count } = parseShardText(value);
    return { index, count, source: '--shard' };
  }
  if (isSet(env, 'SLURM_ARRAY_TASK_ID')) return slurm(env);
  if (isSet(env, 'JOB_COMPLETION_INDEX')) return kubernetes(env);
  if (isSet(env, 'PBS_ARRAY_INDEX')) return pbs(env, 'PBS_ARRAY_INDEX');
  if (isSet(env, 'PBS_ARRAYID')) return pbs(env, 'PBS_ARRAYID');
  if (isSet(env, 'SGE_TASK_ID') && env.SGE_TASK_ID!.trim() !== 'undefined') return sge(env);
  const hint = isSet(env, 'SLURM_JOB_ID')
    ? ' (this is a Slurm job, SLURM_JOB_ID is set, but not an array job: submit it with sbatch --array=1-N)'
    : isSet(env, 'SGE_TASK_ID')
      ? ' (SGE_TASK_ID is "undefined": a Grid Engine job that is not an array job; submit it with qsub -t 1-N)'
      : isSet(env, 'PBS_JOBID')
        ? ' (this is a PBS job, PBS_JOBID is set, but not an array job: submit it with qsub -J 1-N, or -t 1-N on Torque)'
        : '';
  throw new ShardResolutionError(
    `--shard auto: no array task found in the environment${hint}; looked for SLURM_ARRAY_TASK_ID (Slurm), JOB_COMPLETION_INDEX (Kubernetes Indexed Job), ` +
      'PBS_ARRAY_INDEX (PBS Pro), PBS_ARRAYID (Torque) and SGE_TASK_ID (Grid Engine). Outside a scheduler give the shard as --shard i/N',
  );
}

/**
 * The `--shard` option of `run` and `sweep` as i/N: `auto` is resolved from the
 * scheduler's environment, and which scheduler and shard it found goes to
 * stderr, so that a task's log says what it ran. Throws ShardResolutionError
 * (exit code 2) when no array task is found.
 */
export function shardOption(shard: { index: number; count: number } | 'auto' | undefined): { index: number; count: number } | undefined {
  if (shard !== 'auto') return shard;
  const r = resolveShard('auto');
  process.stderr.write(`stochdyn: --shard auto: shard ${r.index}/${r.count} from ${r.source}\n`);
  return { index: r.index, count: r.count };
}
