/**
 * How the CLI reports an error that is not a scenario or output error: one
 * line with the message and, when user code threw (a potential module, a
 * TensorFlow.js model file), the first stack frame in the user's file — the
 * file:line to open; with STOCHDYN_DEBUG=1 the full stacks follow, of the
 * error and of each error it was caused by.
 *
 * The stacks are read from the error, its `cause` chain and the errors of an
 * AggregateError, and from stack text carried inside a message (an error from
 * a worker thread arrives as {message, stack} and may be re-raised with that
 * text), so the location survives whichever path the error took.
 */
import { join } from 'node:path';
import { isOwnFrame, stackFrames, type FrameLocation } from '../parallel/faults.js';
import { packageRoot } from '../parallel/pool.js';

export { isOwnFrame, stackFrames, type FrameLocation };

/** stochdyn's own code (src/, its compiled dist/, workers/): frames there are not the user's. */
export function stochdynRoots(): string[] {
  return ['src', 'dist', 'workers'].map((folder) => join(packageRoot(), folder));
}

/** The error, then what caused it, then the errors of an AggregateError (depth-first, each once). */
export function errorChain(error: unknown): unknown[] {
  const out: unknown[] = [];
  const seen = new Set<unknown>();
  const visit = (e: unknown) => {
    if (e === undefined || e === null || seen.has(e) || out.length > 32) return;
    seen.add(e);
    out.push(e);
    if (typeof e === 'object') {
      visit((e as { cause?: unknown }).cause);
      const inner = (e as { errors?: unknown }).errors;
      if (Array.isArray(inner)) for (const x of inner) visit(x);
    }
  };
  visit(error);
  return out;
}

/** The text of one error: its stack (which starts with its message) or its message. */
const textOf = (e: unknown): string => {
  if (typeof e === 'object' && e !== null) {
    const { stack, message } = e as { stack?: unknown; message?: unknown };
    const m = typeof message === 'string' ? message : '';
    // A message that carries stack text (re-raised from a worker) is searched too.
    return [typeof stack === 'string' ? stack : '', m].join('\n');
  }
  return String(e);
};

/**
 * The first stack frame outside stochdyn and node (`ownRoots`: stochdyn's
 * src/, dist/, workers/ folders; node_modules is never the user's) in the
 * error or what caused it: where the user's code threw.
 */
export function userFrame(error: unknown, ownRoots: readonly string[]): FrameLocation | undefined {
  for (const e of errorChain(error)) {
    const frame = stackFrames(textOf(e)).find((f) => !isOwnFrame(f.file, ownRoots));
    if (frame) return frame;
  }
  return undefined;
}

/** Any line of a V8 stack below its message, with or without a location (`at new Promise (<anonymous>)`). */
const STACK_LINE = /^\s+at \S/;

/** A message without the stack lines some messages carry (they belong to the debug output). */
const withoutStackLines = (message: string): string =>
  message
    .split('\n')
    .filter((l) => !STACK_LINE.test(l))
    .join('\n')
    .trimEnd();

/**
 * An error recorded as text (a failed shard's reason in `run.missing[].errors`,
 * a failed sweep point's `error`) on one line: without stack lines, with
 * ` (at <file>:<line>:<column>)` when they show where user code threw.
 */
export function errorTextLine(text: string, ownRoots: readonly string[]): string {
  const frame = stackFrames(text).find((f) => !isOwnFrame(f.file, ownRoots));
  const line = withoutStackLines(text).replace(/\n+/g, ' ');
  return frame && !line.includes(`${frame.file}:${frame.line}`) ? `${line} (at ${frame.file}:${frame.line}:${frame.column})` : line;
}

/**
 * The error as the CLI prints it (after `stochdyn: error: `): the message, with
 * ` (at <file>:<line>:<column>)` when user code threw; with `debug` the
 * stacks of the error and of each cause follow on their own lines.
 */
export function formatError(error: unknown, options: { ownRoots: readonly string[]; debug?: boolean }): string {
  const message =
    error instanceof Error || (typeof error === 'object' && error !== null && 'message' in error)
      ? String((error as { message: unknown }).message)
      : String(error);
  const frame = userFrame(error, options.ownRoots);
  const line = withoutStackLines(message);
  const at = frame && !line.includes(`${frame.file}:${frame.line}`) ? ` (at ${frame.file}:${frame.line}:${frame.column})` : '';
  let text = line + at;
  if (options.debug) {
    const stacks = errorChain(error).map((e, k) => {
      const stack =
        typeof e === 'object' && e !== null && typeof (e as { stack?: unknown }).stack === 'string'
          ? (e as { stack: string }).stack
          : String((e as { message?: unknown })?.message ?? e);
      return (k === 0 ? '' : 'Caused by: ') + stack;
    });
    text += '\n' + stacks.join('\n');
  }
  return text;
}
