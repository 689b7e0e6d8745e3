/**
 * One run split across machines: `run --shard i/N` runs the i-th of N
 * contiguous ranges of whole replica blocks and writes a shard directory (its
 * shard results under partial/, as a checkpoint writes them, and shard.json);
 * `mergeRunShards` combines the N shard directories into the run directory the
 * run on one machine writes — the same bytes, minus timing and run id —
 * because shard results merge identically for any cut into whole blocks.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { runRanges } from '../parallel/run.js';
import { mergeShards } from '../parallel/merge.js';
import { planShards, uncovered } from '../parallel/shard-plan.js';
import type { ShardResult } from '../observables/results.js';
import { clearShardResults, loadShardResults } from '../results/checkpoint.js';
import { writeAtomic, writeJson } from '../results/write.js';
import type { Scenario } from '../scenario/types.js';
import {
  checkScenario,
  finishRun,
  packageVersion,
  resolvedScenarioJson,
  runCheckpoint,
  runId,
  sameResolvedScenario,
  type RunOutput,
} from './run.js';

export const RUN_SHARD_SCHEMA = 'stochdyn.run-shard/1';

/** shard.json of a run-shard directory. */
export interface RunShardInfo {
  schema: typeof RUN_SHARD_SCHEMA;
  name: string;
  /** i of N (1-based). */
  shard: { index: number; count: number };
  /** The replicas of this shard: first … first + count − 1 of `requested`. */
  replicas: { first: number; count: number };
  requested: number;
  /** completed: every replica of the shard has a result; otherwise run the same command again. */
  status: 'completed' | 'interrupted' | 'partial';
  missing: Array<{ first: number; count: number; status: string; errors: string[] }>;
}

/** A run-shard or merge request that cannot be carried out (exit code 2 in the CLI); nothing was written. */
export class RunShardError extends Error {
  override readonly name = 'RunShardError';
}

export interface RunShardOptions {
  /** i of N, 1 ≤ i ≤ N. */
  shard: { index: number; count: number };
  out?: string;
  outputRoot?: string;
  workers?: number;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Seconds between snapshots of a running shard (RunScenarioOptions.checkpointEvery). */
  checkpointEvery?: number;
}

/** The replicas of shard i of N: the i-th of N ranges of whole blocks (N at most the number of blocks). */
export function runShardRange(replicas: number, shard: { index: number; count: number }): { firstReplica: number; count: number } {
  const ranges = planShards(replicas, shard.count);
  if (ranges.length < shard.count)
    throw new RunShardError(
      `--shard ${shard.index}/${shard.count}: ${replicas} replicas make ${ranges.length} block(s), so at most ${ranges.length} shards`,
    );
  return ranges[shard.index - 1];
}

/**
 * Run shard i of N of a scenario and write its shard directory. Running the
 * same shard into the same directory again continues it (its finished parts
 * are kept), so a failed or interrupted shard is completed by resubmitting it.
 */
export async function runScenarioShard(s: Scenario, o: RunShardOptions): Promise<{ dir: string; info: RunShardInfo }> {
  const { index, count } = o.shard;
  if (!(Number.isInteger(index) && Number.isInteger(count) && index >= 1 && index <= count))
    throw new RunShardError(`shard must be i/N with 1 ≤ i ≤ N, found ${index}/${count}`);
  if (s.exchange) throw new RunShardError('a replica-exchange scenario cannot be split with --shard (its ladders are one run)');
  const { plan } = await checkScenario(s);
  const range = runShardRange(plan.replicas, o.shard);
  const dir = o.out ? resolve(o.out) : resolve(o.outputRoot ?? 'output', s.name, `${runId(s, new Date())}-shard-${index}-of-${count}`);
  const resumable = sameResolvedScenario(dir, s) && sameShard(dir, o.shard);
  mkdirSync(dir, { recursive: true });
  writeAtomic(join(dir, 'scenario.resolved.json'), resolvedScenarioJson(s));
  // The scenario itself, losslessly (the JSON text turns ±Infinity into null): the merge runs from it.
  writeAtomic(join(dir, 'scenario.bin'), serialize(s));
  if (!resumable) clearShardResults(dir);
  const workers = o.workers ?? 1;
  const checkpoint = runCheckpoint(dir, plan, workers, o.checkpointEvery);
  const { missing } = await runRanges(s, plan, {
    workers,
    signal: o.signal,
    onProgress: o.onProgress,
    within: range,
    ...checkpoint.options,
  });
  const info: RunShardInfo = {
    schema: RUN_SHARD_SCHEMA,
    name: s.name,
    shard: { index, count },
    replicas: { first: range.firstReplica, count: range.count },
    requested: plan.replicas,
    status: missing.length === 0 ? 'completed' : missing.some((g) => g.status === 'interrupted') ? 'interrupted' : 'partial',
    missing: missing.map((g) => ({ first: g.firstReplica, count: g.count, status: g.status, errors: g.errors })),
  };
  writeJson(join(dir, 'shard.json'), info);
  return { dir, info };
}

function readShardInfo(dir: string): RunShardInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(join(dir, 'shard.json'), 'utf8')) as RunShardInfo;
    return info.schema === RUN_SHARD_SCHEMA ? info : undefined;
  } catch {
    return undefined;
  }
}

function sameShard(dir: string, shard: { index: number; count: number }): boolean {
  const info = readShardInfo(dir);
  return info === undefined || (info.shard.index === shard.index && info.shard.count === shard.count);
}

/** `dir` is a run-shard directory (it has a shard.json). */
export function isRunShardDir(dir: string): boolean {
  return readShardInfo(dir) !== undefined;
}

export interface MergeRunShardsOptions {
  /** The merged run directory (default output/<name>/<run id>); must be new or empty. */
  out?: string;
  outputRoot?: string;
  /** Worker threads for the analyses that run at the end (splitting). */
  workers?: number;
}

/**
 * Merge the shard directories of one run into its run directory. Every
 * replica must be in exactly one shard result (a shard present twice must hold
 * the same ranges); the directories must hold the same scenario (same
 * scenario.resolved.json text) written by this stochdyn version.
 */
export async function mergeRunShards(dirs: string[], o: MergeRunShardsOptions = {}): Promise<RunOutput> {
  if (dirs.length === 0) throw new RunShardError('merge: no run-shard directories given');
  const inputs = [...new Set(dirs.map((d) => resolve(d)))];
  const texts = inputs.map((d) => {
    if (!readShardInfo(d)) throw new RunShardError(`${d}: not a run-shard directory (no shard.json)`);
    return readFileSync(join(d, 'scenario.resolved.json'), 'utf8');
  });
  const different = inputs.filter((_, i) => texts[i] !== texts[0]);
  if (different.length > 0)
    throw new RunShardError(
      `merge: ${different.join(', ')} hold(s) another run than ${inputs[0]} (scenario.resolved.json differs: scenario, seed, overrides or stochdyn version)`,
    );
  const version = (JSON.parse(texts[0]) as { stochdyn?: string }).stochdyn;
  if (version !== packageVersion())
    throw new RunShardError(
      `merge: the shards were written by stochdyn ${version}, this is ${packageVersion()}; merge them with that version`,
    );
  const s = deserialize(readFileSync(join(inputs[0], 'scenario.bin'))) as Scenario;
  if (resolvedScenarioJson(s) !== texts[0]) throw new RunShardError(`${inputs[0]}: scenario.bin does not match scenario.resolved.json`);
  const infos = inputs.map((d) => readShardInfo(d)!);
  const N = infos[0].shard.count;
  const requested = infos[0].requested;

  // Every saved result, once (a range saved in two directories must be the same range).
  const byRange = new Map<string, ShardResult>();
  for (const d of inputs) for (const r of loadShardResults(d)) byRange.set(`${r.firstReplica}+${r.count}`, r);
  const results = [...byRange.values()].sort((a, b) => a.firstReplica - b.firstReplica);
  let gaps;
  try {
    gaps = uncovered(results, requested);
  } catch (e) {
    throw new RunShardError(`merge: the shard directories overlap (${(e as Error).message}); merge one directory per shard`, { cause: e });
  }
  if (gaps.length > 0) {
    const shards = planShards(requested, N)
      .map((r, i) => ({ ...r, index: i + 1 }))
      .filter((r) => gaps.some((g) => g.firstReplica < r.firstReplica + r.count && r.firstReplica < g.firstReplica + g.count));
    throw new RunShardError(
      `merge: replicas ${gaps.map((g) => `${g.firstReplica}…${g.firstReplica + g.count - 1}`).join(', ')} have no result; ` +
        `run (or continue) ${shards.map((r) => `--shard ${r.index}/${N}`).join(', ')} and merge again — nothing was written`,
    );
  }
  const { potential, plan } = await checkScenario(s);
  const startedAt = new Date();
  const id = runId(s, startedAt);
  const dir = o.out ? resolve(o.out) : resolve(o.outputRoot ?? 'output', s.name, id);
  if (existsSync(join(dir, 'summary.json')) || existsSync(join(dir, 'shard.json')))
    throw new RunShardError(`${dir}: holds a run or a shard already; choose another --out`);
  mkdirSync(dir, { recursive: true });
  writeAtomic(join(dir, 'scenario.resolved.json'), texts[0]);
  const result = mergeShards(results);
  return (await finishRun(s, plan, potential, result, { id, startedAt, workers: o.workers ?? 1, dir })) as RunOutput;
}
