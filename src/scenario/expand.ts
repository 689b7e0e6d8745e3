/**
 * Expansion of a validated scenario into its sweep points or regimes, each a
 * complete scenario validated on its own (see sweep.ts for the values and
 * load.ts for the validation).
 */
import { ScenarioError } from './errors.js';
import { validateVariant } from './load.js';
import { regimeVariants, sweepVariants } from './sweep.js';
import type { Scenario } from './types.js';

type Obj = Record<string, unknown>;

/** One regime: its name, its overrides by key, its scenario. */
export interface RegimeVariant {
  name: string;
  overrides: Record<string, unknown>;
  scenario: Scenario;
}

/** One point of a sweep: its index (0-based, the run index of its random streams), its values by key, its scenario. */
export interface SweepPoint {
  index: number;
  values: Record<string, unknown>;
  scenario: Scenario;
}

function noSweep(s: Scenario, what: 'sweep' | 'regimes'): ScenarioError {
  return new ScenarioError(s.source || '(scenario)', [
    {
      path: what,
      expected:
        what === 'sweep'
          ? 'a mapping of swept keys to values, e.g. sweep: {dynamics.temperature: [0.1, 0.2]}'
          : 'a mapping of regime names to overrides, e.g. regimes: {gd: {dynamics.integrator: gd, dynamics.temperature: 0}}',
      found: 'nothing',
      hint: what === 'sweep' ? 'A scenario without a sweep runs with `stochdyn run`.' : undefined,
    },
  ]);
}

/**
 * The points of a sweep, in index order, each a complete validated scenario
 * (no `sweep` key, the same name). Throws `ScenarioError` when `s` has no
 * sweep, or (for scenarios not validated by the loader) when a point is invalid.
 */
export function expandSweep(s: Scenario): SweepPoint[] {
  if (!s.sweep) throw noSweep(s, 'sweep');
  return sweepVariants(s.sweep as Obj).map((v, index) => {
    const scenario = validateVariant(s, v);
    sweepPoints.add(scenario);
    return { index, values: Object.fromEntries(v.overrides.map((o) => [o.key, o.value])), scenario };
  });
}

const sweepPoints = new WeakSet<Scenario>();

/** Whether a scenario is a point made by expandSweep (its sweep-scope analyses belong to the sweep). */
export function isSweepPoint(s: Scenario): boolean {
  return sweepPoints.has(s);
}

/** The regimes of a scenario, in the order written, each a complete validated scenario (no `regimes` key, the same name). */
export function expandRegimes(s: Scenario): RegimeVariant[] {
  if (!s.regimes) throw noSweep(s, 'regimes');
  const names = Object.keys(s.regimes);
  return regimeVariants(s.regimes).map((v, i) => ({
    name: names[i],
    overrides: Object.fromEntries(v.overrides.map((o) => [o.key, o.value])),
    scenario: validateVariant(s, v),
  }));
}
