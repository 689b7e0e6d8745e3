/** Regime comparison overlays: the traces and survival curves of every regime on one plot. */
import { gridKind, HEIGHT, survivalCurve, traceObservables, traceRows, WIDTH } from './common.js';
import { registerPlot } from './registry.js';
import type { RunData } from '../../results/types.js';
import type { VegaLiteSpec } from './types.js';

function tracesOverlay(runs: RunData[], obs: string): VegaLiteSpec {
  const log = runs.every((r) => gridKind(r) === 'log');
  const values = runs.flatMap((r) =>
    traceRows(r, obs, log)
      .filter((t) => t.q50 !== null)
      .map((t) => ({ t: t.time, q25: t.q25, q50: t.q50, q75: t.q75, regime: r.label })),
  );
  const x = {
    field: 't',
    type: 'quantitative' as const,
    title: 'time t = step·η',
    scale: log ? { type: 'log' as const, nice: false } : { zero: false, nice: false },
  };
  const color = {
    field: 'regime',
    type: 'nominal' as const,
    title: 'regime',
    sort: runs.map((r) => r.label),
    legend: { symbolType: 'stroke', symbolOpacity: 1, symbolStrokeWidth: 2 },
  };
  return {
    description: `${obs}: median (line) and q25–q75 band of every regime${log ? '; log time axis' : ''}.`,
    title: { text: `${obs} by regime`, anchor: 'start' },
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    layer: [
      {
        mark: { type: 'area', opacity: 0.18 },
        encoding: { x, y: { field: 'q25', type: 'quantitative', title: obs, scale: { zero: false } }, y2: { field: 'q75' }, color },
      },
      { mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y: { field: 'q50', type: 'quantitative' }, color } },
    ],
  } as VegaLiteSpec;
}

function survivalOverlay(runs: RunData[], event: string): VegaLiteSpec | null {
  const values = runs.flatMap((r) => (survivalCurve(r, event)?.points ?? []).map((p) => ({ time: p.time, s: p.s, regime: r.label })));
  if (values.length === 0) return null;
  return {
    description: `Kaplan–Meier survival of '${event}' in every regime (censored at each regime's last step).`,
    title: { text: `survival of '${event}' by regime`, anchor: 'start' },
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
    encoding: {
      x: { field: 'time', type: 'quantitative', title: 'time t = step·η' },
      y: { field: 's', type: 'quantitative', title: 'survival S(t)', scale: { domainMax: 1, zero: false } },
      color: {
        field: 'regime',
        type: 'nominal',
        title: 'regime',
        sort: runs.map((r) => r.label),
        legend: { symbolType: 'stroke', symbolStrokeWidth: 2 },
      },
    },
  } as VegaLiteSpec;
}

registerPlot({
  kind: 'regimes',
  title: 'Regimes compared',
  caption:
    'Every regime on one plot: the median and interquartile band of each traced observable, then the Kaplan–Meier survival of each event.',
  applies: (ctx) => (ctx.regimes?.runs.length ?? 0) > 0,
  build: (ctx) => {
    const runs = ctx.regimes!.runs;
    const observables = [...new Set(runs.flatMap(traceObservables))];
    const events = [...new Set(runs.flatMap((r) => r.events?.names ?? []))];
    return [
      ...observables.map((o) =>
        tracesOverlay(
          runs.filter((r) => r.traces.some((t) => t.observable === o)),
          o,
        ),
      ),
      ...events.map((e) => survivalOverlay(runs, e)).filter((s): s is VegaLiteSpec => s !== null),
    ];
  },
});
