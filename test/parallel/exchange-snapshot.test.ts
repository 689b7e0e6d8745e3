/**
 * Snapshots of a running replica-exchange shard (src/parallel/exchange-runner.ts):
 * a shard stopped between two exchange rounds throws ExchangeStopped with its
 * snapshot; started from that snapshot (after a round trip through node:v8,
 * as on disk) it must give the same result as a shard that never stopped —
 * every rung's accumulators, the swap counts, round trips and walkers. A
 * temperature ladder (one potential) and a parameter ladder (σ² of modular
 * addition, with sampling chains); stopped twice each. Deterministic: the stops
 * come after a fixed number of rounds.
 */
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { loadScenario } from '../../src/scenario/index.js';
import { checkRungs, exchangeRungScenarios } from '../../src/runs/exchange.js';
import {
  ExchangeStopped,
  runExchangeShard,
  type ExchangeShardResult,
  type ExchangeShardSpec,
  type ExchangeSnapshot,
} from '../../src/parallel/exchange-runner.js';
import { ROOT } from '../helpers.js';

const strip = (r: ExchangeShardResult) => ({ ...r, rungs: r.rungs.map((x) => ({ ...x, wallSeconds: 0 })) });

async function specOf(file: string, set: string[]): Promise<ExchangeShardSpec> {
  const s = await loadScenario(path.join(ROOT, 'scenarios', file), { set });
  const { rungs } = await checkRungs(s, exchangeRungScenarios(s));
  const ex = s.exchange!;
  return {
    rungs,
    hamiltonian: ex.key !== 'dynamics.temperature',
    interval: ex.interval,
    scheme: ex.scheme,
    firstSet: 0,
    count: rungs[0].plan.replicas,
  };
}

async function stopAndContinue(spec: ExchangeShardSpec, stops: number[]): Promise<ExchangeSnapshot[]> {
  const whole = await runExchangeShard(spec);
  const snaps: ExchangeSnapshot[] = [];
  let resume: ExchangeSnapshot | undefined;
  for (const k of stops) {
    let polls = 0;
    const stopped = await runExchangeShard({ ...spec, ...(resume ? { resume } : {}) }, { shouldStop: () => ++polls > k }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(stopped, 'stopped before the end').toBeInstanceOf(ExchangeStopped);
    resume = deserialize(serialize((stopped as ExchangeStopped).snapshot)) as ExchangeSnapshot;
    snaps.push(resume);
  }
  const continued = await runExchangeShard({ ...spec, resume: resume! });
  expect(strip(continued)).toEqual(strip(whole));
  // The run did exchange: swaps were accepted.
  expect(whole.tally.accepted.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  return snaps;
}

describe('an exchange shard stopped between rounds continues from its snapshot to the same result', () => {
  // A poll comes before every round after the first; stopping at poll k + 1 leaves k + 1 rounds done.
  it('a temperature ladder (entropic wells), stopped after rounds 8 and 39', async () => {
    const spec = await specOf('brownian/entropic-wells-exchange.yaml', ['dynamics.steps=4000', 'ensemble.replicas=16']);
    const snaps = await stopAndContinue(spec, [7, 30]);
    expect(snaps.map((x) => x.round)).toEqual([8, 39]);
  });

  it('a parameter ladder (σ² of modular addition, BAOAB, sampling chains and posterior), stopped twice', async () => {
    const spec = await specOf('first-order/modular-addition-ladder.yaml', [
      'dynamics.steps=1500',
      'sampling.burn_in=500',
      'sampling.thin=50',
      'ensemble.replicas=4',
    ]);
    const snaps = await stopAndContinue(spec, [20, 100]);
    expect(snaps.map((x) => x.s0)).toEqual([21 * spec.interval, 122 * spec.interval]);
  });
});
