/**
 * report.html of a replica-exchange directory (exchange.json, rungs.csv,
 * walkers.csv, rungs/<k>/): the ladder, the acceptance of each neighbour pair
 * with its standard error against the 0.1 warning line, the round trips, the
 * rungs visited by the walkers of ladder 0, the adaptation rounds when the
 * ladder was adapted, and one row per rung with its headline observables and
 * a link to the rung's own report (rungs/<k>/report.html, written alongside).
 * Self-contained like every report page: inline SVG, no scripts, no URLs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Summary } from '../analysis/summary.js';
import { parseCsv, readJsonFile, ResultDirError } from '../results/read.js';
import type { CsvTable } from '../results/types.js';
import { writeAtomic } from '../results/write.js';
import { LOW_ACCEPTANCE, type ExchangeSummary } from '../runs/exchange.js';
import { CSS, esc, facts, REPORT_FILE, runSetting, table, writeReport } from './html.js';
import { COLOR, FIGURE_CONFIG, HEIGHT, keyLabel, quantScale, WIDTH } from './plots/common.js';
import { renderSvg, type VegaLiteSpec } from './plots/index.js';

/** At most this many walkers of ladder 0 are drawn in the walker-flow plot, and at most this many rounds. */
const FLOW_WALKERS = 4;
const FLOW_ROUNDS = 2000;

const num = (v: number | null | undefined, digits = 4) =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : Number(v.toPrecision(digits)).toString();

/** True when `dir` is a replica-exchange directory (it has exchange.json). */
export function isExchangeDirectory(dir: string): boolean {
  return existsSync(join(resolve(dir), 'exchange.json'));
}

/** The loaded files of an exchange directory. */
export interface ExchangeReportData {
  dir: string;
  exchange: ExchangeSummary;
  /** summary.json of each rung (null where it is missing). */
  summaries: Array<Summary | null>;
  /** walkers.csv (null when absent). */
  walkers: CsvTable | null;
}

export function loadExchangeDirectory(dirArg: string): ExchangeReportData {
  const dir = resolve(dirArg);
  const exchange = readJsonFile<ExchangeSummary>(join(dir, 'exchange.json'));
  if (!exchange || typeof exchange !== 'object' || !Array.isArray(exchange.rungs) || !Array.isArray(exchange.pairs))
    throw new ResultDirError(`${dir}: no readable exchange.json (not a replica-exchange directory, or an incomplete one)`);
  const summaries = exchange.rungs.map((r) => readJsonFile<Summary>(join(dir, r.dir, 'summary.json')));
  const walkersFile = join(dir, 'walkers.csv');
  const walkers = existsSync(walkersFile) ? parseCsv(readFileSync(walkersFile, 'utf8')) : null;
  return { dir, exchange, summaries, walkers };
}

/** Acceptance per neighbour pair, ±1 SE bars, the 0.1 warning line; with adaptation, the first round's acceptances in grey. */
function acceptancePlot(d: ExchangeReportData): VegaLiteSpec {
  const e = d.exchange;
  const label = (p: { rungs: [number, number] }) => `${p.rungs[0]}–${p.rungs[1]}`;
  const values = e.pairs.map((p) => ({
    pair: label(p),
    series: e.adaptation ? 'frozen ladder' : 'ladder',
    acceptance: p.acceptance,
    lo: p.acceptance !== null && p.acceptanceSe !== null ? Math.max(0, p.acceptance - p.acceptanceSe) : p.acceptance,
    hi: p.acceptance !== null && p.acceptanceSe !== null ? Math.min(1, p.acceptance + p.acceptanceSe) : p.acceptance,
  }));
  if (e.adaptation)
    for (const p of e.adaptation.history[0].pairs)
      values.push({ pair: label(p), series: 'as written (adaptation round 0)', acceptance: p.acceptance, lo: null, hi: null });
  const x = { field: 'pair', type: 'ordinal' as const, title: 'neighbour pair (rungs)', sort: null, axis: { labelAngle: 0 } };
  const y = { field: 'acceptance', type: 'quantitative' as const, title: 'swap acceptance', scale: { domain: [0, 1] } };
  const color = {
    field: 'series',
    type: 'nominal' as const,
    title: null,
    scale: { domain: e.adaptation ? ['frozen ladder', 'as written (adaptation round 0)'] : ['ladder'], range: [COLOR.blue, COLOR.grey] },
    legend: { orient: 'top' },
  };
  return {
    description: `Acceptance of each neighbour pair over all ${e.sets} ladders${e.adaptation ? ' after the ladder froze' : ''}, bars ±1 standard error; dashed: the ${LOW_ACCEPTANCE} warning line.`,
    width: WIDTH,
    height: HEIGHT,
    config: FIGURE_CONFIG,
    data: { values: values.filter((v) => v.acceptance !== null) },
    layer: [
      { mark: { type: 'rule', strokeWidth: 2 }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color } },
      { mark: { type: 'line', point: true }, encoding: { x, y, color } },
      {
        data: { values: [{ level: LOW_ACCEPTANCE }] },
        mark: { type: 'rule', strokeDash: [6, 4], color: COLOR.vermillion },
        encoding: { y: { field: 'level', type: 'quantitative' } },
      },
      {
        data: { values: [{ level: LOW_ACCEPTANCE, label: `warning below ${LOW_ACCEPTANCE}` }] },
        mark: { type: 'text', align: 'right', baseline: 'bottom', dy: -2, x: 'width', fontSize: 10, color: COLOR.vermillion },
        encoding: { y: { field: 'level', type: 'quantitative' }, text: { field: 'label' } },
      },
    ],
  } as unknown as VegaLiteSpec;
}

/** The rung values against the rung index (log scale for a positive ladder); with adaptation, the ladder as written and each round's. */
function ladderPlot(d: ExchangeReportData): VegaLiteSpec {
  const e = d.exchange;
  const series: Array<{ name: string; values: number[] }> = e.adaptation
    ? [
        ...e.adaptation.history.map((h) => ({ name: h.round === 0 ? 'as written' : `adaptation round ${h.round}`, values: h.values })),
        { name: 'frozen', values: e.adaptation.final },
      ]
    : [{ name: 'ladder', values: e.rungs.map((r) => r.value) }];
  const values = series.flatMap((s) => s.values.map((v, k) => ({ rung: k, value: v, series: s.name })));
  const positive = values.every((v) => v.value > 0);
  return {
    description: `The value of ${e.key} at each rung${e.adaptation ? ': the ladder as written, after each adaptation round, and frozen' : ''}.`,
    width: WIDTH,
    height: HEIGHT,
    config: FIGURE_CONFIG,
    data: { values },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'rung', type: 'ordinal', title: 'rung', axis: { labelAngle: 0 } },
      y: {
        field: 'value',
        type: 'quantitative',
        title: keyLabel(e.key),
        ...quantScale(
          values.map((v) => v.value),
          positive,
        ),
      },
      color: { field: 'series', type: 'nominal', title: null, sort: series.map((s) => s.name), legend: { orient: 'top' } },
    },
  } as unknown as VegaLiteSpec;
}

/** The rung occupied by a few walkers of ladder 0 over the exchange rounds (walkers.csv). */
function flowPlot(d: ExchangeReportData): VegaLiteSpec | null {
  const t = d.walkers;
  if (!t || t.rows.length < 2) return null;
  const K = d.exchange.rungs.length;
  const chosen = [
    ...new Set(Array.from({ length: Math.min(FLOW_WALKERS, K) }, (_, i) => Math.round((i * (K - 1)) / Math.max(1, FLOW_WALKERS - 1)))),
  ];
  const roundCol = t.header.indexOf('round');
  const rows = t.rows.filter((r) => r.length > 1).slice(0, FLOW_ROUNDS + 1);
  const values = chosen.flatMap((w) => {
    const c = t.header.indexOf(`walker_${w}`);
    return c < 0 ? [] : rows.map((r) => ({ round: Number(r[roundCol]), rung: Number(r[c]), walker: `walker ${w}` }));
  });
  const frozen = d.exchange.adaptation ? d.exchange.adaptation.frozenAt / d.exchange.interval : null;
  const layer: unknown[] = [
    {
      mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.2 },
      encoding: {
        x: { field: 'round', type: 'quantitative', title: 'exchange round' },
        y: {
          field: 'rung',
          type: 'quantitative',
          title: 'rung',
          scale: { domain: [0, K - 1] },
          axis: { values: Array.from({ length: K }, (_, k) => k).filter((k) => K <= 12 || k % Math.ceil(K / 12) === 0 || k === K - 1) },
        },
        color: { field: 'walker', type: 'nominal', title: null, legend: { orient: 'top', symbolType: 'stroke' } },
      },
    },
  ];
  if (frozen !== null)
    layer.push({
      data: { values: [{ round: frozen }] },
      mark: { type: 'rule', strokeDash: [4, 3], color: COLOR.grey },
      encoding: { x: { field: 'round', type: 'quantitative' } },
    });
  return {
    description:
      `The rung occupied by ${chosen.length} of the ${K} walkers of ladder 0 after each exchange round (walker w starts at rung w)` +
      (t.rows.length > FLOW_ROUNDS + 1 ? `, the first ${FLOW_ROUNDS} rounds` : '') +
      (frozen !== null ? `; dashed: the ladder froze after round ${frozen}` : '') +
      '. A walker that travels from rung 0 to the last rung and back completes a round trip.',
    width: WIDTH,
    height: HEIGHT,
    config: FIGURE_CONFIG,
    data: { values },
    layer,
  } as unknown as VegaLiteSpec;
}

/** Acceptance of each pair in each adaptation round. */
function adaptationPlot(d: ExchangeReportData): VegaLiteSpec | null {
  const a = d.exchange.adaptation;
  if (!a) return null;
  const values = a.history.flatMap((h) =>
    h.pairs.map((p) => ({ pair: `${p.rungs[0]}–${p.rungs[1]}`, acceptance: p.acceptance, round: `round ${h.round}` })),
  );
  values.push(...d.exchange.pairs.map((p) => ({ pair: `${p.rungs[0]}–${p.rungs[1]}`, acceptance: p.acceptance, round: 'frozen' })));
  return {
    description:
      'Pooled acceptance of each neighbour pair in each adaptation round (on the ladder that round ran on) and after the ladder froze.',
    width: WIDTH,
    height: HEIGHT,
    config: FIGURE_CONFIG,
    data: { values: values.filter((v) => v.acceptance !== null) },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'pair', type: 'ordinal', title: 'neighbour pair (rungs)', sort: null, axis: { labelAngle: 0 } },
      y: { field: 'acceptance', type: 'quantitative', title: 'swap acceptance', scale: { domain: [0, 1] } },
      color: {
        field: 'round',
        type: 'nominal',
        title: null,
        sort: [...a.history.map((h) => `round ${h.round}`), 'frozen'],
        legend: { orient: 'top' },
      },
    },
  } as unknown as VegaLiteSpec;
}

/** The rung table: value, θ, acceptance to the next rung, headline observables, divergence, link to the rung's report. */
function rungTable(d: ExchangeReportData): string {
  const e = d.exchange;
  const observables = [...new Set(d.summaries.flatMap((s) => Object.keys(s?.observables ?? {})))];
  const head = ['rung', e.key, 'θ', 'acceptance to next (± SE)', ...observables.map((o) => `${o} mean ± sem`), 'diverged', 'report'];
  const rows = e.rungs.map((r, k) => {
    const s = d.summaries[k];
    const p = e.pairs[k];
    const cells = [
      String(r.index),
      num(r.value, 5),
      num(r.temperature, 5),
      p ? `${num(p.acceptance)} ± ${num(p.acceptanceSe, 2)}` : '',
      ...observables.map((o) => {
        const fin = s?.observables?.[o]?.final;
        return fin ? `${num(fin.mean)} ± ${num(fin.sem, 2)}` : '—';
      }),
      s ? String(s.divergence?.count ?? 0) : '—',
    ].map((c) => `<td>${esc(c)}</td>`);
    const link = existsSync(join(d.dir, r.dir, REPORT_FILE))
      ? `<a href="${esc(`${r.dir}/${REPORT_FILE}`)}">${esc(`${r.dir}/${REPORT_FILE}`)}</a>`
      : esc(`${r.dir}/ (no report.html)`);
    return `<tr>${cells.join('')}<td>${link}</td></tr>`;
  });
  return `<div class="scroll"><table><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

async function figure(spec: VegaLiteSpec | null, kind: string, n: number): Promise<string> {
  if (!spec) return '';
  const desc = (spec as { description?: string }).description;
  try {
    const svg = await renderSvg(spec, `f${n}-`);
    return `<figure class="plot" data-kind="${esc(kind)}" id="figure-${n}">${svg}${desc ? `<figcaption>${esc(desc)}</figcaption>` : ''}</figure>`;
  } catch (err) {
    return `<p class="error">figure '${esc(kind)}' failed to render: ${esc((err as Error).message)}</p>`;
  }
}

/** The report page of an exchange directory. */
export async function buildExchangeReportHtml(d: ExchangeReportData): Promise<string> {
  const e = d.exchange;
  const first = d.summaries.find((s): s is Summary => s !== null) ?? null;
  const items: Array<[string, string | number]> = [
    ['ladder', `${e.rungs.length} rungs of ${e.key}`],
    ['ladders (ensemble.replicas)', e.sets],
    ['scheme', e.scheme],
    ['interval', `${e.interval} steps`],
    ['exchange rounds', e.adaptation ? `${e.rounds} after the ladder froze (step ${e.adaptation.frozenAt})` : e.rounds],
  ];
  if (first)
    items.push(
      ['steps', first.run.steps],
      ['integrator', first.run.integrator],
      ['η', runSetting(first.run, 'lr')],
      ['seed', first.run.seed],
    );
  const rt = e.roundTrips;
  const out: string[] = [];
  if (e.status === 'interrupted')
    out.push(
      `<p class="warning">status: interrupted — every count on this page is over the ${e.sets} ladders that finished; missing ladders: ${esc(
        (e.missing ?? []).map((g) => `${g.first}…${g.first + g.count - 1}`).join(', '),
      )}</p>`,
    );
  if (e.warnings.length) out.push(...e.warnings.map((w) => `<p class="warning">${esc(w)}</p>`));
  out.push('<h2>Rungs</h2>', rungTable(d));
  out.push(
    `<h2>Neighbour pairs${e.adaptation ? ' (after the ladder froze)' : ''}</h2>`,
    table(
      ['pair', 'values', 'accepted', 'attempted', 'acceptance', '± SE'],
      e.pairs.map((p) => [
        `${p.rungs[0]}–${p.rungs[1]}`,
        `${num(p.values[0], 5)} → ${num(p.values[1], 5)}`,
        p.accepted,
        p.attempted,
        num(p.acceptance),
        num(p.acceptanceSe, 2),
      ]),
    ),
    '<h2>Round trips</h2>',
    table(['round trips', 'mean duration (rounds)', 'per ladder per round'], [[rt.count, num(rt.meanRounds), num(rt.perSetPerRound)]]),
    '<p class="caption">A round trip is a walker’s passage from rung 0 to the last rung and back, counted over all walkers of all ladders' +
      (e.adaptation ? ' after the ladder froze' : '') +
      '.</p>',
  );
  if (e.adaptation) {
    const a = e.adaptation;
    out.push(
      `<h2>Ladder adaptation</h2><p class="caption">${a.rounds} rounds in ${esc(a.space)} space, round r lasting ${a.steps}·2^r steps; frozen after step ${a.frozenAt}. Each round's pooled acceptances placed the next ladder.</p>`,
      table(
        ['round', 'steps', 'ladder', 'acceptance per pair'],
        [
          ...a.history.map((h) => [
            h.round,
            `${h.steps[0]}–${h.steps[1]}`,
            h.values.map((v) => num(v, 4)).join(', '),
            h.pairs.map((p) => num(p.acceptance, 3)).join(', '),
          ]),
          ['frozen', `${a.frozenAt}–`, a.final.map((v) => num(v, 4)).join(', '), e.pairs.map((p) => num(p.acceptance, 3)).join(', ')],
        ],
      ),
    );
  }
  const specs: Array<[VegaLiteSpec | null, string]> = [
    [acceptancePlot(d), 'exchange-acceptance'],
    [ladderPlot(d), 'exchange-ladder'],
    [adaptationPlot(d), 'exchange-adaptation'],
    [flowPlot(d), 'exchange-walkers'],
  ];
  const figs: string[] = [];
  for (let i = 0; i < specs.length; i++) figs.push(await figure(specs[i][0], specs[i][1], i + 1));
  const shown = figs.filter((x) => x !== '');
  const version = first?.stochdyn?.version;
  const description = first?.scenario.description;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(e.name)} — exchange · stochdyn report</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${esc(e.name)} — replica exchange</h1>
${description ? `<p class="desc">${esc(description)}</p>` : ''}${facts(items)}
</header>
<main>
${out.join('\n')}
<h2>Plots</h2>
${shown.join('\n')}
</main>
<footer>stochdyn${version ? ` ${esc(version)}` : ''} · exchange directory · figures rendered with Vega-Lite as inline SVG</footer>
</body>
</html>
`;
}

/** Write `<dir>/report.html` of an exchange directory (after each rung's own rungs/<k>/report.html) and return its path. */
export async function writeExchangeReport(dirArg: string): Promise<string> {
  const d0 = loadExchangeDirectory(dirArg);
  for (const r of d0.exchange.rungs) if (existsSync(join(d0.dir, r.dir, 'summary.json'))) await writeReport(join(d0.dir, r.dir));
  const html = await buildExchangeReportHtml(d0);
  const file = join(d0.dir, REPORT_FILE);
  writeAtomic(file, html);
  return file;
}

/** `report.html` for any result directory: an exchange directory (with its rungs), or a run, sweep or regimes directory. */
export function writeDirectoryReport(dir: string): Promise<string> {
  return isExchangeDirectory(dir) ? writeExchangeReport(dir) : writeReport(dir);
}
