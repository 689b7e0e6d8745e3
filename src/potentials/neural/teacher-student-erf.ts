/**
 * Teacher–student regression with a cubic teacher (MODELS.md 2.2), as the
 * negative log posterior at temperature 1:
 *
 *   U(w, a) = Σ_{μ ∈ train} (f(x_μ) − y_μ)²/(2σ²) + |w|²/(2 s_w²) + |a|²/(2 s_a²),
 *   f(x) = Σ_i a_i erf(w_i · x),   y = He₁(z) + ε He₃(z),   z = w*·x,
 *   He₁(z) = z, He₃(z) = z³ − 3z,   x ~ N(0, I_d),   |w*| = 1.
 *
 * Data (noiseless labels): the teacher direction, the n training inputs and
 * the n_test test inputs come from three streams keyed by the scenario seed
 * and d only (not by ctx.run), so every run index, sweep point and regime sees
 * the same data; a larger n extends the same training set.
 * Parameter layout: group `w` = N rows of d (row i = neuron i), then group `a` (N).
 * Energy and gradient are fused by hand and batched over the replicas of a
 * shard (samples in blocks of 4 per weight row); no allocation per call.
 * The same kernel exists as WebAssembly SIMD (assembly/teacher-student.ts),
 * chosen by the params `kernels` and `precision` as for modular-addition-square;
 * the TypeScript one here is the reference.
 */
import { Stream } from '../../random/rng.js';
import type { Minibatch, PosteriorPredictive, Potential, PotentialObservable } from '../../engine/types.js';
import { erf, erfcx } from '../../stats/special.js';
import { registerPotential, type BuildContext } from '../registry.js';
import type { PriorVariance } from './modular-addition-square.js';
import { checkKernelParams, kernelParamsSchema, kernelsInfo, selectKernels, type KernelChoice, type Precision } from '../../kernels/wasm.js';

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
  prior_w: null,
  prior_a: null,
  kernels: 'auto',
  precision: 'float64',
};

export function resolveTeacherStudent(params: Partial<TeacherStudentParams> | Record<string, unknown>): TeacherStudentParams {
  const p = { ...teacherStudentDefaults, ...(params as Partial<TeacherStudentParams>) };
  const name = 'teacher-student-erf';
  for (const key of ['d', 'N', 'n', 'n_test'] as const)
    if (!Number.isInteger(p[key]) || p[key] < 1) throw new Error(`${name}: ${key} = ${p[key]}, expected an integer ≥ 1`);
  if (!Number.isFinite(p.epsilon)) throw new Error(`${name}: epsilon = ${p.epsilon}, expected a number`);
  if (!(p.sigma2 > 0)) throw new Error(`${name}: sigma2 = ${p.sigma2}, expected > 0`);
  for (const key of ['prior_w', 'prior_a'] as const) {
    const v = p[key];
    if (!(v === null || v === 'flat' || (typeof v === 'number' && v > 0)))
      throw new Error(`${name}: ${key} = ${JSON.stringify(v)}, expected a variance > 0, null or 'flat'`);
  }
  checkKernelParams(name, p.kernels, p.precision);
  return p;
}

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

/** The data set for these params and seed (deterministic; independent of ctx.run). */
export function teacherStudentData(params: Partial<TeacherStudentParams> | Record<string, unknown>, ctx: BuildContext): TeacherStudentData {
  const { d, n, n_test, epsilon } = resolveTeacherStudent(params);
  // Keys no replica stream can have (replica keys are all-numeric).
  const key = `${ctx.seed}/data:teacher-student-erf/${d}`;
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

const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

export function teacherStudentErf(params: Partial<TeacherStudentParams> | Record<string, unknown>, ctx: BuildContext): Potential {
  const p = resolveTeacherStudent(params);
  const { d, N, n, n_test: nTest } = p;
  const Wsz = N * d;
  const dim = Wsz + N;
  const { wStar, X, y, Xtest, ytest, ztest } = teacherStudentData(p, ctx);
  const ls = 1 / (2 * p.sigma2);
  const ipw = typeof p.prior_w === 'number' ? 1 / p.prior_w : p.prior_w === null ? d : 0;
  const ipa = typeof p.prior_a === 'number' ? 1 / p.prior_a : p.prior_a === null ? N : 0;
  // initialise draws from the prior (from its default variance when flat).
  const sw = Math.sqrt(typeof p.prior_w === 'number' ? p.prior_w : 1 / d);
  const sa = Math.sqrt(typeof p.prior_a === 'number' ? p.prior_a : 1 / N);

  // Scratch for a block of 4 samples (allocated once).
  const act = new Float64Array(4 * N);
  const dact = new Float64Array(4 * N);
  const xo4 = new Int32Array(4);
  const mu4 = new Int32Array(4);

  /** erf(u) into act[k] and its derivative (2/√π) e^{−u²} into dact[k], one exponential. */
  function activate(k: number, u: number): void {
    const g = Math.exp(-u * u);
    dact[k] = TWO_OVER_SQRT_PI * g;
    if (u < 1 && u > -1) act[k] = erf(u);
    else {
      const e = 1 - g * erfcx(Math.abs(u));
      act[k] = u > 0 ? e : -e;
    }
  }

  /**
   * Samples go through in blocks of 4 (a short last block repeats its last
   * sample with zero weight): each row w_i is loaded once per block for the 4
   * projections, and each gradient row is updated once per block.
   */
  function energyAndGradient(x: Float64Array, count: number, energy: Float64Array, grad: Float64Array, batch?: Minibatch): void {
    const B = batch ? batch.size : n;
    const factor = batch ? n / B : 1;
    const idx = batch?.indices;
    const g2 = 2 * ls * factor;
    for (let r = 0; r < count; r++) {
      const base = r * dim;
      const ab = base + Wsz;
      for (let j = 0; j < dim; j++) grad[base + j] = 0;
      let data = 0;
      for (let k0 = 0; k0 < B; k0 += 4) {
        const nb = Math.min(4, B - k0);
        for (let q = 0; q < 4; q++) {
          const k = k0 + (q < nb ? q : nb - 1);
          const mu = idx ? idx[r * B + k] : k;
          mu4[q] = mu;
          xo4[q] = mu * d;
        }
        const x0 = xo4[0], x1 = xo4[1], x2 = xo4[2], x3 = xo4[3];
        let f0 = 0, f1 = 0, f2 = 0, f3 = 0;
        for (let i = 0; i < N; i++) {
          const wo = base + i * d;
          let u0 = 0, u1 = 0, u2 = 0, u3 = 0;
          for (let j = 0; j < d; j++) {
            const w = x[wo + j];
            u0 += w * X[x0 + j];
            u1 += w * X[x1 + j];
            u2 += w * X[x2 + j];
            u3 += w * X[x3 + j];
          }
          activate(i, u0);
          activate(N + i, u1);
          activate(2 * N + i, u2);
          activate(3 * N + i, u3);
          const ai = x[ab + i];
          f0 += ai * act[i];
          f1 += ai * act[N + i];
          f2 += ai * act[2 * N + i];
          f3 += ai * act[3 * N + i];
        }
        const r0 = f0 - y[mu4[0]];
        data += r0 * r0;
        const e0 = g2 * r0;
        let e1 = 0, e2 = 0, e3 = 0;
        if (nb > 1) {
          const r1 = f1 - y[mu4[1]];
          data += r1 * r1;
          e1 = g2 * r1;
        }
        if (nb > 2) {
          const r2 = f2 - y[mu4[2]];
          data += r2 * r2;
          e2 = g2 * r2;
        }
        if (nb > 3) {
          const r3 = f3 - y[mu4[3]];
          data += r3 * r3;
          e3 = g2 * r3;
        }
        for (let i = 0; i < N; i++) {
          const a0 = act[i], a1 = act[N + i], a2 = act[2 * N + i], a3 = act[3 * N + i];
          grad[ab + i] += e0 * a0 + e1 * a1 + e2 * a2 + e3 * a3;
          const ai = x[ab + i];
          const c0 = e0 * ai * dact[i];
          const c1 = e1 * ai * dact[N + i];
          const c2 = e2 * ai * dact[2 * N + i];
          const c3 = e3 * ai * dact[3 * N + i];
          const wo = base + i * d;
          for (let j = 0; j < d; j++) grad[wo + j] += c0 * X[x0 + j] + c1 * X[x1 + j] + c2 * X[x2 + j] + c3 * X[x3 + j];
        }
      }
      let w2 = 0;
      for (let j = 0; j < Wsz; j++) {
        const v = x[base + j];
        w2 += v * v;
        grad[base + j] += ipw * v;
      }
      let a2 = 0;
      for (let i = 0; i < N; i++) {
        const v = x[ab + i];
        a2 += v * v;
        grad[ab + i] += ipa * v;
      }
      energy[r] = ls * factor * data + 0.5 * ipw * w2 + 0.5 * ipa * a2;
    }
  }

  const selection = selectKernels('teacher-student-erf', p.kernels, p.precision);
  const wasm = selection.kernels;
  const f32 = p.precision === 'float32';
  const identity = Int32Array.from({ length: n }, (_, i) => i);

  /** The same energy and gradient by the wasm kernel (assembly/teacher-student.ts). */
  function energyAndGradientWasm(x: Float64Array, count: number, energy: Float64Array, grad: Float64Array, batch?: Minibatch): void {
    const ex = wasm!.exports;
    const B = batch ? batch.size : n;
    const factor = batch ? n / B : 1;
    const picks = batch ? batch.indices.subarray(0, count * B) : identity;
    const scratch = f32 ? ex.tsScratch32(d, N, n) : ex.tsScratch64(d, N, n);
    const kernel = f32 ? ex.tsEnergyGrad32 : ex.tsEnergyGrad64;
    wasm!.energyGradient(x, count, dim, energy, grad, picks, [X, y], scratch, (at) => {
      const [xs, ys] = at.inputs;
      kernel(at.x, count, dim, d, N, n, at.picks, batch ? B : 0, B, xs, ys, 2 * ls * factor, ls * factor, ipw, ipa, at.energy, at.grad, at.scratch);
    });
  }

  /** f(x_μ) of the replica at `base` for input row `xo` of `inputs`. */
  function output(x: Float64Array, base: number, inputs: Float64Array, xo: number): number {
    let f = 0;
    for (let i = 0; i < N; i++) {
      const wo = base + i * d;
      let u = 0;
      for (let j = 0; j < d; j++) u += x[wo + j] * inputs[xo + j];
      f += x[base + Wsz + i] * erf(u);
    }
    return f;
  }

  // Test-set constants of the metrics.
  let yTest2 = 0;
  let he1Sq = 0;
  let he3Sq = 0;
  const he1 = new Float64Array(nTest);
  const he3 = new Float64Array(nTest);
  for (let t = 0; t < nTest; t++) {
    const z = ztest[t];
    he1[t] = z;
    he3[t] = z * z * z - 3 * z;
    yTest2 += ytest[t] * ytest[t];
    he1Sq += he1[t] * he1[t];
    he3Sq += he3[t] * he3[t];
  }
  let yTrain2 = 0;
  for (let mu = 0; mu < n; mu++) yTrain2 += y[mu] * y[mu];

  const fTest = new Float64Array(nTest);
  function testOutputs(x: Float64Array, base: number, out: Float64Array, o: number): void {
    for (let t = 0; t < nTest; t++) out[o + t] = output(x, base, Xtest, t * d);
  }
  /** The metrics of a test-set prediction vector. */
  function metricsOf(pred: Float64Array, o: number): { error: number; linear_overlap: number; cubic_overlap: number } {
    let se = 0;
    let l = 0;
    let c = 0;
    for (let t = 0; t < nTest; t++) {
      const v = pred[o + t];
      const e = v - ytest[t];
      se += e * e;
      l += v * he1[t];
      c += v * he3[t];
    }
    return { error: se / yTest2, linear_overlap: l / he1Sq, cubic_overlap: c / he3Sq };
  }
  const testMetric = (which: 'error' | 'linear_overlap' | 'cubic_overlap') => (x: Float64Array, count: number, out: Float64Array) => {
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
    { name: 'linear_overlap', description: '⟨f He₁(z)⟩ / ⟨He₁(z)²⟩ on the test set, this sample', units: 1, evaluate: testMetric('linear_overlap') },
    { name: 'cubic_overlap', description: '⟨f He₃(z)⟩ / ⟨He₃(z)²⟩ on the test set, this sample', units: 1, evaluate: testMetric('cubic_overlap') },
  ];

  const predictive: PosteriorPredictive = {
    size: nTest,
    points: nTest,
    predict(x, count, out) {
      for (let r = 0; r < count; r++) testOutputs(x, r * dim, out, r * nTest);
    },
    metrics: (pred, offset) => metricsOf(pred, offset),
  };

  const coordinates: string[] = [];
  for (let i = 0; i < N; i++) for (let j = 0; j < d; j++) coordinates.push(`w${i}_${j}`);
  for (let i = 0; i < N; i++) coordinates.push(`a${i}`);

  return {
    name: 'teacher-student-erf',
    dim,
    coordinates,
    groups: [
      { name: 'w', offset: 0, size: Wsz },
      { name: 'a', offset: Wsz, size: N },
    ],
    dataSize: n,
    // Prior variances (the initial spread when flat): the preconditioner of dynamics.step_size.
    preconditioner: { w: typeof p.prior_w === 'number' ? p.prior_w : 1 / d, a: typeof p.prior_a === 'number' ? p.prior_a : 1 / N },
    initialise(out, offset, normal) {
      for (let j = 0; j < Wsz; j++) out[offset + j] = sw * normal();
      for (let i = 0; i < N; i++) out[offset + Wsz + i] = sa * normal();
    },
    energyAndGradient: wasm ? energyAndGradientWasm : energyAndGradient,
    observables,
    predictive,
    info: { kernels: kernelsInfo(selection, p.precision), train_samples: n, test_samples: nTest },
  };
}

const priorSchema = (description: string) => ({
  anyOf: [{ type: 'number', exclusiveMinimum: 0 }, { type: 'null' }, { const: 'flat' }],
  default: null,
  description,
});

registerPotential({
  name: 'teacher-student-erf',
  description: 'erf two-layer student of a He₁ + ε He₃ teacher on Gaussian inputs: posterior energy (MSE/(2σ²) + Gaussian priors)',
  paramsSchema: {
    type: 'object',
    properties: {
      d: { type: 'integer', minimum: 1, default: teacherStudentDefaults.d, description: 'input dimension' },
      N: { type: 'integer', minimum: 1, default: teacherStudentDefaults.N, description: 'hidden neurons' },
      n: { type: 'integer', minimum: 1, default: teacherStudentDefaults.n, description: 'training samples (dataSize)' },
      n_test: { type: 'integer', minimum: 1, default: teacherStudentDefaults.n_test, description: 'test samples' },
      epsilon: { type: 'number', default: teacherStudentDefaults.epsilon, description: 'weight ε of He₃ in the teacher' },
      sigma2: { type: 'number', exclusiveMinimum: 0, default: teacherStudentDefaults.sigma2, description: 'likelihood noise σ²' },
      prior_w: priorSchema('prior variance s_w² of the input weights (null: 1/d; "flat": no prior)'),
      prior_a: priorSchema('prior variance s_a² of the output weights (null: 1/N; "flat": no prior)'),
      ...kernelParamsSchema,
    },
    additionalProperties: false,
  },
  create: (p, ctx) => teacherStudentErf(p, ctx),
});
