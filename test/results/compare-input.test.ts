/**
 * Reading run directories for a comparison (src/results/compare.ts) through
 * the one results reader: the per-replica columns equal finals.csv and
 * events.csv cell by cell (empty → NaN), `diverged_step` is set apart, and a
 * directory that is not a completed run is a CompareInputError naming the
 * path and what was found.
 *
 *   npx vitest run test/results/compare-input.test.ts
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CompareInputError, loadComparedRun, regimesOfDir } from '../../src/results/compare.js';
import { runScenario } from '../../src/runs/run.js';
import { validateScenarioObject } from '../../src/scenario/index.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'stochdyn-compare-input-'));

let runDir: string;

beforeAll(async () => {
  runDir = join(tmp(), 'cold');
  const scenario = validateScenarioObject(
    {
      name: 'compare-input',
      seed: 3,
      potential: { kind: 'double-well', params: { h: 1 } },
      dynamics: { integrator: 'sgld', lr: 5e-3, temperature: 0.3, steps: 400 },
      ensemble: { replicas: 64, init: { kind: 'point', x: [-1] } },
      observe: { grid: { kind: 'linear', points: 5 }, observables: ['x', 'energy'], events: [{ name: 'escape', enter: { x: { ge: 0 } } }] },
    },
    '',
  );
  await runScenario(scenario, { out: runDir, workers: 0 });
});

/** A CSV written by stochdyn (no quotes) as columns of numbers, empty → NaN. */
function csvColumns(file: string): Map<string, number[]> {
  const [head, ...lines] = readFileSync(file, 'utf8').trim().split('\n');
  const names = head!.split(',');
  const out = new Map(names.map((n) => [n, [] as number[]]));
  for (const line of lines) line.split(',').forEach((cell, k) => out.get(names[k]!)!.push(cell === '' ? Number.NaN : Number(cell)));
  return out;
}

describe('loadComparedRun', () => {
  it('finals and events equal the CSV files cell by cell; diverged_step is set apart; the label defaults to the directory name', () => {
    const run = loadComparedRun(runDir);
    expect(run.label).toBe('cold');
    expect(run.summary.schema).toBe('stochdyn.summary/1');
    const finals = csvColumns(join(runDir, 'finals.csv'));
    expect(run.finals!.replicas).toBe(64);
    expect([...run.finals!.columns.keys()]).toEqual(['x', 'energy']);
    expect(Array.from(run.finals!.columns.get('x')!)).toEqual(finals.get('x'));
    expect(Array.from(run.finals!.divergedStep)).toEqual(finals.get('diverged_step'));
    const events = csvColumns(join(runDir, 'events.csv'));
    const escape = Array.from(run.events!.get('escape')!);
    expect(escape).toEqual(events.get('escape'));
    // Both kinds of cell occur, so the NaN mapping is exercised.
    expect(escape.some(Number.isNaN)).toBe(true);
    expect(escape.some(Number.isFinite)).toBe(true);
  });

  it('a missing directory, a file, a directory without summary.json, a regimes directory, a wrong schema and bad JSON are CompareInputErrors', () => {
    const root = tmp();
    expect(() => loadComparedRun(join(root, 'nope'))).toThrow(new CompareInputError(`${join(root, 'nope')}: no such directory`));
    writeFileSync(join(root, 'file'), 'x');
    expect(() => loadComparedRun(join(root, 'file'))).toThrow(/file: not a directory \(expected a run directory with summary\.json\)/);
    mkdirSync(join(root, 'empty'));
    expect(() => loadComparedRun(join(root, 'empty'))).toThrow(/empty: no summary\.json — an incomplete run, or not a run directory/);
    mkdirSync(join(root, 'regimes'));
    writeFileSync(join(root, 'regimes', 'regimes.json'), '{}');
    expect(() => loadComparedRun(join(root, 'regimes'))).toThrow(/no summary\.json — it is a regimes directory/);
    mkdirSync(join(root, 'old'));
    writeFileSync(join(root, 'old', 'summary.json'), JSON.stringify({ schema: 'stochdyn.summary/0' }));
    expect(() => loadComparedRun(join(root, 'old'))).toThrow(
      /summary\.json: expected schema "stochdyn\.summary\/1", found "stochdyn\.summary\/0"/,
    );
    mkdirSync(join(root, 'broken'));
    writeFileSync(join(root, 'broken', 'summary.json'), '{"schema": ');
    expect(() => loadComparedRun(join(root, 'broken'))).toThrow(CompareInputError);
    expect(() => loadComparedRun(join(root, 'broken'))).toThrow(/broken\/summary\.json: not valid JSON/);
  });

  it('regimesOfDir: regimes.json order; a regimes.json that is not JSON is a CompareInputError', () => {
    const root = tmp();
    writeFileSync(
      join(root, 'regimes.json'),
      JSON.stringify({ schema: 'stochdyn.regimes/1', regimes: [{ name: 'b' }, { name: 'a', dir: 'regimes/a' }] }),
    );
    expect(regimesOfDir(root)).toEqual([
      { dir: join(root, 'regimes', 'b'), label: 'b' },
      { dir: join(root, 'regimes', 'a'), label: 'a' },
    ]);
    writeFileSync(join(root, 'regimes.json'), 'not json');
    expect(() => regimesOfDir(root)).toThrow(CompareInputError);
  });
});
