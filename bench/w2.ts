/**
 * W2 of bench/peers/README.md: SGLD on 32 two-layer square-activation
 * nets, modular addition P = 11, N = 64, all 121 pairs, one-hot targets,
 * energy = mean((Y − T)²) (loss_scale 1/(121·11), no prior), weight decay 1e-3,
 * lr 1e-3, T 1e-4, 1,000 steps, float64, the deterministic sin initialisation
 * of w2_common.py. Engine ms/step (in-process with that initialisation; and
 * through runEnsemble on 1 and 2 workers, whose replicas start from a seeded
 * normal draw of the same scale because `ensemble.init` cannot express the sin
 * formula), next to the numpy and PyTorch peers run in the same process tree,
 * plus the T = 0 cross-check of the final mean loss against numpy.
 * Kernels: the plain-TypeScript reference (`kernels: js`) and the WebAssembly
 * SIMD kernels (`kernels: wasm`, float64 and float32), each in-process; the
 * runEnsemble rows use the default (`auto`: wasm here).
 * Also the sizes the first-order scenarios use (ms/step, in-process);
 * teacher-student-erf with each of its kernels (js, wasm float64, wasm float32).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { coordinateSettings, createState, getIntegrator, simulate, Stream } from '../src/engine/index.js';
import type { Potential } from '../src/engine/types.js';
import { runEnsemble } from '../src/parallel/run.js';
import { packageRoot } from '../src/parallel/pool.js';
import { modularAdditionSquare } from '../src/potentials/neural/modular-addition/index.js';
import { teacherStudentErf } from '../src/potentials/neural/teacher-student/index.js';
import { nativeStatus } from '../src/native/index.js';
import { validateScenarioObject, type Scenario } from '../src/scenario/index.js';

const P = 11;
const N = 64;
const B = P * P;
const D = 2 * P;
const R = 32;
const LR = 1e-3;
const GAMMA = 1e-3;
const TEMP = 1e-4;

export interface W2Options {
  reps: number;
  steps: number;
}

export interface W2Result {
  steps: number;
  /** In-process, 1 thread, ms/step: js (plain TS), wasm float64, wasm float32. */
  engine1: number;
  engine1Wasm: number;
  engine1Wasm32: number;
  /** runEnsemble (kernels auto), 1 and 2 workers. */
  engineRun1: number;
  engineRun2: number;
  /** Native kernels in-process (NaN without the addon), and runEnsemble float32 on 2 workers. */
  engine1Native: number;
  engine1Native32: number;
  engineRun2f32: number;
  jax: PeerResult | null;
  jax32: PeerResult | null;
  numpy: PeerResult | null;
  torch: PeerResult | null;
  torch32: PeerResult | null;
  t0: { engine: number; engineJs: number; numpy: number | null; relDiff: number | null; relDiffJs: number | null };
  sweepSize: number;
  /** teacher-student-erf d = 16, N = 16, n = 400, 16 replicas, in-process ms/step: js, wasm float64, wasm float32. */
  teacherStudent: number;
  teacherStudentWasm: number;
  teacherStudentWasm32: number;
}

export interface PeerResult {
  msPerStep: number;
  lossEnd: number;
  note: string;
  skipped?: string;
}

export const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const w2Params = {
  P,
  N,
  train_fraction: 1,
  targets: 'one-hot',
  loss_scale: 1 / (B * P),
  prior_w: 'flat',
  prior_a: 'flat',
};

/** w2_common.init: W[r,n,j] = sin(12.9898(nD+j+1) + 78.233(r+1))/√D, U[r,k,n] = sin(39.3467(kN+n+1) + 11.135(r+1))/√N. */
function sinInit(x: Float64Array, dim: number, count: number): void {
  const Wsz = N * D;
  for (let r = 0; r < count; r++) {
    const base = r * dim;
    for (let n = 0; n < N; n++)
      for (let j = 0; j < D; j++) x[base + n * D + j] = Math.sin(12.9898 * (n * D + j + 1) + 78.233 * (r + 1)) / Math.sqrt(D);
    // U is (P, N); our a is (N, P): a[c, k] = U[k, c].
    for (let k = 0; k < P; k++)
      for (let n = 0; n < N; n++) x[base + Wsz + n * P + k] = Math.sin(39.3467 * (k * N + n + 1) + 11.135 * (r + 1)) / Math.sqrt(N);
  }
}

/**
 * One in-process SGLD run of `potential` for `steps` steps from `init`; returns
 * wall ms/step and the mean energy over replicas at the end.
 */
export function inProcess(
  potential: Potential,
  count: number,
  steps: number,
  dyn: { lr: number; temperature: number; weight_decay: number },
  init: (x: Float64Array) => void,
  integratorName = 'sgld',
): { msPerStep: number; meanEnergy: number } {
  const settings = coordinateSettings(potential.dim, potential.groups, dyn, {});
  const integrator = getIntegrator(integratorName)!.build(settings, { friction: 1, momenta: 'zero' });
  const state = createState({ count, dim: potential.dim, firstReplica: 0, seed: 4242, run: 0, momenta: false });
  init(state.x);
  const t0 = performance.now();
  simulate(state, potential, integrator, { steps, observers: [], watchers: [] });
  const ms = (performance.now() - t0) / steps;
  // Energy at the final positions (the cache holds it: one evaluation per step).
  potential.energyAndGradient(state.x, count, state.energy, state.grad);
  let mean = 0;
  for (let r = 0; r < count; r++) mean += state.energy[r] / count;
  return { msPerStep: ms, meanEnergy: mean };
}

function runScenario(steps: number, precision: 'float64' | 'float32' = 'float64') {
  // The sin initialisation has mean 0 and variance 1/(2D) (w) and 1/(2N) (a).
  const std = [...new Array<number>(N * D).fill(1 / Math.sqrt(2 * D)), ...new Array<number>(N * P).fill(1 / Math.sqrt(2 * N))];
  return validateScenarioObject(
    {
      name: 'bench-w2',
      seed: 4242,
      potential: { kind: 'modular-addition-square', params: { ...w2Params, precision } },
      dynamics: { integrator: 'sgld', lr: LR, temperature: TEMP, weight_decay: GAMMA, steps },
      ensemble: { replicas: R, init: { kind: 'normal', mean: [0], std } },
      observe: { grid: { kind: 'linear', points: 2 }, observables: ['energy'], finals: false },
    },
    '',
  );
}

function peersDir(): string {
  return join(packageRoot(), 'bench', 'peers');
}

function lastSummary(out: string): Record<string, unknown> {
  const s = out
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .find((o) => o.summary);
  if (!s) throw new Error('no summary line in the peer output');
  return s;
}

/**
 * Run a peer script of bench/peers/ and read its summary line:
 * numpy scripts with `$PEER_PY` (default python3), PyTorch ones with
 * `$PEER_TORCH_PY` (default /usr/bin/python3); `eval "$(bash bench/peers/setup-peers.sh)"`
 * sets both, and LD_LIBRARY_PATH to an unpacked OpenBLAS when it falls back to Debian's PyTorch.
 */
export function runPeer(script: string, args: string[], torch: boolean): PeerResult {
  const file = join(peersDir(), script);
  if (!existsSync(file)) return { msPerStep: NaN, lossEnd: NaN, note: '', skipped: `${file} not found` };
  const python = torch ? (process.env.PEER_TORCH_PY ?? '/usr/bin/python3') : (process.env.PEER_PY ?? 'python3');
  const env = { ...process.env };
  if (torch) {
    try {
      execFileSync(python, ['-c', 'import torch'], { stdio: 'ignore', env });
    } catch {
      return {
        msPerStep: NaN,
        lossEnd: NaN,
        note: '',
        skipped: `${python} cannot import torch (run eval "$(bash bench/peers/setup-peers.sh)")`,
      };
    }
  }
  try {
    const out = execFileSync(python, [file, ...args], { encoding: 'utf8', timeout: 1_800_000, cwd: peersDir(), env });
    const s = lastSummary(out);
    const note = s.jax ? `jax ${s.jax}` : torch ? `torch ${s.torch}, BLAS ${s.blas}` : `numpy ${s.numpy}`;
    return { msPerStep: s.ms_per_step as number, lossEnd: s.loss_end as number, note };
  } catch (e) {
    return { msPerStep: NaN, lossEnd: NaN, note: '', skipped: `${python} ${script} failed: ${(e as Error).message.split('\n')[0]}` };
  }
}

const numpyPeer = (steps: number, reps: number, temp: number) =>
  runPeer('w2_numpy.py', ['--variant=matmul', `--reps=${reps}`, `--steps=${steps}`, `--T=${temp}`], false);

const jaxPeer = (steps: number, reps: number, dtype: 'float64' | 'float32') =>
  runPeer('w2_jax.py', [`--dtype=${dtype}`, `--reps=${reps}`, `--steps=${steps}`, `--T=${TEMP}`], false);

const torchPeer = (steps: number, reps: number, dtype: 'float64' | 'float32') =>
  runPeer('w2_torch.py', ['--variant=autograd', '--threads=2', `--dtype=${dtype}`, `--reps=${reps}`, `--steps=${steps}`], true);

/** Median wall ms/step of `reps` runEnsemble runs of a scenario on `workers` workers (worker start-up included). */
export async function timeRunEnsemble(s: Scenario, workers: number, reps: number, steps: number): Promise<number> {
  const t: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await runEnsemble(s, { workers });
    t.push((performance.now() - t0) / steps);
  }
  return median(t);
}

export const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '—');

/** Print the W2 table (lines to stdout: this is the bench CLI) and return the numbers. */
export async function runW2(o: W2Options): Promise<W2Result> {
  const { reps, steps } = o;
  console.log(`W2: SGLD, modular addition P = ${P}, N = ${N}, all ${B} pairs, ${R} replicas × ${steps} steps, float64; medians of ${reps}`);
  const potential = modularAdditionSquare({ ...w2Params, kernels: 'js' }, { seed: 4242, run: 0 });
  const wasm64 = modularAdditionSquare({ ...w2Params, kernels: 'wasm' }, { seed: 4242, run: 0 });
  const wasm32 = modularAdditionSquare({ ...w2Params, kernels: 'wasm', precision: 'float32' }, { seed: 4242, run: 0 });
  const dyn = { lr: LR, temperature: TEMP, weight_decay: GAMMA };
  const init = (x: Float64Array) => sinInit(x, potential.dim, R);
  const timeIt = (pot: Potential) => {
    inProcess(pot, R, Math.min(50, steps), dyn, init); // warm-up (JIT)
    return median(Array.from({ length: reps }, () => inProcess(pot, R, steps, dyn, init).msPerStep));
  };
  const one = timeIt(potential);
  const oneWasm = timeIt(wasm64);
  const oneWasm32 = timeIt(wasm32);
  const nat = nativeStatus();
  const native64 = nat.ok ? modularAdditionSquare({ ...w2Params, kernels: 'native' }, { seed: 4242, run: 0 }) : null;
  const native32 = nat.ok ? modularAdditionSquare({ ...w2Params, kernels: 'native', precision: 'float32' }, { seed: 4242, run: 0 }) : null;
  const oneNative = native64 ? timeIt(native64) : NaN;
  const oneNative32 = native32 ? timeIt(native32) : NaN;
  const nativeNote = nat.ok ? `native kernels (${nat.addon.simd}, ${nat.addon.fma})` : `skipped: ${nat.reason}`;
  const run1 = await timeRunEnsemble(runScenario(steps), 1, reps, steps);
  const run2 = await timeRunEnsemble(runScenario(steps), 2, reps, steps);
  const run2f32 = await timeRunEnsemble(runScenario(steps, 'float32'), 2, reps, steps);
  const np = numpyPeer(steps, reps, TEMP);
  const torch = torchPeer(steps, reps, 'float64');
  const torch32 = torchPeer(steps, reps, 'float32');
  const jax = jaxPeer(steps, reps, 'float64');
  const jax32 = jaxPeer(steps, reps, 'float32');

  const rows: [string, number, string][] = [
    ['engine js, in-process (sin init)', one, 'plain TypeScript kernels, 1 thread'],
    ['engine wasm f64, in-process', oneWasm, 'WebAssembly SIMD kernels, float64, 1 thread'],
    ['engine wasm f32, in-process', oneWasm32, 'WebAssembly SIMD kernels, float32 network arithmetic, 1 thread'],
    ['engine native f64, in-process', oneNative, `${nativeNote}, 1 thread`],
    ['engine native f32, in-process', oneNative32, `${nativeNote}, float32 network arithmetic, 1 thread`],
    ['engine auto f64, runEnsemble 1 worker', run1, 'seeded normal init of the same scale; includes worker start-up'],
    ['engine auto f64, runEnsemble 2 workers', run2, '16 replicas per worker'],
    ['engine auto f32, runEnsemble 2 workers', run2f32, '16 replicas per worker, float32 network arithmetic'],
  ];
  const peerRow = (name: string, r: PeerResult) => rows.push([name, r.msPerStep, r.skipped ? `skipped: ${r.skipped}` : r.note]);
  peerRow('numpy matmul f64 (peer)', np);
  peerRow('PyTorch autograd f64, 2 threads (peer)', torch);
  peerRow('PyTorch autograd f32, 2 threads (peer)', torch32);
  peerRow('JAX f64, jit + vmap + scan (peer)', jax);
  peerRow('JAX f32, jit + vmap + scan (peer)', jax32);
  for (const [name, v, note] of rows) console.log(`  ${name.padEnd(40)} ${ms(v).padStart(8)} ms/step  ${note}`);
  const bestOf = (...v: number[]) => Math.min(...v.filter(Number.isFinite));
  const peer64 = bestOf(np.msPerStep, torch.msPerStep, jax.msPerStep);
  const peer32 = bestOf(torch32.msPerStep, jax32.msPerStep);
  if (Number.isFinite(peer64))
    console.log(
      `  ratio engine f64 2 workers / best f64 peer (${ms(peer64)}) = ${(run2 / peer64).toFixed(2)}  (target ≤ 0.5: ${run2 <= 0.5 * peer64 ? 'met' : 'NOT met'})`,
    );
  if (Number.isFinite(peer32))
    console.log(
      `  ratio engine f32 2 workers / best f32 peer (${ms(peer32)}) = ${(run2f32 / peer32).toFixed(2)}  (target ≤ 0.5: ${run2f32 <= 0.5 * peer32 ? 'met' : 'NOT met'})`,
    );
  const best = Math.min(oneWasm, run2);
  if (Number.isFinite(np.msPerStep)) {
    console.log(`  ratio numpy / engine wasm f64 in-process (1 thread)  = ${(np.msPerStep / oneWasm).toFixed(2)}  (> 1: engine faster)`);
    console.log(`  ratio numpy / engine wasm f64 2 workers              = ${(np.msPerStep / run2).toFixed(2)}`);
    console.log(
      `  target W2 float64: best engine ${ms(best)} ≤ numpy ${ms(np.msPerStep)} ms/step: ${best <= np.msPerStep ? 'met' : 'NOT met'}`,
    );
  }
  if (Number.isFinite(torch.msPerStep))
    console.log(`  ratio PyTorch f64 / engine wasm f64 (best) = ${(torch.msPerStep / best).toFixed(2)}`);
  if (Number.isFinite(torch32.msPerStep))
    console.log(
      `  stretch W2: best engine f64 ${ms(best)} ≤ PyTorch f32 ${ms(torch32.msPerStep)} ms/step: ${best <= torch32.msPerStep ? 'met' : 'not met'}`,
    );

  // T = 0 cross-check: gradient descent with weight decay from the same initialisation (wasm f64 and js kernels).
  const e0 = inProcess(wasm64, R, steps, { ...dyn, temperature: 0 }, init).meanEnergy;
  const e0js = inProcess(potential, R, steps, { ...dyn, temperature: 0 }, init).meanEnergy;
  const e0native = native64 ? inProcess(native64, R, steps, { ...dyn, temperature: 0 }, init).meanEnergy : NaN;
  const np0 = numpyPeer(steps, 1, 0);
  const rel = (e: number) => (Number.isFinite(np0.lossEnd) ? Math.abs(e - np0.lossEnd) / Math.abs(np0.lossEnd) : null);
  const relDiff = rel(e0);
  const relDiffJs = rel(e0js);
  console.log(
    `  T = 0 check: engine mean loss wasm ${e0.toPrecision(16)}, js ${e0js.toPrecision(16)}, numpy loss_end ${Number.isFinite(np0.lossEnd) ? np0.lossEnd.toPrecision(16) : `— (${np0.skipped})`}` +
      (relDiff !== null
        ? `, relative difference wasm ${relDiff.toExponential(2)}, js ${relDiffJs!.toExponential(2)} (target ≤ 1e-10: ${relDiff <= 1e-10 && relDiffJs! <= 1e-10 ? 'met' : 'NOT met'})`
        : ''),
  );
  if (Number.isFinite(e0native)) {
    const r = rel(e0native);
    console.log(
      `  T = 0 check, native f64: mean loss ${e0native.toPrecision(16)}` +
        (r !== null ? `, relative difference to numpy ${r.toExponential(2)} (target ≤ 1e-10: ${r <= 1e-10 ? 'met' : 'NOT met'})` : ''),
    );
  }

  // The sizes of the shipped first-order scenarios (in-process, 1 thread).
  const sweepSteps = Math.max(100, Math.round(steps / 2));
  const ma = modularAdditionSquare({ P: 11, N: 32, train_fraction: 0.8 }, { seed: 1, run: 0 }); // kernels auto
  const maDyn = { lr: 1e-4, temperature: 1, weight_decay: 0 };
  const prior = (pot: Potential) => (x: Float64Array) => {
    const st = new Stream(1, 0, 0);
    for (let r = 0; r < 16; r++)
      pot.initialise!(
        x,
        r * pot.dim,
        () => st.normal(),
        () => st.uniform(),
      );
  };
  inProcess(ma, 16, 50, maDyn, prior(ma));
  const sweepSize = median(Array.from({ length: reps }, () => inProcess(ma, 16, sweepSteps, maDyn, prior(ma)).msPerStep));
  console.log(
    `  modular-addition-square P = 11, N = 32, 97 training pairs, 16 replicas: ${ms(sweepSize)} ms/step (in-process, ${ma.info?.kernels})`,
  );
  const tsTimes = timeTeacherStudent(reps, sweepSteps, maDyn);
  const [teacherStudent, teacherStudentWasm, teacherStudentWasm32] = tsTimes;
  console.log(
    `  teacher-student-erf d = 16, N = 16, n = 400, 16 replicas: js ${ms(teacherStudent)}, wasm f64 ${ms(teacherStudentWasm)}, wasm f32 ${ms(teacherStudentWasm32)} ms/step (in-process)`,
  );

  return {
    steps,
    engine1: one,
    engine1Wasm: oneWasm,
    engine1Wasm32: oneWasm32,
    engineRun1: run1,
    engineRun2: run2,
    engine1Native: oneNative,
    engine1Native32: oneNative32,
    engineRun2f32: run2f32,
    jax: jax.skipped ? null : jax,
    jax32: jax32.skipped ? null : jax32,
    numpy: np.skipped ? null : np,
    torch: torch.skipped ? null : torch,
    torch32: torch32.skipped ? null : torch32,
    t0: { engine: e0, engineJs: e0js, numpy: Number.isFinite(np0.lossEnd) ? np0.lossEnd : null, relDiff, relDiffJs },
    sweepSize,
    teacherStudent,
    teacherStudentWasm,
    teacherStudentWasm32,
  };
}

/**
 * teacher-student-erf at its defaults (d = 16, N = 16, n = 400), 16 replicas
 * drawn from the prior, in-process: median ms/step of the js, wasm float64 and
 * wasm float32 kernels (in that order).
 */
export function timeTeacherStudent(
  reps: number,
  steps: number,
  dyn: { lr: number; temperature: number; weight_decay: number },
): [number, number, number] {
  const kinds = [{ kernels: 'js' }, { kernels: 'wasm' }, { kernels: 'wasm', precision: 'float32' }];
  const out = kinds.map((k) => {
    const ts = teacherStudentErf(k, { seed: 1, run: 0 });
    const init = (x: Float64Array) => {
      const st = new Stream(1, 0, 0);
      for (let r = 0; r < 16; r++)
        ts.initialise!(
          x,
          r * ts.dim,
          () => st.normal(),
          () => st.uniform(),
        );
    };
    inProcess(ts, 16, 50, dyn, init); // warm-up (JIT)
    return median(Array.from({ length: reps }, () => inProcess(ts, 16, steps, dyn, init).msPerStep));
  });
  return [out[0], out[1], out[2]];
}
