/**
 * The `potential:` section of a scenario after validation. Declared here, beside
 * the builder that consumes it, so potentials/ need not import scenario/ (which
 * sits above it); scenario/types.ts re-exports it.
 */
export type PotentialSpec =
  | { kind: string; params: Record<string, unknown> }
  /** A user module (resolved to an absolute path at load time) exporting `createPotential(params)`. */
  | { module: string; params: Record<string, unknown> }
  /** A TensorFlow.js model module (resolved to an absolute path at load time) exporting `createModel(params, ctx)`. */
  | { tfjs: string; params: Record<string, unknown> }
  /** An expression over named coordinates, e.g. "x^4 - 2*x^2 + 0.1*x"; params are constants in scope. */
  | { expression: string; coordinates: string[]; params: Record<string, number>; minima?: number[][] };
