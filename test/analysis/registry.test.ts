/** The analysis registry's checks: every entry is checked before anything runs. */
import { describe, expect, it } from 'vitest';
import { expandSweep, ScenarioError, validateScenarioObject } from '../../src/scenario/index.js';
import { checkScenario } from '../../src/runs/run.js';

const base = {
  name: 'reg',
  potential: { kind: 'double-well' },
  dynamics: { lr: 0.01, temperature: 0.3, steps: 10 },
  ensemble: { replicas: 3 },
  observe: { events: [{ name: 'escape', enter: { x: { ge: 1 } } }] },
};

async function issuesOf(doc: object): Promise<string[]> {
  try {
    await checkScenario(validateScenarioObject(doc, ''));
    return [];
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    return e.issues.map((i) => `${i.path}: ${i.found}`);
  }
}

describe('analysis entries are checked', () => {
  it('a sweep-scope analysis without a sweep, an unknown key, and an unknown kind are errors with their paths', async () => {
    const issues = await issuesOf({ ...base, analysis: [{ kind: 'arrhenius', bogus: 1 }, { kind: 'wels' }] });
    expect(issues).toContain('analysis[0].kind: no sweep');
    expect(issues.some((i) => i.startsWith('analysis[0].bogus'))).toBe(true);
    expect(issues.some((i) => i.startsWith('analysis[1].kind'))).toBe(true);
  });

  it("a later entry's own name checks run even when an earlier entry has errors", async () => {
    const issues = await issuesOf({ ...base, analysis: [{ kind: 'wels' }, { kind: 'first-passage', event: 'escpe' }] });
    expect(issues.some((i) => i.startsWith('analysis[1].event'))).toBe(true);
  });

  it('sweep-scope entries are checked on the sweep, and accepted on its points', async () => {
    const sweep = validateScenarioObject(
      {
        ...base,
        analysis: [{ kind: 'arrhenius', x: 'dynamics.temperature', event: 'escape' }],
        sweep: { 'dynamics.temperature': [0.2, 0.3] },
      },
      '',
    );
    await expect(checkScenario(sweep)).resolves.toBeTruthy();
    for (const p of expandSweep(sweep)) await expect(checkScenario(p.scenario)).resolves.toBeTruthy();
  });
});
