/**
 * `stochdyn sweep --shard auto` through the compiled CLI: the shard comes from
 * an array task's environment (here Slurm's and Kubernetes' variables, set by
 * hand), the line on stderr names the scheduler and i/N, the points run are
 * that shard's; with no scheduler in the environment the exit code is 2 and
 * nothing is written.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT, runCli, tempDir } from '../helpers.js';
import { SHARD_ENV_VARS } from '../../src/cli/scheduler.js';

const TINY = path.join(ROOT, 'test', 'fixtures', 'sweep', 'tiny.yaml');
const SMALL = ['--replicas', '20', '--set', 'dynamics.steps=100', '--workers', '0', '--quiet', '--no-report'];
/** No scheduler variable leaks in from the environment the tests run in. */
const CLEAN = Object.fromEntries([...SHARD_ENV_VARS, 'SLURM_JOB_ID', 'PBS_JOBID'].map((k) => [k, '']));
const points = (dir: string) =>
  readdirSync(path.join(dir, 'points'))
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .sort((a, b) => a - b);

describe('stochdyn sweep --shard auto', () => {
  const tmp = tempDir('shard-auto');

  it('a Slurm array task 6 of --array=2-10:4 is shard 2/3: points 1 and 4 of 6', () => {
    const out = path.join(tmp, 'slurm');
    const env = {
      ...CLEAN,
      SLURM_JOB_ID: '41',
      SLURM_ARRAY_TASK_ID: '6',
      SLURM_ARRAY_TASK_MIN: '2',
      SLURM_ARRAY_TASK_MAX: '10',
      SLURM_ARRAY_TASK_STEP: '4',
      SLURM_ARRAY_TASK_COUNT: '3',
    };
    const r = runCli(['sweep', TINY, ...SMALL, '--shard', 'auto', '--out', out], { env });
    expect(r.stderr).toContain(
      'stochdyn: --shard auto: shard 2/3 from Slurm SLURM_ARRAY_TASK_ID=6 of 2-10:4 (SLURM_ARRAY_TASK_MIN/MAX/STEP)',
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/sweep [0-9a-f]{12} \(shard 2\/3\)/);
    expect(points(out)).toEqual([1, 4]);
  });

  it('a Kubernetes completion index 0 with STOCHDYN_SHARD_COUNT=2 is shard 1/2: points 0, 2, 4', () => {
    const out = path.join(tmp, 'k8s');
    const r = runCli(['sweep', TINY, ...SMALL, '--shard', 'auto', '--out', out], {
      env: { ...CLEAN, JOB_COMPLETION_INDEX: '0', STOCHDYN_SHARD_COUNT: '2' },
    });
    expect(r.stderr).toContain('shard 1/2 from Kubernetes JOB_COMPLETION_INDEX=0 of 0-1');
    expect(r.status).toBe(0);
    expect(points(out)).toEqual([0, 2, 4]);
  });

  it('no scheduler: exit code 2, the variables named, nothing written; a bad i/N is a usage error', () => {
    const out = path.join(tmp, 'none');
    const r = runCli(['sweep', TINY, ...SMALL, '--shard', 'auto', '--out', out], { env: CLEAN });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /--shard auto: no array task found in the environment; looked for SLURM_ARRAY_TASK_ID \(Slurm\), JOB_COMPLETION_INDEX/,
    );
    expect(existsSync(out)).toBe(false);
    const k = runCli(['sweep', TINY, ...SMALL, '--shard', 'auto', '--out', out], { env: { ...CLEAN, JOB_COMPLETION_INDEX: '1' } });
    expect(k.status).toBe(2);
    expect(k.stderr).toMatch(/set STOCHDYN_SHARD_COUNT to spec.completions/);
    const bad = runCli(['sweep', TINY, ...SMALL, '--shard', '4/3', '--out', out], { env: CLEAN });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--shard must be i\/N with 1 ≤ i ≤ N \(e\.g\. 1\/4\) or auto, found '4\/3'/);
    expect(existsSync(out)).toBe(false);
  });
});
