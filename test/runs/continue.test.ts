/**
 * Extending a finished run (src/runs/continue.ts) by replicas and by steps:
 * the extended run directory must be the same bytes as a run that asked for
 * that many replicas and steps from the start (every output file; summary.json minus timing and run.id),
 * the old replicas must not be run again, and extensions that cannot be
 * bit-identical are refused with the reason, changing nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { loadScenario, validateScenarioObject } from '../../src/scenario/index.js';
import { runScenario } from '../../src/runs/run.js';
import { ContinueError, continueRun } from '../../src/runs/continue.js';
import { ROOT, runCli, runDirSnapshot, tempDir } from '../helpers.js';

const QUICKSTART = path.join(ROOT, 'scenarios', 'quickstart.yaml');
const FILES = ['scenario.resolved.json', 'traces.csv', 'histograms.json', 'finals.csv', 'events.csv'];
// 1,000 replicas: trace blocks of 32 (16·32 ≤ N < 32·32), so the run can grow to 1,023 bit-identically.
const SET = ['dynamics.steps=20000'];
let tmp: string;

beforeAll(() => {
  tmp = tempDir('continue');
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const scenarioWith = (replicas: number) => loadScenario(QUICKSTART, { set: SET, replicas });

describe('run --continue --replicas', () => {
  it('1,000 → 1,023 replicas: the saved shards that end on a block boundary are not run again; the same bytes as a run of 1,023', async () => {
    const fresh = await runScenario(await scenarioWith(1023), { out: path.join(tmp, 'fresh'), workers: 2 });
    const dir = path.join(tmp, 'grown');
    await runScenario(await scenarioWith(1000), { out: dir, workers: 2, keepShards: true });
    expect(readdirSync(path.join(dir, 'shards')).length).toBeGreaterThan(0);
    let resumed = { replicasDone: -1 };
    const progress: number[] = [];
    const grown = await continueRun(dir, {
      replicas: 1023,
      workers: 2,
      onResume: (saved) => (resumed = saved),
      onProgress: (d) => progress.push(d),
    });
    expect(grown.summary.run.status).toBe('completed');
    // The 1,000-replica run had shards 0…511 and 512…999; the second ends inside a block (1,000 = 31·32 + 8), so
    // it runs again with the new replicas, and replicas 0…511 come from the saved shard.
    expect(readdirSync(path.join(tmp, 'fresh')).length).toBeGreaterThan(0);
    expect(resumed.replicasDone).toBe(512);
    expect(progress[0]).toBeGreaterThanOrEqual(512 * 20000);
    expect(runDirSnapshot(dir, FILES)).toEqual(runDirSnapshot(fresh.dir, FILES));
    // It can grow again, from its own kept shards.
    expect(existsSync(path.join(dir, 'shards'))).toBe(true);
    expect(existsSync(path.join(dir, 'partial'))).toBe(false);
  });

  it('a growth that would change the trace blocks is refused with the limit, and the directory is unchanged', async () => {
    const dir = path.join(tmp, 'refused');
    await runScenario(await scenarioWith(1000), { out: dir, workers: 2, keepShards: true });
    const before = runDirSnapshot(dir, FILES);
    await expect(continueRun(dir, { replicas: 2000, workers: 2 })).rejects.toThrow(
      /block size of the trace statistics changes from 32 to 64.*at most 1023 replicas/,
    );
    await expect(continueRun(dir, { replicas: 999, workers: 2 })).rejects.toThrow(ContinueError);
    expect(runDirSnapshot(dir, FILES)).toEqual(before);
    expect(readdirSync(path.join(dir, 'shards')).length).toBeGreaterThan(0);
  });

  it('a run that kept no shards names why it cannot be extended', async () => {
    const dir = path.join(tmp, 'no-shards');
    await runScenario(await scenarioWith(1000), { out: dir, workers: 2 });
    await expect(continueRun(dir, { replicas: 1010, workers: 2 })).rejects.toThrow(/did not keep what an extension needs/);
  });

  it('the CLI: --continue with --replicas extends in place (exit 0), a refused growth is exit 2 naming the reason', () => {
    const dir = path.join(tmp, 'cli');
    const first = runCli([
      'run',
      QUICKSTART,
      '--out',
      dir,
      '--quiet',
      '--no-report',
      '--replicas',
      '1000',
      ...SET.flatMap((s) => ['--set', s]),
    ]);
    expect(first.status, first.stderr).toBe(0);
    const grown = runCli(['run', '--continue', dir, '--replicas', '1023', '--no-report', '--quiet']);
    expect(grown.status, grown.stderr).toBe(0);
    expect(JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8')).run.replicas).toBe(1023);
    const refused = runCli(['run', '--continue', dir, '--replicas', '5000', '--quiet']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/cannot extend the run .* bit-identically: the block size/);
    const clash = runCli(['run', QUICKSTART, '--continue', dir, '--replicas', '1023']);
    expect(clash.status).toBe(2);
    expect(clash.stderr).toMatch(/--continue takes the run directory's own scenario: drop a scenario file/);
  });
});

describe('run --continue --steps', () => {
  const linear = (steps: number, replicas = 1000) =>
    loadScenario(QUICKSTART, {
      set: [`dynamics.steps=${steps}`, 'observe.grid.kind=linear', `observe.grid.points=${steps / 1000 + 1}`],
      replicas,
    });

  it('20,000 → 50,000 steps on a linear grid: goes on from step 20,000, the same bytes as a run of 50,000', async () => {
    const fresh = await runScenario(await linear(50_000), { out: path.join(tmp, 'steps-fresh'), workers: 2 });
    const dir = path.join(tmp, 'steps');
    await runScenario(await linear(20_000), { out: dir, workers: 2, keepShards: true });
    let resumed = { continued: [] as Array<{ step: number; count: number }> };
    const progress: number[] = [];
    const longer = await continueRun(dir, {
      steps: 50_000,
      workers: 1,
      onResume: (x) => (resumed = x),
      onProgress: (d) => progress.push(d),
    });
    expect(longer.summary.run.status).toBe('completed');
    expect(resumed.continued.map((c) => c.step)).toEqual(resumed.continued.map(() => 20_000));
    expect(resumed.continued.reduce((n, c) => n + c.count, 0)).toBe(1000);
    expect(progress[0]).toBeGreaterThanOrEqual(0);
    expect(runDirSnapshot(dir, FILES)).toEqual(runDirSnapshot(fresh.dir, FILES));
    // … and once more, with more replicas as well (1,000 → 1,023: the same trace blocks).
    const both = await runScenario(await linear(80_000, 1023), { out: path.join(tmp, 'both-fresh'), workers: 2 });
    await continueRun(dir, { steps: 80_000, replicas: 1023, workers: 2 });
    expect(runDirSnapshot(dir, FILES)).toEqual(runDirSnapshot(both.dir, FILES));
  });

  it('a network sampled with BAOAB (chains, posterior histogram, predictive, a histogram over the grid): 1,500 → 3,000 steps, the same bytes', async () => {
    const raw = (steps: number) => ({
      name: 'extend-sampling',
      seed: 11,
      potential: { kind: 'modular-addition-square', params: { P: 5, N: 6, sigma2: 0.05, train_fraction: 0.8, kernels: 'js' } },
      dynamics: { integrator: 'baoab', friction: 2, temperature: 1, step_size: { c: 0.3 }, steps },
      ensemble: { replicas: 4, init: { kind: 'potential' } },
      observe: {
        grid: { kind: 'linear', points: steps / 100 + 1 },
        observables: ['energy', 'test_error', 'droplet_fraction'],
        histograms: [{ of: 'energy', bins: 20, range: [0, 200], at: 'grid', from: 500 }],
      },
      sampling: {
        burn_in: 500,
        thin: 50,
        chains: ['energy', 'test_error'],
        posterior: [{ of: 'fourier_concentration', bins: 20, range: [0, 1] }],
      },
    });
    const files = [...FILES, 'chains.csv', 'posterior.json'].filter((f) => f !== 'events.csv');
    const fresh = await runScenario(validateScenarioObject(raw(3000), 'extend'), { out: path.join(tmp, 'net-fresh'), workers: 0 });
    const dir = path.join(tmp, 'net');
    await runScenario(validateScenarioObject(raw(1500), 'extend'), { out: dir, workers: 0, keepShards: true });
    await continueRun(dir, { steps: 3000, workers: 0 });
    const present = files.filter((f) => existsSync(path.join(fresh.dir, f)));
    expect(present).toContain('chains.csv');
    expect(runDirSnapshot(dir, present)).toEqual(runDirSnapshot(fresh.dir, present));
  });

  it('extensions whose values below the old last step would differ are refused, naming why', async () => {
    const logDir = path.join(tmp, 'log-grid');
    await runScenario(await loadScenario(QUICKSTART, { set: ['dynamics.steps=20000'], replicas: 200 }), {
      out: logDir,
      workers: 2,
      keepShards: true,
    });
    await expect(continueRun(logDir, { steps: 40_000, workers: 2 })).rejects.toThrow(/a log grid .*only a linear grid keeps its points/);
    const linDir = path.join(tmp, 'spacing');
    await runScenario(await linear(20_000, 200), { out: linDir, workers: 2, keepShards: true });
    await expect(continueRun(linDir, { steps: 30_500, workers: 2 })).rejects.toThrow(/give a multiple of 1000 steps/);
    const schedDir = path.join(tmp, 'schedule');
    const scheduled = await loadScenario(QUICKSTART, {
      set: [
        'dynamics.steps=20000',
        'observe.grid.kind=linear',
        'observe.grid.points=21',
        'dynamics.temperature={schedule: linear, from: 0.3, to: 0.2}',
        'theory=[]',
      ],
      replicas: 200,
    });
    await runScenario(scheduled, { out: schedDir, workers: 2, keepShards: true });
    await expect(continueRun(schedDir, { steps: 40_000, workers: 2 })).rejects.toThrow(/a schedule of η or θ runs over the whole run/);
    expect(readdirSync(path.join(schedDir, 'shards')).length).toBeGreaterThan(0);
  });
});
