/**
 * The JSON Schema (draft 2020-12) of summary.json, `stochdyn.summary/1`:
 * written from the `Summary` type (src/analysis/summary.ts), the first-passage
 * block (src/analysis/event-stats.ts), the sampling block
 * (src/analysis/sampling.ts, src/stats/mcmc.ts) and the theory overlays and
 * analyses (src/analysis/theory-overlays.ts, src/analysis/index.ts).
 *
 * Strict (additionalProperties: false) where the format is fixed; open where
 * the content depends on a kind: each theory overlay and each analysis result
 * (an object with `kind`, the rest per kind), and the `dynamics` block, which
 * is growing (per-group integrated values) and only promised to be an object.
 *
 * Non-finite numbers are written as null (src/results/write.ts, jsonReplacer),
 * so every statistic that can be NaN or ±∞ is `number | null` here. The
 * schema is also the source of the field table of docs/outputs.md (a test
 * checks that every property named here is documented there).
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import { SUMMARY_SCHEMA, type Summary } from '../analysis/summary.js';
import { jsonReplacer } from './write.js';

/** A JSON Schema fragment (plain JSON). */
export type JsonSchema = Record<string, unknown>;

/** The `$id` of the summary schema. */
export const SUMMARY_SCHEMA_ID = 'https://stochdyn.dev/schema/summary-1.json';

/** Environment variable: when set (to anything but '' or '0'), {@link validateSummaryIfAsked} validates and throws. */
export const VALIDATE_SUMMARY_ENV = 'STOCHDYN_VALIDATE_SUMMARY';

const integer = (description: string, minimum = 0): JsonSchema => ({ type: 'integer', minimum, description });
const number = (description: string): JsonSchema => ({ type: 'number', description });
/** A statistic that is null when undefined (no sample) or not finite. */
const numberOrNull = (description: string): JsonSchema => ({ type: ['number', 'null'], description });
const string = (description: string): JsonSchema => ({ type: 'string', description });
const interval = (description: string): JsonSchema => ({
  type: ['array', 'null'],
  prefixItems: [{ type: 'number' }, { type: 'number' }],
  minItems: 2,
  maxItems: 2,
  description,
});
const range = (description: string): JsonSchema => ({
  type: 'array',
  prefixItems: [{ type: 'number' }, { type: 'number' }],
  minItems: 2,
  maxItems: 2,
  description,
});

/** An object whose properties are all required and no other property is allowed. */
function fixed(description: string, properties: Record<string, JsonSchema>, optional: string[] = []): JsonSchema {
  return {
    type: 'object',
    description,
    properties,
    required: Object.keys(properties).filter((k) => !optional.includes(k)),
    additionalProperties: false,
  };
}

/** An object keyed by names the scenario chooses (observables, events, groups). */
const mapOf = (description: string, value: JsonSchema): JsonSchema => ({ type: 'object', description, additionalProperties: value });

/** An open per-kind result: `kind` is fixed, the rest depends on the kind. */
const perKind = (description: string): JsonSchema => ({
  type: 'object',
  description,
  properties: { kind: string('The kind named in the scenario entry.') },
  required: ['kind'],
  additionalProperties: true,
});

const distribution = fixed('Exact statistics of the final values over the replicas that did not diverge (NaNs dropped); null when n = 0.', {
  n: integer('Values used.'),
  mean: numberOrNull('Sample mean.'),
  std: numberOrNull('Sample standard deviation (n − 1 denominator; 0 for n = 1).'),
  sem: numberOrNull('Standard error of the mean, std/√n.'),
  min: numberOrNull('Smallest value.'),
  q05: numberOrNull('5 % quantile (linear interpolation between order statistics).'),
  q25: numberOrNull('25 % quantile.'),
  q50: numberOrNull('Median.'),
  q75: numberOrNull('75 % quantile.'),
  q95: numberOrNull('95 % quantile.'),
  max: numberOrNull('Largest value.'),
});

const firstPassage = fixed(
  'First passage into the event region (censored at the last step, or at the divergence step of a diverged replica).',
  {
    replicas: integer('Replicas observed.'),
    entered: integer('Replicas that entered the region.'),
    censored: integer('Replicas that did not (right-censored).'),
    fractionEntered: number('entered / replicas (0 without replicas).'),
    meanStepsEntered: numberOrNull('Mean entry step over the replicas that entered (biased low under censoring); null when none entered.'),
    rate: fixed('Escape rate of the censored exponential model (maximum likelihood: entries / exposure).', {
      perStep: numberOrNull('Rate per step.'),
      ci95PerStep: interval('95 % interval of the rate per step (χ² bounds).'),
      perTime: numberOrNull('Rate per unit of physical time t = step·η.'),
      ci95PerTime: interval('95 % interval of the rate per unit time.'),
    }),
    mfpt: fixed('Mean first-passage time, 1/rate of the censored exponential model.', {
      steps: numberOrNull('MFPT in steps; null when no replica entered.'),
      ci95Steps: interval('95 % interval in steps.'),
      time: numberOrNull('MFPT in physical time t = step·η.'),
      ci95Time: interval('95 % interval in physical time.'),
    }),
    medianSteps: numberOrNull('Kaplan–Meier median first-passage step; null while the survival stays above ½.'),
  },
);

const chainSummary = fixed('Diagnostics of one chain observable (one chain per replica; chains with a non-finite value left out).', {
  n: integer('Draws used (chains × draws per chain).'),
  chains: integer('Chains used.'),
  mean: numberOrNull('Posterior mean (mean of all draws).'),
  sd: numberOrNull('Posterior standard deviation (sample sd of all draws).'),
  mcse: numberOrNull('Monte Carlo standard error of the mean, sd/√ess (0 for constant chains); null with fewer than 4 draws per chain.'),
  ess: numberOrNull(
    'Effective sample size, split chains (Vehtari et al. 2021); null with fewer than 4 draws per chain or constant chains.',
  ),
  rhat: numberOrNull('Rank-normalised split R-hat (Vehtari et al. 2021); null with fewer than 4 draws per chain.'),
});

const mixture = fixed('Gaussian mixture fitted to the histogram, number of components chosen by BIC.', {
  components: integer('Components chosen.', 1),
  weights: { type: 'array', items: { type: 'number' }, description: 'Weight of each component (sum 1).' },
  means: { type: 'array', items: { type: 'number' }, description: 'Mean of each component (units of the observable).' },
  sds: { type: 'array', items: { type: 'number' }, description: 'Standard deviation of each component.' },
  logLikelihood: numberOrNull('Log-likelihood of the fit at sample size n.'),
  bic: {
    type: 'array',
    items: { type: ['number', 'null'] },
    description: 'BIC per number of components tried (index k − 1); the smallest was chosen.',
  },
  n: number('Sample size of BIC: the effective number of in-range values, min(inRange, ess·inRange/samples).'),
  modes: {
    type: 'array',
    items: { type: 'number' },
    description: 'Local maxima of the fitted density inside the range (two or more: bimodal).',
  },
});

const posterior = fixed('Pooled posterior histogram of one observable (units × replicas × samples).', {
  of: string('Observable.'),
  units: integer('Values per replica per sample (1 for a scalar observable).', 1),
  bins: integer('Number of bins.', 1),
  range: range('[lower, upper] of the histogram.'),
  samples: integer('Finite values pooled (diverged replicas excluded).'),
  inRange: integer('Of these, inside the range.'),
  ess: numberOrNull(
    'Bulk ESS of the pooled values (rank-normalised split chains over the first essReplicas replicas, scaled to all); null with fewer than 4 samples per replica.',
  ),
  essReplicas: integer('Replicas whose chains entered the ESS.'),
  underflow: integer('Values below the range.'),
  overflow: integer('Values above the range.'),
  counts: { type: 'array', items: { type: 'integer', minimum: 0 }, description: 'Count per bin.' },
  negLogP: {
    type: 'array',
    items: { type: ['number', 'null'] },
    description: '−ln p per bin, p = count/(inRange·bin width); null for an empty bin.',
  },
  mixture: {
    anyOf: [mixture, { type: 'null' }],
    description: 'The mixture fit; null when sampling.posterior[].mixture is 0 or no value is in range.',
  },
});

const predictive = fixed(
  'Posterior-predictive metrics on the held-out set (or, for a potential trained on every point, on the training set: see `set`).',
  {
    points: integer('Predicted points.'),
    set: {
      enum: ['held-out', 'training'],
      description:
        'Which points: `held-out`, or `training` when the potential trains on every point (modular addition on the whole table).',
    },
    size: integer('Predicted values per replica.'),
    samples: integer('Samples averaged over all replicas.'),
    replicas: integer('Replicas that contributed.'),
    posteriorMean: mapOf(
      'Metric name → value of the posterior-mean predictor (the average prediction over every sample of every replica).',
      {
        type: ['number', 'null'],
      },
    ),
    perReplica: mapOf(
      "Metric name → statistics of each replica's own posterior-mean predictor over the replicas.",
      fixed('Metric over replicas.', {
        n: integer('Replicas.'),
        mean: numberOrNull('Mean over replicas.'),
        sem: numberOrNull('Standard error of that mean.'),
      }),
    ),
  },
  ['set'],
);

const estimate = (description: string): JsonSchema =>
  fixed(description, {
    mean: numberOrNull('Estimate.'),
    se: numberOrNull('Standard error (from the spread over repetitions; delta method for derived values).'),
    ci95: interval('95 % confidence interval, estimate ± 1.96 SE.'),
  });

const splitting = fixed('Rare-event splitting (docs/splitting.md); present only when the scenario has a `splitting:` section.', {
  method: { const: 'ams', description: 'Adaptive multilevel splitting (generalised, unbiased with ties).' },
  walkers: integer('Walkers N per repetition.', 2),
  kill: integer('Walkers killed per iteration k (ties at the level are killed too).', 1),
  repetitions: integer('Independent AMS repetitions R.', 1),
  coordinate: string('Reaction coordinate ξ: the coordinate, the formula or the observable named by splitting.coordinate.'),
  level: number('Level z₀ of ξ whose first crossings start the walkers.'),
  probability: estimate('p = P(reach B before A | first crossing of z₀): mean of the R unbiased estimates.'),
  relativeVariance: numberOrNull('Var(p̂)/p̄² of one repetition.'),
  flux: numberOrNull('Rate Φ of first crossings of z₀ out of A (per unit time).'),
  timeToLevel: numberOrNull('Mean time T₁ from (re)entering A to crossing z₀.'),
  timeBack: numberOrNull('Mean time T₂ from crossing z₀ back into A.'),
  reactiveTime: numberOrNull('Mean duration of the reactive paths z₀ → B.'),
  mfpt: estimate('Mean first-passage time A → B: T₁/p + (1/p − 1) T₂ + T₃ (physical time).'),
  rate: estimate('Escape rate 1/MFPT.'),
  iterations: number('Mean iterations per repetition.'),
  extinct: integer('Repetitions in which every walker was killed (p̂ = 0).'),
  incomplete: integer('Repetitions stopped by a step or iteration guard.'),
  replicaSteps: integer('Integrator steps of all repetitions (equilibrium trajectories + walkers).'),
  bruteForceSteps: numberOrNull('Replica-steps brute force needs for the same relative error of the MFPT: (MFPT/η)/relErr².'),
  perRepetition: {
    type: 'array',
    description: 'One entry per repetition.',
    items: fixed('One repetition.', {
      repetition: integer('Index r (part of every stream key).'),
      probability: number('p̂ of this repetition.'),
      iterations: integer('Iterations.'),
      reached: integer('Walkers in B at the end.'),
      replicaSteps: integer('Integrator steps.'),
    }),
  },
});

const sampling = fixed('Posterior sampling results; present only when the scenario has a `sampling:` section.', {
  burnIn: integer('Steps discarded before the first sample.'),
  thin: integer('Steps between samples.', 1),
  samplesPerReplica: integer('Samples kept per replica.'),
  firstSampleStep: integer('Step of the first sample.'),
  lastSampleStep: integer('Step of the last sample.'),
  chains: mapOf('Chain observable → diagnostics (the per-sample values are in chains.csv).', chainSummary),
  posterior: { type: 'array', items: posterior, description: 'One pooled histogram per sampling.posterior entry.' },
  predictive: {
    anyOf: [predictive, { type: 'null' }],
    description: 'Posterior-predictive metrics; null when the potential has none (no held-out set and not trained on every point).',
  },
  warnings: {
    type: 'array',
    items: { type: 'string' },
    description: 'What a user should read: low ESS, high R-hat, values out of range, too few samples.',
  },
});

const stepSizes = fixed(
  'Present with dynamics.step_size: the learning rate chosen per group, lr_g = c·preconditioner_g/(safety·curvature).',
  {
    lr: mapOf('Parameter group → chosen learning rate η_g.', { type: 'number' }),
    curvature: numberOrNull('Curvature estimate L (largest of the probes).'),
    perProbe: { type: 'array', items: { type: ['number', 'null'] }, description: 'Curvature estimate of each probe.' },
    preconditioner: mapOf('Parameter group → preconditioner factor.', { type: 'number' }),
    c: number('dynamics.step_size.c.'),
    safety: number('dynamics.step_size.safety.'),
  },
);

const run = fixed(
  'The run: what was asked, what completed, and the settings that define it.',
  {
    id: string('Run id: UTC start time and seed, e.g. 20250101-120000-seed7.'),
    seed: integer('The scenario seed: with `run` and the replica index it keys every random stream.'),
    run: integer('Run index: the point index in a sweep; 0 for a single run and for every regime (so regimes share their random numbers).'),
    status: {
      enum: ['completed', 'partial', 'interrupted'],
      description:
        "'completed'; 'partial' when some replicas have no result (their shard failed twice, see missing); 'interrupted' when SIGINT/SIGTERM stopped the run.",
    },
    replicas: integer('Replicas asked for (ensemble.replicas).', 1),
    completedReplicas: integer('Replicas with results: every statistic of the summary is over these.'),
    missing: {
      type: 'array',
      description: 'Replica ranges without results ([] when completed).',
      items: fixed('A range of replicas without results.', {
        first: integer('First replica of the range.'),
        count: integer('Replicas in the range.', 1),
        status: { enum: ['failed', 'interrupted'], description: 'Why the range has no results.' },
        errors: { type: 'array', items: { type: 'string' }, description: 'One message per failed attempt.' },
      }),
    },
    dim: integer('Dimension of the parameter vector.', 1),
    coordinates: { type: 'array', items: { type: 'string' }, description: 'Names of the coordinates (length dim).' },
    integrator: string('dynamics.integrator.'),
    lr: number(
      "Step size η integrated on every coordinate (the first step's value under a schedule); when the groups differ, the scenario-wide dynamics.lr (see groups).",
    ),
    temperature: number(
      "Temperature θ integrated on every coordinate (the first step's value under a schedule; 0 = deterministic optimizer); when the groups differ, the scenario-wide dynamics.temperature (see groups).",
    ),
    weightDecay: number(
      'Weight decay λ integrated on every coordinate; when the groups differ, the scenario-wide dynamics.weight_decay (see groups).',
    ),
    uniform: { type: 'boolean', description: 'True when every coordinate has the same η, θ and λ.' },
    groups: mapOf(
      'Present when the groups differ in η, θ or λ: the values integrated, per parameter group.',
      fixed('One parameter group.', {
        size: integer('Coordinates in the group.', 1),
        lr: number('η of the group.'),
        temperature: number('θ of the group.'),
        weightDecay: number('λ of the group.'),
      }),
    ),
    steps: integer('Steps run.'),
    physicalTime: number('Physical time of the run, t = Σ η_k over the steps (steps·η for a constant η).'),
    observationPoints: integer('Points of the observation time grid (rows per observable in traces.csv).'),
    stepSizes,
  },
  ['stepSizes', 'weightDecay', 'uniform', 'groups'],
);

const histogramEntry = fixed('A histogram recorded by observe.histograms (the bins are in histograms.json).', {
  of: string('Observable.'),
  bins: integer('Number of bins.', 1),
  range: range('[lower, upper].'),
  at: { enum: ['final', 'grid'], description: "'final': final values; 'grid': every observation point from step `from` on." },
  from: integer('First step recorded.'),
  samples: integer('Values recorded (in range and out).'),
  underflow: integer('Values below the range.'),
  overflow: integer('Values above the range.'),
});

const divergence = fixed('Replicas that diverged (NaN/∞ energy or parameters): marked and left out, the others go on.', {
  count: integer('Diverged replicas.'),
  fraction: number('count / completedReplicas.'),
  firstStep: { type: ['integer', 'null'], minimum: 0, description: 'Earliest divergence step; null when none diverged.' },
  byReason: mapOf('Reason → count.', { type: 'integer', minimum: 0 }),
  examples: {
    type: 'array',
    maxItems: 20,
    description: 'The first (at most 20) diverged replicas in replica order.',
    items: fixed('A diverged replica.', {
      replica: integer('Replica id.'),
      step: integer('Step of divergence.'),
      reason: string('Reason.'),
    }),
  },
});

const timing = fixed('Wall-clock facts: the only block that differs between identical runs.', {
  workers: integer('Worker threads (0 = the calling thread).'),
  startedAt: { type: 'string', format: 'date-time', description: 'Start, ISO 8601 UTC.' },
  finishedAt: { type: 'string', format: 'date-time', description: 'End of the ensemble, ISO 8601 UTC.' },
  wallSeconds: number('finishedAt − startedAt in seconds.'),
  replicaStepsPerSecond: number('completedReplicas·steps / wallSeconds.'),
});

/** The JSON Schema of summary.json (a fresh object on each call). */
export function summaryJsonSchema(): JsonSchema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: SUMMARY_SCHEMA_ID,
    title: 'stochdyn run summary (summary.json)',
    description:
      'The summary of one run. Everything except `timing` is a deterministic function of (scenario, seed, run) and the kernels of `stochdyn.kernels`: identical for any number of workers, shards or resumes. Non-finite numbers are written as null.',
    ...fixed(
      'summary.json',
      {
        schema: { const: SUMMARY_SCHEMA, description: 'Format name and version; additive changes keep the version.' },
        stochdyn: fixed(
          'The program that wrote the file.',
          {
            version: string('package version.'),
            kernels: string(
              "How the potential's energy and gradient were computed, for potentials with a choice of kernels (e.g. `native avx2+fma, float64`, `wasm SIMD, float64`, `js`): network runs with different kernels agree to rounding, not bit for bit.",
            ),
          },
          ['kernels'],
        ),
        scenario: fixed('The scenario that was run.', {
          name: string('Scenario name.'),
          description: string('Scenario description.'),
          source: string('Absolute path of the scenario file (empty for a scenario built in code).'),
        }),
        run,
        dynamics: {
          type: 'object',
          description: 'Integrated dynamics per parameter group (open: its fields are per integrator and still growing).',
          additionalProperties: true,
        },
        rng: fixed('The random number generation, in words.', {
          generator: string('Per-replica generator.'),
          normals: string('Normal variates.'),
          seeding: string('How the stream of replica r is derived from (seed, run, r).'),
        }),
        observables: mapOf('Observable → statistics of its final values.', fixed('One observable.', { final: distribution })),
        histograms: { type: 'array', items: histogramEntry, description: 'One entry per observe.histograms entry, in order.' },
        events: mapOf('Event name → first-passage statistics.', firstPassage),
        divergence,
        theory: {
          type: 'array',
          items: perKind('One theory overlay result (scenario `theory:` entry); `skipped` says why when it could not be computed.'),
          description: 'Theory overlays, in scenario order.',
        },
        analyses: {
          type: 'array',
          items: perKind('One run-scope analysis result (scenario `analysis:` entry).'),
          description: 'Results of the run-scope analyses, in order; [] when none.',
        },
        sampling,
        splitting,
        timing,
      },
      ['dynamics', 'sampling', 'splitting'],
    ),
  };
}

/** One validation problem: where (a JSON pointer into summary.json) and what. */
export interface SummaryIssue {
  path: string;
  message: string;
}

let compiled: ValidateFunction | null = null;

function validator(): ValidateFunction {
  if (!compiled) {
    // `format` is annotation only here (no ajv-formats): date-time strings are checked as strings.
    const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, validateFormats: false });
    compiled = ajv.compile(summaryJsonSchema());
  }
  return compiled;
}

const issueOf = (e: ErrorObject): SummaryIssue => ({
  path: e.instancePath || '/',
  message:
    e.keyword === 'additionalProperties'
      ? `unknown field '${(e.params as { additionalProperty: string }).additionalProperty}'`
      : e.keyword === 'required'
        ? `missing field '${(e.params as { missingProperty: string }).missingProperty}'`
        : (e.message ?? e.keyword),
});

/** Validate a summary (as parsed JSON) against the schema: [] when it conforms. */
export function validateSummary(summary: unknown): SummaryIssue[] {
  const validate = validator();
  if (validate(summary)) return [];
  return (validate.errors ?? []).map(issueOf);
}

/** A summary that does not conform to its schema. */
export class SummarySchemaError extends Error {
  constructor(
    readonly file: string,
    readonly issues: SummaryIssue[],
  ) {
    super(
      `${file}: does not conform to the summary.json schema (${SUMMARY_SCHEMA}):\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`,
    );
    this.name = 'SummarySchemaError';
  }
}

/**
 * When {@link VALIDATE_SUMMARY_ENV} is set (the test suite sets it), validate
 * the summary as it will be written (JSON round trip: non-finite numbers
 * become null) and throw a {@link SummarySchemaError} when it does not
 * conform. A no-op otherwise, so runs pay nothing.
 */
export function validateSummaryIfAsked(summary: Summary, file = 'summary.json'): void {
  const flag = process.env[VALIDATE_SUMMARY_ENV];
  if (!flag || flag === '0') return;
  const asWritten: unknown = JSON.parse(JSON.stringify(summary, jsonReplacer));
  const issues = validateSummary(asWritten);
  if (issues.length > 0) throw new SummarySchemaError(file, issues);
}

/** The type of a schema fragment in words: `integer`, `number | null`, `"a" | "b"`, `object`, `array of number`. */
function typeText(schema: JsonSchema): string {
  if ('const' in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (Array.isArray(schema.anyOf)) return (schema.anyOf as JsonSchema[]).map(typeText).join(' | ');
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : typeof schema.type === 'string' ? [schema.type] : [];
  const items = schema.items as JsonSchema | undefined;
  const prefix = schema.prefixItems as JsonSchema[] | undefined;
  return types
    .map((t) => {
      if (t !== 'array') return t;
      if (prefix) return `[${prefix.map(typeText).join(', ')}]`;
      if (items && !(items.type === 'object' && items.properties)) {
        const inner = typeText(items);
        return `array of ${inner.includes(' | ') ? `(${inner})` : inner}`;
      }
      return 'array';
    })
    .join(' | ');
}

/**
 * The field table of summary.json, rendered from the schema as Markdown rows
 * (`| field | type | meaning |`): one row per property, nested paths dotted,
 * array items as `[]`, names chosen by the scenario as `<name>`, optional
 * fields marked. docs/outputs.md carries this table verbatim (a test checks it).
 */
export function summaryFieldsMarkdown(schema: JsonSchema = summaryJsonSchema()): string {
  const rows: string[] = ['| field | type | meaning |', '|---|---|---|'];
  const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const walk = (node: JsonSchema, path: string) => {
    // An object-or-null: document the object's fields.
    const object = Array.isArray(node.anyOf) ? (node.anyOf as JsonSchema[]).find((s) => s.type === 'object') : node;
    if (!object) return;
    const properties = object.properties as Record<string, JsonSchema> | undefined;
    if (properties) {
      const required = new Set((object.required as string[] | undefined) ?? []);
      for (const [name, child] of Object.entries(properties)) {
        const childPath = path ? `${path}.${name}` : name;
        const optional = required.has(name) ? '' : ' (optional)';
        rows.push(`| \`${childPath}\` | ${cell(typeText(child))}${optional} | ${cell(String(child.description ?? ''))} |`);
        walk(child, childPath);
      }
    }
    const items = object.items as JsonSchema | undefined;
    if (items && typeof items === 'object') walk(items, `${path}[]`);
    const map = object.additionalProperties;
    if (map && typeof map === 'object' && !properties) {
      const entry = map as JsonSchema;
      if (entry.type === 'object' || Array.isArray(entry.anyOf)) walk(entry, `${path}.<name>`);
    }
  };
  walk(schema, '');
  return rows.join('\n') + '\n';
}
