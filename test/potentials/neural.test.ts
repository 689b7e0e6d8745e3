/**
 * The neural potentials of docs/models.md §2 (modular-addition-square,
 * teacher-student-erf) and erf: energies and gradients against tfjs autodiff
 * and float64 finite differences, minibatch unbiasedness, the data split, the
 * order parameters on constructed weights, the droplet threshold.
 */
import { describe, expect, it } from 'vitest';
import { getPotentialFamily } from '../../src/potentials/index.js';
import { loadTensorflow } from '../../src/potentials/tfjs/backend.js';
import { FourierSpectrum, priorConcentrationQuantile, priorConcentrationSf } from '../../src/potentials/neural/fourier.js';
import { modularAdditionData, modularAdditionSquare } from '../../src/potentials/neural/modular-addition/index.js';
import { teacherStudentData, teacherStudentErf } from '../../src/potentials/neural/teacher-student/index.js';
import { erf, erfc, erfcx } from '../../src/stats/special.js';
import { Stream } from '../../src/random/rng.js';
import { evalAt, finiteDifferenceError, observe, randomPoint, tfGradDiscrepancy } from '../helpers.js';

// mpmath (40 digits) at the double nearest to x: [x, erf(x), erfc(x)].
const ERF_TABLE: [number, number, number][] = [
  [0, 0.0, 1.0],
  [1e-300, 1.128379167095512602172e-300, 1.0],
  [1e-10, 1.128379167095512615002e-10, 0.9999999998871620832904],
  [1e-5, 0.00001128379167057900027299, 0.9999887162083294209997],
  [0.05, 0.05637197779701662695533, 0.9436280222029833730447],
  [0.1, 0.1124629160182848984047, 0.8875370839817151015953],
  [0.25, 0.2763263901682369329851, 0.7236736098317630670149],
  [0.5, 0.5204998778130465376827, 0.4795001221869534623173],
  [0.75, 0.7111556336535151315989, 0.2888443663464848684011],
  [0.84375, 0.767225661232341633459, 0.232774338767658366541],
  [0.99, 0.8385080695553697998188, 0.1614919304446302001812],
  [1, 0.8427007929497148693412, 0.1572992070502851306588],
  [1.125, 0.8883882317017077640696, 0.1116117682982922359304],
  [1.25, 0.9229001282564582301365, 0.07709987174354176986348],
  [1.5, 0.966105146475310727067, 0.03389485352468927293302],
  [1.75, 0.9866716712191824437722, 0.01332832878081755622779],
  [2, 0.9953222650189527341621, 0.004677734981047265837931],
  [2.25, 0.9985372834133188483021, 0.001462716586681151697911],
  [2.5, 0.9995930479825550410604, 0.0004069520174449589395642],
  [2.75, 0.9998993780778803631631, 0.0001006219221196368369044],
  [3, 0.9999779095030014145586, 0.00002209049699858544137278],
  [3.5, 0.9999992569016276585873, 7.430983723414127455237e-7],
  [4, 0.99999998458274209972, 1.541725790028001885216e-8],
  [4.5, 0.9999999998033839558457, 1.966160441542887476279e-10],
  [5, 0.9999999999984625402056, 1.537459794428034850188e-12],
  [5.5, 0.9999999999999926421521, 7.357847917974398063068e-15],
  [5.9, 0.9999999999999999280959, 7.190409783550477724856e-17],
  [6, 0.9999999999999999784803, 2.151973671249891311659e-17],
  [6.5, 0.9999999999999999999616, 3.842148327120647469876e-20],
  [8, 1.0, 1.122429717298292707997e-29],
  [10, 1.0, 2.088487583762544757001e-45],
  [15, 1.0, 7.212994172451206666565e-100],
  [20, 1.0, 5.395865611607900928935e-176],
  [26, 1.0, 5.663192408856142846476e-296],
  [-0.3, -0.3286267594591274161896, 1.32862675945912741619],
  [-1.7, -0.9837904585907745608413, 1.983790458590774560841],
  [-3.3, -0.9999969422902035618348, 1.999996942290203561835],
];

const rel = (a: number, b: number) => (a === b ? 0 : Math.abs(a - b) / Math.abs(b));

describe('erf, erfc, erfcx', () => {
  it('match 40-digit mpmath values (erf to 4e-16 relative, erfc to 2e-15)', () => {
    for (const [x, e, c] of ERF_TABLE) {
      expect(rel(erf(x), e), `erf(${x})`).toBeLessThanOrEqual(4e-16);
      expect(rel(erfc(x), c), `erfc(${x})`).toBeLessThanOrEqual(2e-15);
      if (x >= 0 && x < 26) expect(rel(erfcx(x), c * Math.exp(x * x)), `erfcx(${x})`).toBeLessThanOrEqual(2e-14 * (1 + x * x));
    }
  });

  it('is odd, saturates, and its derivative is 2/√π e^{−x²} (central differences)', () => {
    for (const x of [0.3, 0.99, 1.01, 2.49, 2.51, 5.99, 6.01]) expect(erf(-x)).toBe(-erf(x));
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(Number.isNaN(erf(NaN))).toBe(true);
    expect(erfc(-Infinity)).toBe(2);
    expect(erfc(30)).toBe(0);
    // Continuity across the interval boundaries 1, 2.5, 6: slope matches the derivative.
    for (const x of [1, 2.5, 6, 0.5, 3.3]) {
      const h = 1e-5;
      const fd = (erf(x + h) - erf(x - h)) / (2 * h);
      const exact = (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x);
      // central difference: truncation h² f'''/6 ≲ 1e-10, rounding ε/h ≈ 1e-11
      expect(Math.abs(fd - exact)).toBeLessThan(2e-10);
    }
  });
});

// ---------- helpers ----------

const ctx = { seed: 2024, run: 0 };

// ---------- modular addition ----------

describe('modular-addition-square', () => {
  const small = { P: 5, N: 4, train_fraction: 0.6, sigma2: 0.3 };

  it('is registered with its schema defaults and groups w (N×2P) then a (N×P)', () => {
    const fam = getPotentialFamily('modular-addition-square')!;
    expect(fam).toBeDefined();
    const p = fam.create({ ...small }, ctx);
    expect(p.dim).toBe(4 * 10 + 4 * 5);
    expect(p.groups).toEqual([
      { name: 'w', offset: 0, size: 40 },
      { name: 'a', offset: 40, size: 20 },
    ]);
    expect(p.dataSize).toBe(15);
    expect(() => modularAdditionSquare({ P: 9 }, ctx)).toThrow(/prime/);
  });

  it('gradient matches float64 central differences (with priors; flat priors; one-hot targets)', () => {
    for (const params of [
      small,
      { ...small, prior_w: null, prior_a: 'flat', targets: 'one-hot' },
      { P: 7, N: 6, train_fraction: 1, sigma2: 0.05 },
    ]) {
      const p = modularAdditionSquare(params, ctx);
      const x = randomPoint(p, 3, 11);
      // h = 1e-5: truncation h²|U'''|/6 and rounding ε|U|/h are both ≲ 1e-9 here
      expect(finiteDifferenceError(p, x, 3, 1e-5)).toBeLessThan(1e-7);
    }
  });

  // tfjs computes in float32 (unit roundoff 6e-8): on these small sizes the measured normwise
  // relative differences are 1.3e-7 (energy) and 1.2e-7 (gradient), so 1e-6 has an 8× margin.
  it('energy and gradient match tfjs tf.grad (float32; normwise relative ≤ 1e-6)', async () => {
    const { tf } = await loadTensorflow();
    const params = { P: 5, N: 3, train_fraction: 0.6, sigma2: 0.5 };
    const p = modularAdditionSquare(params, ctx);
    const { train } = modularAdditionData(params, ctx);
    const P = 5,
      N = 3,
      D2 = 10,
      Wsz = N * D2;
    const count = 4;
    // Points exactly representable in float32, so both sides start from the same numbers.
    const x = Float64Array.from(randomPoint(p, count, 5), Math.fround);
    const { E, G } = evalAt(p, x, count);
    const Xd = new Float32Array(train.length * D2);
    const Td = new Float32Array(train.length * P);
    train.forEach((pair, i) => {
      const n = Math.floor(pair / P),
        m = pair % P;
      Xd[i * D2 + n] = 1;
      Xd[i * D2 + P + m] = 1;
      for (let k = 0; k < P; k++) Td[i * P + k] = (k === (n + m) % P ? 1 : 0) - 1 / P;
    });
    const Xt = tf.tensor2d(Xd, [train.length, D2]);
    const Tt = tf.tensor2d(Td, [train.length, P]);
    const ls = 1 / (2 * 0.5),
      ipw = 1 / 0.5,
      ipa = N;
    const U = (theta: import('@tensorflow/tfjs').Tensor) => {
      const W = theta.slice(0, Wsz).reshape([N, D2]);
      const A = theta.slice(Wsz, N * P).reshape([N, P]);
      const Z = tf.matMul(Xt, W, false, true);
      const Y = tf.matMul(tf.square(Z), A);
      return tf.add(
        tf.mul(ls, tf.sum(tf.square(tf.sub(Y, Tt)))),
        tf.add(tf.mul(0.5 * ipw, tf.sum(tf.square(W))), tf.mul(0.5 * ipa, tf.sum(tf.square(A)))),
      ) as import('@tensorflow/tfjs').Scalar;
    };
    let worstE = 0,
      worstG = 0;
    const tfd = tfGradDiscrepancy(tf, U, p, x, count, E, G);
    worstE = Math.max(worstE, tfd.energy);
    worstG = Math.max(worstG, tfd.gradient);
    expect(worstE).toBeLessThan(1e-6);
    expect(worstG).toBeLessThan(1e-6);
  });
});

/**
 * Gromov's exact solution for square activations: for each frequency k and phases
 * φ1, φ2 ∈ {0, 2π/3, 4π/3}, a neuron with w_n = cos(2πkn/P + φ1), w_{P+m} = cos(2πkm/P + φ2),
 * a_q = 4/(9P) cos(2πkq/P + φ1 + φ2). Averaging over the phase grid keeps only
 * ½cos(2πk(n+m−q)/P) per neuron, and Σ_{k=1}^{(P−1)/2} cos(2πkd/P) = (Pδ_{d,0} − 1)/2,
 * so f_q(n, m) = δ_{q,(n+m) mod P} − 1/P exactly: the centred target.
 */
function gromovSolution(P: number): { N: number; x: Float64Array; freq: number[] } {
  const K = (P - 1) / 2;
  const N = 9 * K;
  const x = new Float64Array(N * 3 * P);
  const freq: number[] = [];
  let c = 0;
  for (let k = 1; k <= K; k++)
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 3; j++, c++) {
        const f1 = (2 * Math.PI * i) / 3,
          f2 = (2 * Math.PI * j) / 3;
        for (let n = 0; n < P; n++) {
          x[c * 2 * P + n] = Math.cos((2 * Math.PI * k * n) / P + f1);
          x[c * 2 * P + P + n] = Math.cos((2 * Math.PI * k * n) / P + f2);
          x[N * 2 * P + c * P + n] = (4 / (9 * P)) * Math.cos((2 * Math.PI * k * n) / P + f1 + f2);
        }
        freq.push(k);
      }
  return { N, x, freq };
}

describe('modular-addition-square: data, minibatches, observables', () => {
  it('the split depends on the seed only (not the run index), is nested in train_fraction, and has round(P²·f) training pairs', () => {
    const a = modularAdditionData({ P: 11, train_fraction: 0.8 }, { seed: 7, run: 0 });
    const b = modularAdditionData({ P: 11, train_fraction: 0.8 }, { seed: 7, run: 5 });
    const c = modularAdditionData({ P: 11, train_fraction: 0.8 }, { seed: 8, run: 0 });
    expect(a.train.length).toBe(97);
    expect(a.test.length).toBe(24);
    expect(Array.from(b.train)).toEqual(Array.from(a.train));
    expect(Array.from(c.train)).not.toEqual(Array.from(a.train));
    // A partition of the 121 pairs.
    expect(new Set([...a.train, ...a.test]).size).toBe(121);
    // Nested: a larger fraction extends the same training set.
    const half = modularAdditionData({ P: 11, train_fraction: 0.5 }, { seed: 7, run: 0 });
    expect(half.train.every((pair) => a.train.includes(pair))).toBe(true);
    const full = modularAdditionSquare({ P: 5, N: 2, train_fraction: 1 }, ctx);
    expect(full.dataSize).toBe(25);
    // Trained on the whole table, the posterior predictive covers the table itself.
    expect(full.predictive!.set).toBe('training');
    expect(full.predictive!.points).toBe(25);
    expect(full.observables!.map((o) => o.name)).not.toContain('test_error');
    const split = modularAdditionSquare({ P: 5, N: 2 }, ctx);
    expect(split.observables!.map((o) => o.name)).toEqual(
      expect.arrayContaining([
        'fourier_concentration',
        'fourier_frequency',
        'droplet_fraction',
        'train_error',
        'test_error',
        'test_accuracy',
        'w_norm',
        'a_norm',
      ]),
    );
  });

  it('minibatch estimate is unbiased: the mean over all single-pair batches equals the full energy and gradient', () => {
    const p = modularAdditionSquare({ P: 5, N: 3, train_fraction: 0.6 }, ctx);
    const n = p.dataSize!;
    const x = randomPoint(p, 2, 3);
    const full = evalAt(p, x, 2);
    const sumE = new Float64Array(2);
    const sumG = new Float64Array(2 * p.dim);
    for (let mu = 0; mu < n; mu++) {
      const { E, G } = evalAt(p, x, 2, { size: 1, indices: Int32Array.of(mu, mu) });
      for (let r = 0; r < 2; r++) sumE[r] += E[r] / n;
      for (let j = 0; j < G.length; j++) sumG[j] += G[j] / n;
    }
    for (let r = 0; r < 2; r++) expect(rel(sumE[r], full.E[r])).toBeLessThan(1e-12);
    for (let j = 0; j < sumG.length; j++) expect(Math.abs(sumG[j] - full.G[j])).toBeLessThan(1e-12 * (1 + Math.abs(full.G[j])));
    // A batch of all pairs (any order; 4-pair blocks with a ragged end) is the full batch.
    const idx = Int32Array.from({ length: 2 * n }, (_, i) => n - 1 - (i % n));
    const all = evalAt(p, x, 2, { size: n, indices: idx });
    for (let r = 0; r < 2; r++) expect(rel(all.E[r], full.E[r])).toBeLessThan(1e-13);
  });

  it("Gromov's exact solution: zero error, accuracy 1, concentration 1 at the right frequency, droplet fraction 1, stationary", () => {
    for (const P of [5, 7]) {
      const { N, x, freq } = gromovSolution(P);
      const p = modularAdditionSquare({ P, N, train_fraction: 0.7, prior_w: 'flat', prior_a: 'flat' }, ctx);
      const { E, G } = evalAt(p, x, 1);
      expect(E[0]).toBeLessThan(1e-25);
      // rounding only: residuals ~1e-16, times 2/(2σ²) = 10, summed over ≤ 49 pairs of O(1) terms
      expect(Math.max(...G.map(Math.abs))).toBeLessThan(1e-11);
      expect(observe(p, 'train_error', x, 1)[0]).toBeLessThan(1e-28);
      expect(observe(p, 'test_error', x, 1)[0]).toBeLessThan(1e-28);
      expect(observe(p, 'test_accuracy', x, 1)[0]).toBe(1);
      expect(observe(p, 'train_accuracy', x, 1)[0]).toBe(1);
      const conc = observe(p, 'fourier_concentration', x, 1);
      for (let c = 0; c < N; c++) expect(conc[c]).toBeCloseTo(1, 12);
      expect(Array.from(observe(p, 'fourier_frequency', x, 1))).toEqual(freq);
      expect(observe(p, 'droplet_fraction', x, 1)[0]).toBe(1);
      const pred = new Float64Array(p.predictive!.size);
      p.predictive!.predict(x, 1, pred);
      const m = p.predictive!.metrics(pred, 0);
      expect(m.error).toBeLessThan(1e-28);
      expect(m.accuracy).toBe(1);
      // Predicting zero has error 1 by construction of the normalisation.
      expect(p.predictive!.metrics(new Float64Array(p.predictive!.size), 0).error).toBeCloseTo(1, 14);
    }
  });

  it('w_norm, a_norm, and a neuron mixing two frequencies', () => {
    const P = 7;
    const p = modularAdditionSquare({ P, N: 2 }, ctx);
    const x = new Float64Array(p.dim);
    // Neuron 0: 3·cos(2π·2n/P) in the first half, 4·sin(2π·3m/P) in the second:
    // S_2 = 2·(3·P/2)², S_3 = 2·(4·P/2)²  →  concentration 16/25 at k = 3.
    for (let n = 0; n < P; n++) {
      x[n] = 3 * Math.cos((2 * Math.PI * 2 * n) / P);
      x[P + n] = 4 * Math.sin((2 * Math.PI * 3 * n) / P);
    }
    x[2 * P + 1] = 1; // neuron 1: a single spike: flat spectrum over k = 0 … P−1
    x[4 * P + 3] = 2; // an output weight
    const conc = observe(p, 'fourier_concentration', x, 1);
    expect(conc[0]).toBeCloseTo(16 / 25, 13);
    expect(conc[1]).toBeCloseTo(2 / P, 13);
    expect(Array.from(observe(p, 'fourier_frequency', x, 1))[0]).toBe(3);
    let w2 = 0;
    for (let j = 0; j < 4 * P; j++) w2 += x[j] * x[j];
    expect(observe(p, 'w_norm', x, 1)[0]).toBeCloseTo(Math.sqrt(w2), 12);
    expect(observe(p, 'a_norm', x, 1)[0]).toBe(2);
  });

  it('target overlap: P²/4 for a pure-frequency neuron, 0 when one half is silent, equal to the direct table sum for random neurons', () => {
    const P = 7;
    const p = modularAdditionSquare({ P, N: 3, train_fraction: 1 }, ctx);
    const x = new Float64Array(p.dim);
    for (let n = 0; n < P; n++) {
      x[n] = Math.cos((2 * Math.PI * 2 * n) / P); // neuron 0: cos(2π·2n/P) in both halves
      x[P + n] = Math.cos((2 * Math.PI * 2 * n) / P + 0.7);
      x[2 * P + n] = Math.sin((2 * Math.PI * 3 * n) / P); // neuron 1: only the first half
    }
    const st = new Stream(5, 0, 0);
    for (let j = 4 * P; j < 6 * P; j++) x[j] = st.normal(); // neuron 2: random
    const ov = observe(p, 'target_overlap', x, 1);
    // r_2² = 2|ũ_2|²/P = 2 (P/2)²/P = P/2 for each half, whatever the phase.
    expect(ov[0]).toBeCloseTo((P * P) / 4, 12);
    expect(ov[1]).toBe(0);
    // (1/2P) Σ_classes (Σ_pairs y φ)², y = δ − 1/P, φ = (u_n + v_m)², summed directly over the table.
    let direct = 0;
    for (let k = 0; k < P; k++) {
      let g = 0;
      for (let n = 0; n < P; n++)
        for (let m = 0; m < P; m++) {
          const z = x[4 * P + n] + x[5 * P + m];
          g += (((n + m) % P === k ? 1 : 0) - 1 / P) * z * z;
        }
      direct += g * g;
    }
    expect(ov[2]).toBeCloseTo(direct / (2 * P), 10);
  });

  it('concentration of (u, v, a): 1 for one frequency in all three, lower when the output weights are spread', () => {
    const P = 7;
    const p = modularAdditionSquare({ P, N: 2, train_fraction: 1 }, ctx);
    const x = new Float64Array(p.dim);
    const Wsz = 2 * 2 * P;
    for (let n = 0; n < P; n++) {
      const c = (j: number) => Math.cos((2 * Math.PI * 3 * n) / P + j);
      x[n] = c(0);
      x[P + n] = c(1);
      x[Wsz + n] = 2 * c(2); // neuron 0's output weights at the same frequency
      x[2 * P + n] = c(0);
      x[3 * P + n] = c(1);
    }
    x[Wsz + P] = 3; // neuron 1's output weights: one spike (flat spectrum)
    const uva = observe(p, 'fourier_concentration_uva', x, 1);
    expect(uva[0]).toBeCloseTo(1, 12);
    // Neuron 1: S_3 = 2·2·(P/2)² from u and v, total = that + the spike's 9·(1 + 2·3) = 63 spread over k = 0 … 3.
    const s3 = 2 * 2 * (P / 2) ** 2 + 2 * 9;
    expect(uva[1]).toBeCloseTo(s3 / (2 * 2 * (P / 2) ** 2 + 9 * P), 12);
    // The input-only concentration of neuron 1 is 1.
    expect(observe(p, 'fourier_concentration', x, 1)[1]).toBeCloseTo(1, 12);
  });

  it("init_state 'fourier': every neuron concentrated on one frequency, readout weights stationary (∂U/∂a = 0)", () => {
    const P = 11;
    const N = 32;
    const p = modularAdditionSquare({ P, N, train_fraction: 1, sigma2: 0.05, prior_a: 1 / 1024, init_state: 'fourier' }, ctx);
    const x = randomPoint(p, 2, 4);
    expect(Array.from(observe(p, 'fourier_concentration', x, 2)).every((v) => Math.abs(v - 1) < 1e-12)).toBe(true);
    expect(Array.from(observe(p, 'fourier_frequency', x, 1))).toEqual(Array.from({ length: N }, (_, c) => 1 + (c % 5)));
    // The readout weights are the posterior mean given w: the a-block of the gradient vanishes
    // (to the rounding of a 32 × 32 Cholesky solve of entries ~1e3 — 1e-9 of the gradient's scale at a = 0).
    const { G } = evalAt(p, x, 2);
    const zeroA = x.slice();
    for (let r = 0; r < 2; r++) zeroA.fill(0, r * p.dim + 2 * P * N, (r + 1) * p.dim);
    const G0 = evalAt(p, zeroA, 2).G;
    let scale = 0;
    let worst = 0;
    for (let r = 0; r < 2; r++)
      for (let j = 2 * P * N; j < p.dim; j++) {
        scale = Math.max(scale, Math.abs(G0[r * p.dim + j]));
        worst = Math.max(worst, Math.abs(G[r * p.dim + j]));
      }
    expect(scale).toBeGreaterThan(1);
    expect(worst).toBeLessThan(1e-9 * scale);
    // It fits the table far better than predicting zero (error 1; ≈ 0.2 measured with random phases at N = 32).
    expect(observe(p, 'train_error', x, 1)[0]).toBeLessThan(0.5);
    expect(() => modularAdditionSquare({ P, N, init_state: 'ordered' }, ctx)).toThrow(
      /init_state = "ordered", expected 'prior' or 'fourier'/,
    );
  });

  it('init_scale multiplies the prior draws of both groups and leaves the energy (the prior) unchanged', () => {
    const base = { P: 11, N: 8, sigma2: 0.05, prior_a: 0.1 };
    const p1 = modularAdditionSquare(base, ctx);
    const p3 = modularAdditionSquare({ ...base, init_scale: 3 }, ctx);
    const x1 = randomPoint(p1, 2, 9);
    const x3 = randomPoint(p3, 2, 9);
    for (let j = 0; j < x1.length; j++) expect(x3[j]).toBeCloseTo(3 * x1[j], 12);
    // The draws' spread is the prior's times the scale: w ~ N(0, 0.5·9), a ~ N(0, 0.1·9) (k = 4 SE of a variance from n draws).
    const wSize = 2 * 11 * 8;
    const variance = (from: number, to: number) => {
      let s = 0;
      for (let r = 0; r < 2; r++) for (let j = from; j < to; j++) s += x3[r * p3.dim + j] ** 2;
      return s / (2 * (to - from));
    };
    const vw = variance(0, wSize);
    expect(Math.abs(vw - 4.5)).toBeLessThan(4 * 4.5 * Math.sqrt(2 / (2 * wSize)));
    const va = variance(wSize, p3.dim);
    expect(Math.abs(va - 0.9)).toBeLessThan(4 * 0.9 * Math.sqrt(2 / (2 * (p3.dim - wSize))));
    // Same potential: the energy at one point does not depend on init_scale.
    expect(evalAt(p3, x1, 2).E).toEqual(evalAt(p1, x1, 2).E);
    expect(() => modularAdditionSquare({ ...base, init_scale: 0 }, ctx)).toThrow(/init_scale = 0, expected a finite number > 0/);
    expect(() => modularAdditionSquare({ ...base, init_scale: 2, init_state: 'fourier' }, ctx)).toThrow(
      /init_scale = 2 with init_state 'fourier', expected 1/,
    );
  });

  it('droplet threshold: the exact prior survival function (closed forms for P = 3, 5) and a Monte Carlo check through the observable', () => {
    // P = 3: C = D_1 ~ Beta(2, 1), P(C > t) = 1 − t².
    for (const t of [0.1, 0.4, 0.8]) expect(priorConcentrationSf(3, t)).toBeCloseTo(1 - t * t, 14);
    // t ≥ 1/2: only single events, P(C > t) = K (1 − t)^{2K−1} (1 + (2K−1) t).
    for (const t of [0.5, 0.7]) expect(priorConcentrationSf(5, t)).toBeCloseTo(2 * (1 - t) ** 3 * (1 + 3 * t), 14);
    const q = priorConcentrationQuantile(11);
    expect(priorConcentrationSf(11, q)).toBeCloseTo(0.01, 10);
    // Prior draws through the potential's own observables: the fraction of neurons above the
    // threshold is 0.01 within 4 binomial standard errors (40,000 neurons: σ = 5e-4).
    const P = 11,
      N = 100,
      R = 400;
    const p = modularAdditionSquare({ P, N }, ctx);
    const x = randomPoint(p, R, 77);
    const drop = observe(p, 'droplet_fraction', x, R);
    const frac = drop.reduce((s, v) => s + v, 0) / R;
    const se = Math.sqrt((0.01 * 0.99) / (N * R));
    expect(Math.abs(frac - 0.01)).toBeLessThan(4 * se);
    expect(p.info!.droplet_threshold).toBe(q);
    // Scale-free: the prior variance does not change the threshold or the concentrations.
    const spec = new FourierSpectrum(P);
    const w = x.subarray(0, 2 * P);
    const c1 = spec.analyse(w, 0);
    expect(
      spec.analyse(
        w.map((v) => 7 * v),
        0,
      ),
    ).toBeCloseTo(c1, 14);
  });
});

// ---------- teacher–student ----------

describe('teacher-student-erf', () => {
  const small = { d: 5, N: 4, n: 12, n_test: 50, epsilon: 0.3, sigma2: 0.2 };

  it('is registered; groups w (N×d) then a (N); data independent of the run index, w* a unit vector', () => {
    const p = getPotentialFamily('teacher-student-erf')!.create({ ...small }, ctx);
    expect(p.dim).toBe(24);
    expect(p.groups).toEqual([
      { name: 'w', offset: 0, size: 20 },
      { name: 'a', offset: 20, size: 4 },
    ]);
    expect(p.dataSize).toBe(12);
    const a = teacherStudentData(small, { seed: 3, run: 0 });
    const b = teacherStudentData(small, { seed: 3, run: 9 });
    const c = teacherStudentData(small, { seed: 4, run: 0 });
    expect(Array.from(b.X)).toEqual(Array.from(a.X));
    expect(Array.from(b.Xtest)).toEqual(Array.from(a.Xtest));
    expect(Array.from(c.X)).not.toEqual(Array.from(a.X));
    expect(a.wStar.reduce((s, v) => s + v * v, 0)).toBeCloseTo(1, 14);
    // A larger n extends the same training set; the test set does not change.
    const more = teacherStudentData({ ...small, n: 20 }, { seed: 3, run: 0 });
    expect(Array.from(more.X.subarray(0, a.X.length))).toEqual(Array.from(a.X));
    expect(Array.from(more.Xtest)).toEqual(Array.from(a.Xtest));
    // Labels: He₁ + ε He₃ of z = w*·x.
    const z = a.ztest[0];
    expect(a.ytest[0]).toBeCloseTo(z + 0.3 * (z ** 3 - 3 * z), 14);
  });

  it('gradient matches float64 central differences (default priors and flat priors; |w·x| spans all erf intervals)', () => {
    for (const params of [small, { ...small, prior_w: 'flat', prior_a: 2 }]) {
      const p = teacherStudentErf(params, ctx);
      // scale 3: w·x ~ N(0, 9), so the kernel's erf branches |u| < 1, 1 … 6, ≥ 6 are all exercised
      const x = randomPoint(p, 3, 21, 3);
      expect(finiteDifferenceError(p, x, 3, 1e-6)).toBeLessThan(1e-7);
    }
  });

  // Measured: 7.8e-8 (energy), 1.4e-7 (gradient), though tfjs's float32 erf is itself an approximation.
  it('energy and gradient match tfjs tf.grad (float32; normwise relative ≤ 1e-6)', async () => {
    const { tf } = await loadTensorflow();
    const p = teacherStudentErf(small, ctx);
    const { X, y } = teacherStudentData(small, ctx);
    const { d, N, n } = small;
    const count = 4;
    const x = Float64Array.from(randomPoint(p, count, 8), Math.fround);
    const { E, G } = evalAt(p, x, count);
    const Xt = tf.tensor2d(Float32Array.from(X), [n, d]);
    const yt = tf.tensor1d(Float32Array.from(y));
    const ls = 1 / (2 * small.sigma2),
      ipw = d,
      ipa = N;
    const U = (theta: import('@tensorflow/tfjs').Tensor) => {
      const W = theta.slice(0, N * d).reshape([N, d]);
      const a = theta.slice(N * d, N).reshape([N, 1]);
      const f = tf.matMul(tf.erf(tf.matMul(Xt, W, false, true)), a).reshape([n]);
      return tf.add(
        tf.mul(ls, tf.sum(tf.square(tf.sub(f, yt)))),
        tf.add(tf.mul(0.5 * ipw, tf.sum(tf.square(W))), tf.mul(0.5 * ipa, tf.sum(tf.square(a)))),
      ) as import('@tensorflow/tfjs').Scalar;
    };
    let worstE = 0,
      worstG = 0;
    const tfd = tfGradDiscrepancy(tf, U, p, x, count, E, G);
    worstE = Math.max(worstE, tfd.energy);
    worstG = Math.max(worstG, tfd.gradient);
    expect(worstE).toBeLessThan(1e-6);
    expect(worstG).toBeLessThan(1e-6);
  });

  it('minibatch estimate is unbiased: the mean over all single-sample batches equals the full energy and gradient', () => {
    const p = teacherStudentErf(small, ctx);
    const n = small.n;
    const x = randomPoint(p, 2, 4);
    const full = evalAt(p, x, 2);
    const sumE = new Float64Array(2);
    const sumG = new Float64Array(2 * p.dim);
    for (let mu = 0; mu < n; mu++) {
      const { E, G } = evalAt(p, x, 2, { size: 1, indices: Int32Array.of(mu, mu) });
      for (let r = 0; r < 2; r++) sumE[r] += E[r] / n;
      for (let j = 0; j < G.length; j++) sumG[j] += G[j] / n;
    }
    for (let r = 0; r < 2; r++) expect(rel(sumE[r], full.E[r])).toBeLessThan(1e-12);
    for (let j = 0; j < sumG.length; j++) expect(Math.abs(sumG[j] - full.G[j])).toBeLessThan(1e-12 * (1 + Math.abs(full.G[j])));
  });

  it('observables: overlap of w* is 1; a small-weight network along w* is linear (linear overlap → 1); predictive metrics', () => {
    const params = { ...small, n_test: 4000 };
    const p = teacherStudentErf(params, ctx);
    const { wStar, ytest, ztest } = teacherStudentData(params, ctx);
    const { d, N } = small;
    const x = new Float64Array(p.dim);
    // Neuron i: w_i = δ w* with δ = 1e-3, a_i = √π/(2δN): f = Σ a_i erf(δ z) = z − (δz)²·z/3 + …
    const delta = 1e-3;
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < d; j++) x[i * d + j] = (i === 0 ? 1 : delta) * wStar[j];
      x[N * d + i] = Math.sqrt(Math.PI) / (2 * delta * N);
    }
    const ov = observe(p, 'overlap', x, 1);
    expect(ov[0]).toBeCloseTo(1, 14);
    expect(ov[1]).toBeCloseTo(delta, 14);
    // Now all neurons at δ w*.
    for (let j = 0; j < d; j++) x[j] = delta * wStar[j];
    const lin = observe(p, 'linear_overlap', x, 1)[0];
    const cub = observe(p, 'cubic_overlap', x, 1)[0];
    // f = z (1 − δ² z²/3 + …): the linear overlap is 1 up to O(δ²) = 1e-6; the cubic overlap is the
    // test-set estimate of ⟨He₁ He₃⟩/⟨He₃²⟩: mean 0, sd √(E[He₁²He₃²])/E[He₃²]/√n = √42/6/√n ≈ 1.08/√n,
    // so the bound 4/√n_test is 3.7 sd.
    expect(Math.abs(lin - 1)).toBeLessThan(1e-5);
    expect(Math.abs(cub)).toBeLessThan(4 / Math.sqrt(params.n_test));
    // Predictive: outputs on the test set; the metrics of the true labels and of zero.
    const pred = new Float64Array(p.predictive!.size);
    p.predictive!.predict(x, 1, pred);
    const m = p.predictive!.metrics(pred, 0);
    expect(m.linear_overlap).toBeCloseTo(lin, 14);
    expect(m.error).toBeCloseTo(observe(p, 'test_error', x, 1)[0], 14);
    const truth = p.predictive!.metrics(ytest, 0);
    expect(truth.error).toBe(0);
    // y = He₁ + ε He₃: the cubic overlap of the labels is ε + (sampling noise of ⟨He₁He₃⟩/⟨He₃²⟩).
    expect(Math.abs(truth.cubic_overlap - 0.3)).toBeLessThan(4 / Math.sqrt(params.n_test));
    expect(p.predictive!.metrics(new Float64Array(ztest.length), 0).error).toBe(1);
    // train_error of the zero network is 1.
    expect(observe(p, 'train_error', new Float64Array(p.dim), 1)[0]).toBe(1);
  });
});
