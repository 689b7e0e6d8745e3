/**
 * report.html and the plot registry, on real tiny runs arranged into the three
 * layouts (run, sweep, regimes; see test/report/fixtures.ts), plus the
 * `stochdyn report` command through the compiled CLI.
 *
 *   npm run build && npx vitest run test/report/report.test.ts
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { buildReportHtml, writeReport } from '../../src/report/html.js';
import {
  getPlot,
  listPlots,
  loadReportContext,
  parseCsv,
  registerPlot,
  ReportDirError,
  unregisterPlot,
} from '../../src/report/plots/index.js';
import { sweptKeys } from '../../src/results/read.js';
import { readPhaseBoundary } from '../../src/report/plots/phase-diagram.js';
import { sweepMetrics } from '../../src/report/plots/sweep.js';
import { freshDir, makeRegimes, makeRun, makeSweep, SCENARIO } from './fixtures.js';
import { CLI_MAIN, ROOT, tempDir } from '../helpers.js';
import { validateScenarioObject } from '../../src/scenario/index.js';
import { runScenario } from '../../src/runs/run.js';
import { coordinateList } from '../../src/potentials/registry.js';

const MAIN = CLI_MAIN;

let TMP: string;
let RUN: string;
let SWEEP: string;
let REGIMES: string;

beforeAll(async () => {
  TMP = realpathSync(tempDir('report-test'));
  RUN = await makeRun(path.join(TMP, 'run'));
  SWEEP = await makeSweep(freshDir(TMP, 'sweep'));
  REGIMES = await makeRegimes(freshDir(TMP, 'regimes'));
});

afterAll(() => {
  if (TMP) rmSync(TMP, { recursive: true, force: true });
});

/** Figures (one inline SVG each) per plot kind. */
function figuresByKind(html: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of html.matchAll(/<figure class="plot" data-kind="([^"]+)"[^>]*><svg/g)) out[m[1]] = (out[m[1]] ?? 0) + 1;
  return out;
}

/** Every http(s) reference except XML namespace declarations (xmlns="http://www.w3.org/…"). */
function externalRefs(html: string): string[] {
  return [...html.replace(/\sxmlns(:\w+)?="http:\/\/www\.w3\.org\/[^"]*"/g, '').matchAll(/https?:\/\/[^\s"'<>)]*/g)].map((m) => m[0]);
}

/** Substring / pattern checks that print the needle, not the whole page, on failure. */
function has(html: string, needle: string | RegExp) {
  const ok = typeof needle === 'string' ? html.includes(needle) : needle.test(html);
  expect(ok, `report.html should contain ${String(needle)}`).toBe(true);
}

function expectSelfContained(html: string) {
  expect(externalRefs(html), 'no http(s) resource references').toEqual([]);
  expect(
    html.match(/<script|<link|<img|<iframe|@import|@font-face|\bsrc=/gi),
    'no scripts, links, images, frames, imported CSS or fonts',
  ).toBeNull();
  expect(html.match(/url\((?!#)/g), 'CSS/SVG url() only to in-page ids').toBeNull();
}

describe('a run directory', () => {
  let html: string;
  let file: string;

  beforeAll(async () => {
    file = await writeReport(RUN);
    html = readFileSync(file, 'utf8');
  });

  it('writes one report.html into the directory (atomically: no temporary files left)', () => {
    expect(file).toBe(path.join(RUN, 'report.html'));
    expect(readdirSync(RUN).filter((f) => f.startsWith('.'))).toEqual([]);
    expect(html.startsWith('<!doctype html>')).toBe(true);
  });

  it('has one <svg per expected plot: a trace panel per observable, a histogram per entry, a survival curve per event', () => {
    const summary = JSON.parse(readFileSync(path.join(RUN, 'summary.json'), 'utf8'));
    const histograms = JSON.parse(readFileSync(path.join(RUN, 'histograms.json'), 'utf8'));
    const expected = {
      traces: Object.keys(summary.observables).length,
      histograms: histograms.length,
      survival: Object.keys(summary.events).length,
    };
    expect(expected).toEqual({ traces: 3, histograms: 1, survival: 1 });
    expect(figuresByKind(html)).toEqual(expected);
    expect(html.match(/<svg/g)).toHaveLength(5);
    expect(html.includes('class="error"'), 'no plot failed').toBe(false);
  });

  it('is self-contained: no scripts, fonts, links or http(s) references other than the SVG namespace', () => {
    expectSelfContained(html);
  });

  it('has the header facts and the summary tables', () => {
    const s = JSON.parse(readFileSync(path.join(RUN, 'summary.json'), 'utf8'));
    has(html, '<h1>cli-double-well</h1>');
    has(html, 'CLI end-to-end test fixture');
    for (const [k, v] of [
      ['replicas', '400'],
      ['steps', '1500'],
      ['integrator', 'sgld'],
      ['η', '0.002'],
      ['θ', '0.25'],
    ])
      has(html, `<dt>${k}</dt><dd>${v}</dd>`);
    has(html, /<dt>wall time<\/dt><dd>[\d.]+ s in the main thread<\/dd>/);
    has(html, '<h2>Final observables</h2>');
    has(html, '<th>MFPT (time)</th><th>95 % CI</th>');
    const e = s.events.escape;
    has(html, `<td>escape</td><td>${e.entered}</td><td>${e.censored}</td>`);
    // theory overlay texts (escaped)
    for (const t of s.theory) has(html, t.text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    has(html, 'No replica diverged.');
  });

  it('draws the log time axis for a log grid and the Gibbs line over the histogram', () => {
    const ctx = loadReportContext(RUN);
    const traces = getPlot('traces')!.build(ctx);
    expect((traces[0] as any).layer[0].encoding.x.scale.type).toBe('log');
    const hist = getPlot('histograms')!.build(ctx) as any[];
    expect(hist[0].layer).toHaveLength(2);
    expect(hist[0].layer[1].data.values).toHaveLength(40);
    const surv = getPlot('survival')!.build(ctx) as any[];
    const km = surv[0].layer[1].data.values;
    expect(km[0]).toMatchObject({ time: 0, s: 1 });
    expect(km[km.length - 1].time).toBeCloseTo(1500 * 0.002, 12); // censoring horizon = run.steps·η
    // KM at the end equals 1 − entered/replicas (no divergence, single censoring time)
    const e = JSON.parse(readFileSync(path.join(RUN, 'summary.json'), 'utf8')).events.escape;
    expect(km[km.length - 1].s).toBeCloseTo(1 - e.entered / e.replicas, 12);
  });
});

describe('the plot registry', () => {
  it('rejects a duplicate kind and keeps the original', () => {
    const before = getPlot('traces');
    expect(() => registerPlot({ kind: 'traces', title: 'x', applies: () => true, build: () => [] })).toThrow(/already registered/);
    expect(getPlot('traces')).toBe(before);
    const kinds = listPlots().map((p) => p.kind);
    // The general plots first, in registration order; picture-specific kinds follow.
    expect(kinds.slice(0, 6)).toEqual(['traces', 'histograms', 'survival', 'sweep', 'phase-diagram', 'regimes']);
    expect(new Set(kinds).size).toBe(kinds.length);
  });

  it('a newly registered kind appears in the report, with its title and caption', async () => {
    registerPlot({
      kind: 'test-final-x',
      title: 'Test: final x per replica',
      caption: 'A plot registered by the test.',
      applies: (ctx) => ctx.layout === 'run' && !!ctx.run?.finals,
      build: (ctx) => {
        const f = ctx.run!.finals!;
        const k = f.header.indexOf('x');
        return [
          {
            description: 'final x against replica',
            data: { values: f.rows.map((r) => ({ replica: Number(r[0]), x: Number(r[k]) })) },
            mark: 'point',
            encoding: { x: { field: 'replica', type: 'quantitative' }, y: { field: 'x', type: 'quantitative' } },
          },
        ];
      },
    });
    try {
      const html = await buildReportHtml(loadReportContext(RUN));
      expect(figuresByKind(html)['test-final-x']).toBe(1);
      has(html, '<summary><h3>Test: final x per replica</h3></summary><p class="caption">A plot registered by the test.</p>');
      expect(html.match(/<svg/g)).toHaveLength(6); // 5 built-in + 1
      // not applicable elsewhere
      expect(figuresByKind(await buildReportHtml(loadReportContext(SWEEP)))['test-final-x']).toBeUndefined();
    } finally {
      expect(unregisterPlot('test-final-x')).toBe(true);
    }
  });

  it('a failing plot is reported in place; the rest of the report goes on', async () => {
    registerPlot({
      kind: 'test-broken',
      title: 'Broken',
      applies: () => true,
      build: () => {
        throw new Error('no data for this');
      },
    });
    try {
      const html = await buildReportHtml(loadReportContext(RUN));
      has(html, "plot 'test-broken' failed: no data for this");
      expect(html.match(/<svg/g)).toHaveLength(5);
    } finally {
      unregisterPlot('test-broken');
    }
  });
});

describe('a sweep directory', () => {
  let html: string;
  beforeAll(async () => {
    html = readFileSync(await writeReport(SWEEP), 'utf8');
  });

  it('finds the swept keys (sweep.json axes) and the metrics with their CI and sem columns', () => {
    const ctx = loadReportContext(SWEEP);
    expect(ctx.layout).toBe('sweep');
    expect(ctx.sweep!.keys).toEqual(['dynamics.temperature', 'dynamics.lr']);
    expect(ctx.sweep!.points.map((p) => p.label)).toEqual(['0', '1', '2', '3', '4', '5']);
    const metrics = sweepMetrics(ctx.sweep!.table!, ctx.sweep!.keys);
    const byName = Object.fromEntries(metrics.map((m) => [m.name, m]));
    expect(byName.escape_mfpt_time).toEqual({ name: 'escape_mfpt_time', lo: 'escape_mfpt_lo', hi: 'escape_mfpt_hi' });
    expect(byName.x_mean).toEqual({ name: 'x_mean', sem: 'x_sem' });
    // companions, constants ('diverged', and 'well' quantiles that stay 0) and the text column 'phase' are not metrics
    for (const c of ['escape_mfpt_lo', 'escape_mfpt_hi', 'x_sem', 'diverged', 'phase', 'index']) expect(byName[c], c).toBeUndefined();
  });

  it('plots each metric against the first key (one line per second-key value) with error bars, and the phase map with the fitted line', () => {
    const ctx = loadReportContext(SWEEP);
    const metrics = sweepMetrics(ctx.sweep!.table!, ctx.sweep!.keys);
    expect(figuresByKind(html)).toEqual({ sweep: Math.min(12, metrics.length), 'phase-diagram': 1 });
    expectSelfContained(html);
    expect(html.includes('class="error"'), 'no plot failed').toBe(false);
    const specs = getPlot('sweep')!.build(ctx) as any[];
    const mfpt = specs[metrics.findIndex((m) => m.name === 'escape_mfpt_time')];
    expect(mfpt.layer[0].mark.type).toBe('rule'); // error bars
    expect(new Set(mfpt.data.values.map((v: any) => v.g))).toEqual(new Set(['η = 0.001', 'η = 0.002']));
    const xMean = specs[metrics.findIndex((m) => m.name === 'x_mean')];
    const row0 = xMean.data.values[0];
    expect(row0.hi - row0.y).toBeGreaterThan(0); // ±1.96·sem
    const phase = (getPlot('phase-diagram')!.build(ctx) as any[])[0];
    expect(phase.layer[0].encoding.x.scale.type).toBe('log');
    expect(phase.layer[0].encoding.y.scale.type).toBe('log');
    expect(phase.layer[0].encoding.x.title).toBe('θ (temperature)');
    expect(phase.layer[0].data.values).toHaveLength(6);
    expect(phase.layer[1].mark.type).toBe('text'); // each cell's metric
    const line = phase.layer[2].data.values as Array<{ x0: number; y0: number }>;
    expect(line.length).toBeGreaterThan(10);
    for (const p of line) expect(Math.log10(p.y0)).toBeCloseTo(-3.9 - 2 * Math.log10(p.x0), 9);
    expect(phase.layer[3].data.values).toHaveLength(3); // the boundary points
    has(html, '<td>trapped | escaping</td><td>-2</td><td>-2.5 – -1.5</td><td>-3.9</td><td>-4.2 – -3.6</td><td>3</td>');
    has(html, '<h1>report-sweep — sweep</h1>');
    has(html, '<dt>sweep points</dt><dd>6 completed of 6</dd>');
    has(html, '<dt>η</dt><dd>0.001, 0.002</dd><');
    has(html, '<dt>θ</dt><dd>0.2, 0.3, 0.45</dd>');
  });

  it('sums up the points in the summary card: the mfpt-1d check per point, the phase boundary', () => {
    const card = /<section class="card" id="summary">([\s\S]*?)<\/section>/.exec(html)![1];
    has(card, '<dt>ran</dt><dd>sweep of dynamics.temperature × dynamics.lr: 6 of 6 points</dd>');
    const inside = loadReportContext(SWEEP).sweep!.points.filter((p) => {
      const t = (p.summary.theory as Array<Record<string, any>>).find((x) => x.kind === 'mfpt-1d')!;
      return t.exactTime >= t.measuredCi95Time[0] && t.exactTime <= t.measuredCi95Time[1];
    }).length;
    has(card, `mfpt-1d (escape): agrees with theory at ${inside} of 6 points (the exact value inside the measured 95 % CI)`);
    has(card, 'phase boundary trapped | escaping: slope -2 [95 % CI -2.5 – -1.5]');
  });

  it('the interactive page embeds every figure of the sweep and of a regimes directory as a Vega spec', async () => {
    for (const dir of [SWEEP, REGIMES]) {
      const interactive = await buildReportHtml(loadReportContext(dir), { interactive: true });
      const figures = [...interactive.matchAll(/<figure class="plot"[^>]* id="(figure-[^"]+)"><svg/g)].map((m) => m[1]);
      const embedded = [...interactive.matchAll(/<script type="application\/json" data-figure="([^"]+)">/g)].map((m) => m[1]);
      expect(figures.length).toBeGreaterThan(3);
      expect(embedded, dir).toEqual(figures);
    }
  });
});

describe('a regimes directory', () => {
  let html: string;
  beforeAll(async () => {
    html = readFileSync(await writeReport(REGIMES), 'utf8');
  });

  it('overlays every regime: one plot per observable and per event, regimes in regimes.json order', () => {
    const ctx = loadReportContext(REGIMES);
    expect(ctx.regimes!.runs.map((r) => r.label)).toEqual(['warm', 'cold']);
    expect(figuresByKind(html)).toEqual({ regimes: 4 });
    const specs = getPlot('regimes')!.build(ctx) as any[];
    const regimesIn = (s: any) => [...new Set(s.data.values.map((v: any) => v.regime))];
    for (const s of specs) expect(regimesIn(s)).toEqual(['warm', 'cold']);
    expectSelfContained(html);
    expect(html.includes('class="error"'), 'no plot failed').toBe(false);
  });

  it('has the per-regime table and comparison.json as one table per pair', () => {
    has(html, /<td>warm<\/td><td>300<\/td><td>1500<\/td><td>sgld<\/td><td>0.002<\/td><td>0.4<\/td>/);
    has(html, '<h3>cold (A) vs warm (B)</h3>');
    has(
      html,
      '<td>escape: MFPT (time)</td><td>180 [80 – 550]</td><td>20 [15 – 27]</td><td>-160 [-535 – -53]</td><td>likelihood ratio</td><td>chi2(1) = 12.5</td><td>4.0e-4</td><td>8.0e-4</td><td>yes</td>',
    );
    has(html, '<li>Differences are B − A.</li>');
  });

  it('names the regimes and the results that differ from the baseline in the summary card', () => {
    const card = /<section class="card" id="summary">([\s\S]*?)<\/section>/.exec(html)![1];
    has(card, '<dt>ran</dt><dd>2 regimes: warm, cold</dd>');
    has(card, /comparison: [1-9]\d* of \d+ results differ from the baseline \(Holm-adjusted\): [^<]*escape: MFPT \(time\) \(warm\)/);
  });
});

describe('loading', () => {
  it('a directory of no known layout is a ReportDirError naming the three layouts', () => {
    const empty = freshDir(TMP, 'empty');
    expect(() => loadReportContext(empty)).toThrow(ReportDirError);
    expect(() => loadReportContext(empty)).toThrow(/run directory \(summary\.json\).*sweep directory.*regimes directory/);
    expect(() => loadReportContext(path.join(TMP, 'missing'))).toThrow(/not a directory/);
  });

  it('parses quoted CSV cells; finds swept keys without sweep.json; reads phase boundaries in base e', () => {
    expect(parseCsv('a,b\n"x,1","say ""hi"""\n3,\n')).toEqual({
      header: ['a', 'b'],
      rows: [
        ['x,1', 'say "hi"'],
        ['3', ''],
      ],
    });
    expect(sweptKeys({ header: ['index', 'dynamics.lr', 'rate', 'rate.lo'], rows: [] }, null)).toEqual(['dynamics.lr']);
    expect(readPhaseBoundary({ slope: 1, intercept: 0, base: 'e' })!.base).toBe(Math.E);
    expect(readPhaseBoundary({ fit: { slope: 1.5, intercept: -2, slopeCI: [1, 2] } })).toMatchObject({
      slope: 1.5,
      slopeCi: [1, 2],
      base: 10,
    });
    expect(readPhaseBoundary({ note: 'no fit' })).toBeNull();
    expect(readPhaseBoundary({ fit: null, note: 'only 1 boundary point', boundaries: [{ fit: null }] })).toBeNull();
  });
});

describe('the CLI', () => {
  const cli = (args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { cwd: TMP, encoding: 'utf8' });

  beforeAll(() => {
    if (!existsSync(MAIN)) throw new Error(`run npm run build first: ${path.relative(ROOT, MAIN)} is missing`);
  });

  it('stochdyn report <run dir> writes report.html and prints its path', () => {
    rmSync(path.join(RUN, 'report.html'), { force: true });
    const r = cli(['report', RUN]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${path.join(RUN, 'report.html')}\n`);
    expect(existsSync(path.join(RUN, 'report.html'))).toBe(true);
  });

  it('stochdyn report on a directory that is not a result directory exits 2 with a clear message', () => {
    const r = cli(['report', freshDir(TMP, 'not-a-run')]);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/not a stochdyn result directory — expected a run directory \(summary\.json\)/);
  });

  it('stochdyn run writes report.html after the run; --no-report does not', () => {
    const a = path.join(TMP, 'cli-run-a');
    const b = path.join(TMP, 'cli-run-b');
    const ra = cli(['run', SCENARIO, '--replicas', '100', '--set', 'dynamics.steps=300', '--out', a, '--workers', '0']);
    expect(ra.status, ra.stderr).toBe(0);
    expect(existsSync(path.join(a, 'report.html'))).toBe(true);
    const rb = cli(['run', SCENARIO, '--replicas', '100', '--set', 'dynamics.steps=300', '--out', b, '--workers', '0', '--no-report']);
    expect(rb.status, rb.stderr).toBe(0);
    expect(existsSync(path.join(b, 'summary.json'))).toBe(true);
    expect(existsSync(path.join(b, 'report.html'))).toBe(false);
  });
});

describe('the report header of a many-coordinate potential', () => {
  it('names the first four coordinates, "…" and the last with the count, as validate does; eight or fewer are all listed', async () => {
    expect(coordinateList(['a', 'b', 'c'])).toBe('a, b, c');
    const twelve = Array.from({ length: 12 }, (_, i) => `x${i}`);
    expect(coordinateList(twelve)).toBe('x0, x1, x2, x3, …, x11: 12 coordinates');
    expect(
      coordinateList(twelve, [
        { name: 'w', size: 8 },
        { name: 'a', size: 4 },
      ]),
    ).toBe('x0, x1, x2, x3, …, x11; groups w (8), a (4)');
    const scenario = validateScenarioObject(
      {
        name: 'many-coordinates',
        potential: { kind: 'harmonic', params: { dim: 12 } },
        dynamics: { integrator: 'sgld', lr: 0.01, temperature: 0.1, steps: 20 },
        ensemble: { replicas: 4 },
        observe: { grid: { kind: 'linear', points: 2 }, observables: ['energy'] },
      },
      '',
    );
    const out = path.join(tempDir('report-many'), 'run');
    await runScenario(scenario, { out, workers: 0 });
    const html = await buildReportHtml(loadReportContext(out));
    expect(html).toContain('12 (x0, x1, x2, x3, …, x11: 12 coordinates)');
    expect(html).not.toContain('x5, x6');
  });
});
