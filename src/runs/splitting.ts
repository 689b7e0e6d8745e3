/**
 * Run the `splitting:` section of a scenario: R independent AMS repetitions
 * (src/engine/splitting.ts) with the run's potential, integrator and η, θ, and
 * their summary (src/analysis/splitting.ts). Each repetition is sequential and
 * draws only from streams keyed by (seed, run, repetition, …); the
 * repetitions are distributed over worker threads (workers/splitting-worker.ts)
 * and collected in repetition order, so the result is the same for any number
 * of workers.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { gradientEstimator } from '../engine/gradients/index.js';
import { integrators } from '../engine/integrators/index.js';
import { runSplittingRepetition, type SplittingProblem, type SplittingRepetition } from '../engine/splitting.js';
import type { Potential } from '../engine/types.js';
import type { RunPlan } from '../plan/run-plan.js';
import { packageRoot } from '../parallel/pool.js';
import { regionContains, splittingTarget } from '../scenario/splitting.js';
import type { Bound, Scenario } from '../scenario/types.js';
import { summariseSplitting, type SplittingSummary } from '../analysis/splitting.js';

/** A region over coordinates as a predicate on one replica's row. */
function regionTest(region: Record<string, Bound>, coordinates: readonly string[]): (x: Float64Array, offset: number) => boolean {
  const terms = Object.entries(region).map(([name, bound]) => ({ index: coordinates.indexOf(name), bound }));
  return (x, offset) => {
    for (let i = 0; i < terms.length; i++) if (!regionContains(terms[i].bound, x[offset + terms[i].index])) return false;
    return true;
  };
}

/** The AMS problem of a checked scenario: ξ, A, B and z₀ over the potential's coordinates. */
export function splittingProblem(scenario: Scenario, coordinates: readonly string[]): SplittingProblem {
  const spec = scenario.splitting;
  if (!spec) throw new TypeError(`splittingProblem: scenario '${scenario.name}' has no splitting section`);
  const target = splittingTarget(spec, scenario.observe.events);
  if (!target) throw new TypeError(`splittingProblem: splitting.to '${String(spec.to)}' names no event`);
  const index = coordinates.indexOf(spec.coordinate);
  return {
    coordinate: (x, offset) => x[offset + index],
    inA: regionTest(spec.from, coordinates),
    inB: regionTest(target, coordinates),
    level: spec.initial.level,
  };
}

/** A function running repetition r of a checked scenario's splitting section (the integrator is built once). */
export function splittingRepetitionRunner(
  scenario: Scenario,
  plan: RunPlan,
  potential: Potential,
): (repetition: number) => SplittingRepetition {
  const spec = scenario.splitting;
  if (!spec) throw new TypeError(`splittingRepetitionRunner: scenario '${scenario.name}' has no splitting section`);
  const problem = splittingProblem(scenario, potential.coordinates);
  const entry = integrators.get(plan.integrator);
  const integrator = entry.build(plan.settings, {
    ...plan.integratorOptions,
    gradient: gradientEstimator({ batchSize: plan.batchSize ?? undefined }),
  });
  const init = scenario.ensemble.init;
  const startValues = spec.initial.start ?? (init.kind === 'point' ? init.x : []);
  const start = new Float64Array(potential.dim);
  for (let j = 0; j < potential.dim; j++) start[j] = startValues.length === 1 ? startValues[0] : startValues[j];
  return (repetition) =>
    runSplittingRepetition(potential, integrator, plan.settings, problem, {
      walkers: spec.walkers,
      kill: spec.kill,
      seed: plan.seed,
      run: plan.run,
      repetition,
      start,
      momenta: entry.needs.momenta,
      optimizerSlots: entry.needs.optimizerSlots ?? 0,
      batchSize: plan.batchSize ?? 0,
      maxSegmentSteps: 1e8,
      maxIterations: 1e8,
    });
}

/** Worker → parent: one repetition's result, or why it failed. */
export type SplittingWorkerMessage = { type: 'result'; result: SplittingRepetition } | { type: 'error'; message: string };

/** Options of {@link runSplitting}. */
export interface RunSplittingOptions {
  /** Worker threads (default 0: the calling thread). The result is the same for any count. */
  workers?: number;
  /** Called after each repetition with (repetitions done, repetitions in total). */
  onProgress?: (done: number, total: number) => void;
}

function splittingWorkerEntry(): string {
  const file = join(packageRoot(), 'dist', 'workers', 'splitting-worker.js');
  if (!existsSync(file)) throw new Error(`worker entry ${file} is missing: run 'npm run build' first`);
  return file;
}

/** Repetitions 0 … total−1 on `workers` threads, each taking the next index; results in repetition order. */
async function onWorkers(
  scenario: Scenario,
  run: number,
  total: number,
  workers: number,
  progress: () => void,
): Promise<SplittingRepetition[]> {
  const results = new Array<SplittingRepetition>(total);
  const data = { scenario: JSON.parse(JSON.stringify(scenario)) as Scenario, run };
  let next = 0;
  const lane = async () => {
    const worker = new Worker(splittingWorkerEntry(), { workerData: data });
    try {
      while (next < total) {
        const r = next++;
        results[r] = await new Promise<SplittingRepetition>((resolve, reject) => {
          const onMessage = (m: SplittingWorkerMessage) => {
            worker.off('error', onError);
            if (m.type === 'result') resolve(m.result);
            else reject(new Error(`splitting repetition ${r}: ${m.message}`));
          };
          const onError = (e: Error) => {
            worker.off('message', onMessage);
            reject(e);
          };
          worker.once('message', onMessage);
          worker.once('error', onError);
          worker.postMessage(r);
        });
        progress();
      }
    } finally {
      await worker.terminate();
    }
  };
  await Promise.all(Array.from({ length: Math.min(workers, total) }, lane));
  return results;
}

/**
 * Run every repetition of the scenario's splitting section and summarise
 * them. Needs a scenario checked against `potential` (src/runs/run.ts
 * checkScenario: constant, uniform η, θ > 0).
 */
export async function runSplitting(
  scenario: Scenario,
  plan: RunPlan,
  potential: Potential,
  options: RunSplittingOptions = {},
): Promise<SplittingSummary> {
  const spec = scenario.splitting;
  if (!spec) throw new TypeError(`runSplitting: scenario '${scenario.name}' has no splitting section`);
  const total = spec.repetitions;
  let done = 0;
  const progress = () => options.onProgress?.(++done, total);
  const workers = options.workers ?? 0;
  let repetitions: SplittingRepetition[];
  if (workers > 0 && total > 1) repetitions = await onWorkers(scenario, plan.run, total, workers, progress);
  else {
    const runRepetition = splittingRepetitionRunner(scenario, plan, potential);
    repetitions = [];
    for (let r = 0; r < total; r++) {
      repetitions.push(runRepetition(r));
      progress();
    }
  }
  return summariseSplitting(repetitions, {
    walkers: spec.walkers,
    kill: spec.kill,
    coordinate: spec.coordinate,
    level: spec.initial.level,
    lr: plan.settings.lr[0],
  });
}
