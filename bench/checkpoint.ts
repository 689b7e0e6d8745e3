/**
 * The cost of checkpoints (src/results/checkpoint.ts): a run written to disk
 * saves each finished shard's result under partial/ and, when long, is cut into
 * more shards (about one per 2.5·10⁷ replica-step·dimensions, up to eight per
 * worker) so an interruption loses little. Wall time of `runScenario` with
 * `checkpoint: true` (the default) against `checkpoint: false`, same
 * scenario, 2 workers, median of `--repeat` (default 3) alternating runs:
 *   - 10⁶ replicas of the quick-start double well × 1,000 steps (the load
 *     benchmark's size: per-replica finals and events of 10⁶ replicas);
 *   - the W2 workload's shape (modular-addition-square, P = 11, N = 64, the
 *     whole table, 32 replicas × 1,000 steps).
 *
 *     node dist/bench/checkpoint.js [--repeat N] [--json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runScenario } from '../src/runs/run.js';
import { closeSharedWorkerPool } from '../src/parallel/pool.js';
import { validateScenarioObject, type Scenario } from '../src/scenario/index.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function million(): Scenario {
  return validateScenarioObject(
    {
      name: 'checkpoint-million',
      seed: 7,
      potential: { kind: 'double-well', params: { h: 1 } },
      dynamics: { integrator: 'sgld', lr: 1e-3, temperature: 0.25, steps: 1000 },
      ensemble: { replicas: 1_000_000, init: { kind: 'point', x: [-1] } },
      observe: {
        grid: { kind: 'log', points: 50 },
        observables: ['x', 'energy'],
        histograms: [{ of: 'x', bins: 80, range: [-2, 2] }],
        events: [{ name: 'escape', enter: { x: { ge: 0 } } }],
      },
    },
    '',
  );
}

function w2(): Scenario {
  return validateScenarioObject(
    {
      name: 'checkpoint-w2',
      seed: 1,
      potential: { kind: 'modular-addition-square', params: { P: 11, N: 64, train_fraction: 1, sigma2: 0.5 } },
      dynamics: { integrator: 'sgld', lr: 1e-5, temperature: 1, steps: 1000 },
      ensemble: { replicas: 32, init: { kind: 'potential' } },
      observe: { grid: { kind: 'linear', points: 11 }, observables: ['energy', 'train_error'] },
    },
    '',
  );
}

export interface CheckpointCase {
  name: string;
  on: number;
  off: number;
  overhead: number;
}

async function measure(name: string, s: Scenario, repeat: number): Promise<CheckpointCase> {
  const on: number[] = [];
  const off: number[] = [];
  for (let k = 0; k < repeat; k++) {
    for (const checkpoint of [true, false]) {
      const dir = mkdtempSync(join(tmpdir(), 'stochdyn-ckpt-'));
      const t0 = performance.now();
      await runScenario(s, { out: join(dir, 'run'), workers: 2, checkpoint });
      (checkpoint ? on : off).push((performance.now() - t0) / 1000);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const a = median(on),
    b = median(off);
  return { name, on: a, off: b, overhead: a / b - 1 };
}

export async function runCheckpointBench(repeat = 3): Promise<CheckpointCase[]> {
  const out = [
    await measure('10^6 replicas × 1,000 steps (double well)', million(), repeat),
    await measure('W2 shape (32 nets, P = 11, N = 64, 1,000 steps)', w2(), repeat),
  ];
  await closeSharedWorkerPool();
  return out;
}

export function formatCheckpointTable(rows: CheckpointCase[]): string {
  const lines = ['| case | checkpoints on (s) | off (s) | overhead |', '|---|---|---|---|'];
  for (const r of rows) lines.push(`| ${r.name} | ${r.on.toFixed(2)} | ${r.off.toFixed(2)} | ${(100 * r.overhead).toFixed(1)} % |`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--repeat');
  const rows = await runCheckpointBench(i >= 0 ? Number(args[i + 1]) : 3);
  console.log(args.includes('--json') ? JSON.stringify(rows, null, 2) : formatCheckpointTable(rows));
}
