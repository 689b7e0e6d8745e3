/**
 * dynamics.step_size: curvature-scaled, prior-preconditioned step sizes.
 * The curvature estimate is checked against the exact eigenvalue of a
 * quadratic, the scenario rules against the loader.
 */
import { describe, expect, it } from 'vitest';
import { curvatureStepSizes, preconditionedCurvature } from '../../src/engine/step-size.js';
import type { Potential } from '../../src/engine/types.js';
import { validateScenarioObject, ScenarioError } from '../../src/scenario/index.js';
import { runEnsemble } from '../../src/parallel/run.js';
import { buildPotential } from '../../src/potentials/index.js';
import { resolve } from 'node:path';

/** U = ½ xᵀHx + x₀³·cubic, groups g1 = {x0}, g2 = {x1}. */
function quadratic(H: number[][], cubic = 0, pre?: Record<string, number>): Potential {
  return {
    name: 'quadratic',
    dim: 2,
    coordinates: ['x0', 'x1'],
    groups: [
      { name: 'g1', offset: 0, size: 1 },
      { name: 'g2', offset: 1, size: 1 },
    ],
    preconditioner: pre,
    energyAndGradient(x, count, e, g) {
      for (let r = 0; r < count; r++) {
        const a = x[2 * r],
          b = x[2 * r + 1];
        e[r] = 0.5 * (H[0][0] * a * a + 2 * H[0][1] * a * b + H[1][1] * b * b) + cubic * a ** 3;
        g[2 * r] = H[0][0] * a + H[0][1] * b + 3 * cubic * a * a;
        g[2 * r + 1] = H[0][1] * a + H[1][1] * b;
      }
    },
  };
}

describe('preconditioned curvature', () => {
  it('equals the largest eigenvalue of M^{1/2} H M^{1/2} for a quadratic (exact: 3 + √2)', () => {
    // H = [[4, 1], [1, 2]], M = diag(0.5, 2): M^{1/2} H M^{1/2} = [[2, 1], [1, 4]], eigenvalues 3 ± √2.
    const p = quadratic(
      [
        [4, 1],
        [1, 2],
      ],
      0,
      { g1: 0.5, g2: 2 },
    );
    const x = Float64Array.from([0.3, -1, 5, 2]);
    const l = preconditionedCurvature(p, x, 2, Float64Array.from([0.5, 2]));
    for (const v of l) expect(v).toBeCloseTo(3 + Math.SQRT2, 6);
    // Without the preconditioner the estimate is λ_max(H) = 3 + √2 too (by symmetry of this example): use another H.
    const q = quadratic([
      [10, 0],
      [0, 1],
    ]);
    expect(preconditionedCurvature(q, x, 2, Float64Array.from([1, 1]))[0]).toBeCloseTo(10, 6);
  });

  it('is local: a cubic term makes the curvature depend on the probe point (6·cubic·x₀ added to H₀₀)', () => {
    const p = quadratic(
      [
        [1, 0],
        [0, 1],
      ],
      0.5,
    );
    const x = Float64Array.from([2, 0, 0, 0]);
    const l = preconditionedCurvature(p, x, 2, Float64Array.from([1, 1]));
    expect(l[0]).toBeCloseTo(1 + 6 * 0.5 * 2, 4);
    expect(l[1]).toBeCloseTo(1, 6);
  });

  it('step sizes: lr_g = c·M_g/(safety·max over probes)', () => {
    const p = quadratic(
      [
        [4, 1],
        [1, 2],
      ],
      0,
      { g1: 0.5, g2: 2 },
    );
    const s = curvatureStepSizes(p, Float64Array.from([0, 0, 1, 1]), 2, { c: 0.3, safety: 2, probes: 2 });
    const L = 3 + Math.SQRT2;
    expect(s.curvature).toBeCloseTo(L, 6);
    // Expected from the exact L = 3 + √2 of this quadratic, not from the code's own curvature estimate.
    expect(s.lr.g1 / ((0.3 * 0.5) / (2 * L))).toBeCloseTo(1, 6);
    expect(s.lr.g2 / ((0.3 * 2) / (2 * L))).toBeCloseTo(1, 6);
    expect(s.preconditioner).toEqual({ g1: 0.5, g2: 2 });
  });
});

describe('dynamics.step_size in scenarios', () => {
  const base = {
    name: 'ss',
    seed: 1,
    potential: { kind: 'modular-addition-square', params: { P: 5, N: 4, sigma2: 0.1, train_fraction: 0.8 } },
    ensemble: { replicas: 4, init: { kind: 'potential' } },
    observe: { grid: { kind: 'linear', points: 2 }, observables: ['energy'] },
  };

  it('needs lr or step_size, and refuses a per-group lr next to step_size', () => {
    const err = (doc: object) => {
      try {
        validateScenarioObject(doc, 'x.yaml');
      } catch (e) {
        expect(e).toBeInstanceOf(ScenarioError);
        return (e as Error).message;
      }
      return 'no error';
    };
    expect(err({ ...base, dynamics: { integrator: 'sgld', temperature: 1, steps: 10 } })).toMatch(
      /dynamics\.lr: expected a learning rate > 0 \(or dynamics\.step_size\), found nothing/,
    );
    expect(
      err({ ...base, dynamics: { integrator: 'sgld', temperature: 1, steps: 10, step_size: {}, groups: { w: { lr: 1e-3 } } } }),
    ).toMatch(/dynamics\.groups\.w\.lr: expected no per-group lr with dynamics\.step_size, found 0\.001/);
    const s = validateScenarioObject({ ...base, dynamics: { integrator: 'sgld', temperature: 1, steps: 10, step_size: {} } }, '');
    expect(s.dynamics.step_size).toEqual({ c: 0.3, safety: 2, probes: 4 });
    expect(s.dynamics.lr).toBe(1);
  });

  it('the chosen step sizes are the same whatever the number of workers, and follow the prior variances', async () => {
    const s = validateScenarioObject(
      {
        ...base,
        ensemble: { replicas: 40, init: { kind: 'potential' } },
        dynamics: { integrator: 'sgld', temperature: 1, steps: 20, step_size: {} },
      },
      '',
    );
    const one = await runEnsemble(s, { workers: 0 });
    const two = await runEnsemble(s, { workers: 2 });
    expect(one.stepSizes).toBeDefined();
    expect(two.stepSizes).toEqual(one.stepSizes);
    // s_w² = 0.5, s_a² = 1/N = 0.25: lr_w / lr_a = 2.
    expect(one.stepSizes!.lr.w / one.stepSizes!.lr.a).toBeCloseTo(2, 12);
  });
});

describe('preconditioners declared by potentials', () => {
  it('neural families: the prior variances; tfjs models: the shared prior variance of a group (none when the priors differ)', async () => {
    const ma = await buildPotential({ kind: 'modular-addition-square', params: { P: 5, N: 4, prior_w: 0.5 } }, { seed: 1, run: 0 });
    expect(ma.preconditioner).toEqual({ w: 0.5, a: 0.25 });
    const ts = await buildPotential({ kind: 'teacher-student-erf', params: { d: 4, N: 2, n: 5, n_test: 5 } }, { seed: 1, run: 0 });
    expect(ts.preconditioner).toEqual({ w: 0.25, a: 0.5 });
    const tf = await buildPotential(
      { tfjs: resolve('scenarios/first-order/models/tiny-mlp.mjs'), params: { hidden: 8, n: 32, noise: 0.2, sigma: 0.2 } },
      { seed: 1, run: 0 },
    );
    // hidden (w1, b1): both N(0, 1); readout mixes N(0, 1/8) and N(0, 1).
    expect(tf.preconditioner).toEqual({ hidden: 1 });
  });
});
