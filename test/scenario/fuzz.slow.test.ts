/**
 * Fuzz test of the scenario loader (bad input): seeded malformed
 * documents — random YAML text (through `loadScenario`), and mutations of two
 * valid bases (scenarios/quickstart.yaml, scenarios/first-order/modular-addition.yaml)
 * through `validateScenarioObject`: wrong types at every field, missing fields,
 * huge numbers, negative counts, NaN/±Infinity, deep nesting, very long strings,
 * unknown potentials/integrators/observables, incompatible integrator–potential
 * pairings, bad sampling/sweep sections. Every case must validate or throw a
 * `ScenarioError` whose issues all have non-empty path/expected/found.
 * A failure message names the seed and case index; replay with FUZZ_SEED=<seed>.
 */
import { describe, it, expect } from 'vitest';
import * as path from 'node:path';
import * as os from 'node:os';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { parse, stringify } from 'yaml';
import { ScenarioError, loadScenario, validateScenarioObject } from '../../src/scenario/index.js';
import { Stream } from '../../src/random/rng.js';
import { ROOT } from '../helpers.js';

const root = ROOT;
const SEED = Number(process.env.FUZZ_SEED ?? 20261124);
const OBJECT_CASES = 9000;
const TEXT_CASES = 1500;

type Json = unknown;

function checkOutcome(run: () => unknown, where: string): 'ok' | 'error' {
  try {
    run();
    return 'ok';
  } catch (e) {
    assertScenarioError(e, where);
    return 'error';
  }
}

function assertScenarioError(e: unknown, where: string): void {
  if (!(e instanceof ScenarioError)) {
    const msg = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack}` : String(e);
    throw new Error(`${where}: non-ScenarioError thrown: ${msg}`);
  }
  if (e.issues.length === 0) throw new Error(`${where}: ScenarioError with no issues`);
  for (const i of e.issues) {
    for (const k of ['path', 'expected', 'found'] as const) {
      if (typeof i[k] !== 'string' || i[k].length === 0) throw new Error(`${where}: issue with empty ${k}: ${JSON.stringify(i)}`);
    }
  }
}

class Gen {
  constructor(readonly r: Stream) {}
  int(n: number): number {
    return this.r.int(n);
  }
  pick<T>(a: readonly T[]): T {
    return a[this.r.int(a.length)];
  }
  chance(p: number): boolean {
    return this.r.uniform() < p;
  }
  str(n: number, alphabet = 'abcxyz_-.:[]{}#&*!|>\'" \n\t0123456789é∞\u0000'): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[this.int(alphabet.length)];
    return s;
  }
}

const NAMES = [
  'sgld',
  'langevin',
  'euler',
  'nope',
  'double-well',
  'quadratic',
  'modular-addition-square',
  'x',
  'energy',
  'well',
  'train_error',
  'test_error',
  'droplet_fraction',
  'unknown-observable',
  'point',
  'potential',
  'gaussian',
  'log',
  'linear',
  'gibbs',
  'mfpt-1d',
  'escape',
  'underdamped',
  'sgd',
  'adam',
  'hmc',
  'mala',
  'heun',
  '',
];

function badScalar(g: Gen): Json {
  return g.pick<() => Json>([
    () => NaN,
    () => Infinity,
    () => -Infinity,
    () => 1e308,
    () => -1e308,
    () => 1e20,
    () => 2 ** 53 + 1,
    () => -1,
    () => -g.int(1e6),
    () => 0,
    () => -0,
    () => 0.5,
    () => 5e-324,
    () => g.int(100),
    () => g.r.normal() * 10 ** g.int(12),
    () => true,
    () => false,
    () => null,
    () => undefined,
    () => '',
    () => g.str(g.int(20)),
    () => 'x'.repeat(100000),
    () => g.str(5000),
    () => g.pick(NAMES),
    () => '1e400',
    () => 'NaN',
    () => '__proto__',
    () => [],
    () => {},
    () => [g.int(10), 'a', null],
    () => ({ kind: g.pick(NAMES) }),
    () => ({ __proto__: { polluted: 1 } }),
    () => JSON.parse('{"__proto__": {"x": 1}, "constructor": 3}'),
    () => deep(g, 50 + g.int(2000)),
    () => Array.from({ length: g.int(50) }, () => g.pick(NAMES)),
    () => Array.from({ length: 1 + g.int(4) }, () => g.r.normal()),
    () => [NaN, Infinity],
    () => new Array(1000).fill(1), // (a 10,000-value sweep list costs ~10 s to validate: linear, ~1 ms per variant; kept to 1,000 so per-case work stays bounded)
  ])();
}

function deep(g: Gen, depth: number): Json {
  let v: Json = g.chance(0.5) ? 1 : 'leaf';
  for (let i = 0; i < depth; i++) v = g.chance(0.5) ? [v] : { [g.pick(['a', 'kind', 'params', 'x'])]: v };
  return v;
}

/** Paths of every node (objects, arrays, leaves) of a document. */
function paths(v: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  return out;
}

function getParent(doc: Json, p: (string | number)[]): Record<string | number, Json> | undefined {
  let cur = doc as Record<string | number, Json>;
  for (const k of p.slice(0, -1)) {
    if (!cur || typeof cur !== 'object') return undefined;
    cur = cur[k] as Record<string | number, Json>;
  }
  return cur && typeof cur === 'object' ? cur : undefined;
}

/** Targeted edits: incompatible pairings, bad sampling/sweep sections, unknown names. */
const TARGETED: ((d: any, g: Gen) => void)[] = [
  (d, g) => (d.potential = { kind: g.pick(NAMES), params: g.chance(0.5) ? {} : badScalar(g) }),
  (d, g) => (d.dynamics = { ...d.dynamics, integrator: g.pick(NAMES) }),
  (d, g) => (d.observe = { ...d.observe, observables: [g.pick(NAMES), g.pick(NAMES)] }),
  (d, g) =>
    (d.sampling = g.pick<Json>([
      badScalar(g),
      { burn_in: badScalar(g), thin: badScalar(g), chains: [g.pick(NAMES)] },
      { posterior: [{ of: g.pick(NAMES), bins: badScalar(g), range: badScalar(g), mixture: badScalar(g) }] },
      { burn_in: 1e12, thin: 1 },
      { predictive: badScalar(g) },
    ])),
  (d, g) =>
    (d.sweep = g.pick<Json>([
      badScalar(g),
      {
        [g.pick([
          'potential.params.sigma2',
          'dynamics.lr',
          'nope.x',
          'ensemble.replicas',
          'seed',
          '',
          'a..b',
          'observe.histograms[0].bins',
        ])]: g.pick<Json>([
          badScalar(g),
          { log: { from: badScalar(g), to: badScalar(g), points: badScalar(g) } },
          { linear: { from: 0, to: 1, points: 1e9 } },
          { values: badScalar(g) },
          [badScalar(g), badScalar(g)],
        ]),
      },
    ])),
  (d, g) => (d.ensemble = { replicas: g.pick([-1, 0, 1e15, NaN, 2.5, 1e308]), init: { kind: g.pick(NAMES), x: badScalar(g) } }),
  (d, g) => (d.dynamics = { ...d.dynamics, steps: g.pick([-5, 0, 1e300, Infinity, 1.5, 2 ** 60]), lr: g.pick([0, -1, NaN, 1e308]) }),
  (d, g) => {
    d.dynamics = {
      ...d.dynamics,
      integrator: g.pick(['sgld', 'underdamped', 'sgd', 'adam', 'hmc', 'mala']),
      [g.pick(['friction', 'momentum', 'batch', 'batch_size', 'step_size', 'temperature'])]: badScalar(g),
    };
  },
  (d, g) =>
    (d.observe = {
      ...d.observe,
      grid: { kind: g.pick(NAMES), points: badScalar(g) },
      histograms: [{ of: g.pick(NAMES), bins: badScalar(g), range: badScalar(g) }],
      events: [{ name: badScalar(g), enter: { [g.pick(NAMES)]: { ge: badScalar(g) } } }],
    }),
  (d, g) => (d.theory = [{ kind: g.pick(NAMES), of: g.pick(NAMES), event: g.pick(NAMES), from: badScalar(g), to: badScalar(g) }]),
  (d, g) => (d.analyses = badScalar(g)),
  (d, g) => (d[g.str(1 + g.int(8))] = badScalar(g)),
  (d, g) => (d.potential = { ...d.potential, module: g.pick(['./nope.js', '../../etc/passwd', '', 'x'.repeat(5000)]) }),
  (d, g) =>
    (d.potential = {
      kind: 'modular-addition-square',
      params: {
        P: g.pick([1e9, -3, 2, 4, 1e308, NaN, 11]),
        N: g.pick([1e9, 0, -1, 32, 1.5]),
        sigma2: badScalar(g),
        train_fraction: g.pick([0, 1, 2, -0.1, 0.5]),
      },
    }),
];

function mutate(base: Json, g: Gen): Json {
  const d = structuredClone(base) as any;
  const n = 1 + g.int(3);
  for (let m = 0; m < n; m++) {
    const op = g.int(10);
    const ps = paths(d).filter((p) => p.length > 0);
    if (op < 4 && ps.length > 0) {
      // wrong type / bad value at a field
      const p = g.pick(ps);
      const parent = getParent(d, p);
      if (parent) parent[p[p.length - 1]] = badScalar(g);
    } else if (op < 6 && ps.length > 0) {
      // missing field
      const p = g.pick(ps);
      const parent = getParent(d, p);
      if (parent) {
        if (Array.isArray(parent)) parent.splice(p[p.length - 1] as number, 1);
        else delete parent[p[p.length - 1]];
      }
    } else {
      TARGETED[g.int(TARGETED.length)](d, g);
    }
  }
  return g.chance(0.01) ? badScalar(g) : d;
}

function randomYamlText(g: Gen, bases: string[]): string {
  switch (g.int(5)) {
    case 0:
      return g.str(g.int(400));
    case 1: {
      // a valid base with random byte-level damage
      const t = g.pick(bases).split('');
      const k = 1 + g.int(6);
      for (let i = 0; i < k; i++) {
        const at = g.int(t.length);
        const what = g.int(3);
        if (what === 0) t.splice(at, 1 + g.int(20));
        else if (what === 1) t.splice(at, 0, g.str(1 + g.int(10)));
        else t[at] = g.str(1);
      }
      return t.join('');
    }
    case 2:
      // deep flow nesting, in a quarter of this branch's draws (~75 of the 1,500 texts, depths 1–3,000 open and
      // 0–2,999 closed): each costs ~30 ms in the YAML parser, a hundred times any other case, and 300 of them
      // were half the test's time; the rest of the branch is a mutated base object, as below.
      if (g.chance(0.25)) return 'name: x\npotential: ' + '['.repeat(1 + g.int(3000)) + ']'.repeat(g.int(3000));
      return mutatedText(g, bases);
    case 3:
      // alias bombs and tags
      return g.pick([
        'a: &a [1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d]\n',
        'name: !!binary aGVsbG8=\nseed: !!float .nan\n',
        'seed: .inf\nname: -.inf\n',
        '--- a\n--- b\n',
        'a: 1\na: 2\n',
        '? complex\n: 1\n',
        '!!set {a, b}',
        'name: *undefined\n',
        '%YAML 9.9\n---\nname: x\n',
        '<<: {name: x}\n',
      ]);
    default:
      return mutatedText(g, bases);
  }
}

/** A mutated base object, stringified (yaml's stringify recurses: very deep values fall back to JSON, which is YAML). */
function mutatedText(g: Gen, bases: string[]): string {
  const d = mutate(parse(g.pick(bases)), g);
  try {
    return stringify(d, { aliasDuplicateObjects: false }) ?? '';
  } catch {
    return JSON.stringify(d) ?? 'null';
  }
}

describe('scenario loader fuzz (bad input)', () => {
  // Measured (2026-11-24, 2 cores): 10,500 cases per run (9,000 objects + 1,500 YAML texts through a temp
  // file), ~1,000 valid and ~9,500 ScenarioError; 17.8 s with the machine idle, 28.6 s alongside cli.test.ts
  // and a CPU hog. Slowest single case ~0.2 s. Replay one case: FUZZ_SEED=<seed> FUZZ_DUMP=<object case index>.
  it(`${OBJECT_CASES + TEXT_CASES} seeded malformed documents (seed ${SEED}) validate or throw ScenarioError with path/expected/found`, async () => {
    const files = [path.join(root, 'scenarios', 'quickstart.yaml'), path.join(root, 'scenarios', 'first-order', 'modular-addition.yaml')];
    const texts = await Promise.all(files.map((f) => readFile(f, 'utf8')));
    const bases = texts.map((t) => parse(t) as Json);
    for (const b of bases) validateScenarioObject(b, ''); // the bases are valid
    const g = new Gen(new Stream(SEED, 0, 0));
    const tally = { ok: 0, error: 0 };
    const slowest = { ms: 0, at: '' };
    const t0 = performance.now();
    for (let i = 0; i < OBJECT_CASES; i++) {
      const doc = mutate(g.pick(bases), g);
      if (process.env.FUZZ_DUMP === String(i))
        console.log(
          JSON.stringify(doc, (_k, v) =>
            typeof v === 'string' && v.length > 80 ? `<string ${v.length}>` : Array.isArray(v) && v.length > 50 ? `<array ${v.length}>` : v,
          ).slice(0, 4000),
        );
      const c0 = performance.now();
      tally[checkOutcome(() => validateScenarioObject(doc, ''), `seed ${SEED} object case ${i}`)]++;
      const dt = performance.now() - c0;
      if (dt > slowest.ms) Object.assign(slowest, { ms: dt, at: `object case ${i}` });
    }
    const tObjects = performance.now() - t0;
    const dir = await mkdtemp(path.join(os.tmpdir(), 'stochdyn-fuzz-'));
    try {
      const file = path.join(dir, 'fuzz.yaml');
      for (let i = 0; i < TEXT_CASES; i++) {
        const text = randomYamlText(g, texts);
        await writeFile(file, text);
        const c0 = performance.now();
        try {
          await loadScenario(file);
          tally.ok++;
        } catch (e) {
          assertScenarioError(e, `seed ${SEED} text case ${i}`);
          tally.error++;
        }
        const dt = performance.now() - c0;
        if (dt > slowest.ms) Object.assign(slowest, { ms: dt, at: `text case ${i}` });
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const ms = performance.now() - t0;
    console.log(
      `fuzz-loader: seed ${SEED}, ${tally.ok + tally.error} cases (${tally.ok} valid, ${tally.error} ScenarioError) in ${(ms / 1000).toFixed(1)} s (objects ${(tObjects / 1000).toFixed(1)} s; slowest ${slowest.at}, ${slowest.ms.toFixed(0)} ms)`,
    );
    expect(tally.ok + tally.error).toBe(OBJECT_CASES + TEXT_CASES);
    expect(tally.error).toBeGreaterThan(OBJECT_CASES / 2);
  });
});
