/**
 * `stochdyn compare <runA> <runB>` — compare two run directories;
 * `stochdyn compare <scenario-with-regimes>` — run its regimes and compare
 * each with the first; `stochdyn compare <regimes-dir>` — recompute the
 * comparison of a regimes directory.
 */
import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { Command } from 'commander';
import { collect, intArg, kernelsArg, KERNELS_HELP, withKernels, workersArg } from './args.js';
import cliProgress from 'cli-progress';
import { COMPARISON_LEVEL, type Comparison } from '../analysis/compare.js';
import { compareRegimesDir, compareRuns, CompareInputError } from '../results/compare.js';
import { formatComparison } from './format-comparison.js';
import { hasRegimes, RegimesInterrupted, runRegimes } from '../runs/regimes.js';
import { onInterrupt } from './signals.js';
import { showProgressHere } from './progress.js';
import { isUnfinishedRegimesOf, prepareOutDir } from './output-dir.js';

export { hasRegimes };
import { writeJson } from '../results/write.js';
import { writeReport } from '../report/html.js';
import { loadScenario, ScenarioError } from '../scenario/index.js';
import type { Scenario } from '../scenario/types.js';

function progress(enabled: boolean) {
  if (!enabled) return undefined;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'regimes |{bar}| {percentage}% · {regime} · ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let regime = '';
  return {
    regime(i: number, name: string, n: number) {
      regime = `${name} (${i + 1}/${n})`;
    },
    update(done: number, total: number) {
      if (!started) {
        bar.start(total, 0, { regime });
        started = true;
      }
      bar.update(done, { regime });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function print(c: Comparison, file: string, json: boolean, extra = ''): void {
  if (json) process.stdout.write(JSON.stringify(c, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n');
  else process.stdout.write(formatComparison(c) + `\ncomparison: ${file}\n${extra}`);
}

export interface RegimesCliOptions {
  out?: string;
  workers?: number;
  json?: boolean;
  quiet?: boolean;
  /** Clear a non-empty `out` directory first. */
  force?: boolean;
}

/** Run a scenario's regimes, print the comparison (table or JSON); returns the regimes directory. Used by `compare` and by `run`. */
export async function runRegimesCli(s: Scenario, o: RegimesCliOptions): Promise<string> {
  // A default directory is new (a fresh run id); an --out directory must be empty, this scenario's unfinished regimes, or cleared with --force.
  if (o.out !== undefined) prepareOutDir(o.out, { force: o.force, sameRun: (dir) => isUnfinishedRegimesOf(dir, s) });
  const bar = progress(showProgressHere(o));
  const interrupt = (o.workers ?? 1) > 0 ? onInterrupt('regime') : undefined;
  let out;
  try {
    out = await runRegimes(s, {
      out: o.out,
      workers: o.workers,
      signal: interrupt?.signal,
      onProgress: (d, t) => bar?.update(d, t),
      onRegime: (i, n, k) => bar?.regime(i, n, k),
    });
  } catch (e) {
    if (e instanceof RegimesInterrupted) {
      bar?.stop();
      process.stderr.write(`stochdyn: ${e.message}\n`);
      process.exit(interrupt?.exitCode() ?? 130);
    }
    throw e;
  } finally {
    bar?.stop();
    interrupt?.dispose();
  }
  print(out.comparison, join(out.dir, 'comparison.json'), !!o.json, `regimes: ${out.dir}\n`);
  return out.dir;
}

const isDir = (p: string) => existsSync(p) && statSync(p).isDirectory();

export function register(program: Command): void {
  program
    .command('compare')
    .description('compare two runs, or run the regimes of a scenario and compare each with the first (baseline)')
    .argument('<runA|scenario|regimes-dir>', 'run directory A (the reference), a scenario file with regimes, or a regimes directory')
    .argument('[runB]', 'run directory B (compared against A: differences are B − A)')
    .option(
      '-o, --out <path>',
      'two runs: the comparison.json file (default <runB>/comparison-vs-<basename of runA>.json); a scenario: the regimes directory (default output/<name>/regimes-<run-id>); a regimes directory: the comparison file (default <dir>/comparison.json)',
    )
    .option('--json', 'print the comparison as JSON instead of a table')
    .option('-w, --workers <n>', 'scenario: worker threads (0 = this thread)', workersArg, Math.min(2, availableParallelism()))
    .option('-r, --replicas <n>', 'scenario: override ensemble.replicas', intArg('--replicas', 1))
    .option('-s, --seed <n>', 'scenario: override the seed', intArg('--seed', 0))
    .option('--set <key=value>', 'scenario: override a key by its dotted path (repeatable)', collect, [])
    .option('--kernels <auto|js|wasm|native>', `scenario: ${KERNELS_HELP}`, kernelsArg)
    .option('-q, --quiet', 'no progress bar')
    .option('--no-report', 'scenario: do not write report.html into the regimes directory')
    .option(
      '--force',
      'scenario: clear a non-empty --out directory first (never /, the home directory, the current directory or a repository)',
    )
    .addHelpText(
      'after',
      `
Every result the two runs share gets one row: A and B with 95 % intervals,
B − A, the test, its statistic and p-value, and whether they differ at the
${COMPARISON_LEVEL} level (the one level of every verdict stochdyn states) —
MFPT (log-rank on censored first-passage times), fraction entered and well
occupancy (two-proportion z), final mean (bootstrap), final location
(Mann–Whitney U) and shape (two-sample Kolmogorov–Smirnov), divergence.
Exit code 2 when a directory is missing or not a run / regimes directory, and
for a scenario when --out names a non-empty directory that is not an unfinished
run of its regimes (add --force to clear it first).

Examples:
  $ stochdyn compare output/quickstart/runA output/quickstart/runB
  $ stochdyn compare runs/cold runs/hot --json > cmp.json
  $ stochdyn compare scenarios/examples/regimes-double-well.yaml
  $ stochdyn compare output/regimes-double-well/regimes-20250101-120000-seed7`,
    )
    .action(
      async (
        first: string,
        second: string | undefined,
        opts: {
          out?: string;
          json?: boolean;
          workers: number;
          replicas?: number;
          seed?: number;
          set: string[];
          kernels?: string;
          quiet?: boolean;
          report?: boolean;
          force?: boolean;
        },
      ) => {
        try {
          if (second !== undefined) {
            const c = compareRuns(first, second);
            const file = resolve(opts.out ?? join(second, `comparison-vs-${basename(resolve(first))}.json`));
            writeJson(file, c);
            print(c, file, !!opts.json);
            return;
          }
          if (isDir(first)) {
            if (!existsSync(join(first, 'regimes.json')))
              throw new CompareInputError(
                `${first}: a directory without regimes.json — to compare two runs give both: stochdyn compare <runA> <runB>`,
              );
            const c = compareRegimesDir(first);
            const file = resolve(opts.out ?? join(first, 'comparison.json'));
            writeJson(file, c);
            print(c, file, !!opts.json);
            return;
          }
          if (!existsSync(first)) throw new CompareInputError(`${first}: no such file or directory`);
          const s = await loadScenario(first, { set: withKernels(opts.set, opts.kernels), replicas: opts.replicas, seed: opts.seed });
          if (!hasRegimes(s))
            throw new ScenarioError(s.source || first, [
              {
                path: 'regimes',
                expected: 'a mapping of regime names to overrides, for `stochdyn compare <scenario>`',
                found: 'nothing',
                hint: 'Compare two finished runs with `stochdyn compare <runA> <runB>`, or add regimes: {gd: {dynamics.integrator: gd, dynamics.temperature: 0}, …}.',
              },
            ]);
          const dir = await runRegimesCli(s, {
            out: opts.out,
            workers: opts.workers,
            json: opts.json,
            quiet: opts.quiet,
            force: opts.force,
          });
          if (opts.report !== false) await writeReport(dir);
        } catch (e) {
          if (e instanceof CompareInputError) {
            process.stderr.write(`stochdyn: cannot compare\n${e.message}\n`);
            process.exitCode = 2;
            return;
          }
          throw e;
        }
      },
    );
}
