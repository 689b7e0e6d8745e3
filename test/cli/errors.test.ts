/**
 * Errors thrown by a user's potential module are reported with the module's
 * file:line (src/cli/errors.ts): in the one-line message, and with every stack
 * under STOCHDYN_DEBUG=1. End to end for an error at build time
 * (test/fixtures/potentials/throws-at-build.mjs); for an error in
 * energyAndGradient, the real stack of the fixture throws-in-energy.mjs as a
 * worker sends it ({message, stack}) and as a message that carries it.
 *
 *   npm run build && npx vitest run test/cli/errors.test.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { errorTextLine, formatError, stackFrames, userFrame } from '../../src/cli/errors.js';
import { ROOT, runCli } from '../helpers.js';

const FIXTURES = join(ROOT, 'test', 'fixtures', 'potentials');
const OWN = ['src', 'dist', 'workers'].map((d) => join(ROOT, d));

/** The 1-based line of the first line of `file` containing `text`. */
const lineOf = (file: string, text: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(text)) + 1;

describe('a potential module that throws while it is built', () => {
  const scenario = join(FIXTURES, 'throws-at-build.yaml');
  const module = join(FIXTURES, 'throws-at-build.mjs');
  const line = lineOf(module, 'throw new Error');

  it('the one-line error names the module file and the line that threw', () => {
    expect(line).toBeGreaterThan(0);
    const r = runCli(['validate', scenario]);
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^stochdyn: error: potential module .*throws-at-build\.mjs: createPotential threw: parameter 'height' is required/,
    );
    expect(lines[0]).toContain(`(at ${module}:${line}:`);
    // run reports the same, before anything is written.
    const run = runCli(['run', scenario, '--workers', '0', '-q', '--no-report', '--out', join(ROOT, 'output', 'never-written')]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`throws-at-build.mjs:${line}:`);
  });

  it('STOCHDYN_DEBUG=1 adds the stacks: the wrapper and, as its cause, the frames in the module', () => {
    const r = runCli(['validate', scenario], { env: { STOCHDYN_DEBUG: '1' } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("Caused by: Error: parameter 'height' is required");
    expect(r.stderr).toContain(`at requireParam (${pathToFileURL(module).href}:${line}:`);
    expect(r.stderr).toContain(`at createPotential (${pathToFileURL(module).href}:${lineOf(module, "requireParam(params, 'height')")}:`);
  });
});

describe('an error in energyAndGradient, as it arrives from a worker', async () => {
  const module = join(FIXTURES, 'throws-in-energy.mjs');
  const line = lineOf(module, 'throw new Error');
  const { createPotential } = await import(pathToFileURL(module).href);
  const thrown = (() => {
    try {
      createPotential({}).energyAndGradient(new Float64Array(1), 1, new Float64Array(1), new Float64Array(1));
    } catch (e) {
      return e as Error;
    }
    throw new Error('the fixture did not throw');
  })();

  it('the real stack has the fixture frame, which userFrame picks over node and stochdyn frames', () => {
    const frames = stackFrames(thrown.stack!);
    expect(frames[0]).toEqual({ file: module, line, column: expect.any(Number) });
    const stochdynFirst = `Error: x\n    at runShard (file://${join(ROOT, 'dist', 'src', 'parallel', 'shard-runner.js')}:10:3)\n    at node:internal/x:1:1\n${thrown.stack!.split('\n').slice(1).join('\n')}`;
    expect(userFrame({ message: 'x', stack: stochdynFirst }, OWN)?.file).toBe(module);
    // With the fixtures (and this test file) counted as stochdyn's own, no frame is the user's.
    expect(userFrame({ message: 'x', stack: stochdynFirst }, [...OWN, join(ROOT, 'test')])).toBeUndefined();
  });

  it("an Error re-raised with the worker's stack kept, or wrapped as its cause: the one line names file:line", () => {
    const kept = Object.assign(new Error(thrown.message), { stack: thrown.stack });
    expect(formatError(kept, { ownRoots: OWN })).toBe(
      `energy not implemented (at ${module}:${line}:${stackFrames(thrown.stack!)[0]!.column})`,
    );
    const wrapped = new Error('every shard of the run failed (after 1 attempt each): replicas 0…3: energy not implemented', {
      cause: kept,
    });
    // Raised by stochdyn (as the pool would): its own frames only.
    wrapped.stack = `Error: ${wrapped.message}\n    at runEnsemble (file://${join(ROOT, 'dist', 'src', 'parallel', 'run.js')}:70:11)`;
    expect(formatError(wrapped, { ownRoots: OWN })).toContain(`(at ${module}:${line}:`);
    const debug = formatError(wrapped, { ownRoots: OWN, debug: true });
    expect(debug.split('\n')[0]).toContain(`(at ${module}:${line}:`);
    expect(debug).toContain('Caused by: Error: energy not implemented\n    at ');
    expect(debug.slice(debug.indexOf('Caused by:'))).toContain(`throws-in-energy.mjs:${line}:`);
  });

  it("a message that carries the worker's stack text: one line without the stack lines, with file:line", () => {
    const message = `every shard of the run failed: replicas 0…3: attempt 1: ${thrown.stack}`;
    const carried = new Error(message);
    carried.stack = `Error: ${message}\n    at runEnsemble (file://${join(ROOT, 'dist', 'src', 'parallel', 'run.js')}:70:11)`;
    const text = formatError(carried, { ownRoots: OWN });
    expect(text.split('\n')).toHaveLength(1);
    expect(text).toMatch(/^every shard of the run failed: replicas 0…3: attempt 1: Error: energy not implemented \(at /);
    expect(text).toContain(`${module}:${line}:`);
  });

  it("a failed shard's recorded reason (run.missing[].errors) with the stack: one line with file:line", () => {
    const reason = `attempt 1: ${thrown.stack}`;
    const text = errorTextLine(reason, OWN);
    expect(text).not.toContain('\n');
    expect(text).toMatch(/^attempt 1: Error: energy not implemented \(at /);
    expect(text).toContain(`${module}:${line}:`);
    expect(errorTextLine('attempt 1: worker exited with code 7 before sending its result', OWN)).toBe(
      'attempt 1: worker exited with code 7 before sending its result',
    );
  });

  it('an error of stochdyn itself gets no location', () => {
    const own = new Error('internal');
    own.stack = `Error: internal\n    at f (file://${join(ROOT, 'dist', 'src', 'runs', 'run.js')}:1:1)\n    at g (${join(ROOT, 'node_modules', 'commander', 'x.js')}:2:2)\n    at node:internal/process:3:3`;
    expect(formatError(own, { ownRoots: OWN })).toBe('internal');
  });
});
