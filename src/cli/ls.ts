/**
 * `stochdyn ls [dir]`: the result directories under a folder (default
 * `output`), newest first, one line each — path, kind, scenario, start time,
 * status and headline numbers — or the catalog as JSON. The scanning is
 * src/results/catalog.ts; this file only formats.
 */
import type { Command } from 'commander';
import { CatalogError, scanResults, type CatalogEntry } from '../results/catalog.js';

/** `2026-01-31 12:00` (UTC) from an ISO time. */
const shortTime = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : '—');

/** The headline, after what is missing when the directory is not complete. */
function lineText(e: CatalogEntry): string {
  if (e.status === 'complete' || !e.detail || e.headlines[0] === e.detail) return e.headline;
  return [e.detail, ...e.headlines].join('; ');
}

/** The table: aligned columns, the headline last (cut to the terminal's width when stdout is one). */
export function formatCatalog(entries: CatalogEntry[], width?: number): string {
  const rows = entries.map((e) => [e.path, e.kind, e.scenario ?? '—', shortTime(e.started), e.status]);
  const head = ['path', 'kind', 'scenario', 'started (UTC)', 'status'];
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const pad = (cells: string[]) => cells.map((c, k) => c.padEnd(widths[k])).join('  ');
  const lead = widths.reduce((a, w) => a + w + 2, 0);
  const cut = (text: string) =>
    width === undefined || lead + text.length <= width ? text : text.slice(0, Math.max(20, width - lead - 1)) + '…';
  return (
    [pad(head) + '  headline', ...rows.map((r, i) => `${pad(r)}  ${cut(lineText(entries[i]))}`)].map((l) => l.trimEnd()).join('\n') + '\n'
  );
}

export function register(program: Command): void {
  program
    .command('ls')
    .description(
      'list the run, sweep, regimes, replica-exchange and run-shard directories under a folder, newest first: kind, scenario, start, status and headline numbers',
    )
    .argument('[dir]', 'the folder to search (a few levels deep)', 'output')
    .option('--json', 'print {"root", "entries": [...]} as JSON (every field of each directory)')
    .addHelpText(
      'after',
      `
Examples:
  $ stochdyn ls
  $ stochdyn ls output/kramers-double-well
  $ stochdyn ls runs --json | jq '.entries[] | select(.status != "complete") | .path'
  $ stochdyn report output   # the same listing as output/index.html`,
    )
    .action((dir: string, opts: { json?: boolean }) => {
      let entries: CatalogEntry[];
      try {
        entries = scanResults(dir);
      } catch (e) {
        if (e instanceof CatalogError) {
          process.stderr.write(`stochdyn: ls: ${e.message}\n`);
          process.exitCode = 2;
          return;
        }
        throw e;
      }
      if (opts.json) process.stdout.write(JSON.stringify({ root: dir, entries }, null, 2) + '\n');
      else process.stdout.write(formatCatalog(entries, process.stdout.isTTY ? process.stdout.columns : undefined));
    });
}
