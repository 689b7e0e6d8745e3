/**
 * examples/library.mjs runs as documented (docs/api.md): it imports 'stochdyn'
 * by name (the package resolves itself through its exports map), runs in
 * memory from any working directory without writing there, reports progress,
 * and its escape time agrees with the exact MFPT.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('examples/library.mjs', () => {
  it('runs in memory, reports progress, and its MFPT matches the exact one within 3σ', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'stochdyn-example-'));
    const { stdout, stderr } = await run(process.execPath, [resolve('examples/library.mjs')], { cwd });
    expect(readdirSync(cwd)).toEqual([]);
    expect(stdout).toContain('directory: none (in memory)');
    expect(stderr).toContain('progress 100%');
    const last = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      mfpt: number;
      ci95: [number, number];
      exact: number;
      entered: number;
      replicas: number;
    };
    expect(last.replicas).toBe(2000);
    expect(last.entered).toBeGreaterThan(1000);
    // σ of the censored exponential MLE from its 95% interval (±1.96σ, ≈ 2.5 % here); k = 3.
    // The exact MFPT is that of the continuous process: the O(η) bias of the discrete
    // steps and of checking the event once per step (η = 1e-3) must fit in that budget.
    const sigma = (last.ci95[1] - last.ci95[0]) / (2 * 1.96);
    expect(Math.abs(last.mfpt - last.exact)).toBeLessThan(3 * sigma);
  });
});
