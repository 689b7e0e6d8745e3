/**
 * stochdyn as a library: `import { loadScenario, runScenario } from 'stochdyn'`.
 *
 * A curated list (docs/api.md describes each entry): scenarios (load a file,
 * validate an object), runs (one scenario, a sweep, regimes), comparison of
 * run directories, the extension registries (potentials, integrators,
 * analyses, plots, and `createRegistry` itself), the closed forms of the
 * theory a researcher compares with, and the core types. Units follow
 * docs/models.md: positions in the potential's coordinates, energies and the
 * temperature θ in units of f, physical time t = steps · η.
 *
 * Everything else under src/ is internal and may change without notice.
 */
import {
  loadScenario as loadScenarioFile,
  safeValidateScenario as safeValidateObject,
  validateScenarioObject,
  type LoadOptions,
} from './scenario/index.js';
import type { Scenario } from './scenario/types.js';
import type { ScenarioError } from './scenario/errors.js';
import { runScenario as runOneScenario, type InMemoryRunOutput, type RunOutput, type RunScenarioOptions } from './runs/run.js';
import { runSweep as runSweepPoints, type RunSweepOptions, type SweepOutput } from './runs/sweep.js';
import { runExchange as runExchangeLadder, type ExchangeOutput, type RunExchangeOptions } from './runs/exchange.js';
import { runRegimes as runRegimeSet, type RunRegimesOptions, type RegimesOutput } from './runs/regimes.js';
import {
  getPotentialFamily as findPotentialFamily,
  listPotentialFamilies as potentialFamilies,
  registerPotential as addPotentialFamily,
  type PotentialFamily,
} from './potentials/index.js';
import {
  getAnalysis as findAnalysis,
  listAnalyses as analysisKinds,
  registerAnalysis as addAnalysis,
  type Analysis,
  type RunAnalysis,
  type SweepAnalysis,
} from './analysis/index.js';
// The built-in plot kinds register themselves on import.
import './report/plots/index.js';
import {
  getPlot as findPlot,
  listPlots as plotKinds,
  registerPlot as addPlot,
  unregisterPlot as removePlot,
  type PlotEntry,
} from './report/plots/registry.js';
import { writeDirectoryReport as writeReportFile } from './report/exchange.js';

// ---------------------------------------------------------------- scenarios

/**
 * Read a scenario file (YAML, or JSON), apply the overrides and validate it.
 * A relative `path` is resolved against the working directory; a relative
 * `potential.module` against the file's folder. The result has every default
 * filled (e.g. `seed` 0, `dynamics.batch_size` none, `observe.grid` log with
 * 100 points) and `source` set to the absolute path.
 *
 * @param path scenario file
 * @param options `set`: `key.path=value` overrides as on the command line
 *   (`['dynamics.temperature=0.3']`, the value is YAML); `replicas`: replaces
 *   `ensemble.replicas`; `seed`: replaces `seed`. Default: none.
 * @throws ScenarioError listing every issue (file, field path, expected, found, line).
 */
export function loadScenario(path: string, options: LoadOptions = {}): Promise<Scenario> {
  return loadScenarioFile(path, options);
}

/**
 * Validate a scenario given as a plain object (as parsed from YAML or JSON)
 * and return the typed Scenario with every default filled; the input is not
 * modified. `source` (default `''`: none) names the file in error messages
 * and becomes `scenario.source`; a relative `potential.module` is resolved
 * against its folder (against the working directory when `source` is `''`).
 *
 * @throws ScenarioError listing every issue (field path, expected, found).
 */
export function validateScenario(scenario: unknown, source = ''): Scenario {
  return validateScenarioObject(scenario, source);
}

/** Like {@link validateScenario}, but returns `{ ok: false, error }` instead of throwing. */
export function safeValidateScenario(
  scenario: unknown,
  source = '',
): { ok: true; scenario: Scenario } | { ok: false; error: ScenarioError } {
  return safeValidateObject(scenario, source);
}

export { ScenarioError, type ScenarioIssue } from './scenario/errors.js';
export { scenarioJsonSchema } from './scenario/schema.js';
export type { LoadOptions } from './scenario/index.js';

// ---------------------------------------------------------------- runs

/** Potential families registered through {@link registerPotential}: they exist in this thread only. */
const registeredHere = new Set<string>();

/**
 * A potential registered from code is unknown to worker threads (they import
 * stochdyn afresh), where every shard would fail with "unknown potential
 * kind": refuse before running, with the remedy.
 */
function assertRunnableHere(scenario: Scenario, workers: number | undefined): void {
  const potential = scenario.potential as { kind?: string };
  if (potential.kind === undefined || !registeredHere.has(potential.kind) || workers === 0) return;
  throw new Error(
    `potential '${potential.kind}' was registered from code in this thread, which worker threads cannot see (workers: ${workers ?? '1, the default'}); ` +
      'run it with workers: 0, or make it a module potential (potential: { module: <file> }) that every worker imports',
  );
}

/**
 * Run a validated scenario: check it against its potential (every issue in one
 * ScenarioError, before anything runs or is written), run the ensemble, build
 * the summary (theory overlays, analyses) and write the run directory — or,
 * with `write: false`, return `{ dir: undefined, summary, result }` without
 * touching the disk.
 *
 * @param options `write` (default true); `out`: the run directory (default
 *   `<outputRoot>/<name>/<run-id>`, `outputRoot` default `output`); `workers`:
 *   worker threads (default 1; 0 = this thread; results are identical for any
 *   count); `onProgress(done, total)`: replica-steps done of replicas × steps;
 *   `signal`: an AbortSignal that stops the run early (the summary covers the
 *   shards finished by then, `run.status` = 'interrupted'); `onStart(potential)`.
 * @throws ScenarioError, OutputError (directory not writable), RunFailedError
 *   (every shard failed), Error (a potential registered from code with workers ≠ 0).
 */
export function runScenario(scenario: Scenario, options: RunScenarioOptions & { write: false }): Promise<InMemoryRunOutput>;
export function runScenario(scenario: Scenario, options?: RunScenarioOptions & { write?: true }): Promise<RunOutput>;
export function runScenario(scenario: Scenario, options?: RunScenarioOptions): Promise<RunOutput | InMemoryRunOutput>;
export async function runScenario(scenario: Scenario, options: RunScenarioOptions = {}): Promise<RunOutput | InMemoryRunOutput> {
  assertRunnableHere(scenario, options.workers);
  return runOneScenario(scenario, options);
}

export {
  OutputError,
  CHECKPOINT_EVERY_SECONDS,
  type RunScenarioOptions,
  type RunOutput,
  type InMemoryRunOutput,
  type SavedWork,
} from './runs/run.js';
export { continueRun, scenarioOfRunDir, ContinueError, type ContinueOptions } from './runs/continue.js';
export {
  runScenarioShard,
  mergeRunShards,
  RunShardError,
  type RunShardInfo,
  type RunShardOptions,
  type MergeRunShardsOptions,
} from './runs/run-shards.js';
export { RunFailedError } from './parallel/run.js';

/**
 * Run every point of a scenario's `sweep:` grid (each point a full run with
 * its own stream key) into a sweep directory, skipping points already complete
 * there (a sweep resumes), and write sweep.csv (plus phases.csv with a phase
 * analysis) once every point is complete.
 *
 * @param options `out`: the sweep directory (default
 *   `<outputRoot>/<name>/sweep-<hash>`, `outputRoot` default `output`);
 *   `workers`: worker threads (default 1, 0 = this thread); `shard`: run only
 *   the points of shard `index` of `count`; `onProgress`: points and
 *   replica-steps done; `signal`: stop starting points (complete points stay).
 * @throws ScenarioError when a point does not fit its potential (before anything is written).
 */
export async function runSweep(scenario: Scenario, options: RunSweepOptions = {}): Promise<SweepOutput> {
  assertRunnableHere(scenario, options.workers);
  return runSweepPoints(scenario, options);
}

/**
 * Run every regime of a scenario's `regimes:` (the first is the baseline;
 * all share the seed: common random numbers) into a regimes directory, and
 * compare each regime with the baseline (`comparison.json`, returned as
 * `comparison`).
 *
 * @param options `out`: the regimes directory (default
 *   `<outputRoot>/<name>/regimes-<run-id>`, `outputRoot` default `output`);
 *   `workers`: worker threads (default 1); `onProgress`: replica-steps done and
 *   total over all regimes; `onRegime`: called as each regime starts;
 *   `signal`: stop (throws RegimesInterrupted after writing what was run).
 */
export async function runRegimes(scenario: Scenario, options: RunRegimesOptions = {}): Promise<RegimesOutput> {
  assertRunnableHere(scenario, options.workers);
  return runRegimeSet(scenario, options);
}

export { RegimesInterrupted, type RunRegimesOptions, type RegimesOutput } from './runs/regimes.js';

/**
 * Run a scenario with an `exchange:` section: replica exchange (parallel
 * tempering) over a ladder of temperatures or potential parameters
 * (docs/exchange.md), `ensemble.replicas` independent ladders. Writes
 * `rungs/<k>/` (a run directory per rung, for the replicas at that rung),
 * `rungs.csv` and `exchange.json` (acceptance per neighbour pair, round trips),
 * or with `write: false` only returns them. Identical results for any `workers`.
 * @throws ScenarioError when a rung does not fit its potential (before anything runs).
 */
export async function runExchange(scenario: Scenario, options: RunExchangeOptions = {}): Promise<ExchangeOutput> {
  assertRunnableHere(scenario, options.workers);
  return runExchangeLadder(scenario, options);
}
export {
  EXCHANGE_SCHEMA,
  ExchangeInterrupted,
  type ExchangeSummary,
  type ExchangePair,
  type ExchangeRungOutput,
  type ExchangeAdaptation,
  type ExchangeAdaptationRound,
} from './runs/exchange.js';
export type { RunExchangeOptions, ExchangeOutput };
export type { RunSweepOptions, SweepOutput, SweepProgress, SweepPointResult } from './runs/sweep.js';

/**
 * Write `report.html` (Vega-Lite plots rendered to inline SVG) into a run,
 * sweep, regimes or replica-exchange directory and return its path (for an
 * exchange directory also each `rungs/<k>/report.html`).
 */
export function writeReport(directory: string): Promise<string> {
  return writeReportFile(directory);
}

// ---------------------------------------------------------------- comparison

export { compareRuns, compareAgainstBaseline, compareRegimesDir } from './results/compare.js';
export { CompareInputError, type Comparison, type ComparisonRow } from './analysis/compare.js';

// ---------------------------------------------------------------- registries

export { createRegistry, RegistryLookupError, didYouMean, type Registry, type RegistryEntry, type JsonSchema } from './engine/registry.js';

/**
 * Register a potential family so scenarios can name it as `potential.kind`.
 * Throws if the name is taken. The family lives in the calling thread: runs
 * with worker threads (`workers` ≥ 1, the default) do not see it, so
 * runScenario, runSweep and runRegimes refuse it unless `workers: 0`; a
 * module potential (`potential: { module: file }`) is imported by every worker.
 */
export function registerPotential(family: PotentialFamily): void {
  addPotentialFamily(family);
  registeredHere.add(family.name);
}

/** The registered family called `name`, or undefined. */
export function getPotentialFamily(name: string): PotentialFamily | undefined {
  return findPotentialFamily(name);
}

/** Every registered potential family, sorted by name. */
export function listPotentialFamilies(): PotentialFamily[] {
  return potentialFamilies();
}

export { buildPotential, singleGroup, defaultCoordinates } from './potentials/index.js';
export { integrators, type IntegratorEntry, type IntegratorOptions } from './engine/integrators/index.js';
export { WallKind, type Walls } from './engine/walls.js';

/**
 * Register an analysis kind for a scenario's `analysis:` list: scope `run`
 * (computed from each merged run; results in summary.json `analyses`) or
 * `sweep` (computed from the point summaries once a sweep is complete).
 * Throws if the kind is taken.
 */
export function registerAnalysis<Entry>(analysis: RunAnalysis<Entry> | SweepAnalysis<Entry>): void {
  addAnalysis(analysis);
}

/** The registered analysis of `kind`, or undefined. */
export function getAnalysis(kind: string): Analysis | undefined {
  return findAnalysis(kind);
}

/** Every analysis kind with a one-line description, sorted by name. */
export function listAnalyses(): Array<{ name: string; description: string }> {
  return analysisKinds();
}

/** Register a report plot kind (shown in report.html when `applies` holds); throws if the kind is taken. */
export function registerPlot(plot: PlotEntry): void {
  addPlot(plot);
}

/** Remove a plot kind (e.g. to replace a built-in); returns whether it was registered. */
export function unregisterPlot(kind: string): boolean {
  return removePlot(kind);
}

/** The registered plot of `kind`, or undefined. */
export function getPlot(kind: string): PlotEntry | undefined {
  return findPlot(kind);
}

/** Every registered plot kind, in registration (= report) order. */
export function listPlots(): PlotEntry[] {
  return plotKinds();
}

// ---------------------------------------------------------------- theory (docs/models.md)

export { gibbsDensity1D, gibbsOutsideMass, type GibbsDensity1D, type GibbsOptions, type OutsideMass } from './theory/gibbs.js';
export {
  meanFirstPassageTime,
  meanFirstPassageTimeDetailed,
  kramersRate,
  logKramersRate,
  type MfptOptions,
  type MfptResult,
} from './theory/mfpt.js';
export {
  ouContinuousMoments,
  ouDiscreteMoments,
  ouDiscreteStationaryVariance,
  underdampedOUMoments,
  type ScalarMoments,
  type PhaseSpaceMoments,
} from './theory/ornstein-uhlenbeck.js';
export { wellFreeEnergy1D, harmonicWellFreeEnergy, wellOccupancies, crossoverTemperature } from './theory/wells.js';
export { integrate, logIntegrateExp, type QuadratureOptions } from './theory/quadrature.js';
export { modularAdditionTheory, type ModularAdditionTheoryOptions, type ModularAdditionTheoryPoint } from './theory/modular-addition.js';
export {
  modularAdditionHartreeTheory,
  modularAdditionLogDetTheory,
  type HartreeTheoryPoint,
  type LogDetTheoryOptions,
  type LogDetTheoryPoint,
} from './theory/modular-addition-logdet.js';

// ---------------------------------------------------------------- rare-event splitting (docs/splitting.md)

export { runSplittingRepetition, type SplittingProblem, type SplittingOptions, type SplittingRepetition } from './engine/splitting.js';
export { summariseSplitting, type SplittingSummary, type SplittingEstimate } from './analysis/splitting.js';
export { runSplitting, splittingProblem } from './runs/splitting.js';

// ---------------------------------------------------------------- types

export type {
  Scenario,
  PotentialSpec,
  DynamicsSpec,
  EnsembleSpec,
  ObserveSpec,
  EventSpec,
  HistogramSpec,
  SplittingSpec,
} from './scenario/types.js';
export type { ExchangeSpec, ExchangeScheme } from './scenario/types.js';
export type {
  Potential,
  ParamGroup,
  Minibatch,
  PotentialObservable,
  PosteriorPredictive,
  Integrator,
  IntegratorNeeds,
  EnsembleState,
  CoordinateSettings,
} from './engine/types.js';
export type { PotentialFamily, BuildContext } from './potentials/index.js';
export type { Summary, Distribution, TracePoint, RunStatus } from './analysis/summary.js';
export type { RunResult, ReplicaGap } from './parallel/merge.js';
export type { Analysis, RunAnalysis, SweepAnalysis, RunAnalysisContext, SweepAnalysisContext } from './analysis/index.js';
export type { PlotEntry } from './report/plots/registry.js';
