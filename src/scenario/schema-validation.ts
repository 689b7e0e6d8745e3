/**
 * Validation against the JSON Schema with ajv, and the translation of ajv's
 * errors into issues a person can act on: for `oneOf` failures the branch the
 * data was evidently meant for, and a phrase for what a schema accepts
 * (`describe`: "a number > 0", "one of 'gd', 'sgld'").
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import type { JsonSchema } from '../engine/registry.js';
import type { PotentialFamily } from '../potentials/registry.js';
import { didYouMean, formatPath, quoteList, renderValue } from './errors.js';
import { isPlainObject, type Obj, type RawIssue, type Seg } from './issues.js';
import { NAME_PATTERN } from './schema.js';

/** The compiled scenario schema, per schema object (it is rebuilt when an integrator is registered). */
const mainValidators = new WeakMap<JsonSchema, ValidateFunction>();
const paramValidators = new Map<PotentialFamily, ValidateFunction>();
let paramsAjv: Ajv2020 | undefined;

/** The validator of `schema` (a scenario schema), compiled once. */
export function getMainValidator(schema: JsonSchema): ValidateFunction {
  let v = mainValidators.get(schema);
  if (!v) {
    const ajv = new Ajv2020({ allErrors: true, useDefaults: true, verbose: true, allowUnionTypes: true, strict: true });
    v = ajv.compile(schema);
    mainValidators.set(schema, v);
  }
  return v;
}

export function getParamsValidator(family: PotentialFamily): ValidateFunction {
  let v = paramValidators.get(family);
  if (!v) {
    // Families' schemas are written elsewhere: compile leniently, never log.
    paramsAjv ??= new Ajv2020({ allErrors: true, useDefaults: true, verbose: true, allowUnionTypes: true, strict: false, logger: false });
    const { $schema: _dialect, $id: _id, ...schema } = family.paramsSchema;
    try {
      v = paramsAjv.compile(schema);
    } catch (e) {
      throw new Error(`potential family '${family.name}': invalid paramsSchema: ${(e as Error).message}`, { cause: e });
    }
    paramValidators.set(family, v);
  }
  return v;
}

/**
 * Translate ajv errors (allErrors, verbose) into issues. For `oneOf`/`anyOf`
 * failures, report against the branch the data was evidently meant for
 * (decided by type, by a discriminating `const` such as `kind`, or by a key
 * only that branch requires), else one issue describing the alternatives.
 */
export function translate(errors: ErrorObject[], data: unknown, prefix: Seg[]): RawIssue[] {
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

export function translateGroup(errors: ErrorObject[], data: unknown, prefix: Seg[]): RawIssue[] {
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

export function translateComposite(c: ErrorObject, sub: ErrorObject[], data: unknown, prefix: Seg[]): RawIssue[] {
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
      new Set(
        byBranch[i]
          .filter((e) => e.keyword === 'required' && e.instancePath === c.instancePath)
          .map((e) => String(e.params.missingProperty)),
      );
    const common = [...missing(live[0])].filter((k) => live.every((i) => missing(i).has(k)));
    if (common.length > 0) {
      const k = common[0];
      const consts = live.map((i) => constOf(branches[i], k)).filter((x): x is string => x !== undefined);
      return [
        {
          segs: [...segs, k],
          expected:
            consts.length === live.length
              ? `one of ${quoteList(consts)} (required)`
              : `${describe(propSchema(branches[live[0]], k))} (required)`,
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
      return [
        {
          segs: [...segs, k],
          expected: `one of ${quoteList(consts)}`,
          found: renderValue(found),
          hint: guess ? `Did you mean '${guess}'?` : undefined,
        },
      ];
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
    return [
      { segs, expected: `a mapping with ${k}: one of ${quoteList(branches.flatMap((b) => constsOf(b, k)))}`, found: renderValue(value) },
    ];
  }
  return [{ segs, expected: describe(c.parentSchema), found: renderValue(value) }];
}

export function translateLeaf(e: ErrorObject, data: unknown, prefix: Seg[]): RawIssue[] {
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
      const hint = [guess ? `Did you mean '${guess}'?` : '', allowed.length ? `Allowed here: ${allowed.join(', ')}.` : '']
        .filter(Boolean)
        .join(' ');
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
      return [
        {
          segs,
          expected: 'a list without repeated entries',
          found: renderValue(value),
          hint: `Entries ${params.j} and ${params.i} are equal.`,
        },
      ];
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

export function describeType(t: string, s: Obj): string {
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
  return phrase
    .replace(/^(a|an) (\w+)/, (_, _a: string, w: string) => `${w}s`)
    .replace(/ or (a|an) (\w+)/g, (_, _a: string, w: string) => ` or ${w}s`);
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
