/** Params of teacher-student-erf: types, defaults, validation and the JSON Schema of `potential.params`. */
import { checkKernelParams, kernelParamsSchema, type KernelChoice, type Precision } from '../../../kernels/wasm.js';
import { checkPriorVariances, priorSchema, type PriorVariance } from '../prior.js';

export const TEACHER_STUDENT = 'teacher-student-erf';

export interface TeacherStudentParams {
  /** Input dimension. */
  d: number;
  /** Hidden neurons. */
  N: number;
  /** Training samples (dataSize). */
  n: number;
  /** Test samples. */
  n_test: number;
  /** Weight ε of the cubic component He₃ in the teacher. */
  epsilon: number;
  /** Likelihood noise σ². */
  sigma2: number;
  /** Which independent draw of (teacher, training set, test set) from the seed: 0, 1, 2, … (several data sets × several chains). */
  dataset: number;
  /** Prior variance s_w² of each input weight; null = 1/d; 'flat' = no prior. */
  prior_w: PriorVariance;
  /** Prior variance s_a² of each output weight; null = 1/N; 'flat' = no prior. */
  prior_a: PriorVariance;
  /** Kernels of the energy/gradient: auto (wasm when available), js (plain TypeScript, the reference) or wasm. */
  kernels: KernelChoice;
  /** Arithmetic of the network: float64, or float32 (wasm only; positions and updates stay float64). */
  precision: Precision;
}

export const teacherStudentDefaults: TeacherStudentParams = {
  d: 16,
  N: 16,
  n: 400,
  n_test: 2000,
  epsilon: 0.3,
  sigma2: 0.1,
  dataset: 0,
  prior_w: null,
  prior_a: null,
  kernels: 'auto',
  precision: 'float64',
};

/** Defaults filled in and every param checked; errors name the param, the value and what was expected. */
export function resolveTeacherStudent(params: Partial<TeacherStudentParams> | Record<string, unknown>): TeacherStudentParams {
  const p = { ...teacherStudentDefaults, ...(params as Partial<TeacherStudentParams>) };
  const name = TEACHER_STUDENT;
  for (const key of ['d', 'N', 'n', 'n_test'] as const)
    if (!Number.isInteger(p[key]) || p[key] < 1) throw new Error(`${name}: ${key} = ${p[key]}, expected an integer ≥ 1`);
  if (!Number.isInteger(p.dataset) || p.dataset < 0) throw new Error(`${name}: dataset = ${p.dataset}, expected an integer ≥ 0`);
  if (!Number.isFinite(p.epsilon)) throw new Error(`${name}: epsilon = ${p.epsilon}, expected a number`);
  if (!(p.sigma2 > 0)) throw new Error(`${name}: sigma2 = ${p.sigma2}, expected > 0`);
  checkPriorVariances(name, p as unknown as Record<string, unknown>, ['prior_w', 'prior_a']);
  checkKernelParams(name, p.kernels, p.precision);
  return p;
}

export const teacherStudentSchema = {
  type: 'object',
  properties: {
    d: { type: 'integer', minimum: 1, default: teacherStudentDefaults.d, description: 'input dimension' },
    N: { type: 'integer', minimum: 1, default: teacherStudentDefaults.N, description: 'hidden neurons' },
    n: { type: 'integer', minimum: 1, default: teacherStudentDefaults.n, description: 'training samples (dataSize)' },
    n_test: { type: 'integer', minimum: 1, default: teacherStudentDefaults.n_test, description: 'test samples' },
    epsilon: { type: 'number', default: teacherStudentDefaults.epsilon, description: 'weight ε of He₃ in the teacher' },
    sigma2: { type: 'number', exclusiveMinimum: 0, default: teacherStudentDefaults.sigma2, description: 'likelihood noise σ²' },
    dataset: {
      type: 'integer',
      minimum: 0,
      default: teacherStudentDefaults.dataset,
      description: 'independent draw of teacher, training and test set from the seed (0, 1, 2, …)',
    },
    prior_w: priorSchema('prior variance s_w² of the input weights (null: 1/d; "flat": no prior)', null),
    prior_a: priorSchema('prior variance s_a² of the output weights (null: 1/N; "flat": no prior)', null),
    ...kernelParamsSchema,
  },
  additionalProperties: false,
};
