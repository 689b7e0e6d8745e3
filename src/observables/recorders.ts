/**
 * Recorders turn observables into mergeable accumulators (see results.ts).
 * Diverged (frozen) replicas are excluded from every statistic from the step
 * they diverged on; they are counted separately.
 */
import type { EnsembleState, EventWatcher, Observer, Potential } from '../engine/types.js';
import { QuantileSketch, type QuantileSketchJSON } from '../stats/quantile-sketch.js';
import type { Observable } from './observables.js';
import { blockSize, type EventResult, type FinalsResult, type HistogramResult, type TraceResult } from './results.js';

/** Quantile traces and block moments of observables on a time grid. */
export class TraceRecorder implements Observer {
  readonly at: number[];
  private readonly moments: Float64Array;
  private sketches: QuantileSketch[];
  private readonly buf: Float64Array;
  private readonly firstBlock: number;
  private readonly nBlocks: number;
  private readonly block: number;

  /** `replicas`: the whole ensemble's size (fixes the block size; see blockSize). */
  constructor(
    steps: number[],
    private readonly observables: Observable[],
    firstReplica: number,
    count: number,
    replicas: number,
  ) {
    this.at = steps;
    const BLOCK = (this.block = blockSize(replicas));
    this.firstBlock = Math.floor(firstReplica / BLOCK);
    const lastBlock = Math.floor((firstReplica + Math.max(count, 1) - 1) / BLOCK);
    this.nBlocks = lastBlock - this.firstBlock + 1;
    this.moments = new Float64Array(this.nBlocks * steps.length * observables.length * 3);
    this.sketches = Array.from({ length: steps.length * observables.length }, () => new QuantileSketch());
    this.buf = new Float64Array(count);
  }

  observe(state: EnsembleState, _p: Potential, _step: number, index: number): void {
    const nObs = this.observables.length;
    const nGrid = this.at.length;
    const first = state.firstReplica;
    for (let k = 0; k < nObs; k++) {
      this.observables[k].evaluate(state, this.buf);
      const sketch = this.sketches[index * nObs + k];
      for (let r = 0; r < state.count; r++) {
        if (state.frozen[r] !== 0) continue;
        const v = this.buf[r];
        if (v !== v) continue;
        const b = Math.floor((first + r) / this.block) - this.firstBlock;
        const o = ((b * nGrid + index) * nObs + k) * 3;
        // Welford update in replica order within the block.
        const n = this.moments[o] + 1;
        const d = v - this.moments[o + 1];
        this.moments[o] = n;
        this.moments[o + 1] += d / n;
        this.moments[o + 2] += d * (v - this.moments[o + 1]);
        sketch.add(v);
      }
    }
  }

  saveState(): unknown {
    return { grid: this.at.length, moments: this.moments.slice(), sketches: this.sketches.map((k) => k.toJSON()) };
  }

  /** Also from the recorder of a shorter run whose grid is a prefix of this one's (a run extended in steps): its rows go first. */
  loadState(saved: unknown): void {
    const s = saved as { grid: number; moments: Float64Array; sketches: QuantileSketchJSON[] };
    const row = s.grid * this.observables.length * 3;
    const stride = this.at.length * this.observables.length * 3;
    for (let b = 0; b < this.nBlocks; b++) this.moments.set(s.moments.subarray(b * row, (b + 1) * row), b * stride);
    s.sketches.forEach((k, i) => (this.sketches[i] = QuantileSketch.fromJSON(k)));
  }

  result(): TraceResult {
    return {
      steps: this.at,
      observables: this.observables.map((o) => o.name),
      blocks: this.nBlocks,
      moments: this.moments,
      sketches: this.sketches.map((s) => s.toJSON()),
    };
  }
}

/** Histogram of one observable, at the final step or on every grid point from a step on. */
export class HistogramRecorder implements Observer {
  readonly at: number[];
  private readonly counts: Float64Array;
  private underflow = 0;
  private overflow = 0;
  private samples = 0;
  private readonly buf: Float64Array;

  constructor(
    private readonly spec: { of: string; bins: number; range: [number, number]; at: 'final' | 'grid'; from: number },
    private readonly observable: Observable,
    grid: number[],
    finalStep: number,
    count: number,
  ) {
    this.at = spec.at === 'final' ? [finalStep] : grid.filter((s) => s >= spec.from);
    this.counts = new Float64Array(spec.bins);
    this.buf = new Float64Array(count);
  }

  observe(state: EnsembleState): void {
    this.observable.evaluate(state, this.buf);
    const [lo, hi] = this.spec.range;
    const bins = this.spec.bins;
    const scale = bins / (hi - lo);
    for (let r = 0; r < state.count; r++) {
      if (state.frozen[r] !== 0) continue;
      const v = this.buf[r];
      if (v !== v) continue;
      this.samples++;
      if (v < lo) this.underflow++;
      else if (v >= hi) {
        if (v === hi) this.counts[bins - 1]++;
        else this.overflow++;
      } else this.counts[Math.min(bins - 1, Math.floor((v - lo) * scale))]++;
    }
  }

  saveState(): unknown {
    return { counts: this.counts.slice(), underflow: this.underflow, overflow: this.overflow, samples: this.samples };
  }

  loadState(saved: unknown): void {
    const s = saved as { counts: Float64Array; underflow: number; overflow: number; samples: number };
    this.counts.set(s.counts);
    this.underflow = s.underflow;
    this.overflow = s.overflow;
    this.samples = s.samples;
  }

  result(): HistogramResult {
    const s = this.spec;
    return {
      of: s.of,
      bins: s.bins,
      range: s.range,
      at: s.at,
      from: s.from,
      counts: this.counts,
      underflow: this.underflow,
      overflow: this.overflow,
      samples: this.samples,
    };
  }
}

export type BoundSpec = { ge?: number; gt?: number; le?: number; lt?: number };

/** First entry of each replica into a region (all listed observables within bounds). */
export class FirstPassageWatcher implements EventWatcher {
  readonly every: number;
  private readonly first: Float64Array;
  private readonly bufs: Float64Array[];
  private readonly bounds: { lo: number; loStrict: boolean; hi: number; hiStrict: boolean }[];
  private pending: number;

  constructor(
    private readonly name: string,
    private readonly observables: Observable[],
    bounds: BoundSpec[],
    every: number,
    count: number,
    private readonly shardFirst: number,
  ) {
    this.every = every;
    this.first = new Float64Array(count).fill(NaN);
    this.pending = count;
    this.bufs = observables.map(() => new Float64Array(count));
    this.bounds = bounds.map((b) => ({
      lo: b.gt ?? b.ge ?? -Infinity,
      loStrict: b.gt !== undefined,
      hi: b.lt ?? b.le ?? Infinity,
      hiStrict: b.lt !== undefined,
    }));
  }

  check(state: EnsembleState, _p: Potential, step: number): void {
    if (this.pending === 0) return;
    for (let k = 0; k < this.observables.length; k++) this.observables[k].evaluate(state, this.bufs[k]);
    const off = state.firstReplica - this.shardFirst;
    const first = this.first;
    for (let r = 0; r < state.count; r++) {
      if (first[off + r] === first[off + r] || state.frozen[r] !== 0) continue;
      let inside = true;
      for (let k = 0; k < this.bounds.length && inside; k++) {
        const v = this.bufs[k][r];
        const b = this.bounds[k];
        if (b.loStrict ? !(v > b.lo) : !(v >= b.lo)) inside = false;
        else if (b.hiStrict ? !(v < b.hi) : !(v <= b.hi)) inside = false;
      }
      if (inside) {
        first[off + r] = step;
        this.pending--;
      }
    }
  }

  saveState(): unknown {
    return { first: this.first.slice(), pending: this.pending };
  }

  loadState(saved: unknown): void {
    const s = saved as { first: Float64Array; pending: number };
    this.first.set(s.first);
    this.pending = s.pending;
  }

  result(): EventResult {
    return { name: this.name, firstStep: this.first };
  }
}

/** Per-replica values of observables at the final step. */
export class FinalsRecorder implements Observer {
  readonly at: number[];
  private readonly values: Float64Array;
  private readonly buf: Float64Array;

  constructor(
    private readonly observables: Observable[],
    finalStep: number,
    count: number,
    private readonly shardFirst: number,
  ) {
    this.at = [finalStep];
    this.values = new Float64Array(count * observables.length);
    this.buf = new Float64Array(count);
  }

  observe(state: EnsembleState): void {
    const n = this.observables.length;
    const off = state.firstReplica - this.shardFirst;
    for (let k = 0; k < n; k++) {
      this.observables[k].evaluate(state, this.buf);
      for (let r = 0; r < state.count; r++) this.values[(off + r) * n + k] = this.buf[r];
    }
  }

  saveState(): unknown {
    return { values: this.values.slice() };
  }

  loadState(saved: unknown): void {
    this.values.set((saved as { values: Float64Array }).values);
  }

  result(): FinalsResult {
    return { observables: this.observables.map((o) => o.name), values: this.values };
  }
}
