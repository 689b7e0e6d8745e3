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
import type { PlanRegion, PlanSplitting } from '../plan/splitting-plan.js';
import { regionContains } from '../scenario/splitting.js';
import type { Scenario } from '../scenario/types.js';
import { summariseSplitting, type SplittingSummary } from '../analysis/splitting.js';
import { reactionCoordinate } from './splitting-coordinate.js';

/** A region of the plan as a predicate on one replica's row. */
function regionTest(region: PlanRegion): (x: Float64Array, offset: number) => boolean {
  return (x, offset) => {
    for (let i = 0; i < region.length; i++) if (!regionContains(region[i].bound, x[offset + region[i].index])) return false;
    return true;
  };
}

/**
 * The AMS problem of a resolved splitting section: ξ, A, B and z₀ over the
 * potential's coordinates. `potential` is needed when ξ is a formula or an
 * observable (src/runs/splitting-coordinate.ts).
 */
export function splittingProblem(splitting: PlanSplitting, potential?: Potential): SplittingProblem {
  const xi = splitting.xi ?? { kind: 'coordinate', index: splitting.coordinateIndex };
  if (xi.kind !== 'coordinate' && !potential)
    throw new TypeError(`splittingProblem: the reaction coordinate '${splitting.coordinate}' needs the potential`);
  return {
    coordinate: xi.kind === 'coordinate' ? (x, offset) => x[offset + xi.index] : reactionCoordinate(xi, potential!),
    inA: regionTest(splitting.from),
    inB: regionTest(splitting.to),
    level: splitting.level,
  };
}

/** The plan's splitting section, or a TypeError naming the run. */
function planned(plan: RunPlan): PlanSplitting {
  if (!plan.splitting) throw new TypeError(`scenario '${plan.name}' has no splitting section`);
  return plan.splitting;
}

/** A function running repetition r of the plan's splitting section (the integrator is built once). */
export function splittingRepetitionRunner(plan: RunPlan, potential: Potential): (repetition: number) => SplittingRepetition {
  const splitting = planned(plan);
  const problem = splittingProblem(splitting, potential);
  const integrator = integrators.get(plan.integrator).build(plan.settings, {
    ...plan.integratorOptions,
    gradient: gradientEstimator({ batchSize: plan.batchSize ?? undefined }),
  });
  const start = Float64Array.from(splitting.start);
  return (repetition) =>
    runSplittingRepetition(potential, integrator, plan.settings, problem, {
      walkers: splitting.walkers,
      kill: splitting.kill,
      seed: plan.seed,
      run: plan.run,
      repetition,
      start,
      momenta: plan.momenta,
      optimizerSlots: plan.optimizerSlots,
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
  const splitting = planned(plan);
  const total = splitting.repetitions;
  let done = 0;
  const progress = () => options.onProgress?.(++done, total);
  const workers = options.workers ?? 0;
  let repetitions: SplittingRepetition[];
  if (workers > 0 && total > 1) repetitions = await onWorkers(scenario, plan.run, total, workers, progress);
  else {
    const runRepetition = splittingRepetitionRunner(plan, potential);
    repetitions = [];
    for (let r = 0; r < total; r++) {
      repetitions.push(runRepetition(r));
      progress();
    }
  }
  return summariseSplitting(repetitions, {
    walkers: splitting.walkers,
    kill: splitting.kill,
    coordinate: splitting.coordinate,
    level: splitting.level,
    lr: plan.timeStep,
  });
}
