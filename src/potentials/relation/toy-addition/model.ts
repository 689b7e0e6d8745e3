/**
 * The network of toy-addition (docs/models.md §3.4; Liu et al., "Towards
 * understanding grokking", Sec. 2 and App. L) and its energy and gradient.
 * The pair (a, b) is mapped to Dec(E_a + E_b) by an MLP decoder (addition
 * hard-coded in the input, as the paper's toy setup): `hidden` layers with
 * activation tanh (Math.tanh) or relu, then a linear output layer.
 *
 *   regression      U = (1/(M d_out)) Σ_s |Dec(E_a + E_b) − Y_{a+b}|²  (PyTorch MSELoss)
 *   classification  2p − 1 logits; U = mean cross-entropy (log-sum-exp form)
 *
 * U is a mean, so an SGLD temperature refers to this normalisation; a
 * minibatch energy is the mean over the batch (unbiased for the mean).
 * Layout: group `embeddings` = E (p rows of d_in), then group `decoder` = for
 * each layer W_l (fan_out × fan_in, row-major like nn.Linear.weight) then b_l.
 *
 * Energy and gradient are fused by hand and batched over replicas; samples go
 * through in blocks of 4 (denseForward4 / denseBackward4 of dense.ts), so each
 * weight row is loaded once per block; scratch is allocated once. That kernel
 * is the reference; params `kernels` and `precision` select the WebAssembly
 * SIMD kernel of assembly/toy-addition.ts instead.
 */
import type { Minibatch, Potential } from '../../../engine/types.js';
import { selectKernels, type KernelSelection } from '../../../kernels/wasm.js';
import { Activation, activationBackward, denseBackward4, denseForward4 } from '../../neural/dense.js';
import type { ToyAdditionData } from './data.js';
import { TOY_ADDITION, type ToyAdditionParams } from './params.js';

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

export interface ToyAdditionModel {
  dim: number;
  /** Size of group `embeddings` (p · d_in, at offset 0). */
  embeddingSize: number;
  layers: ReturnType<typeof toyAdditionLayers>;
  /** Outputs per sample (d_out, or 2p − 1 logits). */
  outputs: number;
  selection: KernelSelection;
  /** The batched energy and gradient (the wasm kernel when selected, else the TypeScript reference). */
  energyAndGradient: Potential['energyAndGradient'];
  /**
   * Forward pass of samples[i0 …] (at most 4 of `count`) for the replica at
   * x[base …]; returns how many. Sample q's outputs are then at
   * blockOutputs[q · outputs …], its class (a + b) is blockClass(q) and its loss blockLoss(q).
   */
  forwardBlock(x: Float64Array, base: number, samples: Int32Array, i0: number, count: number): number;
  readonly blockOutputs: Float64Array;
  blockClass(q: number): number;
  blockLoss(q: number): number;
}

export function toyAdditionModel(o: ToyAdditionParams, data: ToyAdditionData): ToyAdditionModel {
  const { p, d_in: din } = o;
  const { train, targets } = data;
  const layers = toyAdditionLayers(o);
  const { sizes, wOff, bOff, decoderSize } = layers;
  const L = sizes.length - 1; // number of linear layers
  const K = sizes[L]; // outputs
  const Esz = p * din;
  const dim = Esz + decoderSize;
  const nTrain = train.length / 2;
  const regression = o.task === 'regression';
  const relu = o.activation === 'relu';
  const hiddenActivation = relu ? Activation.relu : Activation.tanh;

  // Scratch: activations H[l] and deltas D[l] for a block of 4 samples (sample q at q·size_l), allocated once.
  const H = sizes.map((s) => new Float64Array(4 * s));
  const D = sizes.map((s) => new Float64Array(4 * s));
  const z4 = new Float64Array(4);
  const blockA = new Int32Array(4);
  const blockB = new Int32Array(4);
  const identity = Int32Array.from({ length: nTrain }, (_, i) => i);
  let sel = new Int32Array(nTrain);

  /**
   * Forward pass of the 4 samples (blockA[q], blockB[q]) for the replica at
   * `base` (a short block repeats its last sample); outputs in H[L].
   */
  function forward4(x: Float64Array, base: number): void {
    const h0 = H[0];
    for (let q = 0; q < 4; q++) {
      const ea = base + blockA[q] * din,
        eb = base + blockB[q] * din;
      for (let k = 0; k < din; k++) h0[q * din + k] = x[ea + k] + x[eb + k];
    }
    for (let l = 0; l < L; l++)
      denseForward4(
        x,
        base + wOff[l],
        base + bOff[l],
        sizes[l],
        sizes[l + 1],
        H[l],
        H[l + 1],
        l === L - 1 ? Activation.identity : hiddenActivation,
        z4,
      );
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
      denseBackward4(x, base + wOff[l], base + bOff[l], sizes[l], sizes[l + 1], H[l], D[l + 1], D[l], grad);
      // Through the activation of layer l (H[l] = act(z)).
      if (l > 0) activationBackward(D[l], H[l], 4 * sizes[l], hiddenActivation);
    }
    const d0 = D[0];
    for (let q = 0; q < nb; q++) {
      const ea = base + blockA[q] * din,
        eb = base + blockB[q] * din;
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

  const selection = selectKernels(TOY_ADDITION, o.kernels, o.precision);
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
      kernel(
        at.x,
        count,
        dim,
        p,
        sz,
        sizesI32.length,
        regression ? 0 : 1,
        relu ? 1 : 0,
        at.picks,
        batch ? B : 0,
        B,
        smp,
        tgt,
        at.energy,
        at.grad,
        at.scratch,
      );
    });
  }

  return {
    dim,
    embeddingSize: Esz,
    layers,
    outputs: K,
    selection,
    energyAndGradient: wasm ? energyAndGradientWasm : energyAndGradient,
    forwardBlock(x, base, samples, i0, count) {
      const nb = loadBlock(samples, null, i0, count);
      forward4(x, base);
      return nb;
    },
    blockOutputs: H[L],
    blockClass: (q) => blockA[q] + blockB[q],
    blockLoss: (q) => lossOf(q, blockA[q] + blockB[q], 0),
  };
}
