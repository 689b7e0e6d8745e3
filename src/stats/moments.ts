/**
 * Mergeable running moments (count, mean, M2) for ensemble observables.
 * `add` uses Welford's update; `merge` uses Chan, Golub & LeVeque's pairwise
 * formula. Deterministic for a given order of adds and merges (floating-point
 * addition is not associative, so a different merge order can differ in the
 * last bits; merge shards in a fixed order for bit-identical results).
 */

/** Plain, structured-clone friendly state of {@link Moments}. */
export interface MomentsJSON {
  count: number;
  mean: number;
  m2: number;
  min: number;
  max: number;
}

/** Running count, mean, M2 = Σ(x − mean)², min and max. */
export class Moments {
  count = 0;
  mean = 0;
  m2 = 0;
  min = Infinity;
  max = -Infinity;

  /** Add one observation (Welford). */
  add(x: number): this {
    const n = this.count + 1;
    const d = x - this.mean;
    this.mean += d / n;
    this.m2 += d * (x - this.mean);
    this.count = n;
    if (x < this.min) this.min = x;
    if (x > this.max) this.max = x;
    return this;
  }

  /** Add all observations of an array. */
  addAll(xs: ArrayLike<number>): this {
    for (let i = 0; i < xs.length; i++) this.add(xs[i]!);
    return this;
  }

  /** Merge another accumulator into this one (Chan et al.); returns this. */
  merge(other: Moments | MomentsJSON): this {
    const nb = other.count;
    if (nb === 0) return this;
    const na = this.count;
    if (na === 0) {
      this.count = nb;
      this.mean = other.mean;
      this.m2 = other.m2;
      this.min = other.min;
      this.max = other.max;
      return this;
    }
    const n = na + nb;
    const d = other.mean - this.mean;
    this.mean += (d * nb) / n;
    this.m2 += other.m2 + (d * d * na * nb) / n;
    this.count = n;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    return this;
  }

  /** Unbiased sample variance M2/(n−1) (NaN for n < 2). */
  get variance(): number {
    return this.count > 1 ? this.m2 / (this.count - 1) : Number.NaN;
  }

  /** Population variance M2/n (NaN for n = 0). */
  get populationVariance(): number {
    return this.count > 0 ? this.m2 / this.count : Number.NaN;
  }

  /** Sample standard deviation. */
  get std(): number {
    return Math.sqrt(this.variance);
  }

  /** Standard error of the mean sqrt(variance/n), assuming independent samples. */
  get sem(): number {
    return Math.sqrt(this.variance / this.count);
  }

  toJSON(): MomentsJSON {
    return { count: this.count, mean: this.mean, m2: this.m2, min: this.min, max: this.max };
  }

  static fromJSON(j: MomentsJSON): Moments {
    const m = new Moments();
    m.count = j.count;
    m.mean = j.mean;
    m.m2 = j.m2;
    m.min = j.min ?? Infinity;
    m.max = j.max ?? -Infinity;
    return m;
  }

  static of(xs: ArrayLike<number>): Moments {
    return new Moments().addAll(xs);
  }
}

/**
 * Standard error of the mean of independent samples, `s/√n` (s the sample
 * standard deviation). For correlated samples divide by the effective sample
 * size instead of n.
 */
export function sem(xs: ArrayLike<number> | Moments): number {
  return (xs instanceof Moments ? xs : Moments.of(xs)).sem;
}
