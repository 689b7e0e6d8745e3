/**
 * Reliability under faults (docs/reliability.md): a worker that exits or is
 * killed, or a shard that throws the injected transient fault, is retried once
 * (an exception of the scenario's own code is not: test/parallel/worker-pool.test.ts); a second failure leaves a gap that the summary
 * reports ('partial') while the other replicas' results are exactly those of a
 * clean run; a stop signal keeps the finished shards ('interrupted'); an
 * unwritable or full output directory gives a clear error and loses nothing
 * that was computed; a run where every replica diverges says so and still
 * writes its summary. Faults are injected (FaultInjection in
 * src/parallel/faults.ts; STOCHDYN_INJECT_FAULT for the CLI), on the real
 * worker path (dist/workers/shard-worker.js: `npm run build` first).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateScenarioObject } from '../../src/scenario/index.js';
import { OutputError, runScenario } from '../../src/runs/run.js';
import { runEnsemble, RunFailedError } from '../../src/parallel/run.js';
import { replicaId, type RunResult } from '../../src/parallel/merge.js';
import { runSweep } from '../../src/runs/sweep.js';
import { CLI_MAIN, tempDir } from '../helpers.js';

const MAIN = CLI_MAIN;
const tmp = () => tempDir('faults');

/** 4,000 replicas in blocks of 256 → 4 shards on 2 workers with 2 shards per worker. */
function scenario(extra: Record<string, unknown> = {}) {
  return validateScenarioObject(
    {
      name: 'faults',
      seed: 17,
      potential: { kind: 'double-well', params: { h: 1 } },
      dynamics: { integrator: 'sgld', lr: 2e-3, temperature: 0.3, steps: 400 },
      ensemble: { replicas: 4000, init: { kind: 'normal', mean: [-1], std: [0.2] } },
      observe: {
        grid: { kind: 'linear', points: 5 },
        observables: ['x', 'energy'],
        histograms: [{ of: 'x', bins: 20, range: [-2, 2] }],
        events: [{ name: 'cross', enter: { x: { ge: 0.5 } } }],
      },
      ...extra,
    },
    '',
  );
}

const OPTS = { workers: 2, shardsPerWorker: 2 } as const;

/** The clean run of scenario() on OPTS, made once for the tests that compare with it (whichever runs first makes it). */
let cleanRun: Promise<RunResult> | undefined;
const cleanResult = (): Promise<RunResult> => (cleanRun ??= runEnsemble(scenario(), OPTS));

/** Replica i of `part` equals replica replicaId(part, i) of the complete run `full`, in every per-replica array. */
function expectSameReplicas(part: RunResult, full: RunResult) {
  const nObs = full.finals.observables.length;
  for (let i = 0; i < part.count; i++) {
    const id = replicaId(part, i);
    for (let k = 0; k < nObs; k++) expect(part.finals.values[i * nObs + k]).toBe(full.finals.values[id * nObs + k]);
    expect(part.divergedAt[i]).toBe(full.divergedAt[id]);
    part.events.forEach((e, j) => expect(Object.is(e.firstStep[i], full.events[j].firstStep[id])).toBe(true));
  }
}

/**
 * Start the CLI with `args` (extra `environment`), send SIGINT once `ready()`
 * holds, call `afterSignal` (which releases a paused sweep), and wait for the
 * exit. No wall-clock limit: on a slow machine it only waits longer (if the
 * child ends first, no signal is sent and the caller's assertions say so).
 */
async function interruptWhen(
  args: string[],
  ready: () => boolean,
  environment: Record<string, string> = {},
  afterSignal: () => void = () => {},
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...environment } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  let done = false;
  void exited.then(() => (done = true));
  while (!ready() && !done) await new Promise((r) => setTimeout(r, 50));
  if (!done) {
    child.kill('SIGINT');
    afterSignal();
  }
  return { code: await exited, stderr };
}

describe('worker faults', () => {
  it('a shard that fails once (worker exits) is retried: the result is that of a clean run', async () => {
    const s = scenario();
    const clean = await cleanResult();
    expect(clean.missing).toEqual([]);
    for (const kind of ['exit', 'kill', 'throw'] as const) {
      const r = await runEnsemble(s, { ...OPTS, fault: { kind, shard: 1, times: 1 } });
      expect(r.missing, kind).toEqual([]);
      expect(r.count).toBe(4000);
      expect(r.finals.values).toEqual(clean.finals.values);
      expect(r.traces.moments).toEqual(clean.traces.moments);
      expect(r.histograms[0].counts).toEqual(clean.histograms[0].counts);
      expect(r.events[0].firstStep).toEqual(clean.events[0].firstStep);
    }
  });

  it('a shard that fails twice is reported missing; the other replicas are exactly those of a clean run', async () => {
    const s = scenario();
    const clean = await cleanResult();
    const reasons = { exit: /worker exited with code 7/, kill: /worker exited with code/, throw: /injected fault \(throw\)/ };
    for (const kind of ['exit', 'kill', 'throw'] as const) {
      const r = await runEnsemble(s, { ...OPTS, fault: { kind, shard: 2, times: 2 } });
      expect(r.missing).toHaveLength(1);
      const gap = r.missing[0];
      expect(gap.status).toBe('failed');
      expect(gap.errors).toHaveLength(2);
      for (const e of gap.errors) expect(e, kind).toMatch(reasons[kind]);
      expect(r.requested).toBe(4000);
      expect(r.count).toBe(4000 - gap.count);
      expect(gap.count).toBeGreaterThan(0);
      // The ids skip exactly the gap.
      for (let i = 0; i < r.count; i++) {
        const id = replicaId(r, i);
        expect(id >= gap.firstReplica && id < gap.firstReplica + gap.count).toBe(false);
      }
      expectSameReplicas(r, clean);
    }
  });

  it('in-process shards are retried too; a run whose every shard fails twice throws RunFailedError naming each range', async () => {
    const s = scenario();
    const clean = await runEnsemble(s, { workers: 0, shardsPerWorker: 3 });
    const retried = await runEnsemble(s, { workers: 0, shardsPerWorker: 3, fault: { kind: 'throw', shard: 0, times: 1 } });
    expect(retried.finals.values).toEqual(clean.finals.values);
    const err = await runEnsemble(s, { ...OPTS, fault: { kind: 'exit', times: 2 } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RunFailedError);
    expect((err as RunFailedError).missing.reduce((n, g) => n + g.count, 0)).toBe(4000);
    expect((err as Error).message).toMatch(/every shard of the run failed/);
  });

  it('the summary of a partial run says which replicas are missing and why; its statistics are over the others', async () => {
    const dir = tmp();
    const out = await runScenario(scenario(), { out: dir, ...OPTS, fault: { kind: 'exit', shard: 0, times: 2 } });
    const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(s.run.status).toBe('partial');
    expect(s.run.replicas).toBe(4000);
    expect(s.run.missing).toHaveLength(1);
    expect(s.run.missing[0]).toMatchObject({ first: 0, status: 'failed' });
    expect(s.run.completedReplicas).toBe(4000 - s.run.missing[0].count);
    expect(s.observables.x.final.n).toBe(s.run.completedReplicas - s.divergence.count);
    expect(s.events.cross.replicas).toBe(s.run.completedReplicas);
    // finals.csv and events.csv list the replicas that have results, by their own index.
    const rows = readFileSync(join(dir, 'finals.csv'), 'utf8').trim().split('\n').slice(1);
    expect(rows).toHaveLength(s.run.completedReplicas);
    expect(Number(rows[0].split(',')[0])).toBe(s.run.missing[0].count);
    expect(out.summary.run.status).toBe('partial');
  });
});

describe('interruption', () => {
  it('an abort before the run starts gives an interrupted summary over no replica', async () => {
    const dir = tmp();
    const ac = new AbortController();
    ac.abort();
    const out = await runScenario(scenario(), { out: dir, ...OPTS, signal: ac.signal });
    expect(out.summary.run.status).toBe('interrupted');
    expect(out.summary.run.completedReplicas).toBe(0);
    expect(out.summary.run.missing).toEqual([{ first: 0, count: 4000, status: 'interrupted', errors: [] }]);
    expect(existsSync(join(dir, 'summary.json'))).toBe(true);
  });

  it('an abort during the run keeps the finished shards: their replicas equal a clean run, the rest are missing', async () => {
    const s = scenario({ dynamics: { integrator: 'sgld', lr: 2e-3, temperature: 0.3, steps: 4000 } });
    const clean = await runEnsemble(s, { workers: 0 });
    const ac = new AbortController();
    // One worker, eight shards: abort once a quarter of the work is done.
    const r = await runEnsemble(s, {
      workers: 1,
      shardsPerWorker: 8,
      signal: ac.signal,
      onProgress: (d, t) => {
        if (d >= t / 4) ac.abort();
      },
    });
    expect(r.missing.length).toBeGreaterThan(0);
    for (const g of r.missing) expect(g.status).toBe('interrupted');
    expect(r.count + r.missing.reduce((n, g) => n + g.count, 0)).toBe(4000);
    expect(r.count).toBeGreaterThan(0);
    expect(r.count).toBeLessThan(4000);
    expectSameReplicas(r, clean);
  });

  it('SIGINT to `stochdyn run` writes a summary marked interrupted and exits 130; nothing is half-written', async () => {
    const dir = tmp();
    const file = join(dir, 'long.json');
    // Long enough that the signal always comes first (~10^10 replica-steps).
    writeFileSync(
      file,
      JSON.stringify({
        name: 'long',
        seed: 1,
        potential: { kind: 'double-well', params: { h: 1 } },
        dynamics: { integrator: 'sgld', lr: 1e-3, temperature: 0.3, steps: 1_000_000 },
        ensemble: { replicas: 10000, init: { kind: 'point', x: [-1] } },
        observe: { grid: { kind: 'linear', points: 5 }, observables: ['x'] },
      }),
    );
    const out = join(dir, 'out');
    // The handler is installed before the output directory is prepared: wait for scenario.resolved.json.
    const { code, stderr } = await interruptWhen(['run', file, '--out', out, '--workers', '2', '-q', '--no-report'], () =>
      existsSync(join(out, 'scenario.resolved.json')),
    );
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/SIGINT: stopping the workers/);
    expect(stderr).toMatch(/interrupted/);
    const s = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    expect(s.run.status).toBe('interrupted');
    expect(s.run.completedReplicas + s.run.missing.reduce((n: number, g: { count: number }) => n + g.count, 0)).toBe(10000);
    // Atomic writes: no temporary file is left.
    const left = spawnSync('ls', ['-a', out], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter((n) => n.endsWith('.tmp'));
    expect(left).toEqual([]);
  });
});

describe('interrupting a sweep', () => {
  it('SIGINT to `stochdyn sweep` keeps the complete points, discards the running ones, exits 130; the same command resumes', async () => {
    const dir = tmp();
    const file = join(dir, 'sweep.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'sigint-sweep',
        seed: 9,
        potential: { kind: 'double-well', params: { h: 1 } },
        // 400 × 50,000 replica-steps a point (a few tenths of a second): the bound below does not come from
        // the size but from the pause — the signal is pending when the sweep is released, so it is handled
        // before a point started after the release can finish; the size only has to exceed one event-loop turn.
        dynamics: { integrator: 'sgld', lr: 1e-3, temperature: 0.3, steps: 50_000 },
        ensemble: { replicas: 400, init: { kind: 'point', x: [-1] } },
        observe: { grid: { kind: 'linear', points: 3 }, observables: ['x'] },
        sweep: { 'dynamics.temperature': [0.2, 0.25, 0.3, 0.35, 0.4, 0.45] },
      }),
    );
    const out = join(dir, 'sw');
    const complete = () => [0, 1, 2, 3, 4, 5].filter((i) => existsSync(join(out, 'points', String(i), 'summary.json'))).length;
    // Event-driven, not timed: the sweep blocks (src/runs/test-pause.ts) right after committing its first point;
    // SIGINT is sent while it is blocked and the pause is released after, so the signal is handled with one point
    // complete and at most one more (the other worker's, if its result was already waiting) — never all six.
    const pause = join(dir, 'pause');
    const { code, stderr } = await interruptWhen(
      ['sweep', file, '--out', out, '--workers', '2', '-q', '--no-report'],
      () => existsSync(`${pause}.reached`),
      { STOCHDYN_TEST_PAUSE_AFTER_POINTS: '1', STOCHDYN_TEST_PAUSE_FILE: pause },
      () => writeFileSync(pause, ''),
    );
    expect(code, stderr).toBe(130);
    const done = complete();
    expect(stderr).toMatch(new RegExp(`interrupted — ${done} of 6 points are complete`));
    expect(done).toBeGreaterThanOrEqual(1);
    expect(done).toBeLessThanOrEqual(2);
    // No temporary point directory is left behind.
    const left = spawnSync('ls', ['-a', join(out, 'points')], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter((n) => n.startsWith('.tmp'));
    expect(left).toEqual([]);
    const again = spawnSync(process.execPath, [MAIN, 'sweep', file, '--out', out, '-q', '--no-report'], { encoding: 'utf8' });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toMatch(new RegExp(`${6 - done} run now, ${done} already complete`));
    expect(existsSync(join(out, 'sweep.csv'))).toBe(true);
  });
});

describe('output directory', () => {
  it('an output path that cannot be created fails before any work, naming the directory and the reason', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'a-file'), 'x');
    let progressed = false;
    const err = await runScenario(scenario(), { out: join(dir, 'a-file', 'run'), workers: 0, onProgress: () => (progressed = true) }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OutputError);
    expect((err as Error).message).toMatch(/cannot write to the output directory .*a-file\/run \(ENOTDIR/);
    expect((err as Error).message).toMatch(/nothing was run/);
    expect(progressed).toBe(false);
  });

  it('a full disk at the end: the results are written to a rescue directory, identical to a normal run', async () => {
    const dirA = tmp(),
      dirB = tmp();
    const s = scenario();
    await runScenario(s, { out: dirA, workers: 0 });
    const err = await runScenario(s, { out: dirB, workers: 0, writeFault: 'finals.csv' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutputError);
    const e = err as OutputError;
    expect(e.message).toMatch(/ENOSPC/);
    expect(e.rescuedTo).toBeDefined();
    expect(existsSync(join(dirB, 'summary.json'))).toBe(false); // the directory is visibly incomplete
    const det = (f: string) => {
      const j = JSON.parse(readFileSync(f, 'utf8'));
      delete j.timing;
      delete j.run.id;
      return j;
    };
    expect(det(join(e.rescuedTo!, 'summary.json'))).toEqual(det(join(dirA, 'summary.json')));
    for (const f of ['finals.csv', 'traces.csv', 'events.csv'])
      expect(readFileSync(join(e.rescuedTo!, f), 'utf8')).toBe(readFileSync(join(dirA, f), 'utf8'));
  });
});

describe('the CLI under faults', () => {
  const cli = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
  const small = () => {
    const dir = tmp();
    const file = join(dir, 's.json');
    writeFileSync(file, JSON.stringify({ ...scenario(), source: undefined, sweep: undefined }));
    return { dir, file };
  };

  it('a worker killed twice: exit 4, the message names the missing replicas, summary marked partial', () => {
    const { dir, file } = small();
    const r = cli(['run', file, '--out', join(dir, 'o'), '-q', '--no-report'], { STOCHDYN_INJECT_FAULT: 'exit,shard=0,times=2' });
    expect(r.status, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/replicas are missing: their worker failed twice \(0…\d+ \(failed: attempt 1: worker exited with code 7/);
    expect(JSON.parse(readFileSync(join(dir, 'o', 'summary.json'), 'utf8')).run.status).toBe('partial');
  });

  it('a module whose energy throws: each shard is attempted once (counted by the module), the error names the module line, exit 1', () => {
    const dir = tmp();
    // Throws from its fourth energy call on: every shard's run, never the check of the scenario.
    writeFileSync(
      join(dir, 'm.mjs'),
      `import { appendFileSync } from 'node:fs';
export function createPotential(params) {
  appendFileSync(params.counter, 'built\\n');
  let calls = 0;
  return {
    name: 'faulty', dim: 1, coordinates: ['x'], groups: [{ name: 'x', offset: 0, size: 1 }],
    energyAndGradient(x, count, energy, grad) {
      if (++calls > 3) throw new Error('energy table has no entry for this state');
      for (let r = 0; r < count; r++) { energy[r] = 0.5 * x[r] * x[r]; grad[r] = x[r]; }
    },
  };
}
`,
    );
    const counter = join(dir, 'builds.txt');
    const file = join(dir, 's.json');
    writeFileSync(
      file,
      JSON.stringify({
        name: 'faulty-module',
        seed: 1,
        potential: { module: './m.mjs', params: { counter } },
        dynamics: { integrator: 'sgld', lr: 0.01, temperature: 0.2, steps: 50 },
        ensemble: { replicas: 64, init: { kind: 'point', x: [0.5] } },
        observe: { grid: { kind: 'linear', points: 3 }, observables: ['x'] },
      }),
    );
    const r = cli(['run', file, '--out', join(dir, 'o'), '-q', '--no-report', '--workers', '2']);
    expect(r.status, r.stderr).toBe(1);
    const shards = r.stderr.match(/replicas \d+…\d+: attempt 1: energy table has no entry for this state \(at [^)]*m\.mjs:8:\d+\)/g) ?? [];
    expect(shards.length, r.stderr).toBeGreaterThanOrEqual(2);
    expect(r.stderr).not.toMatch(/attempt 2/);
    // One build for the check in the main thread, one per shard: no retries.
    expect(readFileSync(counter, 'utf8').trim().split('\n')).toHaveLength(1 + shards.length);
    expect(existsSync(join(dir, 'o', 'summary.json'))).toBe(false);
  });

  it('a full disk: exit 5 and the rescue directory is named', () => {
    const { dir, file } = small();
    const r = cli(['run', file, '--out', join(dir, 'o'), '-q', '--no-report'], { STOCHDYN_INJECT_FAULT: 'enospc,file=traces.csv' });
    expect(r.status).toBe(5);
    const m = r.stderr.match(/the complete results were written to (\S+) instead/);
    expect(m, r.stderr).not.toBeNull();
    expect(existsSync(join(m![1], 'summary.json'))).toBe(true);
  });

  it('every replica diverges: exit 3, a smaller step size is suggested, the summary is written', () => {
    const { dir, file } = small();
    const r = cli(['run', file, '--out', join(dir, 'o'), '-q', '--no-report', '--set', 'dynamics.lr=2']);
    expect(r.status, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/every one of the 4000 replicas diverged .* use a smaller step size, e\.g\. --set dynamics\.lr=0\.2/);
    const s = JSON.parse(readFileSync(join(dir, 'o', 'summary.json'), 'utf8'));
    expect(s.divergence.count).toBe(4000);
    expect(s.run.status).toBe('completed');
  });

  it('a sweep point that fails twice is not committed, the others are; exit 4; the same command completes it', async () => {
    const dir = tmp();
    const file = join(dir, 'sweep.json');
    const base = scenario();
    writeFileSync(
      file,
      JSON.stringify({
        name: 'faulty-sweep',
        seed: 5,
        potential: { kind: 'double-well', params: { h: 1 } },
        dynamics: { integrator: 'sgld', lr: 2e-3, temperature: 0.3, steps: 200 },
        ensemble: { replicas: 200, init: { kind: 'point', x: [-1] } },
        observe: { grid: { kind: 'linear', points: 3 }, observables: ['x'] },
        sweep: { 'dynamics.temperature': [0.2, 0.3, 0.4] },
      }),
    );
    expect(base.name).toBe('faults');
    const out = join(dir, 'sw');
    const r = cli(['sweep', file, '--out', out, '-q', '--no-report'], { STOCHDYN_INJECT_FAULT: 'kill,run=1,times=2' });
    expect(r.status, r.stderr).toBe(4);
    expect(r.stderr).toMatch(/1 point\(s\) failed and were not committed .*point 1:/);
    expect(existsSync(join(out, 'points', '0', 'summary.json'))).toBe(true);
    expect(existsSync(join(out, 'points', '1'))).toBe(false);
    expect(existsSync(join(out, 'points', '2', 'summary.json'))).toBe(true);
    expect(existsSync(join(out, 'sweep.csv'))).toBe(false);
    const again = cli(['sweep', file, '--out', out, '-q', '--no-report']);
    expect(again.status, again.stderr).toBe(0);
    expect(existsSync(join(out, 'sweep.csv'))).toBe(true);
    // And in-process through the API: the failed point carries its error.
    const dir2 = tmp();
    const { loadScenario } = await import('../../src/scenario/index.js');
    const sw = await runSweep(await loadScenario(file), { out: dir2, workers: 1, quiet: true, fault: { kind: 'exit', run: 2, times: 2 } });
    expect(sw.points.map((p) => p.status)).toEqual(['ran', 'ran', 'failed']);
    expect(sw.points[2].error).toMatch(/exited with code 7/);
    expect(sw.complete).toBe(false);
  });
});
