/**
 * `stochdyn report <dir> [--interactive]`: write report.html (summary tables
 * and every applicable plot as inline SVG) and figures/ into a run, sweep,
 * regimes or replica-exchange directory; given a folder that holds result
 * directories, write its index.html.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { isExchangeDirectory, writeDirectoryReport as writeReport } from '../report/exchange.js';
import { writeReport as writeResultReport } from '../report/html.js';
import { writeIndex } from '../report/index-page.js';
import { CATALOG_DEPTH, CatalogError, catalogEntry, catalogKind } from '../results/catalog.js';
import { detectLayout, ResultDirError } from '../results/read.js';

/** Re-exported for `stochdyn run`, which writes the report after the run (unless --no-report). */
export { writeReport };

/** Bad input: the message on stderr after "cannot report on '<dir>'", exit code 2. */
class ReportInputError extends Error {}

/** The report of one result directory, static or with --interactive (which the exchange page does not have). */
function writeOne(dir: string, opts: { interactive?: boolean }): Promise<string> {
  if (opts.interactive && isExchangeDirectory(dir)) {
    process.stderr.write(`stochdyn: --interactive: the replica-exchange page has no interactive mode; writing the static page\n`);
    return writeReport(dir);
  }
  return opts.interactive ? writeResultReport(dir, { interactive: true }) : writeReport(dir);
}

async function reportOrIndex(
  dir: string,
  opts: { json?: boolean; reports?: boolean; interactive?: boolean },
): Promise<
  { report: string } | { index: string; directories: number; reports?: string[]; failed?: Array<{ dir: string; error: string }> }
> {
  const abs = resolve(dir);
  if (!existsSync(abs)) throw new ReportInputError(`${abs}: no such directory`);
  if (!statSync(abs).isDirectory()) throw new ReportInputError(`${abs}: not a directory`);
  const kind = catalogKind(abs);
  if (kind === 'run-shard')
    throw new ReportInputError(
      `${abs}: a run-shard directory (one machine's part of a run); stochdyn merge of the shard directories writes the run directory, which has a report`,
    );
  if (kind !== null) {
    // A directory with results of its own gets its report; one without yet (a run without summary.json, an
    // exchange without exchange.json) is an error, not a folder to index.
    if (isExchangeDirectory(abs) || detectLayout(abs) !== null) return { report: await writeOne(abs, opts) };
    const entry = catalogEntry(abs, abs, kind);
    throw new ReportInputError(`${abs}: an unfinished ${kind} directory (${entry.detail ?? entry.status}); there is nothing to report yet`);
  }
  const reports: string[] = [];
  const failed: Array<{ dir: string; error: string }> = [];
  const { file, entries } = await writeIndex(abs, {
    reports: opts.reports,
    writeReport: (d) => writeOne(d, opts),
    onReport: (entry, outcome) => {
      if ('file' in outcome) reports.push(outcome.file);
      else {
        failed.push({ dir: entry.dir, error: outcome.error.message });
        process.stderr.write(`stochdyn: warning: no report for ${entry.path}: ${outcome.error.message}\n`);
      }
    },
  });
  return { index: file, directories: entries.length, ...(opts.reports ? { reports, failed } : {}) };
}

export function register(program: Command): void {
  program
    .command('report')
    .description(
      'write report.html (tables and plots, self-contained, opens offline) into a run, sweep, regimes or replica-exchange directory; given a folder of result directories, write its index.html',
    )
    .argument(
      '<dir>',
      'a run directory (summary.json), a sweep directory (sweep.json/sweep.csv, points/<k>/), a regimes directory (regimes.json, regimes/<name>/), a replica-exchange directory (exchange.json, rungs/<k>/), or a folder holding such directories (e.g. output)',
    )
    .option(
      '--interactive',
      'embed the figures with the Vega runtime: tooltips, zoom/pan, legend toggling (one larger file, still offline; not for a replica-exchange page); with a folder and --reports, for every report written',
    )
    .option('--json', 'print {"report": path} (or for a folder {"index": path, "directories": n}) as JSON')
    .option('--reports', "with a folder: also (re)write each listed directory's report.html before the index")
    .addHelpText(
      'after',
      `
Examples:
  $ stochdyn report output/quickstart/20250101-120000-seed0
  $ stochdyn report output/quickstart/20250101-120000-seed0 --interactive
  $ stochdyn run scenarios/quickstart.yaml --no-report --out runs/a && stochdyn report runs/a
  $ stochdyn report output              # output/index.html: every run, sweep, regimes and exchange directory
  $ stochdyn report output --reports    # the same, after (re)writing each directory's report.html`,
    )
    .action(async (dir: string, opts: { json?: boolean; reports?: boolean; interactive?: boolean }) => {
      let out: Awaited<ReturnType<typeof reportOrIndex>>;
      try {
        out = await reportOrIndex(dir, opts);
      } catch (e) {
        if (e instanceof CatalogError && e.reason === 'empty') {
          process.stderr.write(
            `stochdyn: cannot report on '${dir}'\n${resolve(dir)}: not a stochdyn result directory — expected a run directory (summary.json), a sweep directory (sweep.json or sweep.csv with points/<k>/), a regimes directory (regimes.json or regimes/<name>/), a replica-exchange directory (exchange.json), or a folder holding such directories for its index.html (none within ${CATALOG_DEPTH} levels)\n`,
          );
          process.exitCode = 2;
          return;
        }
        if (e instanceof ResultDirError || e instanceof CatalogError || e instanceof ReportInputError) {
          process.stderr.write(`stochdyn: cannot report on '${dir}'\n${e.message}\n`);
          process.exitCode = 2;
          return;
        }
        throw e;
      }
      if (opts.json) process.stdout.write(JSON.stringify(out) + '\n');
      else process.stdout.write(`${'report' in out ? out.report : out.index}\n`);
      if ('failed' in out && out.failed && out.failed.length > 0) process.exitCode = 1;
    });
}
