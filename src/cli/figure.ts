/**
 * `stochdyn figure <dir> [name] --format svg|png|pdf [--out <dir>]`: render
 * one figure of a run, sweep or regimes directory (or every figure) from the
 * directory's results, in the chosen format, into `<dir>/figures/` or `--out`.
 * The names are those of the report's figures/ files (src/report/figures.ts).
 */
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { loadResultDirectory, ResultDirError } from '../results/read.js';
import { writeAtomic } from '../results/write.js';
import {
  collectFigures,
  FIGURE_FORMATS,
  FIGURES_DIR,
  PdfNotOfferedError,
  renderFigure,
  UnknownFigureError,
  type Figure,
  type FigureFormat,
} from '../report/figures.js';

interface FigureOptions {
  format: FigureFormat;
  out?: string;
  list?: boolean;
  json?: boolean;
}

function fail(message: string): void {
  process.stderr.write(`stochdyn: ${message}\n`);
  process.exitCode = 2;
}

export function register(program: Command): void {
  program
    .command('figure')
    .description("render a figure of a run, sweep or regimes directory (or all of them) as SVG or PNG, from the directory's results")
    .argument('<dir>', 'a run, sweep or regimes directory')
    .argument('[name]', 'the figure (as named in the report and in figures/); all figures when omitted')
    .addOption(new Option('--format <format>', 'output format').choices([...FIGURE_FORMATS]).default('svg'))
    .option('--out <dir>', 'where to write the files (default: <dir>/figures)')
    .option('--list', 'print the names of the figures (and their titles) instead of rendering')
    .option('--json', 'print {"figures": [{"name", "kind", "title", "file"}]} as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ stochdyn figure output/quickstart/20250101-120000-seed0 --list
  $ stochdyn figure output/quickstart/20250101-120000-seed0 traces-energy --format png --out slides/
  $ stochdyn figure output/quickstart/20250101-120000-seed0 --format png`,
    )
    .action(async (dir: string, name: string | undefined, opts: FigureOptions) => {
      let figures: Figure[];
      try {
        figures = collectFigures(loadResultDirectory(dir)).flatMap((s) => s.figures);
      } catch (e) {
        if (e instanceof ResultDirError) return fail(`cannot make figures of '${dir}'\n${e.message}`);
        throw e;
      }
      if (name !== undefined && !figures.some((f) => f.name === name))
        return fail(
          `${dir}: ${
            new UnknownFigureError(
              name,
              figures.map((f) => f.name),
            ).message
          }`,
        );
      const chosen = name === undefined ? figures : figures.filter((f) => f.name === name);
      if (opts.list) {
        if (opts.json)
          process.stdout.write(JSON.stringify({ figures: chosen.map(({ name, kind, title }) => ({ name, kind, title })) }) + '\n');
        else for (const f of chosen) process.stdout.write(`${f.name}${f.title ? `\t${f.title}` : ''}\n`);
        return;
      }
      if (opts.format === 'pdf') return fail(new PdfNotOfferedError().message);
      const out = resolve(opts.out ?? join(dir, FIGURES_DIR));
      const written: Array<{ name: string; kind: string; title: string | null; file: string }> = [];
      for (const f of chosen) {
        const file = join(out, `${f.name}.${opts.format}`);
        writeAtomic(file, await renderFigure(f, opts.format));
        written.push({ name: f.name, kind: f.kind, title: f.title, file });
        if (!opts.json) process.stdout.write(`${file}\n`);
      }
      if (opts.json) process.stdout.write(JSON.stringify({ figures: written }) + '\n');
      if (chosen.length === 0 && !opts.json) process.stderr.write(`stochdyn: no plot applies to '${dir}'; nothing written\n`);
    });
}
