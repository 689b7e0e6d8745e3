/**
 * Sweeps and regimes: variations of one scenario.
 *
 * - `sweep:` maps dotted scenario keys to values (a list, `{linear: {from, to,
 *   points}}` or `{log: {from, to, points}}`), combined as a grid (Cartesian
 *   product, first key slowest) or zipped (element-wise). `expandSweep`
 *   (expand.ts) turns a scenario into its points, each a complete scenario (no
 *   `sweep` key, same name) validated on its own.
 * - `regimes:` maps names to `{dotted key: value}` overrides; `expandRegimes` (expand.ts).
 *
 * This file holds the values and the checks of the variations (it imports no
 * validator, so the loader can use it); the expansion lives in expand.ts.
 *
 * A point is built by applying its values to the scenario's raw document (as
 * written, before defaults; see `rawScenarioDocument`) and validating the result
 * with the ordinary validator, so a default that depends on a swept key (or a
 * check across keys, such as an integrator that is not noisy needing θ = 0) behaves as if the point had been
 * written out by hand. The loader already validates every point, so a loaded
 * scenario expands without errors.
 */
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { getPotentialFamily } from '../potentials/index.js';
import type { JsonSchema } from '../potentials/registry.js';
import { didYouMean, formatPath, parsePath, quoteList, renderValue, ScenarioError } from './errors.js';
import { REGIME_NAME_PATTERN, scenarioSchema, UNSWEEPABLE_KEYS } from './schema.js';
import type { Scenario, SweepAxisSpec, SweepMode, SweepRange } from './types.js';

type Seg = string | number;
type Obj = Record<string, unknown>;

/** One swept key and its values, in order. */
export interface SweepAxis {
  /** The key as written in the scenario, e.g. `dynamics.temperature`. */
  key: string;
  segments: Seg[];
  values: unknown[];
}

/** A sweep point or regime before validation (used by the loader). */
export interface Variant {
  /** `sweep point 3 (dynamics.temperature = 0.2)` or `regime 'gd'`: prefixes its error messages. */
  label: string;
  overrides: Array<{ key: string; segments: Seg[]; value: unknown; anchor: Seg[] }>;
}

/** A problem found in sweep / regimes / phase entries, in the loader's raw form. */
export interface VariationIssue {
  segs: Seg[];
  expected: string;
  found: string;
  hint?: string;
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

// ------------------------------------------------------------------ values

/** 12 significant digits: range values print as written (0.3, not 0.30000000000000004). */
const tidy = (v: number) => Number(v.toPrecision(12));

/**
 * The values of one axis. Lists are taken as they are; `linear` gives
 * `from + (to − from)·i/(points − 1)`, `log` gives `from·(to/from)^(i/(points − 1))`,
 * i = 0 … points − 1, rounded to 12 significant digits, the ends exactly `from` and `to`.
 */
export function axisValues(spec: SweepAxisSpec): unknown[] {
  if (Array.isArray(spec)) return spec.slice();
  const range = (r: SweepRange, at: (u: number) => number) =>
    Array.from({ length: r.points }, (_, i) => (i === 0 ? r.from : i === r.points - 1 ? r.to : tidy(at(i / (r.points - 1)))));
  if ('linear' in spec) {
    const r = spec.linear;
    return range(r, (u) => r.from + (r.to - r.from) * u);
  }
  const r = spec.log;
  const a = Math.log(r.from),
    b = Math.log(r.to);
  return range(r, (u) => Math.exp(a + (b - a) * u));
}

/** The swept keys of a sweep mapping, in order (every key but `mode`). */
export function sweepKeys(sweep: Obj): string[] {
  return Object.keys(sweep).filter((k) => k !== 'mode');
}

/** The axes of a (valid) sweep, in the order written. */
export function sweepAxes(sweep: Obj): SweepAxis[] {
  return sweepKeys(sweep).map((key) => ({ key, segments: parsePath(key), values: axisValues(sweep[key] as SweepAxisSpec) }));
}

export function sweepMode(sweep: Obj): SweepMode {
  return sweep.mode === 'zip' ? 'zip' : 'grid';
}

/**
 * The value assignments of a (valid) sweep in point order: grid = Cartesian
 * product with the first key slowest (the last key varies fastest); zip = the
 * i-th value of every axis.
 */
export function sweepAssignments(sweep: Obj): Array<Record<string, unknown>> {
  const axes = sweepAxes(sweep);
  if (axes.length === 0) return [];
  if (sweepMode(sweep) === 'zip') {
    const n = axes[0].values.length;
    return Array.from({ length: n }, (_, i) => Object.fromEntries(axes.map((a) => [a.key, a.values[i]])));
  }
  const total = axes.reduce((p, a) => p * a.values.length, 1);
  const out: Array<Record<string, unknown>> = [];
  for (let index = 0; index < total; index++) {
    const values: Record<string, unknown> = {};
    let rest = index;
    for (let k = axes.length - 1; k >= 0; k--) {
      const n = axes[k].values.length;
      values[axes[k].key] = axes[k].values[rest % n];
      rest = Math.floor(rest / n);
    }
    out.push(Object.fromEntries(axes.map((a) => [a.key, values[a.key]])));
  }
  return out;
}

/** Number of points of a (valid) sweep. */
export function sweepSize(sweep: Obj): number {
  const axes = sweepAxes(sweep);
  if (axes.length === 0) return 0;
  return sweepMode(sweep) === 'zip' ? axes[0].values.length : axes.reduce((p, a) => p * a.values.length, 1);
}

/** `dynamics.temperature = 0.2, potential.params.h = 1` */
export function describeValues(values: Record<string, unknown>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k} = ${typeof v === 'string' ? v : renderValue(v)}`)
    .join(', ');
}

/** The variants (one per point) of a raw sweep mapping, for validation. */
export function sweepVariants(sweep: Obj): Variant[] {
  return sweepAssignments(sweep).map((values, index) => ({
    label: `sweep point ${index} (${describeValues(values)})`,
    overrides: Object.entries(values).map(([key, value]) => ({ key, segments: parsePath(key), value, anchor: ['sweep', key] })),
  }));
}

/** The variants (one per regime) of a raw regimes mapping, for validation. */
export function regimeVariants(regimes: Obj): Variant[] {
  return Object.entries(regimes).map(([name, ov]) => ({
    label: `regime '${name}'`,
    overrides: Object.entries(isObj(ov) ? ov : {}).map(([key, value]) => ({
      key,
      segments: parsePath(key),
      value,
      anchor: ['regimes', name, key],
    })),
  }));
}

/**
 * Throws a ScenarioError (exit code 2 in the CLI) when `s` has a sweep:
 * `stochdyn run` runs one scenario; a sweep runs with `stochdyn sweep`.
 */
export function assertNoSweep(s: Scenario): void {
  if (!s.sweep) return;
  throw new ScenarioError(s.source || '(scenario)', [
    {
      path: 'sweep',
      expected: 'no sweep in a scenario given to `stochdyn run`',
      found: `a sweep of ${sweepSize(s.sweep as Obj)} points over ${quoteList(sweepKeys(s.sweep as Obj))}`,
      hint: 'Run it with `stochdyn sweep <scenario>` (or remove the sweep key to run a single scenario).',
    },
  ]);
}

/**
 * A short stable hash (12 hex digits of SHA-256) of the resolved scenario,
 * `sweep` included, without what does not change results: `source` (where
 * the file lies) and the `stochdyn` version stamp; a module potential's path
 * counts relative to the scenario file. Keys are sorted, so it does not depend
 * on the order they were written in. Names sweep directories (`sweep-<hash>`)
 * and guards resuming and merging.
 */
export function sweepHash(s: Scenario): string {
  const { source, stochdyn: _v, ...rest } = s as Scenario & { stochdyn?: unknown };
  const doc = structuredClone(rest) as Obj;
  const pot = doc.potential as Obj;
  if (typeof pot.module === 'string' && source) pot.module = path.relative(path.dirname(source), pot.module).split(path.sep).join('/');
  if (typeof pot.tfjs === 'string' && source) pot.tfjs = path.relative(path.dirname(source), pot.tfjs).split(path.sep).join('/');
  return createHash('sha256').update(canonicalJson(doc)).digest('hex').slice(0, 12);
}

function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isObj(v))
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

// ------------------------------------------------------------------ phase analysis entries (classification: analysis/phases.ts)

/**
 * The value at a dotted path (`events.escape.fractionEntered`, `theory[1].exactTime`) of a JSON value, or undefined.
 * A name segment on a list picks its first element whose `kind` is that name, so
 * `analyses.learning-phases.phaseIndex` reaches summary.json `analyses[]` by kind (the index form
 * `analyses[2].phaseIndex` reaches a later entry of the same kind).
 */
export function valueAtPath(obj: unknown, dotted: string): unknown {
  let cur: unknown = obj;
  for (const seg of parsePath(dotted)) {
    if (Array.isArray(cur) && typeof seg === 'number') cur = cur[seg];
    else if (Array.isArray(cur)) cur = cur.find((x) => isObj(x) && x.kind === seg);
    else if (isObj(cur)) cur = cur[String(seg)];
    else return undefined;
  }
  return cur;
}

const SUMMARY_SECTIONS = ['observables', 'events', 'divergence', 'run', 'theory', 'histograms', 'analyses'];
const PHASE_KEYS = ['kind', 'metric', 'thresholds', 'labels'];

/** Checks of `analysis` entries of kind `phase` (metric path, thresholds, labels). */
export function phaseAnalysisIssues(data: Obj): VariationIssue[] {
  const issues: VariationIssue[] = [];
  if (!Array.isArray(data.analysis)) return issues;
  const obs = isObj(data.observe) ? data.observe : {};
  const events = Array.isArray(obs.events) ? obs.events.map((e) => (isObj(e) ? String(e.name) : '')) : [];
  const observables = Array.isArray(obs.observables) ? obs.observables.map(String) : ['energy'];
  const runKinds = data.analysis
    .filter((a: unknown) => isObj(a) && typeof a.kind === 'string' && a.kind !== 'phase')
    .map((a: Obj) => String(a.kind));
  data.analysis.forEach((a: unknown, i: number) => {
    if (!isObj(a) || a.kind !== 'phase') return;
    const at = (...k: Seg[]): Seg[] => ['analysis', i, ...k];
    for (const k of Object.keys(a))
      if (!PHASE_KEYS.includes(k)) {
        const guess = didYouMean(k, PHASE_KEYS);
        issues.push({
          segs: at(k),
          expected: 'a known key',
          found: `unknown key ${renderValue(k)}`,
          hint: `${guess ? `Did you mean '${guess}'? ` : ''}Allowed here: ${PHASE_KEYS.join(', ')}.`,
        });
      }
    const example = 'e.g. events.escape.fractionEntered or observables.x.final.mean';
    if (typeof a.metric !== 'string' || a.metric === '')
      issues.push({
        segs: at('metric'),
        expected: `a dotted path into summary.json (${example}) (required)`,
        found: renderValue(a.metric),
      });
    else {
      let segs: Seg[] = [];
      try {
        segs = parsePath(a.metric);
      } catch {
        issues.push({ segs: at('metric'), expected: `a dotted path into summary.json (${example})`, found: renderValue(a.metric) });
      }
      const [head, name] = segs;
      if (segs.length > 0 && !SUMMARY_SECTIONS.includes(String(head))) {
        const guess = didYouMean(String(head), SUMMARY_SECTIONS);
        issues.push({
          segs: at('metric'),
          expected: `a path starting with one of ${quoteList(SUMMARY_SECTIONS)}`,
          found: renderValue(a.metric),
          hint: guess ? `Did you mean '${guess}'?` : undefined,
        });
      } else if ((head === 'events' || head === 'observables') && (segs.length < 3 || typeof name !== 'string')) {
        issues.push({ segs: at('metric'), expected: `a path to a number (${example})`, found: renderValue(a.metric) });
      } else if (head === 'events' && typeof name === 'string' && !events.includes(name)) {
        const guess = didYouMean(name, events);
        issues.push({
          segs: at('metric'),
          expected: `a path through an event of observe.events (${events.length ? quoteList(events) : 'there are none'})`,
          found: renderValue(a.metric),
          hint: guess ? `Did you mean '${guess}'?` : undefined,
        });
      } else if (head === 'analyses' && typeof name === 'string' && !runKinds.includes(name)) {
        const guess = didYouMean(name, runKinds);
        issues.push({
          segs: at('metric'),
          expected: `analyses.<kind>.… with a kind of this scenario's analysis list (${runKinds.length ? quoteList(runKinds) : 'there are none'}), or analyses[i].…`,
          found: renderValue(a.metric),
          hint: guess ? `Did you mean '${guess}'?` : undefined,
        });
      } else if (head === 'observables' && typeof name === 'string' && !observables.includes(name)) {
        const guess = didYouMean(name, observables);
        issues.push({
          segs: at('metric'),
          expected: `a path through an observable of observe.observables (${quoteList(observables)})`,
          found: renderValue(a.metric),
          hint: guess ? `Did you mean '${guess}'?` : undefined,
        });
      }
    }
    const t = a.thresholds;
    const tOk = Array.isArray(t) && t.length > 0 && t.every((x) => typeof x === 'number' && Number.isFinite(x));
    if (!tOk)
      issues.push({ segs: at('thresholds'), expected: 'a non-empty list of numbers t1 < t2 < … (required)', found: renderValue(t) });
    else if (!(t as number[]).every((x, j, arr) => j === 0 || x > arr[j - 1]))
      issues.push({ segs: at('thresholds'), expected: 'strictly increasing numbers t1 < t2 < …', found: renderValue(t) });
    const l = a.labels;
    const lOk = Array.isArray(l) && l.length > 0 && l.every((x) => typeof x === 'string' && x !== '');
    if (!lOk)
      issues.push({
        segs: at('labels'),
        expected: 'a list of non-empty names, one more than thresholds (required)',
        found: renderValue(l),
      });
    else {
      if (tOk && (l as string[]).length !== (t as number[]).length + 1)
        issues.push({
          segs: at('labels'),
          expected: `${(t as number[]).length + 1} labels (one more than the ${(t as number[]).length} threshold${(t as number[]).length === 1 ? '' : 's'}: value < t1 → first label, …)`,
          found: `${(l as string[]).length}: ${renderValue(l)}`,
        });
      if (new Set(l as string[]).size !== (l as string[]).length)
        issues.push({ segs: at('labels'), expected: 'distinct labels', found: renderValue(l) });
    }
  });
  return issues;
}

// ------------------------------------------------------------------ checks of sweep and regimes

/**
 * Checks of `sweep` / `regimes` that the schema cannot express: not both;
 * every key a key of the scenario schema (with "did you mean"), not
 * `name`/`sweep`/`regimes`, no key inside another; at least one swept key;
 * log ranges with from, to > 0; zip axes of equal length. `doc` is the raw
 * document (already valid against the schema).
 */
export function variationIssues(doc: Obj): VariationIssue[] {
  const issues: VariationIssue[] = [];
  if (doc.sweep !== undefined && doc.regimes !== undefined) {
    issues.push({
      segs: ['regimes'],
      expected: 'either sweep or regimes, not both',
      found: 'both a sweep and regimes',
      hint: 'Split them into two scenario files (a sweep runs with `stochdyn sweep`).',
    });
    return issues;
  }
  if (isObj(doc.sweep)) {
    const sweep = doc.sweep;
    const keys = sweepKeys(sweep);
    if (keys.length === 0)
      issues.push({
        segs: ['sweep'],
        expected: 'at least one swept key, e.g. dynamics.temperature: [0.1, 0.2]',
        found: renderValue(sweep),
      });
    issues.push(...keyIssues(keys, (k) => ['sweep', k], doc));
    for (const k of keys) {
      const spec = sweep[k];
      if (isObj(spec) && isObj(spec.log)) {
        for (const end of ['from', 'to'])
          if (typeof spec.log[end] === 'number' && !((spec.log[end] as number) > 0))
            issues.push({
              segs: ['sweep', k, 'log', end],
              expected: 'a number > 0 (a log range needs positive ends)',
              found: renderValue(spec.log[end]),
              hint: 'Use a linear range or a list to include 0 or negative values.',
            });
      }
    }
    if (sweep.mode === 'zip' && keys.length > 1) {
      const lengths = keys.map((k) => {
        const spec = sweep[k];
        return Array.isArray(spec) ? spec.length : isObj(spec) ? Number(((spec.linear ?? spec.log) as Obj | undefined)?.points) : NaN;
      });
      if (lengths.some((n) => n !== lengths[0]))
        issues.push({
          segs: ['sweep', 'mode'],
          expected: 'axes of equal length with mode zip (the i-th values of every key make point i)',
          found: keys.map((k, i) => `${k}: ${lengths[i]} value${lengths[i] === 1 ? '' : 's'}`).join(', '),
          hint: 'Make the lists equally long, or use mode: grid for every combination.',
        });
    }
  }
  if (isObj(doc.regimes))
    for (const [name, ov] of Object.entries(doc.regimes)) {
      if (!new RegExp(REGIME_NAME_PATTERN).test(name)) {
        issues.push({
          segs: ['regimes', name],
          expected: "a regime name of letters, digits, '.', '_', '=' and '-'",
          found: renderValue(name),
        });
        continue;
      }
      if (isObj(ov)) issues.push(...keyIssues(Object.keys(ov), (k) => ['regimes', name, k], doc));
    }
  return issues;
}

function keyIssues(keys: string[], at: (k: string) => Seg[], doc: Obj): VariationIssue[] {
  const issues: VariationIssue[] = [];
  const parsed: Array<{ key: string; segs: Seg[] }> = [];
  for (const key of keys) {
    let segs: Seg[];
    try {
      segs = parsePath(key);
    } catch {
      issues.push({
        segs: at(key),
        expected: 'a dotted scenario key, e.g. dynamics.temperature or observe.histograms[0].bins',
        found: renderValue(key),
      });
      continue;
    }
    const problem = checkScenarioKey(segs, doc);
    if (problem) issues.push({ segs: at(key), ...problem });
    else parsed.push({ key, segs });
  }
  for (let i = 0; i < parsed.length; i++)
    for (let j = 0; j < parsed.length; j++) {
      const a = parsed[i],
        b = parsed[j];
      if (i !== j && a.segs.length <= b.segs.length && a.segs.every((s, k) => String(s) === String(b.segs[k])))
        if (a.segs.length < b.segs.length || i < j)
          issues.push({
            segs: at(b.key),
            expected: 'a key not set by another entry',
            found: renderValue(b.key),
            hint: `${a.key === b.key || a.segs.length === b.segs.length ? `'${a.key}' is the same key` : `'${a.key}' already sets it`}; keep one of them.`,
          });
    }
  return issues;
}

/**
 * Whether a path names a key of the scenario schema (given the document, which
 * decides the potential form and its family's params). Returns the problem, or
 * undefined. Open mappings (analysis/theory entries, module params) accept any key below.
 */
export function checkScenarioKey(segs: Seg[], doc: Obj): { expected: string; found: string; hint?: string } | undefined {
  if (segs.length === 0) return { expected: 'a dotted scenario key', found: '""' };
  if ((UNSWEEPABLE_KEYS as readonly string[]).includes(String(segs[0])))
    return {
      expected: `a scenario key other than ${quoteList([...UNSWEEPABLE_KEYS])}`,
      found: renderValue(formatPath(segs)),
      hint: 'Every point keeps the scenario name.',
    };
  let schema: unknown = scenarioSchema;
  let value: unknown = doc;
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i];
    schema = pickBranch(schema, value);
    if (!isObj(schema) || Object.keys(schema).length === 0) return undefined; // open below here
    if (typeof seg === 'number') {
      const types = ([] as unknown[]).concat(schema.type ?? []);
      if (!types.includes('array'))
        return { expected: `a key: ${formatPath(segs.slice(0, i)) || 'the document'} is not a list`, found: renderValue(formatPath(segs)) };
      schema = schema.items ?? {};
      value = Array.isArray(value) ? value[seg] : undefined;
      continue;
    }
    const props = isObj(schema.properties) ? schema.properties : {};
    let next: unknown;
    if (seg in props) next = props[seg];
    else if (isObj(schema.additionalProperties)) next = schema.additionalProperties;
    else if (schema.additionalProperties === false || (i === 0 && schema === scenarioSchema)) {
      const here = formatPath(segs.slice(0, i));
      const allowed = Object.keys(props).filter((k) => !(i === 0 && (UNSWEEPABLE_KEYS as readonly string[]).includes(k)));
      const guess = didYouMean(seg, allowed);
      return {
        expected: 'a key of the scenario schema',
        found: `unknown key ${renderValue(formatPath(segs))}`,
        hint: [
          guess ? `Did you mean '${formatPath([...segs.slice(0, i), guess, ...segs.slice(i + 1)])}'?` : '',
          allowed.length ? `Keys ${here ? `under ${here}` : 'at the top'}: ${allowed.join(', ')}.` : '',
        ]
          .filter(Boolean)
          .join(' '),
      };
    } else next = {};
    // The params of a registered family: its own schema.
    if (i === 1 && segs[0] === 'potential' && seg === 'params' && isObj(value) && typeof value.kind === 'string') {
      const family = getPotentialFamily(value.kind);
      if (family) next = family.paramsSchema as JsonSchema;
    }
    value = isObj(value) ? value[seg] : undefined;
    schema = next;
  }
  return undefined;
}

/** For a oneOf/anyOf schema, the branch the value belongs to (required keys present, constants matching); else the union of the branches. */
function pickBranch(schema: unknown, value: unknown): unknown {
  if (!isObj(schema)) return schema;
  const alts = (schema.oneOf ?? schema.anyOf) as unknown[] | undefined;
  if (!Array.isArray(alts)) return schema;
  const v = isObj(value) ? value : undefined;
  const fits = alts.filter((b) => {
    if (!isObj(b) || !v) return false;
    const req = Array.isArray(b.required) ? (b.required as string[]) : [];
    if (!req.every((k) => k in v)) return false;
    const props = isObj(b.properties) ? b.properties : {};
    return Object.entries(props).every(([k, p]) => !(isObj(p) && 'const' in p) || !(k in v) || v[k] === p.const);
  });
  if (fits.length === 1) return fits[0];
  const branches = (fits.length > 0 ? fits : alts).filter(isObj);
  const properties: Obj = {};
  for (const b of branches) if (isObj(b.properties)) Object.assign(properties, b.properties);
  const closed = branches.every((b) => b.additionalProperties === false);
  const types = [...new Set(branches.flatMap((b) => ([] as unknown[]).concat(b.type ?? [])))];
  const items = branches.find((b) => b.items !== undefined)?.items;
  return { type: types, properties, ...(closed ? { additionalProperties: false } : {}), ...(items !== undefined ? { items } : {}) };
}
