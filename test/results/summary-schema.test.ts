/**
 * The summary.json JSON Schema (src/results/summary-schema.ts): the schema is
 * valid draft 2020-12; small runs of each kind of output validate against it
 * (events + histograms + theory + an analysis; posterior sampling; a partial
 * run; an interrupted run; a sweep point); mutated summaries do not (negative
 * controls: a wrong type, a missing required field, an unknown field in a
 * fixed block, a bad enum); the suite-wide check (validateSummaryIfAsked,
 * switched on by the setup file) throws on a bad summary; and every property
 * the schema names is documented in docs/outputs.md.
 *
 *   npm run build && npx vitest run test/results/summary-schema.test.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import type { Summary } from '../../src/analysis/summary.js';
import {
  summaryFieldsMarkdown,
  summaryJsonSchema,
  SummarySchemaError,
  validateSummary,
  validateSummaryIfAsked,
  VALIDATE_SUMMARY_ENV,
  type JsonSchema,
} from '../../src/results/summary-schema.js';
import { runScenario } from '../../src/runs/run.js';
import { runSweep } from '../../src/runs/sweep.js';
import { validateScenarioObject } from '../../src/scenario/index.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'stochdyn-summary-schema-'));
const readSummary = (dir: string): Summary => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as Summary;

/** Double well h(x² − 1)², replicas started in the left well; small enough to run in well under a second. */
function doubleWell(extra: Record<string, unknown> = {}) {
  return validateScenarioObject(
    {
      name: 'schema-check',
      seed: 5,
      potential: { kind: 'double-well', params: { h: 1 } },
      dynamics: { integrator: 'sgld', lr: 5e-3, temperature: 0.3, steps: 600 },
      ensemble: { replicas: 256, init: { kind: 'point', x: [-1] } },
      observe: {
        grid: { kind: 'log', points: 12 },
        observables: ['x', 'energy', 'well'],
        histograms: [{ of: 'x', bins: 24, range: [-2, 2] }],
        events: [{ name: 'escape', enter: { x: { ge: 0.5 } } }],
      },
      ...extra,
    },
    '',
  );
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('the summary.json schema', () => {
  it('is a valid draft 2020-12 schema that ajv compiles in strict mode', () => {
    const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, validateFormats: false });
    expect(ajv.validateSchema(summaryJsonSchema())).toBe(true);
    expect(() => ajv.compile(summaryJsonSchema())).not.toThrow();
    expect(summaryJsonSchema().$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('`stochdyn schema --summary` prints it; `stochdyn schema` still prints the scenario schema', () => {
    const cli = resolve(__dirname, '../../dist/src/cli/main.js');
    const summary = spawnSync(process.execPath, [cli, 'schema', '--summary'], { encoding: 'utf8' });
    expect(summary.status).toBe(0);
    expect(JSON.parse(summary.stdout)).toEqual(summaryJsonSchema());
    const scenario = spawnSync(process.execPath, [cli, 'schema'], { encoding: 'utf8' });
    expect(scenario.status).toBe(0);
    expect(JSON.parse(scenario.stdout)).not.toEqual(summaryJsonSchema());
    expect(JSON.parse(scenario.stdout).properties).toHaveProperty('potential');
  });

  it('the suite runs with summary validation switched on (setup file)', () => {
    expect(process.env[VALIDATE_SUMMARY_ENV]).toBe('1');
  });
});

describe('summaries written by runs validate', () => {
  let full: Summary;

  it('a run with events, histograms, theory overlays and a run-scope analysis', async () => {
    const dir = tmp();
    await runScenario(
      doubleWell({
        theory: [
          { kind: 'gibbs', of: 'x' },
          { kind: 'mfpt-1d', event: 'escape', from: -1, to: 0.5 },
        ],
        analysis: [{ kind: 'first-passage', event: 'escape' }],
      }),
      { out: dir, workers: 0 },
    );
    full = readSummary(dir);
    expect(validateSummary(full)).toEqual([]);
    // The blocks this picture is about are really there (else the check proves little).
    expect(Object.keys(full.events)).toEqual(['escape']);
    expect(full.histograms).toHaveLength(1);
    expect(full.theory.map((t) => (t as { kind: string }).kind)).toEqual(['gibbs', 'mfpt-1d']);
    expect(full.analyses.map((a) => a.kind)).toEqual(['first-passage']);
    expect(full.sampling).toBeUndefined();
  });

  it('a posterior-sampling run (chains, pooled posterior with a mixture fit)', async () => {
    const dir = tmp();
    await runScenario(
      doubleWell({
        sampling: { burn_in: 200, thin: 20, chains: ['x', 'energy'], posterior: [{ of: 'x', bins: 20, range: [-2, 2], mixture: 2 }] },
      }),
      { out: dir, workers: 0 },
    );
    const s = readSummary(dir);
    expect(validateSummary(s)).toEqual([]);
    expect(Object.keys(s.sampling!.chains)).toEqual(['x', 'energy']);
    expect(s.sampling!.posterior[0]!.mixture).not.toBeNull();
    expect(existsSync(join(dir, 'chains.csv'))).toBe(true);
  });

  it('a partial run (a shard failed twice) and an interrupted run (aborted before it starts)', async () => {
    const partialDir = tmp();
    const scenario = doubleWell({ ensemble: { replicas: 1024, init: { kind: 'point', x: [-1] } } });
    await runScenario(scenario, { out: partialDir, workers: 2, fault: { kind: 'throw', shard: 0, times: 2 } });
    const partial = readSummary(partialDir);
    expect(partial.run.status).toBe('partial');
    expect(partial.run.missing[0]!.errors.length).toBeGreaterThan(0);
    expect(validateSummary(partial)).toEqual([]);

    const interruptedDir = tmp();
    const abort = new AbortController();
    abort.abort();
    await runScenario(scenario, { out: interruptedDir, workers: 0, signal: abort.signal });
    const interrupted = readSummary(interruptedDir);
    expect(interrupted.run.status).toBe('interrupted');
    expect(interrupted.run.completedReplicas).toBe(0);
    expect(validateSummary(interrupted)).toEqual([]);
  });

  it('the points of a sweep', async () => {
    const dir = tmp();
    const scenario = doubleWell({ sweep: { 'dynamics.temperature': [0.2, 0.4] }, analysis: [{ kind: 'first-passage', event: 'escape' }] });
    const out = await runSweep(scenario, { out: dir, workers: 0 });
    expect(out.complete).toBe(true);
    const points = readdirSync(join(dir, 'points'));
    expect(points).toHaveLength(2);
    for (const p of points) expect(validateSummary(readSummary(join(dir, 'points', p)))).toEqual([]);
  });

  it('negative controls: a wrong type, a missing required field, an unknown field in a fixed block, a bad enum', () => {
    expect(full).toBeDefined();
    const wrongType = clone(full) as unknown as { run: { steps: unknown } };
    wrongType.run.steps = '600';
    expect(validateSummary(wrongType)).toContainEqual({ path: '/run/steps', message: 'must be integer' });

    const missing = clone(full) as unknown as { events: Record<string, Record<string, unknown>> };
    delete missing.events.escape!.mfpt;
    expect(validateSummary(missing)).toContainEqual({ path: '/events/escape', message: "missing field 'mfpt'" });

    const unknown = clone(full) as unknown as { divergence: Record<string, unknown> };
    unknown.divergence.total = 0;
    expect(validateSummary(unknown)).toContainEqual({ path: '/divergence', message: "unknown field 'total'" });

    const topLevel = clone(full) as unknown as Record<string, unknown>;
    topLevel.extra = true;
    expect(validateSummary(topLevel)).toContainEqual({ path: '/', message: "unknown field 'extra'" });

    const badEnum = clone(full) as unknown as { run: { status: string } };
    badEnum.run.status = 'done';
    expect(validateSummary(badEnum).map((i) => i.path)).toContain('/run/status');

    const wrongSchema = clone(full) as unknown as { schema: string };
    wrongSchema.schema = 'stochdyn.summary/2';
    expect(validateSummary(wrongSchema).map((i) => i.path)).toContain('/schema');
  });

  it('open blocks stay open: per-kind analysis and theory fields, and the dynamics block', () => {
    const open = clone(full) as unknown as Record<string, unknown> & {
      analyses: Array<Record<string, unknown>>;
      theory: Array<Record<string, unknown>>;
    };
    open.analyses[0]!.somethingNew = [1, 2, 3];
    open.theory[0]!.somethingNew = { a: 1 };
    open.dynamics = { perGroup: { w: { integrated: 1.5 } } };
    expect(validateSummary(open)).toEqual([]);
    // …but each entry still needs its kind.
    delete open.analyses[0]!.kind;
    expect(validateSummary(open)).toContainEqual({ path: '/analyses/0', message: "missing field 'kind'" });
  });

  it('validateSummaryIfAsked throws a SummarySchemaError naming the file and field while the variable is set, and is a no-op otherwise', () => {
    const bad = clone(full) as unknown as { run: Record<string, unknown> };
    delete bad.run.seed;
    expect(() => validateSummaryIfAsked(bad as unknown as Summary, '/x/summary.json')).toThrow(SummarySchemaError);
    expect(() => validateSummaryIfAsked(bad as unknown as Summary, '/x/summary.json')).toThrow(
      /\/x\/summary\.json.*\n.*\/run: missing field 'seed'/,
    );
    expect(() => validateSummaryIfAsked(full)).not.toThrow();
    const saved = process.env[VALIDATE_SUMMARY_ENV];
    try {
      process.env[VALIDATE_SUMMARY_ENV] = '0';
      expect(() => validateSummaryIfAsked(bad as unknown as Summary)).not.toThrow();
    } finally {
      process.env[VALIDATE_SUMMARY_ENV] = saved;
    }
  });
});

/** Every property name declared anywhere in a schema (nested properties, items, anyOf, additionalProperties). */
function propertyNames(schema: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) for (const s of schema) propertyNames(s, out);
  else if (schema && typeof schema === 'object') {
    const s = schema as JsonSchema;
    if (s.properties && typeof s.properties === 'object') for (const k of Object.keys(s.properties)) out.add(k);
    for (const v of Object.values(s)) propertyNames(v, out);
  }
  return out;
}

describe('docs/outputs.md documents the schema', () => {
  const doc = readFileSync(resolve(__dirname, '../../docs/outputs.md'), 'utf8');

  it('its summary.json field table is the one generated from the schema (summaryFieldsMarkdown)', () => {
    const block = /<!-- summary-fields:begin -->\n([\s\S]*?)<!-- summary-fields:end -->/.exec(doc);
    expect(block, 'docs/outputs.md has no summary-fields block').not.toBeNull();
    expect(block![1]).toBe(summaryFieldsMarkdown());
  });

  it('every property of the summary.json schema is named in docs/outputs.md (as `name`)', () => {
    const names = [...propertyNames(summaryJsonSchema())];
    expect(names.length).toBeGreaterThan(80);
    const undocumented = names.filter((n) => !doc.includes('`' + n + '`') && !doc.includes('.' + n + '`'));
    expect(undocumented).toEqual([]);
  });
});
