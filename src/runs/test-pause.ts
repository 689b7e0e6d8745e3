/**
 * A test hook that stops a sweep or a run at a known state, so a test can kill
 * or interrupt it without racing the computation (docs/tests.md, "Pausing a
 * sweep at a known state"). Unset variables: no effect.
 *
 *     STOCHDYN_TEST_PAUSE_AFTER_POINTS=N   pause once this process has committed N sweep points
 *     STOCHDYN_TEST_PAUSE_AFTER_SHARDS=N   pause once this process has saved N shard results of a run (its checkpoint)
 *     STOCHDYN_TEST_PAUSE_AFTER_SNAPSHOTS=N pause once this process has saved N snapshots of running shards
 *     STOCHDYN_TEST_PAUSE_CLAIMED=N        (sweep --claim) pause in the middle of this process's N-th claimed point, holding its claim
 *     STOCHDYN_TEST_PAUSE_FILE=PATH        write PATH.reached, then block until PATH exists
 *
 * The wait blocks the main thread (Atomics.wait, a few ms per poll), so no
 * other point is committed and no signal handler runs until the test creates
 * PATH; a SIGKILL ends it at once.
 */
import { existsSync, writeFileSync } from 'node:fs';

function pauseHere(file: string, value: number): void {
  writeFileSync(`${file}.reached`, String(value));
  const cell = new Int32Array(new SharedArrayBuffer(4));
  while (!existsSync(file)) Atomics.wait(cell, 0, 0, 5);
}

/** Sweep --claim: called with the number of points this process has claimed so far, from a claimed point's progress. */
export function pauseInClaimedPoint(claimed: number, environment: NodeJS.ProcessEnv = process.env): void {
  const at = environment.STOCHDYN_TEST_PAUSE_CLAIMED;
  const file = environment.STOCHDYN_TEST_PAUSE_FILE;
  if (!at || !file || claimed !== Number(at)) return;
  pauseHere(file, claimed);
}

export function pauseAfterPoints(pointsCommitted: number, environment: NodeJS.ProcessEnv = process.env): void {
  pauseAt(environment.STOCHDYN_TEST_PAUSE_AFTER_POINTS, pointsCommitted, environment);
}

export function pauseAfterShards(shardsSaved: number, environment: NodeJS.ProcessEnv = process.env): void {
  pauseAt(environment.STOCHDYN_TEST_PAUSE_AFTER_SHARDS, shardsSaved, environment);
}

export function pauseAfterSnapshots(saved: number, environment: NodeJS.ProcessEnv = process.env): void {
  pauseAt(environment.STOCHDYN_TEST_PAUSE_AFTER_SNAPSHOTS, saved, environment);
}

function pauseAt(after: string | undefined, count: number, environment: NodeJS.ProcessEnv): void {
  const file = environment.STOCHDYN_TEST_PAUSE_FILE;
  if (!after || !file || count !== Number(after)) return;
  writeFileSync(`${file}.reached`, String(count));
  const cell = new Int32Array(new SharedArrayBuffer(4));
  while (!existsSync(file)) Atomics.wait(cell, 0, 0, 5);
}
