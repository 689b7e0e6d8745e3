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
