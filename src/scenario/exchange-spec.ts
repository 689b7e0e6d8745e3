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
  /** Re-place the interior rungs during burn-in (temperature ladders); absent = a fixed ladder. */
  adapt?: ExchangeAdaptSpec;
}

/**
 * `exchange.adapt:` ladder adaptation (Syed et al. 2021, §5.4): `rounds`
 * adaptation rounds, round r lasting `steps · 2^r` steps; after each round the
 * interior rungs move to equal steps of the communication barrier Λ estimated
 * from the pooled rejection rates of all ladders; after the last round the
 * ladder is frozen for the rest of the run.
 */
export interface ExchangeAdaptSpec {
  rounds: number;
  /** Steps of the first adaptation round (a multiple of `interval`, at least two intervals); round r lasts steps · 2^r. */
  steps: number;
  /** Coordinate in which rungs are interpolated: `log` (default for geometric rungs) or `linear` (default for a list). */
  space?: 'log' | 'linear';
}

/** Steps of the whole adaptation phase: steps · (2^rounds − 1). */
export function adaptationSteps(adapt: Pick<ExchangeAdaptSpec, 'rounds' | 'steps'>): number {
  return adapt.steps * (Math.pow(2, adapt.rounds) - 1);
}

/** The interpolation space of an adaptation: the explicit `space`, else `log` for geometric rungs and `linear` for a list. */
export function adaptationSpace(exchange: Pick<ExchangeSpec, 'rungs' | 'adapt'>): 'log' | 'linear' {
  return exchange.adapt?.space ?? (Array.isArray(exchange.rungs) ? 'linear' : 'log');
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
    adapt: {
      type: 'object',
      description:
        'Ladder adaptation during burn-in (temperature ladders): `rounds` rounds of steps·2^r steps, after each the interior rungs move to equal steps of the communication barrier; then the ladder is frozen.',
      properties: {
        rounds: { type: 'integer', minimum: 1, maximum: 16, description: 'adaptation rounds' },
        steps: { type: 'integer', minimum: 1, description: 'steps of the first round (a multiple of interval); round r lasts steps·2^r' },
        space: {
          enum: ['log', 'linear'],
          description: 'interpolation coordinate: log (default for geometric rungs) or linear (default for a list)',
        },
      },
      required: ['rounds', 'steps'],
      additionalProperties: false,
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
  issues.push(...adaptIssues(data, ex));
  return issues;
}

/** Checks of `exchange.adapt` against the rest of the scenario. */
function adaptIssues(data: Obj, ex: Obj): RawIssue[] {
  const issues: RawIssue[] = [];
  const adapt = ex.adapt;
  if (!isPlainObject(adapt)) return issues;
  const dyn = isPlainObject(data.dynamics) ? data.dynamics : {};
  const interval = Number.isInteger(ex.interval) ? (ex.interval as number) : 100;
  if (typeof ex.key === 'string' && ex.key !== 'dynamics.temperature')
    issues.push({
      segs: ['exchange', 'adapt'],
      expected: 'a temperature ladder (key: dynamics.temperature) with adapt',
      found: `key ${renderValue(ex.key)}`,
      hint: 'Adaptation re-places temperatures only; place the rungs of a parameter ladder by hand from the pair acceptances in exchange.json.',
    });
  const list = Array.isArray(ex.rungs) ? ex.rungs : null;
  const geometric = isPlainObject(ex.rungs) && isPlainObject(ex.rungs.geometric) ? ex.rungs.geometric : null;
  const count = list ? list.length : geometric && typeof geometric.count === 'number' ? geometric.count : null;
  if (count !== null && count < 3)
    issues.push({
      segs: ['exchange', 'rungs'],
      expected: 'at least 3 rungs with adapt (the end rungs stay fixed, the interior ones move)',
      found: `${count} rungs`,
    });
  if (list && list.every((v) => typeof v === 'number') && list.length >= 3) {
    const up = list.every((v, i) => i === 0 || (v as number) > (list[i - 1] as number));
    const down = list.every((v, i) => i === 0 || (v as number) < (list[i - 1] as number));
    if (!up && !down)
      issues.push({
        segs: ['exchange', 'rungs'],
        expected: 'rungs in increasing or decreasing order with adapt',
        found: renderValue(list),
        hint: 'Adaptation interpolates the communication barrier along the ladder, which needs an ordered ladder.',
      });
  }
  if (Number.isInteger(adapt.steps) && Number.isInteger(adapt.rounds)) {
    const steps = adapt.steps as number;
    if (steps % interval !== 0 || steps < 2 * interval)
      issues.push({
        segs: ['exchange', 'adapt', 'steps'],
        expected: `a multiple of exchange.interval (${interval}), at least ${2 * interval} (two exchange rounds, one of each parity)`,
        found: renderValue(steps),
      });
    const total = adaptationSteps({ rounds: adapt.rounds as number, steps });
    if (Number.isInteger(dyn.steps) && total >= (dyn.steps as number))
      issues.push({
        segs: ['exchange', 'adapt'],
        expected: `an adaptation phase (steps · (2^rounds − 1) = ${total}) shorter than dynamics.steps (${dyn.steps as number})`,
        found: renderValue(adapt),
        hint: 'The ladder is frozen after adaptation; the steps after it are the ones measured with the final ladder.',
      });
    const sampling = isPlainObject(data.sampling) ? data.sampling : null;
    if (sampling && Number.isInteger(sampling.burn_in) && total > (sampling.burn_in as number))
      issues.push({
        segs: ['exchange', 'adapt'],
        expected: `an adaptation phase (${total} steps) inside sampling.burn_in (${sampling.burn_in as number})`,
        found: renderValue(adapt),
        hint: 'Samples must come from the frozen ladder: raise sampling.burn_in or shorten the adaptation.',
      });
  }
  return issues;
}
