/**
 * Helpers shared by the test files: seeded random sources (streams of
 * src/random/rng.ts, the project's only generator family), temporary
 * directories, running the compiled CLI as a child process, and for the
 * potentials: random points from a potential's own initialiser, one batched
 * evaluation and a central-difference gradient check.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Stream, seededNormal, seededUniform } from '../src/random/rng.js';
import type { Minibatch, Potential } from '../src/engine/types.js';

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
  /** Kill the child after this many milliseconds (default: never; the suite's hang limit applies). */
  timeout?: number;
}

/** Run the compiled CLI with `args`, synchronously; stdout and stderr as text. */
export function runCli(args: readonly string[], options: CliOptions = {}): SpawnSyncReturns<string> {
  const env: Record<string, string | undefined> = { ...process.env, STOCHDYN_DEBUG: '', ...options.env };
  return spawnSync(process.execPath, [CLI_MAIN, ...args], { cwd: options.cwd ?? ROOT, env, encoding: 'utf8', timeout: options.timeout });
}

/** `count` replicas drawn by the potential's initialiser from Stream(seed), scaled by `scale`. */
export function randomPoint(p: Potential, count: number, seed: number, scale = 1): Float64Array {
  const st = new Stream(seed, 0, 0);
  const x = new Float64Array(count * p.dim);
  for (let r = 0; r < count; r++)
    p.initialise!(
      x,
      r * p.dim,
      () => st.normal(),
      () => st.uniform(),
    );
  if (scale !== 1) for (let j = 0; j < x.length; j++) x[j] *= scale;
  return x;
}

export function evalAt(p: Potential, x: Float64Array, count: number, batch?: Minibatch) {
  const E = new Float64Array(count);
  const G = new Float64Array(count * p.dim);
  p.energyAndGradient(x, count, E, G, batch);
  return { E, G };
}

/** Largest per-replica relative gap in energy and normwise in gradient between a at x and b at xb (default x). */
export function discrepancy(a: Potential, b: Potential, x: Float64Array, count: number, batch?: Minibatch, xb = x) {
  const A = evalAt(a, x, count, batch);
  const B = evalAt(b, xb, count, batch);
  let energy = 0;
  let gradient = 0;
  for (let r = 0; r < count; r++) {
    energy = Math.max(energy, Math.abs(A.E[r] - B.E[r]) / Math.abs(A.E[r]));
    let scale = 0;
    let diff = 0;
    for (let j = 0; j < a.dim; j++) {
      scale = Math.max(scale, Math.abs(A.G[r * a.dim + j]));
      diff = Math.max(diff, Math.abs(A.G[r * a.dim + j] - B.G[r * a.dim + j]));
    }
    gradient = Math.max(gradient, diff / scale);
  }
  return { energy, gradient, finite: A.E.every(Number.isFinite) && B.G.every(Number.isFinite) };
}

/** A minibatch of `size` indices per replica (with replacement) from a fixed stream. */
export function minibatch(count: number, size: number, dataSize: number, seed: number): Minibatch {
  const st = new Stream(seed, 0, 0);
  const indices = new Int32Array(count * size);
  for (let k = 0; k < indices.length; k++) indices[k] = st.int(dataSize);
  return { size, indices };
}

/** Max over coordinates and replicas of |g − central difference| / (1 + |g|), step h. */
export function finiteDifferenceError(p: Potential, x: Float64Array, count: number, h: number): number {
  const { G } = evalAt(p, x, count);
  const xp = x.slice();
  const Ep = new Float64Array(count);
  const Em = new Float64Array(count);
  const scratch = new Float64Array(count * p.dim);
  let worst = 0;
  for (let j = 0; j < p.dim; j++) {
    for (let r = 0; r < count; r++) xp[r * p.dim + j] = x[r * p.dim + j] + h;
    p.energyAndGradient(xp, count, Ep, scratch);
    for (let r = 0; r < count; r++) xp[r * p.dim + j] = x[r * p.dim + j] - h;
    p.energyAndGradient(xp, count, Em, scratch);
    for (let r = 0; r < count; r++) {
      xp[r * p.dim + j] = x[r * p.dim + j];
      const fd = (Ep[r] - Em[r]) / (2 * h);
      const g = G[r * p.dim + j];
      worst = Math.max(worst, Math.abs(fd - g) / (1 + Math.abs(g)));
    }
  }
  return worst;
}

/** Values of the potential's own observable `name` (`count × units`); throws if it has none by that name. */
export function observe(p: Potential, name: string, x: Float64Array, count: number): Float64Array {
  const o = p.observables?.find((q) => q.name === name);
  if (!o) throw new Error(`potential '${p.name}' has no observable '${name}'`);
  const out = new Float64Array(count * o.units);
  o.evaluate(x, count, out);
  return out;
}

type Tf = typeof import('@tensorflow/tfjs');

/**
 * Largest discrepancies, over replicas 0 … count−1, between a potential's
 * energy / gradient (`E`, `G` at `x`) and TensorFlow.js's value and `tf.grad`
 * of the same energy written as tfjs ops `U(θ)`: energy relative
 * |e − E|/|E|, gradient normwise |g − G|/|G|.
 */
export function tfGradDiscrepancy(
  tf: Tf,
  U: (theta: import('@tensorflow/tfjs').Tensor1D) => import('@tensorflow/tfjs').Scalar,
  p: Potential,
  x: Float64Array,
  count: number,
  E: Float64Array,
  G: Float64Array,
): { energy: number; gradient: number } {
  const grad = tf.grad(U as (x: import('@tensorflow/tfjs').Tensor) => import('@tensorflow/tfjs').Tensor);
  let energy = 0,
    gradient = 0;
  for (let r = 0; r < count; r++) {
    const theta = tf.tensor1d(Float32Array.from(x.subarray(r * p.dim, (r + 1) * p.dim)));
    const e = U(theta).dataSync()[0];
    const g = grad(theta).dataSync();
    energy = Math.max(energy, e === E[r] ? 0 : Math.abs(e - E[r]) / Math.abs(E[r]));
    let diff = 0,
      norm = 0;
    for (let j = 0; j < p.dim; j++) {
      diff += (g[j] - G[r * p.dim + j]) ** 2;
      norm += G[r * p.dim + j] ** 2;
    }
    gradient = Math.max(gradient, Math.sqrt(diff / norm));
  }
  return { energy, gradient };
}

/**
 * A run directory's output files as text, `summary.json` without its `timing`
 * block and `run.id` (the only parts that differ between equal runs).
 */
export function runDirSnapshot(dir: string, files: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of files) out[f] = readFileSync(join(dir, f), 'utf8');
  const s = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  delete s.timing;
  delete s.run.id;
  out['summary.json'] = JSON.stringify(s);
  return out;
}

/**
 * Run the compiled CLI with `args` and the test pause `pauseVar=1`
 * (src/runs/test-pause.ts): once it is paused, send `signal` (SIGINT), let it go on, and
 * return its exit code and stderr.
 */
export async function interruptWhenPaused(
  args: readonly string[],
  pauseVar: string,
  pauseFile: string,
  signal: NodeJS.Signals = 'SIGINT',
): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CLI_MAIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', STOCHDYN_DEBUG: '', [pauseVar]: '1', STOCHDYN_TEST_PAUSE_FILE: pauseFile },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (b) => (stderr += b));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  while (!existsSync(`${pauseFile}.reached`)) await new Promise((r) => setTimeout(r, 20));
  child.kill(signal);
  writeFileSync(pauseFile, 'go');
  return { code: await exited, stderr };
}
