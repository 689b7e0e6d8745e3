/**
 * `stochdyn export --format zarr`: the chains of a run directory as an
 * ArviZ InferenceData-compatible Zarr v2 store (docs/outputs.md "An exported
 * Zarr store"), for `arviz.from_zarr` and `xarray.open_datatree`:
 *
 *   .zattrs                 scenario, seed, run id, stochdyn version, source directory
 *   posterior/<obs>         one float64 variable per chain observable, dims (chain, draw)
 *   posterior/chain, draw   coordinates: the replica index of each chain; 0 … draws − 1
 *   sample_stats/energy     the potential energy at each draw, when `energy` is a chain observable
 *
 * The values are those of chains.csv, bit for bit (NaN for its empty cells).
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Summary } from '../analysis/summary.js';
import { readChainTable, type ChainTable } from './chains.js';
import { detectLayout, readJsonFile, ResultDirError } from './read.js';
import { writeZarrV2, type ZarrArray, type ZarrStore } from './zarr-v2.js';

/** The export formats (`--format`). */
export const EXPORT_FORMATS = ['zarr'] as const;

/** The store's file name inside the run directory when no `--out` is given. */
export const DEFAULT_ZARR_NAME = 'inference-data.zarr';

/** Values per chunk of a posterior variable (8 MB of float64): chunks hold whole chains. */
const CHUNK_VALUES = 1 << 20;

/** Options of {@link exportZarr}. */
export interface ExportZarrOptions {
  /** Where the store goes (default `<dir>/inference-data.zarr`). */
  out?: string;
  /** Replace an existing Zarr store at `out` (anything else there is always refused). */
  force?: boolean;
  /** The exporting program's version (recorded as `exported_by`). */
  version: string;
  /** Creation time (ISO 8601; default now). */
  createdAt?: string;
}

/** What {@link exportZarr} wrote. */
export interface ExportZarrResult {
  store: string;
  chains: number;
  draws: number;
  /** The posterior variables (chain observables). */
  posterior: string[];
  /** The sample_stats variables ([] when the run has no `energy` chain: the group is then absent). */
  sampleStats: string[];
}

/** An output path that exists and may not be replaced; the CLI exits with code 2. */
export class ExportTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportTargetError';
  }
}

/** A directory a run's chains can be exported from, or a ResultDirError that says what it is instead and where to look. */
function summaryOf(dir: string): Summary {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ResultDirError(`${dir}: not a directory`);
  const summary = readJsonFile<Summary>(join(dir, 'summary.json'));
  const layout = detectLayout(dir);
  if (layout === 'sweep')
    throw new ResultDirError(
      `${dir}: a sweep directory — expected a run directory with chains.csv; export one point, e.g. ${join(dir, 'points', '0')}`,
    );
  if (layout === 'regimes')
    throw new ResultDirError(
      `${dir}: a regimes directory — expected a run directory with chains.csv; export one regime, e.g. ${join(dir, 'regimes', '<name>')}`,
    );
  if (summary === null) {
    if (existsSync(join(dir, 'exchange.json')))
      throw new ResultDirError(
        `${dir}: a replica-exchange directory — expected a run directory with chains.csv; export one rung, e.g. ${join(dir, 'rungs', '0')}`,
      );
    throw new ResultDirError(`${dir}: no summary.json — expected a finished run directory (summary.json and chains.csv)`);
  }
  return summary;
}

/** Refuse an existing `out` unless it is a Zarr store and `force` is given. */
function checkTarget(out: string, force: boolean): void {
  if (!existsSync(out)) return;
  const isStore = statSync(out).isDirectory() && (existsSync(join(out, '.zgroup')) || existsSync(join(out, '.zmetadata')));
  if (!isStore)
    throw new ResultDirError(
      `${out} exists and is not a Zarr store — expected a path that does not exist (or an earlier export to replace with --force); nothing was written`,
    );
  if (!force)
    throw new ExportTargetError(
      `${out} exists — expected a new path; add --force to replace this Zarr store, or choose another --out. Nothing was written.`,
    );
}

const float = (values: Float64Array, chains: number, draws: number, name: string): ZarrArray => ({
  name,
  dims: ['chain', 'draw'],
  shape: [chains, draws],
  chunkRows: Math.max(1, Math.min(chains, Math.floor(CHUNK_VALUES / draws))),
  data: values,
});

/** The coordinate arrays of a group: `chain` (replica indices) and `draw` (0 … draws − 1). */
function coordinates(table: ChainTable): ZarrArray[] {
  return [
    { name: 'chain', dims: ['chain'], shape: [table.replicas.length], data: BigInt64Array.from(table.replicas, (r) => BigInt(r)) },
    { name: 'draw', dims: ['draw'], shape: [table.draws], data: BigInt64Array.from({ length: table.draws }, (_, d) => BigInt(d)) },
  ];
}

/**
 * Write the InferenceData-compatible Zarr store of run directory `dirArg`.
 * A directory without chains.csv (no `sampling:` section), a sweep, regimes
 * or replica-exchange directory and a malformed chains.csv are
 * {@link ResultDirError}s; an existing store at `out` without `force` is an
 * {@link ExportTargetError}.
 */
export function exportZarr(dirArg: string, options: ExportZarrOptions): ExportZarrResult {
  const dir = resolve(dirArg);
  const summary = summaryOf(dir);
  const table = readChainTable(dir);
  const out = resolve(options.out ?? join(dir, DEFAULT_ZARR_NAME));
  for (const name of table.names)
    if (name === 'chain' || name === 'draw')
      throw new ResultDirError(
        `${table.file}:1: chain observable '${name}' has the name of a dimension (chain, draw) and cannot be a variable of the store`,
      );
  checkTarget(out, options.force ?? false);

  const chains = table.replicas.length;
  const draws = table.draws;
  const createdAt = options.createdAt ?? new Date().toISOString();
  const sampling = summary.sampling;
  // ArviZ's own group attributes, so that az.from_zarr shows where the draws came from.
  const groupAttrs = { created_at: createdAt, inference_library: 'stochdyn', inference_library_version: summary.stochdyn.version };
  const posterior = table.names.map((name, k) => float(table.values[k], chains, draws, name));
  const energy = table.names.indexOf('energy');
  const store: ZarrStore = {
    attrs: {
      ...groupAttrs,
      scenario: summary.scenario.name,
      seed: summary.run.seed,
      run_id: summary.run.id,
      stochdyn_version: summary.stochdyn.version,
      exported_by: `stochdyn ${options.version}`,
      source: dir,
    },
    groups: [
      {
        name: 'posterior',
        attrs: {
          ...groupAttrs,
          burn_in: sampling?.burnIn ?? table.steps[0],
          thin: sampling?.thin ?? (draws > 1 ? table.steps[1] - table.steps[0] : 1),
          first_sample_step: table.steps[0],
          last_sample_step: table.steps[draws - 1],
        },
        arrays: [...coordinates(table), ...posterior],
      },
    ],
  };
  if (energy >= 0)
    store.groups.push({
      name: 'sample_stats',
      attrs: groupAttrs,
      arrays: [
        ...coordinates(table),
        {
          ...float(table.values[energy], chains, draws, 'energy'),
          attrs: { description: 'potential energy f(x) at the draw (the energy chain observable), not a Hamiltonian energy' },
        },
      ],
    });
  writeZarrV2(out, store, { replace: true });
  return { store: out, chains, draws, posterior: table.names, sampleStats: energy >= 0 ? ['energy'] : [] };
}
