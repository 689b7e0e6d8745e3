/**
 * One shard of one run: build the potential, integrator, state and recorders
 * from the resolved scenario, run the loop, return mergeable results.
 * Runs inside a worker thread (workers/shard-worker.ts) or in-process.
 */
import {
  coordinateSettings,
  curvatureStepSizes,
  DynamicsSchedule,
  gradientEstimator,
  type StepSizeChoice,
  createState,
  integrators,
  initialise,
  simulate,
  tileSize,
  tileView,
  timeGrid,
  type Observer,
} from '../engine/index.js';
import { isMainThread } from 'node:worker_threads';
import { buildPotential } from '../potentials/index.js';
import { createObservableSet } from '../observables/observables.js';
import { FinalsRecorder, FirstPassageWatcher, HistogramRecorder, TraceRecorder } from '../observables/recorders.js';
import { createSamplingRecorder } from '../observables/sampling.js';
import type { ShardResult } from '../observables/results.js';
import type { Scenario } from '../scenario/types.js';

export interface ShardSpec {
  scenario: Scenario;
  /** Run index (sweep point / regime); part of every replica's stream key. */
  run: number;
  firstReplica: number;
  count: number;
  /** Replicas per tile (temporal blocking); default tileSize(count, dim). Results do not depend on it. */
  tile?: number;
  /** Injected fault (testing the fault handling, see FaultInjection in pool.ts): fail before the first step. */
  fault?: 'throw' | 'exit';
}

/** `onProgress` receives the replica-steps done in this shard. */
export async function runShard(spec: ShardSpec, onProgress?: (replicaSteps: number) => void): Promise<ShardResult> {
  const t0 = performance.now();
  if (spec.fault === 'exit' && !isMainThread) process.exit(7);
  if (spec.fault) throw new Error(`injected fault (${spec.fault}) in replicas ${spec.firstReplica}…${spec.firstReplica + spec.count - 1}`);
  const s = spec.scenario;
  const potential = await buildPotential(s.potential, { seed: s.seed, run: spec.run });
  const info = integrators.get(s.dynamics.integrator);
  const d = s.dynamics;
  // Curvature-scaled step sizes from the ensemble's first initial states (the
  // same replicas, hence the same choice, in every shard).
  let stepSizes: StepSizeChoice | undefined;
  let groups = d.groups;
  if (d.step_size) {
    const probes = Math.min(d.step_size.probes, s.ensemble.replicas);
    const probe = createState({ count: probes, dim: potential.dim, firstReplica: 0, seed: s.seed, run: spec.run, momenta: false });
    initialise(probe, potential, s.ensemble.init);
    stepSizes = curvatureStepSizes(potential, probe.x, probes, d.step_size);
    groups = Object.fromEntries(potential.groups.map((g) => [g.name, { ...d.groups[g.name], lr: stepSizes!.lr[g.name] }]));
  }
  const settings = coordinateSettings(potential.dim, potential.groups, d, groups);
  // η, θ, λ of every step (the schedules), handed to simulate as one object.
  const schedule = new DynamicsSchedule(settings, potential.groups, { lr: d.lr, temperature: d.temperature, groups }, d.steps);
  const batchSize = d.batch_size && potential.dataSize ? d.batch_size : undefined;
  const integrator = info.build(settings, { friction: d.friction, momenta: s.ensemble.momenta, gradient: gradientEstimator({ batchSize }) });
  const state = createState({
    count: spec.count,
    dim: potential.dim,
    firstReplica: spec.firstReplica,
    seed: s.seed,
    run: spec.run,
    momenta: info.needs.momenta,
    optimizerSlots: info.needs.optimizerSlots,
    batchSize,
  });
  initialise(state, potential, s.ensemble.init);

  const steps = d.steps;
  const grid = timeGrid(s.observe.grid.kind, s.observe.grid.points, steps);
  const obsNames = s.observe.observables;
  const traces = new TraceRecorder(grid, createObservableSet(obsNames, potential), spec.firstReplica, spec.count, s.ensemble.replicas);
  const histograms = s.observe.histograms.map(
    (h) => new HistogramRecorder(h, createObservableSet([h.of], potential)[0], grid, steps, spec.count),
  );
  const finals = new FinalsRecorder(createObservableSet(obsNames, potential), steps, spec.count, spec.firstReplica);
  const events = s.observe.events.map((e) => {
    const names = Object.keys(e.enter);
    return new FirstPassageWatcher(e.name, createObservableSet(names, potential), names.map((n) => e.enter[n]), e.every, spec.count, spec.firstReplica);
  });
  const sampling = s.sampling ? createSamplingRecorder(s.sampling, potential, steps, spec.count, spec.firstReplica, s.ensemble.replicas) : null;
  const observers: Observer[] = [traces, ...histograms, finals, ...(sampling ? [sampling] : [])];

  // Temporal blocking: each tile of replicas runs all its steps while its
  // arrays stay in cache. Recorders still see every replica of a grid point in
  // replica order, and each replica's streams are consumed in the same order,
  // so the results do not depend on the tile size.
  const tile = Math.max(1, Math.min(spec.count, spec.tile ?? tileSize(spec.count, potential.dim)));
  let frozen = 0;
  for (let r0 = 0; r0 < spec.count; r0 += tile) {
    const view = tileView(state, r0, Math.min(tile, spec.count - r0));
    simulate(view, potential, integrator, {
      steps,
      schedule,
      observers,
      watchers: events,
      onProgress: onProgress && ((step) => onProgress(r0 * steps + step * view.count)),
      progressEvery: Math.max(1, Math.floor(2e6 / Math.max(1, view.count * potential.dim))),
    });
    frozen += view.frozenCount;
  }
  state.frozenCount = frozen;

  return {
    firstReplica: spec.firstReplica,
    count: spec.count,
    traces: traces.result(),
    histograms: histograms.map((h) => h.result()),
    events: events.map((e) => e.result()),
    finals: finals.result(),
    ...(sampling ? { sampling: sampling.result() } : {}),
    ...(stepSizes ? { stepSizes } : {}),
    divergedAt: state.divergedAt,
    divergedReason: state.divergedReason,
    steps,
    wallSeconds: (performance.now() - t0) / 1000,
  };
}
