/**
 * Potentials: the registry with every built-in family registered, expression
 * and module potentials, and `buildPotential`, which turns a scenario's
 * `potential` section into a `Potential`.
 */
import { isAbsolute, resolve } from 'node:path';
import type { Potential } from '../engine/types.js';
import type { PotentialSpec } from './spec.js';
export type { PotentialSpec } from './spec.js';
import { RegistryLookupError } from '../engine/registry.js';
import { potentials, type BuildContext, type JsonSchema, type PotentialFamily } from './registry.js';
import { loadModulePotential } from './module.js';

// Families register themselves on import.
import './analytic/double-well.js';
import './analytic/harmonic.js';
import './analytic/gaussian-wells.js';
import './analytic/muller-brown.js';
import './analytic/linear-regression.js';
import './analytic/zero-loss-manifold.js';
import './analytic/sample-size-box.js';
import './analytic/two-wells.js';
import './neural/modular-addition/index.js';
import './neural/teacher-student/index.js';
import './repon/repon-pair.js';
import './repon/repon-cloud.js';
import './relation/relation-learner/index.js';
import './relation/toy-addition/index.js';
import './relation/addition-effective.js';

export {
  potentials,
  registerPotential,
  getPotentialFamily,
  listPotentialFamilies,
  singleGroup,
  defaultCoordinates,
  type PotentialFamily,
  type BuildContext,
  type JsonSchema,
} from './registry.js';
// expression.ts pulls in mathjs (≈ 0.6 s to import): loaded only when a scenario uses an expression,
// so worker threads of other runs start fast.
export type { ExpressionPotentialSpec, ExpressionOptions } from './expression.js';
export { loadModulePotential, validatePotentialShape } from './module.js';
export { doubleWell } from './analytic/double-well.js';
export { harmonic } from './analytic/harmonic.js';
export { gaussianWells, type GaussianWell } from './analytic/gaussian-wells.js';
export { mullerBrown, mullerBrownDerivatives } from './analytic/muller-brown.js';
export {
  linearRegression,
  linearRegressionData,
  linearRegressionPosterior,
  linearRegressionDefaults,
  type LinearRegressionParams,
  type LinearRegressionData,
  type GaussianPosterior,
} from './analytic/linear-regression.js';
export { zeroLossManifold, type ZeroLossManifoldParams } from './analytic/zero-loss-manifold.js';
export { sampleSizeBox, type SampleSizeBoxParams } from './analytic/sample-size-box.js';
export { twoWells, resolveTwoWells, type TwoWellsParams, type TwoWellsSpec } from './analytic/two-wells.js';

/**
 * Top-level `default`s of a params schema filled into missing keys (the
 * scenario validator has usually done this already; this keeps library callers
 * that skip validation from seeing `undefined`).
 */
function withDefaults(schema: JsonSchema, params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...params };
  const props = (schema.properties ?? {}) as Record<string, { default?: unknown }>;
  for (const [k, s] of Object.entries(props)) if (out[k] === undefined && s.default !== undefined) out[k] = structuredClone(s.default);
  return out;
}

/**
 * Build the potential a scenario names: `{kind, params}` (a registered family),
 * `{module, params}` (a user module; a relative path is resolved against the
 * working directory) or `{expression, coordinates, params}`.
 */
export async function buildPotential(spec: PotentialSpec, ctx: BuildContext): Promise<Potential> {
  if ('kind' in spec) {
    let family: PotentialFamily;
    try {
      family = potentials.get(spec.kind);
    } catch (e) {
      if (!(e instanceof RegistryLookupError)) throw e;
      const guess = e.suggestion !== undefined ? ` — did you mean '${e.suggestion}'?` : '';
      throw new Error(
        `unknown potential kind '${spec.kind}'; known kinds: ${[...e.known].sort().join(', ')} (or use 'module' / 'expression')${guess}`,
        { cause: e },
      );
    }
    return family.create(withDefaults(family.paramsSchema, spec.params ?? {}), ctx);
  }
  if ('module' in spec) {
    const path = isAbsolute(spec.module) ? spec.module : resolve(spec.module);
    return loadModulePotential(path, spec.params ?? {}, ctx);
  }
  if ('tfjs' in spec) {
    // Loaded on demand: tfjs takes ≈ 1 s to import.
    const { loadTfjsPotential } = await import('./tfjs/tfjs-potential.js');
    return loadTfjsPotential(isAbsolute(spec.tfjs) ? spec.tfjs : resolve(spec.tfjs), spec.params ?? {}, ctx);
  }
  if ('expression' in spec) {
    const { createExpressionPotential } = await import('./expression.js');
    return createExpressionPotential(spec);
  }
  throw new Error(
    `potential: expected one of 'kind', 'module', 'tfjs' or 'expression'; found keys ${Object.keys(spec as object).join(', ') || 'none'}`,
  );
}
