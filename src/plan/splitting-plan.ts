/**
 * The `splitting:` section resolved against the potential (docs/splitting.md):
 * coordinates by index, B's region looked up from its event, the start point
 * filled to `dim` values. Part of the RunPlan; plain values (structured-cloneable).
 */
import { splittingTarget } from '../scenario/splitting.js';
import type { Bound, Scenario } from '../scenario/types.js';

/** A region over coordinates by index: every listed coordinate within its bounds. */
export type PlanRegion = Array<{ index: number; bound: Bound }>;

export interface PlanSplitting {
  method: 'ams';
  walkers: number;
  kill: number;
  repetitions: number;
  /** Name and index of the reaction coordinate ξ. */
  coordinate: string;
  coordinateIndex: number;
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
  return {
    method: spec.method,
    walkers: spec.walkers,
    kill: spec.kill,
    repetitions: spec.repetitions,
    coordinate: spec.coordinate,
    coordinateIndex: coordinates.indexOf(spec.coordinate),
    from: region(spec.from, coordinates),
    to: region(target, coordinates),
    level: spec.initial.level,
    start: coordinates.map((_, j) => (given.length === 1 ? given[0] : given[j])),
  };
}
