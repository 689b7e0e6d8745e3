/**
 * Mergeable quantile sketch with relative accuracy α (the DDSketch idea,
 * Masson, Rim & Lee, VLDB 2019), for quantile traces of ensembles of up to 10⁶
 * replicas.
 *
 * Values v with |v| ≥ 1e-12 go to logarithmic buckets: with γ = (1+α)/(1−α),
 * bucket i holds |v| ∈ (γ^{i−1}, γ^i] and is represented by 2γ^i/(γ+1), which
 * is within relative error α of every value in the bucket. |v| < 1e-12 goes to
 * a zero bucket (represented by 0). Counts are integers, so `merge` (adding
 * counts) is exact, associative and commutative: any merge order gives the
 * identical sketch.
 *
 * Error bound: `quantile(q)` returns x̂ with |x̂ − x| ≤ α|x| where
 * x = x_(⌊q(n−1)⌋) is the lower empirical quantile of the values added (0-based
 * order statistic), for |x| ≥ 1e-12; |x̂| < 1e-12·(1+α) otherwise. The result is
 * clamped to the exact [min, max]. Memory: one count per occupied bucket range,
 * ≈ ln(max/min)/(2α) buckets per sign (≈ 2800 for 12 decades at α = 0.005).
 */

/** Plain, structured-clone friendly state of {@link QuantileSketch}. */
export interface QuantileSketchJSON {
  alpha: number;
  zeroCount: number;
  /** Positive store: counts[j] is bucket index offset + j. */
  positive: { offset: number; counts: number[] };
  /** Negative store, indexed by |v|. */
  negative: { offset: number; counts: number[] };
  min: number;
  max: number;
  /** Non-finite values seen (ignored by the quantiles). */
  invalid: number;
}

/** Threshold below which |v| counts as zero. */
export const SKETCH_ZERO_THRESHOLD = 1e-12;

class BucketStore {
  offset = 0;
  counts: number[] = [];

  add(index: number, n: number): void {
    if (this.counts.length === 0) {
      this.offset = index;
      this.counts.push(0);
    } else if (index < this.offset) {
      const grow = this.offset - index;
      this.counts = new Array<number>(grow).fill(0).concat(this.counts);
      this.offset = index;
    } else if (index >= this.offset + this.counts.length) {
      const grow = index - this.offset - this.counts.length + 1;
      for (let j = 0; j < grow; j++) this.counts.push(0);
    }
    this.counts[index - this.offset]! += n;
  }

  total(): number {
    let s = 0;
    for (const c of this.counts) s += c;
    return s;
  }
}

/** DDSketch-style mergeable quantile sketch; see the module doc for the error bound. */
export class QuantileSketch {
  readonly alpha: number;
  private readonly gamma: number;
  private readonly logGamma: number;
  private readonly pos = new BucketStore();
  private readonly neg = new BucketStore();
  private zeroCount = 0;
  /** Exact minimum and maximum of the finite values added. */
  min = Infinity;
  max = -Infinity;
  /** Number of non-finite values offered to `add` (not counted). */
  invalid = 0;

  /** @param alpha relative accuracy, 0 < α < 1, default 0.005. */
  constructor(alpha = 0.005) {
    if (!(alpha > 0 && alpha < 1)) throw new RangeError(`QuantileSketch: alpha must be in (0, 1), got ${alpha}`);
    this.alpha = alpha;
    this.gamma = (1 + alpha) / (1 - alpha);
    this.logGamma = Math.log(this.gamma);
  }

  /** Number of finite values in the sketch. */
  get count(): number {
    return this.zeroCount + this.pos.total() + this.neg.total();
  }

  private index(absV: number): number {
    return Math.ceil(Math.log(absV) / this.logGamma);
  }

  private value(index: number): number {
    return (2 * Math.exp(index * this.logGamma)) / (this.gamma + 1);
  }

  /** Add a value (non-finite values are counted in `invalid` and otherwise ignored). */
  add(v: number): this {
    if (!Number.isFinite(v)) {
      this.invalid++;
      return this;
    }
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
    if (v >= SKETCH_ZERO_THRESHOLD) this.pos.add(this.index(v), 1);
    else if (v <= -SKETCH_ZERO_THRESHOLD) this.neg.add(this.index(-v), 1);
    else this.zeroCount++;
    return this;
  }

  /** Add every value of an array. */
  addAll(vs: ArrayLike<number>): this {
    for (let i = 0; i < vs.length; i++) this.add(vs[i]!);
    return this;
  }

  /** Add the counts of `other` (same α required). Exact and order-independent. */
  merge(other: QuantileSketch): this {
    if (other.alpha !== this.alpha) throw new RangeError(`QuantileSketch.merge: alpha mismatch (${this.alpha} vs ${other.alpha})`);
    for (let j = 0; j < other.pos.counts.length; j++)
      if (other.pos.counts[j]! > 0) this.pos.add(other.pos.offset + j, other.pos.counts[j]!);
    for (let j = 0; j < other.neg.counts.length; j++)
      if (other.neg.counts[j]! > 0) this.neg.add(other.neg.offset + j, other.neg.counts[j]!);
    this.zeroCount += other.zeroCount;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    this.invalid += other.invalid;
    return this;
  }

  /**
   * Lower quantile estimate for q ∈ [0, 1] (NaN when empty): the
   * representative of the bucket holding order statistic ⌊q(n−1)⌋, clamped to
   * [min, max]; q = 0 and q = 1 return the exact min and max.
   */
  quantile(q: number): number {
    const n = this.count;
    if (n === 0 || !(q >= 0 && q <= 1)) return Number.NaN;
    if (q === 0) return this.min;
    if (q === 1) return this.max;
    const rank = Math.floor(q * (n - 1)); // 0-based order statistic
    let cum = 0;
    let est = Number.NaN;
    const nc = this.neg.counts;
    for (let j = nc.length - 1; j >= 0 && Number.isNaN(est); j--) {
      cum += nc[j]!;
      if (cum > rank) est = -this.value(this.neg.offset + j);
    }
    if (Number.isNaN(est)) {
      cum += this.zeroCount;
      if (cum > rank) est = 0;
    }
    const pc = this.pos.counts;
    for (let j = 0; j < pc.length && Number.isNaN(est); j++) {
      cum += pc[j]!;
      if (cum > rank) est = this.value(this.pos.offset + j);
    }
    if (Number.isNaN(est)) est = this.max;
    return Math.min(this.max, Math.max(this.min, est));
  }

  /** Several quantiles at once. */
  quantiles(qs: readonly number[]): number[] {
    return qs.map((q) => this.quantile(q));
  }

  /** Plain-array state (for postMessage / JSON; `min`/`max` are ±Infinity when empty). */
  toJSON(): QuantileSketchJSON {
    return {
      alpha: this.alpha,
      zeroCount: this.zeroCount,
      positive: { offset: this.pos.offset, counts: this.pos.counts.slice() },
      negative: { offset: this.neg.offset, counts: this.neg.counts.slice() },
      min: this.min,
      max: this.max,
      invalid: this.invalid,
    };
  }

  /** Rebuild from {@link toJSON} output (JSON null for min/max is read as empty). */
  static fromJSON(j: QuantileSketchJSON): QuantileSketch {
    const s = new QuantileSketch(j.alpha);
    s.zeroCount = j.zeroCount;
    s.pos.offset = j.positive.offset;
    s.pos.counts = j.positive.counts.slice();
    s.neg.offset = j.negative.offset;
    s.neg.counts = j.negative.counts.slice();
    s.min = j.min ?? Infinity;
    s.max = j.max ?? -Infinity;
    s.invalid = j.invalid ?? 0;
    return s;
  }
}
