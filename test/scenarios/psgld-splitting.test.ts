/**
 * Splitting without detailed balance: scenarios/brownian/kramers-psgld-splitting.yaml
 * at reduced size. Preconditioned SGLD (state (x, V), Γ term neglected) is
 * Markov but not reversible; AMS copies V with each walker. θ = 0.3 instead
 * of 0.25 (shorter escapes), 1000 brute-force replicas for t = 200 and 100
 * walkers × 10 repetitions. The two estimates of the mean first-passage time
 * of the same dynamics must agree within k = 3 combined standard errors, and
 * both must differ from SGLD's exact MFPT at this θ by more than k = 3 SE
 * (the preconditioner changes the escape time, so the agreement is not
 * SGLD's). Seeds fixed; full-size numbers in docs/results/brownian.md.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/index.js';
import { runScenario } from '../../src/runs/run.js';
import { meanFirstPassageTime } from '../../src/theory/mfpt.js';
import { ROOT } from '../helpers.js';

describe('kramers-psgld-splitting.yaml (reduced): AMS with a non-reversible, adaptive dynamics', () => {
  it('the AMS MFPT agrees with brute force within 3 combined SE, and both differ from SGLD’s', async () => {
    const scenario = await loadScenario(path.join(ROOT, 'scenarios', 'brownian', 'kramers-psgld-splitting.yaml'), {
      set: ['dynamics.temperature=0.3', 'dynamics.steps=40000', 'ensemble.replicas=1000', 'splitting.repetitions=10'],
    });
    const { summary } = await runScenario(scenario, { write: false, workers: 0 });
    const bf = summary.events.escape;
    expect(bf.entered).toBeGreaterThan(800);
    const bfMean = bf.mfpt.time!;
    const bfSe = (bf.mfpt.ci95Time![1] - bf.mfpt.ci95Time![0]) / (2 * 1.96);
    const ams = summary.splitting!;
    expect(ams.extinct + ams.incomplete).toBe(0);
    expect(ams.mfpt.se / ams.mfpt.mean).toBeLessThan(0.15);
    expect(Math.abs(ams.mfpt.mean - bfMean)).toBeLessThan(3 * Math.hypot(ams.mfpt.se, bfSe));
    const sgld = meanFirstPassageTime((x) => (x * x - 1) ** 2, -1, 1, 0.3);
    expect(Math.abs(ams.mfpt.mean - sgld)).toBeGreaterThan(3 * ams.mfpt.se);
    expect(Math.abs(bfMean - sgld)).toBeGreaterThan(3 * bfSe);
  });
});
