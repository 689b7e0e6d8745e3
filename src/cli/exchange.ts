/**
 * `stochdyn run` of a scenario with an `exchange:` section: run the ladder,
 * print a table of the rungs and the neighbour pairs, and warn on stderr
 * when a pair barely exchanges (naming where to add a rung).
 */
import { ExchangeInterrupted, runExchange, type ExchangeOutput } from '../runs/exchange.js';
import type { Scenario } from '../scenario/types.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolvedScenarioJson } from '../runs/run.js';
import { prepareOutDir } from './output-dir.js';
import { resumeLine } from './format.js';
import { writeReport } from './report.js';
import { onInterrupt } from './signals.js';

export interface ExchangeCliOptions {
  out?: string;
  workers: number;
  json?: boolean;
  quiet?: boolean;
  force?: boolean;
  report: boolean;
  /** `--no-checkpoint` (false) and `--checkpoint-every` (seconds between snapshots). */
  checkpoint?: boolean;
  checkpointEvery?: number;
  /** Progress (replica-steps done, total), e.g. the progress bar of main.ts. */
  onProgress?: (done: number, total: number) => void;
}

const fmt = (v: number | null | undefined, digits = 3) => (v === null || v === undefined ? '—' : Number(v.toPrecision(digits)).toString());

/** The text table of an exchange run (stdout). */
export function formatExchangeTable(output: ExchangeOutput): string {
  const e = output.exchange;
  const lines = [
    ...(e.status === 'interrupted' ? [`INTERRUPTED: the counts below are over the ${e.sets} ladders that finished`, ''] : []),
    `replica exchange '${e.name}': ${e.rungs.length} rungs of ${e.key}, ${e.sets} ladders, ${e.rounds} rounds every ${e.interval} steps (${e.scheme})`,
    '',
  ];
  const ad = e.adaptation;
  if (ad)
    lines.push(
      `ladder adapted in ${ad.rounds} rounds (steps 0–${ad.frozenAt}, ${ad.space} space), then frozen; acceptances and round trips below are after step ${ad.frozenAt}`,
      `  first round's acceptances: ${ad.history[0].pairs.map((p) => fmt(p.acceptance)).join(', ')}`,
      '',
    );
  lines.push('rung  value       acceptance to next (± SE)');
  for (const r of e.rungs) {
    const pair = e.pairs[r.index];
    const acc = pair ? `${fmt(pair.acceptance)} ± ${fmt(pair.acceptanceSe, 2)}  (${pair.accepted}/${pair.attempted})` : '';
    lines.push(`${String(r.index).padEnd(5)} ${fmt(r.value, 5).padEnd(11)} ${acc}`);
  }
  lines.push(
    '',
    `round trips: ${e.roundTrips.count} (mean ${fmt(e.roundTrips.meanRounds)} rounds; ${fmt(e.roundTrips.perSetPerRound)} per ladder per round)`,
  );
  if (output.dir) lines.push(`results: ${output.dir} (rungs/<k>/ per rung, rungs.csv, exchange.json)`);
  return lines.join('\n') + '\n';
}

export async function runExchangeCli(scenario: Scenario, options: ExchangeCliOptions): Promise<void> {
  // An --out directory must be empty, an unfinished run of this same ladder (continued from partial/), or cleared with --force.
  if (options.out !== undefined)
    prepareOutDir(options.out, { force: options.force, sameRun: (dir) => isUnfinishedExchangeOf(dir, scenario) });
  // SIGINT/SIGTERM: every running shard stops after its exchange round with a snapshot under partial/, the ladders
  // finished by then are written (exit 130/143), and the same command continues the run.
  const interrupt = onInterrupt('run');
  let output: ExchangeOutput;
  try {
    output = await runExchange(scenario, {
      out: options.out,
      workers: options.workers,
      onProgress: options.onProgress,
      signal: interrupt?.signal,
      checkpoint: options.checkpoint,
      checkpointEvery: options.checkpointEvery,
      onResume: (saved) => process.stderr.write(resumeLine(saved).replace('replicas', 'ladders') + '\n'),
    });
  } catch (e) {
    if (!(e instanceof ExchangeInterrupted) || !interrupt) throw e;
    process.stderr.write(`stochdyn: ${e.message}\n`);
    process.exitCode = interrupt.exitCode();
    return;
  } finally {
    interrupt?.dispose();
  }
  // rungs/<k>/report.html and the exchange page linking them (report/exchange.ts).
  if (options.report && output.dir) await writeReport(output.dir);
  if (options.json) process.stdout.write(JSON.stringify(output.exchange, null, 2) + '\n');
  else process.stdout.write(formatExchangeTable(output));
  for (const w of output.exchange.warnings) process.stderr.write(`warning: ${w}\n`);
  const e = output.exchange;
  if (e.status === 'interrupted' && interrupt) {
    const missing = e.missing.map((g) => `${g.first}…${g.first + g.count - 1}`).join(', ');
    process.stderr.write(
      `status: interrupted — results of ${e.sets} of ${e.sets + e.missing.reduce((n, g) => n + g.count, 0)} ladders; missing: ${missing}\n` +
        (output.dir ? `the same command with --out ${output.dir} continues the run (its work is saved in partial/)\n` : ''),
    );
    process.exitCode = interrupt.exitCode();
  }
}

/** `dir` holds an unfinished exchange run of this scenario: the same resolved scenario and saved work, no complete exchange.json. */
function isUnfinishedExchangeOf(dir: string, scenario: Scenario): boolean {
  try {
    return readFileSync(join(dir, 'scenario.resolved.json'), 'utf8') === resolvedScenarioJson(scenario) && existsSync(join(dir, 'partial'));
  } catch {
    return false;
  }
}
