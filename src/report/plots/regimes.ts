/** Regime comparison overlays: the traces and survival curves of every regime on one plot. */
import {
  BAND_OPACITY,
  figure,
  gridKind,
  logAxis,
  observableLabel,
  survivalCurve,
  TIME_TITLE,
  traceObservables,
  traceRows,
} from './common.js';
import { registerPlot } from './registry.js';
import { discreteLevels, occupancy } from './traces.js';
import type { RunData } from '../../results/types.js';
import type { VegaLiteSpec } from './types.js';

/** The colour encoding of the regimes, in the order they were run, with stroke symbols in the legend. */
function regimeColor(runs: RunData[]) {
  return {
    field: 'regime',
    type: 'nominal' as const,
    title: 'regime',
    sort: runs.map((r) => r.label),
    legend: { symbolType: 'stroke', symbolOpacity: 1, symbolStrokeWidth: 2 },
  };
}

/** The time axis of the regimes' overlays: log (decade ticks) when every regime's grid is log, else linear. */
function timeEncoding(times: number[], log: boolean) {
  return {
    field: 't',
    type: 'quantitative' as const,
    title: TIME_TITLE,
    scale: log ? { type: 'log' as const, nice: false } : { zero: false, nice: false },
    ...(log && times.length ? { axis: logAxis(Math.min(...times), Math.max(...times)) } : {}),
  };
}

/** A discrete observable (an index such as well): the fraction of replicas at each value but the first, per regime. */
function occupancyOverlay(runs: RunData[], obs: string, levels: number[], log: boolean): VegaLiteSpec {
  const values = runs.flatMap((r) =>
    traceRows(r, obs, log).flatMap((t) => {
      const p = occupancy(t, levels);
      return p ? levels.slice(1).map((v, i) => ({ t: t.time, fraction: p[i + 1], regime: r.label, value: `${obs} = ${v}` })) : [];
    }),
  );
  const x = timeEncoding(
    values.map((v) => v.t),
    log,
  );
  const shown = levels.slice(1).map((v) => `${obs} = ${v}`);
  return figure({
    description: `${obs} (discrete, values ${levels.join(', ')}): the fraction of replicas at ${shown.join(' and at ')} in every regime${log ? '; log time axis' : ''}.`,
    title: { text: `${observableLabel(obs)}: occupancy by regime`, anchor: 'start' },
    data: { values },
    mark: { type: 'line', strokeWidth: 2 },
    encoding: {
      x,
      y: { field: 'fraction', type: 'quantitative', title: `fraction at ${shown.join(', ')}`, scale: { domain: [0, 1] } },
      color: { field: 'regime', type: 'nominal', title: 'regime', sort: runs.map((r) => r.label), legend: { symbolType: 'stroke' } },
      ...(shown.length > 1
        ? { strokeDash: { field: 'value', type: 'nominal', title: null, sort: shown, legend: { symbolType: 'stroke' } } }
        : {}),
    },
  }) as VegaLiteSpec;
}

function tracesOverlay(runs: RunData[], obs: string): VegaLiteSpec {
  const log = runs.every((r) => gridKind(r) === 'log');
  const levels = discreteLevels(
    runs.flatMap((r) => traceRows(r, obs, log)),
    obs,
  );
  if (levels) return occupancyOverlay(runs, obs, levels, log);
  const values = runs.flatMap((r) =>
    traceRows(r, obs, log)
      .filter((t) => t.q50 !== null)
      .map((t) => ({ t: t.time, q25: t.q25, q50: t.q50, q75: t.q75, regime: r.label })),
  );
  const x = timeEncoding(
    values.map((v) => v.t),
    log,
  );
  const color = regimeColor(runs);
  return figure({
    description: `${obs}: median (line) and q25–q75 band of every regime${log ? '; log time axis' : ''}.`,
    title: { text: `${observableLabel(obs)} by regime`, anchor: 'start' },
    data: { values },
    layer: [
      {
        mark: { type: 'area', opacity: BAND_OPACITY },
        encoding: {
          x,
          y: { field: 'q25', type: 'quantitative', title: observableLabel(obs), scale: { zero: false } },
          y2: { field: 'q75' },
          color,
        },
      },
      { mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y: { field: 'q50', type: 'quantitative' }, color } },
    ],
  }) as VegaLiteSpec;
}

function survivalOverlay(runs: RunData[], event: string): VegaLiteSpec | null {
  const values = runs.flatMap((r) =>
    (survivalCurve(r, event)?.points ?? []).map((p) => ({ time: p.time, s: p.s, lower: p.lower, upper: p.upper, regime: r.label })),
  );
  if (values.length === 0) return null;
  const color = regimeColor(runs);
  const x = { field: 'time', type: 'quantitative' as const, title: TIME_TITLE };
  return figure({
    description: `Kaplan–Meier survival of '${event}' in every regime with its 95 % band (censored at each regime's last step).`,
    title: { text: `survival of '${event}' by regime`, anchor: 'start' },
    data: { values },
    layer: [
      {
        mark: { type: 'area', interpolate: 'step-after', opacity: BAND_OPACITY },
        encoding: { x, y: { field: 'lower', type: 'quantitative' }, y2: { field: 'upper' }, color },
      },
      {
        mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
        encoding: { x, y: { field: 's', type: 'quantitative', title: 'survival S(t)', scale: { domainMax: 1, zero: false } }, color },
      },
    ],
  }) as VegaLiteSpec;
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
