/**
 * The `splitting:` section (rare-event splitting, docs/splitting.md): its type,
 * its JSON Schema fragment and the checks that need the built potential.
 */
import type { JsonSchema } from '../engine/registry.js';
import { didYouMean, renderValue } from './errors.js';
import type { RawIssue } from './issues.js';
import type { Bound, EventSpec } from './types.js';

export interface SplittingSpec {
  /** Adaptive multilevel splitting (the generalised, unbiased version). */
  method: 'ams';
  /** Region A the trajectories start from (every listed coordinate within its bounds). */
  from: Record<string, Bound>;
  /** Region B to reach: the name of an `observe.events` entry (its `enter` region) or a region. */
  to: string | Record<string, Bound>;
  /** Reaction coordinate ξ (a coordinate of the potential), increasing from A to B. */
  coordinate: string;
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
    coordinate: { type: 'string', minLength: 1, description: 'reaction coordinate ξ (a coordinate name), increasing from A to B' },
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
 * scenario's events: known names, kill < walkers, a start inside A, the level
 * outside A and below B.
 */
export function splittingIssues(
  spec: SplittingSpec,
  events: readonly EventSpec[],
  coordinates: readonly string[],
  ensembleStart: number[] | undefined,
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
  known(spec.coordinate, ['splitting', 'coordinate']);
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
  const ab = spec.from[spec.coordinate];
  if (ab && ((ab.le !== undefined && spec.initial.level <= ab.le) || (ab.lt !== undefined && spec.initial.level < ab.lt)))
    issues.push({
      segs: ['splitting', 'initial', 'level'],
      expected: `a level of ${spec.coordinate} outside A (above its bound ${ab.le ?? ab.lt})`,
      found: renderValue(spec.initial.level),
    });
  const bb = target?.[spec.coordinate];
  if (bb && ((bb.ge !== undefined && spec.initial.level >= bb.ge) || (bb.gt !== undefined && spec.initial.level >= bb.gt)))
    issues.push({
      segs: ['splitting', 'initial', 'level'],
      expected: `a level of ${spec.coordinate} below B (below ${bb.ge ?? bb.gt})`,
      found: renderValue(spec.initial.level),
    });
  return issues;
}
