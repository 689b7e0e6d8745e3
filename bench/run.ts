/**
 * `npm run bench`: engine throughput against the peer references of
 * bench/peers/ (numpy, PyTorch, JAX), measured in the same run, reported as ratios.
 *
 * W1 (README of the peers): overdamped Langevin in (x²−1)², θ = 0.25,
 * dt = 1e-3, 10,000 replicas from x = −1, 10,000 steps.
 * W2 (bench/w2.ts): SGLD on modular-addition-square, run after W1.
 * W3 (bench/w3.ts): GD on the relation-learner (GenEFT encoder–decoder), after W2.
 * Load (bench/load.ts, only with --load): peak memory of 10^6 replicas, trace
 * memory against the steps, a sweep of 10,000 tiny points (handles, threads).
 * Options: --reps N (default 3), --quick (W1 1,000 steps, W2 100, W3 50 steps;
 * --load: 10^5 replicas and a 1,000-point sweep), --w1 / --w2 / --w3 / --load
 * (only those; may be combined; the default is W1, W2, W3), --json.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { runEnsemble } from '../src/parallel/run.js';
import { packageRoot } from '../src/parallel/pool.js';
import { normal, seedStream } from '../src/random/rng.js';
import { validateScenarioObject } from '../src/scenario/index.js';
import { runW2 } from './w2.js';
import { runW3 } from './w3.js';
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

async function engineW1(workers: number): Promise<number[]> {
  const s = w1Scenario();
  const out: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await runEnsemble(s, { workers });
    out.push((R * S) / ((performance.now() - t0) / 1000));
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

const fmt = (v: number) => (Number.isFinite(v) ? v.toExponential(2) : '—');

async function main() {
  const only = ['--w1', '--w2', '--w3', '--load'].filter((w) => args.includes(w));
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
  const one = median(await engineW1(1));
  const two = median(await engineW1(2));
  const np = numpyW1();
  const rows: [string, number, string][] = [
    ['engine, 1 worker', one, ''],
    ['engine, 2 workers', two, ''],
  ];
  if (np) rows.push(['numpy in-place (peer)', np.psteps, np.note]);
  for (const [name, v, note] of rows) console.log(`  ${name.padEnd(24)} ${fmt(v).padStart(9)} particle-steps/s  ${note}`);
  if (np && Number.isFinite(np.psteps)) console.log(`  ratio engine(1 worker) / numpy = ${(one / np.psteps).toFixed(2)}  (target ≥ 1.5)`);
  console.log(`  ratio 2 workers / 1 worker   = ${(two / one).toFixed(2)}  (target ≥ 1.8)`);
  const nps = normalsPerSecond();
  console.log(
    `normals: sfc32+ziggurat ${fmt(nps.ours)}/s, seedrandom ARC4 + Box–Muller ${fmt(nps.seedrandom)}/s, ratio ${(nps.ours / nps.seedrandom).toFixed(2)}`,
  );
  if (args.includes('--json'))
    console.log(JSON.stringify({ R, S, reps, engine1: one, engine2: two, numpy: np?.psteps ?? null, normals: nps }));
}

await main();
