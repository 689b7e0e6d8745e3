/**
 * Physics of the integrators against closed forms and independent numerics
 * (docs/models.md §0–1.1). Every tolerance is k standard errors with k stated; seeds fixed.
 */
import { describe, expect, it } from 'vitest';
import { validateScenarioObject } from '../../src/scenario/index.js';
import { runEnsemble } from '../../src/parallel/run.js';
import { tracePoints } from '../../src/analysis/summary.js';
import { ouContinuousMoments, ouDiscreteMoments, underdampedOUMoments } from '../../src/theory/ornstein-uhlenbeck.js';
import { gibbsDensity1D } from '../../src/theory/gibbs.js';
import { ksTest } from '../../src/stats/tests.js';

const K = 4.5; // σ multiples for moment checks (≈ 7e-6 two-sided false-alarm rate per check)

function harmonicScenario(integrator: string, lr: number, steps: number, replicas: number) {
  return validateScenarioObject(
    {
      name: 'ou',
      seed: 11,
      potential: { kind: 'harmonic', params: { k: 1.0 } },
      dynamics: { integrator, lr, temperature: 0.5, steps, friction: 1.0 },
      ensemble: { replicas, init: { kind: 'point', x: [2.0] }, momenta: 'thermal' },
      observe: { grid: { kind: 'linear', points: 4 }, observables: ['x'] },
    },
    '',
  );
}

describe('Ornstein–Uhlenbeck from a point', () => {
  it('SGLD (Euler–Maruyama): ensemble mean and variance match the closed form at t = 1, 2, 3', async () => {
    const lr = 1e-3,
      R = 20000;
    const s = harmonicScenario('sgld', lr, 3000, R);
    const r = await runEnsemble(s, { workers: 0 });
    const pts = tracePoints(r, lr).x;
    expect(pts.map((p) => p.step)).toEqual([0, 1000, 2000, 3000]);
    for (const p of pts.slice(1)) {
      const exact = ouContinuousMoments(2, 1, 0.5, p.time);
      const disc = ouDiscreteMoments(2, 1, 0.5, lr, p.step);
      const seMean = Math.sqrt(exact.variance / R);
      const seVar = exact.variance * Math.sqrt(2 / (R - 1));
      // The discretisation bias of Euler–Maruyama at this η is far below the sampling error.
      expect(Math.abs(disc.mean - exact.mean)).toBeLessThan(0.2 * seMean);
      expect(Math.abs(disc.variance - exact.variance)).toBeLessThan(0.2 * seVar);
      expect(p.n).toBe(R);
      expect(Math.abs(p.mean! - exact.mean)).toBeLessThan(K * seMean);
      expect(Math.abs(p.std! ** 2 - exact.variance)).toBeLessThan(K * seVar);
    }
  });

  it('BAOAB (underdamped, γ = 1, thermal momenta): position mean and variance match the closed form', async () => {
    const lr = 0.01,
      R = 20000;
    const s = harmonicScenario('baoab', lr, 300, R);
    const r = await runEnsemble(s, { workers: 0 });
    const pts = tracePoints(r, lr).x;
    for (const p of pts.slice(1)) {
      const m = underdampedOUMoments(2, 1, 1, 0.5, p.time, 0, 0.5);
      const v = m.cov[0];
      expect(Math.abs(p.mean! - m.mean[0])).toBeLessThan(K * Math.sqrt(v / R));
      expect(Math.abs(p.std! ** 2 - v)).toBeLessThan(K * v * Math.sqrt(2 / (R - 1)));
    }
  });

  it('the tests can fail: a wrong temperature is detected', async () => {
    const lr = 1e-3,
      R = 20000;
    const s = harmonicScenario('sgld', lr, 3000, R);
    s.dynamics.temperature = 0.45; // 10 % off
    const r = await runEnsemble(s, { workers: 0 });
    const p = tracePoints(r, lr).x[3];
    const exact = ouContinuousMoments(2, 1, 0.5, p.time);
    expect(Math.abs(p.std! ** 2 - exact.variance)).toBeGreaterThan(K * exact.variance * Math.sqrt(2 / (R - 1)));
  });
});

describe('Gibbs equilibrium in the double well', () => {
  it('at θ = 0.25 the ensemble of final positions follows exp(−f/θ)/Z (KS, p > 0.001)', async () => {
    // Symmetric start, t = 20 ≫ intra-well relaxation 1/f''(±1) = 1/8; replicas are independent samples.
    const s = validateScenarioObject(
      {
        name: 'gibbs-dw',
        seed: 3,
        potential: { kind: 'double-well', params: { h: 1 } },
        dynamics: { integrator: 'sgld', lr: 1e-3, temperature: 0.25, steps: 20000 },
        ensemble: { replicas: 10000, init: { kind: 'normal', mean: [0], std: [0.5] } },
        observe: { grid: { kind: 'linear', points: 2 }, observables: ['x'] },
      },
      '',
    );
    const r = await runEnsemble(s, { workers: 2 });
    const f = (x: number) => (x * x - 1) ** 2;
    const g = gibbsDensity1D(f, 0.25, -3, 3);
    const ks = ksTest(r.finals.values, (x) => g.cdf(x));
    expect(ks.pValue).toBeGreaterThan(0.001);
    // And the same test rejects the Gibbs density of a wrong temperature.
    const wrong = gibbsDensity1D(f, 0.35, -3, 3);
    expect(ksTest(r.finals.values, (x) => wrong.cdf(x)).pValue).toBeLessThan(1e-6);
  });
});
