/**
 * The JSON Schema of a scenario file (draft 2020-12, the dialect of the
 * potential families' `paramsSchema`). It is the single source of truth for
 * the file format: `types.ts` mirrors it, the loader validates against it with
 * ajv (`useDefaults` fills the defaults written here), and `stochdyn schema`
 * publishes it for editors via `scenarioJsonSchema()`.
 *
 * The parts that extension points own are assembled from their registries:
 * the integrator enum from `integrators.names()`, the integrator constants
 * (`dynamics.friction`, `betas`, `eps`, `alpha`, per group too) from the
 * entries' `constants` / `groupConstants` fragments, per-potential params from
 * the families' `paramsSchema`, and (in the published schema) the analysis
 * kinds from the fragments the analysis registry passes in. Registering an
 * integrator changes the schema: `currentScenarioSchema()` rebuilds it.
 *
 * Every object is closed (`additionalProperties: false`) so that a misspelt
 * key is an error, except the bodies of `analysis` / `theory` entries and
 * `potential.params`, which are validated by kind elsewhere.
 *
 * Defaults inside `oneOf` branches are not applied by ajv, so those of
 * `potential` (`params: {}`, `coordinates: ['x']`) are filled by the loader.
 */
import { exchangeSchema } from './exchange-spec.js';
import type { JsonSchema } from '../engine/registry.js';
import { splittingSchema } from './splitting.js';
import { integrators, type IntegratorEntry } from '../engine/integrators/index.js';
import { listPotentialFamilies } from '../potentials/index.js';

/**
 * Names of scenarios, outputs and events: letters, digits, `.`, `_`, `-`, but
 * not `.` or `..` (a name is a folder under output/: it must stay inside it).
 */
export const NAME_PATTERN = '^(?!\\.\\.?$)[A-Za-z0-9._-]+$';
/** Longest scenario name (a folder name; file systems allow 255 bytes). */
export const MAX_NAME_LENGTH = 128;

const finiteNumber = { type: 'number' };
const numberOrList = (item: JsonSchema = {}): JsonSchema => ({
  type: ['number', 'array'],
  ...item,
  items: { type: 'number', ...item },
  minItems: 1,
});

const bound: JsonSchema = {
  type: 'object',
  description: 'Bounds on one observable; at least one of ge (≥), gt (>), le (≤), lt (<).',
  properties: { ge: finiteNumber, gt: finiteNumber, le: finiteNumber, lt: finiteNumber },
  additionalProperties: false,
  minProperties: 1,
};

const potentialSchema: JsonSchema = {
  description: 'The potential f(x): a registered family (kind), a user module, a TensorFlow.js model (tfjs), or an expression.',
  oneOf: [
    {
      type: 'object',
      title: 'registered family',
      properties: {
        kind: { type: 'string', minLength: 1, description: 'registered potential family (`stochdyn list potentials`)' },
        params: { type: 'object', description: "the family's parameters (validated against its paramsSchema)" },
      },
      required: ['kind'],
      additionalProperties: false,
    },
    {
      type: 'object',
      title: 'user module',
      properties: {
        module: {
          type: 'string',
          minLength: 1,
          description: 'path of a JS module exporting createPotential(params), relative to the scenario file',
        },
        params: { type: 'object', description: 'passed to createPotential (default {})' },
      },
      required: ['module'],
      additionalProperties: false,
    },
    {
      type: 'object',
      title: 'tfjs model',
      properties: {
        tfjs: {
          type: 'string',
          minLength: 1,
          description: 'path of a JS module exporting createModel(params, ctx) (a TensorFlow.js loss), relative to the scenario file',
        },
        params: { type: 'object', description: 'passed to createModel (default {})' },
      },
      required: ['tfjs'],
      additionalProperties: false,
    },
    {
      type: 'object',
      title: 'expression',
      properties: {
        expression: { type: 'string', minLength: 1, description: 'f over the coordinates, e.g. "x^4 - 2*x^2 + 0.1*x"' },
        coordinates: {
          type: 'array',
          items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' },
          minItems: 1,
          uniqueItems: true,
          description: "coordinate names (default ['x'])",
        },
        params: {
          type: 'object',
          additionalProperties: { type: 'number' },
          description: 'named constants in scope of the expression (default {})',
        },
        minima: {
          type: 'array',
          items: { type: 'array', items: { type: 'number' }, minItems: 1 },
          description: 'known local minima, one point per entry (for the `well` observable)',
        },
      },
      required: ['expression'],
      additionalProperties: false,
    },
  ],
};

const initSchema: JsonSchema = {
  description: 'Initial positions of the replicas (default {kind: potential}: the potential’s own initialiser).',
  default: { kind: 'potential' },
  oneOf: [
    {
      type: 'object',
      title: 'point',
      properties: { kind: { const: 'point' }, x: numberOrList() },
      required: ['kind', 'x'],
      additionalProperties: false,
    },
    {
      type: 'object',
      title: 'normal',
      properties: { kind: { const: 'normal' }, mean: numberOrList(), std: numberOrList({ exclusiveMinimum: 0 }) },
      required: ['kind', 'mean', 'std'],
      additionalProperties: false,
    },
    {
      type: 'object',
      title: 'uniform',
      properties: { kind: { const: 'uniform' }, low: numberOrList(), high: numberOrList() },
      required: ['kind', 'low', 'high'],
      additionalProperties: false,
    },
    {
      type: 'object',
      title: 'potential',
      properties: { kind: { const: 'potential' } },
      required: ['kind'],
      additionalProperties: false,
    },
  ],
};

const kindEntry: JsonSchema = {
  type: 'object',
  properties: { kind: { type: 'string', minLength: 1 } },
  required: ['kind'],
};

/** Names of regimes: like NAME_PATTERN, plus `=` (e.g. `theta=0.1`); not `.` or `..` (each regime is a folder). */
export const REGIME_NAME_PATTERN = '^(?!\\.\\.?$)[A-Za-z0-9._=-]+$';

/** Keys a sweep or regime may not vary: they name the scenario or are the variation itself. */
export const UNSWEEPABLE_KEYS = ['name', 'sweep', 'regimes'] as const;

const sweepRange = (extra: JsonSchema = {}): JsonSchema => ({
  type: 'object',
  properties: {
    from: { type: 'number', ...extra, description: 'first value' },
    to: { type: 'number', ...extra, description: 'last value (included)' },
    points: { type: 'integer', minimum: 2, maximum: 100000, description: 'number of values, both ends included' },
  },
  required: ['from', 'to', 'points'],
  additionalProperties: false,
});

const sweepAxis: JsonSchema = {
  description: 'The values of one swept key: a list, or a linear or logarithmic range.',
  oneOf: [
    { type: 'array', title: 'list of values', minItems: 1, description: 'the values, in order' },
    {
      type: 'object',
      title: 'linear: {from, to, points}',
      properties: { linear: sweepRange() },
      required: ['linear'],
      additionalProperties: false,
    },
    {
      type: 'object',
      title: 'log: {from, to, points}',
      properties: { log: sweepRange() },
      required: ['log'],
      additionalProperties: false,
    },
  ],
};

const sweepSchema: JsonSchema = {
  type: 'object',
  description:
    'Parameter sweep (`stochdyn sweep`): dotted scenario keys (e.g. dynamics.temperature, potential.params.h) mapped to a list of values, ' +
    '{linear: {from, to, points}} or {log: {from, to, points}} (from, to > 0); mode grid (Cartesian product, first key slowest) or zip (element-wise).',
  properties: {
    mode: {
      enum: ['grid', 'zip'],
      default: 'grid',
      description: 'grid: every combination, first key slowest; zip: equal lengths, element-wise',
    },
  },
  additionalProperties: sweepAxis,
};

const regimesSchema: JsonSchema = {
  type: 'object',
  description: 'Named variants of the scenario to compare: regime name → {dotted key: value} overrides.',
  additionalProperties: { type: 'object', description: 'dotted scenario key → value' },
  minProperties: 1,
};

/**
 * `sampling:` — posterior sampling after a burn-in (optional; absent = no
 * sampling outputs). Samples are taken at steps burn_in, burn_in + thin, … ≤ dynamics.steps.
 */
const samplingSchema: JsonSchema = {
  type: 'object',
  description:
    'Posterior sampling: burn-in, thinning, per-replica chains with ESS / split R-hat / MCSE, pooled posterior histograms with −ln p and a BIC-chosen Gaussian mixture, posterior-predictive metrics.',
  properties: {
    burn_in: { type: 'integer', minimum: 0, description: 'step of the first sample (≤ dynamics.steps)' },
    thin: { type: 'integer', minimum: 1, default: 1, description: 'steps between samples' },
    chains: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      uniqueItems: true,
      default: ['energy'],
      description:
        'observables recorded per replica at every sample (a per-unit observable as its mean over units); diagnosed with ESS, split R-hat, MCSE',
    },
    posterior: {
      type: 'array',
      default: [],
      description: 'histograms pooled over units, replicas and samples, with −ln p and a Gaussian-mixture fit',
      items: {
        type: 'object',
        properties: {
          of: { type: 'string', minLength: 1, description: 'observable (per-unit ones are pooled over units)' },
          bins: { type: 'integer', minimum: 1, maximum: 1e6, default: 50 },
          range: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2, description: '[lo, hi], lo < hi' },
          mixture: {
            type: 'integer',
            minimum: 0,
            maximum: 10,
            default: 3,
            description: 'largest number of Gaussian components tried (BIC picks; 0 = no fit)',
          },
        },
        required: ['of', 'range'],
        additionalProperties: false,
      },
    },
    predictive: {
      type: 'boolean',
      description: 'posterior-mean predictor metrics (default: true when the potential has a predictive, else false)',
    },
    warn: {
      type: 'object',
      default: {},
      description: 'warn when a chain observable has split R-hat > rhat or ESS < ess',
      properties: {
        rhat: { type: 'number', minimum: 1, default: 1.05 },
        ess: { type: 'number', minimum: 0, default: 100 },
      },
      additionalProperties: false,
    },
  },
  required: ['burn_in'],
  additionalProperties: false,
};

/**
 * A learning rate or temperature: a number, or a schedule object evaluated
 * per step by engine/schedule.ts (formulas there and in docs/models.md).
 * `positive`: the value must stay > 0 (learning rates; a schedule's `from`).
 */
function scheduledSchema(positive: boolean, description: string): JsonSchema {
  const level = positive ? { type: 'number', exclusiveMinimum: 0 } : { type: 'number', minimum: 0 };
  const common = {
    steps: {
      type: 'integer',
      minimum: 1,
      description: 'steps N over which the schedule runs (default: dynamics.steps); its final value is held after N',
    },
  };
  const branch = (kind: string, title: string, properties: Record<string, unknown>, required: string[]): JsonSchema => ({
    type: 'object',
    title,
    properties: { schedule: { const: kind }, ...properties },
    required: ['schedule', ...required],
    additionalProperties: false,
  });
  // if/then/else rather than oneOf: a value that is not a mapping is judged
  // as the number it was before schedules existed (same messages and hints).
  return {
    description,
    if: { type: 'object' },
    then: {
      oneOf: [
        branch('constant', 'constant schedule', { value: level }, ['value']),
        branch('linear', 'linear schedule: from + (to − from)·n/(N − 1)', { from: level, to: { type: 'number', minimum: 0 }, ...common }, [
          'from',
          'to',
        ]),
        branch(
          'exponential',
          'exponential (geometric) schedule: from·(to/from)^{n/(N − 1)}',
          { from: { type: 'number', exclusiveMinimum: 0 }, to: { type: 'number', exclusiveMinimum: 0 }, ...common },
          ['from', 'to'],
        ),
        branch(
          'cosine',
          'cosine schedule: to + (from − to)(1 + cos(π n/(N − 1)))/2',
          { from: level, to: { type: 'number', minimum: 0 }, ...common },
          ['from', 'to'],
        ),
        branch(
          'cyclical',
          'cyclical schedule (Zhang et al. 2020): to + (from − to)(1 + cos(π r))/2, r the position in each of `cycles` cycles',
          {
            from: level,
            to: { type: 'number', minimum: 0, description: 'minimum of each cycle (default 0)' },
            cycles: { type: 'integer', minimum: 1, description: 'number of cycles M over the N steps (default 1)' },
            exploration: {
              type: 'number',
              minimum: 0,
              exclusiveMaximum: 1,
              description: 'fraction β of each cycle run without noise (exploration stage; on dynamics.lr only; default 0)',
            },
            ...common,
          },
          ['from'],
        ),
      ],
    },
    else: level,
  };
}

/** Where a constant may be set: `dynamics.<name>` or `dynamics.groups.<g>.<name>`. */
export type ConstantLevel = 'dynamics' | 'group';

/** One dynamics constant as the scenario sees it: its (merged) fragment and the integrators that read it. */
export interface ScenarioConstant {
  name: string;
  schema: JsonSchema;
  /** Names of the integrators that read it, in registration order. */
  readers: string[];
  /** What it is, for messages (the fragments' titles, e.g. "Adam's ε / pSGLD's λ"). */
  title: string;
}

const ANNOTATIONS = new Set(['title', 'description', 'default', 'examples']);
const withoutAnnotations = (f: JsonSchema): JsonSchema => Object.fromEntries(Object.entries(f).filter(([k]) => !ANNOTATIONS.has(k)));
const unique = (xs: Array<string | undefined>): string[] => [...new Set(xs.filter((x): x is string => typeof x === 'string' && x !== ''))];

/**
 * Whether the integrator registry changed since `seen` was taken (entries are
 * compared by identity: registering or removing one is a change). Checked on
 * every validation, so it must cost next to nothing.
 */
function registryChanged(seen: readonly IntegratorEntry[]): boolean {
  const now = integrators.list();
  return now.length !== seen.length || now.some((e, i) => e !== seen[i]);
}

const constantsCache: Record<ConstantLevel, { seen: IntegratorEntry[]; constants: ScenarioConstant[] } | undefined> = {
  dynamics: undefined,
  group: undefined,
};

/**
 * The constants integrators declare at one level, merged by name over the
 * registry: equal fragments (up to annotations) become one, with the
 * descriptions joined; different ones an `anyOf`.
 */
export function integratorConstants(level: ConstantLevel): ScenarioConstant[] {
  const cached = constantsCache[level];
  if (cached && !registryChanged(cached.seen)) return cached.constants;
  const constants = mergeConstants(level);
  constantsCache[level] = { seen: integrators.list(), constants };
  return constants;
}

function mergeConstants(level: ConstantLevel): ScenarioConstant[] {
  const byName = new Map<string, Array<{ entry: IntegratorEntry; fragment: JsonSchema }>>();
  for (const entry of integrators.list()) {
    const own = level === 'dynamics' ? entry.constants : entry.groupConstants;
    for (const [name, fragment] of Object.entries(own ?? {})) {
      if (!byName.has(name)) byName.set(name, []);
      byName.get(name)!.push({ entry, fragment });
    }
  }
  return [...byName].map(([name, uses]) => {
    const fragments = uses.map((u) => u.fragment);
    const distinct = unique(fragments.map((f) => JSON.stringify(withoutAnnotations(f))));
    const descriptions = unique(fragments.map((f) => f.description as string | undefined));
    const readers = uses.map((u) => u.entry.name);
    const description = `${descriptions.join('; ')} (${readers.join(', ')})`;
    const defaults = fragments.map((f) => f.default).filter((d) => d !== undefined);
    const schema: JsonSchema =
      distinct.length === 1
        ? { ...withoutAnnotations(fragments[0]), ...(defaults.length > 0 ? { default: defaults[0] } : {}), description }
        : {
            anyOf: distinct.map((d) => JSON.parse(d) as JsonSchema),
            ...(defaults.length > 0 ? { default: defaults[0] } : {}),
            description,
          };
    return { name, schema, readers, title: unique(fragments.map((f) => (f.title as string | undefined) ?? name)).join(' / ') };
  });
}

/** The integrator of a scenario that names none. */
export const DEFAULT_INTEGRATOR = 'sgld';

/** `dynamics.integrator`: the registered names, the deterministic ones marked θ = 0. */
function integratorSchema(): JsonSchema {
  const entries = integrators.list();
  return {
    enum: entries.map((e) => e.name),
    default: DEFAULT_INTEGRATOR,
    description: `${entries.map((e) => (e.noisy ? e.name : `${e.name} (θ = 0)`)).join(', ')}; see \`stochdyn list integrators\``,
  };
}

function dynamicsSchema(): JsonSchema {
  const constants = integratorConstants('dynamics');
  const groupConstants = integratorConstants('group');
  const prop = (list: ScenarioConstant[]) => Object.fromEntries(list.map((c) => [c.name, c.schema]));
  // Constants with a default sit before batch_size, the others after (the order of scenario.resolved.json).
  const defaulted = constants.filter((c) => c.schema.default !== undefined);
  const optional = constants.filter((c) => c.schema.default === undefined);
  const groupSettings: JsonSchema = {
    type: 'object',
    description: `Overrides of lr, temperature and weight_decay${groupConstants.length ? ` (and the constants ${groupConstants.map((c) => c.name).join(', ')})` : ''} for one parameter group.`,
    properties: {
      lr: scheduledSchema(true, "this group's learning rate η: a number or a schedule"),
      temperature: scheduledSchema(false, "this group's temperature θ: a number or a schedule"),
      weight_decay: { type: 'number', minimum: 0 },
      ...prop(groupConstants),
    },
    additionalProperties: false,
  };
  return {
    type: 'object',
    properties: {
      integrator: integratorSchema(),
      lr: scheduledSchema(true, 'learning rate η = time step: a number or a schedule (physical time t = Σ η)'),
      temperature: {
        ...scheduledSchema(false, 'temperature θ (0 or absent for an integrator that is not noisy): a number or a schedule'),
        default: 0,
      },
      steps: { type: 'integer', minimum: 0, description: 'number of steps' },
      weight_decay: { type: 'number', minimum: 0, default: 0 },
      ...prop(defaulted),
      batch_size: { type: ['integer', 'null'], minimum: 1, default: null, description: 'minibatch size (null = full batch)' },
      ...prop(optional),
      groups: { type: 'object', additionalProperties: groupSettings, default: {}, description: 'per-group overrides' },
      step_size: {
        type: 'object',
        description:
          "curvature-scaled, prior-preconditioned step sizes: every group gets lr = c·M_g/(safety·L), M_g the potential's preconditioner (e.g. prior variance) and L the largest preconditioned curvature at the first `probes` initial states; then dynamics.lr is only the time unit (default 1)",
        properties: {
          c: { type: 'number', exclusiveMinimum: 0, maximum: 2, default: 0.3, description: 'fraction of the stability limit' },
          safety: { type: 'number', minimum: 1, default: 2, description: 'curvature safety factor' },
          probes: { type: 'integer', minimum: 1, maximum: 64, default: 4, description: 'initial states used for the estimate' },
        },
        additionalProperties: false,
      },
    },
    required: ['steps'],
    additionalProperties: false,
  };
}

/** The scenario schema used for validation (without per-family params; see `scenarioJsonSchema`), from the registries as they are now. */
export function buildScenarioSchema(): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'stochdyn scenario',
    type: 'object',
    properties: {
      name: {
        type: 'string',
        pattern: NAME_PATTERN,
        maxLength: MAX_NAME_LENGTH,
        description: "scenario name (output folder): letters, digits, . _ - (not '.' or '..'; at most 128 characters)",
      },
      description: { type: 'string', default: '' },
      seed: {
        type: 'integer',
        minimum: 0,
        maximum: Number.MAX_SAFE_INTEGER,
        default: 0,
        description: 'master seed of every random stream',
      },
      potential: potentialSchema,
      dynamics: dynamicsSchema(),
      ensemble: {
        type: 'object',
        properties: {
          replicas: { type: 'integer', minimum: 1, maximum: 1e8, description: 'number of independent replicas' },
          init: initSchema,
          momenta: { enum: ['thermal', 'zero'], default: 'thermal', description: 'initial momenta (baoab only)' },
          bounds: {
            type: 'object',
            description: "walls per coordinate name, parameter group or '*' (all): {reflect: [lo, hi]} or {periodic: [lo, hi]}",
            additionalProperties: {
              type: 'object',
              properties: {
                reflect: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2, description: 'reflecting walls at lo < hi' },
                periodic: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2, description: 'period [lo, hi), lo < hi' },
              },
              minProperties: 1,
              additionalProperties: false,
            },
          },
        },
        required: ['replicas'],
        additionalProperties: false,
      },
      observe: {
        type: 'object',
        default: {},
        properties: {
          grid: {
            type: 'object',
            default: {},
            properties: {
              kind: { enum: ['linear', 'log'], default: 'log' },
              points: { type: 'integer', minimum: 2, maximum: 100000, default: 100 },
            },
            additionalProperties: false,
          },
          observables: { type: 'array', items: { type: 'string', minLength: 1 }, default: ['energy'] },
          histograms: {
            type: 'array',
            default: [],
            items: {
              type: 'object',
              properties: {
                of: { type: 'string', minLength: 1, description: 'observable' },
                bins: { type: 'integer', minimum: 1, maximum: 1e6, default: 100 },
                range: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2, description: '[lo, hi], lo < hi' },
                at: { enum: ['final', 'grid'], default: 'final' },
                from: { type: 'integer', minimum: 0, default: 0, description: 'first step included (at: grid)' },
              },
              required: ['of', 'range'],
              additionalProperties: false,
            },
          },
          events: {
            type: 'array',
            default: [],
            items: {
              type: 'object',
              properties: {
                name: { type: 'string', pattern: NAME_PATTERN },
                enter: {
                  type: 'object',
                  additionalProperties: bound,
                  minProperties: 1,
                  description: 'region: every listed observable within its bounds',
                },
                every: { type: 'integer', minimum: 1, default: 1, description: 'check cadence in steps' },
              },
              required: ['name', 'enter'],
              additionalProperties: false,
            },
          },
          finals: { type: 'boolean', default: true, description: 'write per-replica final values' },
        },
        additionalProperties: false,
      },
      analysis: { type: 'array', items: kindEntry, default: [] },
      theory: { type: 'array', items: kindEntry, default: [] },
      sampling: samplingSchema,
      splitting: splittingSchema,
      sweep: sweepSchema,
      regimes: regimesSchema,
      exchange: exchangeSchema,
    },
    required: ['name', 'potential', 'dynamics', 'ensemble'],
    additionalProperties: false,
  };
}

let builtFrom = integrators.list();
/**
 * The scenario schema the loader validates against. A live binding: it is
 * rebuilt by `currentScenarioSchema()` when the integrator registry changed.
 */
export let scenarioSchema: JsonSchema = buildScenarioSchema();

/** The scenario schema for the registries as they are now (rebuilt when an integrator was registered or removed). */
export function currentScenarioSchema(): JsonSchema {
  if (registryChanged(builtFrom)) {
    scenarioSchema = buildScenarioSchema();
    builtFrom = integrators.list();
  }
  return scenarioSchema;
}

/** An analysis kind's schema fragment, as the analysis registry declares it (for the published schema). */
export interface AnalysisKindSchema {
  name: string;
  description?: string;
  /** JSON Schema of one `analysis:` entry of this kind (`kind` included). */
  schema: JsonSchema;
}

export interface ScenarioJsonSchemaOptions {
  /**
   * The analysis kinds (the analysis layer sits above the scenario layer, so
   * its registry is passed in: `stochdyn schema` passes `analysisSchemas()`).
   * Without it, `analysis` entries are only required to have a `kind`.
   */
  analyses?: readonly AnalysisKindSchema[];
}

/**
 * The published JSON Schema (`stochdyn schema`): the scenario schema plus, per
 * registered potential family, an `if kind = … then params: <paramsSchema>`
 * so editors check and complete `potential.params`. Families registered after
 * the call are not included.
 */
export function scenarioJsonSchema(options: ScenarioJsonSchemaOptions = {}): JsonSchema {
  const s = structuredClone(currentScenarioSchema()) as JsonSchema & { properties: Record<string, JsonSchema> };
  const families = listPotentialFamilies();
  const pot = s.properties.potential as JsonSchema & { oneOf: Array<{ properties: Record<string, JsonSchema> }> };
  pot.oneOf[0].properties.kind = { ...pot.oneOf[0].properties.kind, examples: families.map((f) => f.name) };
  // Regime names are checked by the loader (for a readable message); editors get the pattern here.
  (s.properties.regimes as JsonSchema).propertyNames = { pattern: REGIME_NAME_PATTERN };
  pot.allOf = families.map((f) => ({
    if: { properties: { kind: { const: f.name } }, required: ['kind'] },
    then: { properties: { params: { description: f.description, ...structuredClone(f.paramsSchema) } } },
  }));
  if (options.analyses && options.analyses.length > 0) {
    const kinds = options.analyses;
    s.properties.analysis = {
      type: 'array',
      default: [],
      description: 'analyses computed after each run (scope run) or across a sweep (scope sweep); `stochdyn list analyses`',
      items: {
        type: 'object',
        properties: { kind: { enum: kinds.map((k) => k.name), description: 'analysis kind' } },
        required: ['kind'],
        allOf: kinds.map((k) => ({
          if: { properties: { kind: { const: k.name } }, required: ['kind'] },
          then: { ...(k.description ? { description: k.description } : {}), ...structuredClone(k.schema) },
        })),
      },
    };
  }
  return s;
}
