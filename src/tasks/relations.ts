/**
 * The relation-learning task (docs/models.md §3.2; Baek, Liu, Tegmark, "GenEFT",
 * Sec. 3): a relation R on n symbols is an n×n table of bits; the data set is
 * all N = n² ordered pairs (x, y), diagonal included, pair (x, y) at index
 * x·n + y. Relations: `mod` — x ≡ y (mod k); `greater-than` — R(x, y) = [x < y];
 * `bipartite` — complete bipartite graph (S, S̄): R(x, y) = [exactly one of
 * x, y ∈ S]. The closed forms over these data sets are in theory/relations.ts.
 */
import type { Stream } from '../random/rng.js';

/** A relation of docs/models.md §3.2. */
export type RelationSpec = { kind: 'mod'; k: number } | { kind: 'greater-than' } | { kind: 'bipartite' };

/** Throw a RangeError naming `who` unless n ≥ 2 is an integer and a mod relation has an integer k ≥ 2. */
export function checkRelation(rel: RelationSpec, n: number, who: string): void {
  if (!(Number.isInteger(n) && n >= 2)) throw new RangeError(`${who}: n must be an integer ≥ 2, got ${n}`);
  if (rel.kind === 'mod' && !(Number.isInteger(rel.k) && rel.k >= 2))
    throw new RangeError(`${who}: mod-k needs an integer k ≥ 2, got ${rel.k}`);
}

/**
 * A balanced random split for the complete bipartite relation: side[x] = 1 for
 * x ∈ S, |S| = ⌊n/2⌋, uniform over such subsets (partial Fisher–Yates on the stream).
 */
export function bipartiteSplit(n: number, stream: Stream): Uint8Array {
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  const side = new Uint8Array(n);
  const h = Math.floor(n / 2);
  for (let i = 0; i < h; i++) {
    const j = i + stream.int(n - i);
    const t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
    side[perm[i]] = 1;
  }
  return side;
}

/**
 * The relation's truth table, length n², entry x·n + y = R(x, y) ∈ {0, 1}.
 * `side` (bipartite only) marks S; required for `bipartite`.
 */
export function relationTable(rel: RelationSpec, n: number, side?: ArrayLike<number>): Uint8Array {
  checkRelation(rel, n, 'relationTable');
  if (rel.kind === 'bipartite' && (!side || side.length !== n))
    throw new RangeError('relationTable: bipartite needs a side array of length n');
  const R = new Uint8Array(n * n);
  for (let x = 0; x < n; x++)
    for (let y = 0; y < n; y++) {
      let v: boolean;
      if (rel.kind === 'mod') v = x % rel.k === y % rel.k;
      else if (rel.kind === 'greater-than') v = x < y;
      else v = (side![x] ? 1 : 0) !== (side![y] ? 1 : 0);
      R[x * n + y] = v ? 1 : 0;
    }
  return R;
}
