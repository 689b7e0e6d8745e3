// Theory layer: every function against an independent closed form or independent numerics.
import { describe, expect, test } from 'vitest';
import {
  CumulativeIntegral,
  crossoverTemperature,
  dampedOscillatorExp,
  gibbsDensity1D,
  gibbsOutsideMass,
  harmonicWellFreeEnergy,
  integrate,
  integrateAdaptive,
  kramersRate,
  logKramersRate,
  logIntegrateExp,
  meanFirstPassageTime,
  meanFirstPassageTimeDetailed,
  minimizeOnInterval,
  ouContinuousMoments,
  ouDiscreteMoments,
  ouDiscreteStationaryVariance,
  underdampedOUMoments,
  wellFreeEnergy1D,
  wellOccupancies,
} from '../../src/theory/index.js';
import { normalCdf } from '../../src/stats/special.js';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('quadrature', () => {
  test.each([
    ['sin on [0, π]', (x: number) => Math.sin(x), 0, Math.PI, 2],
    ['√x on [0, 1] (derivative singular at 0)', (x: number) => Math.sqrt(x), 0, 1, 2 / 3],
    ['1/(1+x²) on [0, 1]', (x: number) => 1 / (1 + x * x), 0, 1, Math.PI / 4],
    ['e^x on [−1, 2]', (x: number) => Math.exp(x), -1, 2, Math.exp(2) - Math.exp(-1)],
    ['|x − 0.3| on [−1, 1] (kink)', (x: number) => Math.abs(x - 0.3), -1, 1, (1.3 * 1.3 + 0.7 * 0.7) / 2],
    ['ln x on [0, 1] (integrable log singularity)', (x: number) => Math.log(x), 0, 1, -1],
  ])('%s', (_name, g, a, b, exact) => {
    const r = integrateAdaptive(g, a, b, { absTol: 1e-13, relTol: 1e-12 });
    expect(r.converged).toBe(true);
    expect(Math.abs(r.value - exact)).toBeLessThan(1e-11);
    // The error estimate is an upper bound of the actual error here.
    expect(r.error).toBeGreaterThanOrEqual(Math.abs(r.value - exact) * 0.999);
  });

  test('reversed limits negate, empty interval is 0', () => {
    expect(integrate(Math.cos, 1, 0)).toBeCloseTo(-Math.sin(1), 13);
    expect(integrate(Math.cos, 2, 2)).toBe(0);
  });

  test('a narrow peak is missed without breakpoints and exact with a panel around it', () => {
    const w = 1e-6;
    const c = 0.123456789;
    const g = (x: number): number => Math.exp(-0.5 * ((x - c) / w) ** 2);
    const exact = w * Math.sqrt(2 * Math.PI);
    // Documented caveat: every G7/K15 node sees ~0, so the estimate is 0 with a tiny error bound.
    expect(integrate(g, -1, 1)).toBeLessThan(1e-3 * exact);
    const withBp = integrateAdaptive(g, -1, 1, { breakpoints: [c - 8 * w, c + 8 * w], absTol: 0, relTol: 1e-12 });
    expect(rel(withBp.value, exact)).toBeLessThan(1e-10);
  });

  test('logIntegrateExp: deep narrow harmonic well whose Boltzmann factor underflows', () => {
    const E = 1000;
    const k = 3;
    const theta = 1e-6;
    const c = 0.3137;
    const f = (x: number): number => E + 0.5 * k * (x - c) ** 2;
    const exact = -E / theta + 0.5 * Math.log((2 * Math.PI * theta) / k);
    const v = logIntegrateExp(f, -5, 5, theta);
    expect(Math.abs(v - exact)).toBeLessThan(1e-9 * Math.abs(exact));
    expect(Math.abs(v - exact)).toBeLessThan(1e-6);
  });

  test('logIntegrateExp of exp(+x/θ) (overflowing) via f = −x', () => {
    const theta = 1e-3;
    const v = logIntegrateExp((x) => -x, 0, 1, theta);
    const exact = 1 / theta + Math.log(theta) + Math.log1p(-Math.exp(-1 / theta));
    expect(Math.abs(v - exact)).toBeLessThan(1e-10);
  });

  test('logIntegrateExp: two wells, both resolved', () => {
    // Two narrow Gaussian-shaped wells of equal depth at ±0.7, width 1e-4 ⇒ Z = 2·σ√(2π).
    const s = 1e-4;
    const f = (x: number): number => Math.min(0.5 * ((x - 0.7) / s) ** 2, 0.5 * ((x + 0.7) / s) ** 2);
    const v = logIntegrateExp(f, -2, 2, 1);
    expect(Math.abs(v - Math.log(2 * s * Math.sqrt(2 * Math.PI)))).toBeLessThan(1e-10);
  });

  test('CumulativeIntegral matches 1 − e^{−x}', () => {
    const ci = new CumulativeIntegral((x) => Math.exp(-x), 0, 10, [1, 2, 5]);
    for (const x of [0, 0.01, 0.5, 1, 1.7, 3.3, 9.99, 10]) expect(Math.abs(ci.cumulative(x) + Math.expm1(-x))).toBeLessThan(1e-14);
    expect(Math.abs(ci.integral(2.5, 7.25) - (Math.exp(-2.5) - Math.exp(-7.25)))).toBeLessThan(1e-15);
  });

  test('minimizeOnInterval finds an off-grid minimum', () => {
    const m = minimizeOnInterval((x) => (x - 0.4321) ** 2 + 1, -3, 7);
    expect(Math.abs(m.x - 0.4321)).toBeLessThan(1e-7);
    expect(Math.abs(m.f - 1)).toBeLessThan(1e-14);
  });
});

describe('Gibbs density (docs/models.md §1.1)', () => {
  const k = 2.5;
  const theta = 0.4;
  const sd = Math.sqrt(theta / k);
  const g = gibbsDensity1D((x) => 0.5 * k * x * x + 7, theta, -14 * sd, 14 * sd);

  test('harmonic: logZ, pdf and cdf equal the Gaussian', () => {
    expect(Math.abs(g.logZ - (-7 / theta + 0.5 * Math.log((2 * Math.PI * theta) / k)))).toBeLessThan(1e-12);
    for (const z of [-5, -3, -1.5, -0.2, 0, 0.7, 1, 2.2, 4]) {
      const x = z * sd;
      expect(Math.abs(g.cdf(x) - normalCdf(z))).toBeLessThan(1e-12);
      expect(rel(g.pdf(x), Math.exp(-0.5 * z * z) / (sd * Math.sqrt(2 * Math.PI)))).toBeLessThan(1e-12);
    }
    // Upper tail keeps relative accuracy.
    expect(rel(g.sf(6 * sd), normalCdf(-6))).toBeLessThan(1e-8);
    const m = g.moments();
    expect(Math.abs(m.mean)).toBeLessThan(1e-12);
    expect(rel(m.variance, theta / k)).toBeLessThan(1e-10);
  });

  test('harmonic: bin probabilities equal Φ differences and sum to 1', () => {
    const edges = Array.from({ length: 61 }, (_, i) => (-14 + (28 * i) / 60) * sd);
    const p = g.binProbabilities(edges);
    let sum = 0;
    for (let i = 0; i < p.length; i++) {
      sum += p[i]!;
      const a = edges[i]! / sd;
      const b = edges[i + 1]! / sd;
      // Compare on the side where Φ differences do not cancel.
      const exact = b <= 0 ? normalCdf(b) - normalCdf(a) : normalCdf(-a) - normalCdf(-b);
      expect(Math.abs(p[i]! - exact)).toBeLessThan(1e-14 + 1e-9 * exact);
    }
    expect(Math.abs(sum - 1)).toBeLessThan(1e-12);
  });

  test('double well: cdf + sf = 1, dcdf/dx = pdf, bins cover [lo, hi] sum to 1', () => {
    const f = (x: number): number => (x * x - 1) ** 2 + 0.2 * x;
    const d = gibbsDensity1D(f, 0.1, -2.5, 2.5);
    for (const x of [-1.9, -1, -0.3, 0, 0.55, 1.02, 2.1]) {
      expect(Math.abs(d.cdf(x) + d.sf(x) - 1)).toBeLessThan(1e-12);
      const h = 1e-4;
      const fd = (d.cdf(x + h) - d.cdf(x - h)) / (2 * h);
      expect(Math.abs(fd - d.pdf(x))).toBeLessThan(1e-6 * Math.max(1, d.pdf(x)));
    }
    const edges = [-3, -2.5, -1.7, -1.1, -0.9, 0, 0.01, 1, 2.5, 3];
    const p = d.binProbabilities(edges);
    expect(p[0]).toBe(0);
    expect(p[8]).toBe(0);
    expect(Math.abs(p.reduce((a, b) => a + b, 0) - 1)).toBeLessThan(1e-12);
    // The tilt makes the left well deeper: more mass left of 0.
    expect(d.cdf(0)).toBeGreaterThan(0.9);
  });

  test('linear potential on [0, L]: truncated exponential closed form', () => {
    const theta = 0.3;
    const L = 2;
    const d = gibbsDensity1D((x) => x, theta, 0, L);
    for (const x of [0, 0.001, 0.2, 0.9, 1.5, 2]) {
      const exact = Math.expm1(-x / theta) / Math.expm1(-L / theta);
      expect(Math.abs(d.cdf(x) - exact)).toBeLessThan(1e-13);
    }
    expect(Math.abs(d.logZ - Math.log(-theta * Math.expm1(-L / theta)))).toBeLessThan(1e-13);
  });

  test('gibbsOutsideMass equals the Gaussian tails', () => {
    const om = gibbsOutsideMass((x) => 0.5 * k * x * x, theta, -2 * sd, 3 * sd);
    expect(rel(om.left, normalCdf(-2))).toBeLessThan(1e-8);
    expect(rel(om.right, normalCdf(-3))).toBeLessThan(1e-8);
    expect(rel(om.total, normalCdf(-2) + normalCdf(-3))).toBeLessThan(1e-8);
  });

  test('rejects θ ≤ 0 and empty intervals', () => {
    expect(() => gibbsDensity1D((x) => x * x, 0, -1, 1)).toThrow(RangeError);
    expect(() => gibbsDensity1D((x) => x * x, 1, 1, 1)).toThrow(RangeError);
  });
});

/** Classical RK4 on y' = F(y) with n steps. */
function rk4(F: (y: number[]) => number[], y0: number[], t: number, n: number): number[] {
  let y = y0.slice();
  const h = t / n;
  for (let s = 0; s < n; s++) {
    const k1 = F(y);
    const k2 = F(y.map((v, i) => v + 0.5 * h * k1[i]!));
    const k3 = F(y.map((v, i) => v + 0.5 * h * k2[i]!));
    const k4 = F(y.map((v, i) => v + h * k3[i]!));
    y = y.map((v, i) => v + (h / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!));
  }
  return y;
}

describe('Ornstein–Uhlenbeck closed forms (docs/models.md §0)', () => {
  test('continuous overdamped OU vs RK4 of the moment ODEs', () => {
    for (const [x0, k, theta, t] of [
      [1.5, 2, 0.3, 0.7],
      [-0.4, 0.05, 1.2, 3],
      [2, -0.5, 0.1, 1], // unstable OU
    ] as const) {
      const m = ouContinuousMoments(x0, k, theta, t);
      const y = rk4(([mu, v]) => [-k * mu!, -2 * k * v! + 2 * theta], [x0, 0], t, 4000);
      expect(Math.abs(m.mean - y[0]!)).toBeLessThan(1e-12);
      expect(Math.abs(m.variance - y[1]!)).toBeLessThan(1e-12);
    }
    // k = 0: free diffusion.
    const free = ouContinuousMoments(0.3, 0, 0.5, 2);
    expect(free.mean).toBe(0.3);
    expect(Math.abs(free.variance - 2)).toBeLessThan(1e-15);
  });

  test('Euler–Maruyama AR(1) moments vs direct iteration of the recursion', () => {
    for (const [k, theta, eta, n] of [
      [1, 0.5, 0.01, 1000],
      [3, 0.2, 0.5, 37], // r = −0.5
      [1e-9, 1, 1e-3, 10000], // r² ≈ 1: expm1/log1p branch
      [2, 1, 1, 5], // r = −1: marginal
    ] as const) {
      const x0 = 1.3;
      const r = 1 - eta * k;
      let mu = x0;
      let v = 0.25;
      for (let i = 0; i < n; i++) {
        mu *= r;
        v = r * r * v + 2 * eta * theta;
      }
      const m = ouDiscreteMoments(x0, k, theta, eta, n, 0.25);
      expect(rel(m.mean, mu)).toBeLessThan(1e-11);
      expect(rel(m.variance, v)).toBeLessThan(1e-9);
    }
    // Stationary limit: θ/(k(1 − ηk/2)).
    const long = ouDiscreteMoments(1, 2, 0.3, 0.1, 5000);
    expect(rel(long.variance, ouDiscreteStationaryVariance(2, 0.3, 0.1))).toBeLessThan(1e-12);
    expect(rel(ouDiscreteStationaryVariance(2, 0.3, 0.1), 0.3 / (2 * 0.9))).toBeLessThan(1e-14);
  });

  test('underdamped moments vs RK4 of dm/dt = Am, dΣ/dt = AΣ + ΣAᵀ + Q in all damping regimes', () => {
    const cases: Array<[string, number, number]> = [
      ['overdamped', 1, 5],
      ['critical', 1, 2],
      ['near-critical', 1, 2 + 1e-7],
      ['underdamped', 2, 0.3],
      ['no friction', 1.5, 0],
    ];
    for (const [, k, gamma] of cases) {
      const theta = 0.7;
      const x0 = 1.2;
      const v0m = -0.4;
      const v0v = 0.3;
      for (const t of [0.05, 0.9, 4]) {
        const got = underdampedOUMoments(x0, k, gamma, theta, t, v0m, v0v);
        // y = [mx, mv, Sxx, Sxv, Svv]
        const F = ([mx, mv, sxx, sxv, svv]: number[]): number[] => [
          mv!,
          -k * mx! - gamma * mv!,
          2 * sxv!,
          svv! - k * sxx! - gamma * sxv!,
          -2 * k * sxv! - 2 * gamma * svv! + 2 * gamma * theta,
        ];
        const y = rk4(F, [x0, v0m, 0, 0, v0v], t, 20000);
        expect(Math.abs(got.mean[0] - y[0]!)).toBeLessThan(1e-11);
        expect(Math.abs(got.mean[1] - y[1]!)).toBeLessThan(1e-11);
        expect(Math.abs(got.cov[0] - y[2]!)).toBeLessThan(1e-11);
        expect(Math.abs(got.cov[1] - y[3]!)).toBeLessThan(1e-11);
        expect(got.cov[2]).toBe(got.cov[1]);
        expect(Math.abs(got.cov[3] - y[4]!)).toBeLessThan(1e-11);
      }
    }
  });

  test('e^{At}: det = e^{−γt} (Liouville), long-time limit Σ∞ = diag(θ/k, θ), no overflow at large γt', () => {
    for (const [k, gamma, t] of [
      [1, 5, 2],
      [4, 0.1, 7],
      [1, 2, 3],
      [0.01, 50, 0.2],
    ] as const) {
      const [a, b, c, d] = dampedOscillatorExp(k, gamma, t);
      const det = a * d - b * c;
      expect(rel(det, Math.exp(-gamma * t))).toBeLessThan(1e-8);
    }
    // Heavily overdamped: slow eigenvalue −k/γ; x relaxes like e^{−kt/γ}.
    const [a] = dampedOscillatorExp(0.01, 1e4, 1e3);
    expect(rel(a, Math.exp((-0.01 / 1e4) * 1e3))).toBeLessThan(1e-6);
    const eq = underdampedOUMoments(3, 2, 1, 0.5, 200);
    expect(Math.abs(eq.cov[0] - 0.25)).toBeLessThan(1e-12);
    expect(Math.abs(eq.cov[1])).toBeLessThan(1e-12);
    expect(Math.abs(eq.cov[3] - 0.5)).toBeLessThan(1e-12);
  });
});

/** Independent MFPT: finite differences for θT'' − f'T' = −1, T'(c) = 0, T(b) = 0, with Richardson extrapolation. */
function mfptFiniteDifference(fp: (x: number) => number, a: number, b: number, c: number, theta: number, n: number): number {
  // Nodes x_i = c + i h, i = 0..n (x_n = b). Ghost node for the Neumann condition at c.
  const h = (b - c) / n;
  const lower = new Float64Array(n);
  const diag = new Float64Array(n);
  const upper = new Float64Array(n);
  const rhs = new Float64Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    const x = c + i * h;
    const al = theta / (h * h) + fp(x) / (2 * h);
    const ar = theta / (h * h) - fp(x) / (2 * h);
    diag[i] = (-2 * theta) / (h * h);
    if (i === 0)
      upper[i] = al + ar; // T_{−1} = T_1
    else {
      lower[i] = al;
      upper[i] = ar; // for i = n−1 this multiplies T_n = 0
    }
  }
  // Thomas algorithm.
  for (let i = 1; i < n; i++) {
    const w = lower[i]! / diag[i - 1]!;
    diag[i] = diag[i]! - w * upper[i - 1]!;
    rhs[i] = rhs[i]! - w * rhs[i - 1]!;
  }
  const T = new Float64Array(n);
  T[n - 1] = rhs[n - 1]! / diag[n - 1]!;
  for (let i = n - 2; i >= 0; i--) T[i] = (rhs[i]! - upper[i]! * T[i + 1]!) / diag[i]!;
  const ia = (a - c) / h;
  if (Math.abs(ia - Math.round(ia)) > 1e-9) throw new Error('a must be a grid node');
  return T[Math.round(ia)]!;
}

describe('mean first-passage time and Kramers (docs/models.md §1.2)', () => {
  test('pure diffusion with reflecting wall at c: T = ((b−c)² − (a−c)²)/(2θ)', () => {
    for (const [a, b, c, theta] of [
      [0.5, 2, -1, 0.3],
      [0, 1, 0, 2],
      [-3, 4, -3.5, 0.01],
    ] as const) {
      const exact = ((b - c) ** 2 - (a - c) ** 2) / (2 * theta);
      expect(
        rel(
          meanFirstPassageTime(() => 0, a, b, theta, { lowerCutoff: c }),
          exact,
        ),
      ).toBeLessThan(1e-11);
    }
  });

  test('harmonic well: quadrature formula vs finite-difference BVP (Richardson)', () => {
    const k = 1.3;
    const theta = 0.5;
    const a = 0;
    const b = 1.5;
    const c = -5;
    const T = meanFirstPassageTime((x) => 0.5 * k * x * x, a, b, theta, { lowerCutoff: c });
    const fp = (x: number): number => k * x;
    const T1 = mfptFiniteDifference(fp, a, b, c, theta, 6500);
    const T2 = mfptFiniteDifference(fp, a, b, c, theta, 13000);
    const rich = (4 * T2 - T1) / 3;
    expect(rel(T, rich)).toBeLessThan(2e-8);
    // And the un-extrapolated FD error shrinks 4× per halving (it is second order, so this comparison is meaningful).
    expect(Math.abs(T2 - T)).toBeLessThan(Math.abs(T1 - T) / 3);
  });

  test('default cutoff: f − min f > 40θ and the result does not depend on pushing it further', () => {
    const f = (x: number): number => 0.5 * x * x;
    const r = meanFirstPassageTimeDetailed(f, -0.5, 1, 0.2);
    expect(f(r.lowerCutoff)).toBeGreaterThan(40 * 0.2);
    const far = meanFirstPassageTime(f, -0.5, 1, 0.2, { lowerCutoff: -20 });
    expect(rel(r.time, far)).toBeLessThan(1e-12);
  });

  test('double well h(x²−1)²: T_exact · k_Kramers → 1 as θ/h → 0; within 3 % at θ = 0.05h', () => {
    const h = 1.7;
    const f = (x: number): number => h * (x * x - 1) ** 2;
    const ratios = [0.2, 0.1, 0.05, 0.025, 0.0125].map((r) => {
      const theta = r * h;
      return meanFirstPassageTime(f, -1, 1, theta) * kramersRate(8 * h, -4 * h, h, theta);
    });
    for (let i = 1; i < ratios.length; i++) expect(Math.abs(ratios[i]! - 1)).toBeLessThan(Math.abs(ratios[i - 1]! - 1));
    expect(Math.abs(ratios[2]! - 1)).toBeLessThan(0.03);
    expect(Math.abs(ratios[4]! - 1)).toBeLessThan(0.01);
    // Leading correction is linear in θ/h: halving θ roughly halves the deviation.
    const q = (ratios[3]! - 1) / (ratios[4]! - 1);
    expect(q).toBeGreaterThan(1.7);
    expect(q).toBeLessThan(2.3);
  });

  test('Arrhenius slope d ln T / d(1/θ) = ΔE; deep barriers stay finite in log', () => {
    const h = 1;
    const f = (x: number): number => h * (x * x - 1) ** 2;
    const t1 = meanFirstPassageTimeDetailed(f, -1, 1, 0.02).logTime;
    const t2 = meanFirstPassageTimeDetailed(f, -1, 1, 0.01).logTime;
    expect(rel((t2 - t1) / (1 / 0.01 - 1 / 0.02), h)).toBeLessThan(0.01);
    const deep = meanFirstPassageTimeDetailed(f, -1, 1, 0.001);
    expect(deep.time).toBe(Infinity);
    expect(Number.isFinite(deep.logTime)).toBe(true);
    expect(Math.abs(deep.logTime + logKramersRate(8, -4, 1, 0.001))).toBeLessThan(0.003);
  });

  test('kramersRate formula', () => {
    expect(rel(kramersRate(8, -4, 1, 0.1), (Math.sqrt(32) / (2 * Math.PI)) * Math.exp(-10))).toBeLessThan(1e-15);
    expect(Math.abs(logKramersRate(8, -4, 1, 0.1) - Math.log(kramersRate(8, -4, 1, 0.1)))).toBeLessThan(1e-13);
    expect(logKramersRate(8, -4, 1, 1e-4)).toBeCloseTo(Math.log(Math.sqrt(32) / (2 * Math.PI)) - 1e4, 9);
  });
});

describe('free energy of wells (docs/models.md §1.3)', () => {
  test('exact 1-D well free energy equals the harmonic formula for a harmonic well', () => {
    const E = -2;
    const k = 5;
    const theta = 0.3;
    const sd = Math.sqrt(theta / k);
    const F = wellFreeEnergy1D((x) => E + 0.5 * k * (x - 1) ** 2, theta, 1 - 15 * sd, 1 + 15 * sd);
    expect(Math.abs(F - harmonicWellFreeEnergy(E, k, theta))).toBeLessThan(1e-12);
    // d dimensions: sum over the eigenvalues.
    expect(harmonicWellFreeEnergy(E, [k, k, 2], theta)).toBeCloseTo(
      E - (theta / 2) * (2 * Math.log((2 * Math.PI * theta) / k) + Math.log(Math.PI * theta)),
      14,
    );
  });

  test('anharmonic well: exact F tends to the harmonic estimate as θ → 0', () => {
    const f = (x: number): number => 0.5 * 4 * x * x + x ** 4;
    const dev = [0.1, 0.01, 0.001].map((t) => Math.abs(wellFreeEnergy1D(f, t, -3, 3) - harmonicWellFreeEnergy(0, 4, t)));
    expect(dev[1]!).toBeLessThan(dev[0]! / 50);
    expect(dev[2]!).toBeLessThan(dev[1]! / 50);
  });

  test('crossover θ*: harmonic free energies are equal there; the wide well wins above', () => {
    const E1 = 0; // deep narrow
    const k1 = 20;
    const E2 = 0.5; // shallow wide
    const k2 = 1;
    const ts = crossoverTemperature(E1, k1, E2, k2);
    expect(ts).toBeGreaterThan(0);
    expect(rel(ts, (2 * (E2 - E1)) / Math.log(k1 / k2))).toBeLessThan(1e-15);
    expect(Math.abs(harmonicWellFreeEnergy(E1, k1, ts) - harmonicWellFreeEnergy(E2, k2, ts))).toBeLessThan(1e-13);
    expect(harmonicWellFreeEnergy(E2, k2, 2 * ts)).toBeLessThan(harmonicWellFreeEnergy(E1, k1, 2 * ts));
    expect(harmonicWellFreeEnergy(E2, k2, 0.5 * ts)).toBeGreaterThan(harmonicWellFreeEnergy(E1, k1, 0.5 * ts));
    // d = 3: crossover at lower temperature (wide wells win more strongly in higher dimension).
    const t3 = crossoverTemperature(E1, [k1, k1, k1], E2, [k2, k2, k2]);
    expect(rel(t3, ts / 3)).toBeLessThan(1e-14);
    expect(Math.abs(harmonicWellFreeEnergy(E1, [k1, k1, k1], t3) - harmonicWellFreeEnergy(E2, [k2, k2, k2], t3))).toBeLessThan(1e-13);
    // No positive crossover when the deeper well is also the wider one.
    expect(crossoverTemperature(0, 1, 0.5, 20)).toBeNaN();
  });

  test('exact occupancies of two wells swap near θ* (piecewise-harmonic potential)', () => {
    const k1 = 400;
    const k2 = 4;
    const E2 = 0.05;
    const ts = crossoverTemperature(0, k1, E2, k2);
    const f = (x: number): number => Math.min(0.5 * k1 * (x + 1) ** 2, E2 + 0.5 * k2 * (x - 1) ** 2);
    // Split point where the two parabolas cross.
    let lo = -1;
    let hi = 1;
    for (let i = 0; i < 200; i++) {
      const m = 0.5 * (lo + hi);
      if (0.5 * k1 * (m + 1) ** 2 < E2 + 0.5 * k2 * (m - 1) ** 2) lo = m;
      else hi = m;
    }
    const occ = (t: number): number[] => wellOccupancies([wellFreeEnergy1D(f, t, -3, lo), wellFreeEnergy1D(f, t, lo, 5)], t);
    expect(occ(0.5 * ts)[0]!).toBeGreaterThan(0.6);
    expect(occ(2 * ts)[1]!).toBeGreaterThan(0.6);
    const o = occ(ts);
    expect(Math.abs(o[0]! + o[1]! - 1)).toBeLessThan(1e-15);
    expect(Math.abs(o[0]! - 0.5)).toBeLessThan(0.05);
  });
});
