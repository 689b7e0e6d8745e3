/**
 * Energy and gradient of toy-addition, the Liu et al. toy model of addition
 * (src/potentials/relation/toy-addition.ts holds the reference in plain
 * TypeScript and the maths): embeddings E_i ∈ R^{d_in}, decoder input
 * E_a + E_b, an MLP with any number of hidden layers (tanh or relu), a linear
 * output layer; loss the mean squared error per component against targets
 * Y_{a+b} (regression) or the mean cross-entropy over 2p − 1 logits
 * (classification).
 *
 * As assembly/relation-learner.ts: per replica, every layer's weights are
 * copied into scratch twice, as W (fanOut × fanIn) and Wᵀ, every width
 * (input, hidden, output) zero-padded to two v128s, so that the three products
 * of a dense layer (forward H Wᵀ + b, weight gradient Δᵀ H accumulated in
 * W's layout, input gradient Δ W) are broadcast-scalar × v128-row updates
 * without horizontal sums. Padded units have zero weights and bias:
 * tanh(0) = relu(0) = 0, no gradient. tanh is vectorised (tanhE of simd.ts);
 * relu is a compare-and-mask. Samples go through in chunks of 64 (rows padded to 4 with zero
 * error). The loss of each sample and its error signal are computed in f64
 * from the outputs (float32: the outputs rounded to f32), in the reference's
 * order.
 *
 * Layout of x per replica (as the TS potential): E (p × d_in), then per layer
 * l: W_l (fanOut × fanIn, row-major), b_l (fanOut). `sizes` holds the L + 1
 * widths [d_in, hidden…, out] (i32).
 */
import { ACT_NONE, ACT_RELU, ACT_TANH_E, block4x2, lanes, loadDense } from './simd';

const CHUNK = 64;

/** Widths are padded to two v128s (the products work on pairs of vectors). */
// @ts-ignore: decorator
@inline function paddedWide<T>(n: i32): i32 {
  const L2 = 2 * lanes<T>();
  return ((n + L2 - 1) / L2) * L2;
}

// @ts-ignore: decorator
@inline function sizeAt(sizes: usize, l: i32): i32 {
  return load<i32>(sizes + <usize>l * 4);
}

/** Elements of layer l's weight region: WT (Pin × Pout), W (Pout × Pin), bias, GW (Pout × Pin), Gb. */
// @ts-ignore: decorator
@inline function layerElems(Pin: i32, Pout: i32): i32 {
  return 3 * Pin * Pout + 2 * Pout;
}

/** Bytes of scratch one call needs (same sequence of regions as taEnergyGrad); `sizes` = nS = L + 1 widths. */
export function taScratchBytes<T>(sizes: usize, nS: i32): i32 {
  let e = 0;
  let maxP = 0;
  for (let l = 0; l < nS; l++) {
    const P = paddedWide<T>(sizeAt(sizes, l));
    if (l + 1 < nS) e += layerElems(P, paddedWide<T>(sizeAt(sizes, l + 1)));
    e += CHUNK * P; // activations of width l
    maxP = max(maxP, P);
  }
  e += 2 * CHUNK * maxP; // two error buffers
  return e * sizeof<T>();
}

/**
 * Energies and gradients of `count` replicas (x, grad: count × dim f64;
 * energy: count f64). Samples: the training pairs `samples` (i32 a, b per
 * sample), replica r uses samples picks[r · pickStride + i], i < nPick
 * (pickStride 0: the same picks for every replica). task 0: regression
 * against `targets` ((2p − 1) × d_out f64), 1: classification. act 0: tanh,
 * 1: relu.
 */
// @ts-ignore: decorator
@inline
export function taEnergyGrad<T>(
  x: usize, count: i32, dim: i32, p: i32, sizes: usize, nS: i32, task: i32, act: i32,
  picks: usize, pickStride: i32, nPick: i32, samples: usize, targets: usize,
  energy: usize, grad: usize, scratch: usize,
): void {
  const S = <usize>sizeof<T>();
  const L = lanes<T>();
  const L2 = 2 * L;
  const NL = nS - 1; // linear layers
  const din = sizeAt(sizes, 0);
  const K = sizeAt(sizes, NL);
  const PK = paddedWide<T>(K);
  const Esz = p * din;
  const zero = v128.splat<T>(<T>0);
  const one = v128.splat<T>(<T>1);
  const hAct = act == 0 ? ACT_TANH_E : ACT_RELU; // block4x2's code of the hidden activation

  // Scratch regions (bytes), in the order of taScratchBytes.
  const weightsStart = scratch;
  let p0 = scratch;
  let maxP = 0;
  for (let l = 0; l < nS; l++) {
    const P = paddedWide<T>(sizeAt(sizes, l));
    if (l + 1 < nS) p0 += <usize>layerElems(P, paddedWide<T>(sizeAt(sizes, l + 1))) * S;
    maxP = max(maxP, P);
  }
  const actStart = p0; // act_l = actStart + Σ_{l'<l} CHUNK P_l' S
  for (let l = 0; l < nS; l++) p0 += <usize>(CHUNK * paddedWide<T>(sizeAt(sizes, l))) * S;
  const Da = p0;
  p0 += <usize>(CHUNK * maxP) * S;
  const Db = p0;
  p0 += <usize>(CHUNK * maxP) * S;
  memory.fill(scratch, 0, p0 - scratch);
  const actL = p0 - <usize>(2 * CHUNK * maxP + CHUNK * PK) * S; // the outputs

  const g = 1.0 / <f64>nPick;
  const Kf = <f64>K;

  for (let r = 0; r < count; r++) {
    const xb = x + <usize>r * <usize>dim * 8;
    const gb = grad + <usize>r * <usize>dim * 8;
    // Weights into scratch (W and Wᵀ, padded), gradient accumulators cleared.
    let lb = weightsStart;
    let off = Esz; // element offset of W_l in the replica's row
    for (let l = 0; l < NL; l++) {
      const fin = sizeAt(sizes, l), fout = sizeAt(sizes, l + 1);
      const Pin = paddedWide<T>(fin), Pout = paddedWide<T>(fout);
      const WT = lb;
      const Wn = WT + <usize>(Pin * Pout) * S;
      const bias = Wn + <usize>(Pout * Pin) * S;
      const GW = bias + <usize>Pout * S;
      loadDense<T>(xb + <usize>off * 8, fin, fout, Wn, <usize>Pin * S, WT, <usize>Pout * S, bias);
      memory.fill(GW, 0, <usize>(Pin * Pout + Pout) * S);
      lb += <usize>layerElems(Pin, Pout) * S;
      off += fin * fout + fout;
    }
    memory.fill(gb, 0, <usize>Esz * 8);

    const pr = picks + <usize>r * <usize>pickStride * 4;
    let loss: f64 = 0;
    for (let c0 = 0; c0 < nPick; c0 += CHUNK) {
      const nb = min(CHUNK, nPick - c0);
      const nb4 = (nb + 3) & ~3;
      const P0 = paddedWide<T>(din);
      // Decoder inputs E_a + E_b (rows ≥ nb repeat the last sample; their error is set to 0).
      for (let q = 0; q < nb4; q++) {
        const s = load<i32>(pr + <usize>(c0 + (q < nb ? q : nb - 1)) * 4);
        const ea = xb + <usize>(load<i32>(samples + <usize>(2 * s) * 4) * din) * 8;
        const eb = xb + <usize>(load<i32>(samples + <usize>(2 * s + 1) * 4) * din) * 8;
        const o = actStart + <usize>(q * P0) * S;
        for (let k = 0; k < din; k++) store<T>(o + <usize>k * S, <T>(load<f64>(ea + <usize>k * 8) + load<f64>(eb + <usize>k * 8)));
      }
      // Forward: act_{l+1} = act(b + act_l Wᵀ) (no activation on the output layer), 4 rows × 2 vectors per pass.
      lb = weightsStart;
      let ain = actStart;
      for (let l = 0; l < NL; l++) {
        const fin = sizeAt(sizes, l);
        const Pin = paddedWide<T>(fin), Pout = paddedWide<T>(sizeAt(sizes, l + 1));
        const WT = lb;
        const bias = WT + <usize>(2 * Pin * Pout) * S;
        const aout = ain + <usize>(CHUNK * Pin) * S;
        const rin = <usize>Pin * S;
        const rout = <usize>Pout * S;
        const a = l + 1 < NL ? hAct : ACT_NONE;
        for (let q0 = 0; q0 < nb4; q0 += 4) {
          const i0 = ain + <usize>q0 * rin;
          const o0 = aout + <usize>q0 * rout;
          for (let j0 = 0; j0 < Pout; j0 += L2) {
            const jb = <usize>j0 * S;
            block4x2<T>(i0, rin, 2 * rin, 3 * rin, S, WT + jb, rout, fin, o0 + jb, rout, 2 * rout, 3 * rout, bias + jb, false, a);
          }
        }
        lb += <usize>layerElems(Pin, Pout) * S;
        ain = aout;
      }
      // Loss and its error signal ∂U/∂out (scaled by g = 1/B) into Da, rows of PK.
      const rK = <usize>PK * S;
      for (let q = 0; q < nb4; q++) {
        const o = actL + <usize>q * rK;
        const dq = Da + <usize>q * rK;
        if (q >= nb) {
          memory.fill(dq, 0, rK);
          continue;
        }
        const s = load<i32>(pr + <usize>(c0 + q) * 4);
        const c = load<i32>(samples + <usize>(2 * s) * 4) + load<i32>(samples + <usize>(2 * s + 1) * 4);
        if (task == 0) {
          let ss: f64 = 0;
          const y = targets + <usize>(c * K) * 8;
          for (let k = 0; k < K; k++) {
            const res = <f64>load<T>(o + <usize>k * S) - load<f64>(y + <usize>k * 8);
            ss += res * res;
            store<T>(dq + <usize>k * S, <T>((2 * g * res) / Kf));
          }
          loss += ss / Kf;
        } else {
          let mx = -Infinity;
          for (let k = 0; k < K; k++) {
            const v = <f64>load<T>(o + <usize>k * S);
            if (v > mx) mx = v;
          }
          let se: f64 = 0;
          for (let k = 0; k < K; k++) se += Math.exp(<f64>load<T>(o + <usize>k * S) - mx);
          const lse = mx + Math.log(se);
          for (let k = 0; k < K; k++)
            store<T>(dq + <usize>k * S, <T>(g * (Math.exp(<f64>load<T>(o + <usize>k * S) - lse) - (k == c ? 1.0 : 0.0))));
          loss += lse - <f64>load<T>(o + <usize>c * S);
        }
      }
      // Backward, top down, from Dcur (∂U/∂ pre-activation of layer l's output): ∂b += Σ_q D; ∂Wᵀ += act_lᵀ D;
      // Dnext = D W, then through the activation of act_l (l > 0).
      let Dcur = Da, Dnext = Db;
      let lTop = lb; // one past the last layer's weights
      let aTop = ain; // act_L
      for (let l = NL - 1; l >= 0; l--) {
        const fin = sizeAt(sizes, l), fout = sizeAt(sizes, l + 1);
        const Pin = paddedWide<T>(fin), Pout = paddedWide<T>(fout);
        const base = lTop - <usize>layerElems(Pin, Pout) * S;
        const Wn = base + <usize>(Pin * Pout) * S;
        const GW = Wn + <usize>(Pout * Pin + Pout) * S;
        const Gb = GW + <usize>(Pin * Pout) * S;
        const aIn = aTop - <usize>(CHUNK * Pin) * S;
        const rin = <usize>Pin * S;
        const rW = <usize>Pout * S;
        for (let j = 0; j < Pout; j += L) {
          const jb = <usize>j * S;
          let gsum = v128.load(Gb + jb);
          for (let q = 0; q < nb4; q++) gsum = v128.add<T>(gsum, v128.load(Dcur + <usize>q * rW + jb));
          v128.store(Gb + jb, gsum);
        }
        // ∂W[j][t] += Σ_q D[q][j] act_l[q][t]: 4 outputs × 2 vectors of inputs per pass.
        let j = 0;
        for (; j < fout; j += 4) {
          // A short last group repeats its last row: the repeats compute the same sums, stored to the same place.
          const nj = min(4, fout - j);
          const r1 = nj > 1 ? 1 : 0, r2 = nj > 2 ? 2 : nj - 1, r3 = nj - 1;
          const jb = <usize>j * S;
          const j1 = <usize>r1 * S, j2 = <usize>r2 * S, j3 = <usize>r3 * S;
          for (let t0 = 0; t0 < Pin; t0 += L2) {
            const tb = <usize>t0 * S;
            block4x2<T>(Dcur + jb, j1, j2, j3, rW, aIn + tb, rin, nb4, GW + <usize>j * rin + tb, <usize>r1 * rin, <usize>r2 * rin, <usize>r3 * rin, 0, true, ACT_NONE);
          }
        }
        // Dnext[q][t] = Σ_j D[q][j] W[j][t] (the gradient w.r.t. this layer's input): 4 rows × 2 vectors per pass.
        for (let q0 = 0; q0 < nb4; q0 += 4) {
          const d0 = Dcur + <usize>q0 * rW;
          for (let t0 = 0; t0 < Pin; t0 += L2) {
            const tb = <usize>t0 * S;
            block4x2<T>(d0, rW, 2 * rW, 3 * rW, S, Wn + tb, rin, fout, Dnext + <usize>q0 * rin + tb, rin, 2 * rin, 3 * rin, 0, false, ACT_NONE);
          }
        }
        if (l > 0) {
          // Through the activation of act_l: tanh' = 1 − h², relu' = [h > 0].
          const n = nb4 * Pin;
          if (act == 0) {
            for (let i = 0; i < n; i += L) {
              const ib = <usize>i * S;
              const h = v128.load(aIn + ib);
              v128.store(Dnext + ib, v128.mul<T>(v128.load(Dnext + ib), v128.sub<T>(one, v128.mul<T>(h, h))));
            }
          } else {
            for (let i = 0; i < n; i += L) {
              const ib = <usize>i * S;
              v128.store(Dnext + ib, v128.and(v128.load(Dnext + ib), v128.gt<T>(v128.load(aIn + ib), zero)));
            }
          }
        }
        const tmp = Dcur;
        Dcur = Dnext;
        Dnext = tmp;
        lTop = base;
        aTop = aIn;
      }
      // Dcur holds ∂U/∂(E_a + E_b): to both embeddings of each sample.
      for (let q = 0; q < nb; q++) {
        const s = load<i32>(pr + <usize>(c0 + q) * 4);
        const ga = gb + <usize>(load<i32>(samples + <usize>(2 * s) * 4) * din) * 8;
        const gbb = gb + <usize>(load<i32>(samples + <usize>(2 * s + 1) * 4) * din) * 8;
        const o = Dcur + <usize>(q * P0) * S;
        for (let k = 0; k < din; k++) {
          const v = <f64>load<T>(o + <usize>k * S);
          const kb = <usize>k * 8;
          store<f64>(ga + kb, load<f64>(ga + kb) + v);
          store<f64>(gbb + kb, load<f64>(gbb + kb) + v);
        }
      }
    }
    // Decoder gradients back to the parameter layout.
    lb = weightsStart;
    off = Esz;
    for (let l = 0; l < NL; l++) {
      const fin = sizeAt(sizes, l), fout = sizeAt(sizes, l + 1);
      const Pin = paddedWide<T>(fin), Pout = paddedWide<T>(fout);
      const GW = lb + <usize>(2 * Pin * Pout + Pout) * S;
      const Gb = GW + <usize>(Pin * Pout) * S;
      for (let j = 0; j < fout; j++) {
        const row = gb + <usize>(off + j * fin) * 8;
        const gr = GW + <usize>(j * Pin) * S;
        for (let t = 0; t < fin; t++) store<f64>(row + <usize>t * 8, <f64>load<T>(gr + <usize>t * S));
        store<f64>(gb + <usize>(off + fin * fout + j) * 8, <f64>load<T>(Gb + <usize>j * S));
      }
      lb += <usize>layerElems(Pin, Pout) * S;
      off += fin * fout + fout;
    }
    store<f64>(energy + <usize>r * 8, loss * g);
  }
}
