/**
 * Atomic output: every file is written to a temporary sibling and renamed into
 * place, so an interrupted run never leaves a half-written file.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let counter = 0;

export function writeAtomic(file: string, content: string | Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = join(dirname(file), `.${process.pid}.${counter++}.tmp`);
  writeFileSync(tmp, content);
  renameSync(tmp, file);
}

export function writeJson(file: string, value: unknown): void {
  writeAtomic(file, JSON.stringify(value, jsonReplacer, 2) + '\n');
}

/** Typed arrays as plain arrays; non-finite numbers as null. */
export function jsonReplacer(_key: string, v: unknown): unknown {
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as unknown as ArrayLike<number>);
  if (typeof v === 'number' && !Number.isFinite(v)) return null;
  return v;
}

/** CSV text from a header and rows; null/undefined/NaN become empty cells. */
export function toCsv(header: string[], rows: Array<Array<string | number | null | undefined>>): string {
  const cell = (v: string | number | null | undefined) => {
    if (v === null || v === undefined) return '';
    if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
    return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
  };
  return [header.join(','), ...rows.map((r) => r.map(cell).join(','))].join('\n') + '\n';
}
