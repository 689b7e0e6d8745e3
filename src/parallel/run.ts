/**
 * Run one scenario: plan shards of whole blocks, run them (worker threads or
 * in-process), merge in replica order.
 */
import type { Scenario } from '../scenario/types.js';
import { mergeShards, type RunResult } from './merge.js';
import { runShards } from './pool.js';
import { planShards } from './shard-plan.js';

export interface RunOptions {
  /** Worker threads (0 = in-process). Default 1. */
  workers?: number;
  /** Run index within a sweep or regime set (part of the stream key). Default 0. */
  run?: number;
  /** Called with (replica-steps done, replica-steps total). */
  onProgress?: (done: number, total: number) => void;
  /** Replicas per tile (testing and benchmarking; results do not depend on it). */
  tile?: number;
}

export async function runEnsemble(scenario: Scenario, o: RunOptions = {}): Promise<RunResult> {
  const workers = o.workers ?? 1;
  const replicas = scenario.ensemble.replicas;
  const ranges = planShards(replicas, Math.max(1, workers));
  const total = replicas * scenario.dynamics.steps;
  const specs = ranges.map((r) => ({ scenario, run: o.run ?? 0, firstReplica: r.firstReplica, count: r.count, tile: o.tile }));
  const shards = await runShards(specs, { workers, onProgress: (d) => o.onProgress?.(d, total) });
  return mergeShards(shards);
}
