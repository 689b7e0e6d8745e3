/**
 * GenEFT relation learner (MODELS.md 3.2; Baek, Liu & Tegmark, "GenEFT", Sec. 2
 * and Appendix A): an encoder–decoder that learns a binary relation R on n
 * symbols from a fraction of the n² ordered pairs.
 *
 * Encoder: learnable embeddings E_x ∈ R^d (x = 0 … n−1). Decoder input of the
 * pair (a, b), by `combine`:
 *   concat               [E_a, E_b]        (2d inputs; the paper's default)
 *   difference           E_a − E_b         (d inputs)
 *   squared-difference   (E_a − E_b)²      (d inputs, element-wise)
 * Decoder: `depth` (= the paper's n_h) tanh layers of width `width` (= w),
 * then a linear layer to one logit z; the model's probability is sigmoid(z).
 * depth 0 is a single linear layer input → logit.
 *
 * Energy: the mean binary cross-entropy over the training pairs (the paper's
 * loss), computed from the logit without forming sigmoid(z):
 *   U = (1/M) Σ_{(a,b) ∈ train} [max(z, 0) − y z + log1p(e^{−|z|})],   y = R(a, b).
 * Because U is a mean, an SGLD temperature θ refers to this normalisation: the
 * stationary density exp(−U/θ) is the Bayesian posterior with a flat prior and
 * the summed log likelihood at θ = 1/M. Weight decay is the dynamics' business
 * (`dynamics.groups.<g>.weight_decay`), not a term of U.
 *
 * Relations (src/theory/relations.ts): `mod` (x ≡ y mod k), `greater-than`
 * (R(x, y) = [x < y]), `bipartite` (complete bipartite graph; the balanced split
 * S from a stream keyed by the seed and n). Train/test split: the first
 * round(train_fraction · n²) pairs of a Fisher–Yates shuffle keyed by the seed
 * and n only (not by ctx.run nor the relation), so every run index, sweep
 * point, regime and relation sees the same pairs and a larger fraction extends
 * the same training set.
 *
 * Parameter layout: group `encoder` = E (n rows of d), then group `decoder` =
 * for each layer l = 1 … depth+1: W_l (fan_out × fan_in, row-major, PyTorch's
 * nn.Linear.weight) followed by b_l (fan_out).
 *
 * Initialisation as PyTorch's defaults: nn.Embedding N(0, 1) (scaled by
 * `embedding_std`), nn.Linear weights and biases U(−1/√fan_in, 1/√fan_in).
 *
 * The energy and gradient are fused by hand and batched over the replicas of a
 * shard. Per replica, pairs go through in chunks of 64: forward through every
 * layer, then backward, accumulating ∂U/∂W straight into `grad`. Every matrix
 * product is C = A Bᵀ over contiguous rows (register-blocked 2 × 4); the layer
 * weights are transposed once per replica and the activations once per chunk
 * so that forward (H Wᵀ), backward to the inputs (Δ W) and the weight gradient
 * (Δᵀ H) all take that form. Scratch is allocated once; no allocation per call.
 */
import { Stream } from '../../random/rng.js';
import type { Minibatch, PosteriorPredictive, Potential, PotentialObservable } from '../../engine/types.js';
import { bipartiteSplit, relationTable, type RelationSpec } from '../../theory/relations.js';
import { registerPotential, type BuildContext } from '../registry.js';
import { checkKernelParams, kernelParamsSchema, kernelsInfo, selectKernels, type KernelChoice, type Precision } from '../../kernels/wasm.js';

export type CombineMode = 'concat' | 'difference' | 'squared-difference';
export type RelationKind = 'mod' | 'greater-than' | 'bipartite';

export interface RelationLearnerParams {
  /** Number of symbols. */
  n: number;
  /** Embedding dimension. */
  d: number;
  /** How the two embeddings form the decoder input. */
  combine: CombineMode;
  /** Hidden tanh layers n_h (0: a linear decoder). */
  depth: number;
  /** Width w of each hidden layer. */
  width: number;
  relation: RelationKind;
  /** Modulus of the `mod` relation. */
  k: number;
  /** Fraction of the n² ordered pairs used for training. */
  train_fraction: number;
  /** Standard deviation of the initial embeddings (PyTorch's nn.Embedding: 1). */
  embedding_std: number;
  /** Kernels of the energy/gradient: auto (wasm when available), js (plain TypeScript, the reference) or wasm. */
  kernels: KernelChoice;
  /** Arithmetic of the network: float64, or float32 (wasm only; positions and updates stay float64). */
  precision: Precision;
}

export const relationLearnerDefaults: RelationLearnerParams = {
  n: 30,
  d: 2,
  combine: 'concat',
  depth: 3,
  width: 50,
  relation: 'mod',
  k: 3,
  train_fraction: 0.75,
  embedding_std: 1,
  kernels: 'auto',
  precision: 'float64',
};

const NAME = 'relation-learner';
const COMBINES: readonly CombineMode[] = ['concat', 'difference', 'squared-difference'];
const RELATIONS: readonly RelationKind[] = ['mod', 'greater-than', 'bipartite'];

export function resolveRelationLearner(params: Partial<RelationLearnerParams> | Record<string, unknown>): RelationLearnerParams {
  const p = { ...relationLearnerDefaults, ...(params as Partial<RelationLearnerParams>) };
  const int = (key: keyof RelationLearnerParams, min: number) => {
    const v = p[key] as number;
    if (!(Number.isInteger(v) && v >= min)) throw new Error(`${NAME}: ${key} = ${v}, expected an integer ≥ ${min}`);
  };
  int('n', 2);
  int('d', 1);
  int('depth', 0);
  int('width', 1);
  int('k', 2);
  if (!COMBINES.includes(p.combine)) throw new Error(`${NAME}: combine = ${JSON.stringify(p.combine)}, expected one of ${COMBINES.join(', ')}`);
  if (!RELATIONS.includes(p.relation)) throw new Error(`${NAME}: relation = ${JSON.stringify(p.relation)}, expected one of ${RELATIONS.join(', ')}`);
  if (!(p.train_fraction > 0 && p.train_fraction <= 1)) throw new Error(`${NAME}: train_fraction = ${p.train_fraction}, expected in (0, 1]`);
  if (!(p.embedding_std > 0)) throw new Error(`${NAME}: embedding_std = ${p.embedding_std}, expected > 0`);
  checkKernelParams(NAME, p.kernels, p.precision);
  return p;
}

export function relationSpecOf(p: RelationLearnerParams): RelationSpec {
  return p.relation === 'mod' ? { kind: 'mod', k: p.k } : { kind: p.relation };
}

export interface RelationLearnerData {
  /** Training pairs a·n + b, ascending. */
  train: Int32Array;
  /** Held-out pairs a·n + b, ascending (empty with train_fraction 1). */
  test: Int32Array;
  /** R(a, b) at index a·n + b (relationTable of src/theory/relations.ts). */
  truth: Uint8Array;
  /** The bipartite split S (side[x] = 1 for x ∈ S); only for `bipartite`. */
  side?: Uint8Array;
}

/**
 * The relation's truth table and the train/held-out split, from the seed only.
 * Train: the first round(train_fraction · n²) pairs (at least 1) of a
 * Fisher–Yates shuffle keyed by the seed and n; the bipartite split S from a
 * second stream keyed by the seed and n.
 */
export function relationLearnerData(params: Partial<RelationLearnerParams> | Record<string, unknown>, ctx: BuildContext): RelationLearnerData {
  const p = resolveRelationLearner(params);
  const { n } = p;
  const total = n * n;
  const nTrain = Math.min(total, Math.max(1, Math.round(p.train_fraction * total)));
  const order = Int32Array.from({ length: total }, (_, i) => i);
  if (nTrain < total) {
    // Keys no replica stream can have (replica keys are all-numeric).
    const rng = new Stream(`${ctx.seed}/data:${NAME}/${n}`, 0, 0);
    for (let i = total - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
  }
  const side = p.relation === 'bipartite' ? bipartiteSplit(n, new Stream(`${ctx.seed}/data:${NAME}/bipartite/${n}`, 0, 0)) : undefined;
  const truth = relationTable(relationSpecOf(p), n, side);
  return { train: order.slice(0, nTrain).sort(), test: order.slice(nTrain).sort(), truth, side };
}

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

/**
 * C[co + i·n + j] (+)= Σ_t A[ao + i·k + t] · B[bo + j·k + t] for i < m, j < n:
 * C = A Bᵀ with A (m × k) and B (n × k) row-major, register-blocked 2 rows × 4 columns.
 */
function gemmNT(A: Float64Array, ao: number, m: number, B: Float64Array, bo: number, n: number, k: number, C: Float64Array, co: number, acc: boolean): void {
  let i = 0;
  for (; i + 1 < m; i += 2) {
    const a0 = ao + i * k;
    const a1 = a0 + k;
    const c0 = co + i * n;
    const c1 = c0 + n;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      const b0 = bo + j * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let t = 0; t < k; t++) {
        const x0 = A[a0 + t];
        const x1 = A[a1 + t];
        const y0 = B[b0 + t];
        const y1 = B[b1 + t];
        const y2 = B[b2 + t];
        const y3 = B[b3 + t];
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
      }
      if (acc) {
        C[c0 + j] += s00; C[c0 + j + 1] += s01; C[c0 + j + 2] += s02; C[c0 + j + 3] += s03;
        C[c1 + j] += s10; C[c1 + j + 1] += s11; C[c1 + j + 2] += s12; C[c1 + j + 3] += s13;
      } else {
        C[c0 + j] = s00; C[c0 + j + 1] = s01; C[c0 + j + 2] = s02; C[c0 + j + 3] = s03;
        C[c1 + j] = s10; C[c1 + j + 1] = s11; C[c1 + j + 2] = s12; C[c1 + j + 3] = s13;
      }
    }
    for (; j < n; j++) {
      const b0 = bo + j * k;
      let s0 = 0, s1 = 0;
      for (let t = 0; t < k; t++) {
        const y = B[b0 + t];
        s0 += A[a0 + t] * y;
        s1 += A[a1 + t] * y;
      }
      if (acc) {
        C[c0 + j] += s0;
        C[c1 + j] += s1;
      } else {
        C[c0 + j] = s0;
        C[c1 + j] = s1;
      }
    }
  }
  if (i < m) {
    const a0 = ao + i * k;
    const c0 = co + i * n;
    for (let j = 0; j < n; j++) {
      const b0 = bo + j * k;
      let s = 0;
      for (let t = 0; t < k; t++) s += A[a0 + t] * B[b0 + t];
      if (acc) C[c0 + j] += s;
      else C[c0 + j] = s;
    }
  }
}

/** Transpose the rows × cols block at src[so …] into dst (cols × rows). */
function transpose(src: Float64Array, so: number, rows: number, cols: number, dst: Float64Array): void {
  for (let i = 0; i < rows; i++) {
    const s = so + i * cols;
    for (let j = 0; j < cols; j++) dst[j * rows + i] = src[s + j];
  }
}

/** Binary cross-entropy of logit z against label y, stable: max(z, 0) − y z + log1p(e^{−|z|}). */
function bceWithLogits(z: number, y: number): number {
  return (z > 0 ? z : 0) - y * z + Math.log1p(Math.exp(-Math.abs(z)));
}

/**
 * tanh(v) = 1 − 2/(e^{2v} + 1): absolute error ≤ 3.4e-16 against Math.tanh (measured
 * over 10⁶ points in ±20), ±1 exactly beyond |v| ≈ 19 (e^{2v} overflows to ∞ or
 * underflows to 0 cleanly), and ≈ 1.7× faster than Math.tanh in V8 — the tanh
 * calls are a quarter of the W3 step. Its relative error near 0 is ≈ ε/|v|, which
 * nothing here needs: activations enter sums and 1 − h² absolutely.
 */
function tanh(v: number): number {
  return 1 - 2 / (Math.exp(2 * v) + 1);
}

/** sigmoid(z) without overflow. */
function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** Pairs per chunk of the fused forward/backward pass (activations stay in cache). */
const CHUNK = 64;

export function relationLearner(params: Partial<RelationLearnerParams> | Record<string, unknown>, ctx: BuildContext): Potential {
  const p = resolveRelationLearner(params);
  return relationLearnerOn(p, relationLearnerData(p, ctx));
}

/**
 * The relation learner on given data (a truth table and a train/held-out
 * split) instead of the seeded relation and split of `relationLearnerData`:
 * for workloads defined elsewhere, such as W3 of the peer benchmarks.
 */
export function relationLearnerOn(params: Partial<RelationLearnerParams> | Record<string, unknown>, data: RelationLearnerData): Potential {
  const p = resolveRelationLearner(params);
  const { n, d, depth, width } = p;
  const layout = relationLearnerLayout(p);
  const { inputs, encoderSize, layers, dim } = layout;
  const L = layers.length; // depth + 1
  const { train, test, truth, side } = data;
  const nTrain = train.length;
  const nTest = test.length;
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
  const allLogits = new Float64Array(n * n);
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
        for (let j = 0; j < width; j++) out[o + j] = tanh(out[o + j] + x[bo + j]);
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

  const selection = selectKernels(NAME, p.kernels, p.precision);
  const wasm = selection.kernels;
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

  // ---- observables and predictions (observation points only; scratch reused) ----

  /** Logits of the replica at `base` on `pairs` into allLogits[pair]. */
  function logitsOn(x: Float64Array, base: number, pairs: Int32Array): void {
    for (let c0 = 0; c0 < pairs.length; c0 += CHUNK) {
      const nb = Math.min(CHUNK, pairs.length - c0);
      for (let q = 0; q < nb; q++) chunkPairs[q] = pairs[c0 + q];
      forward(x, base, nb);
      for (let q = 0; q < nb; q++) allLogits[chunkPairs[q]] = logit[q];
    }
  }

  /** Mean BCE or accuracy (prediction R = 1 iff z > 0) of one replica on a set of pairs. */
  function metricOn(x: Float64Array, base: number, pairs: Int32Array, want: 'loss' | 'accuracy'): number {
    if (pairs.length === 0) return Number.NaN;
    logitsOn(x, base, pairs);
    let s = 0;
    for (let i = 0; i < pairs.length; i++) {
      const z = allLogits[pairs[i]];
      const y = truth[pairs[i]];
      if (want === 'loss') s += bceWithLogits(z, y);
      else if ((z > 0 ? 1 : 0) === y) s++;
    }
    return s / pairs.length;
  }

  /** RMS distance of the embeddings from their centroid. */
  const centroid = new Float64Array(d);
  function spread(x: Float64Array, base: number): number {
    centroid.fill(0);
    for (let s = 0; s < n; s++) for (let j = 0; j < d; j++) centroid[j] += x[base + s * d + j] / n;
    let ss = 0;
    for (let s = 0; s < n; s++)
      for (let j = 0; j < d; j++) {
        const u = x[base + s * d + j] - centroid[j];
        ss += u * u;
      }
    return Math.sqrt(ss / n);
  }

  // Classes of the repon picture (MODELS.md 3.1): residues mod k, or the two sides of the bipartite split.
  const classOf: Int32Array | undefined =
    p.relation === 'mod' ? Int32Array.from({ length: n }, (_, s) => s % p.k) : side ? Int32Array.from(side) : undefined;
  const nClasses = p.relation === 'mod' ? p.k : 2;
  const classMean = new Float64Array(nClasses * d);
  const classCount = new Float64Array(nClasses);
  /** Within-class sum of squares / total sum of squares of the embeddings (0: every class collapsed to a point). */
  function clusterRatio(x: Float64Array, base: number): number {
    const cls = classOf!;
    classMean.fill(0);
    classCount.fill(0);
    for (let s = 0; s < n; s++) {
      classCount[cls[s]]++;
      for (let j = 0; j < d; j++) classMean[cls[s] * d + j] += x[base + s * d + j];
    }
    for (let c = 0; c < nClasses; c++) for (let j = 0; j < d; j++) if (classCount[c] > 0) classMean[c * d + j] /= classCount[c];
    let within = 0;
    for (let s = 0; s < n; s++)
      for (let j = 0; j < d; j++) {
        const u = x[base + s * d + j] - classMean[cls[s] * d + j];
        within += u * u;
      }
    const total = spread(x, base) ** 2 * n;
    return total > 0 ? within / total : Number.NaN;
  }

  const scalar = (name: string, description: string, f: (x: Float64Array, base: number) => number): PotentialObservable => ({
    name,
    description,
    units: 1,
    evaluate(x, count, out) {
      for (let r = 0; r < count; r++) out[r] = f(x, r * dim);
    },
  });

  const observables: PotentialObservable[] = [
    scalar('train_accuracy', 'fraction of training pairs with (logit > 0) = R(a, b), this sample', (x, b) => metricOn(x, b, train, 'accuracy')),
    scalar('train_loss', 'mean binary cross-entropy over the training pairs (= the energy at full batch)', (x, b) => metricOn(x, b, train, 'loss')),
    scalar('test_accuracy', 'fraction of held-out pairs with (logit > 0) = R(a, b), this sample (NaN without held-out pairs)', (x, b) =>
      metricOn(x, b, test, 'accuracy'),
    ),
    scalar('test_loss', 'mean binary cross-entropy over the held-out pairs (NaN without held-out pairs)', (x, b) => metricOn(x, b, test, 'loss')),
    scalar('embedding_spread', 'RMS distance of the n embeddings from their centroid', spread),
  ];
  if (classOf)
    observables.push(
      scalar(
        'cluster_ratio',
        `within-class / total sum of squares of the embeddings, classes = ${p.relation === 'mod' ? `residues mod ${p.k}` : 'the two sides of the split'} (0: each class collapsed to a point)`,
        clusterRatio,
      ),
    );

  const predictive: PosteriorPredictive | undefined =
    nTest > 0
      ? {
          size: nTest,
          points: nTest,
          predict(x, count, out) {
            for (let r = 0; r < count; r++) {
              logitsOn(x, r * dim, test);
              for (let i = 0; i < nTest; i++) out[r * nTest + i] = sigmoid(allLogits[test[i]]);
            }
          },
          metrics(pred, offset) {
            // BCE of probabilities with log clamped at −100, as PyTorch's nn.BCELoss.
            let bce = 0;
            let hits = 0;
            for (let i = 0; i < nTest; i++) {
              const q = pred[offset + i];
              const y = truth[test[i]];
              bce -= y ? Math.max(Math.log(q), -100) : Math.max(Math.log1p(-q), -100);
              if ((q > 0.5 ? 1 : 0) === y) hits++;
            }
            return { error: bce / nTest, accuracy: hits / nTest };
          },
        }
      : undefined;

  const coordinates: string[] = [];
  for (let s = 0; s < n; s++) for (let j = 0; j < d; j++) coordinates.push(`E${s}_${j}`);
  layers.forEach((ly, l) => {
    for (let o = 0; o < ly.fanOut; o++) for (let i = 0; i < ly.fanIn; i++) coordinates.push(`W${l + 1}_${o}_${i}`);
    for (let o = 0; o < ly.fanOut; o++) coordinates.push(`b${l + 1}_${o}`);
  });

  const es = p.embedding_std;
  return {
    name: NAME,
    dim,
    coordinates,
    groups: [
      { name: 'encoder', offset: 0, size: encoderSize },
      { name: 'decoder', offset: encoderSize, size: dim - encoderSize },
    ],
    dataSize: nTrain,
    initialise(out, offset, normal, uniform) {
      for (let j = 0; j < encoderSize; j++) out[offset + j] = es * normal();
      for (const ly of layers) {
        const bound = 1 / Math.sqrt(ly.fanIn);
        const size = ly.fanIn * ly.fanOut + ly.fanOut;
        for (let j = 0; j < size; j++) out[offset + ly.w + j] = bound * (2 * uniform() - 1);
      }
    },
    energyAndGradient: wasm ? energyAndGradientWasm : energyAndGradient,
    observables,
    predictive,
    info: {
      kernels: kernelsInfo(selection, p.precision),
      relation: p.relation === 'mod' ? `mod ${p.k}` : p.relation,
      train_pairs: nTrain,
      test_pairs: nTest,
      positive_fraction_train: train.reduce((s, i) => s + truth[i], 0) / nTrain,
    },
  };
}

registerPotential({
  name: NAME,
  description: 'GenEFT encoder–decoder learning a relation on n symbols (embeddings + tanh MLP, mean BCE), train/held-out split',
  paramsSchema: {
    type: 'object',
    properties: {
      n: { type: 'integer', minimum: 2, default: relationLearnerDefaults.n, description: 'number of symbols' },
      d: { type: 'integer', minimum: 1, default: relationLearnerDefaults.d, description: 'embedding dimension' },
      combine: {
        enum: [...COMBINES],
        default: relationLearnerDefaults.combine,
        description: 'decoder input: concat [E_a, E_b] | difference E_a − E_b | squared-difference (E_a − E_b)² element-wise',
      },
      depth: { type: 'integer', minimum: 0, default: relationLearnerDefaults.depth, description: 'hidden tanh layers n_h (0: linear decoder)' },
      width: { type: 'integer', minimum: 1, default: relationLearnerDefaults.width, description: 'width w of each hidden layer' },
      relation: {
        enum: [...RELATIONS],
        default: relationLearnerDefaults.relation,
        description: 'mod: a ≡ b (mod k); greater-than: a < b; bipartite: complete bipartite graph on a random balanced split',
      },
      k: { type: 'integer', minimum: 2, default: relationLearnerDefaults.k, description: 'modulus of the mod relation' },
      train_fraction: {
        type: 'number',
        exclusiveMinimum: 0,
        maximum: 1,
        default: relationLearnerDefaults.train_fraction,
        description: 'fraction of the n² ordered pairs used for training (split drawn from the seed)',
      },
      embedding_std: {
        type: 'number',
        exclusiveMinimum: 0,
        default: relationLearnerDefaults.embedding_std,
        description: 'standard deviation of the initial embeddings (PyTorch nn.Embedding: 1)',
      },
      ...kernelParamsSchema,
    },
    additionalProperties: false,
  },
  create: (params, ctx) => relationLearner(params, ctx),
});
