/** Quantile-band traces over time: one panel per observable (traces.csv). */
import { gridKind, HEIGHT, traceObservables, traceRows, WIDTH } from './common.js';
import { registerPlot } from './registry.js';
import type { VegaLiteSpec } from './types.js';

const SERIES = ['q05–q95', 'q25–q75', 'median', 'mean'];
const COLORS = ['#c6dbef', '#6baed6', '#08519c', '#e6550d'];

registerPlot({
  kind: 'traces',
  title: 'Ensemble traces',
  caption: (ctx) =>
    `Quantiles over the replicas that have not diverged, at each observation point: shaded bands q05–q95 and q25–q75, the median (solid) and the mean (dashed). ` +
    (ctx.run && gridKind(ctx.run) === 'log'
      ? 'The grid is log-spaced, so time is on a log axis (t = 0 is not shown).'
      : 'Linear time axis.'),
  applies: (ctx) => !!ctx.run && ctx.run.traces.length > 0,
  build: (ctx) => {
    const run = ctx.run!;
    const log = gridKind(run) === 'log';
    return traceObservables(run).map((obs): VegaLiteSpec => {
      const values = traceRows(run, obs, log)
        .filter((r) => r.q05 !== null && r.q95 !== null && r.q25 !== null && r.q75 !== null && r.q50 !== null)
        .map((r) => ({ t: r.time, q05: r.q05, q25: r.q25, q50: r.q50, q75: r.q75, q95: r.q95, mean: r.mean, n: r.n }));
      const x = {
        field: 't',
        type: 'quantitative' as const,
        title: 'time t = step·η',
        scale: log ? { type: 'log' as const, nice: false } : { zero: false, nice: false },
      };
      const color = (s: string) => ({
        datum: s,
        type: 'nominal' as const,
        scale: { domain: SERIES, range: COLORS },
        legend: { title: null, orient: 'top' as const },
      });
      return {
        description: `${obs}: quantile bands (q05–q95, q25–q75), median and mean against time.`,
        title: { text: obs, anchor: 'start' },
        width: WIDTH,
        height: HEIGHT,
        data: { values },
        layer: [
          {
            mark: { type: 'area', opacity: 0.7 },
            encoding: {
              x,
              y: { field: 'q05', type: 'quantitative', title: obs, scale: { zero: false } },
              y2: { field: 'q95' },
              color: color(SERIES[0]),
            },
          },
          {
            mark: { type: 'area', opacity: 0.7 },
            encoding: { x, y: { field: 'q25', type: 'quantitative' }, y2: { field: 'q75' }, color: color(SERIES[1]) },
          },
          { mark: { type: 'line', strokeWidth: 2 }, encoding: { x, y: { field: 'q50', type: 'quantitative' }, color: color(SERIES[2]) } },
          {
            mark: { type: 'line', strokeWidth: 1.5, strokeDash: [5, 3] },
            encoding: { x, y: { field: 'mean', type: 'quantitative' }, color: color(SERIES[3]) },
          },
        ],
      };
    });
  },
});
