/**
 * The interactive mode of report.html (`stochdyn report --interactive`): each
 * figure's Vega-Lite spec, made interactive and compiled to Vega here, is
 * embedded in the page with the Vega runtime (vega/build/vega.min.js, read
 * from the installed package) and a short script that draws every figure in
 * place of its static SVG. The page still opens offline from the one file;
 * with scripts off the static SVGs stay.
 *
 * What the compiled specs add (docs/reports.md, "Interactive mode"):
 * - tooltips: the data row of a point, bar or cell under the pointer, and of
 *   the nearest vertex of a line or area (transparent points on the vertices);
 * - zoom and pan: an interval selection bound to the x/y scales (wheel to
 *   zoom, drag to pan, double-click to reset), where the spec allows it;
 * - legend toggling: clicking an entry of a discrete colour legend dims that
 *   series (a `legend_hidden` signal the marks' opacity tests), clicking again
 *   restores it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PLOT_CONFIG } from './plots/render.js';
import type { VegaLiteSpec } from './plots/types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);

/** The Vega signal holding the legend values whose series are dimmed. */
export const HIDDEN_SIGNAL = 'legend_hidden';
/** Opacity of a dimmed series. */
export const DIMMED_OPACITY = 0.08;

type VegaModule = typeof import('vega');
type VegaLiteModule = typeof import('vega-lite');
let libs: Promise<[VegaModule, VegaLiteModule]> | null = null;
const load = () => (libs ??= Promise.all([import('vega'), import('vega-lite')]));

const PATH_MARKS = new Set(['line', 'area', 'trail']);
const POINT_MARKS = new Set(['point', 'circle', 'square', 'bar', 'rect', 'tick', 'rule']);

/** Tooltips on every unit of a (layered) spec: the data row; lines and areas get transparent points to hover. Lines and areas are clipped to the plot area. */
function withTooltips(node: Obj): Obj {
  const out: Obj = { ...node };
  if (Array.isArray(node.layer)) out.layer = node.layer.map((l) => (isObj(l) ? withTooltips(l) : l));
  const m = node.mark;
  if (m !== undefined) {
    const mark: Obj = typeof m === 'string' ? { type: m } : isObj(m) ? { ...m } : {};
    const type = String(mark.type ?? '');
    if (PATH_MARKS.has(type) || POINT_MARKS.has(type)) {
      mark.tooltip ??= { content: 'data' };
      if (PATH_MARKS.has(type) && mark.point === undefined) mark.point = 'transparent';
    }
    // Zoomed lines and areas stay inside the plot area; points are not clipped, so a point on the edge stays whole.
    if (PATH_MARKS.has(type)) mark.clip ??= true;
    out.mark = mark;
  }
  return out;
}

/** Zoom and pan: an interval selection bound to the scales, on a unit or the first unit of a layer. */
function withZoom(spec: Obj): Obj | null {
  const param = { name: 'zoom', select: 'interval', bind: 'scales' };
  if (spec.mark !== undefined) return { ...spec, params: [...(Array.isArray(spec.params) ? spec.params : []), param] };
  if (Array.isArray(spec.layer) && spec.layer.length > 0 && isObj(spec.layer[0]) && spec.layer[0].mark !== undefined) {
    const [first, ...rest] = spec.layer as Obj[];
    return { ...spec, layer: [{ ...first, params: [...(Array.isArray(first.params) ? first.params : []), param] }, ...rest] };
  }
  return null;
}

/** Every object of a Vega spec that has `key` as an array (marks, legends, scales), depth first. */
function collect(node: Obj, key: string, out: Obj[] = []): Obj[] {
  const list = node[key];
  if (Array.isArray(list)) for (const x of list) if (isObj(x)) out.push(x);
  if (Array.isArray(node.marks)) for (const m of node.marks) if (isObj(m)) collect(m, key, out);
  return out;
}

/** The Vega expression of a mark's value in a colour-like channel on one of `scales`, or null. */
function legendValueExpr(channel: unknown, scales: Set<string>): string | null {
  const rule = Array.isArray(channel) ? channel[channel.length - 1] : channel;
  if (!isObj(rule) || typeof rule.scale !== 'string' || !scales.has(rule.scale)) return null;
  if (typeof rule.field === 'string') return `datum[${JSON.stringify(rule.field)}]`;
  if ('value' in rule && (typeof rule.value === 'string' || typeof rule.value === 'number')) return JSON.stringify(rule.value);
  return null;
}

/** Prepend a test to a channel's production rules: dimmed when `valueExpr` is in the hidden list. */
function dimRule(existing: unknown, valueExpr: string): unknown[] {
  const rules = existing === undefined ? [{ value: 1 }] : Array.isArray(existing) ? existing : [existing];
  // A mark drawn fainter than the dimmed opacity (the transparent hover points: 0) stays as it is.
  const own = rules.length === 1 && isObj(rules[0]) && typeof rules[0].value === 'number' ? rules[0].value : 1;
  return [{ test: `indexof(${HIDDEN_SIGNAL}, ${valueExpr}) >= 0`, value: Math.min(own, DIMMED_OPACITY) }, ...rules];
}

/**
 * Legend toggling on a compiled Vega spec: a `legend_hidden` signal, an
 * opacity test on every mark coloured by a discrete legend's scale, and the
 * same on the legend's symbols and labels. Returns whether any legend applies.
 */
export function addLegendToggle(vega: Obj): boolean {
  const ordinal = new Set(
    collect(vega, 'scales')
      .filter((s) => s.type === 'ordinal' && typeof s.name === 'string')
      .map((s) => s.name as string),
  );
  const legends = collect(vega, 'legends');
  const scales = new Set<string>();
  for (const l of legends)
    for (const ch of ['fill', 'stroke', 'shape', 'strokeDash'])
      if (typeof l[ch] === 'string' && ordinal.has(l[ch] as string)) scales.add(l[ch] as string);
  if (scales.size === 0) return false;
  let marks = 0;
  for (const mark of collect(vega, 'marks')) {
    const encode = isObj(mark.encode) ? mark.encode : null;
    if (!encode || mark.type === 'group') continue;
    const update = isObj(encode.update) ? encode.update : {};
    const enter = isObj(encode.enter) ? encode.enter : {};
    let expr: string | null = null;
    for (const ch of ['fill', 'stroke', 'shape', 'strokeDash'])
      expr ??= legendValueExpr(update[ch], scales) ?? legendValueExpr(enter[ch], scales);
    if (!expr) continue;
    encode.update = { ...update, opacity: dimRule(update.opacity ?? enter.opacity, expr) };
    marks++;
  }
  for (const l of legends) {
    const enc: Obj = isObj(l.encode) ? { ...l.encode } : {};
    for (const part of ['symbols', 'labels']) {
      const p: Obj = isObj(enc[part]) ? { ...(enc[part] as Obj) } : {};
      const upd: Obj = isObj(p.update) ? { ...(p.update as Obj) } : {};
      upd.opacity = dimRule(upd.opacity, 'datum.value');
      enc[part] = { ...p, update: upd, interactive: true };
    }
    l.encode = enc;
  }
  const signals = Array.isArray(vega.signals) ? vega.signals : [];
  vega.signals = [...signals, { name: HIDDEN_SIGNAL, value: [] }];
  return marks > 0;
}

export interface InteractiveFigure {
  /** The compiled Vega spec to embed. */
  vega: Obj;
  /** What was added: tooltips always; zoom and legend toggling where the spec allows. */
  zoom: boolean;
  legendToggle: boolean;
}

/**
 * Compile one figure's Vega-Lite spec for the interactive page: the report's
 * config, tooltips, zoom/pan where an interval selection can bind to the
 * scales (else without), legend toggling on discrete colour legends.
 * Compiler warnings are discarded (nothing below the CLI prints).
 */
export async function interactiveFigure(spec: VegaLiteSpec): Promise<InteractiveFigure> {
  const [vega, vl] = await load();
  const own = (spec as { config?: object }).config ?? {};
  const base = withTooltips({ ...(spec as unknown as Obj), config: { ...PLOT_CONFIG, ...own } });
  const logger = vega.logger(vega.None);
  const compile = (s: Obj) => {
    const compiled = vl.compile(s as unknown as VegaLiteSpec, { logger }).spec as unknown as Obj;
    vega.parse(compiled as never); // a spec Vega cannot parse is not used
    return compiled;
  };
  let compiled: Obj;
  let zoom = false;
  const zoomed = withZoom(base);
  try {
    compiled = compile(zoomed ?? base);
    zoom = zoomed !== null;
  } catch {
    compiled = compile(base);
  }
  const legendToggle = addLegendToggle(compiled);
  return { vega: compiled, zoom, legendToggle };
}

const requireHere = createRequire(import.meta.url);
let runtime: string | null = null;

/** The Vega runtime bundle (vega.min.js of the installed vega package), read once. */
export function vegaRuntime(): string {
  // Inline in a <script> element: a '</script' in the bundle's strings would end it early ('<\/' is the same string).
  return (runtime ??= readFileSync(requireHere.resolve('vega/build/vega.min.js'), 'utf8').replace(/<\/(script)/gi, '<\\/$1'));
}

/** JSON for a `<script type="application/json">` block: `<` escaped so no `</script>` can end it early. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** CSS of the interactive page's tooltip and live figures. */
export const INTERACTIVE_CSS = `
figure.plot .live svg { max-width: 100%; height: auto; display: block; }
figure.plot.interactive .live { cursor: crosshair; }
.vg-tip { position: absolute; display: none; pointer-events: none; background: rgba(255,255,255,0.96); border: 1px solid #999; border-radius: 3px; padding: 4px 6px; font-size: 12px; font-variant-numeric: tabular-nums; box-shadow: 0 1px 3px rgba(0,0,0,0.2); z-index: 10; }
.vg-tip td { border: none; padding: 0 4px; text-align: left; } .vg-tip td:first-child { color: #666; }
.hint { color: #555; font-size: 12px; }
`;

/**
 * The embedding script: draws each figure from its JSON block with the SVG
 * renderer, replacing the static SVG once drawn; a figure that fails keeps its
 * static SVG. The views are exposed as `window.stochdynViews[<figure id>]`.
 */
export const EMBED_SCRIPT = `
(function () {
  var views = (window.stochdynViews = {});
  var tip = document.createElement('div');
  tip.className = 'vg-tip';
  document.body.appendChild(tip);
  function fmt(v) {
    if (typeof v === 'number') return isFinite(v) ? String(Number(v.toPrecision(5))) : String(v);
    if (v !== null && typeof v === 'object') return JSON.stringify(v);
    return String(v);
  }
  function tooltip(handler, event, item, value) {
    if (value === null || value === undefined || value === '') { tip.style.display = 'none'; return; }
    var rows = typeof value === 'object' ? Object.keys(value) : null;
    tip.innerHTML = '';
    if (rows) {
      var t = document.createElement('table');
      rows.forEach(function (k) {
        var tr = t.insertRow(), a = tr.insertCell(), b = tr.insertCell();
        a.textContent = k; b.textContent = fmt(value[k]);
      });
      tip.appendChild(t);
    } else tip.textContent = fmt(value);
    tip.style.left = event.pageX + 14 + 'px';
    tip.style.top = event.pageY + 14 + 'px';
    tip.style.display = 'block';
  }
  function legendValue(item) {
    for (var it = item; it; it = it.mark && it.mark.group) {
      var role = it.mark && it.mark.role;
      if ((role === 'legend-symbol' || role === 'legend-label' || role === 'legend-entry') && it.datum && 'value' in it.datum) return it.datum.value;
    }
    return undefined;
  }
  document.querySelectorAll('script[type="application/json"][data-figure]').forEach(function (node) {
    var fig = document.getElementById(node.getAttribute('data-figure'));
    if (!fig) return;
    var still = fig.querySelector(':scope > svg');
    var live = document.createElement('div');
    live.className = 'live';
    var view;
    try {
      view = new vega.View(vega.parse(JSON.parse(node.textContent)), { renderer: 'svg', container: live, hover: true });
    } catch (e) { console.warn('figure ' + fig.id + ' stays static: ' + e.message); return; }
    view.tooltip(tooltip);
    view.addEventListener('click', function (event, item) {
      var v = legendValue(item);
      if (v === undefined) return;
      var hidden;
      try { hidden = view.signal('${HIDDEN_SIGNAL}').slice(); } catch (e) { return; }
      var i = hidden.indexOf(v);
      if (i >= 0) hidden.splice(i, 1); else hidden.push(v);
      view.signal('${HIDDEN_SIGNAL}', hidden).runAsync();
    });
    view.runAsync().then(function () {
      if (still) fig.replaceChild(live, still); else fig.insertBefore(live, fig.firstChild);
      fig.classList.add('interactive');
      views[fig.id] = view;
    }, function (e) { console.warn('figure ' + fig.id + ' stays static: ' + e.message); });
  });
})();
`;
