/**
 * Issues before and after placement: a check reports a `RawIssue` (path as
 * segments, no line); `place` turns it into a `ScenarioIssue` with the file
 * line of its path, or the command-line option that set the value, and orders
 * them by line. `origins` remembers where each validated scenario came from, so
 * checks made later (against the built potential, in higher layers) can cite
 * lines too.
 */
import { formatPath, parsePath, type ScenarioIssue } from './errors.js';
import type { Scenario } from './types.js';

export type Seg = string | number;
export type Obj = Record<string, unknown>;

/** An issue before it is placed: path as segments, line filled in at the end. */
export interface RawIssue {
  segs: Seg[];
  expected: string;
  found: string;
  hint?: string;
}

/** Where the values came from: the file's line locator, and the paths set on the command line. */
export interface Origin {
  locate?: (segs: Seg[]) => number | undefined;
  overrides: Array<{ segs: Seg[]; label: string }>;
}

/** Line locators of loaded scenarios, so later checks (`checkAgainstPotential`) can cite lines too. */
export const origins = new WeakMap<object, Origin>();

export const startsWith = (segs: Seg[], prefix: Seg[]) =>
  prefix.length <= segs.length && prefix.every((s, i) => String(s) === String(segs[i]));

/** Turn raw issues into placed ones: line from the file unless the value came from the command line; ordered by line. */
export function place(issues: RawIssue[], origin: Origin): ScenarioIssue[] {
  const placed = issues.map((i, order) => {
    const o = origin.overrides.find((ov) => startsWith(i.segs, ov.segs));
    const issue: ScenarioIssue = { path: formatPath(i.segs), expected: i.expected, found: i.found };
    const hint = o ? [i.hint, `(Value from ${o.label}.)`].filter(Boolean).join(' ') : i.hint;
    if (hint) issue.hint = hint;
    const line = o ? undefined : origin.locate?.(i.segs);
    if (line !== undefined) issue.line = line;
    return { issue, order };
  });
  placed.sort((a, b) => (a.issue.line ?? Infinity) - (b.issue.line ?? Infinity) || a.order - b.order);
  return placed.map((p) => p.issue);
}

export function isPlainObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Add file lines (and `--set` provenance hints) to issues found after loading,
 * e.g. by checks that live in higher layers (theory overlays). Issues keep
 * their order, sorted by line like the loader's own.
 */
export function locateIssues(s: Scenario, issues: ScenarioIssue[]): ScenarioIssue[] {
  return place(
    issues.map((i) => ({ segs: parsePath(i.path), expected: i.expected, found: i.found, hint: i.hint })),
    origins.get(s) ?? { overrides: [] },
  );
}
