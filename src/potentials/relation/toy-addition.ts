/**
 * Toy model of addition (MODELS.md 3.4; Liu et al., "Towards understanding
 * grokking", Sec. 2 and App. L): symbols 0 … p−1 with learnable embeddings
 * E_i ∈ R^{d_in}; the pair (a, b) is mapped to Dec(E_a + E_b) by an MLP
 * decoder (addition hard-coded in the input, as the paper's toy setup).
 *
 * Data: the unordered pairs (a, b), a ≤ b, of theory/toy-addition.ts (the full
 * dataset has p(p+1)/2 samples, 55 at p = 10); the training set is
 * round(train_fraction · p(p+1)/2) of them (default 0.82 → 45, the paper's
 * 45/10 split), drawn with `randomAdditionTrainingSet` from a stream keyed by
 * the seed and p only (not ctx.run), the rest is the test set.
 *
 * Tasks:
 *   regression      targets Y_c ∈ R^{d_out} (c = a + b ∈ 0 … 2p−2), fixed
 *                   standard normal vectors drawn from the seed (another stream
 *                   keyed by seed, p, d_out); loss = mean squared error over
 *                   samples and components (PyTorch MSELoss):
 *                   U = (1/(M d_out)) Σ_s |Dec(E_a + E_b) − Y_{a+b}|².
 *                   Accuracy: the nearest target (Euclidean) is Y_{a+b}.
 *   classification  2p − 1 logits; U = mean cross-entropy (log-sum-exp form).
 *                   Accuracy: argmax = a + b.
 * U is a mean, so an SGLD temperature refers to this normalisation; a
 * minibatch energy is the mean over the batch (unbiased for the mean).
 *
 * Decoder: `hidden` layers (default [200, 200], the paper's 1-200-200-30 MLP
 * of App. L) with activation `tanh` or `relu` (the paper does not state the
 * toy decoder's activation; tanh is our default), then a linear output layer.
 * Layout: group `embeddings` = E (p rows of d_in), then group `decoder` = for
 * each layer W_l (fan_out × fan_in, row-major like nn.Linear.weight) then b_l.
 * Initialisation: embeddings U[−s/2, s/2] with s = `init_scale` (App. L;
 * default 1), decoder as PyTorch's nn.Linear U(−1/√fan_in, 1/√fan_in).
 *
 * Observables: `rqi` (RQI of Liu et al. Eq. 3 over the full dataset's
 * parallelograms P₀(D₀), δ absolute), `rqi_normalised` (the same for the
 * normalised embeddings (E − μ)/σ, i.e. δ relative to the spread σ), `rqi_train`
 * (over the training set's P₀(D)), `train_loss`, `train_accuracy`, `test_loss`,
 * `test_accuracy`, `embedding_norm` (Z₀). `info`: split sizes, parallelogram
 * counts, and the effective theory's nullity, ideal RQI and λ₃ of the split.
 *
 * Energy and gradient are fused by hand and batched over replicas; samples go
 * through in blocks of 4 (forward, then backward accumulating straight into
 * `grad`), so each weight row is loaded once per block; scratch is allocated
 * once. That kernel is the reference; params `kernels` (auto | js | wasm) and
 * `precision` (float64 | float32) select the WebAssembly SIMD kernel of
 * assembly/toy-addition.ts instead (as the other neural potentials; float32
 * needs wasm).
 */
import { Stream } from '../../random/rng.js';
import type { Minibatch, Potential, PotentialObservable } from '../../engine/types.js';
import {
  additionSamples,
  additionTrainingCount,
  grokkingRate,
  idealRQI,
  permissibleParallelograms,
  randomAdditionTrainingSet,
} from '../../theory/toy-addition.js';
import { checkKernelParams, kernelParamsSchema, kernelsInfo, selectKernels, type KernelChoice, type Precision } from '../../kernels/wasm.js';
import { registerPotential, type BuildContext } from '../registry.js';

export type ToyAdditionTask = 'regression' | 'classification';
export type ToyAdditionActivation = 'tanh' | 'relu';

export interface ToyAdditionParams {
  p: number;
  d_in: number;
  /** Output dimension of the regression targets (classification: ignored, 2p − 1 logits). */
  d_out: number;
  hidden: number[];
  activation: ToyAdditionActivation;
  task: ToyAdditionTask;
  train_fraction: number;
  /** Embeddings start U[−s/2, s/2]. */
  init_scale: number;
  /** RQI tolerance δ (Liu et al. App. E uses 0.01). */
  delta: number;
  /** Kernels of the energy/gradient: auto (wasm when available), js (plain TypeScript, the reference) or wasm. */
  kernels: KernelChoice;
  /** Arithmetic of the network: float64, or float32 (wasm only; positions and updates stay float64). */
  precision: Precision;
}

export const toyAdditionDefaults: ToyAdditionParams = {
  p: 10,
  d_in: 1,
  d_out: 30,
  hidden: [200, 200],
  activation: 'tanh',
  task: 'regression',
  train_fraction: 0.82,
  init_scale: 1,
  delta: 0.01,
  kernels: 'auto',
  precision: 'float64',
};

export function resolveToyAddition(params: Partial<ToyAdditionParams> | Record<string, unknown>): ToyAdditionParams {
  const p = { ...toyAdditionDefaults, ...(params as Partial<ToyAdditionParams>) };
  const name = 'toy-addition';
  const posInt = (v: unknown) => Number.isInteger(v) && (v as number) >= 1;
  if (!(Number.isInteger(p.p) && p.p >= 2)) throw new Error(`${name}: p = ${p.p}, expected an integer ≥ 2`);
  if (!posInt(p.d_in)) throw new Error(`${name}: d_in = ${p.d_in}, expected an integer ≥ 1`);
  if (!posInt(p.d_out)) throw new Error(`${name}: d_out = ${p.d_out}, expected an integer ≥ 1`);
  if (!Array.isArray(p.hidden) || !p.hidden.every(posInt)) throw new Error(`${name}: hidden = ${JSON.stringify(p.hidden)}, expected a list of integers ≥ 1`);
  if (p.activation !== 'tanh' && p.activation !== 'relu') throw new Error(`${name}: activation = ${JSON.stringify(p.activation)}, expected 'tanh' or 'relu'`);
  if (p.task !== 'regression' && p.task !== 'classification') throw new Error(`${name}: task = ${JSON.stringify(p.task)}, expected 'regression' or 'classification'`);
  if (!(p.train_fraction > 0 && p.train_fraction <= 1)) throw new Error(`${name}: train_fraction = ${p.train_fraction}, expected in (0, 1]`);
  if (!(p.init_scale >= 0)) throw new Error(`${name}: init_scale = ${p.init_scale}, expected ≥ 0`);
  if (!(p.delta >= 0)) throw new Error(`${name}: delta = ${p.delta}, expected ≥ 0`);
  checkKernelParams(name, p.kernels, p.precision);
  return p;
}

export interface ToyAdditionData {
  /** Training samples [a₀, b₀, a₁, b₁, …] (a ≤ b), in D₀ order. */
  train: Int32Array;
  /** Test samples, the rest of D₀. */
  test: Int32Array;
  /** Regression targets Y_c, (2p − 1) × d_out row-major (empty for classification). */
  targets: Float64Array;
}

/** The split and the targets: from streams keyed by the seed, p (and d_out) only. */
export function toyAdditionData(params: Partial<ToyAdditionParams> | Record<string, unknown>, ctx: BuildContext): ToyAdditionData {
  const o = resolveToyAddition(params);
  const { p } = o;
  const count = Math.max(1, additionTrainingCount(p, o.train_fraction));
  // Keys no replica stream can have (replica keys are all-numeric).
  const train = randomAdditionTrainingSet(p, count, new Stream(`${ctx.seed}/data:toy-addition/${p}`, 0, 0));
  const all = additionSamples(p);
  const inTrain = new Set<number>();
  for (let k = 0; k < train.length; k += 2) inTrain.add(train[k] * p + train[k + 1]);
  const rest: number[] = [];
  for (let k = 0; k < all.length; k += 2) if (!inTrain.has(all[k] * p + all[k + 1])) rest.push(all[k], all[k + 1]);
  let targets = new Float64Array(0);
  if (o.task === 'regression') {
    const rng = new Stream(`${ctx.seed}/targets:toy-addition/${p}/${o.d_out}`, 0, 0);
    targets = Float64Array.from({ length: (2 * p - 1) * o.d_out }, () => rng.normal());
  }
  return { train, test: Int32Array.from(rest), targets };
}

/** Shapes of the decoder layers: [fan_in, fan_out] per layer. */
export function toyAdditionLayers(o: ToyAdditionParams): { sizes: number[]; wOff: number[]; bOff: number[]; decoderSize: number } {
  const out = o.task === 'regression' ? o.d_out : 2 * o.p - 1;
  const sizes = [o.d_in, ...o.hidden, out];
  const wOff: number[] = [];
  const bOff: number[] = [];
  let off = o.p * o.d_in;
  for (let l = 0; l + 1 < sizes.length; l++) {
    wOff.push(off);
    off += sizes[l] * sizes[l + 1];
    bOff.push(off);
    off += sizes[l + 1];
  }
  return { sizes, wOff, bOff, decoderSize: off - o.p * o.d_in };
}

export function toyAddition(params: Partial<ToyAdditionParams> | Record<string, unknown>, ctx: BuildContext): Potential {
  const o = resolveToyAddition(params);
  const { p, d_in: din } = o;
  const { train, test, targets } = toyAdditionData(o, ctx);
  const { sizes, wOff, bOff, decoderSize } = toyAdditionLayers(o);
  const L = sizes.length - 1; // number of linear layers
  const K = sizes[L]; // outputs
  const Esz = p * din;
  const dim = Esz + decoderSize;
  const nTrain = train.length / 2;
  const nTest = test.length / 2;
  const regression = o.task === 'regression';
  const relu = o.activation === 'relu';
  const quadsTrain = permissibleParallelograms(p, train);
  const quadsAll = permissibleParallelograms(p);

  // Scratch: activations H[l] and deltas D[l] for a block of 4 samples (sample q at q·size_l), allocated once.
  const H = sizes.map((s) => new Float64Array(4 * s));
  const D = sizes.map((s) => new Float64Array(4 * s));
  const blockA = new Int32Array(4);
  const blockB = new Int32Array(4);
  const identity = Int32Array.from({ length: nTrain }, (_, i) => i);
  let sel = new Int32Array(nTrain);

  /**
   * Forward pass of the 4 samples (blockA[q], blockB[q]) for the replica at
   * `base` (a short block repeats its last sample); outputs in H[L]. Each
   * weight row is loaded once for the 4 samples.
   */
  function forward4(x: Float64Array, base: number): void {
    const h0 = H[0];
    for (let q = 0; q < 4; q++) {
      const ea = base + blockA[q] * din, eb = base + blockB[q] * din;
      for (let k = 0; k < din; k++) h0[q * din + k] = x[ea + k] + x[eb + k];
    }
    for (let l = 0; l < L; l++) {
      const fin = sizes[l], fout = sizes[l + 1];
      const hin = H[l], hout = H[l + 1];
      const wo = base + wOff[l], bo = base + bOff[l];
      const last = l === L - 1;
      const f2 = 2 * fin, f3 = 3 * fin;
      for (let j = 0; j < fout; j++) {
        const bj = x[bo + j];
        let z0 = bj, z1 = bj, z2 = bj, z3 = bj;
        const row = wo + j * fin;
        for (let i = 0; i < fin; i++) {
          const w = x[row + i];
          z0 += w * hin[i];
          z1 += w * hin[fin + i];
          z2 += w * hin[f2 + i];
          z3 += w * hin[f3 + i];
        }
        if (last) {
          hout[j] = z0;
          hout[fout + j] = z1;
          hout[2 * fout + j] = z2;
          hout[3 * fout + j] = z3;
        } else if (relu) {
          hout[j] = z0 > 0 ? z0 : 0;
          hout[fout + j] = z1 > 0 ? z1 : 0;
          hout[2 * fout + j] = z2 > 0 ? z2 : 0;
          hout[3 * fout + j] = z3 > 0 ? z3 : 0;
        } else {
          hout[j] = Math.tanh(z0);
          hout[fout + j] = Math.tanh(z1);
          hout[2 * fout + j] = Math.tanh(z2);
          hout[3 * fout + j] = Math.tanh(z3);
        }
      }
    }
  }

  /** Loss of block sample q's output against class c; writes g·∂loss/∂out into D[L] (g = 0: zero delta). */
  function lossOf(q: number, c: number, g: number): number {
    const out = H[L];
    const dL = D[L];
    const o = q * K;
    if (regression) {
      let s = 0;
      const to = c * K;
      for (let k = 0; k < K; k++) {
        const r = out[o + k] - targets[to + k];
        s += r * r;
        dL[o + k] = (2 * g * r) / K;
      }
      return s / K;
    }
    let mx = -Infinity;
    for (let k = 0; k < K; k++) if (out[o + k] > mx) mx = out[o + k];
    let se = 0;
    for (let k = 0; k < K; k++) se += Math.exp(out[o + k] - mx);
    const lse = mx + Math.log(se);
    for (let k = 0; k < K; k++) dL[o + k] = g * (Math.exp(out[o + k] - lse) - (k === c ? 1 : 0));
    return lse - out[o + c];
  }

  /** Backward pass of the block from D[L]: accumulates into grad (replica at base); samples q < nb. */
  function backward4(x: Float64Array, base: number, grad: Float64Array, nb: number): void {
    for (let l = L - 1; l >= 0; l--) {
      const fin = sizes[l], fout = sizes[l + 1];
      const hin = H[l], dout = D[l + 1], dn = D[l];
      const wo = base + wOff[l], bo = base + bOff[l];
      const f2 = 2 * fin, f3 = 3 * fin;
      dn.fill(0);
      for (let j = 0; j < fout; j++) {
        const d0 = dout[j], d1 = dout[fout + j], d2 = dout[2 * fout + j], d3 = dout[3 * fout + j];
        if (d0 === 0 && d1 === 0 && d2 === 0 && d3 === 0) continue;
        grad[bo + j] += d0 + d1 + d2 + d3;
        const row = wo + j * fin;
        for (let i = 0; i < fin; i++) {
          grad[row + i] += d0 * hin[i] + d1 * hin[fin + i] + d2 * hin[f2 + i] + d3 * hin[f3 + i];
          const w = x[row + i];
          dn[i] += d0 * w;
          dn[fin + i] += d1 * w;
          dn[f2 + i] += d2 * w;
          dn[f3 + i] += d3 * w;
        }
      }
      if (l > 0) {
        // Through the activation of layer l (H[l] = act(z)).
        const n = 4 * fin;
        if (relu) for (let i = 0; i < n; i++) dn[i] = hin[i] > 0 ? dn[i] : 0;
        else for (let i = 0; i < n; i++) dn[i] *= 1 - hin[i] * hin[i];
      }
    }
    const d0 = D[0];
    for (let q = 0; q < nb; q++) {
      const ea = base + blockA[q] * din, eb = base + blockB[q] * din;
      for (let k = 0; k < din; k++) {
        grad[ea + k] += d0[q * din + k];
        grad[eb + k] += d0[q * din + k];
      }
    }
  }

  /** Load samples pick[i0 …] (at most 4; indices into `samples`) into the block; returns the block size. */
  function loadBlock(samples: Int32Array, pick: Int32Array | null, i0: number, count: number): number {
    const nb = Math.min(4, count - i0);
    for (let q = 0; q < 4; q++) {
      const s = pick ? pick[i0 + (q < nb ? q : nb - 1)] : i0 + (q < nb ? q : nb - 1);
      blockA[q] = samples[2 * s];
      blockB[q] = samples[2 * s + 1];
    }
    return nb;
  }

  function energyAndGradient(x: Float64Array, count: number, energy: Float64Array, grad: Float64Array, batch?: Minibatch): void {
    const B = batch ? batch.size : nTrain;
    if (batch && sel.length < B) sel = new Int32Array(B);
    const g = 1 / B;
    for (let r = 0; r < count; r++) {
      const base = r * dim;
      grad.fill(0, base, base + dim);
      let pick = identity;
      if (batch) {
        for (let q = 0; q < B; q++) sel[q] = batch.indices[r * B + q];
        pick = sel;
      }
      let U = 0;
      for (let i0 = 0; i0 < B; i0 += 4) {
        const nb = loadBlock(train, pick, i0, B);
        forward4(x, base);
        for (let q = 0; q < 4; q++) {
          if (q < nb) U += lossOf(q, blockA[q] + blockB[q], g);
          else D[L].fill(0, q * K, (q + 1) * K); // padding: no loss, no gradient
        }
        backward4(x, base, grad, nb);
      }
      energy[r] = U * g;
    }
  }

  const selection = selectKernels('toy-addition', o.kernels, o.precision);
  const wasm = selection.kernels;
  const f32 = o.precision === 'float32';
  const sizesI32 = Int32Array.from(sizes);
  let wasmScratch = 0;
  if (wasm) {
    // Scratch bytes of this shape, once (the kernel reads the widths from memory).
    const [at] = wasm.layout([4 * sizesI32.length]);
    wasm.i32.set(sizesI32, at >> 2);
    wasmScratch = f32 ? wasm.exports.taScratch32(at, sizesI32.length) : wasm.exports.taScratch64(at, sizesI32.length);
  }

  /** The same energy and gradient by the wasm kernel (assembly/toy-addition.ts). */
  function energyAndGradientWasm(x: Float64Array, count: number, energy: Float64Array, grad: Float64Array, batch?: Minibatch): void {
    const ex = wasm!.exports;
    const B = batch ? batch.size : nTrain;
    const picks = batch ? batch.indices.subarray(0, count * B) : identity;
    const kernel = f32 ? ex.taEnergyGrad32 : ex.taEnergyGrad64;
    wasm!.energyGradient(x, count, dim, energy, grad, picks, [sizesI32, train, targets], wasmScratch, (at) => {
      const [sz, smp, tgt] = at.inputs;
      kernel(at.x, count, dim, p, sz, sizesI32.length, regression ? 0 : 1, relu ? 1 : 0, at.picks, batch ? B : 0, B, smp, tgt, at.energy, at.grad, at.scratch);
    });
  }

  /** Mean loss or accuracy of the replica at `base` on a sample list. */
  function metricOn(x: Float64Array, base: number, samples: Int32Array, want: 'loss' | 'accuracy'): number {
    const n = samples.length / 2;
    let loss = 0;
    let hits = 0;
    for (let i0 = 0; i0 < n; i0 += 4) {
      const nb = loadBlock(samples, null, i0, n);
      forward4(x, base);
      const out = H[L];
      for (let q = 0; q < nb; q++) {
        const c = blockA[q] + blockB[q];
        loss += lossOf(q, c, 0);
        const o = q * K;
        let best = 0;
        if (regression) {
          let bestD = Infinity;
          for (let t = 0; t < 2 * p - 1; t++) {
            let dd = 0;
            for (let k = 0; k < K; k++) {
              const v = out[o + k] - targets[t * K + k];
              dd += v * v;
            }
            if (dd < bestD) {
              bestD = dd;
              best = t;
            }
          }
        } else for (let k = 1; k < K; k++) if (out[o + k] > out[o + best]) best = k;
        if (best === c) hits++;
      }
    }
    return want === 'loss' ? loss / n : hits / n;
  }

  const scalar = (name: string, description: string, f: (x: Float64Array, base: number) => number): PotentialObservable => ({
    name,
    description,
    units: 1,
    evaluate(x, count, out) {
      for (let r = 0; r < count; r++) out[r] = f(x, r * dim);
    },
  });

  const acc = regression ? 'nearest target is Y_{a+b}' : 'argmax = a + b';
  const observables: PotentialObservable[] = [
    scalar('rqi', `RQI (Liu et al. Eq. 3): fraction of the full dataset's ${quadsAll.length / 4} parallelograms realised within δ = ${o.delta}`, (x, b) =>
      rqi(x, b, p, din, o.delta, quadsAll),
    ),
    scalar('rqi_normalised', `RQI of the normalised embeddings (E − μ)/σ: δ = ${o.delta} relative to σ`, (x, b) => rqi(x, b, p, din, o.delta, quadsAll, true)),
    scalar('rqi_train', `fraction of the training set's ${quadsTrain.length / 4} parallelograms P₀(D) realised within δ = ${o.delta}`, (x, b) =>
      rqi(x, b, p, din, o.delta, quadsTrain),
    ),
    scalar('train_loss', `mean ${regression ? 'squared error per component' : 'cross-entropy'} over the training samples (= the energy at full batch)`, (x, b) =>
      metricOn(x, b, train, 'loss'),
    ),
    scalar('train_accuracy', `fraction of training samples whose ${acc}`, (x, b) => metricOn(x, b, train, 'accuracy')),
    scalar('embedding_norm', 'Z₀ = Σ_k |E_k|²', (x, b) => {
      let s = 0;
      for (let j = 0; j < Esz; j++) s += x[b + j] * x[b + j];
      return s;
    }),
  ];
  if (nTest > 0)
    observables.push(
      scalar('test_loss', `mean ${regression ? 'squared error per component' : 'cross-entropy'} over the test samples`, (x, b) => metricOn(x, b, test, 'loss')),
      scalar('test_accuracy', `fraction of test samples whose ${acc}`, (x, b) => metricOn(x, b, test, 'accuracy')),
    );

  const coordinates: string[] = [];
  for (let i = 0; i < p; i++) for (let k = 0; k < din; k++) coordinates.push(din === 1 ? `E${i}` : `E${i}_${k}`);
  for (let l = 0; l < L; l++) {
    for (let j = 0; j < sizes[l + 1]; j++) for (let i = 0; i < sizes[l]; i++) coordinates.push(`W${l + 1}_${j}_${i}`);
    for (let j = 0; j < sizes[l + 1]; j++) coordinates.push(`b${l + 1}_${j}`);
  }
  const s = o.init_scale;

  return {
    name: 'toy-addition',
    dim,
    coordinates,
    groups: [
      { name: 'embeddings', offset: 0, size: Esz },
      { name: 'decoder', offset: Esz, size: decoderSize },
    ],
    dataSize: nTrain,
    initialise(out, offset, _normal, uniform) {
      for (let j = 0; j < Esz; j++) out[offset + j] = s * (uniform() - 0.5);
      for (let l = 0; l < L; l++) {
        const bound = 1 / Math.sqrt(sizes[l]);
        const wo = offset + wOff[l];
        const n = sizes[l] * sizes[l + 1] + sizes[l + 1]; // W_l then b_l, contiguous
        for (let j = 0; j < n; j++) out[wo + j] = bound * (2 * uniform() - 1);
      }
    },
    energyAndGradient: wasm ? energyAndGradientWasm : energyAndGradient,
    observables,
    info: {
      kernels: kernelsInfo(selection, o.precision),
      train_samples: nTrain,
      test_samples: nTest,
      train_parallelograms: quadsTrain.length / 4,
      parallelograms: quadsAll.length / 4,
      ...effectiveTheoryInfo(p, train),
    },
  };
}

/**
 * Fraction of the parallelograms `quads` realised within δ by the embeddings at
 * x[base …] (p × d). With `normalised`, by the normalised embeddings
 * Ẽ = (E − μ)/σ, σ² = (1/p) Σ_k |E_k − μ|² (Liu et al. Sec. 3.2): the violation
 * E_i + E_j − E_m − E_n does not see μ, so this is δ relative to σ.
 */
export function rqi(x: Float64Array, base: number, p: number, d: number, delta: number, quads: Int32Array, normalised = false): number {
  const P = quads.length / 4;
  if (P === 0) return 1;
  let scale = 1;
  if (normalised) {
    let v = 0;
    for (let a = 0; a < d; a++) {
      let m = 0;
      for (let k = 0; k < p; k++) m += x[base + k * d + a];
      m /= p;
      for (let k = 0; k < p; k++) v += (x[base + k * d + a] - m) ** 2;
    }
    scale = v / p; // σ²
  }
  const d2 = delta * delta * scale;
  let hit = 0;
  for (let q = 0; q < P; q++) {
    const i = base + quads[4 * q] * d, j = base + quads[4 * q + 1] * d, m = base + quads[4 * q + 2] * d, n = base + quads[4 * q + 3] * d;
    let s = 0;
    for (let a = 0; a < d; a++) {
      const v = x[i + a] + x[j + a] - x[m + a] - x[n + a];
      s += v * v;
    }
    if (s <= d2) hit++;
  }
  return hit / P;
}

/**
 * What the effective theory says about a training set (theory/toy-addition.ts):
 * nullity of its parallelogram system (2 = the linear structure is pinned),
 * the ideal RQI it implies, and λ₃ of ℓ_eff's Hessian at the normalised linear
 * structure (Z₀ = p; 0 if nullity > 2) — the predicted grokking steps are
 * 1/(λ₃ η) for embedding rate η.
 */
export function effectiveTheoryInfo(p: number, train: Int32Array): { nullity: number; ideal_rqi: number; lambda3: number } {
  const g = grokkingRate(p, train);
  return { nullity: g.nullity, ideal_rqi: idealRQI(p, train), lambda3: g.lambda3 };
}

registerPotential({
  name: 'toy-addition',
  description: 'Liu et al. toy addition: embeddings E_i, MLP decoder on E_a + E_b, regression to random targets or classification; RQI, accuracies',
  paramsSchema: {
    type: 'object',
    properties: {
      p: { type: 'integer', minimum: 2, default: toyAdditionDefaults.p, description: 'symbols 0 … p−1' },
      d_in: { type: 'integer', minimum: 1, default: toyAdditionDefaults.d_in, description: 'embedding dimension' },
      d_out: { type: 'integer', minimum: 1, default: toyAdditionDefaults.d_out, description: 'regression target dimension' },
      hidden: { type: 'array', items: { type: 'integer', minimum: 1 }, default: toyAdditionDefaults.hidden, description: 'decoder hidden widths' },
      activation: { enum: ['tanh', 'relu'], default: toyAdditionDefaults.activation, description: 'decoder hidden activation' },
      task: { enum: ['regression', 'classification'], default: toyAdditionDefaults.task, description: 'MSE to random targets Y_{a+b}, or cross-entropy over 2p − 1 classes' },
      train_fraction: {
        type: 'number',
        exclusiveMinimum: 0,
        maximum: 1,
        default: toyAdditionDefaults.train_fraction,
        description: 'fraction of the p(p+1)/2 unordered pairs used for training (split from the seed)',
      },
      init_scale: { type: 'number', minimum: 0, default: toyAdditionDefaults.init_scale, description: 'embeddings start U[−s/2, s/2]' },
      delta: { type: 'number', minimum: 0, default: toyAdditionDefaults.delta, description: 'RQI tolerance δ' },
      ...kernelParamsSchema,
    },
    additionalProperties: false,
  },
  create: (p, ctx) => toyAddition(p, ctx),
});
