/**
 * `stochdyn report <folder>` on a folder of result directories writes
 * index.html (src/report/index-page.ts): one row per directory with a
 * relative link to its report.html (else its main result file) and its
 * headline numbers, read back here from each directory's own files; the page
 * refers to nothing outside itself. `--reports` writes the directories'
 * reports first. A folder without result directories, and an unfinished
 * result directory, are errors with exit code 2.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from '../helpers.js';
import { launchChromium, openOffline } from './chromium.js';
import { fmt3, makeResultTree, readJson, TREE } from './result-tree.js';

let ROOT: string;
let html: string;
/** The table row of one directory. */
const rowOf = (p: string) => {
  const row = html.split('<tr>').find((r) => r.startsWith(`<td data-v="${p}">`));
  expect(row, `a row for ${p}`).toBeDefined();
  return row!;
};

beforeAll(async () => {
  ROOT = await makeResultTree(join(tempDir('index-page'), 'output'));
  const r = runCli(['report', ROOT]);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toBe(`${join(ROOT, 'index.html')}\n`);
  html = readFileSync(join(ROOT, 'index.html'), 'utf8');
});

describe('index.html', () => {
  it('links every directory to its report.html, or without one to its main result file', () => {
    for (const p of [TREE.run, TREE.interrupted, TREE.sweep, TREE.regimes, TREE.exchange])
      expect(rowOf(p)).toContain(`<a href="${p}/report.html">${p}</a>`);
    expect(rowOf(TREE.partialSweep)).toContain(`<a href="${TREE.partialSweep}/sweep.json">`);
    expect(rowOf(TREE.unfinished)).toContain(`<a href="${TREE.unfinished}/scenario.resolved.json">`);
    expect(rowOf(TREE.unfinishedExchange)).toContain(`<a href="${TREE.unfinishedExchange}/scenario.resolved.json">`);
    expect(rowOf(TREE.shard)).toContain(`<a href="${TREE.shard}/shard.json">`);
    expect(html.match(/<tr><td data-v=/g)).toHaveLength(Object.keys(TREE).length);
  });

  it('shows the headline numbers of each directory', () => {
    const s = readJson(join(ROOT, TREE.run, 'summary.json'));
    const e = s.events.escape;
    const run = rowOf(TREE.run);
    expect(run).toContain(
      `<li>escape MFPT ${fmt3(e.mfpt.time)} [${fmt3(e.mfpt.ci95Time[0])}, ${fmt3(e.mfpt.ci95Time[1])}] (${e.entered}/100 entered)</li>`,
    );
    expect(run).toContain(`first passage &#39;escape&#39;: ${e.entered}/100 entered`);
    expect(run).toContain('<span class="status-complete">complete</span>');
    expect(run).toContain(`seed ${s.run.seed}`);
    expect(rowOf(TREE.sweep)).toContain('<li>3/3 points</li><li>dynamics.temperature 0.3…1.2 (3)</li><li>phases ');
    const arrhenius = readJson(join(ROOT, TREE.sweep, 'analyses.json')).analyses[0];
    expect(rowOf(TREE.sweep)).toContain(`<li>${arrhenius.text.split('\n')[0].replace(/'/g, '&#39;')}</li>`);
    const c = readJson(join(ROOT, TREE.regimes, 'comparison.json'));
    const rows = c.rows as Array<{ differs: boolean | null }>;
    expect(rowOf(TREE.regimes)).toContain(
      `<li>hot vs cold: ${rows.filter((r) => r.differs === true).length} of ${rows.filter((r) => r.differs !== null).length} differ`,
    );
    const x = readJson(join(ROOT, TREE.exchange, 'exchange.json'));
    expect(rowOf(TREE.exchange)).toContain(`<li>${x.roundTrips.count} round trips</li>`);
  });

  it('lists unfinished and unreadable directories with the reason', () => {
    expect(rowOf(TREE.interrupted)).toContain('<div class="detail">interrupted: results of 50 of 100 replicas</div>');
    expect(rowOf(TREE.partialSweep)).toContain('1 of 3 points not done');
    expect(rowOf(TREE.unfinished)).toMatch(
      /status-incomplete">incomplete<\/span><div class="detail">no summary\.json; resume checkpoint in partial\//,
    );
    expect(rowOf(TREE.corruptSweep)).toMatch(
      /status-unreadable">unreadable<\/span><div class="detail">points\/1\/summary\.json: not valid JSON \(/,
    );
    expect(rowOf(TREE.corrupt)).toMatch(/status-unreadable">unreadable<\/span><div class="detail">summary\.json: not valid JSON \(/);
  });

  it('is self-contained: no external references, the script inline', () => {
    expect(html.match(/https?:\/\//g)).toBeNull();
    expect(html.match(/<link|<img|<iframe|\bsrc=|@import|url\(/gi)).toBeNull();
    expect(html.match(/<script>/g)).toHaveLength(1);
  });

  it('in Chromium, offline: no errors, the filter box keeps the rows with every word, a heading sorts its column', async () => {
    // Debian's Chromium, as test/report/browser.test.ts uses it (that test says how to install it).
    const browser = await launchChromium();
    try {
      const { page, errors, requests } = await openOffline(browser, join(ROOT, 'index.html'));
      const url = pathToFileURL(join(ROOT, 'index.html')).href;
      const visible = () =>
        page.$$eval('table.index tbody tr', (rows) =>
          rows.filter((r) => !(r as unknown as { hidden: boolean }).hidden).map((r) => r.cells[0].getAttribute('data-v')),
        );
      await page.fill('#filter', 'unreadable');
      expect((await visible()).sort()).toEqual([TREE.corrupt, TREE.corruptSweep].sort());
      await page.fill('#filter', 'unreadable  tree-sweep');
      expect(await visible()).toEqual([TREE.corruptSweep]);
      await page.fill('#filter', 'INCOMPLETE cli-double-well');
      expect((await visible()).sort()).toEqual([TREE.interrupted, TREE.unfinished].sort());
      await page.fill('#filter', '');
      expect(await visible()).toHaveLength(Object.keys(TREE).length);
      // Steps sort as numbers (300 < 400 < 1500 < 3000; as text 1500 would come first), the unreadable rows' empty cells last; then the other way.
      const steps = () =>
        page.$$eval('table.index tbody tr', (rows) =>
          rows.map((r) => r.cells[6].getAttribute('data-v')).map((v) => (v ? Number(v) : null)),
        );
      await page.click('table.index th:nth-child(7)');
      const up = await steps();
      const known = up.filter((v): v is number => v !== null);
      const blanks = up.filter((v) => v === null);
      expect(blanks).toHaveLength(2); // the two unreadable directories
      expect(up).toEqual([...known.sort((a, b) => a - b), ...blanks]);
      expect(new Set(known)).toEqual(new Set([300, 400, 1500, 3000]));
      await page.click('table.index th:nth-child(7)');
      expect(await steps()).toEqual([...known.sort((a, b) => b - a), ...blanks]);
      expect(errors).toEqual([]);
      expect(requests).toEqual([url]);
    } finally {
      await browser?.close();
    }
  });

  it('--reports writes each directory its report first', () => {
    rmSync(join(ROOT, TREE.run, 'report.html'));
    const r = runCli(['report', ROOT, '--reports', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { index: string; directories: number; reports: string[]; failed: unknown[] };
    expect(out.directories).toBe(Object.keys(TREE).length);
    expect(out.failed).toEqual([]);
    expect(out.reports).toContain(join(ROOT, TREE.run, 'report.html'));
    expect(out.reports).toContain(join(ROOT, TREE.partialSweep, 'report.html'));
    for (const p of [TREE.unfinished, TREE.corrupt, TREE.corruptSweep, TREE.unfinishedExchange, TREE.shard])
      expect(out.reports.filter((f) => f.startsWith(join(ROOT, p) + '/'))).toEqual([]);
    expect(existsSync(join(ROOT, TREE.run, 'report.html'))).toBe(true);
    const again = readFileSync(out.index, 'utf8');
    expect(again).toContain(`<a href="${TREE.partialSweep}/report.html">`);
  });

  it('a folder without result directories, or an unfinished result directory, exits 2 and says why', () => {
    const empty = join(tempDir('index-empty'), 'nothing');
    mkdirSync(join(empty, 'sub'), { recursive: true });
    const none = runCli(['report', empty]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(
      /not a stochdyn result directory — .*or a folder holding such directories for its index\.html \(none within 6 levels\)/,
    );
    expect(existsSync(join(empty, 'index.html'))).toBe(false);
    const unfinished = runCli(['report', join(ROOT, TREE.unfinished)]);
    expect(unfinished.status).toBe(2);
    expect(unfinished.stderr).toContain('an unfinished run directory (no summary.json; resume checkpoint in partial/');
    const missing = runCli(['report', join(ROOT, 'no-such-folder')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no-such-folder: no such directory');
  });
});
