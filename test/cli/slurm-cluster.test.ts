/**
 * `stochdyn slurm` on a real Slurm cluster: a private single-node cluster
 * (test/helpers/slurm-cluster.ts; slurmctld, slurmd and slurm-client must be
 * installed — without them this test fails and says what to install). A
 * 6-point sweep goes in as a 3-task array plus the merge job; the merged
 * directory must equal the unsharded sweep (sweep.csv, phases.csv,
 * phase-boundary.json byte for byte, every point summary minus timing and run
 * id). Then one task fails (its shard directory is a file): the merge job is
 * cancelled and nothing is merged; resubmitting that task alone and the merge
 * completes the same sweep.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT, runCli, tempDir } from '../helpers.js';
import { startSlurmCluster, type SlurmCluster } from '../helpers/slurm-cluster.js';

const TINY = path.join(ROOT, 'test', 'fixtures', 'sweep', 'tiny.yaml');
const SMALL = ['--replicas', '20', '--set', 'dynamics.steps=100'];

function snapshot(dir: string) {
  const pointSummaries = readdirSync(path.join(dir, 'points'))
    .filter((n) => /^\d+$/.test(n))
    .sort((a, b) => Number(a) - Number(b))
    .map((n) => {
      const s = JSON.parse(readFileSync(path.join(dir, 'points', n, 'summary.json'), 'utf8'));
      delete s.timing;
      delete s.run.id;
      return s;
    });
  const read = (f: string) => (existsSync(path.join(dir, f)) ? readFileSync(path.join(dir, f), 'utf8') : null);
  return { csv: read('sweep.csv'), phases: read('phases.csv'), boundary: read('phase-boundary.json'), pointSummaries };
}

describe('stochdyn slurm on a single-node Slurm cluster', () => {
  const tmp = tempDir('slurm-e2e');
  let cluster: SlurmCluster;
  let reference: ReturnType<typeof snapshot>;

  beforeAll(async () => {
    cluster = await startSlurmCluster();
    const ref = runCli(['sweep', TINY, ...SMALL, '--workers', '0', '--quiet', '--no-report', '--out', path.join(tmp, 'unsharded')]);
    expect(ref.status, ref.stderr).toBe(0);
    reference = snapshot(path.join(tmp, 'unsharded'));
    expect(reference.csv).not.toBeNull();
    expect(reference.pointSummaries).toHaveLength(6);
  });
  afterAll(() => cluster?.stop());

  const submit = (out: string) => {
    const r = runCli(['slurm', TINY, '--tasks', '3', '--out', out, ...SMALL, '--json'], { env: cluster.env as Record<string, string> });
    expect(r.status, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { arrayJob: string; mergeJob: string; merged: string };
  };

  it('a 3-task array and the merge after it give the unsharded sweep', async () => {
    const out = path.join(tmp, 'ok');
    const job = submit(out);
    expect(await cluster.waitForJob(job.arrayJob)).toEqual(['COMPLETED', 'COMPLETED', 'COMPLETED']);
    expect(await cluster.waitForJob(job.mergeJob)).toEqual(['COMPLETED']);
    // each task said which shard it was
    for (const i of [1, 2, 3])
      expect(readFileSync(path.join(out, 'logs', `shard-${i}.out`), 'utf8')).toContain(
        `stochdyn: --shard auto: shard ${i}/3 from Slurm SLURM_ARRAY_TASK_ID=${i} of 1-3 (STOCHDYN_SHARD_RANGE)`,
      );
    expect(
      readdirSync(path.join(out, 'shards', '2', 'points'))
        .filter((n) => /^\d+$/.test(n))
        .sort(),
    ).toEqual(['1', '4']);
    expect(snapshot(job.merged)).toEqual(reference);
    expect(existsSync(path.join(job.merged, 'report.html'))).toBe(true);
  });

  it('a failed task keeps the merge from running; resubmitting it alone and the merge completes the sweep', async () => {
    const out = path.join(tmp, 'fail');
    // shard 2's directory cannot be made: a file is in its place
    mkdirSync(path.join(out, 'shards'), { recursive: true });
    writeFileSync(path.join(out, 'shards', '2'), 'not a directory\n');
    const job = submit(out);
    const states = await cluster.waitForJob(job.arrayJob);
    expect(states.sort()).toEqual(['COMPLETED', 'COMPLETED', 'FAILED']);
    expect(await cluster.waitForJob(job.mergeJob)).toEqual(['CANCELLED']);
    expect(existsSync(job.merged)).toBe(false);
    expect(readFileSync(path.join(out, 'logs', 'shard-2.out'), 'utf8')).toMatch(/stochdyn: .*shards\/2/);

    rmSync(path.join(out, 'shards', '2'));
    const again = cluster
      .client('sbatch', ['--parsable', '--array=2', path.join(out, 'sweep.sbatch')])
      .trim()
      .split(';')[0];
    const merge = cluster
      .client('sbatch', ['--parsable', `--dependency=afterok:${again}`, path.join(out, 'merge.sbatch')])
      .trim()
      .split(';')[0];
    expect(await cluster.waitForJob(again)).toEqual(['COMPLETED']);
    expect(await cluster.waitForJob(merge)).toEqual(['COMPLETED']);
    // the task resubmitted alone was still shard 2/3
    expect(readFileSync(path.join(out, 'logs', 'shard-2.out'), 'utf8')).toContain(
      'shard 2/3 from Slurm SLURM_ARRAY_TASK_ID=2 of 1-3 (STOCHDYN_SHARD_RANGE)',
    );
    expect(snapshot(job.merged)).toEqual(reference);
  });
});
