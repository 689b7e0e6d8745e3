/**
 * One shard of one run: build the potential, integrator, state and recorders
 * from the resolved scenario, run the loop, return mergeable results.
 * Runs inside a worker thread (workers/shard-worker.ts) or in-process.
 */
import {
  createState,
  DynamicsSchedule,
  gradientEstimator,
  integrators,
  initialise,
  simulate,
  tileSize,
  tileView,
  type EnsembleState,
  type Integrator,
  type IntegratorSnapshot,
  type Observer,
} from '../engine/index.js';
import { isMainThread } from 'node:worker_threads';
import { buildPotential } from '../potentials/index.js';
import { createObservableSet } from '../observables/observables.js';
import { FinalsRecorder, FirstPassageWatcher, HistogramRecorder, TraceRecorder } from '../observables/recorders.js';
import { createSamplingRecorder } from '../observables/sampling.js';
import type { ShardResult } from '../observables/results.js';
import type { Scenario } from '../scenario/types.js';
import type { RunPlan } from '../plan/run-plan.js';
import { InjectedFault } from './faults.js';

export interface ShardSpec {
  /** The scenario: the potential, the initial ensemble and the observables are built from it. */
  scenario: Scenario;
  /** The resolved run (src/plan/run-plan.ts): every dynamics setting, the grid, the events and the sample steps come from here. */
  plan: RunPlan;
  /** Run index (sweep point / regime); part of every replica's stream key. */
  run: number;
  firstReplica: number;
  count: number;
  /** Replicas per tile (temporal blocking); default tileSize(count, dim). Results do not depend on it. */
  tile?: number;
  /** Injected fault (testing the fault handling, see FaultInjection in faults.ts): fail before the first step. */
  fault?: 'throw' | 'exit';
  /** Continue this shard from a snapshot of it (same replicas) instead of starting it. */
  resume?: ShardSnapshot;
  /** Add the shard's final state to its result (`final`), from which a longer run can go on (`stochdyn run --continue --steps`). */
  keepFinal?: boolean;
}

/**
 * A shard stopped between two steps: its ensemble state, its integrator's
 * own state and every recorder's accumulators — what `runShard` needs to
 * continue it and give the same bytes as a shard that never stopped.
 * Structured-clone friendly (typed arrays and plain data).
 */
export interface ShardSnapshot {
  firstReplica: number;
  count: number;
  /** The tile (temporal blocking) that was running: replicas before `tileStart` have done every step. */
  tileStart: number;
  tile: number;
  /** Steps the running tile has done. */
  step: number;
  /**
   * Every tile at `step` (a finished shard's final state, or one prepared to
   * run longer): the integrator state and view counters of each tile in
   * order. `tileStart` is then 0 and `state.cacheStep`/`frozenCount` unused.
   */
  tiles?: TileState[];
  /** With `keepFinal`: the final states of the tiles before `tileStart`. */
  finishedTiles?: TileState[];
  /** Diverged replicas of the tiles before it. */
  frozenBefore: number;
  state: {
    x: Float64Array;
    energy: Float64Array;
    grad: Float64Array;
    v: Float64Array;
    opt: Float64Array;
    rng: Uint32Array;
    batchRng: Uint32Array;
    batchIndices: Int32Array | null;
    frozen: Uint8Array;
    divergedAt: Float64Array;
    divergedReason: Uint8Array;
    /** Of the running tile's view. */
    cacheStep: number;
    frozenCount: number;
  };
  integrator: IntegratorSnapshot;
  /** saveState() of each observer, then of each event watcher, in build order. */
  recorders: unknown[];
}

/** One tile's integrator state and view counters (ShardSnapshot.tiles). */
export interface TileState {
  integrator: IntegratorSnapshot;
  cacheStep: number;
  frozenCount: number;
}

/** A shard stopped on request (`ShardHooks.shouldStop`), with its snapshot (none when its integrator cannot make one). */
export class ShardStopped extends Error {
  override readonly name = 'ShardStopped';
  constructor(readonly snapshot: ShardSnapshot | undefined) {
    super('interrupted');
  }
}

/** How a caller follows and steers a running shard. */
export interface ShardHooks {
  /** Replica-steps done in this shard. */
  onProgress?: (replicaSteps: number) => void;
  /** Asked between steps (about every millisecond of work): true stops the shard, which throws ShardStopped with its snapshot. */
  shouldStop?: () => boolean;
  /**
   * Hand a snapshot to `onSnapshot` about this often (seconds of the shard's
   * time; never more often than 50 times the cost of the last one, so the
   * snapshots take under 2 % of the run). Undefined: none.
   */
  snapshotSeconds?: number;
  onSnapshot?: (snapshot: ShardSnapshot) => void;
  /** Give the event loop a turn about this often (milliseconds), for a shard in the main thread whose signal handlers must run. */
  yieldMilliseconds?: number;
}

/** Replica-step·dimensions of work between two polls of a running tile (about a millisecond). */
const POLL_WORK = 2e5;

/** Run one shard (or continue it from `spec.resume`). */
export async function runShard(spec: ShardSpec, hooks: ShardHooks = {}): Promise<ShardResult> {
  const onProgress = hooks.onProgress;
  const t0 = performance.now();
  if (spec.fault === 'exit' && !isMainThread) process.exit(7);
  if (spec.fault)
    throw new InjectedFault(`injected fault (${spec.fault}) in replicas ${spec.firstReplica}…${spec.firstReplica + spec.count - 1}`);
  const s = spec.scenario;
  const plan = spec.plan;
  const potential = await buildPotential(s.potential, { seed: s.seed, run: spec.run });
  if (potential.dim !== plan.dim)
    throw new Error(`shard of '${plan.name}': the potential has dim ${potential.dim}, the run plan ${plan.dim}`);
  const integrator = buildIntegrator(plan);
  // η, θ, λ of every step (the schedules), handed to simulate as one object.
  const schedule = new DynamicsSchedule(plan.settings, potential.groups, plan.schedules, plan.steps);
  const state = createState({
    count: spec.count,
    dim: potential.dim,
    firstReplica: spec.firstReplica,
    seed: s.seed,
    run: spec.run,
    momenta: plan.momenta,
    optimizerSlots: plan.optimizerSlots,
    batchSize: plan.batchSize ?? undefined,
  });
  const resume = spec.resume;
  if (resume) {
    if (resume.firstReplica !== spec.firstReplica || resume.count !== spec.count)
      throw new Error(
        `shard snapshot of replicas ${resume.firstReplica}+${resume.count} handed to shard ${spec.firstReplica}+${spec.count}`,
      );
    restoreState(state, resume);
  } else initialise(state, potential, s.ensemble.init);

  const steps = plan.steps;
  const grid = plan.grid;
  const obsNames = s.observe.observables;
  const traces = new TraceRecorder(grid, createObservableSet(obsNames, potential), spec.firstReplica, spec.count, plan.replicas);
  const histograms = s.observe.histograms.map(
    (h) => new HistogramRecorder(h, createObservableSet([h.of], potential)[0], grid, steps, spec.count),
  );
  const finals = new FinalsRecorder(createObservableSet(obsNames, potential), steps, spec.count, spec.firstReplica);
  const events = plan.events.map((e) => {
    const names = Object.keys(e.enter);
    return new FirstPassageWatcher(
      e.name,
      createObservableSet(names, potential),
      names.map((n) => e.enter[n]),
      e.every,
      spec.count,
      spec.firstReplica,
    );
  });
  const sampling = s.sampling ? createSamplingRecorder(s.sampling, potential, steps, spec.count, spec.firstReplica, plan.replicas) : null;
  const observers: Observer[] = [traces, ...histograms, finals, ...(sampling ? [sampling] : [])];
  const recorders = [...observers, ...events];
  if (resume) recorders.forEach((r, i) => r.loadState!(resume.recorders[i]));
  const canSnapshot = integrator.snapshot !== undefined && integrator.resume !== undefined;

  // Temporal blocking: each tile of replicas runs all its steps while its
  // arrays stay in cache. Recorders still see every replica of a grid point in
  // replica order, and each replica's streams are consumed in the same order,
  // so the results do not depend on the tile size.
  const tile = resume ? resume.tile : Math.max(1, Math.min(spec.count, spec.tile ?? tileSize(spec.count, potential.dim)));
  let frozen = resume ? resume.frozenBefore : 0;

  // Between steps, the shard may be asked to stop, to hand out a snapshot, or (in the main thread) to let the event loop run.
  let why = 'yield' as 'stop' | 'snapshot' | 'yield';
  const every = hooks.snapshotSeconds !== undefined && hooks.onSnapshot && canSnapshot ? hooks.snapshotSeconds * 1000 : Infinity;
  let snapshotDue = t0 + every;
  let yieldDue = t0 + (hooks.yieldMilliseconds ?? Infinity);
  const polled = hooks.shouldStop !== undefined || every < Infinity || hooks.yieldMilliseconds !== undefined;
  const poll = (): boolean => {
    if (hooks.shouldStop?.()) return ((why = 'stop'), true);
    const now = performance.now();
    if (now >= snapshotDue) return ((why = 'snapshot'), true);
    if (now >= yieldDue) return ((why = 'yield'), true);
    return false;
  };
  const snapshotOf = (r0: number, view: EnsembleState, step: number): ShardSnapshot => ({
    firstReplica: spec.firstReplica,
    count: spec.count,
    tileStart: r0,
    tile,
    step,
    frozenBefore: frozen,
    state: {
      x: state.x.slice(),
      energy: state.energy.slice(),
      grad: state.grad.slice(),
      v: state.v.slice(),
      opt: state.opt.slice(),
      rng: state.rng.slice(),
      batchRng: state.batchRng.slice(),
      batchIndices: state.batch ? state.batch.indices.slice() : null,
      frozen: state.frozen.slice(),
      divergedAt: state.divergedAt.slice(),
      divergedReason: state.divergedReason.slice(),
      cacheStep: view.cacheStep,
      frozenCount: view.frozenCount,
    },
    integrator: integrator.snapshot!(),
    recorders: recorders.map((r) => r.saveState!()),
    ...(finalTiles ? { finishedTiles: finalTiles.map((t) => ({ ...t })) } : {}),
  });

  // A finished shard's final state: each tile's integrator state as the tile ends (only with `keepFinal`; a
  // snapshot taken in the middle carries those of the tiles finished by then).
  const finalTiles: ShardSnapshot['tiles'] =
    spec.keepFinal && canSnapshot && !(resume && !resume.tiles && resume.tileStart > 0 && !resume.finishedTiles)
      ? [...(resume && !resume.tiles ? (resume.finishedTiles ?? []) : [])]
      : undefined;
  for (let r0 = resume && !resume.tiles ? resume.tileStart : 0; r0 < spec.count; r0 += tile) {
    const view = tileView(state, r0, Math.min(tile, spec.count - r0));
    let from = 0;
    const tileState = resume?.tiles?.[r0 / tile];
    if (tileState) {
      from = resume!.step;
      view.cacheStep = tileState.cacheStep;
      view.frozenCount = tileState.frozenCount;
      integrator.resume!(tileState.integrator, view, potential, schedule.control);
    } else if (resume && r0 === resume.tileStart && resume.step > 0) {
      from = resume.step;
      view.cacheStep = resume.state.cacheStep;
      view.frozenCount = resume.state.frozenCount;
      integrator.resume!(resume.integrator, view, potential, schedule.control);
    }
    const pollEvery = Math.max(1, Math.floor(POLL_WORK / Math.max(1, view.count * potential.dim)));
    for (;;) {
      const last = simulate(view, potential, integrator, {
        steps,
        observers,
        watchers: events,
        schedule,
        from,
        onProgress: onProgress && ((step) => onProgress(r0 * steps + step * view.count)),
        progressEvery: Math.max(1, Math.floor(2e6 / Math.max(1, view.count * potential.dim))),
        ...(polled ? { poll, pollEvery } : {}),
      });
      if (last === steps) break;
      from = last;
      if (why === 'stop') throw new ShardStopped(canSnapshot ? snapshotOf(r0, view, last) : undefined);
      if (why === 'snapshot') {
        const t = performance.now();
        hooks.onSnapshot!(snapshotOf(r0, view, last));
        const now = performance.now();
        snapshotDue = now + Math.max(every, 50 * (now - t));
      }
      // In the main thread, a turn of the event loop after each snapshot too: a stop asked meanwhile is seen at the next poll.
      if (hooks.yieldMilliseconds !== undefined && (why === 'yield' || why === 'snapshot')) {
        await new Promise((r) => setImmediate(r));
        yieldDue = performance.now() + hooks.yieldMilliseconds;
      }
    }
    frozen += view.frozenCount;
    if (finalTiles) finalTiles.push({ integrator: integrator.snapshot!(), cacheStep: view.cacheStep, frozenCount: view.frozenCount });
  }
  state.frozenCount = frozen;
  const final = finalTiles ? { ...snapshotOf(0, state, steps), frozenBefore: 0, tiles: finalTiles } : undefined;

  return {
    firstReplica: spec.firstReplica,
    count: spec.count,
    traces: traces.result(),
    histograms: histograms.map((h) => h.result()),
    events: events.map((e) => e.result()),
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
    ...(final ? { final } : {}),
    steps,
    wallSeconds: (performance.now() - t0) / 1000,
  };
}

/** Put a snapshot's ensemble state into a freshly made state of the same shard. */
function restoreState(state: EnsembleState, snap: ShardSnapshot): void {
  const s = snap.state;
  state.x.set(s.x);
  state.energy.set(s.energy);
  state.grad.set(s.grad);
  state.v.set(s.v);
  state.opt.set(s.opt);
  state.rng.set(s.rng);
  state.batchRng.set(s.batchRng);
  if (state.batch && s.batchIndices) state.batch.indices.set(s.batchIndices);
  state.frozen.set(s.frozen);
  state.divergedAt.set(s.divergedAt);
  state.divergedReason.set(s.divergedReason);
}

/**
 * The one place where the resolved settings are handed to the integrator:
 * per-coordinate η, θ, λ and optimizer constants from the plan, built once
 * per shard.
 */
function buildIntegrator(plan: RunPlan): Integrator {
  const gradient = gradientEstimator({ batchSize: plan.batchSize ?? undefined });
  return integrators.get(plan.integrator).build(plan.settings, { ...plan.integratorOptions, gradient });
}
