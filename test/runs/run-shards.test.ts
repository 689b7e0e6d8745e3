/**
 * One run split across machines (src/runs/run-shards.ts): `run --shard i/N`
 * runs the i-th of N ranges of whole replica blocks into a shard directory,
 * and `stochdyn merge` of the N shard directories must give the run
 * directory of the run on one machine: every file the same bytes, summary.json
 * minus timing and run.id — whatever the worker count of each shard. A missing
 * shard is named and nothing is written; shards of different runs are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { loadScenario } from '../../src/scenario/index.js';
import { runScenario } from '../../src/runs/run.js';
import { mergeRunShards, runScenarioShard, RunShardError } from '../../src/runs/run-shards.js';
import type { Scenario } from '../../src/scenario/types.js';
import { ROOT, runCli, runDirSnapshot, tempDir } from '../helpers.js';

const QUICKSTART = path.join(ROOT, 'scenarios', 'quickstart.yaml');
const SET = ['ensemble.replicas=3000', 'dynamics.steps=10000'];
const FILES = ['scenario.resolved.json', 'traces.csv', 'histograms.json', 'finals.csv', 'events.csv'];

let tmp: string;
let scenario: Scenario;
let full: Record<string, string>;

const snapshot = (dir: string) => runDirSnapshot(dir, FILES);

beforeAll(async () => {
  tmp = tempDir('run-shards');
  scenario = await loadScenario(QUICKSTART, { set: SET });
  full = snapshot((await runScenario(scenario, { out: path.join(tmp, 'full'), workers: 2 })).dir);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('run --shard i/N and merge', () => {
  it('three shards run with 0, 1 and 2 workers merge into the bytes of the run on one machine', async () => {
    const dirs: string[] = [];
    for (const [i, workers] of [
      [1, 0],
      [2, 1],
      [3, 2],
    ]) {
      const { dir, info } = await runScenarioShard(scenario, { shard: { index: i, count: 3 }, out: path.join(tmp, `s${i}`), workers });
      expect(info.status).toBe('completed');
      expect(info.requested).toBe(3000);
      dirs.push(dir);
    }
    const starts = dirs.map((d) => JSON.parse(readFileSync(path.join(d, 'shard.json'), 'utf8')).replicas);
    // Contiguous, non-overlapping, covering every replica.
    expect(starts[0].first).toBe(0);
    for (let k = 1; k < 3; k++) expect(starts[k].first).toBe(starts[k - 1].first + starts[k - 1].count);
    expect(starts[2].first + starts[2].count).toBe(3000);

    await expect(mergeRunShards([dirs[0], dirs[2]], { out: path.join(tmp, 'incomplete') })).rejects.toThrow(
      /replicas \d+…\d+ have no result; run \(or continue\) --shard 2\/3/,
    );
    expect(existsSync(path.join(tmp, 'incomplete'))).toBe(false);

    const merged = await mergeRunShards(dirs, { out: path.join(tmp, 'merged') });
    expect(merged.summary.run.status).toBe('completed');
    expect(snapshot(merged.dir)).toEqual(full);
  });

  it('refuses shards of different runs, more shards than blocks, and an i outside 1…N', async () => {
    const a = await runScenarioShard(scenario, { shard: { index: 1, count: 2 }, out: path.join(tmp, 'a1'), workers: 2 });
    const other = await loadScenario(QUICKSTART, { set: [...SET, 'seed=8'] });
    const b = await runScenarioShard(other, { shard: { index: 2, count: 2 }, out: path.join(tmp, 'b2'), workers: 2 });
    await expect(mergeRunShards([a.dir, b.dir], { out: path.join(tmp, 'ab') })).rejects.toThrow(
      /another run than .*scenario\.resolved\.json differs/,
    );
    await expect(
      runScenarioShard(scenario, { shard: { index: 1, count: 10_000 }, workers: 0, out: path.join(tmp, 'many') }),
    ).rejects.toThrow(RunShardError);
    await expect(runScenarioShard(scenario, { shard: { index: 3, count: 2 }, workers: 0, out: path.join(tmp, 'bad') })).rejects.toThrow(
      /1 ≤ i ≤ N/,
    );
  });

  it('the CLI: run --shard 1/2 and --shard auto as Slurm task 2 of 2, then merge, equals the run on one machine; merge of one shard exits 2 naming the other', () => {
    const args = (i: number) => [
      'run',
      QUICKSTART,
      '--shard',
      `${i}/2`,
      '--out',
      path.join(tmp, `c${i}`),
      '--quiet',
      ...SET.flatMap((s) => ['--set', s]),
    ];
    const r1 = runCli(args(1));
    expect(r1.status, r1.stderr).toBe(0);
    expect(r1.stdout).toMatch(/shard 1\/2 \(replicas \d+…\d+ of 3000\): completed/);
    // Shard 2 as a Slurm array task (--array=1-2) would run it: --shard auto.
    const slurmTask = { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '2', SLURM_ARRAY_TASK_COUNT: '2' };
    const r2 = runCli(
      args(2).map((a) => (a === '2/2' ? 'auto' : a)),
      { env: slurmTask },
    );
    expect(r2.status, r2.stderr).toBe(0);
    expect(r2.stderr).toMatch(/--shard auto: shard 2\/2 from Slurm/);
    expect(r2.stdout).toMatch(/shard 2\/2 \(replicas \d+…\d+ of 3000\): completed/);
    const one = runCli(['merge', path.join(tmp, 'c1'), '--out', path.join(tmp, 'c-one')]);
    expect(one.status).toBe(2);
    expect(one.stderr).toMatch(/--shard 2\/2/);
    const m = runCli(['merge', path.join(tmp, 'c1'), path.join(tmp, 'c2'), '--out', path.join(tmp, 'c-merged'), '--no-report']);
    expect(m.status, m.stderr).toBe(0);
    expect(snapshot(path.join(tmp, 'c-merged'))).toEqual(full);
  });
});
