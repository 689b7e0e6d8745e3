// The GP (NNGP) reference of the teacher–student picture on a run's own data set (docs/models.md §2.2):
// the nested-Cholesky learning curve against independent GP solves, the equivalent-sample-size
// interpolation against a curve with a known inverse, the data sets of `dataset`, the cubic-harmonic
// overlap against its definition, and the `teacher-student-gp` overlay on a small run against direct calls.
import { describe, expect, test } from 'vitest';
import * as path from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Stream } from '../../src/random/rng.js';
import { erfNngp, gpRegression, nestedGpMetrics } from '../../src/theory/nngp.js';
import { equivalentSampleSize } from '../../src/analysis/teacher-student-theory.js';
import { teacherStudentData, teacherStudentErf } from '../../src/potentials/neural/teacher-student/index.js';
import { ScenarioError, validateScenarioObject } from '../../src/scenario/index.js';
import { runScenario } from '../../src/runs/run.js';

type Obj = Record<string, any>;

/** The four test-set metrics of a prediction vector, written out from their definitions. */
function metricsByHand(f: ArrayLike<number>, Xt: Float64Array, zt: ArrayLike<number>, yt: ArrayLike<number>, d: number) {
  let l = 0,
    l2 = 0,
    c = 0,
    c2 = 0,
    h = 0,
    h2 = 0,
    e = 0,
    y2 = 0;
  for (let t = 0; t < zt.length; t++) {
    const z = zt[t];
    let r2 = 0;
    for (let j = 0; j < d; j++) r2 += Xt[t * d + j] ** 2;
    const he3 = z ** 3 - 3 * z;
    const y3 = z ** 3 - (3 * z * r2) / (d + 2);
    l += f[t] * z;
    l2 += z * z;
    c += f[t] * he3;
    c2 += he3 * he3;
    h += f[t] * y3;
    h2 += y3 * y3;
    e += (f[t] - yt[t]) ** 2;
    y2 += yt[t] ** 2;
  }
  return { linear: l / l2, cubic: c / c2, cubicHarmonic: h / h2, error: e / y2 };
}

describe('nested GP learning curve', () => {
  test('each n against a GP regression on the first n samples alone (relative 1e-9)', () => {
    const d = 5;
    const data = teacherStudentData({ d, N: 3, n: 90, n_test: 150, epsilon: 0.4, dataset: 2 }, { seed: 7, run: 0 });
    const kernel = erfNngp({ d, sigmaW2: 0.3, c: 1.5 });
    const ns = [30, 60, 90];
    const nested = nestedGpMetrics({ d, X: data.X, y: data.y, Xtest: data.Xtest, ztest: data.ztest, ytest: data.ytest }, ns, kernel, 0.07);
    ns.forEach((n, k) => {
      const { mean } = gpRegression({ Xtrain: data.X.slice(0, n * d), y: data.y.slice(0, n), Xtest: data.Xtest, kernel, noise: 0.07 });
      const ref = metricsByHand(mean, data.Xtest, data.ztest, data.ytest, d);
      expect(nested[k].n).toBe(n);
      for (const key of ['linear', 'cubic', 'cubicHarmonic', 'error'] as const)
        expect(Math.abs(nested[k][key] - ref[key]), `${key} at n = ${n}`).toBeLessThan(1e-9 * Math.max(1, Math.abs(ref[key])));
    });
    expect(() =>
      nestedGpMetrics({ d, X: data.X, y: data.y, Xtest: data.Xtest, ztest: data.ztest, ytest: data.ytest }, [91], kernel, 0.07),
    ).toThrow(/fewer than the largest n = 91/);
  });
});

describe('equivalent sample size', () => {
  // v(n) = 0.1 ln(n/50): the inverse is n = 50 e^{10 v}, exact under interpolation in ln n.
  const curve = [100, 200, 400, 800].map((n) => ({ n, value: 0.1 * Math.log(n / 50) }));
  test('inside the curve: the exact inverse of a curve linear in ln n', () => {
    for (const v of [0.07, 0.1, 0.15, 0.2]) expect(equivalentSampleSize(curve, v).n!).toBeCloseTo(50 * Math.exp(10 * v), 9);
    expect(equivalentSampleSize(curve, curve[0].value).n).toBe(100);
    expect(equivalentSampleSize(curve, curve[3].value).n).toBe(800);
  });
  test('outside the curve: null with the bound it passed', () => {
    expect(equivalentSampleSize(curve, 0.01)).toEqual({ n: null, below: 100 });
    expect(equivalentSampleSize(curve, 0.5)).toEqual({ n: null, above: 800 });
    // A dip: the first bracketing pair counts.
    const dip = [
      { n: 10, value: 0 },
      { n: 20, value: 0.2 },
      { n: 40, value: 0.1 },
      { n: 80, value: 0.3 },
    ];
    expect(equivalentSampleSize(dip, 0.15).n!).toBeCloseTo(10 * Math.pow(2, 0.75), 12);
  });
});

describe('teacher-student-erf data sets and the cubic-harmonic overlap', () => {
  const base = { d: 6, N: 3, n: 20, n_test: 400, epsilon: 0.3 };
  test('dataset 0 is the seed’s draw; dataset k > 0 is another teacher and sample; a larger n extends the training set', () => {
    const a = teacherStudentData(base, { seed: 5, run: 0 });
    const a0 = teacherStudentData({ ...base, dataset: 0 }, { seed: 5, run: 3 });
    const b = teacherStudentData({ ...base, dataset: 1 }, { seed: 5, run: 0 });
    const bLong = teacherStudentData({ ...base, n: 40, dataset: 1 }, { seed: 5, run: 0 });
    expect(Array.from(a0.wStar)).toEqual(Array.from(a.wStar));
    expect(Array.from(a0.X)).toEqual(Array.from(a.X));
    let cos = 0;
    for (let j = 0; j < base.d; j++) cos += a.wStar[j] * b.wStar[j];
    expect(Math.abs(cos)).toBeLessThan(0.999);
    expect(Array.from(bLong.X.slice(0, 20 * base.d))).toEqual(Array.from(b.X));
    expect(() => teacherStudentData({ ...base, dataset: -1 }, { seed: 5, run: 0 })).toThrow(/dataset = -1, expected an integer ≥ 0/);
    expect(() => teacherStudentData({ ...base, dataset: 1.5 }, { seed: 5, run: 0 })).toThrow(/dataset = 1.5/);
  });
  test('the predictive metric and the observable against their definitions', () => {
    const p = teacherStudentErf({ ...base, dataset: 3 }, { seed: 5, run: 0 });
    const data = teacherStudentData({ ...base, dataset: 3 }, { seed: 5, run: 0 });
    const y3 = new Float64Array(base.n_test);
    for (let t = 0; t < base.n_test; t++) {
      const z = data.ztest[t];
      let r2 = 0;
      for (let j = 0; j < base.d; j++) r2 += data.Xtest[t * base.d + j] ** 2;
      y3[t] = z ** 3 - (3 * z * r2) / (base.d + 2);
    }
    expect(p.predictive!.metrics(y3, 0).cubic_harmonic_overlap).toBeCloseTo(1, 12);
    const byHand = metricsByHand(data.ytest, data.Xtest, data.ztest, data.ytest, base.d);
    expect(p.predictive!.metrics(data.ytest, 0).cubic_harmonic_overlap).toBeCloseTo(byHand.cubicHarmonic, 12);
    // The observable on a random state equals the metric of its own test-set outputs.
    const x = new Float64Array(p.dim);
    const s = new Stream('ts-harmonic', 0, 0);
    for (let i = 0; i < p.dim; i++) x[i] = 0.4 * s.normal();
    const f = new Float64Array(base.n_test);
    p.predictive!.predict(x, 1, f);
    const obs = p.observables!.find((o) => o.name === 'cubic_harmonic_overlap')!;
    const out = new Float64Array(1);
    obs.evaluate(x, 1, out);
    expect(out[0]).toBeCloseTo(metricsByHand(f, data.Xtest, data.ztest, data.ytest, base.d).cubicHarmonic, 12);
  });
});

describe('teacher-student-gp overlay', () => {
  const doc = (params: Obj = {}, dynamics: Obj = {}, extra: Obj = {}) => ({
    name: 'ts-gp',
    seed: 4,
    potential: { kind: 'teacher-student-erf', params: { d: 4, N: 4, n: 40, n_test: 300, sigma2: 0.1, dataset: 1, ...params } },
    dynamics: { integrator: 'sgld', lr: 0.002, temperature: 1, steps: 600, ...dynamics },
    ensemble: { replicas: 2, init: { kind: 'potential' } },
    observe: { grid: { kind: 'linear', points: 3 }, observables: ['energy'] },
    sampling: { burn_in: 200, thin: 20, chains: ['energy'], predictive: true },
    theory: [{ kind: 'teacher-student-gp', gp_n: [20, 80, 160] }],
    ...extra,
  });
  test('the GP at the run’s n is a GP regression on the run’s data; measured is the posterior-mean predictor', async () => {
    const out = await runScenario(validateScenarioObject(doc(), ''), { write: false, workers: 0 });
    const s = out.summary as unknown as Obj;
    const t = s.theory[0] as Obj;
    const data = teacherStudentData({ d: 4, N: 4, n: 40, n_test: 300, sigma2: 0.1, dataset: 1 }, { seed: 4, run: 0 });
    const { mean } = gpRegression({
      Xtrain: data.X,
      y: data.y,
      Xtest: data.Xtest,
      kernel: erfNngp({ d: 4, sigmaW2: 0.25, c: 1 }),
      noise: 0.1,
    });
    const ref = metricsByHand(mean, data.Xtest, data.ztest, data.ytest, 4);
    for (const key of ['linear', 'cubic', 'cubicHarmonic', 'error'] as const) expect(t.gp[key]).toBeCloseTo(ref[key], 9);
    expect(t.curve.map((c: Obj) => c.n)).toEqual([20, 40, 80, 160]);
    const pm = s.sampling.predictive.posteriorMean;
    expect(t.measured).toEqual({
      error: pm.error,
      linear: pm.linear_overlap,
      cubic: pm.cubic_overlap,
      cubicHarmonic: pm.cubic_harmonic_overlap,
    });
    const eq = equivalentSampleSize(
      t.curve.map((c: Obj) => ({ n: c.n, value: c.cubicHarmonic })),
      pm.cubic_harmonic_overlap,
    );
    expect(t.equivalent.cubicHarmonic.n).toBe(eq.n);
    expect(t.columns.gp_cubic_harmonic).toBe(t.gp.cubicHarmonic);
  });
  const issues = async (d: Obj) => {
    const err = await runScenario(validateScenarioObject(d, ''), {
      out: mkdtempSync(path.join(tmpdir(), 'stochdyn-tsgp-')),
      workers: 0,
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ScenarioError);
    return (err as ScenarioError).issues.map((i) => `${i.path}: ${i.expected}`).join('\n');
  };
  test('refused before running: a flat prior, θ ≠ 1, weight decay, no predictive, oversized or malformed gp_n, another potential', async () => {
    expect(await issues(doc({ prior_w: 'flat' }))).toMatch(/potential\.params\.prior_w: a Gaussian prior/);
    expect(await issues(doc({}, { temperature: 0.5 }))).toMatch(/dynamics\.temperature: temperature 1 and no weight decay/);
    expect(await issues(doc({}, { weight_decay: 0.1 }))).toMatch(/dynamics\.temperature: temperature 1 and no weight decay/);
    expect(await issues(doc({}, {}, { sampling: { burn_in: 200, thin: 20, chains: ['energy'] } }))).toMatch(/sampling\.predictive: true/);
    expect(await issues(doc({}, {}, { theory: [{ kind: 'teacher-student-gp', gp_n: [100, 9000] }] }))).toMatch(
      /theory\[0\]\.gp_n: sizes ≤ 8000/,
    );
    expect(await issues(doc({}, {}, { theory: [{ kind: 'teacher-student-gp', gp_n: 100 }] }))).toMatch(/theory\[0\]\.gp_n: a list/);
    expect(
      await issues({
        ...doc(),
        potential: { kind: 'double-well' },
        sampling: { burn_in: 200, thin: 20, chains: ['energy'] },
      }),
    ).toMatch(/theory\[0\]\.kind: potential\.kind 'teacher-student-erf'/);
  });
});
