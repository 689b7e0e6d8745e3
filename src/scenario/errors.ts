/**
 * Scenario errors: every problem found in a scenario file is one
 * `ScenarioIssue` (dotted field path, what was expected, what was found, an
 * optional hint and the line in the file), and they are thrown together as
 * one `ScenarioError` whose message has one paragraph per issue:
 *
 *     scenarios/kramers.yaml:6: dynamics.lr: expected a number > 0, found -0.001.
 */
import * as path from 'node:path';

export interface ScenarioIssue {
  /** Dotted path of the field, e.g. `dynamics.temperature` or `observe.events[0].enter`; `(document)` for the file as a whole. */
  path: string;
  /** What the field should be, as a phrase: `a number > 0`, `one of 'gd', 'sgld', 'baoab'`. */
  expected: string;
  /** What it is, rendered compactly: `-0.001`, `"sdg"`, `nothing`. */
  found: string;
  /** A remedy or suggestion, one or more full sentences. */
  hint?: string;
  /** 1-based line in the scenario file, when known. */
  line?: number;
}

/** A scenario that cannot be run: the file it came from and every issue found in it. */
export class ScenarioError extends Error {
  override readonly name = 'ScenarioError';
  /** The scenario file (absolute path; `''` for an in-memory scenario). */
  readonly file: string;
  readonly issues: ScenarioIssue[];

  constructor(file: string, issues: ScenarioIssue[]) {
    super(issues.map((i) => formatIssue(file, i)).join('\n'));
    this.file = file;
    this.issues = issues;
  }
}

/** `<file>:<line>: <path>: expected <expected>, found <found>. <hint>` (file shown relative to the working directory when inside it). */
export function formatIssue(file: string, issue: ScenarioIssue): string {
  const where = displayFile(file) + (issue.line !== undefined ? `:${issue.line}` : '');
  const found = issue.found.endsWith('.') ? issue.found.slice(0, -1) : issue.found;
  const hint = issue.hint?.trim() ? ` ${issue.hint.trim()}` : '';
  return `${where}: ${issue.path}: expected ${issue.expected}, found ${found}.${hint}`;
}

function displayFile(file: string): string {
  if (!file) return '(scenario)';
  if (!path.isAbsolute(file)) return file;
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

const MAX_RENDER = 60;

/**
 * Render a value compactly for `found`: strings in double quotes, ±∞ and NaN
 * as YAML writes them (`.inf`, `-.inf`, `.nan`), collections inline, anything
 * longer than ~60 characters truncated with `…`.
 */
export function renderValue(v: unknown): string {
  const s = renderInner(v, 0);
  return s.length > MAX_RENDER ? `${s.slice(0, MAX_RENDER - 1)}…` : s;
}

function renderInner(v: unknown, depth: number): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return '.nan';
    if (v === Infinity) return '.inf';
    if (v === -Infinity) return '-.inf';
    return String(v);
  }
  if (typeof v === 'string') return JSON.stringify(v.length > 2 * MAX_RENDER ? `${v.slice(0, 2 * MAX_RENDER)}…` : v);
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (depth > 3) return '…';
  if (Array.isArray(v)) {
    const parts: string[] = [];
    let len = 0;
    for (const x of v) {
      const p = renderInner(x, depth + 1);
      parts.push(p);
      len += p.length + 2;
      if (len > MAX_RENDER) break;
    }
    if (parts.length < v.length) parts.push('…');
    return `[${parts.join(', ')}]`;
  }
  if (typeof v === 'object') {
    const parts: string[] = [];
    let len = 0;
    const entries = Object.entries(v as Record<string, unknown>);
    for (const [k, x] of entries) {
      const p = `${k}: ${renderInner(x, depth + 1)}`;
      parts.push(p);
      len += p.length + 2;
      if (len > MAX_RENDER) break;
    }
    if (parts.length < entries.length) parts.push('…');
    return `{${parts.join(', ')}}`;
  }
  return String(v);
}

/** A noun for the JSON type of a value: `a string`, `a list`, `a mapping` … */
export function typeNoun(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  if (typeof v === 'boolean') return 'a boolean';
  return `a ${typeof v}`;
}

export { didYouMean } from '../engine/registry.js';

/** `'a', 'b', 'c'`, truncated after `max` entries with `…`. */
export function quoteList(items: readonly string[], max = 12): string {
  const shown = items.slice(0, max).map((s) => `'${s}'`);
  if (items.length > max) shown.push('…');
  return shown.join(', ');
}

/** Dotted path from segments: `['observe', 'events', 0, 'enter']` → `observe.events[0].enter`. */
export function formatPath(segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(s)) out += out ? `.${s}` : s;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out || '(document)';
}

/** Inverse of `formatPath` (also accepts `a.0.b` for an index): `observe.events[0].enter` → `['observe', 'events', 0, 'enter']`. */
export function parsePath(p: string): (string | number)[] {
  const out: (string | number)[] = [];
  const re = /\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\.?([^.[\]]+)/gy;
  let m: RegExpExecArray | null;
  let last = 0;
  while ((m = re.exec(p)) !== null) {
    last = re.lastIndex;
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[2] !== undefined) out.push(JSON.parse(`"${m[2]}"`) as string);
    else if (m[3] !== undefined) out.push(/^\d+$/.test(m[3]) && out.length > 0 ? Number(m[3]) : m[3]);
    if (last >= p.length) break;
  }
  if (last < p.length) throw new Error(`cannot parse field path '${p}'`);
  return out;
}
