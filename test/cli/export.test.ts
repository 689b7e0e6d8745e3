/**
 * `stochdyn export --format zarr` through the compiled CLI: a small sampling
 * run is exported and the store is read back from its JSON metadata and raw
 * chunks (values equal chains.csv's, bit for bit); the error cases; the Zarr
 * writer's chunking; and the Python recipes of docs/python.md, which must
 * quote test/python/arviz_recipes.py verbatim and, where ArviZ is installed,
 * reproduce summary.json's ESS and R-hat from chains.csv and from the store.
 *
 * Run alone with
 *   npx tsc -p tsconfig.json && npx vitest run test/cli/export.test.ts
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeZarrV2 } from '../../src/results/zarr-v2.js';
import { ROOT, runCli, tempDir } from '../helpers.js';

const SCENARIO = `name: export-sampling
seed: 5
potential: { kind: double-well, params: { h: 1.0 } }
dynamics: { integrator: sgld, lr: 0.01, temperature: 0.5, steps: 3000 }
ensemble: { replicas: 6, init: { kind: point, x: [-1.0] } }
observe:
  grid: { kind: linear, points: 10 }
  observables: [x, energy]
  histograms: [{ of: x, bins: 20, range: [-2, 2] }]
sampling: { burn_in: 1000, thin: 10, chains: [energy, x] }
`;

let TMP: string;
let RUN: string;
let PLAIN: string;
let counter = 0;
const fresh = (label: string) => join(TMP, `${label}-${++counter}`);

const readJson = (file: string): any => JSON.parse(readFileSync(file, 'utf8'));

/** chains.csv as {header, rows} of cells. */
function chainsCsv(dir: string): { header: string[]; rows: string[][] } {
  const lines = readFileSync(join(dir, 'chains.csv'), 'utf8').split('\n').filter(Boolean);
  return { header: lines[0].split(','), rows: lines.slice(1).map((l) => l.split(',')) };
}

/** The values of a store's array, read from its `.zarray` and raw chunks (C order, little endian), cut to its shape. */
function readArray(store: string, key: string): { meta: any; values: number[] } {
  const meta = readJson(join(store, key, '.zarray'));
  const [rows, ...rest] = meta.chunks as number[];
  const rowSize = rest.reduce((a, b) => a * b, 1);
  const values: number[] = [];
  for (let c = 0; c * rows < meta.shape[0]; c++) {
    const name = [c, ...rest.map(() => 0)].join('.');
    const bytes = readFileSync(join(store, key, name));
    expect(bytes.length, `${key}/${name}`).toBe(rows * rowSize * 8);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let k = 0; k < rows * rowSize; k++)
      values.push(meta.dtype === '<f8' ? view.getFloat64(k * 8, true) : Number(view.getBigInt64(k * 8, true)));
  }
  return {
    meta,
    values: values.slice(
      0,
      meta.shape.reduce((a: number, b: number) => a * b, 1),
    ),
  };
}

/** Every file of a store as a key relative to it (`posterior/x/.zarray`). */
function storeKeys(store: string, prefix = ''): string[] {
  return readdirSync(join(store, prefix), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? storeKeys(store, join(prefix, e.name)) : [join(prefix, e.name)],
  );
}

beforeAll(() => {
  TMP = tempDir('export');
  writeFileSync(join(TMP, 'sampling.yaml'), SCENARIO);
  RUN = join(TMP, 'run');
  let r = runCli(['run', join(TMP, 'sampling.yaml'), '--out', RUN, '--no-report', '--workers', '0', '--quiet']);
  expect(r.status, r.stderr).toBe(0);
  writeFileSync(join(TMP, 'plain.yaml'), SCENARIO.replace(/^sampling:.*\n/m, ''));
  PLAIN = join(TMP, 'plain');
  r = runCli(['run', join(TMP, 'plain.yaml'), '--out', PLAIN, '--no-report', '--workers', '0', '--quiet']);
  expect(r.status, r.stderr).toBe(0);
});

afterAll(() => {
  if (TMP) rmSync(TMP, { recursive: true, force: true });
});

describe('stochdyn export --format zarr', () => {
  it('writes posterior and sample_stats with the values of chains.csv, the xarray dimensions and consolidated metadata', () => {
    const r = runCli(['export', RUN, '--format', 'zarr', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const store = join(RUN, 'inference-data.zarr');
    expect(JSON.parse(r.stdout)).toEqual({ store, chains: 6, draws: 201, posterior: ['energy', 'x'], sampleStats: ['energy'] });

    const summary = readJson(join(RUN, 'summary.json'));
    const root = readJson(join(store, '.zattrs'));
    expect(root).toMatchObject({
      scenario: 'export-sampling',
      seed: 5,
      run_id: summary.run.id,
      stochdyn_version: summary.stochdyn.version,
      source: RUN,
      inference_library: 'stochdyn',
    });
    expect(readJson(join(store, '.zgroup'))).toEqual({ zarr_format: 2 });

    // Consolidated metadata: every metadata file of the store, with the same content.
    const consolidated = readJson(join(store, '.zmetadata'));
    expect(consolidated.zarr_consolidated_format).toBe(1);
    const metadataFiles = storeKeys(store).filter((k) => /(^|\/)\.z(group|attrs|array)$/.test(k));
    expect(Object.keys(consolidated.metadata).sort()).toEqual(metadataFiles.sort());
    for (const key of metadataFiles) expect(consolidated.metadata[key], key).toEqual(readJson(join(store, key)));

    const csv = chainsCsv(RUN);
    expect(csv.header).toEqual(['replica', 'sample', 'step', 'energy', 'x']);
    for (const group of ['posterior', 'sample_stats']) {
      expect(readJson(join(store, group, '.zgroup'))).toEqual({ zarr_format: 2 });
      const chain = readArray(store, `${group}/chain`);
      expect(chain.meta).toMatchObject({
        dtype: '<i8',
        shape: [6],
        fill_value: null,
        compressor: null,
        filters: null,
        order: 'C',
        zarr_format: 2,
      });
      expect(chain.values).toEqual([0, 1, 2, 3, 4, 5]);
      expect(readJson(join(store, group, 'chain', '.zattrs'))._ARRAY_DIMENSIONS).toEqual(['chain']);
      const draw = readArray(store, `${group}/draw`);
      expect(draw.values).toEqual(Array.from({ length: 201 }, (_, d) => d));
      expect(readJson(join(store, group, 'draw', '.zattrs'))._ARRAY_DIMENSIONS).toEqual(['draw']);
    }
    const variables = { 'posterior/energy': 3, 'posterior/x': 4, 'sample_stats/energy': 3 };
    for (const [key, column] of Object.entries(variables)) {
      const { meta, values } = readArray(store, key);
      expect(meta).toMatchObject({ dtype: '<f8', shape: [6, 201], fill_value: 'NaN', zarr_format: 2 });
      expect(readJson(join(store, key, '.zattrs'))._ARRAY_DIMENSIONS).toEqual(['chain', 'draw']);
      // chains.csv is replica-major with samples in order: the row order of a (chain, draw) C-order array.
      expect(values, key).toEqual(csv.rows.map((row) => Number(row[column])));
    }
    expect(existsSync(join(store, 'sample_stats', 'x'))).toBe(false);
    expect(readJson(join(store, 'posterior', '.zattrs'))).toMatchObject({
      burn_in: 1000,
      thin: 10,
      first_sample_step: 1000,
      last_sample_step: 3000,
    });
  });

  it('keeps the replica indices of a partial run and writes empty cells as NaN; no sample_stats without an energy chain', () => {
    const dir = fresh('partial');
    mkdirSync(dir);
    cpSync(join(RUN, 'summary.json'), join(dir, 'summary.json'));
    // Replicas 0, 2 and 5 only, replica 2 diverged after sample 150, and the x chain alone.
    const csv = chainsCsv(RUN);
    const rows = csv.rows
      .filter((row) => ['0', '2', '5'].includes(row[0]))
      .map((row) => [row[0], row[1], row[2], row[0] === '2' && Number(row[1]) > 150 ? '' : row[4]]);
    writeFileSync(join(dir, 'chains.csv'), ['replica,sample,step,x', ...rows.map((row) => row.join(','))].join('\n') + '\n');
    const r = runCli(['export', dir, '--out', join(dir, 'x.zarr')]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('3 chains × 201 draws; posterior: x; no sample_stats');
    const store = join(dir, 'x.zarr');
    expect(readArray(store, 'posterior/chain').values).toEqual([0, 2, 5]);
    const x = readArray(store, 'posterior/x').values;
    expect(x.map((v) => Number.isNaN(v))).toEqual(rows.map((row) => row[3] === ''));
    expect(x.filter((v) => !Number.isNaN(v))).toEqual(rows.filter((row) => row[3] !== '').map((row) => Number(row[3])));
    expect(existsSync(join(store, 'sample_stats'))).toBe(false);
    expect(Object.keys(readJson(join(store, '.zmetadata')).metadata).some((k) => k.startsWith('sample_stats/'))).toBe(false);
  });

  it('refuses an existing output unless --force, and never replaces what is not a Zarr store', () => {
    const out = fresh('store');
    expect(runCli(['export', RUN, '--out', out]).status).toBe(0);
    const before = readFileSync(join(out, '.zattrs'), 'utf8');
    let r = runCli(['export', RUN, '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${out} exists`);
    expect(r.stderr).toContain('--force');
    expect(readFileSync(join(out, '.zattrs'), 'utf8')).toBe(before);
    writeFileSync(join(out, 'stale'), 'left from before');
    r = runCli(['export', RUN, '--out', out, '--force']);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(out, 'stale'))).toBe(false);
    expect(existsSync(join(out, 'posterior', 'x', '0.0'))).toBe(true);

    const other = fresh('not-a-store');
    mkdirSync(other);
    writeFileSync(join(other, 'notes.txt'), 'keep me');
    r = runCli(['export', RUN, '--out', other, '--force']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${other} exists and is not a Zarr store`);
    expect(readFileSync(join(other, 'notes.txt'), 'utf8')).toBe('keep me');
  });

  it('rejects an unknown format, a run without chains, a directory that is not a run and a malformed chains.csv', () => {
    let r = runCli(['export', RUN, '--format', 'csv']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("unknown --format 'csv': expected one of zarr");

    r = runCli(['export', PLAIN]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${join(PLAIN, 'chains.csv')}: not found`);
    expect(r.stderr).toContain('sampling:');
    expect(existsSync(join(PLAIN, 'inference-data.zarr'))).toBe(false);

    r = runCli(['export', TMP]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${TMP}: no summary.json`);

    const bad = fresh('malformed');
    mkdirSync(bad);
    cpSync(join(RUN, 'summary.json'), join(bad, 'summary.json'));
    const lines = readFileSync(join(RUN, 'chains.csv'), 'utf8').split('\n');
    lines[5] = lines[5].replace(/,[^,]*$/, ',abc');
    writeFileSync(join(bad, 'chains.csv'), lines.join('\n'));
    r = runCli(['export', bad]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${join(bad, 'chains.csv')}:6: column x: expected a number or an empty cell, found "abc"`);
    expect(existsSync(join(bad, 'inference-data.zarr'))).toBe(false);
  });

  it('is listed in stochdyn --help, and its help shows examples', () => {
    expect(runCli(['--help']).stdout).toMatch(/^ {2}export /m);
    const help = runCli(['export', '--help']);
    expect(help.status).toBe(0);
    for (const text of ['--format', '--out', '--force', '--json', 'Examples:', '$ stochdyn export ']) expect(help.stdout).toContain(text);
  });
});

describe('writeZarrV2', () => {
  it('chunks along the first axis and pads the last chunk with the fill value', () => {
    const store = fresh('chunks');
    const data = Float64Array.from({ length: 5 * 3 }, (_, k) => k + 0.5);
    writeZarrV2(store, {
      attrs: {},
      groups: [{ name: 'g', attrs: {}, arrays: [{ name: 'v', dims: ['a', 'b'], shape: [5, 3], chunkRows: 2, data }] }],
    });
    expect(readJson(join(store, 'g', 'v', '.zarray')).chunks).toEqual([2, 3]);
    expect(readdirSync(join(store, 'g', 'v')).sort()).toEqual(['.zarray', '.zattrs', '0.0', '1.0', '2.0']);
    const last = readFileSync(join(store, 'g', 'v', '2.0'));
    const view = new DataView(last.buffer, last.byteOffset, last.byteLength);
    const values = Array.from({ length: 6 }, (_, k) => view.getFloat64(k * 8, true));
    expect(values.slice(0, 3)).toEqual([12.5, 13.5, 14.5]);
    expect(values.slice(3).every(Number.isNaN)).toBe(true);
    expect(readArray(store, 'g/v').values).toEqual(Array.from(data));
  });
});

/** The Python interpreter to try: the repository's .venv-python when present, else python3. */
const PYTHON = existsSync(join(ROOT, '.venv-python', 'bin', 'python3')) ? join(ROOT, '.venv-python', 'bin', 'python3') : 'python3';
const SCRIPT = join(ROOT, 'test', 'python', 'arviz_recipes.py');

/**
 * Why the recipes cannot run in {@link PYTHON}: `recipes`, the error of importing
 * arviz, xarray and pandas, `zarr` that of importing zarr (null when they import).
 */
function importErrors(): { recipes: string | null; zarr: string | null } {
  const probe = `
import json
def error(modules):
    try:
        for m in modules:
            __import__(m)
    except Exception as e:
        return f"{type(e).__name__}: {e}"
print(json.dumps({"recipes": error(["arviz", "xarray", "pandas"]), "zarr": error(["zarr"])}))`;
  const r = spawnSync(PYTHON, ['-c', probe], { encoding: 'utf8' });
  if (r.error) return { recipes: r.error.message, zarr: r.error.message };
  if (r.status !== 0) return { recipes: r.stderr.trim().split('\n').pop()!, zarr: null };
  return JSON.parse(r.stdout);
}

describe('the Python recipes of docs/python.md', () => {
  it('docs/python.md quotes every recipe of test/python/arviz_recipes.py verbatim', () => {
    const script = readFileSync(SCRIPT, 'utf8');
    const doc = readFileSync(join(ROOT, 'docs', 'python.md'), 'utf8');
    const recipes = [...script.matchAll(/^# recipe: (.+)\n([\s\S]*?)^# end recipe$/gm)];
    expect(recipes.map((m) => m[1])).toEqual(['summary', 'run files', 'chains.csv to ArviZ', 'diagnostics', 'plots', 'zarr store']);
    for (const [, name, body] of recipes) expect(doc, `recipe '${name}'`).toContain(body.trimEnd());
  });

  it('ArviZ reproduces summary.json ESS and R-hat from chains.csv and from the exported store', () => {
    const missing = importErrors();
    if (missing.recipes !== null) {
      console.warn(`Python recipes not run: ${PYTHON} cannot import arviz, xarray, pandas (${missing.recipes})`);
      return;
    }
    const zarrMissing = missing.zarr;
    if (zarrMissing !== null)
      console.warn(`Zarr recipe not run: ${PYTHON} cannot import zarr (${zarrMissing}); the chains.csv recipes run`);
    const store = fresh('python-store');
    expect(runCli(['export', RUN, '--out', store]).status).toBe(0);
    const r = spawnSync(PYTHON, [SCRIPT, RUN, store], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect(line, r.stdout).toBeDefined();
    const result = JSON.parse(line!.slice('RESULT '.length));
    const sources = zarrMissing === null ? ['csv', 'zarr'] : ['csv'];
    expect(Object.keys(result)).toEqual(['energy', 'x']);
    for (const [name, values] of Object.entries<any>(result)) {
      expect(Object.keys(values).sort()).toEqual([...sources, 'summary'].sort());
      for (const source of sources)
        for (const quantity of ['ess', 'rhat']) {
          const expected = values.summary[quantity];
          expect(Number.isFinite(expected)).toBe(true);
          expect(Math.abs(values[source][quantity] / expected - 1), `${name} ${quantity} from ${source}`).toBeLessThan(1e-6);
        }
    }
  });
});
