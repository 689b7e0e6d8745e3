/**
 * Run one scenario: plan shards of whole blocks, run them (worker threads or
 * in-process), merge in replica order. Shards that fail (a worker fault
 * twice, or an exception of the shard's own code once), or that an abort
 * signal stops, become gaps of the result (`missing`); the run fails outright
 * only when every shard failed.
 */
import type { Scenario } from '../scenario/types.js';
import { buildPotential } from '../potentials/index.js';
import { resolvePlan, type RunPlan } from '../plan/run-plan.js';
import { mergeShards, type ReplicaGap, type RunResult } from './merge.js';
import { runShards, type FaultInjection } from './pool.js';
import type { WorkerPool } from './worker-pool.js';
import { planRanges, uncovered, type ReplicaRange } from './shard-plan.js';
import type { ShardResult } from '../observables/results.js';
import { runShard, type ShardSnapshot, type ShardSpec } from './shard-runner.js';

export interface RunOptions {
  /** Worker threads (0 = in-process). Default 1. */
  workers?: number;
  /** Run index within a sweep or regime set (part of the stream key). Default 0. */
  run?: number;
  /** Called with (replica-steps done, replica-steps total). */
  onProgress?: (done: number, total: number) => void;
  /** Replicas per tile (testing and benchmarking; results do not depend on it). */
  tile?: number;
  /** Stop early: shards finished by then are kept, the others are reported missing ('interrupted'). */
  signal?: AbortSignal;
  /** Extra attempts for a shard whose worker failed (default 1); an exception of the shard's own code is not retried. */
  retries?: number;
  /** The worker pool (default: the process's shared pool, whose threads serve every run of the process). */
  pool?: WorkerPool;
  /** Fault injection (testing the fault handling). */
  fault?: FaultInjection;
  /** Shards per worker (default: by the amount of work, 1–4; results do not depend on it). */
  shardsPerWorker?: number;
  /**
   * The resolved run (src/plan/run-plan.ts), built once in the main thread from the
   * scenario and its potential; resolved here (building the potential) when absent.
   * Its run index wins over `run`.
   */
  plan?: RunPlan;
  /**
   * Results of this run already computed (whole blocks of replicas, e.g. loaded
   * from a checkpoint): their replicas are not run again, and the merged result
   * is the same as if they had been.
   */
  done?: ShardResult[];
  /** Called in this thread with each new shard result as soon as it is complete (e.g. to save a checkpoint). */
  onShardDone?: (result: ShardResult) => void;
  /** At least this many shards in all (finer checkpoints and interruption; results do not depend on it). */
  minShards?: number;
  /** Each shard's result carries its final state (`ShardResult.final`), from which a longer run can go on. */
  keepFinal?: boolean;
  /** Unfinished shards of this run (e.g. from a checkpoint): each continues from its snapshot, as the same shard. */
  snapshots?: ShardSnapshot[];
  /** Called in this thread with snapshots of running shards: about every `snapshotSeconds` of a shard's time, and when `signal` stops it. */
  onSnapshot?: (snapshot: ShardSnapshot) => void;
  snapshotSeconds?: number;
}

/** The shards of `within` (default: every replica) that `done` does not cover, and the finished ones. */
export interface RangeOutcome {
  /** Results in replica order: `done` and the new ones. */
  results: ShardResult[];
  /** Ranges without results (failed or interrupted shards), adjacent interrupted ranges joined. */
  missing: ReplicaGap[];
}

/**
 * A run in which every shard failed: nothing to summarise. When a shard's own
 * code threw, `cause` is that exception with the stack it had in the worker
 * (the user's module file and line are in it).
 */
export class RunFailedError extends Error {
  override readonly name = 'RunFailedError';
  constructor(
    message: string,
    readonly missing: ReplicaGap[],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Replica-step·dimension work above which a run is cut into more shards than workers (finer retry and interruption). */
const WORK_PER_SHARD = 4e8;

export function shardsFor(replicas: number, steps: number, dim: number, workers: number, perWorker?: number): number {
  const w = Math.max(1, workers);
  const k = perWorker ?? Math.min(4, Math.max(1, Math.ceil((replicas * steps * Math.max(1, dim)) / (WORK_PER_SHARD * w))));
  return w * Math.max(1, Math.floor(k));
}

/**
 * Run the replicas of `within` (default all) that `o.done` does not cover, in
 * shards of whole blocks, and return every result of the range (done and new)
 * with the gaps. The parts of a run split across calls, processes or machines
 * (checkpoints, `run --shard`) come from here.
 */
export async function runRanges(scenario: Scenario, plan: RunPlan, o: RunOptions & { within?: ReplicaRange } = {}): Promise<RangeOutcome> {
  const workers = o.workers ?? 1;
  const replicas = plan.replicas;
  const within = o.within ?? { firstReplica: 0, count: replicas };
  const done = (o.done ?? []).filter(
    (d) => d.firstReplica >= within.firstReplica && d.firstReplica + d.count <= within.firstReplica + within.count,
  );
  // Unfinished shards continue as themselves; the rest of the gaps are planned afresh.
  const inGap = (r: ReplicaRange) =>
    uncovered(done, replicas, within).some((g) => r.firstReplica >= g.firstReplica && r.firstReplica + r.count <= g.firstReplica + g.count);
  const resumed = (o.snapshots ?? []).filter(inGap);
  const gaps = uncovered(done, replicas, within);
  const fresh = uncovered([...done, ...resumed], replicas, within);
  const todo = gaps.reduce((n, g) => n + g.count, 0);
  const todoFresh = fresh.reduce((n, g) => n + g.count, 0);
  const shards = Math.max(o.minShards ?? 0, shardsFor(todo, plan.steps, plan.dim, workers, o.shardsPerWorker)) - resumed.length;
  const ranges = planRanges(fresh, replicas, todoFresh > 0 ? Math.max(1, shards) : 0);
  const total = within.count * plan.steps;
  const already = (within.count - todo) * plan.steps;
  const run = plan.run;
  const specs: ShardSpec[] = [
    ...resumed.map((snapshot) => ({
      scenario,
      plan,
      run,
      firstReplica: snapshot.firstReplica,
      count: snapshot.count,
      resume: snapshot,
      keepFinal: o.keepFinal,
    })),
    ...ranges.map((r) => ({ scenario, plan, run, firstReplica: r.firstReplica, count: r.count, tile: o.tile, keepFinal: o.keepFinal })),
  ].sort((a, b) => a.firstReplica - b.firstReplica);
  const outcomes = await runShards(specs, {
    workers,
    onProgress: (d) => o.onProgress?.(already + d, total),
    signal: o.signal,
    retries: o.retries,
    fault: o.fault,
    pool: o.pool,
    onResult: o.onShardDone && ((_, r) => o.onShardDone!(r)),
    ...(o.onSnapshot ? { onSnapshot: (_: number, snap: ShardSnapshot) => o.onSnapshot!(snap), snapshotSeconds: o.snapshotSeconds } : {}),
  });
  const results = [...done, ...outcomes.flatMap((x) => (x.ok ? [x.result] : []))].sort((a, b) => a.firstReplica - b.firstReplica);
  const missing: ReplicaGap[] = [];
  for (const x of outcomes) {
    if (x.ok) continue;
    const gap: ReplicaGap = {
      firstReplica: x.spec.firstReplica,
      count: x.spec.count,
      status: x.status,
      errors: x.errors,
      ...(x.stack ? { stack: x.stack } : {}),
    };
    // Adjacent shards stopped by the signal read better as one range.
    const last = missing.at(-1);
    if (
      last &&
      gap.status === 'interrupted' &&
      last.status === 'interrupted' &&
      !gap.errors.length &&
      !last.errors.length &&
      last.firstReplica + last.count === gap.firstReplica
    )
      last.count += gap.count;
    else missing.push(gap);
  }
  return { results, missing };
}

export async function runEnsemble(scenario: Scenario, o: RunOptions = {}): Promise<RunResult> {
  const plan =
    o.plan ?? resolvePlan(scenario, await buildPotential(scenario.potential, { seed: scenario.seed, run: o.run ?? 0 }), o.run ?? 0);
  const run = plan.run;
  const { results, missing } = await runRanges(scenario, plan, o);
  if (results.length === 0 && missing.every((g) => g.status === 'failed')) {
    const thrown = missing.find((g) => g.stack);
    const cause = thrown
      ? Object.assign(new Error(thrown.errors.at(-1)?.replace(/^attempt \d+: /, '') ?? 'shard failed'), { stack: thrown.stack })
      : undefined;
    throw new RunFailedError(
      // A fault of the worker is retried, an exception of the shard's code is not: each range lists its attempts.
      `every shard of the run failed: ` +
        missing.map((g) => `replicas ${g.firstReplica}…${g.firstReplica + g.count - 1}: ${g.errors.join('; ')}`).join(' | '),
      missing,
      cause ? { cause } : undefined,
    );
  }
  // With every shard missing, the shapes come from a shard of no replicas (cheap: it builds the potential only).
  const empty = results.length === 0 ? await runShard({ scenario, plan, run, firstReplica: 0, count: 0 }) : undefined;
  return mergeShards(results, { missing, empty });
}
