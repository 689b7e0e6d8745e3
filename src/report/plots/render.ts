/**
 * Server-side rendering of Vega-Lite specs to SVG text: vega-lite compiles to
 * Vega, a headless Vega View (renderer 'none', no canvas needed) draws SVG.
 * vega is imported lazily so that commands that make no plots do not load it.
 */
import type { VegaLiteSpec } from './types.js';

/** Shared look of every figure. No external fonts: generic families only. */
export const PLOT_CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  background: 'white',
  padding: 8,
  view: { stroke: '#ccc' },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#eee' },
  legend: { labelFontSize: 11, titleFontSize: 11 },
  title: { fontSize: 13, fontWeight: 'bold' },
} as const;

type VegaModule = typeof import('vega');
type VegaLiteModule = typeof import('vega-lite');
let libs: Promise<[VegaModule, VegaLiteModule]> | null = null;
const load = () => (libs ??= Promise.all([import('vega'), import('vega-lite')]));

/**
 * Render one Vega-Lite spec to an SVG string. `idPrefix` makes element ids
 * (clip paths, gradients) unique when several SVGs are inlined in one page.
 */
export async function renderSvg(spec: VegaLiteSpec, idPrefix = ''): Promise<string> {
  const [vega, vl] = await load();
  const withConfig = { ...spec, config: { ...PLOT_CONFIG, ...((spec as { config?: object }).config ?? {}) } } as VegaLiteSpec;
  const compiled = vl.compile(withConfig).spec;
  // No loader access: every plot carries its data inline; a spec that asks for a URL fails here instead of fetching.
  const loader = vega.loader({ mode: 'file' });
  loader.load = async (uri: string) => {
    throw new Error(`report plots must carry inline data; a spec asked to load '${uri}'`);
  };
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader });
  try {
    let svg = await view.toSVG();
    if (idPrefix) svg = prefixSvgIds(svg, idPrefix);
    if (!/xlink:/.test(svg.replace(/xmlns:xlink="[^"]*"/, ''))) svg = svg.replace(/\s+xmlns:xlink="[^"]*"/, '');
    return svg;
  } finally {
    view.finalize();
  }
}

/**
 * Prefix every element id of an SVG (and the `url(#…)` and `href="#…"`
 * references to them), so that several SVGs inlined in one page do not share
 * ids: the same SVG as a file keeps its own ids.
 */
export function prefixSvgIds(svg: string, idPrefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, `id="${idPrefix}$1"`)
    .replace(/url\(#([^)]+)\)/g, `url(#${idPrefix}$1)`)
    .replace(/href="#([^"]+)"/g, `href="#${idPrefix}$1"`);
}
