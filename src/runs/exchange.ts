/**
 * Replica exchange end to end (docs/exchange.md): expand the ladder into one
 * scenario per rung, check and resolve each, run the ladders in shards of
 * whole sets (src/parallel/exchange-runner.ts), merge per rung, summarise each
 * rung as a run and write the directory:
 *
 *   scenario.resolved.json, exchange.json, rungs.csv (the columns of sweep.csv),
 *   rungs/<k>/ (a complete run directory: summary.json, traces.csv, …).
 *
 * The results of rung k are those of the replicas at rung k, whichever walker
 * they came from.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { serialize } from 'node:v8';
import { join, resolve } from 'node:path';
import { runRunAnalyses } from '../analysis/index.js';
import { buildSamplingSummary } from '../analysis/sampling.js';
import { buildSummary, type Summary } from '../analysis/summary.js';
import { theoryOverlays, type HistogramOverlay } from '../analysis/theory-overlays.js';
import type { Potential } from '../engine/types.js';
import {
  ExchangeStopped,
  runExchangeShard,
  type ExchangeSnapshot,
  type ExchangeRung,
  type ExchangeShardAdapt,
  type ExchangeShardResult,
  type ExchangeShardSpec,
  type ExchangeTally,
} from '../parallel/exchange-runner.js';
import { mergeShards, type ReplicaGap, type RunResult } from '../parallel/merge.js';
import { shardsFor } from '../parallel/run.js';
import { sharedWorkerPool } from '../parallel/pool.js';
import { planRanges, planShards, uncovered } from '../parallel/shard-plan.js';
import { PARTIAL_DIR, readSaved } from '../results/checkpoint.js';
import { adaptationSpace, exchangeRungValues, exchangeVariants, locateIssues, ScenarioError, validateVariant } from '../scenario/index.js';
import { adaptLadder } from './exchange-adapt.js';
import { pauseAfterSnapshots } from './test-pause.js';
import type { Scenario } from '../scenario/types.js';
import { sweepTable, SWEEP_SCHEMA, type SweepMeta } from '../results/sweep-files.js';
import { jsonReplacer, toCsv, writeAtomic } from '../results/write.js';
import {
  CHECKPOINT_EVERY_SECONDS,
  checkScenario,
  packageVersion,
  resolvedScenarioJson,
  sameResolvedScenario,
  writeOutputs,
  type SavedWork,
} from './run.js';

/** The `schema` value of exchange.json. */
export const EXCHANGE_SCHEMA = 'stochdyn.exchange/1';

/** Below this acceptance a neighbour pair barely exchanges: the CLI warns and suggests a rung between them. */
export const LOW_ACCEPTANCE = 0.1;

export interface ExchangePair {
  /** Rung indices (k, k + 1). */
  rungs: [number, number];
  values: [number, number];
  attempted: number;
  accepted: number;
  acceptance: number | null;
  /** Standard error of the acceptance from the spread of the per-set rates (sets are independent). */
  acceptanceSe: number | null;
}

/** exchange.json */
export interface ExchangeSummary {
  schema: typeof EXCHANGE_SCHEMA;
  name: string;
  key: string;
  scheme: 'deo' | 'even-odd';
  interval: number;
  /** Exchange rounds per set. */
  rounds: number;
  /** Independent ladders (ensemble.replicas). */
  sets: number;
  rungs: Array<{ index: number; value: number; temperature: number; dir: string }>;
  pairs: ExchangePair[];
  roundTrips: {
    /** Completed passages rung 0 → rung K−1 → rung 0, over all walkers of all sets. */
    count: number;
    /** Mean duration of a round trip in exchange rounds (null without one). */
    meanRounds: number | null;
    /** Round trips per set per exchange round (the rate compared between schemes). */
    perSetPerRound: number;
  };
  /** Pairs with acceptance below LOW_ACCEPTANCE, each with where to add a rung. */
  warnings: string[];
  /** 'interrupted' when a signal stopped the run: every count above is over the `sets` ladders that finished. */
  status: 'completed' | 'interrupted';
  /** Ladders without results (interrupted shards), as ranges of ladder indices; [] when completed. */
  missing: Array<{ first: number; count: number }>;
  /**
   * With `exchange.adapt`: the ladder's adaptation. `rungs` above hold the
   * frozen (final) ladder, and `rounds`, `pairs` and `roundTrips` count only the
   * rounds after it froze (step `frozenAt`).
   */
  adaptation?: ExchangeAdaptation;
}

/** exchange.json `adaptation`: the adaptation rounds and the ladder each ran on. */
export interface ExchangeAdaptation {
  rounds: number;
  /** Steps of the first adaptation round (round r lasts steps · 2^r). */
  steps: number;
  space: 'log' | 'linear';
  /** The step after which the ladder is frozen (steps · (2^rounds − 1)). */
  frozenAt: number;
  /** The ladder as written in the scenario (rung 0 first). */
  initial: number[];
  /** The frozen ladder (the `value` of `rungs`). */
  final: number[];
  history: ExchangeAdaptationRound[];
}

export interface ExchangeAdaptationRound {
  round: number;
  /** Steps (from, to] of this round. */
  steps: [number, number];
  /** Exchange rounds per ladder in this adaptation round. */
  exchangeRounds: number;
  /** The ladder this round ran on. */
  values: number[];
  /** The pooled acceptance of each neighbour pair over all ladders in this round (the input of the next ladder). */
  pairs: ExchangePair[];
}

export interface ExchangeRungOutput {
  index: number;
  value: number;
  scenario: Scenario;
  summary: Summary;
  result: RunResult;
  dir?: string;
}

export interface ExchangeOutput {
  dir?: string;
  exchange: ExchangeSummary;
  rungs: ExchangeRungOutput[];
  /** The per-set counts (for tests and analyses: acceptance per set, round trips per set). */
  tally: ExchangeTally;
}

export interface RunExchangeOptions {
  /** Write the run directory (default true). */
  write?: boolean;
  out?: string;
  outputRoot?: string;
  /** Worker threads (default 1); 0 runs every shard in this thread. Results are identical for any count. */
  workers?: number;
  /**
   * Stop early (SIGINT/SIGTERM in the CLI): the ladders of the shards finished
   * by then are summarised and written (`status: 'interrupted'`, the others in
   * `missing`); stopped before the ladder froze or before any shard finished,
   * the run throws {@link ExchangeInterrupted}. A running shard stops at
   * the end of its current exchange round (with a snapshot when checkpointing).
   */
  signal?: AbortSignal;
  /** Shards per worker (default: by the amount of work; results do not depend on it). */
  shardsPerWorker?: number;
  onProgress?: (done: number, total: number) => void;
  /**
   * Keep the run's work under `<out>/partial/` (default true when writing):
   * the adapted ladder, each finished shard's ladders and a snapshot of each
   * running shard (every `checkpointEvery` seconds, default 60, and when
   * `signal` stops it). Running the same scenario into the same directory
   * continues from them, to the same outputs as an uninterrupted run.
   */
  checkpoint?: boolean;
  checkpointEvery?: number;
  /** Called before running when the directory holds saved work of this run that it continues from (ladders as replicas). */
  onResume?: (saved: SavedWork) => void;
}

/** The rung scenarios of a scenario with `exchange:`, rung 0 first, each validated with the key set to its value and no `exchange` section. */
export function exchangeRungScenarios(scenario: Scenario, rungValues?: number[]): Array<{ value: number; scenario: Scenario }> {
  const ex = scenario.exchange;
  if (!ex) throw new TypeError(`exchangeRungScenarios: scenario '${scenario.name}' has no exchange section`);
  // `rungValues` replaces the scenario's ladder (the frozen ladder of an adaptation).
  const values = rungValues ?? exchangeRungValues(ex.rungs);
  return exchangeVariants({ key: ex.key, rungs: values }).map((variant, k) => {
    // validateVariant drops the exchange section: a rung is a plain scenario.
    const { exchange: _exchange, ...plain } = validateVariant(scenario, variant);
    return { value: values[k], scenario: plain as Scenario };
  });
}

function runId(s: Scenario, when: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${when.getUTCFullYear()}${p(when.getUTCMonth() + 1)}${p(when.getUTCDate())}-${p(when.getUTCHours())}${p(when.getUTCMinutes())}${p(when.getUTCSeconds())}-seed${s.seed}`;
}

/** Concatenate shard tallies in set order. */
function mergeTallies(parts: ExchangeTally[]): ExchangeTally {
  const sorted = [...parts].sort((a, b) => a.firstSet - b.firstSet);
  const cat = <T extends Int32Array | Float64Array>(make: (n: number) => T, pick: (t: ExchangeTally) => T): T => {
    const out = make(sorted.reduce((n, t) => n + pick(t).length, 0));
    let o = 0;
    for (const t of sorted) {
      out.set(pick(t), o);
      o += pick(t).length;
    }
    return out;
  };
  return {
    firstSet: 0,
    count: sorted.reduce((n, t) => n + t.count, 0),
    rungs: sorted[0].rungs,
    rounds: sorted[0].rounds,
    accepted: cat(
      (n) => new Int32Array(n),
      (t) => t.accepted,
    ),
    attempted: cat(
      (n) => new Int32Array(n),
      (t) => t.attempted,
    ),
    roundTrips: cat(
      (n) => new Int32Array(n),
      (t) => t.roundTrips,
    ),
    roundTripRounds: cat(
      (n) => new Float64Array(n),
      (t) => t.roundTripRounds,
    ),
    walkerAt: cat(
      (n) => new Int32Array(n),
      (t) => t.walkerAt,
    ),
    ...(sorted[0].segments
      ? {
          segments: sorted[0].segments.map((_, j) => ({
            accepted: cat(
              (n) => new Int32Array(n),
              (t) => t.segments![j].accepted,
            ),
            attempted: cat(
              (n) => new Int32Array(n),
              (t) => t.segments![j].attempted,
            ),
          })),
        }
      : {}),
    ...(sorted[0].walkerPath ? { walkerPath: sorted[0].walkerPath } : {}),
  };
}

/** Acceptance per neighbour pair over all sets, with its SE from the spread of the per-set rates (sets are independent). */
export function pairAcceptances(values: number[], accepted: Int32Array, attempted: Int32Array, sets: number): ExchangePair[] {
  const K = values.length;
  const pairs: ExchangePair[] = [];
  for (let p = 0; p + 1 < K; p++) {
    let att = 0,
      acc = 0,
      sum = 0,
      sum2 = 0,
      used = 0;
    for (let i = 0; i < sets; i++) {
      const at = attempted[i * (K - 1) + p],
        ac = accepted[i * (K - 1) + p];
      att += at;
      acc += ac;
      if (at > 0) {
        const rate = ac / at;
        sum += rate;
        sum2 += rate * rate;
        used++;
      }
    }
    const acceptance = att > 0 ? acc / att : null;
    const mean = used > 0 ? sum / used : 0;
    const se = used > 1 ? Math.sqrt(Math.max(0, sum2 / used - mean * mean) / (used - 1)) : null;
    pairs.push({ rungs: [p, p + 1], values: [values[p], values[p + 1]], attempted: att, accepted: acc, acceptance, acceptanceSe: se });
  }
  return pairs;
}

/** walkers.csv: after each exchange round, the rung of each walker of ladder 0 (walker w starts at rung w). */
export function walkersCsv(path: Int32Array, rungs: number, interval: number): string {
  const header = ['round', 'step', ...Array.from({ length: rungs }, (_, w) => `walker_${w}`)];
  const rows: number[][] = [];
  for (let r = 0; r * rungs < path.length; r++) rows.push([r, r * interval, ...path.subarray(r * rungs, (r + 1) * rungs)]);
  return toCsv(header, rows);
}

/** exchange.json from the merged tally. */
export function exchangeSummary(scenario: Scenario, values: number[], temperatures: number[], tally: ExchangeTally): ExchangeSummary {
  const ex = scenario.exchange!;
  const K = values.length;
  const M = tally.count;
  const pairs = pairAcceptances(values, tally.accepted, tally.attempted, M);
  const warnings: string[] = [];
  for (let p = 0; p + 1 < K; p++) {
    const acceptance = pairs[p].acceptance;
    if (acceptance !== null && acceptance < LOW_ACCEPTANCE) {
      const a = values[p],
        b = values[p + 1];
      const between = a > 0 && b > 0 ? Math.sqrt(a * b) : (a + b) / 2;
      warnings.push(
        `exchange: acceptance between rung ${p} (${ex.key} = ${a}) and rung ${p + 1} (${b}) is ${acceptance.toFixed(3)} < ${LOW_ACCEPTANCE}; ` +
          `add a rung between them (e.g. ${Number(between.toPrecision(4))})`,
      );
    }
  }
  let trips = 0,
    tripRounds = 0;
  for (let i = 0; i < M; i++) {
    trips += tally.roundTrips[i];
    tripRounds += tally.roundTripRounds[i];
  }
  return {
    schema: EXCHANGE_SCHEMA,
    name: scenario.name,
    key: ex.key,
    scheme: ex.scheme,
    interval: ex.interval,
    rounds: tally.rounds,
    sets: M,
    rungs: values.map((value, index) => ({ index, value, temperature: temperatures[index], dir: `rungs/${index}` })),
    pairs,
    roundTrips: {
      count: trips,
      meanRounds: trips > 0 ? tripRounds / trips : null,
      perSetPerRound: M > 0 && tally.rounds > 0 ? trips / (M * tally.rounds) : 0,
    },
    warnings,
    status: 'completed',
    missing: [],
  };
}

/** A replica-exchange run stopped by its signal before anything could be written (see RunExchangeOptions.signal). */
export class ExchangeInterrupted extends Error {
  override readonly name = 'ExchangeInterrupted';
}

/**
 * Run a scenario with an `exchange:` section. Throws ScenarioError (every
 * issue, file and line) before anything runs when a rung does not check.
 */
/** Check every rung scenario (throws ScenarioError) and resolve its plan; one temperature per rung. */
export async function checkRungs(
  scenario: Scenario,
  rungScenarios: Array<{ value: number; scenario: Scenario }>,
): Promise<{ rungs: ExchangeRung[]; potentials: Potential[]; temperatures: number[] }> {
  const rungs: ExchangeRung[] = [];
  const potentials: Potential[] = [];
  const temperatures: number[] = [];
  for (const r of rungScenarios) {
    const { plan, potential } = await checkScenario(r.scenario, 0);
    potentials.push(potential);
    const theta = plan.settings.temperature;
    // One temperature for every coordinate: the Gibbs density exp(−G/θ) the swaps exchange.
    if (!(theta.length > 0 && theta.every((t) => t === theta[0]) && theta[0] > 0))
      throw new ScenarioError(
        scenario.source || '(scenario)',
        locateIssues(scenario, [
          {
            path: 'dynamics.temperature',
            expected: 'one temperature > 0 for every parameter group with exchange',
            found: `temperatures ${[...new Set(theta)].join(', ')}`,
            hint: 'Remove the per-group temperatures: the swap criterion needs one Gibbs density per rung.',
          },
        ]),
      );
    rungs.push({ scenario: r.scenario, plan });
    temperatures.push(theta[0]);
  }
  return { rungs, potentials, temperatures };
}

/**
 * Run a scenario with an `exchange:` section. Throws ScenarioError (every
 * issue, file and line) before anything runs when a rung does not check.
 *
 * With `exchange.adapt`, adaptation round j is an adaptation pass: every
 * shard replays the run from step 0 on the ladders known so far up to the end
 * of round j and returns its swap counts; the main thread pools them over all
 * ladders (integer sums, so the same for any sharding), re-places the
 * interior rungs (exchange-adapt.ts) and starts the next pass. The final run
 * replays all rounds and continues on the frozen ladder.
 */
export async function runExchange(scenario: Scenario, options: RunExchangeOptions = {}): Promise<ExchangeOutput> {
  const ex = scenario.exchange;
  if (!ex) throw new TypeError(`runExchange: scenario '${scenario.name}' has no exchange section`);
  let rungScenarios = exchangeRungScenarios(scenario);
  let { rungs, potentials, temperatures } = await checkRungs(scenario, rungScenarios);
  const hamiltonian = ex.key !== 'dynamics.temperature';
  const sets = rungs[0].plan.replicas;
  const steps = rungs[0].plan.steps;
  const K = rungs.length;
  const startedAt = new Date();
  const id = runId(scenario, startedAt);
  const workers = options.workers ?? 1;
  const ranges = planShards(sets, shardsFor(sets * K, steps, rungs[0].plan.dim, workers, options.shardsPerWorker));
  const signal = options.signal;
  // The directory and scenario.resolved.json first (as a plain run writes them); exchange.json last.
  const dir =
    options.write === false ? undefined : options.out ? resolve(options.out) : resolve(options.outputRoot ?? 'output', scenario.name, id);
  if (dir !== undefined) {
    // Saved work is this run's only when the directory holds this same scenario (and stochdyn version).
    const resumable = sameResolvedScenario(dir, scenario);
    mkdirSync(dir, { recursive: true });
    if (!resumable) rmSync(join(dir, PARTIAL_DIR), { recursive: true, force: true });
    writeAtomic(join(dir, 'scenario.resolved.json'), resolvedScenarioJson(scenario));
  }
  const saved = dir !== undefined && options.checkpoint !== false ? exchangeCheckpoint(dir) : undefined;
  if (saved && (saved.results.size > 0 || saved.snapshots.size > 0))
    options.onResume?.({
      replicasDone: [...saved.results.values()].reduce((n, r) => n + r.tally.count, 0),
      continued: [...saved.snapshots.values()].map((x) => ({ firstReplica: x.firstSet, count: x.count, step: x.s0 })),
    });
  const snapshotSeconds = options.checkpointEvery ?? CHECKPOINT_EVERY_SECONDS;
  // The observed pass's shards: those with saved work as they were, the other ladders planned afresh.
  const savedRanges = saved
    ? [...[...saved.results.values()].map((r) => r.tally), ...saved.snapshots.values()].map((x) => ({
        firstReplica: x.firstSet,
        count: x.count,
      }))
    : [];
  const finalRanges = savedRanges.length
    ? [...savedRanges, ...planRanges(uncovered(savedRanges, sets), sets, ranges.length)].sort((a, b) => a.firstReplica - b.firstReplica)
    : ranges;
  const adapt = ex.adapt;
  const ends = adapt ? Array.from({ length: adapt.rounds }, (_, j) => adapt.steps * (Math.pow(2, j + 1) - 1)) : [];
  // Progress counts the replica-steps of the adaptation passes and of the final run.
  const total = sets * K * (steps + ends.reduce((a, e) => a + e, 0));
  let done = 0;
  // A pass: one result per shard, null for a shard the signal stopped (or never started).
  const runPass = async (
    passRungs: ExchangeRung[],
    passAdapt: ExchangeShardAdapt | undefined,
  ): Promise<Array<ExchangeShardResult | null>> => {
    const length = passAdapt?.stopAt ?? steps;
    // The observed pass keeps its work (finished shards, snapshots of running ones); adaptation passes replay from step 0.
    const keep = passAdapt?.stopAt === undefined ? saved : undefined;
    const runOne = async (range: { firstReplica: number; count: number }): Promise<ExchangeShardResult | null> => {
      const kept = keep?.results.get(rangeKey(range));
      if (kept) {
        done += range.count * K * length;
        options.onProgress?.(done, total);
        return kept;
      }
      if (signal?.aborted) return null;
      const resume = keep?.snapshots.get(rangeKey(range));
      const spec: ExchangeShardSpec = {
        rungs: passRungs,
        hamiltonian,
        interval: ex.interval,
        scheme: ex.scheme,
        firstSet: range.firstReplica,
        count: range.count,
        ...(passAdapt ? { adapt: passAdapt } : {}),
        ...(resume ? { resume } : {}),
      };
      const onSnapshot = keep ? (x: ExchangeSnapshot) => keep.saveSnapshot(x) : undefined;
      let result: ExchangeShardResult;
      try {
        result =
          workers > 0
            ? await sharedWorkerPool().runExchange(spec, {
                signal,
                ...(onSnapshot ? { onExchangeSnapshot: onSnapshot, snapshotSeconds } : {}),
              })
            : await runExchangeShard(spec, {
                ...(signal ? { shouldStop: () => signal.aborted } : {}),
                yieldMilliseconds: 50,
                ...(onSnapshot ? { onSnapshot, snapshotSeconds } : {}),
              });
      } catch (e) {
        if (e instanceof ExchangeStopped && e.snapshot) onSnapshot?.(e.snapshot);
        if (signal?.aborted) return null;
        throw e;
      }
      keep?.saveResult(range, result);
      done += range.count * K * length;
      options.onProgress?.(done, total);
      return result;
    };
    // `workers` lanes, each taking the next shard in plan order; the results are placed by shard, not by finishing order.
    const passRanges = keep ? finalRanges : ranges;
    const outcomes = new Array<ExchangeShardResult | null>(passRanges.length);
    let next = 0;
    const lane = async () => {
      while (next < passRanges.length) {
        const i = next++;
        outcomes[i] = await runOne(passRanges[i]);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, passRanges.length)) }, lane));
    return outcomes;
  };

  let adaptation: ExchangeAdaptation | undefined;
  let shardAdapt: ExchangeShardAdapt | undefined;
  if (adapt && saved?.adaptation) {
    ({ adaptation, shardAdapt } = saved.adaptation);
    rungScenarios = exchangeRungScenarios(scenario, adaptation.final);
    ({ rungs, potentials, temperatures } = await checkRungs(scenario, rungScenarios));
    done += sets * K * ends.reduce((a, e) => a + e, 0);
  } else if (adapt) {
    const space = adaptationSpace(ex);
    const ladders = [rungScenarios.map((r) => r.value)];
    const history: ExchangeAdaptationRound[] = [];
    for (let j = 0; j < adapt.rounds; j++) {
      const pass = await runPass(rungs, { ends, temperatures: ladders.map((l) => [...l]), stopAt: ends[j] });
      // Every ladder shares the rung values: without all of them there is no next ladder, and nothing to write.
      if (pass.some((o) => o === null))
        throw new ExchangeInterrupted(
          `replica exchange '${scenario.name}' was interrupted during the ladder adaptation (round ${j + 1} of ${adapt.rounds}), before the ladder froze: no results were written`,
        );
      const counts = mergeTallies(pass.map((o) => o!.tally)).segments![j];
      const pairs = pairAcceptances(ladders[j], counts.accepted, counts.attempted, sets);
      const from = j === 0 ? 0 : ends[j - 1];
      history.push({ round: j, steps: [from, ends[j]], exchangeRounds: (ends[j] - from) / ex.interval, values: ladders[j], pairs });
      // A pair never proposed (no rounds of its parity) counts as rejecting half the time: it leaves the ladder near where it was.
      ladders.push(
        adaptLadder(
          ladders[j],
          pairs.map((p) => (p.acceptance === null ? 0.5 : 1 - p.acceptance)),
          space,
        ),
      );
    }
    const final = ladders[adapt.rounds];
    adaptation = {
      rounds: adapt.rounds,
      steps: adapt.steps,
      space,
      frozenAt: ends[adapt.rounds - 1],
      initial: ladders[0],
      final,
      history,
    };
    shardAdapt = { ends, temperatures: ladders };
    saved?.saveAdaptation({ adaptation, shardAdapt });
    rungScenarios = exchangeRungScenarios(scenario, final);
    ({ rungs, potentials, temperatures } = await checkRungs(scenario, rungScenarios));
  }
  const values = rungScenarios.map((r) => r.value);
  const passed = await runPass(rungs, shardAdapt);
  const outcomes = passed.filter((o): o is ExchangeShardResult => o !== null);
  if (outcomes.length === 0)
    throw new ExchangeInterrupted(
      `replica exchange '${scenario.name}' was interrupted before any ladder finished: no results were written` +
        (saved ? `; the same command with --out ${dir} continues from the snapshots saved in partial/` : ''),
    );
  // Ladders of stopped shards, adjacent ranges joined.
  const missing: ReplicaGap[] = [];
  passed.forEach((o, i) => {
    if (o !== null) return;
    const last = missing.at(-1);
    if (last && last.firstReplica + last.count === finalRanges[i].firstReplica) last.count += finalRanges[i].count;
    else missing.push({ firstReplica: finalRanges[i].firstReplica, count: finalRanges[i].count, status: 'interrupted', errors: [] });
  });
  const finishedAt = new Date();
  const tally = mergeTallies(outcomes.map((o) => o.tally));
  const out: ExchangeRungOutput[] = [];
  const histogramOverlays: (HistogramOverlay | null)[][] = [];
  for (let k = 0; k < rungs.length; k++) {
    const { scenario: s, plan } = rungs[k];
    const result = mergeShards(
      outcomes.map((o) => o.rungs[k]),
      { missing },
    );
    const potential = potentials[k];
    const overlays = await theoryOverlays(s, plan, result, potential);
    const summary = buildSummary(s, plan, result, {
      id: `${id}-rung${k}`,
      version: packageVersion(),
      kernels: typeof potential.info?.kernels === 'string' ? potential.info.kernels : undefined,
      workers,
      startedAt,
      finishedAt,
      theory: overlays.summary,
      sampling:
        s.sampling && result.sampling ? buildSamplingSummary(s.sampling, result.sampling, result.count, potential.predictive) : undefined,
    });
    summary.analyses = await runRunAnalyses({ scenario: s, plan, result, potential, summary });
    out.push({ index: k, value: values[k], scenario: s, summary, result });
    histogramOverlays.push(overlays.histograms);
  }
  const exchange = exchangeSummary(scenario, values, temperatures, tally);
  if (adaptation) exchange.adaptation = adaptation;
  if (missing.length > 0) {
    exchange.status = 'interrupted';
    exchange.missing = missing.map((g) => ({ first: g.firstReplica, count: g.count }));
  }
  if (dir === undefined) return { exchange, rungs: out, tally };
  for (const r of out) {
    const rungDir = join(dir, 'rungs', String(r.index));
    mkdirSync(rungDir, { recursive: true });
    writeOutputs(rungDir, r.scenario, rungs[r.index].plan, r.summary, r.result, histogramOverlays[r.index]);
    r.dir = rungDir;
  }
  const meta: SweepMeta = {
    schema: SWEEP_SCHEMA,
    name: scenario.name,
    hash: '',
    mode: 'zip',
    axes: [{ key: ex.key, values }],
    points: values.map((value, index) => ({ index, values: { [ex.key]: value } })),
    scenario,
  };
  const table = sweepTable(
    meta,
    out.map((r) => r.summary),
  );
  writeAtomic(join(dir, 'rungs.csv'), toCsv(table.header, table.rows));
  if (tally.walkerPath) writeAtomic(join(dir, 'walkers.csv'), walkersCsv(tally.walkerPath, rungs.length, ex.interval));
  // exchange.json last: its presence means the directory is complete.
  writeAtomic(join(dir, 'exchange.json'), JSON.stringify(exchange, jsonReplacer, 2) + '\n');
  if (missing.length === 0) rmSync(join(dir, PARTIAL_DIR), { recursive: true, force: true });
  return { dir, exchange, rungs: out, tally };
}

const rangeKey = (r: { firstReplica: number; count: number }) => `${r.firstReplica}-${r.count}`;

/**
 * The checkpoint of an exchange run in `dir/partial/`: `adaptation.bin` (the
 * adapted ladder), `ladders-<first>-<count>.bin` (a finished shard's result)
 * and `ladders-state-<first>-<count>.bin` (a snapshot of a running shard),
 * in Node's structured-clone serialisation, written atomically.
 */
function exchangeCheckpoint(dir: string) {
  const folder = join(dir, PARTIAL_DIR);
  const results = new Map<string, ExchangeShardResult & { firstSet?: number; count: number }>();
  const snapshots = new Map<string, ExchangeSnapshot>();
  let adaptation: { adaptation: ExchangeAdaptation; shardAdapt: ExchangeShardAdapt } | undefined;
  const read = <T>(file: string): T => readSaved<T>(file, 'exchange checkpoint', 'run that part again');

  if (existsSync(folder))
    for (const name of readdirSync(folder).sort()) {
      const file = join(folder, name);
      let m: RegExpExecArray | null;
      if (name === 'adaptation.bin') adaptation = read(file);
      else if ((m = /^ladders-(\d+)-(\d+)\.bin$/.exec(name))) {
        const r = read<ExchangeShardResult>(file);
        results.set(`${m[1]}-${m[2]}`, Object.assign(r, { firstSet: r.tally.firstSet, count: r.tally.count }));
      } else if ((m = /^ladders-state-(\d+)-(\d+)\.bin$/.exec(name))) snapshots.set(`${m[1]}-${m[2]}`, read<ExchangeSnapshot>(file));
    }
  for (const k of results.keys()) snapshots.delete(k);
  let snapshotsSaved = 0;
  return {
    results,
    snapshots,
    adaptation,
    saveAdaptation(a: { adaptation: ExchangeAdaptation; shardAdapt: ExchangeShardAdapt }) {
      writeAtomic(join(folder, 'adaptation.bin'), serialize(a));
    },
    saveSnapshot(x: ExchangeSnapshot) {
      writeAtomic(join(folder, `ladders-state-${x.firstSet}-${x.count}.bin`), serialize(x));
      pauseAfterSnapshots(++snapshotsSaved);
    },
    saveResult(range: { firstReplica: number; count: number }, r: ExchangeShardResult) {
      writeAtomic(join(folder, `ladders-${rangeKey(range)}.bin`), serialize(r));
      rmSync(join(folder, `ladders-state-${rangeKey(range)}.bin`), { force: true });
    },
  };
}
