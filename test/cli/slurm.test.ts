/**
 * `stochdyn slurm` against stand-in sbatch commands (a shell script on PATH
 * that records its arguments): the two scripts it writes, the submission
 * order with the merge job's afterok dependency, --dry-run, and the errors —
 * sbatch missing, sbatch failing, more tasks than points. The run on a real
 * Slurm cluster is test/cli/slurm-cluster.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CLI_MAIN, ROOT, runCli, tempDir } from '../helpers.js';

const TINY = path.join(ROOT, 'test', 'fixtures', 'sweep', 'tiny.yaml');
const SMALL = ['--replicas', '20', '--set', 'dynamics.steps=100'];

/** A directory holding an `sbatch` that runs `body` (sh), for PATH. */
function fakeSbatch(dir: string, body: string): string {
  mkdirSync(dir, { recursive: true });
  const f = path.join(dir, 'sbatch');
  writeFileSync(f, `#!/bin/sh\n${body}\n`);
  chmodSync(f, 0o755);
  return dir;
}

describe('stochdyn slurm (stand-in sbatch)', () => {
  const tmp = tempDir('slurm');

  it('writes sweep.sbatch (array 1-N, --shard auto) and merge.sbatch, submits the array, then the merge with afterok', () => {
    const log = path.join(tmp, 'calls.txt');
    // job ids 101, 102, … from a counter file; each call's arguments on one line
    const bin = fakeSbatch(
      path.join(tmp, 'bin-ok'),
      `n=$(cat ${tmp}/n 2>/dev/null || echo 100); n=$((n+1)); echo $n > ${tmp}/n; echo "$@" >> ${log}; echo "$n;local"`,
    );
    const out = path.join(tmp, 'job');
    const r = runCli(
      [
        'slurm',
        TINY,
        '--tasks',
        '3',
        '--partition',
        'debug',
        '--time',
        '00:10:00',
        '--cpus',
        '2',
        '--out',
        out,
        ...SMALL,
        '--',
        '--account=proj',
      ],
      {
        env: { PATH: `${bin}:${process.env.PATH}` },
      },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const sweep = readFileSync(path.join(out, 'sweep.sbatch'), 'utf8');
    const merge = readFileSync(path.join(out, 'merge.sbatch'), 'utf8');
    expect(sweep).toContain('#SBATCH --array=1-3\n');
    expect(sweep).toContain('#SBATCH --cpus-per-task=2\n');
    expect(sweep).toContain('#SBATCH --partition=debug\n#SBATCH --time=00:10:00\n#SBATCH --account=proj\n');
    expect(sweep).toContain('export STOCHDYN_SHARD_RANGE=1-3\n');
    // the running entry point, by absolute paths
    expect(sweep).toContain(`exec ${process.execPath} ${CLI_MAIN} sweep ${TINY} --shard auto --out ${out}/shards/"$SLURM_ARRAY_TASK_ID"`);
    expect(sweep).toContain('--replicas 20 --set dynamics.steps=100');
    expect(merge).toContain(`merge ${out}/shards/1 ${out}/shards/2 ${out}/shards/3 --out ${out}/merged\n`);
    expect(merge).not.toContain('--array');
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual([
      `--parsable ${out}/sweep.sbatch`,
      `--parsable --dependency=afterok:101 ${out}/merge.sbatch`,
    ]);
    expect(r.stdout).toContain('submitted array job 101 (3 tasks, one shard each');
    expect(r.stdout).toContain('merge job 102');
    expect(r.stdout).toContain(`result: ${out}/merged  (when job 102 has run)`);
    expect(JSON.parse(readFileSync(path.join(out, 'submitted.json'), 'utf8'))).toMatchObject({
      arrayJob: '101',
      mergeJob: '102',
      tasks: 3,
    });
  });

  it('--help shows the options and examples', () => {
    const h = runCli(['slurm', '--help']);
    expect(h.status).toBe(0);
    expect(h.stdout).toContain('Usage: stochdyn slurm');
    expect(h.stdout).toContain('Examples:');
    expect(h.stdout).toMatch(/\$ stochdyn slurm \S+ --tasks 8/);
    expect(h.stdout).toContain('sbatch --dependency=afterok:J');
  });

  it('--dry-run prints both scripts and the commands and writes nothing', () => {
    const out = path.join(tmp, 'dry');
    const r = runCli(['slurm', TINY, '--tasks', '2', '--out', out, '--dry-run'], { env: { PATH: '/nonexistent' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`# ${out}/sweep.sbatch\n#!/bin/bash\n`);
    expect(r.stdout).toContain(`# ${out}/merge.sbatch\n#!/bin/bash\n`);
    expect(r.stdout).toContain(`sbatch --parsable --dependency=afterok:$jobid ${out}/merge.sbatch`);
    expect(existsSync(out)).toBe(false);
  });

  it('errors: sbatch not on PATH; sbatch failing (exit code and its stderr); the merge refused after the array; more tasks than points', () => {
    const none = runCli(['slurm', TINY, '--tasks', '2', '--out', path.join(tmp, 'none')], { env: { PATH: path.join(tmp, 'empty') } });
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/sbatch not found on PATH: run this on a Slurm login node .*--dry-run prints the scripts/);
    expect(none.stderr).toContain('nothing submitted');

    const bad = fakeSbatch(
      path.join(tmp, 'bin-bad'),
      'echo "sbatch: error: Batch job submission failed: Invalid partition name specified" >&2; exit 1',
    );
    const failed = runCli(['slurm', TINY, '--tasks', '2', '--partition', 'nope', '--out', path.join(tmp, 'bad')], { env: { PATH: bad } });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(
      /sbatch .*sweep\.sbatch failed \(exit code 1\): sbatch: error: Batch job submission failed: Invalid partition name specified/,
    );

    const half = fakeSbatch(
      path.join(tmp, 'bin-half'),
      'case "$*" in *dependency*) echo "sbatch: error: Job dependency problem" >&2; exit 1;; esac; echo 7',
    );
    const second = runCli(['slurm', TINY, '--tasks', '2', '--out', path.join(tmp, 'half')], { env: { PATH: half } });
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(/failed \(exit code 1\): sbatch: error: Job dependency problem/);
    expect(second.stderr).toContain('the array job 7 is submitted, the merge job is not: submit it with sbatch --dependency=afterok:7');

    const many = runCli(['slurm', TINY, '--tasks', '7', '--dry-run']);
    expect(many.status).toBe(1);
    expect(many.stderr).toContain("--tasks 7 is more than the sweep's 6 points");
  });
});
