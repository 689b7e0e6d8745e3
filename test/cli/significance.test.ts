/**
 * One significance level for every printed verdict: the Gibbs overlay line of
 * `run` and the comparison table of `compare` state the same level, the one of
 * src/analysis/significance.ts, and summary.json / comparison.json record it.
 */
import { describe, expect, it } from 'vitest';
import { GIBBS_LEVEL } from '../../src/analysis/theory-overlays.js';
import { COMPARISON_LEVEL } from '../../src/analysis/compare.js';
import { levelPhrase, SIGNIFICANCE_LEVEL } from '../../src/analysis/significance.js';
import { formatRunTable } from '../../src/cli/format.js';
import { formatComparison } from '../../src/cli/format-comparison.js';
import { compareRuns } from '../../src/results/compare.js';
import { runScenario } from '../../src/runs/run.js';
import { validateScenarioObject } from '../../src/scenario/index.js';
import { tempDir } from '../helpers.js';

const doubleWell = (seed: number, temperature: number) =>
  validateScenarioObject(
    {
      name: 'levels',
      seed,
      potential: { kind: 'double-well', params: { h: 1 } },
      dynamics: { integrator: 'sgld', lr: 0.01, temperature, steps: 1000 },
      ensemble: { replicas: 300, init: { kind: 'normal', mean: [-1], std: [0.1] } },
      observe: { grid: { kind: 'log', points: 8 }, observables: ['x'], histograms: [{ of: 'x', bins: 20, range: [-2, 2] }] },
      theory: [{ kind: 'gibbs', of: 'x' }],
    },
    '',
  );

/** Every "at the <number> level" phrase in a text. */
const levelsIn = (text: string) => [...text.matchAll(/at the ([\d.e-]+) level/g)].map((m) => Number(m[1]));

describe('one significance level for run and compare', () => {
  it('the Gibbs line of a run and the rows of a comparison state the same level, the one constant', async () => {
    expect(GIBBS_LEVEL).toBe(SIGNIFICANCE_LEVEL);
    expect(COMPARISON_LEVEL).toBe(SIGNIFICANCE_LEVEL);
    const dirA = tempDir('levels-a');
    const dirB = tempDir('levels-b');
    const a = await runScenario(doubleWell(1, 0.5), { out: dirA, workers: 0 });
    await runScenario(doubleWell(2, 0.3), { out: dirB, workers: 0 });

    const runText = formatRunTable(a.summary, dirA);
    const gibbsLine = runText.split('\n').find((l) => l.includes('vs Gibbs'));
    expect(gibbsLine).toBeDefined();
    expect(levelsIn(gibbsLine!)).toEqual([SIGNIFICANCE_LEVEL]);
    const gibbs = a.summary.theory[0] as { level: number; differs: boolean; pValue: number };
    expect(gibbs.level).toBe(SIGNIFICANCE_LEVEL);
    expect(gibbs.differs).toBe(gibbs.pValue < SIGNIFICANCE_LEVEL);

    const c = compareRuns(dirA, dirB);
    expect(c.level).toBe(SIGNIFICANCE_LEVEL);
    const text = formatComparison(c);
    const stated = levelsIn(text);
    expect(stated.length).toBeGreaterThan(0);
    expect(new Set(stated)).toEqual(new Set([SIGNIFICANCE_LEVEL]));
    expect(text).toContain(levelPhrase(SIGNIFICANCE_LEVEL));
    expect(text).toContain(`differs (p < ${SIGNIFICANCE_LEVEL})`);
    // Every row's verdict is its p-value against that level.
    for (const r of c.rows) if (r.pValue !== null) expect(r.differs, r.name).toBe(r.pValue < SIGNIFICANCE_LEVEL);
  });
});
