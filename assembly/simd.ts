/**
 * Lane helpers shared by the kernels. T is f64 (f64x2) or f32 (f32x4); every
 * branch on T is resolved at compile time.
 */

/** Lanes of a v128 of T. */
// @ts-ignore: decorator
@inline export function lanes<T>(): i32 {
  return 16 / sizeof<T>();
}

/** Sum of the lanes, in lane order (as a plain loop over the lanes would add them). */
// @ts-ignore: decorator
@inline export function hsum<T>(v: v128): f64 {
  if (sizeof<T>() == 8) return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
  return <f64>(f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3)));
}

/** Round n up to a multiple of the lane count. */
// @ts-ignore: decorator
@inline export function padded<T>(n: i32): i32 {
  const L = lanes<T>();
  return ((n + L - 1) / L) * L;
}

/**
 * tanh(v) = 1 − 2/(e^{2v} + 1) per lane (the formula of relation-learner's TS kernel), with a
 * vector exp: 2v clamped to ±40 (tanh is ±1 exactly there in either kernel),
 * e^u = 2^k e^r with k = round(u/ln 2), r = u − k ln 2 (Cody–Waite, |r| ≤ 0.35),
 * e^r by its Taylor polynomial (degree 13 in f64: truncation < 5e-18; degree 7
 * in f32: < 6e-9), 2^k built in the exponent bits.
 */
// @ts-ignore: decorator
@inline export function tanhV<T>(v: v128): v128 {
  if (sizeof<T>() == 8) {
    const u = f64x2.max(f64x2.min(f64x2.add(v, v), f64x2.splat(40.0)), f64x2.splat(-40.0));
    const k = f64x2.nearest(f64x2.mul(u, f64x2.splat(1.4426950408889634)));
    const r = f64x2.sub(f64x2.sub(u, f64x2.mul(k, f64x2.splat(6.93147180369123816490e-01))), f64x2.mul(k, f64x2.splat(1.90821492927058770002e-10)));
    let p = f64x2.splat(1.0 / 6227020800.0);
    p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 479001600.0));
    p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 39916800.0));
    p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 3628800.0));
    p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 362880.0));
    p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 40320.0));
    p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 5040.0));
    p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 720.0));
    p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 120.0));
    p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 24.0));
    p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0 / 6.0));
    p = f64x2.add(f64x2.mul(p, r), f64x2.splat(0.5));
    p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
    p = f64x2.add(f64x2.mul(p, r), f64x2.splat(1.0));
    const ki = i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(k));
    const scale = i64x2.shl(i64x2.add(ki, i64x2.splat(1023)), 52);
    const e = f64x2.mul(p, scale);
    return f64x2.sub(f64x2.splat(1.0), f64x2.div(f64x2.splat(2.0), f64x2.add(e, f64x2.splat(1.0))));
  }
  const u = f32x4.max(f32x4.min(f32x4.add(v, v), f32x4.splat(<f32>40.0)), f32x4.splat(<f32>-40.0));
  const k = f32x4.nearest(f32x4.mul(u, f32x4.splat(<f32>1.44269504)));
  const r = f32x4.sub(f32x4.sub(u, f32x4.mul(k, f32x4.splat(<f32>0.693145752))), f32x4.mul(k, f32x4.splat(<f32>1.42860677e-6)));
  let p = f32x4.splat(<f32>(1.0 / 5040.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 720.0)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 120.0)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 24.0)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>(1.0 / 6.0)));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>0.5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>1.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(<f32>1.0));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(k), i32x4.splat(127)), 23);
  const e = f32x4.mul(p, scale);
  return f32x4.sub(f32x4.splat(<f32>1.0), f32x4.div(f32x4.splat(<f32>2.0), f32x4.add(e, f32x4.splat(<f32>1.0))));
}

/** A v128 of c in every lane of T. */
// @ts-ignore: decorator
@inline export function sp<T>(c: f64): v128 {
  return v128.splat<T>(<T>c);
}

// @ts-ignore: decorator
@inline export function fma<T>(p: v128, t: v128, c: f64): v128 {
  return v128.add<T>(v128.mul<T>(p, t), sp<T>(c));
}

/**
 * e^{−s} per lane for s = u² ≥ 0; 0 where s exceeds 708 (f64) / 87 (f32)
 * (e^{−s} is then below the smallest normal, and erf' is 0 there in effect).
 * e^x = 2^k e^r, k = round(x/ln 2), r = x − k ln 2 (Cody–Waite, |r| ≤ 0.35),
 * e^r by its Taylor polynomial (degree 13 in f64: truncation < 5e-18; degree
 * 7 in f32: < 6e-9; Estrin's scheme), 2^k built in the exponent bits.
 * k by the shifter 1.5·2^52 (1.5·2^23): x/ln 2 + shifter rounds to the
 * nearest integer, ties to even, exactly as `nearest`, and its low bits are
 * k, so 2^k is a shift of them (fewer instructions in V8 than nearest and
 * trunc_sat); min(s, lim) as a compare-select (the same value for every s,
 * NaN included). Bit for bit the results of the nearest/trunc_sat form.
 */
// @ts-ignore: decorator
@inline export function expNeg<T>(s: v128): v128 {
  if (sizeof<T>() == 8) {
    const lim = f64x2.splat(708.0);
    const big = f64x2.gt(s, lim);
    const v = f64x2.neg(v128.bitselect(lim, s, big));
    const shifter = f64x2.splat(6755399441055744.0); // 1.5 · 2^52
    const t = f64x2.add(f64x2.mul(v, f64x2.splat(1.4426950408889634)), shifter);
    const k = f64x2.sub(t, shifter);
    const r = f64x2.sub(f64x2.sub(v, f64x2.mul(k, f64x2.splat(6.93147180369123816490e-01))), f64x2.mul(k, f64x2.splat(1.90821492927058770002e-10)));
    const e1_0 = v128.add<f64>(sp<f64>(1.0), r);
    const e1_1 = v128.add<f64>(sp<f64>(1.0 / 2.0), v128.mul<f64>(sp<f64>(1.0 / 6.0), r));
    const e1_2 = v128.add<f64>(sp<f64>(1.0 / 24.0), v128.mul<f64>(sp<f64>(1.0 / 120.0), r));
    const e1_3 = v128.add<f64>(sp<f64>(1.0 / 720.0), v128.mul<f64>(sp<f64>(1.0 / 5040.0), r));
    const e1_4 = v128.add<f64>(sp<f64>(1.0 / 40320.0), v128.mul<f64>(sp<f64>(1.0 / 362880.0), r));
    const e1_5 = v128.add<f64>(sp<f64>(1.0 / 3628800.0), v128.mul<f64>(sp<f64>(1.0 / 39916800.0), r));
    const e1_6 = v128.add<f64>(sp<f64>(1.0 / 479001600.0), v128.mul<f64>(sp<f64>(1.0 / 6227020800.0), r));
    const r2 = v128.mul<f64>(r, r);
    const e2_0 = v128.add<f64>(e1_0, v128.mul<f64>(e1_1, r2));
    const e2_1 = v128.add<f64>(e1_2, v128.mul<f64>(e1_3, r2));
    const e2_2 = v128.add<f64>(e1_4, v128.mul<f64>(e1_5, r2));
    const e2_3 = e1_6;
    const r4 = v128.mul<f64>(r2, r2);
    const e3_0 = v128.add<f64>(e2_0, v128.mul<f64>(e2_1, r4));
    const e3_1 = v128.add<f64>(e2_2, v128.mul<f64>(e2_3, r4));
    const r8 = v128.mul<f64>(r4, r4);
    const e4_0 = v128.add<f64>(e3_0, v128.mul<f64>(e3_1, r8));
    const p = e4_0;
    const scale = i64x2.shl(i64x2.add(t, i64x2.splat(1023)), 52);
    return v128.andnot(f64x2.mul(p, scale), big);
  }
  const lim = f32x4.splat(<f32>87.0);
  const big = f32x4.gt(s, lim);
  const v = f32x4.neg(v128.bitselect(lim, s, big));
  const shifter = f32x4.splat(<f32>12582912.0); // 1.5 · 2^23
  const t = f32x4.add(f32x4.mul(v, f32x4.splat(<f32>1.44269504)), shifter);
  const k = f32x4.sub(t, shifter);
  const r = f32x4.sub(f32x4.sub(v, f32x4.mul(k, f32x4.splat(<f32>0.693145752))), f32x4.mul(k, f32x4.splat(<f32>1.42860677e-6)));
  const e1_0 = v128.add<f32>(sp<f32>(1.0), r);
  const e1_1 = v128.add<f32>(sp<f32>(0.5), v128.mul<f32>(sp<f32>(1.0 / 6.0), r));
  const e1_2 = v128.add<f32>(sp<f32>(1.0 / 24.0), v128.mul<f32>(sp<f32>(1.0 / 120.0), r));
  const e1_3 = v128.add<f32>(sp<f32>(1.0 / 720.0), v128.mul<f32>(sp<f32>(1.0 / 5040.0), r));
  const r2 = v128.mul<f32>(r, r);
  const e2_0 = v128.add<f32>(e1_0, v128.mul<f32>(e1_1, r2));
  const e2_1 = v128.add<f32>(e1_2, v128.mul<f32>(e1_3, r2));
  const r4 = v128.mul<f32>(r2, r2);
  const e3_0 = v128.add<f32>(e2_0, v128.mul<f32>(e2_1, r4));
  const p = e3_0;
  const scale = i32x4.shl(i32x4.add(t, i32x4.splat(127)), 23);
  return v128.andnot(f32x4.mul(p, scale), big);
}

/**
 * tanh per lane as sign(v) (1 − e)/(1 + e), e = e^{−2|v|} by the vector exp
 * expNeg (Estrin's scheme, shifter rounding: shorter dependency chains and
 * fewer instructions than the Horner exp of tanhV; e = 0 beyond 2|v| > 708
 * (f64) / 87 (f32), where tanh is ±1 in either precision).
 */
// @ts-ignore: decorator
@inline export function tanhE<T>(v: v128): v128 {
  const sign = sizeof<T>() == 8 ? i64x2.splat(0x8000000000000000) : i32x4.splat(0x80000000);
  const a = v128.andnot(v, sign);
  const e = expNeg<T>(v128.add<T>(a, a));
  const one = v128.splat<T>(<T>1);
  return v128.or(v128.div<T>(v128.sub<T>(one, e), v128.add<T>(one, e)), v128.and(v, sign));
}

/** Activations of block4x2, applied to the sums before they are stored. */
export const ACT_NONE = 0;
/** tanh by tanhV (relation-learner). */
export const ACT_TANH_V = 1;
/** tanh by tanhE (toy-addition). */
export const ACT_TANH_E = 2;
/** relu as z > 0 ? z : 0 (a compare-and-mask; max would pass −0 and NaN differently). */
export const ACT_RELU = 3;

/**
 * The register-blocked 4-rows × 2-vectors product of the dense layers:
 * C_i[0 … 2L) = init_i + Σ_{k<K} A_i[k] B_k[0 … 2L), i = 0 … 3, then the
 * activation `act` (ACT_*; a constant at the call makes the branch fold away).
 * Addresses in bytes: row i of A starts at A + a_i (a_0 = 0, a_1 … a_3 given),
 * its element k at + k · stepA (a broadcast scalar); B_k = B + k · stepB (two
 * v128s); row i of C at C + c_i. init_i: `accumulate` C_i itself (C += …);
 * otherwise the two v128s at `init` (a bias row, the same for every i), or 0
 * when `init` is 0. Rows may coincide (a_i = a_j with c_i = c_j): they compute
 * the same sums and store them to the same place.
 */
// @ts-ignore: decorator
@inline export function block4x2<T>(
  A: usize, a1: usize, a2: usize, a3: usize, stepA: usize,
  B: usize, stepB: usize, K: i32,
  C: usize, c1: usize, c2: usize, c3: usize,
  init: usize, accumulate: bool, act: i32,
): void {
  const zero = v128.splat<T>(<T>0);
  let s0A = zero, s0B = zero, s1A = zero, s1B = zero, s2A = zero, s2B = zero, s3A = zero, s3B = zero;
  if (accumulate) {
    s0A = v128.load(C); s0B = v128.load(C, 16);
    s1A = v128.load(C + c1); s1B = v128.load(C + c1, 16);
    s2A = v128.load(C + c2); s2B = v128.load(C + c2, 16);
    s3A = v128.load(C + c3); s3B = v128.load(C + c3, 16);
  } else if (init != 0) {
    const bA = v128.load(init);
    const bB = v128.load(init, 16);
    s0A = bA; s0B = bB; s1A = bA; s1B = bB; s2A = bA; s2B = bB; s3A = bA; s3B = bB;
  }
  let pa = A, pb = B;
  const end = A + <usize>K * stepA;
  while (pa < end) {
    const wA = v128.load(pb);
    const wB = v128.load(pb, 16);
    const x0 = v128.load_splat<T>(pa);
    const x1 = v128.load_splat<T>(pa + a1);
    const x2 = v128.load_splat<T>(pa + a2);
    const x3 = v128.load_splat<T>(pa + a3);
    s0A = v128.add<T>(s0A, v128.mul<T>(x0, wA));
    s0B = v128.add<T>(s0B, v128.mul<T>(x0, wB));
    s1A = v128.add<T>(s1A, v128.mul<T>(x1, wA));
    s1B = v128.add<T>(s1B, v128.mul<T>(x1, wB));
    s2A = v128.add<T>(s2A, v128.mul<T>(x2, wA));
    s2B = v128.add<T>(s2B, v128.mul<T>(x2, wB));
    s3A = v128.add<T>(s3A, v128.mul<T>(x3, wA));
    s3B = v128.add<T>(s3B, v128.mul<T>(x3, wB));
    pa += stepA;
    pb += stepB;
  }
  if (act == ACT_TANH_V) {
    s0A = tanhV<T>(s0A); s0B = tanhV<T>(s0B); s1A = tanhV<T>(s1A); s1B = tanhV<T>(s1B);
    s2A = tanhV<T>(s2A); s2B = tanhV<T>(s2B); s3A = tanhV<T>(s3A); s3B = tanhV<T>(s3B);
  } else if (act == ACT_TANH_E) {
    s0A = tanhE<T>(s0A); s0B = tanhE<T>(s0B); s1A = tanhE<T>(s1A); s1B = tanhE<T>(s1B);
    s2A = tanhE<T>(s2A); s2B = tanhE<T>(s2B); s3A = tanhE<T>(s3A); s3B = tanhE<T>(s3B);
  } else if (act == ACT_RELU) {
    s0A = v128.and(s0A, v128.gt<T>(s0A, zero)); s0B = v128.and(s0B, v128.gt<T>(s0B, zero));
    s1A = v128.and(s1A, v128.gt<T>(s1A, zero)); s1B = v128.and(s1B, v128.gt<T>(s1B, zero));
    s2A = v128.and(s2A, v128.gt<T>(s2A, zero)); s2B = v128.and(s2B, v128.gt<T>(s2B, zero));
    s3A = v128.and(s3A, v128.gt<T>(s3A, zero)); s3B = v128.and(s3B, v128.gt<T>(s3B, zero));
  }
  v128.store(C, s0A);
  v128.store(C, s0B, 16);
  v128.store(C + c1, s1A);
  v128.store(C + c1, s1B, 16);
  v128.store(C + c2, s2A);
  v128.store(C + c2, s2B, 16);
  v128.store(C + c3, s3A);
  v128.store(C + c3, s3B, 16);
}

/**
 * One dense layer's parameters into scratch as T: W (fout × fin f64,
 * row-major, at src) into Wn (rows of rowW bytes) and its transpose into WT
 * (rows of rowWT bytes), the bias (fout f64 right after W) into bias. Wᵀ is
 * taken from Wn four rows at a time (each Wᵀ row gets 4 adjacent elements per
 * pass). Padding is left as it is (zero).
 */
// @ts-ignore: decorator
@inline export function loadDense<T>(src: usize, fin: i32, fout: i32, Wn: usize, rowW: usize, WT: usize, rowWT: usize, bias: usize): void {
  const S = <usize>sizeof<T>();
  for (let j = 0; j < fout; j++) {
    const row = src + <usize>(j * fin) * 8;
    const wr = Wn + <usize>j * rowW;
    for (let t = 0; t < fin; t++) store<T>(wr + <usize>t * S, <T>load<f64>(row + <usize>t * 8));
    store<T>(bias + <usize>j * S, <T>load<f64>(src + <usize>(fin * fout + j) * 8));
  }
  let j4 = 0;
  for (; j4 + 3 < fout; j4 += 4) {
    const w0 = Wn + <usize>j4 * rowW;
    const w1 = w0 + rowW, w2 = w1 + rowW, w3 = w2 + rowW;
    let o = WT + <usize>j4 * S;
    for (let t = 0; t < fin; t++) {
      const tb = <usize>t * S;
      store<T>(o, load<T>(w0 + tb));
      store<T>(o, load<T>(w1 + tb), S);
      store<T>(o, load<T>(w2 + tb), 2 * S);
      store<T>(o, load<T>(w3 + tb), 3 * S);
      o += rowWT;
    }
  }
  for (; j4 < fout; j4++) {
    const w0 = Wn + <usize>j4 * rowW;
    for (let t = 0; t < fin; t++) store<T>(WT + <usize>t * rowWT + <usize>j4 * S, load<T>(w0 + <usize>t * S));
  }
}
