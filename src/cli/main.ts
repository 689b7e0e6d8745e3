#!/usr/bin/env node
/**
 * The `stochdyn` command. The only layer that prints.
 */
import { availableParallelism } from 'node:os';
import { Command } from 'commander';
import { collect, intArg, kernelsArg, KERNELS_HELP, numberArg, withKernels, workersArg } from './args.js';
import cliProgress from 'cli-progress';
import { integrators } from '../engine/integrators/index.js';
import { listObservableKinds, potentialObservables } from '../observables/observables.js';
import { buildPotential } from '../potentials/index.js';
import { listPotentialFamilies } from '../potentials/index.js';
import { coordinateList } from '../potentials/registry.js';
import { CHECKPOINT_EVERY_SECONDS, checkScenario, packageVersion, runScenario } from '../runs/run.js';
import { listTheoryKinds } from '../analysis/theory-overlays.js';
import { analysisSchemas, listAnalyses } from '../analysis/index.js';
import { listPlots } from '../report/plots/index.js';
import { kernelSets, potentialsWithKernels } from '../kernels/registry.js';
import { assertNoSweep, expandSweep, loadScenario, scenarioJsonSchema, ScenarioError } from '../scenario/index.js';
import type { Scenario } from '../scenario/types.js';
import { summaryJsonSchema } from '../results/summary-schema.js';
import { formatRunTable, potentialInfoLine, resumeLine, runTrouble } from './format.js';
import { onInterrupt } from './signals.js';
import { showProgressHere } from './progress.js';
import { isShardDirOf, isUnfinishedRunOf, OutputDirError, prepareOutDir } from './output-dir.js';
import { formatError, stochdynRoots } from './errors.js';
import { faultsFromEnv } from './faults.js';
import { OutputError } from '../runs/run.js';
import { RunShardError, runScenarioShard } from '../runs/run-shards.js';
import { ContinueError, continueRun, scenarioOfRunDir } from '../runs/continue.js';
import { parseShard } from './sweep.js';
import { shardOption, ShardResolutionError } from './scheduler.js';
import { wasmKernels, wasmPath } from '../kernels/wasm.js';
import { NATIVE_KERNELS, nativeStatus } from '../native/index.js';
import { hasRegimes, register as registerCompare, runRegimesCli } from './compare.js';
import { register as registerSweep } from './sweep.js';
import { register as registerSlurm } from './slurm.js';
import { runExchangeCli } from './exchange.js';
import { register as registerReport, writeReport } from './report.js';
import { register as registerFigure } from './figure.js';
import { register as registerExport } from './export.js';
import { register as registerLs } from './ls.js';

function progressBar(enabled: boolean) {
  if (!enabled) return undefined;
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'running |{bar}| {percentage}% · {rate} replica-steps/s · ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  const t0 = Date.now();
  return {
    update(done: number, total: number) {
      if (!started) {
        bar.start(total, 0, { rate: '—' });
        started = true;
      }
      const secs = (Date.now() - t0) / 1000;
      bar.update(done, { rate: secs > 0 ? (done / secs).toExponential(2) : '—' });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/** The observables a potential defines itself: `spec` is a registered kind (default params) or a scenario file. */
async function ownObservables(spec: string): Promise<Array<{ name: string; description: string }>> {
  const isFile = /\.(ya?ml|json)$/i.test(spec);
  const potential = isFile
    ? (await checkScenario(await loadScenario(spec))).potential
    : await buildPotential({ kind: spec, params: {} }, { seed: 0, run: 0 });
  return potentialObservables(potential).map((o) => ({ name: o.name, description: `(${potential.name}) ${o.description}` }));
}

async function main(argv: string[]): Promise<void> {
  const program = new Command();
  program
    .name('stochdyn')
    .description('Stochastic dynamics of learning: Langevin/SGLD ensembles from scenario files.')
    .version(packageVersion())
    .showHelpAfterError('(add --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  $ stochdyn run scenarios/quickstart.yaml
  $ stochdyn run scenarios/quickstart.yaml --replicas 1000 --set dynamics.temperature=0.3 --workers 2
  $ stochdyn validate scenarios/quickstart.yaml
  $ stochdyn list potentials
  $ stochdyn schema > stochdyn.schema.json`,
    );

  program
    .command('run')
    .description('run a scenario: an ensemble of replicas, written to output/<name>/<run-id>/')
    .argument('[scenario]', 'scenario file (YAML or JSON); not with --continue')
    .option('-o, --out <dir>', 'output directory (default: output/<name>/<run-id>)')
    .option('-r, --replicas <n>', "override ensemble.replicas (with --continue: the extended run's count)", intArg('--replicas', 1))
    .option(
      '--continue <dir>',
      'extend the finished run in <dir> with --replicas N and/or --steps N: only the new work runs, and the outputs equal a run that asked for that many',
    )
    .option('--steps <n>', "with --continue: the extended run's step count", intArg('--steps', 1))
    .option('-w, --workers <n>', 'worker threads (0 = run in this thread)', workersArg, Math.min(2, availableParallelism()))
    .option('-s, --seed <n>', 'override the seed', intArg('--seed', 0))
    .option('--set <key=value>', 'override any scenario key by its dotted path (repeatable)', collect, [])
    .option('--kernels <auto|js|wasm|native>', KERNELS_HELP, kernelsArg)
    .option('--json', 'print the summary as JSON on stdout instead of a table')
    .option('-q, --quiet', 'no progress bar')
    .option('--no-report', 'do not write report.html (write it later with stochdyn report <dir>)')
    .option('--force', 'clear a non-empty --out directory first (never /, the home directory, the current directory or a repository)')
    .option(
      '--no-checkpoint',
      'do not save finished shards and snapshots under <out>/partial/ (an interrupted run then starts again from the beginning)',
    )
    .option(
      '--checkpoint-every <seconds>',
      `seconds between snapshots of a running shard (default ${CHECKPOINT_EVERY_SECONDS}; Ctrl-C always saves one)`,
      numberArg('--checkpoint-every', 0),
    )
    .option(
      '--shard <i/N|auto>',
      "run only the i-th of N ranges of replicas (one machine of N) into a shard directory; stochdyn merge makes the run directory; auto: i and N from the scheduler's array task (as for sweep)",
      parseShard,
    )
    .addHelpText(
      'after',
      `
An --out directory that is not empty is refused (exit code 2, nothing written)
unless it holds an unfinished run of this same scenario, which is continued
(its finished shards are saved in partial/); --force clears it first.

Examples:
  $ stochdyn run scenarios/quickstart.yaml --replicas 2000 --seed 3
  $ stochdyn run scenarios/quickstart.yaml --set dynamics.temperature=0.2 --set dynamics.steps=50000
  $ stochdyn run scenarios/quickstart.yaml --json | jq .events
  $ stochdyn run scenarios/quickstart.yaml --out runs/q --set observe.grid.kind=linear
  $ stochdyn run --continue runs/q --steps 200000 --replicas 12000
  $ stochdyn run scenarios/quickstart.yaml --shard 1/2 --out runs/q1   # and 2/2 on another machine
  $ stochdyn merge runs/q1 runs/q2 --out runs/q`,
    )
    .action(
      async (
        file: string,
        opts: {
          out?: string;
          replicas?: number;
          workers: number;
          seed?: number;
          set: string[];
          kernels?: string;
          json?: boolean;
          quiet?: boolean;
          report: boolean;
          force?: boolean;
          shard?: { index: number; count: number } | 'auto';
          checkpoint: boolean;
          checkpointEvery?: number;
          continue?: string;
          steps?: number;
        },
      ) => {
        if (opts.continue !== undefined) return continueCli(file, opts as typeof opts & { continue: string });
        if (opts.steps !== undefined)
          throw new ContinueError(
            '--steps extends a finished run (--continue <dir>); to set the steps of a new run use --set dynamics.steps=N',
          );
        if (file === undefined)
          throw new ContinueError('missing the scenario file: stochdyn run <scenario> (or --continue <dir> to extend a finished run)');
        const scenario = await loadScenario(file, { set: withKernels(opts.set, opts.kernels), replicas: opts.replicas, seed: opts.seed });
        assertNoSweep(scenario);
        if (hasRegimes(scenario)) {
          // A scenario with regimes: run every regime and print the comparison table instead (as `stochdyn compare <scenario>`).
          const dir = await runRegimesCli(scenario, {
            out: opts.out,
            workers: opts.workers,
            json: opts.json,
            quiet: opts.quiet,
            force: opts.force,
          });
          if (opts.report) await writeReport(dir);
          return;
        }
        if (scenario.exchange) {
          // A ladder (replica exchange): rungs/<k>/ per rung, exchange.json and rungs.csv (docs/exchange.md).
          const bar = progressBar(showProgressHere(opts));
          try {
            await runExchangeCli(scenario, { ...opts, onProgress: (d, t) => bar?.update(d, t) });
          } finally {
            bar?.stop();
          }
          return;
        }
        if (opts.shard) {
          const shard = shardOption(opts.shard)!;
          if (opts.out !== undefined) prepareOutDir(opts.out, { force: opts.force, sameRun: (dir) => isShardDirOf(dir, scenario, shard) });
          const bar = progressBar(showProgressHere(opts));
          const interrupt = onInterrupt('shard');
          let out;
          try {
            out = await runScenarioShard(scenario, {
              shard,
              out: opts.out,
              workers: opts.workers,
              signal: interrupt.signal,
              checkpointEvery: opts.checkpointEvery,
              onProgress: (d, t) => bar?.update(d, t),
            });
          } finally {
            bar?.stop();
            interrupt.dispose();
          }
          const { info } = out;
          const range = `replicas ${info.replicas.first}…${info.replicas.first + info.replicas.count - 1} of ${info.requested}`;
          if (opts.json) process.stdout.write(JSON.stringify(info, null, 2) + '\n');
          else
            process.stdout.write(
              `${scenario.name}: shard ${info.shard.index}/${info.shard.count} (${range}): ${info.status}\n` +
                `output: ${out.dir}\n` +
                (info.status === 'completed'
                  ? `merge the ${info.shard.count} shard directories into the run directory with stochdyn merge <dirs…> --out <dir>\n`
                  : ''),
            );
          if (info.status !== 'completed') {
            process.stderr.write(
              `stochdyn: shard ${info.shard.index}/${info.shard.count} is ${info.status}; the same command with --out ${out.dir} continues it\n`,
            );
            process.exitCode = info.status === 'interrupted' ? interrupt.exitCode() : 4;
          }
          return;
        }
        // A default directory is new (a fresh run id); an --out directory must be empty, this run's unfinished one, or cleared with --force.
        if (opts.out !== undefined) prepareOutDir(opts.out, { force: opts.force, sameRun: (dir) => isUnfinishedRunOf(dir, scenario) });
        const bar = progressBar(showProgressHere(opts));
        // Ctrl-C stops the run and writes what is complete; the finished shards and a snapshot of each running
        // one are saved under partial/, so the same command continues the run from there.
        const interrupt = onInterrupt('run');
        let out;
        try {
          out = await runScenario(scenario, {
            out: opts.out,
            workers: opts.workers,
            checkpoint: opts.checkpoint,
            checkpointEvery: opts.checkpointEvery,
            keepShards: true,
            signal: interrupt?.signal,
            onResume: (saved) => {
              if (!opts.quiet) process.stderr.write(resumeLine(saved) + '\n');
            },
            ...faultsFromEnv(),
            onProgress: (d, t) => bar?.update(d, t),
            // What the potential wants said at the start (e.g. its tfjs backend): stderr, so --json stays clean.
            onStart: (p) => {
              const line = potentialInfoLine(p.name, p.info);
              if (line && !opts.quiet) process.stderr.write(line + '\n');
            },
          });
        } finally {
          bar?.stop();
          interrupt?.dispose();
        }
        await reportRun(out, scenario, opts, interrupt);
      },
    );

  program
    .command('validate')
    .description('check a scenario file (schema, and against its potential) without running it')
    .argument('<scenario>', 'scenario file')
    .option('--set <key=value>', 'override a key before validating (repeatable)', collect, [])
    .option('--json', 'print the resolved scenario as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ stochdyn validate scenarios/quickstart.yaml
  $ stochdyn validate scenarios/brownian/kramers.yaml --set dynamics.temperature=0.2
  $ stochdyn validate scenarios/quickstart.yaml --json > quickstart.resolved.json`,
    )
    .action(async (file: string, opts: { set: string[]; json?: boolean }) => {
      const s = await loadScenario(file, { set: opts.set });
      const p = await checkScenario(s);
      // A sweep's points may change the potential or the observables: check each.
      const points = s.sweep ? expandSweep(s) : [];
      for (const point of points) await checkScenario(point.scenario);
      if (opts.json) process.stdout.write(JSON.stringify(s, null, 2) + '\n');
      else
        process.stdout.write(
          `${file}: valid — ${s.ensemble.replicas} replicas × ${s.dynamics.steps} steps of ${s.dynamics.integrator} in a ${p.dim}-D potential (${coordinateList(p.coordinates, p.coordinates.length > 8 ? p.potential.groups : undefined)})` +
            (points.length ? `; sweep of ${points.length} points, each checked` : '') +
            (s.splitting ? `; splitting: AMS, ${s.splitting.walkers} walkers × ${s.splitting.repetitions} repetitions` : '') +
            '\n',
        );
    });

  program
    .command('list')
    .description('list the registered potentials, integrators, observables, theory overlays, analyses, plots or kernels')
    .argument('[what]', 'potentials | integrators | observables | theory | analyses | plots | kernels (default: all)')
    .option('--json', 'machine-readable output')
    .option(
      '--potential <kind|scenario>',
      "with observables: also the observables a potential defines itself (a registered kind with default params, or a scenario file's potential)",
    )
    .addHelpText(
      'after',
      `
Examples:
  $ stochdyn list observables --potential modular-addition-square
  $ stochdyn list observables --potential scenarios/first-order/modular-addition.yaml`,
    )
    .action(async (what: string | undefined, opts: { json?: boolean; potential?: string }) => {
      const kinds = ['potentials', 'integrators', 'observables', 'theory', 'analyses', 'plots', 'kernels'];
      if (what && !kinds.includes(what)) throw new Error(`list: expected one of ${kinds.join(', ')}, found '${what}'`);
      const builtIns = listObservableKinds();
      const table: Record<string, Array<{ name: string; description: string }>> = {
        potentials: listPotentialFamilies().map((f) => ({ name: f.name, description: f.description })),
        integrators: integrators.list().map((i) => ({ name: i.name, description: i.description })),
        observables: opts.potential ? [...builtIns, ...(await ownObservables(opts.potential))] : builtIns,
        theory: listTheoryKinds(),
        analyses: listAnalyses(),
        plots: listPlots().map((p) => ({
          name: p.kind,
          description: typeof p.caption === 'string' ? `${p.title}: ${p.caption}` : p.title,
        })),
        kernels: kernelSets.list().map((k) => ({ name: k.name, description: `${k.potential}: ${k.description}` })),
      };
      const chosen = what ? [what] : kinds;
      if (opts.json) {
        process.stdout.write(JSON.stringify(Object.fromEntries(chosen.map((k) => [k, table[k]])), null, 2) + '\n');
        return;
      }
      for (const k of chosen) {
        process.stdout.write(`${k}:\n`);
        const w = Math.max(...table[k].map((e) => e.name.length));
        for (const e of table[k]) process.stdout.write(`  ${e.name.padEnd(w)}  ${e.description}\n`);
      }
    });

  program
    .command('info')
    .description(
      'environment: versions, cores, which TensorFlow.js package and backend would be used, and whether the WebAssembly SIMD and native kernels load',
    )
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
Examples:
  $ stochdyn info
  $ stochdyn info --json
  $ STOCHDYN_KERNELS=js stochdyn info   # the kernels with WebAssembly (and the native kernels) switched off
  $ STOCHDYN_NATIVE=0 stochdyn info     # the native kernels switched off (the same numbers, slower)`,
    )
    .action(async (opts: { json?: boolean }) => {
      const { loadTensorflow } = await import('../potentials/tfjs/backend.js');
      const tf = await loadTensorflow();
      const wasm = wasmKernels();
      const native = nativeStatus();
      const withKernels = potentialsWithKernels();
      const info = {
        stochdyn: packageVersion(),
        node: process.version,
        cores: availableParallelism(),
        tfjs: { package: tf.package, backend: tf.backend, version: tf.tf.version_core, fallbackReason: tf.fallbackReason ?? null },
        kernels: { wasm: wasm.ok, module: wasmPath(), reason: wasm.ok ? null : wasm.reason, potentials: withKernels },
        native: {
          loaded: native.ok,
          addon: native.path,
          simd: native.ok ? native.addon.simd : null,
          reason: native.ok ? null : native.reason,
          kernels: NATIVE_KERNELS,
        },
      };
      if (opts.json) process.stdout.write(JSON.stringify(info, null, 2) + '\n');
      else
        process.stdout.write(
          `stochdyn ${info.stochdyn} on Node ${info.node}, ${info.cores} cores\n` +
            `tfjs: ${tf.package} ${info.tfjs.version} (backend ${tf.backend})` +
            (tf.fallbackReason ? `; @tensorflow/tfjs-node not used: ${tf.fallbackReason}` : '') +
            '\n' +
            `kernels: ${wasm.ok ? `WebAssembly SIMD available (${info.kernels.module})` : `WebAssembly unavailable, plain TypeScript (${wasm.reason})`}; potentials with WebAssembly kernels: ${withKernels.join(', ')}\n` +
            `native kernels: ${native.ok ? `loaded (${native.addon.simd}, ${native.path}): ${NATIVE_KERNELS.join('; ')}` : `not used, the TypeScript loops run with the same numbers (${native.reason})`}\n`,
        );
    });

  registerReport(program);

  registerFigure(program);

  registerExport(program);

  registerLs(program);

  registerCompare(program);

  registerSweep(program);

  registerSlurm(program);

  program
    .command('schema')
    .description('print the JSON Schema of scenario files (for editor autocompletion), or with --summary that of summary.json')
    .option('--summary', 'print the JSON Schema (draft 2020-12) of summary.json instead (docs/outputs.md)')
    .addHelpText(
      'after',
      `
Examples:
  $ stochdyn schema > stochdyn.schema.json
  $ stochdyn schema --summary > summary.schema.json`,
    )
    .action((opts: { summary?: boolean }) => {
      process.stdout.write(
        JSON.stringify(opts.summary ? summaryJsonSchema() : scenarioJsonSchema({ analyses: analysisSchemas() }), null, 2) + '\n',
      );
    });

  await program.parseAsync(argv);
}

/** `stochdyn run --continue DIR [--replicas N] [--steps N]`: extend a finished run in place (src/runs/continue.ts). */
async function continueCli(
  file: string | undefined,
  opts: {
    continue: string;
    steps?: number;
    replicas?: number;
    workers: number;
    quiet?: boolean;
    json?: boolean;
    report: boolean;
    set: string[];
    seed?: number;
    shard?: unknown;
    checkpointEvery?: number;
    checkpoint: boolean;
  },
): Promise<void> {
  const clash = [
    file !== undefined && `a scenario file (${file})`,
    opts.set.length > 0 && '--set',
    opts.seed !== undefined && '--seed',
    opts.shard !== undefined && '--shard',
    !opts.checkpoint && '--no-checkpoint',
  ].filter(Boolean);
  if (clash.length) throw new ContinueError(`--continue takes the run directory's own scenario: drop ${clash.join(', ')}`);
  if (opts.replicas === undefined && opts.steps === undefined)
    throw new ContinueError("--continue needs --replicas N and/or --steps N (the extended run's counts)");
  const bar = progressBar(showProgressHere(opts));
  const interrupt = onInterrupt('run');
  let out;
  try {
    out = await continueRun(opts.continue, {
      replicas: opts.replicas,
      steps: opts.steps,
      workers: opts.workers,
      checkpointEvery: opts.checkpointEvery,
      signal: interrupt?.signal,
      onResume: (saved) => {
        if (!opts.quiet) process.stderr.write(resumeLine(saved) + '\n');
      },
      onProgress: (d, t) => bar?.update(d, t),
    });
  } finally {
    bar?.stop();
    interrupt?.dispose();
  }
  await reportRun(out, scenarioOfRunDir(out.dir), opts, interrupt);
}

/** After a run: its report, the summary (table or JSON) on stdout, and what went wrong on stderr with the exit code. */
async function reportRun(
  out: { dir: string; summary: Parameters<typeof formatRunTable>[0] },
  scenario: Scenario,
  opts: { report: boolean; json?: boolean },
  interrupt: ReturnType<typeof onInterrupt>,
): Promise<void> {
  if (opts.report) await writeReport(out.dir);
  if (opts.json) process.stdout.write(JSON.stringify(out.summary, null, 2) + '\n');
  else process.stdout.write(formatRunTable(out.summary, out.dir));
  const trouble = runTrouble(out.summary, scenario, out.dir);
  if (trouble) {
    process.stderr.write(trouble.message + '\n');
    process.exitCode = trouble.status === 'interrupted' && interrupt ? interrupt.exitCode() : trouble.exitCode;
  }
}

main(process.argv).catch((e: unknown) => {
  if (e instanceof ScenarioError) {
    process.stderr.write(`stochdyn: invalid scenario\n${e.message}\n`);
    process.exitCode = 2;
  } else if (e instanceof OutputDirError || e instanceof RunShardError || e instanceof ShardResolutionError || e instanceof ContinueError) {
    process.stderr.write(`stochdyn: ${e.message}\n`);
    process.exitCode = 2;
  } else if (e instanceof OutputError) {
    process.stderr.write(`stochdyn: output error: ${e.message}\n`);
    // Nothing could be written anywhere: the summary is the one thing the user still gets.
    if (e.summary && !e.rescuedTo) process.stdout.write(JSON.stringify(e.summary, null, 2) + '\n');
    process.exitCode = 5;
  } else {
    // One line, with the user's file:line when a potential module (or model file) threw; STOCHDYN_DEBUG=1 adds every stack.
    process.stderr.write(`stochdyn: error: ${formatError(e, { ownRoots: stochdynRoots(), debug: !!process.env.STOCHDYN_DEBUG })}\n`);
    process.exitCode = 1;
  }
});
