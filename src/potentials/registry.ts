/**
 * Registry of potential families. A scenario names a family by `kind`; an
 * unknown name is an error that lists the known ones. Registering a name twice
 * throws (a registry never silently overwrites an entry).
 */
import type { Potential } from '../engine/types.js';

/** A JSON Schema fragment (draft 2020-12 subset understood by ajv). */
export type JsonSchema = Record<string, unknown>;

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

const families = new Map<string, PotentialFamily>();

export function registerPotential(family: PotentialFamily): void {
  if (families.has(family.name)) throw new Error(`potential '${family.name}' is already registered`);
  families.set(family.name, family);
}

export function getPotentialFamily(name: string): PotentialFamily | undefined {
  return families.get(name);
}

export function listPotentialFamilies(): PotentialFamily[] {
  return [...families.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** A single group named `x` covering all coordinates. */
export function singleGroup(dim: number, name = 'x') {
  return [{ name, offset: 0, size: dim }];
}

/** Coordinate names: `x` in 1-D, else `x0 … x{d−1}`. */
export function defaultCoordinates(dim: number): string[] {
  return dim === 1 ? ['x'] : Array.from({ length: dim }, (_, i) => `x${i}`);
}
