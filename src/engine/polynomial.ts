/**
 * A 1-D gradient given as a polynomial, shared by the potential's
 * `gradient1D` and the native fused step (src/native/): both evaluate
 * Horner's scheme with the same operations in the same order, so the two
 * routes give identical numbers.
 */

/** The coefficients (highest power first) and the pointwise gradient g(x) = ((c₀x + c₁)x + …)x + cₙ. */
export function polynomialGradient1D(coefficients: readonly number[]): { coefficients: Float64Array; gradient: (x: number) => number } {
  if (coefficients.length === 0 || coefficients.length > 17)
    throw new RangeError(`polynomialGradient1D: 1 to 17 coefficients, got ${coefficients.length}`);
  const c = Float64Array.from(coefficients);
  const n = c.length;
  const [c0, c1, c2, c3] = [c[0], c[1] ?? 0, c[2] ?? 0, c[3] ?? 0];
  // Unrolled for the common degrees (the JIT inlines these closures into the step loop).
  const gradient =
    n === 1
      ? () => c0
      : n === 2
        ? (x: number) => c0 * x + c1
        : n === 3
          ? (x: number) => (c0 * x + c1) * x + c2
          : n === 4
            ? (x: number) => ((c0 * x + c1) * x + c2) * x + c3
            : (x: number) => {
                let g = c[0];
                for (let k = 1; k < n; k++) g = g * x + c[k];
                return g;
              };
  return { coefficients: c, gradient };
}
