/**
 * The repon pair (docs/models.md §3.1; Baek, Liu, Tegmark, "GenEFT", Sec. 5 and App. C):
 * two same-cluster embeddings x₁, x₂ under a locally linear decoder D(x) = Ax + b.
 * With r = (x₁ − x₂)/2 (half the separation) and the bias eliminated, gradient
 * flow with rates η_A (decoder) and η_x (repons) is
 *
 *   dA/dt = −2η_A A r rᵀ,   dr/dt = −η_x AᵀA r                     (GenEFT Eq. 7)
 *
 * and on the ansatz A = a A₀ + b A₀r₀r₀ᵀ, r = c r₀ (|r₀| = 1, r₀ an eigenvector
 * of A₀ᵀA₀) it reduces to the scalar flow
 *
 *   da₂/dt = −2η_A c² a₂,   dc/dt = −η_x a₂² c                      (GenEFT Eq. 9)
 *
 * Conserved: C = a₂²/(2η_A) − c²/η_x (scalar, Eq. 10) and
 * C = ‖A‖_F²/(4η_A) − |r|²/(2η_x) (matrix form; both terms change by −|Ar|²).
 * C > 0 ⇒ c → 0 (collision: generalization); C < 0 ⇒ a₂ → 0 (memorization).
 *
 * Units: t is physical time (steps · η for a unit-rate flow; the rates η_A, η_x
 * carry the learning rates, so a gradient-descent step is Δt = 1); lengths in
 * embedding units. Matrices are row-major Float64Arrays, A ∈ R^{rows×d}.
 */

/** Learning rates of the two parameter groups: decoder (A, b) and repons (x₁, x₂). */
export interface ReponRates {
  /** Decoder rate η_A > 0. */
  etaA: number;
  /** Repon (encoder) rate η_x > 0. */
  etaX: number;
}

function checkRates(r: ReponRates, who: string): void {
  if (!(r.etaA > 0) || !(r.etaX > 0)) throw new RangeError(`${who}: need η_A > 0 and η_x > 0, got η_A = ${r.etaA}, η_x = ${r.etaX}`);
}

// ------------------------------------------------------------ collision law

/** Parameters of the collision law: initial a₂ ~ N(0, σ_a²), c ~ N(0, σ_c²). */
export interface CollisionProbabilityParams extends ReponRates {
  /** Spread σ_a of the decoder coefficient a₂ at initialisation. */
  sigmaA: number;
  /** Spread σ_c of the HALF-separation c (|r| = |x₁ − x₂|/2) at initialisation. */
  sigmaC: number;
}

/**
 * Collision probability (GenEFT Eq. 11): `p_r = (2/π) arctan((σ_a/σ_c) sqrt(η_x/(2η_A)))`.
 * Derivation: collision ⇔ C > 0 ⇔ |c/a₂| < sqrt(η_x/(2η_A)); (σ_a/σ_c)·c/a₂ is
 * standard Cauchy. σ_c is the spread of the half-separation: with the spread of
 * the full separation x₁ − x₂ the argument would be (σ_a/σ_c) sqrt(2η_x/η_A).
 */
export function collisionProbability(p: CollisionProbabilityParams): number {
  checkRates(p, 'collisionProbability');
  if (!(p.sigmaA > 0) || !(p.sigmaC > 0)) throw new RangeError(`collisionProbability: need σ_a, σ_c > 0, got ${p.sigmaA}, ${p.sigmaC}`);
  return (2 / Math.PI) * Math.atan((p.sigmaA / p.sigmaC) * Math.sqrt(p.etaX / (2 * p.etaA)));
}

/**
 * Rate ratio η_x/η_A at which p_r equals `probability` (inverse of Eq. 11):
 * `η_x/η_A = 2 (σ_c/σ_a)² tan²(π p/2)`.
 */
export function collisionRatioForProbability(probability: number, sigmaA: number, sigmaC: number): number {
  if (!(probability > 0 && probability < 1))
    throw new RangeError(`collisionRatioForProbability: probability must be in (0, 1), got ${probability}`);
  if (!(sigmaA > 0) || !(sigmaC > 0)) throw new RangeError(`collisionRatioForProbability: need σ_a, σ_c > 0`);
  const t = Math.tan((Math.PI * probability) / 2);
  return 2 * (sigmaC / sigmaA) ** 2 * t * t;
}

/** The generalization/memorization boundary p_r = threshold in the (η_x, η_A) plane. */
export interface ReponPhaseBoundary {
  /** Collision probability that defines the boundary. */
  threshold: number;
  /** η_A/η_x on the boundary; above it (faster decoder) p_r < threshold. */
  ratio: number;
  /** Slope of log η_A against log η_x: exactly +1 (a ratio rule, not a product rule). */
  slope: 1;
  /** log₁₀ η_A − log₁₀ η_x on the boundary (= log₁₀ ratio). */
  log10Intercept: number;
  /** η_A on the boundary for a given η_x. */
  etaA(etaX: number): number;
}

/**
 * Phase boundary of Eq. 11 (docs/models.md §3.1): p_r(η_x, η_A) = threshold (default
 * 1/2, i.e. the median initialisation sits on C = 0) is the straight line
 * `η_A = η_x (σ_a/σ_c)² / (2 tan²(π·threshold/2))`, slope +1 in log–log axes
 * (log η_A vs log η_x). The paper's text states slope −1; Eq. 11 depends on the
 * ratio only (docs/models.md §3.2 asks to measure it).
 */
export function reponPhaseBoundary(sigmaA: number, sigmaC: number, threshold = 0.5): ReponPhaseBoundary {
  const ratio = 1 / collisionRatioForProbability(threshold, sigmaA, sigmaC);
  return { threshold, ratio, slope: 1, log10Intercept: Math.log10(ratio), etaA: (etaX: number) => ratio * etaX };
}

// ------------------------------------------------------- conserved quantities

/** Scalar conserved quantity (GenEFT Eq. 10): `C = a₂²/(2η_A) − c²/η_x`. */
export function conservedScalar(a2: number, c: number, rates: ReponRates): number {
  return (a2 * a2) / (2 * rates.etaA) - (c * c) / rates.etaX;
}

/**
 * Matrix conserved quantity (docs/models.md §3.1): `C = ‖A‖_F²/(4η_A) − |r|²/(2η_x)`
 * for A ∈ R^{rows×d} (row-major, length rows·d) and r ∈ R^d. For rows = d = 1 it
 * is half the scalar C.
 */
export function conservedMatrix(A: ArrayLike<number>, r: ArrayLike<number>, rates: ReponRates): number {
  return sumSq(A) / (4 * rates.etaA) - sumSq(r) / (2 * rates.etaX);
}

/** The two terms of the matrix C, for a drift relative to their scale. */
function matrixTerms(A: ArrayLike<number>, r: ArrayLike<number>, rates: ReponRates): [number, number] {
  return [sumSq(A) / (4 * rates.etaA), sumSq(r) / (2 * rates.etaX)];
}

function sumSq(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i] * v[i];
  return s;
}

// ------------------------------------------------------- exact scalar solution

/**
 * Solution of dw/dt = −α w (w + β), w(0) = w₀ ≥ 0: with z = 1/w, z' = α + αβz, so
 * `1/w(t) = e^{αβt}/w₀ + expm1(αβt)/β` (→ αt as β → 0); no cancellation for either sign of β.
 */
function logisticDecay(w0: number, alpha: number, beta: number, t: number): number {
  if (w0 === 0) return 0;
  const x = alpha * beta * t;
  const tail = beta === 0 ? alpha * t : Math.expm1(x) / beta;
  return 1 / (Math.exp(x) / w0 + tail);
}

/**
 * Exact solution of the scalar flow (Eq. 9) at time t. With u = c², v = a₂² and
 * C conserved, du/dt = −4η_A u (u + η_x C) and dv/dt = −2η_x v (v − 2η_A C), two
 * logistic equations solved in closed form ({@link logisticDecay}); a₂ and c keep
 * their signs. For C > 0, |c| decays like e^{−2η_Aη_x C t}; for C < 0, |a₂| does.
 */
export function scalarReponExact(a2: number, c: number, rates: ReponRates, t: number): { a2: number; c: number } {
  checkRates(rates, 'scalarReponExact');
  const C = conservedScalar(a2, c, rates);
  const u = logisticDecay(c * c, 4 * rates.etaA, rates.etaX * C, t);
  const v = logisticDecay(a2 * a2, 2 * rates.etaX, -2 * rates.etaA * C, t);
  return { a2: Math.sign(a2) * Math.sqrt(v), c: Math.sign(c) * Math.sqrt(u) };
}

/**
 * Exact time at which the decaying variable of the scalar flow — |c| if C ≥ 0,
 * |a₂| if C < 0 — reaches `tol` times its initial value (the decision time of
 * {@link integrateReponScalar} unless |C| is so small that the other variable
 * gets there first). From the closed form with w the decaying square,
 * 1/w(t) = e^{x}/w₀ + expm1(x)/β, x = αβt, β ≥ 0: x = log1p((1/(tol²w₀) − 1/w₀)·β/(1 + β/w₀)).
 * Grows like 1/|C| as C → 0 (the slow "undecided" band).
 */
export function scalarReponDecisionTime(a2: number, c: number, rates: ReponRates, tol = 1e-6): number {
  checkRates(rates, 'scalarReponDecisionTime');
  const C = conservedScalar(a2, c, rates);
  const [w0, alpha, beta] = C >= 0 ? [c * c, 4 * rates.etaA, rates.etaX * C] : [a2 * a2, 2 * rates.etaX, -2 * rates.etaA * C];
  if (w0 === 0) return 0;
  const gap = 1 / (tol * tol * w0) - 1 / w0; // required growth of 1/w
  if (beta === 0) return gap / alpha;
  return Math.log1p((gap * beta) / (1 + beta / w0)) / (alpha * beta);
}

// ------------------------------------------- decoder weight decay (scalar)

/**
 * The principal branch W₀(z) of the Lambert function at z = e^{logZ} (z > 0),
 * from its logarithm so that arguments like e^{1000} are fine: the root of
 * w + ln w = logZ by Newton's method (w > 0), started at e^{logZ} for small z
 * and at logZ − ln logZ for large z.
 */
export function lambertW0FromLog(logZ: number): number {
  if (logZ < -700) return Math.exp(logZ); // W(z) = z − z² + … below double precision
  let w = logZ < 1 ? Math.exp(logZ) / (1 + Math.exp(logZ)) : logZ - Math.log(logZ);
  for (let i = 0; i < 100; i++) {
    const f = w + Math.log(w) - logZ;
    const next = w - f / (1 + 1 / w);
    const nw = next > 0 ? next : w / 2;
    if (Math.abs(nw - w) <= 1e-15 * Math.max(1, w)) return nw;
    w = nw;
  }
  return w;
}

/**
 * The end of the scalar flow with decoder weight decay γ ≥ 0
 * (Liu et al. App. L; docs/models.md §3.1):
 *   da₂/dt = −2η_A a₂ (c² + γ),   dc/dt = −η_x a₂² c.
 * With u = c², v = a₂²: d(v/(2η_A) − u/η_x)/dt = −2γv and d ln u/dt = −2η_x v,
 * so C(t) = C₀ + (γ/η_x) ln(u/u₀); as t → ∞, v → 0 (at least like e^{−4η_Aγt})
 * and C → −u_∞/η_x, hence
 *   u_∞ + γ ln(u_∞/u₀) = u₀ − η_x v₀/(2η_A) =: B,
 *   u_∞ = γ W₀((u₀/γ) e^{B/γ})
 * (γ → 0: u_∞ = max(B, 0), the conserved-C outcome). With γ > 0 the separation
 * never closes in full: c_∞/c₀ = e^{B/(2γ)}-small where B < 0. Returns c_∞
 * (the sign of c) and c_∞/c₀.
 */
export function reponFinalSeparationWithDecay(
  a2: number,
  c: number,
  rates: ReponRates,
  gamma: number,
): { c: number; separationRatio: number } {
  checkRates(rates, 'reponFinalSeparationWithDecay');
  if (!(gamma >= 0)) throw new RangeError(`reponFinalSeparationWithDecay: need γ ≥ 0, got ${gamma}`);
  const u0 = c * c;
  if (u0 === 0) return { c: 0, separationRatio: 0 };
  const B = u0 - (rates.etaX * a2 * a2) / (2 * rates.etaA);
  const u = gamma === 0 ? Math.max(B, 0) : gamma * lambertW0FromLog(Math.log(u0 / gamma) + B / gamma);
  const ratio = Math.sqrt(u / u0);
  return { c: Math.sign(c) * Math.sqrt(u), separationRatio: ratio };
}

/**
 * The rate ratio η_x/η_A at which the scalar flow with decoder weight decay γ
 * ends with separation ratio c_∞/c₀ = s (0 < s < 1), from the implicit law of
 * {@link reponFinalSeparationWithDecay}:
 *   η_x/η_A = 2 (c₀²(1 − s²) − 2γ ln s) / a₂².
 * γ = 0, s → 0: 2c₀²/a₂², the C₀ = 0 line of GenEFT Eq. 10. Decoder weight
 * decay moves the line to larger η_x/η_A by 4γ ln(1/s)/a₂²: it stops the
 * decoder before the repons meet, so collisions need a faster encoder.
 */
export function reponDecayBoundaryRatio(a2: number, c: number, gamma: number, s: number): number {
  if (!(s > 0 && s < 1)) throw new RangeError(`reponDecayBoundaryRatio: need 0 < s < 1, got ${s}`);
  if (!(gamma >= 0)) throw new RangeError(`reponDecayBoundaryRatio: need γ ≥ 0, got ${gamma}`);
  return (2 * (c * c * (1 - s * s) - 2 * gamma * Math.log(s))) / (a2 * a2);
}

// -------------------------------------------------------------- integrators

/** Options for the repon-flow integrators. */
export interface ReponFlowOptions {
  /**
   * Relative decision tolerance (default 1e-6). The flow stops (is "decided")
   * when the separation |r| (scalar: |c|) falls to tol·|r₀| — a collision — or
   * when the decoder gain along the separation |Ar|/|r| (scalar: |a₂|) falls to
   * tol times its initial value — no collision. Whichever happens first.
   */
  tol?: number;
  /**
   * Step as a fraction of the fastest local timescale (default 0.05): h = κ/λ
   * with λ = max(2η_A|r|², η_x‖A‖_F²), the norms of the two linear operators
   * −2η_A(·)rrᵀ and −η_x AᵀA(·) that drive A and r. RK4's local relative error
   * on a linear decay is (hλ)⁵/120 ≈ 3e-9 at κ = 0.05, and the step grows as the
   * rates die out, so the slow algebraic approach near C = 0 costs O(log t/κ)
   * steps instead of O(t).
   */
  kappa?: number;
  /** Fixed step h instead of the adaptive one (for drift studies; needs tEnd). */
  step?: number;
  /** Integrate to this time (then the decision flags are evaluated at tEnd). */
  tEnd?: number;
  /** Update rule: classical RK4 (default) or explicit Euler = gradient descent with per-group rates. */
  method?: 'rk4' | 'euler';
  /** Step cap (default 1e6). */
  maxSteps?: number;
}

/** Final state of a repon flow. */
export interface ReponFlowResult {
  /** Decoder at the end (scalar flow: [a₂]). */
  A: Float64Array;
  /** Half-separation at the end (scalar flow: [c]). */
  r: Float64Array;
  t: number;
  steps: number;
  /** |r| fell to tol·|r₀| before the decoder gain fell to tol times its initial value. */
  collided: boolean;
  /** One of the two decision criteria was met (false: stopped by tEnd or maxSteps). */
  decided: boolean;
  /** Conserved quantity at start and end (matrix convention C = ‖A‖²/(4η_A) − |r|²/(2η_x)). */
  C0: number;
  C: number;
  /** max over steps of |C(t) − C₀| / (‖A₀‖²/(4η_A) + |r₀|²/(2η_x)). */
  maxRelDrift: number;
  /** |r|/|r₀|, (|Ar|/|r|)/(|A₀r₀|/|r₀|), ‖A‖_F/‖A₀‖_F at the end. */
  separationRatio: number;
  gainRatio: number;
  decoderRatio: number;
}

/**
 * Integrate the reduced matrix flow dA/dt = −2η_A A r rᵀ, dr/dt = −η_x AᵀA r
 * (GenEFT Eq. 7) for A ∈ R^{rows×d} (row-major) and r ∈ R^d.
 *
 * Collision is |r| → 0 in full (not a projection). Caveat: for A ∈ R^{1×d} the
 * bivector a ∧ r is also conserved (da∧r + a∧dr ∝ r∧r + a∧a = 0), so the flow
 * ends at a·r = 0 with |a||r| = |a₀ ∧ r₀| > 0 unless a₀ ∥ r₀: generic d ≥ 2
 * initial states never collide in full ({@link rowVectorFinalState} gives the
 * end state in closed form); they end "not collided" by the gain criterion.
 * With rows = d = 1 the flow is exactly the scalar one (a₂ = A, c = r).
 */
export function integrateReponMatrix(
  A0: ArrayLike<number>,
  r0: ArrayLike<number>,
  rows: number,
  rates: ReponRates,
  options: ReponFlowOptions = {},
): ReponFlowResult {
  checkRates(rates, 'integrateReponMatrix');
  const d = r0.length;
  if (!(Number.isInteger(rows) && rows >= 1) || A0.length !== rows * d) {
    throw new RangeError(`integrateReponMatrix: A must have rows·d = ${rows}·${d} entries, got ${A0.length}`);
  }
  const tol = options.tol ?? 1e-6;
  const kappa = options.kappa ?? 0.05;
  const maxSteps = options.maxSteps ?? 1_000_000;
  const method = options.method ?? 'rk4';
  const tEnd = options.tEnd ?? Infinity;
  if (options.step !== undefined && !(options.step > 0 && Number.isFinite(tEnd))) {
    throw new RangeError('integrateReponMatrix: a fixed step needs step > 0 and a finite tEnd');
  }
  const nA = rows * d;
  const n = nA + d;
  // State y = [A (row-major), r].
  const y = new Float64Array(n);
  for (let i = 0; i < nA; i++) y[i] = A0[i];
  for (let i = 0; i < d; i++) y[nA + i] = r0[i];
  const { etaA, etaX } = rates;

  const Ar = new Float64Array(rows);
  const deriv = (s: Float64Array, out: Float64Array): void => {
    for (let i = 0; i < rows; i++) {
      let v = 0;
      for (let j = 0; j < d; j++) v += s[i * d + j] * s[nA + j];
      Ar[i] = v;
    }
    for (let i = 0; i < rows; i++) for (let j = 0; j < d; j++) out[i * d + j] = -2 * etaA * Ar[i] * s[nA + j];
    for (let j = 0; j < d; j++) {
      let v = 0;
      for (let i = 0; i < rows; i++) v += s[i * d + j] * Ar[i];
      out[nA + j] = -etaX * v;
    }
  };
  const norms = (s: Float64Array): { a2: number; r2: number; ar: number } => {
    let a2 = 0;
    for (let i = 0; i < nA; i++) a2 += s[i] * s[i];
    let r2 = 0;
    for (let j = 0; j < d; j++) r2 += s[nA + j] * s[nA + j];
    let ar = 0;
    for (let i = 0; i < rows; i++) {
      let v = 0;
      for (let j = 0; j < d; j++) v += s[i * d + j] * s[nA + j];
      ar += v * v;
    }
    return { a2, r2, ar: Math.sqrt(ar) };
  };

  const start = norms(y);
  const r0n = Math.sqrt(start.r2);
  const gain0 = r0n > 0 ? start.ar / r0n : 0;
  const [ta, tr] = matrixTerms(A0, r0, rates);
  const scale = ta + tr;
  const C0 = ta - tr;
  const k1 = new Float64Array(n),
    k2 = new Float64Array(n),
    k3 = new Float64Array(n),
    k4 = new Float64Array(n);
  const tmp = new Float64Array(n);

  let t = 0;
  let steps = 0;
  let maxRelDrift = 0;
  let collided = false;
  let decided = false;
  const judge = (): boolean => {
    const m = norms(y);
    const rn = Math.sqrt(m.r2);
    if (rn <= tol * r0n) {
      collided = true;
      decided = true;
    } else if (gain0 === 0 || m.ar / rn <= tol * gain0) {
      decided = true;
    }
    return decided;
  };
  judge();
  // Fixed steps end within rounding of tEnd (no sliver step from accumulated t).
  const tStop = options.step !== undefined ? tEnd - 1e-9 * options.step : tEnd;
  while (!decided && t < tStop && steps < maxSteps) {
    const m = norms(y);
    const lambda = Math.max(2 * etaA * m.r2, etaX * m.a2);
    let h = options.step ?? kappa / lambda;
    if (!(Number.isFinite(h) && h > 0)) break; // frozen state: nothing moves
    if (t + h > tStop) h = tEnd - t;
    if (method === 'euler') {
      deriv(y, k1);
      for (let i = 0; i < n; i++) y[i] += h * k1[i];
    } else {
      deriv(y, k1);
      for (let i = 0; i < n; i++) tmp[i] = y[i] + 0.5 * h * k1[i];
      deriv(tmp, k2);
      for (let i = 0; i < n; i++) tmp[i] = y[i] + 0.5 * h * k2[i];
      deriv(tmp, k3);
      for (let i = 0; i < n; i++) tmp[i] = y[i] + h * k3[i];
      deriv(tmp, k4);
      for (let i = 0; i < n; i++) y[i] += (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
    }
    t += h;
    steps++;
    const Ct = conservedMatrix(y.subarray(0, nA), y.subarray(nA), rates);
    const drift = Math.abs(Ct - C0) / scale;
    if (drift > maxRelDrift) maxRelDrift = drift;
    if (options.tEnd === undefined) judge();
  }
  if (options.tEnd !== undefined) judge();
  const end = norms(y);
  const rn = Math.sqrt(end.r2);
  return {
    A: y.slice(0, nA),
    r: y.slice(nA),
    t,
    steps,
    collided,
    decided,
    C0,
    C: conservedMatrix(y.subarray(0, nA), y.subarray(nA), rates),
    maxRelDrift,
    separationRatio: r0n > 0 ? rn / r0n : 0,
    gainRatio: gain0 > 0 && rn > 0 ? end.ar / rn / gain0 : 0,
    decoderRatio: start.a2 > 0 ? Math.sqrt(end.a2 / start.a2) : 0,
  };
}

/**
 * Integrate the scalar flow (Eq. 9) from (a₂, c): the rows = d = 1 case of
 * {@link integrateReponMatrix} (A = a₂, r = c), same options and flags. Its C0/C
 * are reported in the scalar convention a₂²/(2η_A) − c²/η_x (twice the matrix one).
 */
export function integrateReponScalar(a2: number, c: number, rates: ReponRates, options: ReponFlowOptions = {}): ReponFlowResult {
  const res = integrateReponMatrix([a2], [c], 1, rates, options);
  return { ...res, C0: 2 * res.C0, C: 2 * res.C };
}

/**
 * Closed-form end state of the matrix flow for a row-vector decoder a ∈ R^{1×d}:
 * with P = |a|², Q = |r|², both C = P/(4η_A) − Q/(2η_x) and W² = PQ − (a·r)²
 * (|a ∧ r|²) are conserved, and the flow stops at a·r = 0, so PQ = W² and
 * `Q∞ = η_x(−C + sqrt(C² + W²/(2η_Aη_x)))`, `P∞ = 4η_A(C + Q∞/(2η_x))`.
 * Returns |r∞| and |a∞|. For W = 0 (a₀ ∥ r₀) this is the scalar limit.
 */
export function rowVectorFinalState(a0: ArrayLike<number>, r0: ArrayLike<number>, rates: ReponRates): { rNorm: number; aNorm: number } {
  checkRates(rates, 'rowVectorFinalState');
  if (a0.length !== r0.length) throw new RangeError('rowVectorFinalState: a and r must have the same length');
  const P = sumSq(a0);
  const Q = sumSq(r0);
  let s = 0;
  for (let i = 0; i < a0.length; i++) s += a0[i] * r0[i];
  const W2 = Math.max(0, P * Q - s * s);
  const C = P / (4 * rates.etaA) - Q / (2 * rates.etaX);
  // (2η_A/η_x) Q² + 4η_A C Q − W² = 0, positive root, written without cancellation.
  const disc = Math.sqrt(C * C + W2 / (2 * rates.etaA * rates.etaX));
  const Qinf = C <= 0 ? rates.etaX * (disc - C) : W2 / (2 * rates.etaA * (disc + C));
  const Pinf = C >= 0 ? 4 * rates.etaA * (C + Qinf / (2 * rates.etaX)) : Qinf > 0 ? W2 / Qinf : 0;
  return { rNorm: Math.sqrt(Qinf), aNorm: Math.sqrt(Pinf) };
}

// ------------------------------------------------------------- Monte Carlo

/** Options for {@link reponCollisionMonteCarlo}. */
export interface ReponMonteCarloOptions extends CollisionProbabilityParams {
  /** Number of Gaussian initialisations. */
  samples: number;
  /** Standard normal source (e.g. `() => stream.normal()` of engine/rng.ts Stream). */
  normal: () => number;
  /** Integrator options (default: adaptive RK4, tol 1e-6, run until decided). */
  flow?: ReponFlowOptions;
}

/** Collision frequency of the scalar flow over Gaussian initial (a₂, c), next to p_r. */
export interface ReponMonteCarloResult {
  samples: number;
  collided: number;
  /** Initialisations that met neither criterion within maxSteps (counted as not collided). */
  undecided: number;
  /** Initialisations whose flag disagrees with sign(C₀) (C₀ > 0 ⇔ collision). */
  signMismatches: number;
  fraction: number;
  /** Binomial standard error at the theoretical p_r: sqrt(p_r(1 − p_r)/samples). */
  se: number;
  /** p_r of Eq. 11. */
  pr: number;
}

/**
 * Monte Carlo of the collision law: draw a₂ ~ N(0, σ_a²), c ~ N(0, σ_c²)
 * (a₂ first, then c, per sample), integrate the scalar flow (Eq. 9) until
 * decided, and count collisions.
 */
export function reponCollisionMonteCarlo(o: ReponMonteCarloOptions): ReponMonteCarloResult {
  const pr = collisionProbability(o);
  let collided = 0;
  let undecided = 0;
  let signMismatches = 0;
  for (let k = 0; k < o.samples; k++) {
    const a2 = o.sigmaA * o.normal();
    const c = o.sigmaC * o.normal();
    const res = integrateReponScalar(a2, c, o, o.flow);
    if (res.collided) collided++;
    if (!res.decided) undecided++;
    if (res.collided !== res.C0 > 0) signMismatches++;
  }
  return {
    samples: o.samples,
    collided,
    undecided,
    signMismatches,
    fraction: collided / o.samples,
    se: Math.sqrt((pr * (1 - pr)) / o.samples),
    pr,
  };
}
