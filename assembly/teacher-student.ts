/**
 * Energy and gradient of teacher-student-erf (src/potentials/neural/
 * teacher-student-erf.ts holds the reference in plain TypeScript and the
 * maths): f(x) = Σ_i a_i erf(w_i · x), U = (Σ_μ (f(x_μ) − y_μ)²)/(2σ²) · factor
 * + |w|²/(2 s_w²) + |a|²/(2 s_a²).
 *
 * Per replica, w (N × d) is transposed into scratch (d × Np, the neuron axis
 * zero-padded to two v128s) and a into a row of Np, so that every inner loop
 * is a v128 loop over neurons. Samples go through in blocks of 4 (a short last
 * block repeats its last sample with zero error, as the TS kernel does): the
 * projections u = w·x of 4 samples × 2 vectors of neurons are accumulated in
 * registers (one broadcast input component × one row of wᵀ each), then erf(u)
 * and (2/√π) e^{−u²} per lane; the backward pass adds Σ_q e_q a_i erf'(u_q) x_q
 * to the transposed gradient, again 4 samples × 2 vectors per pass.
 * Padded neurons have zero weights: u = 0, erf 0, and a = 0 kills their
 * gradient.
 *
 * All pointers are byte offsets into this module's memory. x, X, y, energy and
 * grad are always f64; T is the arithmetic of the network (f64 or f32; f32
 * copies X to T once per call).
 */
import { expNeg, fma, hsum, lanes, sp } from './simd';

/** The neuron axis is padded to two v128s (every pass works on pairs of vectors). */
// @ts-ignore: decorator
@inline function paddedWide<T>(n: i32): i32 {
  const L2 = 2 * lanes<T>();
  return ((n + L2 - 1) / L2) * L2;
}

/** Bytes of scratch one call needs (same regions as tsEnergyGrad). */
export function tsScratchBytes<T>(d: i32, N: i32, n: i32): i32 {
  const Np = paddedWide<T>(N);
  const xt = sizeof<T>() == 8 ? 0 : n * d;
  return (xt + 2 * d * Np + 2 * Np + 8 * Np) * sizeof<T>();
}

// erf: the piecewise fits of src/stats/special.ts (Chebyshev interpolants
// computed with mpmath at 60 digits, converted to monomials; measured 2e-16
// relative), evaluated per lane:
//   |u| < 1:        erf(u) = u · A(u²)
//   1 ≤ |u| < 2.5:  erf(|u|) = 1 − e^{−u²} B((|u| − 1.75)/0.75)
//   2.5 ≤ |u| < 6:  erf(|u|) = 1 − e^{−u²} C((|u| − 4.25)/1.75)
//   |u| ≥ 6:        erf(|u|) = 1 (erfc(6) < ½ ulp(1); the TS kernel's 1 − e^{−u²} erfcx(|u|) rounds to 1 there too)

/** erf(u)/u as a polynomial in u², |u| < 1 (degree 12): Estrin for the terms of degree ≥ 3, Horner for the last three (1 ulp less error). */
// @ts-ignore: decorator
@inline function polyA<T>(u: v128): v128 {
  if (sizeof<T>() == 4) {
    // float32: the terms of degree < 10 (the rest is below f32 rounding here)
    const e1_0 = v128.add<T>(sp<T>(1.1283791670955126), v128.mul<T>(sp<T>(-0.3761263890318375), u));
    const e1_1 = v128.add<T>(sp<T>(0.11283791670954879), v128.mul<T>(sp<T>(-0.026866170645076792), u));
    const e1_2 = v128.add<T>(sp<T>(0.0052239776248180145), v128.mul<T>(sp<T>(-0.000854832698083379), u));
    const e1_3 = v128.add<T>(sp<T>(0.0001205533111164271), v128.mul<T>(sp<T>(-1.4925595266831182e-5), u));
    const e1_4 = v128.add<T>(sp<T>(1.6461000484121368e-6), v128.mul<T>(sp<T>(-1.6350312701054695e-7), u));
    const u2 = v128.mul<T>(u, u);
    const e2_0 = v128.add<T>(e1_0, v128.mul<T>(e1_1, u2));
    const e2_1 = v128.add<T>(e1_2, v128.mul<T>(e1_3, u2));
    const e2_2 = e1_4;
    const u4 = v128.mul<T>(u2, u2);
    const e3_0 = v128.add<T>(e2_0, v128.mul<T>(e2_1, u4));
    const e3_1 = e2_2;
    const u8 = v128.mul<T>(u4, u4);
    const e4_0 = v128.add<T>(e3_0, v128.mul<T>(e3_1, u8));
    return e4_0;
  }
  const e1_0 = v128.add<T>(sp<T>(-0.026866170645076792), v128.mul<T>(sp<T>(0.0052239776248180145), u));
  const e1_1 = v128.add<T>(sp<T>(-0.000854832698083379), v128.mul<T>(sp<T>(0.0001205533111164271), u));
  const e1_2 = v128.add<T>(sp<T>(-1.4925595266831182e-5), v128.mul<T>(sp<T>(1.6461000484121368e-6), u));
  const e1_3 = v128.add<T>(sp<T>(-1.6350312701054695e-7), v128.mul<T>(sp<T>(1.4659775274047436e-8), u));
  const e1_4 = v128.add<T>(sp<T>(-1.1372848856791674e-9), v128.mul<T>(sp<T>(5.957176147748911e-11), u));
  const u2 = v128.mul<T>(u, u);
  const e2_0 = v128.add<T>(e1_0, v128.mul<T>(e1_1, u2));
  const e2_1 = v128.add<T>(e1_2, v128.mul<T>(e1_3, u2));
  const e2_2 = e1_4;
  const u4 = v128.mul<T>(u2, u2);
  const e3_0 = v128.add<T>(e2_0, v128.mul<T>(e2_1, u4));
  const e3_1 = e2_2;
  const u8 = v128.mul<T>(u4, u4);
  const e4_0 = v128.add<T>(e3_0, v128.mul<T>(e3_1, u8));
  let r = e4_0;
  r = fma<T>(r, u, 0.11283791670954879);
  r = fma<T>(r, u, -0.3761263890318375);
  r = fma<T>(r, u, 1.1283791670955126);
  return r;
}

/** e^{x²} erfc(x) on [1, 2.5] in u = (x − 1.75)/0.75 (degree 18). */
// @ts-ignore: decorator
@inline function polyB<T>(u: v128): v128 {
  if (sizeof<T>() == 4) {
    // float32: the terms of degree < 12 (the rest is below f32 rounding here)
    const e1_0 = v128.add<T>(sp<T>(0.2849722347374364), v128.mul<T>(sp<T>(-0.09823225913586393), u));
    const e1_1 = v128.add<T>(sp<T>(0.031367041923986594), v128.mul<T>(sp<T>(-0.009390935492459373), u));
    const e1_2 = v128.add<T>(sp<T>(0.0026591791241936573), v128.mul<T>(sp<T>(-0.0007168914456252124), u));
    const e1_3 = v128.add<T>(sp<T>(0.00018495607833968411), v128.mul<T>(sp<T>(-4.5856167052362756e-5), u));
    const e1_4 = v128.add<T>(sp<T>(1.0962893607629422e-5), v128.mul<T>(sp<T>(-2.5345110647073046e-6), u));
    const e1_5 = v128.add<T>(sp<T>(5.680167343563448e-7), v128.mul<T>(sp<T>(-1.236598236632184e-7), u));
    const u2 = v128.mul<T>(u, u);
    const e2_0 = v128.add<T>(e1_0, v128.mul<T>(e1_1, u2));
    const e2_1 = v128.add<T>(e1_2, v128.mul<T>(e1_3, u2));
    const e2_2 = v128.add<T>(e1_4, v128.mul<T>(e1_5, u2));
    const u4 = v128.mul<T>(u2, u2);
    const e3_0 = v128.add<T>(e2_0, v128.mul<T>(e2_1, u4));
    const e3_1 = e2_2;
    const u8 = v128.mul<T>(u4, u4);
    const e4_0 = v128.add<T>(e3_0, v128.mul<T>(e3_1, u8));
    return e4_0;
  }
  const e1_0 = v128.add<T>(sp<T>(0.2849722347374364), v128.mul<T>(sp<T>(-0.09823225913586393), u));
  const e1_1 = v128.add<T>(sp<T>(0.031367041923986594), v128.mul<T>(sp<T>(-0.009390935492459373), u));
  const e1_2 = v128.add<T>(sp<T>(0.0026591791241936573), v128.mul<T>(sp<T>(-0.0007168914456252124), u));
  const e1_3 = v128.add<T>(sp<T>(0.00018495607833968411), v128.mul<T>(sp<T>(-4.5856167052362756e-5), u));
  const e1_4 = v128.add<T>(sp<T>(1.0962893607629422e-5), v128.mul<T>(sp<T>(-2.5345110647073046e-6), u));
  const e1_5 = v128.add<T>(sp<T>(5.680167343563448e-7), v128.mul<T>(sp<T>(-1.236598236632184e-7), u));
  const e1_6 = v128.add<T>(sp<T>(2.6200160920446488e-8), v128.mul<T>(sp<T>(-5.4141292740262066e-9), u));
  const e1_7 = v128.add<T>(sp<T>(1.0913862125386419e-9), v128.mul<T>(sp<T>(-2.1212376757225127e-10), u));
  const e1_8 = v128.add<T>(sp<T>(4.093847922889574e-11), v128.mul<T>(sp<T>(-9.189420172081477e-12), u));
  const e1_9 = sp<T>(1.691370878456324e-12);
  const u2 = v128.mul<T>(u, u);
  const e2_0 = v128.add<T>(e1_0, v128.mul<T>(e1_1, u2));
  const e2_1 = v128.add<T>(e1_2, v128.mul<T>(e1_3, u2));
  const e2_2 = v128.add<T>(e1_4, v128.mul<T>(e1_5, u2));
  const e2_3 = v128.add<T>(e1_6, v128.mul<T>(e1_7, u2));
  const e2_4 = v128.add<T>(e1_8, v128.mul<T>(e1_9, u2));
  const u4 = v128.mul<T>(u2, u2);
  const e3_0 = v128.add<T>(e2_0, v128.mul<T>(e2_1, u4));
  const e3_1 = v128.add<T>(e2_2, v128.mul<T>(e2_3, u4));
  const e3_2 = e2_4;
  const u8 = v128.mul<T>(u4, u4);
  const e4_0 = v128.add<T>(e3_0, v128.mul<T>(e3_1, u8));
  const e4_1 = e3_2;
  const u16 = v128.mul<T>(u8, u8);
  const e5_0 = v128.add<T>(e4_0, v128.mul<T>(e4_1, u16));
  return e5_0;
}

/** e^{x²} erfc(x) on [2.5, 6] in u = (x − 4.25)/1.75 (degree 20). */
// @ts-ignore: decorator
@inline function polyC<T>(u: v128): v128 {
  if (sizeof<T>() == 4) {
    // float32: the terms of degree < 11 (the rest is below f32 rounding here)
    const e1_0 = v128.add<T>(sp<T>(0.12934527478598792), v128.mul<T>(sp<T>(-0.05065257997557652), u));
    const e1_1 = v128.add<T>(sp<T>(0.019391340463735206), v128.mul<T>(sp<T>(-0.007266954317471584), u));
    const e1_2 = v128.add<T>(sp<T>(0.002669003717089505), v128.mul<T>(sp<T>(-0.0009617329800559066), u));
    const e1_3 = v128.add<T>(sp<T>(0.0003403116134277806), v128.mul<T>(sp<T>(-0.00011835418404849141), u));
    const e1_4 = v128.add<T>(sp<T>(4.048627867229854e-5), v128.mul<T>(sp<T>(-1.363174825255992e-5), u));
    const e1_5 = sp<T>(4.5205723760969075e-6);
    const u2 = v128.mul<T>(u, u);
    const e2_0 = v128.add<T>(e1_0, v128.mul<T>(e1_1, u2));
    const e2_1 = v128.add<T>(e1_2, v128.mul<T>(e1_3, u2));
    const e2_2 = v128.add<T>(e1_4, v128.mul<T>(e1_5, u2));
    const u4 = v128.mul<T>(u2, u2);
    const e3_0 = v128.add<T>(e2_0, v128.mul<T>(e2_1, u4));
    const e3_1 = e2_2;
    const u8 = v128.mul<T>(u4, u4);
    const e4_0 = v128.add<T>(e3_0, v128.mul<T>(e3_1, u8));
    return e4_0;
  }
  const e1_0 = v128.add<T>(sp<T>(0.12934527478598792), v128.mul<T>(sp<T>(-0.05065257997557652), u));
  const e1_1 = v128.add<T>(sp<T>(0.019391340463735206), v128.mul<T>(sp<T>(-0.007266954317471584), u));
  const e1_2 = v128.add<T>(sp<T>(0.002669003717089505), v128.mul<T>(sp<T>(-0.0009617329800559066), u));
  const e1_3 = v128.add<T>(sp<T>(0.0003403116134277806), v128.mul<T>(sp<T>(-0.00011835418404849141), u));
  const e1_4 = v128.add<T>(sp<T>(4.048627867229854e-5), v128.mul<T>(sp<T>(-1.363174825255992e-5), u));
  const e1_5 = v128.add<T>(sp<T>(4.5205723760969075e-6), v128.mul<T>(sp<T>(-1.477448997250808e-6), u));
  const e1_6 = v128.add<T>(sp<T>(4.760890045671601e-7), v128.mul<T>(sp<T>(-1.511638960992496e-7), u));
  const e1_7 = v128.add<T>(sp<T>(4.743282553477803e-8), v128.mul<T>(sp<T>(-1.4929607235249613e-8), u));
  const e1_8 = v128.add<T>(sp<T>(4.563823183027795e-9), v128.mul<T>(sp<T>(-1.1930845191582598e-9), u));
  const e1_9 = v128.add<T>(sp<T>(3.590738941320399e-10), v128.mul<T>(sp<T>(-1.893124342465604e-10), u));
  const e1_10 = sp<T>(5.482498637277496e-11);
  const u2 = v128.mul<T>(u, u);
  const e2_0 = v128.add<T>(e1_0, v128.mul<T>(e1_1, u2));
  const e2_1 = v128.add<T>(e1_2, v128.mul<T>(e1_3, u2));
  const e2_2 = v128.add<T>(e1_4, v128.mul<T>(e1_5, u2));
  const e2_3 = v128.add<T>(e1_6, v128.mul<T>(e1_7, u2));
  const e2_4 = v128.add<T>(e1_8, v128.mul<T>(e1_9, u2));
  const e2_5 = e1_10;
  const u4 = v128.mul<T>(u2, u2);
  const e3_0 = v128.add<T>(e2_0, v128.mul<T>(e2_1, u4));
  const e3_1 = v128.add<T>(e2_2, v128.mul<T>(e2_3, u4));
  const e3_2 = v128.add<T>(e2_4, v128.mul<T>(e2_5, u4));
  const u8 = v128.mul<T>(u4, u4);
  const e4_0 = v128.add<T>(e3_0, v128.mul<T>(e3_1, u8));
  const e4_1 = e3_2;
  const u16 = v128.mul<T>(u8, u8);
  const e5_0 = v128.add<T>(e4_0, v128.mul<T>(e4_1, u16));
  return e5_0;
}

/**
 * erf(u) per lane, given g = e^{−u²} (the caller needs g for erf' anyway):
 * the formulas and coefficients of the TS kernel's `activate` (Estrin's scheme
 * instead of Horner, and the interval maps by a multiplication: each ~1e-16
 * relative, measured 2.1e-16 against mpmath overall). A and B are evaluated
 * for every lane (a branch per vector on them mispredicts often: slower), C
 * only when some lane of the vector is in [2.5, 6).
 */
// @ts-ignore: decorator
@inline function erfV<T>(u: v128, g: v128): v128 {
  const one = sp<T>(1.0);
  const a = v128.abs<T>(u);
  const ge1 = v128.ge<T>(a, one);
  const ge25 = v128.ge<T>(a, sp<T>(2.5));
  // A and B for every lane (outside their intervals they may be huge or inf; the bitwise masks drop them).
  const small = v128.mul<T>(u, polyA<T>(v128.mul<T>(u, u)));
  // s = e^{u²} erfc(|u|) (0 for |u| ≥ 6: erf is 1 there)
  let s = v128.and(polyB<T>(v128.mul<T>(v128.sub<T>(a, sp<T>(1.75)), sp<T>(1.0 / 0.75))), v128.andnot(ge1, ge25));
  const inC = v128.andnot(ge25, v128.ge<T>(a, sp<T>(6.0)));
  if (v128.any_true(inC)) s = v128.bitselect(polyC<T>(v128.mul<T>(v128.sub<T>(a, sp<T>(4.25)), sp<T>(1.0 / 1.75))), s, inC);
  const tail = v128.sub<T>(one, v128.mul<T>(g, s));
  // copysign(tail, u) where |u| ≥ 1
  return v128.bitselect(v128.bitselect(u, tail, sp<T>(-0.0)), small, ge1);
}

const TWO_OVER_SQRT_PI: f64 = 1.1283791670955126; // 2/√π, as the TS kernel's 2 / Math.sqrt(Math.PI)

/**
 * erf(u) into act and a · (2/√π) e^{−u²} into gd (the back-propagation factor);
 * returns a · erf(u), the lane's share of f.
 */
// @ts-ignore: decorator
@inline function activate<T>(u: v128, a: v128, act: usize, gd: usize): v128 {
  const g = expNeg<T>(v128.mul<T>(u, u));
  const e = erfV<T>(u, g);
  v128.store(act, e);
  v128.store(gd, v128.mul<T>(a, v128.mul<T>(sp<T>(TWO_OVER_SQRT_PI), g)));
  return v128.mul<T>(a, e);
}

// @ts-ignore: decorator
@inline
export function tsEnergyGrad<T>(
  x: usize, count: i32, dim: i32, d: i32, N: i32, n: i32,
  picks: usize, pickStride: i32, nPick: i32, X: usize, y: usize,
  g2: f64, dataScale: f64, ipw: f64, ipa: f64,
  energy: usize, grad: usize, scratch: usize,
): void {
  const S = <usize>sizeof<T>();
  const L = lanes<T>();
  const Np = paddedWide<T>(N);
  const rowBytes = <usize>Np * S;
  const half = <usize>L * S; // bytes of one v128
  const Wsz = N * d;
  // Inputs in T: X itself in f64, a converted copy in f32.
  let XT = X;
  let p = scratch;
  if (sizeof<T>() != 8) {
    XT = scratch;
    for (let k = 0; k < n * d; k++) store<T>(XT + <usize>k * S, <T>load<f64>(X + <usize>k * 8));
    p += <usize>(n * d) * S;
  }
  const xRow = <usize>d * S;
  const wT = p;
  const aT = wT + <usize>d * rowBytes;
  const gwT = aT + rowBytes;
  const gaT = gwT + <usize>d * rowBytes;
  const ACT = gaT + rowBytes;
  const GD = ACT + 4 * rowBytes;
  const zero = v128.splat<T>(<T>0);
  // Padding columns stay zero: clear the weight scratch once per call.
  memory.fill(wT, 0, <usize>(d + 1) * rowBytes);

  for (let r = 0; r < count; r++) {
    const xb = x + <usize>r * <usize>dim * 8;
    const gb = grad + <usize>r * <usize>dim * 8;
    for (let i = 0; i < N; i++) {
      const wo = xb + <usize>(i * d) * 8;
      for (let j = 0; j < d; j++) store<T>(wT + <usize>j * rowBytes + <usize>i * S, <T>load<f64>(wo + <usize>j * 8));
      store<T>(aT + <usize>i * S, <T>load<f64>(xb + <usize>(Wsz + i) * 8));
    }
    memory.fill(gwT, 0, <usize>(d + 1) * rowBytes);
    const pr = picks + <usize>r * <usize>pickStride * 4;
    let data: f64 = 0;
    for (let k0 = 0; k0 < nPick; k0 += 4) {
      const nb = min(4, nPick - k0);
      const mu0 = load<i32>(pr + <usize>k0 * 4);
      const mu1 = load<i32>(pr + <usize>(k0 + (nb > 1 ? 1 : nb - 1)) * 4);
      const mu2 = load<i32>(pr + <usize>(k0 + (nb > 2 ? 2 : nb - 1)) * 4);
      const mu3 = load<i32>(pr + <usize>(k0 + (nb > 3 ? 3 : nb - 1)) * 4);
      const x0 = XT + <usize>mu0 * xRow, x1 = XT + <usize>mu1 * xRow, x2 = XT + <usize>mu2 * xRow, x3 = XT + <usize>mu3 * xRow;
      // Forward: u = w·x for 4 samples × 2 vectors of neurons, then erf; f = Σ_i a_i erf(u_i) per lane.
      let f0 = zero, f1 = zero, f2 = zero, f3 = zero;
      for (let c = 0; c < Np; c += 2 * L) {
        const cb = <usize>c * S;
        let s0A = zero, s0B = zero, s1A = zero, s1B = zero, s2A = zero, s2B = zero, s3A = zero, s3B = zero;
        for (let j = 0; j < d; j++) {
          const wr = wT + <usize>j * rowBytes + cb;
          const wA = v128.load(wr);
          const wB = v128.load(wr + half);
          const jb = <usize>j * S;
          const v0 = v128.load_splat<T>(x0 + jb);
          const v1 = v128.load_splat<T>(x1 + jb);
          const v2 = v128.load_splat<T>(x2 + jb);
          const v3 = v128.load_splat<T>(x3 + jb);
          s0A = v128.add<T>(s0A, v128.mul<T>(v0, wA));
          s0B = v128.add<T>(s0B, v128.mul<T>(v0, wB));
          s1A = v128.add<T>(s1A, v128.mul<T>(v1, wA));
          s1B = v128.add<T>(s1B, v128.mul<T>(v1, wB));
          s2A = v128.add<T>(s2A, v128.mul<T>(v2, wA));
          s2B = v128.add<T>(s2B, v128.mul<T>(v2, wB));
          s3A = v128.add<T>(s3A, v128.mul<T>(v3, wA));
          s3B = v128.add<T>(s3B, v128.mul<T>(v3, wB));
        }
        const aA = v128.load(aT + cb);
        const aB = v128.load(aT + cb + half);
        const o0 = cb, o1 = rowBytes + cb, o2 = rowBytes * 2 + cb, o3 = rowBytes * 3 + cb;
        f0 = v128.add<T>(f0, activate<T>(s0A, aA, ACT + o0, GD + o0));
        f0 = v128.add<T>(f0, activate<T>(s0B, aB, ACT + o0 + half, GD + o0 + half));
        f1 = v128.add<T>(f1, activate<T>(s1A, aA, ACT + o1, GD + o1));
        f1 = v128.add<T>(f1, activate<T>(s1B, aB, ACT + o1 + half, GD + o1 + half));
        f2 = v128.add<T>(f2, activate<T>(s2A, aA, ACT + o2, GD + o2));
        f2 = v128.add<T>(f2, activate<T>(s2B, aB, ACT + o2 + half, GD + o2 + half));
        f3 = v128.add<T>(f3, activate<T>(s3A, aA, ACT + o3, GD + o3));
        f3 = v128.add<T>(f3, activate<T>(s3B, aB, ACT + o3 + half, GD + o3 + half));
      }
      // Residuals; e = g2 · residual (0 for the repeats of a short block).
      const r0 = hsum<T>(f0) - load<f64>(y + <usize>mu0 * 8);
      data += r0 * r0;
      const e0 = v128.splat<T>(<T>(g2 * r0));
      let e1 = zero, e2 = zero, e3 = zero;
      if (nb > 1) {
        const r1 = hsum<T>(f1) - load<f64>(y + <usize>mu1 * 8);
        data += r1 * r1;
        e1 = v128.splat<T>(<T>(g2 * r1));
      }
      if (nb > 2) {
        const r2 = hsum<T>(f2) - load<f64>(y + <usize>mu2 * 8);
        data += r2 * r2;
        e2 = v128.splat<T>(<T>(g2 * r2));
      }
      if (nb > 3) {
        const r3 = hsum<T>(f3) - load<f64>(y + <usize>mu3 * 8);
        data += r3 * r3;
        e3 = v128.splat<T>(<T>(g2 * r3));
      }
      // Backward: ∂/∂a_i += Σ_q e_q erf(u_q,i); ∂/∂w_i += Σ_q e_q a_i erf'(u_q,i) x_q, 2 vectors of neurons per pass.
      for (let c = 0; c < Np; c += 2 * L) {
        const cb = <usize>c * S;
        const o1 = rowBytes + cb, o2 = rowBytes * 2 + cb, o3 = rowBytes * 3 + cb;
        const gA = gaT + cb;
        const gB = gA + half;
        v128.store(
          gA,
          v128.add<T>(
            v128.load(gA),
            v128.add<T>(
              v128.add<T>(v128.mul<T>(e0, v128.load(ACT + cb)), v128.mul<T>(e1, v128.load(ACT + o1))),
              v128.add<T>(v128.mul<T>(e2, v128.load(ACT + o2)), v128.mul<T>(e3, v128.load(ACT + o3))),
            ),
          ),
        );
        v128.store(
          gB,
          v128.add<T>(
            v128.load(gB),
            v128.add<T>(
              v128.add<T>(v128.mul<T>(e0, v128.load(ACT + cb + half)), v128.mul<T>(e1, v128.load(ACT + o1 + half))),
              v128.add<T>(v128.mul<T>(e2, v128.load(ACT + o2 + half)), v128.mul<T>(e3, v128.load(ACT + o3 + half))),
            ),
          ),
        );
        const c0A = v128.mul<T>(e0, v128.load(GD + cb)), c0B = v128.mul<T>(e0, v128.load(GD + cb + half));
        const c1A = v128.mul<T>(e1, v128.load(GD + o1)), c1B = v128.mul<T>(e1, v128.load(GD + o1 + half));
        const c2A = v128.mul<T>(e2, v128.load(GD + o2)), c2B = v128.mul<T>(e2, v128.load(GD + o2 + half));
        const c3A = v128.mul<T>(e3, v128.load(GD + o3)), c3B = v128.mul<T>(e3, v128.load(GD + o3 + half));
        for (let j = 0; j < d; j++) {
          const jb = <usize>j * S;
          const v0 = v128.load_splat<T>(x0 + jb);
          const v1 = v128.load_splat<T>(x1 + jb);
          const v2 = v128.load_splat<T>(x2 + jb);
          const v3 = v128.load_splat<T>(x3 + jb);
          const gr = gwT + <usize>j * rowBytes + cb;
          const tA = v128.add<T>(v128.add<T>(v128.mul<T>(c0A, v0), v128.mul<T>(c1A, v1)), v128.add<T>(v128.mul<T>(c2A, v2), v128.mul<T>(c3A, v3)));
          const tB = v128.add<T>(v128.add<T>(v128.mul<T>(c0B, v0), v128.mul<T>(c1B, v1)), v128.add<T>(v128.mul<T>(c2B, v2), v128.mul<T>(c3B, v3)));
          v128.store(gr, v128.add<T>(v128.load(gr), tA));
          v128.store(gr + half, v128.add<T>(v128.load(gr + half), tB));
        }
      }
    }
    // Back to the parameter layout, plus the Gaussian priors (in the TS kernel's order).
    let w2: f64 = 0;
    for (let i = 0; i < N; i++) {
      const wo = <usize>(i * d) * 8;
      for (let j = 0; j < d; j++) {
        const v = load<f64>(xb + wo + <usize>j * 8);
        w2 += v * v;
        store<f64>(gb + wo + <usize>j * 8, <f64>load<T>(gwT + <usize>j * rowBytes + <usize>i * S) + ipw * v);
      }
    }
    let a2: f64 = 0;
    for (let i = 0; i < N; i++) {
      const v = load<f64>(xb + <usize>(Wsz + i) * 8);
      a2 += v * v;
      store<f64>(gb + <usize>(Wsz + i) * 8, <f64>load<T>(gaT + <usize>i * S) + ipa * v);
    }
    store<f64>(energy + <usize>r * 8, dataScale * data + 0.5 * ipw * w2 + 0.5 * ipa * a2);
  }
}
