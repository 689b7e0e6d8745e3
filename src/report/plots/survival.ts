/** First-passage survival curves: Kaplan–Meier from events.csv, with the exponential fit and the exact MFPT. */
import { BAND_OPACITY, COLOR, figure, fmt, mfptTheory, sample, survivalCurve, TIME_TITLE } from './common.js';
import { registerPlot } from './registry.js';
import type { VegaLiteSpec } from './types.js';

registerPlot({
  kind: 'survival',
  title: 'First-passage survival',
  caption:
    'Kaplan–Meier estimate of S(t) = P(not yet entered by t) with its 95 % pointwise band (shaded) (Greenwood, log(−log)); replicas that never entered are censored at the last step, replicas that diverged first at their divergence step. ' +
    'Dashed: exp(−λ̂t) with the censored maximum-likelihood rate λ̂; dotted: exp(−t/τ) with the exact MFPT τ of the mfpt-1d overlay, when present.',
  applies: (ctx) => !!ctx.run?.events && ctx.run.events.names.length > 0,
  build: (ctx) => {
    const run = ctx.run!;
    return run.events!.names.flatMap((name): VegaLiteSpec[] => {
      const curve = survivalCurve(run, name);
      if (!curve) return [];
      const ev = run.summary.events?.[name];
      const rate = ev?.rate?.perTime ?? null;
      const exact = mfptTheory(run, name)?.exactTime ?? null;
      const series = ['Kaplan–Meier', ...(rate ? ['exp(−λ̂t)'] : []), ...(exact ? ['exp(−t/τ exact)'] : [])];
      const colors = [COLOR.blue, COLOR.vermillion, COLOR.green].slice(0, series.length);
      const dashes = [
        [1, 0],
        [6, 3],
        [2, 2],
      ].slice(0, series.length);
      const legend = { title: null, orient: 'top' as const, symbolType: 'stroke' };
      // Colour and dash share one domain, so the legend draws each curve's dash as the plot does.
      const color = (s: string) => ({ datum: s, type: 'nominal' as const, scale: { domain: series, range: colors }, legend });
      const dash = (s: string) => ({ datum: s, type: 'nominal' as const, scale: { domain: series, range: dashes }, legend });
      const x = {
        field: 'time',
        type: 'quantitative' as const,
        title: TIME_TITLE,
        scale: { domain: [0, curve.horizon], nice: false },
      };
      // Zoom on the range the curves cover (escape is often rare within the horizon).
      const lowest = Math.min(
        ...curve.points.map((p) => p.lower),
        rate ? Math.exp(-rate * curve.horizon) : 1,
        exact ? Math.exp(-curve.horizon / exact) : 1,
      );
      const y = {
        field: 's',
        type: 'quantitative' as const,
        title: 'survival S(t)',
        scale: { domainMin: Math.max(0, lowest - 0.05 * (1 - lowest)), domainMax: 1, zero: false },
      };
      const layer: unknown[] = [
        {
          data: { values: curve.points },
          mark: { type: 'area', interpolate: 'step-after', opacity: BAND_OPACITY, color: colors[0] },
          encoding: { x, y: { field: 'lower', type: 'quantitative' }, y2: { field: 'upper' } },
        },
        {
          data: { values: curve.points },
          mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
          encoding: { x, y, color: color(series[0]), strokeDash: dash(series[0]) },
        },
      ];
      if (rate)
        layer.push({
          data: { values: sample(0, curve.horizon, 100, (t) => Math.exp(-rate * t)).map((p) => ({ time: p.x, s: p.y })) },
          mark: { type: 'line', strokeWidth: 1.5 },
          encoding: { x, y, color: color('exp(−λ̂t)'), strokeDash: dash('exp(−λ̂t)') },
        });
      if (exact)
        layer.push({
          data: { values: sample(0, curve.horizon, 100, (t) => Math.exp(-t / exact)).map((p) => ({ time: p.x, s: p.y })) },
          mark: { type: 'line', strokeWidth: 1.5 },
          encoding: { x, y, color: color('exp(−t/τ exact)'), strokeDash: dash('exp(−t/τ exact)') },
        });
      return [
        figure({
          description:
            `Event '${name}': ${curve.entered} of ${curve.replicas} replicas entered by t = ${fmt(curve.horizon)}` +
            (ev?.mfpt?.time
              ? `; MFPT ${fmt(ev.mfpt.time)} (95 % CI ${ev.mfpt.ci95Time ? `${fmt(ev.mfpt.ci95Time[0])} – ${fmt(ev.mfpt.ci95Time[1])}` : '—'})`
              : '') +
            (exact ? `; exact MFPT ${fmt(exact)}` : '') +
            '.',
          title: { text: `survival of '${name}'`, anchor: 'start' },
          layer,
        }) as VegaLiteSpec,
      ];
    });
  },
});
