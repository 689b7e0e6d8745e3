/**
 * A writer of Zarr version 2 stores on the local file system, for the fixed
 * layout of an export: groups of uncompressed float64 / int64 arrays, each
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
  /** Chunk shape (default: the whole array in one chunk). */
  chunks?: number[];
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
    chunks: array.chunks ?? array.shape,
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

/** The bytes of the chunk at grid position `at`: full chunk size, C order, padding = fill value (NaN / 0). */
function chunkBytes(array: ZarrArray, chunks: number[], at: number[]): Uint8Array {
  const size = chunks.reduce((a, b) => a * b, 1);
  const float = array.data instanceof Float64Array;
  const out = new DataView(new ArrayBuffer(size * 8));
  if (float) for (let k = 0; k < size; k++) out.setFloat64(k * 8, Number.NaN, true);
  const rank = chunks.length;
  if (chunks.every((c, d) => d === 0 || c === array.shape[d])) {
    // The chunk is a contiguous block of rows: copy it (the usual layout, chunks along the first axis).
    const first = at[0] * size;
    const count = Math.min(size, array.data.length - first);
    for (let k = 0; k < count; k++)
      if (float) out.setFloat64(k * 8, (array.data as Float64Array)[first + k], true);
      else out.setBigInt64(k * 8, (array.data as BigInt64Array)[first + k], true);
    return new Uint8Array(out.buffer);
  }
  const strides = new Array<number>(rank).fill(1);
  for (let d = rank - 2; d >= 0; d--) strides[d] = strides[d + 1] * array.shape[d + 1];
  const index = new Array<number>(rank).fill(0);
  for (let k = 0; k < size; k++) {
    // index = position inside the chunk of element k (C order)
    let rest = k;
    for (let d = rank - 1; d >= 0; d--) {
      index[d] = rest % chunks[d];
      rest = Math.floor(rest / chunks[d]);
    }
    let offset = 0;
    let inside = true;
    for (let d = 0; d < rank; d++) {
      const i = at[d] * chunks[d] + index[d];
      if (i >= array.shape[d]) inside = false;
      offset += i * strides[d];
    }
    if (!inside) continue;
    if (float) out.setFloat64(k * 8, (array.data as Float64Array)[offset], true);
    else out.setBigInt64(k * 8, (array.data as BigInt64Array)[offset], true);
  }
  return new Uint8Array(out.buffer);
}

/** Every chunk grid position of an array, in C order. */
function chunkGrid(shape: number[], chunks: number[]): number[][] {
  const counts = shape.map((n, d) => Math.ceil(n / chunks[d]));
  const out: number[][] = [];
  const total = counts.reduce((a, b) => a * b, 1);
  for (let k = 0; k < total; k++) {
    const at = new Array<number>(counts.length);
    let rest = k;
    for (let d = counts.length - 1; d >= 0; d--) {
      at[d] = rest % counts[d];
      rest = Math.floor(rest / counts[d]);
    }
    out.push(at);
  }
  return out;
}

function check(array: ZarrArray, group: string): void {
  const where = `${group}/${array.name}`;
  const size = array.shape.reduce((a, b) => a * b, 1);
  if (array.dims.length !== array.shape.length)
    throw new Error(`zarr array ${where}: ${array.dims.length} dimension names for ${array.shape.length} axes`);
  if (array.data.length !== size) throw new Error(`zarr array ${where}: ${array.data.length} values for shape [${array.shape.join(', ')}]`);
  const chunks = array.chunks ?? array.shape;
  if (chunks.length !== array.shape.length || chunks.some((c) => !Number.isInteger(c) || c < 1))
    throw new Error(`zarr array ${where}: chunks [${chunks.join(', ')}] do not fit shape [${array.shape.join(', ')}]`);
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
      const chunks = array.chunks ?? array.shape;
      for (const at of chunkGrid(array.shape, chunks))
        files.push({ key: `${prefix}/${at.join('.')}`, content: chunkBytes(array, chunks, at) });
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
