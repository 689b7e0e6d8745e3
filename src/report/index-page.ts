/**
 * index.html: one page listing every result directory under a folder (the
 * catalog of src/results/catalog.ts), newest first — a link to each
 * directory's report.html (else its main result file), its kind, scenario,
 * start time and seed, status, replicas, steps, wall time and headline
 * numbers. Self-contained like the reports (the same style, no fonts, images
 * or URLs); a few lines of inline script add a filter box and sortable
 * columns, and the table reads the same without them. Written atomically.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { scanResults, type CatalogEntry } from '../results/catalog.js';
import { writeAtomic } from '../results/write.js';
import { packageVersion } from '../runs/run.js';
import { writeDirectoryReport } from './exchange.js';
import { CSS, esc, facts } from './html.js';

export const INDEX_FILE = 'index.html';

const INDEX_CSS = `
body { max-width: none; }
table.index td, table.index th { text-align: left; vertical-align: top; } table.index .n { text-align: right; } table.index .nowrap { white-space: nowrap; }
table.index th { cursor: pointer; user-select: none; white-space: nowrap; }
table.index th[data-dir="asc"]::after { content: " ▲"; } table.index th[data-dir="desc"]::after { content: " ▼"; }
table.index ul { margin: 0; padding-left: 16px; } table.index li { margin: 0; }
.status-complete { color: #1a7f37; } .status-incomplete { color: #a35200; } .status-unreadable { color: #b00; }
.detail { color: #555; font-size: 12px; }
input.filter { font: inherit; padding: 3px 6px; width: 320px; margin: 4px 0 8px; }
`;

/** Filter rows by every whitespace-separated term; sort by a column's data-v on a header click (numbers numerically, empty cells last). */
const SCRIPT = `
(function () {
  var input = document.getElementById('filter'), body = document.querySelector('table.index tbody');
  var rows = Array.prototype.slice.call(body.rows);
  input.addEventListener('input', function () {
    var terms = input.value.toLowerCase().split(/\\s+/).filter(Boolean);
    rows.forEach(function (r) { var t = r.textContent.toLowerCase(); r.hidden = !terms.every(function (w) { return t.indexOf(w) >= 0; }); });
  });
  document.querySelectorAll('table.index th').forEach(function (th, k) {
    th.addEventListener('click', function () {
      var dir = th.getAttribute('data-dir') === 'asc' ? -1 : 1;
      th.setAttribute('data-dir', dir === 1 ? 'asc' : 'desc');
      var key = function (r) { var v = r.cells[k].getAttribute('data-v') || ''; var x = parseFloat(v); return v === '' ? null : isFinite(x) && String(x) === v ? x : v; };
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
        if (typeof x !== typeof y) return typeof x === 'number' ? -dir : dir;
        return x < y ? -dir : x > y ? dir : 0;
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
})();
`;

/** A relative link: each path segment percent-encoded. */
const href = (entry: CatalogEntry): string | null =>
  entry.link === null
    ? null
    : (entry.path === '.' ? [entry.link] : [...entry.path.split('/'), entry.link]).map((part) => encodeURIComponent(part)).join('/');

const when = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/(\.\d+)?Z$/, '') : '—');
const seconds = (v: number | null) =>
  v === null ? '—' : v < 100 ? `${Number(v.toPrecision(3))} s` : v < 7200 ? `${(v / 60).toFixed(1)} min` : `${(v / 3600).toFixed(1)} h`;
const cell = (content: string, sortValue: string | number | null, className = '') =>
  `<td${className ? ` class="${className}"` : ''} data-v="${esc(sortValue ?? '')}">${content}</td>`;

function row(e: CatalogEntry): string {
  const link = href(e);
  const name = link
    ? `<a href="${esc(link)}">${esc(e.path)}</a>${e.hasReport ? '' : ` <span class="detail">(${esc(e.link)})</span>`}`
    : esc(e.path);
  const status = `<span class="status-${e.status}">${esc(e.status)}</span>${e.detail ? `<div class="detail">${esc(e.detail)}</div>` : ''}`;
  const headlines = e.headlines.filter((h) => h !== e.detail);
  return `<tr>${[
    cell(name, e.path),
    cell(esc(e.kind), e.kind),
    cell(esc(e.scenario ?? '—'), e.scenario, 'nowrap'),
    cell(`${esc(when(e.started))}${e.seed !== null ? `<div class="detail">seed ${esc(e.seed)}</div>` : ''}`, e.started, 'nowrap'),
    cell(status, e.status),
    cell(esc(e.replicas ?? '—'), e.replicas, 'n'),
    cell(esc(e.steps ?? '—'), e.steps, 'n'),
    cell(esc(seconds(e.wallSeconds)), e.wallSeconds, 'n nowrap'),
    cell(headlines.length ? `<ul>${headlines.map((h) => `<li>${esc(h)}</li>`).join('')}</ul>` : '', e.headline),
  ].join('')}</tr>`;
}

/** The index page of a catalog; `title` names the folder. */
export function buildIndexHtml(title: string, entries: CatalogEntry[]): string {
  const count = (s: CatalogEntry['status']) => entries.filter((e) => e.status === s).length;
  const head = ['directory', 'kind', 'scenario', 'started (UTC) · seed', 'status', 'replicas', 'steps', 'wall time', 'headline'];
  const numeric = new Set(['replicas', 'steps', 'wall time']);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)} · stochdyn index</title>
<style>${CSS}${INDEX_CSS}</style>
</head>
<body>
<header>
<h1>${esc(title)}</h1>
<p class="desc">Every result directory in this folder, newest first. Each link opens the directory's report (or, without one, its main result file).</p>
${facts([
  ['directories', entries.length],
  ['complete', count('complete')],
  ['incomplete', count('incomplete')],
  ['unreadable', count('unreadable')],
])}
</header>
<main>
<input id="filter" class="filter" type="search" placeholder="filter: words that must all appear in a row" aria-label="filter the rows">
<div class="scroll"><table class="index"><thead><tr>${head.map((h) => `<th${numeric.has(h) ? ' class="n"' : ''} title="sort by ${esc(h)}">${esc(h)}</th>`).join('')}</tr></thead>
<tbody>
${entries.map(row).join('\n')}
</tbody></table></div>
</main>
<footer>stochdyn ${esc(packageVersion())} · index of ${entries.length} result director${entries.length === 1 ? 'y' : 'ies'} · the links are relative: the folder can be moved or copied whole</footer>
<script>${SCRIPT}</script>
</body>
</html>
`;
}

export interface IndexOptions {
  /** (Re)write each listed directory's report.html first (runs, sweeps, regimes and exchange directories that have results). */
  reports?: boolean;
  /** Writes one directory's report and returns its path (default: the static report, writeDirectoryReport). */
  writeReport?: (dir: string) => Promise<string>;
  /** Called after each report written with --reports, or with the error that stopped it. */
  onReport?: (entry: CatalogEntry, outcome: { file: string } | { error: Error }) => void;
}

/** Whether a report.html can be written into the directory of this entry (it has results of its own). */
const REPORT_NEEDS: Partial<Record<CatalogEntry['kind'], string[]>> = {
  run: ['summary.json'],
  exchange: ['exchange.json'],
  sweep: ['sweep.json', 'sweep.csv'],
  regimes: ['regimes.json', 'regimes'],
};
const reportable = (e: CatalogEntry) => e.status !== 'unreadable' && (REPORT_NEEDS[e.kind] ?? []).some((f) => existsSync(join(e.dir, f)));

/**
 * Write `<root>/index.html` listing every result directory under `root` and
 * return its path and the entries (see {@link scanResults}, which throws
 * CatalogError when there is none). With `reports`, each directory's report
 * is written first; one that fails is passed to `onReport` and the rest go on.
 */
export async function writeIndex(root: string, options: IndexOptions = {}): Promise<{ file: string; entries: CatalogEntry[] }> {
  let entries = scanResults(root);
  if (options.reports) {
    for (const e of entries.filter(reportable)) {
      try {
        options.onReport?.(e, { file: await (options.writeReport ?? writeDirectoryReport)(e.dir) });
      } catch (err) {
        options.onReport?.(e, { error: err as Error });
      }
    }
    // The links now point at the new reports.
    entries = scanResults(root);
  }
  const file = join(resolve(root), INDEX_FILE);
  writeAtomic(file, buildIndexHtml(resolve(root), entries));
  return { file, entries };
}
