/**
 * The data of a figure as CSV: the inline datasets of its Vega-Lite spec
 * (`data.values` at any level — top, layers, concatenated views — and the
 * named `datasets`), flattened to one table. One dataset: its rows as they
 * are. Several: a first column `dataset` names the one a row comes from
 * (`data` for the top level, `layer-<i>` for layer i, nested as
 * `layer-1/layer-2`, a `datasets` entry by its name), the other columns are
 * the union of the datasets' fields in first-appearance order.
 */
import { toCsv, type CsvCell } from '../results/write.js';
import type { VegaLiteSpec } from './plots/types.js';

/** One inline dataset of a spec. */
export interface SpecDataset {
  /** Where it sits in the spec: `data`, `layer-2`, `hconcat-1/layer-0`, or the `datasets` key. */
  name: string;
  rows: unknown[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const CHILDREN = ['layer', 'hconcat', 'vconcat', 'concat'] as const;

/** Every inline dataset of a spec, in document order; the same array reached twice is listed once. */
export function specDatasets(spec: VegaLiteSpec): SpecDataset[] {
  const out: SpecDataset[] = [];
  const seen = new Set<unknown>();
  const add = (name: string, rows: unknown) => {
    if (!Array.isArray(rows) || seen.has(rows)) return;
    seen.add(rows);
    out.push({ name, rows });
  };
  const walk = (node: Obj, path: string) => {
    if (isObj(node.datasets)) for (const [k, v] of Object.entries(node.datasets)) add(k, v);
    if (isObj(node.data) && 'values' in node.data) add(path || 'data', node.data.values);
    if (isObj(node.spec)) walk(node.spec, path ? `${path}/spec` : 'spec');
    for (const key of CHILDREN) {
      const list = node[key];
      if (Array.isArray(list)) list.forEach((child, i) => isObj(child) && walk(child, `${path ? `${path}/` : ''}${key}-${i}`));
    }
  };
  walk(spec as unknown as Obj, '');
  return out;
}

const cell = (v: unknown): CsvCell =>
  v === null || v === undefined
    ? null
    : typeof v === 'number' || typeof v === 'string'
      ? v
      : typeof v === 'boolean'
        ? String(v)
        : v instanceof Date
          ? v.toISOString()
          : JSON.stringify(v);

/** The CSV text of a spec's inline data (header line first; an empty header when the spec has no inline data). */
export function figureCsv(spec: VegaLiteSpec): string {
  const sets = specDatasets(spec);
  const several = sets.length > 1;
  const columns: string[] = [];
  const known = new Set<string>();
  // A primitive row is Vega-Lite's {data: value}.
  const record = (r: unknown): Obj => (isObj(r) ? r : { data: r });
  for (const s of sets)
    for (const r of s.rows)
      for (const k of Object.keys(record(r)))
        if (!known.has(k)) {
          known.add(k);
          columns.push(k);
        }
  const rows: CsvCell[][] = [];
  for (const s of sets)
    for (const r of s.rows) {
      const rec = record(r);
      const values = columns.map((k) => cell(rec[k]));
      rows.push(several ? [s.name, ...values] : values);
    }
  const header = several ? ['dataset', ...columns] : columns;
  return toCsv(header, rows);
}
