/**
 * The package as a user installs it: `npm pack`, the tarball installed into a
 * fresh project, `import … from 'stochdyn'` BY NAME from an ES module (run with
 * node) and from TypeScript (type-checked by the repository's tsc against the
 * installed .d.ts, then run). Both register a potential from code and run a
 * scenario in memory; the ES module also runs with two worker threads, which
 * must find their entry point (and the WebAssembly kernels) inside the
 * installed package.
 *
 * Installing: the tarball is unpacked into `<project>/node_modules/stochdyn`
 * and each of its runtime dependencies is a symlink to the repository's
 * installed copy. `npm install --offline <tarball>` would need every
 * dependency's tarball in the npm cache (true in CI right after `npm ci`, not
 * in general), re-resolves the whole tree (tens of seconds) and tries the
 * optional @tensorflow/tfjs-node, whose install script downloads libtensorflow.
 * The symlinks give the same module resolution — Node resolves a symlinked
 * dependency's own imports from its real path — with no network and no cache,
 * wherever `npm ci` (or `npm install`) has populated node_modules.
 *
 * `npm pack --ignore-scripts` packs the dist/ that `npm test` (or `npm run
 * build`) has just built, instead of building a second time through `prepare`;
 * dist/ is built here only when it is missing.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ouDiscreteMoments } from '../../src/theory/ornstein-uhlenbeck.js';

const run = promisify(execFile);
const repo = resolve('.');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  dependencies: Record<string, string>;
};
let project = '';
let installed = '';

/** Every file below `dir`, relative to it. */
function filesBelow(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesBelow(join(dir, e.name), base) : [relative(base, join(dir, e.name))],
  );
}

/** Link `<project>/node_modules/<name>` to the repository's installed copy. */
function linkDependency(name: string): boolean {
  const source = join(repo, 'node_modules', name);
  if (!existsSync(source)) return false;
  const target = join(project, 'node_modules', name);
  mkdirSync(dirname(target), { recursive: true });
  symlinkSync(source, target, 'dir');
  return true;
}

beforeAll(async () => {
  if (!['dist/src/index.js', 'dist/workers/shard-worker.js', 'dist/wasm/kernels.wasm'].every((f) => existsSync(join(repo, f))))
    await run('npm', ['run', 'build'], { cwd: repo });
  project = mkdtempSync(join(tmpdir(), 'stochdyn-package-'));
  const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project], { cwd: repo });
  const tarball = join(project, (JSON.parse(packed.stdout) as Array<{ filename: string }>)[0].filename);
  // An npm tarball holds one folder, package/.
  await run('tar', ['-xzf', tarball, '-C', project]);
  mkdirSync(join(project, 'node_modules'));
  installed = join(project, 'node_modules', 'stochdyn');
  renameSync(join(project, 'package'), installed);
  for (const name of Object.keys(pkg.dependencies))
    expect(linkDependency(name), `dependency ${name} is installed in the repository`).toBe(true);
  // The TypeScript user's own dev dependency (the .d.ts refer to Node's types).
  expect(linkDependency('@types/node')).toBe(true);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'stochdyn-user', private: true, type: 'module' }, null, 2));
});

// rm does not follow symlinks: the repository's node_modules stays untouched.
afterAll(() => {
  if (project) rmSync(project, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('holds the compiled library, its declarations, the worker, the WebAssembly kernels, the sources of the native kernels (built at install) and the scenarios, and no tests or other sources', () => {
    const files = filesBelow(installed);
    for (const f of [
      'package.json',
      'dist/src/index.js',
      'dist/src/index.d.ts',
      'dist/src/cli/main.js',
      'dist/workers/shard-worker.js',
      'dist/wasm/kernels.wasm',
      'scenarios/quickstart.yaml',
      'docs/api.md',
      'examples/library.mjs',
      'assembly/native/stochdyn.c',
      'assembly/native/binding.gyp',
      'assembly/native/build.mjs',
    ])
      expect(files).toContain(f);
    const nativeSource = (f: string) => /^assembly\/native\/[^/]+\.(c|h|inc|gyp|mjs)$/.test(f);
    const unwanted = files.filter(
      (f) =>
        (/^(test|src|bench|assembly|output|node_modules|dist\/bench)\//.test(f) && !nativeSource(f)) ||
        /\.map$/.test(f) ||
        (f.endsWith('.ts') && !f.endsWith('.d.ts')),
    );
    expect(unwanted).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
    expect(manifest.bin).toEqual({ stochdyn: 'dist/src/cli/main.js' });
  });

  it('its command line runs from the installed package on a shipped scenario', async () => {
    const { stdout } = await run(
      process.execPath,
      [join(installed, 'dist/src/cli/main.js'), 'validate', join(installed, 'scenarios/quickstart.yaml')],
      { cwd: project },
    );
    expect(stdout).toMatch(/quickstart\.yaml: valid — 10000 replicas × 100000 steps of sgld/);
  });

  it('its declarations import only Node built-ins and runtime dependencies', () => {
    // The TypeScript check below skips library files (skipLibCheck: checking the
    // declarations of every dependency costs ~30 s); what it would catch in ours is a
    // type taken from a package the user does not get (a dev dependency, an
    // ambient declaration of src/types/), so that is checked here directly.
    const bare = /(?:from\s+|import\()'([^'.][^']*)'/g;
    const bad: string[] = [];
    for (const file of filesBelow(installed).filter((f) => f.endsWith('.d.ts'))) {
      for (const [, specifier] of readFileSync(join(installed, file), 'utf8').matchAll(bare)) {
        const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
        if (!specifier.startsWith('node:') && name !== pkg.name && !(name in pkg.dependencies)) bad.push(`${file}: ${specifier}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('imports by name from an ES module: a potential registered from code in memory, two worker threads, the wasm kernels, closed deep imports', async () => {
    // The code potential k x²/2 evaluates exactly the built-in harmonic's expressions
    // (gradient k·(x − 0), energy ½·g·(x − 0)), so all three runs must agree bit for bit.
    writeFileSync(
      join(project, 'app.mjs'),
      `import { buildPotential, registerPotential, runScenario, validateScenario } from 'stochdyn';

registerPotential({
  name: 'code-harmonic',
  description: 'k x²/2, written in the user project',
  paramsSchema: { type: 'object', properties: { k: { type: 'number', exclusiveMinimum: 0, default: 1 } }, additionalProperties: false },
  create: ({ k }) => ({
    name: 'code-harmonic',
    dim: 1,
    coordinates: ['x'],
    groups: [{ name: 'x', offset: 0, size: 1 }],
    energyAndGradient(x, count, energy, grad) {
      for (let r = 0; r < count; r++) {
        const d = x[r] - 0;
        const g = k * d;
        grad[r] = g;
        energy[r] = 0.5 * g * d;
      }
    },
  }),
});

const scenario = (potential) =>
  validateScenario({
    name: 'package-harmonic',
    seed: 5,
    potential,
    dynamics: { integrator: 'sgld', lr: 0.01, temperature: 0.5, steps: 400 },
    ensemble: { replicas: 4000, init: { kind: 'point', x: [1.5] } },
    observe: { grid: { kind: 'linear', points: 5 }, observables: ['x'] },
  });
const code = await runScenario(scenario({ kind: 'code-harmonic', params: { k: 2 } }), { write: false, workers: 0 });
const threads = await runScenario(scenario({ kind: 'harmonic', params: { k: 2 } }), { write: false, workers: 2 });
const bytes = (r) => Buffer.from(r.result.finals.values.buffer).toString('base64');
let deepImport = 'resolved';
try {
  await import('stochdyn/dist/src/runs/run.js');
} catch (e) {
  deepImport = e.code;
}
const neural = await buildPotential({ kind: 'teacher-student-erf', params: { d: 4, N: 3, n: 10, n_test: 10, kernels: 'wasm' } }, { seed: 1, run: 0 });
console.log(JSON.stringify({
  final: code.summary.observables.x.final,
  dir: code.dir ?? null,
  version: code.summary.stochdyn.version,
  workers: threads.summary.timing.workers,
  status: threads.summary.run.status,
  sameBytes: bytes(code) === bytes(threads),
  deepImport,
  kernels: neural.info.kernels,
}));
`,
    );
    const { stdout } = await run(process.execPath, ['app.mjs'], { cwd: project });
    const out = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(out.dir).toBeNull();
    expect(out.version).toBe(pkg.version);
    expect(out.workers).toBe(2);
    expect(out.status).toBe('completed');
    expect(out.sameBytes).toBe(true);
    expect(out.deepImport).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
    expect(out.kernels).toMatch(/^wasm/);
    expectOrnsteinUhlenbeck(out.final);
    // Nothing was written into the user's project.
    expect(readdirSync(project).sort()).toEqual(['app.mjs', 'node_modules', 'package.json', tarballName()].sort());
  });

  it('imports by name from TypeScript: type-checked against the installed declarations, then run', async () => {
    writeFileSync(
      join(project, 'app.ts'),
      `import { registerPotential, runScenario, validateScenario, type InMemoryRunOutput, type Potential, type PotentialFamily, type Scenario, type Summary } from 'stochdyn';

function codeHarmonic(k: number): Potential {
  return {
    name: 'code-harmonic-ts',
    dim: 1,
    coordinates: ['x'],
    groups: [{ name: 'x', offset: 0, size: 1 }],
    energyAndGradient(x: Float64Array, count: number, energy: Float64Array, grad: Float64Array): void {
      for (let r = 0; r < count; r++) {
        grad[r] = k * x[r];
        energy[r] = 0.5 * k * x[r] * x[r];
      }
    },
  };
}

const family: PotentialFamily = {
  name: 'code-harmonic-ts',
  description: 'k x²/2 from TypeScript',
  paramsSchema: { type: 'object', properties: { k: { type: 'number', exclusiveMinimum: 0, default: 1 } }, additionalProperties: false },
  create: (params) => codeHarmonic(params.k as number),
};
registerPotential(family);

const scenario: Scenario = validateScenario({
  name: 'package-harmonic-ts',
  seed: 6,
  potential: { kind: 'code-harmonic-ts', params: { k: 2 } },
  dynamics: { integrator: 'sgld', lr: 0.01, temperature: 0.5, steps: 400 },
  ensemble: { replicas: 4000, init: { kind: 'point', x: [1.5] } },
  observe: { grid: { kind: 'linear', points: 5 }, observables: ['x'] },
});
const out: InMemoryRunOutput = await runScenario(scenario, { write: false, workers: 0, onProgress: (done: number, total: number) => void (done <= total) });
// @ts-expect-error an in-memory run has no directory: dir is typed undefined
const dir: string = out.dir;
const summary: Summary = out.summary;
console.log(JSON.stringify({ final: summary.observables.x.final, dir: dir ?? null }));
`,
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          types: ['node'],
          outDir: 'out',
          skipLibCheck: true,
        },
        files: ['app.ts'],
      }),
    );
    const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
    const checked = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project }).catch((e: { stdout?: string }) => ({
      stdout: `tsc failed:\n${e.stdout}`,
    }));
    expect(checked.stdout).toBe('');
    const { stdout } = await run(process.execPath, ['out/app.js'], { cwd: project });
    const out = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(out.dir).toBeNull();
    expectOrnsteinUhlenbeck(out.final);
  });
});

function tarballName(): string {
  return `${pkg.name}-${pkg.version}.tgz`;
}

/**
 * The final x of 4000 independent replicas after n = 400 SGLD steps (η = 0.01,
 * θ = 0.5, k = 2, from x0 = 1.5) against the exact moments of the recursion
 * x ← (1 − ηk)x + sqrt(2ηθ)ξ (theory/ornstein-uhlenbeck.ts): the mean within
 * 4 standard errors, the sample variance within 4σ, σ = V·sqrt(2/(n − 1)) for
 * Gaussian samples.
 */
function expectOrnsteinUhlenbeck(final: { n: number; mean: number; std: number; sem: number }): void {
  const exact = ouDiscreteMoments(1.5, 2, 0.5, 0.01, 400);
  expect(final.n).toBe(4000);
  expect(Math.abs(final.mean - exact.mean)).toBeLessThan(4 * final.sem);
  const variance = final.std * final.std;
  expect(Math.abs(variance - exact.variance)).toBeLessThan(4 * exact.variance * Math.sqrt(2 / (final.n - 1)));
}
