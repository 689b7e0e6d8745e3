/**
 * Values set from outside the file: `--set key.path=value` (parsed as YAML),
 * `--replicas`, `--seed`, and the values of sweep points and regimes, all
 * applied by `applyOverride` to the document's own fields (never to a
 * prototype), remembering where each value came from for messages.
 */
import { parseDocument } from 'yaml';
import { ScenarioError, formatPath, parsePath, renderValue } from './errors.js';
import { isPlainObject, place, type Obj, type Origin, type RawIssue, type Seg } from './issues.js';
import { MAX_ALIAS_COUNT, YAML_OPTIONS, expandedSizeIssue, yamlTagIssues } from './yaml.js';

/** Values given on the command line: `--set`, `--replicas`, `--seed`. */
export interface LoadOptions {
  /** `key.path=value` overrides (`--set`); the value is parsed as a YAML scalar or flow value. */
  set?: string[];
  /** Overrides `ensemble.replicas` (`--replicas`). */
  replicas?: number;
  /** Overrides `seed` (`--seed`). */
  seed?: number;
}

/** A parsed `--set` override. */
export interface SetOverride {
  /** The key as written, e.g. `dynamics.temperature`. */
  key: string;
  segments: Seg[];
  value: unknown;
}

/**
 * Parse one `--set` override `a.b.c=value` (also `observe.histograms[0].bins=50`).
 * The value is YAML: `0.3` is a number, `[x, energy]` a list, `sgld` a string.
 * Throws `ScenarioError` with path `(--set)` when malformed.
 */
export function parseSetOverride(s: string): SetOverride {
  const eq = s.indexOf('=');
  const bad = (expected: string, found: string, hint?: string) => new ScenarioError('', [{ path: '(--set)', expected, found, hint }]);
  if (eq <= 0) throw bad('key=value, e.g. dynamics.temperature=0.3', renderValue(s));
  const key = s.slice(0, eq).trim();
  let segments: Seg[];
  try {
    segments = parsePath(key);
  } catch {
    throw bad('a dotted key path, e.g. observe.grid.points', renderValue(key));
  }
  if (segments.length === 0 || segments.some((g) => g === '__proto__' || g === 'constructor' || g === 'prototype'))
    throw bad('a dotted key path, e.g. observe.grid.points', renderValue(key));
  const doc = parseDocument(s.slice(eq + 1), YAML_OPTIONS);
  if (doc.errors.length > 0)
    throw bad(
      `a YAML value for ${key}`,
      doc.errors[0].message.split('\n')[0].replace(/:\s*$/, ''),
      'Quote the value if it contains YAML syntax.',
    );
  const tags = yamlTagIssues(doc);
  if (tags.length > 0) throw bad(`a YAML value for ${key} without tags`, tags[0].found, tags[0].hint);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    throw bad(`a YAML value for ${key}`, (e as Error).message);
  }
  const size = expandedSizeIssue(value);
  if (size) throw bad(`a YAML value for ${key}: ${size.expected}`, size.found);
  return { key, segments, value };
}

/**
 * Checks that need the built potential (done by the engine side once it has
 * one): observable names exist, initial-condition dimensions fit, group names
 * exist, minibatches have data. Returns issues in the loader's format (with
 * lines when `s` came from `loadScenario`); throw them as

/** Keys that would reach an object's prototype instead of a field of the scenario (prototype pollution). */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const ownValue = (o: Obj, k: string): unknown => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);

export function applyOverride(root: Obj, segs: Seg[], value: unknown, label: string, origin: Origin, issues: RawIssue[]): void {
  // A dotted key of a --set, sweep or regime entry is a path into the document's
  // own fields: never into Object.prototype (`__proto__.x`, `constructor.prototype.x`).
  const bad = segs.findIndex((g) => typeof g === 'string' && FORBIDDEN_KEYS.has(g));
  if (bad >= 0) {
    issues.push({
      segs: segs.slice(0, bad + 1),
      expected: 'a key of the scenario',
      found: renderValue(segs[bad]),
      hint: `(In ${label}.) __proto__, constructor and prototype are never scenario keys.`,
    });
    return;
  }
  let cur: unknown = root;
  for (let i = 0; i < segs.length; i++) {
    const last = i === segs.length - 1;
    const seg = segs[i];
    if (Array.isArray(cur)) {
      const idx = typeof seg === 'number' ? seg : /^\d+$/.test(seg) ? Number(seg) : NaN;
      if (!(idx >= 0 && idx <= cur.length)) {
        issues.push({
          segs: segs.slice(0, i + 1),
          expected: `a list index from 0 to ${cur.length}`,
          found: renderValue(seg),
          hint: `(In ${label}.)`,
        });
        return;
      }
      if (last) cur[idx] = value;
      else {
        if (cur[idx] === undefined || cur[idx] === null) cur[idx] = {};
        cur = cur[idx];
      }
    } else if (isPlainObject(cur)) {
      const key = String(seg);
      if (last) Object.defineProperty(cur, key, { value, writable: true, enumerable: true, configurable: true });
      else {
        const next = ownValue(cur, key);
        if (next === undefined || next === null)
          Object.defineProperty(cur, key, { value: {}, writable: true, enumerable: true, configurable: true });
        cur = cur[key];
      }
    } else {
      issues.push({
        segs: segs.slice(0, i),
        expected: `a mapping or list to set ${formatPath(segs)} in`,
        found: renderValue(cur),
        hint: `(In ${label}.)`,
      });
      return;
    }
  }
  origin.overrides.push({ segs, label });
}

/**
 * Apply the command-line values of `options` to the parsed document `raw`
 * (of file `file`), recording them in `origin`. Throws `ScenarioError` when an
 * override is malformed or cannot be applied.
 */
export function applyCommandLine(raw: unknown, options: LoadOptions, origin: Origin, file: string): void {
  const issues: RawIssue[] = [];
  if (isPlainObject(raw)) {
    for (const s of options.set ?? []) {
      let o: SetOverride;
      try {
        o = parseSetOverride(s);
      } catch (e) {
        if (e instanceof ScenarioError) throw new ScenarioError(file, e.issues);
        throw e;
      }
      applyOverride(raw, o.segments, o.value, `--set ${s}`, origin, issues);
    }
    if (options.replicas !== undefined)
      applyOverride(raw, ['ensemble', 'replicas'], options.replicas, `--replicas ${options.replicas}`, origin, issues);
    if (options.seed !== undefined) applyOverride(raw, ['seed'], options.seed, `--seed ${options.seed}`, origin, issues);
  }
  if (issues.length > 0) throw new ScenarioError(file, place(issues, origin));
}
