/**
 * Interrupting a replica-exchange run (RunExchangeOptions.signal, SIGINT to
 * `stochdyn run`): the ladders of the shards finished by then are written
 * with `status: 'interrupted'` and equal those of a clean run; stopped before
 * any ladder finished, or during the ladder adaptation, nothing but
 * scenario.resolved.json (and saved work) is written and the CLI exits 130;
 * the same command continues from the snapshots of the running shards to the
 * outputs of a clean run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateScenarioObject } from '../../src/scenario/index.js';
import { ExchangeInterrupted, runExchange } from '../../src/runs/exchange.js';
import { CLI_MAIN, interruptWhenPaused, tempDir } from '../helpers.js';

function ladder(extra: Record<string, unknown> = {}, replicas = 700, steps = 1200) {
  return validateScenarioObject(
    {
      name: 'interrupted-ladder',
      seed: 9,
      potential: { kind: 'double-well', params: { h: 1 } },
      dynamics: { integrator: 'sgld', lr: 0.005, temperature: 0.1, steps },
      ensemble: { replicas, init: { kind: 'point', x: [-1] } },
      observe: { grid: { kind: 'linear', points: 4 }, observables: ['x'] },
      exchange: { key: 'dynamics.temperature', rungs: [0.1, 0.2, 0.4, 0.8], interval: 40 },
      ...extra,
    },
    '',
  );
}

describe('interrupting replica exchange', () => {
  it('keeps the ladders of the finished shards: equal to a clean run, the rest listed as missing', async () => {
    const clean = await runExchange(ladder(), { write: false, workers: 0 });
    const ac = new AbortController();
    const dir = join(tempDir('exchange-interrupt'), 'run');
    // One worker, several shards run one after the other: abort as soon as the first one has finished.
    const out = await runExchange(ladder(), {
      out: dir,
      workers: 1,
      shardsPerWorker: 4,
      signal: ac.signal,
      onProgress: () => ac.abort(),
    });
    const e = out.exchange;
    expect(e.status).toBe('interrupted');
    expect(e.sets).toBeGreaterThan(0);
    expect(e.sets).toBeLessThan(700);
    expect(e.missing).toEqual([{ first: e.sets, count: 700 - e.sets }]);
    for (let k = 0; k < 4; k++) {
      const r = out.rungs[k];
      expect(r.summary.run.status).toBe('interrupted');
      expect(r.summary.run.completedReplicas).toBe(e.sets);
      // Ladders are independent and draw from their own streams: the finished ones are those of the clean run.
      expect(Array.from(r.result.finals.values)).toEqual(Array.from(clean.rungs[k].result.finals.values.subarray(0, e.sets)));
    }
    const written = JSON.parse(readFileSync(join(dir, 'exchange.json'), 'utf8'));
    expect(written.status).toBe('interrupted');
    expect(written.missing).toEqual(e.missing);
    expect(existsSync(join(dir, 'walkers.csv'))).toBe(true);
  });

  it('stopped before any ladder finished, or during the adaptation, it throws and writes only scenario.resolved.json', async () => {
    const before = new AbortController();
    before.abort();
    const dir = join(tempDir('exchange-interrupt'), 'run');
    const error = await runExchange(ladder(), { out: dir, workers: 1, signal: before.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExchangeInterrupted);
    expect((error as Error).message).toMatch(/before any ladder finished: no results were written/);
    expect(readdirSync(dir)).toEqual(['scenario.resolved.json']);

    const during = new AbortController();
    const adapting = ladder({
      exchange: { key: 'dynamics.temperature', rungs: [0.1, 0.2, 0.4, 0.8], interval: 40, adapt: { rounds: 2, steps: 80 } },
    });
    const error2 = await runExchange(adapting, {
      write: false,
      workers: 1,
      shardsPerWorker: 4,
      signal: during.signal,
      onProgress: () => during.abort(),
    }).catch((e: unknown) => e);
    expect(error2).toBeInstanceOf(ExchangeInterrupted);
    expect((error2 as Error).message).toMatch(/during the ladder adaptation \(round 1 of 2\), before the ladder froze/);
  });

  it('SIGINT to `stochdyn run` on a ladder stops the workers and exits 130', async () => {
    const dir = tempDir('exchange-interrupt');
    const file = join(dir, 'long.json');
    // Far too long to finish before the signal (~10^10 replica-steps).
    writeFileSync(
      file,
      JSON.stringify({
        name: 'long-ladder',
        seed: 1,
        potential: { kind: 'double-well', params: { h: 1 } },
        dynamics: { integrator: 'sgld', lr: 1e-3, temperature: 0.1, steps: 1_000_000 },
        ensemble: { replicas: 5000, init: { kind: 'point', x: [-1] } },
        observe: { grid: { kind: 'linear', points: 5 }, observables: ['x'] },
        exchange: { key: 'dynamics.temperature', rungs: [0.1, 0.3], interval: 100 },
      }),
    );
    const out = join(dir, 'out');
    const child = spawn(process.execPath, [CLI_MAIN, 'run', file, '--out', out, '--workers', '2', '-q', '--no-report'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    let done = false;
    void exited.then(() => (done = true));
    // The handler is installed before scenario.resolved.json is written: wait for that file, then interrupt.
    while (!existsSync(join(out, 'scenario.resolved.json')) && !done) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGINT');
    expect(await exited, stderr).toBe(130);
    expect(stderr).toMatch(/SIGINT: stopping the workers/);
    expect(stderr).toMatch(/interrupted before any ladder finished: no results were written/);
    expect(existsSync(join(out, 'exchange.json'))).toBe(false);
  });

  /** Every output file of an exchange directory, JSON without timing and ids. */
  const outputs = (dir: string) => {
    const out: Record<string, string> = {};
    for (const f of (readdirSync(dir, { recursive: true }) as string[]).sort()) {
      if (!/\.(csv|json)$/.test(f)) continue;
      let text = readFileSync(join(dir, f), 'utf8');
      if (f.endsWith('.json')) {
        const o = JSON.parse(text);
        delete o.timing;
        delete o.id;
        if (o.run) delete o.run.id;
        text = JSON.stringify(o);
      }
      out[f] = text;
    }
    return out;
  };

  for (const workers of [2, 0])
    it(`--workers ${workers}: SIGINT right after the first snapshot exits 130; the same command continues from the snapshots to the same outputs`, async () => {
      const dir = tempDir('exchange-resume');
      const file = join(dir, 'ladder.json');
      writeFileSync(
        file,
        JSON.stringify({
          name: 'resumed-ladder',
          seed: 9,
          potential: { kind: 'double-well', params: { h: 1 } },
          dynamics: { integrator: 'baoab', friction: 2, lr: 0.005, temperature: 0.1, steps: 100_000 },
          ensemble: { replicas: 64, init: { kind: 'point', x: [-1] } },
          observe: {
            grid: { kind: 'linear', points: 11 },
            observables: ['x', 'energy'],
            histograms: [{ of: 'x', bins: 20, range: [-2, 2] }],
          },
          exchange: { key: 'dynamics.temperature', rungs: [0.1, 0.2, 0.4, 0.8], interval: 40 },
        }),
      );
      const args = (out: string, every: string) => [
        'run',
        file,
        '--out',
        out,
        '--workers',
        String(workers),
        '-q',
        '--no-report',
        '--checkpoint-every',
        every,
      ];
      const clean = spawnSync(process.execPath, [CLI_MAIN, ...args(join(dir, 'clean'), '60')], { encoding: 'utf8' });
      expect(clean.status, clean.stderr).toBe(0);
      const out = join(dir, 'out');
      const pause = join(dir, 'pause');
      const { code, stderr } = await interruptWhenPaused(args(out, '0'), 'STOCHDYN_TEST_PAUSE_AFTER_SNAPSHOTS', pause);
      expect(code, stderr).toBe(130);
      expect(stderr).toMatch(/continues/);
      expect(readdirSync(join(out, 'partial')).some((f) => f.startsWith('ladders-state-'))).toBe(true);
      const again = spawnSync(process.execPath, [CLI_MAIN, ...args(out, '60')], { encoding: 'utf8' });
      expect(again.status, again.stderr).toBe(0);
      // It went on from the saved rounds, not from step 0.
      const steps = [...again.stderr.matchAll(/continue from step ([\d,]+)/g)].map((m) => Number(m[1].replace(/,/g, '')));
      expect(steps.length, again.stderr).toBeGreaterThan(0);
      for (const st of steps) expect(st).toBeGreaterThan(0);
      expect(existsSync(join(out, 'partial'))).toBe(false);
      expect(outputs(out)).toEqual(outputs(join(dir, 'clean')));
    });
});
