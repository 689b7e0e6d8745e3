/**
 * Theory overlay `toy-addition` (src/analysis/toy-addition-theory.ts): its numbers
 * against src/theory/toy-addition.ts on the same split, independent facts of
 * the effective theory (full training set: nullity 2, λ₃ = 3/35, ideal RQI 1;
 * P(unique structure) < 0.2 at fraction 0.2 and > 0.8 at 0.6 for p = 10, the
 * criterion of docs/results/repon.md), a run through runScenario whose summary.json carries the
 * overlay with the measured grokking step, a tiny sweep whose sweep.csv has the
 * `toy_addition_*` columns, and the checks that refuse a wrong potential / event.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toyAdditionData } from '../../src/potentials/relation/toy-addition/index.js';
import { runScenario } from '../../src/runs/run.js';
import { runSweep } from '../../src/runs/sweep.js';
import { toyAdditionTheory } from '../../src/analysis/toy-addition-theory.js';
import { ScenarioError, validateScenarioObject } from '../../src/scenario/index.js';
import {
  additionSamples,
  grokkingRate,
  idealRQI,
  parallelogramNullity,
  uniqueStructureMonteCarlo,
} from '../../src/theory/toy-addition.js';

describe('toy-addition overlay: theory values', () => {
  it('the split of (seed 11, p 10, fraction 0.82) matches theory/toy-addition.ts: nullity, ideal RQI, λ₃, 1/(λ₃η), Monte Carlo', () => {
    const th = toyAdditionTheory(10, 0.82, 11, 0.2, 100, 3);
    const { train } = toyAdditionData({ p: 10, train_fraction: 0.82, task: 'classification' }, { seed: 11, run: 0 });
    expect(th.trainCount).toBe(45);
    expect(th.nullity).toBe(parallelogramNullity(10, train));
    expect(th.idealRqi).toBe(idealRQI(10, train));
    const g = grokkingRate(10, train);
    expect(th.lambda3).toBe(g.lambda3);
    expect(th.predictedSteps).toBeCloseTo(1 / (g.lambda3 * 0.2), 9);
    const mc = uniqueStructureMonteCarlo({ p: 10, fraction: 0.82, trials: 100, seed: 3 });
    expect(th.unique.probability).toBe(mc.probability);
    expect(th.unique.se).toBe(mc.se);
    // readme-I's value for this split (test/potentials/toy-addition.test.ts decay measurement).
    expect(th.lambda3).toBeCloseTo(0.0328, 4);
  });

  it('full training set: nullity 2, ideal RQI 1, λ₃ = 3/35 (independent of the seed), 1/(λ₃η) = 35/(3η)', () => {
    for (const seed of [1, 2]) {
      const th = toyAdditionTheory(10, 1, seed, 0.5, 10);
      expect(th.trainCount).toBe(additionSamples(10).length / 2);
      expect(th.nullity).toBe(2);
      expect(th.idealRqi).toBe(1);
      expect(th.lambda3).toBeCloseTo(3 / 35, 12);
      expect(th.predictedSteps).toBeCloseTo(35 / 1.5, 9);
      expect(th.unique.probability).toBe(1);
    }
  });

  it('small fraction: nullity > 2 gives λ₃ = 0 and predictedSteps = ∞; P(unique) < 0.2 at 0.2 and > 0.8 at 0.6 (400 splits, ≥ 3 SE away)', () => {
    const lo = toyAdditionTheory(10, 0.2, 5, 0.2, 400);
    expect(lo.nullity).toBeGreaterThan(2);
    expect(lo.lambda3).toBe(0);
    expect(lo.predictedSteps).toBe(Infinity);
    expect(lo.unique.probability + 3 * lo.unique.se).toBeLessThan(0.2);
    const hi = toyAdditionTheory(10, 0.6, 5, 0.2, 400);
    expect(hi.unique.probability - 3 * hi.unique.se).toBeGreaterThan(0.8);
  });
});

const doc = (extra: Record<string, unknown> = {}) => ({
  name: 'ta-theory',
  seed: 11,
  potential: { kind: 'addition-effective', params: { p: 10, train_fraction: 0.82 } },
  dynamics: { integrator: 'gd', lr: 0.2, steps: 2000 },
  ensemble: { replicas: 6, init: { kind: 'potential' } },
  observe: {
    grid: { kind: 'linear', points: 3 },
    observables: ['rqi_normalised', 'z0'],
    events: [{ name: 'grokked', enter: { rqi_normalised: { ge: 1 } }, every: 1 }],
  },
  theory: [{ kind: 'toy-addition', event: 'grokked', trials: 50 }],
  ...extra,
});

describe('toy-addition overlay through runScenario and runSweep', () => {
  it('summary.json theory[0]: the split’s theory, η of dynamics.lr, the event’s median entry step and the ratio', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stochdyn-ta-'));
    await runScenario(validateScenarioObject(doc(), ''), { out: dir, workers: 0 });
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    const t = summary.theory[0];
    const th = toyAdditionTheory(10, 0.82, 11, 0.2, 50);
    expect(t.kind).toBe('toy-addition');
    expect(t.nullity).toBe(th.nullity);
    expect(t.lambda3).toBe(th.lambda3);
    expect(t.eta).toBe(0.2);
    expect(t.etaSource).toBe('dynamics.lr');
    expect(t.predictedSteps).toBe(th.predictedSteps);
    expect(t.unique.probability).toBe(th.unique.probability);
    const ev = summary.events.grokked;
    expect(t.measured.entered).toBe(ev.entered);
    expect(t.measured.medianSteps).toBe(ev.medianSteps);
    expect(ev.entered).toBe(6); // nullity 2: every replica reaches the linear structure within 2000 steps (≈ 13/(λ₃η))
    expect(t.ratio).toBeCloseTo(ev.medianSteps / th.predictedSteps, 12);
    expect(t.text).not.toMatch(/undefined|NaN/);
  });

  it('η from dynamics.groups.<group>.lr when the group sets one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stochdyn-ta-'));
    const d = doc({ dynamics: { integrator: 'gd', lr: 0.2, steps: 10, groups: { embeddings: { lr: 0.1 } } } });
    await runScenario(validateScenarioObject(d, ''), { out: dir, workers: 0 });
    const t = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).theory[0];
    expect(t.eta).toBe(0.1);
    expect(t.etaSource).toBe('dynamics.groups.embeddings.lr');
  });

  it('sweep.csv carries toy_addition_<key> columns next to the measured ones', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stochdyn-ta-sw-'));
    const d = doc({ dynamics: { integrator: 'gd', lr: 0.2, steps: 300 }, sweep: { 'potential.params.train_fraction': [0.3, 1] } });
    await runSweep(validateScenarioObject(d, ''), { out: dir, workers: 0 });
    const lines = readFileSync(join(dir, 'sweep.csv'), 'utf8').trim().split('\n');
    const header = lines[0].split(',');
    const col = (name: string) => header.indexOf(name);
    for (const c of ['toy_addition_nullity', 'toy_addition_lambda3', 'toy_addition_predicted_steps', 'toy_addition_unique_probability', 'toy_addition_measured_median_steps', 'grokked_fraction'])
      expect(col(c)).toBeGreaterThan(0);
    const full = lines[2].split(',');
    expect(Number(full[col('toy_addition_nullity')])).toBe(2);
    expect(Number(full[col('toy_addition_lambda3')])).toBeCloseTo(3 / 35, 12);
    const low = lines[1].split(',');
    expect(Number(low[col('toy_addition_nullity')])).toBeGreaterThan(2);
    expect(low[col('toy_addition_predicted_steps')]).toBe(''); // ∞ → empty cell
  });

  it('refuses a potential other than toy-addition / addition-effective and an unknown event, before running', async () => {
    const bad = async (d: Record<string, unknown>) => {
      const err = await runScenario(validateScenarioObject(d, ''), { out: mkdtempSync(join(tmpdir(), 'stochdyn-ta-')), workers: 0 }).catch((e) => e);
      expect(err).toBeInstanceOf(ScenarioError);
      return (err as ScenarioError).issues;
    };
    const other = await bad({ ...doc(), potential: { kind: 'double-well', params: {} }, observe: { grid: { kind: 'linear', points: 3 }, observables: ['energy'] }, theory: [{ kind: 'toy-addition' }] });
    expect(other.find((i) => i.path === 'theory[0].kind')?.expected).toMatch(/addition-effective/);
    const ev = await bad(doc({ theory: [{ kind: 'toy-addition', event: 'grokd' }] }));
    expect(ev.find((i) => i.path === 'theory[0].event')?.hint).toMatch(/grokked/);
  });
});
