/**
 * The folder layering of src/ (docs/ARCHITECTURE.md): every import — static
 * `import … from`, `export … from`, side-effect `import '…'` and dynamic
 * `import()`, type-only ones included — goes to the same folder, to a folder
 * of the same or a lower layer, and the folders form no cycle. Files directly
 * in src/ (the public API, src/index.ts) sit on top. A folder of src/ that the
 * order does not list fails the test, so a new stage has to be placed in it.
 * Also: nothing outside src/cli/ prints, and no file of the repository refers
 * to the workshop folder outside it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(dirname(new URL(import.meta.url).pathname), '..');

/** Lowest layer first; folders in one inner list share a layer (they may import each other, but not in a cycle). */
const LAYERS: readonly (readonly string[])[] = [
  ['random', 'linalg', 'native'],
  ['stats'],
  ['theory', 'tasks'],
  ['engine'],
  ['kernels'],
  ['potentials', 'observables'],
  ['scenario'],
  ['plan'],
  ['parallel'],
  ['analysis'],
  ['results'],
  ['runs'],
  ['report'],
  ['cli'],
];

/** Folders of ambient declarations (`.d.ts` for untyped dependencies): imported by nobody, importing nothing. */
const AMBIENT: readonly string[] = ['types'];

/** The order as docs/ARCHITECTURE.md writes it: `random, linalg ← stats ← …`. */
const ORDER_TEXT = LAYERS.map((layer) => layer.join(', ')).join(' ← ');

interface SourceFile {
  /** Path relative to the repository root, with forward slashes (`src/engine/simulate.ts`). */
  path: string;
  text: string;
}

interface Violation {
  file: string;
  line: number;
  specifier: string;
  reason: string;
}

const layerOf = new Map<string, number>();
LAYERS.forEach((layer, index) => layer.forEach((folder) => layerOf.set(folder, index)));
const TOP = LAYERS.length;

/** The folder of src/ a path belongs to; '' for files directly in src/ (the public API, on top). */
function folderOf(path: string): string | undefined {
  const parts = path.split('/');
  if (parts[0] !== 'src') return undefined;
  return parts.length === 2 ? '' : parts[1];
}

/** Every module specifier of a TypeScript source with its 1-based line (comments and strings are not imports). */
function importsOf(text: string): { specifier: string; line: number }[] {
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((entry) => ({
    specifier: entry.fileName,
    line: text.slice(0, entry.pos).split('\n').length,
  }));
}

/** Layering violations and folder cycles of a set of src/ files. */
function checkLayers(files: readonly SourceFile[]): Violation[] {
  const violations: Violation[] = [];
  const edges = new Map<string, Map<string, { file: string; line: number; specifier: string }>>();
  for (const file of files) {
    const from = folderOf(file.path);
    if (from === undefined) continue;
    if (from !== '' && !layerOf.has(from) && !AMBIENT.includes(from)) {
      violations.push({
        file: file.path,
        line: 0,
        specifier: '',
        reason: `folder src/${from}/ is not in the layer order (${ORDER_TEXT}); place it there and in docs/ARCHITECTURE.md`,
      });
      continue;
    }
    for (const { specifier, line } of importsOf(file.text)) {
      if (!specifier.startsWith('.')) continue; // a package
      const target = posix.normalize(posix.join(posix.dirname(file.path), specifier));
      const to = folderOf(target);
      if (to === undefined) {
        violations.push({ file: file.path, line, specifier, reason: `imports ${target}, outside src/` });
        continue;
      }
      if (to === from) continue;
      if (AMBIENT.includes(from) || AMBIENT.includes(to)) {
        violations.push({
          file: file.path,
          line,
          specifier,
          reason: `src/${AMBIENT.includes(from) ? from : to}/ holds ambient declarations: nothing imports it and it imports nothing`,
        });
        continue;
      }
      if (to === '') {
        violations.push({ file: file.path, line, specifier, reason: `imports the public API (${target}), which sits above every folder` });
        continue;
      }
      if (!layerOf.has(to)) {
        violations.push({
          file: file.path,
          line,
          specifier,
          reason: `imports src/${to}/, a folder not in the layer order (${ORDER_TEXT})`,
        });
        continue;
      }
      const fromLayer = from === '' ? TOP : layerOf.get(from)!;
      const toLayer = layerOf.get(to)!;
      if (toLayer > fromLayer) {
        violations.push({
          file: file.path,
          line,
          specifier,
          reason: `upward import: src/${from}/ (layer ${fromLayer}) imports src/${to}/ (layer ${toLayer}); the order is ${ORDER_TEXT}`,
        });
        continue;
      }
      if (from === '') continue;
      let out = edges.get(from);
      if (!out) edges.set(from, (out = new Map()));
      if (!out.has(to)) out.set(to, { file: file.path, line, specifier });
    }
  }
  // Cycles between folders of one layer (imports across layers only go down, so cannot close a cycle).
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (folder: string): void => {
    state.set(folder, 'open');
    stack.push(folder);
    for (const [next, where] of edges.get(folder) ?? []) {
      if (state.get(next) === 'open') {
        const cycle = [...stack.slice(stack.indexOf(next)), next];
        violations.push({
          file: where.file,
          line: where.line,
          specifier: where.specifier,
          reason: `folder cycle ${cycle.map((f) => `src/${f}/`).join(' → ')}`,
        });
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(folder, 'done');
  };
  for (const folder of [...edges.keys()].sort()) if (!state.has(folder)) visit(folder);
  return violations;
}

/** Calls that print (`console.*`, `process.stdout.write`, `process.stderr.write`) in a source, with 1-based lines; comments do not count. */
function printCalls(path: string, text: string): { line: number; call: string }[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true);
  const found: { line: number; call: string }[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isPropertyAccessExpression(node)) {
      const call = node.getText(source);
      if (/^console\.\w+$/.test(call) || /^process\.(stdout|stderr)\.write$/.test(call))
        found.push({ line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1, call });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function format(violations: readonly Violation[]): string {
  return violations.map((v) => `${v.file}${v.line ? `:${v.line}` : ''}${v.specifier ? ` '${v.specifier}'` : ''}: ${v.reason}`).join('\n');
}

function walk(dir: string, skip: ReadonlySet<string>, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (skip.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, skip, out);
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

const toRepoPath = (path: string) => relative(root, path).split(sep).join('/');

function sourceFiles(): SourceFile[] {
  return walk(join(root, 'src'), new Set())
    .filter((path) => path.endsWith('.ts'))
    .map((path) => ({ path: toRepoPath(path), text: readFileSync(path, 'utf8') }));
}

describe('architecture: folder layering of src/', () => {
  it('has no upward import, no folder cycle and no unlisted folder', () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(100);
    const folders = readdirSync(join(root, 'src'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    const unlisted = folders.filter((folder) => !layerOf.has(folder) && !AMBIENT.includes(folder));
    expect(unlisted, `folders of src/ not in the order ${ORDER_TEXT}`).toEqual([]);
    const violations = checkLayers(files);
    expect(violations, format(violations)).toEqual([]);
  });

  it('keeps ambient declaration folders to .d.ts files', () => {
    for (const folder of AMBIENT) {
      const dir = join(root, 'src', folder);
      if (!existsSync(dir)) continue;
      const other = walk(dir, new Set())
        .filter((path) => !path.endsWith('.d.ts'))
        .map(toRepoPath);
      expect(other, `src/${folder}/ holds only ambient declarations`).toEqual([]);
    }
  });

  it('parses static, re-export, side-effect, type-only and dynamic imports, not comments or strings', () => {
    const text = [
      "import { a } from './a.js';",
      "export * from './b.js';",
      "export type { C } from './c.js';",
      "import type { D } from './d.js';",
      "import './e.js';",
      "const f = await import('./f.js');",
      "// import { g } from './g.js';",
      'const h = "import(\'./h.js\')";',
    ].join('\n');
    expect(importsOf(text)).toEqual([
      { specifier: './a.js', line: 1 },
      { specifier: './b.js', line: 2 },
      { specifier: './c.js', line: 3 },
      { specifier: './d.js', line: 4 },
      { specifier: './e.js', line: 5 },
      { specifier: './f.js', line: 6 },
    ]);
  });

  it('detects a synthetic upward import, naming the file and the import (negative control)', () => {
    const files: SourceFile[] = [
      {
        path: 'src/engine/simulate.ts',
        text: "import { x } from '../random/rng.js';\nimport type { Scenario } from '../scenario/types.js';\n",
      },
      { path: 'src/random/rng.ts', text: 'export const x = 1;\n' },
      { path: 'src/scenario/types.ts', text: "export { x } from '../engine/simulate.js';\n" },
    ];
    const violations = checkLayers(files);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ file: 'src/engine/simulate.ts', line: 2, specifier: '../scenario/types.js' });
    expect(violations[0].reason).toMatch(/upward import: src\/engine\/ .* imports src\/scenario\//);
  });

  it('detects a synthetic dynamic upward import and an import of the public API', () => {
    const violations = checkLayers([
      { path: 'src/stats/tests.ts', text: "const m = await import('../analysis/summary.js');\n" },
      { path: 'src/cli/main.ts', text: "import { run } from '../index.js';\n" },
    ]);
    expect(violations.map((v) => [v.file, v.specifier])).toEqual([
      ['src/stats/tests.ts', '../analysis/summary.js'],
      ['src/cli/main.ts', '../index.js'],
    ]);
  });

  it('detects a synthetic cycle between two folders of one layer', () => {
    const violations = checkLayers([
      { path: 'src/theory/toy-addition.ts', text: "import { additionSamples } from '../tasks/toy-addition.js';\n" },
      { path: 'src/tasks/toy-addition.ts', text: "import { symmetricEigen } from '../theory/toy-addition.js';\n" },
    ]);
    expect(violations).toHaveLength(1);
    expect(violations[0].reason).toMatch(/folder cycle src\/(tasks|theory)\/ → src\/(tasks|theory)\/ → src\/(tasks|theory)\//);
  });

  it('detects a synthetic folder that the order does not list', () => {
    const violations = checkLayers([{ path: 'src/utilities/misc.ts', text: '' }]);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ file: 'src/utilities/misc.ts' });
    expect(violations[0].reason).toMatch(/not in the layer order/);
  });

  it('nothing below cli/ prints', () => {
    const printing = sourceFiles()
      .filter((file) => folderOf(file.path) !== 'cli')
      .flatMap((file) => printCalls(file.path, file.text).map((hit) => `${file.path}:${hit.line} ${hit.call}`));
    expect(printing, printing.join('\n')).toEqual([]);
  });

  it('detects a synthetic print call and ignores one in a comment (negative control)', () => {
    const text = "// console.log('in a comment')\nexport function f(): void {\n  process.stderr.write('x');\n  console.warn('y');\n}\n";
    expect(printCalls('src/engine/simulate.ts', text)).toEqual([
      { line: 3, call: 'process.stderr.write' },
      { line: 4, call: 'console.warn' },
    ]);
  });

  it('docs/ARCHITECTURE.md states the same order', () => {
    const doc = readFileSync(join(root, 'docs', 'ARCHITECTURE.md'), 'utf8');
    expect(doc).toContain(ORDER_TEXT);
  });
});

describe('architecture: the repository stands alone', () => {
  it('no file refers to the workshop folder outside the repository', () => {
    // Built from parts so that this file does not match itself.
    const patterns = [['..', 'shared'].join('/'), ['', 'work', 'shared'].join('/')];
    const skip = new Set(['node_modules', '.git', 'dist', 'output']);
    const hits: string[] = [];
    for (const path of walk(root, skip)) {
      if (statSync(path).size > 4_000_000) continue;
      const text = readFileSync(path, 'latin1');
      for (const pattern of patterns) if (text.includes(pattern)) hits.push(`${toRepoPath(path)} mentions ${pattern}`);
    }
    expect(hits, hits.join('\n')).toEqual([]);
  });
});
