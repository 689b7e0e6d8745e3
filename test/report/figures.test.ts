/**
 * figures/ (every figure as SVG, PNG, CSV and Vega-Lite spec), the page's
 * structure (summary card, contents, ids, collapsible sections, the resolved
 * scenario, links to the figure files), the interactive specs, and
 * `stochdyn figure` through the compiled CLI — on a real tiny run.
 *
 *   npx tsc -p tsconfig.json && npx vitest run test/report/figures.test.ts
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { buildReportHtml, writeReport } from '../../src/report/html.js';
import { collectFigures, FIGURE_FILES, slug, titleText, writeFigureFiles, type Figure } from '../../src/report/figures.js';
import { figureCsv, specDatasets } from '../../src/report/figure-data.js';
import { addLegendToggle, HIDDEN_SIGNAL, interactiveFigure } from '../../src/report/interactive.js';
import { loadReportContext, parseCsv, renderSvg, type VegaLiteSpec } from '../../src/report/plots/index.js';
import { PNG_SCALE } from '../../src/report/raster.js';
import { freshDir, makeRegimes, makeRun } from './fixtures.js';
import { runCli, tempDir } from '../helpers.js';

let TMP: string;
let RUN: string;
let FIGS: Figure[];

beforeAll(async () => {
  TMP = realpathSync(tempDir('figures-test'));
  RUN = await makeRun(path.join(TMP, 'run'), ['dynamics.steps=600'], 120);
  await writeReport(RUN);
  FIGS = collectFigures(loadReportContext(RUN)).flatMap((s) => s.figures);
});

afterAll(() => {
  if (TMP) rmSync(TMP, { recursive: true, force: true });
});

const FIGDIR = () => path.join(RUN, 'figures');

/** Width and height of a PNG from its IHDR chunk. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('figures/ of a run', () => {
  it('has the four files of every figure, named <kind>-<title>, unique, and nothing else', () => {
    expect(FIGS.map((f) => f.name)).toEqual([
      'traces-x',
      'traces-energy',
      'traces-well-occupancy',
      'histograms-x-final',
      'survival-escape',
    ]);
    expect(new Set(FIGS.map((f) => f.name)).size).toBe(FIGS.length);
    const expected = FIGS.flatMap((f) => FIGURE_FILES.map((s) => `${f.name}${s}`)).sort();
    expect(readdirSync(FIGDIR()).sort()).toEqual(expected);
  });

  it('each CSV holds its spec’s inline rows: one dataset as is, several with a dataset column', () => {
    for (const f of FIGS) {
      const sets = specDatasets(f.spec);
      expect(sets.length, f.name).toBeGreaterThan(0);
      const table = parseCsv(readFileSync(path.join(FIGDIR(), `${f.name}.csv`), 'utf8'));
      expect(table.rows.length, f.name).toBe(sets.reduce((n, s) => n + s.rows.length, 0));
      const rows = sets.flatMap((s) => s.rows.map((r) => ({ set: s.name, r: r as Record<string, unknown> })));
      const offset = sets.length > 1 ? 1 : 0;
      if (offset) expect(table.header[0]).toBe('dataset');
      for (const [i, { set, r }] of rows.entries()) {
        if (offset) expect(table.rows[i][0]).toBe(set);
        for (const [k, v] of Object.entries(r)) {
          const cell = table.rows[i][table.header.indexOf(k)];
          if (typeof v === 'number' && Number.isFinite(v)) expect(Number(cell), `${f.name} row ${i} ${k}`).toBe(v);
          else if (typeof v === 'string') expect(cell).toBe(v);
        }
      }
    }
    // The traces: one dataset, one row per observation point with time > 0 (log grid).
    const x = parseCsv(readFileSync(path.join(FIGDIR(), 'traces-x.csv'), 'utf8'));
    expect(x.header).toEqual(['t', 'q05', 'q25', 'q50', 'q75', 'q95', 'mean', 'n']);
  });

  it('each .vl.json compiles with vega-lite as is and renders to the same SVG; the SVG is what the page inlines', async () => {
    const html = readFileSync(path.join(RUN, 'report.html'), 'utf8');
    for (const f of FIGS) {
      const spec = JSON.parse(readFileSync(path.join(FIGDIR(), `${f.name}.vl.json`), 'utf8')) as VegaLiteSpec;
      expect(spec.$schema).toMatch(/vega-lite\/v5\.json$/);
      const compiled = vl.compile(spec).spec;
      const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
      const svgOfVega = await view.toSVG();
      view.finalize();
      const svg = readFileSync(path.join(FIGDIR(), `${f.name}.svg`), 'utf8');
      expect(svgOfVega.replace(/\s+xmlns:xlink="[^"]*"/, '')).toBe(svg);
      expect(await renderSvg(spec)).toBe(svg);
      expect(html).toContain(`id="figure-${f.name}"`);
    }
  });

  it('each PNG is a PNG at twice the SVG size', () => {
    for (const f of FIGS) {
      const png = readFileSync(path.join(FIGDIR(), `${f.name}.png`));
      expect(png.subarray(0, 8).equals(PNG_SIGNATURE), f.name).toBe(true);
      const svg = readFileSync(path.join(FIGDIR(), `${f.name}.svg`), 'utf8');
      const w = Number(/<svg[^>]*\bwidth="([\d.]+)"/.exec(svg)![1]);
      const h = Number(/<svg[^>]*\bheight="([\d.]+)"/.exec(svg)![1]);
      expect(pngSize(png)).toEqual({ width: Math.round(w * PNG_SCALE), height: Math.round(h * PNG_SCALE) });
      expect(w).toBeGreaterThan(200);
    }
  });

  it('rewriting the report removes the files of figures that no longer exist and keeps foreign files', async () => {
    writeFileSync(path.join(FIGDIR(), 'gone-plot.svg'), '<svg/>');
    writeFileSync(path.join(FIGDIR(), 'gone-plot.vl.json'), '{}');
    writeFileSync(path.join(FIGDIR(), 'notes.txt'), 'mine');
    await writeReport(RUN);
    expect(existsSync(path.join(FIGDIR(), 'gone-plot.svg'))).toBe(false);
    expect(existsSync(path.join(FIGDIR(), 'gone-plot.vl.json'))).toBe(false);
    expect(existsSync(path.join(FIGDIR(), 'notes.txt'))).toBe(true);
    expect(existsSync(path.join(FIGDIR(), 'traces-x.png'))).toBe(true);
    rmSync(path.join(FIGDIR(), 'notes.txt'));
  });

  it('a PNG that cannot be drawn costs only the PNG: the other files are written and the error is returned', async () => {
    const dir = freshDir(TMP, 'broken-png');
    const r = await writeFigureFiles(dir, { ...FIGS[0], name: 'broken' }, 'not an svg');
    expect(r.written).toEqual(['.svg', '.csv', '.vl.json']);
    expect(r.error).toBeTruthy();
    expect(readdirSync(dir).sort()).toEqual(['broken.csv', 'broken.svg', 'broken.vl.json']);
  });

  it('a regimes directory gets figures too, names unique across its figures', async () => {
    const dir = await makeRegimes(freshDir(TMP, 'regimes'));
    await writeReport(dir);
    const names = collectFigures(loadReportContext(dir)).flatMap((s) => s.figures.map((f) => f.name));
    expect(names.length).toBe(4);
    expect(new Set(names).size).toBe(4);
    for (const n of names) for (const s of FIGURE_FILES) expect(existsSync(path.join(dir, 'figures', `${n}${s}`)), `${n}${s}`).toBe(true);
  });
});

describe('figure names and data', () => {
  it('slugs are lowercase ASCII; titles are read from strings, lines and {text}', () => {
    expect(slug("Survival of 'escape' (θ = 0.25)")).toBe('survival-of-escape-theta-0-25');
    expect(slug('Ünïcode — name')).toBe('unicode-name');
    expect(slug('Arrhenius: ln τ vs 1/Θ')).toBe('arrhenius-ln-tau-vs-1-theta');
    expect(titleText({ title: 'a', mark: 'point' } as VegaLiteSpec)).toBe('a');
    expect(titleText({ title: { text: ['a', 'b'] }, mark: 'point' } as VegaLiteSpec)).toBe('a b');
    expect(titleText({ mark: 'point' } as VegaLiteSpec)).toBeNull();
  });

  it('untitled figures are numbered, repeated titles get a suffix', async () => {
    const { registerPlot, unregisterPlot } = await import('../../src/report/plots/index.js');
    registerPlot({
      kind: 'test-names',
      title: 'names',
      applies: (ctx) => !!ctx.run,
      build: () => [
        { data: { values: [{ a: 1 }] }, mark: 'point', encoding: { x: { field: 'a', type: 'quantitative' } } },
        { title: 'Same', data: { values: [{ a: 1 }] }, mark: 'point' },
        { title: 'Same', data: { values: [{ a: 1 }] }, mark: 'point' },
      ],
    });
    try {
      const names = collectFigures(loadReportContext(RUN))
        .filter((s) => s.entry.kind === 'test-names')
        .flatMap((s) => s.figures.map((f) => f.name));
      expect(names).toEqual(['test-names-1', 'test-names-same', 'test-names-same-2']);
    } finally {
      unregisterPlot('test-names');
    }
  });

  it('the CSV of several datasets (layers, named datasets) has a dataset column and the union of the fields', () => {
    const spec = {
      datasets: { points: [{ x: 1, y: 'a,b' }] },
      data: { values: [{ x: 2, z: null }] },
      layer: [{ mark: 'point' }, { data: { values: [{ x: 3, w: true }] }, mark: 'line' }],
    } as unknown as VegaLiteSpec;
    expect(specDatasets(spec).map((s) => s.name)).toEqual(['points', 'data', 'layer-1']);
    expect(figureCsv(spec)).toBe('dataset,x,y,z,w\npoints,1,"a,b",,\ndata,2,,,\nlayer-1,3,,,true\n');
    expect(figureCsv({ data: { values: [{ t: 0.5, s: 1 }] }, mark: 'line' } as VegaLiteSpec)).toBe('t,s\n0.5,1\n');
  });
});

describe('the page', () => {
  it('has a summary card, contents whose every link has its target, unique ids, collapsible sections, the scenario and the figure files', () => {
    const html = readFileSync(path.join(RUN, 'report.html'), 'utf8');
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    const pageIds = ids.filter((id) => !/^f\d+-/.test(id)); // not the SVGs' own (prefixed) ids
    expect(new Set(pageIds).size).toBe(pageIds.length);
    const nav = /<nav class="toc" id="contents">([\s\S]*?)<\/nav>/.exec(html)![1];
    const targets = [...nav.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]);
    expect(targets).toEqual(expect.arrayContaining(['summary', 'scenario', 'plots', ...FIGS.map((f) => `figure-${f.name}`)]));
    for (const t of targets) expect(ids, `contents link #${t}`).toContain(t);
    expect(html.indexOf('id="summary"')).toBeLessThan(html.indexOf('id="contents"'));
    expect(html).toMatch(
      /<details open class="section" id="section-events-first-passage"><summary><h2>Events \(first passage\)<\/h2><\/summary>/,
    );
    expect(html).toMatch(/<details open class="plot-section" data-kind="traces" id="plots-traces"><summary><h3>/);
    const card = /<section class="card" id="summary">([\s\S]*?)<\/section>/.exec(html)![1];
    expect(card).toMatch(/event escape: \d+ of 120 entered; MFPT/);
    expect(card).toMatch(/mfpt-1d: mean first-passage time -1 → 1 at θ = 0.25: exact integral 69.26/);
    expect(card).toMatch(/class="verdict (agrees|differs)"/);
    const scenario = /<details class="section" id="scenario">([\s\S]*?)<\/details>/.exec(html)![1];
    expect(scenario).toContain('name: cli-double-well');
    expect(scenario).toContain('integrator: sgld');
    for (const f of FIGS)
      for (const s of FIGURE_FILES) {
        expect(html).toContain(`href="figures/${f.name}${s}"`);
        expect(existsSync(path.join(RUN, 'figures', `${f.name}${s}`))).toBe(true);
      }
    expect(html).not.toMatch(/<script/);
  });

  it('lists warnings in the card: a failing plot and divergence', async () => {
    const { registerPlot, unregisterPlot } = await import('../../src/report/plots/index.js');
    registerPlot({
      kind: 'test-broken',
      title: 'broken',
      applies: (ctx) => !!ctx.run,
      build: () => {
        throw new Error('no data here');
      },
    });
    try {
      const html = await buildReportHtml(loadReportContext(RUN));
      const card = /<section class="card" id="summary">([\s\S]*?)<\/section>/.exec(html)![1];
      expect(card).toContain('warning: plot &#39;test-broken&#39; failed: no data here');
    } finally {
      unregisterPlot('test-broken');
    }
  });

  it('the interactive page embeds every figure as a compiled Vega spec and the Vega runtime; the static SVGs stay', async () => {
    const html = await buildReportHtml(loadReportContext(RUN), { interactive: true });
    const blocks = [...html.matchAll(/<script type="application\/json" data-figure="([^"]+)">([\s\S]*?)<\/script>/g)];
    expect(blocks.map((b) => b[1])).toEqual(FIGS.map((f) => `figure-${f.name}`));
    for (const b of blocks) {
      const spec = JSON.parse(b[2]) as { signals?: Array<{ name: string }> };
      expect(() => vega.parse(spec as never)).not.toThrow();
    }
    expect(html).toContain('window.stochdynViews');
    expect(html.length).toBeGreaterThan(400_000); // vega.min.js inline
    expect(html.match(/<figure class="plot"[^>]*><svg/g)).toHaveLength(FIGS.length);
  });

  it('interactive specs: zoom on the scales, tooltips, and a legend toggle that dims the marks of a hidden series', async () => {
    const traces = FIGS.find((f) => f.name === 'traces-x')!;
    const live = await interactiveFigure(traces.spec);
    expect(live.zoom).toBe(true);
    expect(live.legendToggle).toBe(true);
    const text = JSON.stringify(live.vega);
    expect(text).toContain('"tooltip"');
    expect(text).toContain(`indexof(${HIDDEN_SIGNAL}, \\"median\\") >= 0`);
    const view = new vega.View(vega.parse(live.vega as never), { renderer: 'none' });
    await view.runAsync();
    expect(view.signal(HIDDEN_SIGNAL)).toEqual([]);
    expect(await view.toSVG()).not.toMatch(/opacity="0\.08"/);
    view.signal(HIDDEN_SIGNAL, ['median']);
    await view.runAsync();
    const svg = await view.toSVG();
    view.finalize();
    // The median line and its legend symbol and label are dimmed.
    expect(svg.match(/opacity="0\.08"/g)?.length).toBeGreaterThanOrEqual(3);
    // A spec without a discrete legend gets no toggle.
    const plain = { data: { values: [{ a: 1, b: 2 }] }, mark: 'point', encoding: { x: { field: 'a' }, y: { field: 'b' } } };
    const compiled = vl.compile(plain as VegaLiteSpec).spec as unknown as Record<string, unknown>;
    expect(addLegendToggle(compiled)).toBe(false);
  });
});

describe('stochdyn figure', () => {
  const cli = (args: string[]) => runCli(args);

  it('--list prints the names and titles; a name renders that figure as SVG or PNG into figures/ or --out', () => {
    const list = cli(['figure', RUN, '--list']);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout.split('\n').filter(Boolean)).toEqual(FIGS.map((f) => `${f.name}${f.title ? `\t${f.title}` : ''}`));
    const out = path.join(TMP, 'cli-figures');
    const png = cli(['figure', RUN, 'traces-energy', '--format', 'png', '--out', out]);
    expect(png.status, png.stderr).toBe(0);
    expect(png.stdout).toBe(`${path.join(out, 'traces-energy.png')}\n`);
    const bytes = readFileSync(path.join(out, 'traces-energy.png'));
    expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    expect(readdirSync(out)).toEqual(['traces-energy.png']);
    rmSync(path.join(RUN, 'figures', 'survival-escape.svg'));
    const svg = cli(['figure', RUN, 'survival-escape']);
    expect(svg.status, svg.stderr).toBe(0);
    expect(readFileSync(path.join(RUN, 'figures', 'survival-escape.svg'), 'utf8')).toMatch(/^<svg/);
  });

  it('without a name renders every figure (--json lists them)', () => {
    const out = path.join(TMP, 'cli-all');
    const r = cli(['figure', RUN, '--out', out, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { figures: Array<{ name: string; file: string }> };
    expect(doc.figures.map((f) => f.name)).toEqual(FIGS.map((f) => f.name));
    expect(readdirSync(out).sort()).toEqual(FIGS.map((f) => `${f.name}.svg`).sort());
  });

  it('an unknown name exits 2 listing the figures; pdf is refused with the reason; a non-result directory exits 2', () => {
    const r = cli(['figure', RUN, 'traces-y', '--format', 'png']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`no figure named 'traces-y'; the figures of this directory are:`);
    for (const f of FIGS) expect(r.stderr).toContain(`\n  ${f.name}`);
    const pdf = cli(['figure', RUN, 'traces-x', '--format', 'pdf']);
    expect(pdf.status).toBe(2);
    expect(pdf.stderr).toMatch(/PDF is not offered: .*--format svg/s);
    const none = cli(['figure', freshDir(TMP, 'empty')]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/cannot make figures of .*not a stochdyn result directory/s);
  });

  it('stochdyn report --interactive writes the interactive page', () => {
    const r = cli(['report', RUN, '--interactive']);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(path.join(RUN, 'report.html'), 'utf8')).toContain('<script type="application/json" data-figure="figure-traces-x">');
  });
});
