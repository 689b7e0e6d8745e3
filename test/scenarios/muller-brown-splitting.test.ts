/**
 * The shipped scenario scenarios/brownian/muller-brown-splitting.yaml at
 * reduced size: the Müller–Brown surface (scale 0.1), θ = 2 instead of 1.5
 * (ΔE/θ = 5.3), η = 2·10⁻³ (η·λ_max = 0.8, stable), 1000 brute-force replicas
 * for t = 30 (≈ 2.7 MFPTs) and 100 walkers × 20 repetitions of AMS with the
 * shipped reaction coordinate ξ = 1.4417 − y. Both estimate the mean
 * first-passage time from A to B of the same discrete dynamics, so they must
 * agree within k = 3 combined standard errors (AMS: from the spread of the
 * repetitions with the loop-time SE; brute force: the censored MLE's 95 %
 * interval / 3.92). Seeds fixed. The full-size numbers are in
 * docs/results/brownian.md.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/scenario/index.js';
import { runScenario } from '../../src/runs/run.js';
import { ROOT } from '../helpers.js';

describe('muller-brown-splitting.yaml (reduced): AMS against brute-force first passage in 2-D', () => {
  it('the AMS MFPT from A to B agrees with brute force within 3 combined SE', async () => {
    const scenario = await loadScenario(path.join(ROOT, 'scenarios', 'brownian', 'muller-brown-splitting.yaml'), {
      set: [
        'dynamics.temperature=2',
        'dynamics.lr=2.0e-3',
        'dynamics.steps=15000',
        'ensemble.replicas=1000',
        'splitting.walkers=100',
        'splitting.repetitions=20',
      ],
    });
    const { summary } = await runScenario(scenario, { write: false, workers: 0 });
    const bf = summary.events['reach-b'];
    expect(bf.entered).toBeGreaterThan(800); // most replicas made the transition: the MLE is not extrapolating
    const bfMean = bf.mfpt.time!;
    const bfSe = (bf.mfpt.ci95Time![1] - bf.mfpt.ci95Time![0]) / (2 * 1.96);
    const ams = summary.splitting!;
    expect(ams.coordinate).toBe('1.4417 - y');
    expect(ams.extinct + ams.incomplete).toBe(0);
    // A test with a vague estimate could not fail: both relative SEs are below 15 %.
    expect(ams.mfpt.se / ams.mfpt.mean).toBeLessThan(0.15);
    expect(bfSe / bfMean).toBeLessThan(0.15);
    expect(Math.abs(ams.mfpt.mean - bfMean)).toBeLessThan(3 * Math.hypot(ams.mfpt.se, bfSe));
  });
});
