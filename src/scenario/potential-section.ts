/**
 * The `potential` section after the schema: a family's params against its
 * `paramsSchema` (kind), the module file a scenario names (module, tfjs: a
 * file, never a package or URL), and an expression's text, checked without
 * evaluating it.
 */
import { statSync } from 'node:fs';
import * as path from 'node:path';
import { potentials, type PotentialFamily } from '../potentials/index.js';
import { RegistryLookupError } from '../engine/registry.js';
import { EXPRESSION_FUNCTIONS, expressionTextProblems } from '../potentials/expression-check.js';
import { quoteList, renderValue } from './errors.js';
import type { Obj, RawIssue } from './issues.js';
import { getParamsValidator, translate } from './schema-validation.js';

/** Second phase for `potential`: the family's params (kind), the module file (module), expression defaults. */
export function checkPotential(pot: Obj, source: string): RawIssue[] {
  const issues: RawIssue[] = [];
  if (typeof pot.kind === 'string') {
    let family: PotentialFamily;
    try {
      family = potentials.get(pot.kind);
    } catch (e) {
      if (!(e instanceof RegistryLookupError)) throw e;
      const known = [...e.known].sort();
      const guess = e.suggestion;
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
    let isFile: boolean;
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
