/**
 * Snapshots of a running shard (src/parallel/shard-runner.ts): a shard asked
 * to stop between two steps throws ShardStopped with its snapshot; a shard
 * started from that snapshot (after a round trip through the file format,
 * node:v8) must give the same bytes as the shard that never stopped — for
 * every shipped integrator, several tiles, a schedule, minibatches, sampling
 * chains and posterior histograms, and a chain of several stops.
 *
 * Deterministic: the stops come after a fixed number of polls (no timing).
 */
import { describe, expect, it } from 'vitest';
import { deserialize, serialize } from 'node:v8';
import { validateScenarioObject } from '../../src/scenario/index.js';
import type { Scenario } from '../../src/scenario/types.js';
import { resolvePlan } from '../../src/plan/run-plan.js';
import { buildPotential } from '../../src/potentials/index.js';
import { runShard, ShardStopped, type ShardSnapshot, type ShardSpec } from '../../src/parallel/shard-runner.js';
import type { ShardResult } from '../../src/observables/results.js';

/** The result without its wall time. */
const strip = (r: ShardResult) => ({ ...r, wallSeconds: 0 });

async function specOf(raw: Record<string, unknown>, tile?: number): Promise<ShardSpec> {
  const s: Scenario = validateScenarioObject(raw, 'snapshot-test');
  const plan = resolvePlan(s, await buildPotential(s.potential, { seed: s.seed, run: 0 }), 0);
  return { scenario: s, plan, run: 0, firstReplica: 0, count: plan.replicas, tile };
}

/**
 * Run `spec` stopping after each count of polls in `stops` (a poll comes
 * every ⌊2·10⁵ / (tile replicas × dim)⌋ steps, POLL_WORK in shard-runner.ts) (each stop continues
 * from the previous snapshot), then to the end; compare with the shard run
 * without stops. Returns the snapshots taken.
 */
async function stopAndContinue(spec: ShardSpec, stops: number[]): Promise<ShardSnapshot[]> {
  const whole = await runShard(spec);
  const snaps: ShardSnapshot[] = [];
  let resume: ShardSnapshot | undefined;
  for (const k of stops) {
    let polls = 0;
    const stopped = await runShard({ ...spec, ...(resume ? { resume } : {}) }, { shouldStop: () => ++polls > k }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(stopped, 'the shard stopped before its end').toBeInstanceOf(ShardStopped);
    const snap = (stopped as ShardStopped).snapshot!;
    expect(snap).toBeDefined();
    // Through the file format, as a checkpoint on disk would be.
    resume = deserialize(serialize(snap)) as ShardSnapshot;
    snaps.push(resume);
  }
  const continued = await runShard({ ...spec, resume: resume! });
  expect(Array.from(continued.finals.values)).toEqual(Array.from(whole.finals.values));
  // Every value (toEqual compares numbers with Object.is: −0 ≠ 0, NaN = NaN), every typed array element.
  expect(strip(continued)).toEqual(strip(whole));
  return snaps;
}

/** Where a snapshot stands: replicas finished × steps + steps of the running tile. */
const progressOf = (s: ShardSnapshot, steps: number) => s.tileStart * steps + s.step * Math.min(s.tile, s.count - s.tileStart);

const quickstart = (dynamics: Record<string, unknown>, replicas = 40) => ({
  name: 'snap-1d',
  seed: 7,
  potential: { kind: 'double-well', params: { h: 1 } },
  dynamics: { lr: 1e-3, temperature: 0.25, steps: 200_000, ...dynamics },
  ensemble: { replicas, init: { kind: 'point', x: [-1] } },
  observe: {
    grid: { kind: 'log', points: 40 },
    observables: ['x', 'energy', 'well'],
    histograms: [{ of: 'x', bins: 40, range: [-2, 2] }],
    events: [{ name: 'escape', enter: { x: { ge: 1 } } }],
  },
});

describe('a shard stopped between two steps continues from its snapshot to the same bytes', () => {
  it('sgld on a double well, 40 replicas in tiles of 16, stopped three times (each later than the last)', async () => {
    const spec = await specOf(quickstart({ integrator: 'sgld' }), 16);
    const snaps = await stopAndContinue(spec, [3, 5, 4]);
    const steps = spec.plan.steps;
    const at = snaps.map((s) => progressOf(s, steps));
    expect(at[0]).toBeGreaterThan(0);
    for (let i = 1; i < at.length; i++) expect(at[i]).toBeGreaterThan(at[i - 1]);
    expect(at.at(-1)!).toBeLessThan(spec.count * steps);
    // Stops inside a tile, not only at tile boundaries.
    expect(snaps.some((s) => s.step > 0 && s.step < steps)).toBe(true);
  });

  for (const dynamics of [
    { integrator: 'baoab', friction: 2 },
    { integrator: 'sghmc', friction: 2 },
    { integrator: 'psgld', alpha: 0.99 },
    { integrator: 'sgld', lr: { schedule: 'cyclical', from: 2e-3, to: 1e-4, cycles: 3, exploration: 0.2 } },
  ])
    it(`${JSON.stringify(dynamics)}: stopped twice on observation steps, the same bytes`, async () => {
      // 24 replicas: a poll every 8,333 steps; 24 × 8,333 steps observed every 8,333 steps, so both stops
      // (steps 24,999 and 91,663) come right after an observation, which the continued run must not repeat.
      const raw = quickstart(dynamics, 24);
      raw.dynamics.steps = 24 * 8_333;
      raw.observe.grid = { kind: 'linear', points: 25 };
      const spec = await specOf(raw);
      const snaps = await stopAndContinue(spec, [2, 7]);
      expect(snaps.map((x) => x.step)).toEqual([3 * 8_333, 11 * 8_333]);
      expect(spec.plan.grid).toContain(3 * 8_333);
    });

  it('adam and psgld with minibatches (batch_size 10 of 200 data): the same bytes', async () => {
    for (const dyn of [
      { integrator: 'adam', lr: 1e-2 },
      { integrator: 'psgld', lr: 1e-3, temperature: 1, alpha: 0.999 },
    ]) {
      const spec = await specOf({
        name: 'snap-batch',
        seed: 21,
        potential: { kind: 'linear-regression', params: { n: 200, d: 2, noise: 0.5, sigma: 0.5, prior: 1 } },
        dynamics: { ...dyn, steps: 150_000, batch_size: 10 },
        ensemble: { replicas: 6, init: { kind: 'point', x: [0, 0] } },
        observe: { grid: { kind: 'linear', points: 20 }, observables: ['energy', 'x0', 'x1'] },
      });
      await stopAndContinue(spec, [3, 2]); // polls every 16,666 steps
    }
  });

  it('a sampling run (chains, posterior histogram, posterior predictive) of a network: the same bytes', async () => {
    const spec = await specOf({
      name: 'snap-sampling',
      seed: 11,
      potential: { kind: 'modular-addition-square', params: { P: 5, N: 6, sigma2: 0.05, train_fraction: 0.8, kernels: 'js' } },
      dynamics: { integrator: 'baoab', friction: 2, temperature: 1, step_size: { c: 0.3 }, steps: 3_000 },
      ensemble: { replicas: 4, init: { kind: 'potential' } },
      observe: { grid: { kind: 'linear', points: 11 }, observables: ['energy', 'test_error', 'droplet_fraction'] },
      sampling: {
        burn_in: 1_000,
        thin: 50,
        chains: ['energy', 'test_error'],
        posterior: [{ of: 'fourier_concentration', bins: 20, range: [0, 1] }],
        predictive: true,
      },
    });
    await stopAndContinue(spec, [1, 1]); // polls every 555 steps: stops at steps 1,110 and 2,220
  });
});
