/**
 * scenarios/first-order/modular-addition-ladder.yaml as shipped (P = 5, N = 8, whole table, BAOAB,
 * 8 ladders × 13 σ² rungs 0.01 → 0.1, 80,000 steps, sampling after 20,000):
 *   - rung 0 (σ² = 0.01): every sampled chain (energy, train_error, droplet_fraction,
 *     fourier_concentration) has split R-hat ≤ 1.05, the equilibrium criterion of docs/sampling.md;
 *   - control: the same scenario without its exchange section (a plain run at σ² = 0.01, same
 *     integrator, replicas and steps) has a chain with split R-hat > 1.2, so the first check can fail;
 *   - validity: the top rung (σ² = 0.1, where plain chains mix on their own) agrees with a plain run
 *     at σ² = 0.1 for every chain's posterior mean within K = 4 combined MCSE;
 *   - every neighbour pair accepts at least 0.1 of its swaps and walkers complete round trips.
 * Seeds are the scenario's own; the run is deterministic, so the measured values are fixed bytes
 * (other seeds in docs/exchange.md).
 */
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { loadScenario } from '../../src/scenario/index.js';
import { runExchange } from '../../src/runs/exchange.js';
import { runScenario } from '../../src/runs/run.js';
import { ROOT } from '../helpers.js';

const K = 4;
type Obj = Record<string, any>;
const CHAINS = ['energy', 'train_error', 'droplet_fraction', 'fourier_concentration'];

describe('modular-addition-ladder.yaml (as shipped)', () => {
  it('σ² = 0.01: the ladder brings every chain of rung 0 to split R-hat ≤ 1.05 where plain chains exceed 1.2; the top rung agrees with a plain run', async () => {
    const s = await loadScenario(path.join(ROOT, 'scenarios', 'first-order', 'modular-addition-ladder.yaml'));
    const out = await runExchange(s, { write: false, workers: 2 });
    const rungs = out.exchange.rungs;
    expect(rungs[0].value).toBe(0.01);
    expect(rungs[rungs.length - 1].value).toBeCloseTo(0.1, 12);
    for (const pair of out.exchange.pairs) expect(pair.acceptance, `pair ${pair.rungs.join('–')}`).toBeGreaterThanOrEqual(0.1);
    expect(out.exchange.roundTrips.count).toBeGreaterThan(0);

    const cold = out.rungs[0].summary.sampling!.chains as Obj;
    for (const c of CHAINS) expect(cold[c].rhat, `rung 0, ${c}`).toBeLessThanOrEqual(1.05);

    const plain = await runScenario({ ...s, exchange: undefined }, { write: false, workers: 2 });
    const pc = plain.summary.sampling!.chains as Obj;
    const worst = Math.max(...CHAINS.map((c) => pc[c].rhat));
    expect(worst, CHAINS.map((c) => `${c} ${pc[c].rhat}`).join(', ')).toBeGreaterThan(1.2);

    const hot = out.rungs[rungs.length - 1].summary.sampling!.chains as Obj;
    const top = await loadScenario(path.join(ROOT, 'scenarios', 'first-order', 'modular-addition-ladder.yaml'), {
      set: [`potential.params.sigma2=${rungs[rungs.length - 1].value}`],
    });
    const ref = (await runScenario({ ...top, exchange: undefined }, { write: false, workers: 2 })).summary.sampling!.chains as Obj;
    for (const c of CHAINS) {
      const se = Math.hypot(hot[c].mcse, ref[c].mcse);
      expect(Math.abs(hot[c].mean - ref[c].mean), `top rung ${c}: ${hot[c].mean} vs plain ${ref[c].mean} (SE ${se})`).toBeLessThan(K * se);
    }
  });
});
