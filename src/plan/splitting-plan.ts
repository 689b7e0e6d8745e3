/**
 * The `splitting:` section resolved against the potential (docs/splitting.md):
 * coordinates by index, B's region looked up from its event, the start point
 * filled to `dim` values. Part of the RunPlan; plain values (structured-cloneable).
 */
import { splittingCoordinateLabel, splittingTarget } from '../scenario/splitting.js';
import type { Bound, Scenario } from '../scenario/types.js';

/** A region over coordinates by index: every listed coordinate within its bounds. */
export type PlanRegion = Array<{ index: number; bound: Bound }>;

/** The reaction coordinate ξ resolved: a coordinate by index, a formula in the coordinates, or an observable by name. */
export type PlanCoordinate =
  { kind: 'coordinate'; index: number } | { kind: 'expression'; expression: string } | { kind: 'observable'; name: string };

export interface PlanSplitting {
  method: 'ams';
  walkers: number;
  kill: number;
  repetitions: number;
  /** Label of the reaction coordinate ξ (a coordinate name, the formula, or the observable's name). */
  coordinate: string;
  /** Index of ξ among the coordinates (−1 when ξ is a formula or an observable that is not a coordinate). */
  coordinateIndex: number;
  /** ξ resolved. */
  xi: PlanCoordinate;
  /** A and B. */
  from: PlanRegion;
  to: PlanRegion;
  /** z₀ and the start of the equilibrium trajectory in A (`dim` values). */
  level: number;
  start: number[];
}

const region = (r: Record<string, Bound>, coordinates: readonly string[]): PlanRegion =>
  Object.entries(r).map(([name, bound]) => ({ index: coordinates.indexOf(name), bound }));

/** Resolve a checked scenario's splitting section (undefined without one). */
export function planSplitting(scenario: Scenario, coordinates: readonly string[]): PlanSplitting | undefined {
  const spec = scenario.splitting;
  if (!spec) return undefined;
  const target = splittingTarget(spec, scenario.observe.events);
  if (!target) throw new TypeError(`planSplitting: splitting.to '${String(spec.to)}' names no event`);
  const init = scenario.ensemble.init;
  const given = spec.initial.start ?? (init.kind === 'point' ? init.x : []);
  const c = spec.coordinate;
  const named = typeof c === 'string' ? c : 'observable' in c && coordinates.includes(c.observable) ? c.observable : undefined;
  const coordinateIndex = named === undefined ? -1 : coordinates.indexOf(named);
  const xi: PlanCoordinate =
    coordinateIndex >= 0
      ? { kind: 'coordinate', index: coordinateIndex }
      : typeof c !== 'string' && 'expression' in c
        ? { kind: 'expression', expression: c.expression }
        : { kind: 'observable', name: named ?? (c as { observable: string }).observable };
  return {
    method: spec.method,
    walkers: spec.walkers,
    kill: spec.kill,
    repetitions: spec.repetitions,
    coordinate: splittingCoordinateLabel(c),
    coordinateIndex,
    xi,
    from: region(spec.from, coordinates),
    to: region(target, coordinates),
    level: spec.initial.level,
    start: coordinates.map((_, j) => (given.length === 1 ? given[0] : given[j])),
  };
}
