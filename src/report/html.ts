/**
 * report.html: one self-contained page per result directory (run, sweep or
 * regimes) — a header with the key run facts, a summary card (what ran, how
 * long, headline results against theory, warnings), the contents, the
 * resolved scenario, the summary tables and every applicable registered plot
 * rendered server-side to inline SVG, in collapsible <details> sections with
 * ids. The default page has no scripts, fonts, images or URLs and opens
 * offline; the interactive page (interactive.ts) adds the Vega runtime inline.
 * writeReport also writes figures/ (figures.ts). Written atomically.
 */
import { join } from 'node:path';
import { stringify as stringifyYaml } from 'yaml';
import { loadReportContext, renderSvg, runsOf, type ReportContext, type RunData } from './plots/index.js';
import { prefixSvgIds } from './plots/render.js';
import { readPhaseBoundaries } from './plots/phase-diagram.js';
import { readSweepAnalyses } from './plots/brownian-sweep.js';
import { analysisText } from '../analysis/index.js';
import { collectFigures, FIGURES_DIR, pruneFigureFiles, slug, writeFigureFiles, type Figure, type FigureSection } from './figures.js';
import { EMBED_SCRIPT, INTERACTIVE_CSS, interactiveFigure, scriptJson, vegaRuntime } from './interactive.js';
import type { Summary } from '../analysis/summary.js';
import type { SamplingSummary } from '../analysis/sampling.js';
import { writeAtomic } from '../results/write.js';
import { splittingTables } from './splitting.js';
import { coordinateList } from '../potentials/registry.js';

export const REPORT_FILE = 'report.html';

export const esc = (s: unknown) =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const f = (v: number | null | undefined, digits = 4) =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : Number(v.toPrecision(digits)).toString();
const ci = (p: [number, number] | null | undefined) => (p ? `${f(p[0])} – ${f(p[1])}` : '—');

/** The page style shared by every report page (also the exchange report, exchange.ts). */
export const CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #222; margin: 0 auto; max-width: 1100px; padding: 16px 24px 48px; background: #fafafa; }
header { border-bottom: 2px solid #08519c; margin-bottom: 12px; }
h1 { font-size: 22px; margin: 8px 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; } h3 { font-size: 15px; margin: 20px 0 4px; }
.desc { color: #444; margin: 0 0 8px; }
dl.facts { display: flex; flex-wrap: wrap; gap: 4px 20px; margin: 8px 0 12px; } dl.facts div { display: flex; gap: 6px; } dt { color: #666; } dd { margin: 0; font-weight: 600; }
table { border-collapse: collapse; margin: 6px 0 12px; background: white; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ddd; padding: 3px 8px; text-align: right; } th { background: #f0f4f8; } td:first-child, th:first-child { text-align: left; }
.scroll { max-width: 100%; overflow-x: auto; }
pre { background: white; border: 1px solid #ddd; padding: 8px; overflow-x: auto; font-size: 12px; }
.caption, figcaption { color: #555; font-size: 13px; max-width: 860px; }
figure.plot { margin: 12px 0 20px; padding: 8px; background: white; border: 1px solid #e4e4e4; display: inline-block; max-width: 100%; }
figure.plot svg { max-width: 100%; height: auto; display: block; }
.theory { white-space: pre-wrap; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; background: white; border-left: 3px solid #2ca02c; padding: 6px 10px; }
.error { color: #b00; }
.warning { color: #a35200; }
footer { margin-top: 32px; color: #777; font-size: 12px; }
`;

export function table(head: string[], rows: Array<Array<string | number>>): string {
  return `<div class="scroll"><table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></div>`;
}

export function facts(items: Array<[string, string | number]>): string {
  return `<dl class="facts">${items.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join('')}</dl>`;
}

/**
 * η, θ or λ of a run as integrated (summary.json, written from the run plan):
 * one value, or `g: v, …` per parameter group when the groups differ.
 */
export function runSetting(run: Summary['run'], key: 'lr' | 'temperature' | 'weightDecay'): string | number {
  const one = key === 'weightDecay' ? (run.weightDecay ?? 0) : run[key];
  if (!run.groups) return one;
  const values = Object.entries(run.groups).map(([name, g]) => [name, g[key]] as const);
  return values.every(([, v]) => v === values[0][1]) ? values[0][1] : values.map(([name, v]) => `${name}: ${v}`).join(', ');
}

function runFacts(s: Summary): Array<[string, string | number]> {
  const r = s.run;
  const lambda = runSetting(r, 'weightDecay');
  return [
    ['replicas', r.replicas],
    ['steps', r.steps],
    ['integrator', r.integrator],
    ['η', runSetting(r, 'lr')],
    ['θ', runSetting(r, 'temperature')],
    ...(lambda !== 0 ? [['λ (weight decay)', lambda] as [string, string | number]] : []),
    ['t = steps·η', f(r.physicalTime)],
    ['dim', `${r.dim} (${coordinateList(r.coordinates)})`],
    ['seed', r.seed],
    [
      'wall time',
      s.timing
        ? `${f(s.timing.wallSeconds, 3)} s ${s.timing.workers > 0 ? `on ${s.timing.workers} worker(s)` : 'in the main thread'}`
        : '—',
    ],
    ['run', r.id],
  ];
}

/** The summary tables of one run: final observables, events with MFPT CIs, theory texts, divergence. */
function runTables(s: Summary, level = 'h2'): string {
  const out: string[] = [];
  const obs = Object.entries(s.observables ?? {});
  if (obs.length > 0) {
    out.push(`<${level}>Final observables</${level}>`);
    out.push(
      table(
        ['observable', 'n', 'mean', '± sem', 'std', 'min', 'q05', 'q50', 'q95', 'max'],
        obs.map(([n, o]) => {
          const d = o.final;
          return [n, d.n, f(d.mean), f(d.sem, 2), f(d.std), f(d.min), f(d.q05), f(d.q50), f(d.q95), f(d.max)];
        }),
      ),
    );
  }
  const ev = Object.entries(s.events ?? {});
  if (ev.length > 0) {
    out.push(`<${level}>Events (first passage)</${level}>`);
    out.push(
      table(
        ['event', 'entered', 'censored', 'fraction', 'MFPT (time)', '95 % CI', 'MFPT (steps)', 'rate (per time)', 'median (steps)'],
        ev.map(([n, e]) => [
          n,
          e.entered,
          e.censored,
          f(e.fractionEntered, 3),
          f(e.mfpt?.time),
          ci(e.mfpt?.ci95Time),
          f(e.mfpt?.steps),
          f(e.rate?.perTime),
          f(e.medianSteps),
        ]),
      ),
    );
  }
  const theory = (s.theory ?? []) as Array<{ kind?: string; text?: string }>;
  if (theory.some((t) => t.text)) {
    out.push(`<${level}>Theory overlays</${level}>`);
    for (const t of theory) if (t.text) out.push(`<p class="theory"><b>${esc(t.kind)}</b>: ${esc(t.text)}</p>`);
  }
  if (s.sampling) out.push(samplingTables(s.sampling, level));
  if (s.run.status && s.run.status !== 'completed') {
    out.push(`<${level}>Run status: ${esc(s.run.status)}</${level}>`);
    out.push(
      `<p class="warning">Results of ${s.run.completedReplicas} of ${s.run.replicas} replicas: every statistic on this page is over those. ` +
        `Missing: ${esc((s.run.missing ?? []).map((g) => `replicas ${g.first}…${g.first + g.count - 1} (${g.status}${g.errors.length ? `: ${g.errors.join('; ')}` : ''})`).join(', '))}.</p>`,
    );
  }
  const d = s.divergence;
  if (d) {
    out.push(`<${level}>Divergence</${level}>`);
    if (d.count === 0) out.push(`<p>No replica diverged.</p>`);
    else
      out.push(
        `<p>${d.count} of ${s.run.completedReplicas ?? s.run.replicas} replicas diverged (${f(100 * d.fraction, 3)} %), the first at step ${esc(d.firstStep)}; by reason: ${esc(
          Object.entries(d.byReason)
            .map(([k, v]) => `${k} ${v}`)
            .join(', '),
        )}. Diverged replicas are excluded from every statistic from the step they diverged on.</p>`,
      );
  }
  return out.join('\n');
}

/** The `sampling` block: chain diagnostics, predictive metrics, posterior mixtures, warnings. */
function samplingTables(sm: SamplingSummary, level: string): string {
  const out: string[] = [`<${level}>Posterior sampling</${level}>`];
  out.push(
    `<p>${sm.samplesPerReplica} samples per replica at steps ${esc(sm.firstSampleStep)} … ${esc(sm.lastSampleStep)} every ${esc(sm.thin)} (burn-in ${esc(sm.burnIn)} steps).</p>`,
  );
  const ch = Object.entries(sm.chains);
  if (ch.length)
    out.push(
      table(
        ['chain observable', 'draws', 'chains', 'posterior mean', '± MCSE', 'sd', 'ESS', 'split R-hat'],
        ch.map(([n, c]) => [n, c.n, c.chains, f(c.mean), f(c.mcse, 2), f(c.sd), f(c.ess, 3), f(c.rhat, 4)]),
      ),
    );
  const p = sm.predictive;
  if (p) {
    const metrics = [...new Set([...Object.keys(p.posteriorMean), ...Object.keys(p.perReplica)])];
    out.push(
      `<p>Posterior predictive on ${esc(p.points)} ${p.set === 'training' ? 'training points (every point there is)' : 'held-out points'} (${esc(p.samples)} samples of ${esc(p.replicas)} replicas):</p>`,
    );
    out.push(
      table(
        ['metric', 'posterior-mean predictor', 'per replica: mean', '± sem', 'n'],
        metrics.map((m) => [m, f(p.posteriorMean[m]), f(p.perReplica[m]?.mean), f(p.perReplica[m]?.sem, 2), p.perReplica[m]?.n ?? '—']),
      ),
    );
  }
  const mix = sm.posterior.filter((h) => h.mixture);
  if (mix.length)
    out.push(
      table(
        ['posterior of', 'values', 'ESS', 'n (BIC)', 'components (BIC)', 'weights', 'means', 'sds', 'modes'],
        mix.map((h) => {
          const m = h.mixture!;
          return [
            h.of,
            h.samples,
            f(h.ess, 3),
            f(m.n, 3),
            m.components,
            m.weights.map((w) => f(w, 3)).join(', '),
            m.means.map((x) => f(x, 3)).join(', '),
            m.sds.map((x) => f(x, 2)).join(', '),
            m.modes.map((x) => f(x, 3)).join(', ') || '—',
          ];
        }),
      ),
    );
  if (sm.warnings.length) out.push(`<ul class="warnings">${sm.warnings.map((w) => `<li class="warning">${esc(w)}</li>`).join('')}</ul>`);
  else out.push('<p>No sampling warnings.</p>');
  return out.join('\n');
}

/** A JSON value as a table when it is a list of flat records or a record of records; else as text. */
function jsonBlock(v: unknown): string {
  const cell = (x: unknown) =>
    x === null || x === undefined ? '—' : typeof x === 'number' ? f(x) : typeof x === 'object' ? JSON.stringify(x) : String(x);
  const rowsOf = (list: Array<[string | null, Record<string, unknown>]>) => {
    const keys = [...new Set(list.flatMap(([, r]) => Object.keys(r)))];
    const named = list.some(([n]) => n !== null);
    return table(
      [...(named ? ['name'] : []), ...keys],
      list.map(([n, r]) => [...(named ? [n ?? ''] : []), ...keys.map((k) => cell(r[k]))]),
    );
  };
  const isRec = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object' && !Array.isArray(x);
  if (Array.isArray(v) && v.length > 0 && v.every(isRec)) return rowsOf(v.map((r) => [null, r]));
  if (isRec(v)) {
    const arrays = Object.entries(v).filter(([, x]) => Array.isArray(x) && x.length > 0 && (x as unknown[]).every(isRec));
    if (arrays.length > 0)
      return arrays.map(([k, x]) => `<h3>${esc(k)}</h3>${rowsOf((x as Record<string, unknown>[]).map((r) => [null, r]))}`).join('\n');
    const vals = Object.entries(v);
    if (vals.length > 0 && vals.every(([, x]) => isRec(x))) return rowsOf(vals.map(([k, x]) => [k, x as Record<string, unknown>]));
  }
  return `<pre>${esc(JSON.stringify(v, null, 2))}</pre>`;
}

const MAX_TABLE_ROWS = 200;

interface EstimateLike {
  value: number | null;
  ci95: [number, number] | null;
}
const est = (e: EstimateLike | null | undefined) =>
  !e || e.value === null || e.value === undefined ? '—' : e.ci95 ? `${f(e.value)} [${ci(e.ci95)}]` : f(e.value);
const pFmt = (p: unknown) => (typeof p !== 'number' ? '—' : p < 1e-16 ? '<1e-16' : p < 1e-3 ? p.toExponential(1) : p.toFixed(3));

/** comparison.json of `stochdyn compare` / regimes (schema stochdyn.comparison/…): one table per pair, then the notes; other shapes as generic JSON. */
function comparisonBlock(c: unknown): string {
  const cc = c as { rows?: unknown; notes?: unknown; a?: { label?: string } };
  if (
    !cc ||
    typeof cc !== 'object' ||
    !Array.isArray(cc.rows) ||
    !cc.rows.every((r) => r && typeof r === 'object' && 'pair' in r && 'name' in r)
  )
    return jsonBlock(c);
  type Row = {
    pair: { a: string; b: string };
    name: string;
    kind?: string;
    a: EstimateLike;
    b: EstimateLike;
    difference?: EstimateLike;
    test?: string;
    statisticName?: string;
    statistic?: number | null;
    pValue?: number | null;
    pHolm?: number | null;
    differs?: boolean | null;
  };
  const rows = cc.rows as Row[];
  const pairs = [...new Map(rows.map((r) => [`${r.pair.a}\u0000${r.pair.b}`, r.pair])).values()];
  const out: string[] = [];
  for (const p of pairs) {
    out.push(`<h3>${esc(p.a)} (A) vs ${esc(p.b)} (B)</h3>`);
    out.push(
      table(
        ['result', 'A [95 % CI]', 'B [95 % CI]', 'B − A [95 % CI]', 'test', 'statistic', 'p', 'p (Holm)', 'differs'],
        rows
          .filter((r) => r.pair.a === p.a && r.pair.b === p.b)
          .map((r) => [
            r.name,
            est(r.a),
            est(r.b),
            r.kind === 'shape' ? '—' : est(r.difference),
            r.test ?? '—',
            r.statistic === null || r.statistic === undefined ? '—' : `${r.statisticName ?? ''} = ${f(r.statistic)}`,
            pFmt(r.pValue),
            pFmt(r.pHolm),
            r.differs === null || r.differs === undefined ? '—' : r.differs ? 'yes' : 'no',
          ]),
      ),
    );
  }
  if (Array.isArray(cc.notes) && cc.notes.length) out.push(`<ul class="notes">${cc.notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`);
  return out.join('\n');
}

function header(ctx: ReportContext): { title: string; body: string } {
  if (ctx.run) {
    const s = ctx.run.summary;
    return {
      title: s.scenario.name,
      body: `${s.scenario.description ? `<p class="desc">${esc(s.scenario.description)}</p>` : ''}${facts(runFacts(s))}`,
    };
  }
  const runs = runsOf(ctx);
  const meta = (ctx.sweep?.meta ?? ctx.regimes?.meta ?? null) as Record<string, unknown> | null;
  const metaScenario = meta && typeof meta.scenario === 'object' && meta.scenario ? (meta.scenario as Record<string, unknown>) : null;
  const name = String(
    (meta && typeof meta.name === 'string' ? meta.name : null) ?? metaScenario?.name ?? runs[0]?.summary.scenario.name ?? 'results',
  );
  const description = String(
    (meta && typeof meta.description === 'string' ? meta.description : null) ??
      metaScenario?.description ??
      runs[0]?.summary.scenario.description ??
      '',
  );
  const first = runs[0]?.summary;
  const items: Array<[string, string | number]> = [];
  if (ctx.sweep) {
    const planned = Array.isArray(meta?.points) ? (meta.points as unknown[]).length : (ctx.sweep.table?.rows.length ?? null);
    items.push(['sweep points', `${ctx.sweep.points.length} completed${planned !== null ? ` of ${planned}` : ''}`]);
    if (ctx.sweep.keys.length) items.push(['swept', ctx.sweep.keys.join(' × ')]);
  } else items.push(['regimes', runs.map((r) => r.label).join(', ')]);
  // Settings that differ between the runs (swept keys, regime overrides) show every value.
  const values = (get: (s: Summary) => string | number) => [...new Set(runs.map((r) => get(r.summary)))].join(', ');
  if (first)
    items.push(
      ['replicas', values((s) => s.run.replicas)],
      ['steps', values((s) => s.run.steps)],
      ['integrator', values((s) => s.run.integrator)],
      ['η', values((s) => runSetting(s.run, 'lr'))],
      ['θ', values((s) => runSetting(s.run, 'temperature'))],
    );
  const wall = runs.reduce((a, r) => a + (r.summary.timing?.wallSeconds ?? 0), 0);
  if (runs.length) items.push(['wall time', `${f(wall, 3)} s (sum over runs)`]);
  return { title: `${name} — ${ctx.layout}`, body: `${description ? `<p class="desc">${esc(description)}</p>` : ''}${facts(items)}` };
}

function sweepTables(ctx: ReportContext): string {
  const s = ctx.sweep!;
  const out: string[] = [];
  if (s.table) {
    out.push('<h2>Sweep results (sweep.csv)</h2>');
    const rows = s.table.rows.slice(0, MAX_TABLE_ROWS);
    out.push(
      table(
        s.table.header,
        rows.map((r) => r.map((c) => (c !== '' && Number.isFinite(Number(c)) ? f(Number(c)) : c))),
      ),
    );
    if (s.table.rows.length > MAX_TABLE_ROWS) out.push(`<p>… ${s.table.rows.length - MAX_TABLE_ROWS} more rows in sweep.csv.</p>`);
  }
  const bs = readPhaseBoundaries(s.phaseBoundary);
  if (s.phaseBoundary) {
    out.push('<h2>Phase boundary (phase-boundary.json)</h2>');
    const pb = s.phaseBoundary;
    if (typeof pb.model === 'string')
      out.push(`<p>Model: ${esc(pb.model)}${typeof pb.metric === 'string' ? `; phases from ${esc(pb.metric)}` : ''}.</p>`);
    if (bs.length)
      out.push(
        table(
          ['boundary', 'slope', '95 % CI', 'intercept', '95 % CI', 'points'],
          bs.map((b) => [
            b.between ? `${b.between[0]} | ${b.between[1]}` : 'fit',
            f(b.slope),
            ci(b.slopeCi),
            f(b.intercept),
            ci(b.interceptCi),
            b.points.length || '—',
          ]),
        ),
      );
    else out.push(`<p>No fitted boundary${typeof pb.note === 'string' ? `: ${esc(pb.note)}` : ''}.</p>`);
    const notes = (Array.isArray(pb.boundaries) ? pb.boundaries : [pb])
      .map((e) => (e && typeof e === 'object' ? (e as Record<string, unknown>).note : null))
      .filter((n): n is string => typeof n === 'string' && n !== '');
    if (bs.length && notes.length) out.push(`<p>${[...new Set(notes)].map(esc).join(' ')}</p>`);
  }
  return out.join('\n');
}

function regimesTables(ctx: ReportContext): string {
  const r = ctx.regimes!;
  const out: string[] = ['<h2>Regimes</h2>'];
  const events = [...new Set(r.runs.flatMap((x) => Object.keys(x.summary.events ?? {})))];
  const observables = [...new Set(r.runs.flatMap((x) => Object.keys(x.summary.observables ?? {})))];
  out.push(
    table(
      [
        'regime',
        'replicas',
        'steps',
        'integrator',
        'η',
        'θ',
        ...observables.map((o) => `${o} mean`),
        ...events.map((e) => `${e} MFPT [95 % CI]`),
        'diverged',
      ],
      r.runs.map((x: RunData) => {
        const s = x.summary;
        return [
          x.label,
          s.run.replicas,
          s.run.steps,
          s.run.integrator,
          runSetting(s.run, 'lr'),
          runSetting(s.run, 'temperature'),
          ...observables.map((o) => f(s.observables[o]?.final.mean)),
          ...events.map((e) => (s.events[e] ? `${f(s.events[e].mfpt.time)} [${ci(s.events[e].mfpt.ci95Time)}]` : '—')),
          s.divergence?.count ?? 0,
        ];
      }),
    ),
  );
  if (r.comparison !== null && r.comparison !== undefined) out.push('<h2>Comparison (comparison.json)</h2>', comparisonBlock(r.comparison));
  for (const x of r.runs) {
    const texts = ((x.summary.theory ?? []) as Array<{ kind?: string; text?: string }>).filter((t) => t.text);
    if (texts.length)
      out.push(
        `<h3>${esc(x.label)}: theory overlays</h3>`,
        ...texts.map((t) => `<p class="theory"><b>${esc(t.kind)}</b>: ${esc(t.text)}</p>`),
      );
  }
  return out.join('\n');
}

/** How report.html is written. */
export interface ReportOptions {
  /**
   * Embed every figure's spec and the Vega runtime, so the figures get
   * tooltips, zoom/pan and legend toggling (interactive.ts); the page stays
   * one file that opens offline. Default false: a static page with no script.
   */
  interactive?: boolean;
  /** Write `figures/` (SVG, PNG, CSV, Vega-Lite spec of every figure) and link each figure to its files. Default true. */
  figures?: boolean;
}

interface RenderedFigure {
  figure: Figure;
  /** The SVG as a file (own ids), or null when it failed to render. */
  svg: string | null;
  error: string | null;
  /** The suffixes of its files in figures/ that were written (undefined: not written here, all linked). */
  files?: string[];
  /** Why some of its files were not written. */
  filesError?: string | null;
}

interface RenderedSection {
  section: FigureSection;
  id: string;
  figures: RenderedFigure[];
}

/** Build and render every applicable plot; a failing plot or figure keeps its error, the rest goes on. */
async function renderSections(ctx: ReportContext): Promise<RenderedSection[]> {
  const out: RenderedSection[] = [];
  for (const section of collectFigures(ctx)) {
    const figures: RenderedFigure[] = [];
    for (const figure of section.figures) {
      try {
        figures.push({ figure, svg: await renderSvg(figure.spec), error: null });
      } catch (e) {
        figures.push({ figure, svg: null, error: (e as Error).message });
      }
    }
    out.push({ section, id: `plots-${slug(section.entry.kind)}`, figures });
  }
  return out;
}

const figureId = (figure: Figure) => `figure-${figure.name}`;

function figureHtml(r: RenderedFigure, links: boolean): string {
  const { figure } = r;
  if (r.svg === null)
    return `<p class="error" id="${esc(figureId(figure))}">figure ${figure.index} of '${esc(figure.kind)}' failed to render: ${esc(r.error)}</p>`;
  const files = links
    ? `<span class="files">${[
        ['SVG', '.svg'],
        ['PNG', '.png'],
        ['CSV', '.csv'],
        ['Vega-Lite', '.vl.json'],
      ]
        .filter(([, suffix]) => !r.files || r.files.includes(suffix))
        .map(([label, suffix]) => `<a href="${esc(`${FIGURES_DIR}/${figure.name}${suffix}`)}">${label}</a>`)
        .join(' · ')}</span>`
    : '';
  const caption = [figure.caption ? esc(figure.caption) : '', files].filter(Boolean).join(' ');
  return (
    `<figure class="plot" data-kind="${esc(figure.kind)}" data-name="${esc(figure.name)}" id="${esc(figureId(figure))}">` +
    `${prefixSvgIds(r.svg, `f${figure.index}-`)}${caption ? `<figcaption>${caption}</figcaption>` : ''}</figure>`
  );
}

function plotSectionHtml(r: RenderedSection, links: boolean): string {
  const { entry, caption, error } = r.section;
  const body = error
    ? `<p class="error">plot '${esc(entry.kind)}' failed: ${esc(error)}</p>`
    : r.figures.map((f) => figureHtml(f, links)).join('\n');
  return (
    `<details open class="plot-section" data-kind="${esc(entry.kind)}" id="${esc(r.id)}"><summary><h3>${esc(entry.title)}</h3></summary>` +
    `${caption ? `<p class="caption">${esc(caption)}</p>` : ''}\n${body}</details>`
  );
}

/** Split the tables' HTML at its `<h2>` headings into collapsible sections with ids; returns the sections for the contents. */
function collapsibleTables(html: string, used: Set<string>): { html: string; toc: Array<{ id: string; title: string }> } {
  const parts = html.split(/(?=<h2>)/);
  const toc: Array<{ id: string; title: string }> = [];
  const out = parts.map((part) => {
    const m = /^<h2>([\s\S]*?)<\/h2>/.exec(part);
    if (!m) return part;
    const title = m[1].replace(/<[^>]*>/g, '');
    const id = uniqueId(`section-${slug(decodeEntities(title)) || 'table'}`, used);
    toc.push({ id, title });
    return `<details open class="section" id="${id}"><summary>${m[0]}</summary>${part.slice(m[0].length)}</details>`;
  });
  return { html: out.join(''), toc };
}

const decodeEntities = (s: string) =>
  s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!);

function uniqueId(base: string, used: Set<string>): string {
  let id = base;
  for (let k = 2; used.has(id); k++) id = `${base}-${k}`;
  used.add(id);
  return id;
}

/** The resolved scenario shown on the page, with what it is. */
function scenarioOf(ctx: ReportContext): { label: string; value: unknown } | null {
  if (ctx.run?.scenario) return { label: 'scenario.resolved.json', value: ctx.run.scenario };
  const metaScenario = ctx.sweep?.meta?.scenario;
  if (metaScenario && typeof metaScenario === 'object') return { label: 'sweep.json scenario', value: metaScenario };
  const first = runsOf(ctx).find((r) => r.scenario);
  if (first?.scenario)
    return { label: `scenario.resolved.json of ${ctx.layout === 'regimes' ? 'regime' : 'point'} ${first.label}`, value: first.scenario };
  return null;
}

interface Headline {
  text: string;
  /** 'agrees' / 'differs' against theory, or null when the line carries no test. */
  verdict: 'agrees' | 'differs' | null;
  note?: string;
}

/** A theory overlay of summary.json as a headline: its text, with a verdict where the entry has one. */
function theoryHeadline(t: Record<string, unknown>, prefix = ''): Headline | null {
  const kind = String(t.kind ?? 'theory');
  if (typeof t.skipped === 'string') return { text: `${prefix}${kind}: skipped (${t.skipped})`, verdict: null };
  if (typeof t.text !== 'string') return null;
  if (typeof t.differs === 'boolean') return { text: `${prefix}${kind}: ${t.text}`, verdict: t.differs ? 'differs' : 'agrees' };
  const ci95 = t.measuredCi95Time;
  if (typeof t.exactTime === 'number' && Array.isArray(ci95) && typeof ci95[0] === 'number' && typeof ci95[1] === 'number') {
    const inside = t.exactTime >= ci95[0] && t.exactTime <= ci95[1];
    return {
      text: `${prefix}${kind}: ${t.text}`,
      verdict: inside ? 'agrees' : 'differs',
      note: inside ? 'the exact value lies inside the measured 95 % CI' : 'the exact value lies outside the measured 95 % CI',
    };
  }
  return { text: `${prefix}${kind}: ${t.text}`, verdict: null };
}

/**
 * The theory overlays of a sweep's points, one line per overlay (kind and
 * event or observable): at how many points the overlay's own check agrees.
 * A count, not a verdict: with 95 % intervals about one point in twenty lies
 * outside by chance.
 */
function sweepTheoryHeadlines(points: RunData[]): Headline[] {
  const groups = new Map<string, { agrees: number; checked: number; note?: string }>();
  for (const p of points)
    for (const t of (p.summary.theory ?? []) as Array<Record<string, unknown>>) {
      const h = t && typeof t === 'object' ? theoryHeadline(t) : null;
      if (!h || !h.verdict) continue;
      const what = typeof t.event === 'string' ? t.event : typeof t.of === 'string' ? t.of : '';
      const key = `${String(t.kind)}${what ? ` (${what})` : ''}`;
      const g = groups.get(key) ?? { agrees: 0, checked: 0 };
      g.checked++;
      if (h.verdict === 'agrees') g.agrees++;
      g.note ??= typeof t.exactTime === 'number' ? 'the exact value inside the measured 95 % CI' : "the overlay's own test";
      groups.set(key, g);
    }
  return [...groups].map(([key, g]) => ({
    text: `${key}: agrees with theory at ${g.agrees} of ${g.checked} points (${g.note})`,
    verdict: null,
  }));
}

function analysisHeadline(a: Record<string, unknown>, prefix = ''): Headline | null {
  let text: string | undefined;
  try {
    text = analysisText(a);
  } catch {
    text = undefined;
  }
  text ??= typeof a.text === 'string' ? a.text : undefined;
  if (!text) return null;
  const kind = String(a.kind ?? 'analysis');
  // A line that already starts with its kind's name ("Arrhenius (…)") is not prefixed again.
  const named = text.toLowerCase().startsWith(kind.toLowerCase().replace(/-/g, ' ')) || text.toLowerCase().startsWith(kind.toLowerCase());
  return { text: `${prefix}${named ? '' : `${kind}: `}${text}`, verdict: null };
}

/** Warnings of one run: status, divergence, sampling warnings, skipped theory. */
function runWarnings(s: Summary, prefix = ''): string[] {
  const w: string[] = [];
  if (s.run.status && s.run.status !== 'completed')
    w.push(`${prefix}run ${s.run.status}: results of ${s.run.completedReplicas} of ${s.run.replicas} replicas`);
  if (s.divergence && s.divergence.count > 0)
    w.push(
      `${prefix}${s.divergence.count} of ${s.run.completedReplicas ?? s.run.replicas} replicas diverged (first at step ${s.divergence.firstStep})`,
    );
  for (const x of s.sampling?.warnings ?? []) w.push(`${prefix}${x}`);
  return w;
}

/** The summary card: what ran, how long, headline results against theory, warnings. Compact; details follow below. */
function summaryCard(ctx: ReportContext, rendered: RenderedSection[]): string {
  const items: Array<[string, string | number]> = [];
  const headlines: Headline[] = [];
  const warnings: string[] = [];
  const runs = runsOf(ctx);
  if (ctx.run) {
    const s = ctx.run.summary;
    const potential = (ctx.run.scenario?.potential as { kind?: unknown } | undefined)?.kind;
    items.push([
      'ran',
      `${potential ? `${String(potential)} · ` : ''}${s.run.integrator} · ${s.run.replicas} replicas × ${s.run.steps} steps (t = ${f(s.run.physicalTime)})`,
    ]);
    if (s.timing) items.push(['took', `${f(s.timing.wallSeconds, 3)} s`]);
    items.push(['status', s.run.status ?? 'completed']);
    for (const [name, e] of Object.entries(s.events ?? {}))
      headlines.push({
        text: `event ${name}: ${e.entered} of ${e.replicas} entered; MFPT ${f(e.mfpt?.time)} [95 % CI ${ci(e.mfpt?.ci95Time)}]`,
        verdict: null,
      });
    for (const t of (s.theory ?? []) as Array<Record<string, unknown>>) {
      const h = t && typeof t === 'object' ? theoryHeadline(t) : null;
      if (h) headlines.push(h);
    }
    for (const a of (s.analyses ?? []) as Array<Record<string, unknown>>) {
      const h = a && typeof a === 'object' ? analysisHeadline(a) : null;
      if (h) headlines.push(h);
    }
    warnings.push(...runWarnings(s));
  } else {
    if (ctx.sweep) {
      const meta = ctx.sweep.meta;
      const planned = Array.isArray(meta?.points) ? (meta.points as unknown[]).length : (ctx.sweep.table?.rows.length ?? null);
      items.push([
        'ran',
        `sweep of ${ctx.sweep.keys.join(' × ') || 'points'}: ${ctx.sweep.points.length}${planned !== null ? ` of ${planned}` : ''} points`,
      ]);
      if (planned !== null && ctx.sweep.points.length < planned)
        warnings.push(`${planned - ctx.sweep.points.length} of ${planned} points have no results yet`);
      headlines.push(...sweepTheoryHeadlines(ctx.sweep.points));
      for (const a of readSweepAnalyses(ctx)) {
        const h = analysisHeadline(a);
        if (h) headlines.push(h);
      }
      const boundaries = readPhaseBoundaries(ctx.sweep.phaseBoundary);
      for (const b of boundaries)
        headlines.push({
          text: `phase boundary${b.between ? ` ${b.between[0]} | ${b.between[1]}` : ''}: slope ${f(b.slope)} [95 % CI ${ci(b.slopeCi)}]`,
          verdict: null,
        });
    } else if (ctx.regimes) {
      items.push(['ran', `${runs.length} regimes: ${runs.map((r) => r.label).join(', ')}`]);
      const rows = (
        ctx.regimes.comparison as { rows?: Array<{ differs?: boolean | null; name?: string; pair?: { a: string; b: string } }> } | null
      )?.rows;
      if (Array.isArray(rows)) {
        const differ = rows.filter((r) => r && r.differs === true);
        headlines.push({
          text: `comparison: ${differ.length} of ${rows.length} results differ from the baseline (Holm-adjusted)${
            differ.length ? `: ${differ.map((r) => `${r.name ?? '?'}${r.pair ? ` (${r.pair.b})` : ''}`).join(', ')}` : ''
          }`,
          verdict: null,
        });
      }
    }
    const wall = runs.reduce((a, r) => a + (r.summary.timing?.wallSeconds ?? 0), 0);
    if (runs.length) items.push(['took', `${f(wall, 3)} s (sum over runs)`]);
    for (const r of runs) {
      warnings.push(...runWarnings(r.summary, `${r.label}: `));
      if (ctx.regimes)
        for (const t of (r.summary.theory ?? []) as Array<Record<string, unknown>>) {
          const h = t && typeof t === 'object' ? theoryHeadline(t, `${r.label}: `) : null;
          if (h) headlines.push(h);
        }
    }
  }
  for (const r of rendered) {
    if (r.section.error) warnings.push(`plot '${r.section.entry.kind}' failed: ${r.section.error}`);
    for (const x of r.figures) {
      if (x.error) warnings.push(`figure ${x.figure.name} failed to render: ${x.error}`);
      if (x.filesError) warnings.push(`figure ${x.figure.name}: not every file was written to ${FIGURES_DIR}/: ${x.filesError}`);
    }
  }
  const MAX_LINES = 12;
  const list = <T>(xs: T[], line: (x: T) => string) =>
    `${xs
      .slice(0, MAX_LINES)
      .map((x) => `<li>${line(x)}</li>`)
      .join('')}${xs.length > MAX_LINES ? `<li>… ${xs.length - MAX_LINES} more below</li>` : ''}`;
  const verdict = (h: Headline) =>
    h.verdict
      ? ` <span class="verdict ${h.verdict}">${h.verdict === 'agrees' ? 'agrees with theory' : 'differs from theory'}${h.note ? `: ${esc(h.note)}` : ''}</span>`
      : '';
  return `<section class="card" id="summary"><h2>Summary</h2>
${facts(items)}
${headlines.length ? `<ul class="headlines">${list(headlines, (h) => `${esc(h.text)}${verdict(h)}`)}</ul>` : '<p>No events, theory overlays or analyses to report.</p>'}
${warnings.length ? `<ul class="warnings">${list(warnings, (w) => `<span class="warning">warning: ${esc(w)}</span>`)}</ul>` : '<p class="ok">No warnings.</p>'}
</section>`;
}

/** The additional style of the page's contents, sections, summary card and figure links. */
const PAGE_CSS = `
nav.toc { background: white; border: 1px solid #e4e4e4; padding: 6px 14px; margin: 12px 0; font-size: 13px; }
nav.toc h2 { font-size: 15px; margin: 4px 0; border: none; } nav.toc > ol { column-width: 300px; column-gap: 24px; } nav.toc li { break-inside: avoid; } nav.toc ol { margin: 2px 0; padding-left: 20px; } nav.toc a { color: #08519c; text-decoration: none; } nav.toc a:hover { text-decoration: underline; }
details > summary { cursor: pointer; } details > summary > h2, details > summary > h3 { display: inline-block; }
details.section > summary > h2 { border: none; } details.section, details.plot-section { border-top: 1px solid #ddd; margin-top: 8px; }
section.card { background: white; border: 1px solid #cfd8e3; border-left: 4px solid #08519c; padding: 4px 14px 8px; margin: 12px 0; }
section.card h2 { border: none; margin: 8px 0 4px; } section.card ul { margin: 4px 0; padding-left: 20px; }
.verdict { font-weight: 600; } .verdict.agrees { color: #1a7f37; } .verdict.differs { color: #a35200; } .ok { color: #1a7f37; }
figcaption .files { white-space: nowrap; font-size: 12px; } figcaption .files a { color: #08519c; }
:target { scroll-margin-top: 8px; } figure.plot:target { outline: 2px solid #6baed6; }
`;

function tocHtml(
  entries: Array<{
    id: string;
    title: string;
    children?: Array<{ id: string; title: string; children?: Array<{ id: string; title: string }> }>;
  }>,
): string {
  const ol = (xs: typeof entries): string =>
    `<ol>${xs.map((x) => `<li><a href="#${esc(x.id)}">${esc(decodeEntities(x.title))}</a>${x.children?.length ? ol(x.children) : ''}</li>`).join('')}</ol>`;
  return `<nav class="toc" id="contents"><h2>Contents</h2>${ol(entries)}</nav>`;
}

async function pageHtml(ctx: ReportContext, rendered: RenderedSection[], options: ReportOptions): Promise<string> {
  const { title, body } = header(ctx);
  const links = options.figures !== false;
  const used = new Set(['summary', 'contents', 'scenario', 'plots']);
  const rawTables = ctx.run
    ? `${runTables(ctx.run.summary)}\n${splittingTables(ctx.run)}`
    : ctx.sweep
      ? sweepTables(ctx)
      : regimesTables(ctx);
  const tables = collapsibleTables(rawTables, used);
  const scenario = scenarioOf(ctx);
  const figureTitle = (x: RenderedFigure) => x.figure.title ?? x.figure.caption ?? `figure ${x.figure.index}`;
  const toc = tocHtml([
    { id: 'summary', title: 'Summary' },
    ...(scenario ? [{ id: 'scenario', title: 'Scenario' }] : []),
    ...tables.toc,
    {
      id: 'plots',
      title: 'Plots',
      children: rendered.map((r) => ({
        id: r.id,
        title: r.section.entry.title,
        children:
          r.figures.length > 1 || (r.figures[0] && r.figures[0].figure.title)
            ? r.figures.map((x) => ({ id: figureId(x.figure), title: figureTitle(x) }))
            : [],
      })),
    },
  ]);
  const scenarioBlock = scenario
    ? `<details class="section" id="scenario"><summary><h2>Scenario</h2></summary><p class="caption">The scenario as run, every default filled in (${esc(scenario.label)}).</p><pre>${esc(stringifyYaml(scenario.value))}</pre></details>`
    : '';
  const sections = rendered.map((r) => plotSectionHtml(r, links));
  let scripts = '';
  let interactiveNote = '';
  if (options.interactive) {
    const blocks: string[] = [];
    for (const r of rendered)
      for (const x of r.figures) {
        if (x.svg === null) continue;
        try {
          const live = await interactiveFigure(x.figure.spec);
          blocks.push(`<script type="application/json" data-figure="${esc(figureId(x.figure))}">${scriptJson(live.vega)}</script>`);
        } catch {
          // This figure stays static: its spec could not be compiled for interaction.
        }
      }
    scripts = `${blocks.join('\n')}\n<script>${vegaRuntime()}</script>\n<script>${EMBED_SCRIPT}</script>`;
    interactiveNote =
      '<p class="hint">Interactive figures: hover for values, scroll to zoom, drag to pan, double-click to reset, click a legend entry to dim or restore its series.</p>';
  }
  const version = runsOf(ctx)[0]?.summary.stochdyn?.version;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · stochdyn report</title>
<style>${CSS}${PAGE_CSS}${options.interactive ? INTERACTIVE_CSS : ''}</style>
</head>
<body>
<header>
<h1>${esc(title)}</h1>
${body}
</header>
${summaryCard(ctx, rendered)}
${toc}
<main>
${scenarioBlock}
${tables.html}
<details open class="section" id="plots"><summary><h2>Plots</h2></summary>
${interactiveNote}
${sections.length ? sections.join('\n') : '<p>No plot applies to this directory.</p>'}
</details>
</main>
<footer>stochdyn${version ? ` ${esc(version)}` : ''} · ${esc(ctx.layout)} directory · figures rendered with Vega-Lite as inline SVG${
    links ? ` · every figure also as SVG, PNG, CSV and Vega-Lite spec in ${FIGURES_DIR}/` : ''
  }${options.interactive ? ' · interactive with the embedded Vega runtime' : ''}</footer>
${scripts}
</body>
</html>
`;
}

/** The report page of a loaded directory (figure links as if `figures/` were written, unless `figures: false`). */
export async function buildReportHtml(ctx: ReportContext, options: ReportOptions = {}): Promise<string> {
  return pageHtml(ctx, await renderSections(ctx), options);
}

/**
 * Write `<dir>/report.html` for a run, sweep or regimes directory, and
 * `<dir>/figures/` with every figure's files (unless `figures: false`), and
 * return the page's path. Throws {@link ReportDirError} when the directory is
 * none of these.
 */
export async function writeReport(dir: string, options: ReportOptions = {}): Promise<string> {
  const ctx = loadReportContext(dir);
  const rendered = await renderSections(ctx);
  if (options.figures !== false) {
    const figuresDir = join(ctx.dir, FIGURES_DIR);
    const written: string[] = [];
    for (const r of rendered)
      for (const x of r.figures)
        if (x.svg !== null) {
          const files = await writeFigureFiles(figuresDir, x.figure, x.svg);
          x.files = files.written;
          x.filesError = files.error;
          written.push(x.figure.name);
        }
    pruneFigureFiles(figuresDir, written);
  }
  const html = await pageHtml(ctx, rendered, options);
  const file = join(ctx.dir, REPORT_FILE);
  writeAtomic(file, html);
  return file;
}
