/**
 * Critical data size for relation learning (docs/models.md §3.3; Baek, Liu, Tegmark,
 * "GenEFT", Sec. 3, Eqs. 1–4, Table 2): the information-theoretic approximation
 * and the exact count of directly inferable pairs.
 *
 * A relation R on n symbols is an n×n table of bits; the dataset is all N = n²
 * ordered pairs (x, y), diagonal included (GenEFT: "n² = 900 data samples R_ij").
 * Pair (x, y) has index x·n + y.
 *
 * Relations (docs/models.md §3.2): `mod` — x ≡ y (mod k); `greater-than` — R(x, y) = [x < y];
 * `bipartite` — complete bipartite graph (S, S̄): R(x, y) = [exactly one of x, y ∈ S].
 */
import { Stream } from '../random/rng.js';
import { bipartiteSplit, checkRelation, relationTable, type RelationSpec } from '../tasks/relations.js';

// The data sets (truth tables, bipartite splits) live in tasks/; re-exported for callers of this module.
export { bipartiteSplit, relationTable, type RelationSpec };

/**
 * Description length b in bits (GenEFT Table 2; docs/models.md §3.3): mod-k
 * equivalence `n log₂ k`; greater-than (a total order) `log₂ n!` (exact sum, not
 * Stirling's n log₂(n/2)); complete bipartite `n`. Default n = 30.
 */
export function descriptionLength(rel: RelationSpec, n = 30): number {
  checkRelation(rel, n, 'descriptionLength');
  switch (rel.kind) {
    case 'mod':
      return n * Math.log2(rel.k);
    case 'greater-than': {
      let s = 0;
      for (let j = 2; j <= n; j++) s += Math.log2(j);
      return s;
    }
    case 'bipartite':
      return n;
  }
}

/**
 * Probability p* of guessing a non-inferable pair correctly (GenEFT below Eq. 4):
 * 1/k for mod-k, 1/2 for complete bipartite, 1/3 for greater-than (the three-
 * symbol argument: given x < y, z falls in one of three places).
 */
export function guessProbability(rel: RelationSpec): number {
  switch (rel.kind) {
    case 'mod':
      return 1 / rel.k;
    case 'greater-than':
      return 1 / 3;
    case 'bipartite':
      return 1 / 2;
  }
}

function checkB(b: number, who: string): void {
  if (!(b > 1)) throw new RangeError(`${who}: description length b must be > 1 bit, got ${b}`);
}

/**
 * Fraction of the b description bits covered by m samples in the balls-in-buckets
 * approximation (GenEFT Eq. 2): `f(m) = 1 − (1 − 1/b)^m`, computed as
 * −expm1(m log1p(−1/b)). m may be fractional (m = fraction · N).
 */
export function inferableFraction(m: number, b: number): number {
  checkB(b, 'inferableFraction');
  if (!(m >= 0)) throw new RangeError(`inferableFraction: m must be ≥ 0, got ${m}`);
  return -Math.expm1(m * Math.log1p(-1 / b));
}

/**
 * Critical training fraction (GenEFT Eq. 3): f(N p_c) = α ⇒
 * `p_c = (1/N) log₂(1 − α) / log₂(1 − 1/b)`, N = n² (default n = 30). Default α = 0.9.
 */
export function criticalDataFraction(b: number, alpha = 0.9, N = 900): number {
  checkB(b, 'criticalDataFraction');
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`criticalDataFraction: α must be in (0, 1), got ${alpha}`);
  return Math.log1p(-alpha) / (N * Math.log1p(-1 / b));
}

/**
 * Accuracy upper bound (GenEFT Eq. 4):
 * `f_UB(m) = f(m) + max(p*, 1 − p*)(1 − f(m))`.
 */
export function accuracyUpperBound(m: number, b: number, pStar: number): number {
  if (!(pStar >= 0 && pStar <= 1)) throw new RangeError(`accuracyUpperBound: p* must be in [0, 1], got ${pStar}`);
  const f = inferableFraction(m, b);
  return f + Math.max(pStar, 1 - pStar) * (1 - f);
}

// ------------------------------------------------------------- the relations

// ------------------------------------------------------ directly inferable

/** Pairs whose value follows from the training set and the relation's a-priori properties. */
export interface InferredPairs {
  /** 1 where R(x, y) is determined (training pairs included), index x·n + y. */
  known: Uint8Array;
  /** The inferred value where known (0 elsewhere). */
  value: Uint8Array;
  /** Number of known pairs. */
  count: number;
}

function find(parent: Int32Array, x: number): number {
  while (parent[x] !== x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

/**
 * Directly inferable pairs (GenEFT Sec. 3, step (a): "count the total number of
 * directly inferable data pairs using a priori knowledge of the relation").
 * A pair is inferable when its value is the same in EVERY relation of the class
 * that agrees with the training pairs, where the class is fixed by these
 * a-priori properties only:
 *
 * - `mod`: an equivalence relation (reflexive, symmetric, transitive) with an
 *   unknown number of classes. Union–find over training pairs with R = 1 gives
 *   the known-equal components; a training pair with R = 0 marks its two
 *   components unequal. (x, y) is known iff x = y, or same component (→ 1), or
 *   their components are marked unequal (→ 0). This is exact for the class: the
 *   finest partition (all components apart) and the one merging just these two
 *   components are both consistent otherwise. Not used: that there are exactly
 *   k classes (pigeonhole inferences such as k = 2: x≁y, y≁z ⇒ x~z) — the
 *   paper puts the knowledge of k into p* (step (b)).
 * - `greater-than`: a strict total order. Each training pair (x ≠ y) gives one
 *   oriented edge (x → y if x < y, else y → x); (x, y) is known iff x = y (→ 0)
 *   or x, y are comparable in the transitive closure (exact: incomparable
 *   elements of a partial order are ordered both ways in some linear extension).
 * - `bipartite`: a 2-colouring (S, S̄) with S unknown; R = 1 across, 0 within.
 *   Union–find with parity; (x, y) is known iff x = y (→ 0) or x, y are
 *   connected (→ parity of the path); exact since components flip independently.
 *
 * Reflexive pairs count as known even with no data (a-priori knowledge), so
 * the known fraction at m = 0 is 1/n, not f(0) = 0.
 *
 * `train` lists pair indices x·n + y (distinct); `truth` is {@link relationTable}.
 */
export function inferPairs(rel: RelationSpec, n: number, train: ArrayLike<number>, truth: ArrayLike<number>): InferredPairs {
  checkRelation(rel, n, 'inferPairs');
  const N = n * n;
  if (truth.length !== N) throw new RangeError(`inferPairs: truth table must have n² = ${N} entries`);
  const known = new Uint8Array(N);
  const value = new Uint8Array(N);
  if (rel.kind === 'mod' || rel.kind === 'bipartite') {
    const parent = Int32Array.from({ length: n }, (_, i) => i);
    const parity = new Uint8Array(n); // bipartite: side of x relative to its parent
    const findP = (x: number): [number, number] => {
      let p = 0;
      let y = x;
      while (parent[y] !== y) {
        p ^= parity[y];
        y = parent[y];
      }
      // Path compression keeping parities relative to the root.
      let z = x;
      let pz = p;
      while (parent[z] !== z) {
        const next = parent[z];
        const pn = pz ^ parity[z];
        parent[z] = y;
        parity[z] = pz;
        z = next;
        pz = pn;
      }
      return [y, p];
    };
    const neg: Array<[number, number]> = [];
    for (let k = 0; k < train.length; k++) {
      const idx = train[k];
      const x = Math.floor(idx / n);
      const y = idx - x * n;
      if (x === y) continue;
      const v = truth[idx];
      if (rel.kind === 'mod') {
        if (v) {
          const a = find(parent, x);
          const b = find(parent, y);
          if (a !== b) parent[a] = b;
        } else neg.push([x, y]);
      } else {
        const [a, pa] = findP(x);
        const [b, pb] = findP(y);
        if (a !== b) {
          parent[a] = b;
          parity[a] = pa ^ pb ^ (v ? 1 : 0);
        }
      }
    }
    if (rel.kind === 'mod') {
      const root = new Int32Array(n);
      for (let x = 0; x < n; x++) root[x] = find(parent, x);
      const apart = new Uint8Array(N); // component pairs known unequal
      for (const [x, y] of neg) {
        apart[root[x] * n + root[y]] = 1;
        apart[root[y] * n + root[x]] = 1;
      }
      for (let x = 0; x < n; x++)
        for (let y = 0; y < n; y++) {
          const i = x * n + y;
          if (root[x] === root[y]) {
            known[i] = 1;
            value[i] = 1;
          } else if (apart[root[x] * n + root[y]]) known[i] = 1;
        }
    } else {
      const root = new Int32Array(n);
      const par = new Uint8Array(n);
      for (let x = 0; x < n; x++) [root[x], par[x]] = findP(x);
      for (let x = 0; x < n; x++)
        for (let y = 0; y < n; y++)
          if (root[x] === root[y]) {
            known[x * n + y] = 1;
            value[x * n + y] = par[x] ^ par[y];
          }
    }
  } else {
    // Transitive closure of the known orderings, bitsets of W words per row.
    const W = (n + 31) >>> 5;
    const reach = new Uint32Array(n * W);
    for (let k = 0; k < train.length; k++) {
      const idx = train[k];
      const x = Math.floor(idx / n);
      const y = idx - x * n;
      if (x === y) continue;
      const [lo, hi] = truth[idx] ? [x, y] : [y, x];
      reach[lo * W + (hi >>> 5)] |= 1 << (hi & 31);
    }
    for (let m = 0; m < n; m++) {
      const mw = m >>> 5;
      const mb = 1 << (m & 31);
      for (let i = 0; i < n; i++) if (reach[i * W + mw] & mb) for (let w = 0; w < W; w++) reach[i * W + w] |= reach[m * W + w];
    }
    const has = (i: number, j: number): boolean => (reach[i * W + (j >>> 5)] & (1 << (j & 31))) !== 0;
    for (let x = 0; x < n; x++)
      for (let y = 0; y < n; y++) {
        const i = x * n + y;
        if (x === y) known[i] = 1;
        else if (has(x, y)) {
          known[i] = 1;
          value[i] = 1;
        } else if (has(y, x)) known[i] = 1;
      }
  }
  let count = 0;
  for (let i = 0; i < N; i++) {
    if (known[i]) count++;
    else value[i] = 0;
  }
  return { known, value, count };
}

/** Options for {@link inferableMonteCarlo}. */
export interface InferableMonteCarloOptions {
  rel: RelationSpec;
  /** Number of symbols (default 30). */
  n?: number;
  /** Training pairs m, or use `fraction` (m = round(fraction · n²)). */
  m?: number;
  fraction?: number;
  /** Random training sets (default 200). */
  trials?: number;
  /** Seed of the engine Stream (default 0); trial t uses Stream(seed, 0, t). */
  seed?: number | string;
  /** Bipartite split (default: a balanced split from Stream(seed, 1, 0)); irrelevant to the counts. */
  side?: ArrayLike<number>;
}

/** Mean ± standard error over random training sets. */
export interface MeanSE {
  mean: number;
  se: number;
}

/** Result of {@link inferableMonteCarlo}. */
export interface InferableMonteCarloResult {
  n: number;
  N: number;
  m: number;
  trials: number;
  /** Known pairs (training ∪ a priori ∪ inferred) / N — what f(m) approximates. */
  knownFraction: MeanSE;
  /** Inferable test pairs / test pairs (N − m). */
  testInferableFraction: MeanSE;
  /**
   * (known + max(p*, 1 − p*)·(N − known)) / N with the closed-form p* — the
   * paper's numerical f_UB with step (b) replaced by the closed-form guess rate.
   */
  accuracyBound: MeanSE;
  /** Closed forms at the same m: f(m) and f_UB(m). */
  f: number;
  fUB: number;
  b: number;
  pStar: number;
}

/**
 * Exact Monte Carlo of directly inferable pairs (GenEFT Fig. 2, step (a)): draw
 * `trials` training sets of m distinct ordered pairs uniformly without
 * replacement from the n² pairs, count the pairs {@link inferPairs} determines,
 * and report means with standard errors (sd/sqrt(trials)).
 */
export function inferableMonteCarlo(o: InferableMonteCarloOptions): InferableMonteCarloResult {
  const n = o.n ?? 30;
  checkRelation(o.rel, n, 'inferableMonteCarlo');
  const N = n * n;
  const m = o.m ?? Math.round((o.fraction ?? Number.NaN) * N);
  if (!(Number.isInteger(m) && m >= 0 && m <= N))
    throw new RangeError(`inferableMonteCarlo: need 0 ≤ m ≤ n² (or a fraction in [0, 1]), got m = ${m}`);
  const trials = o.trials ?? 200;
  const seed = o.seed ?? 0;
  const side = o.rel.kind === 'bipartite' ? (o.side ?? bipartiteSplit(n, new Stream(seed, 1, 0))) : undefined;
  const truth = relationTable(o.rel, n, side);
  const pStar = guessProbability(o.rel);
  const g = Math.max(pStar, 1 - pStar);
  const perm = new Int32Array(N);
  const acc = { k: [0, 0], t: [0, 0], a: [0, 0] };
  const add = (s: number[], v: number): void => {
    s[0] += v;
    s[1] += v * v;
  };
  for (let trial = 0; trial < trials; trial++) {
    const st = new Stream(seed, 0, trial);
    for (let i = 0; i < N; i++) perm[i] = i;
    for (let i = 0; i < m; i++) {
      const j = i + st.int(N - i);
      const t = perm[i];
      perm[i] = perm[j];
      perm[j] = t;
    }
    const inf = inferPairs(o.rel, n, perm.subarray(0, m), truth);
    add(acc.k, inf.count / N);
    add(acc.t, m < N ? (inf.count - m) / (N - m) : 1);
    add(acc.a, (inf.count + g * (N - inf.count)) / N);
  }
  const ms = (s: number[]): MeanSE => {
    const mean = s[0] / trials;
    const v = trials > 1 ? Math.max(0, (s[1] - trials * mean * mean) / (trials - 1)) : 0;
    return { mean, se: Math.sqrt(v / trials) };
  };
  const b = descriptionLength(o.rel, n);
  return {
    n,
    N,
    m,
    trials,
    knownFraction: ms(acc.k),
    testInferableFraction: ms(acc.t),
    accuracyBound: ms(acc.a),
    f: inferableFraction(m, b),
    fUB: accuracyUpperBound(m, b, pStar),
    b,
    pStar,
  };
}
