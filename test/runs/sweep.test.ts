/**
 * Sweeps: schema and expansion (grid/zip, linear/log ranges, bad specs with
 * the failing point named), regimes, phase analyses, the sweep hash, OLS with
 * t-based CIs, the phase boundary on synthetic data, and small real sweeps
 * (in-process and on worker threads: the scheduling must not change results).
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import {
  ScenarioError,
  assertNoSweep,
  axisValues,
  expandRegimes,
  expandSweep,
  loadScenario,
  scenarioJsonSchema,
  sweepHash,
  validateScenarioObject,
} from '../../src/scenario/index.js';
import { olsFit, studentTCdf, studentTQuantile } from '../../src/stats/regression.js';
import { phaseBoundary } from '../../src/results/sweep-files.js';
import { mergeSweeps, runSweep, SweepDirError } from '../../src/runs/sweep.js';
import { classifyPhase } from '../../src/analysis/phases.js';
import { ROOT, tempDir } from '../helpers.js';

const here = path.join(ROOT, 'test');
const fx = (name: string) => path.join(here, 'fixtures', 'sweep', name);
const EXAMPLE = path.join(here, '..', 'scenarios', 'examples', 'sweep-kramers.yaml');

function base(): Record<string, any> {
  return {
    name: 'mem',
    potential: { kind: 'double-well' },
    dynamics: { lr: 0.1, steps: 10, temperature: 0.1 },
    ensemble: { replicas: 2 },
  };
}

function scenarioError(f: () => unknown): ScenarioError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return e as ScenarioError;
  }
  throw new Error('expected a ScenarioError, but the scenario was accepted');
}

async function asyncScenarioError(p: Promise<unknown>): Promise<ScenarioError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return e as ScenarioError;
  }
  throw new Error('expected a ScenarioError, but the scenario was accepted');
}

const withSweep = (sweep: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  validateScenarioObject({ ...base(), ...extra, sweep }, '');

describe('sweep expansion', () => {
  it('grid: Cartesian product, first key slowest, indices from 0, each point a full scenario without sweep', () => {
    const s = withSweep({ 'dynamics.temperature': [0.1, 0.2, 0.3], 'potential.params.h': [0.5, 1] });
    expect(s.sweep?.mode).toBe('grid');
    const pts = expandSweep(s);
    expect(pts.map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(pts.map((p) => [p.values['dynamics.temperature'], p.values['potential.params.h']])).toEqual([
      [0.1, 0.5],
      [0.1, 1],
      [0.2, 0.5],
      [0.2, 1],
      [0.3, 0.5],
      [0.3, 1],
    ]);
    expect(Object.keys(pts[0].values)).toEqual(['dynamics.temperature', 'potential.params.h']);
    for (const p of pts) {
      expect(p.scenario.name).toBe('mem');
      expect('sweep' in p.scenario).toBe(false);
      expect(p.scenario.dynamics.temperature).toBe(p.values['dynamics.temperature']);
      expect(p.scenario.potential).toEqual({ kind: 'double-well', params: { h: p.values['potential.params.h'] } });
      // defaults are filled as for any scenario
      expect(p.scenario.dynamics.integrator).toBe('sgld');
    }
    // the base scenario is untouched
    expect(s.dynamics.temperature).toBe(0.1);
  });

  it('zip: equal lengths, element-wise', () => {
    const s = withSweep({ mode: 'zip', 'dynamics.temperature': [0.1, 0.2, 0.3], seed: [4, 5, 6] });
    const pts = expandSweep(s);
    expect(pts.map((p) => [p.scenario.dynamics.temperature, p.scenario.seed])).toEqual([
      [0.1, 4],
      [0.2, 5],
      [0.3, 6],
    ]);
  });

  it('linear and log ranges: exact values, ends exact, 12 significant digits', () => {
    expect(axisValues({ linear: { from: 0, to: 1, points: 11 } })).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1]);
    expect(axisValues({ linear: { from: 2, to: -2, points: 3 } })).toEqual([2, 0, -2]);
    expect(axisValues({ log: { from: 1, to: 1000, points: 4 } })).toEqual([1, 10, 100, 1000]);
    expect(axisValues({ log: { from: 0.1, to: 0.4, points: 6 } })).toEqual([
      0.1, 0.131950791077, 0.174110112659, 0.229739670999, 0.303143313302, 0.4,
    ]);
    expect(axisValues({ log: { from: 0.1, to: 3.2, points: 6 } })).toEqual([0.1, 0.2, 0.4, 0.8, 1.6, 3.2]);
    const s = withSweep({ 'dynamics.temperature': { log: { from: 0.1, to: 0.4, points: 6 } }, 'potential.params.h': [0.5, 1] });
    const pts = expandSweep(s);
    expect(pts).toHaveLength(12);
    expect(pts[2].scenario.dynamics.temperature).toBe(0.131950791077);
    expect(pts[11].values).toEqual({ 'dynamics.temperature': 0.4, 'potential.params.h': 1 });
  });

  it('sweeps list-valued, nested and indexed keys', () => {
    const s = withSweep(
      { 'ensemble.init.x': [[-1], [1]], 'observe.histograms[0].bins': [10, 20] },
      {
        ensemble: { replicas: 2, init: { kind: 'point', x: 0 } },
        observe: { observables: ['x'], histograms: [{ of: 'x', range: [-2, 2] }] },
      },
    );
    const pts = expandSweep(s);
    expect(pts.map((p) => [p.scenario.ensemble.init, p.scenario.observe.histograms[0].bins])).toEqual([
      [{ kind: 'point', x: [-1] }, 10],
      [{ kind: 'point', x: [-1] }, 20],
      [{ kind: 'point', x: [1] }, 10],
      [{ kind: 'point', x: [1] }, 20],
    ]);
    expect(pts[3].scenario.observe.histograms[0]).toEqual({ of: 'x', bins: 20, range: [-2, 2], at: 'final', from: 0 });
  });

  it('applies values to the document as written: a swept potential kind gets its own defaults', () => {
    const s = withSweep({ 'potential.kind': ['double-well', 'tilted-double-well'] });
    const pts = expandSweep(s);
    expect(pts[0].scenario.potential).toEqual({ kind: 'double-well', params: { h: 1 } });
    expect(pts[1].scenario.potential).toEqual({ kind: 'tilted-double-well', params: { h: 1, tilt: 0.1 } });
  });

  it('a scenario without a sweep cannot be expanded; stochdyn run refuses one with a sweep', () => {
    const plain = validateScenarioObject(base(), '');
    expect(scenarioError(() => expandSweep(plain)).issues[0]).toMatchObject({ path: 'sweep', found: 'nothing' });
    expect(() => assertNoSweep(plain)).not.toThrow();
    const s = withSweep({ 'dynamics.temperature': [0.1, 0.2] });
    const e = scenarioError(() => assertNoSweep(s));
    expect(e.issues[0].path).toBe('sweep');
    expect(e.issues[0].hint).toContain('stochdyn sweep');
    expect(e.issues[0].found).toContain('2 points');
  });
});

describe('sweep: bad specifications', () => {
  it('zip with axes of different lengths', () => {
    const e = scenarioError(() => withSweep({ mode: 'zip', 'dynamics.temperature': [0.1, 0.2], 'potential.params.h': [1] }));
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]).toMatchObject({ path: 'sweep.mode' });
    expect(e.issues[0].found).toBe('dynamics.temperature: 2 values, potential.params.h: 1 value');
    expect(e.issues[0].hint).toContain('mode: grid');
  });

  it('log range with a non-positive end; unknown range kind; a scalar instead of values', () => {
    const e = scenarioError(() => withSweep({ 'dynamics.temperature': { log: { from: 0, to: 1, points: 3 } } }));
    expect(e.issues).toEqual([
      expect.objectContaining({ path: 'sweep["dynamics.temperature"].log.from', expected: expect.stringContaining('> 0'), found: '0' }),
    ]);
    const e2 = scenarioError(() => withSweep({ 'dynamics.temperature': { log: { from: 1, to: -2, points: 3 } } }));
    expect(e2.issues[0].path).toBe('sweep["dynamics.temperature"].log.to');
    const e3 = scenarioError(() => withSweep({ 'dynamics.temperature': { lin: { from: 0, to: 1, points: 3 } } }));
    expect(e3.issues[0].path).toBe('sweep["dynamics.temperature"]');
    expect(e3.issues[0].expected).toContain('linear: {from, to, points}');
    const e4 = scenarioError(() => withSweep({ 'dynamics.temperature': { linear: { from: 0, to: 1, points: 1 } } }));
    expect(e4.issues[0].path).toBe('sweep["dynamics.temperature"].linear.points');
    const e5 = scenarioError(() => withSweep({ mode: 'zip' }));
    expect(e5.issues[0]).toMatchObject({ path: 'sweep', expected: expect.stringContaining('at least one swept key') });
  });

  it('unknown keys with a did-you-mean; keys that may not be swept; a key set twice', () => {
    const e = scenarioError(() => withSweep({ 'dynamics.temprature': [0.1] }));
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]).toMatchObject({ path: 'sweep["dynamics.temprature"]', found: 'unknown key "dynamics.temprature"' });
    expect(e.issues[0].hint).toContain("Did you mean 'dynamics.temperature'?");
    const p = scenarioError(() => withSweep({ 'potential.params.hh': [1] }));
    expect(p.issues[0].hint).toContain("Did you mean 'potential.params.h'?");
    const t = scenarioError(() => withSweep({ 'dynamic.lr': [1] }));
    expect(t.issues[0].hint).toContain("Did you mean 'dynamics.lr'?");
    const n = scenarioError(() => withSweep({ name: ['a', 'b'] }));
    expect(n.issues[0]).toMatchObject({ path: 'sweep.name', expected: expect.stringContaining("other than 'name'") });
    const d = scenarioError(() =>
      withSweep(
        { 'observe.histograms.0.bins': [1], 'observe.histograms[0].bins': [2] },
        { observe: { histograms: [{ of: 'x', range: [0, 1] }] } },
      ),
    );
    expect(d.issues[0].expected).toBe('a key not set by another entry');
    const nested = scenarioError(() => withSweep({ dynamics: [{ lr: 1, steps: 1 }], 'dynamics.lr': [1] }));
    expect(nested.issues[0]).toMatchObject({ path: 'sweep["dynamics.lr"]', hint: expect.stringContaining("'dynamics' already sets it") });
    // open mappings accept any key below (theory entries are checked by kind elsewhere)
    expect(() => withSweep({ 'theory[0].from': [-1, -0.9] }, { theory: [{ kind: 'mfpt-1d', event: 'e', from: -1, to: 1 }] })).not.toThrow();
  });

  it('a point that fails validation is named, with its values and the line of the sweep entry', async () => {
    const e = await asyncScenarioError(loadScenario(fx('bad-point.yaml')));
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]).toMatchObject({
      path: 'sweep point 2 (potential.params.h = 1, dynamics.temperature = -1): dynamics.temperature',
      expected: 'a number ≥ 0',
      found: '-1',
      line: 8,
    });
    expect(e.issues[0].hint).toBeUndefined();
    expect(e.message).toBe(
      'test/fixtures/sweep/bad-point.yaml:8: sweep point 2 (potential.params.h = 1, dynamics.temperature = -1): dynamics.temperature: expected a number ≥ 0, found -1.',
    );
  });

  it('checks across keys apply per point (gd needs θ = 0), and many failing points are summarised', () => {
    const e = scenarioError(() => withSweep({ 'dynamics.integrator': ['sgld', 'gd'] }));
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0].path).toBe('sweep point 1 (dynamics.integrator = gd): dynamics.temperature');
    expect(e.issues[0].expected).toBe('0 (or no temperature) with integrator gd');
    const many = scenarioError(() => withSweep({ 'dynamics.lr': { linear: { from: -1, to: -0.1, points: 10 } } }));
    expect(many.issues).toHaveLength(6);
    expect(many.issues[5]).toMatchObject({ path: 'sweep', found: '10 of 10 invalid (the first 5 are listed above)' });
  });

  it('sweep and regimes together are rejected', () => {
    const e = scenarioError(() => validateScenarioObject({ ...base(), sweep: { seed: [1, 2] }, regimes: { a: { seed: 3 } } }, ''));
    expect(e.issues).toEqual([expect.objectContaining({ path: 'regimes', expected: 'either sweep or regimes, not both' })]);
  });

  it('--set overrides the base; swept keys take the sweep values; the hash follows the overrides', async () => {
    const s = await loadScenario(fx('tiny.yaml'), { set: ['dynamics.steps=100', 'dynamics.temperature=0.9'], seed: 4 });
    const pts = expandSweep(s);
    expect(pts.map((p) => p.scenario.dynamics.steps)).toEqual([100, 100, 100, 100, 100, 100]);
    expect(pts.map((p) => p.scenario.dynamics.temperature)).toEqual([0.1, 0.1, 0.2, 0.2, 0.4, 0.4]);
    expect(pts.every((p) => p.scenario.seed === 4)).toBe(true);
    const plain = await loadScenario(fx('tiny.yaml'));
    expect(sweepHash(s)).not.toBe(sweepHash(plain));
  });
});

describe('regimes', () => {
  it('expands named overrides in order, each validated', () => {
    const s = validateScenarioObject(
      {
        ...base(),
        regimes: {
          gd: { 'dynamics.integrator': 'gd', 'dynamics.temperature': 0 },
          'sgld-0.1': { 'dynamics.temperature': 0.2 },
          'theta=0': {},
        },
      },
      '',
    );
    const r = expandRegimes(s);
    expect(r.map((x) => x.name)).toEqual(['gd', 'sgld-0.1', 'theta=0']);
    expect(r[0].overrides).toEqual({ 'dynamics.integrator': 'gd', 'dynamics.temperature': 0 });
    expect([r[0].scenario.dynamics.integrator, r[0].scenario.dynamics.temperature]).toEqual(['gd', 0]);
    expect([r[1].scenario.dynamics.integrator, r[1].scenario.dynamics.temperature]).toEqual(['sgld', 0.2]);
    expect(r[2].scenario.dynamics.temperature).toBe(0.1);
    for (const x of r) {
      expect(x.scenario.name).toBe('mem');
      expect('regimes' in x.scenario).toBe(false);
    }
    expect(() => expandSweep(s)).toThrow(ScenarioError);
  });

  it('bad regimes: a name with spaces, an unknown key, an invalid regime', () => {
    const name = scenarioError(() => validateScenarioObject({ ...base(), regimes: { 'bad name': {} } }, ''));
    expect(name.issues).toEqual([expect.objectContaining({ path: 'regimes["bad name"]', found: '"bad name"' })]);
    const key = scenarioError(() => validateScenarioObject({ ...base(), regimes: { a: { 'dynamics.temprature': 1 } } }, ''));
    expect(key.issues[0].path).toBe('regimes.a["dynamics.temprature"]');
    expect(key.issues[0].hint).toContain("Did you mean 'dynamics.temperature'?");
    const bad = scenarioError(() => validateScenarioObject({ ...base(), regimes: { gd: { 'dynamics.integrator': 'gd' } } }, ''));
    expect(bad.issues[0].path).toBe("regime 'gd': dynamics.temperature");
  });

  it('the published JSON Schema describes sweep and regimes', () => {
    const js = scenarioJsonSchema() as { properties: Record<string, any> };
    expect(js.properties.sweep.properties.mode.enum).toEqual(['grid', 'zip']);
    expect(js.properties.sweep.additionalProperties.oneOf).toHaveLength(3);
    // Not '.' or '..' (each regime is a folder; names stay inside the output folder).
    expect(js.properties.regimes.propertyNames.pattern).toBe('^(?!\\.\\.?$)[A-Za-z0-9._=-]+$');
  });
});

describe('phase analysis entries', () => {
  const withPhase = (entry: Record<string, unknown>) =>
    validateScenarioObject(
      { ...base(), observe: { observables: ['x'], events: [{ name: 'escape', enter: { x: { ge: 1 } } }] }, analysis: [entry] },
      '',
    );

  it('accepts a valid entry and classifies: value < t1 → first label, t1 ≤ value → next', () => {
    const s = withPhase({ kind: 'phase', metric: 'events.escape.fractionEntered', thresholds: [0.2, 0.5], labels: ['a', 'b', 'c'] });
    expect(s.analysis[0]).toEqual({
      kind: 'phase',
      metric: 'events.escape.fractionEntered',
      thresholds: [0.2, 0.5],
      labels: ['a', 'b', 'c'],
    });
    const spec = { thresholds: [0.2, 0.5], labels: ['a', 'b', 'c'] };
    expect([0, 0.19999, 0.2, 0.49, 0.5, 7].map((v) => classifyPhase(v, spec))).toEqual(['a', 'a', 'b', 'b', 'c', 'c']);
    expect(classifyPhase(null, spec)).toBeNull();
    expect(classifyPhase(Number.NaN, spec)).toBeNull();
  });

  it('rejects labels ≠ thresholds + 1, unsorted thresholds, unknown events/sections, unknown keys', () => {
    const e = scenarioError(() =>
      withPhase({ kind: 'phase', metric: 'events.escap.fractionEntered', thresholds: [0.5, 0.2], labels: ['a'], label: 1 }),
    );
    const at = (p: string) => e.issues.find((i) => i.path === p);
    expect(at('analysis[0].metric')?.hint).toContain("Did you mean 'escape'?");
    expect(at('analysis[0].thresholds')?.expected).toContain('strictly increasing');
    expect(at('analysis[0].labels')?.expected).toContain('3 labels');
    expect(at('analysis[0].label')?.hint).toContain("Did you mean 'labels'?");
    const sec = scenarioError(() =>
      withPhase({ kind: 'phase', metric: 'event.escape.fractionEntered', thresholds: [0.5], labels: ['a', 'b'] }),
    );
    expect(sec.issues[0].hint).toContain("Did you mean 'events'?");
    const obs = scenarioError(() =>
      withPhase({ kind: 'phase', metric: 'observables.energy.final.mean', thresholds: [0.5], labels: ['a', 'b'] }),
    );
    expect(obs.issues[0].expected).toContain("observable of observe.observables ('x')");
    const dup = scenarioError(() => withPhase({ kind: 'phase', metric: 'divergence.fraction', thresholds: [0.5], labels: ['a', 'a'] }));
    expect(dup.issues[0].expected).toBe('distinct labels');
  });
});

describe('sweepHash', () => {
  it('is stable: ignores the source path and key order; changes with anything that changes results', async () => {
    const a = await loadScenario(fx('tiny.yaml'));
    const b = validateScenarioObject(JSON.parse(JSON.stringify({ ...a, source: undefined })), '/elsewhere/x.yaml');
    expect(sweepHash(a)).toMatch(/^[0-9a-f]{12}$/);
    expect(sweepHash(b)).toBe(sweepHash(a));
    const reordered = Object.fromEntries(Object.entries(JSON.parse(JSON.stringify({ ...a, source: undefined }))).reverse());
    expect(sweepHash(validateScenarioObject(reordered, ''))).toBe(sweepHash(a));
    expect(sweepHash(await loadScenario(fx('tiny.yaml'), { seed: 3 }))).not.toBe(sweepHash(a));
    expect(sweepHash(await loadScenario(fx('tiny.yaml'), { set: ['sweep["potential.params.h"]=[0.25, 0.75]'] }))).not.toBe(sweepHash(a));
  });
});

describe('OLS with t-based confidence intervals', () => {
  it('Student t: CDF and quantiles against tables', () => {
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.706204736, 6);
    expect(studentTQuantile(0.975, 3)).toBeCloseTo(3.182446305, 7);
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.228138852, 7);
    expect(studentTQuantile(0.95, 30)).toBeCloseTo(1.697260887, 7);
    expect(studentTQuantile(0.025, 10)).toBeCloseTo(-2.228138852, 7);
    expect(studentTCdf(0, 5)).toBe(0.5);
    expect(studentTCdf(2.015048373, 5)).toBeCloseTo(0.95, 8);
    expect(studentTCdf(-1, 1)).toBeCloseTo(0.25, 12); // Cauchy
  });

  it('recovers an exact line; CIs need 3 points; standard errors match the textbook formulas', () => {
    const exact = olsFit([1, 2, 3, 4], [3, 5, 7, 9]);
    expect(exact.slope).toBeCloseTo(2, 12);
    expect(exact.intercept).toBeCloseTo(1, 12);
    expect(exact.r2).toBeCloseTo(1, 12);
    const two = olsFit([0, 1], [1, 3]);
    expect([two.slope, two.intercept, two.slopeCi, two.interceptCi]).toEqual([2, 1, null, null]);
    // y = [1, 2, 2, 4] at x = [0, 1, 2, 3]: slope 0.9, intercept 0.9, RSS 0.7, s² = 0.35, Sxx = 5
    const f = olsFit([0, 1, 2, 3], [1, 2, 2, 4]);
    expect(f.slope).toBeCloseTo(0.9, 12);
    expect(f.intercept).toBeCloseTo(0.9, 12);
    expect(f.slopeSe).toBeCloseTo(Math.sqrt(0.35 / 5), 12);
    expect(f.interceptSe).toBeCloseTo(Math.sqrt(0.35 * (1 / 4 + 2.25 / 5)), 12);
    expect(f.slopeCi![1] - f.slope).toBeCloseTo(4.30265273 * Math.sqrt(0.35 / 5), 7);
    expect(() => olsFit([1, 1, 1], [1, 2, 3])).toThrow(/x are equal/);
  });
});

describe('phase boundary (log–log)', () => {
  /** Points on a log grid, phase "high" above the line log10 y = a + b log10 x (plus optional label noise). */
  function synthetic(a: number, b: number) {
    const xs = Array.from({ length: 9 }, (_, i) => 10 ** (-1 + (2 * i) / 8));
    const ys = Array.from({ length: 41 }, (_, j) => 10 ** (-2 + (4 * j) / 40));
    const pts: Array<{ x: number; y: number; phase: string | null }> = [];
    for (const x of xs) for (const y of ys) pts.push({ x, y, phase: Math.log10(y) < a + b * Math.log10(x) ? 'low' : 'high' });
    return pts;
  }

  it('recovers a known straight boundary: slope and intercept within their 95 % CIs', () => {
    for (const [a, b] of [
      [0.3, 0.75],
      [-0.2, 1.3],
      [0.05, -0.4],
    ]) {
      const [e] = phaseBoundary(synthetic(a, b), { thresholds: [0.5], labels: ['low', 'high'] });
      expect(e.used).toBe(9);
      expect(e.note).toBeNull();
      const fit = e.fit!;
      expect(fit.slopeCi![0]).toBeLessThanOrEqual(b);
      expect(fit.slopeCi![1]).toBeGreaterThanOrEqual(b);
      expect(fit.interceptCi![0]).toBeLessThanOrEqual(a);
      expect(fit.interceptCi![1]).toBeGreaterThanOrEqual(a);
      // the grid step is 0.1 decade: the estimate is within a fraction of it
      expect(Math.abs(fit.slope - b)).toBeLessThan(0.05);
      expect(Math.abs(fit.intercept - a)).toBeLessThan(0.05);
      // each boundary point lies between two adjacent grid values, at their geometric mean
      for (const p of e.points) {
        expect(p.y).toBeCloseTo(Math.sqrt(p.yBelow * p.yAbove), 12);
        expect(Math.log10(p.yAbove) - Math.log10(p.yBelow)).toBeCloseTo(0.1, 10);
        expect([p.phaseBelow, p.phaseAbove]).toEqual(['low', 'high']);
      }
    }
  });

  it('skips columns without exactly one crossing; says when fewer than 3 points exist; needs positive axes', () => {
    const pts = [
      { x: 1, y: 1, phase: 'a' },
      { x: 1, y: 10, phase: 'b' },
      { x: 10, y: 1, phase: 'a' },
      { x: 10, y: 10, phase: 'b' },
      { x: 100, y: 1, phase: 'a' },
      { x: 100, y: 10, phase: 'a' },
      { x: 1000, y: 1, phase: 'a' },
      { x: 1000, y: 10, phase: 'b' },
      { x: 1000, y: 100, phase: 'a' },
    ];
    const [e] = phaseBoundary(pts, { thresholds: [0], labels: ['a', 'b'] });
    expect(e.used).toBe(2);
    expect(e.skipped).toEqual([
      { x: 100, reason: 'no change of phase along y' },
      { x: 1000, reason: 'the phase changes 2 times along y' },
    ]);
    expect(e.fit!.slope).toBeCloseTo(0, 12);
    expect(e.fit!.intercept).toBeCloseTo(0.5, 12);
    expect(e.fit!.slopeCi).toBeNull();
    expect(e.note).toContain('only 2 boundary points');
    const [one] = phaseBoundary(pts.slice(0, 2), { thresholds: [0], labels: ['a', 'b'] });
    expect(one.fit).toBeNull();
    expect(one.note).toContain('only 1 boundary point: no fit');
    const [neg] = phaseBoundary([{ x: -1, y: 1, phase: 'a' }, ...pts], { thresholds: [0], labels: ['a', 'b'] });
    expect(neg.fit).toBeNull();
    expect(neg.note).toContain('positive');
  });

  it('three phases give one boundary per threshold', () => {
    const pts = [1, 10, 100].flatMap((x) => [1, 10, 100, 1000].map((y) => ({ x, y, phase: y < x ? 'a' : y < 10 * x ? 'b' : 'c' })));
    const bs = phaseBoundary(pts, { thresholds: [1, 2], labels: ['a', 'b', 'c'] });
    expect(bs.map((b) => b.between)).toEqual([
      ['a', 'b'],
      ['b', 'c'],
    ]);
    // a|b: between y = x/… and y = x: the crossings are at √(x·10x)/… → slope 1
    expect(bs[0].fit!.slope).toBeCloseTo(1, 12);
    expect(bs[1].fit!.slope).toBeCloseTo(1, 12);
    expect(bs[1].fit!.intercept - bs[0].fit!.intercept).toBeCloseTo(1, 12);
  });
});

/** Read every file a sweep directory holds at top level, and each point's summary without timing/run.id. */
function snapshot(dir: string) {
  const pointSummaries = readdirSync(path.join(dir, 'points'))
    .filter((n) => /^\d+$/.test(n))
    .sort((a, b) => Number(a) - Number(b))
    .map((n) => {
      const s = JSON.parse(readFileSync(path.join(dir, 'points', n, 'summary.json'), 'utf8'));
      delete s.timing;
      delete s.run.id;
      return s;
    });
  const read = (f: string) => (existsSync(path.join(dir, f)) ? readFileSync(path.join(dir, f), 'utf8') : null);
  return { csv: read('sweep.csv'), phases: read('phases.csv'), boundary: read('phase-boundary.json'), pointSummaries };
}

describe('runSweep on a tiny real sweep', () => {
  const tmp = tempDir('sweep');

  it('writes sweep.json, points/<k>/, sweep.csv, phases.csv, phase-boundary.json; in-process = worker threads', async () => {
    const s = await loadScenario(fx('tiny.yaml'));
    const inProc = await runSweep(s, { out: path.join(tmp, 'a'), workers: 0 });
    expect(inProc.schedule).toEqual({ concurrentPoints: 1, workersPerPoint: 0 });
    expect(inProc.complete).toBe(true);
    expect(inProc.points.map((p) => p.status)).toEqual(['ran', 'ran', 'ran', 'ran', 'ran', 'ran']);
    expect(inProc.files).toEqual(['sweep.csv', 'phases.csv', 'phase-boundary.json']);
    const dir = inProc.dir;
    expect(readdirSync(path.join(dir, 'points')).sort()).toEqual(['0', '1', '2', '3', '4', '5']);

    const meta = JSON.parse(readFileSync(path.join(dir, 'sweep.json'), 'utf8'));
    expect(meta).toMatchObject({ schema: 'stochdyn.sweep/1', name: 'sweep-tiny', hash: sweepHash(s), mode: 'grid' });
    expect(meta.axes).toEqual([
      { key: 'dynamics.temperature', values: [0.1, 0.2, 0.4] },
      { key: 'potential.params.h', values: [0.25, 0.5] },
    ]);
    expect(meta.points[3]).toEqual({ index: 3, values: { 'dynamics.temperature': 0.2, 'potential.params.h': 0.5 } });

    // each point is a normal run keyed by its index
    const sum3 = JSON.parse(readFileSync(path.join(dir, 'points', '3', 'summary.json'), 'utf8'));
    expect(sum3.run).toMatchObject({ run: 3, temperature: 0.2, replicas: 200 });
    const resolved3 = JSON.parse(readFileSync(path.join(dir, 'points', '3', 'scenario.resolved.json'), 'utf8'));
    expect(resolved3.potential.params.h).toBe(0.5);
    expect(resolved3.sweep).toBeUndefined();

    const csv = readFileSync(path.join(dir, 'sweep.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toBe(
      'index,dynamics.temperature,potential.params.h,x_mean,x_sem,x_q50,energy_mean,energy_sem,energy_q50,' +
        'escape_entered,escape_fraction,escape_mfpt_time,escape_mfpt_lo,escape_mfpt_hi,diverged,phase,temperature,lr,weight_decay',
    );
    expect(csv).toHaveLength(7);
    const row3 = csv[4].split(',');
    expect(row3.slice(0, 3)).toEqual(['3', '0.2', '0.5']);
    expect(Number(row3[3])).toBe(sum3.observables.x.final.mean);
    expect(Number(row3[10])).toBe(sum3.events.escape.fractionEntered);
    expect(Number(row3[12])).toBe(sum3.events.escape.mfpt.ci95Time[0]);
    expect(row3[15]).toBe(sum3.events.escape.fractionEntered < 0.5 ? 'trapped' : 'escaped');
    // The dynamics integrated at the point (from its summary): the swept θ, the scenario's η and λ.
    expect(row3.slice(16).map(Number)).toEqual([0.2, sum3.run.lr, 0]);

    const phases = readFileSync(path.join(dir, 'phases.csv'), 'utf8').trim().split('\n');
    expect(phases[0]).toBe('index,x,y,metric,phase');
    expect(phases[4]).toBe(`3,0.2,0.5,${sum3.events.escape.fractionEntered},${row3[15]}`);
    const pb = JSON.parse(readFileSync(path.join(dir, 'phase-boundary.json'), 'utf8'));
    expect(pb).toMatchObject({
      schema: 'stochdyn.phase-boundary/1',
      metric: 'events.escape.fractionEntered',
      x: 'dynamics.temperature',
      y: 'potential.params.h',
      base: 10,
    });
    expect(pb.used).toBe(pb.points.length);
    expect(pb.boundaries).toHaveLength(1);
    // the escape fraction rises with θ and falls with h: a consistent phase picture
    const frac = (k: number) =>
      JSON.parse(readFileSync(path.join(dir, 'points', String(k), 'summary.json'), 'utf8')).events.escape.fractionEntered;
    expect(frac(4)).toBeGreaterThan(frac(0));
    expect(frac(4)).toBeGreaterThan(frac(5));

    // the same sweep on worker threads (2 points side by side) gives identical files
    const threads = await runSweep(s, { out: path.join(tmp, 'b'), workers: 2 });
    expect(threads.schedule).toEqual({ concurrentPoints: 2, workersPerPoint: 1 });
    expect(snapshot(threads.dir)).toEqual(snapshot(dir));
    expect(snapshot(threads.dir).csv).toBe(snapshot(dir).csv);

    // running again resumes: nothing to do
    const again = await runSweep(s, { out: path.join(tmp, 'a'), workers: 0 });
    expect(again.points.every((p) => p.status === 'skipped')).toBe(true);
    expect(snapshot(again.dir).csv).toBe(snapshot(dir).csv);

    // another scenario (different seed) is refused in this directory
    await expect(runSweep(await loadScenario(fx('tiny.yaml'), { seed: 9 }), { out: path.join(tmp, 'a'), workers: 0 })).rejects.toThrow(
      /holds sweep [0-9a-f]{12} of 'sweep-tiny', but this scenario is sweep [0-9a-f]{12}/,
    );
    // a non-empty directory that is not a sweep directory is refused
    await expect(runSweep(s, { out: path.join(tmp, 'a', 'points', '0'), workers: 0 })).rejects.toThrow(SweepDirError);
  });

  it('large points (≥ 2048 replicas) run one at a time on all workers, with the same results as in-process', async () => {
    const s = await loadScenario(fx('tiny.yaml'), { replicas: 2100, set: ['dynamics.steps=60', 'sweep["potential.params.h"]=[0.5]'] });
    const seq = await runSweep(s, { out: path.join(tmp, 'large-w2'), workers: 2 });
    expect(seq.schedule).toEqual({ concurrentPoints: 1, workersPerPoint: 2 });
    const ref = await runSweep(s, { out: path.join(tmp, 'large-w0'), workers: 0 });
    expect(seq.points).toHaveLength(3);
    expect(snapshot(seq.dir)).toEqual(snapshot(ref.dir));
  });

  it('shards in one process: each runs its share, the second completes the directory; merge checks hashes and missing points', async () => {
    const s = await loadScenario(fx('tiny.yaml'), { set: ['dynamics.steps=300'] });
    const s1 = await runSweep(s, { out: path.join(tmp, 'sh1'), workers: 0, shard: { index: 1, count: 3 } });
    expect(s1.points.filter((p) => p.status === 'ran').map((p) => p.index)).toEqual([0, 3]);
    expect(s1.complete).toBe(false);
    expect(existsSync(path.join(s1.dir, 'sweep.csv'))).toBe(false);
    const s2 = await runSweep(s, { out: path.join(tmp, 'sh2'), workers: 0, shard: { index: 2, count: 3 } });
    expect(s2.points.filter((p) => p.status === 'ran').map((p) => p.index)).toEqual([1, 4]);
    expect(() => mergeSweeps([s1.dir, s2.dir], { out: path.join(tmp, 'merged') })).toThrow(
      /2 of 6 points are in none of the directories: 2 \(dynamics.temperature = 0.2, potential.params.h = 0.25\); 5/,
    );
    expect(existsSync(path.join(tmp, 'merged'))).toBe(false);
    const other = await runSweep(await loadScenario(fx('tiny.yaml'), { set: ['dynamics.steps=300'], seed: 1 }), {
      out: path.join(tmp, 'other'),
      workers: 0,
      shard: { index: 3, count: 3 },
    });
    expect(() => mergeSweeps([s1.dir, other.dir])).toThrow(/different sweeps/);
    // the third shard into the first shard's directory completes it
    const s3 = await runSweep(s, { out: s1.dir, workers: 0, shard: { index: 3, count: 3 } });
    expect(s3.points.filter((p) => p.status === 'ran').map((p) => p.index)).toEqual([2, 5]);
    expect(s3.complete).toBe(false);
    const merged = mergeSweeps([s1.dir, s2.dir], { out: path.join(tmp, 'merged') });
    expect(merged.copied).toBe(6);
    const full = await runSweep(s, { out: path.join(tmp, 'full'), workers: 0 });
    expect(snapshot(merged.dir)).toEqual(snapshot(full.dir));
    // merging into one of the inputs copies only what it lacks
    const inPlace = mergeSweeps([s1.dir, s2.dir], { out: s2.dir });
    expect(inPlace.copied).toBe(4);
    expect(snapshot(inPlace.dir).csv).toBe(snapshot(full.dir).csv);
  });

  it('the shipped example is a valid two-key sweep with a phase analysis', async () => {
    const s = await loadScenario(EXAMPLE);
    const pts = expandSweep(s);
    expect(pts.length).toBeGreaterThanOrEqual(5);
    expect(s.analysis).toEqual([expect.objectContaining({ kind: 'phase', metric: 'events.escape.fractionEntered' })]);
    expect(Object.keys(pts[0].values)[0]).toBe('dynamics.temperature');
    expect(s.sweep!['dynamics.temperature']).toEqual({ log: { from: expect.any(Number), to: expect.any(Number), points: 5 } });
    const work = pts.reduce((a, p) => a + p.scenario.ensemble.replicas * p.scenario.dynamics.steps, 0);
    expect(work).toBeLessThan(3e8); // well under a minute at ~1e7 replica-steps/s per core
  });

  it.sequential('cleanup', () => {
    rmSync(tmp, { recursive: true, force: true });
    expect(existsSync(tmp)).toBe(false);
  });
});
