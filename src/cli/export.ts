/**
 * `stochdyn export <dir> --format zarr`: a run's chains as an ArviZ
 * InferenceData-compatible Zarr store (src/results/export-zarr.ts).
 */
import type { Command } from 'commander';
import { packageVersion } from '../runs/run.js';
import { ResultDirError } from '../results/read.js';
import { DEFAULT_ZARR_NAME, EXPORT_FORMATS, ExportTargetError, exportZarr } from '../results/export-zarr.js';

export function register(program: Command): void {
  program
    .command('export')
    .description(
      'write the chains of a sampling run as a Zarr store that ArviZ and xarray open as InferenceData (groups posterior, sample_stats)',
    )
    .argument('<dir>', 'a run directory of a scenario with a sampling: section (summary.json and chains.csv)')
    .option('--format <format>', `output format: ${EXPORT_FORMATS.join(', ')}`, 'zarr')
    .option('--out <path>', `where the store goes (default <dir>/${DEFAULT_ZARR_NAME}); must not exist`)
    .option('--force', 'replace an existing Zarr store at the output path')
    .option('--json', 'print {"store", "chains", "draws", "posterior", "sampleStats"} as JSON')
    .addHelpText(
      'after',
      `
The store holds the group posterior (one variable per chain observable, dims
chain = replica and draw = sample), sample_stats (energy, when energy is a chain
observable) and root attributes (scenario, seed, run id, stochdyn version, source).
Python: docs/python.md.

Examples:
  $ stochdyn export output/posterior/20250101-120000-seed7
  $ stochdyn export runs/a --format zarr --out runs/a.zarr --force`,
    )
    .action((dir: string, opts: { format: string; out?: string; force?: boolean; json?: boolean }) => {
      if (!(EXPORT_FORMATS as readonly string[]).includes(opts.format)) {
        process.stderr.write(
          `stochdyn: export: unknown --format '${opts.format}': expected one of ${EXPORT_FORMATS.join(', ')} (a Zarr v2 store for ArviZ and xarray)\n`,
        );
        process.exitCode = 1;
        return;
      }
      let result;
      try {
        result = exportZarr(dir, { out: opts.out, force: opts.force, version: packageVersion() });
      } catch (e) {
        if (e instanceof ResultDirError || e instanceof ExportTargetError) {
          process.stderr.write(`stochdyn: cannot export '${dir}'\n${e.message}\n`);
          process.exitCode = 2;
          return;
        }
        throw e;
      }
      if (opts.json) {
        process.stdout.write(JSON.stringify(result) + '\n');
        return;
      }
      const stats =
        result.sampleStats.length > 0
          ? `; sample_stats: ${result.sampleStats.join(', ')}`
          : '; no sample_stats (energy is not a chain observable)';
      process.stdout.write(
        `${result.store}\n${result.chains} chains × ${result.draws} draws; posterior: ${result.posterior.join(', ')}${stats}\n`,
      );
    });
}
