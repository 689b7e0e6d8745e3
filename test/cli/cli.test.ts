/**
 * End-to-end tests of the `stochdyn` command: the REAL compiled CLI
 * (`node dist/src/cli/main.js …`) is run as a child process, with temporary
 * directories for `--out` and as the working directory of default-output and
 * invalid-scenario runs (nothing is ever written into the repository).
 *
 * `npm test` builds before vitest; run alone with
 *   npm run build && npx vitest run test/cli/cli.test.ts
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { CLI_MAIN, ROOT, tempDir } from '../helpers.js';

const here = path.join(ROOT, 'test');
const MAIN = CLI_MAIN;
const cliFx = (name: string) => path.join(here, 'fixtures', 'cli', name);
const loaderFx = (name: string) => path.join(here, 'fixtures', 'scenarios', name);
const VERSION = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

const SMALL = cliFx('double-well-small.yaml');
const DIVERGING = cliFx('diverging-gd.yaml');
const TRACES_HEADER = 'step,time,observable,n,mean,std,q05,q25,q50,q75,q95';

interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run the compiled CLI; `cwd` defaults to the repository root. */
function cli(args: string[], cwd: string = ROOT): CliResult {
  const env = { ...process.env };
  delete env.STOCHDYN_DEBUG;
  const r = spawnSync(process.execPath, [MAIN, ...args], { cwd, env, encoding: 'utf8' });
  if (r.error) throw new Error(`stochdyn ${args.join(' ')}: ${r.error.message}\n${r.stderr ?? ''}`);
  if (r.signal) throw new Error(`stochdyn ${args.join(' ')} was killed by ${r.signal}\n${r.stderr}`);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Like `cli`, but the command must exit 0 (the failure shows stderr). */
function cliOk(args: string[], cwd: string = ROOT): CliResult {
  const r = cli(args, cwd);
  expect(r.status, `stochdyn ${args.join(' ')} failed:\n${r.stderr}`).toBe(0);
  return r;
}

let TMP: string;
let counter = 0;
/** A fresh, empty directory under the test's temporary root. */
function freshDir(label: string): string {
  const d = path.join(TMP, `${label}-${++counter}`);
  mkdirSync(d);
  return d;
}
/** A path under the temporary root that does not exist yet. */
function freshPath(label: string): string {
  return path.join(TMP, `${label}-${++counter}`);
}

const readJson = (file: string): any => JSON.parse(readFileSync(file, 'utf8'));
const readLines = (file: string): string[] =>
  readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l !== '');
/** Parse a CSV written by stochdyn (no quoting needed: numbers and plain names). */
function readCsv(file: string): { header: string[]; rows: string[][] } {
  const lines = readLines(file);
  return { header: lines[0].split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}
/** A summary without its non-deterministic parts (`timing`, `run.id`). */
function deterministicPart(s: any): any {
  const c = structuredClone(s);
  delete c.timing;
  delete c.run.id;
  return c;
}

beforeAll(() => {
  if (!existsSync(MAIN)) throw new Error(`run npm run build first: ${path.relative(ROOT, MAIN)} is missing`);
  TMP = realpathSync(tempDir('cli-test'));
});

afterAll(() => {
  if (TMP) rmSync(TMP, { recursive: true, force: true });
});

/**
 * The small double-well run with --out and --workers 2, made once and shared: the tests of its files
 * read it, and the --workers tests compare other runs with it (one CLI start-up instead of three).
 */
let smallRun: { out: string; res: CliResult; summary: any } | undefined;
function smallRunWithOut(): { out: string; res: CliResult; summary: any } {
  if (!smallRun) {
    const out = freshPath('run-small');
    const res = cli(['run', SMALL, '--out', out, '--workers', '2']);
    const summary = res.status === 0 && existsSync(path.join(out, 'summary.json')) ? readJson(path.join(out, 'summary.json')) : undefined;
    smallRun = { out, res, summary };
  }
  return smallRun;
}

// ---------------------------------------------------------------------------
describe('run: a small double-well ensemble with --out', () => {
  let out: string;
  let res: CliResult;
  let summary: any;

  beforeAll(() => {
    ({ out, res, summary } = smallRunWithOut());
  });

  it('exits 0, prints nothing on stderr (no progress bar off a terminal) and writes every documented file', () => {
    expect(res.status, res.stderr).toBe(0);
    expect(res.stderr).toBe('');
    expect(readdirSync(out).sort()).toEqual(
      [
        'events.csv',
        'figures',
        'finals.csv',
        'histograms.json',
        'report.html',
        'scenario.bin',
        'scenario.resolved.json',
        'shards',
        'summary.json',
        'traces.csv',
      ].sort(),
    );
    // What `run --continue` extends the run from: each shard's result, kept.
    expect(readdirSync(path.join(out, 'shards')).every((f) => /^replicas-\d+-\d+\.bin$/.test(f))).toBe(true);
  });

  it('prints the table and the output path', () => {
    const lines = res.stdout.split('\n');
    expect(lines[0]).toMatch(/^cli-double-well: 2000 replicas × 2000 steps \(sgld, η = 0\.002, θ = 0\.25, t = 4\)/);
    expect(res.stdout).toMatch(/^observable \(final\)\s+mean\s+± sem\s+std\s+q05\s+q50\s+q95$/m);
    for (const o of ['x', 'energy', 'well']) expect(res.stdout).toMatch(new RegExp(`^${o}\\s+-?\\d`, 'm'));
    // the event row shows the same counts as the summary
    const ev = res.stdout.match(/^escape\s+(\d+)\s+(\d+)\s/m);
    expect(ev, res.stdout).not.toBeNull();
    expect(Number(ev![1])).toBe(summary.events.escape.entered);
    expect(Number(ev![2])).toBe(summary.events.escape.censored);
    // both theory overlays are shown
    expect(res.stdout).toContain('histogram of x vs Gibbs');
    expect(res.stdout).toContain('mean first-passage time -1 → 1 at θ = 0.25: exact integral');
    expect(res.stdout).not.toContain('diverged:');
    expect(lines.filter((l) => l !== '').at(-1)).toBe(`output: ${out}`);
  });

  it('summary.json: schema, run block and physical time', () => {
    expect(summary.schema).toBe('stochdyn.summary/1');
    expect(summary.stochdyn).toEqual({ version: VERSION });
    expect(summary.scenario).toEqual({ name: 'cli-double-well', description: 'CLI end-to-end test fixture', source: SMALL });
    const r = summary.run;
    expect(r.id).toMatch(/^\d{8}-\d{6}-seed11$/);
    expect(r).toMatchObject({
      seed: 11,
      run: 0,
      status: 'completed',
      replicas: 2000,
      dim: 1,
      coordinates: ['x'],
      integrator: 'sgld',
      lr: 0.002,
      temperature: 0.25,
      steps: 2000,
    });
    expect(r.physicalTime).toBeCloseTo(r.steps * r.lr, 12);
    expect(r.physicalTime).toBeCloseTo(4, 12);
    expect(Number.isInteger(r.observationPoints)).toBe(true);
    expect(r.observationPoints).toBeGreaterThanOrEqual(2);
    expect(r.observationPoints).toBeLessThanOrEqual(20);
    for (const k of ['generator', 'normals', 'seeding']) expect(typeof summary.rng[k]).toBe('string');
  });

  it('summary.json: observables, histograms, events, divergence, theory and timing have the documented fields and types', () => {
    expect(Object.keys(summary.observables)).toEqual(['x', 'energy', 'well']);
    for (const [name, o] of Object.entries<any>(summary.observables)) {
      const f = o.final;
      expect(Object.keys(f).sort(), name).toEqual(['n', 'mean', 'std', 'sem', 'min', 'q05', 'q25', 'q50', 'q75', 'q95', 'max'].sort());
      for (const v of Object.values(f)) expect(typeof v).toBe('number');
      expect(f.n).toBe(2000);
      const order = [f.min, f.q05, f.q25, f.q50, f.q75, f.q95, f.max];
      for (let i = 1; i < order.length; i++) expect(order[i], `${name} quantiles ordered`).toBeGreaterThanOrEqual(order[i - 1]);
      expect(f.sem).toBeCloseTo(f.std / Math.sqrt(f.n), 10);
    }
    // started in the left well at x = −1 and run to t = 4 ≪ MFPT: most replicas still there
    expect(summary.observables.x.final.mean).toBeLessThan(-0.5);

    expect(summary.histograms).toHaveLength(1);
    expect(summary.histograms[0]).toMatchObject({ of: 'x', bins: 40, range: [-2, 2], at: 'final', from: 0, samples: 2000 });
    expect(typeof summary.histograms[0].underflow).toBe('number');
    expect(typeof summary.histograms[0].overflow).toBe('number');

    const e = summary.events.escape;
    expect(e.replicas).toBe(2000);
    expect(e.entered).toBeGreaterThan(0);
    expect(e.entered + e.censored).toBe(2000);
    expect(e.fractionEntered).toBeCloseTo(e.entered / 2000, 12);
    expect(typeof e.meanStepsEntered).toBe('number');
    expect(e.rate.perStep).toBeGreaterThan(0);
    expect(e.rate.ci95PerStep).toHaveLength(2);
    expect(e.rate.ci95PerStep[0]).toBeLessThan(e.rate.perStep);
    expect(e.rate.ci95PerStep[1]).toBeGreaterThan(e.rate.perStep);
    expect(e.rate.perTime).toBeCloseTo(e.rate.perStep / 0.002, 8);
    expect(e.rate.ci95PerTime).toHaveLength(2);
    expect(e.mfpt.steps).toBeCloseTo(1 / e.rate.perStep, 6);
    expect(e.mfpt.time).toBeCloseTo(e.mfpt.steps * 0.002, 8);
    expect(e.mfpt.ci95Steps).toHaveLength(2);
    expect(e.mfpt.ci95Time).toHaveLength(2);
    expect(e.medianSteps === null || typeof e.medianSteps === 'number').toBe(true);

    expect(summary.divergence).toEqual({ count: 0, fraction: 0, firstStep: null, byReason: {}, examples: [] });

    expect(summary.theory.map((t: any) => t.kind)).toEqual(['gibbs', 'mfpt-1d']);
    const [g, m] = summary.theory;
    expect(g).toMatchObject({ of: 'x', temperature: 0.25 });
    for (const k of ['logZ', 'chi2', 'dof', 'pValue']) expect(typeof g[k], `gibbs.${k}`).toBe('number');
    expect(g.text).toContain('Gibbs');
    expect(m).toMatchObject({ event: 'escape', from: -1, to: 1 });
    for (const k of ['exactTime', 'kramersTime', 'measuredTime']) expect(typeof m[k], `mfpt-1d.${k}`).toBe('number');
    expect(m.exactTime).toBeGreaterThan(0);
    expect(m.measuredTime).toBe(e.mfpt.time);
    expect(m.measuredCi95Time).toEqual(e.mfpt.ci95Time);
    expect(typeof m.text).toBe('string');

    const t = summary.timing;
    expect(t.workers).toBe(2);
    expect(Date.parse(t.startedAt)).not.toBeNaN();
    expect(Date.parse(t.finishedAt)).toBeGreaterThanOrEqual(Date.parse(t.startedAt));
    expect(t.wallSeconds).toBeGreaterThanOrEqual(0);
    expect(t.replicaStepsPerSecond).toBeGreaterThan(0);
  });

  it('scenario.resolved.json has every default filled in, the absolute source and the version', () => {
    const s = readJson(path.join(out, 'scenario.resolved.json'));
    expect(s).toMatchObject({
      name: 'cli-double-well',
      seed: 11,
      source: SMALL,
      stochdyn: VERSION,
      dynamics: { integrator: 'sgld', lr: 0.002, temperature: 0.25, steps: 2000, weight_decay: 0, friction: 1, batch_size: null },
      ensemble: { replicas: 2000, init: { kind: 'point', x: [-1] }, momenta: 'thermal' },
      observe: {
        observables: ['x', 'energy', 'well'],
        histograms: [{ of: 'x', bins: 40, range: [-2, 2], at: 'final', from: 0 }],
        events: [{ name: 'escape', enter: { x: { ge: 1 } }, every: 1 }],
        finals: true,
      },
      analysis: [],
    });
    expect(path.isAbsolute(s.source)).toBe(true);
  });

  it('traces.csv: the documented header, one row per grid point and observable, time = step·η', () => {
    const { header, rows } = readCsv(path.join(out, 'traces.csv'));
    expect(header.join(',')).toBe(TRACES_HEADER);
    expect(rows).toHaveLength(summary.run.observationPoints * 3);
    expect(new Set(rows.map((r) => r[2]))).toEqual(new Set(['x', 'energy', 'well']));
    const steps = [...new Set(rows.map((r) => Number(r[0])))];
    expect(steps).toHaveLength(summary.run.observationPoints);
    expect(steps).toContain(0);
    expect(steps).toContain(2000);
    for (const r of rows) {
      expect(r).toHaveLength(11);
      expect(Number(r[1])).toBeCloseTo(Number(r[0]) * 0.002, 12);
      expect(Number(r[3])).toBe(2000);
    }
    const x0 = rows.find((r) => r[0] === '0' && r[2] === 'x')!;
    expect(Number(x0[4])).toBe(-1); // everyone starts at x = −1
    expect(Number(x0[5])).toBe(0);
  });

  it('histograms.json: counts, densities and the Gibbs overlay are consistent', () => {
    const hs = readJson(path.join(out, 'histograms.json'));
    expect(Array.isArray(hs)).toBe(true);
    expect(hs).toHaveLength(1);
    const h = hs[0];
    expect(h).toMatchObject({ of: 'x', at: 'final', from: 0, bins: 40, range: [-2, 2], samples: 2000 });
    expect(h.edges).toHaveLength(41);
    expect(h.edges[0]).toBeCloseTo(-2, 12);
    expect(h.edges[40]).toBeCloseTo(2, 12);
    expect(h.counts).toHaveLength(40);
    expect(h.density).toHaveLength(40);
    const total = h.counts.reduce((a: number, b: number) => a + b, 0);
    expect(total).toBe(h.inRange);
    expect(h.inRange + h.underflow + h.overflow).toBe(h.samples);
    const width = 4 / 40;
    h.counts.forEach((c: number, i: number) => expect(h.density[i]).toBeCloseTo(c / (h.samples * width), 10));
    expect(h.theory).not.toBeNull();
    expect(h.theory.probabilities).toHaveLength(40);
    expect(h.theory.density).toHaveLength(40);
    const p = h.theory.probabilities.reduce((a: number, b: number) => a + b, 0);
    expect(p).toBeGreaterThan(0.95); // nearly all Gibbs mass of h(x²−1)² at θ = 0.25 lies in [−2, 2]
    expect(p).toBeLessThanOrEqual(1 + 1e-9);
  });

  it('finals.csv and events.csv: one row per replica, consistent with the summary', () => {
    const fin = readCsv(path.join(out, 'finals.csv'));
    expect(fin.header).toEqual(['replica', 'x', 'energy', 'well', 'diverged_step']);
    expect(fin.rows).toHaveLength(2000);
    expect(fin.rows.map((r) => Number(r[0]))).toEqual(Array.from({ length: 2000 }, (_, i) => i));
    expect(fin.rows.every((r) => r.length === 5 && r[4] === '')).toBe(true);
    const meanX = fin.rows.reduce((a, r) => a + Number(r[1]), 0) / 2000;
    expect(meanX).toBeCloseTo(summary.observables.x.final.mean, 10);

    const ev = readCsv(path.join(out, 'events.csv'));
    expect(ev.header).toEqual(['replica', 'escape']);
    expect(ev.rows).toHaveLength(2000);
    const entered = ev.rows.filter((r) => r[1] !== undefined && r[1] !== '').map((r) => Number(r[1]));
    expect(entered).toHaveLength(summary.events.escape.entered);
    for (const s of entered) {
      expect(Number.isInteger(s)).toBe(true);
      expect(s).toBeGreaterThanOrEqual(1);
      expect(s).toBeLessThanOrEqual(2000);
    }
    expect(entered.reduce((a, b) => a + b, 0) / entered.length).toBeCloseTo(summary.events.escape.meanStepsEntered, 8);
  });
});

// ---------------------------------------------------------------------------
describe('run: options', () => {
  // One run serves the --json test and the overrides test (both read its stdout and its directory).
  let jsonOut: string;
  let jsonRun: CliResult;
  beforeAll(() => {
    jsonOut = freshPath('json-overrides');
    jsonRun = cli([
      'run',
      SMALL,
      '--out',
      jsonOut,
      '--json',
      '--replicas',
      '300',
      '--seed',
      '5',
      '--set',
      'dynamics.temperature=0.3',
      '--set',
      'observe.observables=[x, energy]',
    ]);
  });

  it('--json prints only the summary as parseable JSON, and still writes the run directory', () => {
    expect(jsonRun.status, jsonRun.stderr).toBe(0);
    const s = JSON.parse(jsonRun.stdout);
    expect(s.schema).toBe('stochdyn.summary/1');
    expect(s.run.replicas).toBe(300);
    expect(jsonRun.stdout).not.toContain('observable (final)');
    expect(jsonRun.stdout).not.toContain('output:');
    expect(deterministicPart(readJson(path.join(jsonOut, 'summary.json')))).toEqual(deterministicPart(s));
  });

  it('--replicas, --seed and --set take effect in the summary and the resolved scenario', () => {
    expect(jsonRun.status, jsonRun.stderr).toBe(0);
    const out = jsonOut;
    const s = JSON.parse(jsonRun.stdout);
    expect(s.run).toMatchObject({ replicas: 300, seed: 5, temperature: 0.3 });
    expect(s.run.id).toMatch(/-seed5$/);
    expect(Object.keys(s.observables)).toEqual(['x', 'energy']);
    expect(s.events.escape.replicas).toBe(300);
    expect(s.theory.find((t: any) => t.kind === 'gibbs').temperature).toBe(0.3);
    const resolved = readJson(path.join(out, 'scenario.resolved.json'));
    expect(resolved.seed).toBe(5);
    expect(resolved.ensemble.replicas).toBe(300);
    expect(resolved.dynamics.temperature).toBe(0.3);
    expect(resolved.observe.observables).toEqual(['x', 'energy']);
    expect(readCsv(path.join(out, 'finals.csv')).rows).toHaveLength(300);
    expect(readCsv(path.join(out, 'finals.csv')).header).toEqual(['replica', 'x', 'energy', 'diverged_step']);
  });

  it('--workers 1 and --workers 2 give identical summaries (apart from timing and run.id) and identical files', () => {
    // --workers 2: the shared run of the first describe block.
    const { out: o2, res: r2, summary: s2 } = smallRunWithOut();
    expect(r2.status, r2.stderr).toBe(0);
    const o1 = freshPath('workers1');
    const s1 = JSON.parse(cliOk(['run', SMALL, '--out', o1, '--json', '--workers', '1']).stdout);
    expect(s1.timing.workers).toBe(1);
    expect(s2.timing.workers).toBe(2);
    expect(deterministicPart(s2)).toEqual(deterministicPart(s1));
    for (const f of ['traces.csv', 'histograms.json', 'finals.csv', 'events.csv']) {
      expect(readFileSync(path.join(o2, f), 'utf8'), f).toBe(readFileSync(path.join(o1, f), 'utf8'));
    }
  });

  it('--workers above the core count is capped with a notice; the results are those of the capped count', () => {
    const cores = availableParallelism();
    const capped = freshPath('workers-capped');
    const many = cliOk(['run', SMALL, '--out', capped, '--json', '--workers', String(cores + 97)]);
    expect(many.stderr).toContain(`note: --workers ${cores + 97} is more than the ${cores} cores of this machine; using ${cores}`);
    const s = JSON.parse(many.stdout);
    expect(s.timing.workers).toBe(cores);
    // The run at exactly the core count: on a 2-core machine the shared --workers 2 run is that run
    // (its summary.json equals its --json output: the --json test above); otherwise one more run.
    const atCores =
      cores === 2
        ? { summary: smallRunWithOut().summary, stderr: smallRunWithOut().res.stderr }
        : (() => {
            const r = cliOk(['run', SMALL, '--out', freshPath('workers-cores'), '--json', '--workers', String(cores)]);
            return { summary: JSON.parse(r.stdout), stderr: r.stderr };
          })();
    expect(atCores.summary.timing.workers).toBe(cores);
    expect(deterministicPart(s)).toEqual(deterministicPart(atCores.summary));
    expect(atCores.stderr).not.toContain('note: --workers'); // exactly the core count: no notice
  });

  it('without --out writes output/<name>/<run-id>/ under the working directory, a new directory per run', () => {
    const cwd = freshDir('default-out');
    const a = cliOk(['run', SMALL, '--replicas', '100', '--json'], cwd);
    const b = cliOk(['run', SMALL, '--replicas', '100'], cwd);
    expect(readdirSync(cwd)).toEqual(['output']);
    expect(readdirSync(path.join(cwd, 'output'))).toEqual(['cli-double-well']);
    const runs = readdirSync(path.join(cwd, 'output', 'cli-double-well')).sort();
    expect(runs).toHaveLength(2);
    for (const id of runs) {
      expect(id).toMatch(/^\d{8}-\d{6}-seed11(-\d+)?$/);
      expect(existsSync(path.join(cwd, 'output', 'cli-double-well', id, 'summary.json'))).toBe(true);
    }
    const sa = JSON.parse(a.stdout);
    expect(runs).toContain(sa.run.id);
    const printed = b.stdout.match(/^output: (.+)$/m);
    expect(printed, b.stdout).not.toBeNull();
    const dirB = printed![1];
    expect(path.dirname(dirB)).toBe(path.join(cwd, 'output', 'cli-double-well'));
    expect(runs).toContain(path.basename(dirB));
    expect(path.basename(dirB)).not.toBe(sa.run.id);
  });

  it('an invalid --set value is a scenario error naming the key and the --set it came from; nothing is written', () => {
    const cwd = freshDir('bad-set');
    const r = cli(['run', SMALL, '--set', 'dynamics.temprature=0.3'], cwd);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      `${SMALL}: dynamics.temprature: expected a known key, found unknown key "temprature". Did you mean 'temperature'?`,
    );
    expect(r.stderr).toContain('--set dynamics.temprature=0.3');
    expect(readdirSync(cwd)).toEqual([]);
    const r2 = cli(['run', SMALL, '--set', 'dynamics.temperature=-1'], cwd);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toContain('dynamics.temperature: expected a number ≥ 0, found -1.');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('bad option values are rejected before anything runs', () => {
    const cwd = freshDir('bad-options');
    const r = cli(['run', SMALL, '--replicas', 'abc'], cwd);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('--replicas must be an integer ≥ 1');
    expect(readdirSync(cwd)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------
describe('run: invalid scenarios exit 2, name file and field, and write nothing', () => {
  /**
   * Run the scenario twice: with an empty temporary working directory (the
   * default output root) and with --out; both must exit 2 with nothing on
   * stdout and nothing created. Returns stderr.
   */
  function expectInvalid(file: string): string {
    const cwd = freshDir('invalid');
    const r = cli(['run', file], cwd);
    expect(r.status, `exit code; stderr:\n${r.stderr}`).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.startsWith('stochdyn: invalid scenario\n'), r.stderr).toBe(true);
    expect(readdirSync(cwd), 'the working directory must stay empty').toEqual([]);
    const out = freshPath('invalid-out');
    const r2 = cli(['run', file, '--out', out], cwd);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toBe(r.stderr);
    expect(existsSync(out), '--out must not be created').toBe(false);
    expect(readdirSync(cwd)).toEqual([]);
    return r.stderr;
  }

  it('unknown key, with "did you mean"', () => {
    const f = loaderFx('unknown-key.yaml');
    const err = expectInvalid(f);
    expect(err).toContain(`${f}:6: dynamics.temprature: expected a known key, found unknown key "temprature". Did you mean 'temperature'?`);
  });

  it('wrong types (a quoted number, a word for an integer)', () => {
    const f = loaderFx('wrong-type.yaml');
    const err = expectInvalid(f);
    expect(err).toContain(`${f}:4: dynamics.lr: expected a number > 0, found "0.001".`);
    expect(err).toContain('remove the quotes');
    expect(err).toContain(`${f}:5: dynamics.steps: expected an integer ≥ 0, found "many".`);
  });

  it('unknown potential kind lists the known kinds', () => {
    const f = loaderFx('unknown-potential.yaml');
    const err = expectInvalid(f);
    expect(err).toContain(`${f}:3: potential.kind: expected a registered potential (`);
    for (const k of ['double-well', 'harmonic', 'muller-brown', 'gaussian-wells']) expect(err).toContain(`'${k}'`);
    expect(err).toContain('found "duble-well"');
    expect(err).toContain("Did you mean 'double-well'?");
  });

  it('negative temperature', () => {
    const f = loaderFx('negative-temperature.yaml');
    const err = expectInvalid(f);
    expect(err).toContain(`${f}:5: dynamics.temperature: expected a number ≥ 0, found -0.5.`);
  });

  it('missing scenario file', () => {
    const f = path.join(TMP, 'no-such-scenario.yaml');
    const err = expectInvalid(f);
    expect(err).toContain(`${f}: (document): expected an existing scenario file, found no such file.`);
  });

  it('malformed YAML', () => {
    const f = loaderFx('malformed.yaml');
    const err = expectInvalid(f);
    expect(err).toMatch(new RegExp(`${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:[23]: \\(document\\): expected valid YAML, found \\S`));
  });

  it('unknown observable for the potential (y in the 1-D double well)', () => {
    const f = cliFx('unknown-observable.yaml');
    const err = expectInvalid(f);
    expect(err).toContain(`${f}:8: observe.observables[1]: expected a known observable, found "y".`);
    expect(err).toContain("Did you mean 'x'?");
    expect(err).toContain('Coordinates of this potential: x');
  });

  it('init dimension mismatch', () => {
    const f = cliFx('init-dimension.yaml');
    const err = expectInvalid(f);
    expect(err).toContain(`${f}:7: ensemble.init.x: expected `);
    expect(err).toContain('dim = 1');
    expect(err).toContain('found a list of 2: [-1, 0.5]');
  });

  // The three below document a real gap: theory entries are not validated
  // at all (see the final report / commit message).
  it('unknown theory kind, with "did you mean"', () => {
    const f = cliFx('theory-unknown-kind.yaml');
    const err = expectInvalid(f);
    expect(err).toContain(`${f}:11: theory[0].kind: expected `);
    expect(err).toContain("Did you mean 'gibbs'?");
  });

  it('mfpt-1d overlay naming an event that is not defined', () => {
    const f = cliFx('theory-unknown-event.yaml');
    const err = expectInvalid(f);
    expect(err).toContain(`${f}:11: theory[0].event: expected `);
    expect(err).toContain('"escpe"');
    expect(err).toContain("Did you mean 'escape'?");
  });

  it('gibbs overlay of an observable the potential does not have', () => {
    const f = cliFx('theory-unknown-observable.yaml');
    const err = expectInvalid(f);
    expect(err).toContain(`${f}:10: theory[0].of: expected `);
    expect(err).toContain('found "y"');
  });
});

// ---------------------------------------------------------------------------
describe('validate, list, schema, help', () => {
  it('validate: a valid file exits 0, says valid and writes nothing', () => {
    const cwd = freshDir('validate-ok');
    const r = cliOk(['validate', SMALL], cwd);
    expect(r.stdout).toBe(`${SMALL}: valid — 2000 replicas × 2000 steps of sgld in a 1-D potential (x)\n`);
    expect(r.stderr).toBe('');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it('validate --json prints the resolved scenario (with --set applied)', () => {
    const r = cliOk(['validate', SMALL, '--json', '--set', 'dynamics.steps=500']);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ name: 'cli-double-well', seed: 11, source: SMALL, dynamics: { steps: 500, weight_decay: 0, friction: 1 } });
  });

  it('validate: invalid files exit 2, schema errors and errors against the potential alike; paths relative to the working directory', () => {
    const r = cli(['validate', 'test/fixtures/scenarios/unknown-key.yaml']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(
      'test/fixtures/scenarios/unknown-key.yaml:6: dynamics.temprature: expected a known key, found unknown key "temprature". Did you mean \'temperature\'?',
    );
    const r2 = cli(['validate', cliFx('unknown-observable.yaml')]);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toContain('observe.observables[1]: expected a known observable, found "y".');
    const r3 = cli(['validate', cliFx('init-dimension.yaml')]);
    expect(r3.status).toBe(2);
    expect(r3.stderr).toContain('ensemble.init.x');
  });

  it('list potentials / integrators --json / observables / all', () => {
    const p = cliOk(['list', 'potentials']);
    expect(p.stdout.startsWith('potentials:\n')).toBe(true);
    for (const k of ['double-well', 'harmonic', 'muller-brown', 'tilted-double-well', 'gaussian-wells']) {
      expect(p.stdout).toMatch(new RegExp(`^  ${k}\\s+\\S`, 'm'));
    }
    expect(p.stdout).not.toContain('integrators:');

    const i = JSON.parse(cliOk(['list', 'integrators', '--json']).stdout);
    expect(Object.keys(i)).toEqual(['integrators']);
    expect(i.integrators.map((e: any) => e.name)).toEqual(['gd', 'sgld', 'baoab', 'adam', 'adamw', 'psgld', 'sghmc']);
    for (const e of i.integrators) expect(typeof e.description).toBe('string');

    const o = cliOk(['list', 'observables']);
    for (const k of ['energy', 'grad_norm', 'radius', 'well']) expect(o.stdout).toMatch(new RegExp(`^  ${k}\\s+\\S`, 'm'));

    const all = cliOk(['list']);
    for (const k of ['potentials:', 'integrators:', 'observables:']) expect(all.stdout).toContain(`${k}\n`);
  });

  // One start-up serves both `list bogus` tests.
  let listBogusRun: CliResult | undefined;
  const listBogus = (): CliResult => (listBogusRun ??= cli(['list', 'bogus']));

  it('list bogus exits non-zero and names the valid choices', () => {
    const r = listBogus();
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain("'bogus'");
    for (const k of ['potentials', 'integrators', 'observables']) expect(r.stderr).toContain(k);
  });

  it('list bogus is a command-line error, not an "invalid scenario" (README: only scenario errors exit 2)', () => {
    const r = listBogus();
    expect(r.stderr).not.toContain('invalid scenario');
    expect(r.status).toBe(1);
  });

  it('schema prints a JSON Schema with properties.dynamics', () => {
    const r = cliOk(['schema']);
    const s = JSON.parse(r.stdout);
    expect(s.$schema).toMatch(/json-schema\.org/);
    expect(s.type).toBe('object');
    expect(s.properties.dynamics).toBeTypeOf('object');
    expect(Object.keys(s.properties.dynamics.properties)).toEqual(expect.arrayContaining(['integrator', 'lr', 'temperature', 'steps']));
    expect(s.required).toEqual(expect.arrayContaining(['name', 'potential', 'dynamics', 'ensemble']));
  });

  it('--help and run --help exit 0 and show examples', () => {
    const h = cliOk(['--help']);
    expect(h.stdout).toContain('Usage: stochdyn');
    for (const c of ['run', 'validate', 'list', 'schema']) expect(h.stdout).toMatch(new RegExp(`^  ${c} `, 'm'));
    expect(h.stdout).toContain('Examples:');
    expect(h.stdout).toContain('$ stochdyn run scenarios/quickstart.yaml');

    // One start-up per command's help, shared by the checks below.
    const helps = new Map<string, string>();
    for (const command of ['run', 'sweep', 'merge', 'compare', 'report', 'figure', 'validate', 'list', 'info', 'schema'])
      helps.set(command, cliOk([command, '--help']).stdout);
    const rh = { stdout: helps.get('run')! };
    expect(rh.stdout).toContain('Usage: stochdyn run');
    for (const o of ['--out', '--replicas', '--workers', '--seed', '--set', '--json', '--quiet']) expect(rh.stdout).toContain(o);
    expect(rh.stdout).toContain('Examples:');
    expect(rh.stdout).toMatch(/\$ stochdyn run .*--replicas/);

    expect(helps.get('validate')).toContain('Usage: stochdyn validate');
    // Every command shows examples in its help.
    for (const [command, help] of helps) {
      expect(help, command).toContain('Examples:');
      expect(help, command).toMatch(new RegExp(`\\$ stochdyn ${command}\\b`));
    }
    expect(cliOk(['--version']).stdout.trim()).toBe(VERSION);
  });

  it('an unknown command exits non-zero and says so', () => {
    const r = cli(['bogus']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("unknown command 'bogus'");
  });
});

// ---------------------------------------------------------------------------
describe('run: a diverging ensemble', () => {
  it('gd with lr 0.1 from uniform [−4, 4]: exits 0, the table and the summary report the diverged replicas', () => {
    const out = freshPath('diverging');
    const r = cliOk(['run', DIVERGING, '--out', out]);
    const s = readJson(path.join(out, 'summary.json'));
    const d = s.divergence;
    expect(d.count).toBeGreaterThan(0);
    expect(d.count).toBeLessThan(500); // replicas starting near the wells converge
    const m = r.stdout.match(/^diverged: (\d+) of 500 replicas \(first at step (\d+)\)/m);
    expect(m, r.stdout).not.toBeNull();
    expect(Number(m![1])).toBe(d.count);
    expect(Number(m![2])).toBe(d.firstStep);
    expect(d.fraction).toBeCloseTo(d.count / 500, 12);
    expect(Number.isInteger(d.firstStep) && d.firstStep >= 1 && d.firstStep <= 200).toBe(true);
    expect(Object.values<number>(d.byReason).reduce((a, b) => a + b, 0)).toBe(d.count);
    expect(d.examples).toHaveLength(Math.min(20, d.count));
    for (const e of d.examples) expect(e.step).toBeGreaterThanOrEqual(d.firstStep);

    // diverged replicas are excluded from the statistics, and flagged in finals.csv
    expect(s.observables.x.final.n).toBe(500 - d.count);
    expect(Number.isFinite(s.observables.energy.final.mean)).toBe(true);
    const fin = readCsv(path.join(out, 'finals.csv'));
    const flagged = fin.rows.filter((row) => row[3] !== '');
    expect(flagged).toHaveLength(d.count);
    expect(Math.min(...flagged.map((row) => Number(row[3])))).toBe(d.firstStep);
    const tr = readCsv(path.join(out, 'traces.csv')).rows.filter((row) => row[2] === 'x');
    expect(Number(tr[0][3])).toBe(500);
    expect(Number(tr.at(-1)![3])).toBe(500 - d.count);
  });
});

describe('run --kernels', () => {
  it('sets potential.params.kernels of a potential with WASM kernels; a potential without them is an invalid scenario (exit 2)', () => {
    const dir = freshPath('kernels');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, 'ma.yaml');
    const ma = [
      'name: ma-kernels',
      'seed: 3',
      'potential: { kind: modular-addition-square, params: { P: 5, N: 4 } }',
      'dynamics: { integrator: sgld, lr: 1e-3, temperature: 1e-4, steps: 20 }',
      'ensemble: { replicas: 2 }',
      'observe: { grid: { kind: linear, points: 2 }, observables: [energy] }',
    ].join('\n');
    writeFileSync(file, ma + '\n');
    const finals: Record<string, number> = {};
    for (const k of ['js', 'wasm']) {
      const out = path.join(dir, k);
      cliOk(['run', file, '--kernels', k, '--out', out, '-q', '--no-report', '--workers', '0']);
      expect(readJson(path.join(out, 'scenario.resolved.json')).potential.params.kernels).toBe(k);
      finals[k] = readJson(path.join(out, 'summary.json')).observables.energy.final.mean;
    }
    // The two kernels agree to rounding (test/kernels*.test.ts checks 1e-12 on energies and gradients).
    expect(Math.abs(finals.js - finals.wasm) / Math.abs(finals.js)).toBeLessThan(1e-9);
    const bad = cli(['run', SMALL, '--kernels', 'wasm', '--out', path.join(dir, 'dw'), '-q']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(
      /potential\.params\.kernels: expected a known key, found unknown key "kernels".*--set potential\.params\.kernels=wasm/,
    );
    const wrong = cli(['run', file, '--kernels', 'fast', '-q']);
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toMatch(/--kernels must be auto, js, wasm or native, found 'fast'/);
  });
});

describe('info', () => {
  it('says whether the WebAssembly kernels load, and which potentials have them', () => {
    const on = JSON.parse(cliOk(['info', '--json']).stdout);
    expect(on.kernels.wasm).toBe(true); // the build made dist/wasm/kernels.wasm, and Node 20 has SIMD
    expect(on.kernels.reason).toBeNull();
    expect(on.kernels.potentials).toEqual(expect.arrayContaining(['modular-addition-square', 'relation-learner', 'teacher-student-erf']));
    expect(on.kernels.potentials).not.toContain('double-well');
    const env = { ...process.env, STOCHDYN_KERNELS: 'js' };
    const off = spawnSync(process.execPath, [MAIN, 'info'], { cwd: ROOT, env, encoding: 'utf8' });
    expect(off.status).toBe(0);
    expect(off.stdout).toMatch(/kernels: WebAssembly unavailable, plain TypeScript \(disabled by STOCHDYN_KERNELS=js\)/);
  });
});
