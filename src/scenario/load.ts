/**
 * Load a scenario file: parse YAML (JSON is YAML; yaml.ts), apply
 * command-line overrides (overrides.ts), validate against the schema built
 * from the registries, filling defaults (schema-validation.ts), check the
 * potential section (potential-section.ts), run the semantic checks that need
 * no potential instance (checks.ts, integrator-checks.ts) and every sweep
 * point / regime (variants.ts), normalise, and return the typed `Scenario`.
 * Every problem becomes a `ScenarioIssue` (field path, expected, found, hint,
 * line) and all of them are thrown together as one `ScenarioError`.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { ScenarioError, formatPath, renderValue, typeNoun } from './errors.js';
import { scanNonFinite, semanticChecks } from './checks.js';
import { isPlainObject, origins, place, type Obj, type Origin, type RawIssue } from './issues.js';
import { applyCommandLine, type LoadOptions } from './overrides.js';
import { checkPotential } from './potential-section.js';
import { currentScenarioSchema } from './schema.js';
import { getMainValidator, translate } from './schema-validation.js';
import { phaseAnalysisIssues, variationIssues, type Variant } from './sweep.js';
import type { Scenario } from './types.js';
import { checkVariants, validateVariantDoc, withoutVariants } from './variants.js';
import { expandedSizeIssue, parseScenarioText } from './yaml.js';

/**
 * The raw document of each validated scenario: as written (after `--set`,
 * `--replicas`, `--seed`), before defaults. Sweep points and regimes are built
 * by applying their values to it and validating again (`validateVariant`).
 */
const raws = new WeakMap<object, Obj>();

/**
 * Read, override, validate and normalise a scenario file.
 * Throws `ScenarioError` (with every issue found) when the file is missing,
 * not valid YAML, or does not describe a valid scenario.
 */
export async function loadScenario(file: string, options: LoadOptions = {}): Promise<Scenario> {
  const abs = path.resolve(file);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const found = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory' : `an unreadable file (${code ?? String(e)})`;
    throw new ScenarioError(abs, [{ path: '(document)', expected: 'an existing scenario file', found, hint: `Looked for ${abs}.` }]);
  }

  const { raw, origin } = parseScenarioText(text, abs);
  applyCommandLine(raw, options, origin, abs);
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
export function safeValidateScenario(obj: unknown, source: string): { ok: true; scenario: Scenario } | { ok: false; error: ScenarioError } {
  try {
    return { ok: true, scenario: validateScenarioObject(obj, source) };
  } catch (e) {
    if (e instanceof ScenarioError) return { ok: false, error: e };
    throw e;
  }
}

function validate(raw: unknown, source: string, origin: Origin, clone: boolean): Scenario {
  const fail = (issues: RawIssue[]): never => {
    throw new ScenarioError(source, place(issues, origin));
  };
  const requiredKeys = (currentScenarioSchema().required as string[]).join(', ');
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

  const schema = currentScenarioSchema();
  const validateMain = getMainValidator(schema);
  if (!validateMain(data)) issues.push(...translate(validateMain.errors ?? [], data, []).filter(notAlreadyReported));

  const underPotential = issues.some((i) => i.segs[0] === 'potential');
  if (!underPotential && isPlainObject(data.potential)) issues.push(...checkPotential(data.potential, source).filter(notAlreadyReported));
  issues.push(...semanticChecks(data));
  const badVariation = issues.some((i) => i.segs[0] === 'sweep' || i.segs[0] === 'regimes');
  if (!badVariation) issues.push(...variationIssues(rawDoc).filter(notAlreadyReported));
  issues.push(...phaseAnalysisIssues(data));
  if (issues.length > 0) fail(issues);

  checkVariants(rawDoc, source, origin, (doc, docSource, docOrigin) => validate(doc, docSource, docOrigin, false));

  normalise(data);
  const scenario = orderLike(data, schema) as unknown as Scenario;
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
  return validateVariantDoc(doc, base.source, origins.get(base) ?? { overrides: [] }, v, (d, source, origin) =>
    validate(d, source, origin, false),
  );
}

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
