/**
 * `stochdyn report <dir> [--interactive]`: write report.html (summary tables
 * and every applicable plot as inline SVG) and figures/ into a run, sweep,
 * regimes or replica-exchange directory.
 */
import type { Command } from 'commander';
import { isExchangeDirectory, writeDirectoryReport as writeReport } from '../report/exchange.js';
import { writeReport as writeResultReport } from '../report/html.js';
import { ResultDirError } from '../results/read.js';

/** Re-exported for `stochdyn run`, which writes the report after the run (unless --no-report). */
export { writeReport };

export function register(program: Command): void {
  program
    .command('report')
    .description(
      'write report.html (tables and plots, self-contained, opens offline) into a run, sweep, regimes or replica-exchange directory',
    )
    .argument(
      '<dir>',
      'a run directory (summary.json), a sweep directory (sweep.json/sweep.csv, points/<k>/), a regimes directory (regimes.json, regimes/<name>/) or a replica-exchange directory (exchange.json, rungs/<k>/)',
    )
    .option(
      '--interactive',
      'embed the figures with the Vega runtime: tooltips, zoom/pan, legend toggling (one larger file, still offline; not for a replica-exchange page)',
    )
    .option('--json', 'print {"report": path} as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ stochdyn report output/quickstart/20250101-120000-seed0
  $ stochdyn report output/quickstart/20250101-120000-seed0 --interactive
  $ stochdyn run scenarios/quickstart.yaml --no-report --out runs/a && stochdyn report runs/a`,
    )
    .action(async (dir: string, opts: { json?: boolean; interactive?: boolean }) => {
      let file: string;
      try {
        if (opts.interactive && isExchangeDirectory(dir)) {
          process.stderr.write(`stochdyn: --interactive: the replica-exchange page has no interactive mode; writing the static page\n`);
          file = await writeReport(dir);
        } else file = opts.interactive ? await writeResultReport(dir, { interactive: true }) : await writeReport(dir);
      } catch (e) {
        if (e instanceof ResultDirError) {
          process.stderr.write(`stochdyn: cannot report on '${dir}'\n${e.message}\n`);
          process.exitCode = 2;
          return;
        }
        throw e;
      }
      process.stdout.write(opts.json ? JSON.stringify({ report: file }) + '\n' : `${file}\n`);
    });
}
