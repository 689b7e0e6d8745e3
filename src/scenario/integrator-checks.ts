/**
 * Compatibility of the dynamics settings with the chosen integrator, from the
 * traits its registry entry declares (never from a list of names):
 *   - `noisy: false` — a deterministic optimizer — needs θ = 0, scenario-wide
 *     and per group;
 *   - `constants` / `groupConstants` — a constant set for an integrator that
 *     does not read it would be silently ignored, so it is an error. Constants
 *     whose fragment has a default (BAOAB's friction) are exempt: the resolved
 *     scenario always holds them.
 */
import { integrators, type IntegratorEntry } from '../engine/integrators/index.js';
import { renderValue } from './errors.js';
import { isPlainObject, type Obj, type RawIssue, type Seg } from './issues.js';
import { DEFAULT_INTEGRATOR, integratorConstants, type ScenarioConstant } from './schema.js';

/** Issues of `dynamics` (defaults filled; fields may still be invalid) against its integrator's traits. */
export function integratorIssues(dynamics: Obj): RawIssue[] {
  const name = typeof dynamics.integrator === 'string' ? dynamics.integrator : DEFAULT_INTEGRATOR;
  // An unknown name is reported by the schema (its enum is the registry's names).
  const entry = integrators.find(name);
  if (!entry) return [];
  return [...temperatureIssues(entry, dynamics), ...constantIssues(entry, dynamics), ...scheduleIssues(entry, dynamics)];
}

/**
 * Schedules (engine/schedule.ts) the schema cannot judge alone: a scheduled
 * temperature needs a noisy integrator, dynamics.step_size sets the learning
 * rates itself, and `exploration` switches the noise off on `lr` only.
 */
function scheduleIssues(entry: IntegratorEntry, dynamics: Obj): RawIssue[] {
  const issues: RawIssue[] = [];
  const places: [Seg[], Obj][] = [[['dynamics'], dynamics]];
  if (isPlainObject(dynamics.groups))
    for (const [g, settings] of Object.entries(dynamics.groups))
      if (isPlainObject(settings)) places.push([['dynamics', 'groups', g], settings]);
  for (const [segs, o] of places) {
    if (isPlainObject(o.temperature) && !entry.noisy)
      issues.push({
        segs: [...segs, 'temperature'],
        expected: `no temperature schedule with integrator ${entry.name} (θ = 0)`,
        found: renderValue(o.temperature),
        hint: `${entry.name} is not a noisy integrator (it draws no noise); use a noisy one such as sgld, or remove the schedule.`,
      });
    if (isPlainObject(o.temperature) && o.temperature.exploration !== undefined)
      issues.push({
        segs: [...segs, 'temperature', 'exploration'],
        expected: 'exploration on a learning-rate schedule only',
        found: renderValue(o.temperature.exploration),
        hint: 'Put the cyclical schedule with exploration on lr; it switches the noise off during the exploration stage.',
      });
  }
  if (dynamics.step_size !== undefined && isPlainObject(dynamics.lr))
    issues.push({
      segs: ['dynamics', 'lr'],
      expected: 'a number (the time unit) with dynamics.step_size',
      found: renderValue(dynamics.lr),
      hint: 'dynamics.step_size sets every learning rate; remove the schedule or the step_size.',
    });
  return issues;
}

/** θ > 0 with an integrator that is not noisy. */
function temperatureIssues(entry: IntegratorEntry, dynamics: Obj): RawIssue[] {
  if (entry.noisy) return [];
  const issues: RawIssue[] = [];
  // Noisy integrators to suggest, those with the same kind of optimizer state first (adam → psgld, gd → sgld).
  const slots = (e: IntegratorEntry) => (e.needs.optimizerSlots ?? 0) > 0;
  const noisy = integrators.list().filter((e) => e.noisy);
  const ordered = [...noisy.filter((e) => slots(e) === slots(entry)), ...noisy.filter((e) => slots(e) !== slots(entry))].map((e) => e.name);
  const alternatives = ordered.length > 1 ? `${ordered.slice(0, -1).join(', ')} or ${ordered[ordered.length - 1]}` : ordered.join('');
  const hint = (t: number) =>
    `${entry.name} is not a noisy integrator (a deterministic optimizer, it draws no noise); ` +
    (ordered.length > 0
      ? `use a noisy one (integrator: ${alternatives}) for Langevin dynamics at temperature ${t}, or remove the temperature.`
      : 'remove the temperature.');
  const check = (value: unknown, segs: Seg[]) => {
    if (typeof value === 'number' && value > 0)
      issues.push({ segs, expected: `0 (or no temperature) with integrator ${entry.name}`, found: renderValue(value), hint: hint(value) });
  };
  check(dynamics.temperature, ['dynamics', 'temperature']);
  if (isPlainObject(dynamics.groups))
    for (const [g, settings] of Object.entries(dynamics.groups))
      if (isPlainObject(settings)) check(settings.temperature, ['dynamics', 'groups', g, 'temperature']);
  return issues;
}

/** A constant some integrator reads, set for one that does not. */
function constantIssues(entry: IntegratorEntry, dynamics: Obj): RawIssue[] {
  const issues: RawIssue[] = [];
  const check = (values: Obj, segs: Seg[], constants: ScenarioConstant[]) => {
    for (const c of constants) {
      if (values[c.name] === undefined || c.schema.default !== undefined || c.readers.includes(entry.name)) continue;
      issues.push({
        segs: [...segs, c.name],
        expected: `no ${c.name} with integrator ${entry.name} (it is read by ${c.readers.join(' / ')} only)`,
        found: renderValue(values[c.name]),
        hint: `${c.name} is ${c.title}; set dynamics.integrator to ${c.readers.join(' or ')}, or remove it.`,
      });
    }
  };
  check(dynamics, ['dynamics'], integratorConstants('dynamics'));
  if (isPlainObject(dynamics.groups)) {
    const perGroup = integratorConstants('group');
    for (const [g, settings] of Object.entries(dynamics.groups))
      if (isPlainObject(settings)) check(settings, ['dynamics', 'groups', g], perGroup);
  }
  return issues;
}
