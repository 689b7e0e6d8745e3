/**
 * Helpers shared by the test files: seeded random sources (streams of
 * src/random/rng.ts, the project's only generator family), temporary
 * directories, and running the compiled CLI as a child process.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededNormal, seededUniform } from '../src/random/rng.js';

/** The repository root. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The compiled CLI entry point (`npm run build` writes it). */
export const CLI_MAIN = join(ROOT, 'dist', 'src', 'cli', 'main.js');

/**
 * A seeded uniform (0, 1) source with 53 random bits for synthetic test data:
 * the stream of `seed` under the purpose 'test' (independent of every run's
 * replica streams for the same seed).
 */
export function uniformSource(seed: number): () => number {
  return seededUniform(seed, 'test');
}

/** A seeded standard-normal source (the engine's ziggurat) for synthetic test data. */
export function normalSource(seed: number): () => number {
  return seededNormal(seed, 'test');
}

/** Standard normals from a uniform source by Box–Muller (cos branch), for tests that share one uniform source. */
export function boxMuller(uniform: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

/** `count` draws of N(mean, sd²) from a uniform source by Box–Muller. */
export function normals(uniform: () => number, count: number, mean = 0, sd = 1): Float64Array {
  const gaussian = boxMuller(uniform);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = mean + sd * gaussian();
  return out;
}

/** A fresh temporary directory `<tmp>/stochdyn-<label>-XXXXXX`. */
export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `stochdyn-${label}-`));
}

/** Options of {@link runCli}. */
export interface CliOptions {
  /** Working directory (default the repository root). */
  cwd?: string;
  /** Extra environment variables (on top of the current environment, with STOCHDYN_DEBUG cleared). */
  env?: Record<string, string>;
  /** Kill the child after this many milliseconds (default 120 000). */
  timeout?: number;
}

/** Run the compiled CLI with `args`, synchronously; stdout and stderr as text. */
export function runCli(args: readonly string[], options: CliOptions = {}): SpawnSyncReturns<string> {
  const env: Record<string, string | undefined> = { ...process.env, STOCHDYN_DEBUG: '', ...options.env };
  return spawnSync(process.execPath, [CLI_MAIN, ...args], { cwd: options.cwd ?? ROOT, env, encoding: 'utf8', timeout: options.timeout ?? 120_000 });
}
