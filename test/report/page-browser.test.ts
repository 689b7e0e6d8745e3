/**
 * The interactive report page in a real browser: Debian's Chromium driven by
 * playwright-core (as test/report/browser.test.ts), opened from a file:// URL
 * with every other request refused. The contents navigate to a figure, a
 * click on a legend entry dims that series' marks and a second click restores
 * them, hovering a point shows its data, the wheel zooms, and the console
 * stays free of errors. The screenshot goes to the test's temporary folder.
 *
 * This test does not skip: without Chromium it fails and says how to install it
 *   apt-get update && apt-get install -y chromium
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, realpathSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { writeReport } from '../../src/report/html.js';
import { launchChromium, openOffline, type OpenedPage } from './chromium.js';
import { makeRun } from './fixtures.js';
import { tempDir } from '../helpers.js';

let TMP: string;
let FILE: string;
let browser: Browser | undefined;

beforeAll(async () => {
  TMP = realpathSync(tempDir('page-browser'));
  const run = await makeRun(path.join(TMP, 'run'), ['dynamics.steps=600'], 120);
  FILE = await writeReport(run, { interactive: true });
  browser = await launchChromium(); // undefined without Chromium: open() then fails with the install instruction
});

afterAll(async () => {
  await browser?.close();
  if (TMP) rmSync(TMP, { recursive: true, force: true });
});

const open = (file: string): Promise<OpenedPage> => openOffline(browser, file, { width: 1200, height: 800 });

/**
 * The page's globals as the callbacks read them inside the browser (the tests
 * are type-checked without the DOM library): the Vega views the runtime
 * exposes, the scroll position, the location and the tooltip element.
 */
interface PageGlobals {
  stochdynViews?: Record<string, { signal(name: string): unknown[]; scale(name: string): { domain(): number[] } }>;
  scrollY: number;
  location: { hash: string };
  document: { querySelector(selector: string): { style: { display: string } } | null };
}

/** The opacity attribute of each data mark (line, area) of a figure, by the mark group's class. */
const markOpacities = (page: Page, figure: string) =>
  page.$$eval(`#${figure} .live g.role-mark:is(.mark-line, .mark-area) > path`, (els) =>
    els.map((e) => `${e.parentElement!.getAttribute('class')}=${e.getAttribute('opacity') ?? '1'}`),
  );

describe('the interactive report in Chromium', () => {
  it('draws every figure live, navigates from the contents, toggles a series from the legend, shows tooltips and zooms', async () => {
    const { page, errors, requests } = await open(FILE);
    try {
      const figures = await page.$$eval('figure.plot', (xs) => xs.map((x) => x.id));
      expect(figures.length).toBe(5);
      await page.waitForFunction(
        (n) => Object.keys((globalThis as unknown as PageGlobals).stochdynViews ?? {}).length === n,
        figures.length,
      );
      // Every figure was drawn by the runtime in place of its static SVG.
      const live = await page.$$eval('figure.plot', (xs) =>
        xs.map((x) => x.classList.contains('interactive') && !!x.querySelector(':scope > .live > svg')),
      );
      expect(live).toEqual(figures.map(() => true));

      // The contents: a click on a figure's entry moves to it.
      expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).scrollY)).toBe(0);
      await page.click('nav.toc a[href="#figure-histograms-x-final"]');
      await page.waitForFunction(() => (globalThis as unknown as PageGlobals).location.hash === '#figure-histograms-x-final');
      expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).scrollY)).toBeGreaterThan(0);
      const top = await page.$eval('#figure-histograms-x-final', (e) => e.getBoundingClientRect().top);
      expect(Math.abs(top)).toBeLessThan(40);

      // The legend: clicking "median" dims the median line; clicking again restores it.
      const fig = 'figure-traces-x';
      await page.$eval(`#${fig}`, (e) => e.scrollIntoView());
      const before = await markOpacities(page, fig);
      expect(before.length).toBeGreaterThanOrEqual(4);
      const median = page.locator(`#${fig} .live g.role-legend-label text`, { hasText: /^median$/ });
      await median.click();
      await page.waitForFunction((f) => (globalThis as unknown as PageGlobals).stochdynViews![f].signal('legend_hidden').length === 1, fig);
      const after = await markOpacities(page, fig);
      const changed = after.filter((x, i) => x !== before[i]);
      expect(changed).toHaveLength(1);
      expect(changed[0]).toMatch(/mark-line.*=0\.08$/);
      await median.click();
      await page.waitForFunction((f) => (globalThis as unknown as PageGlobals).stochdynViews![f].signal('legend_hidden').length === 0, fig);
      expect(await markOpacities(page, fig)).toEqual(before);

      // A tooltip with the data row under a hover point.
      const point = (await page.$$(`#${fig} .live g.mark-symbol.role-mark > path`))[5];
      const box = (await point.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelector('.vg-tip')?.style.display === 'block');
      expect(await page.$eval('.vg-tip', (e) => e.textContent)).toMatch(/^t[\d.e-]+q05/);

      // The wheel zooms the x scale.
      const domain = () => page.evaluate((f) => (globalThis as unknown as PageGlobals).stochdynViews![f].scale('x').domain(), fig);
      const d0 = await domain();
      const svg = (await page.$(`#${fig} .live svg`))!;
      const sb = (await svg.boundingBox())!;
      await page.mouse.move(sb.x + sb.width / 2, sb.y + sb.height / 2);
      await page.mouse.wheel(0, -300);
      await page.waitForFunction(([f, w]) => (globalThis as unknown as PageGlobals).stochdynViews![f].scale('x').domain()[1] < w, [
        fig,
        d0[1],
      ] as const);
      const d1 = await domain();
      expect(d1[1] - d1[0]).toBeLessThan(d0[1] - d0[0]);

      const shot = path.join(TMP, 'interactive.png');
      await page.screenshot({ path: shot, fullPage: true });
      const png = readFileSync(shot);
      expect(png.length).toBeGreaterThan(10_000);
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');

      expect(errors, 'no console errors').toEqual([]);
      expect(requests, 'the only request is the report file itself').toEqual([pathToFileURL(FILE).href]);
    } finally {
      await page.close();
    }
  });

  it('the sections collapse and expand (<details>: no script involved); the scenario starts collapsed', async () => {
    const { page, errors } = await open(FILE);
    try {
      const visible = () => page.isVisible('#section-final-observables table');
      expect(await visible()).toBe(true);
      await page.click('#section-final-observables > summary');
      expect(await visible()).toBe(false);
      await page.click('#section-final-observables > summary');
      expect(await visible()).toBe(true);
      expect(await page.isVisible('#scenario pre')).toBe(false); // the scenario starts closed
      await page.click('#scenario > summary');
      expect(await page.textContent('#scenario pre')).toContain('name: cli-double-well');
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
