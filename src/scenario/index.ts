/** Scenario files: schema, loading and validation, errors, and the typed Scenario. */
export type * from './types.js';
export { scenarioSchema, scenarioJsonSchema, NAME_PATTERN, REGIME_NAME_PATTERN } from './schema.js';
export {
  locateIssues,
  loadScenario,
  validateScenarioObject,
  safeValidateScenario,
  parseSetOverride,
  checkAgainstPotential,
  describe as describeSchema,
  rawScenarioDocument,
  validateVariant,
  type LoadOptions,
  type SetOverride,
} from './load.js';
export { ScenarioError, formatIssue, renderValue, didYouMean, formatPath, parsePath, type ScenarioIssue } from './errors.js';
export {
  expandSweep,
  isSweepPoint,
  expandRegimes,
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
  type SweepPoint,
  type RegimeVariant,
  type Variant,
} from './sweep.js';
