/**
 * User potentials written as a JavaScript module (`potential: {module: ./my.mjs}`).
 *
 * SECURITY: this is the one place where scenario content becomes code
 * execution. The module named by the scenario is imported with Node's dynamic
 * `import()` and runs with the full rights of the stochdyn process (file
 * system, network, child processes). Only run scenarios whose modules you
 * trust, exactly as you would only `node` a script you trust. Expression
 * potentials (expression.ts) are the sandboxed alternative.
 *
 * Contract: the module exports `createPotential(params, ctx)` (sync or async)
 * returning an object that implements `Potential` from src/engine/types.ts:
 * `{ name, dim, coordinates, groups, energyAndGradient(x, count, energy, grad, batch?) }`
 * plus the optional `dataSize`, `minima`, `initialise`.
 */
import { pathToFileURL } from 'node:url';
import { isAbsolute } from 'node:path';
import type { Potential } from '../engine/types.js';
import type { BuildContext } from './registry.js';

/**
 * Import the module at `absPath`, call its `createPotential(params, ctx)` and
 * check the result's shape. Errors name the module path and what is wrong.
 */
export async function loadModulePotential(absPath: string, params: Record<string, unknown>, ctx: BuildContext): Promise<Potential> {
  const where = `potential module ${absPath}`;
  if (!isAbsolute(absPath))
    throw new Error(`${where}: expected an absolute path (the scenario loader resolves it against the scenario file)`);
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(absPath).href)) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${where}: could not be imported: ${(err as Error).message}`, { cause: err });
  }
  const create = mod.createPotential;
  if (typeof create !== 'function') {
    const exported = Object.keys(mod).join(', ') || 'nothing';
    throw new Error(`${where}: must export a function createPotential(params, ctx); it exports ${exported}`);
  }
  let potential: unknown;
  try {
    potential = await (create as (p: Record<string, unknown>, c: BuildContext) => unknown)(params, ctx);
  } catch (err) {
    throw new Error(`${where}: createPotential threw: ${(err as Error).message}`, { cause: err });
  }
  validatePotentialShape(potential, where);
  return potential;
}

/** Throws an Error prefixed with `where` unless `p` has the shape of a Potential. */
export function validatePotentialShape(p: unknown, where: string): asserts p is Potential {
  const fail = (what: string): never => {
    throw new Error(`${where}: createPotential returned ${what}`);
  };
  if (typeof p !== 'object' || p === null) fail(`${p === null ? 'null' : typeof p}, expected an object implementing Potential`);
  const o = p as Record<string, unknown>;
  if (typeof o.name !== 'string') fail(`an object whose 'name' is ${typeof o.name}, expected a string`);
  const dim = o.dim as number;
  if (!Number.isInteger(dim) || dim < 1) fail(`dim = ${JSON.stringify(o.dim)}, expected a positive integer`);
  if (!Array.isArray(o.coordinates) || o.coordinates.length !== dim || !o.coordinates.every((c) => typeof c === 'string'))
    fail(`coordinates ${JSON.stringify(o.coordinates)}, expected ${dim} strings (one per dimension)`);
  if (new Set(o.coordinates as string[]).size !== dim) fail(`coordinates ${JSON.stringify(o.coordinates)} with a repeated name`);
  if (!Array.isArray(o.groups) || o.groups.length === 0)
    fail(`groups ${JSON.stringify(o.groups)}, expected a non-empty array of {name, offset, size}`);
  // Groups must partition 0 … dim−1: each coordinate in exactly one group.
  const owner = new Array<number>(dim).fill(-1);
  (o.groups as unknown[]).forEach((g, i) => {
    const { name, offset, size } = (g ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || !Number.isInteger(offset) || !Number.isInteger(size) || (size as number) < 1)
      fail(`groups[${i}] = ${JSON.stringify(g)}, expected {name: string, offset: integer, size: integer ≥ 1}`);
    const lo = offset as number;
    const hi = lo + (size as number);
    if (lo < 0 || hi > dim) fail(`groups[${i}] ('${name}') spans ${lo} … ${hi - 1}, outside 0 … ${dim - 1}`);
    for (let j = lo; j < hi; j++) {
      if (owner[j] >= 0) fail(`groups[${i}] ('${name}') overlaps groups[${owner[j]}] at coordinate ${j}`);
      owner[j] = i;
    }
  });
  const uncovered = owner.indexOf(-1);
  if (uncovered >= 0) fail(`groups that do not cover coordinate ${uncovered} (groups must cover 0 … ${dim - 1})`);
  if (typeof o.energyAndGradient !== 'function') fail(`an object without an energyAndGradient(x, count, energy, grad, batch?) function`);
  if (o.dataSize !== undefined && (!Number.isInteger(o.dataSize) || (o.dataSize as number) < 1))
    fail(`dataSize = ${JSON.stringify(o.dataSize)}, expected a positive integer`);
  if (o.minima !== undefined) {
    if (!Array.isArray(o.minima)) fail(`minima that is not an array`);
    (o.minima as unknown[]).forEach((m, i) => {
      if (!Array.isArray(m) || m.length !== dim || !m.every((v) => typeof v === 'number'))
        fail(`minima[${i}] = ${JSON.stringify(m)}, expected ${dim} numbers`);
    });
  }
  if (o.initialise !== undefined && typeof o.initialise !== 'function') fail(`an 'initialise' that is not a function`);
}
