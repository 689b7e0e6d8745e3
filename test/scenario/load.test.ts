import { describe, it, expect } from 'vitest';
import * as path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import {
  ScenarioError,
  checkAgainstPotential,
  formatIssue,
  loadScenario,
  parseSetOverride,
  renderValue,
  safeValidateScenario,
  scenarioJsonSchema,
  validateScenarioObject,
  type ScenarioIssue,
} from '../../src/scenario/index.js';
import { listPotentialFamilies } from '../../src/potentials/index.js';
import { ROOT } from '../helpers.js';

const here = path.join(ROOT, 'test');
const fixtures = path.join(here, 'fixtures', 'scenarios');
const fx = (name: string) => path.join(fixtures, name);

/** The ScenarioError a call throws (fails the test if it does not throw one). */
async function scenarioError(p: Promise<unknown> | (() => unknown)): Promise<ScenarioError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return e as ScenarioError;
  }
  throw new Error('expected a ScenarioError, but the scenario was accepted');
}

function issueAt(err: ScenarioError, p: string): ScenarioIssue {
  const issue = err.issues.find((i) => i.path === p);
  expect(issue, `no issue at ${p}; got ${err.issues.map((i) => i.path).join(', ')}`).toBeDefined();
  return issue as ScenarioIssue;
}

/** A valid in-memory scenario to mutate. */
function base(): Record<string, any> {
  return {
    name: 'mem',
    potential: { kind: 'double-well' },
    dynamics: { lr: 0.1, steps: 10 },
    ensemble: { replicas: 2 },
  };
}

describe('loadScenario: valid files', () => {
  it('fills every default of a minimal scenario', async () => {
    const s = await loadScenario(fx('minimal.yaml'));
    expect(s).toEqual({
      name: 'minimal',
      description: '',
      seed: 0,
      potential: { kind: 'double-well', params: { h: 1 } },
      dynamics: {
        integrator: 'sgld',
        lr: 0.001,
        temperature: 0,
        steps: 1000,
        weight_decay: 0,
        friction: 1,
        batch_size: null,
        groups: {},
      },
      ensemble: { replicas: 100, init: { kind: 'potential' }, momenta: 'thermal' },
      observe: {
        grid: { kind: 'log', points: 100 },
        observables: ['energy'],
        histograms: [],
        events: [],
        finals: true,
      },
      analysis: [],
      theory: [],
      source: fx('minimal.yaml'),
    });
    // Canonical key order, so scenario.resolved.json reads like the schema.
    expect(Object.keys(s)).toEqual([
      'name',
      'description',
      'seed',
      'potential',
      'dynamics',
      'ensemble',
      'observe',
      'analysis',
      'theory',
      'source',
    ]);
  });

  it('fills nested defaults and normalises a scalar init.x to a list', async () => {
    const s = await loadScenario(fx('full.yaml'));
    expect(s.seed).toBe(7);
    expect(s.ensemble.init).toEqual({ kind: 'point', x: [-1] });
    expect(s.observe.histograms).toEqual([{ of: 'x', bins: 200, range: [-2, 2], at: 'final', from: 0 }]);
    expect(s.observe.events).toEqual([{ name: 'escape', enter: { x: { ge: 1 } }, every: 1 }]);
    expect(s.analysis).toEqual([{ kind: 'first-passage', event: 'escape' }]);
    expect(s.theory).toEqual([{ kind: 'mfpt-1d', from: -1, to: 1 }]);
  });

  it('accepts JSON and fills the family params defaults', async () => {
    const s = await loadScenario(fx('full.json'));
    expect(s.potential).toEqual({ kind: 'harmonic', params: { dim: 2, k: 1, centre: 0 } });
    expect(s.ensemble.init).toEqual({ kind: 'normal', mean: [0], std: [1, 2] });
    expect(s.ensemble.momenta).toBe('zero');
    expect(s.dynamics.integrator).toBe('baoab');
  });

  it('resolves potential.module against the scenario file folder', async () => {
    const s = await loadScenario(fx('existing-module.yaml'));
    expect(s.potential).toEqual({ module: path.join(fixtures, 'modules', 'quadratic.js'), params: { k: 2 } });
  });

  it('validates in memory without modifying the input; expression defaults', () => {
    const input = { ...base(), potential: { expression: 'h*(x^2-1)^2', params: { h: 2 } } };
    const before = structuredClone(input);
    const s = validateScenarioObject(input, '');
    expect(input).toEqual(before);
    expect(s.potential).toEqual({ expression: 'h*(x^2-1)^2', coordinates: ['x'], params: { h: 2 } });
    expect(s.source).toBe('');
    const r = safeValidateScenario({ ...base(), seed: -1 }, '');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.issues[0].path).toBe('seed');
  });
});

describe('overrides', () => {
  it('applies --set, --replicas and --seed', async () => {
    const s = await loadScenario(fx('full.yaml'), {
      set: ['dynamics.temperature=0.3', 'observe.observables=[x,energy,well]', 'observe.histograms[0].bins=50', 'potential.params.h=2'],
      replicas: 64,
      seed: 11,
    });
    expect(s.dynamics.temperature).toBe(0.3);
    expect(s.observe.observables).toEqual(['x', 'energy', 'well']);
    expect(s.observe.histograms[0].bins).toBe(50);
    expect(s.potential).toEqual({ kind: 'double-well', params: { h: 2 } });
    expect(s.ensemble.replicas).toBe(64);
    expect(s.seed).toBe(11);
  });

  it('parses a --set value as YAML', () => {
    expect(parseSetOverride('dynamics.integrator=baoab')).toEqual({
      key: 'dynamics.integrator',
      segments: ['dynamics', 'integrator'],
      value: 'baoab',
    });
    expect(parseSetOverride('observe.events[0].enter={x: {ge: 1}}').segments).toEqual(['observe', 'events', 0, 'enter']);
    expect(parseSetOverride('observe.events[0].enter={x: {ge: 1}}').value).toEqual({ x: { ge: 1 } });
    expect(parseSetOverride('dynamics.batch_size=null').value).toBeNull();
  });

  it('rejects a malformed --set', async () => {
    const e1 = await scenarioError(() => parseSetOverride('dynamics.temperature'));
    expect(e1.issues[0]).toMatchObject({ path: '(--set)', expected: expect.stringContaining('key=value') });
    const e2 = await scenarioError(loadScenario(fx('minimal.yaml'), { set: ['observe.observables=[x'] }));
    expect(e2.file).toBe(fx('minimal.yaml'));
    expect(e2.issues[0].path).toBe('(--set)');
  });

  it('reports an invalid overridden value without a file line, naming the flag', async () => {
    const err = await scenarioError(loadScenario(fx('minimal.yaml'), { set: ['dynamics.temperature=-1'], replicas: 0 }));
    const t = issueAt(err, 'dynamics.temperature');
    expect(t.line).toBeUndefined();
    expect(t.hint).toContain('--set dynamics.temperature=-1');
    const r = issueAt(err, 'ensemble.replicas');
    expect(r).toMatchObject({ expected: 'an integer from 1 to 100000000', found: '0' });
    expect(r.hint).toContain('--replicas 0');
  });
});

describe('loadScenario: invalid files give the specific issue', () => {
  it('unknown key: did you mean, allowed keys, line', async () => {
    const err = await scenarioError(loadScenario(fx('unknown-key.yaml')));
    expect(err.issues).toHaveLength(1);
    const i = issueAt(err, 'dynamics.temprature');
    expect(i.line).toBe(6);
    expect(i.found).toBe('unknown key "temprature"');
    expect(i.hint).toMatch(/^Did you mean 'temperature'\? Allowed here: integrator, lr, temperature, steps/);
    expect(err.message).toMatch(
      /^test\/fixtures\/scenarios\/unknown-key\.yaml:6: dynamics\.temprature: expected a known key, found unknown key "temprature"\. Did you mean 'temperature'\?/,
    );
  });

  it('wrong type: quoted number and a word for an integer', async () => {
    const err = await scenarioError(loadScenario(fx('wrong-type.yaml')));
    expect(issueAt(err, 'dynamics.lr')).toMatchObject({ expected: 'a number > 0', found: '"0.001"', line: 4 });
    expect(issueAt(err, 'dynamics.lr').hint).toContain('remove the quotes');
    expect(issueAt(err, 'dynamics.steps')).toMatchObject({ expected: 'an integer ≥ 0', found: '"many"', line: 5 });
  });

  it('unknown potential kind lists the known kinds and suggests the closest', async () => {
    const err = await scenarioError(loadScenario(fx('unknown-potential.yaml')));
    const i = issueAt(err, 'potential.kind');
    expect(i.line).toBe(3);
    expect(i.found).toBe('"duble-well"');
    for (const f of listPotentialFamilies()) expect(i.expected).toContain(`'${f.name}'`);
    expect(i.expected).toContain("'harmonic'");
    expect(i.hint).toContain("Did you mean 'double-well'?");
  });

  it('negative temperature', async () => {
    const err = await scenarioError(loadScenario(fx('negative-temperature.yaml')));
    expect(err.issues).toEqual([{ path: 'dynamics.temperature', expected: 'a number ≥ 0', found: '-0.5', line: 5 }]);
  });

  it('gd with a temperature suggests sgld', async () => {
    const err = await scenarioError(loadScenario(fx('gd-with-temperature.yaml')));
    const i = issueAt(err, 'dynamics.temperature');
    expect(i).toMatchObject({ expected: '0 (or no temperature) with integrator gd', found: '0.3', line: 6 });
    expect(i.hint).toContain('integrator: sgld');
    // and per-group temperatures too
    const g = await scenarioError(() =>
      validateScenarioObject({ ...base(), dynamics: { integrator: 'gd', lr: 0.1, steps: 1, groups: { w: { temperature: 0.1 } } } }, ''),
    );
    expect(g.issues.map((i) => i.path)).toEqual(['dynamics.groups.w.temperature']);
  });

  it('missing file', async () => {
    const err = await scenarioError(loadScenario(fx('no-such-scenario.yaml')));
    expect(err.issues[0]).toMatchObject({ path: '(document)', expected: 'an existing scenario file', found: 'no such file' });
    expect(err.file).toBe(fx('no-such-scenario.yaml'));
  });

  it('malformed YAML reports the parser message and line', async () => {
    const err = await scenarioError(loadScenario(fx('malformed.yaml')));
    const i = err.issues[0];
    expect(i.path).toBe('(document)');
    expect(i.expected).toBe('valid YAML');
    expect(i.found).toMatch(/Flow map/);
    expect(i.line).toBe(3);
  });

  it('duplicate keys are a YAML error', async () => {
    const err = await scenarioError(loadScenario(fx('duplicate-key.yaml')));
    expect(err.issues[0]).toMatchObject({ path: '(document)', expected: 'valid YAML', line: 4 });
    expect(err.issues[0].found).toMatch(/unique/i);
  });

  it('empty file and a non-mapping document', async () => {
    const e1 = await scenarioError(loadScenario(fx('empty.yaml')));
    expect(e1.issues).toEqual([
      { path: '(document)', expected: 'a mapping with at least name, potential, dynamics, ensemble', found: 'an empty document' },
    ]);
    const e2 = await scenarioError(loadScenario(fx('list-top.yaml')));
    expect(e2.issues[0].found).toMatch(/^a list \[/);
  });

  it('module path that does not exist', async () => {
    const err = await scenarioError(loadScenario(fx('missing-module.yaml')));
    const i = issueAt(err, 'potential.module');
    expect(i.expected).toBe('the path of an existing module file');
    expect(i.found).toContain(path.join(fixtures, 'no-such-potential.js'));
    expect(i.line).toBe(3);
  });

  it('.inf and .nan are rejected as non-finite, once each', async () => {
    const err = await scenarioError(loadScenario(fx('non-finite.yaml')));
    expect(err.issues.map((i) => [i.path, i.expected, i.found, i.line])).toEqual([
      ['dynamics.lr', 'a finite number', '.inf', 4],
      ['dynamics.temperature', 'a finite number', '.nan', 5],
    ]);
    const viaSet = await scenarioError(loadScenario(fx('minimal.yaml'), { set: ['ensemble.replicas=.inf'] }));
    expect(viaSet.issues).toHaveLength(1);
    expect(viaSet.issues[0]).toMatchObject({ path: 'ensemble.replicas', found: '.inf' });
  });

  it('histogram range with lo ≥ hi', async () => {
    const err = await scenarioError(loadScenario(fx('bad-histogram.yaml')));
    expect(err.issues).toHaveLength(1);
    expect(err.issues[0]).toMatchObject({
      path: 'observe.histograms[1].range',
      expected: '[lo, hi] with lo < hi',
      found: '[2, -2]',
      line: 8,
    });
  });

  it('init with an unknown kind is reported on kind, with the allowed kinds', async () => {
    const err = await scenarioError(loadScenario(fx('init-wrong-kind.yaml')));
    expect(err.issues).toEqual([
      { path: 'ensemble.init.kind', expected: "one of 'point', 'normal', 'uniform', 'potential'", found: '"gausian"', line: 6 },
    ]);
  });

  it('init of kind normal is checked against the normal branch only', async () => {
    const err = await scenarioError(loadScenario(fx('init-missing-field.yaml')));
    expect(err.issues.map((i) => i.path)).toEqual(['ensemble.init.std', 'ensemble.init.sdt']);
    expect(issueAt(err, 'ensemble.init.std')).toMatchObject({ found: 'nothing', expected: expect.stringContaining('(required)') });
    expect(issueAt(err, 'ensemble.init.sdt').hint).toContain("Did you mean 'std'? Allowed here: kind, mean, std.");
    const noKind = await scenarioError(() => validateScenarioObject({ ...base(), ensemble: { replicas: 1, init: { x: 1 } } }, ''));
    expect(noKind.issues).toEqual([
      { path: 'ensemble.init.kind', expected: "one of 'point', 'normal', 'uniform', 'potential' (required)", found: 'nothing' },
    ]);
  });

  it('potential params are validated against the family schema', async () => {
    const err = await scenarioError(() =>
      validateScenarioObject({ ...base(), potential: { kind: 'harmonic', params: { k: -1, centr: 0 } } }, ''),
    );
    expect(issueAt(err, 'potential.params.k')).toMatchObject({ expected: 'a number > 0', found: '-1' });
    expect(issueAt(err, 'potential.params.centr').hint).toContain("Did you mean 'centre'?");
  });

  it('potential must be exactly one of kind, module, expression', async () => {
    const both = await scenarioError(() => validateScenarioObject({ ...base(), potential: { kind: 'harmonic', module: './m.js' } }, ''));
    expect(both.issues).toEqual([
      {
        path: 'potential',
        expected: "a mapping with exactly one of 'kind', 'module', 'tfjs', 'expression'",
        found: "both 'kind', 'module'",
      },
    ]);
    const typo = await scenarioError(() => validateScenarioObject({ ...base(), potential: { knd: 'harmonic' } }, ''));
    expect(typo.issues[0].hint).toBe("'knd': did you mean 'kind'?");
    const params = await scenarioError(() => validateScenarioObject({ ...base(), potential: { kind: 'harmonic', parms: {} } }, ''));
    expect(params.issues.map((i) => [i.path, i.hint])).toEqual([['potential.parms', "Did you mean 'params'? Allowed here: kind, params."]]);
  });

  it('enum typo, bounds and integer ranges', async () => {
    const s = base();
    s.dynamics.integrator = 'sdlg';
    s.dynamics.batch_size = 0;
    s.observe = { grid: { kind: 'lin', points: 1 } };
    const err = await scenarioError(() => validateScenarioObject(s, ''));
    expect(issueAt(err, 'dynamics.integrator')).toMatchObject({
      expected: "one of 'gd', 'sgld', 'baoab', 'adam', 'adamw', 'psgld', 'sghmc'",
      found: '"sdlg"',
      hint: "Did you mean 'sgld'?",
    });
    expect(issueAt(err, 'dynamics.batch_size').expected).toBe('an integer ≥ 1 or null');
    expect(issueAt(err, 'observe.grid.kind').hint).toBe("Did you mean 'linear'?");
    expect(issueAt(err, 'observe.grid.points').expected).toBe('an integer from 2 to 100000');
  });

  it('event names unique, regions non-empty, histogram from ≤ steps', async () => {
    const err = await scenarioError(loadScenario(fx('events.yaml')));
    expect(err.issues.map((i) => [i.path, i.line])).toEqual([
      ['observe.histograms[0].from', 7],
      ['observe.events[1].name', 10],
      ['observe.events[2].enter.x', 11],
    ]);
    expect(issueAt(err, 'observe.events[1].name').hint).toBe('observe.events[0] already has this name.');
    expect(issueAt(err, 'observe.histograms[0].from').expected).toBe('a step ≤ dynamics.steps (1000)');
  });

  it('a missing required key is reported at its path', async () => {
    const s = base();
    delete s.dynamics.lr;
    const err = await scenarioError(() => validateScenarioObject(s, ''));
    expect(err.issues).toEqual([
      {
        path: 'dynamics.lr',
        expected: 'a learning rate > 0 (or dynamics.step_size)',
        found: 'nothing',
        hint: 'Every run needs a step size.',
      },
    ]);
    delete s.dynamics.steps;
    const err2 = await scenarioError(() => validateScenarioObject(s, ''));
    expect(err2.issues).toContainEqual({ path: 'dynamics.steps', expected: 'an integer ≥ 0 (required)', found: 'nothing' });
  });
});

describe('checkAgainstPotential', () => {
  it('checks observables, init dimension, groups and minibatches, with file lines', async () => {
    const s = await loadScenario(fx('engine-mismatch.yaml'));
    const coords = ['x0', 'x1'];
    const issues = checkAgainstPotential(
      s,
      { dim: 2, coordinates: coords, groups: [{ name: 'x' }] },
      (n) => coords.includes(n) || n === 'energy',
      ['energy', 'well'],
    );
    expect(issues.map((i) => [i.path, i.line])).toEqual([
      ['dynamics.batch_size', 6],
      ['dynamics.groups.encoder', 8],
      ['ensemble.init.x', 11],
      ['observe.observables[1]', 13],
    ]);
    expect(issues.find((i) => i.path === 'observe.observables[1]')?.hint).toContain("Did you mean 'energy'?");
    expect(issues.find((i) => i.path === 'ensemble.init.x')?.expected).toContain('dim = 2');
    const ok = checkAgainstPotential(
      s,
      { dim: 3, coordinates: ['x0', 'x1', 'x2'], groups: [{ name: 'encoder' }], dataSize: 100 },
      () => true,
    );
    expect(ok).toEqual([]);
    const thrown = new ScenarioError(s.source, issues);
    expect(thrown.message.split('\n')).toHaveLength(4);
  });

  it('a potential with many coordinates: the hint names the first and last few and the count, not all', async () => {
    const s = await loadScenario(fx('engine-mismatch.yaml'));
    const coords = Array.from({ length: 1394 }, (_, i) => `w${i}`);
    const issues = checkAgainstPotential(s, { dim: 1394, coordinates: coords, groups: [{ name: 'encoder' }] }, (n) => coords.includes(n));
    const hint = issues.find((i) => i.path === 'observe.observables[1]')?.hint ?? '';
    expect(hint).toContain('Coordinates of this potential: w0, w1, w2, w3, w4, w5, w6, w7, …, w1392, w1393 (1394 in all);');
    expect(hint.length).toBeLessThan(300);
  });
});

describe('ScenarioError and rendering', () => {
  it('one paragraph per issue in the documented format', () => {
    const line = formatIssue('/nowhere/k.yaml', {
      path: 'dynamics.lr',
      expected: 'a number > 0',
      found: '-1',
      hint: 'Use a step.',
      line: 3,
    });
    expect(line).toBe('/nowhere/k.yaml:3: dynamics.lr: expected a number > 0, found -1. Use a step.');
    const err = new ScenarioError('', [
      { path: 'a', expected: 'x', found: 'y' },
      { path: 'b', expected: 'z', found: 'w' },
    ]);
    expect(err.message).toBe('(scenario): a: expected x, found y.\n(scenario): b: expected z, found w.');
    expect(err.name).toBe('ScenarioError');
  });

  it('renders found values compactly', () => {
    expect(renderValue('abc')).toBe('"abc"');
    expect(renderValue(-Infinity)).toBe('-.inf');
    expect(renderValue({ kind: 'point', x: [1, 2] })).toBe('{kind: "point", x: [1, 2]}');
    const long = renderValue(Array.from({ length: 100 }, (_, i) => i));
    expect(long.length).toBeLessThanOrEqual(60);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('scenarioJsonSchema', () => {
  it('compiles, accepts a valid scenario and applies each family paramsSchema', () => {
    const schema = scenarioJsonSchema();
    const families = listPotentialFamilies();
    const pot = (schema.properties as Record<string, Record<string, unknown>>).potential;
    expect((pot.allOf as unknown[]).length).toBe(families.length);
    const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
    expect(validate(base())).toBe(true);
    expect(validate({ ...base(), potential: { kind: 'double-well', params: { h: -1 } } })).toBe(false);
    expect(validate.errors?.some((e) => e.instancePath === '/potential/params/h')).toBe(true);
    expect(validate({ ...base(), bogus: 1 })).toBe(false);
  });
});
