/**
 * W4: the first-order sampler at its shipped size with replica exchange —
 * scenarios/first-order/modular-addition-ladder.yaml (modular-addition-square
 * P = 5, N = 8, BAOAB, 8 ladders × 13 σ² rungs, DEO swaps every 5 steps),
 * shortened to `steps` (burn-in scaled with it). Reported:
 *   - ms per step of the whole ladder set (13 rungs × 8 ladders = 104 networks),
 *     on 1 and 2 workers;
 *   - the exchange overhead: the same 104 networks run as a plain ensemble
 *     (rung 0's scenario, 104 replicas, no swaps) in the same process, and
 *     exchange / plain − 1.
 * Medians of `reps`, exchange and plain alternating.
 */
import { join } from 'node:path';
import { loadScenario } from '../src/scenario/index.js';
import { runExchange } from '../src/runs/exchange.js';
import { runEnsemble } from '../src/parallel/run.js';
import { packageRoot } from '../src/parallel/pool.js';

export interface W4Row {
  workers: number;
  exchangeMsPerStep: number;
  plainMsPerStep: number;
  overhead: number;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

export async function runW4(o: { reps: number; steps: number }): Promise<W4Row[]> {
  const file = join(packageRoot(), 'scenarios', 'first-order', 'modular-addition-ladder.yaml');
  const set = [
    `dynamics.steps=${o.steps}`,
    `sampling.burn_in=${Math.floor(o.steps / 4)}`,
    `sampling.thin=${Math.max(1, Math.floor(o.steps / 600))}`,
  ];
  const ladder = await loadScenario(file, { set });
  const K = 13;
  const ladders = ladder.ensemble.replicas;
  const { exchange: _ex, ...rest } = ladder;
  void _ex;
  const plain = { ...rest, ensemble: { ...rest.ensemble, replicas: ladders * K } };
  console.log(
    `W4: modular-addition-ladder.yaml (${ladders} ladders × ${K} rungs = ${ladders * K} networks, P = 5, N = 8, BAOAB, swaps every 5 steps), ${o.steps} steps; medians of ${o.reps}`,
  );
  const rows: W4Row[] = [];
  for (const workers of [1, 2]) {
    const ex: number[] = [];
    const pl: number[] = [];
    for (let i = 0; i < o.reps; i++) {
      let t0 = performance.now();
      await runExchange(ladder, { write: false, workers });
      ex.push((performance.now() - t0) / o.steps);
      t0 = performance.now();
      await runEnsemble(plain, { workers });
      pl.push((performance.now() - t0) / o.steps);
    }
    const row = { workers, exchangeMsPerStep: median(ex), plainMsPerStep: median(pl), overhead: median(ex) / median(pl) - 1 };
    rows.push(row);
    console.log(
      `  workers ${workers}: exchange ${row.exchangeMsPerStep.toFixed(3)} ms/step of the ladder set, plain ${row.plainMsPerStep.toFixed(3)} ms/step; exchange overhead ${(100 * row.overhead).toFixed(1)} %`,
    );
  }
  return rows;
}
