/**
 * Adaptive Gauss–Kronrod (G7/K15) quadrature on finite intervals, and robust
 * integration of Boltzmann factors `exp(−f/θ)`.
 *
 * Used by the Gibbs density (docs/models.md §1.1), the exact MFPT (docs/models.md §1.2) and
 * the free energy of wells (docs/models.md §1.3). Pure functions, no printing.
 */

/** Options of the adaptive quadrature. */
export interface QuadratureOptions {
  /** Absolute tolerance on the integral. Default 1e-13. */
  absTol?: number;
  /** Relative tolerance on the integral. Default 1e-11. */
  relTol?: number;
  /** Maximum number of subintervals kept by the adaptive bisection. Default 4000. */
  maxIntervals?: number;
  /** Interior points where the integrand has kinks or narrow peaks; the
   * integration starts from the partition they define. Default none. */
  breakpoints?: readonly number[];
}

/** Result of {@link integrateAdaptive}. */
export interface QuadratureResult {
  /** Estimate of ∫_a^b g. */
  value: number;
  /** Estimate of the absolute error (QUADPACK-style G7/K15 estimate, summed). */
  error: number;
  /** Number of integrand evaluations. */
  evaluations: number;
  /** Whether the requested tolerance was met before `maxIntervals`. */
  converged: boolean;
}

// Kronrod 15-point nodes (non-negative half) and weights; Gauss 7-point weights
// for the nodes XGK[1], XGK[3], XGK[5], XGK[7] (QUADPACK qk15).
const XGK = [
  0.991455371120812639206854697526329, 0.949107912342758524526189684047851, 0.864864423359769072789712788640926,
  0.741531185599394439863864773280788, 0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
  0.207784955007898467600689403773245, 0.0,
];
const WGK = [
  0.02293532201052922496373200805897, 0.063092092629978553290700663189204, 0.104790010322250183839876322541518,
  0.140653259715525918745189590510238, 0.16900472663926790282658342659855, 0.190350578064785409913256402421014,
  0.204432940075298892414161999234649, 0.209482141084727828012999174891714,
];
const WG = [
  0.129484966168869693270611432679082, 0.27970539148927666790146777142378, 0.381830050505118944950369775488975,
  0.417959183673469387755102040816327,
];
const EPMACH = Number.EPSILON;
const UFLOW = Number.MIN_VALUE;

/** One G7/K15 panel on [a, b]: Kronrod value and QUADPACK error estimate. */
export function gaussKronrod15(g: (x: number) => number, a: number, b: number): { value: number; error: number } {
  const c = 0.5 * (a + b);
  const h = 0.5 * (b - a);
  const absH = Math.abs(h);
  const fc = g(c);
  let resG = fc * WG[3]!;
  let resK = fc * WGK[7]!;
  let resAbs = Math.abs(resK);
  const fv1 = new Array<number>(7);
  const fv2 = new Array<number>(7);
  for (let j = 0; j < 7; j++) {
    const dx = h * XGK[j]!;
    const f1 = g(c - dx);
    const f2 = g(c + dx);
    fv1[j] = f1;
    fv2[j] = f2;
    resK += WGK[j]! * (f1 + f2);
    resAbs += WGK[j]! * (Math.abs(f1) + Math.abs(f2));
    if (j % 2 === 1) resG += WG[(j - 1) / 2]! * (f1 + f2);
  }
  const mean = resK * 0.5;
  let resAsc = WGK[7]! * Math.abs(fc - mean);
  for (let j = 0; j < 7; j++) resAsc += WGK[j]! * (Math.abs(fv1[j]! - mean) + Math.abs(fv2[j]! - mean));
  const value = resK * h;
  resAbs *= absH;
  resAsc *= absH;
  let error = Math.abs((resK - resG) * h);
  if (resAsc !== 0 && error !== 0) error = resAsc * Math.min(1, Math.pow((200 * error) / resAsc, 1.5));
  if (resAbs > UFLOW / (50 * EPMACH)) error = Math.max(EPMACH * 50 * resAbs, error);
  return { value, error };
}

interface Panel {
  a: number;
  b: number;
  value: number;
  error: number;
}

/**
 * Globally adaptive G7/K15 quadrature of `g` over the finite interval [a, b]
 * (a > b gives the negated integral). The panel with the largest error estimate
 * is bisected until `error ≤ max(absTol, relTol·|value|)`.
 * Caveat: a peak narrower than ~1e-3 of every initial panel can be missed
 * entirely (all nodes see ~0): pass `breakpoints` that bracket such a feature
 * within a few widths (a single breakpoint at the peak is not enough), or use
 * {@link boltzmannBreakpoints}.
 */
export function integrateAdaptive(g: (x: number) => number, a: number, b: number, options: QuadratureOptions = {}): QuadratureResult {
  if (!Number.isFinite(a) || !Number.isFinite(b)) throw new RangeError(`integrateAdaptive: finite limits required, got [${a}, ${b}]`);
  if (a === b) return { value: 0, error: 0, evaluations: 0, converged: true };
  if (a > b) {
    const r = integrateAdaptive(g, b, a, options);
    return { ...r, value: -r.value };
  }
  const absTol = options.absTol ?? 1e-13;
  const relTol = options.relTol ?? 1e-11;
  const maxIntervals = options.maxIntervals ?? 4000;
  const cuts = [a, ...(options.breakpoints ?? []).filter((x) => x > a && x < b).sort((x, y) => x - y), b];
  const panels: Panel[] = [];
  let evaluations = 0;
  for (let i = 0; i + 1 < cuts.length; i++) {
    const lo = cuts[i]!;
    const hi = cuts[i + 1]!;
    if (hi <= lo) continue;
    const r = gaussKronrod15(g, lo, hi);
    evaluations += 15;
    panels.push({ a: lo, b: hi, value: r.value, error: r.error });
  }
  // Max-heap on error.
  const heap = panels.slice();
  const less = (i: number, j: number): boolean => heap[i]!.error < heap[j]!.error;
  const swap = (i: number, j: number): void => {
    const t = heap[i]!;
    heap[i] = heap[j]!;
    heap[j] = t;
  };
  const siftDown = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(m, l)) m = l;
      if (r < heap.length && less(m, r)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  const siftUp = (i: number): void => {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(p, i)) return;
      swap(p, i);
      i = p;
    }
  };
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(i);
  let value = 0;
  let error = 0;
  for (const p of heap) {
    value += p.value;
    error += p.error;
  }
  let converged = error <= Math.max(absTol, relTol * Math.abs(value));
  while (!converged && heap.length < maxIntervals) {
    const worst = heap[0]!;
    const mid = 0.5 * (worst.a + worst.b);
    if (!(mid > worst.a && mid < worst.b)) break; // interval at machine resolution
    const left = gaussKronrod15(g, worst.a, mid);
    const right = gaussKronrod15(g, mid, worst.b);
    evaluations += 30;
    value += left.value + right.value - worst.value;
    error += left.error + right.error - worst.error;
    heap[0] = { a: worst.a, b: mid, value: left.value, error: left.error };
    siftDown(0);
    heap.push({ a: mid, b: worst.b, value: right.value, error: right.error });
    siftUp(heap.length - 1);
    if (heap.length % 64 === 0) {
      // Re-sum occasionally so the running totals do not drift.
      value = 0;
      error = 0;
      for (const p of heap) {
        value += p.value;
        error += p.error;
      }
    }
    converged = error <= Math.max(absTol, relTol * Math.abs(value));
  }
  value = 0;
  error = 0;
  for (const p of heap.slice().sort((x, y) => x.a - y.a)) {
    value += p.value;
    error += p.error;
  }
  return { value, error, evaluations, converged: error <= Math.max(absTol, relTol * Math.abs(value)) };
}

/** ∫_a^b g by {@link integrateAdaptive}; returns only the value. */
export function integrate(g: (x: number) => number, a: number, b: number, options: QuadratureOptions = {}): number {
  return integrateAdaptive(g, a, b, options).value;
}

/** Minimum of f on [a, b]: dense grid, then golden-section refinement around the best grid point. */
export function minimizeOnInterval(f: (x: number) => number, a: number, b: number, gridPoints = 257): { x: number; f: number } {
  let bestI = 0;
  let best = Infinity;
  const h = (b - a) / (gridPoints - 1);
  for (let i = 0; i < gridPoints; i++) {
    const v = f(i === gridPoints - 1 ? b : a + i * h);
    if (v < best) {
      best = v;
      bestI = i;
    }
  }
  const lo = Math.max(a, a + (bestI - 1) * h);
  const hi = Math.min(b, a + (bestI + 1) * h);
  return goldenRefine(f, lo, hi, bestI === gridPoints - 1 ? b : a + bestI * h, best);
}

function goldenRefine(f: (x: number) => number, lo: number, hi: number, x0: number, f0: number): { x: number; f: number } {
  const r = (Math.sqrt(5) - 1) / 2;
  let a = lo;
  let b = hi;
  let c = b - r * (b - a);
  let d = a + r * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let it = 0; it < 80 && b - a > 1e-15 * (Math.abs(a) + Math.abs(b) + 1e-300); it++) {
    if (fc < fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - r * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + r * (b - a);
      fd = f(d);
    }
  }
  let bx = x0;
  let bf = f0;
  for (const [x, v] of [
    [c, fc],
    [d, fd],
    [lo, f(lo)],
    [hi, f(hi)],
  ] as const) {
    if (v < bf) {
      bf = v;
      bx = x;
    }
  }
  return { x: bx, f: bf };
}

/**
 * Breakpoints that make adaptive quadrature of a Boltzmann-like integrand
 * `exp(±f/θ)` reliable: a uniform partition of [a, b] plus, around every local
 * extremum of f found on a grid (refined by golden section), points at geometric
 * distances `(b−a)·2^−j`, j = 1..45, so that peaks of any width down to
 * ~1e-13·(b−a) are resolved. Kinds: `'min'`, `'max'` or `'both'` extrema.
 */
export function boltzmannBreakpoints(
  f: (x: number) => number,
  a: number,
  b: number,
  kind: 'min' | 'max' | 'both' = 'both',
  gridPoints = 257,
): { breakpoints: number[]; minima: number[]; maxima: number[] } {
  const n = gridPoints;
  const h = (b - a) / (n - 1);
  const xs = new Float64Array(n);
  const fs = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xs[i] = i === n - 1 ? b : a + i * h;
    fs[i] = f(xs[i]!);
  }
  const minima: number[] = [];
  const maxima: number[] = [];
  for (let i = 0; i < n; i++) {
    const l = i > 0 ? fs[i - 1]! : Infinity;
    const r = i < n - 1 ? fs[i + 1]! : Infinity;
    const lM = i > 0 ? fs[i - 1]! : -Infinity;
    const rM = i < n - 1 ? fs[i + 1]! : -Infinity;
    const lo = Math.max(a, xs[i]! - h);
    const hi = Math.min(b, xs[i]! + h);
    if (fs[i]! <= l && fs[i]! <= r && (fs[i]! < l || fs[i]! < r)) minima.push(goldenRefine(f, lo, hi, xs[i]!, fs[i]!).x);
    if (fs[i]! >= lM && fs[i]! >= rM && (fs[i]! > lM || fs[i]! > rM)) {
      const g = goldenRefine((x) => -f(x), lo, hi, xs[i]!, -fs[i]!);
      maxima.push(g.x);
    }
  }
  const centres = kind === 'min' ? minima : kind === 'max' ? maxima : [...minima, ...maxima];
  const pts: number[] = [];
  const uniform = 64;
  for (let i = 1; i < uniform; i++) pts.push(a + ((b - a) * i) / uniform);
  const L = b - a;
  for (const c of centres.slice(0, 64)) {
    if (c > a && c < b) pts.push(c);
    for (let j = 1; j <= 45; j++) {
      const d = L * Math.pow(2, -j);
      if (c - d > a) pts.push(c - d);
      if (c + d < b) pts.push(c + d);
    }
  }
  pts.sort((x, y) => x - y);
  const out: number[] = [];
  for (const p of pts) if (out.length === 0 || p > out[out.length - 1]!) out.push(p);
  return { breakpoints: out, minima, maxima };
}

/** Result of {@link logIntegrateExpDetailed}. */
export interface LogIntegralResult {
  /** ln ∫_a^b exp(−f/θ) dx. */
  logValue: number;
  /** Relative error estimate of the integral (absolute error of logValue). */
  relError: number;
  /** The shift s = min f used: the integrand evaluated is exp(−(f−s)/θ). */
  shift: number;
  /** Where the minimum was found. */
  xMin: number;
  converged: boolean;
}

/**
 * ln ∫_a^b exp(−f(x)/θ) dx, computed without overflow/underflow: the minimum
 * s of f on [a, b] is located first and `exp(−(f−s)/θ)` (≤ 1) is integrated on a
 * partition graded towards every local minimum (see {@link boltzmannBreakpoints});
 * the result is `−s/θ + ln ∫ exp(−(f−s)/θ)`. θ > 0 in the units of f.
 * Use `f → −f` for `ln ∫ exp(+f/θ)`. Defaults: relTol 1e-12.
 */
export function logIntegrateExpDetailed(
  f: (x: number) => number,
  a: number,
  b: number,
  theta: number,
  options: QuadratureOptions = {},
): LogIntegralResult {
  if (!(theta > 0)) throw new RangeError(`logIntegrateExp: θ must be > 0, got ${theta}`);
  if (!(b > a)) throw new RangeError(`logIntegrateExp: need a < b, got [${a}, ${b}]`);
  const bp = boltzmannBreakpoints(f, a, b, 'min');
  let shift = Infinity;
  let xMin = a;
  for (const x of [a, b, ...bp.minima]) {
    const v = f(x);
    if (Number.isNaN(v)) throw new RangeError(`logIntegrateExp: f(${x}) is NaN`);
    if (v < shift) {
      shift = v;
      xMin = x;
    }
  }
  if (shift === Infinity) return { logValue: -Infinity, relError: 0, shift, xMin, converged: true }; // f = +∞ (hard wall): no mass
  if (!Number.isFinite(shift)) throw new RangeError(`logIntegrateExp: f is not finite on [${a}, ${b}] (min ${shift})`);
  const g = (x: number): number => Math.exp(-(f(x) - shift) / theta);
  const r = integrateAdaptive(g, a, b, {
    absTol: options.absTol ?? 0,
    relTol: options.relTol ?? 1e-12,
    maxIntervals: options.maxIntervals ?? 8000,
    breakpoints: [...bp.breakpoints, ...(options.breakpoints ?? [])],
  });
  if (!Number.isFinite(r.value)) throw new RangeError(`logIntegrateExp: integrand not finite on [${a}, ${b}] (f returned NaN?)`);
  return {
    logValue: -shift / theta + Math.log(r.value),
    relError: r.error / r.value,
    shift,
    xMin,
    converged: r.converged,
  };
}

/** ln ∫_a^b exp(−f(x)/θ) dx; see {@link logIntegrateExpDetailed}. */
export function logIntegrateExp(f: (x: number) => number, a: number, b: number, theta: number, options: QuadratureOptions = {}): number {
  return logIntegrateExpDetailed(f, a, b, theta, options).logValue;
}

/** ln(e^x + e^y) without overflow. */
export function logAddExp(x: number, y: number): number {
  if (x === -Infinity) return y;
  if (y === -Infinity) return x;
  const m = Math.max(x, y);
  return m + Math.log1p(Math.exp(-Math.abs(x - y)));
}

/**
 * Cumulative integral of a non-negative integrand on a fixed partition:
 * every panel is integrated once adaptively (absolute tolerance `relTol·total`),
 * and `integral(u, v)` adds whole cached panels plus adaptive partial panels.
 * Gives prefix integrals to ~relTol of the total at O(1 quadrature) per call.
 */
export class CumulativeIntegral {
  /** Panel edges, ascending, from lo to hi. */
  readonly edges: Float64Array;
  /** prefix[i] = ∫_{edges[0]}^{edges[i]} g. */
  readonly prefix: Float64Array;
  /** panel[i] = ∫_{edges[i]}^{edges[i+1]} g. */
  readonly panel: Float64Array;
  readonly total: number;
  private readonly g: (x: number) => number;
  private readonly absTol: number;

  constructor(g: (x: number) => number, lo: number, hi: number, breakpoints: readonly number[], relTol = 1e-13) {
    this.g = g;
    const e = [lo, ...breakpoints.filter((x) => x > lo && x < hi), hi].sort((x, y) => x - y);
    const edges: number[] = [];
    for (const x of e) if (edges.length === 0 || x > edges[edges.length - 1]!) edges.push(x);
    this.edges = Float64Array.from(edges);
    let rough = 0;
    for (let i = 0; i + 1 < edges.length; i++) rough += Math.abs(gaussKronrod15(g, edges[i]!, edges[i + 1]!).value);
    this.absTol = Math.max(relTol * rough, Number.MIN_VALUE);
    const perPanelTol = this.absTol / Math.max(1, edges.length);
    this.prefix = new Float64Array(edges.length);
    this.panel = new Float64Array(Math.max(0, edges.length - 1));
    for (let i = 0; i + 1 < edges.length; i++) {
      const r = integrateAdaptive(g, edges[i]!, edges[i + 1]!, { absTol: perPanelTol, relTol: 1e-13, maxIntervals: 2000 });
      this.panel[i] = r.value;
      this.prefix[i + 1] = this.prefix[i]! + r.value;
    }
    this.total = this.prefix[edges.length - 1]!;
  }

  /** Index i with edges[i] ≤ x < edges[i+1] (clamped). */
  panelOf(x: number): number {
    const e = this.edges;
    let lo = 0;
    let hi = e.length - 1;
    if (x <= e[0]!) return 0;
    if (x >= e[hi]!) return hi - 1;
    while (hi - lo > 1) {
      const m = (lo + hi) >> 1;
      if (e[m]! <= x) lo = m;
      else hi = m;
    }
    return lo;
  }

  /** ∫_{lo}^{x} g, x clamped to [lo, hi]. */
  cumulative(x: number): number {
    const e = this.edges;
    if (x <= e[0]!) return 0;
    if (x >= e[e.length - 1]!) return this.total;
    const i = this.panelOf(x);
    const start = e[i]!;
    if (x === start) return this.prefix[i]!;
    const end = e[i + 1]!;
    // Integrate over the shorter side of the panel.
    if (x - start <= end - x) return this.prefix[i]! + this.partial(start, x);
    return this.prefix[i + 1]! - this.partial(x, end);
  }

  /** ∫_u^v g for lo ≤ u ≤ v ≤ hi (clamped), summed from non-negative pieces (no cancellation). */
  integral(u: number, v: number): number {
    const e = this.edges;
    u = Math.max(u, e[0]!);
    v = Math.min(v, e[e.length - 1]!);
    if (!(v > u)) return 0;
    const i = this.panelOf(u);
    const j = this.panelOf(v);
    if (i === j) return this.partial(u, v);
    let s = this.partial(u, e[i + 1]!);
    for (let k = i + 1; k < j; k++) s += this.panel[k]!;
    s += this.partial(e[j]!, v);
    return s;
  }

  private partial(u: number, v: number): number {
    if (!(v > u)) return 0;
    // relTol must stay above the G7/K15 round-off floor 50ε ≈ 1.1e-14, or every call subdivides to the cap.
    return integrateAdaptive(this.g, u, v, { absTol: this.absTol * 0.1, relTol: 1e-13, maxIntervals: 500 }).value;
  }
}
