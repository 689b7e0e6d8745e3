/** Histograms (histograms.json) with the theory density (e.g. Gibbs) as a line when present. */
import { COLOR, figure, fmt, observableLabel } from './common.js';
import { registerPlot } from './registry.js';
import type { VegaLiteSpec } from './types.js';

registerPlot({
  kind: 'histograms',
  title: 'Histograms',
  caption:
    'Empirical density (counts / (samples · bin width)) as bars; where a theory overlay applies, its density at the bin centres as a line (Gibbs: exp(−f/θ)/Z).',
  applies: (ctx) => !!ctx.run && ctx.run.histograms.length > 0,
  build: (ctx) =>
    ctx.run!.histograms.map((h): VegaLiteSpec => {
      const bars = h.counts.map((c, b) => ({ lo: h.edges[b], hi: h.edges[b + 1], density: h.density[b], count: c }));
      const th = h.theory?.density;
      const theoryLabel = h.theory
        ? `${h.theory.kind === 'gibbs' ? 'Gibbs' : h.theory.kind}${h.theory.temperature !== undefined ? ` (θ = ${fmt(h.theory.temperature)})` : ''}`
        : '';
      const domain = th ? ['ensemble', theoryLabel] : ['ensemble'];
      const range = th ? [COLOR.sky, COLOR.vermillion] : [COLOR.sky];
      const color = (s: string) => ({
        datum: s,
        type: 'nominal' as const,
        scale: { domain, range },
        legend: { title: null, orient: 'top' as const, symbolType: 'square' },
      });
      const when = h.at === 'grid' ? `all grid points from step ${h.from}` : 'final';
      const out = h.underflow + h.overflow;
      const spec = figure({
        description:
          `Histogram of ${h.of} (${when}): ${h.samples} samples in ${h.bins} bins on [${h.range[0]}, ${h.range[1]}]` +
          (out > 0 ? `, ${out} outside the range (${h.underflow} below, ${h.overflow} above)` : '') +
          (th ? `; ${theoryLabel} density as a line.` : '.'),
        title: { text: `${h.of} (${when})`, anchor: 'start' as const },
        layer: [
          {
            data: { values: bars },
            mark: { type: 'rect' as const, opacity: 0.85 },
            encoding: {
              x: { field: 'lo', type: 'quantitative' as const, title: observableLabel(h.of), scale: { domain: h.range, nice: false } },
              x2: { field: 'hi' },
              y: { field: 'density', type: 'quantitative' as const, title: 'density' },
              color: color('ensemble'),
            },
          },
          ...(th
            ? [
                {
                  data: { values: th.map((d, b) => ({ x: (h.edges[b] + h.edges[b + 1]) / 2, density: d })) },
                  mark: { type: 'line' as const, strokeWidth: 2 },
                  encoding: {
                    x: { field: 'x', type: 'quantitative' as const },
                    y: { field: 'density', type: 'quantitative' as const },
                    color: color(theoryLabel),
                  },
                },
              ]
            : []),
        ],
      });
      return spec as VegaLiteSpec;
    }),
});
