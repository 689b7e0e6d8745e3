/**
 * scenarios/first-order/modular-addition-mean-field-ladder.yaml: every rung of the σ² ladder is
 * resolved as a plain run at its σ² would be — with `dynamics.step_size`, its own curvature steps —
 * so the steps grow towards the hot end (the curvature of the data term falls like 1/σ²). Checked
 * against plain runs of the same file at the end rungs' σ², resolved independently.
 */
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { loadScenario } from '../../src/scenario/index.js';
import { checkRungs, exchangeRungScenarios } from '../../src/runs/exchange.js';
import { checkScenario } from '../../src/runs/run.js';
import { ROOT } from '../helpers.js';

const FILE = path.join(ROOT, 'scenarios', 'first-order', 'modular-addition-mean-field-ladder.yaml');

describe('modular-addition-mean-field-ladder.yaml', () => {
  it('each rung has the step sizes of a plain run at its σ²; they grow towards the hot end', async () => {
    const s = await loadScenario(FILE);
    const { rungs } = await checkRungs(s, exchangeRungScenarios(s));
    expect(rungs.length).toBe(30);
    const lr = rungs.map((r) => r.plan.groups.map((g) => g.lr));
    for (let k = 1; k < lr.length; k++) for (let g = 0; g < lr[k].length; g++) expect(lr[k][g]).toBeGreaterThan(lr[k - 1][g]);
    for (const [k, sigma2] of [
      [0, 0.01],
      [29, 0.3],
    ] as const) {
      const plain = await loadScenario(FILE, { set: [`potential.params.sigma2=${sigma2}`] });
      const { plan } = await checkScenario({ ...plain, exchange: undefined }, 0);
      expect(lr[k]).toEqual(plan.groups.map((g) => g.lr));
    }
    // η ∝ 1/L with L = 1 + the data term's curvature ∝ 1/σ²: the ratio is at most the σ² ratio, 30, and
    // close to it where the data term dominates L.
    const ratio = lr[29][0] / lr[0][0];
    expect(ratio).toBeGreaterThan(10);
    expect(ratio).toBeLessThanOrEqual(30 * (1 + 1e-12));
  });
});
