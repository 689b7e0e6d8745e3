/**
 * Observables and held-out predictions of teacher-student-erf: overlaps of
 * the student's neurons with the teacher direction, train and test errors,
 * and the projections of the output on He₁ and He₃ (docs/models.md §2.2).
 */
import type { PosteriorPredictive, PotentialObservable } from '../../../engine/types.js';
import { cubicHarmonic, type TeacherStudentData } from './data.js';
import type { TeacherStudentModel } from './model.js';
import type { TeacherStudentParams } from './params.js';

export function teacherStudentObservables(
  p: TeacherStudentParams,
  data: TeacherStudentData,
  model: TeacherStudentModel,
): { observables: PotentialObservable[]; predictive: PosteriorPredictive } {
  const { d, N, n, n_test: nTest } = p;
  const { dim, output } = model;
  const { wStar, X, y, Xtest, ytest, ztest } = data;

  // Test-set constants of the metrics.
  let yTest2 = 0;
  let he1Sq = 0;
  let he3Sq = 0;
  let y3Sq = 0;
  const he1 = new Float64Array(nTest);
  const he3 = new Float64Array(nTest);
  const y3 = new Float64Array(nTest);
  for (let t = 0; t < nTest; t++) {
    const z = ztest[t];
    he1[t] = z;
    he3[t] = z * z * z - 3 * z;
    y3[t] = cubicHarmonic(Xtest, t, d, z);
    yTest2 += ytest[t] * ytest[t];
    he1Sq += he1[t] * he1[t];
    he3Sq += he3[t] * he3[t];
    y3Sq += y3[t] * y3[t];
  }
  let yTrain2 = 0;
  for (let mu = 0; mu < n; mu++) yTrain2 += y[mu] * y[mu];

  const fTest = new Float64Array(nTest);
  function testOutputs(x: Float64Array, base: number, out: Float64Array, o: number): void {
    for (let t = 0; t < nTest; t++) out[o + t] = output(x, base, Xtest, t * d);
  }
  type Metric = 'error' | 'linear_overlap' | 'cubic_overlap' | 'cubic_harmonic_overlap';
  /** The metrics of a test-set prediction vector. */
  function metricsOf(pred: Float64Array, o: number): Record<Metric, number> {
    let se = 0;
    let l = 0;
    let c = 0;
    let h = 0;
    for (let t = 0; t < nTest; t++) {
      const v = pred[o + t];
      const e = v - ytest[t];
      se += e * e;
      l += v * he1[t];
      c += v * he3[t];
      h += v * y3[t];
    }
    return { error: se / yTest2, linear_overlap: l / he1Sq, cubic_overlap: c / he3Sq, cubic_harmonic_overlap: h / y3Sq };
  }
  const testMetric = (which: Metric) => (x: Float64Array, count: number, out: Float64Array) => {
    for (let r = 0; r < count; r++) {
      testOutputs(x, r * dim, fTest, 0);
      out[r] = metricsOf(fTest, 0)[which];
    }
  };

  const observables: PotentialObservable[] = [
    {
      name: 'overlap',
      description: 'per neuron: w_i · w*, the projection of its input weights on the teacher direction',
      units: N,
      evaluate(x, count, out) {
        for (let r = 0; r < count; r++)
          for (let i = 0; i < N; i++) {
            const wo = r * dim + i * d;
            let s = 0;
            for (let j = 0; j < d; j++) s += x[wo + j] * wStar[j];
            out[r * N + i] = s;
          }
      },
    },
    {
      name: 'train_error',
      description: 'Σ_train (f − y)² / Σ_train y², this sample',
      units: 1,
      evaluate(x, count, out) {
        for (let r = 0; r < count; r++) {
          let se = 0;
          for (let mu = 0; mu < n; mu++) {
            const e = output(x, r * dim, X, mu * d) - y[mu];
            se += e * e;
          }
          out[r] = se / yTrain2;
        }
      },
    },
    { name: 'test_error', description: 'Σ_test (f − y)² / Σ_test y², this sample', units: 1, evaluate: testMetric('error') },
    {
      name: 'linear_overlap',
      description: '⟨f He₁(z)⟩ / ⟨He₁(z)²⟩ on the test set, this sample',
      units: 1,
      evaluate: testMetric('linear_overlap'),
    },
    {
      name: 'cubic_overlap',
      description: '⟨f He₃(z)⟩ / ⟨He₃(z)²⟩ on the test set, this sample',
      units: 1,
      evaluate: testMetric('cubic_overlap'),
    },
    {
      name: 'cubic_harmonic_overlap',
      description:
        '⟨f Y₃⟩ / ⟨Y₃²⟩ on the test set, Y₃ = z³ − 3z|x|²/(d + 2) the degree-3 harmonic part of He₃ (what the GP limit needs ~d³ samples for), this sample',
      units: 1,
      evaluate: testMetric('cubic_harmonic_overlap'),
    },
  ];

  const predictive: PosteriorPredictive = {
    size: nTest,
    points: nTest,
    predict(x, count, out) {
      for (let r = 0; r < count; r++) testOutputs(x, r * dim, out, r * nTest);
    },
    metrics: (pred, offset) => metricsOf(pred, offset),
  };

  return { observables, predictive };
}
