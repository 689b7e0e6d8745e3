/**
 * The registry of report plots: one entry per kind of result. A new kind of
 * result (a free-energy profile, an Arrhenius plot, …) is one file that calls
 * `registerPlot` once, imported from `./index.ts`:
 *
 * ```ts
 * registerPlot({
 *   kind: 'arrhenius',
 *   title: 'Arrhenius plot',
 *   caption: 'ln rate against 1/θ with the Kramers slope.',
 *   applies: (ctx) => ctx.layout === 'sweep' && …,
 *   build: (ctx) => [{ data: { values: … }, mark: 'point', encoding: … }],
 * });
 * ```
 *
 * Each spec returned by `build` becomes one figure (one inline SVG) in
 * report.html and four files in figures/ (../figures.ts); a spec's
 * `description` is used as that figure's caption, its `title` names the
 * files (`<kind>-<title slug>`).
 *
 * The registry is a `createRegistry` keyed by `kind`: a duplicate throws, an
 * unknown kind (`plots.get`) lists the known ones with a did-you-mean.
 */
import { createRegistry } from '../../engine/registry.js';
import type { ReportContext, VegaLiteSpec } from './types.js';

export interface PlotEntry {
  /** Unique key of the kind of result, e.g. 'traces', 'survival'. */
  kind: string;
  /** Section heading in the report. */
  title: string;
  /** One or two sentences under the heading (text, or computed from the context). */
  caption?: string | ((ctx: ReportContext) => string);
  /** Whether this directory holds the result this plot shows. Must not throw for absent data. */
  applies(ctx: ReportContext): boolean;
  /** The figures: one Vega-Lite spec per figure (inline data). */
  build(ctx: ReportContext): VegaLiteSpec[];
}

/** A registered plot: its registry name is its kind. */
export type RegisteredPlot = PlotEntry & { name: string };

/** The plot registry. */
export const plots = createRegistry<RegisteredPlot>('plot');

/** Register a plot kind; throws if the kind is already registered (nothing is overwritten). */
export function registerPlot(entry: PlotEntry): void {
  if (!entry || typeof entry.kind !== 'string' || entry.kind === '') throw new TypeError('registerPlot: kind must be a non-empty string');
  if (typeof entry.applies !== 'function' || typeof entry.build !== 'function')
    throw new TypeError(`registerPlot('${entry.kind}'): applies and build must be functions`);
  plots.register({ ...entry, name: entry.kind });
}

/** Remove a plot kind (returns whether it was registered). For tests and plug-ins that replace a built-in. */
export function unregisterPlot(kind: string): boolean {
  return plots.unregister(kind);
}

/** Registered plots in registration order. */
export function listPlots(): PlotEntry[] {
  return plots.list();
}

export function getPlot(kind: string): PlotEntry | undefined {
  return plots.find(kind);
}

/** The plots that apply to a directory, in registration order. */
export function applicablePlots(ctx: ReportContext): PlotEntry[] {
  return listPlots().filter((p) => p.applies(ctx));
}
