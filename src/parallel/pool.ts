/**
 * Runs shards on worker threads through `worker-threads-pool` (one worker per
 * shard, at most `workers` at a time), or in-process when `workers` is 0.
 * Worker threads need JavaScript: the entry point is the compiled
 * `dist/workers/shard-worker.js` (built by `npm run build`, which `npm install`
 * and `npm test` run first), so tests exercise the real worker path.
 *
 * Faults: a shard whose worker throws, exits, crashes or is killed before
 * sending its result is run again once (a fresh worker; `retries`); if it fails
 * again it is reported as failed with the reason of each attempt, and the other
 * shards go on. An abort signal (SIGINT/SIGTERM in the CLI) terminates the
 * running workers and starts no new shard: finished shards are kept, the rest
 * are reported as interrupted. Nothing here waits forever on a dead worker:
 * every worker ends in a result, an error, or an `exit` event.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import Pool from 'worker-threads-pool';
import type { ShardResult } from '../observables/results.js';
import { runShard, type ShardSpec } from './shard-runner.js';

export type WorkerMessage =
  | { type: 'progress'; done: number }
  | { type: 'result'; result: ShardResult }
  | { type: 'error'; message: string; stack?: string };

let cachedRoot: string | undefined;

/** The package root (the folder with stochdyn's package.json). */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj) && JSON.parse(readFileSync(pj, 'utf8')).name === 'stochdyn') return (cachedRoot = dir);
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the stochdyn package root');
    dir = up;
  }
}

export function workerEntry(): string {
  const file = join(packageRoot(), 'dist', 'workers', 'shard-worker.js');
  if (!existsSync(file)) throw new Error(`worker entry ${file} is missing: run 'npm run build' first`);
  return file;
}

/**
 * Fault injection, for testing the fault handling (README "Reliability"): the
 * shard with index `shard` (in plan order; every shard when omitted) of run
 * `run` (every run when omitted) fails on its first `times` attempts.
 * - `throw`: the shard throws an exception before its first step;
 * - `exit`: the worker thread calls process.exit(7) before its first step
 *   (in-process shards throw instead: exiting would end the whole process);
 * - `kill`: the parent terminates the worker once it is online (as an
 *   out-of-memory kill or a `kill` of the thread would); in-process: throws.
 */
export interface FaultInjection {
  kind: 'throw' | 'exit' | 'kill';
  shard?: number;
  run?: number;
  /** Attempts that fail (1: the retry succeeds; 2 or more: the shard is reported missing). Default 1. */
  times?: number;
}

export interface RunShardsOptions {
  /** Worker threads at once; 0 runs every shard in this thread. */
  workers: number;
  /** Progress: total replica-steps done so far across shards. */
  onProgress?: (replicaSteps: number) => void;
  /** Stop: terminate running workers, start no new shard (finished shards are kept). */
  signal?: AbortSignal;
  /** Extra attempts for a failed shard (default 1). */
  retries?: number;
  fault?: FaultInjection;
}

/** What happened to one shard. */
export type ShardOutcome =
  | { ok: true; result: ShardResult; attempts: number }
  | { ok: false; spec: ShardSpec; status: 'failed' | 'interrupted'; attempts: number; errors: string[] };

/** The fault to inject into attempt `attempt` (1-based) of shard `index`, if any. */
function faultFor(o: RunShardsOptions, spec: ShardSpec, index: number, attempt: number): FaultInjection['kind'] | undefined {
  const f = o.fault;
  if (!f) return undefined;
  if (f.shard !== undefined && f.shard !== index) return undefined;
  if (f.run !== undefined && f.run !== spec.run) return undefined;
  return attempt <= (f.times ?? 1) ? f.kind : undefined;
}

const range = (s: ShardSpec) => `replicas ${s.firstReplica}…${s.firstReplica + s.count - 1}`;

/** One attempt of one shard on a worker thread: resolves with the result or rejects with the reason. */
function attemptOnWorker(
  pool: Pool,
  entry: string,
  spec: ShardSpec,
  fault: FaultInjection['kind'] | undefined,
  live: Set<Worker>,
  signal: AbortSignal | undefined,
  onProgress: (done: number) => void,
): Promise<ShardResult> {
  return new Promise<ShardResult>((resolve, reject) => {
    const workerData: ShardSpec = fault === 'throw' || fault === 'exit' ? { ...spec, fault } : spec;
    pool.acquire(entry, { workerData }, (err, worker) => {
      if (err) return reject(err);
      if (signal?.aborted) {
        void worker.terminate();
        return reject(new Error('interrupted'));
      }
      live.add(worker);
      let settled = false;
      const settle = (f: () => void) => {
        if (settled) return;
        settled = true;
        f();
      };
      worker.on('message', (m: WorkerMessage) => {
        if (m.type === 'progress') onProgress(m.done);
        else if (m.type === 'result') settle(() => resolve(m.result));
        else settle(() => reject(new Error(m.message)));
      });
      worker.on('error', (e) => settle(() => reject(new Error(`worker crashed: ${e.message}`))));
      worker.on('exit', (code) => {
        live.delete(worker);
        settle(() => reject(new Error(signal?.aborted ? 'interrupted' : `worker exited with code ${code} before sending its result`)));
      });
      if (fault === 'kill') worker.once('online', () => void worker.terminate());
    });
  });
}

export async function runShards(specs: ShardSpec[], o: RunShardsOptions): Promise<ShardOutcome[]> {
  const done = new Array<number>(specs.length).fill(0);
  const report = (i: number, replicaSteps: number) => {
    done[i] = replicaSteps;
    o.onProgress?.(done.reduce((a, b) => a + b, 0));
  };
  const maxAttempts = 1 + Math.max(0, o.retries ?? 1);
  const signal = o.signal;

  // Each shard: attempts until one succeeds, the attempts are used up, or the signal stops the run.
  const runOne = async (i: number, attempt: (spec: ShardSpec, fault: FaultInjection['kind'] | undefined) => Promise<ShardResult>): Promise<ShardOutcome> => {
    const spec = specs[i];
    const errors: string[] = [];
    for (let k = 1; k <= maxAttempts; k++) {
      if (signal?.aborted) return { ok: false, spec, status: 'interrupted', attempts: k - 1, errors };
      try {
        report(i, 0);
        const result = await attempt(spec, faultFor(o, spec, i, k));
        return { ok: true, result, attempts: k };
      } catch (e) {
        if (signal?.aborted) return { ok: false, spec, status: 'interrupted', attempts: k, errors };
        errors.push(`attempt ${k}: ${(e as Error).message ?? String(e)}`);
      }
    }
    report(i, 0);
    return { ok: false, spec, status: 'failed', attempts: maxAttempts, errors };
  };

  if (o.workers <= 0) {
    const out: ShardOutcome[] = [];
    for (let i = 0; i < specs.length; i++) {
      // Let signal handlers run between shards (an in-process shard cannot be stopped in the middle).
      await new Promise((r) => setImmediate(r));
      out.push(
        await runOne(i, async (spec, fault) => {
          if (fault) throw new Error(`injected fault (${fault}) in ${range(spec)}`);
          return runShard(spec, (s) => report(i, s));
        }),
      );
    }
    return out;
  }
  const entry = workerEntry();
  const pool = new Pool({ max: o.workers, maxWaiting: Infinity });
  const live = new Set<Worker>();
  const stop = () => {
    for (const w of live) void w.terminate();
  };
  signal?.addEventListener('abort', stop, { once: true });
  try {
    return await Promise.all(specs.map((_, i) => runOne(i, (spec, fault) => attemptOnWorker(pool, entry, spec, fault, live, signal, (d) => report(i, d)))));
  } finally {
    signal?.removeEventListener('abort', stop);
    await Promise.all([...live].map((w) => w.terminate()));
  }
}
