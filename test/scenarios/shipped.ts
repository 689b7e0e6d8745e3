/**
 * Shared by the tests that run shipped scenarios at reduced size: sweep a file
 * of scenarios/<picture>/ with `--set`-style overrides, and the mean of a
 * per-replica quantity with its standard error. Not a test file.
 */
import { expect } from 'vitest';
import * as path from 'node:path';
import { loadScenario } from '../../src/scenario/index.js';
import { runSweep } from '../../src/runs/sweep.js';
import { ROOT } from '../helpers.js';

/** scenarios/<picture>/<name> with `set` overrides, swept into `out` on two workers; `out` once complete. */
export async function sweepShipped(picture: string, name: string, set: string[], out: string): Promise<string> {
  const s = await loadScenario(path.join(ROOT, 'scenarios', picture, name), { set });
  const r = await runSweep(s, { out, workers: 2, quiet: true });
  expect(r.complete).toBe(true);
  return out;
}

/** Mean and standard error of the mean (sample sd / √n). */
export function meanSe(v: number[]): { m: number; se: number } {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1));
  return { m, se: sd / Math.sqrt(v.length) };
}
