/**
 * `ensemble.bounds` validation: every problem is one ScenarioError paragraph
 * with the file, the line, the field, what was expected and what was found —
 * lo < hi, one kind of wall per entry, a known coordinate (with a did-you-mean),
 * a point start inside the box — and the run plan resolves the walls per
 * coordinate ('*' < group < coordinate) or to null without bounds.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenario, ScenarioError } from '../../src/scenario/index.js';
import { checkScenario } from '../../src/runs/run.js';
import { WallKind } from '../../src/engine/walls.js';
import { tempDir } from '../helpers.js';

const dir = tempDir('bounds');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A two-coordinate gaussian-wells scenario with the given `ensemble` lines (indented by four spaces). */
function scenarioFile(name: string, ensemble: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      `name: ${name}`,
      'potential:',
      '  kind: gaussian-wells',
      '  params: { wells: [{ depth: 1, centre: [0, 0], width: 0.5 }] }',
      'dynamics: { integrator: sgld, lr: 0.01, temperature: 0.5, steps: 10 }',
      'ensemble:',
      '  replicas: 4',
      ensemble,
    ].join('\n') + '\n',
  );
  return file;
}

/** The message of the ScenarioError that loading and checking the file throws. */
async function errorOf(file: string): Promise<string> {
  const error = await loadScenario(file)
    .then((s) => checkScenario(s))
    .then(
      () => null,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(ScenarioError);
  return (error as Error).message;
}

describe('ensemble.bounds validation', () => {
  it('lo ≥ hi: the line of the entry, the field and the range found', async () => {
    const file = scenarioFile('swapped', '  bounds:\n    x0: { reflect: [1, -1] }');
    expect(await errorOf(file)).toContain(
      `${file}:9: ensemble.bounds.x0.reflect: expected [lo, hi] with lo < hi, found [1, -1]. Swap the two bounds.`,
    );
  });

  it('both kinds on one coordinate', async () => {
    const file = scenarioFile('both', '  bounds:\n    x0: { reflect: [-1, 1], periodic: [-1, 1] }');
    expect(await errorOf(file)).toContain(`${file}:9: ensemble.bounds.x0: expected exactly one of 'reflect', 'periodic', found both.`);
  });

  it('an unknown coordinate, with a did-you-mean', async () => {
    const file = scenarioFile('unknown', '  bounds:\n    x2: { reflect: [-1, 1] }');
    const message = await errorOf(file);
    expect(message).toContain(
      `${file}:9: ensemble.bounds.x2: expected a coordinate of the potential ('x0', 'x1'), a parameter group or '*', found "x2".`,
    );
    expect(message).toMatch(/Did you mean 'x[01]'\?/);
  });

  it('a point start outside a box names ensemble.init.x and the coordinate', async () => {
    const file = scenarioFile('outside', '  init: { kind: point, x: [0.5, 3] }\n  bounds:\n    "*": { periodic: [-2, 2] }');
    expect(await errorOf(file)).toContain(
      `${file}:8: ensemble.init.x: expected a start inside ensemble.bounds.* (periodic [-2, 2)), found x1 = 3.`,
    );
  });

  it('the plan resolves walls per coordinate, the most specific key winning; null without bounds', async () => {
    const walled = await checkScenario(
      await loadScenario(scenarioFile('walled', '  bounds:\n    x1: { reflect: [-1, 1] }\n    "*": { periodic: [-3, 3] }')),
    );
    expect(Array.from(walled.plan.walls!.kind)).toEqual([WallKind.periodic, WallKind.reflect]);
    expect(Array.from(walled.plan.walls!.lo)).toEqual([-3, -1]);
    expect(Array.from(walled.plan.walls!.hi)).toEqual([3, 1]);
    expect(walled.plan.integratorOptions.walls).toBe(walled.plan.walls);
    const free = await checkScenario(await loadScenario(scenarioFile('free', '  init: { kind: point, x: [0, 0] }')));
    expect(free.plan.walls).toBeNull();
    expect(free.plan.integratorOptions.walls).toBeUndefined();
  });
});
