/**
 * The cost of checkpoints (src/results/checkpoint.ts): a run written to disk
 * saves each finished shard's result under partial/, a snapshot of each
 * running shard every `checkpointEvery` seconds (default 60), and, when long,
 * is cut into more shards (about one per 2.5·10⁷ replica-step·dimensions, up
 * to eight per worker) so an interruption loses little. Wall time of
 * `runScenario` with checkpoints at the default interval, with snapshots
 * forced every second (`every 1 s`: many snapshots, to see their cost), and
 * with `checkpoint: false`, same scenario, 2 workers, median of `--repeat`
 * (default 3) alternating runs:
 *   - 10⁶ replicas of the quick-start double well × 2,000 steps (the load
 *     benchmark's size: per-replica finals and events of 10⁶ replicas);
 *   - the W2 workload's shape (modular-addition-square, P = 11, N = 64, the
 *     whole table, 32 replicas × 3,000 steps).
 * The snapshots taken are counted through the run's onSnapshot path (files
 * written under partial/).
 *
 *     node dist/bench/checkpoint.js [--repeat N] [--json]
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
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
      dynamics: { integrator: 'sgld', lr: 1e-3, temperature: 0.25, steps: 2000 },
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
      dynamics: { integrator: 'sgld', lr: 1e-5, temperature: 1, steps: 3000 },
      ensemble: { replicas: 32, init: { kind: 'potential' } },
      observe: { grid: { kind: 'linear', points: 11 }, observables: ['energy', 'train_error'] },
    },
    '',
  );
}

export interface CheckpointCase {
  name: string;
  /** Median wall seconds: default checkpoints, snapshots every second, none. */
  on: number;
  every1: number;
  off: number;
  /** on/off − 1 and every1/off − 1. */
  overhead: number;
  overheadEvery1: number;
  /** Snapshots written in the median `every 1 s` run (per run, all shards). */
  snapshots: number;
}

async function measure(name: string, s: Scenario, repeat: number): Promise<CheckpointCase> {
  const times: Record<'on' | 'every1' | 'off', number[]> = { on: [], every1: [], off: [] };
  const counts: number[] = [];
  for (let k = 0; k < repeat; k++) {
    for (const mode of ['on', 'every1', 'off'] as const) {
      const dir = mkdtempSync(join(tmpdir(), 'stochdyn-ckpt-'));
      let snapshots = 0;
      const t0 = performance.now();
      await runScenario(s, {
        out: join(dir, 'run'),
        workers: 2,
        checkpoint: mode !== 'off',
        ...(mode === 'every1' ? { checkpointEvery: 1 } : {}),
        onProgress: () => {
          // Count the snapshot files present now and then (each shard keeps one, replaced in place).
          if (mode === 'every1' && existsSync(join(dir, 'run', 'partial')))
            snapshots = Math.max(snapshots, readdirSync(join(dir, 'run', 'partial')).filter((f) => f.startsWith('state-')).length);
        },
      });
      times[mode].push((performance.now() - t0) / 1000);
      if (mode === 'every1') counts.push(snapshots);
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const on = median(times.on),
    every1 = median(times.every1),
    off = median(times.off);
  return { name, on, every1, off, overhead: on / off - 1, overheadEvery1: every1 / off - 1, snapshots: median(counts) };
}

export async function runCheckpointBench(repeat = 3): Promise<CheckpointCase[]> {
  const out = [
    await measure('10^6 replicas × 2,000 steps (double well)', million(), repeat),
    await measure('W2 shape (32 nets, P = 11, N = 64, 3,000 steps)', w2(), repeat),
  ];
  await closeSharedWorkerPool();
  return out;
}

export function formatCheckpointTable(rows: CheckpointCase[]): string {
  const lines = [
    '| case | off (s) | default checkpoints (s) | overhead | snapshots every 1 s (s) | overhead | shards with a snapshot on disk |',
    '|---|---|---|---|---|---|---|',
  ];
  const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
  for (const r of rows)
    lines.push(
      `| ${r.name} | ${r.off.toFixed(2)} | ${r.on.toFixed(2)} | ${pct(r.overhead)} | ${r.every1.toFixed(2)} | ${pct(r.overheadEvery1)} | ${r.snapshots} |`,
    );
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--repeat');
  const rows = await runCheckpointBench(i >= 0 ? Number(args[i + 1]) : 3);
  console.log(args.includes('--json') ? JSON.stringify(rows, null, 2) : formatCheckpointTable(rows));
}
