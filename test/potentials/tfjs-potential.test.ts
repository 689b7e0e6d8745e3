/**
 * The generic TensorFlow.js potential (`potential: {tfjs: model.mjs}`):
 * gradients against float64 finite differences of the same function in plain
 * JS, SGLD at θ = 1 on a linear-Gaussian model against its exact posterior,
 * clear errors for broken model files, identical results in worker threads,
 * and no tensor leaks.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTensorflow } from '../../src/potentials/tfjs/backend.js';
import { buildTfjsPotential, loadTfjsPotential, type TfjsModel, type TfjsPotential } from '../../src/potentials/tfjs/tfjs-potential.js';
import { Stream } from '../../src/random/rng.js';
import { coordinateSettings, createState, getIntegrator, initialise, simulate, type Observer } from '../../src/engine/index.js';
import { loadScenario, validateScenarioObject, ScenarioError } from '../../src/scenario/index.js';
import { runScenario } from '../../src/runs/run.js';
import { tempDir } from '../helpers.js';

const MODEL = resolve('scenarios/first-order/models/tiny-mlp.mjs');
const SCENARIO = resolve('scenarios/first-order/custom-tfjs-model.yaml');
const tmp = () => tempDir('tfjs');
/** float32 unit roundoff. */
const U32 = 2 ** -24;

async function tinyMlp(params: Record<string, number> = {}) {
  const h = await loadTensorflow();
  const { createModel } = (await import(MODEL)) as { createModel: (p: object, c: object) => TfjsModel };
  const rng = new Stream('tfjs-test-data', 0, 0);
  const model = createModel(params, {
    seed: 1,
    run: 0,
    tf: h.tf,
    random: { uniform: () => rng.uniform(), normal: () => rng.normal(), int: (n: number) => rng.int(n) },
  });
  const build = (evaluation: 'loop' | 'batched') =>
    buildTfjsPotential(model, { where: `tfjs model ${MODEL}`, name: 'tiny-mlp', handle: h, seed: 1, evaluation });
  return { model, build, tf: h.tf };
}

/** Random points from the potential's initialiser (the priors), seeded. */
function drawPoints(p: TfjsPotential, count: number, seed: string): Float64Array {
  const st = new Stream(seed, 0, 0);
  const x = new Float64Array(count * p.dim);
  for (let r = 0; r < count; r++)
    p.initialise!(
      x,
      r * p.dim,
      () => st.normal(),
      () => st.uniform(),
    );
  return x;
}

describe('tfjs potential: energy and gradient', () => {
  it('tiny-mlp: tfjs gradient (loop and batched) matches float64 5-point finite differences of the same function in plain JS', async () => {
    const { model, build } = await tinyMlp();
    const H = 8,
      sigma = 0.2,
      scale = 1 / (2 * sigma * sigma);
    // The data exactly as tfjs holds them (float32).
    const xs = (model.data!.x as number[][]).map((r) => Math.fround(r[0]));
    const ys = (model.data!.y as number[]).map(Math.fround);
    const n = xs.length;
    // θ = [w1 (1×H), b1 (H), w2 (H), b2], priors: std 1, 1, 1/√H, 1.
    const f = (t: Float64Array, o: number, xv: number) => {
      let s = t[o + 3 * H];
      for (let i = 0; i < H; i++) s += t[o + 2 * H + i] * Math.tanh(t[o + i] * xv + t[o + H + i]);
      return s;
    };
    const U = (t: Float64Array, o: number) => {
      let e = 0;
      for (let m = 0; m < n; m++) e += scale * (f(t, o, xs[m]) - ys[m]) ** 2;
      for (let j = 0; j < 3 * H + 1; j++) e += (0.5 * t[o + j] ** 2) / (j >= 2 * H && j < 3 * H ? 1 / H : 1);
      return e;
    };
    for (const evaluation of ['loop', 'batched'] as const) {
      const p = build(evaluation);
      expect(p.dim).toBe(3 * H + 1);
      const count = 4;
      const x = drawPoints(p, count, 'tfjs-fd');
      const E = new Float64Array(count),
        G = new Float64Array(count * p.dim);
      p.energyAndGradient(x, count, E, G);
      const relTol: number[] = [];
      for (let r = 0; r < count; r++) {
        const o = r * p.dim;
        // Magnitudes entering the float32 sums: per example r_μ = f − y, ∂f/∂θ_j.
        const res = xs.map((xv, m) => f(x, o, xv) - ys[m]);
        const mag = xs.map((xv, m) => Math.abs(f(x, o, xv)) + Math.abs(ys[m]) + Math.abs(res[m]));
        // Energy: |E32 − E64| ≤ (n + 20)·u·Σ scale·(|f| + |y| + |r|)² (Higham's γ bound: an n-term sum of terms computed with ≤ 20 roundings each).
        const eTol = (n + 20) * U32 * mag.reduce((a, v) => a + scale * v * v, 0);
        expect(Math.abs(E[r] - U(x, o))).toBeLessThan(eTol);
        for (let j = 0; j < p.dim; j++) {
          // 5-point central difference in float64, h = 1e-3: truncation h⁴ f⁽⁵⁾/30 ~ 1e-9 here, rounding ε₆₄|U|/h ~ 1e-9.
          const h = 1e-3;
          const at = (d: number) => {
            const t = x.slice();
            t[o + j] += d;
            return U(t, o);
          };
          const fd = (8 * (at(h) - at(-h)) - (at(2 * h) - at(-2 * h))) / (12 * h);
          // float32 gradient: Σ_μ 2·scale·r_μ·∂f_μ/∂θ_j, each term with ≤ 20 roundings (r_μ by cancellation of f and y)
          // and an n-term sum: |δg_j| ≤ (n + 20)·u·Σ_μ 2·scale·|∂f_μ/∂θ_j|·(|f| + |y| + |r|). The prior part is float64.
          let s = 0;
          for (let m = 0; m < n; m++) {
            const t1 = x.slice(),
              t2 = x.slice();
            t1[o + j] += 1e-6;
            t2[o + j] -= 1e-6;
            s += 2 * scale * Math.abs((f(t1, o, xs[m]) - f(t2, o, xs[m])) / 2e-6) * mag[m];
          }
          const tol = (n + 20) * U32 * s + 1e-7 * (1 + Math.abs(fd));
          const err = Math.abs(G[o + j] - fd);
          relTol.push(tol / Math.abs(fd));
          expect(err, `${evaluation} replica ${r} ${p.coordinates[j]}: tfjs ${G[o + j]} vs FD ${fd}`).toBeLessThan(tol);
        }
      }
      // The bound is tight enough to matter: for the median coordinate it is ≈ 1e-5 of |∂U/∂θ|, so a
      // 1e-4 relative gradient error would fail. (Measured: largest |tfjs − FD| ≈ 0.02 of the bound.)
      relTol.sort((a, b) => a - b);
      expect(relTol[relTol.length >> 1]).toBeLessThan(1e-4);
      p.dispose();
    }
  });

  it('per-replica results do not depend on the batch composition (bit-identical), in both modes', async () => {
    const { build } = await tinyMlp();
    for (const evaluation of ['loop', 'batched'] as const) {
      const p = build(evaluation);
      const R = 12;
      const x = drawPoints(p, R, 'tfjs-comp');
      const E = new Float64Array(R),
        G = new Float64Array(R * p.dim);
      p.energyAndGradient(x, R, E, G);
      for (const sub of [1, 5]) {
        for (let r0 = 0; r0 + sub <= R; r0 += sub) {
          const e = new Float64Array(sub),
            g = new Float64Array(sub * p.dim);
          p.energyAndGradient(x.subarray(r0 * p.dim, (r0 + sub) * p.dim), sub, e, g);
          expect(Array.from(e)).toEqual(Array.from(E.subarray(r0, r0 + sub)));
          expect(Array.from(g)).toEqual(Array.from(G.subarray(r0 * p.dim, (r0 + sub) * p.dim)));
        }
      }
      p.dispose();
    }
  });

  it('minibatches: the mean of the N/B-scaled estimates over a partition of the data is the full-batch energy and gradient', async () => {
    const { build } = await tinyMlp();
    for (const evaluation of ['loop', 'batched'] as const) {
      const p = build(evaluation);
      const N = p.dataSize!,
        B = 8,
        R = 3;
      expect(N % B).toBe(0);
      const x = drawPoints(p, R, 'tfjs-mb');
      const E = new Float64Array(R),
        G = new Float64Array(R * p.dim);
      p.energyAndGradient(x, R, E, G);
      // A fixed permutation split into N/B batches; replica r uses a rotated assignment so rows differ across replicas.
      const perm = Array.from({ length: N }, (_, i) => (i * 13 + 5) % N);
      const Em = new Float64Array(R),
        Gm = new Float64Array(R * p.dim);
      const e = new Float64Array(R),
        g = new Float64Array(R * p.dim);
      for (let k = 0; k < N / B; k++) {
        const indices = new Int32Array(R * B);
        for (let r = 0; r < R; r++) for (let b = 0; b < B; b++) indices[r * B + b] = perm[(((k + r) % (N / B)) * B + b) % N];
        p.energyAndGradient(x, R, e, g, { size: B, indices });
        for (let r = 0; r < R; r++) Em[r] += e[r] / (N / B);
        for (let i = 0; i < g.length; i++) Gm[i] += g[i] / (N / B);
      }
      for (let r = 0; r < R; r++) expect(Em[r]).toBeCloseTo(E[r], Math.max(0, 4 - Math.ceil(Math.log10(1 + Math.abs(E[r])))));
      let gmax = 0;
      for (const v of G) gmax = Math.max(gmax, Math.abs(v));
      for (let i = 0; i < G.length; i++) expect(Math.abs(Gm[i] - G[i])).toBeLessThan(1e-5 * (1 + gmax));
      p.dispose();
    }
  });

  it('no tensor leaks over steps (energy, minibatch and observables), and dispose() frees the data tensors', async () => {
    const { build, tf } = await tinyMlp();
    for (const evaluation of ['loop', 'batched'] as const) {
      const before = tf.memory().numTensors;
      const p = build(evaluation);
      const R = 4;
      const x = drawPoints(p, R, 'tfjs-leak');
      const E = new Float64Array(R),
        G = new Float64Array(R * p.dim);
      const indices = new Int32Array(R * 4).map((_, i) => i % p.dataSize!);
      const after = () => {
        p.energyAndGradient(x, R, E, G);
        p.energyAndGradient(x, R, E, G, { size: 4, indices });
        for (const ob of p.observables!) ob.evaluate(x, R, new Float64Array(R * ob.units));
        return tf.memory().numTensors;
      };
      const n1 = after();
      for (let k = 0; k < 20; k++) after();
      expect(after()).toBe(n1);
      expect(n1).toBeGreaterThan(before); // the data set
      p.dispose();
      expect(tf.memory().numTensors).toBe(before);
    }
  });
});

describe('tfjs potential: SGLD at θ = 1 samples the exact posterior of a linear-Gaussian model', () => {
  it('posterior mean, variances and covariance within 3 SE (SE from independent replicas)', async () => {
    const h = await loadTensorflow();
    const tf = h.tf;
    // y = X w + noise, correlated features so the posterior covariance matters.
    const n = 20,
      s = 0.5,
      sp = 1;
    const st = new Stream('tfjs-linear', 0, 0);
    const X: number[][] = [],
      Y: number[] = [];
    for (let m = 0; m < n; m++) {
      const a = st.normal();
      const b = 0.8 * a + 0.6 * st.normal();
      X.push([Math.fround(a), Math.fround(b)]);
      Y.push(Math.fround(0.7 * a - 0.4 * b + s * st.normal()));
    }
    const k2 = 1 / (2 * s * s);
    const model: TfjsModel = {
      name: 'linear-gaussian',
      parameters: [{ name: 'w', shape: [2], prior: { std: sp } }],
      data: { x: X, y: Y },
      loss: (p, d) => tf.mul(k2, tf.sum(tf.square(tf.sub(tf.squeeze(tf.matMul(d.x, tf.reshape(p.w, [2, 1])), [1]), d.y)))),
      batchedLoss: (p, d) => {
        const R = p.w.shape[0];
        const f = tf.squeeze(tf.matMul(d.x, tf.reshape(p.w, [R, 2, 1])), [2]);
        return tf.mul(k2, tf.sum(tf.square(tf.sub(f, d.y)), 1));
      },
    };
    const p = buildTfjsPotential(model, { where: 'tfjs model (inline linear-Gaussian)', name: 'linear', handle: h, seed: 3 });
    // Exact posterior: precision P = XᵀX/s² + I/sp², mean P⁻¹ Xᵀy/s² (float64, from the float32 data tfjs sees).
    const P = [
      [1 / sp ** 2, 0],
      [0, 1 / sp ** 2],
    ];
    const bvec = [0, 0];
    for (let m = 0; m < n; m++)
      for (let i = 0; i < 2; i++) {
        bvec[i] += (X[m][i] * Y[m]) / s ** 2;
        for (let j = 0; j < 2; j++) P[i][j] += (X[m][i] * X[m][j]) / s ** 2;
      }
    const det = P[0][0] * P[1][1] - P[0][1] * P[1][0];
    const C = [
      [P[1][1] / det, -P[0][1] / det],
      [-P[1][0] / det, P[0][0] / det],
    ];
    const mean = [C[0][0] * bvec[0] + C[0][1] * bvec[1], C[1][0] * bvec[0] + C[1][1] * bvec[1]];
    const lamMax = (P[0][0] + P[1][1]) / 2 + Math.sqrt(((P[0][0] - P[1][1]) / 2) ** 2 + P[0][1] ** 2);
    const lamMin = det / lamMax;

    // SGLD: η = 2e-4 (ηλ_max ≈ 0.03); stationary covariance of the discretised chain (P − ηP²/2)⁻¹ ≈ C + (η/2)·I,
    // a bias of η/2 = 1e-4 per variance, checked below to be < 0.25 SE. Burn-in 3000 steps = 3000·η·λ_min ≈ 8 relaxation times
    // of the slowest mode (from a prior draw, O(1) away).
    const eta = 2e-4,
      R = 64,
      burn = 3000,
      steps = 7000,
      thin = 20;
    expect(burn * eta * lamMin).toBeGreaterThan(6);
    const state = createState({ count: R, dim: 2, firstReplica: 0, seed: 17, run: 0, momenta: false });
    initialise(state, p, { kind: 'potential' });
    const integ = getIntegrator('sgld')!.build(coordinateSettings(2, p.groups, { lr: eta, temperature: 1, weight_decay: 0 }, {}), {
      friction: 1,
      momenta: 'zero',
    });
    const at = Array.from({ length: (steps - burn) / thin + 1 }, (_, k) => burn + k * thin);
    const S = at.length;
    const samples = new Float64Array(R * S * 2);
    const rec: Observer = {
      at,
      observe(st2, _p, _step, index) {
        for (let r = 0; r < R; r++) {
          samples[(r * S + index) * 2] = st2.x[r * 2];
          samples[(r * S + index) * 2 + 1] = st2.x[r * 2 + 1];
        }
      },
    };
    simulate(state, p, integ, { steps, observers: [rec], watchers: [] });
    expect(state.frozenCount).toBe(0);

    // Per-replica time averages are independent across replicas: their spread gives an SE that includes autocorrelation.
    const perReplica = (fn: (a: number, b: number) => number) => {
      const v = new Float64Array(R);
      for (let r = 0; r < R; r++) {
        let acc = 0;
        for (let k = 0; k < S; k++) acc += fn(samples[(r * S + k) * 2], samples[(r * S + k) * 2 + 1]);
        v[r] = acc / S;
      }
      const m = v.reduce((a, b) => a + b, 0) / R;
      const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (R - 1));
      return { m, se: sd / Math.sqrt(R) };
    };
    const k = 3;
    const m0 = perReplica((a) => a),
      m1 = perReplica((_, b) => b);
    expect(Math.abs(m0.m - mean[0])).toBeLessThan(k * m0.se);
    expect(Math.abs(m1.m - mean[1])).toBeLessThan(k * m1.se);
    const checks: [string, (a: number, b: number) => number, number][] = [
      ['var w_0', (a) => (a - mean[0]) ** 2, C[0][0]],
      ['var w_1', (_, b) => (b - mean[1]) ** 2, C[1][1]],
      ['cov', (a, b) => (a - mean[0]) * (b - mean[1]), C[0][1]],
    ];
    for (const [name, fn, exact] of checks) {
      const e = perReplica(fn);
      if (name !== 'cov') expect(eta / 2, `${name}: discretisation bias must be negligible`).toBeLessThan(0.25 * e.se);
      expect(Math.abs(e.m - exact), `${name}: ${e.m} ± ${e.se} vs exact ${exact}`).toBeLessThan(k * e.se);
      // A meaningful test: the SE resolves the quantity to better than 10 %.
      expect(e.se).toBeLessThan(0.1 * Math.abs(exact));
    }
    expect(C[0][1] / Math.sqrt(C[0][0] * C[1][1])).toBeLessThan(-0.5); // strongly correlated posterior
    p.dispose();
  });
});

describe('tfjs potential: broken model files give errors naming the file, what was expected and what was found', () => {
  const dir = tmp();
  const file = (name: string, body: string) => {
    const f = join(dir, name);
    writeFileSync(f, body);
    return f;
  };
  const good = `parameters: [{ name: 'w', shape: [2], prior: { std: 1 } }], data: { x: [[1, 2], [3, 4], [5, 6]], y: [1, 2, 3] }`;
  const cases: [string, string, RegExp][] = [
    [
      'missing-export.mjs',
      `export function createPotential() {}`,
      /expected an exported function createModel\(params, ctx\); the module exports createPotential/,
    ],
    [
      'no-params.mjs',
      `export function createModel() { return { loss: () => null }; }`,
      /parameters: expected a non-empty array .*found nothing/,
    ],
    [
      'bad-shape.mjs',
      `export function createModel() { return { parameters: [{ name: 'w', shape: [2, -1] }], loss: () => null }; }`,
      /parameter 'w': shape: expected an array of positive integers.*found an array of length 2/,
    ],
    [
      'wrong-shapes.mjs',
      `export function createModel(p, { tf }) { return { ${good}, loss: (p, d) => tf.sum(tf.matMul(d.x, tf.reshape(p.w, [1, 2]))) }; }`,
      /loss\(p, data\) threw: .*(inner|shape).*\(p: w \[2\]; data: x \[3, 2\], y \[3\]\)/,
    ],
    [
      'not-scalar.mjs',
      `export function createModel(p, { tf }) { return { ${good}, loss: (p, d) => tf.square(tf.sub(tf.squeeze(tf.matMul(d.x, tf.reshape(p.w, [2, 1]))), d.y)) }; }`,
      /loss\(p, data\): expected a tensor of shape \[\] \(a scalar: sum over the rows of data\); found shape \[3\]/,
    ],
    [
      'throws.mjs',
      `export function createModel() { return { ${good}, loss: () => { throw new Error('boom in my loss'); } }; }`,
      /loss\(p, data\) threw: boom in my loss/,
    ],
    [
      'returns-number.mjs',
      `export function createModel() { return { ${good}, loss: () => 3 }; }`,
      /loss\(p, data\): expected a tf\.Tensor of shape \[\]; found number 3/,
    ],
    [
      'unused-param.mjs',
      `export function createModel(p, { tf }) { return { parameters: [{ name: 'w', shape: [2] }, { name: 'v', shape: [] }], loss: (p) => tf.sum(tf.square(p.w)) }; }`,
      /loss\(p, data\): expected a loss that depends on every declared parameter; found no dependence on 'v'/,
    ],
    [
      'batched-shape.mjs',
      `export function createModel(p, { tf }) { return { ${good}, batchedLoss: (p, d) => tf.sum(tf.square(p.w)) }; }`,
      /batchedLoss\(p, data\): expected a tensor of shape \[2\] \(one loss per replica\); found shape \[\]/,
    ],
    [
      'batched-disagrees.mjs',
      `export function createModel(p, { tf }) { return { ${good}, loss: (p) => tf.sum(tf.square(p.w)), batchedLoss: (p) => tf.mul(2, tf.sum(tf.square(p.w), 1)) }; }`,
      /batchedLoss disagrees with loss on the full data.*expected the same energy/,
    ],
    [
      'ragged-data.mjs',
      `export function createModel(p, { tf }) { return { parameters: [{ name: 'w', shape: [2] }], data: { x: [[1, 2], [3, 4]], y: [1, 2, 3] }, loss: (p) => tf.sum(p.w) }; }`,
      /data\.y: expected 2 rows \(axis 0\), like x \[2, 2\]; found shape \[3\]/,
    ],
    ['create-throws.mjs', `export function createModel() { throw new Error('bad params'); }`, /createModel threw: bad params/],
    ['syntax.mjs', `export function createModel( {`, /could not be imported/],
    [
      'bad-observable.mjs',
      `export function createModel(p, { tf }) { return { ${good}, loss: (p) => tf.sum(tf.square(p.w)), observables: { norm: { units: 3, evaluate: (p) => tf.sum(p.w) } } }; }`,
      /observables\.norm\(p, data\): expected a tensor of shape \[3\] \(units: 3\); found a tensor of shape \[\]/,
    ],
    [
      'clashing-observable.mjs',
      `export function createModel(p, { tf }) { return { ${good}, loss: (p) => tf.sum(tf.square(p.w)), observables: { energy: (p) => tf.sum(p.w) } }; }`,
      /observables\.energy: expected a name other than the built-in observables/,
    ],
    [
      'split-group.mjs',
      `export function createModel(p, { tf }) { return { parameters: [{ name: 'a', shape: [], group: 'g' }, { name: 'b', shape: [] }, { name: 'c', shape: [], group: 'g' }], loss: (p) => tf.add(tf.add(p.a, p.b), p.c) }; }`,
      /parameter 'c': expected group 'g' to be declared next to the other parameters/,
    ],
  ];
  for (const [name, body, re] of cases) {
    it(name, async () => {
      const f = file(name, body);
      const err = await loadTfjsPotential(f, {}, { seed: 1, run: 0 }).then(
        () => null,
        (e: Error) => e,
      );
      expect(err, `${name} should fail`).toBeInstanceOf(Error);
      expect(err!.message.startsWith(`tfjs model ${f}: `), err!.message).toBe(true);
      expect(err!.message).toMatch(re);
    });
  }

  it('a scenario naming a missing model file fails validation at potential.tfjs, relative to the scenario file', () => {
    const src = join(dir, 'scenario.yaml');
    let err: unknown;
    try {
      validateScenarioObject(
        {
          name: 't',
          potential: { tfjs: './nope.mjs' },
          dynamics: { integrator: 'sgld', lr: 1e-3, temperature: 1, steps: 10 },
          ensemble: { replicas: 2 },
        },
        src,
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ScenarioError);
    expect(String((err as Error).message)).toMatch(/potential\.tfjs[\s\S]*nope\.mjs/);
    expect(String((err as Error).message)).toContain(join(dir, 'nope.mjs'));
  });
});

describe('tfjs potential in scenarios', () => {
  it('the shipped scenario: groups, info, observables; in-process and 2 worker threads give identical summaries', async () => {
    const s = await loadScenario(SCENARIO, {
      set: ['dynamics.steps=200', 'sampling.burn_in=100', 'sampling.thin=20', 'observe.grid.points=5'],
      replicas: 20,
    });
    expect('tfjs' in s.potential && s.potential.tfjs).toBe(MODEL);
    const dirs = [tmp(), tmp()];
    const a = await runScenario(s, { out: dirs[0], workers: 0 });
    await runScenario(s, { out: dirs[1], workers: 2 });
    const part = (d: string) => {
      const j = JSON.parse(readFileSync(join(d, 'summary.json'), 'utf8'));
      delete j.timing;
      delete j.run.id;
      return j;
    };
    expect(part(dirs[1])).toEqual(part(dirs[0]));
    expect(readFileSync(join(dirs[1], 'traces.csv'), 'utf8')).toBe(readFileSync(join(dirs[0], 'traces.csv'), 'utf8'));
    expect(Array.from(a.result.divergedAt).every((d) => d < 0)).toBe(true);
    const traces = readFileSync(join(dirs[0], 'traces.csv'), 'utf8');
    for (const c of ['energy', 'train_mse', 'test_mse', 'input_weight']) expect(traces).toContain(`,${c},`);
    const p = await loadTfjsPotential(MODEL, {}, { seed: 1, run: 0 });
    expect(p.groups.map((g) => g.name)).toEqual(['hidden', 'readout']);
    expect(p.info).toMatchObject({ precision: expect.stringContaining('float32') });
    expect(['@tensorflow/tfjs', '@tensorflow/tfjs-node']).toContain(p.info!.tfjs);
    if (p.info!.tfjs === '@tensorflow/tfjs') expect(p.info!.why).toBeTruthy();
    p.dispose();
  });
});
