/**
 * Run the `splitting:` section of a scenario: R independent AMS repetitions
 * (src/engine/splitting.ts) with the run's potential, integrator and η, θ, and
 * their summary (src/analysis/splitting.ts). Each repetition is sequential and
 * draws only from streams keyed by (seed, run, repetition, …), so the result
 * does not depend on where or in which order the repetitions run.
 */
import { gradientEstimator } from '../engine/gradients/index.js';
import { integrators } from '../engine/integrators/index.js';
import { runSplittingRepetition, type SplittingProblem, type SplittingRepetition } from '../engine/splitting.js';
import type { Potential } from '../engine/types.js';
import type { RunPlan } from '../plan/run-plan.js';
import { regionContains, splittingTarget } from '../scenario/splitting.js';
import type { Bound, Scenario } from '../scenario/types.js';
import { summariseSplitting, type SplittingSummary } from '../analysis/splitting.js';

/** A region over coordinates as a predicate on one replica's row. */
function regionTest(region: Record<string, Bound>, coordinates: readonly string[]): (x: Float64Array, offset: number) => boolean {
  const terms = Object.entries(region).map(([name, bound]) => ({ index: coordinates.indexOf(name), bound }));
  return (x, offset) => terms.every((t) => regionContains(t.bound, x[offset + t.index]));
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

/** Progress of a splitting run: repetitions done out of the total. */
export type SplittingProgress = (done: number, total: number) => void;

/**
 * Run every repetition of the scenario's splitting section in the calling
 * thread and summarise them. Needs a scenario checked against `potential`
 * (src/runs/run.ts checkScenario) and uniform η, θ, λ (checked there).
 */
export function runSplitting(scenario: Scenario, plan: RunPlan, potential: Potential, onProgress?: SplittingProgress): SplittingSummary {
  const spec = scenario.splitting;
  if (!spec) throw new TypeError(`runSplitting: scenario '${scenario.name}' has no splitting section`);
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
  const repetitions: SplittingRepetition[] = [];
  for (let r = 0; r < spec.repetitions; r++) {
    repetitions.push(
      runSplittingRepetition(potential, integrator, plan.settings, problem, {
        walkers: spec.walkers,
        kill: spec.kill,
        seed: plan.seed,
        run: plan.run,
        repetition: r,
        start,
        momenta: entry.needs.momenta,
        optimizerSlots: entry.needs.optimizerSlots ?? 0,
        batchSize: plan.batchSize ?? 0,
        maxSegmentSteps: 1e8,
        maxIterations: 1e8,
      }),
    );
    onProgress?.(r + 1, spec.repetitions);
  }
  return summariseSplitting(repetitions, {
    walkers: spec.walkers,
    kill: spec.kill,
    coordinate: spec.coordinate,
    level: spec.initial.level,
    lr: plan.settings.lr[0],
  });
}
