/**
 * Atomic output: every file is written to a temporary sibling and renamed into
 * place, so an interrupted run never leaves a half-written file.
 *
 * CSV output is built in bounded chunks: `toCsv` never holds one string per
 * row next to the rows, and `writeCsvAtomic` streams rows produced on demand
 * to the temporary file, so a 1,000,000-row finals.csv needs memory for one
 * chunk (~1 MB of text), not for the rows and their text (see bench/load.ts).
 */
import { closeSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

let counter = 0;

function tempName(file: string): string {
  return join(dirname(file), `.${process.pid}.${counter++}.tmp`);
}

export function writeAtomic(file: string, content: string | Uint8Array): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = tempName(file);
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

export type CsvCell = string | number | null | undefined;

/** One CSV cell: null/undefined/NaN/±Infinity are empty; strings with `"`, `,` or a newline are quoted. */
export function csvCell(v: CsvCell): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** One CSV line (without the newline). */
export function csvLine(cells: readonly CsvCell[]): string {
  let s = '';
  for (let k = 0; k < cells.length; k++) s += (k > 0 ? ',' : '') + csvCell(cells[k]);
  return s;
}

/** Rows per chunk of CSV text (a few hundred kB for typical rows). */
const CHUNK_ROWS = 8192;

/** CSV text from a header and rows; null/undefined/NaN become empty cells. */
export function toCsv(header: string[], rows: ArrayLike<readonly CsvCell[]>): string {
  // Chunks of joined lines: the text of at most CHUNK_ROWS rows exists as separate strings at a time.
  const chunks: string[] = [csvLine(header) + '\n'];
  for (let i0 = 0; i0 < rows.length; i0 += CHUNK_ROWS) {
    const i1 = Math.min(rows.length, i0 + CHUNK_ROWS);
    const lines = new Array<string>(i1 - i0 + 1);
    for (let i = i0; i < i1; i++) lines[i - i0] = csvLine(rows[i]);
    lines[i1 - i0] = '';
    chunks.push(lines.join('\n'));
  }
  return chunks.join('');
}

/**
 * Write a CSV file atomically, streaming: `row(i)` is called for i = 0 … count − 1
 * and its line goes to the temporary file in chunks of about 1 MB, so neither
 * the rows nor the whole text are ever held in memory. The file appears under
 * its name only when complete.
 */
export function writeCsvAtomic(file: string, header: readonly string[], count: number, row: (i: number) => readonly CsvCell[]): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = tempName(file);
  const fd = openSync(tmp, 'w');
  let ok = false;
  try {
    let chunk = csvLine(header) + '\n';
    for (let i = 0; i < count; i++) {
      chunk += csvLine(row(i)) + '\n';
      if (chunk.length >= 1 << 20) {
        writeSync(fd, chunk);
        chunk = '';
      }
    }
    if (chunk.length > 0) writeSync(fd, chunk);
    ok = true;
  } finally {
    closeSync(fd);
    if (!ok) rmSync(tmp, { force: true });
  }
  renameSync(tmp, file);
}
