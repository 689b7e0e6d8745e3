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
  type Integrator,
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
}

/** `onProgress` receives the replica-steps done in this shard. */
export async function runShard(spec: ShardSpec, onProgress?: (replicaSteps: number) => void): Promise<ShardResult> {
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
  initialise(state, potential, s.ensemble.init);

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
      observers,
      watchers: events,
      schedule,
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
    steps,
    wallSeconds: (performance.now() - t0) / 1000,
  };
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
