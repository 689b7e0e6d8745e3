/**
 * Run every regime of a scenario and compare them with the first (the
 * baseline). Writes `<dir>/regimes.json`, `<dir>/regimes/<name>/` (each a
 * normal run directory) and `<dir>/comparison.json`.
 *
 * Common random numbers: every regime runs with the same seed and the same
 * run index 0, so replica r of every regime draws from the same stream
 * (seed, 0, r) — the same initial ensemble and the same Langevin noise
 * sequence ξ (scaled by each regime's own sqrt(2ηθ)). Differences between
 * regimes then come from the dynamics, not from sampling.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expandRegimes } from '../scenario/index.js';
import type { Scenario } from '../scenario/types.js';
import type { Comparison } from '../analysis/compare.js';
import { compareRegimesDir } from '../results/compare.js';
import { OutputError, runScenario, type RunOutput } from './run.js';
import { writeJson } from '../results/write.js';

export const REGIMES_SCHEMA = 'stochdyn.regimes/1';

export interface RunRegimesOptions {
  /** Output directory; default `<outputRoot>/<name>/regimes-<run-id>`. */
  out?: string;
  /** Root of default output directories (default `output`). */
  outputRoot?: string;
  workers?: number;
  /** Progress over all regimes, in replica-steps. */
  onProgress?: (done: number, total: number) => void;
  /** Called when a regime starts (index, name, count). */
  onRegime?: (index: number, name: string, count: number) => void;
  /** Stop (SIGINT/SIGTERM): the running regime writes its partial summary, then RegimesInterrupted is thrown. */
  signal?: AbortSignal;
}

export interface RegimesOutput {
  dir: string;
  regimes: Array<{ name: string; overrides: Record<string, unknown>; dir: string; run: RunOutput }>;
  comparison: Comparison;
}

/** Whether a scenario has regimes to run. */
export function hasRegimes(s: Scenario): boolean {
  return !!s.regimes && Object.keys(s.regimes).length > 0;
}

function regimesRunId(s: Scenario, when: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `regimes-${when.getUTCFullYear()}${p(when.getUTCMonth() + 1)}${p(when.getUTCDate())}-${p(when.getUTCHours())}${p(when.getUTCMinutes())}${p(when.getUTCSeconds())}-seed${s.seed}`;
}

export const COMMON_RANDOM_NUMBERS_TEXT =
  'Every regime runs with the same seed and run index 0: replica r draws from the stream keyed (seed, 0, r) in every regime — the same initial ensemble and the same sequence of Langevin noise (each regime scales it by its own sqrt(2ηθ); gd draws none).';

/** Run every regime (the first is the baseline) and write the regimes directory. */
/** SIGINT/SIGTERM stopped a regimes run: the regimes run so far are written (the last one marked interrupted); no comparison.json. */
export class RegimesInterrupted extends Error {
  override readonly name = 'RegimesInterrupted';
  constructor(
    readonly dir: string,
    readonly done: string[],
    readonly total: number,
  ) {
    super(`interrupted after ${done.length} of ${total} regimes (${done.join(', ')}); written to ${dir}; no comparison.json`);
  }
}

export async function runRegimes(s: Scenario, o: RunRegimesOptions = {}): Promise<RegimesOutput> {
  const variants = expandRegimes(s);
  let dir = o.out ? resolve(o.out) : resolve(o.outputRoot ?? 'output', s.name, regimesRunId(s, new Date()));
  if (!o.out) {
    const base = dir;
    for (let k = 2; existsSync(dir); k++) dir = `${base}-${k}`;
  }
  const totals = variants.map((v) => v.scenario.ensemble.replicas * v.scenario.dynamics.steps);
  const grand = totals.reduce((a, b) => a + b, 0);
  const meta = {
    schema: REGIMES_SCHEMA,
    scenario: s.name,
    source: s.source,
    seed: s.seed,
    run: 0,
    baseline: variants[0]?.name ?? null,
    commonRandomNumbers: COMMON_RANDOM_NUMBERS_TEXT,
    regimes: variants.map((v) => ({ name: v.name, overrides: v.overrides, dir: `regimes/${v.name}` })),
  };
  try {
    writeJson(join(dir, 'regimes.json'), meta);
  } catch (e) {
    throw new OutputError(
      `cannot write to the regimes directory ${dir} (${(e as Error).message}); nothing was run — choose another --out`,
      dir,
    );
  }
  const regimes: RegimesOutput['regimes'] = [];
  let before = 0;
  for (let i = 0; i < variants.length; i++) {
    const v = variants[i]!;
    o.onRegime?.(i, v.name, variants.length);
    const rdir = join(dir, 'regimes', v.name);
    const run = await runScenario(v.scenario, {
      out: rdir,
      workers: o.workers,
      run: 0,
      signal: o.signal,
      onProgress: (d) => o.onProgress?.(before + d, grand),
    });
    before += totals[i]!;
    regimes.push({ name: v.name, overrides: v.overrides, dir: rdir, run });
    // Interrupted: this regime's directory holds its partial summary; no comparison of unequal runs.
    if (o.signal?.aborted)
      throw new RegimesInterrupted(
        dir,
        regimes.map((r) => `${r.name} (${r.run.summary.run.status})`),
        variants.length,
      );
  }
  const comparison = compareRegimesDir(dir);
  writeJson(join(dir, 'comparison.json'), comparison);
  return { dir, regimes, comparison };
}
