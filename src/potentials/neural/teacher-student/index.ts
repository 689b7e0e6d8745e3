/**
 * Teacher–student regression with a cubic teacher (docs/models.md §2.2), as the
 * negative log posterior at temperature 1:
 *
 *   U(w, a) = Σ_{μ ∈ train} (f(x_μ) − y_μ)²/(2σ²) + |w|²/(2 s_w²) + |a|²/(2 s_a²),
 *   f(x) = Σ_i a_i erf(w_i · x),   y = He₁(z) + ε He₃(z),   z = w*·x,
 *   He₁(z) = z, He₃(z) = z³ − 3z,   x ~ N(0, I_d),   |w*| = 1.
 *
 * params.ts (params, defaults, schema) · data.ts (teacher and data sets from
 * the seed) · model.ts (the student, energy and gradient, kernel dispatch) ·
 * observables.ts (overlaps, errors, held-out predictions) · this file: the
 * potential and its registration.
 */
import type { Potential } from '../../../engine/types.js';
import { kernelsInfo } from '../../../kernels/wasm.js';
import { registerPotential, type BuildContext } from '../../registry.js';
import { teacherStudentData } from './data.js';
import { teacherStudentModel } from './model.js';
import { teacherStudentObservables } from './observables.js';
import { resolveTeacherStudent, TEACHER_STUDENT, teacherStudentSchema, type TeacherStudentParams } from './params.js';

export { teacherStudentDefaults, resolveTeacherStudent, type TeacherStudentParams } from './params.js';
export { teacherStudentData, type TeacherStudentData } from './data.js';
export { teacherStudentModel, type TeacherStudentModel } from './model.js';
export { teacherStudentObservables } from './observables.js';

export function teacherStudentErf(params: Partial<TeacherStudentParams> | Record<string, unknown>, ctx: BuildContext): Potential {
  const p = resolveTeacherStudent(params);
  const { d, N, n, n_test: nTest } = p;
  const data = teacherStudentData(p, ctx);
  const model = teacherStudentModel(p, data);
  const { dim, wSize: Wsz, varianceW, varianceA } = model;
  const { observables, predictive } = teacherStudentObservables(p, data, model);
  // initialise draws from the prior (from its default variance when flat).
  const sw = Math.sqrt(varianceW);
  const sa = Math.sqrt(varianceA);

  const coordinates: string[] = [];
  for (let i = 0; i < N; i++) for (let j = 0; j < d; j++) coordinates.push(`w${i}_${j}`);
  for (let i = 0; i < N; i++) coordinates.push(`a${i}`);

  return {
    name: TEACHER_STUDENT,
    dim,
    coordinates,
    groups: [
      { name: 'w', offset: 0, size: Wsz },
      { name: 'a', offset: Wsz, size: N },
    ],
    dataSize: n,
    // Prior variances (the initial spread when flat): the preconditioner of dynamics.step_size.
    preconditioner: { w: varianceW, a: varianceA },
    initialise(out, offset, normal) {
      for (let j = 0; j < Wsz; j++) out[offset + j] = sw * normal();
      for (let i = 0; i < N; i++) out[offset + Wsz + i] = sa * normal();
    },
    energyAndGradient: model.energyAndGradient,
    observables,
    predictive,
    info: { kernels: kernelsInfo(model.selection, p.precision), train_samples: n, test_samples: nTest },
  };
}

registerPotential({
  name: TEACHER_STUDENT,
  description: 'erf two-layer student of a He₁ + ε He₃ teacher on Gaussian inputs: posterior energy (MSE/(2σ²) + Gaussian priors)',
  paramsSchema: teacherStudentSchema,
  create: (params, ctx) => teacherStudentErf(params, ctx),
});
