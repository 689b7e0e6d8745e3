/**
 * The shipped splitting scenario scenarios/brownian/kramers-low-temperature.yaml
 * (adaptive multilevel splitting, docs/splitting.md) as shipped: the double
 * well h(x² − 1)², h = 1, at θ = 0.1 (ΔE/θ = 10), seed fixed. Criteria of
 * docs/results/brownian.md:
 *   - the AMS mean first-passage time within 10 % of the exact MFPT integral
 *     (docs/models.md §1.2) and within 3 SE of it (SE from the spread of the
 *     40 repetitions, delta method with the loop-time SE);
 *   - the cost: brute force needs (MFPT/η)/relErr² replica-steps for the same
 *     relative error relErr (n = 1/relErr² exponential escape times of MFPT/η
 *     steps); AMS must spend at least 100 times fewer.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/index.js';
import { runScenario } from '../../src/runs/run.js';
import { meanFirstPassageTime } from '../../src/theory/mfpt.js';
import { ROOT } from '../helpers.js';

describe('kramers-low-temperature.yaml: AMS at ΔE/θ = 10', () => {
  it('the MFPT is within 10 % and 3 SE of the exact integral, at a fraction of the brute-force cost', async () => {
    const scenario = await loadScenario(path.join(ROOT, 'scenarios', 'brownian', 'kramers-low-temperature.yaml'));
    const { summary } = await runScenario(scenario, { write: false, workers: 0 });
    const ams = summary.splitting!;
    const exact = meanFirstPassageTime((x) => (x * x - 1) ** 2, -1, 1, 0.1);
    expect(exact).toBeGreaterThan(25500);
    expect(exact).toBeLessThan(25560);
    expect(ams.extinct + ams.incomplete).toBe(0);
    expect(Math.abs(ams.mfpt.mean / exact - 1)).toBeLessThan(0.1);
    expect(Math.abs(ams.mfpt.mean - exact)).toBeLessThan(3 * ams.mfpt.se);
    const relErr = ams.mfpt.se / ams.mfpt.mean;
    const bruteForce = ams.mfpt.mean / summary.run.lr / relErr ** 2;
    expect(ams.bruteForceSteps).toBeCloseTo(bruteForce, -3);
    expect(ams.replicaSteps * 100).toBeLessThan(bruteForce);
  });
});
