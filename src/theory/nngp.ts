/**
 * The Gaussian-process (NNGP) limit of the erf student of teacher-student-erf
 * (docs/models.md §2.2): the arcsine kernel of an erf unit (Williams 1997), GP
 * regression with it, and the GP posterior mean's overlaps with He₁ and He₃ of
 * the teacher against the number of training samples.
 *
 * Student f(x) = Σ_{i=1}^N a_i erf(w_i·x), w_i ~ N(0, s_w² I), a_i ~ N(0, c/N):
 * as N → ∞ the prior over f is a GP with covariance
 *
 *   K(x, x') = c · E_w[erf(w·x) erf(w·x')]
 *            = c · (2/π) · arcsin( 2 s_w² x·x' / √((1 + 2 s_w² |x|²)(1 + 2 s_w² |x'|²)) ).
 *
 * The potential's defaults (s_w² = 1/d, s_a² = 1/N) are s_w² = 1/d and c = 1.
 */
import { choleskyForward, choleskyInPlace, choleskySolve } from '../linalg/cholesky.js';
import { Stream } from '../random/rng.js';
import { Moments } from '../stats/moments.js';

export interface ErfNngpOptions {
  /** Input dimension (rows of X and Y are d long). */
  d: number;
  /** Prior variance s_w² of each input weight (default 1/d, the potential's default). */
  sigmaW2?: number;
  /** Output scale c = N s_a² (default 1, the potential's s_a² = 1/N). */
  c?: number;
}

/** A Gram-matrix function: rows of A (m × d) against rows of B (p × d), m × p row-major. */
export type GramFunction = (A: Float64Array, B: Float64Array) => Float64Array;

/**
 * The NNGP kernel of an erf unit between the rows of X (m × d) and of Y
 * (p × d), both row-major: the m × p Gram matrix, row-major.
 */
export function erfNngpKernel(X: Float64Array, Y: Float64Array, options: ErfNngpOptions): Float64Array {
  const { d } = options;
  const s = options.sigmaW2 ?? 1 / d;
  const c = options.c ?? 1;
  if (!Number.isInteger(d) || d < 1) throw new Error(`erfNngpKernel: d = ${d}, expected an integer ≥ 1`);
  if (!(s > 0)) throw new Error(`erfNngpKernel: sigmaW2 = ${s}, expected > 0`);
  if (X.length % d !== 0 || Y.length % d !== 0)
    throw new Error(`erfNngpKernel: input lengths ${X.length} and ${Y.length} are not multiples of d = ${d}`);
  const m = X.length / d;
  const p = Y.length / d;
  const qx = new Float64Array(m);
  const qy = new Float64Array(p);
  for (let i = 0; i < m; i++) {
    let n2 = 0;
    for (let k = 0; k < d; k++) n2 += X[i * d + k] * X[i * d + k];
    qx[i] = 1 / Math.sqrt(1 + 2 * s * n2);
  }
  for (let j = 0; j < p; j++) {
    let n2 = 0;
    for (let k = 0; k < d; k++) n2 += Y[j * d + k] * Y[j * d + k];
    qy[j] = 1 / Math.sqrt(1 + 2 * s * n2);
  }
  const scale = (2 * c) / Math.PI;
  const K = new Float64Array(m * p);
  for (let i = 0; i < m; i++) {
    const xo = i * d;
    for (let j = 0; j < p; j++) {
      const yo = j * d;
      let dot = 0;
      for (let k = 0; k < d; k++) dot += X[xo + k] * Y[yo + k];
      // |argument| < 1 mathematically; the clamp only absorbs rounding. The
      // product of the two norms first keeps K(x, y) = K(y, x) bit for bit.
      const r = Math.max(-1, Math.min(1, 2 * s * dot * (qx[i] * qy[j])));
      K[i * p + j] = scale * Math.asin(r);
    }
  }
  return K;
}

/** The erf NNGP kernel as a {@link GramFunction}. */
export function erfNngp(options: ErfNngpOptions): GramFunction {
  return (A, B) => erfNngpKernel(A, B, options);
}

export interface GpRegressionInput {
  /** Training inputs, n × d row-major. */
  Xtrain: Float64Array;
  /** Training targets (length n). */
  y: ArrayLike<number>;
  /** Test inputs, nTest × d row-major (same d). */
  Xtest: Float64Array;
  kernel: GramFunction;
  /** Observation noise variance σ² (> 0) added to the training Gram matrix. */
  noise: number;
  /** Also return the posterior variance of f at each test input (default false). */
  variance?: boolean;
}

export interface GpRegressionResult {
  /** Posterior mean K(X*, X)(K(X, X) + σ² I)⁻¹ y. */
  mean: Float64Array;
  /** Posterior variance of f (without the noise) K(x*, x*) − k*ᵀ(K + σ² I)⁻¹k*, when asked for. */
  variance?: Float64Array;
}

/** GP regression by a Cholesky factorisation of K(X, X) + σ² I. */
export function gpRegression(input: GpRegressionInput): GpRegressionResult {
  const { Xtrain, y, Xtest, kernel, noise } = input;
  const n = y.length;
  if (!(n >= 1) || Xtrain.length % n !== 0) throw new Error(`gpRegression: ${Xtrain.length} training entries for ${n} targets`);
  const d = Xtrain.length / n;
  if (Xtest.length % d !== 0) throw new Error(`gpRegression: test inputs of length ${Xtest.length} are not rows of d = ${d}`);
  if (!(noise > 0)) throw new Error(`gpRegression: noise = ${noise}, expected > 0`);
  const nTest = Xtest.length / d;
  const L = kernel(Xtrain, Xtrain);
  for (let i = 0; i < n; i++) L[i * n + i] += noise;
  choleskyInPlace(L, n);
  const alpha = Float64Array.from(y);
  choleskySolve(L, n, alpha);
  const Ks = kernel(Xtest, Xtrain); // nTest × n
  const mean = new Float64Array(nTest);
  for (let t = 0; t < nTest; t++) {
    let f = 0;
    for (let mu = 0; mu < n; mu++) f += Ks[t * n + mu] * alpha[mu];
    mean[t] = f;
  }
  if (!input.variance) return { mean };
  const variance = new Float64Array(nTest);
  const v = new Float64Array(n);
  for (let t = 0; t < nTest; t++) {
    const row = Xtest.subarray(t * d, (t + 1) * d);
    const prior = kernel(row, row)[0];
    for (let mu = 0; mu < n; mu++) v[mu] = Ks[t * n + mu];
    choleskyForward(L, n, v);
    let vv = 0;
    for (let mu = 0; mu < n; mu++) vv += v[mu] * v[mu];
    variance[t] = prior - vv;
  }
  return { mean, variance };
}

export interface TeacherStudentGpOptions {
  /** Input dimension. */
  d: number;
  /** Weight ε of He₃ in the teacher. */
  eps: number;
  /** Training-set sizes. */
  ns: readonly number[];
  /** Likelihood noise σ² (the GP's noise). */
  sigma2: number;
  /** Test points per data set. */
  nTest: number;
  seed: number | string;
  /** Independent data sets (teacher, training and test set) averaged over; ≥ 2 for a standard error. */
  datasets: number;
  /** Prior variance of the input weights (default 1/d). */
  sigmaW2?: number;
  /** Output scale c = N s_a² (default 1). */
  c?: number;
}

export interface TeacherStudentGpPoint {
  n: number;
  /** Mean over data sets of Σ_t f(x_t) He₁(z_t) / Σ_t He₁(z_t)² on the test set (1 for a perfect predictor). */
  linear: number;
  linearSe: number;
  /** Mean over data sets of Σ_t f(x_t) He₃(z_t) / Σ_t He₃(z_t)² (ε for a perfect predictor). */
  cubic: number;
  cubicSe: number;
  /** Mean over data sets of the relative test error Σ (f − y)² / Σ y². */
  error: number;
  errorSe: number;
  /**
   * Mean over data sets of Σ_t f(x_t) Y₃(x_t) / Σ_t Y₃(x_t)², Y₃(x) = z³ − 3z|x|²/(d + 2)
   * the degree-3 harmonic part of He₃(z) (ε for a perfect predictor). On
   * Gaussian inputs He₃(z) = Y₃(x) + 3z(|x|²/(d + 2) − 1), two orthogonal
   * parts: the second, a fraction 3/(d + 2) of ⟨He₃²⟩ = 6, lies in the
   * kernel's degree-1 sector and is learned with the linear part; Y₃ is what
   * needs n ~ d³.
   */
  cubicHarmonic: number;
  cubicHarmonicSe: number;
  /** The metrics of each data set (data set k at index k; the same data sets at every n), for paired comparisons between n. */
  perDataset: { linear: number[]; cubic: number[]; error: number[]; cubicHarmonic: number[] };
}

/**
 * The GP-limit learning curve of teacher-student-erf: for each n, the GP
 * posterior mean (erf NNGP kernel, noise σ²) trained on n samples
 * y = He₁(z) + ε He₃(z), z = w*·x, x ~ N(0, I_d), and its linear and cubic
 * overlaps and test error (defined as the potential's observables
 * linear_overlap, cubic_overlap and test error) and the overlap with the
 * degree-3 harmonic part of He₃, averaged over `datasets`
 * independent draws of (w*, training set, test set) with standard errors
 * across data sets. Within a data set the training sets are nested (the n
 * first samples), so one Cholesky factorisation of the largest serves all n.
 */
export function teacherStudentGpCurve(options: TeacherStudentGpOptions): TeacherStudentGpPoint[] {
  const { d, eps, ns, sigma2, nTest, seed, datasets } = options;
  if (!Number.isInteger(d) || d < 1) throw new Error(`teacherStudentGpCurve: d = ${d}, expected an integer ≥ 1`);
  if (!Number.isInteger(nTest) || nTest < 1) throw new Error(`teacherStudentGpCurve: nTest = ${nTest}, expected an integer ≥ 1`);
  if (!Number.isInteger(datasets) || datasets < 1)
    throw new Error(`teacherStudentGpCurve: datasets = ${datasets}, expected an integer ≥ 1`);
  if (!(sigma2 > 0)) throw new Error(`teacherStudentGpCurve: sigma2 = ${sigma2}, expected > 0`);
  if (ns.length === 0 || ns.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error(`teacherStudentGpCurve: ns = ${JSON.stringify(ns)}, expected integers ≥ 1`);
  const kernel = erfNngp({ d, sigmaW2: options.sigmaW2, c: options.c });
  const nMax = Math.max(...ns);
  const perDataset = ns.map(() => ({
    linear: [] as number[],
    cubic: [] as number[],
    error: [] as number[],
    cubicHarmonic: [] as number[],
  }));
  const wStar = new Float64Array(d);
  const draw = (count: number, stream: Stream) => {
    const X = new Float64Array(count * d);
    const z = new Float64Array(count);
    for (let mu = 0; mu < count; mu++) {
      let s = 0;
      for (let j = 0; j < d; j++) {
        const v = stream.normal();
        X[mu * d + j] = v;
        s += v * wStar[j];
      }
      z[mu] = s;
    }
    return { X, z };
  };
  for (let k = 0; k < datasets; k++) {
    const teacher = new Stream(seed, k, 0, 'nngp/teacher');
    let norm2 = 0;
    for (let j = 0; j < d; j++) {
      wStar[j] = teacher.normal();
      norm2 += wStar[j] * wStar[j];
    }
    for (let j = 0; j < d; j++) wStar[j] /= Math.sqrt(norm2);
    const train = draw(nMax, new Stream(seed, k, 0, 'nngp/train'));
    const test = draw(nTest, new Stream(seed, k, 0, 'nngp/test'));
    const y = train.z.map((z) => z + eps * (z * z * z - 3 * z));
    const ytest = test.z.map((z) => z + eps * (z * z * z - 3 * z));
    const metrics = nestedGpMetrics({ d, X: train.X, y, Xtest: test.X, ztest: test.z, ytest }, ns, kernel, sigma2);
    metrics.forEach((m, p) => {
      perDataset[p].linear.push(m.linear);
      perDataset[p].cubic.push(m.cubic);
      perDataset[p].error.push(m.error);
      perDataset[p].cubicHarmonic.push(m.cubicHarmonic);
    });
  }
  const seOf = (xs: number[]) => (xs.length > 1 ? Moments.of(xs).sem : NaN);
  const meanOf = (xs: number[]) => Moments.of(xs).mean;
  return ns.map((n, p) => {
    const v = perDataset[p];
    return {
      n,
      linear: meanOf(v.linear),
      linearSe: seOf(v.linear),
      cubic: meanOf(v.cubic),
      cubicSe: seOf(v.cubic),
      error: meanOf(v.error),
      errorSe: seOf(v.error),
      cubicHarmonic: meanOf(v.cubicHarmonic),
      cubicHarmonicSe: seOf(v.cubicHarmonic),
      perDataset: v,
    };
  });
}

/** One teacher–student data set: training inputs and labels, test inputs, their teacher projections and labels. */
export interface TeacherStudentDataSet {
  d: number;
  /** Training inputs, at least max(ns) × d row-major; the first n rows are the training set of size n. */
  X: Float64Array;
  /** Training labels (at least max(ns)). */
  y: ArrayLike<number>;
  /** Test inputs, nTest × d. */
  Xtest: Float64Array;
  /** z = w*·x of the test inputs. */
  ztest: ArrayLike<number>;
  /** Test labels. */
  ytest: ArrayLike<number>;
}

/** The test-set metrics of a predictor, as the teacher-student-erf observables define them. */
export interface TeacherStudentMetrics {
  n: number;
  /** Σ_t f He₁ / Σ_t He₁² (1 for the teacher). */
  linear: number;
  /** Σ_t f He₃ / Σ_t He₃² (ε for the teacher). */
  cubic: number;
  /** Σ_t f Y₃ / Σ_t Y₃², Y₃ = z³ − 3z|x|²/(d + 2) (ε for the teacher). */
  cubicHarmonic: number;
  /** Σ_t (f − y)² / Σ_t y². */
  error: number;
}

/**
 * The GP posterior mean trained on the first n samples of one data set, for
 * each n of `ns`, and its test-set metrics. The training sets are nested, so
 * one Cholesky factorisation of the largest serves every n.
 */
export function nestedGpMetrics(
  data: TeacherStudentDataSet,
  ns: readonly number[],
  kernel: GramFunction,
  sigma2: number,
): TeacherStudentMetrics[] {
  const { d, X, y, Xtest, ztest, ytest } = data;
  const nMax = Math.max(...ns);
  const nTest = ztest.length;
  if (X.length < nMax * d || y.length < nMax)
    throw new Error(`nestedGpMetrics: ${y.length} training samples, fewer than the largest n = ${nMax}`);
  if (Xtest.length !== nTest * d || ytest.length !== nTest)
    throw new Error(`nestedGpMetrics: test inputs of length ${Xtest.length} for ${nTest} projections and ${ytest.length} labels`);
  if (!(sigma2 > 0)) throw new Error(`nestedGpMetrics: sigma2 = ${sigma2}, expected > 0`);
  let he1Sq = 0;
  let he3Sq = 0;
  let y3Sq = 0;
  let yTest2 = 0;
  const he3 = new Float64Array(nTest);
  const y3 = new Float64Array(nTest);
  for (let t = 0; t < nTest; t++) {
    const z = ztest[t];
    let r2 = 0;
    for (let j = 0; j < d; j++) r2 += Xtest[t * d + j] * Xtest[t * d + j];
    he3[t] = z * z * z - 3 * z;
    y3[t] = z * z * z - (3 * z * r2) / (d + 2);
    he1Sq += z * z;
    he3Sq += he3[t] * he3[t];
    y3Sq += y3[t] * y3[t];
    yTest2 += ytest[t] * ytest[t];
  }
  const L = kernel(X.subarray(0, nMax * d), X.subarray(0, nMax * d));
  for (let i = 0; i < nMax; i++) L[i * nMax + i] += sigma2;
  choleskyInPlace(L, nMax);
  const Ks = kernel(Xtest, X.subarray(0, nMax * d)); // nTest × nMax
  const alpha = new Float64Array(nMax);
  return ns.map((n) => {
    for (let mu = 0; mu < n; mu++) alpha[mu] = y[mu];
    choleskySolve(L, n, alpha, nMax);
    let l = 0;
    let c = 0;
    let h = 0;
    let se = 0;
    for (let t = 0; t < nTest; t++) {
      let f = 0;
      const row = t * nMax;
      for (let mu = 0; mu < n; mu++) f += Ks[row + mu] * alpha[mu];
      l += f * ztest[t];
      c += f * he3[t];
      h += f * y3[t];
      se += (f - ytest[t]) * (f - ytest[t]);
    }
    return { n, linear: l / he1Sq, cubic: c / he3Sq, cubicHarmonic: h / y3Sq, error: se / yTest2 };
  });
}
