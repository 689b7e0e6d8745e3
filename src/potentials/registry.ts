/**
 * Registry of potential families (`createRegistry`, the one registry shape).
 * A scenario names a family by `kind`; an unknown name is an error that lists
 * the known ones with a did-you-mean. Registering a name twice throws (a
 * registry never silently overwrites an entry). Each family declares the JSON
 * Schema of its params, from which the scenario schema is built.
 */
import { createRegistry, type JsonSchema } from '../engine/registry.js';
import type { Potential } from '../engine/types.js';

export type { JsonSchema } from '../engine/registry.js';

/** What a potential may use while it is built: the run's seed (data sets are drawn from it). */
export interface BuildContext {
  seed: number;
  run: number;
}

export interface PotentialFamily {
  /** Registry key used as `potential.kind`. */
  name: string;
  /** One line for `stochdyn list potentials`. */
  description: string;
  /** JSON Schema of `potential.params` (defaults are filled by the validator). */
  paramsSchema: JsonSchema;
  create(params: Record<string, unknown>, ctx: BuildContext): Potential;
}

/** The registry of potential families (`potential.kind`). */
export const potentials = createRegistry<PotentialFamily>('potential');

/** Register a family; throws if its name is taken. */
export function registerPotential(family: PotentialFamily): void {
  potentials.register(family);
}

/** The family of `name`, or undefined (`potentials.get` throws with the known names instead). */
export function getPotentialFamily(name: string): PotentialFamily | undefined {
  return potentials.find(name);
}

/** The registered families, by name. */
export function listPotentialFamilies(): PotentialFamily[] {
  return potentials.list().sort((a, b) => a.name.localeCompare(b.name));
}

/** A single group named `x` covering all coordinates. */
export function singleGroup(dim: number, name = 'x') {
  return [{ name, offset: 0, size: dim }];
}

/** Coordinate names: `x` in 1-D, else `x0 … x{d−1}`. */
export function defaultCoordinates(dim: number): string[] {
  return dim === 1 ? ['x'] : Array.from({ length: dim }, (_, i) => `x${i}`);
}

/**
 * Coordinate names for one line of text: all of them up to eight, else the
 * first four, "…" and the last, with the count (and the groups with their
 * sizes when given) — a network's thousand weights stay one readable line.
 */
export function coordinateList(coordinates: readonly string[], groups?: readonly { name: string; size: number }[]): string {
  if (coordinates.length <= 8) return coordinates.join(', ');
  const head = `${coordinates.slice(0, 4).join(', ')}, …, ${coordinates.at(-1)}`;
  return groups && groups.length > 0
    ? `${head}; groups ${groups.map((g) => `${g.name} (${g.size})`).join(', ')}`
    : `${head}: ${coordinates.length} coordinates`;
}
