/**
 * Memory is O(time-grid points), never O(steps) (docs/reliability.md;
 * the peak-RSS figures are in bench/load.ts). The recorders' results of a
 * tiny run have sizes given by grid points, observables, bins and replicas
 * only: the same with 1,000 and 100,000 steps, and equal to the formula. A
 * recorder that kept anything per step (or observed off the grid) fails here.
 * Also: the memory-light CSV writers and distribution() give exactly the
 * output of the straightforward implementations they replaced.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { serialize } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { validateScenarioObject } from '../../src/scenario/index.js';
import { runEnsemble } from '../../src/parallel/run.js';
import { blockSize } from '../../src/observables/results.js';
import { timeGrid } from '../../src/engine/grid.js';
import { distribution } from '../../src/analysis/summary.js';
import { toCsv, writeCsvAtomic, type CsvCell } from '../../src/results/write.js';
import type { QuantileSketchJSON } from '../../src/stats/quantile-sketch.js';
import { tempDir, uniformSource } from '../helpers.js';

const REPLICAS = 40;
const GRID = 25;
const OBS = ['x', 'energy', 'well'];
const BINS = 30;

function scenario(steps: number, grid: { kind: 'linear' | 'log'; points: number }) {
  return validateScenarioObject(
    {
      name: 'memory',
      seed: 3,
      potential: { kind: 'double-well', params: { h: 1 } },
      dynamics: { integrator: 'sgld', lr: 1e-3, temperature: 0.3, steps },
      ensemble: { replicas: REPLICAS, init: { kind: 'point', x: [-1] } },
      observe: {
        grid,
        observables: OBS,
        histograms: [
          { of: 'x', bins: BINS, range: [-2, 2] },
          { of: 'x', bins: BINS, range: [-2, 2], at: 'grid' },
        ],
        events: [{ name: 'escape', enter: { x: { ge: 1 } } }],
      },
    },
    '',
  );
}

const sketchCount = (j: QuantileSketchJSON) =>
  j.zeroCount + j.positive.counts.reduce((a, b) => a + b, 0) + j.negative.counts.reduce((a, b) => a + b, 0);

/** Sizes of everything a run keeps, by kind. */
function sizes(r: Awaited<ReturnType<typeof runEnsemble>>) {
  return {
    gridPoints: r.traces.steps.length,
    moments: r.traces.moments.length,
    sketches: r.traces.sketches.length,
    histogramCounts: r.histograms.map((h) => h.counts.length),
    histogramSamples: r.histograms.map((h) => h.samples),
    finals: r.finals.values.length,
    events: r.events.map((e) => e.firstStep.length),
    divergedAt: r.divergedAt.length,
    sampling: r.sampling === undefined,
  };
}

describe('result sizes depend on grid points and replicas, not on steps', () => {
  it('1,000 vs 100,000 steps on the same linear grid: identical sizes, equal to the formula', async () => {
    const short = await runEnsemble(scenario(1_000, { kind: 'linear', points: GRID }), { workers: 0 });
    const long = await runEnsemble(scenario(100_000, { kind: 'linear', points: GRID }), { workers: 0 });
    expect(long.steps).toBe(100_000);
    const blocks = Math.ceil(REPLICAS / blockSize(REPLICAS));
    const expected = {
      gridPoints: GRID,
      moments: blocks * GRID * OBS.length * 3,
      sketches: GRID * OBS.length,
      histogramCounts: [BINS, BINS],
      // Nobody diverges here: a final histogram sees each replica once, a grid histogram once per grid point.
      histogramSamples: [REPLICAS, REPLICAS * GRID],
      finals: REPLICAS * OBS.length,
      events: [REPLICAS],
      divergedAt: REPLICAS,
      sampling: true,
    };
    expect(short.divergedAt.every((d) => !(d >= 0))).toBe(true);
    expect(long.divergedAt.every((d) => !(d >= 0))).toBe(true);
    expect(sizes(short)).toEqual(expected);
    expect(sizes(long)).toEqual(expected);
    // Every quantile sketch holds one value per replica: observed at its grid point only.
    for (const r of [short, long]) for (const sk of r.traces.sketches) expect(sketchCount(sk as QuantileSketchJSON)).toBe(REPLICAS);
    // Block moments count one value per replica per grid point and observable.
    for (const r of [short, long]) {
      let n = 0;
      for (let i = 0; i < r.traces.moments.length; i += 3) n += r.traces.moments[i];
      expect(n).toBe(REPLICAS * GRID * OBS.length);
    }
    // The whole result as a worker would post it: 100× the steps may change the
    // sketches' bucket ranges (values spread), never by a factor that grows with the steps.
    const bytes = (r: typeof short) => serialize({ ...r, shardWallSeconds: [] }).length;
    expect(bytes(long)).toBeLessThan(1.5 * bytes(short));
  });

  it('a log grid has at most `points` + 1 observation steps whatever the number of steps', async () => {
    for (const steps of [1_000, 100_000]) {
      const r = await runEnsemble(scenario(steps, { kind: 'log', points: GRID }), { workers: 0 });
      const grid = timeGrid('log', GRID, steps);
      expect(r.traces.steps).toEqual(grid);
      expect(grid.length).toBeLessThanOrEqual(GRID + 1);
      expect(r.traces.sketches.length).toBe(grid.length * OBS.length);
      expect(r.histograms[1].samples).toBe(REPLICAS * grid.length);
    }
  });
});

describe('memory-light writers give the same output as the straightforward ones', () => {
  const oldCsv = (header: string[], rows: CsvCell[][]) => {
    const cell = (v: CsvCell) => {
      if (v === null || v === undefined) return '';
      if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
      return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
    };
    return [header.join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n';
  };

  it('toCsv and writeCsvAtomic: same text as one string per row, across chunk boundaries', () => {
    const rows: CsvCell[][] = [];
    for (let i = 0; i < 20_000; i++)
      rows.push([i, i % 7 === 0 ? null : i / 3, i % 11 === 0 ? NaN : -i * 1e-300, i % 13 === 0 ? 'a,"b"' : 'x', undefined, Infinity]);
    const header = ['replica', 'x', 'y', 'label', 'none', 'inf'];
    const expected = oldCsv(header, rows);
    expect(toCsv(header, rows)).toBe(expected);
    expect(toCsv(header, [])).toBe(oldCsv(header, []));
    const dir = tempDir('memory');
    try {
      const f = join(dir, 'rows.csv');
      writeCsvAtomic(f, header, rows.length, (i) => rows[i]);
      expect(readFileSync(f, 'utf8')).toBe(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('distribution() on a Float64Array equals the comparator sort of a plain array', () => {
    const rnd = uniformSource(12345);
    const values = Float64Array.from({ length: 5001 }, (_, i) =>
      i % 97 === 0 ? NaN : i % 89 === 0 ? -0 : i % 83 === 0 ? 0.5 : (rnd() - 0.3) * 10,
    );
    const v = Array.from(values)
      .filter((x) => x === x)
      .sort((a, b) => a - b);
    const n = v.length;
    let mean = 0;
    for (let i = 0; i < n; i++) mean += (v[i] - mean) / (i + 1);
    let m2 = 0;
    for (let i = 0; i < n; i++) m2 += (v[i] - mean) * (v[i] - mean);
    const std = Math.sqrt(m2 / (n - 1));
    const q = (p: number) => {
      const h = (n - 1) * p;
      const lo = Math.floor(h);
      return v[lo] + (h - lo) * (v[lo + 1] - v[lo]);
    };
    expect(JSON.parse(JSON.stringify(distribution(values)))).toEqual(
      JSON.parse(
        JSON.stringify({
          n,
          mean,
          std,
          sem: std / Math.sqrt(n),
          min: v[0],
          q05: q(0.05),
          q25: q(0.25),
          q50: q(0.5),
          q75: q(0.75),
          q95: q(0.95),
          max: v[n - 1],
        }),
      ),
    );
    expect(distribution([NaN, NaN]).n).toBe(0);
    expect(distribution([2]).std).toBe(0);
  });
});
