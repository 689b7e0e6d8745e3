/**
 * toy-addition and addition-effective (docs/models.md §3.4; Liu et al.): the data
 * split and targets, energy and gradient against float64 central differences
 * and tfjs autodiff (regression and classification), minibatches, the
 * observables on constructed embeddings, the effective potential against
 * theory/toy-addition.ts, and gradient descent on ℓ_eff through the engine:
 * conservation of Z₀ (and of ΣE on ΣE = 0), the approach to the linear
 * structure at the rate λ₃, and RQI → 1 on the full training set.
 */
import { describe, expect, it } from 'vitest';
import { loadTensorflow } from '../../src/potentials/tfjs/backend.js';
import {
  rqi,
  toyAddition,
  toyAdditionData,
  toyAdditionLayers,
  resolveToyAddition,
} from '../../src/potentials/relation/toy-addition/index.js';
import { additionEffective } from '../../src/potentials/relation/addition-effective.js';
import {
  additionSamples,
  effectiveHessian,
  effectiveLoss,
  grokkingRate,
  idealRQI,
  linearStructure,
  permissibleParallelograms,
  representationQuality,
  symmetricEigen,
} from '../../src/theory/toy-addition.js';
import { validateScenarioObject } from '../../src/scenario/index.js';
import { runEnsemble } from '../../src/parallel/run.js';
import { tracePoints } from '../../src/analysis/summary.js';
import { evalAt, finiteDifferenceError, observe, randomPoint, tfGradDiscrepancy } from '../helpers.js';

const ctx = { seed: 2024, run: 0 };

const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.abs(b));

// ---------------------------------------------------------------- data

describe('toy-addition data', () => {
  it('default split is the paper’s 45/10 of the 55 unordered pairs at p = 10; disjoint, covering D₀, keyed by the seed only', () => {
    const a = toyAdditionData({}, ctx);
    expect(a.train.length / 2).toBe(45);
    expect(a.test.length / 2).toBe(10);
    const key = (s: Int32Array) => Array.from({ length: s.length / 2 }, (_, k) => `${s[2 * k]},${s[2 * k + 1]}`);
    const all = new Set([...key(a.train), ...key(a.test)]);
    expect(all.size).toBe(55);
    expect(new Set(key(additionSamples(10)))).toEqual(all);
    for (let k = 0; k < a.train.length; k += 2) expect(a.train[k]).toBeLessThanOrEqual(a.train[k + 1]);
    // Same seed, other run → same data; other seed → other split.
    const b = toyAdditionData({}, { seed: 2024, run: 3 });
    expect(Array.from(b.train)).toEqual(Array.from(a.train));
    expect(Array.from(b.targets)).toEqual(Array.from(a.targets));
    const c = toyAdditionData({}, { seed: 2025, run: 0 });
    expect(Array.from(c.train)).not.toEqual(Array.from(a.train));
    // 19 targets of dimension 30, standard normal: sample variance within 5 SE of 1 (SE ≈ √(2/570)).
    expect(a.targets.length).toBe(19 * 30);
    const v = a.targets.reduce((s, t) => s + t * t, 0) / a.targets.length;
    expect(Math.abs(v - 1)).toBeLessThan(5 * Math.sqrt(2 / 570));
    expect(toyAdditionData({ task: 'classification' }, ctx).targets.length).toBe(0);
  });

  it('a larger training fraction extends the same training set (nested splits for fraction sweeps)', () => {
    const key = (s: Int32Array) => new Set(Array.from({ length: s.length / 2 }, (_, k) => `${s[2 * k]},${s[2 * k + 1]}`));
    let prev = key(toyAdditionData({ train_fraction: 0.1 }, ctx).train);
    for (const f of [0.2, 0.4, 0.6, 0.82, 1]) {
      const cur = key(toyAdditionData({ train_fraction: f }, ctx).train);
      for (const k of prev) expect(cur.has(k)).toBe(true);
      expect(cur.size).toBeGreaterThan(prev.size);
      prev = cur;
    }
  });

  it('layout: embeddings then W_l, b_l per layer; rejects bad parameters', () => {
    const o = resolveToyAddition({ p: 5, d_in: 2, hidden: [3, 4], d_out: 6 });
    const lay = toyAdditionLayers(o);
    expect(lay.sizes).toEqual([2, 3, 4, 6]);
    expect(lay.wOff).toEqual([10, 19, 35]);
    expect(lay.bOff).toEqual([16, 31, 59]);
    expect(lay.decoderSize).toBe(2 * 3 + 3 + 3 * 4 + 4 + 4 * 6 + 6);
    const cls = toyAdditionLayers(resolveToyAddition({ p: 5, task: 'classification', hidden: [3] }));
    expect(cls.sizes).toEqual([1, 3, 9]);
    expect(() => resolveToyAddition({ p: 1 })).toThrow(/p = 1/);
    expect(() => resolveToyAddition({ hidden: [0] })).toThrow(/hidden/);
    expect(() => resolveToyAddition({ task: 'ranking' })).toThrow(/task/);
    expect(() => resolveToyAddition({ train_fraction: 0 })).toThrow(/train_fraction/);
  });
});

// ---------------------------------------------------------------- gradients

describe('toy-addition energy and gradient', () => {
  const configs = [
    { task: 'regression', activation: 'tanh', d_in: 1 },
    { task: 'regression', activation: 'relu', d_in: 2 },
    { task: 'classification', activation: 'tanh', d_in: 2 },
    { task: 'classification', activation: 'relu', d_in: 1 },
  ] as const;

  // Measured max error 3e-11 (regression) … 7e-11 (classification) with h = 1e-5 (truncation
  // h² × third derivative, rounding 1e-16/h); a wrong term is O(1).
  it('matches float64 central differences (4 configurations, 3 replicas; ≤ 1e-6)', () => {
    for (const c of configs) {
      const p = toyAddition({ p: 6, hidden: [5, 4], d_out: 3, train_fraction: 0.7, ...c }, ctx);
      const x = randomPoint(p, 3, 11);
      expect(finiteDifferenceError(p, x, 3, 1e-5), JSON.stringify(c)).toBeLessThan(1e-6);
    }
  });

  // float32 autodiff against the float64 kernel at float32-representable points: energy and
  // gradient agree to float32 rounding (measured over the 4 configurations × 3 replicas: energy
  // 4.2e-8, gradient 1.2e-7 normwise relative); 1e-5 leaves a margin of ≈ 100 and still
  // catches any wrong term.
  it('matches tfjs tf.grad (float32; normwise relative ≤ 1e-5)', async () => {
    const { tf } = await loadTensorflow();
    type T = import('@tensorflow/tfjs').Tensor;
    let worstE = 0,
      worstG = 0;
    for (const c of configs) {
      const params = { p: 7, hidden: [6, 5], d_out: 4, train_fraction: 0.75, ...c };
      const o = resolveToyAddition(params);
      const pot = toyAddition(params, ctx);
      const lay = toyAdditionLayers(o);
      const { train, targets } = toyAdditionData(params, ctx);
      const M = train.length / 2;
      const K = lay.sizes.at(-1)!;
      const ia = tf.tensor1d(
        Int32Array.from({ length: M }, (_, s) => train[2 * s]),
        'int32',
      );
      const ib = tf.tensor1d(
        Int32Array.from({ length: M }, (_, s) => train[2 * s + 1]),
        'int32',
      );
      const cls = Int32Array.from({ length: M }, (_, s) => train[2 * s] + train[2 * s + 1]);
      const Y =
        c.task === 'regression'
          ? tf.tensor2d(
              Float32Array.from({ length: M * K }, (_, q) => targets[cls[Math.floor(q / K)] * K + (q % K)]),
              [M, K],
            )
          : tf.oneHot(tf.tensor1d(cls, 'int32'), K).toFloat();
      const U = (theta: T) => {
        const E = theta.slice(0, o.p * o.d_in).reshape([o.p, o.d_in]);
        let h: T = tf.add(tf.gather(E, ia), tf.gather(E, ib));
        for (let l = 0; l + 1 < lay.sizes.length; l++) {
          const fin = lay.sizes[l],
            fout = lay.sizes[l + 1];
          const W = theta.slice(lay.wOff[l], fin * fout).reshape([fout, fin]);
          const b = theta.slice(lay.bOff[l], fout);
          const z = tf.add(tf.matMul(h, W, false, true), b);
          h = l + 2 < lay.sizes.length ? (c.activation === 'tanh' ? tf.tanh(z) : tf.relu(z)) : z;
        }
        const loss =
          c.task === 'regression' ? tf.mean(tf.square(tf.sub(h, Y))) : tf.mean(tf.sub(tf.logSumExp(h, 1), tf.sum(tf.mul(h, Y), 1)));
        return loss as import('@tensorflow/tfjs').Scalar;
      };
      const count = 3;
      const x = Float64Array.from(randomPoint(pot, count, 7), Math.fround);
      const { E, G } = evalAt(pot, x, count);
      const tfd = tfGradDiscrepancy(tf, U, pot, x, count, E, G);
      worstE = Math.max(worstE, tfd.energy);
      worstG = Math.max(worstG, tfd.gradient);
    }
    expect(worstE).toBeLessThan(1e-5);
    expect(worstG).toBeLessThan(1e-5);
  });

  it('minibatch: the whole training set as one batch equals the full energy and gradient; a batch is the mean over its samples', () => {
    const p = toyAddition({ p: 6, hidden: [5], d_out: 3, train_fraction: 0.7 }, ctx);
    const count = 2;
    const x = randomPoint(p, count, 3);
    const M = p.dataSize!;
    const full = evalAt(p, x, count);
    const whole = evalAt(p, x, count, { size: M, indices: Int32Array.from({ length: count * M }, (_, i) => i % M) });
    for (let r = 0; r < count; r++) expect(rel(whole.E[r], full.E[r])).toBeLessThan(1e-14);
    for (let j = 0; j < count * p.dim; j++) expect(Math.abs(whole.G[j] - full.G[j])).toBeLessThan(1e-14 * (1 + Math.abs(full.G[j])));
    // Mean of single-sample batches = full.
    const sumE = new Float64Array(count);
    for (let s = 0; s < M; s++) {
      const one = evalAt(p, x, count, { size: 1, indices: Int32Array.from({ length: count }, () => s) });
      for (let r = 0; r < count; r++) sumE[r] += one.E[r] / M;
    }
    for (let r = 0; r < count; r++) expect(rel(sumE[r], full.E[r])).toBeLessThan(1e-12);
  });
});

// ---------------------------------------------------------------- observables

describe('toy-addition observables', () => {
  it('RQI is 1 on a linear structure, agrees with theory’s representationQuality on random embeddings, and is δ-sensitive', () => {
    const p = toyAddition({ p: 10, hidden: [4], d_out: 3, delta: 0.01 }, ctx);
    const count = 3;
    const x = randomPoint(p, count, 5);
    // Replica 0: linear structure E_k = 0.3 + 0.2k; replica 1: that + 0.02 noise on E_3; replica 2: random.
    for (let k = 0; k < 10; k++) x[k] = 0.3 + 0.2 * k;
    for (let k = 0; k < 10; k++) x[p.dim + k] = 0.3 + 0.2 * k;
    x[p.dim + 3] += 0.02;
    const q = observe(p, 'rqi', x, count);
    expect(q[0]).toBe(1);
    for (let r = 1; r < count; r++) expect(q[r]).toBe(representationQuality(x.subarray(r * p.dim, r * p.dim + 10), 10, 1, 0.01));
    expect(q[1]).toBeLessThan(1);
    expect(q[1]).toBeGreaterThan(0.5);
    expect(q[2]).toBeLessThan(0.2);
    const { train } = toyAdditionData({}, ctx);
    expect(observe(p, 'rqi_train', x, count)[2]).toBe(representationQuality(x.subarray(2 * p.dim, 2 * p.dim + 10), 10, 1, 0.01, train));
    expect(rqi(x, p.dim, 10, 1, 0.05, permissibleParallelograms(10))).toBe(1);
  });

  it('rqi_normalised is invariant under E → cE + a and equals the RQI of (E − μ)/σ; info carries nullity, ideal RQI, λ₃', () => {
    const p = toyAddition({ p: 10, hidden: [4], d_out: 3, d_in: 2, delta: 0.01 }, ctx);
    const count = 2;
    const x = randomPoint(p, count, 8);
    // Replica 0: a noisy linear structure; replica 1 = 7 × replica 0 + (0.3, −2).
    for (let k = 0; k < 10; k++) {
      x[2 * k] = 0.01 * k + 0.0004 * Math.sin(3 * k);
      x[2 * k + 1] = -0.02 * k + 0.0003 * Math.cos(5 * k);
      x[p.dim + 2 * k] = 7 * x[2 * k] + 0.3;
      x[p.dim + 2 * k + 1] = 7 * x[2 * k + 1] - 2;
    }
    const qn = observe(p, 'rqi_normalised', x, count);
    const q = observe(p, 'rqi', x, count);
    expect(qn[1]).toBe(qn[0]);
    expect(q[0]).toBe(1); // raw: violations ≤ 0.002 < δ
    const E = Array.from(x.subarray(0, 20));
    const mu = [0, 1].map((a) => E.filter((_, i) => i % 2 === a).reduce((s, v) => s + v, 0) / 10);
    const sigma = Math.sqrt(E.reduce((s, v, i) => s + (v - mu[i % 2]) ** 2, 0) / 10);
    const norm = E.map((v, i) => (v - mu[i % 2]) / sigma);
    expect(qn[0]).toBe(representationQuality(norm, 10, 2, 0.01));
    expect(qn[0]).toBeLessThan(1);
    expect(qn[0]).toBeGreaterThan(0);
    const full = toyAddition({ p: 10, hidden: [2], train_fraction: 1 }, ctx).info!;
    expect(full.nullity).toBe(2);
    expect(full.ideal_rqi).toBe(1);
    expect(full.lambda3).toBe(grokkingRate(10, additionSamples(10)).lambda3);
    const { train } = toyAdditionData({ train_fraction: 0.3 }, { seed: 4, run: 0 });
    const small = additionEffective({ train_fraction: 0.3 }, { seed: 4, run: 0 }).info!;
    expect(small.nullity).toBe(6);
    expect(small.lambda3).toBe(0);
    expect(small.ideal_rqi).toBe(idealRQI(10, train));
  });

  it('train_loss equals the energy; accuracies are independent recomputations (nearest target / argmax)', () => {
    for (const task of ['regression', 'classification'] as const) {
      const params = { p: 6, hidden: [5], d_out: 3, train_fraction: 0.7, task };
      const p = toyAddition(params, ctx);
      const o = resolveToyAddition(params);
      const lay = toyAdditionLayers(o);
      const { train, test, targets } = toyAdditionData(params, ctx);
      const count = 2;
      const x = randomPoint(p, count, 21);
      const { E } = evalAt(p, x, count);
      const tl = observe(p, 'train_loss', x, count);
      for (let r = 0; r < count; r++) expect(rel(tl[r], E[r])).toBeLessThan(1e-14);
      // Plain forward pass written out for one hidden layer.
      const K = lay.sizes[2];
      const accOn = (base: number, s: Int32Array) => {
        let hits = 0;
        for (let k = 0; k < s.length; k += 2) {
          const h0 = x[base + s[k]] + x[base + s[k + 1]];
          const hid = Array.from({ length: 5 }, (_, j) => Math.tanh(x[base + lay.wOff[0] + j] * h0 + x[base + lay.bOff[0] + j]));
          const out = Array.from({ length: K }, (_, j) =>
            hid.reduce((a, v, i) => a + v * x[base + lay.wOff[1] + j * 5 + i], x[base + lay.bOff[1] + j]),
          );
          let pred: number;
          if (task === 'regression') {
            const dist = Array.from({ length: 11 }, (_, t) => out.reduce((a, v, i) => a + (v - targets[t * K + i]) ** 2, 0));
            pred = dist.indexOf(Math.min(...dist));
          } else pred = out.indexOf(Math.max(...out));
          if (pred === s[k] + s[k + 1]) hits++;
        }
        return hits / (s.length / 2);
      };
      const ta = observe(p, 'train_accuracy', x, count);
      const va = observe(p, 'test_accuracy', x, count);
      const all = observe(p, 'accuracy', x, count);
      for (let r = 0; r < count; r++) {
        expect(ta[r]).toBe(accOn(r * p.dim, train));
        expect(va[r]).toBe(accOn(r * p.dim, test));
        const whole = (accOn(r * p.dim, train) * train.length + accOn(r * p.dim, test) * test.length) / (train.length + test.length);
        expect(Math.abs(all[r] - whole)).toBeLessThan(1e-15);
      }
    }
  });

  it('predicted_accuracy (Acc-hat, App. D) against a pair-by-pair recount: 1 on a pinned linear structure, |D|/|D₀| on random embeddings', () => {
    // Independent recount: a test pair (i, j) counts if some training pair (m, n) with m + n = i + j has
    // |E_i + E_j − E_m − E_n| ≤ δ (scaled by σ when normalised).
    const recount = (E: ArrayLike<number>, p: number, train: Int32Array, test: Int32Array, delta: number, sigma = 1) => {
      let hits = train.length / 2;
      for (let t = 0; t < test.length; t += 2) {
        const [i, j] = [test[t], test[t + 1]];
        let ok = false;
        for (let k = 0; k < train.length && !ok; k += 2) {
          const [m, n] = [train[k], train[k + 1]];
          if (m + n === i + j && Math.abs(E[i] + E[j] - E[m] - E[n]) <= delta * sigma) ok = true;
        }
        if (ok) hits++;
      }
      return hits / ((p * (p + 1)) / 2);
    };
    for (const [fraction, seed] of [
      [0.5, 3],
      [0.82, 2024],
      [0.3, 9],
    ] as const) {
      const c = { seed, run: 0 };
      const p = toyAddition({ p: 10, hidden: [3], d_out: 2, delta: 0.01, train_fraction: fraction }, c);
      const { train, test } = toyAdditionData({ train_fraction: fraction }, c);
      const count = 4;
      const x = randomPoint(p, count, 31 + seed);
      for (let k = 0; k < 10; k++) {
        x[k] = 0.3 + 0.2 * k; // replica 0: linear
        x[p.dim + k] = 0.3 + 0.2 * k + (k === 4 ? 0.005 : k === 7 ? 0.03 : 0); // replica 1: two defects, one within δ
        x[3 * p.dim + k] = 5 * (0.3 + 0.2 * k) + 0.02 * Math.sin(k); // replica 3: scaled, noise 0.1 σ-ish
      }
      const pa = observe(p, 'predicted_accuracy', x, count);
      const pn = observe(p, 'predicted_accuracy_normalised', x, count);
      for (let r = 0; r < count; r++) {
        const E = x.subarray(r * p.dim, r * p.dim + 10);
        const mu = E.reduce((a, v) => a + v, 0) / 10;
        const sigma = Math.sqrt(E.reduce((a, v) => a + (v - mu) ** 2, 0) / 10);
        expect(pa[r]).toBe(recount(E, 10, train, test, 0.01));
        expect(pn[r]).toBe(recount(E, 10, train, test, 0.01, sigma));
      }
      // A linear structure reaches every test pair whose sum a training pair also has.
      const sums = new Set(Array.from({ length: train.length / 2 }, (_, k) => train[2 * k] + train[2 * k + 1]));
      let reachable = train.length / 2;
      for (let t = 0; t < test.length; t += 2) if (sums.has(test[t] + test[t + 1])) reachable++;
      expect(pa[0]).toBe(reachable / 55);
      expect(pa[2]).toBe(train.length / 2 / 55); // random embeddings realise no parallelogram within 0.01
      expect(pa[1]).toBeLessThanOrEqual(pa[0]);
    }
  });
});

// ---------------------------------------------------------------- effective potential

describe('addition-effective', () => {
  it('energy and gradient equal theory’s effectiveLoss (ℓ₀/Z₀) to 1e-13; central differences ≤ 1e-7', () => {
    for (const [pp, d, f] of [
      [10, 1, 0.82],
      [7, 2, 0.6],
      [6, 3, 1],
    ] as const) {
      const p = additionEffective({ p: pp, d, train_fraction: f }, ctx);
      const { train } = toyAdditionData({ p: pp, train_fraction: f }, ctx);
      const quads = permissibleParallelograms(pp, train);
      const count = 3;
      const x = randomPoint(p, count, 13);
      const { E, G } = evalAt(p, x, count);
      for (let r = 0; r < count; r++) {
        const ref = effectiveLoss(x.subarray(r * p.dim, (r + 1) * p.dim), pp, d, quads);
        expect(rel(E[r], ref.leff)).toBeLessThan(1e-13);
        for (let j = 0; j < p.dim; j++) expect(Math.abs(G[r * p.dim + j] - ref.grad[j])).toBeLessThan(1e-13 * (1 + Math.abs(ref.grad[j])));
        expect(rel(observe(p, 'z0', x, count)[r], ref.z0)).toBeLessThan(1e-14);
        expect(rel(observe(p, 'l0', x, count)[r], ref.l0)).toBeLessThan(1e-14);
      }
      expect(finiteDifferenceError(p, x, count, 1e-6)).toBeLessThan(1e-7);
    }
  });

  it('init: centred makes ΣE = 0; the gradient is orthogonal to E (Z₀ flat) and sums to −2ℓ₀ΣE/Z₀²', () => {
    const c = additionEffective({ p: 8, d: 2 }, ctx);
    const x = randomPoint(c, 2, 4);
    const s = observe(c, 'sum_e', x, 2);
    expect(Math.max(...s)).toBeLessThan(1e-14);
    const u = additionEffective({ p: 8, d: 2, centred: false }, ctx);
    const y = randomPoint(u, 1, 4);
    const { G } = evalAt(u, y, 1);
    const l0 = observe(u, 'l0', y, 1)[0],
      z0 = observe(u, 'z0', y, 1)[0];
    let dot = 0;
    for (let j = 0; j < 16; j++) dot += G[j] * y[j];
    expect(Math.abs(dot)).toBeLessThan(1e-14);
    for (let a = 0; a < 2; a++) {
      let gs = 0,
        es = 0;
      for (let k = 0; k < 8; k++) {
        gs += G[2 * k + a];
        es += y[2 * k + a];
      }
      expect(Math.abs(gs - (-2 * l0 * es) / (z0 * z0))).toBeLessThan(1e-14);
    }
  });
});

// ---------------------------------------------------------------- gradient descent on ℓ_eff

describe('addition-effective under gradient descent', () => {
  const names = ['z0', 'sum_e', 'leff', 'rqi'];
  /** Finals of `replicas` replicas after `steps` gd steps (engine, in-process). */
  const run = async (params: object, lr: number, steps: number, replicas = 16, seed = 11) => {
    const s = validateScenarioObject(
      {
        name: 'addition-effective',
        seed,
        potential: { kind: 'addition-effective', params },
        dynamics: { integrator: 'gd', lr, steps },
        ensemble: { replicas, init: { kind: 'potential' } },
        observe: { grid: { kind: 'linear', points: 2 }, observables: names },
      },
      '',
    );
    const r = await runEnsemble(s, { workers: 0 });
    const k = names.length;
    return Array.from(
      { length: replicas },
      (_, i) => Object.fromEntries(names.map((n, j) => [n, r.finals.values[i * k + j]])) as Record<string, number>,
    );
  };

  // The flow conserves Z₀ exactly; gd adds η²|∇U|² per step (the step is ⟂ E), i.e.
  // ΔZ₀ = η(U₀ − U_T) + O(η²). Full training set, 16 Gaussian centred starts, η·steps = 1000.
  // Measured: max relative ΔZ₀ 1.317e-2 (η = 0.1) and 6.580e-3 (η = 0.05), ratio 2.00;
  // |ΔZ₀/(η ΔU) − 1| ≤ 0.0023 (η = 0.1); |ΣE| ≤ 4.3e-13 (rounding); every replica RQI = 1,
  // ℓ_eff ≤ 1e-28.
  it('through the engine: Z₀ drifts only at first order in η (ΔZ₀ = η Δℓ_eff), ΣE = 0 stays 0, RQI → 1 on the full training set', async () => {
    const drift: number[] = [];
    for (const [lr, steps] of [
      [0.1, 10000],
      [0.05, 20000],
    ]) {
      const a = await run({ train_fraction: 1 }, lr, 0);
      const b = await run({ train_fraction: 1 }, lr, steps);
      let worst = 0;
      for (let i = 0; i < a.length; i++) {
        expect(a[i].rqi).toBeLessThan(0.1);
        const dz = b[i].z0 - a[i].z0;
        expect(dz).toBeGreaterThan(0);
        worst = Math.max(worst, dz / a[i].z0);
        expect(Math.abs(dz / (lr * (a[i].leff - b[i].leff)) - 1)).toBeLessThan(0.01);
        expect(b[i].sum_e).toBeLessThan(1e-11);
        expect(b[i].rqi).toBe(1);
        expect(b[i].leff).toBeLessThan(1e-20);
      }
      drift.push(worst);
    }
    expect(drift[0]).toBeLessThan(0.02);
    expect(drift[0] / drift[1]).toBeGreaterThan(1.9);
    expect(drift[0] / drift[1]).toBeLessThan(2.1);
  });

  // App. F's second conserved quantity needs ΣE = 0: Σ_k ∇_k U = −2ℓ₀ΣE/Z₀² pushes |ΣE| up.
  // Measured (16 uncentred starts, η = 0.1, 10⁴ steps): |ΣE| grows by 1.5× … 11.6×.
  it('uncentred starts: |ΣE| is not conserved, it grows in every replica', async () => {
    const a = await run({ train_fraction: 1, centred: false }, 0.1, 0);
    const b = await run({ train_fraction: 1, centred: false }, 0.1, 10000);
    for (let i = 0; i < a.length; i++) expect(b[i].sum_e).toBeGreaterThan(1.2 * a[i].sum_e);
  });

  // Near the linear structure (Z₀ = p) a perturbation along the third Hessian eigenvector
  // decays as (1 − ηλ₃)ⁿ, so ℓ_eff ∝ (1 − ηλ₃)²ⁿ: the grokking time 1/(λ₃η). Measured rate
  // −ln(U_n/U_0)/(2n) vs −ln(1 − ηλ₃): 0.0438026178 vs 0.0438026227 (full set, λ₃ = 0.0857),
  // 0.0165454580 vs 0.0165454599 (the 45-sample default split of seed 11, λ₃ = 0.0328):
  // agreement to 1e-6 relative (the O(ε²) nonlinearity, ε = 1e-3).
  it('decay rate near the linear structure is λ₃ from theory’s Hessian (full set and a 45-sample training set)', () => {
    const ctx11 = { seed: 11, run: 0 };
    for (const f of [1, 0.82]) {
      const { train } = toyAdditionData({ train_fraction: f }, ctx11);
      const g = grokkingRate(10, train);
      expect(g.nullity).toBe(2);
      const { values, vectors } = symmetricEigen(effectiveHessian(10, permissibleParallelograms(10, train), 10), 10);
      expect(values[2]).toBe(g.lambda3);
      const pot = additionEffective({ train_fraction: f }, ctx11);
      const x = linearStructure(10);
      for (let k = 0; k < 10; k++) x[k] += 1e-3 * vectors[20 + k];
      const E = new Float64Array(1),
        G = new Float64Array(10);
      const eta = 0.5,
        n = 200;
      pot.energyAndGradient(x, 1, E, G);
      const U0 = E[0];
      expect(rel(U0, 0.5 * g.lambda3 * 1e-6)).toBeLessThan(1e-5); // U ≈ ½ λ₃ ε²
      for (let t = 0; t < n; t++) {
        pot.energyAndGradient(x, 1, E, G);
        for (let k = 0; k < 10; k++) x[k] -= eta * G[k];
      }
      pot.energyAndGradient(x, 1, E, G);
      const rate = -Math.log(E[0] / U0) / (2 * n);
      expect(rel(rate, -Math.log(1 - eta * g.lambda3))).toBeLessThan(1e-5);
    }
  });

  // Grokking time of the effective flow: steps until RQI_normalised = 1 (δ = 0.01 relative to σ),
  // gd η = 0.2, 8 Gaussian centred starts per split, the 24 splits of fractions 0.5, 0.6, 0.82, 1
  // × seeds 1 … 6 (all nullity 2; λ₃ from 0.0112 to 0.0857, 1/(λ₃η) from 445 to 58 steps). In
  // units of the predicted time (Z₀/p)/(λ₃η) (λ₃ is quoted at Z₀ = p; the rate scales as p/Z₀)
  // the median over replicas is 5.25 … 7.22 for every split with these starts (6.35 … 7.70 with
  // another draw of starts) — the grokking time is 1/(λ₃η) times a constant ≈ ln(initial
  // violation/δ) + O(1). Asserted: every median in [4, 10] and max/min of the medians < 2
  // (measured 1.38), while the unscaled 1/(λ₃η) spans a factor 7.6 (asserted > 4).
  it('steps to a linear representation scale as (Z₀/p)/(λ₃η) across 24 training sets', () => {
    const eta = 0.2;
    const medians: number[] = [];
    const predicted: number[] = [];
    for (const f of [0.5, 0.6, 0.82, 1])
      for (const seed of [1, 2, 3, 4, 5, 6]) {
        const pot = additionEffective({ train_fraction: f }, { seed, run: 0 });
        expect(pot.info!.nullity).toBe(2);
        const lambda3 = pot.info!.lambda3 as number;
        const R = 8;
        const x = randomPoint(pot, R, 100 + seed);
        const z0 = observe(pot, 'z0', x, R);
        const q = new Float64Array(R);
        const rq = pot.observables!.find((o) => o.name === 'rqi_normalised')!;
        const E = new Float64Array(R),
          G = new Float64Array(R * 10);
        const first = new Array<number>(R).fill(-1);
        for (let t = 0; t < 20000 && first.some((v) => v < 0); t++) {
          rq.evaluate(x, R, q);
          for (let r = 0; r < R; r++) if (first[r] < 0 && q[r] === 1) first[r] = t;
          pot.energyAndGradient(x, R, E, G);
          for (let j = 0; j < R * 10; j++) x[j] -= eta * G[j];
        }
        expect(Math.min(...first)).toBeGreaterThan(0);
        const scaled = first.map((v, r) => v / (z0[r] / 10 / (lambda3 * eta))).sort((a, b) => a - b);
        medians.push((scaled[3] + scaled[4]) / 2);
        predicted.push(1 / (lambda3 * eta));
      }
    expect(Math.max(...predicted) / Math.min(...predicted)).toBeGreaterThan(4);
    for (const m of medians) {
      expect(m).toBeGreaterThan(4);
      expect(m).toBeLessThan(10);
    }
    expect(Math.max(...medians) / Math.min(...medians)).toBeLessThan(2);
  });

  // Training sets with nullity > 2 (fraction 0.3, seeds 1 … 6: nullity 4, 5, 4, 6, 4, 4): the
  // flow ends on a generic ground state, where exactly the parallelograms implied by the
  // training set hold, so RQI = the ideal RQI of App. E (0.33, 0.17, 0.33, 0.10, 0.10, 0.31).
  // Measured: 47 of 48 replicas equal it; one (seed 4) is above (0.143 vs 0.100), an
  // accidental parallelogram within δ = 0.01.
  it('small training sets (nullity > 2): final RQI equals the ideal RQI of the training set (≥ 90 % of replicas; never below)', async () => {
    let equal = 0,
      total = 0;
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const { train } = toyAdditionData({ train_fraction: 0.3 }, { seed, run: 0 });
      expect(grokkingRate(10, train).nullity).toBeGreaterThan(2);
      const ideal = idealRQI(10, train);
      expect(ideal).toBeLessThan(0.5);
      for (const v of await run({ train_fraction: 0.3 }, 0.2, 5000, 8, seed)) {
        total++;
        if (Math.abs(v.rqi - ideal) < 1e-12) equal++;
        expect(v.rqi).toBeGreaterThanOrEqual(ideal - 1e-12);
      }
    }
    expect(equal).toBeGreaterThanOrEqual(0.9 * total);
  });
});

// ---------------------------------------------------------------- training the toy model

describe('toy-addition training through the engine', () => {
  // p = 10, d_in = 1, decoder 1-32-32-8 (tanh), regression, 45/10 split, 4 replicas, Adam at
  // η = 1e-3 on both groups (adamw with weight decay 0), 3000 steps (≈ 5 s). Measured means at
  // steps 0, 500, …, 3000: train loss 0.997 → 0.058, train accuracy 0.05 → 0.94, test accuracy
  // 0.03 → 0.40, RQI (δ = 0.05) 0.09 → 0.40; per replica (train acc, test acc, RQI) at the end:
  // (1.00, 0.60, 0.43), (0.91, 0.00, 0.06), (1.00, 0.90, 1.00), (0.84, 0.10, 0.13) — one replica
  // generalises with a linear representation, the others memorise: the paper's competition
  // between decoder and representation at equal rates.
  // Asserted: the mean train loss falls below a tenth of its start and the mean train accuracy
  // exceeds 0.8 (a broken gradient or accuracy leaves both near their start).
  it('Adam (adamw, weight decay 0) fits the training set within 3000 steps', async () => {
    const s = validateScenarioObject(
      {
        name: 'toy-addition',
        seed: 3,
        potential: { kind: 'toy-addition', params: { hidden: [32, 32], d_out: 8, delta: 0.05 } },
        dynamics: {
          integrator: 'adamw',
          lr: 1e-3,
          steps: 3000,
          groups: { embeddings: { lr: 1e-3, weight_decay: 0 }, decoder: { lr: 1e-3, weight_decay: 0 } },
        },
        ensemble: { replicas: 4, init: { kind: 'potential' } },
        observe: { grid: { kind: 'linear', points: 2 }, observables: ['train_accuracy', 'train_loss', 'test_accuracy', 'rqi'] },
      },
      '',
    );
    const r = await runEnsemble(s, { workers: 0 });
    const tp = tracePoints(r, 0.5);
    const loss = tp.train_loss;
    const acc = tp.train_accuracy;
    expect(loss.at(-1)!.mean!).toBeLessThan(0.1 * loss[0].mean!);
    expect(acc.at(-1)!.mean!).toBeGreaterThan(0.8);
    expect(acc[0].mean!).toBeLessThan(0.3);
  });

  // Worker threads load dist/: run `npm run build` first.
  it('minibatch SGLD with per-group settings gives identical finals in-process and on 2 workers', async () => {
    const s = validateScenarioObject(
      {
        name: 'toy-addition-workers',
        seed: 8,
        potential: { kind: 'toy-addition', params: { p: 6, hidden: [6], d_out: 3, task: 'classification' } },
        dynamics: {
          integrator: 'sgld',
          lr: 0.05,
          temperature: 1e-3,
          batch_size: 5,
          steps: 40,
          groups: { embeddings: { lr: 0.02 }, decoder: { lr: 0.05, weight_decay: 1e-3 } },
        },
        ensemble: { replicas: 4, init: { kind: 'potential' } },
        observe: { grid: { kind: 'linear', points: 2 }, observables: ['train_loss', 'test_accuracy', 'rqi_normalised', 'E3', 'b2_0'] },
      },
      '',
    );
    const a = await runEnsemble(s, { workers: 0 });
    const b = await runEnsemble(s, { workers: 2 });
    expect(a.finals.values.every(Number.isFinite)).toBe(true);
    expect(Array.from(b.finals.values)).toEqual(Array.from(a.finals.values));
  });
});
