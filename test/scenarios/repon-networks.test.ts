/**
 * The shipped relation-learner scenarios of the repon picture
 * (scenarios/repon/), scaled down to run in a test: the same files with fewer
 * cells, replicas or steps set by `--set`-style overrides (never another seed
 * or threshold). The full runs and their numbers are in
 * docs/results/repon.md.
 *
 * relation-decay-diagram.yaml. The full run (mod 3, 3 × 50 decoder, 42 cells
 * × 4 replicas) measured decoder weight decay moving the memorization |
 * generalization boundary by about two decades of η_dec (likelihood-ratio
 * p ≈ 10⁻¹⁹), against GenEFT's "independent of the weight decay". Here one
 * cell of its grid, η_dec = 10⁻³ (T_max = 10⁴ as shipped), without and with
 * weight decay 1, at decoder width 20 (4× cheaper) and 12 replicas per arm.
 * Measured first at this size: 9 of 12 memorized without decay, 0 of 12 with
 * it. Asserted: the memorized fraction is higher without decay by more than 3
 * pooled standard errors (two-proportion z > 3), and no replica with decay is
 * confused. Two cells at the shipped width with 4 replicas (3 of 4 against 0
 * of 4) or 6 replicas at T_max = 5,000 (generalization with decay takes
 * 2,000–5,000 steps) were too few to separate at that level.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { loadScenario } from '../../src/scenario/index.js';
import { runSweep } from '../../src/runs/sweep.js';
import { twoProportionTest } from '../../src/stats/compare.js';
import { ROOT, tempDir } from '../helpers.js';

const file = (name: string) => path.join(ROOT, 'scenarios', 'repon', name);
const tmp = tempDir('repon-networks');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Obj = Record<string, any>;
const summaryOf = (dir: string, i: number): Obj => JSON.parse(readFileSync(path.join(dir, 'points', String(i), 'summary.json'), 'utf8'));
const phasesOf = (s: Obj): Obj => s.analyses.find((a: Obj) => a.kind === 'learning-phases');

describe('relation-decay-diagram.yaml (mod 3, one cell, weight decay 0 and 1, width 20, 12 replicas)', () => {
  it('decoder weight decay turns memorization into generalization: memorized fractions differ by z > 3', async () => {
    const s = await loadScenario(file('relation-decay-diagram.yaml'), {
      set: [
        'potential.params.width=20',
        'ensemble.replicas=12',
        'sweep={dynamics.groups.decoder.lr: [0.001], dynamics.groups.decoder.weight_decay: [0, 1]}',
      ],
    });
    const dir = path.join(tmp, 'decay');
    const out = await runSweep(s, { out: dir, workers: 2, quiet: true });
    expect(out.complete).toBe(true);
    const [none, decay] = [0, 1].map((i) => phasesOf(summaryOf(dir, i)));
    expect(none.classified).toBe(12);
    expect(decay.classified).toBe(12);
    const t = twoProportionTest(decay.counts.memorization, 12, none.counts.memorization, 12);
    expect(t.z).toBeGreaterThan(3);
    expect(decay.counts.confusion).toBe(0);
  });
});
