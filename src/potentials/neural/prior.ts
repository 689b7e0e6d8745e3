/**
 * Gaussian priors of the two-layer networks (modular-addition, teacher-student):
 * a prior variance per weight group, as params, as a JSON Schema fragment, and
 * as the precision the energy adds (|θ|²/(2s²)) with the variance initialise draws from.
 */

/** A prior variance, or flat (no prior term). */
export type PriorVariance = number | null | 'flat';

/** Prior precision 1/s² (0 = flat) and the variance initialise draws from (the prior's, else `fallback`). */
export function priorOf(variance: PriorVariance, fallback: number): { precision: number; initVariance: number } {
  return typeof variance === 'number' ? { precision: 1 / variance, initVariance: variance } : { precision: 0, initVariance: fallback };
}

/** Throws unless every listed param is a variance > 0, null or 'flat'. */
export function checkPriorVariances(potential: string, params: Record<string, unknown>, keys: readonly string[]): void {
  for (const key of keys) {
    const v = params[key];
    if (!(v === null || v === 'flat' || (typeof v === 'number' && v > 0)))
      throw new Error(`${potential}: ${key} = ${JSON.stringify(v)}, expected a variance > 0, null or 'flat'`);
  }
}

/** JSON Schema of a prior-variance param. */
export function priorSchema(description: string, defaultValue: number | null) {
  return {
    anyOf: [{ type: 'number', exclusiveMinimum: 0 }, { type: 'null' }, { const: 'flat' }],
    default: defaultValue,
    description,
  };
}
