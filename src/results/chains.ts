/**
 * chains.csv of a run directory read back into arrays: one chain per replica,
 * one draw per sample (docs/outputs.md "chains.csv"). The reader of the export
 * (src/results/export-zarr.ts); every malformed file is a {@link ResultDirError}
 * naming the file, the line and what was expected.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCsv, ResultDirError } from './read.js';

/** chains.csv as arrays: `values[k]` holds observable `names[k]` row-major over (chain, draw). */
export interface ChainTable {
  /** The file read. */
  file: string;
  /** Chain observables, in column order. */
  names: string[];
  /** Replica index of each chain, in file order (a partial run has gaps). */
  replicas: number[];
  /** Draws (samples) per chain. */
  draws: number;
  /** Integrator step of each draw. */
  steps: number[];
  /** Per observable: chains × draws values, NaN for an empty cell (after a divergence). */
  values: Float64Array[];
}

const LEADING = ['replica', 'sample', 'step'];

/** An integer cell (≥ 0), or a ResultDirError naming the file, line and column. */
function integerCell(file: string, line: number, column: string, cell: string | undefined): number {
  const v = cell === undefined || cell.trim() === '' ? Number.NaN : Number(cell);
  if (!Number.isInteger(v) || v < 0)
    throw new ResultDirError(`${file}:${line}: column ${column}: expected a non-negative integer, found ${JSON.stringify(cell ?? '')}`);
  return v;
}

/**
 * Read `<dir>/chains.csv`. Absent (a run without a `sampling:` section) or
 * malformed — another header, rows not grouped by replica, replicas with
 * different samples or steps, a cell that is not a number — is a
 * {@link ResultDirError} that says which file and what was expected.
 */
export function readChainTable(dir: string): ChainTable {
  const file = join(dir, 'chains.csv');
  if (!existsSync(file))
    throw new ResultDirError(
      `${file}: not found — expected the per-sample chains that a run with a \`sampling:\` section writes (replica,sample,step,<chain observable …>); run the scenario with a sampling: section (docs/sampling.md)`,
    );
  const table = parseCsv(readFileSync(file, 'utf8'));
  const header = table.header;
  if (header.length <= LEADING.length || LEADING.some((h, k) => header[k] !== h))
    throw new ResultDirError(
      `${file}:1: expected the header replica,sample,step,<chain observable …> with at least one observable, found ${JSON.stringify(header.join(','))}`,
    );
  const names = header.slice(LEADING.length);
  const rows = table.rows;
  if (rows.length === 0) throw new ResultDirError(`${file}: expected one row per replica per sample, found no rows`);
  // Draws per chain: the rows of the first replica (sample 0, 1, …).
  const firstReplica = integerCell(file, 2, 'replica', rows[0][0]);
  let draws = 0;
  while (draws < rows.length && rows[draws][0] === rows[0][0]) draws++;
  if (rows.length % draws !== 0)
    throw new ResultDirError(
      `${file}: expected the same number of samples for every replica (${draws} for replica ${firstReplica}), found ${rows.length} rows, not a multiple of ${draws}`,
    );
  const chains = rows.length / draws;
  const steps: number[] = [];
  const replicas: number[] = [];
  const values = names.map(() => new Float64Array(chains * draws));
  for (let c = 0; c < chains; c++) {
    const replica = integerCell(file, c * draws + 2, 'replica', rows[c * draws][0]);
    if (c > 0 && replica <= replicas[c - 1])
      throw new ResultDirError(
        `${file}:${c * draws + 2}: expected replicas in increasing order with ${draws} samples each, found replica ${replica} after replica ${replicas[c - 1]}`,
      );
    replicas.push(replica);
    for (let d = 0; d < draws; d++) {
      const i = c * draws + d;
      const line = i + 2;
      const row = rows[i];
      if (row.length !== header.length)
        throw new ResultDirError(`${file}:${line}: expected ${header.length} cells (as the header), found ${row.length}`);
      if (integerCell(file, line, 'replica', row[0]) !== replica)
        throw new ResultDirError(
          `${file}:${line}: expected replica ${replica} (every replica has ${draws} samples, as replica ${firstReplica}), found replica ${row[0]}`,
        );
      const sample = integerCell(file, line, 'sample', row[1]);
      if (sample !== d) throw new ResultDirError(`${file}:${line}: column sample: expected ${d}, found ${sample}`);
      const step = integerCell(file, line, 'step', row[2]);
      if (c === 0) steps.push(step);
      else if (step !== steps[d])
        throw new ResultDirError(
          `${file}:${line}: column step: expected ${steps[d]} (the step of sample ${d} of replica ${firstReplica}), found ${step}`,
        );
      for (let k = 0; k < names.length; k++) {
        const cell = row[LEADING.length + k];
        const v = cell.trim() === '' ? Number.NaN : Number(cell);
        if (cell.trim() !== '' && Number.isNaN(v))
          throw new ResultDirError(
            `${file}:${line}: column ${names[k]}: expected a number or an empty cell, found ${JSON.stringify(cell)}`,
          );
        values[k][i] = v;
      }
    }
  }
  return { file, names, replicas, draws, steps, values };
}
