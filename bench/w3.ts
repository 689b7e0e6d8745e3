/**
 * W3 of bench/peers/README.md: the GenEFT encoder–decoder
 * (relation-learner) — 30 embeddings in 2-D, input [E_a, E_b], 4 → 50 → 50 →
 * 50 tanh → 1, BCE-with-logits (mean) over 675 pairs, plain gradient descent
 * lr = 1e-3, 8 replicas, 500 steps, float64; data and the deterministic hash
 * initialisation of w3_torch.py, so a run matches the PyTorch peer's final
 * loss (the T = 0 check: W3 has no noise).
 *
 * Rows: in-process with the plain-TypeScript kernels (one run: the reference,
 * and the js side of the check), the wasm SIMD kernels in float64 and float32;
 * runEnsemble on 1 and 2 workers (kernels auto, one wasm instance per worker;
 * the registered potential's seeded mod-3 relation and 0.75 split — the same
 * sizes, 675 training pairs — and its own initialisation, because a scenario
 * can express neither W3's labels nor its hash init); PyTorch float64 and
 * float32 on 2 threads with OpenBLAS.
 *
 * After the table, one line for the other MLP with wasm kernels, toy-addition
 * (Liu et al.'s toy model of addition: embeddings, decoder on E_a + E_b, MSE
 * to random targets over 45 pairs), GD in-process, 8 replicas, js / wasm f64
 * / wasm f32: the shape of scenarios/repon/toy-addition-network.yaml
 * (1-32-32-8) and the defaults (the paper's 1-200-200-30, a tenth of the
 * steps).
 */
import { Stream } from '../src/random/rng.js';
import type { Potential } from '../src/engine/types.js';
import { relationLearnerOn, type RelationLearnerData } from '../src/potentials/relation/relation-learner/index.js';
import { toyAddition } from '../src/potentials/relation/toy-addition/index.js';
import { validateScenarioObject } from '../src/scenario/index.js';
import { nativeStatus } from '../src/native/index.js';
import { inProcess, median, ms, runPeer, timeRunEnsemble, type PeerResult } from './w2.js';

const NSYM = 30;
const HID = 50;
const R = 8;
const LR = 1e-3;
const SHAPES = [NSYM * 2, HID * 4, HID, HID * HID, HID, HID * HID, HID, HID, 1];
const SCALES = [1, 0.5, 0.1, 1 / Math.sqrt(HID), 0.1, 1 / Math.sqrt(HID), 0.1, 1 / Math.sqrt(HID), 0.1];
const params = { n: NSYM, d: 2, combine: 'concat', depth: 3, width: HID };

export interface W3Options {
  reps: number;
  steps: number;
}

export interface W3Result {
  steps: number;
  engineJs: number;
  engineWasm: number;
  engineWasm32: number;
  engineNative: number;
  engineNative32: number;
  jax: PeerResult | null;
  jax32: PeerResult | null;
  engineRun1: number;
  engineRun2: number;
  torch: PeerResult | null;
  torch32: PeerResult | null;
  t0: { wasm: number; js: number; torch: number | null; relDiff: number | null; relDiffJs: number | null };
  /** toy-addition, GD in-process, ms/step per kernel. */
  toyAddition: { shape: string; steps: number; js: number; wasm64: number; wasm32: number }[];
}

/** toy-addition in its three kernels (GD, 8 replicas, the potential's own initialisation from a fixed stream): ms/step. */
function toyAdditionTimes(steps: number, reps: number): W3Result['toyAddition'] {
  const shapes: [string, Record<string, unknown>, number][] = [
    ['1-32-32-8', { p: 10, d_in: 1, hidden: [32, 32], d_out: 8 }, steps],
    ['1-200-200-30', {}, Math.max(5, Math.round(steps / 10))],
  ];
  return shapes.map(([shape, params, n]) => {
    const pots = [{ kernels: 'js' }, { kernels: 'wasm' }, { kernels: 'wasm', precision: 'float32' }].map((k) =>
      toyAddition({ ...params, ...k }, { seed: 4242, run: 0 }),
    );
    const init = (x: Float64Array) => {
      const st = new Stream(4242, 0, 0);
      for (let r = 0; r < R; r++)
        pots[0].initialise!(
          x,
          r * pots[0].dim,
          () => st.normal(),
          () => st.uniform(),
        );
    };
    const [js, w64, w32] = pots.map((pot, k) => {
      const run = (m: number) => inProcess(pot, R, m, { lr: LR, temperature: 0, weight_decay: 0 }, init, 'gd').msPerStep;
      run(Math.min(5, n)); // warm-up
      return k === 0 ? run(n) : median(Array.from({ length: reps }, () => run(n))); // js: one run
    });
    return { shape, steps: n, js, wasm64: w64, wasm32: w32 };
  });
}

/** w3_torch.data: pair k = a·30 + b trains iff (7919 k) mod 900 < 675; label 1 iff (a + b) mod 30 < 15. */
export function w3Data(): RelationLearnerData {
  const train: number[] = [];
  const test: number[] = [];
  const truth = new Uint8Array(NSYM * NSYM);
  for (let a = 0; a < NSYM; a++)
    for (let b = 0; b < NSYM; b++) {
      const k = a * NSYM + b;
      truth[k] = (a + b) % NSYM < NSYM / 2 ? 1 : 0;
      ((k * 7919) % 900 < 675 ? train : test).push(k);
    }
  return { train: Int32Array.from(train), test: Int32Array.from(test), truth };
}

/**
 * w3_torch.init: parameter t (E, W1, b1, …, b4, our layout order too), flat index k, replica r:
 * h = frac(43758.5453 sin(12.9898(k+1) + 78.233(r+1) + 37.719(t+1))), value = scale_t √3 (2h − 1).
 */
export function w3Init(x: Float64Array, dim: number, count: number): void {
  for (let r = 0; r < count; r++) {
    let o = r * dim;
    SHAPES.forEach((size, t) => {
      for (let k = 0; k < size; k++) {
        const v = 43758.5453 * Math.sin(12.9898 * (k + 1) + 78.233 * (r + 1) + 37.719 * (t + 1));
        x[o + k] = SCALES[t] * Math.sqrt(3) * (2 * (v - Math.floor(v)) - 1);
      }
      o += size;
    });
  }
}

/** The JAX peer; `warmup` untimed runs after compiling (a fresh process per round warms up twice). */
const jaxW3 = (steps: number, reps: number, dtype: 'float64' | 'float32', warmup = 1) =>
  runPeer('w3_jax.py', [`--dtype=${dtype}`, `--reps=${reps}`, `--steps=${steps}`, `--R=${R}`, `--warmup=${warmup}`], false);

const torchW3 = (steps: number, reps: number, dtype: 'float64' | 'float32') =>
  runPeer('w3_torch.py', ['--threads=2', `--dtype=${dtype}`, `--reps=${reps}`, `--steps=${steps}`, `--R=${R}`], true);

function runScenario(steps: number) {
  return validateScenarioObject(
    {
      name: 'bench-w3',
      seed: 4242,
      potential: { kind: 'relation-learner', params: { ...params, relation: 'mod', k: 3, train_fraction: 0.75 } },
      dynamics: { integrator: 'gd', lr: LR, steps },
      ensemble: { replicas: R, init: { kind: 'potential' } },
      observe: { grid: { kind: 'linear', points: 2 }, observables: ['energy'], finals: false },
    },
    '',
  );
}

/** Print the W3 table (stdout: this is the bench CLI) and return the numbers. */
export async function runW3(o: W3Options): Promise<W3Result> {
  const { reps, steps } = o;
  console.log(
    `W3: GenEFT encoder–decoder, n = 30, d = 2, 4 → 50 → 50 → 50 tanh → 1, BCE over 675 pairs, GD lr = 1e-3, ${R} replicas × ${steps} steps; medians of ${reps}`,
  );
  const data = w3Data();
  const build = (extra: Record<string, unknown>): Potential => relationLearnerOn({ ...params, ...extra }, data);
  const js = build({ kernels: 'js' });
  const wasm64 = build({ kernels: 'wasm' });
  const wasm32 = build({ kernels: 'wasm', precision: 'float32' });
  const dyn = { lr: LR, temperature: 0, weight_decay: 0 };
  const init = (x: Float64Array) => w3Init(x, js.dim, R);
  const run = (pot: Potential, n: number) => inProcess(pot, R, n, dyn, init, 'gd');
  const timed = (pot: Potential) => {
    run(pot, Math.min(10, steps)); // warm-up (JIT, wasm tier-up)
    const t: number[] = [];
    let meanEnergy = NaN;
    for (let i = 0; i < reps; i++) {
      const r = run(pot, steps);
      t.push(r.msPerStep);
      meanEnergy = r.meanEnergy;
    }
    return { ms: median(t), meanEnergy };
  };
  const w64 = timed(wasm64);
  const w32 = timed(wasm32);
  const nat = nativeStatus();
  const nativeNote = nat.ok ? `native kernels (${nat.addon.simd}, ${nat.addon.fma}, tanh ${nat.addon.tanh})` : `skipped: ${nat.reason}`;
  run(js, Math.min(5, steps));
  const j = run(js, steps); // one run: ~1 minute at full size
  const run1 = await timeRunEnsemble(runScenario(steps), 1, reps, steps);
  const torch = torchW3(steps, reps, 'float64');
  const torch32 = torchW3(steps, reps, 'float32');
  // The rows the targets compare — native f64 and f32 in-process, 2 workers, JAX f64 and f32 — in rounds (one
  // repetition of each per round, JAX one process per repetition with its jit excluded), so that the host's drift
  // between minutes falls on all of them alike.
  const nat64 = nat.ok ? build({ kernels: 'native' }) : null;
  const nat32 = nat.ok ? build({ kernels: 'native', precision: 'float32' }) : null;
  if (nat64 && nat32) {
    run(nat64, Math.min(10, steps));
    run(nat32, Math.min(10, steps));
  }
  await timeRunEnsemble(runScenario(Math.min(10, steps)), 2, 1, Math.min(10, steps)); // warm-up of the pool
  const t = { n64: [] as number[], n32: [] as number[], run2: [] as number[], jax: [] as PeerResult[], jax32: [] as PeerResult[] };
  let n64Energy = NaN;
  for (let i = 0; i < reps; i++) {
    if (nat64 && nat32) {
      const r = run(nat64, steps);
      t.n64.push(r.msPerStep);
      n64Energy = r.meanEnergy;
      t.n32.push(run(nat32, steps).msPerStep);
    }
    t.run2.push(await timeRunEnsemble(runScenario(steps), 2, 1, steps));
    t.jax.push(jaxW3(steps, 1, 'float64', 2));
    t.jax32.push(jaxW3(steps, 1, 'float32', 2));
  }
  const n64 = { ms: nat64 ? median(t.n64) : NaN, meanEnergy: n64Energy };
  const n32 = { ms: nat32 ? median(t.n32) : NaN };
  const run2 = median(t.run2);
  const peerMedian = (rs: PeerResult[]): PeerResult =>
    rs.some((r) => r.skipped) ? rs.find((r) => r.skipped)! : { ...rs[0], msPerStep: median(rs.map((r) => r.msPerStep)) };
  const jax = peerMedian(t.jax);
  const jax32 = peerMedian(t.jax32);

  const rows: [string, number, string][] = [
    ['engine js, in-process (hash init)', j.msPerStep, 'plain TypeScript kernels, 1 thread, one run'],
    ['engine wasm f64, in-process', w64.ms, 'WebAssembly SIMD kernels, float64, 1 thread'],
    ['engine wasm f32, in-process', w32.ms, 'WebAssembly SIMD kernels, float32 network arithmetic, 1 thread'],
    ['engine native f64, in-process', n64.ms, `${nativeNote}, 1 thread`],
    ['engine native f32, in-process', n32.ms, `${nativeNote}, float32 network arithmetic, 1 thread`],
    ['engine auto f64, runEnsemble 1 worker', run1, 'mod-3 relation of the same size, own init; includes worker start-up'],
    ['engine auto f64, runEnsemble 2 workers', run2, '4 replicas per worker (in rounds with the native and JAX rows)'],
  ];
  const peerRow = (name: string, r: PeerResult) => rows.push([name, r.msPerStep, r.skipped ? `skipped: ${r.skipped}` : r.note]);
  peerRow('PyTorch f64, 2 threads (peer)', torch);
  peerRow('PyTorch f32, 2 threads (peer)', torch32);
  peerRow('JAX f64, jit + vmap + scan (peer)', { ...jax, note: jax.skipped ? jax.note : `${jax.note}, in rounds with the engine` });
  peerRow('JAX f32, jit + vmap + scan (peer)', { ...jax32, note: jax32.skipped ? jax32.note : `${jax32.note}, in rounds with the engine` });
  for (const [name, v, note] of rows) console.log(`  ${name.padEnd(40)} ${ms(v).padStart(8)} ms/step  ${note}`);
  const one64 = Number.isFinite(n64.ms) ? n64.ms : w64.ms;
  const one32 = Number.isFinite(n32.ms) ? n32.ms : w32.ms;
  if (Number.isFinite(jax.msPerStep)) {
    console.log(
      `  ratio engine f64 1 thread / JAX f64 = ${(one64 / jax.msPerStep).toFixed(2)}  (target ≤ 1: ${one64 <= jax.msPerStep ? 'met' : 'NOT met'})`,
    );
    console.log(
      `  ratio engine f64 2 workers / JAX f64 = ${(run2 / jax.msPerStep).toFixed(2)}  (target ≤ 0.6: ${run2 <= 0.6 * jax.msPerStep ? 'met' : 'NOT met'})`,
    );
  }
  if (Number.isFinite(jax32.msPerStep))
    console.log(
      `  ratio engine f32 1 thread / JAX f32 = ${(one32 / jax32.msPerStep).toFixed(2)}  (target ≤ 1: ${one32 <= jax32.msPerStep ? 'met' : 'NOT met'})`,
    );
  const best = Math.min(w64.ms, run2);
  if (Number.isFinite(torch.msPerStep)) {
    console.log(
      `  ratio PyTorch f64 / engine wasm f64 in-process (1 thread) = ${(torch.msPerStep / w64.ms).toFixed(2)}  (> 1: engine faster)`,
    );
    console.log(`  ratio PyTorch f64 / engine wasm f64 2 workers             = ${(torch.msPerStep / run2).toFixed(2)}`);
    console.log(
      `  target W3 float64: best engine ${ms(best)} ≤ PyTorch f64 ${ms(torch.msPerStep)} ms/step: ${best <= torch.msPerStep ? 'met' : 'NOT met'}`,
    );
  }
  if (Number.isFinite(torch32.msPerStep))
    console.log(`  ratio PyTorch f32 / engine wasm f32 in-process = ${(torch32.msPerStep / w32.ms).toFixed(2)}`);
  const ref = torch.lossEnd;
  const rel = (e: number) => (Number.isFinite(ref) ? Math.abs(e - ref) / Math.abs(ref) : null);
  const relDiff = rel(w64.meanEnergy);
  const relDiffJs = rel(j.meanEnergy);
  const relDiffNative = Number.isFinite(n64.meanEnergy) ? rel(n64.meanEnergy) : null;
  const jaxRef = jax.lossEnd;
  console.log(
    `  T = 0 check (GD, ${steps} steps): engine mean loss wasm ${w64.meanEnergy.toPrecision(16)}, js ${j.meanEnergy.toPrecision(16)}, PyTorch f64 loss_end ${Number.isFinite(ref) ? ref.toPrecision(16) : `— (${torch.skipped})`}` +
      (relDiff !== null
        ? `, relative difference wasm ${relDiff.toExponential(2)}, js ${relDiffJs!.toExponential(2)} (target ≤ 1e-10: ${relDiff <= 1e-10 && relDiffJs! <= 1e-10 ? 'met' : 'NOT met'})`
        : ''),
  );
  if (relDiffNative !== null)
    console.log(
      `  T = 0 check, native f64: mean loss ${n64.meanEnergy.toPrecision(16)}, relative difference to PyTorch ${relDiffNative.toExponential(2)}` +
        (Number.isFinite(jaxRef) ? `, to JAX ${(Math.abs(n64.meanEnergy - jaxRef) / Math.abs(jaxRef)).toExponential(2)}` : '') +
        ` (target ≤ 1e-10: ${relDiffNative <= 1e-10 ? 'met' : 'NOT met'})`,
    );
  const toy = toyAdditionTimes(steps, reps);
  console.log(
    `  toy-addition (p 10, 45 pairs, MSE, GD, ${R} replicas, in-process), ms/step js / wasm f64 / wasm f32: ` +
      toy.map((t) => `${t.shape} ${ms(t.js)} / ${ms(t.wasm64)} / ${ms(t.wasm32)} (${t.steps} steps)`).join('; '),
  );
  return {
    steps,
    engineJs: j.msPerStep,
    engineWasm: w64.ms,
    engineWasm32: w32.ms,
    engineNative: n64.ms,
    engineNative32: n32.ms,
    jax: jax.skipped ? null : jax,
    jax32: jax32.skipped ? null : jax32,
    engineRun1: run1,
    engineRun2: run2,
    torch: torch.skipped ? null : torch,
    torch32: torch32.skipped ? null : torch32,
    t0: { wasm: w64.meanEnergy, js: j.meanEnergy, torch: Number.isFinite(ref) ? ref : null, relDiff, relDiffJs },
    toyAddition: toy,
  };
}
