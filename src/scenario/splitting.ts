/**
 * The `splitting:` section (rare-event splitting, docs/splitting.md): its type,
 * its JSON Schema fragment and the checks that need the built potential.
 */
import type { JsonSchema } from '../engine/registry.js';
import { EXPRESSION_FUNCTIONS, expressionTextProblems } from '../potentials/expression-check.js';
import { didYouMean, renderValue } from './errors.js';
import type { RawIssue } from './issues.js';
import type { Bound, EventSpec } from './types.js';

/**
 * The reaction coordinate ξ: a coordinate name, a formula in the coordinates
 * (the expression language of expression potentials), or a scalar observable
 * of the potential that is cheap per walker (`energy`, `grad_norm`, `radius`,
 * or one of the potential's own scalar observables).
 */
export type SplittingCoordinate = string | { expression: string } | { observable: string };

/** Built-in observables a reaction coordinate may name (each one evaluation of the potential at most). */
export const SPLITTING_BUILTIN_OBSERVABLES: readonly string[] = ['energy', 'grad_norm', 'radius'];

/** A short label of ξ for summaries and tables: the coordinate name, the formula, or the observable's name. */
export function splittingCoordinateLabel(c: SplittingCoordinate): string {
  return typeof c === 'string' ? c : 'expression' in c ? c.expression : c.observable;
}

export interface SplittingSpec {
  /** Adaptive multilevel splitting (the generalised, unbiased version). */
  method: 'ams';
  /** Region A the trajectories start from (every listed coordinate within its bounds). */
  from: Record<string, Bound>;
  /** Region B to reach: the name of an `observe.events` entry (its `enter` region) or a region. */
  to: string | Record<string, Bound>;
  /** Reaction coordinate ξ (a coordinate, a formula in the coordinates, or a scalar observable), increasing from A to B. */
  coordinate: SplittingCoordinate;
  /** Walkers N per repetition. */
  walkers: number;
  /** Walkers killed per iteration k (ties at the level are killed too). */
  kill: number;
  /** Independent AMS runs R (the spread of their estimates gives the confidence intervals). */
  repetitions: number;
  /** Starting points: first crossings of ξ = level after visits to A by an equilibrium trajectory from `start`. */
  initial: { level: number; start?: number[] };
}

const bound: JsonSchema = {
  type: 'object',
  properties: { ge: { type: 'number' }, gt: { type: 'number' }, le: { type: 'number' }, lt: { type: 'number' } },
  additionalProperties: false,
  minProperties: 1,
};
const region: JsonSchema = {
  type: 'object',
  additionalProperties: bound,
  minProperties: 1,
  description: 'region: every listed coordinate within its bounds',
};

export const splittingSchema: JsonSchema = {
  type: 'object',
  description: 'rare-event splitting: the probability and mean time to reach B from A (docs/splitting.md)',
  properties: {
    method: { const: 'ams', default: 'ams', description: 'adaptive multilevel splitting' },
    from: region,
    to: { oneOf: [{ type: 'string', minLength: 1, description: 'an observe.events name' }, region] },
    coordinate: {
      description: 'reaction coordinate ξ, increasing from A to B: a coordinate name, {expression: formula}, or {observable: name}',
      oneOf: [
        { type: 'string', minLength: 1, description: 'a coordinate of the potential' },
        {
          type: 'object',
          properties: { expression: { type: 'string', minLength: 1, description: 'a formula in the coordinates' } },
          required: ['expression'],
          additionalProperties: false,
        },
        {
          type: 'object',
          properties: { observable: { type: 'string', minLength: 1, description: 'a scalar observable of the potential' } },
          required: ['observable'],
          additionalProperties: false,
        },
      ],
    },
    walkers: { type: 'integer', minimum: 2, maximum: 1e6, default: 100 },
    kill: { type: 'integer', minimum: 1, default: 1 },
    repetitions: { type: 'integer', minimum: 1, maximum: 1e6, default: 10 },
    initial: {
      type: 'object',
      properties: {
        level: { type: 'number', description: 'z₀: level of ξ just outside A whose first crossings start the walkers' },
        start: { type: ['number', 'array'], items: { type: 'number' }, minItems: 1, description: 'start of the trajectory in A' },
      },
      required: ['level'],
      additionalProperties: false,
    },
  },
  required: ['from', 'to', 'coordinate', 'initial'],
  additionalProperties: false,
};

/** Inside a region: every bound of every listed coordinate holds. */
export function regionContains(bounds: Bound, value: number): boolean {
  if (bounds.ge !== undefined && !(value >= bounds.ge)) return false;
  if (bounds.gt !== undefined && !(value > bounds.gt)) return false;
  if (bounds.le !== undefined && !(value <= bounds.le)) return false;
  if (bounds.lt !== undefined && !(value < bounds.lt)) return false;
  return true;
}

/** The region B of a splitting section (its own, or the named event's). */
export function splittingTarget(spec: SplittingSpec, events: readonly EventSpec[]): Record<string, Bound> | undefined {
  return typeof spec.to === 'string' ? events.find((e) => e.name === spec.to)?.enter : spec.to;
}

/**
 * Checks of a `splitting:` section against the potential's coordinates and the
 * scenario's events: known names, a reaction coordinate that can be evaluated
 * (a coordinate, a well-formed formula in the coordinates, a cheap scalar
 * observable: `observables` lists the potential's own scalar ones), kill <
 * walkers, a start inside A, the level outside A and below B.
 */
export function splittingIssues(
  spec: SplittingSpec,
  events: readonly EventSpec[],
  coordinates: readonly string[],
  ensembleStart: number[] | undefined,
  observables: readonly string[] = [],
): RawIssue[] {
  const issues: RawIssue[] = [];
  const known = (name: string, segs: (string | number)[]) => {
    if (coordinates.includes(name)) return true;
    const guess = didYouMean(name, coordinates);
    issues.push({
      segs,
      expected: `a coordinate of the potential (${coordinates.join(', ')})`,
      found: renderValue(name),
      hint: guess ? `Did you mean '${guess}'?` : 'Splitting regions and the reaction coordinate are coordinates of the potential.',
    });
    return false;
  };
  const xi = spec.coordinate;
  if (typeof xi === 'string') known(xi, ['splitting', 'coordinate']);
  else if ('expression' in xi) {
    // Read without mathjs and before anything is evaluated, as potential expressions are.
    const problems = expressionTextProblems(xi.expression, coordinates, {});
    if (problems.length > 0)
      issues.push({
        segs: ['splitting', 'coordinate', 'expression'],
        expected: `a formula in the coordinates of the potential (${coordinates.join(', ')}): numbers, + - * / ^, parentheses and numeric functions`,
        found: `${renderValue(xi.expression)}: ${problems.slice(0, 3).join('; ')}`,
        hint: `Functions: ${[...EXPRESSION_FUNCTIONS].join(', ')}; constants: pi, e, tau, phi.`,
      });
  } else {
    const allowed = [...SPLITTING_BUILTIN_OBSERVABLES, ...observables.filter((o) => !coordinates.includes(o))];
    if (!allowed.includes(xi.observable) && !coordinates.includes(xi.observable)) {
      const guess = didYouMean(xi.observable, [...allowed, ...coordinates]);
      issues.push({
        segs: ['splitting', 'coordinate', 'observable'],
        expected: `a scalar observable that is cheap per walker (${[...allowed, ...coordinates].join(', ')})`,
        found: renderValue(xi.observable),
        hint: guess
          ? `Did you mean '${guess}'?`
          : 'Per-unit observables and well/basin cannot be reaction coordinates; write a formula with {expression: …} instead.',
      });
    }
  }
  for (const name of Object.keys(spec.from)) known(name, ['splitting', 'from', name]);
  const target = splittingTarget(spec, events);
  if (target === undefined) {
    const names = events.map((e) => e.name);
    const guess = didYouMean(String(spec.to), names);
    issues.push({
      segs: ['splitting', 'to'],
      expected:
        names.length > 0
          ? `the name of an observe.events entry (${names.join(', ')}) or a region`
          : 'a region (there are no observe.events)',
      found: renderValue(spec.to),
      hint: guess ? `Did you mean '${guess}'?` : undefined,
    });
  } else {
    const toSegs =
      typeof spec.to === 'string' ? ['observe', 'events', events.findIndex((e) => e.name === spec.to), 'enter'] : ['splitting', 'to'];
    for (const name of Object.keys(target)) known(name, [...toSegs, name]);
  }
  if (spec.kill >= spec.walkers)
    issues.push({
      segs: ['splitting', 'kill'],
      expected: `fewer than splitting.walkers (${spec.walkers})`,
      found: renderValue(spec.kill),
      hint: 'AMS needs at least one survivor to clone.',
    });
  const start = spec.initial.start ?? ensembleStart;
  if (start === undefined)
    issues.push({
      segs: ['splitting', 'initial', 'start'],
      expected: 'a starting point in A (needed unless ensemble.init is a point)',
      found: 'nothing',
    });
  if (issues.length > 0) return issues;
  const at = (row: readonly number[], name: string) => row[row.length === 1 ? 0 : coordinates.indexOf(name)];
  const inFrom = (row: readonly number[]) => Object.entries(spec.from).every(([n, b]) => regionContains(b, at(row, n)));
  if (start !== undefined && !inFrom(start))
    issues.push({
      segs: spec.initial.start ? ['splitting', 'initial', 'start'] : ['ensemble', 'init', 'x'],
      expected: 'a point inside splitting.from (A)',
      found: renderValue(start),
    });
  // The level against A's and B's bounds on ξ, when ξ is one of their coordinates.
  const name = typeof xi === 'string' ? xi : 'observable' in xi && coordinates.includes(xi.observable) ? xi.observable : undefined;
  if (name === undefined) return issues;
  const ab = spec.from[name];
  if (ab && ((ab.le !== undefined && spec.initial.level <= ab.le) || (ab.lt !== undefined && spec.initial.level < ab.lt)))
    issues.push({
      segs: ['splitting', 'initial', 'level'],
      expected: `a level of ${name} outside A (above its bound ${ab.le ?? ab.lt})`,
      found: renderValue(spec.initial.level),
    });
  const bb = target?.[name];
  if (bb && ((bb.ge !== undefined && spec.initial.level >= bb.ge) || (bb.gt !== undefined && spec.initial.level >= bb.gt)))
    issues.push({
      segs: ['splitting', 'initial', 'level'],
      expected: `a level of ${name} below B (below ${bb.ge ?? bb.gt})`,
      found: renderValue(spec.initial.level),
    });
  return issues;
}
