/**
 * Checkpoints of a run (src/results/checkpoint.ts): every finished shard's
 * result is saved under <out>/partial/; a run stopped part-way keeps them, and
 * the same run into the same directory runs only the other replicas. The
 * outputs of an interrupted-then-continued run must be the same bytes as an
 * uninterrupted run's (every file; summary.json minus timing and run.id),
 * whatever the worker counts of the two parts.
 *
 * The quick start at reduced size (4,000 replicas × 20,000 steps: several
 * shards). The CLI cases stop the real program with SIGINT while it is paused
 * after its first saved shard (STOCHDYN_TEST_PAUSE_AFTER_SHARDS, no timing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { loadScenario } from '../../src/scenario/index.js';
import { runScenario } from '../../src/runs/run.js';
import type { Scenario } from '../../src/scenario/types.js';
import { interruptWhenPaused, ROOT, runCli, runDirSnapshot, tempDir } from '../helpers.js';

const QUICKSTART = path.join(ROOT, 'scenarios', 'quickstart.yaml');
const SET = ['ensemble.replicas=4000', 'dynamics.steps=20000'];
const FILES = ['scenario.resolved.json', 'traces.csv', 'histograms.json', 'finals.csv', 'events.csv'];

let tmp: string;
let scenario: Scenario;
let full: Record<string, string>;

const snapshot = (dir: string) => runDirSnapshot(dir, FILES);

const saved = (dir: string) =>
  existsSync(path.join(dir, 'partial')) ? readdirSync(path.join(dir, 'partial')).filter((f) => f.endsWith('.bin')) : [];

beforeAll(async () => {
  tmp = tempDir('checkpoint');
  scenario = await loadScenario(QUICKSTART, { set: SET });
  const r = await runScenario(scenario, { out: path.join(tmp, 'full'), workers: 2 });
  expect(r.summary.run.status).toBe('completed');
  full = snapshot(r.dir);
  expect(saved(r.dir), 'a completed run removes its checkpoint').toEqual([]);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('a run stopped part-way continues where it stopped', () => {
  for (const [first, second] of [
    [2, 2],
    [0, 0],
    [2, 1],
  ] as const) {
    it(`stopped after its first shard with ${first} workers, continued with ${second}: the same bytes as one uninterrupted run`, async () => {
      const dir = path.join(tmp, `lib-${first}-${second}`);
      const controller = new AbortController();
      let total = 0;
      const stopped = await runScenario(scenario, {
        out: dir,
        workers: first,
        signal: controller.signal,
        onProgress: (d, t) => {
          total = t;
          // Abort once any shard has finished (progress past the first shard's share) — some replicas done, not all.
          if (d > 0 && saved(dir).length > 0) controller.abort();
        },
      });
      expect(total).toBe(4000 * 20000);
      expect(stopped.summary.run.status).toBe('interrupted');
      const kept = saved(dir).length;
      expect(kept).toBeGreaterThan(0);
      expect(stopped.summary.run.completedReplicas).toBeGreaterThan(0);
      expect(stopped.summary.run.completedReplicas).toBeLessThan(4000);

      const done: number[] = [];
      const resumed = await runScenario(scenario, { out: dir, workers: second, onProgress: (d) => done.push(d) });
      expect(resumed.summary.run.status).toBe('completed');
      // Progress starts at the saved replicas' share: the saved shards were not run again.
      expect(done[0]).toBeGreaterThanOrEqual(stopped.summary.run.completedReplicas * 20000);
      expect(snapshot(dir)).toEqual(full);
      expect(saved(dir)).toEqual([]);
    });
  }

  it("saved shard results of another scenario are never used: the directory's run starts again", async () => {
    const dir = path.join(tmp, 'other');
    const controller = new AbortController();
    const other = await loadScenario(QUICKSTART, { set: [...SET, 'dynamics.temperature=0.3'] });
    await runScenario(other, {
      out: dir,
      workers: 2,
      signal: controller.signal,
      onProgress: () => {
        if (saved(dir).length > 0) controller.abort();
      },
    });
    expect(saved(dir).length).toBeGreaterThan(0);
    const r = await runScenario(scenario, { out: dir, workers: 2 });
    expect(snapshot(r.dir)).toEqual(full);
  });

  it('a damaged saved result is an error naming the file, before anything runs', async () => {
    const dir = path.join(tmp, 'damaged');
    const controller = new AbortController();
    await runScenario(scenario, {
      out: dir,
      workers: 2,
      signal: controller.signal,
      onProgress: () => {
        if (saved(dir).length > 0) controller.abort();
      },
    });
    const file = path.join(dir, 'partial', saved(dir)[0]);
    writeFileSync(file, 'not a shard result');
    await expect(runScenario(scenario, { out: dir, workers: 2 })).rejects.toThrow(/not a readable shard result.*delete it/);
  });
});

describe('a damaged snapshot', () => {
  it('is an error naming the file, before anything runs', async () => {
    const dir = path.join(tmp, 'damaged-state');
    const few = await loadScenario(QUICKSTART, { set: ['ensemble.replicas=8', 'dynamics.steps=2000000'] });
    const controller = new AbortController();
    // In-process: the abort comes from inside the run (its progress), after the first snapshot was saved; the shard stops at its next poll.
    const stopped = await runScenario(few, {
      out: dir,
      workers: 0,
      checkpointEvery: 0,
      signal: controller.signal,
      onProgress: () => {
        if (saved(dir).some((f) => f.startsWith('state-'))) controller.abort();
      },
    });
    expect(stopped.summary.run.status).toBe('interrupted');
    const state = saved(dir).find((f) => f.startsWith('state-'))!;
    writeFileSync(path.join(dir, 'partial', state), 'not a snapshot');
    await expect(runScenario(few, { out: dir, workers: 0 })).rejects.toThrow(/not a readable shard snapshot.*delete it/);
  });
});

describe('the CLI: Ctrl-C keeps the finished shards, the same command continues', () => {
  for (const workers of [2, 0]) {
    it(`--workers ${workers}: SIGINT after the first saved shard exits 130; the same command completes the run, same bytes`, async () => {
      const dir = path.join(tmp, `cli-${workers}`);
      const pause = path.join(tmp, `pause-${workers}`);
      const args = [
        'run',
        QUICKSTART,
        '--out',
        dir,
        '--workers',
        String(workers),
        '--quiet',
        '--no-report',
        ...SET.flatMap((s) => ['--set', s]),
      ];
      const { code, stderr } = await interruptWhenPaused(args, 'STOCHDYN_TEST_PAUSE_AFTER_SHARDS', pause);
      expect(code, stderr).toBe(130);
      expect(stderr).toMatch(/the same command with --out .* continues the run/);
      const s = JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8'));
      expect(s.run.status).toBe('interrupted');
      expect(saved(dir).length).toBeGreaterThan(0);

      const again = runCli(args);
      expect(again.status, again.stderr).toBe(0);
      expect(snapshot(dir)).toEqual(full);
      expect(saved(dir)).toEqual([]);
    });
  }
});

/**
 * A shard stopped in the middle: 8 replicas in one shard per worker (one tile
 * each), 5·10⁶ steps (about a second of work), so that nothing but a snapshot of
 * the running shard can save the work. Deterministic order: the program is
 * paused right after it saved its first snapshot (checkpoint-every 0: the
 * first poll, about a millisecond into the run), the signal is sent while it
 * is paused, and the run then stops at its next poll.
 */
describe('the CLI: a shard stopped in the middle continues from its snapshot', () => {
  const MID = ['ensemble.replicas=8', 'dynamics.steps=5000000'];
  const args = (dir: string, workers: number, every: string) => [
    'run',
    QUICKSTART,
    '--out',
    dir,
    '--workers',
    String(workers),
    '--quiet',
    '--no-report',
    '--checkpoint-every',
    every,
    ...MID.flatMap((s) => ['--set', s]),
  ];
  let reference: Record<string, string>;
  const states = (dir: string) => saved(dir).filter((f) => f.startsWith('state-'));

  beforeAll(() => {
    const r = runCli(args(path.join(tmp, 'mid-full'), 2, '60'));
    expect(r.status, r.stderr).toBe(0);
    reference = snapshot(path.join(tmp, 'mid-full'));
  });

  for (const [workers, signal, again] of [
    [0, 'SIGINT', 0],
    [1, 'SIGINT', 2],
    [2, 'SIGKILL', 1],
  ] as const) {
    it(`--workers ${workers}, ${signal} after the first snapshot; continued on ${again} workers from the saved step: the same bytes`, async () => {
      const dir = path.join(tmp, `mid-${workers}-${signal}`);
      const pause = path.join(tmp, `mid-pause-${workers}-${signal}`);
      const { code, stderr } = await interruptWhenPaused(args(dir, workers, '0'), 'STOCHDYN_TEST_PAUSE_AFTER_SNAPSHOTS', pause, signal);
      if (signal === 'SIGINT') {
        expect(code, stderr).toBe(130);
        const s = JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8'));
        expect(s.run.status).toBe('interrupted');
        expect(s.run.completedReplicas, 'no shard finished: only snapshots hold the work').toBe(0);
      } else expect(code).toBeNull(); // killed
      expect(states(dir).length).toBeGreaterThan(0);
      expect(saved(dir).filter((f) => f.startsWith('replicas-'))).toEqual([]);

      const r = runCli(args(dir, again, '60').filter((a) => a !== '--quiet'));
      expect(r.status, r.stderr).toBe(0);
      // It said where it went on from: a step past 0 (the work before the stop was not done again).
      const steps = [...r.stderr.matchAll(/continue from step ([\d,]+)/g)].map((m) => Number(m[1].replace(/,/g, '')));
      expect(steps.length, r.stderr).toBeGreaterThan(0);
      for (const st of steps) expect(st).toBeGreaterThan(0);
      expect(snapshot(dir)).toEqual(reference);
      expect(saved(dir)).toEqual([]);
    });
  }
});
