/**
 * Energy and gradient of modular-addition-square (src/potentials/neural/
 * modular-addition-square.ts holds the reference in plain TypeScript and the
 * maths): per replica, w and a are transposed into scratch (2P × Np, P × Np,
 * the neuron axis padded with zeros to a whole number of lanes) so that every
 * inner loop is a v128 loop over neurons; pairs go through in blocks of 4
 * (outputs 4 pairs × 2 outputs per pass; then, per lane block of neurons, the
 * output-weight gradient for every k and the back-propagated S in registers).
 * Padded neurons have zero weights: they add nothing to outputs or gradients.
 *
 * All pointers are byte offsets into this module's memory. x, energy and grad
 * are always f64; T is the arithmetic of the network (f64 or f32).
 */
import { hsum, lanes, padded } from './simd';

/** Bytes of scratch one call needs. */
export function maScratchBytes<T>(P: i32, N: i32): i32 {
  const Np = padded<T>(N);
  return (2 * (2 * P) * Np + 2 * P * Np + 8 * Np + 4 * P) * sizeof<T>();
}

// @ts-ignore: decorator
@inline
export function maEnergyGrad<T>(
  x: usize, count: i32, dim: i32, P: i32, N: i32,
  picks: usize, pickStride: i32, nPick: i32,
  rowN: usize, rowM: usize, cls: usize,
  off: f64, g2: f64, dataScale: f64, ipw: f64, ipa: f64,
  energy: usize, grad: usize, scratch: usize,
): void {
  const S = <usize>sizeof<T>();
  const L = lanes<T>();
  const D2 = 2 * P;
  const Np = padded<T>(N);
  const rowBytes = <usize>Np * S;
  const wT = scratch;
  const aT = wT + <usize>D2 * rowBytes;
  const gT = aT + <usize>P * rowBytes;
  const gaT = gT + <usize>D2 * rowBytes;
  const Z = gaT + <usize>P * rowBytes;
  const H = Z + 4 * rowBytes;
  const E = H + 4 * rowBytes;
  const Wsz = N * D2;
  const zero = v128.splat<T>(<T>0);
  const g2T = <T>g2;
  // Padding columns stay zero: clear the weight scratch once per call.
  memory.fill(wT, 0, <usize>(D2 + P) * rowBytes);

  for (let r = 0; r < count; r++) {
    const xb = x + <usize>r * <usize>dim * 8;
    const gb = grad + <usize>r * <usize>dim * 8;
    for (let c = 0; c < N; c++) {
      const wo = xb + <usize>(c * D2) * 8;
      for (let j = 0; j < D2; j++) store<T>(wT + <usize>j * rowBytes + <usize>c * S, <T>load<f64>(wo + <usize>j * 8));
      const ao = xb + <usize>(Wsz + c * P) * 8;
      for (let k = 0; k < P; k++) store<T>(aT + <usize>k * rowBytes + <usize>c * S, <T>load<f64>(ao + <usize>k * 8));
    }
    memory.fill(gT, 0, <usize>(D2 + P) * rowBytes);
    const pr = picks + <usize>r * <usize>pickStride * 4;
    let data: f64 = 0;
    for (let i0 = 0; i0 < nPick; i0 += 4) {
      const nb = min(4, nPick - i0);
      // Gather z = w_n + w_{P+m} and h = z² (a short block repeats its last pair, with zero error).
      for (let q = 0; q < 4; q++) {
        const i = load<i32>(pr + <usize>(i0 + (q < nb ? q : nb - 1)) * 4);
        const rn = wT + <usize>load<i32>(rowN + <usize>i * 4) * rowBytes;
        const rm = wT + <usize>load<i32>(rowM + <usize>i * 4) * rowBytes;
        const zo = Z + <usize>q * rowBytes;
        const ho = H + <usize>q * rowBytes;
        for (let c = 0; c < Np; c += L) {
          const cb = <usize>c * S;
          const z = v128.add<T>(v128.load(rn + cb), v128.load(rm + cb));
          v128.store(zo + cb, z);
          v128.store(ho + cb, v128.mul<T>(z, z));
        }
      }
      const c0 = load<i32>(cls + <usize>load<i32>(pr + <usize>i0 * 4) * 4);
      const c1 = nb > 1 ? load<i32>(cls + <usize>load<i32>(pr + <usize>(i0 + 1) * 4) * 4) : -1;
      const c2 = nb > 2 ? load<i32>(cls + <usize>load<i32>(pr + <usize>(i0 + 2) * 4) * 4) : -1;
      const c3 = nb > 3 ? load<i32>(cls + <usize>load<i32>(pr + <usize>(i0 + 3) * 4) * 4) : -1;
      // Outputs y_{q,k} = Σ_c h_{q,c} a_{c,k}: 4 pairs × 2 outputs per pass; E = g2 · (y + off − δ).
      for (let k = 0; k < P; k += 2) {
        const k1 = k + 1 < P ? k + 1 : k;
        const a0p = aT + <usize>k * rowBytes;
        const a1p = aT + <usize>k1 * rowBytes;
        let s00 = zero, s10 = zero, s20 = zero, s30 = zero, s01 = zero, s11 = zero, s21 = zero, s31 = zero;
        if (k1 != k) {
          for (let c = 0; c < Np; c += L) {
            const cb = <usize>c * S;
            const a0 = v128.load(a0p + cb);
            const a1 = v128.load(a1p + cb);
            const h0 = v128.load(H + cb);
            const h1 = v128.load(H + rowBytes + cb);
            const h2 = v128.load(H + 2 * rowBytes + cb);
            const h3 = v128.load(H + 3 * rowBytes + cb);
            s00 = v128.add<T>(s00, v128.mul<T>(h0, a0));
            s10 = v128.add<T>(s10, v128.mul<T>(h1, a0));
            s20 = v128.add<T>(s20, v128.mul<T>(h2, a0));
            s30 = v128.add<T>(s30, v128.mul<T>(h3, a0));
            s01 = v128.add<T>(s01, v128.mul<T>(h0, a1));
            s11 = v128.add<T>(s11, v128.mul<T>(h1, a1));
            s21 = v128.add<T>(s21, v128.mul<T>(h2, a1));
            s31 = v128.add<T>(s31, v128.mul<T>(h3, a1));
          }
        } else {
          // The last output of an odd P alone.
          for (let c = 0; c < Np; c += L) {
            const cb = <usize>c * S;
            const a0 = v128.load(a0p + cb);
            s00 = v128.add<T>(s00, v128.mul<T>(v128.load(H + cb), a0));
            s10 = v128.add<T>(s10, v128.mul<T>(v128.load(H + rowBytes + cb), a0));
            s20 = v128.add<T>(s20, v128.mul<T>(v128.load(H + 2 * rowBytes + cb), a0));
            s30 = v128.add<T>(s30, v128.mul<T>(v128.load(H + 3 * rowBytes + cb), a0));
          }
        }
        for (let kk = k; kk <= k1; kk++) {
          const first = kk == k;
          const r0 = (first ? hsum<T>(s00) : hsum<T>(s01)) + off - (c0 == kk ? 1.0 : 0.0);
          store<T>(E + <usize>kk * S, g2T * <T>r0);
          data += r0 * r0;
          if (c1 >= 0) {
            const r1 = (first ? hsum<T>(s10) : hsum<T>(s11)) + off - (c1 == kk ? 1.0 : 0.0);
            store<T>(E + <usize>(P + kk) * S, g2T * <T>r1);
            data += r1 * r1;
          } else store<T>(E + <usize>(P + kk) * S, <T>0);
          if (c2 >= 0) {
            const r2 = (first ? hsum<T>(s20) : hsum<T>(s21)) + off - (c2 == kk ? 1.0 : 0.0);
            store<T>(E + <usize>(2 * P + kk) * S, g2T * <T>r2);
            data += r2 * r2;
          } else store<T>(E + <usize>(2 * P + kk) * S, <T>0);
          if (c3 >= 0) {
            const r3 = (first ? hsum<T>(s30) : hsum<T>(s31)) + off - (c3 == kk ? 1.0 : 0.0);
            store<T>(E + <usize>(3 * P + kk) * S, g2T * <T>r3);
            data += r3 * r3;
          } else store<T>(E + <usize>(3 * P + kk) * S, <T>0);
        }
      }
      // Per lane block of neurons c: ∂/∂a_{c,k} += Σ_q E_{q,k} h_{q,c} for every k, S_{q,c} = Σ_k E_{q,k} a_{c,k}
      // kept in registers, then ∂/∂z = 2 z S scattered to both inputs of each pair.
      const iq0 = load<i32>(pr + <usize>i0 * 4);
      const iq1 = load<i32>(pr + <usize>(i0 + (nb > 1 ? 1 : 0)) * 4);
      const iq2 = load<i32>(pr + <usize>(i0 + (nb > 2 ? 2 : 0)) * 4);
      const iq3 = load<i32>(pr + <usize>(i0 + (nb > 3 ? 3 : 0)) * 4);
      const n0 = gT + <usize>load<i32>(rowN + <usize>iq0 * 4) * rowBytes, m0 = gT + <usize>load<i32>(rowM + <usize>iq0 * 4) * rowBytes;
      const n1 = gT + <usize>load<i32>(rowN + <usize>iq1 * 4) * rowBytes, m1 = gT + <usize>load<i32>(rowM + <usize>iq1 * 4) * rowBytes;
      const n2 = gT + <usize>load<i32>(rowN + <usize>iq2 * 4) * rowBytes, m2 = gT + <usize>load<i32>(rowM + <usize>iq2 * 4) * rowBytes;
      const n3 = gT + <usize>load<i32>(rowN + <usize>iq3 * 4) * rowBytes, m3 = gT + <usize>load<i32>(rowM + <usize>iq3 * 4) * rowBytes;
      const two = v128.splat<T>(<T>2);
      const E1 = E + <usize>P * S, E2 = E + <usize>(2 * P) * S, E3 = E + <usize>(3 * P) * S;
      for (let c = 0; c < Np; c += L) {
        const cb = <usize>c * S;
        const h0 = v128.load(H + cb);
        const h1 = v128.load(H + rowBytes + cb);
        const h2 = v128.load(H + 2 * rowBytes + cb);
        const h3 = v128.load(H + 3 * rowBytes + cb);
        let s0 = zero, s1 = zero, s2 = zero, s3 = zero;
        for (let k = 0; k < P; k++) {
          const kb = <usize>k * S;
          const e0 = v128.load_splat<T>(E + kb);
          const e1 = v128.load_splat<T>(E1 + kb);
          const e2 = v128.load_splat<T>(E2 + kb);
          const e3 = v128.load_splat<T>(E3 + kb);
          const gk = gaT + <usize>k * rowBytes + cb;
          const ga = v128.add<T>(v128.add<T>(v128.mul<T>(e0, h0), v128.mul<T>(e1, h1)), v128.add<T>(v128.mul<T>(e2, h2), v128.mul<T>(e3, h3)));
          v128.store(gk, v128.add<T>(v128.load(gk), ga));
          const a = v128.load(aT + <usize>k * rowBytes + cb);
          s0 = v128.add<T>(s0, v128.mul<T>(e0, a));
          s1 = v128.add<T>(s1, v128.mul<T>(e1, a));
          s2 = v128.add<T>(s2, v128.mul<T>(e2, a));
          s3 = v128.add<T>(s3, v128.mul<T>(e3, a));
        }
        // Pairs beyond nb have E = 0, hence dz = 0: scattering it changes nothing but is skipped anyway.
        let dz = v128.mul<T>(v128.mul<T>(two, v128.load(Z + cb)), s0);
        v128.store(n0 + cb, v128.add<T>(v128.load(n0 + cb), dz));
        v128.store(m0 + cb, v128.add<T>(v128.load(m0 + cb), dz));
        if (nb > 1) {
          dz = v128.mul<T>(v128.mul<T>(two, v128.load(Z + rowBytes + cb)), s1);
          v128.store(n1 + cb, v128.add<T>(v128.load(n1 + cb), dz));
          v128.store(m1 + cb, v128.add<T>(v128.load(m1 + cb), dz));
        }
        if (nb > 2) {
          dz = v128.mul<T>(v128.mul<T>(two, v128.load(Z + 2 * rowBytes + cb)), s2);
          v128.store(n2 + cb, v128.add<T>(v128.load(n2 + cb), dz));
          v128.store(m2 + cb, v128.add<T>(v128.load(m2 + cb), dz));
        }
        if (nb > 3) {
          dz = v128.mul<T>(v128.mul<T>(two, v128.load(Z + 3 * rowBytes + cb)), s3);
          v128.store(n3 + cb, v128.add<T>(v128.load(n3 + cb), dz));
          v128.store(m3 + cb, v128.add<T>(v128.load(m3 + cb), dz));
        }
      }
    }
    // Back to the parameter layout, plus the Gaussian priors.
    let w2: f64 = 0;
    for (let c = 0; c < N; c++) {
      const wo = <usize>(c * D2) * 8;
      for (let j = 0; j < D2; j++) {
        const v = load<f64>(xb + wo + <usize>j * 8);
        w2 += v * v;
        store<f64>(gb + wo + <usize>j * 8, <f64>load<T>(gT + <usize>j * rowBytes + <usize>c * S) + ipw * v);
      }
    }
    let a2: f64 = 0;
    for (let c = 0; c < N; c++) {
      const ao = <usize>(Wsz + c * P) * 8;
      for (let k = 0; k < P; k++) {
        const v = load<f64>(xb + ao + <usize>k * 8);
        a2 += v * v;
        store<f64>(gb + ao + <usize>k * 8, <f64>load<T>(gaT + <usize>k * rowBytes + <usize>c * S) + ipa * v);
      }
    }
    store<f64>(energy + <usize>r * 8, dataScale * data + 0.5 * ipw * w2 + 0.5 * ipa * a2);
  }
}
