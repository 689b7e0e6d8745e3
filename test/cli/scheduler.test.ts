/**
 * `--shard auto` (src/cli/scheduler.ts): the shard i/N of an array task from
 * the environment of Slurm, Kubernetes Indexed Jobs, PBS Pro / Torque and Grid
 * Engine — arrays from 0, from 1, from elsewhere and with a step — the
 * STOCHDYN_SHARD_RANGE / STOCHDYN_SHARD_COUNT overrides, and every error.
 */
import { describe, expect, it } from 'vitest';
import { resolveShard, ShardResolutionError } from '../../src/cli/scheduler.js';

const shard = (env: Record<string, string>) => {
  const r = resolveShard('auto', env);
  return `${r.index}/${r.count}`;
};

function fails(env: Record<string, string>, pattern: RegExp, value = 'auto'): void {
  let error: unknown;
  try {
    resolveShard(value, env);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ShardResolutionError);
  expect((error as Error).message).toMatch(pattern);
}

/** What Slurm 22.05 exports for task `id` of `--array=<min>-<max>:<step>` (count ids). */
const slurmEnv = (id: number, min: number, max: number, step: number, count: number) => ({
  SLURM_JOB_ID: '100',
  SLURM_ARRAY_JOB_ID: '99',
  SLURM_ARRAY_TASK_ID: String(id),
  SLURM_ARRAY_TASK_MIN: String(min),
  SLURM_ARRAY_TASK_MAX: String(max),
  SLURM_ARRAY_TASK_STEP: String(step),
  SLURM_ARRAY_TASK_COUNT: String(count),
});

describe('--shard i/N', () => {
  it('is taken as written, whatever the environment says', () => {
    expect(resolveShard('2/5', slurmEnv(1, 1, 3, 1, 3))).toEqual({ index: 2, count: 5, source: '--shard' });
    expect(resolveShard(' 1 / 1 ', {})).toMatchObject({ index: 1, count: 1 });
  });
  it('refuses i outside 1 … N and anything not i/N', () => {
    for (const v of ['0/3', '4/3', '1/0', '1', 'a/b', '-1/3', '1.5/3', ''])
      fails({}, /--shard must be i\/N with 1 ≤ i ≤ N \(e\.g\. 1\/4\) or auto/, v);
  });
});

describe('--shard auto: Slurm job arrays', () => {
  it('--array=1-N: task id i is shard i/N', () => {
    expect([1, 2, 3].map((i) => shard(slurmEnv(i, 1, 3, 1, 3)))).toEqual(['1/3', '2/3', '3/3']);
    const r = resolveShard('auto', slurmEnv(2, 1, 3, 1, 3));
    expect(r.source).toBe('Slurm SLURM_ARRAY_TASK_ID=2 of 1-3 (SLURM_ARRAY_TASK_MIN/MAX/STEP)');
  });
  it('--array=0-7: task id t is shard t + 1 of 8', () => {
    expect([0, 3, 7].map((i) => shard(slurmEnv(i, 0, 7, 1, 8)))).toEqual(['1/8', '4/8', '8/8']);
  });
  it('--array=5-9 (not starting at 0 or 1): task id t is shard t − 4 of 5', () => {
    expect([5, 6, 9].map((i) => shard(slurmEnv(i, 5, 9, 1, 5)))).toEqual(['1/5', '2/5', '5/5']);
  });
  it('--array=0-9:2 runs ids 0, 2, 4, 6, 8 (MAX = 8): five shards', () => {
    expect([0, 2, 4, 6, 8].map((i) => shard(slurmEnv(i, 0, 8, 2, 5)))).toEqual(['1/5', '2/5', '3/5', '4/5', '5/5']);
    // a MAX off the step grid (as written in --array) ends at the last id on it
    expect(shard(slurmEnv(8, 0, 9, 2, 5))).toBe('5/5');
    expect(resolveShard('auto', slurmEnv(4, 0, 8, 2, 5)).source).toMatch(/of 0-8:2/);
  });
  it('without SLURM_ARRAY_TASK_MAX the range comes from the count', () => {
    const env: Record<string, string> = { ...slurmEnv(7, 3, 0, 2, 4) };
    delete env.SLURM_ARRAY_TASK_MAX;
    expect(shard(env)).toBe('3/4');
    delete env.SLURM_ARRAY_TASK_STEP;
    expect(shard({ ...env, SLURM_ARRAY_TASK_ID: '5' })).toBe('3/4');
  });
  it('STOCHDYN_SHARD_RANGE wins over the array: a task resubmitted alone keeps its shard', () => {
    // sbatch --array=2 of an array planned as 1-3: Slurm says MIN = MAX = 2, COUNT = 1
    expect(shard(slurmEnv(2, 2, 2, 1, 1))).toBe('1/1');
    expect(shard({ ...slurmEnv(2, 2, 2, 1, 1), STOCHDYN_SHARD_RANGE: '1-3' })).toBe('2/3');
    expect(resolveShard('auto', { ...slurmEnv(2, 2, 2, 1, 1), STOCHDYN_SHARD_RANGE: '1-3' }).source).toBe(
      'Slurm SLURM_ARRAY_TASK_ID=2 of 1-3 (STOCHDYN_SHARD_RANGE)',
    );
    expect(shard({ ...slurmEnv(6, 6, 6, 1, 1), STOCHDYN_SHARD_RANGE: '0-9:2' })).toBe('4/5');
  });
  it('errors: an id list that is not a range, an id off the range, a missing MIN or MAX/COUNT, bad numbers, a count that disagrees', () => {
    // --array=1,4,5: MIN 1, MAX 5, STEP 1 but COUNT 3
    fails(slurmEnv(4, 1, 5, 1, 3), /the Slurm array is not a range: SLURM_ARRAY_TASK_COUNT=3, but 1-5 .* has 5 ids .*--array=1,4,5/);
    fails(slurmEnv(3, 0, 8, 2, 5), /SLURM_ARRAY_TASK_ID=3 is not a task id of the array range 0-8:2/);
    fails(
      { ...slurmEnv(2, 2, 2, 1, 1), STOCHDYN_SHARD_RANGE: '1-3:2' },
      /SLURM_ARRAY_TASK_ID=2 is not a task id of the array range 1-3:2 \(STOCHDYN_SHARD_RANGE\)/,
    );
    fails({ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '3' }, /SLURM_ARRAY_TASK_MIN is not, so where the array starts is unknown/);
    fails({ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_MIN: '1' }, /neither SLURM_ARRAY_TASK_MAX nor SLURM_ARRAY_TASK_COUNT/);
    fails({ ...slurmEnv(1, 1, 3, 1, 3), SLURM_ARRAY_TASK_ID: 'x' }, /SLURM_ARRAY_TASK_ID="x" is not an integer ≥ 0/);
    fails({ ...slurmEnv(1, 1, 3, 1, 3), SLURM_ARRAY_TASK_STEP: '0' }, /SLURM_ARRAY_TASK_STEP="0" is not an integer ≥ 1/);
    fails(slurmEnv(1, 3, 1, 1, 3), /the array range 3-1 is empty/);
    fails({ ...slurmEnv(1, 1, 3, 1, 3), STOCHDYN_SHARD_COUNT: '4' }, /STOCHDYN_SHARD_COUNT=4 disagrees with the array range 1-3/);
    fails({ ...slurmEnv(1, 1, 3, 1, 3), STOCHDYN_SHARD_RANGE: '1..3' }, /STOCHDYN_SHARD_RANGE="1..3" is not a range first-last\[:step\]/);
  });
});

describe('--shard auto: Kubernetes Indexed Jobs', () => {
  it('JOB_COMPLETION_INDEX k (from 0) is shard k + 1 of STOCHDYN_SHARD_COUNT', () => {
    expect(shard({ JOB_COMPLETION_INDEX: '0', STOCHDYN_SHARD_COUNT: '4' })).toBe('1/4');
    expect(shard({ JOB_COMPLETION_INDEX: '3', STOCHDYN_SHARD_COUNT: '4' })).toBe('4/4');
    expect(resolveShard('auto', { JOB_COMPLETION_INDEX: '1', STOCHDYN_SHARD_COUNT: '4' }).source).toBe(
      'Kubernetes JOB_COMPLETION_INDEX=1 of 0-3 (STOCHDYN_SHARD_COUNT, indexes from 0)',
    );
    expect(shard({ JOB_COMPLETION_INDEX: '2', STOCHDYN_SHARD_RANGE: '0-2' })).toBe('3/3');
  });
  it('errors: no count, an index beyond it, a bad count', () => {
    fails({ JOB_COMPLETION_INDEX: '0' }, /Kubernetes does not export the number of completions: set STOCHDYN_SHARD_COUNT/);
    fails({ JOB_COMPLETION_INDEX: '4', STOCHDYN_SHARD_COUNT: '4' }, /JOB_COMPLETION_INDEX=4 is not a task id of the array range 0-3/);
    fails({ JOB_COMPLETION_INDEX: '0', STOCHDYN_SHARD_COUNT: '0' }, /STOCHDYN_SHARD_COUNT="0" is not an integer ≥ 1/);
  });
});

describe('--shard auto: PBS Pro and Torque', () => {
  it('PBS_ARRAY_INDEX / PBS_ARRAYID with STOCHDYN_SHARD_COUNT (ids 1 … N) or STOCHDYN_SHARD_RANGE', () => {
    expect(shard({ PBS_ARRAY_INDEX: '3', STOCHDYN_SHARD_COUNT: '3' })).toBe('3/3');
    expect(shard({ PBS_ARRAYID: '1', STOCHDYN_SHARD_COUNT: '2' })).toBe('1/2');
    expect(shard({ PBS_ARRAY_INDEX: '0', STOCHDYN_SHARD_RANGE: '0-9:3' })).toBe('1/4');
    expect(shard({ PBS_ARRAYID: '9', STOCHDYN_SHARD_RANGE: '0-9:3', STOCHDYN_SHARD_COUNT: '4' })).toBe('4/4');
    expect(resolveShard('auto', { PBS_ARRAYID: '1', STOCHDYN_SHARD_COUNT: '2' }).source).toMatch(/^Torque PBS_ARRAYID=1 of 1-2/);
    expect(resolveShard('auto', { PBS_ARRAY_INDEX: '1', STOCHDYN_SHARD_COUNT: '2' }).source).toMatch(/^PBS Pro PBS_ARRAY_INDEX=1/);
  });
  it('errors: no count or range; an id 0 with a count (ids from 1)', () => {
    fails({ PBS_ARRAY_INDEX: '2' }, /PBS Pro does not export the array's range: set STOCHDYN_SHARD_RANGE to the range given to -J/);
    fails({ PBS_ARRAYID: '2' }, /Torque does not export the array's range: set STOCHDYN_SHARD_RANGE to the range given to -t/);
    fails({ PBS_ARRAY_INDEX: '0', STOCHDYN_SHARD_COUNT: '3' }, /PBS_ARRAY_INDEX=0 is not a task id of the array range 1-3/);
  });
});

describe('--shard auto: Grid Engine', () => {
  it('SGE_TASK_ID with FIRST, LAST, STEPSIZE', () => {
    const env = { SGE_TASK_FIRST: '10', SGE_TASK_LAST: '20', SGE_TASK_STEPSIZE: '5' };
    expect(['10', '15', '20'].map((id) => shard({ ...env, SGE_TASK_ID: id }))).toEqual(['1/3', '2/3', '3/3']);
    expect(shard({ SGE_TASK_ID: '2', SGE_TASK_FIRST: '1', SGE_TASK_LAST: '4' })).toBe('2/4');
    expect(resolveShard('auto', { ...env, SGE_TASK_ID: '15' }).source).toBe(
      'Grid Engine SGE_TASK_ID=15 of 10-20:5 (SGE_TASK_FIRST/LAST/STEPSIZE)',
    );
  });
  it('errors: no FIRST/LAST, an id off the grid; SGE_TASK_ID=undefined is no array task', () => {
    fails({ SGE_TASK_ID: '3' }, /SGE_TASK_ID is set but SGE_TASK_FIRST or SGE_TASK_LAST is not/);
    fails({ SGE_TASK_ID: '12', SGE_TASK_FIRST: '10', SGE_TASK_LAST: '20', SGE_TASK_STEPSIZE: '5' }, /SGE_TASK_ID=12 is not a task id/);
    fails(
      { SGE_TASK_ID: 'undefined', SGE_TASK_FIRST: 'undefined' },
      /SGE_TASK_ID is "undefined": a Grid Engine job that is not an array job/,
    );
  });
});

describe('--shard auto: no scheduler', () => {
  it('names every variable it looked for', () => {
    fails(
      { HOME: '/root' },
      /no array task found in the environment; looked for SLURM_ARRAY_TASK_ID \(Slurm\), JOB_COMPLETION_INDEX \(Kubernetes Indexed Job\), PBS_ARRAY_INDEX \(PBS Pro\), PBS_ARRAYID \(Torque\) and SGE_TASK_ID \(Grid Engine\)\. Outside a scheduler give the shard as --shard i\/N/,
    );
    fails({ SLURM_ARRAY_TASK_ID: '' }, /no array task found/);
  });
  it('says when it runs in a non-array Slurm or PBS job', () => {
    fails({ SLURM_JOB_ID: '12' }, /this is a Slurm job, SLURM_JOB_ID is set, but not an array job: submit it with sbatch --array=1-N/);
    fails({ PBS_JOBID: '12.server' }, /this is a PBS job, PBS_JOBID is set, but not an array job/);
  });
  it('the scheduler order: Slurm before Kubernetes before PBS before Grid Engine', () => {
    const all = {
      ...slurmEnv(2, 1, 3, 1, 3),
      JOB_COMPLETION_INDEX: '0',
      PBS_ARRAY_INDEX: '1',
      SGE_TASK_ID: '1',
      SGE_TASK_FIRST: '1',
      SGE_TASK_LAST: '1',
      STOCHDYN_SHARD_COUNT: '3',
    };
    expect(resolveShard('auto', all).source).toMatch(/^Slurm /);
    const { SLURM_ARRAY_TASK_ID: _s, ...noSlurm } = all;
    expect(resolveShard('auto', noSlurm).source).toMatch(/^Kubernetes /);
    const { JOB_COMPLETION_INDEX: _k, ...noK8s } = noSlurm;
    expect(resolveShard('auto', noK8s).source).toMatch(/^PBS Pro /);
    const { PBS_ARRAY_INDEX: _p, STOCHDYN_SHARD_COUNT: _c, ...onlySge } = noK8s;
    expect(resolveShard('auto', onlySge).source).toMatch(/^Grid Engine /);
  });
});
