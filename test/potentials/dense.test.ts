/**
 * The shared dense-layer kernels (src/potentials/neural/dense.ts) and the
 * seeded pair split (neural/split.ts): products against plain loops with the
 * same summation order (bit-equal), layer gradients against central
 * differences, activations against tabulated values and their own
 * derivatives.
 */
import { describe, expect, it } from 'vitest';
import { Stream } from '../../src/random/rng.js';
import {
  Activation,
  activationBackward,
  addRowGradient4,
  bceWithLogits,
  denseBackward4,
  denseForward4,
  dot4,
  erfActivation,
  fastTanh,
  gemmNT,
  sigmoid,
  transpose,
} from '../../src/potentials/neural/dense.js';
import { shuffledSplit } from '../../src/potentials/neural/split.js';

function normals(n: number, seed: number): Float64Array {
  const st = new Stream(`dense-test/${seed}`, 0, 0);
  return Float64Array.from({ length: n }, () => st.normal());
}

describe('dense products', () => {
  it('gemmNT equals C = A Bᵀ summed in order, for odd and blocked shapes, with offsets, overwrite and accumulate', () => {
    for (const [m, n, k] of [
      [1, 1, 1],
      [2, 4, 3],
      [3, 5, 7],
      [5, 9, 2],
      [8, 8, 16],
    ]) {
      const ao = 3,
        bo = 5,
        co = 2;
      const A = normals(ao + m * k, m * 100 + k);
      const B = normals(bo + n * k, n * 100 + k + 1);
      const C0 = normals(co + m * n, 7);
      const want = C0.slice();
      const wantAcc = C0.slice();
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let t = 0; t < k; t++) s += A[ao + i * k + t] * B[bo + j * k + t];
          want[co + i * n + j] = s;
          wantAcc[co + i * n + j] += s;
        }
      const C = C0.slice();
      gemmNT(A, ao, m, B, bo, n, k, C, co, false);
      expect(C).toEqual(want);
      const Cacc = C0.slice();
      gemmNT(A, ao, m, B, bo, n, k, Cacc, co, true);
      expect(Cacc).toEqual(wantAcc);
    }
  });

  it('transpose, dot4 and addRowGradient4 equal their plain loops', () => {
    const rows = 3,
      cols = 5;
    const src = normals(2 + rows * cols, 1);
    const t = new Float64Array(rows * cols);
    transpose(src, 2, rows, cols, t);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) expect(t[j * rows + i]).toBe(src[2 + i * cols + j]);

    const len = 7;
    const w = normals(4 + len, 2);
    const inputs = normals(4 * len + 3, 3);
    const offs = [3, 3 + len, 3 + 2 * len, 3 + 3 * len];
    const out = new Float64Array(4);
    dot4(w, 4, inputs, offs[0], offs[1], offs[2], offs[3], len, 0.25, out);
    for (let q = 0; q < 4; q++) {
      let s = 0.25;
      for (let j = 0; j < len; j++) s += w[4 + j] * inputs[offs[q] + j];
      expect(out[q]).toBe(s);
    }
    const grad = normals(len + 1, 4);
    const want = grad.slice();
    const c = [0.5, -1.5, 2, 0.125];
    for (let j = 0; j < len; j++)
      want[1 + j] += c[0] * inputs[offs[0] + j] + c[1] * inputs[offs[1] + j] + c[2] * inputs[offs[2] + j] + c[3] * inputs[offs[3] + j];
    addRowGradient4(grad, 1, c[0], c[1], c[2], c[3], inputs, offs[0], offs[1], offs[2], offs[3], len);
    expect(grad).toEqual(want);
  });
});

describe('one dense layer over a block of 4', () => {
  // L(x, input) = Σ_{q,j} c_{q,j} act(W input_q + b)_j: the analytic gradients of
  // denseBackward4 (+ activationBackward for the layer below) against central differences.
  const fanIn = 5,
    fanOut = 6;
  const wo = 2,
    bo = wo + fanIn * fanOut,
    size = bo + fanOut;

  for (const [label, activation] of [
    ['identity', Activation.identity],
    ['tanh', Activation.tanh],
    ['relu', Activation.relu],
  ] as const) {
    it(`${label}: ∂L/∂W, ∂L/∂b and ∂L/∂input match central differences (h = 1e-6, |error| ≤ 1e-7 (1 + |g|))`, () => {
      const x = normals(size, 11);
      const input = normals(4 * fanIn, 12);
      const c = normals(4 * fanOut, 13);
      const z = new Float64Array(4);
      const output = new Float64Array(4 * fanOut);
      const loss = (xx: Float64Array, inp: Float64Array) => {
        denseForward4(xx, wo, bo, fanIn, fanOut, inp, output, activation, z);
        let s = 0;
        for (let i = 0; i < output.length; i++) s += c[i] * output[i];
        return s;
      };
      // Backward: δ_out = c ⊙ act′ (from the outputs), then the layer.
      loss(x, input);
      const deltaOut = c.slice();
      activationBackward(deltaOut, output, deltaOut.length, activation);
      const grad = new Float64Array(size);
      const deltaIn = new Float64Array(4 * fanIn);
      denseBackward4(x, wo, bo, fanIn, fanOut, input, deltaOut, deltaIn, grad);

      const h = 1e-6;
      const check = (analytic: number, plus: number, minus: number) => {
        const numeric = (plus - minus) / (2 * h);
        expect(Math.abs(analytic - numeric)).toBeLessThanOrEqual(1e-7 * (1 + Math.abs(analytic)));
      };
      for (let j = wo; j < size; j++) {
        const xp = x.slice(),
          xm = x.slice();
        xp[j] += h;
        xm[j] -= h;
        check(grad[j], loss(xp, input), loss(xm, input));
      }
      for (let i = 0; i < input.length; i++) {
        const ip = input.slice(),
          im = input.slice();
        ip[i] += h;
        im[i] -= h;
        check(deltaIn[i], loss(x, ip), loss(x, im));
      }
      expect(grad.subarray(0, wo)).toEqual(new Float64Array(wo)); // nothing outside the layer
    });
  }

  it('rows whose four deltas are zero leave grad untouched and contribute nothing to the input deltas', () => {
    const x = normals(size, 21);
    const input = normals(4 * fanIn, 22);
    const deltaOut = new Float64Array(4 * fanOut);
    deltaOut[2] = 1; // only output 2 of sample 0
    const grad = new Float64Array(size);
    const deltaIn = normals(4 * fanIn, 23); // overwritten
    denseBackward4(x, wo, bo, fanIn, fanOut, input, deltaOut, deltaIn, grad);
    for (let j = 0; j < fanOut; j++) expect(grad[bo + j]).toBe(j === 2 ? 1 : 0);
    for (let i = 0; i < fanIn; i++) {
      expect(deltaIn[i]).toBe(x[wo + 2 * fanIn + i]);
      for (let q = 1; q < 4; q++) expect(deltaIn[q * fanIn + i]).toBe(0);
    }
  });
});

describe('activations', () => {
  it('erfActivation: tabulated erf values on both branches (|u| < 1 and ≥ 1) and the exact derivative (2/√π) e^{−u²}', () => {
    // erf to 16 digits (Abramowitz & Stegun Table 7.1; mpmath).
    const table: [number, number][] = [
      [0, 0],
      [0.5, 0.5204998778130465],
      [-0.9, -0.7969082124228322],
      [1, 0.8427007929497149],
      [1.5, 0.9661051464753108],
      [-2, -0.9953222650189527],
      [3, 0.9999779095030014],
    ];
    const act = new Float64Array(1),
      der = new Float64Array(1);
    for (const [u, value] of table) {
      erfActivation(u, act, der, 0);
      expect(Math.abs(act[0] - value)).toBeLessThanOrEqual(4e-16);
      expect(der[0]).toBe((2 / Math.sqrt(Math.PI)) * Math.exp(-u * u));
    }
    // The derivative is that of the value: central differences across the branch switch at |u| = 1.
    const h = 1e-5;
    for (const u of [-2.5, -1, -0.3, 0.7, 1, 1.2]) {
      erfActivation(u + h, act, der, 0);
      const plus = act[0];
      erfActivation(u - h, act, der, 0);
      const minus = act[0];
      erfActivation(u, act, der, 0);
      expect(Math.abs((plus - minus) / (2 * h) - der[0])).toBeLessThan(1e-9);
    }
  });

  it('fastTanh is within 3.4e-16 of Math.tanh on ±20 and exactly ±1 far out; sigmoid and BCE stay finite and consistent', () => {
    let worst = 0;
    for (let i = -20000; i <= 20000; i++) {
      const v = i / 1000;
      worst = Math.max(worst, Math.abs(fastTanh(v) - Math.tanh(v)));
    }
    expect(worst).toBeLessThanOrEqual(3.4e-16);
    expect(fastTanh(25)).toBe(1);
    expect(fastTanh(-25)).toBe(-1);

    for (const z of [-800, -30, -2, -0.1, 0, 0.3, 4, 800]) {
      const s = sigmoid(z);
      expect(Number.isFinite(s) && s >= 0 && s <= 1).toBe(true);
      expect(Math.abs(s + sigmoid(-z) - 1)).toBeLessThanOrEqual(2.3e-16);
      for (const y of [0, 1]) {
        const bce = bceWithLogits(z, y);
        expect(Number.isFinite(bce)).toBe(true);
        if (Math.abs(z) <= 4) {
          const direct = -(y * Math.log(s) + (1 - y) * Math.log(1 - s));
          expect(Math.abs(bce - direct)).toBeLessThanOrEqual(1e-14);
        }
      }
    }
    expect(bceWithLogits(800, 0)).toBe(800);
    expect(bceWithLogits(-800, 0)).toBe(0);
  });
});

describe('shuffledSplit', () => {
  it('partitions the items, sorted; round(f · total) (at least 1) for training; a larger fraction extends the training set', () => {
    const total = 121;
    const key = '5/data:test/11';
    const half = shuffledSplit(total, 0.5, key);
    const more = shuffledSplit(total, 0.8, key);
    expect(half.train.length).toBe(Math.round(0.5 * total));
    expect(shuffledSplit(total, 0.001, key).train.length).toBe(1);
    const all = [...half.train, ...half.test].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: total }, (_, i) => i));
    for (const s of [half.train, half.test, more.train]) for (let i = 1; i < s.length; i++) expect(s[i]).toBeGreaterThan(s[i - 1]);
    const inMore = new Set(more.train);
    for (const v of half.train) expect(inMore.has(v)).toBe(true);
    expect(shuffledSplit(total, 0.5, key)).toEqual(half);
    expect(shuffledSplit(total, 0.5, '6/data:test/11').train).not.toEqual(half.train);
    expect(shuffledSplit(total, 1, key)).toEqual({ train: Int32Array.from(all), test: new Int32Array(0) });
  });
});
