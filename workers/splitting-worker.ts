/**
 * Worker-thread entry point of rare-event splitting (src/runs/splitting.ts):
 * it receives the checked scenario and run index once, builds the potential
 * and integrator, then runs one AMS repetition per message and posts its
 * result. A repetition is a pure function of (scenario, run, repetition), so
 * the thread that runs it does not change its numbers.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { checkScenario } from '../src/runs/run.js';
import { splittingRepetitionRunner, type SplittingWorkerMessage } from '../src/runs/splitting.js';
import type { Scenario } from '../src/scenario/types.js';

const port = parentPort;
if (!port) throw new Error('splitting-worker must run in a worker thread');
const { scenario, run } = workerData as { scenario: Scenario; run: number };

const ready = checkScenario(scenario, run).then(({ plan, potential }) => splittingRepetitionRunner(plan, potential));

port.on('message', (repetition: number) => {
  ready
    .then((runRepetition) => port.postMessage({ type: 'result', result: runRepetition(repetition) } satisfies SplittingWorkerMessage))
    .catch((e: unknown) =>
      port.postMessage({ type: 'error', message: (e as Error)?.message ?? String(e) } satisfies SplittingWorkerMessage),
    );
});
