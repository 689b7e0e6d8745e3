/**
 * Plots of the run-level analyses of the Brownian-motion picture (summary.json
 * `analyses[]`): the free-energy profile with its bootstrap band and the Gibbs
 * quadrature line, well occupancies with Wilson CIs and theory markers, and the
 * grokking curves (train/test "accuracy" over log time with the t_mem and
 * t_grok theory as vertical rules).
 */
import { COLOR, FIGURE_CONFIG, fmt, HEIGHT, logAxis, TIME_TITLE, WIDTH } from './common.js';
import { registerPlot } from './registry.js';
import type { ReportContext, VegaLiteSpec } from './types.js';

type Obj = Record<string, unknown>;

/** The run's analysis results of one kind. */
function analysesOf(ctx: ReportContext, kind: string): Obj[] {
  const a = (ctx.run?.summary as { analyses?: unknown } | undefined)?.analyses;
  return Array.isArray(a) ? (a.filter((x) => x && typeof x === 'object' && (x as Obj).kind === kind) as Obj[]) : [];
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

registerPlot({
  kind: 'free-energy-profile',
  title: 'Free-energy profile',
  caption:
    'F(q) = −θ ln p(q) per bin, shifted so that min F = 0, with the 95 % bootstrap band (multinomial resampling of the final values, each resample shifted by its own minimum); ' +
    'the line is the theory profile from the exact Gibbs bin probabilities (quadrature of exp(−f/θ)), where the potential is 1-D.',
  applies: (ctx) => analysesOf(ctx, 'free-energy-profile').length > 0,
  build: (ctx) =>
    analysesOf(ctx, 'free-energy-profile').map((a): VegaLiteSpec => {
      const centres = (a.centres as number[]) ?? [];
      const F = (a.F as Array<number | null>) ?? [];
      const lower = (a.lower as Array<number | null>) ?? [];
      const upper = (a.upper as Array<number | null>) ?? [];
      const theory = (a.theory as { F?: Array<number | null> } | null)?.F ?? null;
      const cmp = a.comparison as { maxDeviationSigma?: number | null; binsCompared?: number } | null;
      const pts = centres.map((q, b) => ({ q, F: num(F[b]), lo: num(lower[b]), hi: num(upper[b]) })).filter((p) => p.F !== null);
      const finiteHi = pts.map((p) => p.hi ?? p.F!).filter((v) => v !== null) as number[];
      const yMax = Math.max(
        1e-9,
        ...finiteHi,
        ...(theory ? (theory.filter((v) => v !== null) as number[]) : []).filter(
          (v, i) => F[i] !== null && v <= 1.5 * Math.max(...finiteHi),
        ),
      );
      const series = theory ? ['ensemble', 'Gibbs quadrature'] : ['ensemble'];
      const color = (s: string) => ({
        datum: s,
        type: 'nominal' as const,
        scale: { domain: series, range: [COLOR.blue, COLOR.vermillion].slice(0, series.length) },
        legend: { title: null, orient: 'top' as const },
      });
      const x = { field: 'q', type: 'quantitative' as const, title: String(a.of), scale: { zero: false, nice: false } };
      const y = {
        field: 'F',
        type: 'quantitative' as const,
        title: `F = −θ ln p (θ = ${fmt(num(a.temperature))})`,
        scale: { domain: [0, yMax], clamp: true },
      };
      const layer: unknown[] = [
        {
          data: { values: pts.filter((p) => p.lo !== null && p.hi !== null) },
          mark: { type: 'area', opacity: 0.25, color: COLOR.blue },
          encoding: { x, y: { field: 'lo', type: 'quantitative', scale: y.scale }, y2: { field: 'hi' } },
        },
        { data: { values: pts }, mark: { type: 'point', filled: true, size: 25 }, encoding: { x, y, color: color('ensemble') } },
      ];
      if (theory)
        layer.push({
          data: { values: centres.map((q, b) => ({ q, F: num(theory[b]) })).filter((p) => p.F !== null && p.F <= yMax) },
          mark: { type: 'line', strokeWidth: 2 },
          encoding: { x, y, color: color('Gibbs quadrature') },
        });
      return {
        description:
          `Free-energy profile of ${String(a.of)} from ${String(a.samples)} samples (${String(a.source)}).` +
          (cmp && num(cmp.maxDeviationSigma) !== null
            ? ` Largest deviation from the Gibbs profile: ${fmt(cmp.maxDeviationSigma)} bootstrap σ over ${cmp.binsCompared} bins.`
            : ''),
        title: { text: `F(${String(a.of)})`, anchor: 'start' },
        width: WIDTH,
        height: HEIGHT,
        config: FIGURE_CONFIG,
        layer,
      } as VegaLiteSpec;
    }),
});

registerPlot({
  kind: 'wells',
  title: 'Well occupancies',
  caption:
    'Fraction of replicas in each well at the last step (bars) with the Wilson 95 % interval; diamonds: the theory occupancy (exact quadrature where available, else the harmonic Hessian estimate).',
  applies: (ctx) => analysesOf(ctx, 'wells').length > 0,
  build: (ctx) =>
    analysesOf(ctx, 'wells').map((a): VegaLiteSpec => {
      const wells = (a.wells as Obj[]) ?? [];
      const rows = wells.map((w) => {
        const ci = (w.occupancyCi95 as number[]) ?? [];
        return {
          well: `well ${String(w.well)}`,
          P: num(w.occupancy),
          lo: num(ci[0]),
          hi: num(ci[1]),
          theory: num(w.theoryOccupancy),
          z: num(w.z),
        };
      });
      const method = (a.theory as { method?: string } | null)?.method;
      const x = { field: 'well', type: 'nominal' as const, title: `wells (by ${String(a.by)})`, axis: { labelAngle: 0 } };
      const y = { field: 'P', type: 'quantitative' as const, title: 'occupancy', scale: { domain: [0, 1] } };
      const hasTheory = rows.some((r) => r.theory !== null);
      const series = ['ensemble (Wilson 95 %)', ...(hasTheory ? ['theory'] : [])];
      const color = (s: string) => ({
        datum: s,
        type: 'nominal' as const,
        scale: { domain: series, range: [COLOR.sky, COLOR.vermillion].slice(0, series.length) },
        legend: { title: null, orient: 'top' as const },
      });
      const layer: unknown[] = [
        { data: { values: rows }, mark: { type: 'bar', width: { band: 0.6 } }, encoding: { x, y, color: color(series[0]) } },
        {
          data: { values: rows.filter((r) => r.lo !== null) },
          mark: { type: 'rule', color: COLOR.black, strokeWidth: 2 },
          encoding: { x, y: { field: 'lo', type: 'quantitative', scale: { domain: [0, 1] } }, y2: { field: 'hi' } },
        },
      ];
      if (hasTheory)
        layer.push({
          data: { values: rows.filter((r) => r.theory !== null) },
          mark: { type: 'point', shape: 'diamond', filled: true, size: 120, opacity: 1 },
          encoding: {
            x,
            color: color('theory'),
            y: { field: 'theory', type: 'quantitative', scale: { domain: [0, 1] } },
            tooltip: [{ field: 'theory' }, { field: 'z' }],
          },
        });
      return {
        description:
          `Occupancies of ${rows.length} wells at θ = ${fmt(num(a.temperature))} over ${String(a.replicas)} replicas` +
          (method ? `; theory (diamonds): ${method.split(':')[0]}; largest |z| = ${fmt(num(a.maxAbsZ))}.` : '; no theory.'),
        title: { text: 'well occupancies', anchor: 'start' },
        width: Math.min(WIDTH, 120 + 90 * rows.length),
        height: HEIGHT,
        config: FIGURE_CONFIG,
        layer,
      } as VegaLiteSpec;
    }),
});

registerPlot({
  kind: 'grokking-curves',
  title: 'Grokking curves',
  caption:
    'Fraction of replicas that have memorized ("train accuracy": reached the zero-loss manifold) and grokked ("test accuracy": reached the structure region) by each time, on a log time axis; ' +
    'thin lines: the theory curves (inverse-Gaussian memorization, exact ball-exit grokking); vertical rules: the theory means t_mem = (L − δ)/g and t_grok = R²/(2mθ).',
  applies: (ctx) => analysesOf(ctx, 'grokking-times').length > 0,
  build: (ctx) =>
    analysesOf(ctx, 'grokking-times').map((a): VegaLiteSpec => {
      const c = (a.curves as Obj) ?? {};
      const time = (c.time as number[]) ?? [];
      const lr = ctx.run?.summary.run.lr ?? 1;
      const series = ['train (memorized)', 'test (grokked)', 'train theory', 'test theory'];
      const colors = [COLOR.vermillion, COLOR.blue, COLOR.orange, COLOR.sky];
      const rows: Obj[] = [];
      const add = (name: string, ys: unknown) => {
        if (!Array.isArray(ys)) return;
        time.forEach((t, i) => {
          const v = num(ys[i]);
          if (t > 0 && v !== null) rows.push({ t, accuracy: v, series: name });
        });
      };
      add(series[0]!, c.train);
      add(series[1]!, c.test);
      add(series[2]!, c.theoryTrain);
      add(series[3]!, c.theoryTest);
      const th = (a.theory as { tMem?: { steps?: number; lr?: number } | null; tGrok?: { steps?: number; lr?: number } | null }) ?? {};
      const rules = [
        ...(th.tMem && num(th.tMem.steps) !== null ? [{ t: th.tMem.steps! * (th.tMem.lr ?? lr), label: 't_mem theory' }] : []),
        ...(th.tGrok && num(th.tGrok.steps) !== null ? [{ t: th.tGrok.steps! * (th.tGrok.lr ?? lr), label: 't_grok theory' }] : []),
      ];
      const ts = rows.map((r) => r.t as number);
      const x = {
        field: 't',
        type: 'quantitative' as const,
        title: TIME_TITLE,
        scale: { type: 'log' as const, nice: false },
        ...(ts.length ? { axis: logAxis(Math.min(...ts), Math.max(...ts)) } : {}),
      };
      const mem = a.tMem as { steps?: number | null } | undefined;
      const grok = a.tGrok as { steps?: number | null } | undefined;
      return {
        description:
          `Grokking curves over ${String(a.replicas)} replicas: measured t_mem ${fmt(num(mem?.steps))} steps, t_grok ${fmt(num(grok?.steps))} steps` +
          (rules.length ? `; theory ${rules.map((r) => `${r.label.split(' ')[0]} = ${fmt(r.t)}`).join(', ')} (time).` : '.'),
        title: { text: `train / test accuracy ('${String(a.memorized)}' / '${String(a.grokked)}')`, anchor: 'start' },
        width: WIDTH,
        height: HEIGHT,
        config: FIGURE_CONFIG,
        layer: [
          {
            data: { values: rows },
            mark: { type: 'line', interpolate: 'step-after' },
            encoding: {
              x,
              y: { field: 'accuracy', type: 'quantitative', title: 'fraction of replicas', scale: { domain: [0, 1] } },
              color: { field: 'series', type: 'nominal', scale: { domain: series, range: colors }, legend: { title: null, orient: 'top' } },
              strokeDash: {
                field: 'series',
                type: 'nominal',
                scale: {
                  domain: series,
                  range: [
                    [1, 0],
                    [1, 0],
                    [4, 3],
                    [4, 3],
                  ],
                },
                legend: { title: null, orient: 'top' },
              },
            },
          },
          ...(rules.length
            ? [
                { data: { values: rules }, mark: { type: 'rule', color: COLOR.grey, strokeDash: [2, 2] }, encoding: { x } },
                {
                  data: { values: rules },
                  mark: { type: 'text', align: 'left', dx: 3, dy: -HEIGHT / 2 + 8, fontSize: 10, color: COLOR.black },
                  encoding: { x, text: { field: 'label' } },
                },
              ]
            : []),
        ],
      } as VegaLiteSpec;
    }),
});
