/**
 * Energy (mean BCE-with-logits) and gradient of relation-learner, the GenEFT
 * encoder–decoder (src/potentials/relation/relation-learner.ts holds the
 * reference in plain TypeScript and the maths). Per replica, every layer's
 * weights are copied into scratch twice, as W (fanOut × fanIn) and Wᵀ, with
 * widths zero-padded to whole lanes (hidden widths to two v128s), so that all
 * three products of a dense layer (forward H Wᵀ, weight gradient Δᵀ H, input
 * gradient Δ W) are broadcast-scalar × v128-row updates without horizontal
 * sums. Padded units have zero weights and bias: tanh(0) = 0, no gradient.
 * Pairs go through in chunks of 64 (rows padded to 4 with zero error).
 *
 * Layout of x per replica (as the TS potential): E (n × d), then per layer
 * l = 0 … depth: W_l (fanOut × fanIn, row-major), b_l (fanOut).
 */
import { ACT_NONE, ACT_TANH_V, block4x2, hsum, lanes, loadDense, padded } from './simd';

const CHUNK = 64;

/** Hidden widths are padded to two v128s (the forward pass works on pairs of vectors). */
// @ts-ignore: decorator
@inline function paddedWide<T>(n: i32): i32 {
  const L2 = 2 * lanes<T>();
  return ((n + L2 - 1) / L2) * L2;
}

/** Bytes of scratch one call needs (same sequence of regions as rlEnergyGrad). */
export function rlScratchBytes<T>(I: i32, width: i32, depth: i32): i32 {
  const Ip = padded<T>(I);
  const Wp = paddedWide<T>(width);
  let e = 0;
  for (let l = 0; l < depth; l++) {
    const inP = l == 0 ? Ip : Wp;
    e += 3 * inP * Wp + 2 * Wp;
  }
  const inL = depth == 0 ? Ip : Wp;
  e += 2 * inL;
  e += CHUNK * Ip + depth * CHUNK * Wp; // activations
  e += CHUNK * max(Wp, Ip) + CHUNK * Wp + CHUNK; // dA, D, delta
  return e * sizeof<T>() + CHUNK * 8; // + logits (f64)
}

// @ts-ignore: decorator
@inline
export function rlEnergyGrad<T>(
  x: usize, count: i32, dim: i32, n: i32, d: i32, combine: i32, depth: i32, width: i32,
  picks: usize, pickStride: i32, nPick: i32, pairs: usize, labels: usize,
  energy: usize, grad: usize, scratch: usize,
): void {
  const S = <usize>sizeof<T>();
  const L = lanes<T>();
  const L2 = 2 * L;
  const I = combine == 0 ? 2 * d : d;
  const Ip = padded<T>(I);
  const Wp = paddedWide<T>(width);
  const inL = depth == 0 ? Ip : Wp;
  const fanInL = depth == 0 ? I : width;
  const enc = n * d;
  const zero = v128.splat<T>(<T>0);
  const one = v128.splat<T>(<T>1);

  // Scratch regions (bytes), in the order of rlScratchBytes. Per hidden layer l: WT, Wn, bias, GW, Gb.
  // Layer l's regions start at layerBase(l) = scratch + Σ_{l'<l} (3 inP_l' Wp + 2 Wp) S.
  let p = scratch;
  const weightsStart = p;
  for (let l = 0; l < depth; l++) p += <usize>(3 * (l == 0 ? Ip : Wp) * Wp + 2 * Wp) * S;
  const wout = p;
  const gwout = wout + <usize>inL * S;
  p = gwout + <usize>inL * S;
  const act0 = p;
  p += <usize>(CHUNK * Ip) * S;
  const actH = p; // act_{l+1} = actH + l · CHUNK · Wp
  p += <usize>(depth * CHUNK * Wp) * S;
  const dA = p;
  p += <usize>(CHUNK * max(Wp, Ip)) * S;
  const Dm = p;
  p += <usize>(CHUNK * Wp) * S;
  const delta = p;
  p += <usize>CHUNK * S;
  const logit = p;
  const dAstride = <usize>max(Wp, Ip) * S;

  memory.fill(scratch, 0, p + CHUNK * 8 - scratch);

  for (let r = 0; r < count; r++) {
    const xb = x + <usize>r * <usize>dim * 8;
    const gb = grad + <usize>r * <usize>dim * 8;
    // Weights into scratch (W and Wᵀ, padded), gradient accumulators cleared.
    let lb = weightsStart;
    let off = enc; // element offset of W_l in the replica's row
    for (let l = 0; l < depth; l++) {
      const fanIn = l == 0 ? I : width;
      const inP = l == 0 ? Ip : Wp;
      const WT = lb;
      const Wn = WT + <usize>(inP * Wp) * S;
      const bias = Wn + <usize>(Wp * inP) * S;
      const GW = bias + <usize>Wp * S;
      loadDense<T>(xb + <usize>off * 8, fanIn, width, Wn, <usize>inP * S, WT, <usize>Wp * S, bias);
      memory.fill(GW, 0, <usize>(inP * Wp + Wp) * S);
      lb += <usize>(3 * inP * Wp + 2 * Wp) * S;
      off += fanIn * width + width;
    }
    for (let t = 0; t < fanInL; t++) store<T>(wout + <usize>t * S, <T>load<f64>(xb + <usize>(off + t) * 8));
    const boutOff = off + fanInL;
    const bout = load<f64>(xb + <usize>boutOff * 8);
    memory.fill(gwout, 0, <usize>inL * S);
    let gbout: f64 = 0;
    memory.fill(gb, 0, <usize>enc * 8);

    const pr = picks + <usize>r * <usize>pickStride * 4;
    const scale = 1.0 / <f64>nPick;
    let loss: f64 = 0;
    for (let c0 = 0; c0 < nPick; c0 += CHUNK) {
      const nb = min(CHUNK, nPick - c0);
      const nb4 = (nb + 3) & ~3;
      // Gather the decoder inputs (rows ≥ nb repeat the last pair; their error is set to 0).
      for (let q = 0; q < nb4; q++) {
        const pair = load<i32>(pairs + <usize>load<i32>(pr + <usize>(c0 + (q < nb ? q : nb - 1)) * 4) * 4);
        const a = pair / n;
        const ea = xb + <usize>(a * d) * 8;
        const eb = xb + <usize>((pair - a * n) * d) * 8;
        const o = act0 + <usize>(q * Ip) * S;
        for (let j = 0; j < d; j++) {
          const u = load<f64>(ea + <usize>j * 8);
          const w = load<f64>(eb + <usize>j * 8);
          if (combine == 0) {
            store<T>(o + <usize>j * S, <T>u);
            store<T>(o + <usize>(d + j) * S, <T>w);
          } else if (combine == 1) store<T>(o + <usize>j * S, <T>(u - w));
          else store<T>(o + <usize>j * S, <T>((u - w) * (u - w)));
        }
      }
      // Forward through the hidden layers: act_{l+1} = tanh(b + act_l Wᵀ), 4 rows × 2 vectors per pass.
      lb = weightsStart;
      for (let l = 0; l < depth; l++) {
        const fanIn = l == 0 ? I : width;
        const inP = l == 0 ? Ip : Wp;
        const WT = lb;
        const bias = WT + <usize>(2 * inP * Wp) * S;
        const ain = l == 0 ? act0 : actH + <usize>((l - 1) * CHUNK * Wp) * S;
        const aout = actH + <usize>(l * CHUNK * Wp) * S;
        const rin = <usize>inP * S;
        const rout = <usize>Wp * S;
        for (let q0 = 0; q0 < nb4; q0 += 4) {
          const i0 = ain + <usize>q0 * rin;
          const o0 = aout + <usize>q0 * rout;
          for (let j0 = 0; j0 < Wp; j0 += L2) {
            const jb = <usize>j0 * S;
            block4x2<T>(i0, rin, 2 * rin, 3 * rin, S, WT + jb, rout, fanIn, o0 + jb, rout, 2 * rout, 3 * rout, bias + jb, false, ACT_TANH_V);
          }
        }
        lb += <usize>(3 * inP * Wp + 2 * Wp) * S;
      }
      // Output layer: logit = b + h · w_out; δ = (sigmoid(z) − y)/B; loss += BCE(z, y).
      const hL = depth == 0 ? act0 : actH + <usize>((depth - 1) * CHUNK * Wp) * S;
      const rL = <usize>inL * S;
      for (let q = 0; q < nb4; q++) {
        const h = hL + <usize>q * rL;
        let s = zero;
        for (let t = 0; t < inL; t += L) s = v128.add<T>(s, v128.mul<T>(v128.load(h + <usize>t * S), v128.load(wout + <usize>t * S)));
        const z = hsum<T>(s) + bout;
        store<f64>(logit + <usize>q * 8, z);
        if (q < nb) {
          const y = load<f64>(labels + <usize>load<i32>(pr + <usize>(c0 + q) * 4) * 8);
          loss += (z > 0 ? z : 0) - y * z + Math.log1p(Math.exp(-Math.abs(z)));
          let sg: f64;
          if (z >= 0) sg = 1 / (1 + Math.exp(-z));
          else {
            const e = Math.exp(z);
            sg = e / (1 + e);
          }
          const dz = (sg - y) * scale;
          gbout += dz;
          store<T>(delta + <usize>q * S, <T>dz);
        } else store<T>(delta + <usize>q * S, <T>0);
      }
      // ∂w_out += Σ_q δ_q h_q; dA_q = δ_q w_out.
      for (let t = 0; t < inL; t += L) {
        const tb = <usize>t * S;
        const w = v128.load(wout + tb);
        let g = v128.load(gwout + tb);
        for (let q = 0; q < nb4; q++) {
          const dq = v128.load_splat<T>(delta + <usize>q * S);
          g = v128.add<T>(g, v128.mul<T>(dq, v128.load(hL + <usize>q * rL + tb)));
          v128.store(dA + <usize>q * dAstride + tb, v128.mul<T>(dq, w));
        }
        v128.store(gwout + tb, g);
      }
      // Hidden layers, top down: D = dA ⊙ (1 − h²); ∂b += Σ_q D; ∂Wᵀ += act_lᵀ D; dA ← D W.
      for (let l = depth - 1; l >= 0; l--) {
        const fanIn = l == 0 ? I : width;
        const inP = l == 0 ? Ip : Wp;
        let base = weightsStart;
        for (let m = 0; m < l; m++) base += <usize>(3 * (m == 0 ? Ip : Wp) * Wp + 2 * Wp) * S;
        const Wn = base + <usize>(inP * Wp) * S;
        const GW = Wn + <usize>(Wp * inP + Wp) * S;
        const Gb = GW + <usize>(inP * Wp) * S;
        const ain = l == 0 ? act0 : actH + <usize>((l - 1) * CHUNK * Wp) * S;
        const hout = actH + <usize>(l * CHUNK * Wp) * S;
        const rin = <usize>inP * S;
        const rW = <usize>Wp * S;
        for (let j = 0; j < Wp; j += L) {
          const jb = <usize>j * S;
          let gsum = v128.load(Gb + jb);
          for (let q = 0; q < nb4; q++) {
            const h = v128.load(hout + <usize>q * rW + jb);
            const dv = v128.mul<T>(v128.load(dA + <usize>q * dAstride + jb), v128.sub<T>(one, v128.mul<T>(h, h)));
            v128.store(Dm + <usize>q * rW + jb, dv);
            gsum = v128.add<T>(gsum, dv);
          }
          v128.store(Gb + jb, gsum);
        }
        // ∂Wᵀ[t][j] += Σ_q act_l[q][t] D[q][j]: 4 inputs × 2 vectors per pass.
        let t = 0;
        for (; t + 3 < fanIn; t += 4) {
          for (let j0 = 0; j0 < Wp; j0 += L2) {
            const jb = <usize>j0 * S;
            block4x2<T>(ain + <usize>t * S, S, 2 * S, 3 * S, rin, Dm + jb, rW, nb4, GW + <usize>t * rW + jb, rW, 2 * rW, 3 * rW, 0, true, ACT_NONE);
          }
        }
        for (; t < fanIn; t++) {
          for (let j0 = 0; j0 < Wp; j0 += L) {
            const g0 = GW + <usize>t * rW + <usize>j0 * S;
            let s = v128.load(g0);
            for (let q = 0; q < nb4; q++)
              s = v128.add<T>(s, v128.mul<T>(v128.load_splat<T>(ain + <usize>q * rin + <usize>t * S), v128.load(Dm + <usize>q * rW + <usize>j0 * S)));
            v128.store(g0, s);
          }
        }
        // dA[q][t] = Σ_j D[q][j] W[j][t] (the gradient w.r.t. this layer's input): 4 rows × 2 vectors per pass
        // (× 1 vector for a last odd vector of inputs).
        for (let q0 = 0; q0 < nb4; q0 += 4) {
          const d0 = Dm + <usize>q0 * rW;
          let t0 = 0;
          for (; t0 + L2 <= inP; t0 += L2) {
            const tb = <usize>t0 * S;
            block4x2<T>(d0, rW, 2 * rW, 3 * rW, S, Wn + tb, rin, width, dA + <usize>q0 * dAstride + tb, dAstride, 2 * dAstride, 3 * dAstride, 0, false, ACT_NONE);
          }
          for (; t0 < inP; t0 += L) {
            const tb = <usize>t0 * S;
            let s0 = zero, s1 = zero, s2 = zero, s3 = zero;
            for (let j = 0; j < width; j++) {
              const w = v128.load(Wn + <usize>j * rin + tb);
              const jb = <usize>j * S;
              s0 = v128.add<T>(s0, v128.mul<T>(v128.load_splat<T>(d0 + jb), w));
              s1 = v128.add<T>(s1, v128.mul<T>(v128.load_splat<T>(d0 + rW + jb), w));
              s2 = v128.add<T>(s2, v128.mul<T>(v128.load_splat<T>(d0 + 2 * rW + jb), w));
              s3 = v128.add<T>(s3, v128.mul<T>(v128.load_splat<T>(d0 + 3 * rW + jb), w));
            }
            const o = dA + <usize>q0 * dAstride + tb;
            v128.store(o, s0);
            v128.store(o + dAstride, s1);
            v128.store(o + 2 * dAstride, s2);
            v128.store(o + 3 * dAstride, s3);
          }
        }
      }
      // dA holds ∂U/∂(decoder input): scatter to the two embeddings of each pair.
      for (let q = 0; q < nb; q++) {
        const pair = load<i32>(pairs + <usize>load<i32>(pr + <usize>(c0 + q) * 4) * 4);
        const a = pair / n;
        const ga = gb + <usize>(a * d) * 8;
        const gbb = gb + <usize>((pair - a * n) * d) * 8;
        const o = dA + <usize>q * dAstride;
        for (let j = 0; j < d; j++) {
          const jb = <usize>j * 8;
          if (combine == 0) {
            store<f64>(ga + jb, load<f64>(ga + jb) + <f64>load<T>(o + <usize>j * S));
            store<f64>(gbb + jb, load<f64>(gbb + jb) + <f64>load<T>(o + <usize>(d + j) * S));
          } else if (combine == 1) {
            const g = <f64>load<T>(o + <usize>j * S);
            store<f64>(ga + jb, load<f64>(ga + jb) + g);
            store<f64>(gbb + jb, load<f64>(gbb + jb) - g);
          } else {
            const g = 2 * (load<f64>(xb + <usize>(a * d + j) * 8) - load<f64>(xb + <usize>((pair - a * n) * d + j) * 8)) * <f64>load<T>(o + <usize>j * S);
            store<f64>(ga + jb, load<f64>(ga + jb) + g);
            store<f64>(gbb + jb, load<f64>(gbb + jb) - g);
          }
        }
      }
    }
    // Decoder gradients back to the parameter layout.
    lb = weightsStart;
    off = enc;
    for (let l = 0; l < depth; l++) {
      const fanIn = l == 0 ? I : width;
      const inP = l == 0 ? Ip : Wp;
      const GW = lb + <usize>(2 * inP * Wp + Wp) * S;
      const Gb = GW + <usize>(inP * Wp) * S;
      for (let j = 0; j < width; j++) {
        const row = gb + <usize>(off + j * fanIn) * 8;
        for (let t = 0; t < fanIn; t++) store<f64>(row + <usize>t * 8, <f64>load<T>(GW + <usize>(t * Wp + j) * S));
        store<f64>(gb + <usize>(off + fanIn * width + j) * 8, <f64>load<T>(Gb + <usize>j * S));
      }
      lb += <usize>(3 * inP * Wp + 2 * Wp) * S;
      off += fanIn * width + width;
    }
    for (let t = 0; t < fanInL; t++) store<f64>(gb + <usize>(off + t) * 8, <f64>load<T>(gwout + <usize>t * S));
    store<f64>(gb + <usize>boutOff * 8, gbout);
    store<f64>(energy + <usize>r * 8, loss * scale);
  }
}
