/**
 * The reaction coordinate of a splitting section as a formula or an
 * observable (src/runs/splitting-coordinate.ts, docs/splitting.md): on the
 * double well h(x² − 1)² at θ = 0.25, ξ = x³ + x (a monotone transform of x,
 * the level moved to the image of −0.8) gives the same MFPT as ξ = x, both
 * from independent seeds and, with the same seed, repetition by repetition
 * (AMS depends on ξ only through the order of its values); the observables a
 * walker can evaluate against their definitions; and the loader's errors for
 * a bad formula or an unknown observable (file, field, expected, found).
 * Tolerances are k·σ with k stated; seeds fixed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, validateScenarioObject } from '../../src/scenario/load.js';
import { checkScenario } from '../../src/runs/run.js';
import { runSplitting } from '../../src/runs/splitting.js';
import { reactionCoordinate } from '../../src/runs/splitting-coordinate.js';
import { mullerBrown } from '../../src/potentials/analytic/muller-brown.js';
import { meanFirstPassageTime } from '../../src/theory/mfpt.js';
import { tempDir } from '../helpers.js';

function doubleWell(seed: number, coordinate: unknown, level: number) {
  return validateScenarioObject(
    {
      name: 'ams-coordinate',
      seed,
      potential: { kind: 'double-well', params: { h: 1 } },
      dynamics: { integrator: 'sgld', lr: 5e-3, temperature: 0.25, steps: 1 },
      ensemble: { replicas: 1, init: { kind: 'point', x: [-1] } },
      observe: { events: [{ name: 'escape', enter: { x: { ge: 1 } } }], finals: false },
      splitting: { from: { x: { le: -0.9 } }, to: 'escape', coordinate, walkers: 100, repetitions: 20, initial: { level } },
    },
    'inline',
  );
}

async function ams(seed: number, coordinate: unknown, level: number) {
  const s = doubleWell(seed, coordinate, level);
  const { plan, potential } = await checkScenario(s);
  return runSplitting(s, plan, potential);
}

describe('a reaction coordinate written as a formula', () => {
  const cubic = (x: number) => x ** 3 + x;

  it('ξ = x³ + x gives the MFPT of ξ = x: within 3σ of the combined SE (independent seeds) and of the exact integral', async () => {
    const plain = await ams(5, 'x', -0.8);
    const formula = await ams(6, { expression: 'x^3 + x' }, cubic(-0.8));
    expect(formula.coordinate).toBe('x^3 + x');
    expect(formula.extinct + formula.incomplete).toBe(0);
    // k = 3: two independent estimates, each with its SE from the spread of its 20 repetitions.
    expect(Math.abs(formula.mfpt.mean - plain.mfpt.mean)).toBeLessThan(3 * Math.hypot(formula.mfpt.se, plain.mfpt.se));
    const exact = meanFirstPassageTime((x) => (x * x - 1) ** 2, -1, 1, 0.25);
    expect(Math.abs(formula.mfpt.mean - exact)).toBeLessThan(3 * formula.mfpt.se);
  });

  it('with the same seed, a monotone transform gives the same p̂ in every repetition (AMS sees only the order of ξ)', async () => {
    const plain = await ams(7, 'x', -0.8);
    const affine = await ams(7, { expression: '2*x + 1' }, 2 * -0.8 + 1);
    expect(affine.perRepetition).toEqual(plain.perRepetition);
    expect(affine.mfpt).toEqual(plain.mfpt);
  });
});

describe('reactionCoordinate: the observables a walker can evaluate', () => {
  const mb = mullerBrown(0.1);
  const point = Float64Array.from([9, 9, 0.3, -0.2]); // the replica at offset 2
  it('energy, grad_norm and radius match the potential; a formula sees every coordinate', () => {
    const e = new Float64Array(1);
    const g = new Float64Array(2);
    mb.energyAndGradient(point.subarray(2), 1, e, g);
    expect(reactionCoordinate({ kind: 'observable', name: 'energy' }, mb)(point, 2)).toBe(e[0]);
    expect(reactionCoordinate({ kind: 'observable', name: 'grad_norm' }, mb)(point, 2)).toBeCloseTo(Math.hypot(g[0], g[1]), 12);
    expect(reactionCoordinate({ kind: 'observable', name: 'radius' }, mb)(point, 2)).toBeCloseTo(Math.hypot(0.3, -0.2), 15);
    expect(reactionCoordinate({ kind: 'expression', expression: 'hypot(x + 0.5, y - 1.5)' }, mb)(point, 2)).toBeCloseTo(
      Math.hypot(0.8, -1.7),
      14,
    );
    expect(() => reactionCoordinate({ kind: 'observable', name: 'basin' }, mb)).toThrow(/not a scalar observable/);
  });
});

describe('splitting.coordinate: validation', () => {
  const write = (coordinate: string) => {
    const file = join(tempDir('split-xi-'), 'scenario.yaml');
    writeFileSync(
      file,
      `name: bad-xi
potential: { kind: muller-brown, params: { scale: 0.1 } }
dynamics: { integrator: sgld, lr: 1.0e-4, temperature: 1, steps: 10 }
ensemble: { replicas: 2, init: { kind: point, x: [-0.558, 1.442] } }
observe:
  events: [{ name: cross, enter: { x: { ge: 0.4 }, y: { le: 0.3 } } }]
splitting:
  from: { y: { ge: 1.3 } }
  to: cross
  coordinate: ${coordinate}
  initial: { level: 0.2 }
`,
    );
    return file;
  };
  const error = async (file: string) =>
    checkScenario(await loadScenario(file)).then(
      () => '',
      (e: Error) => e.message,
    );

  it('a formula with an unknown symbol or a syntax error names the file, the line of the field, what was expected and found', async () => {
    const file = write('{ expression: "hypot(x + 0.5, z - 1.5)" }');
    const msg = await error(file);
    expect(msg).toContain(file);
    expect(msg).toMatch(/splitting\.coordinate\.expression[\s\S]*:10|:10[\s\S]*splitting\.coordinate\.expression/);
    expect(msg).toContain('expected a formula in the coordinates of the potential (x, y)');
    expect(msg).toContain("unknown symbol 'z'");
    expect(await error(write('{ expression: "x +* y" }'))).toMatch(/splitting\.coordinate\.expression[\s\S]*a value expected before '\*'/);
    expect(await error(write('{ expression: "import(x)" }'))).toMatch(/unknown function 'import'/);
  });

  it('an observable that is unknown, or not a scalar a walker can evaluate, is named with the allowed ones', async () => {
    const msg = await error(write('{ observable: enrgy }'));
    expect(msg).toMatch(
      /splitting\.coordinate\.observable: expected a scalar observable that is cheap per walker \(energy, grad_norm, radius/,
    );
    expect(msg).toContain("Did you mean 'energy'?");
    expect(await error(write('{ observable: basin }'))).toMatch(/splitting\.coordinate\.observable[\s\S]*found "basin"/);
    expect(await error(write('{ observable: energy }'))).toBe('');
    expect(await error(write('{ expression: "-hypot(x + 0.558, y - 1.442)" }'))).toBe('');
  });

  it('a coordinate object with both keys or neither is a schema error', async () => {
    await expect(loadScenario(write('{ expression: "x", observable: energy }'))).rejects.toThrow(/splitting\.coordinate/);
    await expect(loadScenario(write('{ formula: "x" }'))).rejects.toThrow(/splitting\.coordinate/);
  });
});
