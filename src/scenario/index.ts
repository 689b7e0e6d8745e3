/** Scenario files: schema, loading and validation, errors, and the typed Scenario. */
export type * from './types.js';
export {
  scenarioSchema,
  scenarioJsonSchema,
  currentScenarioSchema,
  buildScenarioSchema,
  integratorConstants,
  NAME_PATTERN,
  REGIME_NAME_PATTERN,
  type AnalysisKindSchema,
  type ScenarioConstant,
  type ScenarioJsonSchemaOptions,
} from './schema.js';
export { loadScenario, validateScenarioObject, safeValidateScenario, rawScenarioDocument, validateVariant } from './load.js';
export { parseSetOverride, type LoadOptions, type SetOverride } from './overrides.js';
export { locateIssues } from './issues.js';
export { checkAgainstPotential } from './checks.js';
export { adaptationSpace, adaptationSteps, exchangeRungValues, exchangeVariants, EXCHANGE_INTEGRATORS } from './exchange-spec.js';
export { describe as describeSchema } from './schema-validation.js';
export { ScenarioError, formatIssue, renderValue, didYouMean, formatPath, parsePath, type ScenarioIssue } from './errors.js';
export { expandSweep, isSweepPoint, expandRegimes, type SweepPoint, type RegimeVariant } from './expand.js';
export {
  sweepHash,
  sweepAxes,
  sweepAssignments,
  sweepSize,
  sweepKeys,
  sweepMode,
  axisValues,
  describeValues,
  assertNoSweep,
  valueAtPath,
  checkScenarioKey,
  type SweepAxis,
  type Variant,
} from './sweep.js';
