/**
 * The worker pool (src/parallel/worker-pool.ts): threads are started once and
 * handed shard after shard, with the numbers of an in-process run; an
 * exception of the shard's own code (building the user's module, or its
 * energy) is reported after one attempt with the line that threw, while a
 * fault of the worker is still retried; an idle pool does not keep the
 * process alive. Runs on the compiled worker entry (`npm run build` first).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateScenarioObject } from '../../src/scenario/index.js';
import { runEnsemble, RunFailedError } from '../../src/parallel/run.js';
import { runShards, workerEntry } from '../../src/parallel/pool.js';
import { WorkerPool } from '../../src/parallel/worker-pool.js';
import { buildPotential } from '../../src/potentials/index.js';
import { resolvePlan } from '../../src/plan/run-plan.js';
import { ROOT, tempDir } from '../helpers.js';

function doubleWell(replicas: number, steps: number) {
  return validateScenarioObject(
    {
      name: 'pool',
      seed: 23,
      potential: { kind: 'double-well', params: { h: 1 } },
      dynamics: { integrator: 'sgld', lr: 2e-3, temperature: 0.3, steps },
      ensemble: { replicas, init: { kind: 'normal', mean: [-1], std: [0.2] } },
      observe: { grid: { kind: 'linear', points: 4 }, observables: ['x', 'energy'], histograms: [{ of: 'x', bins: 16, range: [-2, 2] }] },
    },
    '',
  );
}

/**
 * A user module that appends one line to `params.counter` each time it is
 * built (an attempt count that does not rely on stochdyn's own bookkeeping)
 * and throws at build (`fail: build`) or in its energy from step `fail`
 * calls on (`fail: energy`).
 */
const MODULE = `import { appendFileSync } from 'node:fs';
export function createPotential(params) {
  appendFileSync(params.counter, 'built\\n');
  if (params.fail === 'build') throw new Error('curvature must be positive, found ' + params.k);
  let calls = 0;
  return {
    name: 'faulty-quadratic', dim: 1, coordinates: ['x'], groups: [{ name: 'x', offset: 0, size: 1 }],
    energyAndGradient(x, count, energy, grad) {
      if (params.fail === 'energy' && ++calls > 3) throw new Error('energy table has no entry for this state');
      for (let r = 0; r < count; r++) { energy[r] = 0.5 * params.k * x[r] * x[r]; grad[r] = params.k * x[r]; }
    },
  };
}
`;
const THROW_LINE_BUILD = 4;
/** Keep every thread whatever a shard's duration (the counts below must not depend on the machine's speed). */
const KEEP = { retireAfterMilliseconds: Infinity };
const THROW_LINE_ENERGY = 9;

function moduleScenario(file: string, params: Record<string, unknown>) {
  return validateScenarioObject(
    {
      name: 'faulty-module',
      seed: 3,
      potential: { module: file, params },
      dynamics: { integrator: 'sgld', lr: 1e-2, temperature: 0.2, steps: 50 },
      ensemble: { replicas: 64, init: { kind: 'point', x: [0.5] } },
      observe: { grid: { kind: 'linear', points: 3 }, observables: ['x'] },
    },
    '',
  );
}

function moduleFixture() {
  const dir = tempDir('pool-module');
  const file = join(dir, 'faulty.mjs');
  writeFileSync(file, MODULE);
  const counter = join(dir, 'builds.txt');
  const builds = () => (existsSync(counter) ? readFileSync(counter, 'utf8').split('\n').filter(Boolean).length : 0);
  return { file, counter, builds };
}

describe('long-lived workers', () => {
  it('two threads run eight shards and then a second run: started once, results equal to in-process', async () => {
    const pool = new WorkerPool(workerEntry(), KEEP);
    try {
      const s = doubleWell(2048, 300);
      const local = await runEnsemble(s, { workers: 0, shardsPerWorker: 8 });
      const first = await runEnsemble(s, { workers: 2, shardsPerWorker: 4, pool });
      expect(pool.workersStarted).toBe(2);
      const second = await runEnsemble(s, { workers: 2, shardsPerWorker: 4, pool, run: 0 });
      // Eight shards per run, sixteen in all, on the same two threads.
      expect(pool.workersStarted).toBe(2);
      expect(pool.size).toBe(2);
      for (const r of [first, second]) {
        expect(r.missing).toEqual([]);
        expect(r.finals.values).toEqual(local.finals.values);
        expect(r.traces.moments).toEqual(local.traces.moments);
        expect(r.histograms[0].counts).toEqual(local.histograms[0].counts);
      }
    } finally {
      await pool.close();
    }
    expect(pool.size).toBe(0);
  });

  it('a worker that exits is dropped and a fresh thread runs the retry; a sound one is kept', async () => {
    const pool = new WorkerPool(workerEntry(), KEEP);
    try {
      const s = doubleWell(1024, 200);
      const clean = await runEnsemble(s, { workers: 1, shardsPerWorker: 4, pool });
      expect(pool.workersStarted).toBe(1);
      // One lane: the thread that exits on shard 1 is the only one, so the retry needs a new thread, which then runs shards 2 and 3.
      const retried = await runEnsemble(s, { workers: 1, shardsPerWorker: 4, pool, fault: { kind: 'exit', shard: 1, times: 1 } });
      expect(retried.missing).toEqual([]);
      expect(retried.finals.values).toEqual(clean.finals.values);
      expect(pool.workersStarted).toBe(2);
      expect(pool.size).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it('a thread is retired after a long shard: with a limit of 0 ms every shard gets a fresh thread, with the same numbers', async () => {
    const pool = new WorkerPool(workerEntry(), { retireAfterMilliseconds: 0 });
    try {
      const s = doubleWell(1024, 200);
      const kept = new WorkerPool(workerEntry(), KEEP);
      const reference = await runEnsemble(s, { workers: 2, shardsPerWorker: 3, pool: kept });
      await kept.close();
      const r = await runEnsemble(s, { workers: 2, shardsPerWorker: 3, pool });
      expect(pool.workersStarted).toBe(6);
      expect(pool.size).toBe(0);
      expect(r.finals.values).toEqual(reference.finals.values);
      expect(r.traces.moments).toEqual(reference.traces.moments);
    } finally {
      await pool.close();
    }
  });

  it('an idle pool does not keep the process alive: a script that runs on two workers and never closes the pool exits', () => {
    const script = `
      const { validateScenarioObject } = await import(${JSON.stringify(join(ROOT, 'dist/src/scenario/index.js'))});
      const { runEnsemble } = await import(${JSON.stringify(join(ROOT, 'dist/src/parallel/run.js'))});
      const s = validateScenarioObject({ name: 'exit', seed: 1, potential: { kind: 'double-well', params: { h: 1 } },
        dynamics: { integrator: 'sgld', lr: 1e-3, temperature: 0.3, steps: 100 }, ensemble: { replicas: 256 },
        observe: { grid: { kind: 'linear', points: 2 }, observables: ['x'] } }, '');
      const r = await runEnsemble(s, { workers: 2 });
      console.log('replicas', r.count);`;
    const file = join(tempDir('pool-exit'), 'run.mjs');
    writeFileSync(file, script);
    const child = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 60_000 });
    expect(child.error, child.stderr).toBeUndefined();
    expect(child.status, child.stderr).toBe(0);
    expect(child.stdout).toMatch(/replicas 256/);
  });
});

describe('exceptions of the shard’s own code are not retried', () => {
  it('a module potential that throws at build: one attempt only, the error names the module line', async () => {
    const { file, counter, builds } = moduleFixture();
    const good = moduleScenario(file, { k: 1, counter });
    const plan = resolvePlan(good, await buildPotential(good.potential, { seed: good.seed, run: 0 }), 0);
    expect(builds()).toBe(1);
    // The same run with parameters whose build throws: the worker builds it (the main thread never does here).
    const bad = moduleScenario(file, { k: -1, counter, fail: 'build' });
    const pool = new WorkerPool(workerEntry(), KEEP);
    try {
      const [outcome] = await runShards([{ scenario: bad, plan, run: 0, firstReplica: 0, count: 64 }], { workers: 1, pool });
      expect(outcome.ok).toBe(false);
      if (outcome.ok) return;
      expect(outcome.status).toBe('failed');
      expect(outcome.attempts).toBe(1);
      expect(builds()).toBe(2); // one build in the worker, no retry
      expect(outcome.errors).toHaveLength(1);
      expect(outcome.errors[0]).toMatch(
        /^attempt 1: potential module .*faulty\.mjs: createPotential threw: curvature must be positive, found -1/,
      );
      expect(outcome.errors[0]).toContain(`(at ${file}:${THROW_LINE_BUILD}:`);
      // The worker's stack is kept, with the user's exception as its cause.
      expect(outcome.stack).toMatch(/Caused by: Error: curvature must be positive/);
      expect(outcome.stack).toContain(`${file}:${THROW_LINE_BUILD}:`);
      // The thread is sound (only the shard failed): it stays for the next shard.
      expect(pool.workersStarted).toBe(1);
      expect(pool.size).toBe(1);
      // Negative control: a worker fault on the same shard is retried.
      const faulted = await runShards([{ scenario: good, plan, run: 0, firstReplica: 0, count: 64 }], {
        workers: 1,
        pool,
        fault: { kind: 'exit', times: 1 },
      });
      expect(faulted[0].ok).toBe(true);
      expect(faulted[0].attempts).toBe(2);
    } finally {
      await pool.close();
    }
  });

  it('a module whose energy throws during the run: every shard fails after one attempt; RunFailedError keeps the stack', async () => {
    const { file, counter, builds } = moduleFixture();
    const s = moduleScenario(file, { k: 1, counter, fail: 'energy' });
    const plan = resolvePlan(s, await buildPotential(s.potential, { seed: s.seed, run: 0 }), 0);
    const before = builds();
    for (const workers of [2, 0]) {
      const start = builds();
      const err = await runEnsemble(s, { workers, shardsPerWorker: 2, plan }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RunFailedError);
      const failed = err as RunFailedError;
      const shards = failed.missing.length;
      expect(shards).toBe(workers === 0 ? 2 : 4);
      // One build per shard: no shard was attempted twice.
      expect(builds() - start).toBe(shards);
      for (const g of failed.missing) {
        expect(g.status).toBe('failed');
        expect(g.errors).toEqual([
          expect.stringMatching(/^attempt 1: energy table has no entry for this state \(at .*faulty\.mjs:\d+:\d+\)$/),
        ]);
        expect(g.errors[0]).toContain(`${file}:${THROW_LINE_ENERGY}:`);
      }
      expect(failed.message).toMatch(/every shard of the run failed: replicas 0…/);
      expect(String((failed.cause as Error).stack)).toContain(`${file}:${THROW_LINE_ENERGY}:`);
    }
    expect(builds()).toBeGreaterThan(before);
  });
});
