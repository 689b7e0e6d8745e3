/**
 * The library entry point (src/index.ts): runScenario with `write: false`
 * touches no disk and returns what a written run holds; progress and abort
 * behave as documented; docs/api.md names every export.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as api from '../../src/index.js';
import { jsonReplacer } from '../../src/results/write.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'stochdyn-api-'));

const NAME = 'api-in-memory-probe';
const scenario = () =>
  api.validateScenario({
    name: NAME,
    seed: 11,
    potential: { kind: 'double-well', params: { h: 1 } },
    dynamics: { integrator: 'sgld', lr: 2e-3, temperature: 0.3, steps: 2000 },
    ensemble: { replicas: 600, init: { kind: 'point', x: [-1] } },
    observe: {
      grid: { kind: 'log', points: 20 },
      observables: ['x', 'energy', 'well'],
      finals: true,
      histograms: [{ of: 'x', bins: 30, range: [-2, 2] }],
      events: [{ name: 'cross', enter: { x: { ge: 0.5 } } }],
    },
    theory: [{ kind: 'gibbs', of: 'x' }],
  });

/** The summary without the parts that differ between identical runs (wall clock, run id). */
function deterministic(summary: unknown) {
  const s = JSON.parse(JSON.stringify(summary, jsonReplacer));
  delete s.timing;
  delete s.run.id;
  return s;
}

describe('runScenario with write: false', () => {
  it('creates no directory and returns the summary and result a written run has', async () => {
    const root = tmp();
    const progress: Array<[number, number]> = [];
    const memory = await api.runScenario(scenario(), {
      write: false,
      outputRoot: root,
      workers: 0,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(memory.dir).toBeUndefined();
    expect(readdirSync(root)).toEqual([]);
    expect(existsSync(resolve('output', NAME))).toBe(false);

    // Progress: replica-steps, never decreasing, ending at replicas × steps.
    const total = 600 * 2000;
    expect(progress.length).toBeGreaterThan(0);
    for (const [, t] of progress) expect(t).toBe(total);
    for (let i = 1; i < progress.length; i++) expect(progress[i][0]).toBeGreaterThanOrEqual(progress[i - 1][0]);
    expect(progress.at(-1)![0]).toBe(total);

    const out = join(root, 'written');
    const written = await api.runScenario(scenario(), { out, workers: 0 });
    expect(written.dir).toBe(out);
    expect(memory.summary.run.status).toBe('completed');
    expect(memory.summary.events.cross.entered).toBeGreaterThan(0);
    expect(deterministic(memory.summary)).toEqual(deterministic(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))));
    expect(Buffer.from(memory.result.finals.values.buffer).equals(Buffer.from(written.result.finals.values.buffer))).toBe(true);
    expect(Buffer.from(memory.result.events[0].firstStep.buffer).equals(Buffer.from(written.result.events[0].firstStep.buffer))).toBe(true);
  });

  it('refuses an output directory together with write: false', async () => {
    const out = join(tmp(), 'never');
    await expect(api.runScenario(scenario(), { write: false, out, workers: 0 } as never)).rejects.toThrow(
      /write: false writes nothing, so out/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it('an already aborted signal gives an interrupted summary with no replicas, and still writes nothing', async () => {
    const root = tmp();
    const controller = new AbortController();
    controller.abort();
    const { summary, dir } = await api.runScenario(scenario(), { write: false, outputRoot: root, workers: 1, signal: controller.signal });
    expect(dir).toBeUndefined();
    expect(summary.run.status).toBe('interrupted');
    expect(summary.run.completedReplicas).toBe(0);
    expect(readdirSync(root)).toEqual([]);
  });
});

describe('a potential registered from code', () => {
  const family: api.PotentialFamily = {
    name: 'api-code-harmonic',
    description: 'x²/2',
    paramsSchema: { type: 'object', additionalProperties: false },
    create: () => ({
      name: 'api-code-harmonic',
      dim: 1,
      coordinates: ['x'],
      groups: [{ name: 'x', offset: 0, size: 1 }],
      energyAndGradient(x, count, energy, grad) {
        for (let r = 0; r < count; r++) {
          grad[r] = x[r];
          energy[r] = 0.5 * x[r] * x[r];
        }
      },
    }),
  };
  const codeScenario = () =>
    api.validateScenario({
      name: 'api-code',
      potential: { kind: 'api-code-harmonic' },
      dynamics: { integrator: 'sgld', lr: 0.01, temperature: 0.5, steps: 50 },
      ensemble: { replicas: 64, init: { kind: 'point', x: [0] } },
    });

  it('runs in this thread, and is refused with the remedy where worker threads could not see it', async () => {
    api.registerPotential(family);
    expect(api.getPotentialFamily('api-code-harmonic')).toBe(family);
    const root = tmp();
    await expect(api.runScenario(codeScenario(), { write: false, outputRoot: root })).rejects.toThrow(
      /registered from code.*workers: 1, the default.*workers: 0.*module/,
    );
    await expect(api.runScenario(codeScenario(), { write: false, workers: 2 })).rejects.toThrow(/workers: 2/);
    const { summary } = await api.runScenario(codeScenario(), { write: false, workers: 0 });
    expect(summary.run.status).toBe('completed');
    expect(summary.run.completedReplicas).toBe(64);
    expect(readdirSync(root)).toEqual([]);
  });
});

describe('the public API', () => {
  it('docs/api.md names every runtime export of src/index.ts', () => {
    const doc = readFileSync(resolve('docs/api.md'), 'utf8');
    const names = Object.keys(api);
    expect(names.length).toBeGreaterThan(30);
    const missing = names.filter((name) => !doc.includes('`' + name) && !doc.includes(' ' + name + '('));
    expect(missing).toEqual([]);
  });

  it('safeValidateScenario returns the issues instead of throwing them', () => {
    const bad = api.safeValidateScenario(
      { name: 'x', dynamics: { integrator: 'sgld', lr: -1, steps: 10 }, ensemble: { replicas: 1 } },
      'memory.yaml',
    );
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error).toBeInstanceOf(api.ScenarioError);
    expect(bad.error.issues.map((issue) => issue.path)).toEqual(expect.arrayContaining(['potential', 'dynamics.lr']));
    const good = api.safeValidateScenario({
      name: 'x',
      potential: { kind: 'harmonic' },
      dynamics: { integrator: 'sgld', lr: 0.01, steps: 10 },
      ensemble: { replicas: 1 },
    });
    expect(good.ok && good.scenario.seed).toBe(0);
  });

  it('a registry lookup of an unknown name lists the known ones and suggests the closest', () => {
    expect(() => api.integrators.get('baoabb')).toThrow(api.RegistryLookupError);
    expect(() => api.integrators.get('baoabb')).toThrow(/did you mean 'baoab'.*known: gd, sgld/);
  });
});
