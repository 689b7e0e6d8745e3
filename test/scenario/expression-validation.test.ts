/**
 * The scenario loader checks an expression's function calls, including their
 * number of arguments, before anything is built: a wrong call is a
 * ScenarioError at potential.expression with the line of the field (exit 2),
 * not a failure of the run.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenario, ScenarioError } from '../../src/scenario/index.js';
import { tempDir } from '../helpers.js';

const dir = tempDir('expression-validation');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scenario = (expression: string) =>
  `name: expr\nseed: 1\npotential:\n  coordinates: [x, y]\n  expression: '${expression}'\ndynamics: { lr: 0.01, steps: 10 }\nensemble: { replicas: 2 }\n`;

async function load(expression: string, name: string) {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, scenario(expression));
  return loadScenario(file);
}

describe('expression calls are checked at validation', () => {
  it.each([
    ['sin(x, y)', 'sin() at character 1 takes 1 argument, found 2'],
    ['x + atan2(y)', 'atan2() at character 5 takes 2 arguments, found 1'],
    ['max() + x', 'max() at character 1 takes 1 argument or more, found 0'],
    ['log(x, y, 2)', 'log() at character 1 takes 1 or 2 arguments, found 3'],
  ])('%s is refused at potential.expression, line 5', async (expression, message) => {
    const err = await load(expression, 'bad').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ScenarioError);
    const issue = (err as ScenarioError).issues.find((i) => i.path === 'potential.expression');
    expect(issue?.line).toBe(5);
    expect(issue?.found).toContain(message);
  });

  it('max, min, abs, hypot and nested calls with commas are accepted', async () => {
    const s = await load('x^4 - 2*x^2 + 10*max(0, abs(x) - 2)^2 + min(x, y, 1) + hypot(x, max(y, 0)) + log(x^2 + 2, 3)', 'good');
    expect(s.potential).toMatchObject({ coordinates: ['x', 'y'] });
  });
});

describe('expression grammar is checked at validation', () => {
  it.each([
    ['x^^2', "a value expected before '^' at character 3"],
    ['max(x,)', "a value expected before ')' at character 7"],
    ['(x + 1', "a '(' at character 1 is not closed"],
    ['x + y)', "a ')' without its '(' at character 6"],
    ['x*y +', "the expression ends where a value is expected (after '+')"],
  ])('%s is refused at potential.expression, line 5, before mathjs sees it', async (expression, message) => {
    const err = await load(expression, 'grammar').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ScenarioError);
    const issue = (err as ScenarioError).issues.find((i) => i.path === 'potential.expression');
    expect(issue?.line).toBe(5);
    expect(issue?.found).toContain(message);
  });

  it('signs, implicit products, nested parentheses and exponents with a sign are accepted', async () => {
    const s = await load('-x^-2 + 2x*-y + ((x))*(y) + x^(-2/3) + .5*x + 1e-3*y', 'grammar-good');
    expect(s.potential).toMatchObject({ coordinates: ['x', 'y'] });
  });
});
