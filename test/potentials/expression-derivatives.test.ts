/**
 * Every function an expression may call differentiates to a finite value that
 * agrees with a central finite difference of the energy (away from kinks and
 * poles), with both evaluators; at the kinks of abs, max, min and hypot the
 * gradient is the documented subgradient, not NaN.
 */
import { describe, expect, it } from 'vitest';
import { createExpressionPotential } from '../../src/potentials/expression.js';
import { EXPRESSION_FUNCTIONS } from '../../src/potentials/expression-check.js';
import { digamma } from '../../src/potentials/expression-graph.js';

/** One case per admitted function: an expression over (x, y) using it, with a chain-rule argument, and points inside its domain. */
const CASES: Record<string, { expression: string; points: [number, number][] }> = {
  sqrt: {
    expression: 'sqrt(0.5*x + 2) * y',
    points: [
      [0.3, 1.2],
      [1.7, -0.4],
    ],
  },
  cbrt: {
    expression: 'cbrt(x - 0.5) + y',
    points: [
      [-1.3, 0.2],
      [2.1, 0.5],
    ],
  },
  nthRoot: {
    expression: 'nthRoot(x, 3) + nthRoot(y + 3) + nthRoot(x^2 + 1, y + 3)',
    points: [
      [-1.3, 0.2],
      [0.7, -1.1],
    ],
  },
  pow: {
    expression: 'pow(x^2 + 1, y) + pow(x, 3)',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  exp: {
    expression: 'exp(-x^2) * y',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  expm1: {
    expression: 'expm1(0.3*x*y)',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  log: {
    expression: 'log(x^2 + y^2) + log(x^2 + 2, y + 3)',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  log10: {
    expression: 'log10(x^2 + 1) * y',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  log2: {
    expression: 'log2(x^2 + 1) * y',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  log1p: {
    expression: 'log1p(x^2) + y',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  square: {
    expression: 'square(x - y)',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  cube: {
    expression: 'cube(x - y)',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  sin: {
    expression: 'sin(2*x) * y',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  cos: {
    expression: 'cos(2*x) * y',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  tan: {
    expression: 'tan(x) * y',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  sec: {
    expression: 'sec(x) * y',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  csc: {
    expression: 'csc(x) * y',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  cot: {
    expression: 'cot(x) * y',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  asin: {
    expression: 'asin(0.5*x) * y',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  acos: {
    expression: 'acos(0.5*x) * y',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  atan: {
    expression: 'atan(x) * y',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  atan2: {
    expression: 'atan2(y, x)',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
      [-1, -2],
    ],
  },
  asec: {
    expression: 'asec(x) * y',
    points: [
      [1.4, 1.3],
      [-2.2, 0.6],
    ],
  },
  acsc: {
    expression: 'acsc(x) * y',
    points: [
      [1.4, 1.3],
      [-2.2, 0.6],
    ],
  },
  acot: {
    expression: 'acot(x) * y',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  sinh: {
    expression: 'sinh(x) * y',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  cosh: {
    expression: 'cosh(x) * y',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  tanh: {
    expression: 'tanh(x) * y',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  sech: {
    expression: 'sech(x) * y',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  csch: {
    expression: 'csch(x) * y',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  coth: {
    expression: 'coth(x) * y',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  asinh: {
    expression: 'asinh(x) * y',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  acosh: {
    expression: 'acosh(x) * y',
    points: [
      [1.4, 1.3],
      [2.2, 0.6],
    ],
  },
  atanh: {
    expression: 'atanh(0.5*x) * y',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  asech: {
    expression: 'asech(x) * y',
    points: [
      [0.4, 1.3],
      [0.8, 0.6],
    ],
  },
  acsch: {
    expression: 'acsch(x) * y',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  acoth: {
    expression: 'acoth(x) * y',
    points: [
      [1.4, 1.3],
      [-2.2, 0.6],
    ],
  },
  abs: {
    expression: 'abs(x - 0.5) * y + abs(y)^3',
    points: [
      [0.4, 1.3],
      [-1.2, -0.6],
    ],
  },
  sign: {
    expression: 'sign(x) * y^2',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  gamma: {
    expression: 'gamma(x) * y',
    points: [
      [0.4, 1.3],
      [2.7, 0.6],
      [-1.5, 0.8],
    ],
  },
  erf: {
    expression: 'erf(x) * y',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
  max: {
    expression: 'max(x, y) + max(x, 2*y, 0.3, x*y)',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
      [2, -3],
    ],
  },
  min: {
    expression: 'min(x, y) + min(x, 2*y, 0.3, -x*y)',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
      [2, -3],
    ],
  },
  hypot: {
    expression: 'hypot(x, y) + hypot(x - 1, 2*y, 0.5)',
    points: [
      [0.4, 1.3],
      [-1.2, 0.6],
    ],
  },
};

function evaluate(expression: string, point: readonly number[], evaluator: 'tape' | 'mathjs' = 'tape') {
  const p = createExpressionPotential({ expression, coordinates: ['x', 'y'].slice(0, point.length), params: {} }, { evaluator });
  const energy = new Float64Array(1);
  const grad = new Float64Array(point.length);
  p.energyAndGradient(Float64Array.from(point), 1, energy, grad);
  return { energy: energy[0], grad: Array.from(grad) };
}

/** Central difference (f(x+h) − f(x−h)) / 2h with h = 1e-5·max(1, |x|): truncation O(h²), rounding O(ε/h) ≈ 1e-11. */
function centralDifference(expression: string, point: readonly number[]): number[] {
  return point.map((v, j) => {
    const h = 1e-5 * Math.max(1, Math.abs(v));
    const up = [...point];
    const down = [...point];
    up[j] = v + h;
    down[j] = v - h;
    return (evaluate(expression, up).energy - evaluate(expression, down).energy) / (2 * h);
  });
}

describe('the derivative of every admitted function', () => {
  it('every admitted function has a case here (a new function needs one)', () => {
    expect([...EXPRESSION_FUNCTIONS].filter((f) => !(f in CASES))).toEqual([]);
    expect(Object.keys(CASES).filter((f) => !EXPRESSION_FUNCTIONS.has(f))).toEqual([]);
  });

  for (const [name, { expression, points }] of Object.entries(CASES)) {
    it(`${name}: ${expression} — finite, equal to the central difference, same with the mathjs evaluator`, () => {
      for (const point of points) {
        const got = evaluate(expression, point);
        const reference = centralDifference(expression, point);
        expect(Number.isFinite(got.energy), `energy at ${point}`).toBe(true);
        got.grad.forEach((g, j) => {
          expect(Number.isFinite(g), `∂${j} at ${point}`).toBe(true);
          // O(h²) truncation with h = 1e-5 and O(1e-11) rounding: 1e-6 relative leaves a wide margin, and a wrong rule is off by O(1).
          expect(Math.abs(g - reference[j]), `∂${j} at ${point}: ${g} vs ${reference[j]}`).toBeLessThanOrEqual(
            1e-6 * (1 + Math.abs(reference[j])),
          );
        });
        const viaMathjs = evaluate(expression, point, 'mathjs');
        expect(Math.abs(viaMathjs.energy - got.energy)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(got.energy)));
        viaMathjs.grad.forEach((g, j) => expect(Math.abs(g - got.grad[j])).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(got.grad[j]))));
      }
    });
  }
});

describe('subgradients at kinks', () => {
  it('abs: sign(x)·x′ with sign(0) = 0, so a replica at the kink does not diverge', () => {
    expect(evaluate('abs(x)', [0]).grad).toEqual([0]);
    expect(evaluate('abs(x)', [-2]).grad).toEqual([-1]);
    expect(evaluate('3*abs(x - 1)', [1]).grad).toEqual([0]);
    expect(evaluate('x^4 - 2*x^2 + 10*max(0, abs(x) - 2)^2', [0]).grad).toEqual([0]);
    // the wall's force: d/dx 10 (|x| − 2)² = 20 (|x| − 2) sign(x)
    expect(evaluate('x^4 - 2*x^2 + 10*max(0, abs(x) - 2)^2', [3]).grad[0]).toBeCloseTo(4 * 27 - 4 * 3 + 20, 10);
    expect(evaluate('x^4 - 2*x^2 + 10*max(0, abs(x) - 2)^2', [-3]).grad[0]).toBeCloseTo(-(4 * 27 - 4 * 3 + 20), 10);
  });

  it('max and min: the derivative of the selected argument; a tie gives the mean of the two', () => {
    expect(evaluate('max(x, 3*y)', [2, 1]).grad).toEqual([0, 3]);
    expect(evaluate('max(x, 3*y)', [4, 1]).grad).toEqual([1, 0]);
    expect(evaluate('max(x, 3*y)', [3, 1]).grad).toEqual([0.5, 1.5]);
    expect(evaluate('min(x, 3*y)', [3, 1]).grad).toEqual([0.5, 1.5]);
    expect(evaluate('min(x, 3*y)', [2, 1]).grad).toEqual([1, 0]);
    expect(evaluate('max(0, x)', [0]).grad).toEqual([0.5]);
  });

  it('hypot: 0 at the origin (the cone’s minimal subgradient), x/r elsewhere', () => {
    expect(evaluate('hypot(x, y)', [0, 0]).grad).toEqual([0, 0]);
    const g = evaluate('hypot(x, y)', [3, 4]).grad;
    expect(g[0]).toBeCloseTo(0.6, 14);
    expect(g[1]).toBeCloseTo(0.8, 14);
  });

  it('the mathjs evaluator gives the same subgradients', () => {
    for (const [expression, point] of [
      ['abs(x)', [0]],
      ['max(x, 3*y)', [3, 1]],
      ['hypot(x, y)', [0, 0]],
    ] as const)
      expect(evaluate(expression, point, 'mathjs').grad).toEqual(evaluate(expression, point).grad);
  });
});

describe('digamma (the derivative of gamma)', () => {
  it('matches closed forms: ψ(1) = −γ, ψ(1/2) = −γ − 2 ln 2, ψ(n+1) = ψ(n) + 1/n, reflection at −1/2', () => {
    const eulerGamma = 0.5772156649015329;
    expect(digamma(1)).toBeCloseTo(-eulerGamma, 13);
    expect(digamma(0.5)).toBeCloseTo(-eulerGamma - 2 * Math.LN2, 13);
    expect(digamma(11)).toBeCloseTo(-eulerGamma + [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].reduce((s, k) => s + 1 / k, 0), 12);
    // ψ(−1/2) = ψ(1/2) + 2 (recurrence ψ(x+1) = ψ(x) + 1/x at x = −1/2)
    expect(digamma(-0.5)).toBeCloseTo(-eulerGamma - 2 * Math.LN2 + 2, 12);
    expect(digamma(0)).toBeNaN();
  });
});

describe('the tape evaluates replicas in chunks', () => {
  it('more replicas than one chunk: every replica gets its own energy and gradient', () => {
    const p = createExpressionPotential({
      expression: 'x^4 - 2*x^2 + 10*max(0, abs(x) - 2)^2 + x*y^2',
      coordinates: ['x', 'y'],
      params: {},
    });
    const count = 301;
    const x = new Float64Array(2 * count);
    for (let r = 0; r < count; r++) {
      x[2 * r] = -3 + (6 * r) / count;
      x[2 * r + 1] = 0.01 * r;
    }
    const energy = new Float64Array(count);
    const grad = new Float64Array(2 * count);
    p.energyAndGradient(x, count, energy, grad);
    for (const r of [0, 127, 128, 255, 256, 300]) {
      const one = evaluate('x^4 - 2*x^2 + 10*max(0, abs(x) - 2)^2 + x*y^2', [x[2 * r], x[2 * r + 1]]);
      expect(energy[r]).toBe(one.energy);
      expect([grad[2 * r], grad[2 * r + 1]]).toEqual(one.grad);
    }
  });
});

describe('fused linear combinations round as the unfused formula', () => {
  it('x^4 - 2*x^2: energy (x²)² − 2x² and gradient 4x³ − 4x bit for bit', () => {
    for (const x of [-2.7, -1, -0.3, 0, 1e-3, 0.7, 1.9]) {
      const got = evaluate('x^4 - 2*x^2', [x]);
      const x2 = x * x;
      expect(got.energy).toBe(x2 * x2 - 2 * x2);
      expect(got.grad[0]).toBe(4 * (x * x * x) - 4 * x);
    }
  });
});
