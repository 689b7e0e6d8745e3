/**
 * The plot builders' Vega-Lite specs, on small synthetic result directories
 * (no runs, no dist/): display labels instead of dotted keys, the x scale a
 * sweep's spacing asks for, legends with the swept values, occupancy for a
 * discrete observable, rank plots that count every draw, the shared palette
 * and the mean's dash in the legend.
 *
 *   npx vitest run test/report/plot-specs.test.ts
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vl from 'vega-lite';
import { getPlot, type ReportContext } from '../../src/report/plots/index.js';
import { FIGURE_CONFIG, isGeometric, keyLabel, logAxis, metricLabel, PALETTE, sweepScale } from '../../src/report/plots/common.js';
import { discreteLevels, occupancy } from '../../src/report/plots/traces.js';
import { rankHistograms } from '../../src/report/plots/sampling.js';
import type { CsvTable, RunData, SweepData, TraceRow } from '../../src/results/types.js';
import { tempDir } from '../helpers.js';

type AnySpec = Record<string, any>;

let TMP: string;
beforeAll(() => {
  TMP = tempDir('plot-specs');
});
afterAll(() => {
  if (TMP) rmSync(TMP, { recursive: true, force: true });
});

const table = (header: string[], rows: Array<Array<string | number>>): CsvTable => ({
  header,
  rows: rows.map((r) => r.map(String)),
});

/** A sweep context over `key` (values `xs`) × potential.params.sigma2 (0.1, 1), with sweep.json's definition of `key`. */
function sweepCtx(key: string, xs: number[], definition?: unknown): ReportContext {
  const rows: Array<Array<string | number>> = [];
  let index = 0;
  for (const x of xs) for (const s2 of [0.1, 1]) rows.push([index++, x, s2, x * s2 + 1, 0.1, 5 * x, 4 * x, 6 * x]);
  const sweep: SweepData = {
    meta: { scenario: { sweep: definition === undefined ? { [key]: xs } : { [key]: definition } } },
    table: table(
      ['index', key, 'potential.params.sigma2', 'x_mean', 'x_sem', 'escape_mfpt_time', 'escape_mfpt_lo', 'escape_mfpt_hi'],
      rows,
    ),
    keys: [key, 'potential.params.sigma2'],
    points: [],
    phases: null,
    phaseBoundary: null,
  };
  return { dir: TMP, layout: 'sweep', sweep };
}

const sweepSpecs = (ctx: ReportContext) => getPlot('sweep')!.build(ctx) as AnySpec[];
const xEncoding = (spec: AnySpec) => spec.layer[spec.layer.length - 1].encoding.x;

/** A run with the given trace rows (observable `obs`, time = step·0.01), optionally a sampling burn-in. */
function runWith(rows: Array<Partial<TraceRow> & { step: number }>, obs: string, extra: Partial<RunData> = {}, burnIn?: number): RunData {
  return {
    dir: TMP,
    label: 'run',
    summary: {
      run: { lr: 0.01, steps: 1000, replicas: 100, completedReplicas: 100 },
      theory: [],
      events: {},
      ...(burnIn !== undefined ? { sampling: { burnIn } } : {}),
    } as unknown as RunData['summary'],
    scenario: { observe: { grid: { kind: 'linear' } } },
    traces: rows.map((r) => ({
      n: 100,
      mean: null,
      std: null,
      q05: null,
      q25: null,
      q50: null,
      q75: null,
      q95: null,
      time: r.step * 0.01,
      observable: obs,
      ...r,
    })) as TraceRow[],
    histograms: [],
    events: null,
    finals: null,
    ...extra,
  };
}

describe('labels', () => {
  it('maps well-known keys and sweep.csv columns to symbols, and anything else to its last path segment', () => {
    expect(keyLabel('dynamics.temperature')).toBe('θ (temperature)');
    expect(keyLabel('dynamics.lr')).toBe('η (learning rate)');
    expect(keyLabel('dynamics.step_size')).toBe('η (learning rate)');
    expect(keyLabel('potential.params.sigma2')).toBe('σ²');
    expect(keyLabel('potential.params.train_fraction')).toBe('training fraction');
    expect(keyLabel('potential.params.some_width')).toBe('some width');
    // Two groups' rates on the two axes of a phase diagram must not both read "η".
    expect(keyLabel('dynamics.groups.encoder.lr')).toBe('η_encoder (learning rate)');
    expect(keyLabel('dynamics.groups.decoder.weight_decay')).toBe('weight decay (decoder)');
    expect(metricLabel('escape_mfpt_time')).toBe("MFPT of 'escape' (time)");
    expect(metricLabel('events.escape.mfpt.time')).toBe("MFPT of 'escape' (time)");
    expect(metricLabel('x_mean')).toBe('x (final mean)');
    expect(metricLabel('events.grokked.medianSteps')).toBe("median steps to 'grokked'");
    expect(metricLabel('analyses[0].tGrok.steps')).toBe('t_grok (steps)');
    // A swept key ending like a sweep.csv column is still a key.
    expect(metricLabel('potential.params.train_fraction')).toBe('training fraction');
    expect(metricLabel('potential.params.x_mean')).toBe('x mean');
    expect(metricLabel('analyses[2].tMem.time')).toBe('t_mem (time)');
  });

  it('titles sweep axes with symbols, never with dotted paths, and labels the legend with the swept values', () => {
    const specs = sweepSpecs(sweepCtx('dynamics.temperature', [0.1, 0.2, 0.3]));
    expect(specs.length).toBe(2); // x_mean and escape_mfpt_time
    for (const s of specs) {
      const x = xEncoding(s);
      expect(x.title).toBe('θ (temperature)');
      const y = s.layer[s.layer.length - 1].encoding.y;
      expect(y.title).not.toMatch(/\w\.\w/);
      expect(s.layer[s.layer.length - 1].encoding.color.title).toBe('σ²');
      expect(new Set(s.data.values.map((v: AnySpec) => v.g))).toEqual(new Set(['σ² = 0.1', 'σ² = 1']));
    }
    expect(specs.map((s) => s.title.text)).toContain("MFPT of 'escape' (time) against θ");
  });
});

describe('the x scale of a sweep follows its spacing', () => {
  it('geometric values (ratio test) get a log axis, even when they span less than 20×', () => {
    expect(isGeometric([0.02, 0.04, 0.08, 0.16])).toBe(true);
    expect(isGeometric([1, 2, 3, 4])).toBe(false);
    const specs = sweepSpecs(sweepCtx('potential.params.h', [0.02, 0.04, 0.08, 0.16]));
    for (const s of specs) expect(xEncoding(s).scale.type).toBe('log');
  });

  it('evenly spaced values get a linear axis, even when they span more than 20×', () => {
    const specs = sweepSpecs(sweepCtx('potential.params.h', [1, 11, 21, 31]));
    for (const s of specs) expect(xEncoding(s).scale.type).not.toBe('log');
  });

  it('the sweep definition in sweep.json decides: {log: …} is log, {linear: …} linear', () => {
    expect(sweepScale({ scenario: { sweep: { k: { log: { from: 1, to: 2, points: 3 } } } } }, 'k', [1, 1.414, 2])).toBe('log');
    expect(sweepScale({ scenario: { sweep: { k: { linear: { from: 1, to: 100, points: 3 } } } } }, 'k', [1, 50.5, 100])).toBe('linear');
    const specs = sweepSpecs(sweepCtx('dynamics.temperature', [1, 1.414, 2], { log: { from: 1, to: 2, points: 3 } }));
    expect(xEncoding(specs[0]).scale.type).toBe('log');
  });

  it('log axes tick at decades only (no minor ticks)', () => {
    expect(logAxis(0.001, 20).values).toEqual([0.001, 0.01, 0.1, 1, 10]);
    expect(logAxis(0.12, 0.9).values).toEqual([0.2, 0.5]);
  });
});

describe('traces', () => {
  const wellRows = [0, 100, 200, 300].map((step, i) => ({
    step,
    mean: i * 0.2,
    std: 0.1,
    q05: 0,
    q25: 0,
    q50: 0,
    q75: i > 2 ? 1 : 0,
    q95: i > 1 ? 1.004 : 0, // the quantile sketch's 0.5 % error
  }));

  it('draws a discrete observable as the occupancy of each value, from the mean', () => {
    const run = runWith(wellRows, 'well');
    expect(discreteLevels(run.traces, 'well')).toEqual([0, 1]);
    const spec = (getPlot('traces')!.build({ dir: TMP, layout: 'run', run }) as AnySpec[])[0];
    expect(spec.title.text).toContain('occupancy');
    const values = spec.layer[0].data.values as Array<{ t: number; value: string; fraction: number }>;
    expect(new Set(values.map((v) => v.value))).toEqual(new Set(['well = 0', 'well = 1']));
    const at3 = values.filter((v) => v.t === 3);
    expect(at3.find((v) => v.value === 'well = 1')!.fraction).toBeCloseTo(0.6, 12);
    expect(at3.reduce((a, v) => a + v.fraction, 0)).toBeCloseTo(1, 12);
    expect(spec.layer[0].encoding.y.stack).toBe('zero');
  });

  it('recovers three occupancies exactly from the mean and standard deviation', () => {
    // p = (0.5, 0.3, 0.2) on values 0, 1, 2 with n = 10: mean 0.7, sample variance (E[x²] − mean²)·n/(n − 1).
    const n = 10,
      mean = 0.7,
      ex2 = 0.3 + 4 * 0.2;
    const std = Math.sqrt(((ex2 - mean * mean) * n) / (n - 1));
    const p = occupancy({ n, mean, std } as TraceRow, [0, 1, 2])!;
    expect(p[0]).toBeCloseTo(0.5, 12);
    expect(p[1]).toBeCloseTo(0.3, 12);
    expect(p[2]).toBeCloseTo(0.2, 12);
  });

  it('a continuous observable keeps the quantile bands', () => {
    const rows = [0, 100, 200].map((step) => ({ step, mean: 0.3, std: 1, q05: -1.6, q25: -0.6, q50: 0.1, q75: 0.7, q95: 1.7 }));
    const run = runWith(rows, 'x');
    expect(discreteLevels(run.traces, 'x')).toBeNull();
    const spec = (getPlot('traces')!.build({ dir: TMP, layout: 'run', run }) as AnySpec[])[0];
    expect(spec.layer[0].mark.type).toBe('area');
  });

  it("the mean's dash is in the legend: colour and dash share one legend, and the mean's entry is dashed", () => {
    const rows = [0, 100, 200].map((step) => ({ step, mean: 0.3, std: 1, q05: -1.6, q25: -0.6, q50: 0.1, q75: 0.7, q95: 1.7 }));
    const spec = (getPlot('traces')!.build({ dir: TMP, layout: 'run', run: runWith(rows, 'x') }) as AnySpec[])[0];
    const meanLayer = spec.layer.find((l: AnySpec) => l.encoding?.y?.field === 'mean');
    const dash = meanLayer.encoding.strokeDash;
    expect(dash.datum).toBe('mean');
    expect(dash.scale.domain).toEqual(meanLayer.encoding.color.scale.domain);
    expect(dash.scale.range[dash.scale.domain.indexOf('mean')]).toEqual([5, 3]);
    // Compiled: one legend carries both the stroke colour and the dash.
    const compiled = vl.compile(spec as any).spec as AnySpec;
    const legends = compiled.legends as AnySpec[];
    expect(legends).toHaveLength(1);
    expect(legends[0].strokeDash).toBeDefined();
  });

  it('a positive quantity spanning decades is on a log y axis, and the burn-in is shaded up to its time', () => {
    const rows = [0, 100, 200, 300, 400].map((step, i) => {
      const e = 1000 / Math.pow(10, i);
      return { step, mean: e, std: e / 2, q05: e / 3, q25: e / 2, q50: e, q75: 2 * e, q95: 3 * e };
    });
    const spec = (getPlot('traces')!.build({ dir: TMP, layout: 'run', run: runWith(rows, 'energy', {}, 150) }) as AnySpec[])[0];
    const bands = spec.layer.find((l: AnySpec) => l.encoding?.y?.field === 'q05');
    expect(bands.encoding.y.scale.type).toBe('log');
    const rect = spec.layer.find((l: AnySpec) => l.mark.type === 'rect');
    expect(rect.data.values[0].t1).toBeCloseTo(150 * 0.01, 12);
    // Without a sampling section: no burn-in layer.
    const plain = (getPlot('traces')!.build({ dir: TMP, layout: 'run', run: runWith(rows, 'energy') }) as AnySpec[])[0];
    expect(plain.layer.some((l: AnySpec) => l.mark.type === 'rect')).toBe(false);
  });
});

describe('chains', () => {
  it('rank histograms count every draw of every chain once', () => {
    const chains = new Map<number, number[]>([
      [0, [1, 2, 3, 4, 5, 6, 7, 8]],
      [1, [9, 10, 11, 12, 13, 14, 15, 16]],
      [2, [1, 9, 2, 10, 3, 11, 4, 12, 5, 13]],
    ]);
    const r = rankHistograms(chains, 4);
    expect(r.total).toBe(26);
    for (const c of r.perChain) expect(c.counts.reduce((a, b) => a + b, 0)).toBe(chains.get(c.replica)!.length);
    // Chain 0 holds the lowest values: all its ranks in the lower half.
    expect(r.perChain[0].counts.slice(2)).toEqual([0, 0]);
  });

  it('the chains plot has a trace-plus-density figure and a rank plot per chain observable, whose counts sum to the draws', () => {
    const dir = path.join(TMP, 'chains-run');
    mkdirSync(dir, { recursive: true });
    const lines = ['replica,sample,step,theta'];
    for (let r = 0; r < 5; r++)
      for (let s = 0; s < 40; s++) lines.push(`${r},${s},${100 + 10 * s},${r === 4 && s > 30 ? '' : Math.sin(r * 7 + s * 1.3)}`);
    writeFileSync(path.join(dir, 'chains.csv'), lines.join('\n') + '\n');
    const chainStats = { n: 191, chains: 5, mean: 0, sd: 0.7, mcse: 0.05, ess: 180, rhat: 1.01 };
    const run = runWith([], 'theta', { dir });
    (run.summary as AnySpec).sampling = {
      burnIn: 100,
      thin: 10,
      samplesPerReplica: 40,
      firstSampleStep: 100,
      lastSampleStep: 490,
      chains: { theta: chainStats },
      posterior: [],
      predictive: null,
      warnings: [],
    };
    const specs = getPlot('chains')!.build({ dir, layout: 'run', run }) as AnySpec[];
    expect(specs).toHaveLength(2);
    const [traceDensity, rank] = specs;
    expect(traceDensity.hconcat).toHaveLength(2);
    expect(traceDensity.hconcat[1].data.values.some((d: AnySpec) => d.chain === 'all chains')).toBe(true);
    const counts = new Map<string, number>();
    for (const v of rank.data.values as Array<{ chain: string; count: number }>) counts.set(v.chain, (counts.get(v.chain) ?? 0) + v.count);
    expect(Object.fromEntries(counts)).toEqual({
      'replica 0': 40,
      'replica 1': 40,
      'replica 2': 40,
      'replica 3': 40,
      'replica 4': 31, // empty cells after it diverged are not draws
    });
    expect(rank.spec.layer[1].mark.strokeDash).toBeDefined(); // the uniform line
  });
});

describe('the shared look', () => {
  it('every figure of a run and a sweep carries the Okabe–Ito palette of common.ts', () => {
    expect(FIGURE_CONFIG.range.category).toEqual([...PALETTE]);
    const rows = [0, 100, 200].map((step) => ({ step, mean: 0.3, std: 1, q05: -1.6, q25: -0.6, q50: 0.1, q75: 0.7, q95: 1.7 }));
    const specs = [
      ...(getPlot('traces')!.build({ dir: TMP, layout: 'run', run: runWith(rows, 'x') }) as AnySpec[]),
      ...sweepSpecs(sweepCtx('dynamics.temperature', [0.1, 0.2, 0.3])),
    ];
    for (const s of specs) expect(s.config.range.category).toEqual([...PALETTE]);
  });
});

describe('the phase diagram', () => {
  it('draws cells whose Wilson interval holds the threshold lighter, and labels the axes with symbols', () => {
    const xs = [0.1, 0.2],
      ys = [1, 2];
    const metric = [0.05, 0.52, 0.48, 0.95]; // with n = 100, 0.52 and 0.48 are not significantly different from 0.5
    const rows: Array<Array<string | number>> = [];
    const points: RunData[] = [];
    let i = 0;
    for (const x of xs)
      for (const y of ys) {
        rows.push([i, x, y, metric[i], metric[i] >= 0.5 ? 'escaped' : 'trapped']);
        points.push({
          ...runWith([], 'x'),
          label: String(i),
          summary: {
            run: { replicas: 100, completedReplicas: 100 },
            events: { escape: { replicas: 100 } },
          } as unknown as RunData['summary'],
        });
        i++;
      }
    const ctx: ReportContext = {
      dir: TMP,
      layout: 'sweep',
      sweep: {
        meta: {
          scenario: {
            analysis: [{ kind: 'phase', metric: 'events.escape.fractionEntered', thresholds: [0.5], labels: ['trapped', 'escaped'] }],
          },
        },
        table: null,
        keys: ['dynamics.temperature', 'potential.params.h'],
        points,
        phases: table(['index', 'x', 'y', 'metric', 'phase'], rows),
        phaseBoundary: null,
      },
    };
    const spec = (getPlot('phase-diagram')!.build(ctx) as AnySpec[])[0];
    const cells = spec.layer[0].data.values as Array<{ metric: number; significant: boolean; alpha: number }>;
    expect(cells.map((c) => c.significant)).toEqual([true, false, false, true]);
    expect(cells[1].alpha).toBeLessThan(cells[0].alpha);
    expect(spec.layer[0].encoding.x.title).toBe('θ (temperature)');
    expect(spec.layer[0].encoding.y.title).toBe('h (barrier)');
    expect(spec.layer[0].encoding.color.scale.domain).toEqual(['trapped', 'escaped']);
  });

  it("a learning-phases sweep: each cell's majority share k/n with its Wilson interval, lighter when the interval reaches ½", () => {
    // Majorities 8/8, 7/8 (Wilson lower end 0.53) and 6/8 (0.41) of 8 classified replicas; 3/3 (0.44: too few to tell).
    const counts = [{ memorization: 8 }, { grokking: 7, memorization: 1 }, { comprehension: 6, grokking: 2 }, { confusion: 3 }];
    const majority = ['memorization', 'grokking', 'comprehension', 'confusion'];
    const rows: Array<Array<string | number>> = [];
    const points: RunData[] = counts.map((c, i) => {
      rows.push([i, [1e-4, 1e-3][i % 2], [1e-4, 1e-3][i >> 1], i, majority[i]]);
      const classified = Object.values(c).reduce((a, b) => a + b, 0);
      return {
        ...runWith([], 'x'),
        label: String(i),
        summary: {
          run: { replicas: classified, completedReplicas: classified },
          analyses: [{ kind: 'learning-phases', counts: c, classified, majority: majority[i] }],
        } as unknown as RunData['summary'],
      };
    });
    const ctx: ReportContext = {
      dir: TMP,
      layout: 'sweep',
      sweep: {
        meta: { scenario: { analysis: [] } },
        table: null,
        keys: ['dynamics.groups.encoder.lr', 'dynamics.groups.decoder.lr'],
        points,
        phases: table(['index', 'x', 'y', 'metric', 'phase'], rows),
        phaseBoundary: null,
      },
    };
    const spec = (getPlot('phase-diagram')!.build(ctx) as AnySpec[])[0];
    const cells = spec.layer[0].data.values as Array<{ label: string; significant: boolean; ci: string }>;
    expect(cells.map((c) => c.label)).toEqual(['8/8', '7/8', '6/8', '3/3']);
    expect(cells.map((c) => c.significant)).toEqual([true, true, false, false]);
    // 7 of 8: Wilson 95 % interval 0.529 – 0.978.
    expect(cells[1].ci).toMatch(/^0\.53 – 0\.98 \(n = 8\)$/);
    expect(spec.layer[0].encoding.x.title).toBe('η_encoder (learning rate)');
    expect(spec.description).toMatch(/2 of 4 cells drawn lighter/);
  });
});

describe('survival', () => {
  it('draws the 95 % band visibly, in the curve’s hue', () => {
    const run = runWith([], 'x', {
      events: { names: ['escape'], firstStep: [[10, 20, null, 40, null]] },
    });
    (run.summary as AnySpec).events = { escape: { rate: { perTime: 0.5 }, mfpt: { time: 2 } } };
    const spec = (getPlot('survival')!.build({ dir: TMP, layout: 'run', run }) as AnySpec[])[0];
    const band = spec.layer[0];
    expect(band.mark.opacity).toBeGreaterThanOrEqual(0.2);
    expect(band.mark.color).toBe(spec.layer[1].encoding.color.scale.range[0]);
    // The fitted exponential is dashed in the legend too.
    expect(spec.layer[2].encoding.strokeDash.scale.domain).toEqual(spec.layer[2].encoding.color.scale.domain);
  });
});

describe('scaling fits', () => {
  it('draw the expected law through the fit at the centre of the range, with the expected log–log slope', () => {
    const dir = path.join(TMP, 'scaling');
    mkdirSync(dir, { recursive: true });
    // y ∝ x^0 measured (slope 0) against an expected slope of −1, x over four decades.
    const pts = [1e-6, 1e-4, 1e-2].map((x, i) => ({ index: i, x, xCi: null, y: 5e4, yCi: null, xTheory: null, yTheory: null }));
    const a = {
      kind: 'scaling',
      x: 'dynamics.temperature',
      y: 'events.grokked.medianSteps',
      measured: 0,
      theory: -1,
      fit: { slope: 0, intercept: Math.log(5e4) },
      points: pts,
    };
    writeFileSync(path.join(dir, 'analyses.json'), JSON.stringify({ analyses: [a] }));
    const ctx: ReportContext = {
      dir,
      layout: 'sweep',
      sweep: {
        meta: null,
        table: null,
        keys: ['dynamics.temperature'],
        points: [],
        phases: null,
        phaseBoundary: null,
      } as unknown as SweepData,
    };
    const spec = (getPlot('scaling')!.build(ctx) as AnySpec[])[0];
    expect(spec.title.text).toBe("scaling: median steps to 'grokked' vs θ (temperature)");
    const expected = spec.layer.find((l: AnySpec) => l.data.values[0]?.series === 'expected slope');
    const v = expected.data.values as Array<{ x: number; y: number }>;
    const slope = (Math.log(v[v.length - 1].y) - Math.log(v[0].y)) / (Math.log(v[v.length - 1].x) - Math.log(v[0].x));
    expect(slope).toBeCloseTo(-1, 12);
    // Through the fit at the geometric centre, x = 1e-4: y = 5e4.
    const centre = v.find((p) => Math.abs(Math.log10(p.x) + 4) < 1e-9)!;
    expect(centre.y).toBeCloseTo(5e4, 6);
    expect(spec.description).toMatch(/dashed: the expected slope -1 through the fit/);
  });
});
