/**
 * The encoder–decoder of relation-learner (docs/models.md §3.2; Baek, Liu & Tegmark,
 * "GenEFT", Sec. 2 and Appendix A), its parameter layout, and the energy and
 * gradient: the mean binary cross-entropy over the training pairs, from the
 * logit without forming sigmoid(z),
 *
 *   U = (1/M) Σ_{(a,b) ∈ train} [max(z, 0) − y z + log1p(e^{−|z|})],   y = R(a, b).
 *
 * Layout: group `encoder` = E (n rows of d), then group `decoder` = for each
 * layer l = 1 … depth+1: W_l (fan_out × fan_in, row-major, PyTorch's
 * nn.Linear.weight) followed by b_l (fan_out).
 *
 * The energy and gradient are fused by hand and batched over the replicas of a
 * shard. Per replica, pairs go through in chunks of 64: forward through every
 * layer, then backward, accumulating ∂U/∂W straight into `grad`. Every matrix
 * product is C = A Bᵀ over contiguous rows (gemmNT of dense.ts); the layer
 * weights are transposed once per replica and the activations once per chunk
 * so that forward (H Wᵀ), backward to the inputs (Δ W) and the weight gradient
 * (Δᵀ H) all take that form. Scratch is allocated once; no allocation per call.
 * The same kernel exists as WebAssembly SIMD (assembly/relation-learner.ts),
 * chosen by the params `kernels` and `precision`; the TypeScript one here is
 * the reference.
 */
import type { Minibatch, Potential } from '../../../engine/types.js';
import { selectKernels, type KernelSelection } from '../../../kernels/wasm.js';
import { bceWithLogits, fastTanh, gemmNT, sigmoid, transpose } from '../../neural/dense.js';
import type { RelationLearnerData } from './data.js';
import { RELATION_LEARNER, resolveRelationLearner, type RelationLearnerParams } from './params.js';

/** One dense layer's place in x (offsets relative to the start of a replica's row). */
export interface DenseLayer {
  fanIn: number;
  fanOut: number;
  /** Offset of W (fanOut × fanIn, row-major). */
  w: number;
  /** Offset of b (fanOut). */
  b: number;
}

export interface RelationLearnerLayout {
  /** Decoder input width: 2d (concat) or d. */
  inputs: number;
  /** Size of the encoder group (n·d, at offset 0). */
  encoderSize: number;
  /** Dense layers, input side first; the last has fanOut 1. */
  layers: DenseLayer[];
  dim: number;
}

export function relationLearnerLayout(params: Partial<RelationLearnerParams> | Record<string, unknown>): RelationLearnerLayout {
  const p = resolveRelationLearner(params);
  const inputs = p.combine === 'concat' ? 2 * p.d : p.d;
  const encoderSize = p.n * p.d;
  const layers: DenseLayer[] = [];
  let off = encoderSize;
  for (let l = 0; l <= p.depth; l++) {
    const fanIn = l === 0 ? inputs : p.width;
    const fanOut = l === p.depth ? 1 : p.width;
    layers.push({ fanIn, fanOut, w: off, b: off + fanIn * fanOut });
    off += fanIn * fanOut + fanOut;
  }
  return { inputs, encoderSize, layers, dim: off };
}

/** Pairs per chunk of the fused forward/backward pass (activations stay in cache). */
const CHUNK = 64;

export interface RelationLearnerModel {
  layout: RelationLearnerLayout;
  selection: KernelSelection;
  /** The batched energy and gradient (the wasm kernel when selected, else the TypeScript reference). */
  energyAndGradient: Potential['energyAndGradient'];
  /** Logits of the replica at x[base …] on `pairs`, written to out[pair] (out has n² entries). */
  logits(x: Float64Array, base: number, pairs: Int32Array, out: Float64Array): void;
}

export function relationLearnerModel(p: RelationLearnerParams, data: RelationLearnerData): RelationLearnerModel {
  const { n, d, depth, width } = p;
  const layout = relationLearnerLayout(p);
  const { inputs, layers, dim } = layout;
  const L = layers.length; // depth + 1
  const { train, truth } = data;
  const nTrain = train.length;
  const combine = p.combine === 'concat' ? 0 : p.combine === 'difference' ? 1 : 2;

  // Scratch, allocated once (the kernel works one replica and one chunk at a time).
  // act[l]: input activations of layer l (CHUNK × fanIn), pair-major; act[L] unused.
  const act: Float64Array[] = layers.map((ly) => new Float64Array(CHUNK * ly.fanIn));
  const wide = Math.max(inputs, width);
  const WT: Float64Array[] = layers.map((ly) => new Float64Array(ly.fanIn * ly.fanOut)); // Wᵀ per layer
  const actT = new Float64Array(wide * CHUNK); // the current layer input, transposed
  const dA = new Float64Array(CHUNK * wide); // ∂U/∂(layer output activation), pair-major
  const dPM = new Float64Array(CHUNK * wide); // ∂U/∂(pre-activation), pair-major
  const dT = new Float64Array(wide * CHUNK); // the same, transposed
  const logit = new Float64Array(CHUNK);
  const chunkPairs = new Int32Array(CHUNK);
  const identity = Int32Array.from({ length: nTrain }, (_, i) => i);
  let sel = new Int32Array(nTrain);

  /** Decoder inputs of the nb pairs chunkPairs[0 … nb) into act[0]. */
  function gather(x: Float64Array, base: number, nb: number): void {
    const a0 = act[0];
    for (let q = 0; q < nb; q++) {
      const pair = chunkPairs[q];
      const a = Math.floor(pair / n);
      const ea = base + a * d;
      const eb = base + (pair - a * n) * d;
      const o = q * inputs;
      if (combine === 0) {
        for (let j = 0; j < d; j++) {
          a0[o + j] = x[ea + j];
          a0[o + d + j] = x[eb + j];
        }
      } else if (combine === 1) {
        for (let j = 0; j < d; j++) a0[o + j] = x[ea + j] - x[eb + j];
      } else {
        for (let j = 0; j < d; j++) {
          const u = x[ea + j] - x[eb + j];
          a0[o + j] = u * u;
        }
      }
    }
  }

  /** Forward pass of chunkPairs[0 … nb) for the replica at `base`: hidden activations in act, logits in `logit`. */
  function forward(x: Float64Array, base: number, nb: number): void {
    gather(x, base, nb);
    for (let l = 0; l < depth; l++) {
      const ly = layers[l];
      const out = act[l + 1];
      gemmNT(act[l], 0, nb, x, base + ly.w, width, ly.fanIn, out, 0, false);
      const bo = base + ly.b;
      for (let q = 0; q < nb; q++) {
        const o = q * width;
        for (let j = 0; j < width; j++) out[o + j] = fastTanh(out[o + j] + x[bo + j]);
      }
    }
    const last = layers[depth];
    const h = act[depth];
    const wo = base + last.w;
    const bias = x[base + last.b];
    const k = last.fanIn;
    for (let q = 0; q < nb; q++) {
      const o = q * k;
      let s = bias;
      for (let j = 0; j < k; j++) s += h[o + j] * x[wo + j];
      logit[q] = s;
    }
  }

  /**
   * Mean BCE over the training pairs pick[0 … B) (indices into `train`) for the
   * replica at `base`; writes ∂/∂x of it into grad[base …] (overwriting).
   */
  function replicaEnergyAndGradient(x: Float64Array, base: number, grad: Float64Array, pick: Int32Array, B: number): number {
    const scale = 1 / B;
    grad.fill(0, base, base + dim);
    for (let l = 0; l < L; l++) transpose(x, base + layers[l].w, layers[l].fanOut, layers[l].fanIn, WT[l]);
    let loss = 0;
    for (let c0 = 0; c0 < B; c0 += CHUNK) {
      const nb = Math.min(CHUNK, B - c0);
      for (let q = 0; q < nb; q++) chunkPairs[q] = train[pick[c0 + q]];
      forward(x, base, nb);
      // Output layer: δ_q = (sigmoid(z_q) − y_q)/B; ∂W_out += Σ δ h, ∂b_out += Σ δ; dA = δ W_out.
      const last = layers[depth];
      const k = last.fanIn;
      const h = act[depth];
      const gw = base + last.w;
      const wo = base + last.w;
      let gb = 0;
      for (let q = 0; q < nb; q++) {
        const z = logit[q];
        const y = truth[chunkPairs[q]];
        loss += bceWithLogits(z, y);
        const dz = (sigmoid(z) - y) * scale;
        gb += dz;
        const o = q * k;
        for (let j = 0; j < k; j++) {
          grad[gw + j] += dz * h[o + j];
          dA[o + j] = dz * x[wo + j];
        }
      }
      grad[base + last.b] += gb;
      // Hidden layers, top down: δ = dA ⊙ (1 − h²); ∂b += Σ_q δ; ∂W += δᵀ act; dA ← δ W.
      for (let l = depth - 1; l >= 0; l--) {
        const ly = layers[l];
        const hOut = act[l + 1];
        const gbo = base + ly.b;
        for (let q = 0; q < nb; q++) {
          const o = q * width;
          for (let j = 0; j < width; j++) {
            const hv = hOut[o + j];
            const dv = dA[o + j] * (1 - hv * hv);
            dPM[o + j] = dv;
            dT[j * nb + q] = dv;
          }
        }
        for (let j = 0; j < width; j++) {
          let s = 0;
          const o = j * nb;
          for (let q = 0; q < nb; q++) s += dT[o + q];
          grad[gbo + j] += s;
        }
        transpose(act[l], 0, nb, ly.fanIn, actT);
        gemmNT(dT, 0, width, actT, 0, ly.fanIn, nb, grad, base + ly.w, true);
        gemmNT(dPM, 0, nb, WT[l], 0, ly.fanIn, width, dA, 0, false);
      }
      // dA now holds ∂U/∂(decoder input) (nb × inputs): scatter to the two embeddings.
      for (let q = 0; q < nb; q++) {
        const pair = chunkPairs[q];
        const a = Math.floor(pair / n);
        const ga = base + a * d;
        const gbb = base + (pair - a * n) * d;
        const o = q * inputs;
        if (combine === 0) {
          for (let j = 0; j < d; j++) {
            grad[ga + j] += dA[o + j];
            grad[gbb + j] += dA[o + d + j];
          }
        } else if (combine === 1) {
          for (let j = 0; j < d; j++) {
            grad[ga + j] += dA[o + j];
            grad[gbb + j] -= dA[o + j];
          }
        } else {
          for (let j = 0; j < d; j++) {
            const g = 2 * (x[ga + j] - x[gbb + j]) * dA[o + j];
            grad[ga + j] += g;
            grad[gbb + j] -= g;
          }
        }
      }
    }
    return loss * scale;
  }

  const selection = selectKernels(RELATION_LEARNER, p.kernels, p.precision);
  const wasm = selection.kernels;
  const native = selection.native;
  const f32 = p.precision === 'float32';
  const labels = Float64Array.from(train, (pair) => truth[pair]);

  /** The same energy and gradient by the wasm kernel (assembly/relation-learner.ts). */
  function energyAndGradientWasm(x: Float64Array, count: number, energy: Float64Array, grad: Float64Array, batch?: Minibatch): void {
    const ex = wasm!.exports;
    const B = batch ? batch.size : nTrain;
    const picks = batch ? batch.indices.subarray(0, count * B) : identity;
    const scratch = f32 ? ex.rlScratch32(inputs, width, depth) : ex.rlScratch64(inputs, width, depth);
    const kernel = f32 ? ex.rlEnergyGrad32 : ex.rlEnergyGrad64;
    wasm!.energyGradient(x, count, dim, energy, grad, picks, [train, labels], scratch, (at) => {
      const [pairs, lab] = at.inputs;
      kernel(at.x, count, dim, n, d, combine, depth, width, at.picks, batch ? B : 0, B, pairs, lab, at.energy, at.grad, at.scratch);
    });
  }

  /** The same energy and gradient by the native kernel (assembly/native/relation-learner.inc). */
  function energyAndGradientNative(x: Float64Array, count: number, energy: Float64Array, grad: Float64Array, batch?: Minibatch): void {
    const B = batch ? batch.size : nTrain;
    const picks = batch ? batch.indices.subarray(0, count * B) : identity;
    native!.rlEnergyGrad(f32 ? 32 : 64, x, count, dim, n, d, combine, depth, width, picks, batch ? B : 0, B, train, labels, energy, grad);
  }

  function energyAndGradient(x: Float64Array, count: number, energy: Float64Array, grad: Float64Array, batch?: Minibatch): void {
    const B = batch ? batch.size : nTrain;
    if (batch && sel.length < B) sel = new Int32Array(B);
    for (let r = 0; r < count; r++) {
      let pick = identity;
      if (batch) {
        const idx = batch.indices;
        for (let q = 0; q < B; q++) sel[q] = idx[r * B + q];
        pick = sel;
      }
      energy[r] = replicaEnergyAndGradient(x, r * dim, grad, pick, B);
    }
  }

  /** Logits of the replica at `base` on `pairs` into out[pair] (observation points only; the chunk scratch is reused). */
  function logits(x: Float64Array, base: number, pairs: Int32Array, out: Float64Array): void {
    for (let c0 = 0; c0 < pairs.length; c0 += CHUNK) {
      const nb = Math.min(CHUNK, pairs.length - c0);
      for (let q = 0; q < nb; q++) chunkPairs[q] = pairs[c0 + q];
      forward(x, base, nb);
      for (let q = 0; q < nb; q++) out[chunkPairs[q]] = logit[q];
    }
  }

  return {
    layout,
    selection,
    energyAndGradient: native ? energyAndGradientNative : wasm ? energyAndGradientWasm : energyAndGradient,
    logits,
  };
}
