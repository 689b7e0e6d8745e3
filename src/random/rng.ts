/**
 * Random streams.
 *
 * Each replica owns one sfc32 generator (PractRand-clean 128-bit state, four
 * 32-bit words stored at `states[4r … 4r+3]`). Its state is derived only from
 * `(seed, run, replica)`: `seedrandom` (ARC4 keyed by `"stochdyn/<seed>/<run>"`)
 * gives a 128-bit root key per run, and replica r's state is the root key
 * hashed with r (murmur3 finalisers, distinct constants per word) followed by
 * 12 warm-up rounds of sfc32. So a replica's numbers do not depend on which
 * worker runs it or on how the ensemble is sharded; seeding costs ~0.1 µs per
 * replica instead of ~7 µs with one ARC4 key schedule per replica.
 *
 * Why not draw every normal through seedrandom: measured ~3× slower for the
 * bulk noise; seedrandom only seeds. Normals come from a
 * 128-layer ziggurat (Marsaglia & Tsang 2000, with Doornik's 2005 correction:
 * the layer index and the uniform use disjoint bits of the 32-bit word: low 7
 * bits pick the layer, the high 25 bits (signed) give u in (−1, 1)).
 */
import seedrandom from 'seedrandom';

/**
 * Derive a replica's sfc32 state into `states[4*slot …]`. `purpose` keys an
 * independent stream of the same replica (e.g. 'batch' for minibatch draws, so
 * that the Langevin noise is shared by regimes that differ in batch size).
 */
export function seedStream(states: Uint32Array, slot: number, seed: number | string, run: number, replica: number, purpose = ''): void {
  const k = rootKey(seed, run, purpose);
  const o = slot * 4;
  const r = replica | 0;
  const hi = Math.floor(replica / 4294967296) | 0;
  states[o] = fmix32(k[0] ^ Math.imul(r, 0x9e3779b1) ^ hi);
  states[o + 1] = fmix32(k[1] ^ Math.imul(r ^ 0x5bd1e995, 0x85ebca77));
  states[o + 2] = fmix32(k[2] ^ Math.imul(r + 0x27d4eb2f, 0xc2b2ae3d));
  states[o + 3] = fmix32(k[3] ^ Math.imul(r, 0x165667b1) ^ 0x7feb352d) | 1;
  // sfc32 warm-up recommended by its author: mix the seed through 12 rounds.
  for (let i = 0; i < 12; i++) nextU32(states, o);
}

const rootKeys = new Map<string, Int32Array>();

/** The 128-bit root key of (seed, run, purpose), from seedrandom's ARC4. */
function rootKey(seed: number | string, run: number, purpose: string): Int32Array {
  const id = `stochdyn/${seed}/${run}${purpose ? '/' + purpose : ''}`;
  let k = rootKeys.get(id);
  if (!k) {
    const arc4 = seedrandom(id);
    k = Int32Array.of(arc4.int32(), arc4.int32(), arc4.int32(), arc4.int32());
    if (rootKeys.size > 4096) rootKeys.clear();
    rootKeys.set(id, k);
  }
  return k;
}

/** murmur3's 32-bit finaliser: a bijective avalanche mix. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Next 32-bit word (as an unsigned number) of the sfc32 stream at offset o. */
export function nextU32(s: Uint32Array, o: number): number {
  const a = s[o],
    b = s[o + 1],
    c = s[o + 2],
    d = s[o + 3];
  const t = (((a + b) | 0) + d) | 0;
  s[o + 3] = (d + 1) | 0;
  s[o] = b ^ (b >>> 9);
  s[o + 1] = (c + (c << 3)) | 0;
  const cr = (c << 21) | (c >>> 11);
  s[o + 2] = (cr + t) | 0;
  return t >>> 0;
}

/** Uniform in (0, 1) with 53 random bits (two words), never exactly 0. */
export function uniform53(s: Uint32Array, o: number): number {
  const hi = nextU32(s, o) >>> 5; // 27 bits
  const lo = nextU32(s, o) >>> 6; // 26 bits
  return (hi * 67108864 + lo + 0.5) / 9007199254740992;
}

// ---------------------------------------------------------------- ziggurat
// Tables are exported read-only for the bulk generator in noise.ts.
// 128 layers for the unnormalised density f(x) = exp(−x²/2).
const ZIG_R = 3.442619855899;
const ZIG_V = 9.91256303526217e-3;
/** Layer right edges X[0..128], X[0] = V/f(R) (base strip), X[1] = R, X[128] = 0. */
export const ZX = new Float64Array(129);
/** Fast-accept ratios X[i+1]/X[i]. */
export const ZRATIO = new Float64Array(128);
/** f(X[i]). */
const ZF = new Float64Array(129);
{
  const f = (x: number) => Math.exp(-0.5 * x * x);
  ZX[0] = ZIG_V / f(ZIG_R);
  ZX[1] = ZIG_R;
  for (let i = 2; i < 128; i++) ZX[i] = Math.sqrt(-2 * Math.log(ZIG_V / ZX[i - 1] + f(ZX[i - 1])));
  ZX[128] = 0;
  for (let i = 0; i < 128; i++) ZRATIO[i] = ZX[i + 1] / ZX[i];
  for (let i = 0; i <= 128; i++) ZF[i] = f(ZX[i]);
}

const INV_2P24 = 1 / 16777216;

/**
 * Standard normal from the stream at offset o. The fast path (≈ 98.8 % of
 * draws) costs one 32-bit word: 7 bits pick the layer, the other 25 bits give
 * a signed uniform in (−1, 1).
 */
export function normal(s: Uint32Array, o: number): number {
  const w = nextU32(s, o) | 0;
  const i = w & 127;
  const u = ((w >> 7) + 0.5) * INV_2P24; // (−1, 1), symmetric, never 0
  if (Math.abs(u) < ZRATIO[i]) return u * ZX[i];
  return normalSlow(s, o, i, u);
}

/** Rejection part of the ziggurat (≈ 1.2 % of draws); continues the stream at offset o. */
export function normalSlow(s: Uint32Array, o: number, i: number, u: number): number {
  for (;;) {
    if (i === 0) {
      // Tail beyond R (Marsaglia 1964).
      let x: number, y: number;
      do {
        x = Math.log(uniform53(s, o)) / ZIG_R;
        y = Math.log(uniform53(s, o));
      } while (-2 * y < x * x);
      return u < 0 ? x - ZIG_R : ZIG_R - x;
    }
    const x = u * ZX[i];
    // Wedge: accept with probability proportional to the density inside the layer.
    const f0 = ZF[i];
    const f1 = ZF[i + 1];
    if (f0 + uniform53(s, o) * (f1 - f0) < Math.exp(-0.5 * x * x)) return x;
    const w = nextU32(s, o) | 0;
    i = w & 127;
    u = ((w >> 7) + 0.5) * INV_2P24;
    if (Math.abs(u) < ZRATIO[i]) return u * ZX[i];
  }
}

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x21f0aaad);
  x = Math.imul(x ^ (x >>> 15), 0x735a2d97);
  return x ^ (x >>> 15);
}

/**
 * Derive an auxiliary stream (for the ziggurat's rejection steps in bulk
 * generation, see noise.ts) from the current state of stream `o` in `s`,
 * into slot `oa` of `aux`. Deterministic per replica; statistically
 * independent of the main stream (hashed state, then 12 warm-up rounds).
 */
export function deriveAuxStream(s: Uint32Array, o: number, aux: Uint32Array, oa: number): void {
  aux[oa] = mix32(s[o] ^ 0x9e3779b9);
  aux[oa + 1] = mix32(s[o + 1] ^ 0x85ebca6b);
  aux[oa + 2] = mix32(s[o + 2] ^ 0xc2b2ae35);
  aux[oa + 3] = mix32(s[o + 3] ^ 0x27d4eb2f) | 1;
  for (let i = 0; i < 12; i++) nextU32(aux, oa);
}

/**
 * A single seeded stream as an object, for set-up code (initialisers, data
 * generation, bootstrap) — not for hot loops.
 */
export class Stream {
  private readonly s = new Uint32Array(4);
  /** The stream of `(seed, run, index)`; `purpose` keys an independent stream of the same triple (see {@link seedStream}). */
  constructor(seed: number | string, run: number, index: number, purpose = '') {
    seedStream(this.s, 0, seed, run, index, purpose);
  }
  u32(): number {
    return nextU32(this.s, 0);
  }
  uniform(): number {
    return uniform53(this.s, 0);
  }
  normal(): number {
    return normal(this.s, 0);
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(uniform53(this.s, 0) * n);
  }
  /** The generator's state (a copy), for a checkpoint. */
  saveState(): Uint32Array {
    return this.s.slice();
  }
  /** Continue from a state of {@link saveState}. */
  loadState(state: Uint32Array): void {
    this.s.set(state);
  }
}

/**
 * A seeded uniform (0, 1) source with 53 random bits, for analysis and test
 * code that wants a plain `() => number`: the {@link Stream} of
 * `(seed, 0, 0)` keyed by `purpose` (default 'uniform', so it never replays a
 * run's replica-0 noise for the same seed).
 */
export function seededUniform(seed: number | string, purpose = 'uniform'): () => number {
  const stream = new Stream(seed, 0, 0, purpose);
  return () => stream.uniform();
}

/** The 32-bit words (unsigned) of the stream behind {@link seededUniform} with the same seed and purpose. */
export function seededU32(seed: number | string, purpose = 'uniform'): () => number {
  const stream = new Stream(seed, 0, 0, purpose);
  return () => stream.u32();
}

/** A seeded standard-normal source (ziggurat), the normal counterpart of {@link seededUniform}. */
export function seededNormal(seed: number | string, purpose = 'normal'): () => number {
  const stream = new Stream(seed, 0, 0, purpose);
  return () => stream.normal();
}
