/**
 * scenarios/first-order/modular-addition-mean-field.yaml at reduced length (P = 11, N = 32, whole table,
 * mean-field readout prior 1/N², fourier_sextic 3e-4, BAOAB, 8 replicas × 20,000 steps, samples after
 * 8,000), at its first two σ² (0.1 and 0.03):
 *   - the posterior-mean error on the table falls from σ² = 0.1 to 0.03 by more than K = 4 combined
 *     standard errors of the per-replica posterior means (the scenario's claim; at N = 8 the same
 *     check fails — the network is too narrow to fit the table — so it can fail);
 *   - the theory overlay is the theory at the run's own parameters (the same numbers as a direct call),
 *     and its measured error is the sampling block's posterior-mean error (two routes to one number);
 *   - the overlay refuses, before running, what its theory does not describe: a held-out split, no
 *     regulariser, a temperature other than 1, weight decay, another potential.
 * The per-replica standard errors understate the uncertainty where chains have not mixed (split R-hat
 * > 1.05 at σ² = 0.03 at this length); the drop is many times larger than K of them.
 */
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { ScenarioError, loadScenario, validateScenarioObject } from '../../src/scenario/index.js';
import { runScenario } from '../../src/runs/run.js';
import { modularAdditionTheory } from '../../src/theory/modular-addition.js';
import { modularAdditionHartreeTheory } from '../../src/theory/modular-addition-logdet.js';
import { ROOT } from '../helpers.js';

const K = 4;
type Obj = Record<string, any>;
const FILE = path.join(ROOT, 'scenarios', 'first-order', 'modular-addition-mean-field.yaml');

async function runAt(sigma2: number): Promise<Obj> {
  const s = await loadScenario(FILE, {
    set: [
      `potential.params.sigma2=${sigma2}`,
      'dynamics.steps=20000',
      'sampling.burn_in=8000',
      'sampling.thin=50',
      'theory[0].mc_neurons=4000',
      'theory[0].log_det=false', // the log-det theory has its own test below
    ],
  });
  expect(s.potential.params).toMatchObject({ P: 11, N: 32, train_fraction: 1, prior_a: 1 / 1024, fourier_sextic: 3e-4 });
  const out = await runScenario({ ...s, sweep: undefined }, { write: false, workers: 2 });
  return out.summary as unknown as Obj;
}

describe('modular-addition-mean-field.yaml (reduced length)', () => {
  it('the posterior-mean error on the table drops from σ² = 0.1 to 0.03; the overlay is the theory at the run’s parameters', async () => {
    const hi = await runAt(0.1);
    const lo = await runAt(0.03);
    const e = (s: Obj) => s.sampling.predictive.posteriorMean.error as number;
    const se = (s: Obj) => s.sampling.predictive.perReplica.error.sem as number;
    expect(hi.sampling.predictive.set).toBe('training');
    expect(hi.sampling.predictive.points).toBe(121);
    const drop = e(hi) - e(lo);
    expect(drop, `error ${e(hi)} at σ² = 0.1, ${e(lo)} at 0.03`).toBeGreaterThan(K * Math.hypot(se(hi), se(lo)));

    for (const [s, sigma2] of [
      [hi, 0.1],
      [lo, 0.03],
    ] as const) {
      const t = s.theory[0] as Obj;
      const direct = modularAdditionTheory({ P: 11, N: 32, sigma2, priorW: 0.5, priorA: 1 / 1024, sextic: 3e-4 });
      expect(t.kind).toBe('modular-addition-mean-field');
      expect(t.error).toBe(direct.error);
      expect(t.errorGP).toBe(direct.errorGP);
      expect(t.measured.error).toBe(e(s));
    }
  });
});

describe('modular-addition-mean-field overlay: what it refuses before running', () => {
  const doc = (params: Record<string, unknown>, dynamics: Record<string, unknown> = {}, kind = 'modular-addition-square') => ({
    name: 'mf-bad',
    seed: 1,
    potential: {
      kind,
      params: kind === 'modular-addition-square' ? { P: 5, N: 4, train_fraction: 1, fourier_sextic: 1e-3, ...params } : {},
    },
    dynamics: { integrator: 'sgld', lr: 1e-4, temperature: 1, steps: 20, ...dynamics },
    ensemble: { replicas: 2, init: { kind: 'potential' } },
    observe: { grid: { kind: 'linear', points: 3 }, observables: ['energy'] },
    sampling: { burn_in: 10, thin: 5, chains: ['energy'] },
    theory: [{ kind: 'modular-addition-mean-field' }],
  });
  const issues = async (d: Record<string, unknown>) => {
    const err = await runScenario(validateScenarioObject(d, ''), {
      out: mkdtempSync(path.join(tmpdir(), 'stochdyn-mf-')),
      workers: 0,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as ScenarioError).issues.map((i) => `${i.path}: ${i.expected}`).join('\n');
  };
  it('a held-out split, no sextic, θ ≠ 1, weight decay, another potential', async () => {
    expect(await issues(doc({ train_fraction: 0.8 }))).toMatch(/potential\.params\.train_fraction: 1 for 'modular-addition-mean-field'/);
    expect(await issues(doc({ fourier_sextic: 0 }))).toMatch(/potential\.params\.fourier_sextic: > 0/);
    expect(await issues(doc({}, { temperature: 0.5 }))).toMatch(/dynamics\.temperature: temperature 1 and no weight decay/);
    expect(await issues(doc({}, { weight_decay: 0.1 }))).toMatch(/dynamics\.temperature: temperature 1 and no weight decay/);
    expect(await issues(doc({}, {}, 'double-well'))).toMatch(/theory\[0\]\.kind: potential\.kind 'modular-addition-square'/);
    const badLogDet = { ...doc({}), theory: [{ kind: 'modular-addition-mean-field', log_det: 'yes' }] };
    expect(await issues(badLogDet)).toMatch(/theory\[0\]\.log_det: true or false/);
  });
});

describe('modular-addition-mean-field overlay with log_det: true', () => {
  it('adds the log-det theory, equal to a direct Hartree call at the run’s parameters, and its columns', async () => {
    const s = validateScenarioObject(
      {
        name: 'mf-logdet',
        seed: 1,
        potential: {
          kind: 'modular-addition-square',
          params: { P: 5, N: 64, sigma2: 0.1, train_fraction: 1, prior_a: 1 / 4096, fourier_sextic: 3e-4 },
        },
        dynamics: { integrator: 'sgld', lr: 1e-4, temperature: 1, steps: 40 },
        ensemble: { replicas: 2, init: { kind: 'potential' } },
        observe: { grid: { kind: 'linear', points: 3 }, observables: ['energy'] },
        sampling: { burn_in: 10, thin: 5, chains: ['energy'] },
        theory: [{ kind: 'modular-addition-mean-field', log_det: true, mc_neurons: 2000 }],
      },
      '',
    );
    const out = await runScenario(s, { write: false, workers: 0 });
    const t = (out.summary as unknown as Obj).theory[0] as Obj;
    const direct = modularAdditionHartreeTheory({
      P: 5,
      N: 64,
      sigma2: 0.1,
      priorW: 0.5,
      priorA: 1 / 4096,
      sextic: 3e-4,
      logDet: true,
      neurons: 2000,
      seed: 1,
    });
    expect(t.logDet.closed).toBe(direct.closed);
    expect(t.logDet.error).toBe(direct.error);
    expect(t.logDet.droplet.fraction).toBe(direct.droplet);
    expect(t.columns.logdet_error).toBe(direct.closed ? direct.error : null);
    expect(t.columns.logdet_norm_ratio).toBe(direct.closed ? direct.normRatio : null);
    expect(t.text).toMatch(/with the log-det kept/);
  }, 120_000);
});
