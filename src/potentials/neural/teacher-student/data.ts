/**
 * The data of teacher-student-erf (docs/models.md §2.2): a unit teacher direction
 * w*, Gaussian inputs x ~ N(0, I_d) and noiseless labels
 * y = He₁(z) + ε He₃(z), z = w*·x, He₁(z) = z, He₃(z) = z³ − 3z. Three streams
 * keyed by the scenario seed, d and `dataset` (not by ctx.run), so every run
 * index, sweep point and regime sees the same data; a larger n extends the
 * same training set. `dataset` k > 0 draws an independent teacher, training
 * and test set; dataset 0 is the draw of the seed alone.
 */
import { Stream } from '../../../random/rng.js';
import type { BuildContext } from '../../registry.js';
import { resolveTeacherStudent, TEACHER_STUDENT, type TeacherStudentParams } from './params.js';

export interface TeacherStudentData {
  /** Teacher direction w*, unit norm (length d). */
  wStar: Float64Array;
  /** Training inputs, n × d row-major. */
  X: Float64Array;
  /** Training labels (length n). */
  y: Float64Array;
  /** Test inputs, n_test × d. */
  Xtest: Float64Array;
  /** Test labels. */
  ytest: Float64Array;
  /** Teacher projections z = w*·x of the test inputs. */
  ztest: Float64Array;
}

/** Y₃(x) = z³ − 3z|x|²/(d + 2), z = w*·x: the degree-3 harmonic part of He₃(z) (docs/models.md §2.2), at row `row` of X. */
export function cubicHarmonic(X: Float64Array, row: number, d: number, z: number): number {
  let r2 = 0;
  for (let j = 0; j < d; j++) r2 += X[row * d + j] * X[row * d + j];
  return z * z * z - (3 * z * r2) / (d + 2);
}

/** The data set for these params and seed (deterministic; independent of ctx.run). */
export function teacherStudentData(params: Partial<TeacherStudentParams> | Record<string, unknown>, ctx: BuildContext): TeacherStudentData {
  const { d, n, n_test, epsilon, dataset } = resolveTeacherStudent(params);
  // Keys no replica stream can have (replica keys are all-numeric).
  const key = `${ctx.seed}/data:${TEACHER_STUDENT}/${d}` + (dataset > 0 ? `/set:${dataset}` : '');
  const ts = new Stream(key, 0, 0);
  const wStar = new Float64Array(d);
  let norm2 = 0;
  for (let j = 0; j < d; j++) {
    wStar[j] = ts.normal();
    norm2 += wStar[j] * wStar[j];
  }
  for (let j = 0; j < d; j++) wStar[j] /= Math.sqrt(norm2);
  const draw = (count: number, stream: Stream) => {
    const X = new Float64Array(count * d);
    const y = new Float64Array(count);
    const z = new Float64Array(count);
    for (let mu = 0; mu < count; mu++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const v = stream.normal();
        X[mu * d + j] = v;
        s += v * wStar[j];
      }
      z[mu] = s;
      y[mu] = s + epsilon * (s * s * s - 3 * s);
    }
    return { X, y, z };
  };
  const tr = draw(n, new Stream(`${key}/train`, 0, 0));
  const te = draw(n_test, new Stream(`${key}/test`, 0, 0));
  return { wStar, X: tr.X, y: tr.y, Xtest: te.X, ytest: te.y, ztest: te.z };
}
