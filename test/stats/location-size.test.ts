/**
 * The exact size of the location test of `compare` (Mann–Whitney U, normal
 * approximation with continuity and tie correction, src/stats/compare.ts) at
 * n = m = 25, 50 and 100 replicas per run, without Monte Carlo: the null
 * distribution of U (no ties: the final values of a run are continuous) from
 * `mannWhitneyExactPmf`, itself checked here against closed forms and exact
 * integer counts, and the test's p-value at every u from samples built to have
 * that U. The size Σ_u P(u)·[p(u) < α] must not exceed α.
 */
import { describe, expect, it } from 'vitest';
import { MANN_WHITNEY_EXACT_MAX, mannWhitneyExactPmf, mannWhitneyTest } from '../../src/stats/compare.js';

/** C(N, k) as a float (exact enough for these checks: relative 1e-14). */
function binomial(N: number, k: number): number {
  let c = 1;
  for (let i = 1; i <= k; i++) c = (c * (N - k + i)) / i;
  return c;
}

/** Samples a (size m) and b = 0 … n − 1 with U_A = #{(a, b): a > b} = u and no ties. */
function samplesWithU(u: number, m: number, n: number): { a: Float64Array; b: Float64Array } {
  const b = Float64Array.from({ length: n }, (_, j) => j);
  const a = new Float64Array(m);
  let left = u;
  for (let i = 0; i < m; i++) {
    const k = Math.min(n, left); // a_i lies above k of the b's
    left -= k;
    a[i] = k - 0.5 + (i + 1) / (2 * m + 2); // distinct, never an integer
  }
  return { a, b };
}

function exactSize(n: number, levels: number[]): number[] {
  const pmf = mannWhitneyExactPmf(n, n);
  const size = levels.map(() => 0);
  for (let u = 0; u <= n * n; u++) {
    const { a, b } = samplesWithU(u, n, n);
    const r = mannWhitneyTest(a, b);
    if (u === 0 || u === n * n) expect(r.uA).toBe(u);
    levels.forEach((l, k) => {
      if (r.pValue < l) size[k]! += pmf[u]!;
    });
  }
  return size;
}

describe('location test (Mann–Whitney U): exact size at n = m replicas per run', () => {
  it('the exact null distribution of U against closed forms and exact integer counts, to 1e-12 relative', () => {
    // For u ≤ min(m, n), #{arrangements with U = u} is the partition number p(u), so P(U = u) = p(u)/C(m + n, m).
    const partitions = [1, 1, 2, 3, 5, 7, 11, 15, 22, 30, 42];
    const rel = (x: number, y: number) => Math.abs(x / y - 1);
    for (const [m, n] of [
      [8, 7],
      [25, 25],
      [60, 50],
      [100, 100],
    ] as const) {
      const pmf = mannWhitneyExactPmf(m, n);
      expect(pmf.length).toBe(m * n + 1);
      expect(
        rel(
          pmf.reduce((s, x) => s + x, 0),
          1,
        ),
      ).toBeLessThan(1e-12);
      const total = binomial(m + n, m);
      partitions.forEach((p, u) => {
        if (u > Math.min(m, n)) return;
        expect(rel(pmf[u]!, p / total), `P(U = ${u}), ${m}/${n}`).toBeLessThan(1e-12);
        expect(rel(pmf[m * n - u]!, p / total), `P(U = ${m * n - u}), ${m}/${n}`).toBeLessThan(1e-12);
      });
    }
    // Exact integer counts (Python, the Gaussian binomial coefficient in big integers), at the centre and a tail sum.
    const exact: Array<[number, number, number, number]> = [
      [100, 100, 0.000972571734583764, 0.23256166933558264],
      [60, 50, 0.0023848951578647882, 0.03605001756043077],
    ];
    for (const [m, n, centre, tail] of exact) {
      const pmf = mannWhitneyExactPmf(m, n);
      const mid = Math.floor((m * n) / 2);
      expect(rel(pmf[mid]!, centre)).toBeLessThan(1e-12);
      let s = 0;
      for (let u = 0; u <= mid - 300; u++) s += pmf[u]!;
      expect(rel(s, tail)).toBeLessThan(1e-12);
    }
    expect(() => mannWhitneyExactPmf(201, 200)).toThrow(new RegExp(String(MANN_WHITNEY_EXACT_MAX)));
  });

  it('size ≤ α at α = 0.05, 0.01, 0.001 for n = 25, 50, 100, and ≥ 0.9α at n = 100 (not grossly conservative)', () => {
    // Measured: n = 25: 0.04716, 0.00901, 0.00070; n = 50: 0.04955, 0.00942, 0.00086; n = 100: 0.04975, 0.00977,
    // 0.00092 (the same by exact integer counts in Python). A variance N instead of N + 1 gives 0.05036 at n = 50
    // (fails); a p-value that forgot the factor 2 of a two-sided test, ≈ 0.1.
    const levels = [0.05, 0.01, 0.001];
    const at = new Map<number, number[]>();
    for (const n of [25, 50, 100]) {
      const size = exactSize(n, levels);
      at.set(n, size);
      levels.forEach((l, k) => expect(size[k]!, `n = ${n}, α = ${l}`).toBeLessThanOrEqual(l));
    }
    levels.forEach((l, k) => expect(at.get(100)![k]!, `n = 100, α = ${l}`).toBeGreaterThanOrEqual(0.9 * l));
  });
});
