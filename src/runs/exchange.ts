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
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runRunAnalyses } from '../analysis/index.js';
import { buildSamplingSummary } from '../analysis/sampling.js';
import { buildSummary, type Summary } from '../analysis/summary.js';
import { theoryOverlays, type HistogramOverlay } from '../analysis/theory-overlays.js';
import type { Potential } from '../engine/types.js';
import { runExchangeShard, type ExchangeRung, type ExchangeShardResult, type ExchangeTally } from '../parallel/exchange-runner.js';
import { mergeShards, type RunResult } from '../parallel/merge.js';
import { shardsFor } from '../parallel/run.js';
import { sharedWorkerPool } from '../parallel/pool.js';
import { planShards } from '../parallel/shard-plan.js';
import { exchangeRungValues, exchangeVariants, locateIssues, ScenarioError, validateVariant } from '../scenario/index.js';
import type { Scenario } from '../scenario/types.js';
import { sweepTable, SWEEP_SCHEMA, type SweepMeta } from '../results/sweep-files.js';
import { jsonReplacer, toCsv, writeAtomic } from '../results/write.js';
import { checkScenario, packageVersion, resolvedScenarioJson, writeOutputs } from './run.js';

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
  onProgress?: (done: number, total: number) => void;
}

/** The rung scenarios of a scenario with `exchange:`, rung 0 first, each validated with the key set to its value and no `exchange` section. */
export function exchangeRungScenarios(scenario: Scenario): Array<{ value: number; scenario: Scenario }> {
  const ex = scenario.exchange;
  if (!ex) throw new TypeError(`exchangeRungScenarios: scenario '${scenario.name}' has no exchange section`);
  const values = exchangeRungValues(ex.rungs);
  return exchangeVariants(ex).map((variant, k) => {
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
  };
}

/** exchange.json from the merged tally. */
export function exchangeSummary(scenario: Scenario, values: number[], temperatures: number[], tally: ExchangeTally): ExchangeSummary {
  const ex = scenario.exchange!;
  const K = values.length;
  const M = tally.count;
  const pairs: ExchangePair[] = [];
  const warnings: string[] = [];
  for (let p = 0; p + 1 < K; p++) {
    let attempted = 0,
      accepted = 0,
      sum = 0,
      sum2 = 0,
      used = 0;
    for (let i = 0; i < M; i++) {
      const at = tally.attempted[i * (K - 1) + p],
        ac = tally.accepted[i * (K - 1) + p];
      attempted += at;
      accepted += ac;
      if (at > 0) {
        const rate = ac / at;
        sum += rate;
        sum2 += rate * rate;
        used++;
      }
    }
    const acceptance = attempted > 0 ? accepted / attempted : null;
    const mean = used > 0 ? sum / used : 0;
    const se = used > 1 ? Math.sqrt(Math.max(0, sum2 / used - mean * mean) / (used - 1)) : null;
    pairs.push({ rungs: [p, p + 1], values: [values[p], values[p + 1]], attempted, accepted, acceptance, acceptanceSe: se });
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
  };
}

/**
 * Run a scenario with an `exchange:` section. Throws ScenarioError (every
 * issue, file and line) before anything runs when a rung does not check.
 */
export async function runExchange(scenario: Scenario, options: RunExchangeOptions = {}): Promise<ExchangeOutput> {
  const ex = scenario.exchange;
  if (!ex) throw new TypeError(`runExchange: scenario '${scenario.name}' has no exchange section`);
  const rungScenarios = exchangeRungScenarios(scenario);
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
  const values = rungScenarios.map((r) => r.value);
  const hamiltonian = ex.key !== 'dynamics.temperature';
  const sets = rungs[0].plan.replicas;
  const steps = rungs[0].plan.steps;
  const startedAt = new Date();
  const id = runId(scenario, startedAt);
  const workers = options.workers ?? 1;
  const ranges = planShards(sets, shardsFor(sets * rungs.length, steps, rungs[0].plan.dim, workers));
  const total = sets * rungs.length * steps;
  let done = 0;
  const runOne = async (range: { firstReplica: number; count: number }): Promise<ExchangeShardResult> => {
    const spec = { rungs, hamiltonian, interval: ex.interval, scheme: ex.scheme, firstSet: range.firstReplica, count: range.count };
    const result = workers > 0 ? await sharedWorkerPool().runExchange(spec) : await runExchangeShard(spec);
    done += range.count * rungs.length * steps;
    options.onProgress?.(done, total);
    return result;
  };
  // `workers` lanes, each taking the next shard in plan order; the results are placed by shard, not by finishing order.
  const outcomes = new Array<ExchangeShardResult>(ranges.length);
  let next = 0;
  const lane = async () => {
    while (next < ranges.length) {
      const i = next++;
      outcomes[i] = await runOne(ranges[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, ranges.length)) }, lane));
  const finishedAt = new Date();
  const tally = mergeTallies(outcomes.map((o) => o.tally));
  const out: ExchangeRungOutput[] = [];
  const histogramOverlays: (HistogramOverlay | null)[][] = [];
  for (let k = 0; k < rungs.length; k++) {
    const { scenario: s, plan } = rungs[k];
    const result = mergeShards(outcomes.map((o) => o.rungs[k]));
    const potential = potentials[k];
    const overlays = await theoryOverlays(s, plan, result, potential);
    const summary = buildSummary(s, plan, result, {
      id: `${id}-rung${k}`,
      version: packageVersion(),
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
  if (options.write === false) return { exchange, rungs: out, tally };
  const dir = options.out ? resolve(options.out) : resolve(options.outputRoot ?? 'output', scenario.name, id);
  mkdirSync(dir, { recursive: true });
  writeAtomic(join(dir, 'scenario.resolved.json'), resolvedScenarioJson(scenario));
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
  // exchange.json last: its presence means the directory is complete.
  writeAtomic(join(dir, 'exchange.json'), JSON.stringify(exchange, jsonReplacer, 2) + '\n');
  return { dir, exchange, rungs: out, tally };
}
