/**
 * Checkpoints of a run: each shard's result (whole blocks of replicas, every
 * recorder's accumulators) is saved under `<dir>/partial/` as soon as the shard
 * is done. A run that stops — Ctrl-C, a killed job, a crash — keeps them, and
 * running the same scenario into the same directory again runs only the
 * replicas without a saved result; the merged outputs are the same bytes as an
 * uninterrupted run's, because shard results merge identically for any shard
 * plan of whole blocks. The parts of a run split across machines
 * (`run --shard`) are saved the same way and merged by `stochdyn merge`.
 *
 * Format: one file per shard, `replicas-<first>-<count>.bin`, holding the
 * shard result in Node's structured-clone serialisation (node:v8), written
 * atomically. The files are private to the stochdyn version that wrote them
 * (scenario.resolved.json names it; a run of another version never reads them).
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { ShardResult } from '../observables/results.js';
import { writeAtomic } from './write.js';

/** The folder of a run directory that holds its saved shard results. */
export const PARTIAL_DIR = 'partial';

const FILE = /^replicas-(\d+)-(\d+)\.bin$/;

/** Save one shard's result (atomically: a file that exists is complete). */
export function saveShardResult(dir: string, result: ShardResult): void {
  writeAtomic(join(dir, PARTIAL_DIR, `replicas-${result.firstReplica}-${result.count}.bin`), serialize(result));
}

/**
 * The shard results saved in `dir` (none when there is no `partial/` folder),
 * in replica order. A file that does not hold the result its name says is an
 * error naming the file.
 */
export function loadShardResults(dir: string): ShardResult[] {
  const folder = join(dir, PARTIAL_DIR);
  if (!existsSync(folder)) return [];
  const out: ShardResult[] = [];
  for (const name of readdirSync(folder).sort()) {
    const m = FILE.exec(name);
    if (!m) continue; // temporary files of an interrupted write, or anything else
    const file = join(folder, name);
    let r: ShardResult;
    try {
      r = deserialize(readFileSync(file)) as ShardResult;
    } catch (e) {
      throw new Error(`${file}: not a readable shard result (${(e as Error).message}); delete it to run those replicas again`, {
        cause: e,
      });
    }
    if (r?.firstReplica !== Number(m[1]) || r?.count !== Number(m[2]))
      throw new Error(
        `${file}: holds replicas ${r?.firstReplica}+${r?.count}, not what its name says; delete it to run those replicas again`,
      );
    out.push(r);
  }
  out.sort((a, b) => a.firstReplica - b.firstReplica);
  for (let i = 1; i < out.length; i++)
    if (out[i].firstReplica < out[i - 1].firstReplica + out[i - 1].count)
      throw new Error(
        `${folder}: saved shard results overlap (replicas ${out[i].firstReplica}…); delete the folder to start the run again`,
      );
  return out;
}

/** Remove the saved shard results (after the complete outputs are written). */
export function clearShardResults(dir: string): void {
  rmSync(join(dir, PARTIAL_DIR), { recursive: true, force: true });
}
