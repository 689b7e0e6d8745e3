/**
 * Adaptive multilevel splitting (AMS) for the probability that a trajectory
 * leaving a set A reaches a set B before returning to A, and the statistics of
 * the loops out of A that turn that probability into a mean first-passage time.
 *
 * The algorithm is the generalised AMS of Bréhier, Gazeau, Goudenège, Lelièvre
 * & Rousset (Ann. Appl. Probab. 26, 3559, 2016), built on Cérou & Guyader
 * (Stoch. Anal. Appl. 25, 417, 2007): N walkers start at first crossings of a
 * level z₀ of the reaction coordinate ξ just outside A and run until they reach
 * A or B; each walker's score is the maximum of ξ along its path (+∞ once it is
 * in B). At iteration q the level Z_q is the k-th smallest score; every walker
 * with score ≤ Z_q is killed (K_q ≥ k of them: all ties, which keeps the
 * estimator unbiased, §3 of Bréhier et al.) and replaced by a copy of a
 * uniformly chosen survivor up to the first time that survivor's ξ exceeded
 * Z_q, continued with fresh noise. The run stops when Z_q = +∞ (at least
 * N − k + 1 walkers are in B) or when every walker would be killed
 * (extinction: the estimate is 0). The estimator
 *   p̂ = Π_q (1 − K_q / N) · (1/N) Σ_j 1{walker j reached B}
 * is unbiased for any N ≥ 2, k < N (Bréhier et al. 2016, Theorem 4.1).
 *
 * Knows no potential: ξ and the sets are functions of one replica's
 * coordinates. Every random draw comes from a stream keyed by
 * (seed, run, repetition, purpose), so a repetition gives the same numbers
 * wherever and whenever it runs.
 */
import { constantControl, type StepControl } from './control.js';
import { createState } from './state.js';
import type { CoordinateSettings, EnsembleState, Integrator, Potential } from './types.js';
import { seedStream, uniform53 } from '../random/rng.js';

/** What one AMS repetition needs besides the potential and the integrator. */
export interface SplittingProblem {
  /** Reaction coordinate ξ of the replica whose coordinates start at `x[offset]`; increases from A to B. */
  coordinate(x: Float64Array, offset: number): number;
  /** Whether the replica is in A (the starting set). */
  inA(x: Float64Array, offset: number): boolean;
  /** Whether the replica is in B (the target set). */
  inB(x: Float64Array, offset: number): boolean;
  /** Level z₀ of ξ just outside A whose first crossings start the walkers. */
  level: number;
}

/** Settings of {@link runSplittingRepetition}. */
export interface SplittingOptions {
  /** Walkers N (≥ 2). */
  walkers: number;
  /** Walkers killed per iteration k (1 ≤ k < N; ties at the level are killed too). */
  kill: number;
  /** Seed and run index: the root of every stream key. */
  seed: number;
  run: number;
  /** Index of this independent repetition (part of every stream key). */
  repetition: number;
  /** Starting point of the equilibrium trajectory in A (`dim` values). */
  start: Float64Array;
  /** Momenta and optimizer buffers the integrator needs, and the minibatch size (0: full batch). */
  momenta: boolean;
  optimizerSlots: number;
  batchSize: number;
  /** Guard against a walker that never reaches A or B: at most this many steps per walker segment. */
  maxSegmentSteps: number;
  /** Guard on the number of iterations (the run is marked incomplete beyond it). */
  maxIterations: number;
}

/** The outcome of one AMS repetition. Times are in steps. */
export interface SplittingRepetition {
  repetition: number;
  /** Unbiased estimate p̂ of P(reach B before A | start at a first crossing of z₀). */
  probability: number;
  /** Iterations Q and the walkers killed in total (Σ K_q). */
  iterations: number;
  killed: number;
  /** Walkers in B at the end. */
  reached: number;
  /** True when every walker would have been killed (p̂ = 0). */
  extinct: boolean;
  /** False when a guard stopped the run (maxIterations or maxSegmentSteps). */
  complete: boolean;
  /** Mean duration of the walkers that reached B, from z₀ to B (NaN if none). */
  reactiveSteps: number;
  /** Equilibrium trajectory in A: loops A → z₀ → A completed, and their durations split at the crossing. */
  loops: number;
  /** Σ and Σ² of the time from (re)entering A to crossing z₀ over the crossings recorded. */
  toLevelSum: number;
  toLevelSumSq: number;
  crossings: number;
  /** Σ and Σ² of the time from crossing z₀ back into A over the completed loops. */
  backSum: number;
  backSumSq: number;
  /** Crossings of the equilibrium trajectory that went on to B before A (restarted at the start point). */
  escapes: number;
  /** Integrator steps of this repetition: equilibrium trajectory + walkers. */
  replicaSteps: number;
}

/** A snapshot of one replica: positions, momenta and optimizer buffers, with its ξ and elapsed steps. */
interface Snapshot {
  xi: number;
  steps: number;
  x: Float64Array;
  v: Float64Array;
  opt: Float64Array;
}

/** A walker: the records of its path (each a new maximum of ξ), its score and duration. */
interface Walker {
  records: Snapshot[];
  score: number;
  steps: number;
  inB: boolean;
}

function snapshot(state: EnsembleState, xi: number, steps: number): Snapshot {
  return { xi, steps, x: state.x.slice(), v: state.v.slice(), opt: state.opt.slice() };
}

function restore(state: EnsembleState, s: Snapshot): void {
  state.x.set(s.x);
}

/**
 * Re-seed the one-replica state's noise stream with `purpose`, put it at the
 * snapshot and initialise the integrator there (gradient cache, noise block);
 * momenta and optimizer buffers are then copied from the snapshot, so a clone
 * continues the survivor's full integrator state.
 */
function startAt(
  state: EnsembleState,
  s: Snapshot,
  integrator: Integrator,
  potential: Potential,
  control: StepControl,
  o: SplittingOptions,
  purpose: string,
): void {
  seedStream(state.rng, 0, o.seed, o.run, o.repetition, purpose);
  if (state.batchRng.length > 0) seedStream(state.batchRng, 0, o.seed, o.run, o.repetition, `${purpose}/batch`);
  restore(state, s);
  integrator.init(state, potential, control);
  if (state.v.length > 0) state.v.set(s.v);
  if (state.opt.length > 0) state.opt.set(s.opt);
}

/**
 * One AMS repetition: the equilibrium trajectory, then the walkers and the
 * iterations. `integrator` (built with `settings`, which are held constant)
 * runs a one-replica state, one walker after the other, re-initialised at each
 * start so that each walker draws only from its own stream. Times in steps.
 */
export function runSplittingRepetition(
  potential: Potential,
  integrator: Integrator,
  settings: CoordinateSettings,
  problem: SplittingProblem,
  options: SplittingOptions,
): SplittingRepetition {
  const o = options;
  const N = o.walkers;
  const dim = potential.dim;
  const control = constantControl(settings);
  const state = createState({
    count: 1,
    dim,
    firstReplica: 0,
    seed: o.seed,
    run: o.run,
    momenta: o.momenta,
    optimizerSlots: o.optimizerSlots,
    batchSize: o.batchSize > 0 ? o.batchSize : undefined,
  });
  const x = state.x;
  let replicaSteps = 0;

  // 1. Equilibrium trajectory in A: record first crossings of z₀ after each visit to A
  //    (the walkers' starting points) and the loop statistics of the MFPT relation.
  const startSnap: Snapshot = {
    xi: problem.coordinate(o.start, 0),
    steps: 0,
    x: o.start.slice(),
    v: state.v.slice(),
    opt: state.opt.slice(),
  };
  let segment = 0;
  startAt(state, startSnap, integrator, potential, control, o, `ams/equilibrium/${segment}`);
  const starts: Snapshot[] = [];
  let inside = true; // counts as in A at the start: the first crossing ends the first A → z₀ leg
  let legStart = 0;
  let crossedAt = 0;
  let t = 0;
  let loops = 0,
    crossings = 0,
    escapes = 0;
  let toLevelSum = 0,
    toLevelSumSq = 0,
    backSum = 0,
    backSumSq = 0;
  let sinceEvent = 0;
  let complete = true;
  while (starts.length < N) {
    integrator.step(state, potential, control);
    t++;
    replicaSteps++;
    sinceEvent++;
    if (sinceEvent > o.maxSegmentSteps) {
      complete = false;
      break;
    }
    if (inside) {
      if (problem.inA(x, 0)) continue;
      const xi = problem.coordinate(x, 0);
      if (xi >= problem.level) {
        const d = t - legStart;
        toLevelSum += d;
        toLevelSumSq += d * d;
        crossings++;
        starts.push(snapshot(state, xi, 0));
        inside = false;
        crossedAt = t;
        sinceEvent = 0;
      }
    } else if (problem.inB(x, 0)) {
      // This loop escaped: the MFPT relation needs loops that return to A, so
      // restart from the start point (a fresh stream) and discard the loop.
      escapes++;
      segment++;
      startAt(state, startSnap, integrator, potential, control, o, `ams/equilibrium/${segment}`);
      inside = true;
      legStart = t;
      sinceEvent = 0;
    } else if (problem.inA(x, 0)) {
      const d = t - crossedAt;
      backSum += d;
      backSumSq += d * d;
      loops++;
      inside = true;
      legStart = t;
      sinceEvent = 0;
    }
  }

  // 2. Walkers from the crossings, each run until A or B.
  const runWalker = (walker: Walker, purpose: string): void => {
    const last = walker.records[walker.records.length - 1];
    startAt(state, last, integrator, potential, control, o, purpose);
    let steps = last.steps;
    let max = walker.score;
    for (let s = 0; ; s++) {
      if (s >= o.maxSegmentSteps) {
        complete = false;
        break;
      }
      integrator.step(state, potential, control);
      steps++;
      replicaSteps++;
      if (problem.inB(x, 0)) {
        // Recorded with ξ = +∞ so that a level above every finite record still finds a cut point.
        walker.records.push(snapshot(state, Infinity, steps));
        walker.inB = true;
        walker.score = Infinity;
        break;
      }
      if (problem.inA(x, 0)) break;
      const xi = problem.coordinate(x, 0);
      if (xi > max) {
        max = xi;
        walker.records.push(snapshot(state, xi, steps));
      }
    }
    if (!walker.inB) walker.score = max;
    walker.steps = steps;
  };

  const walkers: Walker[] = [];
  for (let j = 0; j < N && complete; j++) {
    const s0 = starts[j];
    const w: Walker = { records: [s0], score: s0.xi, steps: 0, inB: false };
    runWalker(w, `ams/walker/0/${j}`);
    walkers.push(w);
  }

  // 3. Iterations: kill the walkers at or below the k-th smallest score, clone survivors.
  const choice = new Uint32Array(4);
  const scores = new Float64Array(N);
  let logFactor = 0;
  let iterations = 0;
  let killedTotal = 0;
  let extinct = false;
  while (complete && walkers.length === N) {
    for (let j = 0; j < N; j++) scores[j] = walkers[j].score;
    const sorted = scores.slice().sort();
    const level = sorted[o.kill - 1];
    if (level === Infinity) break;
    const killed: number[] = [];
    const survivors: number[] = [];
    for (let j = 0; j < N; j++) (walkers[j].score <= level ? killed : survivors).push(j);
    if (survivors.length === 0) {
      extinct = true;
      break;
    }
    if (iterations >= o.maxIterations) {
      complete = false;
      break;
    }
    iterations++;
    killedTotal += killed.length;
    logFactor += Math.log1p(-killed.length / N);
    seedStream(choice, 0, o.seed, o.run, o.repetition, `ams/choice/${iterations}`);
    const parents = killed.map(() => survivors[Math.floor(uniform53(choice, 0) * survivors.length)]);
    for (let i = 0; i < killed.length; i++) {
      const parent = walkers[parents[i]];
      // The first record above the level: the survivor's first crossing of Z_q.
      let cut = 0;
      while (parent.records[cut].xi <= level) cut++;
      const at = parent.records[cut];
      const clone: Walker = { records: parent.records.slice(0, cut + 1), score: at.xi, steps: at.steps, inB: at.xi === Infinity };
      if (!clone.inB) runWalker(clone, `ams/walker/${iterations}/${killed[i]}`);
      walkers[killed[i]] = clone;
    }
  }

  let reached = 0;
  let reactive = 0;
  for (const w of walkers) {
    if (w.inB) {
      reached++;
      reactive += w.steps;
    }
  }
  const probability = extinct || walkers.length < N ? 0 : Math.exp(logFactor) * (reached / N);
  return {
    repetition: o.repetition,
    probability,
    iterations,
    killed: killedTotal,
    reached,
    extinct,
    complete,
    reactiveSteps: reached > 0 ? reactive / reached : NaN,
    loops,
    toLevelSum,
    toLevelSumSq,
    crossings,
    backSum,
    backSumSq,
    escapes,
    replicaSteps,
  };
}
