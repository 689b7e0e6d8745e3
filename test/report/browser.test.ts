/**
 * report.html in a real browser: Debian's Chromium (/usr/bin/chromium) driven
 * by playwright-core, opened from a file:// URL with the network cut off.
 * Every figure must render (an <svg> with a non-zero box and drawn marks),
 * the console must stay free of errors, and no request may leave the file.
 * Screenshots go to output/screenshots/ (git-ignored).
 *
 * This test does not skip: without Chromium it fails and says how to install it
 *   apt-get update && apt-get install -y chromium
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { writeReport } from '../../src/report/html.js';
import { loadReportContext } from '../../src/report/plots/index.js';
import { sweepMetrics } from '../../src/report/plots/sweep.js';
import { launchChromium, MISSING, openOffline } from './chromium.js';
import { freshDir, makeRegimes, makeRun, makeSweep } from './fixtures.js';
import { ROOT } from '../helpers.js';

const SHOTS = path.join(ROOT, 'output', 'screenshots');

let TMP: string;
let browser: Browser | undefined;

/** The launched browser, or a failure with the install instruction. */
function requireBrowser(): Browser {
  if (!browser) throw new Error(MISSING);
  return browser;
}

beforeAll(async () => {
  TMP = realpathSync(mkdtempSync(path.join(tmpdir(), 'stochdyn-report-browser-')));
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchChromium(); // undefined without Chromium: every test then fails with MISSING (requireBrowser)
});

afterAll(async () => {
  await browser?.close();
  if (TMP) rmSync(TMP, { recursive: true, force: true });
});

interface FigureCheck {
  kind: string;
  hasSvg: boolean;
  width: number;
  height: number;
  /** Drawn data marks (paths/lines/rects/symbols inside Vega's role-mark groups) with a non-empty box. */
  marks: number;
}

/** Open a report, check it and save a full-page screenshot; returns the per-figure checks. */
async function openReport(file: string, shot: string): Promise<{ figures: FigureCheck[]; errors: string[]; requests: string[] }> {
  const { page, errors, requests } = await openOffline(requireBrowser(), file);
  const figures = await page.$$eval('figure.plot', (figs) =>
    figs.map((fig) => {
      const svg = fig.querySelector('svg');
      const box = svg?.getBoundingClientRect();
      const marks = svg
        ? Array.from(svg.querySelectorAll('g.role-mark > *')).filter((el) => {
            const b = (el as unknown as { getBBox(): { width: number; height: number } }).getBBox();
            return b.width > 0 || b.height > 0;
          }).length
        : 0;
      return { kind: fig.getAttribute('data-kind') ?? '', hasSvg: !!svg, width: box?.width ?? 0, height: box?.height ?? 0, marks };
    }),
  );
  await page.screenshot({ path: path.join(SHOTS, shot), fullPage: true });
  await page.close();
  return { figures, errors, requests };
}

function expectAllRendered(
  r: { figures: FigureCheck[]; errors: string[]; requests: string[] },
  file: string,
  kinds: Record<string, number>,
) {
  expect(r.errors, 'no console errors').toEqual([]);
  expect(r.requests, 'the only request is the report file itself').toEqual([pathToFileURL(file).href]);
  const counted: Record<string, number> = {};
  for (const f of r.figures) counted[f.kind] = (counted[f.kind] ?? 0) + 1;
  expect(counted).toEqual(kinds);
  for (const [i, f] of r.figures.entries()) {
    expect(f.hasSvg, `figure ${i} (${f.kind}) has an svg`).toBe(true);
    expect(f.width * f.height, `figure ${i} (${f.kind}) has a non-zero box`).toBeGreaterThan(1000);
    expect(f.marks, `figure ${i} (${f.kind}) draws marks`).toBeGreaterThan(0);
  }
}

describe('report.html in Chromium', () => {
  it('a run report: every plot renders, no console errors, no requests; screenshot output/screenshots/report.png', async () => {
    requireBrowser();
    const run = await makeRun(path.join(TMP, 'run'), [], 1000);
    const file = await writeReport(run);
    const r = await openReport(file, 'report.png');
    expectAllRendered(r, file, { traces: 3, histograms: 1, survival: 1 });
    expect(existsSync(path.join(SHOTS, 'report.png'))).toBe(true);
  });

  it('a sweep report (metrics and phase diagram) and a regimes report render too', async () => {
    requireBrowser();
    const sweep = await makeSweep(freshDir(TMP, 'sweep'));
    const fs = await writeReport(sweep);
    const ctx = loadReportContext(sweep);
    const metrics = sweepMetrics(ctx.sweep!.table!, ctx.sweep!.keys).length;
    expect(metrics).toBeGreaterThan(3);
    expectAllRendered(await openReport(fs, 'report-sweep.png'), fs, { sweep: Math.min(12, metrics), 'phase-diagram': 1 });
    const regimes = await makeRegimes(freshDir(TMP, 'regimes'));
    const fr = await writeReport(regimes);
    expectAllRendered(await openReport(fr, 'report-regimes.png'), fr, { regimes: 4 });
  });
});
