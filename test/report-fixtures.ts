/**
 * Result directories for the report tests, made from REAL tiny runs
 * (runScenario in the main thread) arranged into the three layouts the report
 * reads: a run directory, a sweep directory (sweep.json, sweep.csv, points/<k>/,
 * phases.csv, phase-boundary.json) and a regimes directory (regimes.json,
 * regimes/<name>/, comparison.json). Not a test file itself.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runScenario } from '../src/report/run-scenario.js';
import { loadScenario } from '../src/scenario/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The CLI fixture: double well, x/energy/well traced on a log grid, a histogram with Gibbs, an escape event with mfpt-1d. */
export const SCENARIO = path.join(here, 'fixtures', 'cli', 'double-well-small.yaml');

export async function makeRun(out: string, set: string[] = [], replicas = 400): Promise<string> {
  const s = await loadScenario(SCENARIO, { replicas, set: ['dynamics.steps=1500', ...set] });
  await runScenario(s, { out, workers: 0 });
  return out;
}

const csv = (header: string[], rows: Array<Array<string | number>>) => [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';

/** Three temperatures; sweep.csv holds the measured MFPT with its CI per point, plus a 4×3 phase map with a fitted boundary. */
export async function makeSweep(dir: string): Promise<string> {
  const temps = [0.2, 0.3, 0.45];
  const rows: Array<Array<string | number>> = [];
  for (const [k, t] of temps.entries()) {
    const out = await makeRun(path.join(dir, 'points', String(k)), [`dynamics.temperature=${t}`], 300);
    const s = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    const e = s.events.escape;
    rows.push([k, t, e.fractionEntered, e.mfpt.time ?? '', e.mfpt.ci95Time?.[0] ?? '', e.mfpt.ci95Time?.[1] ?? '', s.observables.x.final.mean, 300]);
  }
  writeFileSync(path.join(dir, 'sweep.json'), JSON.stringify({ name: 'report-sweep', description: 'report test sweep', keys: ['dynamics.temperature'], values: { 'dynamics.temperature': temps } }, null, 2));
  writeFileSync(path.join(dir, 'sweep.csv'), csv(['index', 'dynamics.temperature', 'escape_fraction', 'escape_mfpt', 'escape_mfpt_lo', 'escape_mfpt_hi', 'x_mean', 'replicas'], rows));
  const phaseRows: Array<Array<string | number>> = [];
  let i = 0;
  for (const x of [0.01, 0.03, 0.1, 0.3]) for (const y of [1, 10, 100]) phaseRows.push([i++, x, y, Math.log10(y) - 2 * Math.log10(x), y > 1000 * x * x ? 'memorization' : 'comprehension']);
  writeFileSync(path.join(dir, 'phases.csv'), csv(['index', 'x', 'y', 'metric', 'phase'], phaseRows));
  writeFileSync(path.join(dir, 'phase-boundary.json'), JSON.stringify({ x: 'decoder lr', y: 'weight decay⁻¹', slope: 2, slope_ci95: [1.7, 2.3], intercept: 3, intercept_ci95: [2.6, 3.4], base: 10 }, null, 2));
  return dir;
}

/** Two regimes (cold and warm) and a comparison.json. */
export async function makeRegimes(dir: string): Promise<string> {
  await makeRun(path.join(dir, 'regimes', 'cold'), ['dynamics.temperature=0.2'], 300);
  await makeRun(path.join(dir, 'regimes', 'warm'), ['dynamics.temperature=0.4'], 300);
  writeFileSync(path.join(dir, 'regimes.json'), JSON.stringify({ name: 'report-regimes', regimes: [{ name: 'warm' }, { name: 'cold' }] }, null, 2));
  writeFileSync(path.join(dir, 'comparison.json'), JSON.stringify({ metrics: [{ metric: 'escape MFPT', cold: 200, warm: 40, ratio: 5 }] }, null, 2));
  return dir;
}

export function freshDir(root: string, name: string): string {
  const d = path.join(root, name);
  mkdirSync(d, { recursive: true });
  return d;
}
