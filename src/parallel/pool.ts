/**
 * Runs the shards of one run on worker threads of a WorkerPool (at most
 * `workers` at a time; the threads outlive the call and serve the next run or
 * sweep point), or in-process when `workers` is 0. Worker threads need
 * JavaScript: the entry point is the compiled `dist/workers/shard-worker.js`
 * (built by `npm run build`, which `npm install` and `npm test` run first), so
 * tests exercise the real worker path.
 *
 * Faults (faults.ts): a shard whose worker exits, crashes (e.g. out of
 * memory) or is killed before sending its result is run again once on a fresh
 * worker (`retries`); if that fails too it is reported as failed with the
 * reason of each attempt, and the other shards go on. An exception raised by
 * the shard's own code — building the potential, the user's module — is
 * deterministic: it is reported at once, with its stack, and not retried. An
 * abort signal (SIGINT/SIGTERM in the CLI) stops the running shards at their
 * next step, each with a snapshot (`onSnapshot`), and starts no new shard:
 * finished shards are kept, the rest are reported as interrupted. Nothing here waits forever on a dead worker: every attempt
 * ends in a result, an error, or an `exit` event.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ShardResult } from '../observables/results.js';
import { fullStack, InjectedFault, isTransientError, ShardAttemptError, userFrame, type FaultInjection } from './faults.js';
import { runShard, ShardStopped, type ShardSnapshot, type ShardSpec } from './shard-runner.js';
import { WorkerPool } from './worker-pool.js';
import { findPackageRoot } from '../native/package-root.js';

export type { FaultInjection } from './faults.js';
export type { WorkerMessage } from './worker-pool.js';

/** The package root (the folder with stochdyn's package.json). */
export function packageRoot(): string {
  const root = findPackageRoot();
  if (root === null) throw new Error('cannot find the stochdyn package root');
  return root;
}

export function workerEntry(): string {
  const file = join(packageRoot(), 'dist', 'workers', 'shard-worker.js');
  if (!existsSync(file)) throw new Error(`worker entry ${file} is missing: run 'npm run build' first`);
  return file;
}

let shared: WorkerPool | undefined;

/**
 * The process's worker pool, made on first use: every run and sweep point
 * of the process hands its shards to the same threads. Its idle workers do
 * not keep the process alive.
 */
export function sharedWorkerPool(): WorkerPool {
  shared ??= new WorkerPool(workerEntry());
  return shared;
}

/** End the threads of the shared pool (the next run makes a new one). Not needed before exiting: idle workers do not hold the process. */
export async function closeSharedWorkerPool(): Promise<void> {
  const pool = shared;
  shared = undefined;
  await pool?.close();
}

export interface RunShardsOptions {
  /** Worker threads at once; 0 runs every shard in this thread. */
  workers: number;
  /** Progress: total replica-steps done so far across shards. */
  onProgress?: (replicaSteps: number) => void;
  /** Stop: terminate running workers, start no new shard (finished shards are kept). */
  signal?: AbortSignal;
  /** Extra attempts for a shard whose worker failed (default 1); exceptions of the shard's code are never retried. */
  retries?: number;
  fault?: FaultInjection;
  /** The pool to run on (default: the process's shared pool, sharedWorkerPool()). */
  pool?: WorkerPool;
  /** Called in this thread as soon as shard `index` has its result (e.g. to save it: a checkpoint). */
  onResult?: (index: number, result: ShardResult) => void;
  /**
   * Called in this thread with snapshots of unfinished shards: about every
   * `snapshotSeconds` of a shard's time, and when the signal stops it.
   */
  onSnapshot?: (index: number, snapshot: ShardSnapshot) => void;
  snapshotSeconds?: number;
}

/** How often an in-process shard lets the event loop run (signal handlers, the progress display). */
const YIELD_MILLISECONDS = 50;

/** What happened to one shard. `stack`: where the last attempt's exception was thrown, when it was one. */
export type ShardOutcome =
  | { ok: true; result: ShardResult; attempts: number }
  | { ok: false; spec: ShardSpec; status: 'failed' | 'interrupted'; attempts: number; errors: string[]; stack?: string };

/** The fault to inject into attempt `attempt` (1-based) of shard `index`, if any. */
function faultFor(o: RunShardsOptions, spec: ShardSpec, index: number, attempt: number): FaultInjection['kind'] | undefined {
  const f = o.fault;
  if (!f) return undefined;
  if (f.shard !== undefined && f.shard !== index) return undefined;
  if (f.run !== undefined && f.run !== spec.run) return undefined;
  return attempt <= (f.times ?? 1) ? f.kind : undefined;
}

const range = (s: ShardSpec) => `replicas ${s.firstReplica}…${s.firstReplica + s.count - 1}`;

/** The reason of a failed attempt as the summary lists it: the message, and for an exception of user code the line that threw. */
function reason(error: unknown): string {
  const message = (error as Error)?.message ?? String(error);
  if (!(error instanceof ShardAttemptError) || error.transient) return message;
  const at = userFrame(error.stack, packageRoot());
  return at && !message.includes(at) ? `${message} (at ${at})` : message;
}

/** An exception of an in-process shard, as a worker would report it. */
function inProcessError(error: unknown): ShardAttemptError {
  return new ShardAttemptError((error as Error)?.message ?? String(error), isTransientError(error), fullStack(error));
}

export async function runShards(specs: ShardSpec[], o: RunShardsOptions): Promise<ShardOutcome[]> {
  const done = new Array<number>(specs.length).fill(0);
  const report = (i: number, replicaSteps: number) => {
    done[i] = replicaSteps;
    o.onProgress?.(done.reduce((a, b) => a + b, 0));
  };
  const maxAttempts = 1 + Math.max(0, o.retries ?? 1);
  const signal = o.signal;

  // Each shard: attempts until one succeeds, an exception of its own code, the attempts are used up, or the signal stops the run.
  const runOne = async (
    i: number,
    attempt: (spec: ShardSpec, fault: FaultInjection['kind'] | undefined) => Promise<ShardResult>,
  ): Promise<ShardOutcome> => {
    const spec = specs[i];
    const errors: string[] = [];
    for (let k = 1; k <= maxAttempts; k++) {
      if (signal?.aborted) return { ok: false, spec, status: 'interrupted', attempts: k - 1, errors };
      try {
        report(i, 0);
        const result = await attempt(spec, faultFor(o, spec, i, k));
        o.onResult?.(i, result);
        return { ok: true, result, attempts: k };
      } catch (e) {
        if (signal?.aborted) return { ok: false, spec, status: 'interrupted', attempts: k, errors };
        errors.push(`attempt ${k}: ${reason(e)}`);
        // The same spec throws the same exception again: report it now.
        if (e instanceof ShardAttemptError && !e.transient) {
          report(i, 0);
          return { ok: false, spec, status: 'failed', attempts: k, errors, stack: e.stack };
        }
      }
    }
    report(i, 0);
    return { ok: false, spec, status: 'failed', attempts: maxAttempts, errors };
  };

  if (o.workers <= 0) {
    const out: ShardOutcome[] = [];
    for (let i = 0; i < specs.length; i++) {
      // Let signal handlers run between shards (a running shard also yields every YIELD_MILLISECONDS).
      await new Promise((r) => setImmediate(r));
      out.push(
        await runOne(i, async (spec, fault) => {
          try {
            if (fault) throw new InjectedFault(`injected fault (${fault}) in ${range(spec)}`);
            return await runShard(spec, {
              onProgress: (s) => report(i, s),
              yieldMilliseconds: YIELD_MILLISECONDS,
              ...(signal ? { shouldStop: () => signal.aborted } : {}),
              ...(o.onSnapshot
                ? { snapshotSeconds: o.snapshotSeconds, onSnapshot: (snapshot: ShardSnapshot) => o.onSnapshot!(i, snapshot) }
                : {}),
            });
          } catch (e) {
            if (e instanceof ShardStopped && e.snapshot) o.onSnapshot?.(i, e.snapshot);
            throw inProcessError(e);
          }
        }),
      );
    }
    return out;
  }
  const pool = o.pool ?? sharedWorkerPool();
  const out = new Array<ShardOutcome>(specs.length);
  let next = 0;
  // `workers` lanes, each taking the next shard in plan order; a lane keeps its shard through the retry.
  const lane = async () => {
    while (next < specs.length) {
      const i = next++;
      out[i] = await runOne(i, (spec, fault) =>
        pool.run(fault === 'throw' || fault === 'exit' ? { ...spec, fault } : spec, {
          signal,
          kill: fault === 'kill',
          onProgress: (d) => report(i, d),
          ...(o.onSnapshot
            ? { onSnapshot: (snapshot: ShardSnapshot) => o.onSnapshot!(i, snapshot), snapshotSeconds: o.snapshotSeconds }
            : {}),
        }),
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.workers, specs.length) }, lane));
  return out;
}
