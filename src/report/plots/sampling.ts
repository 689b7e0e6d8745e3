/**
 * Plots of posterior sampling (a scenario's `sampling:` section):
 *
 *   posterior        run: −ln p of each pooled posterior histogram with the
 *                    BIC-chosen Gaussian mixture's −ln density and its means;
 *   chains           run: chain traces from chains.csv (at most 8 replicas),
 *                    with ESS, split R-hat and MCSE in the caption;
 *   sampling-sweep   sweep: each chain observable's posterior mean ± 1.96 MCSE,
 *                    each predictive metric (posterior-mean predictor, and the
 *                    replicas' mean ± 1.96 sem), ESS and split R-hat against the
 *                    swept key;
 *   posterior-sweep  sweep: the −ln p curves of (at most 8) sweep points overlaid.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mixtureDensity } from '../../stats/mixture.js';
import { samplingColumns, type PosteriorSummary, type SamplingSummary } from '../../analysis/sampling.js';
import {
  COLOR,
  figure,
  FIGURE_CONFIG,
  fmt,
  HEIGHT,
  keySymbol,
  observableLabel,
  PALETTE,
  quantScale,
  STEP_TITLE,
  sweepXEncoding,
  sweepScale,
  wantsLog,
  WIDTH,
} from './common.js';
import { sweepGroups } from './sweep.js';
import { column, parseCsv } from '../../results/read.js';
import { registerPlot } from './registry.js';
import type { RunData } from '../../results/types.js';
import type { ReportContext, VegaLiteSpec } from './types.js';

/** At most this many replicas are drawn in a chain plot, and this many sweep points overlaid. */
const MAX_CHAINS = 8;
const MAX_OVERLAID = 8;
/** At most this many points per drawn chain (evenly strided). */
const MAX_CHAIN_POINTS = 400;
/** At most this many chains are ranked together in a rank plot. */
const MAX_RANK_CHAINS = 64;
/** Chains drawn in the trace panel (ArviZ draws all; a few stay readable). */
const TRACE_CHAINS = 4;

const samplingOf = (run: RunData | undefined): SamplingSummary | undefined => run?.summary.sampling;
const centres = (p: PosteriorSummary) => p.counts.map((_, b) => p.range[0] + ((b + 0.5) * (p.range[1] - p.range[0])) / p.bins);

function mixtureText(p: PosteriorSummary): string {
  const m = p.mixture;
  if (!m) return 'no mixture fit';
  const comps = m.weights.map((w, j) => `${fmt(w, 3)} at ${fmt(m.means[j], 3)} (sd ${fmt(m.sds[j], 2)})`).join(', ');
  const modes = m.modes.length
    ? `; ${m.modes.length} mode${m.modes.length === 1 ? '' : 's'} at ${m.modes.map((x) => fmt(x, 3)).join(', ')}`
    : '';
  return `BIC (effective n = ${fmt(m.n, 3)}) chose ${m.components} component${m.components === 1 ? '' : 's'} of ${m.bic.length} tried: weight at mean ${comps}${modes}`;
}

function posteriorSpec(p: PosteriorSummary): VegaLiteSpec {
  const xs = centres(p);
  const hist = xs.map((x, b) => ({ x, y: p.negLogP[b], series: 'histogram' })).filter((d) => d.y !== null && Number.isFinite(d.y));
  const ymax = hist.length ? Math.max(...hist.map((d) => d.y as number)) : 0;
  const ymin = hist.length ? Math.min(...hist.map((d) => d.y as number)) : 0;
  const mixLabel = p.mixture ? `mixture (k = ${p.mixture.components}, BIC)` : '';
  const fit = p.mixture;
  const curve = fit
    ? Array.from({ length: 241 }, (_, i) => {
        const x = p.range[0] + ((p.range[1] - p.range[0]) * i) / 240;
        return { x, y: -Math.log(mixtureDensity(fit, x)), series: mixLabel };
      }).filter((d) => Number.isFinite(d.y) && d.y <= ymax + 0.25 * (ymax - ymin) + 1)
    : [];
  const domain = fit ? ['histogram', mixLabel] : ['histogram'];
  const color = {
    field: 'series',
    type: 'nominal' as const,
    scale: { domain, range: [COLOR.blue, COLOR.vermillion] },
    legend: { title: null, orient: 'top' as const, labelLimit: 320, symbolType: 'stroke' },
  };
  const x = { field: 'x', type: 'quantitative' as const, title: observableLabel(p.of), scale: { domain: p.range, nice: false } };
  const y = { field: 'y', type: 'quantitative' as const, title: '−ln p', scale: { zero: false } };
  const layer: unknown[] = [{ data: { values: hist }, mark: { type: 'line', point: { size: 18 } }, encoding: { x, y, color } }];
  if (curve.length) layer.push({ data: { values: curve }, mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y, color } });
  if (fit)
    layer.push({
      data: { values: fit.means.map((m, j) => ({ m, w: fit.weights[j] })).filter((d) => d.m >= p.range[0] && d.m <= p.range[1]) },
      mark: { type: 'rule', strokeDash: [4, 3], color: COLOR.vermillion, opacity: 0.6 },
      encoding: { x: { field: 'm', type: 'quantitative' } },
    });
  const out = p.underflow + p.overflow;
  return figure({
    description:
      `−ln p of ${p.of}${p.units > 1 ? ` pooled over ${p.units} units,` : ''} replicas and samples: ${p.samples} values in ${p.bins} bins on [${p.range[0]}, ${p.range[1]}]` +
      (out > 0 ? ` (${out} outside)` : '') +
      `; p = count / (in-range values · bin width). ${mixtureText(p)}; dashed rules at the component means.`,
    title: { text: `−ln p(${p.of})`, anchor: 'start' },
    layer,
  }) as VegaLiteSpec;
}

registerPlot({
  kind: 'posterior',
  title: 'Posterior histograms (−ln p)',
  caption:
    'Pooled over units, replicas and samples after the burn-in: −ln of the histogram density per bin (points) and of the BIC-chosen Gaussian-mixture density (line); a mixture of separated components is the droplet picture in numbers.',
  applies: (ctx) => (samplingOf(ctx.run)?.posterior.length ?? 0) > 0,
  build: (ctx) => samplingOf(ctx.run)!.posterior.map(posteriorSpec),
});

/** chains.csv of a run directory, or null. */
function readChains(run: RunData): { header: string[]; rows: string[][] } | null {
  const f = join(run.dir, 'chains.csv');
  if (!existsSync(f)) return null;
  return parseCsv(readFileSync(f, 'utf8'));
}

/** The draws of one chain observable per replica (finite values in sample order) and their steps, from chains.csv. */
export function chainDraws(t: { header: string[]; rows: string[][] }, name: string): Map<number, { values: number[]; steps: number[] }> {
  const rep = column(t, 'replica');
  const step = column(t, 'step');
  const v = column(t, name);
  const out = new Map<number, { values: number[]; steps: number[] }>();
  t.rows.forEach((_, i) => {
    const r = rep[i],
      x = v[i];
    if (r === null || x === null || !Number.isFinite(x)) return;
    if (!out.has(r)) out.set(r, { values: [], steps: [] });
    out.get(r)!.values.push(x);
    out.get(r)!.steps.push(step[i] ?? NaN);
  });
  return out;
}

/**
 * Rank plot data (Vehtari et al. 2021, §4.1; ArviZ `plot_rank`): the draws
 * of all chains pooled and ranked (1 … N, ties share their mean rank), then
 * each chain's ranks counted in `bins` equal bins of [1, N]. Well-mixed
 * chains give flat histograms at `draws/bins`; every chain's counts sum to its
 * draws.
 */
export function rankHistograms(
  chains: Map<number, number[]>,
  bins?: number,
): { bins: number; total: number; perChain: Array<{ replica: number; draws: number; counts: number[] }> } {
  const all: Array<{ v: number; c: number }> = [];
  for (const [c, xs] of chains) for (const v of xs) all.push({ v, c });
  all.sort((a, b) => a.v - b.v);
  const N = all.length;
  const minDraws = Math.min(...[...chains.values()].map((x) => x.length));
  const B = bins ?? Math.max(4, Math.min(20, Math.round(Math.sqrt(Math.max(1, minDraws)))));
  const counts = new Map<number, number[]>([...chains.keys()].map((c) => [c, new Array<number>(B).fill(0)]));
  for (let i = 0; i < N;) {
    let j = i;
    while (j + 1 < N && all[j + 1].v === all[i].v) j++;
    const rank = (i + j) / 2 + 1;
    const b = Math.min(B - 1, Math.floor(((rank - 1) * B) / N));
    for (let k = i; k <= j; k++) counts.get(all[k].c)![b]++;
    i = j + 1;
  }
  return {
    bins: B,
    total: N,
    perChain: [...chains.keys()].sort((a, b) => a - b).map((c) => ({ replica: c, draws: chains.get(c)!.length, counts: counts.get(c)! })),
  };
}

/** A Gaussian kernel density on `points` values of [lo, hi] (Silverman's bandwidth), at most 4,000 draws (evenly strided). */
function kde(xs: number[], lo: number, hi: number, points = 80): Array<{ value: number; density: number }> {
  const stride = Math.max(1, Math.ceil(xs.length / 4000));
  const d = xs.filter((_, i) => i % stride === 0);
  const n = d.length;
  if (n < 2 || !(hi > lo)) return [];
  const mean = d.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  const sorted = [...d].sort((a, b) => a - b);
  const iqr = sorted[Math.floor(0.75 * (n - 1))] - sorted[Math.floor(0.25 * (n - 1))];
  const h = 0.9 * Math.min(sd, iqr > 0 ? iqr / 1.34 : sd) * Math.pow(n, -0.2) || (hi - lo) / 50;
  return Array.from({ length: points + 1 }, (_, k) => {
    const x = lo + ((hi - lo) * k) / points;
    let f = 0;
    for (const v of d) f += Math.exp(-0.5 * ((x - v) / h) ** 2);
    return { value: x, density: f / (n * h * Math.sqrt(2 * Math.PI)) };
  });
}

/** Trace of a few chains (thin lines) beside the pooled density and each drawn chain's (ArviZ `plot_trace`). */
function traceDensitySpec(
  name: string,
  draws: Map<number, number[]>,
  steps: Map<number, number[]>,
  c: SamplingSummary['chains'][string],
  s: SamplingSummary,
): VegaLiteSpec {
  const replicas = [...draws.keys()].sort((a, b) => a - b).slice(0, TRACE_CHAINS);
  const stride = Math.max(1, Math.ceil(s.samplesPerReplica / MAX_CHAIN_POINTS));
  const trace = replicas.flatMap((r) =>
    draws
      .get(r)!
      .map((v, i) => ({ step: steps.get(r)![i], value: v, chain: `replica ${r}` }))
      .filter((_, i, all) => i % stride === 0 || i === all.length - 1),
  );
  const pooled = [...draws.values()].flat();
  const lo = Math.min(...pooled),
    hi = Math.max(...pooled);
  const density = [
    ...kde(pooled, lo, hi).map((d) => ({ ...d, chain: 'all chains' })),
    ...replicas.flatMap((r) => kde(draws.get(r)!, lo, hi).map((d) => ({ ...d, chain: `replica ${r}` }))),
  ];
  const domain = ['all chains', ...replicas.map((r) => `replica ${r}`)];
  const range = [COLOR.black, ...PALETTE.filter((p) => p !== COLOR.black)].slice(0, domain.length);
  const color = {
    field: 'chain',
    type: 'nominal' as const,
    title: null,
    scale: { domain, range },
    legend: { orient: 'top' as const, symbolType: 'stroke' },
  };
  const y = {
    field: 'value',
    type: 'quantitative' as const,
    title: observableLabel(name),
    scale: { domain: [lo, hi], zero: false, nice: false },
  };
  return {
    description:
      `${name}: the chains of ${replicas.length} of ${c.chains} replicas against the step (samples ${s.firstSampleStep} … ${s.lastSampleStep} every ${s.thin} steps), and the density of all ${pooled.length} draws (black) beside each drawn chain's; ` +
      `posterior mean ${fmt(c.mean)} ± ${fmt(c.mcse, 2)} (MCSE), sd ${fmt(c.sd)}, ESS ${fmt(c.ess, 3)}, split R-hat ${fmt(c.rhat, 4)} (from all ${c.chains} chains).`,
    title: { text: `${observableLabel(name)}: trace and density`, anchor: 'start' },
    config: FIGURE_CONFIG,
    resolve: { scale: { y: 'shared' } },
    hconcat: [
      {
        width: WIDTH - 150,
        height: HEIGHT,
        data: { values: trace },
        mark: { type: 'line', strokeWidth: 0.8, opacity: 0.85 },
        encoding: { x: { field: 'step', type: 'quantitative', title: STEP_TITLE, scale: { zero: false, nice: false } }, y, color },
      },
      {
        width: 130,
        height: HEIGHT,
        data: { values: density },
        mark: { type: 'line', orient: 'horizontal' },
        encoding: {
          x: { field: 'density', type: 'quantitative', title: 'density', axis: { tickCount: 3 } },
          y: { ...y, title: null, axis: { labels: false, ticks: false, domain: false } },
          color,
          order: { field: 'value', type: 'quantitative' },
          strokeWidth: { condition: { test: "datum.chain === 'all chains'", value: 2.2 }, value: 0.9 },
        },
      },
    ],
  } as unknown as VegaLiteSpec;
}

/** Rank histograms of every chain (at most MAX_CHAINS rows drawn) with the uniform count as a dashed line. */
function rankSpec(name: string, all: Map<number, number[]>): VegaLiteSpec {
  // Ranks are pooled over at most MAX_RANK_CHAINS chains: a reference that large is as good as all, and sorting stays cheap.
  const draws = new Map([...all].sort((a, b) => a[0] - b[0]).slice(0, MAX_RANK_CHAINS));
  const r = rankHistograms(draws);
  const shown = r.perChain.slice(0, MAX_CHAINS);
  const values = shown.flatMap((ch) =>
    ch.counts.map((count, b) => ({
      chain: `replica ${ch.replica}`,
      bin: b,
      lo: (b * r.total) / r.bins,
      hi: ((b + 1) * r.total) / r.bins,
      count,
      uniform: ch.draws / r.bins,
    })),
  );
  const rowHeight = Math.max(18, Math.floor(HEIGHT / shown.length));
  return {
    description:
      `Rank plot of ${name}: all ${r.total} draws of the ${r.perChain.length} chains ranked together${all.size > draws.size ? ` (the first ${draws.size} of ${all.size} chains)` : ''}, each chain's ranks counted in ${r.bins} bins` +
      (r.perChain.length > shown.length ? ` (the first ${shown.length} chains drawn)` : '') +
      '; dashed: the count if the chains were mixed (uniform ranks). A chain whose bars lean to one side, or a ∪/∩ shape, has not mixed with the others.',
    title: { text: `${observableLabel(name)}: rank plot`, anchor: 'start' },
    config: { ...FIGURE_CONFIG, facet: { spacing: 2 }, header: { labelAngle: 0, labelAlign: 'left', labelFontSize: 10 } },
    data: { values },
    facet: { row: { field: 'chain', type: 'nominal', title: null, sort: shown.map((c) => `replica ${c.replica}`) } },
    spec: {
      width: WIDTH - 60,
      height: rowHeight,
      layer: [
        {
          mark: { type: 'rect', color: COLOR.blue, opacity: 0.8, stroke: 'white', strokeWidth: 0.5 },
          encoding: {
            x: {
              field: 'lo',
              type: 'quantitative',
              title: 'rank of the draw among all chains',
              scale: { domain: [0, r.total], nice: false },
            },
            x2: { field: 'hi' },
            y: { field: 'count', type: 'quantitative', title: null, axis: { tickCount: 2, grid: false } },
          },
        },
        {
          mark: { type: 'rule', strokeDash: [4, 3], color: COLOR.vermillion },
          encoding: { y: { field: 'uniform', type: 'quantitative', aggregate: 'mean' } },
        },
      ],
    },
  } as unknown as VegaLiteSpec;
}

registerPlot({
  kind: 'chains',
  title: 'Sampling chains',
  caption: `Per chain observable (ArviZ conventions): the trace of ${TRACE_CHAINS} chains (thin lines, at most ${MAX_CHAIN_POINTS} points each) beside the density of all draws pooled and of each drawn chain; then the rank plot of every chain (at most ${MAX_CHAINS} drawn): the draws of all chains (up to ${MAX_RANK_CHAINS}) ranked together, each chain's ranks histogrammed, flat at the dashed line when the chains have mixed. Each figure's caption gives the diagnostics over all replicas.`,
  applies: (ctx) => !!ctx.run && Object.keys(samplingOf(ctx.run)?.chains ?? {}).length > 0 && existsSync(join(ctx.run.dir, 'chains.csv')),
  build: (ctx) => {
    const run = ctx.run!;
    const s = samplingOf(run)!;
    const t = readChains(run);
    if (!t) return [];
    return Object.entries(s.chains).flatMap(([name, c]): VegaLiteSpec[] => {
      const chains = chainDraws(t, name);
      if (chains.size === 0) return [];
      const draws = new Map([...chains].map(([r, d]) => [r, d.values]));
      const steps = new Map([...chains].map(([r, d]) => [r, d.steps]));
      return [traceDensitySpec(name, draws, steps, c, s), rankSpec(name, draws)];
    });
  },
});

// ------------------------------------------------------------------ sweeps

/** The sampling columns of a sweep directory's sweep.csv (from its points' summaries). */
export function sweepSamplingColumns(ctx: ReportContext): ReturnType<typeof samplingColumns> | null {
  const s = ctx.sweep;
  if (!s?.table || s.keys.length === 0) return null;
  const cols = samplingColumns(s.points.map((p) => p.summary));
  return cols.header.length > 0 && cols.header.every((h) => s.table!.header.includes(h)) ? cols : null;
}

interface Series {
  label: string;
  y: string;
  sem?: string;
}

function sweepFigure(
  ctx: ReportContext,
  title: string,
  series: Series[],
  extra: { rule?: number; description: string; logY?: boolean },
): VegaLiteSpec | null {
  const s = ctx.sweep!;
  const t = s.table!;
  const [key, ...rest] = s.keys;
  const xs = column(t, key);
  const logX = sweepScale(s.meta, key, xs) === 'log';
  const group = sweepGroups(t, rest)?.labels ?? null;
  const values = series
    .flatMap((ser) => {
      const y = column(t, ser.y);
      const se = ser.sem ? column(t, ser.sem) : null;
      return t.rows.map((_, i) => {
        const e = se?.[i];
        const yi = y[i];
        return {
          x: xs[i],
          y: yi,
          lo: yi !== null && e !== null && e !== undefined ? yi - 1.96 * e : null,
          hi: yi !== null && e !== null && e !== undefined ? yi + 1.96 * e : null,
          series: group ? `${ser.label} (${group[i]})` : ser.label,
        };
      });
    })
    .filter((v) => v.x !== null && v.y !== null && (!logX || v.x > 0));
  if (values.length === 0) return null;
  values.sort((a, b) => a.x! - b.x!);
  const logY = extra.logY ?? wantsLog(values.map((v) => v.y));
  const x = sweepXEncoding(
    key,
    values.map((v) => v.x),
    logX,
  );
  const y = {
    field: 'y',
    type: 'quantitative' as const,
    title,
    ...quantScale([...values.map((v) => v.y), ...values.map((v) => v.lo), ...values.map((v) => v.hi)], logY),
  };
  const color = {
    field: 'series',
    type: 'nominal' as const,
    legend: { title: null, orient: 'top' as const, labelLimit: 320 },
  };
  const layer: unknown[] = [];
  if (values.some((v) => v.lo !== null))
    layer.push({
      transform: [{ filter: 'isValid(datum.lo) && isValid(datum.hi)' }],
      mark: { type: 'rule' },
      encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color },
    });
  layer.push({ mark: { type: 'line', point: true }, encoding: { x, y, color } });
  if (extra.rule !== undefined)
    layer.push({
      data: { values: [{ r: extra.rule }] },
      mark: { type: 'rule', strokeDash: [4, 3], color: COLOR.vermillion },
      encoding: { y: { field: 'r', type: 'quantitative' } },
    });
  return figure({
    description: `${extra.description}${logX ? ' x on a log scale.' : ''}`,
    title: { text: title, anchor: 'start' },
    data: { values },
    layer,
  }) as VegaLiteSpec;
}

/** The warn thresholds of the sweep's sampling section (from sweep.json's scenario), else the defaults. */
function warnOf(ctx: ReportContext): { rhat: number; ess: number } {
  const sc = (ctx.sweep?.meta as { scenario?: { sampling?: { warn?: { rhat?: number; ess?: number } } } } | null)?.scenario;
  return { rhat: sc?.sampling?.warn?.rhat ?? 1.05, ess: sc?.sampling?.warn?.ess ?? 100 };
}

registerPlot({
  kind: 'sampling-sweep',
  title: 'Posterior sampling across the sweep',
  caption: (ctx) =>
    `Against ${ctx.sweep?.keys[0] ?? 'the swept key'}: each chain observable's posterior mean with ±1.96 MCSE error bars; each posterior-predictive metric of the posterior-mean predictor (average prediction over all samples of all replicas) and the mean over replicas of each replica's own posterior-mean metric with ±1.96 sem; the ESS and split R-hat of every chain observable with the warning thresholds (dashed).`,
  applies: (ctx) => sweepSamplingColumns(ctx) !== null,
  build: (ctx) => {
    const cols = sweepSamplingColumns(ctx)!;
    const warn = warnOf(ctx);
    const figs: Array<VegaLiteSpec | null> = [];
    for (const o of cols.chains)
      figs.push(
        sweepFigure(ctx, `${o} (posterior mean)`, [{ label: `${o} posterior mean`, y: `${o}_post_mean`, sem: `${o}_post_mcse` }], {
          description: `${o}: posterior mean over all samples and replicas, error bars ±1.96 MCSE (${o}_post_mean, ${o}_post_mcse).`,
        }),
      );
    for (const m of cols.metrics)
      figs.push(
        sweepFigure(
          ctx,
          `predictive ${m}`,
          [
            { label: 'posterior-mean predictor', y: `pred_${m}` },
            { label: 'per replica (mean ± 1.96 sem)', y: `pred_${m}_mean`, sem: `pred_${m}_sem` },
          ],
          {
            description: `Posterior-predictive ${m}: of the posterior-mean predictor (pred_${m}) and the mean over replicas of each replica's own (pred_${m}_mean ± 1.96 pred_${m}_sem).`,
          },
        ),
      );
    if (cols.chains.length) {
      figs.push(
        sweepFigure(
          ctx,
          'ESS',
          cols.chains.map((o) => ({ label: o, y: `${o}_ess` })),
          {
            rule: warn.ess,
            description: `Effective sample size of each chain observable (all replicas together); dashed: the warning threshold ${warn.ess}.`,
          },
        ),
      );
      figs.push(
        sweepFigure(
          ctx,
          'split R-hat',
          cols.chains.map((o) => ({ label: o, y: `${o}_rhat` })),
          {
            rule: warn.rhat,
            logY: false,
            description: `Rank-normalised split R-hat of each chain observable across replicas; dashed: the warning threshold ${warn.rhat}.`,
          },
        ),
      );
    }
    return figs.filter((f): f is VegaLiteSpec => f !== null);
  },
});

/** The sweep points with a sampling block, labelled by their swept values, at most MAX_OVERLAID evenly spaced. */
function overlaidPoints(ctx: ReportContext): Array<{ label: string; sampling: SamplingSummary }> {
  const s = ctx.sweep;
  if (!s) return [];
  const t = s.table;
  const withS = s.points.filter((p) => p.summary.sampling && p.summary.sampling.posterior.length > 0);
  const pick =
    withS.length <= MAX_OVERLAID
      ? withS
      : Array.from({ length: MAX_OVERLAID }, (_, i) => withS[Math.round((i * (withS.length - 1)) / (MAX_OVERLAID - 1))]);
  return pick.map((p) => {
    const row = t?.rows.find((r) => r[t.header.indexOf('index')] === p.label);
    const label =
      row && t ? s.keys.map((k) => `${keySymbol(k)} = ${fmt(Number(row[t.header.indexOf(k)]))}`).join(', ') : `point ${p.label}`;
    return { label, sampling: p.summary.sampling! };
  });
}

registerPlot({
  kind: 'posterior-sweep',
  title: 'Posterior −ln p across the sweep',
  caption: `The −ln p curves of the pooled posterior histograms of up to ${MAX_OVERLAID} sweep points (evenly spaced in sweep order) overlaid, one figure per histogram.`,
  applies: (ctx) => ctx.layout === 'sweep' && overlaidPoints(ctx).length > 0,
  build: (ctx) => {
    const pts = overlaidPoints(ctx);
    // The i-th histogram of every point (the points share the scenario's sampling.posterior list).
    const entryOf = (p: { sampling: SamplingSummary }, i: number, of: string) => {
      const h = p.sampling.posterior[i];
      return h && h.of === of ? h : p.sampling.posterior.find((q) => q.of === of);
    };
    return pts[0].sampling.posterior.map((first, i): VegaLiteSpec => {
      const of = first.of;
      const values = pts.flatMap((p) => {
        const h = entryOf(p, i, of);
        if (!h) return [];
        const xs = centres(h);
        return xs.map((x, b) => ({ x, y: h.negLogP[b], point: p.label, k: h.mixture?.components ?? null })).filter((d) => d.y !== null);
      });
      const ks = pts.map((p) => `${p.label}: k = ${entryOf(p, i, of)?.mixture?.components ?? '—'}`).join('; ');
      return figure({
        description: `−ln p of ${of} at ${pts.length} sweep points (BIC-chosen mixture components — ${ks}).`,
        title: { text: `−ln p(${of})`, anchor: 'start' },
        data: { values },
        mark: { type: 'line', point: { size: 12 } },
        encoding: {
          x: { field: 'x', type: 'quantitative', title: observableLabel(of), scale: { zero: false, nice: false } },
          y: { field: 'y', type: 'quantitative', title: '−ln p', scale: { zero: false } },
          color: {
            field: 'point',
            type: 'nominal',
            sort: null,
            scale: { scheme: 'viridis' },
            legend: { title: null, orient: 'right', labelLimit: 260 },
          },
        },
      }) as VegaLiteSpec;
    });
  },
});
