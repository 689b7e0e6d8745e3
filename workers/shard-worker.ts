/**
 * Worker-thread entry point: runs one shard of replicas (workerData is a
 * ShardSpec) and posts its mergeable result, transferring the typed arrays.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runShard, type ShardSpec } from '../src/parallel/shard-runner.js';
import type { WorkerMessage } from '../src/parallel/pool.js';

const port = parentPort;
if (!port) throw new Error('shard-worker must run in a worker thread');

let lastPost = 0;
try {
  const result = await runShard(workerData as ShardSpec, (done) => {
    const now = Date.now();
    if (now - lastPost > 200) {
      lastPost = now;
      port.postMessage({ type: 'progress', done } satisfies WorkerMessage);
    }
  });
  const transfer = [
    result.traces.moments.buffer,
    result.finals.values.buffer,
    result.divergedAt.buffer,
    result.divergedReason.buffer,
    ...result.histograms.map((h) => h.counts.buffer),
    ...result.events.map((e) => e.firstStep.buffer),
  ] as ArrayBuffer[];
  port.postMessage({ type: 'result', result } satisfies WorkerMessage, transfer);
} catch (e) {
  const err = e as Error;
  port.postMessage({ type: 'error', message: err.message ?? String(e), stack: err.stack } satisfies WorkerMessage);
}
