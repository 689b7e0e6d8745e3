/**
 * Debian's Chromium for the page tests (report, interactive report, index
 * page), driven by playwright-core: one launch recipe and one way to open a
 * file offline. Not a test file.
 *
 * The tests do not skip: without Chromium they fail with {@link MISSING}, which
 * says how to install it.
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export const MISSING =
  `Chromium is missing: ${CHROMIUM} does not exist. The report browser tests need Debian's chromium package — install it with\n` +
  `  apt-get update && apt-get install -y chromium\n(.ci/run does this before npm test; these tests fail rather than skip).`;

/** Headless Chromium without network side channels, or undefined when it is not installed (callers fail with MISSING). */
export async function launchChromium(): Promise<Browser | undefined> {
  if (!existsSync(CHROMIUM)) return undefined;
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface OpenedPage {
  page: Page;
  /** Console errors and uncaught page errors, in order. */
  errors: string[];
  /** Every URL the page requested (the file itself first). */
  requests: string[];
}

/**
 * Open `file` from a file:// URL with every other request refused (the page
 * must need neither the network nor other files), collecting console errors
 * and requests.
 */
export async function openOffline(
  browser: Browser | undefined,
  file: string,
  viewport = { width: 1200, height: 900 },
): Promise<OpenedPage> {
  if (!browser) throw new Error(MISSING);
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => requests.push(r.url()));
  const url = pathToFileURL(file).href;
  await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
  await page.goto(url, { waitUntil: 'load' });
  return { page, errors, requests };
}
