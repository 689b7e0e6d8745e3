/**
 * Whole runs through the pipeline: determinism across worker counts (the real
 * worker path, dist/workers/shard-worker.js), per-group settings, minibatch
 * SGLD against an exact posterior, divergence reporting.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateScenarioObject } from '../../src/scenario/index.js';
import { runScenario } from '../../src/runs/run.js';
import { runEnsemble } from '../../src/parallel/run.js';
import { planShards } from '../../src/parallel/shard-plan.js';
import { blockSize } from '../../src/observables/results.js';
import { linearRegressionPosterior } from '../../src/potentials/index.js';
import { ouDiscreteMoments } from '../../src/theory/ornstein-uhlenbeck.js';
import { tempDir } from '../helpers.js';

const tmp = () => tempDir('test');

function deterministicPart(summaryFile: string) {
  const s = JSON.parse(readFileSync(summaryFile, 'utf8'));
  delete s.timing;
  delete s.run.id;
  return s;
}

describe('determinism across workers', () => {
  it('in-process, 1 worker and 2 workers give identical summaries and output files', async () => {
    const scenario = validateScenarioObject(
      {
        name: 'det',
        seed: 99,
        potential: { kind: 'double-well', params: { h: 1 } },
        dynamics: { integrator: 'sgld', lr: 2e-3, temperature: 0.3, steps: 3000 },
        // 3000 replicas = blocks of 128 (blockSize): 2 workers split them.
        ensemble: { replicas: 3000, init: { kind: 'normal', mean: [-1], std: [0.2] } },
        observe: {
          grid: { kind: 'log', points: 30 },
          observables: ['x', 'energy', 'well'],
          histograms: [{ of: 'x', bins: 40, range: [-2, 2], at: 'grid', from: 1000 }],
          events: [{ name: 'cross', enter: { x: { ge: 0.5 } } }],
        },
        theory: [{ kind: 'gibbs', of: 'x' }],
      },
      '',
    );
    const dirs = [tmp(), tmp(), tmp()];
    await runScenario(scenario, { out: dirs[0], workers: 0 });
    await runScenario(scenario, { out: dirs[1], workers: 1 });
    await runScenario(scenario, { out: dirs[2], workers: 2 });
    const base = deterministicPart(join(dirs[0], 'summary.json'));
    expect(base.events.cross.entered).toBeGreaterThan(0);
    for (const d of dirs.slice(1)) {
      expect(deterministicPart(join(d, 'summary.json'))).toEqual(base);
      for (const f of ['traces.csv', 'histograms.json', 'finals.csv', 'events.csv']) {
        expect(readFileSync(join(d, f), 'utf8')).toBe(readFileSync(join(dirs[0], f), 'utf8'));
      }
    }
  });
});

describe('shard plans of small ensembles', () => {
  it('blocks depend on the ensemble size only; 40 replicas split over 2 workers and merge to the 1-worker numbers', async () => {
    expect([1, 16, 31, 32, 40, 64, 1000, 16384, 1e6].map(blockSize)).toEqual([1, 1, 1, 2, 2, 4, 32, 1024, 1024]);
    expect(planShards(40, 2)).toEqual([
      { firstReplica: 0, count: 20 },
      { firstReplica: 20, count: 20 },
    ]);
    const scenario = validateScenarioObject(
      {
        name: 'small',
        seed: 5,
        potential: { kind: 'double-well', params: { h: 1 } },
        dynamics: { integrator: 'sgld', lr: 1e-2, temperature: 0.3, steps: 500 },
        ensemble: { replicas: 40, init: { kind: 'point', x: [-1] } },
        observe: { grid: { kind: 'linear', points: 5 }, observables: ['x', 'energy'] },
      },
      '',
    );
    const dirs = [tmp(), tmp()];
    await runScenario(scenario, { out: dirs[0], workers: 1 });
    await runScenario(scenario, { out: dirs[1], workers: 2 });
    expect(deterministicPart(join(dirs[1], 'summary.json'))).toEqual(deterministicPart(join(dirs[0], 'summary.json')));
    expect(readFileSync(join(dirs[1], 'traces.csv'), 'utf8')).toBe(readFileSync(join(dirs[0], 'traces.csv'), 'utf8'));
  });
});

describe('determinism across tile sizes (temporal blocking)', () => {
  it('tiles of 64, 1000 and all replicas give identical results, for SGLD with events and for BAOAB', async () => {
    for (const integrator of ['sgld', 'baoab']) {
      const s = validateScenarioObject(
        {
          name: 'tiles',
          seed: 4,
          potential: { kind: 'double-well', params: { h: 1 } },
          dynamics: { integrator, lr: 2e-3, temperature: 0.3, steps: 500 },
          ensemble: { replicas: 2500, init: { kind: 'normal', mean: [-1], std: [0.3] } },
          observe: { grid: { kind: 'log', points: 20 }, observables: ['x', 'energy'], events: [{ name: 'c', enter: { x: { ge: 0 } } }] },
        },
        '',
      );
      const runs = await Promise.all([64, 1000, 2500].map((tile) => runEnsemble(s, { workers: 0, tile })));
      for (const r of runs.slice(1)) {
        expect(Array.from(r.finals.values)).toEqual(Array.from(runs[0].finals.values));
        expect(Array.from(r.traces.moments)).toEqual(Array.from(runs[0].traces.moments));
        expect(Array.from(r.events[0].firstStep)).toEqual(Array.from(runs[0].events[0].firstStep));
      }
      expect(runs[0].events[0].firstStep.some((v) => v > 0)).toBe(true);
    }
  });
});

describe('per-group dynamics settings', () => {
  it('two groups at different temperatures reach their own stationary variances θ_g/(k(1 − ηk/2))', async () => {
    const s = validateScenarioObject(
      {
        name: 'groups',
        seed: 5,
        potential: { module: resolve('test/fixtures/potentials/two-group-harmonic.mjs'), params: { k: 2 } },
        dynamics: { integrator: 'sgld', lr: 0.01, temperature: 1, steps: 1500, groups: { a: { temperature: 0.2 } } },
        ensemble: { replicas: 20000, init: { kind: 'point', x: [0, 0] } },
        observe: { grid: { kind: 'linear', points: 2 }, observables: ['a', 'b'] },
      },
      '',
    );
    const r = await runEnsemble(s, { workers: 2 });
    const R = 20000;
    const k = 4.5; // σ multiples
    for (const [col, theta] of [
      [0, 0.2],
      [1, 1],
    ] as const) {
      let m2 = 0;
      for (let i = 0; i < R; i++) m2 += r.finals.values[i * 2 + col] ** 2;
      m2 /= R;
      const exact = ouDiscreteMoments(0, 2, theta, 0.01, 1500).variance;
      expect(Math.abs(m2 - exact)).toBeLessThan(k * exact * Math.sqrt(2 / R));
    }
  });
});

describe('SGLD on a potential with data (Bayesian linear regression, θ = 1)', () => {
  const params = { n: 200, d: 2, noise: 0.5, sigma: 0.5, prior: 1 };
  const post = linearRegressionPosterior(params, { seed: 21, run: 0 });
  const scenario = (batch: number | null) =>
    validateScenarioObject(
      {
        name: 'blr',
        seed: 21,
        potential: { kind: 'linear-regression', params },
        // η·λ_max ≈ 2e-5 · 800 = 0.016: EM variance bias ≈ 0.8 %, 1000 steps ≈ 16 relaxation times.
        dynamics: { integrator: 'sgld', lr: 2e-5, temperature: 1, steps: 1000, batch_size: batch },
        ensemble: { replicas: 4000, init: { kind: 'point', x: [0, 0] } },
        observe: { grid: { kind: 'linear', points: 2 }, observables: ['x[0]', 'x[1]'] },
      },
      '',
    );
  const moments = (v: Float64Array, j: number) => {
    const R = v.length / 2;
    let m = 0,
      m2 = 0;
    for (let i = 0; i < R; i++) m += v[i * 2 + j];
    m /= R;
    for (let i = 0; i < R; i++) m2 += (v[i * 2 + j] - m) ** 2;
    return { mean: m, variance: m2 / (R - 1), R };
  };

  it('full batch samples the exact Gaussian posterior (mean and variance within 4.5σ)', async () => {
    const r = await runEnsemble(scenario(null), { workers: 2 });
    for (let j = 0; j < 2; j++) {
      const { mean, variance, R } = moments(r.finals.values, j);
      const v = post.covariance[j][j];
      expect(Math.abs(mean - post.mean[j])).toBeLessThan(4.5 * Math.sqrt(v / R));
      expect(Math.abs(variance - v)).toBeLessThan(4.5 * v * Math.sqrt(2 / (R - 1)));
    }
  });

  it('minibatch gradients (B = 10) leave the stationary mean unbiased (the drift is linear in w)', async () => {
    const mini = await runEnsemble(scenario(10), { workers: 2 });
    for (let j = 0; j < 2; j++) {
      const m = moments(mini.finals.values, j);
      expect(Math.abs(m.mean - post.mean[j])).toBeLessThan(4.5 * Math.sqrt(m.variance / m.R));
    }
  });
});

describe('divergence', () => {
  it('a too-large step size: diverged replicas are reported with step and reason, the run completes', async () => {
    const out = tmp();
    const s = validateScenarioObject(
      {
        name: 'diverge',
        seed: 1,
        potential: { kind: 'double-well', params: { h: 1 } },
        dynamics: { integrator: 'gd', lr: 0.1, steps: 200 },
        ensemble: { replicas: 2000, init: { kind: 'uniform', low: [-4], high: [4] } },
        observe: { grid: { kind: 'log', points: 10 }, observables: ['x'] },
      },
      '',
    );
    const { summary } = await runScenario(s, { out, workers: 2 });
    const d = summary.divergence;
    expect(d.count).toBeGreaterThan(100);
    expect(d.count).toBeLessThan(2000);
    expect(d.firstStep).toBeGreaterThanOrEqual(1);
    expect(d.examples[0].reason).toMatch(/position|non-finite/);
    // Survivors converged to a minimum; diverged replicas are excluded from the statistics.
    expect(summary.observables.x.final.n).toBe(2000 - d.count);
    expect(Math.abs(Math.abs(summary.observables.x.final.q50!) - 1)).toBeLessThan(1e-6);
    expect(existsSync(join(out, 'summary.json'))).toBe(true);
    const finals = readFileSync(join(out, 'finals.csv'), 'utf8').trim().split('\n');
    const marked = finals.slice(1).filter((l) => l.split(',')[2] !== '').length;
    expect(marked).toBe(d.count);
  });
});
