/**
 * A writer of Zarr version 2 stores on the local file system, for the fixed
 * layout of an export: groups of uncompressed float64 / int64 arrays chunked
 * along their first axis only (a chunk holds whole rows), each
 * with the xarray dimension attribute `_ARRAY_DIMENSIONS`, and consolidated
 * metadata (`.zmetadata`) at the root. Format: the Zarr storage specification
 * version 2 (`.zgroup`, `.zarray`, `.zattrs`, chunk keys `i.j` holding the raw
 * little-endian values of a full chunk in C order, edge chunks padded with the
 * fill value).
 *
 * Own code rather than a package: the maintained JavaScript Zarr library
 * (zarrita) creates version 3 arrays only and reads consolidated metadata but
 * does not write it, while ArviZ's `from_zarr` needs a version 2 store
 * (docs/dependencies.md).
 */
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** One array of a group: float64 (NaN fill) or int64 (no fill value). */
export interface ZarrArray {
  name: string;
  /** Dimension names, one per axis (xarray's `_ARRAY_DIMENSIONS`). */
  dims: string[];
  shape: number[];
  /** Rows (along the first axis) per chunk; a chunk holds whole rows (default: the whole array in one chunk). */
  chunkRows?: number;
  /** Values in C order: a Float64Array is stored as `<f8`, a BigInt64Array as `<i8`. */
  data: Float64Array | BigInt64Array;
  attrs?: Record<string, unknown>;
}

/** One group below the root. */
export interface ZarrGroup {
  name: string;
  attrs: Record<string, unknown>;
  arrays: ZarrArray[];
}

/** A whole store: the root's attributes and its groups. */
export interface ZarrStore {
  attrs: Record<string, unknown>;
  groups: ZarrGroup[];
}

type Json = Record<string, unknown>;

/** `.zarray` of an array (Zarr v2 array metadata). */
function arrayMetadata(array: ZarrArray): Json {
  const float = array.data instanceof Float64Array;
  return {
    chunks: [array.chunkRows ?? array.shape[0], ...array.shape.slice(1)],
    compressor: null,
    dimension_separator: '.',
    dtype: float ? '<f8' : '<i8',
    fill_value: float ? 'NaN' : null,
    filters: null,
    order: 'C',
    shape: array.shape,
    zarr_format: 2,
  };
}

/**
 * The bytes of chunk `index` along the first axis: full chunk size, C order,
 * the rows past the end padded with the fill value (NaN; 0 for int64).
 */
function chunkBytes(array: ZarrArray, rows: number, index: number): Uint8Array {
  const rowSize = array.shape.slice(1).reduce((a, b) => a * b, 1);
  const size = rows * rowSize;
  const out = new DataView(new ArrayBuffer(size * 8));
  const first = index * size;
  const count = Math.min(size, array.data.length - first);
  if (array.data instanceof Float64Array) {
    for (let k = 0; k < count; k++) out.setFloat64(k * 8, array.data[first + k], true);
    for (let k = count; k < size; k++) out.setFloat64(k * 8, Number.NaN, true);
  } else for (let k = 0; k < count; k++) out.setBigInt64(k * 8, array.data[first + k], true);
  return new Uint8Array(out.buffer);
}

function check(array: ZarrArray, group: string): void {
  const where = `${group}/${array.name}`;
  const size = array.shape.reduce((a, b) => a * b, 1);
  if (array.dims.length !== array.shape.length)
    throw new Error(`zarr array ${where}: ${array.dims.length} dimension names for ${array.shape.length} axes`);
  if (array.data.length !== size) throw new Error(`zarr array ${where}: ${array.data.length} values for shape [${array.shape.join(', ')}]`);
  const rows = array.chunkRows ?? array.shape[0];
  if (array.shape.length === 0 || array.shape.some((n) => !Number.isInteger(n) || n < 1) || !Number.isInteger(rows) || rows < 1)
    throw new Error(
      `zarr array ${where}: expected a shape of positive integers and chunk rows ≥ 1, found shape [${array.shape.join(', ')}], ${rows} rows per chunk`,
    );
}

/**
 * Write `store` as a Zarr v2 directory at `path`. The store is built in a
 * temporary sibling directory and renamed into place, so `path` is either a
 * complete store or absent; an existing `path` is replaced only with
 * `replace` (the caller decides what may be replaced).
 */
export function writeZarrV2(path: string, store: ZarrStore, options: { replace?: boolean } = {}): void {
  const consolidated: Json = {};
  const files: Array<{ key: string; content: string | Uint8Array }> = [];
  const json = (key: string, value: Json) => {
    consolidated[key] = value;
    files.push({ key, content: JSON.stringify(value, null, 2) + '\n' });
  };
  json('.zgroup', { zarr_format: 2 });
  json('.zattrs', store.attrs);
  for (const group of store.groups) {
    json(`${group.name}/.zgroup`, { zarr_format: 2 });
    json(`${group.name}/.zattrs`, group.attrs);
    for (const array of group.arrays) {
      check(array, group.name);
      const prefix = `${group.name}/${array.name}`;
      json(`${prefix}/.zarray`, arrayMetadata(array));
      json(`${prefix}/.zattrs`, { ...array.attrs, _ARRAY_DIMENSIONS: array.dims });
      const rows = array.chunkRows ?? array.shape[0];
      const zeros = array.shape
        .slice(1)
        .map(() => '.0')
        .join('');
      for (let c = 0; c * rows < array.shape[0]; c++) files.push({ key: `${prefix}/${c}${zeros}`, content: chunkBytes(array, rows, c) });
    }
  }
  files.push({ key: '.zmetadata', content: JSON.stringify({ metadata: consolidated, zarr_consolidated_format: 1 }, null, 2) + '\n' });

  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  rmSync(tmp, { recursive: true, force: true });
  try {
    for (const file of files) {
      const target = join(tmp, ...file.key.split('/'));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.content);
    }
    if (existsSync(path)) {
      if (!options.replace) throw new Error(`${path} exists`);
      rmSync(path, { recursive: true, force: true });
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}
