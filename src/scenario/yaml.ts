/**
 * Reading scenario YAML: the parser options (YAML 1.2 core schema, no tags,
 * no merge keys, duplicate keys are errors), the limits on aliases and on the
 * expanded size, and the line of each path in the file (`makeLocator`).
 */
import {
  LineCounter,
  isAlias,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  parseDocument,
  type Document,
  type ParseOptions,
  type DocumentOptions,
  type SchemaOptions,
} from 'yaml';
import { ScenarioError, type ScenarioIssue } from './errors.js';
import { place, type Origin, type RawIssue, type Seg } from './issues.js';

/**
 * How scenario YAML is read: YAML 1.2 core schema whatever the `%YAML`
 * directive says (no 1.1 timestamps, sets, binaries or `y`/`on` booleans), no
 * merge keys (`<<` is an ordinary, and unknown, key), no custom tags (see
 * `yamlTagIssues`), duplicate keys are errors. Scenario files are data: no tag
 * can turn a value into code or into anything but plain JSON-like data.
 */
export const YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  prettyErrors: true,
  uniqueKeys: true,
  schema: 'core',
  merge: false,
  resolveKnownTags: false,
  customTags: [],
};

/** Alias expansions allowed by yaml's own resource-exhaustion check (it rejects the classic "billion laughs"). */
export const MAX_ALIAS_COUNT = 1000;
/** Most values (scalars, lists, mappings) a scenario may hold once its aliases are expanded. */
export const MAX_EXPANDED_VALUES = 1_000_000;

/** The explicit tags a scenario may use: the YAML 1.2 core schema's. */
const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

/** Every node (key or value) with an explicit tag outside the core schema (`!!js/function`, `!!binary`, `!foo`, …). */
export function yamlTagIssues(doc: Document): RawIssue[] {
  const issues: RawIssue[] = [];
  const walk = (node: unknown, segs: Seg[]): void => {
    if (issues.length >= 5 || !isNode(node) || isAlias(node)) return;
    const tag = (node as { tag?: string }).tag;
    if (tag !== undefined && !CORE_TAGS.has(tag)) {
      const shown = tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice(18)}` : tag;
      issues.push({
        segs,
        expected: 'plain YAML data (no tags other than !!str, !!int, !!float, !!bool, !!null, !!map, !!seq)',
        found: `the tag ${shown}`,
        hint: 'Scenario files are data: tags such as !!js/function are not evaluated. Remove the tag.',
      });
    }
    if (isMap(node))
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const k = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        walk(pair.key, segs);
        walk(pair.value, [...segs, k]);
      }
    else if (isSeq(node)) node.items.forEach((item, i) => walk(item, [...segs, i]));
  };
  walk(doc.contents, []);
  return issues;
}

/**
 * A value that would be too large once its aliases are expanded (yaml returns
 * an alias as the same object, but validation, `scenario.resolved.json` and
 * sweeps walk every copy), or that contains itself (`a: &a [*a]`).
 */
export function expandedSizeIssue(v: unknown): ScenarioIssue | undefined {
  const sizes = new Map<object, number>();
  const active = new Set<object>();
  let cyclic = false;
  const size = (x: unknown): number => {
    if (typeof x !== 'object' || x === null) return 1;
    const known = sizes.get(x);
    if (known !== undefined) return known;
    if (active.has(x)) {
      cyclic = true;
      return Infinity;
    }
    active.add(x);
    let n = 1;
    for (const c of Array.isArray(x) ? x : Object.values(x)) {
      n += size(c);
      if (n > MAX_EXPANDED_VALUES) break;
    }
    active.delete(x);
    sizes.set(x, n);
    return n;
  };
  let n: number;
  try {
    n = size(v);
  } catch {
    // Nested too deeply for the stack: the schema could not check it either.
    return { path: '(document)', expected: 'a document nested less deeply', found: 'nesting deeper than the parser stack' };
  }
  if (cyclic)
    return {
      path: '(document)',
      expected: 'plain data without cycles',
      found: 'an alias inside its own anchor (a value that contains itself)',
      hint: 'Write the value out, or alias a finished anchor.',
    };
  if (n > MAX_EXPANDED_VALUES)
    return {
      path: '(document)',
      expected: `at most ${MAX_EXPANDED_VALUES.toLocaleString('en-US')} values once aliases are expanded`,
      found: `more than that`,
      hint: 'Aliases (*name) copy their anchor; a few aliases of large anchors can make a huge document.',
    };
  return undefined;
}

/** Line of a path in the document: the key's line when the path exists, else its deepest existing ancestor's. */
export function makeLocator(doc: Document, lc: LineCounter): (segs: Seg[]) => number | undefined {
  const lineOf = (n: unknown): number | undefined => {
    if (isNode(n) && n.range) return lc.linePos(n.range[0]).line;
    return undefined;
  };
  return (segs) => {
    let node: unknown = doc.contents;
    let line = lineOf(node);
    for (const seg of segs) {
      if (isAlias(node)) node = node.resolve(doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(seg));
        if (!pair) break;
        line = lineOf(pair.key) ?? lineOf(pair.value) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
        node = node.items[seg];
        line = lineOf(node) ?? line;
      } else break;
    }
    return line;
  };
}

/**
 * Parse the text of a scenario file into plain data and the origin of its
 * values (the line of every path). Throws `ScenarioError` on invalid YAML, a
 * tag outside the core schema, or a document too large once aliases are expanded.
 */
export function parseScenarioText(text: string, file: string): { raw: unknown; origin: Origin } {
  if (/\.json$/i.test(file)) strictJsonIssue(text, file);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { ...YAML_OPTIONS, lineCounter });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      file,
      doc.errors.slice(0, 5).map((err) => ({
        path: '(document)',
        expected: 'valid YAML',
        found: err.message.split('\n')[0].replace(/:\s*$/, ''),
        line: err.linePos?.[0]?.line,
      })),
    );
  }
  const origin: Origin = { locate: makeLocator(doc, lineCounter), overrides: [] };
  const tagIssues = yamlTagIssues(doc);
  if (tagIssues.length > 0) throw new ScenarioError(file, place(tagIssues, origin));
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    throw new ScenarioError(file, [{ path: '(document)', expected: 'valid YAML', found: (e as Error).message }]);
  }
  const sizeIssue = expandedSizeIssue(raw);
  if (sizeIssue) throw new ScenarioError(file, [sizeIssue]);
  return { raw, origin };
}

/**
 * A `.json` scenario is JSON: YAML (of which JSON is a subset) would also
 * accept trailing commas, comments and unquoted keys, so the file is first
 * checked by the strict JSON parser; its error gets the line and column.
 * The YAML parse that follows gives the lines of the values for later errors.
 */
function strictJsonIssue(text: string, file: string): void {
  try {
    JSON.parse(text);
  } catch (e) {
    const message = (e as Error).message;
    const at = /at position (\d+)/.exec(message);
    let line: number | undefined;
    let where = '';
    if (at) {
      const before = text.slice(0, Number(at[1]));
      line = before.split('\n').length;
      const column = Number(at[1]) - before.lastIndexOf('\n');
      where = ` (line ${line}, column ${column})`;
    }
    throw new ScenarioError(file, [
      {
        path: '(document)',
        expected: 'valid JSON (a .json scenario is read as JSON: no trailing commas, comments or unquoted keys)',
        found: message.replace(/ in JSON at position \d+.*$/, '') + where,
        line,
        hint: 'Fix the JSON, or save the file as .yaml to write it in YAML.',
      },
    ]);
  }
}
