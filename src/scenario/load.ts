/**
 * Load a scenario file: parse YAML (JSON is YAML), apply command-line
 * overrides, validate against the schema (filling defaults), validate the
 * potential's params against its family's `paramsSchema`, run the semantic
 * checks that need no potential instance, normalise, and return the typed
 * `Scenario`. Every problem becomes a `ScenarioIssue` (field path, expected,
 * found, hint, line) and all of them are thrown together as one `ScenarioError`.
 */
import { readFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { LineCounter, isAlias, isMap, isNode, isPair, isScalar, isSeq, parseDocument, type Document, type ParseOptions, type DocumentOptions, type SchemaOptions } from 'yaml';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { getPotentialFamily, listPotentialFamilies } from '../potentials/index.js';
import { EXPRESSION_FUNCTIONS, expressionTextProblems } from '../potentials/expression-check.js';
import type { JsonSchema, PotentialFamily } from '../potentials/registry.js';
import {
  ScenarioError,
  didYouMean,
  formatPath,
  parsePath,
  quoteList,
  renderValue,
  typeNoun,
  type ScenarioIssue,
} from './errors.js';
import { NAME_PATTERN, scenarioSchema } from './schema.js';
import { phaseAnalysisIssues, regimeVariants, sweepSize, sweepVariants, variationIssues, type Variant } from './sweep.js';
import type { Scenario } from './types.js';
import { integrators } from '../engine/integrators/index.js';

type Seg = string | number;
type Obj = Record<string, unknown>;

/** An issue before it is placed: path as segments, line filled in at the end. */
interface RawIssue {
  segs: Seg[];
  expected: string;
  found: string;
  hint?: string;
}

/** Where the values came from: the file's line locator, and the paths set on the command line. */
interface Origin {
  locate?: (segs: Seg[]) => number | undefined;
  overrides: Array<{ segs: Seg[]; label: string }>;
}

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

/** Line locators of loaded scenarios, so later checks (`checkAgainstPotential`) can cite lines too. */
const origins = new WeakMap<object, Origin>();

/**
 * The raw document of each validated scenario: as written (after `--set`,
 * `--replicas`, `--seed`), before defaults. Sweep points and regimes are built
 * by applying their values to it and validating again (`validateVariant`).
 */
const raws = new WeakMap<object, Obj>();

/** Most points a sweep may have (each is validated when the file is loaded, and run). */
export const MAX_SWEEP_POINTS = 100_000;

/** At most this many failing sweep points / regimes are reported in one error. */
const MAX_VARIANT_FAILURES = 5;

// ------------------------------------------------------------------ entry points

/**
 * Read, override, validate and normalise a scenario file.
 * Throws `ScenarioError` (with every issue found) when the file is missing,
 * not valid YAML, or does not describe a valid scenario.
 */
export async function loadScenario(file: string, opts: LoadOptions = {}): Promise<Scenario> {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const found = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : `an unreadable file (${code ?? String(e)})`;
    throw new ScenarioError(abs, [
      { path: '(document)', expected: 'an existing scenario file', found, hint: `Looked for ${abs}.` },
    ]);
  }

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { ...YAML_OPTIONS, lineCounter });
  if (doc.errors.length > 0) {
    throw new ScenarioError(
      abs,
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
  if (tagIssues.length > 0) throw new ScenarioError(abs, place(tagIssues, origin));
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    throw new ScenarioError(abs, [{ path: '(document)', expected: 'valid YAML', found: (e as Error).message }]);
  }
  const sizeIssue = expandedSizeIssue(raw);
  if (sizeIssue) throw new ScenarioError(abs, [sizeIssue]);

  const issues: RawIssue[] = [];
  if (isPlainObject(raw)) {
    for (const s of opts.set ?? []) {
      let o: SetOverride;
      try {
        o = parseSetOverride(s);
      } catch (e) {
        if (e instanceof ScenarioError) throw new ScenarioError(abs, e.issues);
        throw e;
      }
      applyOverride(raw, o.segments, o.value, `--set ${s}`, origin, issues);
    }
    if (opts.replicas !== undefined) applyOverride(raw, ['ensemble', 'replicas'], opts.replicas, `--replicas ${opts.replicas}`, origin, issues);
    if (opts.seed !== undefined) applyOverride(raw, ['seed'], opts.seed, `--seed ${opts.seed}`, origin, issues);
  }
  if (issues.length > 0) throw new ScenarioError(abs, place(issues, origin));
  return validate(raw, abs, origin, false);
}

/**
 * Validate an in-memory scenario object (as parsed from YAML/JSON) and return
 * the typed, defaulted, normalised `Scenario`. The input is not modified.
 * `source` becomes `scenario.source`; a relative `potential.module` is resolved
 * against its folder (against the working directory when `source` is `''`).
 * Throws `ScenarioError`.
 */
export function validateScenarioObject(obj: unknown, source: string): Scenario {
  return validate(obj, source ? path.resolve(source) : '', { overrides: [] }, true);
}

/** Like `validateScenarioObject`, but returns the error instead of throwing it. */
export function safeValidateScenario(
  obj: unknown,
  source: string,
): { ok: true; scenario: Scenario } | { ok: false; error: ScenarioError } {
  try {
    return { ok: true, scenario: validateScenarioObject(obj, source) };
  } catch (e) {
    if (e instanceof ScenarioError) return { ok: false, error: e };
    throw e;
  }
}

/**
 * Parse one `--set` override `a.b.c=value` (also `observe.histograms[0].bins=50`).
 * The value is YAML: `0.3` is a number, `[x, energy]` a list, `sgld` a string.
 * Throws `ScenarioError` with path `(--set)` when malformed.
 */
export function parseSetOverride(s: string): SetOverride {
  const eq = s.indexOf('=');
  const bad = (expected: string, found: string, hint?: string) =>
    new ScenarioError('', [{ path: '(--set)', expected, found, hint }]);
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
    throw bad(`a YAML value for ${key}`, doc.errors[0].message.split('\n')[0].replace(/:\s*$/, ''), 'Quote the value if it contains YAML syntax.');
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
 * `new ScenarioError(s.source, issues)`.
 *
 * @param knownObservables whether an observable name can be computed for this potential
 * @param observableNames optional list of known names, used for "did you mean" hints
 */
export function checkAgainstPotential(
  s: Scenario,
  p: { dim: number; coordinates: readonly string[]; groups: readonly { name: string }[]; dataSize?: number; predictive?: unknown; name?: string },
  knownObservables: (name: string) => boolean,
  observableNames: readonly string[] = [],
): ScenarioIssue[] {
  const issues: RawIssue[] = [];
  const candidates = [...new Set([...observableNames, ...p.coordinates])];
  const checkObservable = (name: string, segs: Seg[]) => {
    if (knownObservables(name)) return;
    const guess = didYouMean(name, candidates);
    issues.push({
      segs,
      expected: 'a known observable',
      found: renderValue(name),
      hint: [guess ? `Did you mean '${guess}'?` : '', `Coordinates of this potential: ${p.coordinates.join(', ')}; see \`stochdyn list observables\`.`]
        .filter(Boolean)
        .join(' '),
    });
  };
  s.observe.observables.forEach((o, i) => checkObservable(o, ['observe', 'observables', i]));
  s.observe.histograms.forEach((h, i) => checkObservable(h.of, ['observe', 'histograms', i, 'of']));
  s.observe.events.forEach((ev, i) => {
    for (const o of Object.keys(ev.enter)) checkObservable(o, ['observe', 'events', i, 'enter', o]);
  });
  if (s.sampling) {
    s.sampling.chains.forEach((o, i) => checkObservable(o, ['sampling', 'chains', i]));
    s.sampling.posterior.forEach((h, i) => checkObservable(h.of, ['sampling', 'posterior', i, 'of']));
    if (s.sampling.predictive === true && !p.predictive)
      issues.push({
        segs: ['sampling', 'predictive'],
        expected: `false (or no predictive key): potential${p.name ? ` '${p.name}'` : ''} defines no posterior predictive`,
        found: 'true',
        hint: 'Only potentials with a held-out set (e.g. modular-addition-square with train_fraction < 1, teacher-student-erf) define one.',
      });
  }

  const init = s.ensemble.init as Obj;
  for (const key of ['x', 'mean', 'std', 'low', 'high']) {
    const v = init[key];
    if (Array.isArray(v) && v.length !== 1 && v.length !== p.dim)
      issues.push({
        segs: ['ensemble', 'init', key],
        expected: `a number or a list of ${p.dim} numbers (the potential has dim = ${p.dim})`,
        found: `a list of ${v.length}: ${renderValue(v)}`,
      });
  }

  const groupNames = p.groups.map((g) => g.name);
  for (const name of Object.keys(s.dynamics.groups)) {
    if (groupNames.includes(name)) continue;
    const guess = didYouMean(name, groupNames);
    issues.push({
      segs: ['dynamics', 'groups', name],
      expected: `a parameter group of the potential (${quoteList(groupNames)})`,
      found: renderValue(name),
      hint: guess ? `Did you mean '${guess}'?` : undefined,
    });
  }

  if (s.dynamics.batch_size !== null && !p.dataSize)
    issues.push({
      segs: ['dynamics', 'batch_size'],
      expected: 'null (full batch): this potential has no data set to draw minibatches from',
      found: renderValue(s.dynamics.batch_size),
      hint: 'Remove batch_size, or use a potential whose energy is a sum over data.',
    });

  return place(issues, origins.get(s) ?? { overrides: [] });
}

// ------------------------------------------------------------------ YAML limits

/**
 * How scenario YAML is read: YAML 1.2 core schema whatever the `%YAML`
 * directive says (no 1.1 timestamps, sets, binaries or `y`/`on` booleans), no
 * merge keys (`<<` is an ordinary, and unknown, key), no custom tags (see
 * `yamlTagIssues`), duplicate keys are errors. Scenario files are data: no tag
 * can turn a value into code or into anything but plain JSON-like data.
 */
const YAML_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
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
function yamlTagIssues(doc: Document): RawIssue[] {
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
function expandedSizeIssue(v: unknown): ScenarioIssue | undefined {
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
    return { path: '(document)', expected: 'plain data without cycles', found: 'an alias inside its own anchor (a value that contains itself)', hint: 'Write the value out, or alias a finished anchor.' };
  if (n > MAX_EXPANDED_VALUES)
    return {
      path: '(document)',
      expected: `at most ${MAX_EXPANDED_VALUES.toLocaleString('en-US')} values once aliases are expanded`,
      found: `more than that`,
      hint: 'Aliases (*name) copy their anchor; a few aliases of large anchors can make a huge document.',
    };
  return undefined;
}

// ------------------------------------------------------------------ validation

let mainValidator: ValidateFunction | undefined;
const paramValidators = new Map<PotentialFamily, ValidateFunction>();
let paramsAjv: Ajv2020 | undefined;

function getMainValidator(): ValidateFunction {
  if (!mainValidator) {
    const ajv = new Ajv2020({ allErrors: true, useDefaults: true, verbose: true, allowUnionTypes: true, strict: true });
    mainValidator = ajv.compile(scenarioSchema);
  }
  return mainValidator;
}

function getParamsValidator(family: PotentialFamily): ValidateFunction {
  let v = paramValidators.get(family);
  if (!v) {
    // Families' schemas are written elsewhere: compile leniently, never log.
    paramsAjv ??= new Ajv2020({ allErrors: true, useDefaults: true, verbose: true, allowUnionTypes: true, strict: false, logger: false });
    const { $schema: _dialect, $id: _id, ...schema } = family.paramsSchema;
    try {
      v = paramsAjv.compile(schema);
    } catch (e) {
      throw new Error(`potential family '${family.name}': invalid paramsSchema: ${(e as Error).message}`);
    }
    paramValidators.set(family, v);
  }
  return v;
}

function validate(raw: unknown, source: string, origin: Origin, clone: boolean): Scenario {
  const fail = (issues: RawIssue[]): never => {
    throw new ScenarioError(source, place(issues, origin));
  };
  const requiredKeys = (scenarioSchema.required as string[]).join(', ');
  if (raw === null || raw === undefined)
    fail([{ segs: [], expected: `a mapping with at least ${requiredKeys}`, found: 'an empty document' }]);
  if (!isPlainObject(raw))
    fail([{ segs: [], expected: `a mapping with at least ${requiredKeys}`, found: `${typeNoun(raw)} ${renderValue(raw)}` }]);

  const sizeIssue = expandedSizeIssue(raw);
  if (sizeIssue) throw new ScenarioError(source, [sizeIssue]);
  let data: Obj;
  try {
    data = clone ? (structuredClone(raw) as Obj) : (raw as Obj);
  } catch {
    return fail([{ segs: [], expected: 'plain data (numbers, strings, lists, mappings)', found: 'a value that cannot be copied' }]);
  }

  // Non-finite numbers first: YAML turns .inf / .nan into ±∞ / NaN, which pass `type: number`.
  const issues: RawIssue[] = [];
  const nonFinite = new Set<string>();
  scanNonFinite(data, [], (segs, v) => {
    nonFinite.add(formatPath(segs));
    issues.push({
      segs,
      expected: 'a finite number',
      found: renderValue(v),
      hint: 'YAML reads .inf and .nan as infinity and not-a-number; write a finite value.',
    });
  });
  const notAlreadyReported = (i: RawIssue) => !nonFinite.has(formatPath(i.segs));

  let rawDoc: Obj;
  try {
    rawDoc = structuredClone(data);
  } catch {
    return fail([{ segs: [], expected: 'plain data (numbers, strings, lists, mappings)', found: 'a value that cannot be copied' }]);
  }

  const validateMain = getMainValidator();
  if (!validateMain(data)) issues.push(...translate(validateMain.errors ?? [], data, []).filter(notAlreadyReported));

  const underPotential = issues.some((i) => i.segs[0] === 'potential');
  if (!underPotential && isPlainObject(data.potential)) issues.push(...checkPotential(data.potential, source).filter(notAlreadyReported));
  issues.push(...semanticChecks(data));
  const badVariation = issues.some((i) => i.segs[0] === 'sweep' || i.segs[0] === 'regimes');
  if (!badVariation) issues.push(...variationIssues(rawDoc).filter(notAlreadyReported));
  issues.push(...phaseAnalysisIssues(data));
  if (issues.length > 0) fail(issues);

  // A sweep is expanded (and each point validated) below: bound its size first,
  // so that a few long axes in a grid cannot make the loader run out of memory.
  if (isPlainObject(rawDoc.sweep)) {
    const n = sweepSize(rawDoc.sweep);
    if (!(n <= MAX_SWEEP_POINTS))
      fail([
        {
          segs: ['sweep'],
          expected: `a sweep of at most ${MAX_SWEEP_POINTS.toLocaleString('en-US')} points`,
          found: `${n.toLocaleString('en-US')} points`,
          hint: 'Shorten the axes, or split the sweep into several scenarios.',
        },
      ]);
  }
  // Every sweep point / regime must be a valid scenario on its own.
  const variants = isPlainObject(rawDoc.sweep) ? sweepVariants(rawDoc.sweep) : isPlainObject(rawDoc.regimes) ? regimeVariants(rawDoc.regimes) : [];
  if (variants.length > 0) {
    const failed: ScenarioIssue[] = [];
    let failures = 0;
    const base = withoutVariants(rawDoc);
    for (const v of variants) {
      try {
        validateVariantDoc(base, source, origin, v);
      } catch (e) {
        if (!(e instanceof ScenarioError)) throw e;
        if (++failures <= MAX_VARIANT_FAILURES) failed.push(...e.issues);
      }
    }
    if (failures > MAX_VARIANT_FAILURES) {
      const what = isPlainObject(rawDoc.sweep) ? 'sweep points' : 'regimes';
      failed.push({ path: isPlainObject(rawDoc.sweep) ? 'sweep' : 'regimes', expected: `${what} that are valid scenarios`, found: `${failures} of ${variants.length} invalid (the first ${MAX_VARIANT_FAILURES} are listed above)` });
    }
    if (failed.length > 0) throw new ScenarioError(source, failed);
  }

  normalise(data);
  const scenario = orderLike(data, scenarioSchema) as unknown as Scenario;
  scenario.source = source;
  origins.set(scenario, origin);
  raws.set(scenario, rawDoc);
  return scenario;
}

/**
 * The raw document a scenario was validated from (as written, after command-line
 * overrides, before defaults). For a scenario that did not come from the loader
 * (e.g. parsed back from scenario.resolved.json), the resolved scenario without
 * `source` / `stochdyn`, which validates to the same scenario.
 */
export function rawScenarioDocument(s: Scenario): Record<string, unknown> {
  const raw = raws.get(s);
  if (raw) return structuredClone(raw);
  const { source: _source, stochdyn: _version, ...rest } = s as Scenario & { stochdyn?: unknown };
  return structuredClone(rest) as Record<string, unknown>;
}

/**
 * One sweep point or regime of a validated scenario: its overrides applied to
 * the raw document (without `sweep` / `regimes`), validated again. Issues are
 * prefixed with the variant's label, e.g.
 * `sweep point 3 (dynamics.temperature = -1): dynamics.temperature: expected a number ≥ 0, found -1.`,
 * and placed on the line of the sweep / regime entry that set the value.
 * The result keeps the name of `base`; throws `ScenarioError`.
 */
export function validateVariant(base: Scenario, v: Variant): Scenario {
  const raw = raws.get(base);
  const doc = raw ? withoutVariants(raw) : rawScenarioDocument(base);
  return validateVariantDoc(doc, base.source, origins.get(base) ?? { overrides: [] }, v);
}

/**
 * The raw document without `sweep` / `regimes` (a shallow copy, not a clone):
 * each variant clones only this, so a sweep of N listed values costs O(N), not
 * O(N²) (a 10,000-value list took 11 s to load and 24 s to expand).
 */
function withoutVariants(raw: Obj): Obj {
  const { sweep: _sweep, regimes: _regimes, ...rest } = raw;
  return rest;
}

function validateVariantDoc(rawBase: Obj, source: string, origin: Origin, v: Variant): Scenario {
  const doc = structuredClone(rawBase);
  delete doc.sweep;
  delete doc.regimes;
  const mark = v.label;
  const sub: Origin = { locate: origin.locate, overrides: [...origin.overrides] };
  const issues: RawIssue[] = [];
  for (const o of v.overrides) applyOverride(doc, o.segments, structuredClone(o.value), mark, sub, issues);
  const relabel = (list: ScenarioIssue[]) =>
    list.map((i) => {
      const own = v.overrides.find((o) => {
        try {
          return startsWith(parsePath(i.path), o.segments);
        } catch {
          return false;
        }
      });
      const out: ScenarioIssue = { path: `${v.label}: ${i.path}`, expected: i.expected, found: i.found };
      const hint = i.hint?.replace(`(Value from ${mark}.)`, '').replace(`(In ${mark}.)`, '').trim();
      if (hint) out.hint = hint;
      const line = own ? origin.locate?.(own.anchor) : i.line;
      if (line !== undefined) out.line = line;
      return out;
    });
  if (issues.length > 0) throw new ScenarioError(source, relabel(place(issues, sub)));
  try {
    return validate(doc, source, sub, false);
  } catch (e) {
    if (e instanceof ScenarioError) throw new ScenarioError(source, relabel(e.issues));
    throw e;
  }
}

/** Second phase for `potential`: the family's params (kind), the module file (module), expression defaults. */
function checkPotential(pot: Obj, source: string): RawIssue[] {
  const issues: RawIssue[] = [];
  if (typeof pot.kind === 'string') {
    const family = getPotentialFamily(pot.kind);
    if (!family) {
      const known = listPotentialFamilies().map((f) => f.name);
      const guess = didYouMean(pot.kind, known);
      issues.push({
        segs: ['potential', 'kind'],
        expected: `a registered potential (${quoteList(known, 40)})`,
        found: renderValue(pot.kind),
        hint: (guess ? `Did you mean '${guess}'? ` : '') + 'See `stochdyn list potentials`.',
      });
      return issues;
    }
    pot.params ??= {};
    const v = getParamsValidator(family);
    if (!v(pot.params)) issues.push(...translate(v.errors ?? [], pot.params, ['potential', 'params']));
  } else if (typeof pot.module === 'string' || typeof pot.tfjs === 'string') {
    // The one place where a scenario names code to run: a file, resolved against
    // the scenario's folder, never a package name, URL or builtin module.
    const key = typeof pot.module === 'string' ? 'module' : 'tfjs';
    pot.params ??= {};
    const spec = pot[key] as string;
    const base = source ? path.dirname(source) : process.cwd();
    const notAFile = modulePathProblem(spec);
    if (notAFile) {
      issues.push({
        segs: ['potential', key],
        expected: 'the path of a module file: ./file.mjs or ../dir/file.mjs (relative to the scenario file) or an absolute path',
        found: `${renderValue(spec)} (${notAFile})`,
        hint: `Only a file is ever imported; package names, URLs, data: URLs and node: builtins are not. A relative path is taken from the scenario file's folder (${base}).`,
      });
      return issues;
    }
    const resolved = path.resolve(base, spec);
    let isFile = false;
    try {
      isFile = statSync(resolved).isFile();
    } catch {
      isFile = false;
    }
    if (!isFile)
      issues.push({
        segs: ['potential', key],
        expected: 'the path of an existing module file',
        found: `${renderValue(spec)} (${resolved}: no such file)`,
        hint: `A relative path is taken from the scenario file's folder (${base}).`,
      });
    else pot[key] = resolved;
  } else if (typeof pot.expression === 'string') {
    pot.coordinates ??= ['x'];
    pot.params ??= {};
    const coords = pot.coordinates as string[];
    // An expression is data: checked here, without mathjs and before anything is evaluated.
    const problems = expressionTextProblems(pot.expression, coords, pot.params as Obj);
    if (problems.length > 0)
      issues.push({
        segs: ['potential', 'expression'],
        expected: 'a formula of numbers, the coordinates, the params, + - * / ^, parentheses and numeric functions',
        found: `${renderValue(pot.expression)}: ${problems.slice(0, 3).join('; ')}`,
        hint: `Functions: ${[...EXPRESSION_FUNCTIONS].join(', ')}; constants: pi, e, tau, phi. Assignments, definitions, strings, property access, units and mathjs's evaluate/import/parse/… are not allowed.`,
      });
    if (Array.isArray(pot.minima))
      (pot.minima as number[][]).forEach((m, i) => {
        if (m.length !== coords.length)
          issues.push({
            segs: ['potential', 'minima', i],
            expected: `a point with ${coords.length} coordinate${coords.length === 1 ? '' : 's'} (${coords.join(', ')})`,
            found: renderValue(m),
          });
      });
  }
  return issues;
}

/**
 * Why a `module` / `tfjs` value is not a file path, or undefined when it is one:
 * it must be absolute or start with ./ or ../ (so a bare `lodash` is never
 * taken for a package), and not be a URL (`https:`, `file:`, `data:`) or a
 * builtin (`node:fs`).
 */
export function modulePathProblem(spec: string): string | undefined {
  if (spec.trim() !== spec || spec === '') return 'an empty or padded path';
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(spec) && !/^[A-Za-z]:[\\/]/.test(spec))
    return spec.toLowerCase().startsWith('node:') ? 'a Node builtin module' : `a URL (${spec.slice(0, spec.indexOf(':') + 1)})`;
  if (spec.includes('\0')) return 'a path with a NUL character';
  if (path.isAbsolute(spec) || /^\.\.?[\\/]/.test(spec)) return undefined;
  return 'a bare name, which Node would look up as a package; write ./' + spec + ' for a file next to the scenario';
}

/** Optimizer constants and the integrators that read them (dynamics.* and dynamics.groups.<g>.*). */
const OPTIMIZER_KEYS: Record<string, { integrators: string[]; what: string }> = {
  betas: { integrators: ['adam', 'adamw'], what: "Adam's (β₁, β₂)" },
  eps: { integrators: ['adam', 'adamw', 'psgld'], what: "Adam's ε / pSGLD's λ" },
  alpha: { integrators: ['psgld'], what: "pSGLD's RMSprop decay α" },
  optimizer: { integrators: ['adam', 'adamw'], what: 'the per-group choice between coupled (adam) and decoupled (adamw) weight decay' },
};

/** An optimizer constant set for an integrator that would ignore it is an error, not a silent no-op. */
function optimizerKeyChecks(dyn: Obj): RawIssue[] {
  const issues: RawIssue[] = [];
  const integ = typeof dyn.integrator === 'string' ? dyn.integrator : 'sgld';
  const check = (o: Obj, segs: (string | number)[], groupLevel: boolean) => {
    for (const [key, info] of Object.entries(OPTIMIZER_KEYS)) {
      if (o[key] === undefined || (key === 'optimizer' && !groupLevel)) continue;
      if (info.integrators.includes(integ)) continue;
      issues.push({
        segs: [...segs, key],
        expected: `no ${key} with integrator ${integ} (it is read by ${info.integrators.join(' / ')} only)`,
        found: renderValue(o[key]),
        hint: `${key} is ${info.what}; set dynamics.integrator to ${info.integrators.join(' or ')}, or remove it.`,
      });
    }
  };
  check(dyn, ['dynamics'], false);
  if (isPlainObject(dyn.groups))
    for (const [g, gs] of Object.entries(dyn.groups)) if (isPlainObject(gs)) check(gs, ['dynamics', 'groups', g], true);
  return issues;
}

/**
 * Schedules (engine/schedule.ts) the schema cannot judge alone: a scheduled
 * temperature needs a noisy integrator, dynamics.step_size sets the learning
 * rates itself, and `exploration` switches the noise off on `lr` only.
 */
function scheduleChecks(dyn: Obj): RawIssue[] {
  const issues: RawIssue[] = [];
  const integ = typeof dyn.integrator === 'string' ? dyn.integrator : 'sgld';
  const noisy = integrators.find(integ)?.noisy ?? true;
  const places: [Seg[], Obj][] = [[['dynamics'], dyn]];
  if (isPlainObject(dyn.groups)) for (const [g, gs] of Object.entries(dyn.groups)) if (isPlainObject(gs)) places.push([['dynamics', 'groups', g], gs]);
  for (const [segs, o] of places) {
    if (isPlainObject(o.temperature) && !noisy)
      issues.push({ segs: [...segs, 'temperature'], expected: `no temperature schedule with integrator ${integ} (θ = 0)`, found: renderValue(o.temperature), hint: `${integ} draws no noise; use a noisy integrator such as sgld, or remove the schedule.` });
    if (isPlainObject(o.temperature) && o.temperature.exploration !== undefined)
      issues.push({ segs: [...segs, 'temperature', 'exploration'], expected: 'exploration on a learning-rate schedule only', found: renderValue(o.temperature.exploration), hint: 'Put the cyclical schedule with exploration on lr; it switches the noise off during the exploration stage.' });
  }
  if (dyn.step_size !== undefined && isPlainObject(dyn.lr))
    issues.push({ segs: ['dynamics', 'lr'], expected: 'a number (the time unit) with dynamics.step_size', found: renderValue(dyn.lr), hint: 'dynamics.step_size sets every learning rate; remove the schedule or the step_size.' });
  return issues;
}

/** Checks across fields that the schema cannot express. Defensive: fields may still be invalid here. */
function semanticChecks(data: Obj): RawIssue[] {
  const issues: RawIssue[] = [];
  const dyn = isPlainObject(data.dynamics) ? data.dynamics : {};
  const obs = isPlainObject(data.observe) ? data.observe : {};
  const ens = isPlainObject(data.ensemble) ? data.ensemble : {};

  if (isPlainObject(data.dynamics) && dyn.lr === undefined && dyn.step_size === undefined)
    issues.push({ segs: ['dynamics', 'lr'], expected: 'a learning rate > 0 (or dynamics.step_size)', found: 'nothing', hint: 'Every run needs a step size.' });
  if (dyn.step_size !== undefined && isPlainObject(dyn.groups))
    for (const [g, gs] of Object.entries(dyn.groups))
      if (isPlainObject(gs) && gs.lr !== undefined)
        issues.push({
          segs: ['dynamics', 'groups', g, 'lr'],
          expected: 'no per-group lr with dynamics.step_size',
          found: renderValue(gs.lr),
          hint: 'dynamics.step_size sets the learning rate of every group; remove one of the two.',
        });

  if (dyn.integrator === 'gd' || dyn.integrator === 'adam' || dyn.integrator === 'adamw') {
    const integ = dyn.integrator;
    const gdHint = (t: number) =>
      integ === 'gd'
        ? `gd is plain gradient descent (no noise); use integrator: sgld for Langevin dynamics at temperature ${t}, or remove the temperature.`
        : `${integ} is a deterministic optimizer (no noise); use integrator: psgld (RMSprop-preconditioned SGLD) or sgld for Langevin dynamics at temperature ${t}, or remove the temperature.`;
    if (typeof dyn.temperature === 'number' && dyn.temperature > 0)
      issues.push({ segs: ['dynamics', 'temperature'], expected: `0 (or no temperature) with integrator ${integ}`, found: renderValue(dyn.temperature), hint: gdHint(dyn.temperature) });
    if (isPlainObject(dyn.groups))
      for (const [g, gs] of Object.entries(dyn.groups))
        if (isPlainObject(gs) && typeof gs.temperature === 'number' && gs.temperature > 0)
          issues.push({ segs: ['dynamics', 'groups', g, 'temperature'], expected: `0 (or no temperature) with integrator ${integ}`, found: renderValue(gs.temperature), hint: gdHint(gs.temperature) });
  }
  issues.push(...optimizerKeyChecks(dyn));
  issues.push(...scheduleChecks(dyn));

  if (Array.isArray(obs.histograms))
    obs.histograms.forEach((h: unknown, i: number) => {
      if (!isPlainObject(h)) return;
      const r = h.range;
      if (Array.isArray(r) && r.length === 2 && typeof r[0] === 'number' && typeof r[1] === 'number' && !(r[0] < r[1]))
        issues.push({
          segs: ['observe', 'histograms', i, 'range'],
          expected: '[lo, hi] with lo < hi',
          found: renderValue(r),
          hint: r[0] > r[1] ? 'Swap the two bounds.' : 'The range is empty; widen it.',
        });
      if (Number.isInteger(h.from) && Number.isInteger(dyn.steps) && (h.from as number) > (dyn.steps as number))
        issues.push({
          segs: ['observe', 'histograms', i, 'from'],
          expected: `a step ≤ dynamics.steps (${dyn.steps})`,
          found: renderValue(h.from),
          hint: 'No grid point would be recorded.',
        });
    });

  if (Array.isArray(obs.events)) {
    const seen = new Map<string, number>();
    obs.events.forEach((ev: unknown, i: number) => {
      if (!isPlainObject(ev)) return;
      if (typeof ev.name === 'string') {
        const first = seen.get(ev.name);
        if (first !== undefined)
          issues.push({
            segs: ['observe', 'events', i, 'name'],
            expected: 'a name not used by another event',
            found: renderValue(ev.name),
            hint: `observe.events[${first}] already has this name.`,
          });
        else seen.set(ev.name, i);
      }
      if (isPlainObject(ev.enter))
        for (const [o, b] of Object.entries(ev.enter)) {
          if (!isPlainObject(b)) continue;
          const lo = pickBound(b.ge, b.gt, Math.max);
          const hi = pickBound(b.le, b.lt, Math.min);
          if (lo && hi && (lo.v > hi.v || (lo.v === hi.v && (lo.strict || hi.strict))))
            issues.push({
              segs: ['observe', 'events', i, 'enter', o],
              expected: 'bounds that leave a non-empty region',
              found: renderValue(b),
              hint: 'The lower bound (ge/gt) must lie below the upper bound (le/lt).',
            });
        }
    });
  }

  issues.push(...samplingIssues(data.sampling, dyn, ens));

  if (isPlainObject(ens.init)) {
    const init = ens.init;
    const pairs: Array<[string, string]> = init.kind === 'normal' ? [['mean', 'std']] : init.kind === 'uniform' ? [['low', 'high']] : [];
    for (const [a, b] of pairs) {
      const va = init[a], vb = init[b];
      if (Array.isArray(va) && Array.isArray(vb) && va.length > 1 && vb.length > 1 && va.length !== vb.length)
        issues.push({
          segs: ['ensemble', 'init', b],
          expected: `a number or a list of ${va.length} numbers (as many as ${a})`,
          found: renderValue(vb),
        });
      else if (init.kind === 'uniform' && isNumOrNums(va) && isNumOrNums(vb)) {
        const n = Math.max(asList(va).length, asList(vb).length);
        const lo = asList(va), hi = asList(vb);
        for (let j = 0; j < n; j++)
          if (!(lo[lo.length === 1 ? 0 : j] < hi[hi.length === 1 ? 0 : j])) {
            issues.push({ segs: ['ensemble', 'init', 'high'], expected: 'values above low (low < high in every coordinate)', found: renderValue(vb) });
            break;
          }
      }
    }
  }
  return issues;
}

/** Most chain values a run may hold (replicas × samples × chains, 8 bytes each: 160 MB). */
export const MAX_CHAIN_VALUES = 2e7;

/** `sampling:` checks across fields: a sample exists (burn_in ≤ steps), ordered ranges, a bounded chain store. */
function samplingIssues(sampling: unknown, dyn: Obj, ens: Obj): RawIssue[] {
  const issues: RawIssue[] = [];
  if (!isPlainObject(sampling)) return issues;
  const steps = Number.isInteger(dyn.steps) ? (dyn.steps as number) : undefined;
  const burnIn = Number.isInteger(sampling.burn_in) ? (sampling.burn_in as number) : undefined;
  const thin = Number.isInteger(sampling.thin) && (sampling.thin as number) >= 1 ? (sampling.thin as number) : 1;
  if (steps !== undefined && burnIn !== undefined && burnIn > steps)
    issues.push({
      segs: ['sampling', 'burn_in'],
      expected: `a step ≤ dynamics.steps (${steps}), so that at least one sample is taken`,
      found: renderValue(burnIn),
      hint: 'Samples are taken at steps burn_in, burn_in + thin, … up to dynamics.steps; lower burn_in or raise dynamics.steps.',
    });
  else if (steps !== undefined && burnIn !== undefined && Number.isInteger(ens.replicas)) {
    const samples = Math.floor((steps - burnIn) / thin) + 1;
    const chains = Array.isArray(sampling.chains) ? sampling.chains.length : 1;
    const values = (ens.replicas as number) * samples * Math.max(1, chains);
    if (values > MAX_CHAIN_VALUES) {
      const minThin = Math.ceil((steps - burnIn) / Math.max(1, Math.floor(MAX_CHAIN_VALUES / ((ens.replicas as number) * Math.max(1, chains))) - 1));
      issues.push({
        segs: ['sampling', 'thin'],
        expected: `a thinning that keeps replicas × samples × chains ≤ ${MAX_CHAIN_VALUES.toExponential(0)} (thin ≥ ${minThin})`,
        found: `${thin} (${samples} samples × ${ens.replicas} replicas × ${Math.max(1, chains)} chains = ${values.toExponential(2)} values)`,
        hint: 'Raise thin or burn_in, or record fewer chains.',
      });
    }
  }
  if (Array.isArray(sampling.posterior))
    sampling.posterior.forEach((h: unknown, i: number) => {
      if (!isPlainObject(h)) return;
      const r = h.range;
      if (Array.isArray(r) && r.length === 2 && typeof r[0] === 'number' && typeof r[1] === 'number' && !(r[0] < r[1]))
        issues.push({
          segs: ['sampling', 'posterior', i, 'range'],
          expected: '[lo, hi] with lo < hi',
          found: renderValue(r),
          hint: r[0] > r[1] ? 'Swap the two bounds.' : 'The range is empty; widen it.',
        });
    });
  return issues;
}

function pickBound(inclusive: unknown, strict: unknown, pick: (a: number, b: number) => number): { v: number; strict: boolean } | undefined {
  const a = typeof inclusive === 'number' ? inclusive : undefined;
  const b = typeof strict === 'number' ? strict : undefined;
  if (a === undefined && b === undefined) return undefined;
  if (a === undefined) return { v: b as number, strict: true };
  if (b === undefined) return { v: a, strict: false };
  const v = pick(a, b);
  return { v, strict: v === b };
}

const isNumOrNums = (v: unknown): v is number | number[] =>
  typeof v === 'number' || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number'));
const asList = (v: number | number[]): number[] => (typeof v === 'number' ? [v] : v);

/** Scalars of the initial condition become one-element lists (the engine broadcasts length 1 to dim). */
function normalise(data: Obj): void {
  // With curvature-scaled step sizes, dynamics.lr is only the unit of physical time.
  const dyn = data.dynamics as Obj;
  if (dyn.lr === undefined) dyn.lr = 1;
  const init = (data.ensemble as Obj).init as Obj;
  for (const key of ['x', 'mean', 'std', 'low', 'high']) if (typeof init[key] === 'number') init[key] = [init[key]];
}

/** A copy of `v` with object keys in the schema's `properties` order (then any others), for a tidy resolved scenario. */
function orderLike(v: unknown, schema: unknown): unknown {
  if (!isPlainObject(schema)) return v;
  if (Array.isArray(v)) return isPlainObject(schema.items) ? v.map((x) => orderLike(x, schema.items)) : v;
  if (!isPlainObject(v) || !isPlainObject(schema.properties)) return v;
  const props = schema.properties as Obj;
  const out: Obj = {};
  for (const k of Object.keys(props)) if (k in v) out[k] = orderLike(v[k], props[k]);
  for (const k of Object.keys(v)) if (!(k in out)) out[k] = v[k];
  return out;
}

// ------------------------------------------------------------------ ajv errors → issues

/**
 * Translate ajv errors (allErrors, verbose) into issues. For `oneOf`/`anyOf`
 * failures, report against the branch the data was evidently meant for
 * (decided by type, by a discriminating `const` such as `kind`, or by a key
 * only that branch requires), else one issue describing the alternatives.
 */
function translate(errors: ErrorObject[], data: unknown, prefix: Seg[]): RawIssue[] {
  const out: RawIssue[] = [];
  const seen = new Set<string>();
  for (const issue of translateGroup(errors, data, prefix)) {
    const key = `${formatPath(issue.segs)}\u0000${issue.expected}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(issue);
  }
  return out;
}

function translateGroup(errors: ErrorObject[], data: unknown, prefix: Seg[]): RawIssue[] {
  const composites = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf');
  const outer = composites.filter((c) => !composites.some((d) => d !== c && c.schemaPath.startsWith(`${d.schemaPath}/`)));
  const consumed = new Set<ErrorObject>();
  const out: RawIssue[] = [];
  for (const c of outer) {
    const sub = errors.filter((e) => e.schemaPath.startsWith(`${c.schemaPath}/`));
    sub.forEach((e) => consumed.add(e));
    consumed.add(c);
    out.push(...translateComposite(c, sub, data, prefix));
  }
  // An `if` failure only says which of then / else failed; their own errors say why.
  for (const e of errors) if (!consumed.has(e) && e.keyword !== 'if') out.push(...translateLeaf(e, data, prefix));
  return out;
}

function translateComposite(c: ErrorObject, sub: ErrorObject[], data: unknown, prefix: Seg[]): RawIssue[] {
  const segs = [...prefix, ...pointerSegs(c.instancePath, data)];
  const value = c.data;
  const branches = (Array.isArray(c.schema) ? c.schema : []) as JsonSchema[];
  if (c.keyword === 'oneOf' && (c.params as { passingSchemas?: unknown }).passingSchemas != null)
    return [{ segs, expected: `exactly one of: ${describe(c.parentSchema)}`, found: `${renderValue(value)}, which matches several` }];

  const byBranch = branches.map((_, i) => sub.filter((e) => e.schemaPath.startsWith(`${c.schemaPath}/${i}/`)));
  let live = branches.map((_, i) => i);
  // (a) the data is not even of the branch's type
  live = live.filter((i) => !byBranch[i].some((e) => e.keyword === 'type' && e.instancePath === c.instancePath));

  // (b) a key every remaining branch requires is missing (e.g. init without kind)
  if (live.length > 0) {
    const missing = (i: number) =>
      new Set(byBranch[i].filter((e) => e.keyword === 'required' && e.instancePath === c.instancePath).map((e) => String(e.params.missingProperty)));
    const common = [...missing(live[0])].filter((k) => live.every((i) => missing(i).has(k)));
    if (common.length > 0) {
      const k = common[0];
      const consts = live.map((i) => constOf(branches[i], k)).filter((x): x is string => x !== undefined);
      return [
        {
          segs: [...segs, k],
          expected: consts.length === live.length ? `one of ${quoteList(consts)} (required)` : `${describe(propSchema(branches[live[0]], k))} (required)`,
          found: 'nothing',
        },
      ];
    }
  }

  // (c) a discriminating constant (e.g. kind: point) rules the branch out
  const constMiss = (i: number) =>
    byBranch[i].find((e) => (e.keyword === 'const' || e.keyword === 'enum') && parentPointer(e.instancePath) === c.instancePath);
  const afterConst = live.filter((i) => !constMiss(i));
  if (afterConst.length === 0 && live.length > 0) {
    const misses = live.map(constMiss) as ErrorObject[];
    const keyPtr = misses[0].instancePath;
    if (misses.every((e) => e.instancePath === keyPtr)) {
      const k = decodePointerToken(keyPtr.slice(keyPtr.lastIndexOf('/') + 1));
      const consts = live.flatMap((i) => constsOf(branches[i], k));
      const found = misses[0].data;
      const guess = typeof found === 'string' ? didYouMean(found, consts) : undefined;
      return [{ segs: [...segs, k], expected: `one of ${quoteList(consts)}`, found: renderValue(found), hint: guess ? `Did you mean '${guess}'?` : undefined }];
    }
  }
  live = afterConst;

  // (d) a key only one branch requires is absent (e.g. potential: module / expression)
  const specific = branches.map((b, i) => {
    const own = requiredOf(b);
    return own.filter((k) => branches.every((o, j) => j === i || !requiredOf(o).includes(k)));
  });
  if (live.length > 1) {
    const present = (k: string) => isPlainObject(value) && k in value;
    const withKeys = live.filter((i) => specific[i].length === 0 || specific[i].every(present));
    if (withKeys.length > 0) live = withKeys;
  }

  if (live.length === 1) return translateGroup(byBranch[live[0]], data, prefix);

  // No single branch: explain the alternatives.
  if (branches.every((_, i) => specific[i].length > 0)) {
    const keys = branches.map((_, i) => specific[i][0]);
    const own = isPlainObject(value) ? Object.keys(value) : [];
    const present = keys.filter((k) => own.includes(k));
    const allowed = [...new Set(branches.flatMap((b) => Object.keys(propsOf(b))))];
    const unknown = own.filter((k) => !allowed.includes(k));
    const guesses = unknown.map((k) => [k, didYouMean(k, keys)]).filter(([, g]) => g) as string[][];
    return [
      {
        segs,
        expected: `a mapping with exactly one of ${quoteList(keys)}`,
        found: present.length > 1 ? `both ${quoteList(present)}` : renderValue(value),
        hint: guesses.length ? guesses.map(([k, g]) => `'${k}': did you mean '${g}'?`).join(' ') : undefined,
      },
    ];
  }
  // Alternatives told apart by a constant (e.g. init kinds): name the key and its values.
  const tagKeys = Object.keys(propsOf(branches[0])).filter((k) => branches.every((b) => constsOf(b, k).length > 0));
  if (tagKeys.length > 0) {
    const k = tagKeys[0];
    return [{ segs, expected: `a mapping with ${k}: one of ${quoteList(branches.flatMap((b) => constsOf(b, k)))}`, found: renderValue(value) }];
  }
  return [{ segs, expected: describe(c.parentSchema), found: renderValue(value) }];
}

function translateLeaf(e: ErrorObject, data: unknown, prefix: Seg[]): RawIssue[] {
  const segs = [...prefix, ...pointerSegs(e.instancePath, data)];
  const parent = (e.parentSchema ?? {}) as JsonSchema;
  const value = e.data;
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': {
      const k = String(params.missingProperty);
      return [{ segs: [...segs, k], expected: `${describe(propSchema(parent, k))} (required)`, found: 'nothing' }];
    }
    case 'additionalProperties': {
      const k = String(params.additionalProperty);
      const allowed = Object.keys(propsOf(parent));
      const guess = didYouMean(k, allowed);
      const hint = [guess ? `Did you mean '${guess}'?` : '', allowed.length ? `Allowed here: ${allowed.join(', ')}.` : ''].filter(Boolean).join(' ');
      return [{ segs: [...segs, k], expected: 'a known key', found: `unknown key ${renderValue(k)}`, hint: hint || undefined }];
    }
    case 'type': {
      let hint: string | undefined;
      const wantsNumber = /number|integer/.test(String(params.type));
      if (typeof value === 'string' && wantsNumber && value.trim() !== '' && Number.isFinite(Number(value)))
        hint = 'It is quoted, so YAML reads it as a string; remove the quotes.';
      else if (value === null) hint = 'An empty value is null in YAML.';
      return [{ segs, expected: describe(parent), found: renderValue(value), hint }];
    }
    case 'enum':
    case 'const': {
      const options = (e.keyword === 'enum' ? (parent.enum as unknown[]) : [parent.const]).map(String);
      const guess = typeof value === 'string' ? didYouMean(value, options) : undefined;
      return [{ segs, expected: describe(parent), found: renderValue(value), hint: guess ? `Did you mean '${guess}'?` : undefined }];
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'multipleOf':
    case 'minItems':
    case 'maxItems':
    case 'minLength':
    case 'maxLength':
    case 'pattern':
      return [{ segs, expected: describe(parent), found: renderValue(value) }];
    case 'minProperties': {
      const keys = Object.keys(propsOf(parent));
      return [{ segs, expected: keys.length ? `at least one of ${keys.join(', ')}` : 'a non-empty mapping', found: renderValue(value) }];
    }
    case 'uniqueItems':
      return [{ segs, expected: 'a list without repeated entries', found: renderValue(value), hint: `Entries ${params.j} and ${params.i} are equal.` }];
    default:
      return [{ segs, expected: `a value that ${e.message ?? `satisfies ${e.keyword}`}`, found: renderValue(value) }];
  }
}

// ------------------------------------------------------------------ describing schemas

const PATTERN_TEXT: Record<string, string> = {
  [NAME_PATTERN]: "a name of letters, digits, '.', '_' and '-' (not '.' or '..')",
  '^[A-Za-z_][A-Za-z0-9_]*$': 'an identifier (letters, digits and _, not starting with a digit)',
};

/** A phrase for what a schema accepts: `a number > 0`, `one of 'gd', 'sgld'`, `a list of 2 numbers`. */
export function describe(schema: unknown): string {
  if (!isPlainObject(schema)) return 'a value';
  if ('const' in schema) return `'${String(schema.const)}'`;
  if (Array.isArray(schema.enum)) return `one of ${quoteList(schema.enum.map(String))}`;
  const alts = (schema.oneOf ?? schema.anyOf) as unknown[] | undefined;
  if (Array.isArray(alts)) return alts.map(describe).join(' or ');
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : typeof schema.type === 'string' ? [schema.type] : [];
  if (types.length === 0) return isPlainObject(schema.properties) ? describeType('object', schema) : 'a value';
  return types.map((t) => describeType(t, schema)).join(' or ');
}

function describeType(t: string, s: Obj): string {
  switch (t) {
    case 'number':
    case 'integer': {
      const base = t === 'integer' ? 'an integer' : 'a number';
      const lo = typeof s.exclusiveMinimum === 'number' ? `> ${s.exclusiveMinimum}` : typeof s.minimum === 'number' ? `≥ ${s.minimum}` : '';
      const hi = typeof s.exclusiveMaximum === 'number' ? `< ${s.exclusiveMaximum}` : typeof s.maximum === 'number' ? `≤ ${s.maximum}` : '';
      if (t === 'integer' && typeof s.minimum === 'number' && typeof s.maximum === 'number' && s.maximum < Number.MAX_SAFE_INTEGER)
        return `an integer from ${s.minimum} to ${s.maximum}`;
      const max = hi && !(typeof s.maximum === 'number' && s.maximum >= Number.MAX_SAFE_INTEGER) ? hi : '';
      return [base, lo, max && lo ? `and ${max}` : max].filter(Boolean).join(' ');
    }
    case 'string':
      if (typeof s.pattern === 'string') return PATTERN_TEXT[s.pattern] ?? `a string matching /${s.pattern}/`;
      return typeof s.minLength === 'number' && s.minLength > 0 ? 'a non-empty string' : 'a string';
    case 'boolean':
      return 'true or false';
    case 'null':
      return 'null';
    case 'array': {
      const item = isPlainObject(s.items) ? plural(describe(s.items)) : 'values';
      if (typeof s.minItems === 'number' && s.minItems === s.maxItems) return `a list of ${s.minItems} ${item}`;
      return `${typeof s.minItems === 'number' && s.minItems > 0 ? 'a non-empty list' : 'a list'} of ${item}`;
    }
    case 'object':
      return typeof s.title === 'string' ? `a mapping (${s.title})` : 'a mapping';
    default:
      return `a ${t}`;
  }
}

function plural(phrase: string): string {
  return phrase.replace(/^(a|an) (\w+)/, (_, _a: string, w: string) => `${w}s`).replace(/ or (a|an) (\w+)/g, (_, _a: string, w: string) => ` or ${w}s`);
}

const propsOf = (s: unknown): Obj => (isPlainObject(s) && isPlainObject(s.properties) ? s.properties : {});
const propSchema = (s: unknown, k: string): unknown => propsOf(s)[k];
const requiredOf = (s: unknown): string[] => (isPlainObject(s) && Array.isArray(s.required) ? (s.required as string[]) : []);
function constsOf(s: unknown, k: string): string[] {
  const p = propSchema(s, k);
  if (!isPlainObject(p)) return [];
  if ('const' in p) return [String(p.const)];
  return Array.isArray(p.enum) ? p.enum.map(String) : [];
}
const constOf = (s: unknown, k: string): string | undefined => constsOf(s, k)[0];

// ------------------------------------------------------------------ paths, lines, overrides

function decodePointerToken(t: string): string {
  return t.replace(/~1/g, '/').replace(/~0/g, '~');
}

function parentPointer(p: string): string {
  return p.slice(0, p.lastIndexOf('/'));
}

/** JSON pointer → path segments (indices where the data is a list). */
function pointerSegs(pointer: string, data: unknown): Seg[] {
  if (!pointer) return [];
  const out: Seg[] = [];
  let cur: unknown = data;
  for (const tok of pointer.slice(1).split('/').map(decodePointerToken)) {
    if (Array.isArray(cur)) {
      const i = Number(tok);
      out.push(i);
      cur = cur[i];
    } else {
      out.push(tok);
      cur = isPlainObject(cur) ? cur[tok] : undefined;
    }
  }
  return out;
}

/** Line of a path in the document: the key's line when the path exists, else its deepest existing ancestor's. */
function makeLocator(doc: Document, lc: LineCounter): (segs: Seg[]) => number | undefined {
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

const startsWith = (segs: Seg[], prefix: Seg[]) => prefix.length <= segs.length && prefix.every((s, i) => String(s) === String(segs[i]));

/** Turn raw issues into placed ones: line from the file unless the value came from the command line; ordered by line. */
function place(issues: RawIssue[], origin: Origin): ScenarioIssue[] {
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

/** Keys that would reach an object's prototype instead of a field of the scenario (prototype pollution). */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const ownValue = (o: Obj, k: string): unknown => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);

function applyOverride(root: Obj, segs: Seg[], value: unknown, label: string, origin: Origin, issues: RawIssue[]): void {
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
        issues.push({ segs: segs.slice(0, i + 1), expected: `a list index from 0 to ${cur.length}`, found: renderValue(seg), hint: `(In ${label}.)` });
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
        if (next === undefined || next === null) Object.defineProperty(cur, key, { value: {}, writable: true, enumerable: true, configurable: true });
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

function scanNonFinite(v: unknown, segs: Seg[], report: (segs: Seg[], v: number) => void): void {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) report(segs, v);
  } else if (Array.isArray(v)) v.forEach((x, i) => scanNonFinite(x, [...segs, i], report));
  else if (isPlainObject(v)) for (const [k, x] of Object.entries(v)) scanNonFinite(x, [...segs, k], report);
}

function isPlainObject(v: unknown): v is Obj {
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
