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
