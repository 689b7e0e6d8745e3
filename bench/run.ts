/**
 * `npm run bench`: engine throughput against the peer references of
 * bench/peers/ (numpy, PyTorch, JAX), measured in the same run, reported as ratios.
 *
 * W1 (README of the peers): overdamped Langevin in (x²−1)², θ = 0.25,
 * dt = 1e-3, 10,000 replicas from x = −1, 10,000 steps.
 * W2 (bench/w2.ts): SGLD on modular-addition-square, run after W1.
 * W3 (bench/w3.ts): GD on the relation-learner (GenEFT encoder–decoder), after W2.
 * W1 also runs the C reference (bench/peers/w1_c.c, compiled with gcc into a
 * temporary directory; a "skipped" row without gcc): scalar and AVX2 variants.
 * W4 (bench/w4.ts): the shipped σ² ladder of modular addition with replica
 * exchange (104 networks): ms per step and the exchange overhead against the
 * same networks run without swaps.
 * W5: a sweep of 100 tiny points (100 temperatures of the W1 double well,
 * 100 replicas × 100 steps each) through runSweep with workers 0, 1, 2, in
 * points/s: the cost of starting and scheduling workers for small points.
 * Load (bench/load.ts, only with --load): peak memory of 10^6 replicas, trace
 * memory against the steps, a sweep of 10,000 tiny points (handles, threads).
 * Options: --reps N (default 3), --quick (W1 1,000 steps, W2 100, W3 50, W4 500 steps;
 * --load: 10^5 replicas and a 1,000-point sweep), --w1 / --w2 / --w3 / --w4 / --w5 /
 * --load (only those; may be combined; the default is W1, W2, W3, W4, W5), --json.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { runEnsemble } from '../src/parallel/run.js';
import { packageRoot } from '../src/parallel/pool.js';
import { normal, seedStream } from '../src/random/rng.js';
import { validateScenarioObject } from '../src/scenario/index.js';
import { nativeStatus } from '../src/native/index.js';
import { runSweep } from '../src/runs/sweep.js';
import { runW2 } from './w2.js';
import { runW3 } from './w3.js';
import { runW4 } from './w4.js';
import { formatLoadTable, runLoadBench } from './load.js';

const args = process.argv.slice(2);
const reps = Number(args[args.indexOf('--reps') + 1]) || 3;
const quick = args.includes('--quick');
const R = 10_000;
const S = quick ? 1_000 : 10_000;

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

function w1Scenario() {
  return validateScenarioObject(
    {
      name: 'bench-w1',
      seed: 4242,
      potential: { kind: 'double-well', params: { h: 1 } },
      dynamics: { integrator: 'sgld', lr: 1e-3, temperature: 0.25, steps: S },
      ensemble: { replicas: R, init: { kind: 'point', x: [-1] } },
      observe: { grid: { kind: 'linear', points: 2 }, observables: ['x'], finals: false },
    },
    '',
  );
}

/**
 * Particle-steps/s of the engine on 1 and on 2 workers, the repetitions
 * alternating (1, 2, 1, 2, …) so that the host's drift between minutes falls
 * on both alike; one untimed run of each first (the shared pool's threads
 * start and their code is compiled, as the peers exclude JAX's jit).
 */
async function engineW1(): Promise<{ one: number[]; two: number[] }> {
  const s = w1Scenario();
  const out = { one: [] as number[], two: [] as number[] };
  await runEnsemble(s, { workers: 1 });
  await runEnsemble(s, { workers: 2 });
  for (let i = 0; i < reps; i++) {
    for (const workers of [1, 2]) {
      const t0 = performance.now();
      await runEnsemble(s, { workers });
      (workers === 1 ? out.one : out.two).push((R * S) / ((performance.now() - t0) / 1000));
    }
  }
  return out;
}

/** Normals per second: our stream vs drawing every normal through seedrandom (Box–Muller on ARC4). */
function normalsPerSecond(): { ours: number; seedrandom: number } {
  const n = 5_000_000;
  const st = new Uint32Array(4);
  seedStream(st, 0, 1, 0, 0);
  let acc = 0;
  let t0 = performance.now();
  for (let i = 0; i < n; i++) acc += normal(st, 0);
  const ours = n / ((performance.now() - t0) / 1000);
  const rng = seedrandom('bench');
  t0 = performance.now();
  for (let i = 0; i < n; i += 2) {
    const u = rng.double() || 1e-300;
    const v = rng.double();
    const rr = Math.sqrt(-2 * Math.log(u));
    acc += rr * Math.cos(2 * Math.PI * v) + rr * Math.sin(2 * Math.PI * v);
  }
  const sr = n / ((performance.now() - t0) / 1000);
  if (acc === 12345.678) console.log(''); // keep the loops alive
  return { ours, seedrandom: sr };
}

/** The JAX peer of W1 (bench/peers/w1_jax.py, threefry normals in blocks of 100 steps), when `$PEER_PY` has JAX. */
function jaxW1(): { psteps: number; note: string } | null {
  const script = join(packageRoot(), 'bench', 'peers', 'w1_jax.py');
  if (!existsSync(script)) return null;
  try {
    const out = execFileSync(process.env.PEER_PY ?? 'python3', [script, `--reps=${reps}`, `--R=${R}`, `--S=${S}`], {
      encoding: 'utf8',
      timeout: 600_000,
    });
    const last = out
      .trim()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l))
      .find((o) => o.summary);
    return { psteps: last.psteps_per_s, note: `jax ${last.jax}` };
  } catch (e) {
    return { psteps: NaN, note: `skipped: JAX peer failed: ${(e as Error).message.split('\n')[0]}` };
  }
}

function numpyW1(): { psteps: number; note: string } | null {
  const script = join(packageRoot(), 'bench', 'peers', 'w1_numpy.py');
  if (!existsSync(script)) return null;
  try {
    const out = execFileSync(process.env.PEER_PY ?? 'python3', [script, '--variant=inplace', `--reps=${reps}`, `--R=${R}`, `--S=${S}`], {
      encoding: 'utf8',
      timeout: 600_000,
    });
    const last = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((o) => o.summary);
    return { psteps: last.psteps_per_s, note: `numpy ${last.numpy}, python ${last.python}` };
  } catch (e) {
    return { psteps: NaN, note: `numpy peer failed: ${(e as Error).message.split('\n')[0]}` };
  }
}

interface CRef {
  variant: string;
  psteps: number;
  meanX: number;
  fracPos: number;
  note: string;
}

/**
 * The C reference of W1 (bench/peers/w1_c.c): compiled with gcc from PATH into
 * a temporary directory and run as `scalar` and `simd`; `skipped` says why not.
 */
function cW1(): { rows: CRef[]; skipped?: string } {
  const src = join(packageRoot(), 'bench', 'peers', 'w1_c.c');
  if (!existsSync(src)) return { rows: [], skipped: 'bench/peers/w1_c.c not found' };
  let gcc: string;
  try {
    gcc = execFileSync('gcc', ['-dumpfullversion'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return { rows: [], skipped: 'gcc not found' };
  }
  const dir = mkdtempSync(join(tmpdir(), 'stochdyn-w1c-'));
  try {
    const exe = join(dir, 'w1_c');
    const flags = ['-O3', '-march=native', '-ffp-contract=off'];
    try {
      execFileSync('gcc', [...flags, '-o', exe, src, '-lm'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (e) {
      return { rows: [], skipped: `gcc ${gcc} failed: ${(e as Error).message.split('\n')[0]}` };
    }
    const rows: CRef[] = [];
    for (const variant of ['scalar', 'simd']) {
      try {
        const out = execFileSync(exe, [variant, `--reps=${reps}`, `--R=${R}`, `--S=${S}`], { encoding: 'utf8', timeout: 600_000 });
        const sum = out
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l))
          .find((o) => o.summary);
        rows.push({
          variant,
          psteps: sum.psteps_per_s,
          meanX: sum.mean_x,
          fracPos: sum.frac_pos,
          note: `gcc ${gcc} ${flags.join(' ')}${variant === 'simd' && !sum.avx2 ? ', no AVX2: scalar code' : ''}`,
        });
      } catch (e) {
        rows.push({ variant, psteps: NaN, meanX: NaN, fracPos: NaN, note: `failed: ${(e as Error).message.split('\n')[0]}` });
      }
    }
    return { rows };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Final mean and spread of x and fraction of replicas with x > 0 of the engine's W1 (one untimed run with finals). */
async function engineW1Finals(): Promise<{ meanX: number; sdX: number; fracPos: number }> {
  const s = w1Scenario();
  const r = await runEnsemble({ ...s, observe: { ...s.observe, finals: true } }, { workers: 2 });
  const k = r.finals.observables.indexOf('x');
  const n = r.finals.observables.length;
  let sum = 0;
  let sum2 = 0;
  let pos = 0;
  for (let i = 0; i < r.count; i++) {
    const x = r.finals.values[i * n + k];
    sum += x;
    sum2 += x * x;
    if (x > 0) pos++;
  }
  const meanX = sum / r.count;
  return { meanX, sdX: Math.sqrt(sum2 / r.count - meanX * meanX), fracPos: pos / r.count };
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toExponential(2) : '—');

async function main() {
  const only = ['--w1', '--w2', '--w3', '--w4', '--w5', '--load'].filter((w) => args.includes(w));
  const want = (w: string) => only.length === 0 || only.includes(w);
  if (want('--w1')) await mainW1();
  if (want('--w2')) {
    const w2 = await runW2({ reps, steps: quick ? 100 : 1000 });
    if (args.includes('--json')) console.log(JSON.stringify({ w2 }));
  }
  if (want('--w3')) {
    const w3 = await runW3({ reps, steps: quick ? 50 : 500 });
    if (args.includes('--json')) console.log(JSON.stringify({ w3 }));
  }
  if (want('--w4')) {
    const w4 = await runW4({ reps, steps: quick ? 500 : 4000 });
    if (args.includes('--json')) console.log(JSON.stringify({ w4 }));
  }
  if (want('--w5')) {
    const w5 = await runW5();
    if (args.includes('--json')) console.log(JSON.stringify({ w5 }));
  }
  if (only.includes('--load')) {
    console.log(
      `Load and memory (bench/load.ts${quick ? ', --quick: 10^5 replicas, 1,000-point sweep' : ''}); every case in its own child process`,
    );
    const load = await runLoadBench(quick ? { replicas: 100_000, sweep: 1_000 } : {});
    console.log(args.includes('--json') ? JSON.stringify({ load }) : formatLoadTable(load));
  }
}

async function mainW1() {
  console.log(`W1: overdamped Langevin, double well, θ = 0.25, dt = 1e-3, ${R} replicas × ${S} steps; medians of ${reps}`);
  const times = await engineW1();
  const one = median(times.one);
  const two = median(times.two);
  const np = numpyW1();
  const jax = jaxW1();
  const c = cW1();
  const nat = nativeStatus();
  const kernels = nat.ok ? `native kernels (${nat.addon.simd})` : `TypeScript kernels (native: ${nat.reason})`;
  const rows: [string, number, string][] = [
    ['engine, 1 worker', one, kernels],
    ['engine, 2 workers', two, kernels],
  ];
  if (np) rows.push(['numpy in-place (peer)', np.psteps, np.note]);
  if (jax) rows.push(['JAX jit (peer)', jax.psteps, jax.note]);
  for (const r of c.rows) rows.push([`C ${r.variant} (reference)`, r.psteps, r.note]);
  for (const [name, v, note] of rows) console.log(`  ${name.padEnd(24)} ${fmt(v).padStart(9)} particle-steps/s  ${note}`);
  if (c.skipped) console.log(`  ${'C reference'.padEnd(24)} skipped: ${c.skipped}`);
  const peers = [np?.psteps, jax?.psteps].filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (peers.length > 0) {
    const best = Math.max(...peers);
    console.log(
      `  ratio engine(1 worker) / best peer (${fmt(best)}) = ${(one / best).toFixed(2)}  (target ≥ 2: ${one >= 2 * best ? 'met' : 'NOT met'})`,
    );
  }
  console.log(`  ratio 2 workers / 1 worker   = ${(two / one).toFixed(2)}  (target ≥ 1.8: ${two >= 1.8 * one ? 'met' : 'NOT met'})`);
  for (const r of c.rows)
    if (Number.isFinite(r.psteps))
      console.log(
        `  engine / C ${r.variant.padEnd(6)}        = ${(one / r.psteps).toFixed(2)} (1 worker), ${(two / r.psteps).toFixed(2)} (2 workers)`,
      );
  let fin: { meanX: number; sdX: number; fracPos: number } | null = null;
  if (c.rows.some((r) => Number.isFinite(r.meanX))) {
    // Independent streams: a difference of two runs of R replicas has standard error √2·sd/√R (mean) and √2·√(p(1−p)/R) (fraction).
    fin = await engineW1Finals();
    const seMean = Math.SQRT2 * (fin.sdX / Math.sqrt(R));
    const seFrac = Math.SQRT2 * Math.sqrt((fin.fracPos * (1 - fin.fracPos)) / R);
    console.log(`  final x, engine: mean ${fin.meanX.toFixed(4)} (sd ${fin.sdX.toFixed(3)}), fraction x > 0 ${fin.fracPos.toFixed(4)}`);
    for (const r of c.rows)
      if (Number.isFinite(r.meanX))
        console.log(
          `  final x, C ${r.variant.padEnd(6)}: mean ${r.meanX.toFixed(4)} (${((r.meanX - fin.meanX) / seMean).toFixed(1)} σ from the engine's), ` +
            `fraction x > 0 ${r.fracPos.toFixed(4)} (${((r.fracPos - fin.fracPos) / seFrac).toFixed(1)} σ)`,
        );
  }
  const nps = normalsPerSecond();
  console.log(
    `normals: sfc32+ziggurat ${fmt(nps.ours)}/s, seedrandom ARC4 + Box–Muller ${fmt(nps.seedrandom)}/s, ratio ${(nps.ours / nps.seedrandom).toFixed(2)}`,
  );
  if (args.includes('--json'))
    console.log(
      JSON.stringify({
        R,
        S,
        reps,
        engine1: one,
        engine2: two,
        numpy: np?.psteps ?? null,
        jax: jax?.psteps ?? null,
        c: c.rows,
        cSkipped: c.skipped ?? null,
        engineFinals: fin,
        normals: nps,
      }),
    );
}

/** W5: a sweep of 100 tiny points (100 temperatures, 100 replicas × 100 steps) through runSweep, in points/s. */
async function runW5(): Promise<{ points: number; workers: number; pointsPerSecond: number; seconds: number[] }[]> {
  const P = 100;
  const s = validateScenarioObject(
    {
      name: 'bench-w5',
      seed: 4242,
      potential: { kind: 'double-well', params: { h: 1 } },
      dynamics: { integrator: 'sgld', lr: 1e-3, temperature: 0.25, steps: 100 },
      ensemble: { replicas: 100, init: { kind: 'point', x: [-1] } },
      observe: { grid: { kind: 'linear', points: 2 }, observables: ['x'], finals: false },
      sweep: { 'dynamics.temperature': { linear: { from: 0.05, to: 0.5, points: P } } },
    },
    '',
  );
  console.log(`W5: sweep of ${P} tiny points (temperatures 0.05…0.5, 100 replicas × 100 steps each) through runSweep; medians of ${reps}`);
  const root = mkdtempSync(join(tmpdir(), 'stochdyn-w5-'));
  const out = [];
  try {
    for (const workers of [0, 1, 2]) {
      const seconds: number[] = [];
      for (let i = 0; i < reps; i++) {
        const dir = join(root, `w${workers}-${i}`); // a fresh directory: no point is skipped
        const t0 = performance.now();
        const o = await runSweep(s, { out: dir, workers, quiet: true });
        seconds.push((performance.now() - t0) / 1000);
        if (!o.complete) throw new Error(`W5 sweep with ${workers} workers did not complete`);
        rmSync(dir, { recursive: true, force: true });
      }
      const med = median(seconds);
      out.push({ points: P, workers, pointsPerSecond: P / med, seconds });
      console.log(`  workers ${workers}: ${(P / med).toFixed(1).padStart(7)} points/s  (${med.toFixed(2)} s per sweep)`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  const w0 = out[0].pointsPerSecond;
  console.log(`  ratio to workers 0: ${out.map((o) => `${o.workers}: ${(o.pointsPerSecond / w0).toFixed(2)}`).join(', ')}`);
  return out;
}

await main();
