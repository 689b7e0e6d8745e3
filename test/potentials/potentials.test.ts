/**
 * Potentials: gradients vs finite differences for every family, batched vs
 * one-at-a-time evaluation, expression and module potentials vs the built-in
 * double well, Müller–Brown minima, minibatch unbiasedness, clear errors.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { Stream } from '../../src/random/rng.js';
import type { Minibatch, Potential } from '../../src/engine/types.js';
import type { PotentialSpec } from '../../src/scenario/types.js';
import {
  buildPotential,
  doubleWell,
  getPotentialFamily,
  linearRegressionData,
  linearRegressionPosterior,
  listPotentialFamilies,
  loadModulePotential,
  mullerBrownDerivatives,
  type BuildContext,
} from '../../src/potentials/index.js';
import { createExpressionPotential } from '../../src/potentials/expression.js';
import { ROOT, tempDir } from '../helpers.js';

const here = join(ROOT, 'test');
const examples = resolve(here, '../scenarios/examples');
const moduleFile = join(examples, 'double-well-module.mjs');
const ctx: BuildContext = { seed: 11, run: 0 };

/** Evaluate `count` replicas in one call; outputs pre-filled with NaN so a kernel that skips or accumulates into an entry is caught. */
function evaluate(p: Potential, x: Float64Array, count: number, batch?: Minibatch) {
  const energy = new Float64Array(count).fill(NaN);
  const grad = new Float64Array(count * p.dim).fill(NaN);
  p.energyAndGradient(x, count, energy, grad, batch);
  return { energy, grad };
}

function energyAt(p: Potential, point: ArrayLike<number>, batch?: Minibatch): number {
  return evaluate(p, Float64Array.from(point), 1, batch).energy[0];
}

function gradAt(p: Potential, point: ArrayLike<number>): Float64Array {
  return evaluate(p, Float64Array.from(point), 1).grad;
}

/** Hessian by central differences of the analytic gradient (step 1e-5: error ~1e-10·f'''' + ε|∇f|/h). */
function fdHessian(p: Potential, point: number[], h = 1e-5): number[][] {
  const d = point.length;
  return Array.from({ length: d }, (_, j) => {
    const up = point.slice();
    const dn = point.slice();
    up[j] += h;
    dn[j] -= h;
    const gu = gradAt(p, up);
    const gd = gradAt(p, dn);
    return Array.from({ length: d }, (_, k) => (gu[k] - gd[k]) / (2 * h));
  });
}

/** Positive definite by Cholesky (symmetrised). */
function positiveDefinite(H: number[][]): boolean {
  const d = H.length;
  const L = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (let i = 0; i < d; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0.5 * (H[i][j] + H[j][i]);
      for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
      if (i === j) {
        if (!(s > 0)) return false;
        L[i][i] = Math.sqrt(s);
      } else L[i][j] = s / L[j][j];
    }
  return true;
}

/** Entries (index, a, b) where two arrays differ in any bit (Object.is: NaN = NaN, 0 ≠ −0). */
function bitDifferences(a: Float64Array, b: Float64Array): Array<[number, number, number]> {
  const out: Array<[number, number, number]> = [];
  if (a.length !== b.length) return [[-1, a.length, b.length]];
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) out.push([i, a[i], b[i]]);
  return out;
}

interface Case {
  label: string;
  make: () => Potential | Promise<Potential>;
  /** A random point where the potential is smooth and moderate. */
  sample: (s: Stream) => number[];
  batch?: (count: number, s: Stream) => Minibatch;
}

const box = (lo: number[], hi: number[]) => (s: Stream) => lo.map((l, j) => l + (hi[j] - l) * s.uniform());
const family = (kind: string, params: Record<string, unknown>) => () => buildPotential({ kind, params }, ctx);

const linRegParams = { n: 40, d: 3, noise: 0.3, sigma: 0.5, prior: 2 };

const cases: Case[] = [
  { label: 'double-well', make: family('double-well', { h: 1.3 }), sample: box([-2], [2]) },
  { label: 'tilted-double-well', make: family('tilted-double-well', { h: 0.7, tilt: 0.25 }), sample: box([-2], [2]) },
  {
    label: 'harmonic (d = 3)',
    make: family('harmonic', { k: [1, 2.5, 0.3], centre: [0.5, -1, 2] }),
    sample: box([-3, -3, -3], [3, 3, 3]),
  },
  {
    label: 'gaussian-wells (d = 2, confined)',
    make: family('gaussian-wells', {
      wells: [
        { depth: 2, centre: [-1, 0], width: 0.3 },
        { depth: 1, centre: [1, 0.5], width: 0.8 },
        { depth: 0.5, centre: [0, 1.5], width: 0.5 },
      ],
      confinement: 0.2,
    }),
    sample: box([-2, -1.5], [2, 2.5]),
  },
  {
    label: 'gaussian-wells (d = 1)',
    make: family('gaussian-wells', {
      wells: [
        { depth: 1, centre: [0], width: 1 },
        { depth: 3, centre: [2], width: 0.2 },
      ],
    }),
    sample: box([-2], [3]),
  },
  { label: 'muller-brown (scale 1)', make: family('muller-brown', {}), sample: box([-1.5, -0.5], [1.2, 2]) },
  { label: 'muller-brown (scale 0.1)', make: family('muller-brown', { scale: 0.1 }), sample: box([-1.5, -0.5], [1.2, 2]) },
  {
    label: 'zero-loss-manifold (m = 2, wall)',
    make: family('zero-loss-manifold', { L: 1, m: 2, eps: 0.3, wall: { radius: 1.5, stiffness: 20 } }),
    sample: box([-1, -2, -2], [1, 2, 2]),
  },
  {
    label: 'sample-size-box (n = 2, D = 4)',
    make: family('sample-size-box', { n: 2, D: 4, wall: 20 }),
    sample: box([-3, -3, -3, -3], [3, 3, 3, 3]),
  },
  {
    label: 'two-wells (d = 2)',
    make: family('two-wells', { k1: [4, 2], k2: [1, 0.5], centre1: [-1, 0], centre2: [1, 0.5], theta_s: 0.1 }),
    sample: box([-2, -2], [2, 2]),
  },
  { label: 'linear-regression (full batch)', make: family('linear-regression', linRegParams), sample: box([-2, -2, -2], [2, 2, 2]) },
  {
    label: 'linear-regression (minibatch B = 7)',
    make: family('linear-regression', linRegParams),
    sample: box([-2, -2, -2], [2, 2, 2]),
    batch: (count, s) => ({ size: 7, indices: Int32Array.from({ length: count * 7 }, () => s.int(linRegParams.n)) }),
  },
  {
    label: 'expression (2-D, closure evaluator)',
    make: () =>
      createExpressionPotential({
        expression: 'a*x^4 - 2*x^2 + 0.3*x*y + exp(-y^2) * sin(3*x) + sqrt(1 + y^2) + log(2 + cos(y)) / tanh(1 + x^2)',
        coordinates: ['x', 'y'],
        params: { a: 0.5 },
      }),
    sample: box([-2, -2], [2, 2]),
  },
  {
    label: 'expression (2-D, mathjs evaluator)',
    make: () =>
      createExpressionPotential(
        {
          expression: 'a*x^4 - 2*x^2 + 0.3*x*y + exp(-y^2) * sin(3*x) + sqrt(1 + y^2) + log(2 + cos(y)) / tanh(1 + x^2)',
          coordinates: ['x', 'y'],
          params: { a: 0.5 },
        },
        { evaluator: 'mathjs' },
      ),
    sample: box([-2, -2], [2, 2]),
  },
  {
    label: 'modular-addition-square (P = 5, N = 3)',
    make: family('modular-addition-square', { P: 5, N: 3, sigma2: 0.2, train_fraction: 0.8 }),
    sample: box(Array(3 * 15).fill(-1), Array(3 * 15).fill(1)),
  },
  {
    label: 'modular-addition-square (minibatch B = 6)',
    make: family('modular-addition-square', { P: 5, N: 3, sigma2: 0.2, train_fraction: 0.8 }),
    sample: box(Array(3 * 15).fill(-1), Array(3 * 15).fill(1)),
    batch: (count, s) => ({ size: 6, indices: Int32Array.from({ length: count * 6 }, () => s.int(20)) }),
  },
  {
    label: 'teacher-student-erf (d = 4, N = 3, n = 12)',
    make: family('teacher-student-erf', { d: 4, N: 3, n: 12, n_test: 10, sigma2: 0.3 }),
    sample: box(Array(15).fill(-1), Array(15).fill(1)),
  },
  {
    label: 'repon-pair (d = 3, m = 2)',
    make: family('repon-pair', { d: 3, m: 2, y: 0.4 }),
    sample: box(Array(14).fill(-1.5), Array(14).fill(1.5)),
  },
  {
    label: 'repon-cloud (k = 3, n = 2, d = 2, m = 2)',
    make: family('repon-cloud', { k: 3, n: 2, d: 2, m: 2, targets: 'random' }),
    sample: box(Array(18).fill(-1.5), Array(18).fill(1.5)),
  },
  {
    label: 'relation-learner (n = 4, d = 2, 1 × 3 tanh, squared-difference)',
    make: family('relation-learner', { n: 4, d: 2, depth: 1, width: 3, combine: 'squared-difference', train_fraction: 0.75 }),
    sample: box(Array(21).fill(-1.5), Array(21).fill(1.5)),
  },
  {
    label: 'relation-learner (concat, 2 × 3 tanh, minibatch B = 5)',
    make: family('relation-learner', { n: 4, d: 2, depth: 2, width: 3, combine: 'concat', train_fraction: 0.75 }),
    sample: box(Array(39).fill(-1.5), Array(39).fill(1.5)),
    batch: (count, s) => ({ size: 5, indices: Int32Array.from({ length: count * 5 }, () => s.int(12)) }),
  },
  {
    label: 'toy-addition (p = 4, hidden [3], d_out = 2)',
    make: family('toy-addition', { p: 4, d_in: 1, hidden: [3], d_out: 2, train_fraction: 0.8 }),
    sample: box(Array(18).fill(-1), Array(18).fill(1)),
  },
  {
    label: 'addition-effective (p = 5, d = 2)',
    make: family('addition-effective', { p: 5, d: 2, train_fraction: 1 }),
    sample: box(Array(10).fill(-1.5), Array(10).fill(1.5)),
  },
  {
    label: 'module (scenarios/examples/double-well-module.mjs)',
    make: () => loadModulePotential(moduleFile, { h: 1.7 }, ctx),
    sample: box([-2], [2]),
  },
];

describe('every potential: gradient vs central finite differences, batched vs one at a time', () => {
  it('covers every registered family', () => {
    const covered = new Set(cases.map((c) => c.label.split(' ')[0]));
    const missing = listPotentialFamilies()
      .map((f) => f.name)
      .filter((n) => !covered.has(n));
    expect(missing).toEqual([]);
    expect(listPotentialFamilies().map((f) => f.name)).toEqual(
      expect.arrayContaining(['double-well', 'tilted-double-well', 'harmonic', 'gaussian-wells', 'muller-brown', 'linear-regression']),
    );
  });

  for (const c of cases) {
    it(c.label, async () => {
      const p = await c.make();
      const s = new Stream('potentials-test', 0, 1);
      const count = 20;
      const dim = p.dim;
      const x = new Float64Array(count * dim);
      for (let r = 0; r < count; r++) x.set(c.sample(s), r * dim);
      const batch = c.batch?.(count, s);
      const all = evaluate(p, x, count, batch);

      // Batched = one at a time, bit for bit (each replica with its own batch row).
      const single = { energy: new Float64Array(count), grad: new Float64Array(count * dim) };
      for (let r = 0; r < count; r++) {
        const rowBatch = batch && { size: batch.size, indices: batch.indices.slice(r * batch.size, (r + 1) * batch.size) };
        const one = evaluate(p, x.slice(r * dim, (r + 1) * dim), 1, rowBatch);
        single.energy[r] = one.energy[0];
        single.grad.set(one.grad, r * dim);
      }
      expect(bitDifferences(all.energy, single.energy)).toEqual([]);
      expect(bitDifferences(all.grad, single.grad)).toEqual([]);
      expect(all.energy.every(Number.isFinite) && all.grad.every(Number.isFinite)).toBe(true);

      // Central differences of the energy (with the same batch): step h = 1e-5 gives
      // truncation ~h²|f'''|/6 ≈ 1e-10·|f'''| and rounding ~ε|f|/h ≈ 2e-11·|f|, so a
      // relative tolerance of 1e-6 on (1 + |∂f| + |f|) is loose for correct code
      // and far below any real mistake (a wrong factor or sign is an O(1) error).
      const bad: string[] = [];
      for (let r = 0; r < count; r++) {
        const point = Array.from(x.slice(r * dim, (r + 1) * dim));
        const rowBatch = batch && { size: batch.size, indices: batch.indices.slice(r * batch.size, (r + 1) * batch.size) };
        for (let j = 0; j < dim; j++) {
          const h = 1e-5 * Math.max(1, Math.abs(point[j]));
          const up = point.slice();
          const dn = point.slice();
          up[j] += h;
          dn[j] -= h;
          const fd = (energyAt(p, up, rowBatch) - energyAt(p, dn, rowBatch)) / (2 * h);
          const g = all.grad[r * dim + j];
          const tol = 1e-6 * (1 + Math.abs(g) + Math.abs(all.energy[r]));
          if (!(Math.abs(fd - g) <= tol)) bad.push(`replica ${r} coordinate ${j}: analytic ${g}, finite difference ${fd}`);
        }
      }
      expect(bad).toEqual([]);

      // Shape of the contract.
      expect(p.coordinates.length).toBe(dim);
      expect(p.groups.reduce((n, g) => n + g.size, 0)).toBe(dim);
    });
  }
});

describe('expression and module potentials equal the built-in double well', () => {
  const points = (() => {
    const s = new Stream('potentials-test', 0, 2);
    const pts = [-2, -1.5, -1, -0.5, 0, 0.3, 1, 1.000001, 2];
    for (let i = 0; i < 40; i++) pts.push(-2.5 + 5 * s.uniform());
    return Float64Array.from(pts);
  })();
  const relClose = (a: Float64Array, b: Float64Array) =>
    Array.from(a)
      .map((v, i) => [i, v, b[i]] as const)
      .filter(([, v, w]) => !(Math.abs(v - w) <= 1e-12 * Math.abs(w)));
  /**
   * Gradients: relative to the size of the terms, 4h|x|(x² + 1), not of their
   * sum — near a minimum any evaluation order loses digits to cancellation
   * (at x = 1.000001 the forms 4hx(x² − 1) and Horner's each differ from the
   * exact value by ~1e-10 relative), so two orders agree only to that.
   */
  const gradClose = (a: Float64Array, b: Float64Array, h: number) =>
    Array.from(a)
      .map((v, i) => [i, v, b[i]] as const)
      .filter(([i, v, w]) => !(Math.abs(v - w) <= 1e-12 * (Math.abs(w) + 4 * h * Math.abs(points[i]) * (points[i] ** 2 + 1))));

  for (const h of [1, 2.5]) {
    const reference = evaluate(doubleWell(h), points, points.length);

    it(`expression h*(x^2-1)^2, h = ${h} (both evaluators)`, () => {
      for (const evaluator of ['closure', 'mathjs'] as const) {
        const p = createExpressionPotential({ expression: 'h*(x^2-1)^2', coordinates: ['x'], params: { h } }, { evaluator });
        const got = evaluate(p, points, points.length);
        expect(relClose(got.energy, reference.energy)).toEqual([]);
        expect(gradClose(got.grad, reference.grad, h)).toEqual([]);
      }
    });

    it(`shipped module double-well-module.mjs, h = ${h}`, async () => {
      const p = await loadModulePotential(moduleFile, { h }, ctx);
      const got = evaluate(p, points, points.length);
      expect(relClose(got.energy, reference.energy)).toEqual([]);
      expect(gradClose(got.grad, reference.grad, h)).toEqual([]);
    });
  }

  it('the example scenarios build potentials equal to the built-in double well', async () => {
    const reference = evaluate(doubleWell(1), points, points.length);
    for (const file of ['expression-double-well.yaml', 'module-double-well.yaml']) {
      const doc = parseYaml(readFileSync(join(examples, file), 'utf8')) as { potential: Record<string, unknown> };
      const spec = { params: {}, ...doc.potential } as PotentialSpec;
      if ('module' in spec) spec.module = resolve(examples, spec.module);
      const p = await buildPotential(spec, ctx);
      const got = evaluate(p, points, points.length);
      expect(relClose(got.energy, reference.energy), file).toEqual([]);
      expect(gradClose(got.grad, reference.grad, 1), file).toEqual([]);
      expect(p.coordinates).toEqual(['x']);
    }
  });
});

describe('muller-brown', () => {
  // Literature minima (Müller & Brown 1979) and energies at scale 1.
  const known = [
    { at: [-0.558, 1.442], energy: -146.7 },
    { at: [0.623, 0.028], energy: -108.17 },
    { at: [-0.05, 0.467], energy: -80.77 },
  ];

  it('minima: zero gradient, positive-definite Hessian, the known energies', async () => {
    const p = await buildPotential({ kind: 'muller-brown', params: {} }, ctx);
    expect(p.minima).toHaveLength(3);
    p.minima!.forEach((m, i) => {
      const { at, energy } = known[i];
      // Newton-refined minimum near the literature position (quoted to 3 decimals).
      expect(Math.hypot(m[0] - at[0], m[1] - at[1])).toBeLessThan(2e-3);
      const g = gradAt(p, m);
      // Energies ~1e2 and curvatures ~1e3: Newton converges to |∇V| at rounding level.
      expect(Math.hypot(g[0], g[1])).toBeLessThan(1e-9);
      // Known energies quoted to 2 decimals: half a unit in the last place plus rounding.
      expect(Math.abs(energyAt(p, m) - energy)).toBeLessThan(0.006);
      const H = fdHessian(p, [...m]);
      expect(positiveDefinite(H)).toBe(true);
      // Finite-difference Hessian agrees with the closed-form one (independent code path).
      const [, , , hxx, hxy, hyy] = mullerBrownDerivatives(m[0], m[1]);
      expect(H[0][0]).toBeCloseTo(hxx, 3);
      expect(H[0][1]).toBeCloseTo(hxy, 3);
      expect(H[1][1]).toBeCloseTo(hyy, 3);
    });
  });

  it('scale multiplies the surface and leaves the minima in place', async () => {
    const p1 = await buildPotential({ kind: 'muller-brown', params: { scale: 1 } }, ctx);
    const p01 = await buildPotential({ kind: 'muller-brown', params: { scale: 0.01 } }, ctx);
    p01.minima!.forEach((m, i) => {
      expect(Math.hypot(m[0] - p1.minima![i][0], m[1] - p1.minima![i][1])).toBeLessThan(1e-10);
      expect(energyAt(p01, m)).toBeCloseTo(0.01 * energyAt(p1, p1.minima![i]), 10);
    });
  });

  it('the saddle between the two deepest minima is not a minimum (Hessian has a negative eigenvalue)', async () => {
    const p = await buildPotential({ kind: 'muller-brown', params: {} }, ctx);
    // Known saddle ≈ (−0.822, 0.624); refine by Newton on the gradient.
    let [x, y] = [-0.822, 0.624];
    for (let i = 0; i < 30; i++) {
      const [, gx, gy, hxx, hxy, hyy] = mullerBrownDerivatives(x, y);
      const det = hxx * hyy - hxy * hxy;
      x -= (hyy * gx - hxy * gy) / det;
      y -= (hxx * gy - hxy * gx) / det;
    }
    expect(Math.hypot(...gradAt(p, [x, y]))).toBeLessThan(1e-8);
    expect(positiveDefinite(fdHessian(p, [x, y]))).toBe(false);
    expect(energyAt(p, [x, y])).toBeCloseTo(-40.665, 2);
  });
});

describe('gaussian-wells minima', () => {
  it('are stationary with a positive-definite Hessian, one per separated well', async () => {
    const wells = [
      { depth: 2, centre: [-1.5, 0, 0.5], width: 0.4 },
      { depth: 1, centre: [1.5, 0.5, 0], width: 0.9 },
      { depth: 1.5, centre: [0, 2, -1], width: 0.5 },
    ];
    const p = await buildPotential({ kind: 'gaussian-wells', params: { wells, confinement: 0.05 } }, ctx);
    expect(p.minima).toHaveLength(3);
    p.minima!.forEach((m, i) => {
      // Stationary: |∇f| at the level of rounding of O(1) terms.
      expect(Math.hypot(...gradAt(p, m))).toBeLessThan(1e-9);
      expect(positiveDefinite(fdHessian(p, [...m]))).toBe(true);
      // Near its well's centre (the confinement and the other wells shift it a little).
      expect(Math.hypot(...m.map((v, j) => v - wells[i].centre[j]))).toBeLessThan(0.3);
    });
  });

  it('merged wells give one minimum (deduplicated), and a bump gives none', async () => {
    const merged = await buildPotential(
      {
        kind: 'gaussian-wells',
        params: {
          wells: [
            { depth: 1, centre: [0.1], width: 1 },
            { depth: 1, centre: [-0.1], width: 1 },
          ],
        },
      },
      ctx,
    );
    expect(merged.minima).toHaveLength(1);
    expect(Math.abs(merged.minima![0][0])).toBeLessThan(1e-9);
    const bump = await buildPotential(
      { kind: 'gaussian-wells', params: { wells: [{ depth: -1, centre: [0, 0], width: 1 }], confinement: 0 } },
      ctx,
    );
    expect(bump.minima).toHaveLength(0);
  });

  it('rejects centres of different lengths', () => {
    expect(() =>
      getPotentialFamily('gaussian-wells')!.create(
        {
          wells: [
            { depth: 1, centre: [0], width: 1 },
            { depth: 1, centre: [0, 1], width: 1 },
          ],
          confinement: 0,
        },
        ctx,
      ),
    ).toThrow(/well 1 has a centre of length 2, well 0 has 1/);
  });
});

describe('linear-regression', () => {
  const params = { n: 40, d: 3, noise: 0.3, sigma: 0.5, prior: 2 };

  it('data are deterministic in the seed, independent of the run, different across seeds', () => {
    const a = linearRegressionData(params, { seed: 5, run: 0 });
    const b = linearRegressionData(params, { seed: 5, run: 3 });
    const c = linearRegressionData(params, { seed: 6, run: 0 });
    expect(bitDifferences(a.A, b.A)).toEqual([]);
    expect(bitDifferences(a.b, b.b)).toEqual([]);
    expect(bitDifferences(a.A, c.A).length).toBeGreaterThan(100);
  });

  it('a batch of all indices once equals the full-batch energy and gradient', async () => {
    const p = await buildPotential({ kind: 'linear-regression', params }, ctx);
    expect(p.dataSize).toBe(40);
    const w = Float64Array.from([0.3, -1.2, 0.8]);
    const full = evaluate(p, w, 1);
    const inOrder = evaluate(p, w, 1, { size: 40, indices: Int32Array.from({ length: 40 }, (_, i) => i) });
    expect(bitDifferences(inOrder.energy, full.energy)).toEqual([]);
    expect(bitDifferences(inOrder.grad, full.grad)).toEqual([]);
    // A permutation only reorders the sum: equal to rounding.
    const perm = Int32Array.from({ length: 40 }, (_, i) => (i * 17) % 40);
    const shuffled = evaluate(p, w, 1, { size: 40, indices: perm });
    expect(Math.abs(shuffled.energy[0] - full.energy[0])).toBeLessThan(1e-12 * full.energy[0]);
    full.grad.forEach((g, j) => expect(Math.abs(shuffled.grad[j] - g)).toBeLessThan(1e-12 * (1 + Math.abs(g))));
  });

  it('the minibatch estimate is unbiased (mean of 40 000 batches within 5 standard errors of the full value)', async () => {
    const p = await buildPotential({ kind: 'linear-regression', params }, ctx);
    const M = 40_000;
    const B = 5;
    const w = [0.3, -1.2, 0.8];
    const x = new Float64Array(M * 3);
    for (let r = 0; r < M; r++) x.set(w, r * 3);
    const s = new Stream('potentials-test', 0, 3);
    // Uniform indices with replacement, one row per replica (as the engine draws them).
    const indices = Int32Array.from({ length: M * B }, () => s.int(params.n));
    const est = evaluate(p, x, M, { size: B, indices });
    const full = evaluate(p, Float64Array.from(w), 1);
    // Per component: |mean − full| ≤ 5 σ̂/√M. Four components, two-sided normal tail:
    // P(any false alarm) ≈ 4 × 5.7e-7. A wrong scaling (n/B) would be off by ~100 σ.
    const columns = [Array.from(est.energy), ...[0, 1, 2].map((j) => Array.from({ length: M }, (_, r) => est.grad[r * 3 + j]))];
    const target = [full.energy[0], ...full.grad];
    columns.forEach((col, k) => {
      const mean = col.reduce((a, b) => a + b, 0) / M;
      const sd = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / (M - 1));
      expect(sd).toBeGreaterThan(0); // really stochastic
      expect(Math.abs(mean - target[k])).toBeLessThanOrEqual((5 * sd) / Math.sqrt(M));
    });
  });

  it('posterior: the mean is the minimum of f and the precision is its Hessian', async () => {
    const p = await buildPotential({ kind: 'linear-regression', params }, ctx);
    const post = linearRegressionPosterior(params, ctx);
    expect(Math.hypot(...gradAt(p, post.mean))).toBeLessThan(1e-10);
    expect(p.minima).toEqual([post.mean]);
    const H = fdHessian(p, post.mean);
    for (let j = 0; j < 3; j++)
      for (let k = 0; k < 3; k++) {
        expect(Math.abs(H[j][k] - post.precision[j][k])).toBeLessThan(1e-6 * (1 + Math.abs(post.precision[j][k])));
        // covariance × precision = identity
        const ck = post.covariance[j].reduce((a, v, i) => a + v * post.precision[i][k], 0);
        expect(Math.abs(ck - (j === k ? 1 : 0))).toBeLessThan(1e-12);
      }
  });
});

describe('expression potential errors are clear', () => {
  const make =
    (expression: string, params: Record<string, number> = { h: 1 }, coordinates = ['x']) =>
    () =>
      createExpressionPotential({ expression, coordinates, params });

  it('syntax error: names the expression and the position', () => {
    expect(make('h*(x^2 -* 1)^2')).toThrow(/expression potential "h\*\(x\^2 -\* 1\)\^2": syntax error: .*char 9/);
    expect(make('h*(x^2-1')).toThrow(/syntax error/);
  });

  it('unknown symbol: neither a coordinate nor a param', () => {
    expect(make('h*(x^2-q)^2')).toThrow(/unknown symbol 'q': it is neither a coordinate \(x\) nor a param \(h\)/);
  });

  it('unknown function, and a function called with the wrong number of arguments', () => {
    expect(make('foo(x)')).toThrow(/unknown function 'foo'/);
    expect(make('sin(x, 2)')).toThrow(/sin\(\) at character 1 takes 1 argument, found 2/);
    expect(make('atan2(x)')).toThrow(/atan2\(\) at character 1 takes 2 arguments, found 1/);
    expect(make('max()')).toThrow(/max\(\) at character 1 takes 1 argument or more, found 0/);
  });

  it('unsupported constructs and bad params/coordinates', () => {
    expect(make('x = 3')).toThrow(/unsupported construct AssignmentNode/);
    expect(make('[x, x]')).toThrow(/unsupported construct ArrayNode/);
    expect(make('x^2', { h: NaN })).toThrow(/param 'h' = null, expected a finite number/);
    expect(make('x^2', {}, ['x', 'x'])).toThrow(/coordinate 'x' is listed twice/);
    expect(make('x^2', { x: 1 })).toThrow(/'x' is both a coordinate and a param/);
    expect(make('')).toThrow(/empty/);
  });

  it('constants pi and e are accepted', () => {
    const p = make('pi*x^2 + e')();
    expect(energyAt(p, [2])).toBeCloseTo(4 * Math.PI + Math.E, 14);
    expect(gradAt(p, [2])[0]).toBeCloseTo(4 * Math.PI, 13);
  });
});

describe('module potentials: shape validation names the module', () => {
  const dir = tempDir('potentials');
  const write = (name: string, body: string) => {
    const path = join(dir, name);
    writeFileSync(path, body);
    return path;
  };
  const ok = `{ name: 'm', dim: 2, coordinates: ['a', 'b'], groups: [{ name: 'x', offset: 0, size: 2 }], energyAndGradient() {} }`;

  it('accepts a valid (async) module and passes params and ctx', async () => {
    const path = write(
      'async.mjs',
      `export async function createPotential(params, ctx) { return { ...${ok}, name: 'm' + params.tag + ctx.seed }; }`,
    );
    const p = await loadModulePotential(path, { tag: '-' }, ctx);
    expect(p.name).toBe('m-11');
  });

  const badCases: Array<[string, string, RegExp]> = [
    ['no-export.mjs', `export const x = 1;`, /must export a function createPotential\(params, ctx\); it exports x/],
    ['dim.mjs', `export function createPotential() { return { ...${ok}, dim: 0 }; }`, /dim = 0, expected a positive integer/],
    [
      'coords.mjs',
      `export function createPotential() { return { ...${ok}, coordinates: ['a'] }; }`,
      /coordinates \["a"\], expected 2 strings/,
    ],
    [
      'groups.mjs',
      `export function createPotential() { return { ...${ok}, groups: [{ name: 'x', offset: 0, size: 1 }] }; }`,
      /groups that do not cover coordinate 1/,
    ],
    [
      'overlap.mjs',
      `export function createPotential() { return { ...${ok}, groups: [{ name: 'a', offset: 0, size: 2 }, { name: 'b', offset: 1, size: 1 }] }; }`,
      /groups\[1\] \('b'\) overlaps groups\[0\]/,
    ],
    ['nofn.mjs', `export function createPotential() { return { ...${ok}, energyAndGradient: 3 }; }`, /without an energyAndGradient/],
    ['throws.mjs', `export function createPotential() { throw new Error('boom'); }`, /createPotential threw: boom/],
    ['syntax.mjs', `export function createPotential( {`, /could not be imported/],
  ];
  for (const [file, body, message] of badCases) {
    it(`rejects ${file}`, async () => {
      const path = write(file, body);
      const err = await loadModulePotential(path, {}, ctx).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(err).toBeInstanceOf(Error);
      expect(err!.message).toContain(path);
      expect(err!.message).toMatch(message);
    });
  }
});

describe('buildPotential', () => {
  it('unknown kind lists the known kinds', async () => {
    await expect(buildPotential({ kind: 'duble-well', params: {} }, ctx)).rejects.toThrow(
      /unknown potential kind 'duble-well'; known kinds: .*double-well.*gaussian-wells.*harmonic.*linear-regression.*muller-brown/,
    );
  });

  it('fills schema defaults for library callers that skip validation', async () => {
    const p = await buildPotential({ kind: 'double-well', params: {} }, ctx);
    expect(energyAt(p, [0])).toBe(1); // h = 1 by default
    const lr = await buildPotential({ kind: 'linear-regression', params: {} }, ctx);
    expect(lr.dim).toBe(2);
    expect(lr.dataSize).toBe(100);
  });

  it('dispatches expression and module specs', async () => {
    const e = await buildPotential({ expression: 'x^2 + y^2', coordinates: ['x', 'y'], params: {} }, ctx);
    expect(e.dim).toBe(2);
    const m = await buildPotential({ module: moduleFile, params: { h: 1 } }, ctx);
    expect(m.name).toBe('double-well-module');
  });
});
