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
 * A shard still running saves a snapshot (its state between two steps: the
 * ensemble, the integrator's pre-drawn noise, every recorder's accumulators)
 * about every `checkpoint_every` seconds and when the run is stopped, as
 * `state-<first>-<count>.bin`; the next run continues that shard from it, and
 * the snapshot goes when the shard's result is saved.
 *
 * Format: one file per shard, `replicas-<first>-<count>.bin` (a result) or
 * `state-<first>-<count>.bin` (a snapshot), in Node's structured-clone
 * serialisation (node:v8), written atomically. The files are private to the stochdyn version that wrote them
 * (scenario.resolved.json names it; a run of another version never reads them).
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { ShardResult } from '../observables/results.js';
import type { ShardSnapshot } from '../parallel/shard-runner.js';
import { writeAtomic } from './write.js';

/**
 * One saved file of a checkpoint, deserialised; a file that cannot be read is
 * an error naming it, `what` it should hold, and that deleting it will `redo` that part.
 */
export function readSaved<T>(file: string, what: string, redo: string): T {
  try {
    return deserialize(readFileSync(file)) as T;
  } catch (e) {
    throw new Error(`${file}: not a readable ${what} (${(e as Error).message}); delete it to ${redo}`, { cause: e });
  }
}

/** The folder of a run directory that holds its saved shard results. */
export const PARTIAL_DIR = 'partial';

const FILE = /^replicas-(\d+)-(\d+)\.bin$/;
const STATE_FILE = /^state-(\d+)-(\d+)\.bin$/;
const stateFile = (dir: string, first: number, count: number) => join(dir, PARTIAL_DIR, `state-${first}-${count}.bin`);

/** Save one shard's result (atomically: a file that exists is complete), and drop that shard's snapshot. */
export function saveShardResult(dir: string, result: ShardResult): void {
  writeAtomic(join(dir, PARTIAL_DIR, `replicas-${result.firstReplica}-${result.count}.bin`), serialize(result));
  rmSync(stateFile(dir, result.firstReplica, result.count), { force: true });
}

/** Save a snapshot of an unfinished shard (atomically, replacing its previous one). */
export function saveShardSnapshot(dir: string, snapshot: ShardSnapshot): void {
  writeAtomic(stateFile(dir, snapshot.firstReplica, snapshot.count), serialize(snapshot));
}

/**
 * The snapshots of unfinished shards saved in `dir`, in replica order, except
 * those whose replicas a saved result covers (left by a run stopped between
 * saving a result and removing the snapshot). An unreadable file is an error
 * naming it.
 */
export function loadShardSnapshots(dir: string, results: readonly ShardResult[]): ShardSnapshot[] {
  const folder = join(dir, PARTIAL_DIR);
  if (!existsSync(folder)) return [];
  const out: ShardSnapshot[] = [];
  for (const name of readdirSync(folder).sort()) {
    const m = STATE_FILE.exec(name);
    if (!m) continue;
    const first = Number(m[1]);
    const count = Number(m[2]);
    if (results.some((r) => r.firstReplica < first + count && first < r.firstReplica + r.count)) continue;
    const file = join(folder, name);
    const snap = readSaved<ShardSnapshot>(file, 'shard snapshot', 'run those replicas again');
    if (snap?.firstReplica !== first || snap?.count !== count)
      throw new Error(
        `${file}: holds replicas ${snap?.firstReplica}+${snap?.count}, not what its name says; delete it to run those replicas again`,
      );
    out.push(snap);
  }
  for (let i = 1; i < out.length; i++)
    if (out[i].firstReplica < out[i - 1].firstReplica + out[i - 1].count)
      throw new Error(
        `${folder}: saved shard snapshots overlap (replicas ${out[i].firstReplica}…); delete the folder to start the run again`,
      );
  return out;
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
    const r = readSaved<ShardResult>(file, 'shard result', 'run those replicas again');
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

/** The folder of a completed run that keeps its shard results for extending it (`stochdyn run --continue`). */
export const SHARDS_DIR = 'shards';

/** After the complete outputs are written: keep the shard results as `shards/` (snapshots are dropped), replacing an older one. */
export function keepShardResults(dir: string): void {
  const folder = join(dir, PARTIAL_DIR);
  rmSync(join(dir, SHARDS_DIR), { recursive: true, force: true });
  if (!existsSync(folder)) return;
  for (const name of readdirSync(folder)) if (!FILE.test(name)) rmSync(join(folder, name), { recursive: true, force: true });
  renameSync(folder, join(dir, SHARDS_DIR));
}

/** Remove the saved shard results (after the complete outputs are written). */
export function clearShardResults(dir: string): void {
  rmSync(join(dir, PARTIAL_DIR), { recursive: true, force: true });
}
