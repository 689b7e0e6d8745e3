/**
 * What a failed shard attempt was, and whether running it again can help.
 *
 * A shard is a pure function of its spec (the scenario, the run plan, the
 * replica range): the same spec gives the same bytes on any thread. So an
 * exception raised while building the potential or running the user's module
 * will be raised again by a retry; only a fault of the thread that ran it (it
 * exited, crashed, ran out of memory, was killed) says nothing about the
 * next attempt. Those are retried; the rest is reported at once.
 */
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Fault injection, for testing the fault handling (docs/reliability.md): the
 * shard with index `shard` (in plan order; every shard when omitted) of run
 * `run` (every run when omitted) fails on its first `times` attempts.
 * - `throw`: the shard throws a transient exception before its first step (as
 *   a flaky resource would; marked transient, so it is retried — an exception
 *   of the scenario's own code is not);
 * - `exit`: the worker thread calls process.exit(7) before its first step
 *   (in-process shards throw the transient exception instead: exiting would end the whole process);
 * - `kill`: the parent terminates the worker as soon as it has handed it the
 *   shard (as an out-of-memory kill or a `kill` of the thread would); in-process: throws.
 */
export interface FaultInjection {
  kind: 'throw' | 'exit' | 'kill';
  shard?: number;
  run?: number;
  /** Attempts that fail (1: the retry succeeds; 2 or more: the shard is reported missing). Default 1. */
  times?: number;
}

/** An injected fault that stands for a transient failure: retried like a fault of the worker. */
export class InjectedFault extends Error {
  override readonly name = 'InjectedFault';
  readonly transient = true;
}

/**
 * One failed attempt of a shard. `transient`: a fault of the thread (exit,
 * crash, kill, out of memory) or an injected one — worth another attempt;
 * otherwise the shard's own code threw, and it would throw again. `stack` is
 * the stack where it was thrown (in the worker thread, when it ran there).
 */
export class ShardAttemptError extends Error {
  override readonly name = 'ShardAttemptError';
  constructor(
    message: string,
    readonly transient: boolean,
    stack?: string,
  ) {
    super(message);
    if (stack) this.stack = stack;
  }
}

/** Whether an exception thrown by a shard's code is worth another attempt: injected faults, and allocations refused under memory pressure. */
export function isTransientError(error: unknown): boolean {
  if (error instanceof InjectedFault) return true;
  // V8's message when a typed array cannot be allocated: the heap of the whole process is short, which other shards finishing may relieve.
  return error instanceof RangeError && /Array buffer allocation failed/.test(error.message);
}

/** The stack of `error` followed by those of its causes (module.ts wraps the user's exception, whose stack names the user's file). */
export function fullStack(error: unknown): string | undefined {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  for (let e: unknown = error; e instanceof Error && !seen.has(e); e = e.cause) {
    seen.add(e);
    if (e.stack) parts.push(parts.length ? `Caused by: ${e.stack}` : e.stack);
  }
  return parts.length ? parts.join('\n') : undefined;
}

/** One stack frame's location. */
export interface FrameLocation {
  file: string;
  line: number;
  column: number;
}

/** `    at fn (file:line:col)` or `    at file:line:col` (V8's format); file may be a file:// URL. */
const FRAME = /^\s*at (?:.*? \()?(?<file>(?:file:\/\/)?[^\s()]+?):(?<line>\d+):(?<column>\d+)\)?\s*$/;

/** The frames with a file location in a stack text, in order (frames of node internals included). */
export function stackFrames(text: string): FrameLocation[] {
  const frames: FrameLocation[] = [];
  for (const line of text.split('\n')) {
    const m = FRAME.exec(line);
    if (!m?.groups) continue;
    let file = m.groups.file!;
    if (file.startsWith('file://')) {
      try {
        file = fileURLToPath(file);
      } catch {
        continue;
      }
    }
    frames.push({ file, line: Number(m.groups.line), column: Number(m.groups.column) });
  }
  return frames;
}

/** A frame of stochdyn itself (`ownRoots`: its src/, dist/, workers/), of a dependency or of node: not the user's code. */
export function isOwnFrame(file: string, ownRoots: readonly string[]): boolean {
  if (file.startsWith('node:') || file.startsWith('internal/') || !file.startsWith(sep)) return true;
  if (file.includes(`${sep}node_modules${sep}`)) return true;
  return ownRoots.some((root) => file === root || file.startsWith(root.endsWith(sep) ? root : root + sep));
}

/**
 * The first `file:line:column` of `stack` that is not stochdyn's own code,
 * a dependency or Node's: the line of the user's module that threw.
 * `packageRoot` is stochdyn's folder (its src/, dist/ and workers/ are skipped).
 */
export function userFrame(stack: string | undefined, packageRoot: string): string | undefined {
  if (!stack) return undefined;
  const own = ['src', 'dist', 'workers'].map((folder) => join(packageRoot, folder));
  const frame = stackFrames(stack).find((f) => !isOwnFrame(f.file, own) && existsSync(f.file));
  return frame && `${frame.file}:${frame.line}:${frame.column}`;
}
