/**
 * One shard of a replica-exchange run: the shard owns ladders ("sets")
 * `firstSet … firstSet + count − 1`; each set has one replica per rung. The
 * shard builds one ensemble state per rung (holding its sets), runs
 * `interval` steps on every rung, then proposes neighbour swaps inside each
 * set. Sets never interact, so shards need no communication, and every swap
 * decision comes from the set's own stream: the results are identical for
 * any number of workers and shards.
 *
 * Swap criterion (detailed balance for the product of the rungs' Gibbs
 * densities π_k(x) ∝ exp(−G_k(x)/θ_k), G_k = U_k + Σ_j λ_j x_j²/2, the density
 * full-batch SGLD / BAOAB / SGHMC sample; weight decay λ is part of the drift
 * and therefore of G): accept the swap of x_a, x_b between rungs a and b = a + 1 with
 * min(1, exp(−[G_a(x_b)/θ_a + G_b(x_a)/θ_b − G_a(x_a)/θ_a − G_b(x_b)/θ_b])).
 * A temperature ladder (G_a = G_b) reduces to exp((1/θ_a − 1/θ_b)(G(x_a) − G(x_b))),
 * a parameter ladder at one θ to exp(−[U_a(x_b) + U_b(x_a) − U_a(x_a) − U_b(x_b)]/θ).
 * Momenta travel with their configuration, rescaled by √(θ_to/θ_from)
 * (Sugita & Okamoto 2000, Chem. Phys. Lett. 329, 261) so they stay Maxwellian at the new temperature.
 */
import {
  createState,
  DynamicsSchedule,
  evaluate,
  gradientEstimator,
  integrators,
  initialise,
  Stream,
  type EnsembleState,
  type Integrator,
  type IntegratorSnapshot,
  type Observer,
  type Potential,
} from '../engine/index.js';
import { checkEnergies } from '../engine/integrators/common.js';
import { buildPotential } from '../potentials/index.js';
import { createObservableSet } from '../observables/observables.js';
import { FinalsRecorder, HistogramRecorder, TraceRecorder } from '../observables/recorders.js';
import { createSamplingRecorder } from '../observables/sampling.js';
import type { ShardResult } from '../observables/results.js';
import type { ExchangeScheme, Scenario } from '../scenario/types.js';
import type { RunPlan } from '../plan/run-plan.js';

/** One rung of a ladder: its scenario (the key set to the rung's value) and its resolved plan. */
export interface ExchangeRung {
  scenario: Scenario;
  plan: RunPlan;
}

export interface ExchangeShardSpec {
  rungs: ExchangeRung[];
  /** True when the rungs differ in the potential (a parameter ladder): cross energies are evaluated. */
  hamiltonian: boolean;
  interval: number;
  scheme: ExchangeScheme;
  /** First set (ladder) of this shard and the number of sets. */
  firstSet: number;
  count: number;
  /** Ladder adaptation (temperature ladders, src/runs/exchange-adapt.ts); absent = the rungs' own temperatures throughout. */
  adapt?: ExchangeShardAdapt;
  /** Continue this shard from a snapshot of it (the same sets and rungs) instead of starting it. */
  resume?: ExchangeSnapshot;
}

/**
 * An exchange shard stopped between two exchange rounds: every rung's
 * ensemble, integrator and recorders, and the exchange state (counts, walkers,
 * round-trip trackers, swap streams, the adaptation segment). Structured-clone
 * friendly; `runExchangeShard` continues from it to the same result.
 */
export interface ExchangeSnapshot {
  firstSet: number;
  count: number;
  /** The next block of steps starts after step `s0`; `round` exchange rounds are done. */
  s0: number;
  round: number;
  segment: number;
  frozenRound: number;
  tally: ExchangeTally;
  walkerPath: Int32Array | null;
  direction: Uint8Array;
  leftBottom: Float64Array;
  streams: Uint32Array[];
  rungs: Array<{
    state: Record<string, Float64Array | Uint32Array | Uint8Array | number>;
    integrator: IntegratorSnapshot;
    recorders: unknown[];
    cursor: number[];
    temperature: number;
  }>;
}

/** An exchange shard stopped on request, with its snapshot. */
export class ExchangeStopped extends Error {
  override readonly name = 'ExchangeStopped';
  constructor(readonly snapshot: ExchangeSnapshot | undefined) {
    super('interrupted');
  }
}

/** How a caller steers a running exchange shard (asked between exchange rounds of the observed run, not in adaptation passes). */
export interface ExchangeShardHooks {
  /** True stops the shard after the current round with a snapshot (ExchangeStopped). */
  shouldStop?: () => boolean;
  /** Hand a snapshot to `onSnapshot` about this often (seconds; never more often than 50 × its cost). */
  snapshotSeconds?: number;
  onSnapshot?: (snapshot: ExchangeSnapshot) => void;
  /** Give the event loop a turn about this often (milliseconds), in the main thread. */
  yieldMilliseconds?: number;
}

const STATE_ARRAYS = ['x', 'energy', 'grad', 'v', 'opt', 'rng', 'batchRng', 'frozen', 'divergedAt', 'divergedReason'] as const;

/**
 * The temperatures of an adapting ladder, segment by segment. Segment j runs
 * from step `ends[j − 1]` (0 for j = 0) to `ends[j]`, its last exchange round
 * at step `ends[j]` included, at temperatures `temperatures[j]`; after the last
 * end the ladder is frozen at `temperatures[ends.length]`. An adaptation pass
 * (`stopAt`) knows only the first segments' temperatures: it runs to `stopAt`
 * (a segment end) without observers and returns the per-segment counts, from
 * which the main thread computes the next segment's ladder. Every pass
 * replays the run from step 0, so the final run is the same for any number of
 * shards.
 */
export interface ExchangeShardAdapt {
  ends: number[];
  temperatures: number[][];
  stopAt?: number;
}

/**
 * The exchange counts of a shard, per set (mergeable by concatenation in set
 * order): `accepted` / `attempted` are `count × (K − 1)`, pair p = rungs (p, p+1);
 * a round trip is a walker's passage from rung 0 to rung K−1 and back.
 */
export interface ExchangeTally {
  firstSet: number;
  count: number;
  rungs: number;
  rounds: number;
  accepted: Int32Array;
  attempted: Int32Array;
  roundTrips: Int32Array;
  /** Sum over the set's completed round trips of their duration in exchange rounds. */
  roundTripRounds: Float64Array;
  /** `count × K`: which walker (0 … K−1, its starting rung) sits at each rung at the end. */
  walkerAt: Int32Array;
  /**
   * With adaptation: per adaptation segment, the swaps accepted / attempted
   * (`count × (K − 1)` each) while the ladder was adapting. `accepted`,
   * `attempted`, `rounds` and the round trips above then count only the rounds
   * after the ladder froze.
   */
  segments?: Array<{ accepted: Int32Array; attempted: Int32Array }>;
  /**
   * The shard holding ladder 0 (firstSet 0): the rung of each of ladder 0's
   * walkers after every exchange round, `(rounds + 1) × K` (row 0 = the start,
   * walker w at rung w), over all rounds including any adaptation.
   * Absent in other shards and in adaptation passes.
   */
  walkerPath?: Int32Array;
}

export interface ExchangeShardResult {
  /** Per rung, the results of the replicas at that rung (as a plain run's shard); empty for an adaptation pass. */
  rungs: ShardResult[];
  tally: ExchangeTally;
}

interface RungRuntime {
  potential: Potential;
  integrator: Integrator;
  schedule: DynamicsSchedule;
  state: EnsembleState;
  observers: Observer[];
  cursor: number[];
  finish: () => ShardResult;
  temperature: number;
  weightDecay: Float64Array;
}

/** Σ_j λ_j x_j² / 2 for row r: the weight-decay part of the Gibbs energy. */
function decayEnergy(weightDecay: Float64Array, x: Float64Array, r: number, dim: number): number {
  let e = 0;
  for (let j = 0; j < dim; j++) {
    const v = x[r * dim + j];
    e += 0.5 * weightDecay[j] * v * v;
  }
  return e;
}

export async function runExchangeShard(spec: ExchangeShardSpec, hooks: ExchangeShardHooks = {}): Promise<ExchangeShardResult> {
  const t0 = performance.now();
  const K = spec.rungs.length;
  const n = spec.count;
  let shared: Potential | undefined;
  const runtimes: RungRuntime[] = [];
  for (let k = 0; k < K; k++) {
    const { scenario: s, plan } = spec.rungs[k];
    // A temperature ladder shares one potential; a parameter ladder builds one per rung, all with run 0 (the same data).
    const potential = !spec.hamiltonian && shared ? shared : await buildPotential(s.potential, { seed: s.seed, run: 0 });
    shared ??= potential;
    const gradient = gradientEstimator({ batchSize: undefined });
    const integrator = integrators.get(plan.integrator).build(plan.settings, { ...plan.integratorOptions, gradient });
    const schedule = new DynamicsSchedule(plan.settings, potential.groups, plan.schedules, plan.steps);
    // Rung k draws from the streams of run k: rung 0 replays a plain run of its scenario until the first accepted swap.
    const state = createState({
      count: n,
      dim: potential.dim,
      firstReplica: spec.firstSet,
      seed: s.seed,
      run: k,
      momenta: plan.momenta,
      optimizerSlots: plan.optimizerSlots,
    });
    const saved = spec.resume?.rungs[k];
    if (!saved) initialise(state, potential, s.ensemble.init);
    const obsNames = s.observe.observables;
    const traces = new TraceRecorder(plan.grid, createObservableSet(obsNames, potential), spec.firstSet, n, plan.replicas);
    const histograms = s.observe.histograms.map(
      (h) => new HistogramRecorder(h, createObservableSet([h.of], potential)[0], plan.grid, plan.steps, n),
    );
    const finals = new FinalsRecorder(createObservableSet(obsNames, potential), plan.steps, n, spec.firstSet);
    const sampling = s.sampling ? createSamplingRecorder(s.sampling, potential, plan.steps, n, spec.firstSet, plan.replicas) : null;
    const observers: Observer[] = [traces, ...histograms, finals, ...(sampling ? [sampling] : [])];
    schedule.advance(0);
    if (spec.adapt) {
      schedule.control.temperature.fill(spec.adapt.temperatures[0][k]);
      schedule.control.changed();
    }
    if (saved) {
      for (const key of STATE_ARRAYS) (state[key] as Float64Array).set(saved.state[key] as Float64Array);
      state.cacheStep = saved.state.cacheStep as number;
      state.step = saved.state.step as number;
      observers.forEach((o, i) => o.loadState!(saved.recorders[i]));
      if (spec.adapt) {
        schedule.control.temperature.fill(saved.temperature);
        schedule.control.changed();
      }
      integrator.resume!(saved.integrator, state, potential, schedule.control);
    } else integrator.init(state, potential, schedule.control);
    runtimes.push({
      potential,
      integrator,
      schedule,
      state,
      observers,
      cursor: saved ? [...saved.cursor] : observers.map(() => 0),
      temperature: saved ? saved.temperature : spec.adapt ? spec.adapt.temperatures[0][k] : plan.settings.temperature[0],
      weightDecay: plan.settings.weightDecay,
      finish: () => ({
        firstReplica: spec.firstSet,
        count: n,
        traces: traces.result(),
        histograms: histograms.map((h) => h.result()),
        events: [],
        finals: finals.result(),
        ...(sampling ? { sampling: sampling.result() } : {}),
        ...(plan.stepSizes
          ? {
              stepSizes: {
                curvature: plan.stepSizes.curvature,
                perProbe: plan.stepSizes.perProbe,
                lr: plan.stepSizes.lr,
                preconditioner: plan.stepSizes.preconditioner,
              },
            }
          : {}),
        divergedAt: state.divergedAt,
        divergedReason: state.divergedReason,
        steps: plan.steps,
        wallSeconds: 0,
      }),
    });
  }
  const steps = spec.rungs[0].plan.steps;
  const dim = runtimes[0].state.dim;

  // Observers at `step` (the merged step lists of simulate.ts, per rung).
  const fire = (rt: RungRuntime, step: number) => {
    let checked = false;
    for (let i = 0; i < rt.observers.length; i++) {
      const at = rt.observers[i].at;
      if (!(rt.cursor[i] < at.length && at[rt.cursor[i]] === step)) continue;
      if (!checked) checkEnergies(rt.state);
      checked = true;
      while (rt.cursor[i] < at.length && at[rt.cursor[i]] === step) {
        rt.observers[i].observe(rt.state, rt.potential, step, rt.cursor[i]);
        rt.cursor[i]++;
      }
    }
  };

  const tally: ExchangeTally = {
    firstSet: spec.firstSet,
    count: n,
    rungs: K,
    rounds: 0,
    accepted: new Int32Array(n * (K - 1)),
    attempted: new Int32Array(n * (K - 1)),
    roundTrips: new Int32Array(n),
    roundTripRounds: new Float64Array(n),
    walkerAt: new Int32Array(n * K),
  };
  for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) tally.walkerAt[i * K + k] = k;
  const adapt = spec.adapt;
  // The adaptation segment the run is in (ends.length = frozen), and the round at which the ladder froze.
  let segment = 0;
  let frozenRound = 0;
  const segmentCount = adapt ? adapt.ends.length : 0;
  if (adapt)
    tally.segments = Array.from({ length: Math.min(segmentCount, adapt.temperatures.length) }, () => ({
      accepted: new Int32Array(n * (K - 1)),
      attempted: new Int32Array(n * (K - 1)),
    }));
  const stopAt = adapt?.stopAt ?? steps;
  const observing = adapt?.stopAt === undefined;
  // Ladder 0's walkers, round by round (the walker-flow plot of the exchange report).
  const recordPath = observing && spec.firstSet === 0 && n > 0;
  const totalRounds = Math.max(0, Math.ceil(steps / spec.interval) - 1);
  const walkerPath = recordPath ? new Int32Array((totalRounds + 1) * K) : null;
  const rungOfWalker = (row: number) => {
    for (let k = 0; k < K; k++) walkerPath![row * K + tally.walkerAt[k]] = k;
  };
  if (walkerPath) rungOfWalker(0);
  // Per walker: 0 = not yet at rung 0, 1 = left rung 0 (going up), 2 = reached rung K−1 (coming back); the round it last left rung 0.
  const direction = new Uint8Array(n * K);
  const leftBottom = new Float64Array(n * K);
  for (let i = 0; i < n; i++) direction[i * K] = 1;
  const streams = Array.from({ length: n }, (_, i) => new Stream(spec.rungs[0].scenario.seed, 0, spec.firstSet + i, 'exchange'));
  // Energies of each rung's configurations under the rung below / above (parameter ladders only).
  const below = runtimes.map(() => new Float64Array(n));
  const above = runtimes.map(() => new Float64Array(n));
  const scratchGrad = new Float64Array(n * dim);
  let round = 0;
  let start = 0;
  const resume = spec.resume;
  if (resume) {
    if (resume.firstSet !== spec.firstSet || resume.count !== n || resume.rungs.length !== K || !observing)
      throw new Error(`exchange snapshot of sets ${resume.firstSet}+${resume.count} handed to shard ${spec.firstSet}+${n}`);
    start = resume.s0;
    round = resume.round;
    segment = resume.segment;
    frozenRound = resume.frozenRound;
    const t = resume.tally;
    tally.rounds = t.rounds;
    tally.accepted.set(t.accepted);
    tally.attempted.set(t.attempted);
    tally.roundTrips.set(t.roundTrips);
    tally.roundTripRounds.set(t.roundTripRounds);
    tally.walkerAt.set(t.walkerAt);
    t.segments?.forEach((sg, j) => {
      tally.segments![j].accepted.set(sg.accepted);
      tally.segments![j].attempted.set(sg.attempted);
    });
    if (walkerPath && resume.walkerPath) walkerPath.set(resume.walkerPath);
    direction.set(resume.direction);
    leftBottom.set(resume.leftBottom);
    streams.forEach((st, i) => st.loadState(resume.streams[i]));
  } else if (observing)
    for (const rt of runtimes) {
      rt.state.step = 0;
      fire(rt, 0);
    }

  // Between rounds of the observed run: a stop, a snapshot, or (in the main thread) a turn of the event loop.
  const t0Poll = performance.now();
  const every = hooks.snapshotSeconds !== undefined && hooks.onSnapshot ? hooks.snapshotSeconds * 1000 : Infinity;
  let snapshotDue = t0Poll + every;
  let yieldDue = t0Poll + (hooks.yieldMilliseconds ?? Infinity);
  const snapshotAt = (next: number): ExchangeSnapshot => ({
    firstSet: spec.firstSet,
    count: n,
    s0: next,
    round,
    segment,
    frozenRound,
    tally: {
      ...tally,
      accepted: tally.accepted.slice(),
      attempted: tally.attempted.slice(),
      roundTrips: tally.roundTrips.slice(),
      roundTripRounds: tally.roundTripRounds.slice(),
      walkerAt: tally.walkerAt.slice(),
      ...(tally.segments
        ? { segments: tally.segments.map((sg) => ({ accepted: sg.accepted.slice(), attempted: sg.attempted.slice() })) }
        : {}),
    },
    walkerPath: walkerPath ? walkerPath.slice() : null,
    direction: direction.slice(),
    leftBottom: leftBottom.slice(),
    streams: streams.map((st) => st.saveState()),
    rungs: runtimes.map((rt) => ({
      state: {
        ...Object.fromEntries(STATE_ARRAYS.map((key) => [key, rt.state[key].slice()])),
        cacheStep: rt.state.cacheStep,
        step: rt.state.step,
      },
      integrator: rt.integrator.snapshot!(),
      recorders: rt.observers.map((o) => o.saveState!()),
      cursor: [...rt.cursor],
      temperature: rt.temperature,
    })),
  });
  const canSnapshot = runtimes.every((rt) => rt.integrator.snapshot !== undefined && rt.integrator.resume !== undefined);

  for (let s0 = start; s0 < stopAt; s0 += spec.interval) {
    if (observing && s0 > start && (hooks.shouldStop || every < Infinity || hooks.yieldMilliseconds !== undefined)) {
      if (hooks.shouldStop?.()) throw new ExchangeStopped(canSnapshot ? snapshotAt(s0) : undefined);
      const now = performance.now();
      if (now >= snapshotDue && canSnapshot) {
        hooks.onSnapshot!(snapshotAt(s0));
        const after = performance.now();
        snapshotDue = after + Math.max(every, 50 * (after - now));
        yieldDue = 0;
      }
      if (now >= yieldDue) {
        await new Promise((r) => setImmediate(r));
        yieldDue = performance.now() + (hooks.yieldMilliseconds ?? Infinity);
      }
    }
    const s1 = Math.min(steps, s0 + spec.interval);
    for (const rt of runtimes) {
      const control = rt.schedule.control;
      for (let s = s0 + 1; s <= s1; s++) {
        rt.state.step = s;
        rt.integrator.step(rt.state, rt.potential, control);
        if (observing) fire(rt, s);
      }
    }
    if (s1 === steps) break; // a swap after the last step would change nothing that is recorded
    exchangeRound(round);
    round++;
    if (walkerPath) rungOfWalker(round);
    if (adapt && segment < segmentCount && s1 === adapt.ends[segment]) {
      segment++;
      if (segment >= adapt.temperatures.length) break; // an adaptation pass: the next ladder is not known yet
      setTemperatures(adapt.temperatures[segment]);
      if (segment === segmentCount) freeze(round);
    }
  }
  tally.rounds = round - frozenRound;
  if (walkerPath) tally.walkerPath = walkerPath.slice(0, (round + 1) * K);

  /** Move every rung to its temperature in `next`; momenta are rescaled by √(θ_new/θ_old) as in a swap. */
  function setTemperatures(next: readonly number[]): void {
    for (let k = 0; k < K; k++) {
      const rt = runtimes[k];
      const scale = Math.sqrt(next[k] / rt.temperature);
      if (rt.state.v.length > 0 && scale !== 1) for (let j = 0; j < rt.state.v.length; j++) rt.state.v[j] *= scale;
      rt.temperature = next[k];
      rt.schedule.control.temperature.fill(next[k]);
      rt.schedule.control.changed();
    }
  }

  /** The ladder froze after round `r`: the counts of the sampling phase start here, round trips from the walkers' positions now. */
  function freeze(r: number): void {
    frozenRound = r;
    tally.accepted.fill(0);
    tally.attempted.fill(0);
    tally.roundTrips.fill(0);
    tally.roundTripRounds.fill(0);
    for (let i = 0; i < n; i++)
      for (let k = 0; k < K; k++) {
        const d = i * K + tally.walkerAt[i * K + k];
        direction[d] = k === 0 ? 1 : 0;
        leftBottom[d] = r;
      }
  }

  function exchangeRound(r: number): void {
    const counts = adapt && segment < segmentCount ? tally.segments![segment] : tally;
    // The integrators leave the energies of the current positions cached (full batch): evaluate only where they did not.
    for (let k = 0; k < K; k++)
      if (runtimes[k].state.cacheStep !== runtimes[k].state.step) evaluate(runtimes[k].state, runtimes[k].potential);
    if (spec.hamiltonian)
      for (let k = 0; k + 1 < K; k++) {
        // U_k(x_{k+1}) and U_{k+1}(x_k)
        runtimes[k].potential.energyAndGradient(runtimes[k + 1].state.x, n, above[k], scratchGrad);
        runtimes[k + 1].potential.energyAndGradient(runtimes[k].state.x, n, below[k + 1], scratchGrad);
      }
    for (let i = 0; i < n; i++) {
      const stream = streams[i];
      const parity = spec.scheme === 'deo' ? r % 2 : stream.uniform() < 0.5 ? 0 : 1;
      for (let p = parity; p + 1 < K; p += 2) {
        const u = stream.uniform(); // drawn for every proposed pair: a fixed number of draws per round
        const a = runtimes[p],
          b = runtimes[p + 1];
        if (a.state.frozen[i] || b.state.frozen[i]) continue;
        const xa = a.state.x,
          xb = b.state.x;
        const gaa = a.state.energy[i] + decayEnergy(a.weightDecay, xa, i, dim);
        const gbb = b.state.energy[i] + decayEnergy(b.weightDecay, xb, i, dim);
        const gab = (spec.hamiltonian ? above[p][i] : b.state.energy[i]) + decayEnergy(a.weightDecay, xb, i, dim);
        const gba = (spec.hamiltonian ? below[p + 1][i] : a.state.energy[i]) + decayEnergy(b.weightDecay, xa, i, dim);
        const logAccept = -(gab / a.temperature + gba / b.temperature - gaa / a.temperature - gbb / b.temperature);
        counts.attempted[i * (K - 1) + p]++;
        if (!(logAccept >= 0 || u < Math.exp(logAccept))) continue;
        counts.accepted[i * (K - 1) + p]++;
        swapRows(a.state, b.state, i, dim, a.temperature, b.temperature, !spec.hamiltonian);
        const w = tally.walkerAt;
        const t = w[i * K + p];
        w[i * K + p] = w[i * K + p + 1];
        w[i * K + p + 1] = t;
      }
      // Round trips, counted in exchange rounds (r + 1 rounds done).
      for (let k = 0; k < K; k += K - 1) {
        const walker = tally.walkerAt[i * K + k];
        const d = i * K + walker;
        if (k === 0) {
          if (direction[d] === 2) {
            tally.roundTrips[i]++;
            tally.roundTripRounds[i] += r + 1 - leftBottom[d];
          }
          if (direction[d] !== 1) leftBottom[d] = r + 1;
          direction[d] = 1;
        } else if (direction[d] === 1) direction[d] = 2;
      }
    }
    // In a temperature ladder the energies and gradients travelled with their configurations (one potential); in a
    // parameter ladder they belong to other potentials now.
    if (spec.hamiltonian) for (let k = 0; k < K; k++) evaluate(runtimes[k].state, runtimes[k].potential);
  }

  const wall = (performance.now() - t0) / 1000;
  if (!observing) return { rungs: [], tally };
  return { rungs: runtimes.map((rt) => ({ ...rt.finish(), wallSeconds: wall / K })), tally };
}

/**
 * Exchange replica i's configuration (and momenta, rescaled to the new
 * temperature) between two rung states; with `cached`, also its cached energy
 * and gradient (one potential for both rungs: they are those of the
 * configuration, as a fresh evaluation would give them row by row).
 */
function swapRows(a: EnsembleState, b: EnsembleState, i: number, dim: number, thetaA: number, thetaB: number, cached: boolean): void {
  const o = i * dim;
  for (let j = 0; j < dim; j++) {
    const t = a.x[o + j];
    a.x[o + j] = b.x[o + j];
    b.x[o + j] = t;
  }
  if (cached) {
    const e = a.energy[i];
    a.energy[i] = b.energy[i];
    b.energy[i] = e;
    for (let j = 0; j < dim; j++) {
      const t = a.grad[o + j];
      a.grad[o + j] = b.grad[o + j];
      b.grad[o + j] = t;
    }
  }
  if (a.v.length > 0) {
    const toA = Math.sqrt(thetaA / thetaB),
      toB = Math.sqrt(thetaB / thetaA);
    for (let j = 0; j < dim; j++) {
      const t = a.v[o + j];
      a.v[o + j] = b.v[o + j] * toA;
      b.v[o + j] = t * toB;
    }
  }
}
