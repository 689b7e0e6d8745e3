/**
 * Runs shards on worker threads through `worker-threads-pool` (one worker per
 * shard, at most `workers` at a time), or in-process when `workers` is 0.
 * Worker threads need JavaScript: the entry point is the compiled
 * `dist/workers/shard-worker.js` (built by `npm run build`, which `npm install`
 * and `npm test` run first), so tests exercise the real worker path.
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

export interface RunShardsOptions {
  /** Worker threads at once; 0 runs every shard in this thread. */
  workers: number;
  /** Progress: total replica-steps done so far across shards. */
  onProgress?: (replicaSteps: number) => void;
}

export async function runShards(specs: ShardSpec[], o: RunShardsOptions): Promise<ShardResult[]> {
  const done = new Array<number>(specs.length).fill(0);
  const report = (i: number, replicaSteps: number) => {
    done[i] = replicaSteps;
    o.onProgress?.(done.reduce((a, b) => a + b, 0));
  };
  if (o.workers <= 0) {
    const out: ShardResult[] = [];
    for (let i = 0; i < specs.length; i++) out.push(await runShard(specs[i], (s) => report(i, s)));
    return out;
  }
  const entry = workerEntry();
  const pool = new Pool({ max: o.workers, maxWaiting: Infinity });
  const live = new Set<Worker>();
  try {
    return await Promise.all(
      specs.map(
        (spec, i) =>
          new Promise<ShardResult>((resolve, reject) => {
            pool.acquire(entry, { workerData: spec }, (err, worker) => {
              if (err) return reject(err);
              live.add(worker);
              worker.on('exit', () => live.delete(worker));
              let settled = false;
              worker.on('message', (m: WorkerMessage) => {
                if (m.type === 'progress') report(i, m.done);
                else if (m.type === 'result') {
                  settled = true;
                  resolve(m.result);
                } else {
                  settled = true;
                  const e = new Error(m.message);
                  if (m.stack) e.stack = m.stack;
                  reject(e);
                }
              });
              worker.on('error', (e) => {
                if (!settled) {
                  settled = true;
                  reject(e);
                }
              });
              worker.on('exit', (code) => {
                if (!settled) {
                  settled = true;
                  reject(new Error(`worker for replicas ${spec.firstReplica}…${spec.firstReplica + spec.count - 1} exited with code ${code} before sending its result`));
                }
              });
            });
          }),
      ),
    );
  } catch (e) {
    // A shard failed: stop the others (workers that finished have exited on their own).
    await Promise.all([...live].map((w) => w.terminate()));
    throw e;
  }
}
