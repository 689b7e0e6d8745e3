/**
 * Result directories for the report tests, made from REAL tiny runs
 * (runScenario in the main thread) arranged into the three layouts the report
 * reads, in the formats the sweep and regimes writers use: a run directory; a
 * sweep directory (sweep.json with axes/points, sweep.csv, points/<k>/,
 * phases.csv, phase-boundary.json); a regimes directory (regimes.json,
 * regimes/<name>/, comparison.json). Not a test file itself.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { runScenario } from '../../src/runs/run.js';
import { loadScenario } from '../../src/scenario/index.js';
import { ROOT } from '../helpers.js';

const here = path.join(ROOT, 'test');
/** The CLI fixture: double well, x/energy/well traced on a log grid, a histogram with Gibbs, an escape event with mfpt-1d. */
export const SCENARIO = path.join(here, 'fixtures', 'cli', 'double-well-small.yaml');

export async function makeRun(out: string, set: string[] = [], replicas = 400): Promise<string> {
  const s = await loadScenario(SCENARIO, { replicas, set: ['dynamics.steps=1500', ...set] });
  await runScenario(s, { out, workers: 0 });
  return out;
}

const csv = (header: string[], rows: Array<Array<string | number | null>>) =>
  [header.join(','), ...rows.map((r) => r.map((c) => c ?? '').join(','))].join('\n') + '\n';
const readJson = (f: string) => JSON.parse(readFileSync(f, 'utf8'));

/**
 * A 3 × 2 grid over dynamics.temperature × dynamics.lr. sweep.csv has the
 * columns the sweep writer uses (`<obs>_mean,_sem,_q50`, `<ev>_entered,
 * _fraction,_mfpt_time,_mfpt_lo,_mfpt_hi`, `diverged`, `phase`); the phase
 * is 'escaping' when more than 3 % escaped. phase-boundary.json has one fitted
 * boundary (log10 y = −3.9 − 2 log10 x) with its boundary points.
 */
export async function makeSweep(dir: string): Promise<string> {
  const temps = [0.2, 0.3, 0.45];
  const lrs = [0.001, 0.002];
  const points = temps
    .flatMap((t) => lrs.map((lr) => ({ 'dynamics.temperature': t, 'dynamics.lr': lr })))
    .map((values, index) => ({ index, values }));
  const obs = ['x', 'energy', 'well'];
  const header = [
    'index',
    'dynamics.temperature',
    'dynamics.lr',
    ...obs.flatMap((o) => [`${o}_mean`, `${o}_sem`, `${o}_q50`]),
    'escape_entered',
    'escape_fraction',
    'escape_mfpt_time',
    'escape_mfpt_lo',
    'escape_mfpt_hi',
    'diverged',
    'phase',
  ];
  const rows: Array<Array<string | number | null>> = [];
  const phases: Array<Array<string | number | null>> = [];
  for (const p of points) {
    const t = p.values['dynamics.temperature'],
      lr = p.values['dynamics.lr'];
    const out = await makeRun(path.join(dir, 'points', String(p.index)), [`dynamics.temperature=${t}`, `dynamics.lr=${lr}`], 200);
    const s = readJson(path.join(out, 'summary.json'));
    const e = s.events.escape;
    const phase = e.fractionEntered > 0.03 ? 'escaping' : 'trapped';
    rows.push([
      p.index,
      t,
      lr,
      ...obs.flatMap((o) => [s.observables[o].final.mean, s.observables[o].final.sem, s.observables[o].final.q50]),
      e.entered,
      e.fractionEntered,
      e.mfpt.time,
      e.mfpt.ci95Time?.[0] ?? null,
      e.mfpt.ci95Time?.[1] ?? null,
      s.divergence.count,
      phase,
    ]);
    phases.push([p.index, t, lr, e.fractionEntered, phase]);
  }
  writeFileSync(
    path.join(dir, 'sweep.json'),
    JSON.stringify(
      {
        schema: 'stochdyn.sweep/1',
        name: 'report-sweep',
        hash: 'test',
        mode: 'grid',
        axes: [
          { key: 'dynamics.temperature', values: temps },
          { key: 'dynamics.lr', values: lrs },
        ],
        points,
        scenario: { name: 'report-sweep', description: 'report test sweep' },
      },
      null,
      2,
    ),
  );
  writeFileSync(path.join(dir, 'sweep.csv'), csv(header, rows));
  writeFileSync(path.join(dir, 'phases.csv'), csv(['index', 'x', 'y', 'metric', 'phase'], phases));
  const boundary = {
    between: ['trapped', 'escaping'],
    threshold: 0.03,
    points: [
      { x: 0.25, y: 0.002014 },
      { x: 0.3, y: 0.0014 },
      { x: 0.35, y: 0.001028 },
    ],
    used: 3,
    skipped: [],
    fit: {
      n: 3,
      slope: -2,
      intercept: -3.9,
      slopeSe: 0.1,
      interceptSe: 0.05,
      slopeCi: [-2.5, -1.5],
      interceptCi: [-4.2, -3.6],
      level: 0.95,
      dof: 1,
      base: 10,
    },
    note: null,
  };
  writeFileSync(
    path.join(dir, 'phase-boundary.json'),
    JSON.stringify(
      {
        schema: 'stochdyn.phase-boundary/1',
        metric: 'events.escape.fractionEntered',
        x: 'dynamics.temperature',
        y: 'dynamics.lr',
        base: 10,
        model: 'log10 y = intercept + slope · log10 x',
        ...boundary,
        boundaries: [boundary],
      },
      null,
      2,
    ),
  );
  return dir;
}

const estimate = (value: number | null, ci95: [number, number] | null) => ({ value, ci95, n: 300 });

/** Two regimes (cold is the baseline, listed first in regimes.json) and a comparison.json of the compare writer's shape. */
export async function makeRegimes(dir: string): Promise<string> {
  await makeRun(path.join(dir, 'regimes', 'cold'), ['dynamics.temperature=0.2'], 300);
  await makeRun(path.join(dir, 'regimes', 'warm'), ['dynamics.temperature=0.4'], 300);
  writeFileSync(
    path.join(dir, 'regimes.json'),
    JSON.stringify(
      {
        schema: 'stochdyn.regimes/1',
        name: 'report-regimes',
        regimes: [
          { name: 'warm', overrides: { 'dynamics.temperature': 0.4 }, dir: 'regimes/warm' },
          { name: 'cold', overrides: {}, dir: 'regimes/cold' },
        ],
      },
      null,
      2,
    ),
  );
  const row = (name: string, kind: string, a: [number, [number, number]], b: [number, [number, number]], p: number) => ({
    pair: { a: 'cold', b: 'warm' },
    name,
    kind,
    subject: 'escape',
    a: estimate(a[0], a[1]),
    b: estimate(b[0], b[1]),
    difference: { value: b[0] - a[0], ci95: [b[1][0] - a[1][1], b[1][1] - a[1][0]], of: 'B − A' },
    test: 'likelihood ratio',
    statisticName: 'chi2(1)',
    statistic: 12.5,
    pValue: p,
    pHolm: Math.min(1, 2 * p),
    differs: p < 0.05,
    decidedBy: 'likelihood ratio',
    detail: {},
  });
  writeFileSync(
    path.join(dir, 'comparison.json'),
    JSON.stringify(
      {
        schema: 'stochdyn.comparison/1',
        kind: 'regimes',
        level: 0.95,
        rows: [
          row('escape: MFPT (time)', 'mfpt', [180, [80, 550]], [20, [15, 27]], 0.0004),
          row('escape: fraction entered', 'fraction-entered', [0.017, [0.005, 0.04]], [0.14, [0.1, 0.19]], 0.0001),
        ],
        notes: ['Differences are B − A.'],
      },
      null,
      2,
    ),
  );
  return dir;
}

export function freshDir(root: string, name: string): string {
  const d = path.join(root, name);
  mkdirSync(d, { recursive: true });
  return d;
}
