/**
 * relation-learner (docs/models.md §3.2, GenEFT): the relation tables and the data
 * split, energy and gradient against float64 central differences and tfjs
 * autodiff for the three combine modes, minibatch unbiasedness, observables
 * and predictive metrics on a constructed solution, and a short gradient-
 * descent run through the engine that learns mod 3.
 */
import { describe, expect, it } from 'vitest';
import { getPotentialFamily } from '../../src/potentials/index.js';
import { loadTensorflow } from '../../src/potentials/tfjs/backend.js';
import {
  relationLearner,
  relationLearnerData,
  relationLearnerLayout,
  resolveRelationLearner,
  type RelationLearnerParams,
} from '../../src/potentials/relation/relation-learner/index.js';
import { relationTable } from '../../src/theory/relations.js';
import { validateScenarioObject } from '../../src/scenario/index.js';
import { runEnsemble } from '../../src/parallel/run.js';
import { tracePoints } from '../../src/analysis/summary.js';
import { evalAt, finiteDifferenceError, observe, randomPoint, tfGradDiscrepancy } from '../helpers.js';

const ctx = { seed: 2024, run: 0 };

const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.abs(b));

// ---------------------------------------------------------------- data

describe('relation-learner: relations and split', () => {
  it('is registered; groups encoder (n·d) then decoder; layout of the default 4→50→50→50→1 net', () => {
    const fam = getPotentialFamily('relation-learner')!;
    expect(fam).toBeDefined();
    const p = fam.create({}, ctx);
    // 30·2 embeddings; 4·50+50 + 2·(50·50+50) + 50+1 decoder parameters.
    expect(p.dim).toBe(60 + 250 + 2 * 2550 + 51);
    expect(p.groups).toEqual([
      { name: 'encoder', offset: 0, size: 60 },
      { name: 'decoder', offset: 60, size: 250 + 5100 + 51 },
    ]);
    expect(p.dataSize).toBe(675);
    expect(p.coordinates.slice(0, 3)).toEqual(['E0_0', 'E0_1', 'E1_0']);
    expect(p.coordinates[60]).toBe('W1_0_0');
    expect(p.coordinates.at(-1)).toBe('b4_0');
    expect(relationLearnerLayout({ combine: 'difference', depth: 0 }).layers).toEqual([{ fanIn: 2, fanOut: 1, w: 60, b: 62 }]);
    expect(() => relationLearner({ combine: 'sum' as never }, ctx)).toThrow(/combine/);
    expect(() => relationLearner({ train_fraction: 0 }, ctx)).toThrow(/train_fraction/);
    expect(() => relationLearner({ depth: -1 }, ctx)).toThrow(/depth/);
  });

  it('truth tables are those of theory/relations.ts (mod 3, mod 5, greater-than, bipartite) with the stated definitions', () => {
    const n = 30;
    for (const [params, spec] of [
      [
        { relation: 'mod', k: 3 },
        { kind: 'mod', k: 3 },
      ],
      [
        { relation: 'mod', k: 5 },
        { kind: 'mod', k: 5 },
      ],
      [{ relation: 'greater-than' }, { kind: 'greater-than' }],
    ] as const) {
      const { truth } = relationLearnerData(params, ctx);
      expect(truth).toEqual(relationTable(spec, n));
    }
    const mod5 = relationLearnerData({ relation: 'mod', k: 5 }, ctx).truth;
    expect(mod5[7 * n + 22]).toBe(1);
    expect(mod5[7 * n + 23]).toBe(0);
    const gt = relationLearnerData({ relation: 'greater-than' }, ctx).truth;
    expect([gt[3 * n + 4], gt[4 * n + 3], gt[5 * n + 5]]).toEqual([1, 0, 0]);
    // Bipartite: a balanced split from the seed; R = 1 iff exactly one of a, b in S; same seed → same S.
    const bp = relationLearnerData({ relation: 'bipartite' }, ctx);
    const side = bp.side!;
    expect(side.reduce((s, v) => s + v, 0)).toBe(15);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) expect(bp.truth[a * n + b]).toBe(side[a] !== side[b] ? 1 : 0);
    expect(relationLearnerData({ relation: 'bipartite' }, { seed: 2024, run: 7 }).side).toEqual(side);
    expect(relationLearnerData({ relation: 'bipartite' }, { seed: 2025, run: 0 }).side).not.toEqual(side);
  });

  it('the split: round(f·n²) training pairs, disjoint and covering; from the seed only (not run, not relation); nested in the fraction', () => {
    const a = relationLearnerData({}, ctx);
    expect(a.train.length).toBe(675);
    expect(a.test.length).toBe(225);
    const all = new Set([...a.train, ...a.test]);
    expect(all.size).toBe(900);
    expect(relationLearnerData({ relation: 'greater-than' }, { seed: 2024, run: 3 }).train).toEqual(a.train);
    expect(relationLearnerData({}, { seed: 1, run: 0 }).train).not.toEqual(a.train);
    const small = new Set(relationLearnerData({ train_fraction: 0.3 }, ctx).train);
    expect(small.size).toBe(270);
    const big = new Set(a.train);
    for (const i of small) expect(big.has(i)).toBe(true);
    expect(relationLearnerData({ train_fraction: 1 }, ctx).test.length).toBe(0);
  });

  it('initialisation follows PyTorch defaults: embeddings N(0, σ_E²), Linear U(±1/√fan_in)', () => {
    const p = relationLearner({ embedding_std: 2 }, ctx);
    const R = 200;
    const x = randomPoint(p, R, 3);
    const lay = relationLearnerLayout({});
    let s2 = 0;
    for (let r = 0; r < R; r++) for (let j = 0; j < 60; j++) s2 += x[r * p.dim + j] ** 2;
    // Sample variance of 12,000 N(0, 4) draws: SE = 4·√(2/12000) ≈ 0.052; 4.5 SE.
    expect(Math.abs(s2 / (R * 60) - 4)).toBeLessThan(4.5 * 4 * Math.sqrt(2 / (R * 60)));
    for (const ly of lay.layers) {
      const bound = 1 / Math.sqrt(ly.fanIn);
      let mx = 0,
        v = 0,
        cnt = 0;
      for (let r = 0; r < R; r++)
        for (let j = 0; j < ly.fanIn * ly.fanOut + ly.fanOut; j++) {
          const u = x[r * p.dim + ly.w + j];
          mx = Math.max(mx, Math.abs(u));
          v += u * u;
          cnt++;
        }
      expect(mx).toBeLessThanOrEqual(bound);
      // Uniform on ±bound: variance bound²/3, SE of the mean square ≈ bound²·√(4/45)/√cnt; 4.5 SE.
      expect(Math.abs(v / cnt - bound ** 2 / 3)).toBeLessThan((4.5 * bound ** 2 * Math.sqrt(4 / 45)) / Math.sqrt(cnt));
    }
  });
});

// ------------------------------------------------------------- gradients

const modes = ['concat', 'difference', 'squared-difference'] as const;

describe('relation-learner: energy and gradient', () => {
  // n = 10, fraction 0.9: 90 training pairs = two chunks (64 + 26); width 5 and odd chunk
  // lengths exercise every remainder path of the 2 × 4 blocked products.
  const small = (
    combine: (typeof modes)[number],
    relation: RelationLearnerParams['relation'] = 'mod',
    depth = 2,
  ): Partial<RelationLearnerParams> => ({
    n: 10,
    d: 2,
    combine,
    depth,
    width: 5,
    relation,
    k: 3,
    train_fraction: 0.9,
  });

  it('gradient matches float64 central differences (3 modes × 3 relations; depth 0, 1, 3)', () => {
    // Central difference with h = 1e-5: truncation h²·f'''/6 ~ 1e-11, rounding ε·U/h ~ 1e-11;
    // measured worst 5.2e-11, so the bound 1e-9 leaves a margin of ≈ 20.
    let worst = 0;
    for (const combine of modes)
      for (const relation of ['mod', 'greater-than', 'bipartite'] as const) {
        const p = relationLearner(small(combine, relation), ctx);
        const x = randomPoint(p, 2, 11);
        worst = Math.max(worst, finiteDifferenceError(p, x, 2, 1e-5));
      }
    for (const depth of [0, 1, 3]) {
      const p = relationLearner(small('concat', 'mod', depth), ctx);
      worst = Math.max(worst, finiteDifferenceError(p, randomPoint(p, 2, 12), 2, 1e-5));
    }
    expect(worst).toBeLessThan(1e-9);
  });

  it('the energy is the mean stable BCE, finite at huge logits', () => {
    const params = small('concat');
    const p = relationLearner(params, ctx);
    const { train, truth } = relationLearnerData(params, ctx);
    const x = randomPoint(p, 1, 4);
    // Output bias ±1000: every logit ≈ ±1000, BCE = 1000 on the wrong side, ≈ 0 on the right one.
    const lay = relationLearnerLayout(params);
    const ob = lay.layers.at(-1)!.b;
    for (const sgn of [1, -1]) {
      x[ob] = 1000 * sgn;
      const { E, G } = evalAt(p, x, 1);
      const wrong = train.reduce((s, i) => s + (truth[i] === (sgn > 0 ? 0 : 1) ? 1 : 0), 0) / train.length;
      expect(Number.isFinite(E[0])).toBe(true);
      expect(Math.abs(E[0] - 1000 * wrong)).toBeLessThan(5); // |logit − 1000| ≤ Σ|w_out| < 3
      expect(G.every(Number.isFinite)).toBe(true);
      // ∂U/∂b_out = mean(sigmoid(z) − y) = ±(wrong fraction) here, to e^{−997}.
      expect(G[ob]).toBeCloseTo(sgn * wrong, 12);
    }
  });

  // tfjs computes in float32 (unit roundoff 6e-8): with O(1) activations through 3 tanh
  // layers of width 6 the float32 side is exact to a few ulps. Measured worst over the three
  // modes × 3 replicas: energy 4.4e-8, gradient 9.5e-8 (normwise relative), so 1e-6 leaves a
  // margin of ≈ 10; a wrong term (e.g. a missing factor 2 in the squared difference) is O(1).
  it('energy and gradient match tfjs tf.grad for the three combine modes (float32; normwise relative ≤ 1e-6)', async () => {
    const { tf } = await loadTensorflow();
    type T = import('@tensorflow/tfjs').Tensor;
    let worstE = 0,
      worstG = 0;
    for (const combine of modes) {
      const params = { ...small(combine, 'greater-than', 3), n: 8, width: 6, train_fraction: 0.75 };
      const p = relationLearner(params, ctx);
      const lay = relationLearnerLayout(params);
      const { train, truth } = relationLearnerData(params, ctx);
      const n = 8,
        d = 2;
      const ia = tf.tensor1d(
        Int32Array.from(train, (i) => Math.floor(i / n)),
        'int32',
      );
      const ib = tf.tensor1d(
        Int32Array.from(train, (i) => i % n),
        'int32',
      );
      const y = tf.tensor1d(Float32Array.from(train, (i) => truth[i]));
      const U = (theta: T) => {
        const E = theta.slice(0, n * d).reshape([n, d]);
        const Ea = tf.gather(E, ia);
        const Eb = tf.gather(E, ib);
        let h: T = combine === 'concat' ? tf.concat([Ea, Eb], 1) : combine === 'difference' ? tf.sub(Ea, Eb) : tf.square(tf.sub(Ea, Eb));
        lay.layers.forEach((ly, l) => {
          const W = theta.slice(ly.w, ly.fanIn * ly.fanOut).reshape([ly.fanOut, ly.fanIn]);
          const b = theta.slice(ly.b, ly.fanOut);
          const z = tf.add(tf.matMul(h, W, false, true), b);
          h = l < lay.layers.length - 1 ? tf.tanh(z) : z;
        });
        const z = h.reshape([train.length]);
        // BCE with logits: max(z, 0) − y z + log1p(e^{−|z|}).
        return tf.mean(tf.add(tf.sub(tf.relu(z), tf.mul(y, z)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))))) as import('@tensorflow/tfjs').Scalar;
      };
      const count = 3;
      // Points exactly representable in float32, so both sides start from the same numbers.
      const x = Float64Array.from(randomPoint(p, count, 7), Math.fround);
      const { E, G } = evalAt(p, x, count);
      const tfd = tfGradDiscrepancy(tf, U, p, x, count, E, G);
      worstE = Math.max(worstE, tfd.energy);
      worstG = Math.max(worstG, tfd.gradient);
    }
    expect(worstE).toBeLessThan(1e-6);
    expect(worstG).toBeLessThan(1e-6);
  });

  it('minibatches: the whole training set as a batch equals the full energy; the mean over a partition into equal batches is the full gradient', () => {
    const params = small('squared-difference');
    const p = relationLearner(params, ctx);
    const count = 2;
    const x = randomPoint(p, count, 9);
    const full = evalAt(p, x, count);
    const M = p.dataSize!; // 90
    const B = 30;
    const sumE = new Float64Array(count);
    const sumG = new Float64Array(count * p.dim);
    for (let s = 0; s < M / B; s++) {
      const indices = new Int32Array(count * B);
      // Replica 0 takes batch s, replica 1 batch (s + 1) mod 3, permuted within: every index once per replica.
      for (let r = 0; r < count; r++) for (let q = 0; q < B; q++) indices[r * B + q] = ((s + r) % 3) * B + ((q * 7) % B);
      const b = evalAt(p, x, count, { size: B, indices });
      for (let r = 0; r < count; r++) sumE[r] += b.E[r] / 3;
      for (let j = 0; j < sumG.length; j++) sumG[j] += b.G[j] / 3;
    }
    for (let r = 0; r < count; r++) expect(rel(sumE[r], full.E[r])).toBeLessThan(1e-13);
    for (let j = 0; j < sumG.length; j++) expect(Math.abs(sumG[j] - full.G[j])).toBeLessThan(1e-13 * (1 + Math.abs(full.G[j])));
    const all = evalAt(p, x, count, { size: M, indices: Int32Array.from({ length: count * M }, (_, i) => i % M) });
    for (let r = 0; r < count; r++) expect(all.E[r]).toBe(full.E[r]);
    // A single half batch is not the full energy (the test can fail).
    const half = evalAt(p, x, count, { size: 45, indices: Int32Array.from({ length: count * 45 }, (_, i) => i % 45) });
    expect(rel(half.E[0], full.E[0])).toBeGreaterThan(1e-6);
  });

  it('replicas are independent: a batch of 3 equals three single-replica calls', () => {
    const p = relationLearner(small('concat'), ctx);
    const x = randomPoint(p, 3, 10);
    const all = evalAt(p, x, 3);
    for (let r = 0; r < 3; r++) {
      const one = evalAt(p, x.slice(r * p.dim, (r + 1) * p.dim), 1);
      expect(one.E[0]).toBe(all.E[r]);
      expect(Array.from(one.G)).toEqual(Array.from(all.G.subarray(r * p.dim, (r + 1) * p.dim)));
    }
  });
});

// ---------------------------------------------------------- observables

describe('relation-learner: observables and predictive', () => {
  it('a constructed mod-3 solution (squared difference, linear decoder) is perfect; shifting it breaks it', () => {
    // E_x = (x mod 3, 0): (E_a − E_b)² is 0 within a class and ≥ 1 across; logit = 5 − 10·u₀.
    const params = { n: 12, d: 2, combine: 'squared-difference', depth: 0, relation: 'mod', k: 3, train_fraction: 0.6 } as const;
    const p = relationLearner(params, ctx);
    const x = new Float64Array(p.dim);
    for (let s = 0; s < 12; s++) x[2 * s] = s % 3;
    const ly = relationLearnerLayout(params).layers[0];
    x[ly.w] = -10;
    x[ly.b] = 5;
    expect(observe(p, 'train_accuracy', x, 1)[0]).toBe(1);
    expect(observe(p, 'test_accuracy', x, 1)[0]).toBe(1);
    // BCE: log1p(e^{−5}) on every pair within a class (z = 5) and ≤ log1p(e^{−5}) across.
    const trainLoss = observe(p, 'train_loss', x, 1)[0];
    expect(trainLoss).toBeLessThanOrEqual(Math.log1p(Math.exp(-5)) + 1e-15);
    expect(trainLoss).toBeGreaterThan(0);
    expect(trainLoss).toBe(evalAt(p, x, 1).E[0]);
    expect(observe(p, 'cluster_ratio', x, 1)[0]).toBe(0);
    // Spread: 4 symbols at each of 0, 1, 2 on the first axis: RMS about the mean 1 = √(2/3).
    expect(observe(p, 'embedding_spread', x, 1)[0]).toBeCloseTo(Math.sqrt(2 / 3), 14);
    const pred = p.predictive!;
    const out = new Float64Array(pred.size);
    pred.predict(x, 1, out);
    const m = pred.metrics(out, 0);
    expect(m.accuracy).toBe(1);
    expect(m.error).toBeLessThan(Math.log1p(Math.exp(-5)) + 1e-12);
    // Flip the output sign: every prediction wrong.
    x[ly.w] = 10;
    x[ly.b] = -5;
    expect(observe(p, 'train_accuracy', x, 1)[0]).toBe(0);
    expect(observe(p, 'test_accuracy', x, 1)[0]).toBe(0);
    // Move symbol 0 into class 1's spot: within-class SS = (2/3)·(1/4)… just > 0, accuracy < 1.
    x[ly.w] = -10;
    x[ly.b] = 5;
    x[0] = 1;
    expect(observe(p, 'cluster_ratio', x, 1)[0]).toBeGreaterThan(0);
    expect(observe(p, 'train_accuracy', x, 1)[0] + observe(p, 'test_accuracy', x, 1)[0]).toBeLessThan(2);
  });

  it('greater-than has no cluster_ratio; predictive size is the held-out count; train_fraction 1 has no predictive', () => {
    const p = relationLearner({ relation: 'greater-than' }, ctx);
    expect(p.observables!.map((o) => o.name)).toEqual([
      'train_accuracy',
      'train_loss',
      'test_accuracy',
      'test_loss',
      'accuracy',
      'embedding_spread',
    ]);
    expect(p.predictive!.size).toBe(225);
    expect(relationLearner({ train_fraction: 1 }, ctx).predictive).toBeUndefined();
    expect(resolveRelationLearner({}).depth).toBe(3);
  });
});

// ------------------------------------------------------------ learning

describe('relation-learner through the engine', () => {
  // Measured first (seed 5, 8 replicas, n = 12, concat, 2 tanh layers of 20, gd at lr 0.5):
  // mean train accuracy 0.51 → 0.92 at step 267, the slowest replica above 0.9 between steps
  // 373 and 427, all at 1.0 from step 480. The budget of 800 steps is ≈ 2× the slowest
  // crossing; asserted: every replica > 0.9 and the mean loss halves.
  it('gd learns mod 3: every replica reaches train accuracy > 0.9 within the step budget', async () => {
    const s = validateScenarioObject(
      {
        name: 'relation-mod3',
        seed: 5,
        potential: {
          kind: 'relation-learner',
          params: { n: 12, d: 2, combine: 'concat', depth: 2, width: 20, relation: 'mod', k: 3, train_fraction: 0.75 },
        },
        dynamics: { integrator: 'gd', lr: 0.5, steps: 800 },
        ensemble: { replicas: 8, init: { kind: 'potential' } },
        observe: { grid: { kind: 'linear', points: 2 }, observables: ['train_accuracy', 'train_loss'] },
      },
      '',
    );
    const r = await runEnsemble(s, { workers: 0 });
    const fin = r.finals;
    const k = fin.observables.indexOf('train_accuracy');
    const accs = Array.from({ length: r.count }, (_, i) => fin.values[i * fin.observables.length + k]);
    const loss = tracePoints(r, 0.5).train_loss;
    expect(Math.min(...accs)).toBeGreaterThan(0.9);
    expect(loss.at(-1)!.mean!).toBeLessThan(0.5 * loss[0].mean!);
  });

  // Worker threads load dist/: run `npm run build` first.
  it('minibatch SGLD with per-group lr gives identical finals in-process and on 2 workers', async () => {
    const s = validateScenarioObject(
      {
        name: 'relation-workers',
        seed: 8,
        potential: { kind: 'relation-learner', params: { n: 10, depth: 1, width: 8, combine: 'difference', relation: 'bipartite' } },
        dynamics: {
          integrator: 'sgld',
          lr: 0.05,
          temperature: 1e-3,
          batch_size: 16,
          steps: 40,
          groups: { encoder: { lr: 0.02 }, decoder: { lr: 0.05, weight_decay: 1e-3 } },
        },
        ensemble: { replicas: 4, init: { kind: 'potential' } },
        observe: { grid: { kind: 'linear', points: 2 }, observables: ['train_loss', 'test_accuracy', 'cluster_ratio', 'E3_1', 'b2_0'] },
      },
      '',
    );
    const a = await runEnsemble(s, { workers: 0 });
    const b = await runEnsemble(s, { workers: 2 });
    expect(a.finals.values.every(Number.isFinite)).toBe(true);
    expect(Array.from(b.finals.values)).toEqual(Array.from(a.finals.values));
  });
});
