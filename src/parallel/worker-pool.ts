/**
 * A pool of long-lived worker threads that run shards. Starting a worker
 * thread costs ~70 ms here (a fresh V8 isolate loading stochdyn's modules);
 * a small shard costs less than a millisecond, so a worker is kept and
 * handed shard after shard — of one run, of the next sweep point, of the next
 * run — instead of one thread per shard (docs/internals.md "Worker pool").
 *
 * A shard is a pure function of its spec, so which thread runs it, and what
 * that thread ran before, does not change its bytes.
 *
 * Lifetime: a worker is `ref`'d while it runs a shard and `unref`'d while
 * idle, so an idle pool never keeps the process alive (the CLI exits when its
 * command is done); an idle worker ends after `idleMilliseconds`, and
 * `close()` ends them all. A worker that exits, crashes or is terminated is
 * dropped; the next shard gets a fresh one.
 */
import { Worker } from 'node:worker_threads';
import type { ShardResult } from '../observables/results.js';
import { ShardAttemptError } from './faults.js';
import type { ShardSnapshot, ShardSpec } from './shard-runner.js';
import type { ExchangeShardResult, ExchangeShardSpec, ExchangeSnapshot } from './exchange-runner.js';

/**
 * Parent → worker: run this shard (or this shard of replica-exchange ladders,
 * exchange-runner.ts). `stop` (a shared cell) asks the running shard to stop
 * with a snapshot; `snapshotSeconds`: post a snapshot about that often.
 */
export type WorkerTask =
  | { type: 'shard'; spec: ShardSpec; stop?: Int32Array; snapshotSeconds?: number }
  | { type: 'exchange'; spec: ExchangeShardSpec; stop?: Int32Array; snapshotSeconds?: number };

/** Worker → parent, about the shard it is running. `transient` marks an error worth another attempt (faults.ts). */
export type WorkerMessage =
  | { type: 'progress'; done: number }
  | { type: 'result'; result: ShardResult }
  | { type: 'exchange-result'; result: ExchangeShardResult }
  | { type: 'snapshot'; snapshot: ShardSnapshot }
  | { type: 'stopped'; snapshot: ShardSnapshot | undefined }
  | { type: 'exchange-snapshot'; snapshot: ExchangeSnapshot }
  | { type: 'exchange-stopped'; snapshot: ExchangeSnapshot | undefined }
  | { type: 'error'; message: string; stack?: string; transient?: boolean };

export interface PoolTaskOptions {
  /** Replica-steps done in this shard, as the worker reports them. */
  onProgress?: (replicaSteps: number) => void;
  /**
   * Stops the shard: a shard asks its thread to stop at the next step with a
   * snapshot (handed to `onSnapshot`), which it does within milliseconds; a
   * thread that has not answered after a grace period, and an exchange
   * shard, is terminated. The attempt rejects with 'interrupted'.
   */
  signal?: AbortSignal;
  /** Snapshots of the running shard (about every `snapshotSeconds`, and when `signal` stops it). */
  onSnapshot?: (snapshot: ShardSnapshot) => void;
  snapshotSeconds?: number;
  /** Fault injection: terminate the worker right after handing it the shard (its result, if any races in, is discarded). */
  kill?: boolean;
}

/** PoolTaskOptions of an exchange shard: its snapshots (between exchange rounds). */
export interface ExchangeTaskOptions extends Omit<PoolTaskOptions, 'onSnapshot'> {
  onExchangeSnapshot?: (snapshot: ExchangeSnapshot) => void;
}

export interface WorkerPoolOptions {
  /** An idle worker ends after this long (default 30,000 ms); it never keeps the process alive meanwhile. */
  idleMilliseconds?: number;
  /**
   * A worker whose shard took longer than this (default 1,000 ms) ends with it
   * instead of waiting for the next one; see `run`.
   */
  retireAfterMilliseconds?: number;
}

/** How long a stopped shard's thread may take to answer with its snapshot before it is terminated. */
const STOP_GRACE_MILLISECONDS = 10_000;

export class WorkerPool {
  private readonly idle: Worker[] = [];
  private readonly workers = new Set<Worker>();
  private readonly idleTimers = new Map<Worker, NodeJS.Timeout>();
  private readonly idleMilliseconds: number;
  private readonly retireAfterMilliseconds: number;
  private started = 0;
  private closed = false;

  /** `entry`: the compiled worker script (dist/workers/shard-worker.js). */
  constructor(
    readonly entry: string,
    options: WorkerPoolOptions = {},
  ) {
    this.idleMilliseconds = options.idleMilliseconds ?? 30_000;
    this.retireAfterMilliseconds = options.retireAfterMilliseconds ?? 1_000;
  }

  /** Live worker threads (busy and idle). */
  get size(): number {
    return this.workers.size;
  }

  /** Worker threads started since the pool was made (a measure of reuse). */
  get workersStarted(): number {
    return this.started;
  }

  private spawn(): Worker {
    const worker = new Worker(this.entry);
    this.started++;
    this.workers.add(worker);
    // An idle worker that crashes must not become an unhandled 'error' event; a busy one's task listener reports it.
    worker.on('error', () => {});
    worker.once('exit', () => this.forget(worker));
    return worker;
  }

  private forget(worker: Worker): void {
    this.workers.delete(worker);
    const i = this.idle.indexOf(worker);
    if (i >= 0) this.idle.splice(i, 1);
    clearTimeout(this.idleTimers.get(worker));
    this.idleTimers.delete(worker);
  }

  private take(): Worker {
    if (this.closed) throw new Error('the worker pool is closed');
    const worker = this.idle.pop() ?? this.spawn();
    clearTimeout(this.idleTimers.get(worker));
    this.idleTimers.delete(worker);
    worker.ref();
    return worker;
  }

  private giveBack(worker: Worker): void {
    if (this.closed || !this.workers.has(worker)) {
      void worker.terminate();
      return;
    }
    worker.unref();
    this.idle.push(worker);
    const timer = setTimeout(() => {
      this.forget(worker);
      void worker.terminate();
    }, this.idleMilliseconds);
    timer.unref();
    this.idleTimers.set(worker, timer);
  }

  /**
   * Run one shard on a worker (an idle one, else a new one). Rejects with a
   * ShardAttemptError: transient when the worker exited, crashed or was
   * terminated before sending its result (the worker is dropped); as the
   * worker marked it when the shard threw (the worker stays in the pool:
   * it is sound, only that shard failed); 'interrupted' after `signal`.
   *
   * Reuse pays where shards are short: a thread start (≈ 70 ms) would cost
   * more than the shard. After a long shard the thread is retired instead:
   * a thread that has run one potential runs the next one's hot loop ≈ 20 %
   * slower (CPU time of the 8-point sweep fixture, docs/internals.md "Worker
   * pool"; most likely V8 specialising optimised code to the closures it first saw), while
   * a fresh start costs under 7 % of a shard of more than a second.
   */
  run(spec: ShardSpec, options: PoolTaskOptions = {}): Promise<ShardResult> {
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const task: WorkerTask = { type: 'shard', spec, stop, ...(options.onSnapshot ? { snapshotSeconds: options.snapshotSeconds } : {}) };
    return this.dispatch<ShardResult>(task, options);
  }

  /** Run one shard of replica-exchange ladders on a worker (the same lifecycle and errors as `run`). */
  runExchange(spec: ExchangeShardSpec, options: ExchangeTaskOptions = {}): Promise<ExchangeShardResult> {
    const stop = new Int32Array(new SharedArrayBuffer(4));
    const task: WorkerTask = {
      type: 'exchange',
      spec,
      stop,
      ...(options.onExchangeSnapshot ? { snapshotSeconds: options.snapshotSeconds } : {}),
    };
    return this.dispatch<ExchangeShardResult>(task, options);
  }

  private dispatch<T>(task: WorkerTask, options: PoolTaskOptions | ExchangeTaskOptions): Promise<T> {
    const { signal, onProgress } = options;
    if (signal?.aborted) return Promise.reject(new ShardAttemptError('interrupted', false));
    const worker = this.take();
    const started = performance.now();
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      let terminated = false;
      const finish = (keep: boolean, outcome: () => void) => {
        if (settled) return;
        settled = true;
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        signal?.removeEventListener('abort', onAbort);
        clearTimeout(grace);
        if (keep) this.giveBack(worker);
        else {
          this.forget(worker);
          void worker.terminate();
        }
        outcome();
      };
      const onMessage = (m: WorkerMessage) => {
        if (terminated) return;
        if (m.type === 'progress') onProgress?.(m.done);
        else if (m.type === 'snapshot') (options as PoolTaskOptions).onSnapshot?.(m.snapshot);
        else if (m.type === 'exchange-snapshot') (options as ExchangeTaskOptions).onExchangeSnapshot?.(m.snapshot);
        else if (m.type === 'exchange-stopped') {
          if (m.snapshot) (options as ExchangeTaskOptions).onExchangeSnapshot?.(m.snapshot);
          finish(true, () => reject(new ShardAttemptError('interrupted', false)));
        } else if (m.type === 'stopped') {
          if (m.snapshot) (options as PoolTaskOptions).onSnapshot?.(m.snapshot);
          finish(true, () => reject(new ShardAttemptError('interrupted', false)));
        } else if (m.type === 'result' || m.type === 'exchange-result')
          finish(performance.now() - started <= this.retireAfterMilliseconds, () => resolve(m.result as T));
        else finish(true, () => reject(new ShardAttemptError(m.message, m.transient === true, m.stack)));
      };
      const onError = (e: Error) => finish(false, () => reject(new ShardAttemptError(`worker crashed: ${e.message}`, true, e.stack)));
      const onExit = (code: number) =>
        finish(false, () =>
          reject(
            signal?.aborted
              ? new ShardAttemptError('interrupted', false)
              : new ShardAttemptError(`worker exited with code ${code} before sending its result`, true),
          ),
        );
      let grace: NodeJS.Timeout | undefined;
      const onAbort = () => {
        if (task.stop) {
          Atomics.store(task.stop, 0, 1);
          grace = setTimeout(() => {
            terminated = true;
            void worker.terminate();
          }, STOP_GRACE_MILLISECONDS);
          return;
        }
        terminated = true;
        void worker.terminate();
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      signal?.addEventListener('abort', onAbort, { once: true });
      worker.postMessage(task satisfies WorkerTask);
      if (options.kill) {
        terminated = true;
        void worker.terminate();
      }
    });
  }

  /** End every worker (busy ones too: their shards reject). The pool takes no shard afterwards. */
  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.workers];
    for (const w of all) this.forget(w);
    await Promise.all(all.map((w) => w.terminate()));
  }
}
