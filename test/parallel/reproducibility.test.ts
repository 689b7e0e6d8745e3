/**
 * Reproducibility: identical results across worker counts, shard
 * splits and resume points, one test per path, comparing every deterministic
 * output bit for bit.
 *
 *  1. worker counts 0 / 1 / 2 / 3 through runScenario: every output file
 *     (summary.json without timing and run.id; traces.csv, finals.csv,
 *     events.csv, histograms.json, chains.csv, scenario.resolved.json, …);
 *  2. shard splits: runShard / runShards + mergeShards over several plans of
 *     whole blocks (1 shard, 2 uneven, one per block, out of order, in-process
 *     and on worker threads) and tile sizes: the merged RunResult, every typed
 *     array compared by its bytes;
 *  3. resume points: runSweep stopped by its abort signal after k points for
 *     several k (and with a stale temporary point directory and deleted
 *     points), then resumed; and three shards (different worker counts, one
 *     of them interrupted and resumed) merged with mergeSweeps: sweep.csv,
 *     phases.csv, phase-boundary.json, sweep.json and every point's files
 *     byte-identical to an uninterrupted sweep.
 *
 * The worker path runs dist/workers/shard-worker.js: `npm run build` first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { validateScenarioObject } from '../../src/scenario/index.js';
import type { Scenario } from '../../src/scenario/types.js';
import { runScenario } from '../../src/runs/run.js';
import { mergeSweeps, runSweep } from '../../src/runs/sweep.js';
import { runEnsemble } from '../../src/parallel/run.js';
import { runShards } from '../../src/parallel/pool.js';
import { mergeShards, type RunResult } from '../../src/parallel/merge.js';
import { runShard, type ShardSpec } from '../../src/parallel/shard-runner.js';
import { resolvePlan } from '../../src/plan/run-plan.js';
import { buildPotential } from '../../src/potentials/index.js';
import { planShards } from '../../src/parallel/shard-plan.js';
import { blockSize, type ShardResult } from '../../src/observables/results.js';

let TMP: string;
beforeAll(() => {
  TMP = mkdtempSync(join(tmpdir(), 'stochdyn-repro-'));
});
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

/** Every file under `dir` (relative paths, sorted). */
function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * The deterministic content of a run or sweep directory, file by file: every
 * summary.json without `timing` and `run.id`, every other file as its text.
 */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of listFiles(dir)) {
    const text = readFileSync(join(dir, f), 'utf8');
    if (f === 'summary.json' || f.endsWith('/summary.json')) {
      const s = JSON.parse(text);
      delete s.timing;
      delete s.run.id;
      out[f] = JSON.stringify(s, null, 1);
    } else out[f] = text;
  }
  return out;
}

/** Expect two snapshots to hold the same files with the same bytes (one message per differing file). */
function expectSameFiles(got: Record<string, string>, want: Record<string, string>, label: string): void {
  expect(Object.keys(got), `${label}: file list`).toEqual(Object.keys(want));
  for (const f of Object.keys(want)) expect(got[f] === want[f], `${label}: ${f} differs`).toBe(true);
}

/**
 * A canonical text of a RunResult / ShardResult: numbers by their 64-bit
 * patterns (so -0, NaN payloads and the last ulp count), typed arrays by
 * their bytes; wall-clock fields dropped.
 */
function canon(x: unknown): string {
  return JSON.stringify(canonTree(x));
}

/** Paths where two canonical trees differ (for the failure message). */
function differences(a: unknown, b: unknown, at = '', out: string[] = []): string[] {
  if (out.length >= 8) return out;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)]))
      differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`, out);
  } else if (a !== b) out.push(`${at}: ${String(a).slice(0, 40)} vs ${String(b).slice(0, 40)}`);
  return out;
}

function canonTree(x: unknown): unknown {
  const f64 = new Float64Array(1);
  const bits = new BigUint64Array(f64.buffer);
  const rec = (v: unknown): unknown => {
    if (typeof v === 'number') {
      f64[0] = v;
      return `f${bits[0].toString(16)}`;
    }
    if (ArrayBuffer.isView(v)) return `${v.constructor.name}:${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')}`;
    if (Array.isArray(v)) return v.map(rec);
    if (v && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) if (!/wallseconds/i.test(k)) o[k] = rec((v as Record<string, unknown>)[k]);
      return o;
    }
    return v;
  };
  return rec(x);
}

/**
 * A run with every recorder: traces (log grid, 3 observables), a final and a
 * grid histogram, two events, finals, and a sampling section (chains, a
 * posterior histogram with a mixture fit). 600 replicas = 19 blocks of 32
 * (the last one of 24), so every worker count splits them differently.
 */
const SCENARIO = (): Scenario =>
  validateScenarioObject(
    {
      name: 'repro',
      seed: 2026,
      potential: { kind: 'double-well', params: { h: 1 } },
      dynamics: { integrator: 'sgld', lr: 4e-3, temperature: 0.35, steps: 1500 },
      ensemble: { replicas: 600, init: { kind: 'normal', mean: [-1], std: [0.25] } },
      observe: {
        grid: { kind: 'log', points: 25 },
        observables: ['x', 'energy', 'well'],
        histograms: [
          { of: 'x', bins: 30, range: [-2, 2] },
          { of: 'energy', bins: 20, range: [0, 2], at: 'grid', from: 500 },
        ],
        events: [
          { name: 'cross', enter: { x: { ge: 0.5 } } },
          { name: 'top', enter: { x: { ge: -0.1, le: 0.1 } }, every: 3 },
        ],
        finals: true,
      },
      sampling: { burn_in: 500, thin: 50, chains: ['energy', 'x'], posterior: [{ of: 'x', bins: 24, range: [-2, 2], mixture: 2 }] },
    },
    '',
  );

describe('reproducibility across worker counts (runScenario, every output file)', () => {
  it('workers 0, 1, 2 and 3 write byte-identical outputs', async () => {
    const s = SCENARIO();
    const snaps: Record<string, string>[] = [];
    for (const workers of [0, 1, 2, 3]) {
      const out = join(TMP, `workers-${workers}`);
      await runScenario(s, { out, workers });
      snaps.push(snapshot(out));
    }
    const files = Object.keys(snaps[0]);
    for (const f of ['summary.json', 'traces.csv', 'finals.csv', 'events.csv', 'histograms.json', 'chains.csv']) expect(files).toContain(f);
    // The run is not trivial: both events happen, the sampling section is summarised.
    const sum = JSON.parse(snaps[0]['summary.json']);
    expect(sum.events.cross.entered).toBeGreaterThan(0);
    expect(sum.events.top.entered).toBeGreaterThan(0);
    expect(sum.sampling).toBeTruthy();
    for (let i = 1; i < snaps.length; i++) expectSameFiles(snaps[i], snaps[0], `workers ${[0, 1, 2, 3][i]} vs 0`);
  });
});

describe('reproducibility across shard splits (runShard / runShards + mergeShards)', () => {
  it('1 shard, 2 uneven shards, one shard per block, shuffled, in-process and on workers, any tile: the same RunResult', async () => {
    const s = SCENARIO();
    const R = s.ensemble.replicas;
    const B = blockSize(R);
    const blocks = Math.ceil(R / B);
    expect([B, blocks]).toEqual([32, 19]);
    // Every shard reads the one plan resolved in the main thread for run 3.
    const plan = resolvePlan(s, await buildPotential(s.potential, { seed: s.seed, run: 3 }), 3);
    /** Shards from block boundaries, e.g. [0, 3, 19] → blocks 0–2 and 3–18. */
    const split = (cuts: number[], tile?: number): ShardSpec[] =>
      cuts.slice(0, -1).map((b, i) => {
        const first = b * B;
        const last = Math.min(R, cuts[i + 1] * B);
        return { scenario: s, plan, run: 3, firstReplica: first, count: last - first, tile };
      });
    const inProcess = async (specs: ShardSpec[]) => {
      const results: ShardResult[] = [];
      for (const spec of specs) results.push(await runShard(spec));
      return results;
    };
    const onWorkers = async (specs: ShardSpec[], workers: number) => {
      const outcomes = await runShards(specs, { workers });
      return outcomes.map((o) => {
        if (!o.ok) throw new Error(`shard failed: ${o.errors.join('; ')}`);
        return o.result;
      });
    };
    const perBlock = Array.from({ length: blocks + 1 }, (_, i) => i);

    const reference: RunResult = mergeShards(await inProcess(split([0, blocks])));
    const ref = canon(reference);
    const refTree = canonTree(reference);
    expect(reference.count).toBe(R);
    expect(reference.sampling).toBeTruthy();
    expect(Array.from(reference.events[0].firstStep).some((v) => v > 0)).toBe(true);

    const variants: Array<[string, () => Promise<RunResult>]> = [
      ['1 shard, tile 7', async () => mergeShards(await inProcess(split([0, blocks], 7)))],
      ['2 uneven shards (3 + 16 blocks), tile 1', async () => mergeShards(await inProcess(split([0, 3, blocks], 1)))],
      ['one shard per block', async () => mergeShards(await inProcess(split(perBlock)))],
      [
        '5 uneven shards given to merge in reverse order, tile 64',
        async () => mergeShards((await inProcess(split([0, 1, 2, 7, 18, blocks], 64))).reverse()),
      ],
      [
        'planShards(R, 4) on 2 worker threads',
        async () =>
          mergeShards(
            await onWorkers(
              planShards(R, 4).map((r) => ({ scenario: s, plan, run: 3, ...r })),
              2,
            ),
          ),
      ],
      [
        '2 uneven shards (11 + 8 blocks) on 3 worker threads, tile 5',
        async () => mergeShards(await onWorkers(split([0, 11, blocks], 5), 3)),
      ],
      ['runEnsemble, 2 workers, 3 shards per worker', () => runEnsemble(s, { workers: 2, run: 3, shardsPerWorker: 3 })],
    ];
    for (const [label, make] of variants) {
      const r = await make();
      const same = canon(r) === ref;
      expect(
        same,
        `${label}: merged RunResult differs from the 1-shard run at ${same ? '' : differences(canonTree(r), refTree).join('; ')}`,
      ).toBe(true);
    }
  });
});

/**
 * A 6-point sweep (θ × h grid) of small runs with an event, finals, a
 * histogram and a phase analysis over the two swept keys (so phases.csv and
 * phase-boundary.json are written too).
 */
const SWEEP = (): Scenario =>
  validateScenarioObject(
    {
      name: 'repro-sweep',
      seed: 31,
      potential: { kind: 'double-well', params: { h: 1 } },
      dynamics: { integrator: 'sgld', lr: 5e-3, temperature: 0.25, steps: 2500 },
      ensemble: { replicas: 96, init: { kind: 'point', x: [-1] } },
      observe: {
        grid: { kind: 'log', points: 12 },
        observables: ['x', 'energy'],
        histograms: [{ of: 'x', bins: 16, range: [-2, 2] }],
        events: [{ name: 'escape', enter: { x: { ge: 0.8 } } }],
      },
      analysis: [{ kind: 'phase', metric: 'events.escape.fractionEntered', thresholds: [0.5], labels: ['trapped', 'escaped'] }],
      sweep: { 'dynamics.temperature': [0.15, 0.3, 0.6], 'potential.params.h': [0.5, 1.5] },
    },
    '',
  );
const POINTS = 6;

/** Run a sweep into `out`, stopping it (abort signal) once `k` points are complete. Returns the points complete then. */
async function interruptedSweep(
  s: Scenario,
  out: string,
  k: number,
  workers: number,
  shard?: { index: number; count: number },
): Promise<number[]> {
  const ac = new AbortController();
  const r = await runSweep(s, {
    out,
    workers,
    shard,
    signal: ac.signal,
    onProgress: (p) => {
      if (p.pointsDone - p.pointsSkipped >= k) ac.abort();
    },
  });
  return r.points.filter((p) => p.summary !== null).map((p) => p.index);
}

describe('reproducibility across resume points (runSweep)', () => {
  it('a sweep stopped after k = 1, 3, 5 points (and with stale or deleted points) resumes to byte-identical files', async () => {
    const s = SWEEP();
    const fullDir = join(TMP, 'sweep-full');
    const full = await runSweep(s, { out: fullDir, workers: 0 });
    expect(full.complete).toBe(true);
    const want = snapshot(fullDir);
    for (const f of ['sweep.csv', 'phases.csv', 'phase-boundary.json', 'sweep.json']) expect(Object.keys(want)).toContain(f);
    expect(Object.keys(want).filter((f) => f.endsWith('summary.json'))).toHaveLength(POINTS);
    // Both phases occur, so the boundary is not trivial.
    expect(
      new Set(
        want['phases.csv']
          .trim()
          .split('\n')
          .slice(1)
          .map((l) => l.split(',').at(-1)),
      ).size,
    ).toBe(2);

    for (const k of [1, 3, 5]) {
      const dir = join(TMP, `sweep-stop-${k}`);
      const done = await interruptedSweep(s, dir, k, k === 3 ? 2 : 0);
      expect(done.length, `k = ${k}: points complete when stopped`).toBeGreaterThanOrEqual(k);
      expect(done.length, `k = ${k}: the sweep was not interrupted`).toBeLessThan(POINTS);
      expect(existsSync(join(dir, 'sweep.csv'))).toBe(false);
      // A dead process's half-written point is left behind for the resume to discard.
      const stale = join(dir, 'points', `.tmp-${POINTS - 1}-999999999`);
      mkdirSync(stale, { recursive: true });
      writeFileSync(join(stale, 'summary.json'), '{"half": ');
      const resumed = await runSweep(s, { out: dir, workers: k === 1 ? 2 : 0 });
      expect(resumed.complete).toBe(true);
      for (const p of resumed.points) expect(p.status, `k = ${k}, point ${p.index}`).toBe(done.includes(p.index) ? 'skipped' : 'ran');
      expectSameFiles(snapshot(dir), want, `stopped after ${k} and resumed`);
    }

    // Deleting finished points (and the sweep files) and running again recomputes exactly them.
    const del = join(TMP, 'sweep-deleted');
    await runSweep(s, { out: del, workers: 2 });
    for (const k of [0, 2, 5]) rmSync(join(del, 'points', String(k)), { recursive: true });
    for (const f of ['sweep.csv', 'phases.csv', 'phase-boundary.json']) rmSync(join(del, f));
    const again = await runSweep(s, { out: del, workers: 1 });
    expect(again.points.filter((p) => p.status === 'ran').map((p) => p.index)).toEqual([0, 2, 5]);
    expectSameFiles(snapshot(del), want, 'points deleted and rerun');
  });

  it('shards 1/3, 2/3, 3/3 with different worker counts, one stopped and resumed, merged: byte-identical to the unsharded sweep', async () => {
    const s = SWEEP();
    const fullDir = join(TMP, 'sweep-full');
    if (!existsSync(join(fullDir, 'sweep.csv'))) await runSweep(s, { out: fullDir, workers: 0 });
    const want = snapshot(fullDir);
    const dirs = [1, 2, 3].map((i) => join(TMP, `shard-${i}`));
    const a = await runSweep(s, { out: dirs[0], workers: 0, shard: { index: 1, count: 3 } });
    expect(a.points.filter((p) => p.status === 'ran').map((p) => p.index)).toEqual([0, 3]);
    expect(a.complete).toBe(false);
    await runSweep(s, { out: dirs[1], workers: 2, shard: { index: 2, count: 3 } });
    const done = await interruptedSweep(s, dirs[2], 1, 0, { index: 3, count: 3 });
    expect(done).toEqual([2]);
    await runSweep(s, { out: dirs[2], workers: 1, shard: { index: 3, count: 3 } });
    // Merge into the first shard's directory (the output may be one of the inputs).
    const m = mergeSweeps(dirs, { out: dirs[0] });
    expect(m.complete).toBe(true);
    expectSameFiles(snapshot(dirs[0]), want, 'merged shards');
  });
});
