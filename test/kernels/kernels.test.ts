/**
 * The WebAssembly SIMD kernels of the neural potentials (assembly/, loaded by
 * src/kernels/wasm.ts) against the plain-TypeScript kernels, the reference:
 *
 * - float64 agreement to 1e-12 relative, at random points, for every replica
 *   of a batch, full batch and minibatch, over shapes that exercise the lane
 *   padding (odd N, odd widths, d = 1, depth 0) and every combine mode.
 *   Energies: |E_wasm − E_js| ≤ 1e-12 |E_js| per replica. Gradients, normwise
 *   per replica: max_j |g_wasm − g_js| ≤ 1e-12 max_j |g_js| (the kernels sum
 *   in a different order, so single components that cancel to ~0 have no
 *   meaningful componentwise relative error).
 * - The same numbers in-process and on 1 and 2 workers (each worker its own
 *   instance); parameter validation; the js fallback when the module is
 *   unavailable.
 * - The SGLD/GD update's uniform fast path (scalar η, θ, λ for networks with
 *   thousands of weights) gives the same bits as the per-coordinate path.
 * - float32 against float64 on the shipped scenario first-order/modular-addition.yaml
 *   (2,000 steps): final energy, train and test error agree within k = 4
 *   combined standard errors (two independent ensembles of 32 replicas,
 *   seeds 11 and 12).
 *
 * - teacher-student-erf: the same agreement at points scaled so that |w·x|
 *   reaches every piece of the vector erf (|u| < 1, 1–2.5, 2.5–6, ≥ 6; checked),
 *   full batch and minibatch, odd N, d and n.
 *
 * - toy-addition: both tasks, both activations, hidden [] to three layers,
 *   odd widths, the scenario and default shapes (table above); two chunks of
 *   64 at full batch and minibatches of 150, tanh saturated at scale 10.
 *
 * Needs dist/wasm/kernels.wasm (`npm run build`): without it the wasm cases
 * fail with the loader's reason.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import type { Potential } from '../../src/engine/types.js';
import { coordinateSettings, createState, simulate } from '../../src/engine/index.js';
import { overdampedLangevin } from '../../src/engine/integrators/overdamped-langevin.js';
import { wasmKernels } from '../../src/kernels/wasm.js';
import { nativeStatus } from '../../src/native/index.js';
import { runEnsemble } from '../../src/parallel/run.js';
import { runScenario } from '../../src/runs/run.js';
import { modularAdditionSquare } from '../../src/potentials/neural/modular-addition/index.js';
import { teacherStudentData, teacherStudentErf } from '../../src/potentials/neural/teacher-student/index.js';
import { relationLearner } from '../../src/potentials/relation/relation-learner/index.js';
import { toyAddition } from '../../src/potentials/relation/toy-addition/index.js';
import { validateScenarioObject } from '../../src/scenario/index.js';
import { discrepancy, evalAt, minibatch, randomPoint, ROOT } from '../helpers.js';

const TOL = 1e-12;

/** wasm and js agree to TOL at x, full batch and a minibatch of `batchSize` per replica (energies and gradients). */
function expectAgreement(js: Potential, wasm: Potential, x: Float64Array, count: number, batchSize: number, scale: number): void {
  const full = discrepancy(js, wasm, x, count);
  expect(full.finite).toBe(true);
  expect(full.energy).toBeLessThanOrEqual(TOL);
  expect(full.gradient).toBeLessThanOrEqual(TOL);
  const mb = discrepancy(js, wasm, x, count, minibatch(count, batchSize, js.dataSize!, scale));
  expect(mb.energy).toBeLessThanOrEqual(TOL);
  expect(mb.gradient).toBeLessThanOrEqual(TOL);
}

type Build = (params: Record<string, unknown>) => Potential;
const ma: Build = (params) => modularAdditionSquare(params, { seed: 3, run: 0 });
const rl: Build = (params) => relationLearner(params, { seed: 3, run: 0 });
const ts: Build = (params) => teacherStudentErf(params, { seed: 3, run: 0 });
const ta: Build = (params) => toyAddition(params, { seed: 3, run: 0 });

const cases: [string, Build, Record<string, unknown>][] = [
  ['modular-addition-square, defaults', ma, {}],
  [
    'modular-addition-square, W2 (P 11, N 64, all pairs, one-hot, flat priors)',
    ma,
    { P: 11, N: 64, train_fraction: 1, targets: 'one-hot', loss_scale: 1 / 1331, prior_w: 'flat', prior_a: 'flat' },
  ],
  ['modular-addition-square, odd N (lane padding), P 5', ma, { P: 5, N: 7, prior_w: 2 }],
  ['relation-learner, defaults (W3 shape)', rl, {}],
  ['relation-learner, depth 0 (linear decoder)', rl, { depth: 0 }],
  ['relation-learner, difference, d 3, odd width 7', rl, { combine: 'difference', d: 3, depth: 1, width: 7 }],
  [
    'relation-learner, squared-difference, d 1, n 9, depth 2, width 5',
    rl,
    { combine: 'squared-difference', d: 1, n: 9, depth: 2, width: 5, relation: 'greater-than' },
  ],
  ['teacher-student-erf, defaults (d 16, N 16, n 400)', ts, {}],
  ['teacher-student-erf, odd d 5, N 7, n 23 (lane padding, short last block)', ts, { d: 5, N: 7, n: 23 }],
  ['teacher-student-erf, d 1, N 1, n 3, flat priors', ts, { d: 1, N: 1, n: 3, prior_w: 'flat', prior_a: 'flat' }],
  ['toy-addition, scenario shape (p 10, 1-32-32-8 tanh, regression)', ta, { p: 10, d_in: 1, hidden: [32, 32], d_out: 8 }],
  ['toy-addition, defaults (1-200-200-30 tanh, regression)', ta, {}],
  ['toy-addition, relu, d_in 3, odd widths [5, 7], d_out 3, p 7', ta, { p: 7, d_in: 3, hidden: [5, 7], d_out: 3, activation: 'relu' }],
  ['toy-addition, classification, hidden [] (linear decoder), p 5', ta, { p: 5, hidden: [], task: 'classification' }],
  [
    'toy-addition, classification, relu, d_in 2, one layer of 9, p 6',
    ta,
    { p: 6, d_in: 2, hidden: [9], task: 'classification', activation: 'relu' },
  ],
  ['toy-addition, tanh, three layers [3, 5, 2], d_out 1, p 4', ta, { p: 4, hidden: [3, 5, 2], d_out: 1 }],
];

describe('wasm kernels agree with the TypeScript reference (float64)', () => {
  it('the module loads here (dist/wasm/kernels.wasm, 128-bit SIMD)', () => {
    const st = wasmKernels();
    expect(st.ok ? 'loaded' : st.reason).toBe('loaded');
  });

  for (const [name, build, params] of cases) {
    it(`${name}: energies and gradients to ${TOL} relative, full batch and minibatch, every replica`, () => {
      const js = build({ ...params, kernels: 'js' });
      const wasm = build({ ...params, kernels: 'wasm' });
      expect(wasm.info?.kernels).toBe('wasm SIMD, float64');
      expect(js.info?.kernels).toBe('js');
      const count = 5; // odd, and more than one of everything
      for (const scale of [1, 3]) {
        const x = randomPoint(js, count, 17 + scale, scale);
        expectAgreement(js, wasm, x, count, 13, scale);
      }
    });
  }

  it('a wrong gradient would be caught: perturbing one weight by 1e-9 relative breaks the bound', () => {
    const js = ma({ kernels: 'js' });
    const wasm = ma({ kernels: 'wasm' });
    const x = randomPoint(js, 3, 5);
    const y = x.slice();
    y[7] *= 1 + 1e-9;
    expect(discrepancy(js, wasm, x, 3, undefined, y).gradient).toBeGreaterThan(TOL);
  });
});

describe('native kernels of relation-learner and modular-addition-square agree with the TypeScript reference', () => {
  const nativeCases = cases.filter(([, build]) => build === rl || build === ma);
  const native = nativeStatus();
  const info = native.ok ? `native ${native.addon.simd}${native.addon.fma === 'fma' ? '+fma' : ''}` : '';

  it('the addon loads here (npm run build builds it; CI must have it)', () => {
    if (process.env.CI) expect(native.ok ? 'loaded' : native.reason).toBe('loaded');
    if (!native.ok) expect(() => rl({ kernels: 'native' })).toThrow(/relation-learner: kernels 'native' unavailable/);
  });

  for (const [name, build, params] of nativeCases) {
    it.runIf(native.ok)(`${name}: float64 energies and gradients to ${TOL} relative, full batch and minibatch`, () => {
      const js = build({ ...params, kernels: 'js' });
      const nat = build({ ...params, kernels: 'native' });
      expect(nat.info?.kernels).toBe(`${info}, float64`);
      expect(build(params).info?.kernels, 'auto prefers the native kernels').toBe(`${info}, float64`);
      for (const scale of [1, 3]) expectAgreement(js, nat, randomPoint(js, 5, 17 + scale, scale), 5, 13, scale);
    });

    it.runIf(native.ok)(`${name}: float32 within float32 rounding of float64 (normwise 1e-5), and not float64 in disguise`, () => {
      const f64 = build({ ...params, kernels: 'js' });
      const f32 = build({ ...params, kernels: 'native', precision: 'float32' });
      expect(f32.info?.kernels).toBe(`${info}, float32`);
      const d = discrepancy(f64, f32, randomPoint(f64, 3, 29), 3);
      expect(d.energy).toBeLessThan(1e-5);
      expect(d.gradient).toBeLessThan(1e-5);
      expect(d.gradient).toBeGreaterThan(TOL);
    });
  }

  it.runIf(native.ok)('a wrong gradient would be caught: perturbing one weight by 1e-9 relative breaks the bound', () => {
    for (const build of [rl, ma]) {
      const js = build({ kernels: 'js' });
      const nat = build({ kernels: 'native' });
      const x = randomPoint(js, 3, 5);
      const y = x.slice();
      y[js.dim - 3] *= 1 + 1e-9; // a weight of the output layer
      expect(discrepancy(js, nat, x, 3, undefined, y).gradient).toBeGreaterThan(TOL);
    }
  });

  it('summary.json records the kernels of a potential that has a choice, and nothing for one that has none', async () => {
    const base = {
      seed: 2,
      dynamics: { integrator: 'sgld', lr: 1e-3, temperature: 1e-3, steps: 20 },
      observe: { grid: { kind: 'linear', points: 2 }, observables: ['energy'] },
    };
    const network = (kernels: string) =>
      validateScenarioObject(
        {
          ...base,
          name: 'kernels-recorded',
          potential: { kind: 'modular-addition-square', params: { P: 5, N: 7, kernels } },
          ensemble: { replicas: 3, init: { kind: 'potential' } },
        },
        '',
      );
    expect((await runScenario(network('js'), { write: false, workers: 0 })).summary.stochdyn).toEqual({
      version: expect.any(String),
      kernels: 'js',
    });
    expect((await runScenario(network('wasm'), { write: false, workers: 0 })).summary.stochdyn.kernels).toBe('wasm SIMD, float64');
    const analytic = validateScenarioObject(
      {
        ...base,
        name: 'no-kernels',
        potential: { kind: 'double-well', params: { h: 1 } },
        ensemble: { replicas: 3, init: { kind: 'point', x: [-1] } },
      },
      '',
    );
    expect((await runScenario(analytic, { write: false, workers: 0 })).summary.stochdyn).toEqual({ version: expect.any(String) });
  });

  it('potentials without native kernels refuse kernels: native and keep wasm under auto', () => {
    expect(() => ts({ kernels: 'native' })).toThrow(/teacher-student-erf: kernels 'native' do not exist for this potential/);
    expect(ts({}).info?.kernels).toBe('wasm SIMD, float64');
  });

  it.runIf(native.ok)('the modular-addition kernel refuses sizes that do not match and training pairs out of range', () => {
    const addon = native.ok ? native.addon : null;
    const call = (dim: number, rowN: number[]) =>
      addon!.maEnergyGrad(
        64,
        new Float64Array(dim),
        1,
        dim,
        2,
        1,
        new Int32Array([0]),
        0,
        1,
        Int32Array.from(rowN),
        new Int32Array([2]),
        new Int32Array([0]),
        0,
        1,
        1,
        0,
        0,
        new Float64Array(1),
        new Float64Array(dim),
      );
    expect(() => call(5, [0])).toThrow(/sizes do not match the network/);
    expect(() => call(6, [7])).toThrow(/a training pair is out of range/);
  });

  it.runIf(native.ok)('the native kernel refuses sizes that do not match the network, and picks out of range', () => {
    const addon = native.ok ? native.addon : null;
    const E = new Float64Array(1);
    const G = new Float64Array(10);
    expect(() =>
      addon!.rlEnergyGrad(
        64,
        new Float64Array(10),
        1,
        10,
        3,
        2,
        0,
        1,
        4,
        new Int32Array(1),
        0,
        1,
        new Int32Array(1),
        new Float64Array(1),
        E,
        G,
      ),
    ).toThrow(/sizes do not match the network/);
    // n 2, d 1, concat, depth 0: dim = 2 + 2 + 1 = 5
    expect(() =>
      addon!.rlEnergyGrad(
        64,
        new Float64Array(5),
        1,
        5,
        2,
        1,
        0,
        0,
        0,
        new Int32Array([4]),
        0,
        1,
        new Int32Array(4),
        new Float64Array(4),
        E,
        new Float64Array(5),
      ),
    ).toThrow(/a pick is out of range/);
  });
});

describe('teacher-student-erf: every piece of the vector erf', () => {
  /** Counts of the projections u = w_i·x_μ of all replicas and training samples in |u| < 1, [1, 2.5), [2.5, 6), ≥ 6. */
  function regions(params: Record<string, unknown>, x: Float64Array, count: number): number[] {
    const d = (params.d as number | undefined) ?? 16;
    const N = (params.N as number | undefined) ?? 16;
    const { X } = teacherStudentData(params, { seed: 3, run: 0 });
    const n = X.length / d;
    const dim = N * d + N;
    const out = [0, 0, 0, 0];
    for (let r = 0; r < count; r++)
      for (let i = 0; i < N; i++)
        for (let mu = 0; mu < n; mu++) {
          let u = 0;
          for (let j = 0; j < d; j++) u += x[r * dim + i * d + j] * X[mu * d + j];
          const a = Math.abs(u);
          out[a < 1 ? 0 : a < 2.5 ? 1 : a < 6 ? 2 : 3]++;
        }
    return out;
  }

  for (const params of [{}, { d: 7, N: 5, n: 37 }] as Record<string, unknown>[]) {
    it(`${JSON.stringify(params)}: wasm f64 = js to ${TOL} at scales 1, 3, 10 (|w·x| up to ≈ 40), full batch and minibatch`, () => {
      const js = ts({ ...params, kernels: 'js' });
      const wasm = ts({ ...params, kernels: 'wasm' });
      const count = 3;
      const seen = [0, 0, 0, 0];
      for (const scale of [1, 3, 10]) {
        const x = randomPoint(js, count, 41 + scale, scale);
        regions(params, x, count).forEach((c, k) => (seen[k] += c));
        expectAgreement(js, wasm, x, count, 11, scale);
      }
      for (const c of seen) expect(c).toBeGreaterThan(20);
    });
  }

  it('a wrong gradient would be caught: a 1e-9 relative perturbation of one weight, or float32, breaks the bound', () => {
    const js = ts({ kernels: 'js' });
    const wasm = ts({ kernels: 'wasm' });
    const x = randomPoint(js, 3, 5, 3);
    const y = x.slice();
    y[7] *= 1 + 1e-9;
    expect(discrepancy(js, wasm, x, 3, undefined, y).gradient).toBeGreaterThan(TOL);
    expect(discrepancy(js, ts({ precision: 'float32' }), x, 3).gradient).toBeGreaterThan(TOL);
  });
});

describe('toy-addition: chunks, saturation, controls', () => {
  // p 16: 112 training samples, two chunks of 64 at full batch; minibatches of 150 (three chunks, short last block).
  for (const params of [
    { p: 16, d_in: 2, hidden: [6, 11], d_out: 5 },
    { p: 16, hidden: [7], task: 'classification', activation: 'relu' },
  ] as Record<string, unknown>[]) {
    it(`${JSON.stringify(params)}: wasm f64 = js to ${TOL} at scales 1, 3, 10 (tanh saturated), full batch and minibatch of 150`, () => {
      const js = ta({ ...params, kernels: 'js' });
      const wasm = ta({ ...params, kernels: 'wasm' });
      expect(js.dataSize).toBe(112);
      const count = 3;
      for (const scale of [1, 3, 10]) {
        const x = randomPoint(js, count, 61 + scale, scale);
        expectAgreement(js, wasm, x, count, 150, scale);
      }
    });
  }

  it('a wrong gradient would be caught: a 1e-9 relative perturbation of one weight, or float32, breaks the bound', () => {
    for (const params of [
      { p: 10, hidden: [32, 32], d_out: 8 },
      { p: 6, hidden: [9], task: 'classification', activation: 'relu' },
    ] as Record<string, unknown>[]) {
      const js = ta({ ...params, kernels: 'js' });
      const wasm = ta({ ...params, kernels: 'wasm' });
      const x = randomPoint(js, 3, 5);
      const y = x.slice();
      y[js.dim - 1] *= 1 + 1e-9; // the last output bias
      expect(discrepancy(js, wasm, x, 3, undefined, y).gradient).toBeGreaterThan(TOL);
      const z = x.slice();
      z[1] *= 1 + 1e-9; // an embedding
      expect(discrepancy(js, wasm, x, 3, undefined, z).gradient).toBeGreaterThan(TOL);
      expect(discrepancy(js, ta({ ...params, precision: 'float32' }), x, 3).gradient).toBeGreaterThan(TOL);
    }
  });

  it('validates kernels and precision; with the module disabled, auto falls back to js and wasm throws', async () => {
    expect(() => ta({ kernels: 'gpu' })).toThrow(/toy-addition: kernels = "gpu", expected one of auto, js, wasm/);
    expect(() => ta({ precision: 'float16' })).toThrow(/toy-addition: precision = "float16", expected one of float64, float32/);
    expect(() => ta({ kernels: 'js', precision: 'float32' })).toThrow(/toy-addition: precision 'float32' needs kernels 'wasm' or 'auto'/);
    expect(ta({ hidden: [3] }).info?.kernels).toBe('wasm SIMD, float64');
    vi.resetModules();
    vi.stubEnv('STOCHDYN_KERNELS', 'js');
    try {
      const fresh = await import('../../src/potentials/relation/toy-addition/index.js');
      const params = { p: 6, hidden: [5, 3], d_out: 2 };
      const auto = fresh.toyAddition(params, { seed: 3, run: 0 });
      expect(auto.info?.kernels).toBe('js (wasm unavailable: disabled by STOCHDYN_KERNELS=js)');
      const x = randomPoint(auto, 2, 1);
      expect(evalAt(auto, x, 2)).toEqual(evalAt(ta({ ...params, kernels: 'js' }), x, 2));
      expect(() => fresh.toyAddition({ kernels: 'wasm' }, { seed: 3, run: 0 })).toThrow(/toy-addition: kernels 'wasm' unavailable/);
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });
});

describe('kernel selection', () => {
  it('validates kernels and precision with clear errors', () => {
    expect(() => ma({ kernels: 'gpu' })).toThrow(/modular-addition-square: kernels = "gpu", expected one of auto, js, wasm/);
    expect(() => rl({ precision: 'float16' })).toThrow(/relation-learner: precision = "float16", expected one of float64, float32/);
    expect(() => ma({ kernels: 'js', precision: 'float32' })).toThrow(/precision 'float32' needs kernels 'wasm' or 'auto'/);
    expect(() => ts({ kernels: 'simd' })).toThrow(/teacher-student-erf: kernels = "simd", expected one of auto, js, wasm/);
    expect(() => ts({ kernels: 'js', precision: 'float32' })).toThrow(
      /teacher-student-erf: precision 'float32' needs kernels 'wasm' or 'auto'/,
    );
    expect(ts({}).info?.kernels).toBe('wasm SIMD, float64');
  });

  it('auto picks wasm when available; with the module disabled, auto falls back to js (with the reason) and wasm throws', async () => {
    expect(ts({}).info?.kernels).toBe('wasm SIMD, float64'); // a potential without native kernels
    vi.resetModules();
    vi.stubEnv('STOCHDYN_KERNELS', 'js');
    try {
      const fresh = await import('../../src/potentials/neural/modular-addition/index.js');
      const auto = fresh.modularAdditionSquare({}, { seed: 3, run: 0 });
      expect(auto.info?.kernels).toBe('js (wasm unavailable: disabled by STOCHDYN_KERNELS=js)');
      const x = randomPoint(auto, 2, 1);
      const ref = ma({ kernels: 'js' });
      expect(evalAt(auto, x, 2)).toEqual(evalAt(ref, x, 2));
      expect(() => fresh.modularAdditionSquare({ kernels: 'wasm' }, { seed: 3, run: 0 })).toThrow(
        /kernels 'wasm' unavailable: disabled by STOCHDYN_KERNELS=js/,
      );
      expect(() => fresh.modularAdditionSquare({ precision: 'float32' }, { seed: 3, run: 0 })).toThrow(/needed by precision 'float32'/);
      const freshTs = await import('../../src/potentials/neural/teacher-student/index.js');
      const autoTs = freshTs.teacherStudentErf({ d: 5, N: 7, n: 23 }, { seed: 3, run: 0 });
      expect(autoTs.info?.kernels).toBe('js (wasm unavailable: disabled by STOCHDYN_KERNELS=js)');
      const xt = randomPoint(autoTs, 2, 1);
      expect(evalAt(autoTs, xt, 2)).toEqual(evalAt(ts({ d: 5, N: 7, n: 23, kernels: 'js' }), xt, 2));
      expect(() => freshTs.teacherStudentErf({ kernels: 'wasm' }, { seed: 3, run: 0 })).toThrow(
        /teacher-student-erf: kernels 'wasm' unavailable/,
      );
    } finally {
      vi.unstubAllEnvs();
      vi.resetModules();
    }
  });

  it('identical results in-process, on 1 worker and on 2 workers (one wasm instance per worker)', async () => {
    for (const [kind, params] of [
      ['modular-addition-square', { P: 7, N: 9 }],
      ['relation-learner', { n: 12, depth: 2, width: 10 }],
      ['teacher-student-erf', { d: 5, N: 7, n: 30 }],
      ['toy-addition', { p: 6, d_in: 2, hidden: [5, 3], d_out: 2 }],
    ] as const) {
      const s = validateScenarioObject(
        {
          name: 'kernels-workers',
          seed: 9,
          potential: { kind, params: { ...params, kernels: 'wasm' } },
          dynamics: { integrator: 'sgld', lr: 1e-3, temperature: 0.01, steps: 40 },
          ensemble: { replicas: 40, init: { kind: 'potential' } },
          observe: { grid: { kind: 'linear', points: 3 }, observables: ['energy'] },
        },
        '',
      );
      const runs = [await runEnsemble(s, { workers: 0 }), await runEnsemble(s, { workers: 1 }), await runEnsemble(s, { workers: 2 })];
      for (const r of runs.slice(1)) {
        expect(Array.from(r.finals.values)).toEqual(Array.from(runs[0].finals.values));
        expect(Array.from(r.traces.moments)).toEqual(Array.from(runs[0].traces.moments));
      }
    }
  });
});

describe('update of many coordinates with uniform settings', () => {
  it('sgld and gd: the scalar fast path equals the per-coordinate path bit for bit', () => {
    const pot = ma({ P: 5, N: 6 });
    for (const noise of [true, false]) {
      const xs = [true, false].map((uniform) => {
        const settings = { ...coordinateSettings(pot.dim, pot.groups, { lr: 1e-3, temperature: 0.5, weight_decay: 1e-2 }, {}), uniform };
        const integrator = overdampedLangevin(settings, noise);
        const state = createState({ count: 3, dim: pot.dim, firstReplica: 0, seed: 8, run: 0, momenta: false });
        state.x.set(randomPoint(pot, 3, 4));
        simulate(state, pot, integrator, { steps: 25, observers: [], watchers: [] });
        return Array.from(state.x);
      });
      expect(xs[0]).toEqual(xs[1]);
      expect(xs[0].every(Number.isFinite)).toBe(true);
    }
  });
});

describe('float32 kernels', () => {
  it('energies and gradients within float32 rounding of float64 (normwise 1e-5)', () => {
    for (const [, build, params] of cases) {
      const f64 = build({ ...params, kernels: 'wasm' });
      const f32 = build({ ...params, kernels: 'wasm', precision: 'float32' });
      expect(f32.info?.kernels).toBe('wasm SIMD, float32');
      const x = randomPoint(f64, 3, 29);
      const d = discrepancy(f64, f32, x, 3);
      expect(d.energy).toBeLessThan(1e-5);
      expect(d.gradient).toBeLessThan(1e-5);
      expect(d.gradient).toBeGreaterThan(0); // it is float32 arithmetic, not float64 in disguise
    }
  });

  it('first-order/modular-addition.yaml (2,000 steps, 32 replicas): float32 and float64 finals agree within 4 combined SE', async () => {
    const doc = parse(readFileSync(join(ROOT, 'scenarios/first-order/modular-addition.yaml'), 'utf8')) as Record<string, any>;
    const R = 32;
    const run = async (precision: string, seed: number) => {
      const s = validateScenarioObject(
        {
          name: `modular-addition-${precision}`,
          seed,
          potential: { kind: doc.potential.kind, params: { ...doc.potential.params, precision } },
          dynamics: { ...doc.dynamics, steps: 2000 },
          ensemble: { ...doc.ensemble, replicas: R },
          observe: { grid: { kind: 'linear', points: 2 }, observables: ['energy', 'train_error', 'test_error'] },
        },
        '',
      );
      return runEnsemble(s, { workers: 2 });
    };
    const a = await run('float64', 11);
    const b = await run('float32', 12);
    expect(a.finals.observables).toEqual(b.finals.observables);
    const k = 4;
    const m = a.finals.observables.length;
    for (let o = 0; o < m; o++) {
      const col = (v: Float64Array) => Array.from({ length: R }, (_, r) => v[r * m + o]);
      const stats = (v: number[]) => {
        const mean = v.reduce((s, y) => s + y, 0) / v.length;
        const varr = v.reduce((s, y) => s + (y - mean) ** 2, 0) / (v.length - 1);
        return { mean, se2: varr / v.length };
      };
      const A = stats(col(a.finals.values));
      const B = stats(col(b.finals.values));
      expect(Number.isFinite(A.mean) && Number.isFinite(B.mean)).toBe(true);
      expect(Math.abs(A.mean - B.mean), `${a.finals.observables[o]}: ${A.mean} vs ${B.mean}`).toBeLessThan(k * Math.sqrt(A.se2 + B.se2));
    }
  });
});
