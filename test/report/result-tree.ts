/**
 * A small output folder for the catalog tests (`stochdyn ls`, index.html),
 * made by REAL tiny runs (in this process, with their reports) — a run with a first-passage
 * analysis, a three-point sweep with a phase and an Arrhenius analysis, two
 * regimes and a three-rung replica exchange — laid out as `stochdyn` lays out output/ (<scenario>/<id>/), plus copies
 * turned into the unfinished and broken directories a folder of results
 * collects: a run without summary.json but with a resume checkpoint, an
 * interrupted run, a sweep with a point not done, an exchange without
 * exchange.json, and a run and a sweep point whose summary.json is corrupt; and one shard of a
 * run split with `run --shard 1/2`. Not a test file itself.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeDirectoryReport } from '../../src/report/exchange.js';
import { runExchange } from '../../src/runs/exchange.js';
import { runRegimes } from '../../src/runs/regimes.js';
import { runScenario } from '../../src/runs/run.js';
import { runScenarioShard } from '../../src/runs/run-shards.js';
import { runSweep } from '../../src/runs/sweep.js';
import { loadScenario } from '../../src/scenario/index.js';
import { SCENARIO } from './fixtures.js';

/** Relative paths of the directories in the tree, by what they are. */
export const TREE = {
  run: 'cli-double-well/20260101-120000-seed11',
  interrupted: 'cli-double-well/20260101-120500-seed11',
  unfinished: 'cli-double-well/20260101-121000-seed11',
  corrupt: 'cli-double-well/20260101-121500-seed11',
  sweep: 'tree-sweep/sweep-a',
  partialSweep: 'tree-sweep/sweep-b',
  corruptSweep: 'tree-sweep/sweep-c',
  regimes: 'tree-regimes/regimes-20260101-120000-seed3',
  exchange: 'tree-ladder/20260101-120000-seed4',
  unfinishedExchange: 'tree-ladder/20260101-121000-seed4',
  shard: 'cli-double-well/shards/1',
} as const;

const BASE = [
  'seed: 3',
  'potential: { kind: double-well, params: { h: 1.0 } }',
  'dynamics: { integrator: sgld, lr: 2.0e-3, temperature: 0.25, steps: 400 }',
  'ensemble: { replicas: 40, init: { kind: point, x: [-1.0] } }',
  'observe:',
  '  grid: { kind: linear, points: 4 }',
  '  observables: [x]',
  '  events: [{ name: escape, enter: { x: { ge: 1.0 } } }]',
];

/** Build the tree under `root` and return `root`. */
export async function makeResultTree(root: string): Promise<string> {
  const at = (p: string) => join(root, p);
  const scenarios = join(root, '..', `${root.split(/[\\/]/).pop()}-scenarios`);
  mkdirSync(scenarios, { recursive: true });
  const file = (name: string, lines: string[]) => {
    const f = join(scenarios, name);
    writeFileSync(f, lines.join('\n') + '\n');
    return f;
  };

  const run = await loadScenario(SCENARIO, {
    replicas: 100,
    set: ['dynamics.steps=1500', 'dynamics.temperature=0.6', 'analysis=[{kind: first-passage, event: escape}]'],
  });
  await runScenario(run, { out: at(TREE.run), workers: 0 });
  await writeDirectoryReport(at(TREE.run));
  const sweep = await loadScenario(
    file('sweep.yaml', [
      'name: tree-sweep',
      ...BASE.map((line) => line.replace('steps: 400', 'steps: 3000')),
      'analysis:',
      '  - { kind: phase, metric: events.escape.fractionEntered, thresholds: [0.5], labels: [trapped, escaped] }',
      '  - { kind: arrhenius, x: dynamics.temperature, event: escape }',
      'sweep: { dynamics.temperature: [0.3, 0.6, 1.2] }',
    ]),
  );
  await runSweep(sweep, { out: at(TREE.sweep), workers: 0, quiet: true });
  await writeDirectoryReport(at(TREE.sweep));
  const regimes = await loadScenario(
    file('regimes.yaml', ['name: tree-regimes', ...BASE, 'regimes:', '  cold: {}', '  hot: { dynamics.temperature: 1.0 }']),
  );
  await runRegimes(regimes, { out: at(TREE.regimes), workers: 0 });
  await writeDirectoryReport(at(TREE.regimes));
  const ladder = await loadScenario(
    file('ladder.yaml', [
      'name: tree-ladder',
      'seed: 4',
      'potential: { kind: harmonic, params: { k: [1, 1] } }',
      'dynamics: { integrator: sgld, lr: 0.01, temperature: 0.1, steps: 300 }',
      'ensemble: { replicas: 10 }',
      'observe: { grid: { kind: linear, points: 4 }, observables: [energy, x0] }',
      'exchange: { key: dynamics.temperature, rungs: [0.1, 0.2, 0.4], interval: 50 }',
    ]),
  );
  await runExchange(ladder, { out: at(TREE.exchange), workers: 0 });
  await writeDirectoryReport(at(TREE.exchange));
  const shard = await loadScenario(SCENARIO, { replicas: 100, set: ['dynamics.steps=300'] });
  await runScenarioShard(shard, { shard: { index: 1, count: 2 }, out: at(TREE.shard), workers: 0 });

  // An interrupted run: its summary says so (what `run` writes on SIGINT).
  cpSync(at(TREE.run), at(TREE.interrupted), { recursive: true });
  const summaryFile = join(at(TREE.interrupted), 'summary.json');
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
  summary.run.status = 'interrupted';
  summary.run.completedReplicas = 50;
  summary.run.missing = [{ first: 50, count: 50, status: 'interrupted', errors: [] }];
  summary.run.id = '20260101-120500-seed11';
  summary.timing.startedAt = '2026-01-01T12:05:00.000Z';
  writeFileSync(summaryFile, JSON.stringify(summary, null, 2));
  // A run stopped before its summary: scenario.resolved.json and a saved shard result in partial/.
  cpSync(at(TREE.run), at(TREE.unfinished), { recursive: true });
  for (const f of ['summary.json', 'report.html', 'traces.csv', 'events.csv', 'finals.csv', 'histograms.json'])
    rmSync(join(at(TREE.unfinished), f), { force: true });
  mkdirSync(join(at(TREE.unfinished), 'partial'));
  writeFileSync(join(at(TREE.unfinished), 'partial', 'replicas-0-50.bin'), 'saved shard');
  // A run whose summary.json was cut off.
  cpSync(at(TREE.run), at(TREE.corrupt), { recursive: true });
  writeFileSync(join(at(TREE.corrupt), 'summary.json'), '{"schema": "stochdyn.summary/1", "run": {');
  // A sweep with its last point not done yet (no sweep.csv, analyses.json or report).
  cpSync(at(TREE.sweep), at(TREE.partialSweep), { recursive: true });
  for (const f of ['points/2', 'sweep.csv', 'analyses.json', 'report.html'])
    rmSync(join(at(TREE.partialSweep), f), { recursive: true, force: true });
  // A sweep with one point's summary.json cut off.
  cpSync(at(TREE.sweep), at(TREE.corruptSweep), { recursive: true });
  writeFileSync(join(at(TREE.corruptSweep), 'points', '1', 'summary.json'), '{');
  // An exchange run stopped before exchange.json: its scenario.resolved.json names the ladder.
  cpSync(at(TREE.exchange), at(TREE.unfinishedExchange), { recursive: true });
  for (const f of ['exchange.json', 'report.html']) rmSync(join(at(TREE.unfinishedExchange), f));
  return root;
}

/** `v` as the catalog writes numbers (3 significant digits). */
export const fmt3 = (v: number) => Number(v.toPrecision(3)).toString();

export const readJson = (f: string) => JSON.parse(readFileSync(f, 'utf8'));
