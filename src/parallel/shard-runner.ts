/**
 * One shard of one run: build the potential, integrator, state and recorders
 * from the resolved scenario, run the loop, return mergeable results.
 * Runs inside a worker thread (workers/shard-worker.ts) or in-process.
 */
import {
  coordinateSettings,
  createState,
  getIntegrator,
  initialise,
  simulate,
  timeGrid,
  type Observer,
} from '../engine/index.js';
import { buildPotential } from '../potentials/index.js';
import { createObservableSet } from '../observables/observables.js';
import { FinalsRecorder, FirstPassageWatcher, HistogramRecorder, TraceRecorder } from '../observables/recorders.js';
import type { ShardResult } from '../observables/results.js';
import type { Scenario } from '../scenario/types.js';

export interface ShardSpec {
  scenario: Scenario;
  /** Run index (sweep point / regime); part of every replica's stream key. */
  run: number;
  firstReplica: number;
  count: number;
}

export async function runShard(spec: ShardSpec, onProgress?: (step: number) => void): Promise<ShardResult> {
  const t0 = performance.now();
  const s = spec.scenario;
  const potential = await buildPotential(s.potential, { seed: s.seed, run: spec.run });
  const info = getIntegrator(s.dynamics.integrator);
  if (!info) throw new Error(`unknown integrator '${s.dynamics.integrator}'`);
  const d = s.dynamics;
  const settings = coordinateSettings(potential.dim, potential.groups, d, d.groups);
  const integrator = info.build(settings, { friction: d.friction, momenta: s.ensemble.momenta });
  const batchSize = d.batch_size && potential.dataSize ? d.batch_size : undefined;
  const state = createState({
    count: spec.count,
    dim: potential.dim,
    firstReplica: spec.firstReplica,
    seed: s.seed,
    run: spec.run,
    momenta: info.needs.momenta,
    batchSize,
  });
  initialise(state, potential, s.ensemble.init);

  const steps = d.steps;
  const grid = timeGrid(s.observe.grid.kind, s.observe.grid.points, steps);
  const obsNames = s.observe.observables;
  const traces = new TraceRecorder(grid, createObservableSet(obsNames, potential), spec.firstReplica, spec.count);
  const histograms = s.observe.histograms.map(
    (h) => new HistogramRecorder(h, createObservableSet([h.of], potential)[0], grid, steps, spec.count),
  );
  const finals = new FinalsRecorder(createObservableSet(obsNames, potential), steps, spec.count);
  const events = s.observe.events.map((e) => {
    const names = Object.keys(e.enter);
    return new FirstPassageWatcher(e.name, createObservableSet(names, potential), names.map((n) => e.enter[n]), e.every, spec.count);
  });
  const observers: Observer[] = [traces, ...histograms, finals];

  simulate(state, potential, integrator, {
    steps,
    observers,
    watchers: events,
    onProgress,
    progressEvery: Math.max(1, Math.floor(2e6 / Math.max(1, spec.count * potential.dim))),
  });

  return {
    firstReplica: spec.firstReplica,
    count: spec.count,
    traces: traces.result(),
    histograms: histograms.map((h) => h.result()),
    events: events.map((e) => e.result()),
    finals: finals.result(),
    divergedAt: state.divergedAt,
    divergedReason: state.divergedReason,
    steps,
    wallSeconds: (performance.now() - t0) / 1000,
  };
}
