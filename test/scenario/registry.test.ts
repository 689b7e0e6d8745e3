/**
 * One registry shape, and the scenario schema and compatibility checks built
 * from the registries: a potential or an integrator registered from code is
 * known to the schema and to the loader's checks without any other change.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createRegistry, RegistryLookupError } from '../../src/engine/registry.js';
import { integrators, type IntegratorEntry } from '../../src/engine/integrators/index.js';
import { potentials, registerPotential } from '../../src/potentials/index.js';
import { ScenarioError, scenarioJsonSchema, validateScenarioObject, type ScenarioIssue } from '../../src/scenario/index.js';
import { analyses, analysisSchemas } from '../../src/analysis/index.js';
import { observableKinds } from '../../src/observables/observables.js';
import { kernelSets } from '../../src/kernels/registry.js';
import { plots } from '../../src/report/plots/registry.js';
import '../../src/report/plots/index.js';

const base = () => ({
  name: 'registry',
  potential: { kind: 'double-well' },
  dynamics: { lr: 0.01, steps: 5 },
  ensemble: { replicas: 2 },
});

function issuesOf(doc: object): ScenarioIssue[] {
  try {
    validateScenarioObject(doc, '');
  } catch (e) {
    if (e instanceof ScenarioError) return e.issues;
    throw e;
  }
  return [];
}

describe('createRegistry', () => {
  it('register throws on a duplicate; get of an unknown name lists the known names and suggests the close one', () => {
    const r = createRegistry<{ name: string; value: number }>('widget');
    r.register({ name: 'sprocket', value: 1 });
    r.register({ name: 'gear', value: 2 });
    expect(() => r.register({ name: 'gear', value: 3 })).toThrow(/widget 'gear' is already registered/);
    expect(r.get('gear').value).toBe(2); // not overwritten
    let err: unknown;
    try {
      r.get('sprockt');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RegistryLookupError);
    const lookup = err as RegistryLookupError;
    expect(lookup.known).toEqual(['sprocket', 'gear']);
    expect(lookup.suggestion).toBe('sprocket');
    expect(lookup.message).toBe("unknown widget 'sprockt' — did you mean 'sprocket'? (known: sprocket, gear)");
    // Nothing close: no suggestion, still the known names.
    expect(() => r.get('flywheel')).toThrow("unknown widget 'flywheel' (known: sprocket, gear)");
    expect(r.find('flywheel')).toBeUndefined();
    expect(r.unregister('gear')).toBe(true);
    expect(r.names()).toEqual(['sprocket']);
  });

  it('every extension point is such a registry', () => {
    for (const [registry, known] of [
      [potentials, 'double-well'],
      [integrators, 'sgld'],
      [observableKinds, 'energy'],
      [analyses, 'first-passage'],
      [plots, 'traces'],
      [kernelSets, 'ma'],
    ] as const) {
      expect(registry.has(known)).toBe(true);
      expect(() => (registry.register as (e: unknown) => unknown)(registry.get(known))).toThrow(/already registered/);
      expect(() => registry.get(`${known}x`)).toThrow(RegistryLookupError);
    }
  });
});

describe('the scenario schema comes from the registries', () => {
  const potentialName = 'test-tilted-well';
  afterEach(() => {
    potentials.unregister(potentialName);
  });

  it('a potential registered from code appears in the published schema and its params are validated', () => {
    registerPotential({
      name: potentialName,
      description: 'f(x) = (x² − 1)² + c·x, for the registry test',
      paramsSchema: {
        type: 'object',
        properties: { c: { type: 'number', minimum: 0, default: 0.5 } },
        additionalProperties: false,
      },
      create: () => {
        throw new Error('not built in this test');
      },
    });
    const schema = scenarioJsonSchema() as { properties: { potential: { allOf: Array<{ if: any; then: any }> } } };
    const branch = schema.properties.potential.allOf.find((b) => b.if.properties.kind.const === potentialName);
    expect(branch?.then.properties.params.properties.c).toEqual({ type: 'number', minimum: 0, default: 0.5 });

    const ok = validateScenarioObject({ ...base(), potential: { kind: potentialName, params: {} } }, '');
    expect(ok.potential).toEqual({ kind: potentialName, params: { c: 0.5 } }); // default from the fragment
    const bad = issuesOf({ ...base(), potential: { kind: potentialName, params: { c: -1, d: 2 } } });
    expect(bad.map((i) => i.path).sort()).toEqual(['potential.params.c', 'potential.params.d']);
    expect(bad.find((i) => i.path === 'potential.params.c')).toMatchObject({ expected: 'a number ≥ 0', found: '-1' });

    potentials.unregister(potentialName);
    const gone = issuesOf({ ...base(), potential: { kind: potentialName } });
    expect(gone[0]).toMatchObject({ path: 'potential.kind', found: `"${potentialName}"` });
  });

  it('the published schema lists the analysis kinds of the analysis registry', () => {
    const schema = scenarioJsonSchema({ analyses: analysisSchemas() }) as { properties: { analysis: { items: any } } };
    const items = schema.properties.analysis.items;
    expect(items.properties.kind.enum).toEqual(expect.arrayContaining(analyses.names()));
    expect(items.properties.kind.enum).toContain('phase');
    const fp = items.allOf.find((b: any) => b.if.properties.kind.const === 'first-passage');
    expect(fp.then.properties.kind).toEqual({ const: 'first-passage' });
    expect(fp.then.required).toEqual(expect.arrayContaining(['kind', ...(analyses.get('first-passage').required ?? [])]));
  });
});

describe('an integrator registered from code', () => {
  const name = 'test-heavy-ball';
  const entry: IntegratorEntry = {
    name,
    description: 'deterministic heavy-ball descent, for the registry test',
    needs: { momenta: false, data: false },
    noisy: false,
    constants: { kappa: { type: 'number', exclusiveMinimum: 0, title: 'the heavy-ball momentum κ', description: 'momentum κ' } },
    build: () => {
      throw new Error('not built in this test');
    },
  };
  afterEach(() => {
    integrators.unregister(name);
  });

  it('is accepted by name, its constant only with it, and θ > 0 is refused naming the noisy trait', () => {
    // Before it is registered, the schema's enum refuses the name.
    const unknown = issuesOf({ ...base(), dynamics: { integrator: name, lr: 0.01, steps: 5 } });
    expect(unknown.map((i) => i.path)).toEqual(['dynamics.integrator']);

    integrators.register(entry);
    const s = validateScenarioObject({ ...base(), dynamics: { integrator: name, lr: 0.01, steps: 5, kappa: 0.9 } }, '');
    expect(s.dynamics.integrator).toBe(name);
    expect((s.dynamics as unknown as Record<string, unknown>).kappa).toBe(0.9);
    // Its fragment validates the value.
    expect(issuesOf({ ...base(), dynamics: { integrator: name, lr: 0.01, steps: 5, kappa: -1 } })).toEqual([
      { path: 'dynamics.kappa', expected: 'a number > 0', found: '-1' },
    ]);

    // The constant with an integrator that does not read it.
    const wrong = issuesOf({ ...base(), dynamics: { integrator: 'sgld', lr: 0.01, temperature: 0.1, steps: 5, kappa: 0.9 } });
    expect(wrong).toHaveLength(1);
    expect(wrong[0]).toMatchObject({
      path: 'dynamics.kappa',
      expected: `no kappa with integrator sgld (it is read by ${name} only)`,
      found: '0.9',
    });
    expect(wrong[0].hint).toContain('the heavy-ball momentum κ');

    // θ > 0 with an integrator whose entry says noisy: false.
    const hot = issuesOf({ ...base(), dynamics: { integrator: name, lr: 0.01, temperature: 0.2, steps: 5 } });
    expect(hot).toHaveLength(1);
    expect(hot[0]).toMatchObject({ path: 'dynamics.temperature', expected: `0 (or no temperature) with integrator ${name}`, found: '0.2' });
    expect(hot[0].hint).toContain('not a noisy integrator');
    expect(hot[0].hint).toContain('integrator: sgld');

    // Removed again: the name and its constant are unknown to the schema.
    integrators.unregister(name);
    const after = issuesOf({ ...base(), dynamics: { integrator: 'sgld', lr: 0.01, steps: 5, kappa: 0.9 } });
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ path: 'dynamics.kappa', expected: 'a known key' });
  });
});
