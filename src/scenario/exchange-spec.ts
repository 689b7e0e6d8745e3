/**
 * The `exchange:` section (replica exchange, parallel tempering): its type,
 * its JSON Schema fragment, the checks across fields the schema cannot
 * express, and the ladder values. docs/exchange.md explains the method.
 */
import { parsePath, renderValue } from './errors.js';
import type { Variant } from './sweep.js';
import { isPlainObject, type Obj, type RawIssue } from './issues.js';
import type { JsonSchema } from '../engine/registry.js';

/** Exchange schemes: `deo` swaps even pairs at even rounds and odd pairs at odd rounds; `even-odd` picks the parity at random each round. */
export type ExchangeScheme = 'deo' | 'even-odd';

/** A geometric ladder: `count` values from `from` to `to`, both included, equal ratios. */
export interface GeometricRungs {
  geometric: { from: number; to: number; count: number };
}

/** `exchange:` — a ladder of temperatures or potential parameters, swapped between neighbours every `interval` steps. */
export interface ExchangeSpec {
  /** `dynamics.temperature` or `potential.params.<name>`. */
  key: string;
  /** The rung values, rung 0 first (the target rung is usually rung 0: the coldest, or the original parameter). */
  rungs: number[] | GeometricRungs;
  /** Steps between exchange rounds (default 100). */
  interval: number;
  /** Default `deo` (Syed, Bouchard-Côté, Deligiannidis & Doucet 2021). */
  scheme: ExchangeScheme;
}

/** Keys a ladder may vary: the temperature, or a numeric potential parameter. */
export const EXCHANGE_KEY_PATTERN = '^(dynamics\\.temperature|potential\\.params\\.[A-Za-z_][A-Za-z0-9_]*)$';

/** Integrators whose stationary density (full batch) is the Gibbs density exp(−(U + λ|x|²/2)/θ), which the swap criterion assumes. */
export const EXCHANGE_INTEGRATORS = ['sgld', 'baoab', 'sghmc'] as const;

export const exchangeSchema: JsonSchema = {
  type: 'object',
  description:
    'Replica exchange (parallel tempering): ensemble.replicas independent ladders, one replica per rung, neighbour swaps by the Metropolis criterion every `interval` steps (docs/exchange.md).',
  properties: {
    key: { type: 'string', pattern: EXCHANGE_KEY_PATTERN, description: 'dynamics.temperature or potential.params.<name>' },
    rungs: {
      oneOf: [
        { type: 'array', items: { type: 'number' }, minItems: 2, description: 'rung values, rung 0 first' },
        {
          type: 'object',
          properties: {
            geometric: {
              type: 'object',
              properties: {
                from: { type: 'number', exclusiveMinimum: 0 },
                to: { type: 'number', exclusiveMinimum: 0 },
                count: { type: 'integer', minimum: 2, maximum: 1000 },
              },
              required: ['from', 'to', 'count'],
              additionalProperties: false,
            },
          },
          required: ['geometric'],
          additionalProperties: false,
        },
      ],
    },
    interval: { type: 'integer', minimum: 1, default: 100, description: 'steps between exchange rounds' },
    scheme: {
      enum: ['deo', 'even-odd'],
      default: 'deo',
      description: 'deo: deterministic even-odd (non-reversible); even-odd: random parity',
    },
  },
  required: ['key', 'rungs'],
  additionalProperties: false,
};

/** The rung values of a ladder, rung 0 first. */
export function exchangeRungValues(rungs: ExchangeSpec['rungs']): number[] {
  if (Array.isArray(rungs)) return [...rungs];
  const { from, to, count } = rungs.geometric;
  const ratio = Math.pow(to / from, 1 / (count - 1));
  // The last value is `to` exactly (no rounding drift from repeated products).
  return Array.from({ length: count }, (_, k) => (k === count - 1 ? to : from * Math.pow(ratio, k)));
}

/** One variant per rung (the key set to the rung's value), validated like a sweep point; rung 0 first. */
export function exchangeVariants(exchange: Pick<ExchangeSpec, 'key' | 'rungs'>): Variant[] {
  return exchangeRungValues(exchange.rungs).map((value, k) => ({
    label: `exchange rung ${k} (${exchange.key} = ${value})`,
    overrides: [{ key: exchange.key, segments: parsePath(exchange.key), value, anchor: ['exchange', 'rungs'] }],
  }));
}

/** Checks of `exchange:` across fields (raw document, defensive: fields may still be invalid). */
export function exchangeIssues(data: Obj): RawIssue[] {
  const issues: RawIssue[] = [];
  const ex = data.exchange;
  if (!isPlainObject(ex)) return issues;
  const dyn = isPlainObject(data.dynamics) ? data.dynamics : {};
  const obs = isPlainObject(data.observe) ? data.observe : {};
  if (data.sweep !== undefined || data.regimes !== undefined)
    issues.push({
      segs: ['exchange'],
      expected: 'a scenario without sweep or regimes',
      found: data.sweep !== undefined ? 'a sweep' : 'regimes',
      hint: 'A ladder is run with `stochdyn run`; sweep the ladder by writing one scenario per point.',
    });
  const integrator = typeof dyn.integrator === 'string' ? dyn.integrator : 'sgld';
  if (!(EXCHANGE_INTEGRATORS as readonly string[]).includes(integrator))
    issues.push({
      segs: ['dynamics', 'integrator'],
      expected: `an integrator whose stationary density is the Gibbs density: ${EXCHANGE_INTEGRATORS.join(', ')}`,
      found: renderValue(integrator),
      hint: 'The swap criterion exchanges Gibbs densities; adaptive optimizers have no known stationary density.',
    });
  if (dyn.batch_size !== undefined && dyn.batch_size !== null)
    issues.push({
      segs: ['dynamics', 'batch_size'],
      expected: 'full-batch gradients (batch_size null) with exchange',
      found: renderValue(dyn.batch_size),
      hint: 'Minibatch noise changes the stationary density, so swaps would not preserve it.',
    });
  for (const field of ['lr', 'temperature'])
    if (isPlainObject(dyn[field]))
      issues.push({
        segs: ['dynamics', field],
        expected: 'a constant value with exchange',
        found: 'a schedule',
        hint: 'Each rung must sample one fixed Gibbs density.',
      });
  if (Array.isArray(obs.events) && obs.events.length > 0)
    issues.push({
      segs: ['observe', 'events'],
      expected: 'no events with exchange',
      found: `${obs.events.length} event(s)`,
      hint: 'Configurations move between rungs, so a first passage per rung slot has no meaning.',
    });
  const values = Array.isArray(ex.rungs) ? ex.rungs : null;
  const temperature = ex.key === 'dynamics.temperature';
  if (values && values.every((v) => typeof v === 'number')) {
    if (temperature && values.some((v) => !((v as number) > 0)))
      issues.push({ segs: ['exchange', 'rungs'], expected: 'temperatures > 0', found: renderValue(values) });
    if (new Set(values).size !== values.length)
      issues.push({ segs: ['exchange', 'rungs'], expected: 'distinct rung values', found: renderValue(values) });
  }
  if (!temperature && typeof dyn.temperature === 'number' && !(dyn.temperature > 0))
    issues.push({
      segs: ['dynamics', 'temperature'],
      expected: 'a temperature > 0 with a parameter ladder',
      found: renderValue(dyn.temperature),
      hint: 'The swap criterion divides by the temperature.',
    });
  if (Number.isInteger(ex.interval) && Number.isInteger(dyn.steps) && (ex.interval as number) > (dyn.steps as number))
    issues.push({
      segs: ['exchange', 'interval'],
      expected: `at most dynamics.steps (${dyn.steps as number})`,
      found: renderValue(ex.interval),
      hint: 'With fewer steps than one interval, no exchange would happen.',
    });
  return issues;
}
