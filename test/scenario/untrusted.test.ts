/**
 * Untrusted scenario content: a scenario file is data. Nothing in it
 * is evaluated as code except the explicitly named `potential.module` /
 * `potential.tfjs` file, resolved against the scenario's folder. Each test
 * below feeds a hostile value and checks that it ends in a ScenarioError naming
 * the field, and (where code could run) that it did not run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as math from 'mathjs';
import { ScenarioError, loadScenario, parseSetOverride, validateScenarioObject, type ScenarioIssue } from '../../src/scenario/index.js';
import { createExpressionPotential } from '../../src/potentials/expression.js';
import { buildPotential } from '../../src/potentials/index.js';
import { runScenario } from '../../src/runs/run.js';
import { writeReport } from '../../src/report/html.js';
import { ROOT } from '../helpers.js';

const root = ROOT;
let dir: string;
const marker = () => path.join(dir, 'MARKER');
/** A module that leaves a marker file when imported: proof that code ran. */
const evilBody = () =>
  `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker())}, 'ran');\nexport function createPotential() { throw new Error('evil'); }\n`;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'stochdyn-untrusted-'));
  writeFileSync(path.join(dir, 'evil.mjs'), evilBody());
  writeFileSync(path.join(dir, 'lodash'), evilBody());
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = (potential: unknown = { kind: 'double-well' }): Record<string, unknown> => ({
  name: 'untrusted',
  potential,
  dynamics: { lr: 0.01, steps: 10 },
  ensemble: { replicas: 2 },
});

function catchScenarioError(f: () => unknown): ScenarioError {
  try {
    f();
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw new Error(`expected a ScenarioError, got ${(e as Error)?.name}: ${(e as Error)?.message}`, { cause: e });
  }
  throw new Error('expected a ScenarioError, but the scenario was accepted');
}

async function loadError(file: string, opts: Parameters<typeof loadScenario>[1] = {}): Promise<ScenarioError> {
  try {
    await loadScenario(file, opts);
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw new Error(`expected a ScenarioError, got ${(e as Error)?.name}: ${(e as Error)?.message}`, { cause: e });
  }
  throw new Error(`expected a ScenarioError, but ${file} was accepted`);
}

function issueAt(err: ScenarioError, p: string): ScenarioIssue {
  const issue = err.issues.find((i) => i.path === p);
  expect(issue, `no issue at ${p}; got ${err.message}`).toBeDefined();
  return issue as ScenarioIssue;
}

const writeScenario = (name: string, text: string, folder = dir): string => {
  const f = path.join(folder, name);
  writeFileSync(f, text);
  return f;
};
const body = `potential: { kind: double-well }\ndynamics: { lr: 0.01, steps: 10 }\nensemble: { replicas: 2 }\n`;

describe('expression potentials: only numbers, coordinates, params, + - * / ^ and pure numeric functions', () => {
  const hostile = [
    'x + evaluate("1+1")',
    'x^2 + evaluate("f(y) = y")',
    'x + import({sin: 1}, {override: true})',
    'x + createUnit("stochdynEvilUnit")',
    'x + parse("x")',
    'x + compile("x")',
    'x + simplify("x")',
    'x + derivative("x^2", "x")',
    'x + resolve(x)',
    'x + reviver("a")',
    'x + config("a")',
    'x + chain(1)',
    'x + typed("a")',
    'x + random()',
    'f(x) = x',
    'a = 1',
    'x + a.constructor',
    'x + constructor',
    'x + toString',
    'x + __proto__',
    'x + hasOwnProperty',
    'x + "abc"',
    'x + [1, 2][1]',
    'x + {a: 1}.a',
    'x > 1 ? x : 0',
    'x + 5 cm',
    'x mod 2',
    "x'",
    'x; 2',
    '('.repeat(200) + 'x' + ')'.repeat(200),
  ];

  it.each(hostile)('the loader rejects %s with a ScenarioError at potential.expression', (expression) => {
    const err = catchScenarioError(() => validateScenarioObject(base({ expression, params: {} }), ''));
    const issue = issueAt(err, 'potential.expression');
    expect(issue.expected).toMatch(/formula/);
  });

  it.each(hostile)('the builder rejects %s before evaluating anything', (expression) => {
    expect(() => createExpressionPotential({ expression, coordinates: ['x'], params: {} })).toThrow(/^expression potential /);
  });

  it('nothing was evaluated: createUnit / import did not change mathjs', () => {
    for (const e of [
      'x + createUnit("stochdynEvilUnit2")',
      'x + evaluate("createUnit(\\"stochdynEvilUnit3\\")")',
      'x + evaluate("import({stochdynEvilFn: 1})")',
    ])
      expect(() => createExpressionPotential({ expression: e, coordinates: ['x'], params: {} })).toThrow();
    expect(() => math.evaluate('stochdynEvilUnit2')).toThrow(/Undefined symbol/);
    expect(() => math.evaluate('stochdynEvilUnit3')).toThrow(/Undefined symbol/);
    expect(() => math.evaluate('stochdynEvilFn')).toThrow(/Undefined symbol/);
  });

  it('params named like Object.prototype members are only seen when given', () => {
    // `constructor` is an own param here: it is a number, nothing else.
    const p = createExpressionPotential({ expression: 'constructor*x^2', coordinates: ['x'], params: { constructor: 3 } });
    const e = new Float64Array(1);
    const g = new Float64Array(1);
    p.energyAndGradient(new Float64Array([2]), 1, e, g);
    expect([e[0], g[0]]).toEqual([12, 12]);
  });

  it('ordinary formulas still load and evaluate', async () => {
    const s = validateScenarioObject(
      base({
        expression: 'a*x^4 - 2*x^2 + 0.3*x*y + exp(-y^2) * sin(3*x) + sqrt(1 + y^2) + log(2 + cos(y)) / tanh(1 + x^2) + pi + 1.5e-3',
        coordinates: ['x', 'y'],
        params: { a: 1 },
      }),
      '',
    );
    const p = await buildPotential(s.potential, { seed: 0, run: 0 });
    const e = new Float64Array(1);
    const g = new Float64Array(2);
    p.energyAndGradient(new Float64Array([0.5, -0.25]), 1, e, g);
    expect(Number.isFinite(e[0]) && Number.isFinite(g[0]) && Number.isFinite(g[1])).toBe(true);
  });

  it('an expression file with evaluate("…") fails at load with the line of the field', async () => {
    const f = writeScenario(
      'expr.yaml',
      `name: expr\npotential:\n  expression: 'x^2 + evaluate("1")'\ndynamics: { lr: 0.01, steps: 10 }\nensemble: { replicas: 2 }\n`,
    );
    const err = await loadError(f);
    expect(issueAt(err, 'potential.expression').line).toBe(3);
    expect(err.message).toMatch(/unknown function 'evaluate'/);
  });
});

describe('YAML: no tags, no merge keys, bounded aliases', () => {
  it.each([
    ['description: !!js/function "function () { return 1 }"', 'description', '!!js/function'],
    ['description: !<tag:yaml.org,2002:js/undefined> x', 'description', '!!js/undefined'],
    ['description: !!binary aGVsbG8=', 'description', '!!binary'],
    ['description: !custom x', 'description', '!custom'],
  ])('%s → ScenarioError at %s', async (line, at, tag) => {
    const f = writeScenario('tag.yaml', `name: tag\n${line}\n${body}`);
    const err = await loadError(f);
    const issue = issueAt(err, at);
    expect(issue.found).toContain(tag);
    expect(issue.line).toBe(2);
  });

  it('a tag in a --set value is refused too', () => {
    expect(() => parseSetOverride('description=!!js/function "x"')).toThrow(ScenarioError);
  });

  it('%YAML 1.1 does not switch on 1.1 types or merge keys', async () => {
    const f = writeScenario('y11.yaml', `%YAML 1.1\n---\nname: y11\ndescription: 2001-12-14\n${body}`);
    const s = await loadScenario(f);
    expect(s.description).toBe('2001-12-14'); // a string, not a Date
    const g = writeScenario(
      'merge.yaml',
      `%YAML 1.1\n---\nname: merge\nbase: &b { lr: 0.01 }\n${body}`.replace(
        'dynamics: { lr: 0.01, steps: 10 }',
        'dynamics: { <<: *b, steps: 10 }',
      ),
    );
    const err = await loadError(g);
    expect(err.issues.some((i) => i.path === 'base')).toBe(true);
    expect(err.issues.some((i) => i.path.startsWith('dynamics') && i.found.includes('<<'))).toBe(true);
  });

  it('a billion-laughs alias bomb fails fast with a ScenarioError', async () => {
    let text = 'name: bomb\na0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    for (let i = 1; i < 10; i++)
      text += `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(',')}]\n`;
    // Refused by the alias budget before any expansion (an expansion would hang or exhaust memory).
    const err = await loadError(writeScenario('bomb.yaml', text + body));
    expect(err.issues[0].path).toBe('(document)');
  });

  it('a few aliases of a large anchor (amplification under the alias count) are refused', async () => {
    const big = '[' + Array.from({ length: 20000 }, (_, i) => i).join(',') + ']';
    const refs = Array.from({ length: 200 }, (_, i) => `    r${i}: *big`).join('\n');
    const f = writeScenario(
      'amplify.yaml',
      `name: amp\npotential:\n  module: ./evil.mjs\n  params:\n    big: &big ${big}\n${refs}\ndynamics: { lr: 0.01, steps: 10 }\nensemble: { replicas: 2 }\n`,
    );
    const err = await loadError(f);
    expect(err.issues[0].path).toBe('(document)');
    expect(err.issues[0].expected).toMatch(/aliases are expanded/);
  });

  it('a value that contains itself is a ScenarioError, not a stack overflow', async () => {
    const f = writeScenario(
      'cycle.yaml',
      `name: cycle\npotential: { module: ./evil.mjs, params: &p { self: *p } }\ndynamics: { lr: 0.01, steps: 10 }\nensemble: { replicas: 2 }\n`,
    );
    const err = await loadError(f);
    expect(err.issues[0].found).toMatch(/contains itself/);
    const cyclic: Record<string, unknown> = { kind: 'x' };
    cyclic.self = cyclic;
    catchScenarioError(() => validateScenarioObject({ ...base(), analysis: [cyclic] }, ''));
  });
});

describe('sweeps: bounded size', () => {
  it('a grid of three 1000-value axes (10^9 points) is refused at once, not expanded', () => {
    const axis = (to: number) => ({ linear: { from: 0.1, to, points: 1000 } });
    // The count is computed from the axes' lengths; expanding 10^9 points would hang.
    const err = catchScenarioError(() =>
      validateScenarioObject(
        { ...base(), sweep: { 'dynamics.temperature': axis(1), 'potential.params.h': axis(2), 'dynamics.lr': axis(0.5) } },
        '',
      ),
    );
    expect(issueAt(err, 'sweep').found).toBe('1,000,000,000 points');
  });
});

describe('module and tfjs paths: a named file, relative to the scenario, the only code that runs', () => {
  const specs = [
    'node:fs',
    'node:child_process',
    'https://example.com/potential.mjs',
    'file:///etc/passwd',
    'data:text/javascript,export function createPotential() {}',
    `data:text/javascript,import('node:fs').then((f) => f.writeFileSync(${JSON.stringify('/tmp/stochdyn-untrusted-MARKER')}, 'x'))`,
    'lodash',
    'evil.mjs',
  ];
  for (const key of ['module', 'tfjs'] as const)
    it.each(specs)(`potential.${key}: %s → ScenarioError at potential.${key}, nothing imported`, async (spec) => {
      const f = writeScenario(
        `mod-${key}.yaml`,
        `name: mod\npotential:\n  ${key}: ${JSON.stringify(spec)}\ndynamics: { lr: 0.01, steps: 10 }\nensemble: { replicas: 2 }\n`,
      );
      const err = await loadError(f);
      const issue = issueAt(err, `potential.${key}`);
      expect(issue.line).toBe(3);
      expect(issue.expected).toMatch(/module file/);
      expect(existsSync(marker())).toBe(false);
      expect(existsSync('/tmp/stochdyn-untrusted-MARKER')).toBe(false);
    });

  it('--set cannot smuggle a builtin in either', async () => {
    const f = writeScenario('set.yaml', `name: set\n${body}`);
    const err = await loadError(f, { set: ['potential={module: "node:fs"}'] });
    expect(issueAt(err, 'potential.module').hint).toMatch(/--set/);
  });

  it('a sweep or regime cannot switch the module to a builtin or URL', () => {
    const m = path.join(dir, 'evil.mjs');
    const sweep = catchScenarioError(() =>
      validateScenarioObject({ ...base({ module: m }), sweep: { 'potential.module': [m, 'node:fs'] } }, path.join(dir, 's.yaml')),
    );
    expect(sweep.issues.some((i) => i.path.startsWith('sweep point 1') && i.path.endsWith('potential.module'))).toBe(true);
    const regimes = catchScenarioError(() =>
      validateScenarioObject(
        { ...base({ module: m }), regimes: { a: {}, b: { 'potential.module': 'https://example.com/x.mjs' } } },
        path.join(dir, 's.yaml'),
      ),
    );
    expect(regimes.issues.some((i) => i.path.endsWith('potential.module'))).toBe(true);
    expect(existsSync(marker())).toBe(false);
  });

  it('validation that fails elsewhere never imports the named module', async () => {
    const f = writeScenario(
      'invalid-with-module.yaml',
      `name: inv\npotential: { module: ./evil.mjs }\ndynamics: { lr: -1, steps: 10 }\nensemble: { replicas: 2 }\n`,
    );
    const err = await loadError(f);
    issueAt(err, 'dynamics.lr');
    expect(existsSync(marker())).toBe(false);
    // A valid scenario naming it loads without importing it either: code runs only when the potential is built.
    const ok = writeScenario(
      'valid-with-module.yaml',
      `name: ok\npotential: { module: ./evil.mjs }\ndynamics: { lr: 0.1, steps: 10 }\nensemble: { replicas: 2 }\n`,
    );
    const s = await loadScenario(ok);
    expect(s.potential).toMatchObject({ module: path.join(dir, 'evil.mjs') });
    expect(existsSync(marker())).toBe(false);
  });

  it('a relative module path resolves against the scenario file, not the working directory', async () => {
    const scenDir = path.join(dir, 'scenarios', 'nested');
    const cwd = path.join(dir, 'elsewhere');
    mkdirSync(scenDir, { recursive: true });
    mkdirSync(cwd, { recursive: true });
    const pot = (tag: string) =>
      `export function createPotential() { return { name: '${tag}', dim: 1, coordinates: ['x'], groups: [{ name: 'all', offset: 0, size: 1 }], energyAndGradient(x, n, e, g) { for (let r = 0; r < n; r++) { e[r] = x[r] * x[r]; g[r] = 2 * x[r]; } } }; }\n`;
    writeFileSync(path.join(scenDir, 'pot.mjs'), pot('next-to-scenario'));
    writeFileSync(path.join(cwd, 'pot.mjs'), pot('in-cwd'));
    writeScenario(
      'rel.yaml',
      `name: rel\npotential: { module: ./pot.mjs }\ndynamics: { lr: 0.1, steps: 10 }\nensemble: { replicas: 2 }\n`,
      scenDir,
    );
    const before = process.cwd();
    try {
      process.chdir(cwd);
      const s = await loadScenario(path.join('..', 'scenarios', 'nested', 'rel.yaml'));
      expect((s.potential as { module: string }).module).toBe(path.join(scenDir, 'pot.mjs'));
      const p = await buildPotential(s.potential, { seed: 0, run: 0 });
      expect(p.name).toBe('next-to-scenario');
    } finally {
      process.chdir(before);
    }
  });
});

describe('dotted keys of --set, sweeps and regimes cannot reach Object.prototype', () => {
  const polluted = () => (Object.prototype as Record<string, unknown>).stochdynPolluted;
  it.each([
    ['sweep', { sweep: { '__proto__.stochdynPolluted': [1, 2] } }],
    ['sweep', { sweep: { 'constructor.prototype.stochdynPolluted': [1, 2] } }],
    ['sweep', { sweep: { 'potential.params.__proto__.stochdynPolluted': [1, 2] } }],
    [
      'sweep',
      { sweep: { 'observe.histograms[0].__proto__.stochdynPolluted': [1, 2] }, observe: { histograms: [{ of: 'x', range: [0, 1] }] } },
    ],
    ['regimes', { regimes: { a: {}, b: { '__proto__.stochdynPolluted': 1 } } }],
    ['regimes', { regimes: { a: {}, b: { 'dynamics.constructor.prototype.stochdynPolluted': 1 } } }],
  ])('%s %j → ScenarioError, Object.prototype untouched', (at, extra) => {
    const err = catchScenarioError(() => validateScenarioObject({ ...base(), ...(extra as object) }, ''));
    expect(err.issues.some((i) => i.path.startsWith(at) || i.path.includes('__proto__') || i.path.includes('constructor'))).toBe(true);
    expect(polluted()).toBeUndefined();
  });

  it('the same from a file, and --set', async () => {
    const f = writeScenario('proto.yaml', `name: proto\n${body}sweep:\n  __proto__.stochdynPolluted: [1, 2]\n`);
    await loadError(f);
    const g = writeScenario('proto-set.yaml', `name: proto\n${body}`);
    await loadError(g, { set: ['__proto__.stochdynPolluted=1'] });
    await loadError(g, { set: ['dynamics.constructor.prototype.stochdynPolluted=1'] });
    expect(polluted()).toBeUndefined();
  });
});

describe('names stay inside the output folder', () => {
  it.each(['..', '.', '../../etc', '/etc', 'a/b', 'a\\b', '', 'x'.repeat(300)])('name %j → ScenarioError at name', (name) => {
    const err = catchScenarioError(() => validateScenarioObject({ ...base(), name }, ''));
    issueAt(err, 'name');
  });

  it('ordinary names with dots are fine', () => {
    for (const name of ['a.b', '...', '.hidden', 'v1.2-final_3']) expect(validateScenarioObject({ ...base(), name }, '').name).toBe(name);
  });

  it('--set name=.. is refused; regimes named . or .. are refused', async () => {
    const f = writeScenario('n.yaml', `name: n\n${body}`);
    issueAt(await loadError(f, { set: ['name=..'] }), 'name');
    for (const r of ['..', '.']) {
      const err = catchScenarioError(() => validateScenarioObject({ ...base(), regimes: { a: {}, [r]: { 'dynamics.lr': 0.02 } } }, ''));
      expect(err.issues.some((i) => i.path.startsWith('regimes'))).toBe(true);
    }
  });
});

describe('result directories brought from elsewhere cannot steer paths', () => {
  it('merge refuses a sweep.json whose name would leave the output folder', async () => {
    const { mergeSweeps, runSweep, SweepDirError } = await import('../../src/runs/sweep.js');
    const f = writeScenario('sw.yaml', `name: sw\n${body}sweep: { dynamics.lr: [0.01, 0.02] }\n`);
    const sweepDir = path.join(dir, 'sw-out');
    await runSweep(await loadScenario(f), { out: sweepDir, workers: 0, quiet: true });
    const metaFile = path.join(sweepDir, 'sweep.json');
    const meta = JSON.parse(readFileSync(metaFile, 'utf8'));
    const outputRoot = path.join(dir, 'root', 'output');
    for (const name of ['../../escape', '/abs', '..']) {
      writeFileSync(metaFile, JSON.stringify({ ...meta, name }));
      expect(() => mergeSweeps([sweepDir], { outputRoot })).toThrow(SweepDirError);
    }
    expect(existsSync(path.join(dir, 'escape'))).toBe(false);
    writeFileSync(metaFile, JSON.stringify({ ...meta, hash: '../x' }));
    expect(() => mergeSweeps([sweepDir], { outputRoot })).toThrow(/not a sweep hash/);
  });

  it('compare refuses a regimes.json whose regime paths leave the regimes directory', async () => {
    const { compareRegimesDir, CompareInputError } = await import('../../src/results/compare.js');
    const rdir = path.join(dir, 'regimes-x');
    mkdirSync(rdir, { recursive: true });
    for (const r of [{ name: 'b', dir: '../../x' }, { name: 'a', dir: 'regimes/../../y' }, { name: '..' }, { name: 'c', dir: '.' }]) {
      writeFileSync(path.join(rdir, 'regimes.json'), JSON.stringify({ schema: 'stochdyn.regimes/1', regimes: [r] }));
      expect(() => compareRegimesDir(rdir)).toThrow(CompareInputError);
      expect(() => compareRegimesDir(rdir)).toThrow(/points outside the regimes directory/);
    }
  });
});

describe('the HTML report shows scenario text as text', () => {
  it('a description with markup is escaped in report.html', async () => {
    const payload = '<script>window.__stochdynXss = 1</script><img src=x onerror="window.__stochdynXss = 2">';
    const s = validateScenarioObject(
      {
        ...base(),
        description: payload,
        observe: { grid: { kind: 'linear', points: 3 }, observables: ['x'], events: [{ name: 'e', enter: { x: { ge: 0 } } }] },
      },
      '',
    );
    const out = path.join(dir, 'report-run');
    await runScenario(s, { out, workers: 0 });
    const html = readFileSync(await writeReport(out), 'utf8');
    expect(html).not.toContain('<script>window.__stochdynXss');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;window.__stochdynXss = 1&lt;/script&gt;');
  });
});

describe('no dynamic code from scenario strings anywhere in src/', () => {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = path.join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  walk(path.join(root, 'src'));
  walk(path.join(root, 'workers'));

  it('import() of a non-literal specifier only in module.ts, tfjs-potential.ts (both: pathToFileURL of an absolute path) and backend.ts (constant names)', () => {
    const dynamic = new Set<string>();
    for (const f of files) {
      const text = readFileSync(f, 'utf8').replace(/^\s*(\*|\/\/).*$/gm, '');
      for (const m of text.matchAll(/\bimport\(\s*([^)]*)\)/g))
        if (!/^['"`][^'"`$]*['"`]$/.test(m[1].trim())) dynamic.add(path.relative(root, f));
    }
    expect([...dynamic].sort()).toEqual([
      'src/potentials/module.ts',
      'src/potentials/tfjs/backend.ts',
      'src/potentials/tfjs/tfjs-potential.ts',
    ]);
  });

  it('no eval, new Function or vm', () => {
    for (const f of files) {
      const text = readFileSync(f, 'utf8').replace(/^\s*(\*|\/\/).*$/gm, '');
      expect(text, f).not.toMatch(/\beval\(|new Function\(|from 'node:vm'|from 'vm'|require\(/);
    }
  });
});
