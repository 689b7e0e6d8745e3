/**
 * The figures of a result directory, each with a stable name, and their
 * files: `figures/<name>.svg` (as inlined in report.html), `.png` (the SVG
 * rasterised), `.csv` (its inline data, figure-data.ts) and `.vl.json` (the
 * Vega-Lite spec with the report's config and its data inline, which
 * `vl2svg` or the Vega editor renders as is).
 *
 * A name is `<kind>-<slug of the figure's title>` (`traces-energy`,
 * `survival-escape`), `<kind>-<i>` for an untitled figure among several, or
 * `<kind>` for a lone untitled one; a repeated name gets `-2`, `-3`, … in
 * page order, so names are unique within the directory and the same for the
 * same results.
 */
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomic } from '../results/write.js';
import { figureCsv } from './figure-data.js';
import { applicablePlots, renderSvg, type PlotEntry, type ReportContext, type VegaLiteSpec } from './plots/index.js';
import { PLOT_CONFIG } from './plots/render.js';
import { svgToPng } from './raster.js';

/** The folder of a result directory that holds the figure files. */
export const FIGURES_DIR = 'figures';

/** The formats `stochdyn figure` renders; every one but PDF is also written with the report. */
export const FIGURE_FORMATS = ['svg', 'png', 'pdf'] as const;
export type FigureFormat = (typeof FIGURE_FORMATS)[number];

/** The files written for every figure with the report, by suffix. */
export const FIGURE_FILES = ['.svg', '.png', '.csv', '.vl.json'] as const;

/** The Vega-Lite schema a written spec declares (the major version the report compiles with). */
export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';

export interface Figure {
  /** Unique within the directory; the stem of its files and the page anchor `figure-<name>`. */
  name: string;
  kind: string;
  /** 1-based position on the page. */
  index: number;
  /** The figure's own title (the spec's title), if it has one. */
  title: string | null;
  /** The figure's caption (the spec's `description`), if any. */
  caption: string | null;
  spec: VegaLiteSpec;
}

/** One applicable plot kind and its figures, or the error its `build` threw. */
export interface FigureSection {
  entry: PlotEntry;
  caption: string;
  figures: Figure[];
  error: string | null;
}

/** Greek letters of titles (η, θ, τ, …) spelled out in slugs. */
const GREEK: Record<string, string> = Object.fromEntries(
  'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma sigma tau upsilon phi chi psi omega'
    .split(' ')
    .map((name, i) => [String.fromCharCode(0x3b1 + i), `-${name}-`]),
);

/** A lowercase ASCII slug: letters and digits, runs of anything else as one '-'. */
export function slug(text: string): string {
  return text
    .replace(/[\u0391-\u03c9]/g, (c) => GREEK[c.toLowerCase()] ?? c)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
}

/** A figure title's slug without a leading repeat of its kind ('Survival of escape' in 'survival' → 'escape'). */
function titleSlug(kind: string, title: string): string {
  const t = slug(title);
  const k = slug(kind);
  for (const prefix of [k, k.replace(/s$/, '')]) {
    if (t === prefix) return '';
    if (prefix && t.startsWith(`${prefix}-`)) return t.slice(prefix.length + 1).replace(/^(of|for|in)-/, '');
  }
  return t;
}

/** The text of a Vega-Lite title (a string, lines, or `{text}`), or null. */
export function titleText(spec: VegaLiteSpec): string | null {
  const t = (spec as { title?: unknown }).title;
  const text = (v: unknown): string | null =>
    typeof v === 'string' ? v : Array.isArray(v) ? v.filter((x) => typeof x === 'string').join(' ') : null;
  if (t && typeof t === 'object' && !Array.isArray(t)) return text((t as { text?: unknown }).text);
  return text(t);
}

/** Build every applicable plot and name its figures (a plot whose `build` throws keeps its error, with no figures). */
export function collectFigures(ctx: ReportContext): FigureSection[] {
  const sections: FigureSection[] = [];
  const used = new Set<string>();
  let index = 0;
  for (const entry of applicablePlots(ctx)) {
    const caption = typeof entry.caption === 'function' ? entry.caption(ctx) : (entry.caption ?? '');
    let specs: VegaLiteSpec[];
    try {
      specs = entry.build(ctx);
    } catch (e) {
      sections.push({ entry, caption, figures: [], error: (e as Error).message });
      continue;
    }
    const figures = specs.map((spec, i): Figure => {
      const title = titleText(spec);
      const titled = title ? titleSlug(entry.kind, title) : '';
      const tail = titled || (specs.length > 1 ? String(i + 1) : '');
      const base = slug(entry.kind) + (tail ? `-${tail}` : '') || `figure-${index + 1}`;
      let name = base;
      for (let k = 2; used.has(name); k++) name = `${base}-${k}`;
      used.add(name);
      const description = (spec as { description?: unknown }).description;
      return { name, kind: entry.kind, index: ++index, title, caption: typeof description === 'string' ? description : null, spec };
    });
    sections.push({ entry, caption, figures, error: null });
  }
  return sections;
}

/** The spec as written to `<name>.vl.json`: the report's config merged in, the schema declared, data inline. */
export function standaloneSpec(spec: VegaLiteSpec): VegaLiteSpec {
  const own = (spec as { config?: object }).config ?? {};
  return { $schema: VEGA_LITE_SCHEMA, ...spec, config: { ...PLOT_CONFIG, ...own } } as VegaLiteSpec;
}

/**
 * Write the four files of one figure into `dir` (atomically each); `svg` is
 * its rendering (without an id prefix) when the caller already has it. The
 * SVG, CSV and spec are written first, the PNG last, so a rasteriser failure
 * (no prebuilt resvg binary for this platform) costs only the PNG. Returns
 * the suffixes written and the error that stopped the rest, if any.
 */
export async function writeFigureFiles(dir: string, figure: Figure, svg?: string): Promise<{ written: string[]; error: string | null }> {
  const written: string[] = [];
  const path = (suffix: string) => join(dir, `${figure.name}${suffix}`);
  try {
    const text = svg ?? (await renderSvg(figure.spec));
    writeAtomic(path('.svg'), text);
    written.push('.svg');
    writeAtomic(path('.csv'), figureCsv(figure.spec));
    written.push('.csv');
    writeAtomic(path('.vl.json'), JSON.stringify(standaloneSpec(figure.spec), null, 2) + '\n');
    written.push('.vl.json');
    writeAtomic(path('.png'), await svgToPng(text));
    written.push('.png');
    return { written, error: null };
  } catch (e) {
    return { written, error: (e as Error).message };
  }
}

/**
 * Remove figure files of `dir` that belong to no figure in `keep` (a plot that
 * no longer applies, or a renamed figure), so `figures/` holds exactly the
 * figures of the current report. Other files are left alone.
 */
export function pruneFigureFiles(dir: string, keep: Iterable<string>): void {
  const names = new Set(keep);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return;
  }
  for (const file of entries) {
    const suffix = [...FIGURE_FILES, '.pdf'].find((s) => file.endsWith(s));
    if (suffix && !names.has(file.slice(0, -suffix.length))) rmSync(join(dir, file), { force: true });
  }
}

/** The error of a figure name that is not in the directory, listing the names there are. */
export class UnknownFigureError extends Error {
  constructor(
    readonly figure: string,
    readonly available: string[],
  ) {
    super(
      available.length
        ? `no figure named '${figure}'; the figures of this directory are:\n  ${available.join('\n  ')}`
        : `no figure named '${figure}': no plot applies to this directory`,
    );
    this.name = 'UnknownFigureError';
  }
}

/** Render one figure in a format; SVG as text, PNG as bytes. PDF is refused with {@link PdfNotOfferedError}. */
export async function renderFigure(figure: Figure, format: FigureFormat): Promise<string | Uint8Array> {
  const svg = await renderSvg(figure.spec);
  if (format === 'svg') return svg;
  if (format === 'png') return svgToPng(svg);
  throw new PdfNotOfferedError();
}

/** Why there is no PDF output. */
export class PdfNotOfferedError extends Error {
  constructor() {
    super(
      'PDF is not offered: Node has no well-kept SVG-to-PDF renderer that works without a browser (the route through pdfkit, ' +
        'svg-to-pdfkit, is a small, rarely released package that draws text in the PDF standard fonts, which have no η or θ). ' +
        'Use --format svg (vector; rsvg-convert or Inkscape turn it into PDF) or --format png.',
    );
    this.name = 'PdfNotOfferedError';
  }
}
