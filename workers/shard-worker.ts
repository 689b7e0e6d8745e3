/**
 * Worker-thread entry point of the WorkerPool (src/parallel/worker-pool.ts):
 * a long-lived loop that runs one shard per message (a WorkerTask) and posts
 * its progress, then its mergeable result (transferring the typed arrays) or
 * its exception (message, stack with its causes, and whether another attempt
 * could succeed). The thread stays for the next shard.
 */
import { parentPort } from 'node:worker_threads';
import { runShard, ShardStopped } from '../src/parallel/shard-runner.js';
import { ExchangeStopped, runExchangeShard } from '../src/parallel/exchange-runner.js';
import { fullStack, isTransientError } from '../src/parallel/faults.js';
import type { WorkerMessage, WorkerTask } from '../src/parallel/worker-pool.js';

const port = parentPort;
if (!port) throw new Error('shard-worker must run in a worker thread');

async function runTask(task: WorkerTask): Promise<void> {
  let lastPost = 0;
  try {
    if (task.type === 'exchange') {
      const stop = task.stop;
      try {
        const result = await runExchangeShard(task.spec, {
          ...(stop ? { shouldStop: () => Atomics.load(stop, 0) !== 0 } : {}),
          ...(task.snapshotSeconds !== undefined
            ? {
                snapshotSeconds: task.snapshotSeconds,
                onSnapshot: (snapshot) => port!.postMessage({ type: 'exchange-snapshot', snapshot } satisfies WorkerMessage),
              }
            : {}),
        });
        port!.postMessage({ type: 'exchange-result', result } satisfies WorkerMessage);
      } catch (e) {
        if (!(e instanceof ExchangeStopped)) throw e;
        port!.postMessage({ type: 'exchange-stopped', snapshot: e.snapshot } satisfies WorkerMessage);
      }
      return;
    }
    const stop = task.stop;
    const result = await runShard(task.spec, {
      onProgress: (done) => {
        const now = Date.now();
        if (now - lastPost > 200) {
          lastPost = now;
          port!.postMessage({ type: 'progress', done } satisfies WorkerMessage);
        }
      },
      // The parent cannot message a busy thread: it raises this flag (SIGINT/SIGTERM), and the shard stops at its next poll.
      ...(stop ? { shouldStop: () => Atomics.load(stop, 0) !== 0 } : {}),
      ...(task.snapshotSeconds !== undefined
        ? {
            snapshotSeconds: task.snapshotSeconds,
            onSnapshot: (snapshot) => port!.postMessage({ type: 'snapshot', snapshot } satisfies WorkerMessage),
          }
        : {}),
    });
    const transfer = [
      result.traces.moments.buffer,
      result.finals.values.buffer,
      result.divergedAt.buffer,
      result.divergedReason.buffer,
      ...result.histograms.map((h) => h.counts.buffer),
      ...result.events.map((e) => e.firstStep.buffer),
    ] as ArrayBuffer[];
    port!.postMessage({ type: 'result', result } satisfies WorkerMessage, transfer);
  } catch (e) {
    if (e instanceof ShardStopped) {
      port!.postMessage({ type: 'stopped', snapshot: e.snapshot } satisfies WorkerMessage);
      return;
    }
    const err = e as Error;
    port!.postMessage({
      type: 'error',
      message: err?.message ?? String(e),
      stack: fullStack(e),
      transient: isTransientError(e),
    } satisfies WorkerMessage);
  }
}

// The pool hands a worker one shard at a time, so tasks never overlap.
port.on('message', (task: WorkerTask) => void runTask(task));
