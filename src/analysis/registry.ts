/**
 * Registry of analyses named in a scenario's `analysis:` list. A kind is one
 * file that calls `registerAnalysis` once (imported from ./index.ts). Two
 * scopes:
 *   run   — computed after each run from its merged result; the results go
 *           into summary.json `analyses[]` (one entry per analysis entry);
 *   sweep — computed when a sweep is complete, from the points' summaries;
 *           the results go into the sweep directory's `analyses.json`.
 * Every entry is checked before anything runs: its kind (with a "did you
 * mean"), its keys and their types, and what the kind's own `check` says.
 * `phase` entries are validated by the scenario loader and written by the
 * sweep writer (phases.csv, phase-boundary.json), so they are skipped here.
 *
 * The registry is a `createRegistry` (duplicates throw, an unknown kind lists
 * the known ones with a did-you-mean). Each entry carries the JSON Schema
 * fragment of its entries (`schema`: declared, or derived from `keys` and
 * `required`); `analysisSchemas()` hands them to the published scenario schema.
 */
import type { Potential } from '../engine/types.js';
import type { RunResult } from '../parallel/merge.js';
import { createRegistry, RegistryLookupError, type JsonSchema } from '../engine/registry.js';
import { didYouMean, isSweepPoint, renderValue, type AnalysisKindSchema, type ScenarioIssue } from '../scenario/index.js';
import type { Scenario } from '../scenario/types.js';
import type { Summary } from './summary.js';
import { resolvePlan, type PlanEvent, type RunPlan } from '../plan/run-plan.js';

export type KeyType = 'number' | 'string' | 'boolean' | 'array' | 'object' | 'number|array';

export interface RunAnalysisContext {
  scenario: Scenario;
  /** The resolved run (src/plan/run-plan.ts): the η, θ, λ integrated, the events and their cadence. */
  plan: RunPlan;
  result: RunResult;
  potential: Potential;
  /** The summary as built so far (without `analyses`). */
  summary: Summary;
}

export interface SweepPointData {
  index: number;
  /** Swept key → value. */
  values: Record<string, unknown>;
  summary: Summary;
}

export interface SweepAnalysisContext {
  scenario: Scenario;
  /** The events of the sweep's runs (src/plan/run-plan.ts planEvents); θ, η, λ per point are in the points' summaries. */
  events: PlanEvent[];
  dir: string;
  /** Swept keys in order. */
  keys: string[];
  points: SweepPointData[];
}

interface AnalysisBase<E> {
  kind: string;
  description: string;
  /** Allowed keys besides `kind`, with their types. */
  keys: Record<string, KeyType>;
  required?: string[];
  /** JSON Schema of one entry (`kind` included); derived from `keys` and `required` when absent. */
  schema?: JsonSchema;
  /** Semantic checks (names of events, observables, swept keys …); paths relative to the entry, e.g. 'event'. */
  check?(entry: E, s: Scenario, potential: Potential, plan: RunPlan): Array<Omit<ScenarioIssue, 'path'> & { key: string }>;
  /** One line for terminal tables. */
  text?(result: Record<string, unknown>): string;
}

export interface RunAnalysis<E = Record<string, unknown>> extends AnalysisBase<E> {
  scope: 'run';
  run(entry: E, ctx: RunAnalysisContext): Record<string, unknown> | Promise<Record<string, unknown>>;
}

export interface SweepAnalysis<E = Record<string, unknown>> extends AnalysisBase<E> {
  scope: 'sweep';
  /** Synchronous: sweep analyses are fits over the points' summaries. */
  run(entry: E, ctx: SweepAnalysisContext): Record<string, unknown>;
}

export type Analysis = RunAnalysis | SweepAnalysis;

/** A registered analysis: its registry name is its kind, its schema fragment filled in. */
export type AnalysisEntry = Analysis & { name: string; schema: JsonSchema };

/** The analysis registry (`analysis[].kind`). */
export const analyses = createRegistry<AnalysisEntry>('analysis');
/** Kinds handled elsewhere (validated by the loader). */
const EXTERNAL = new Set(['phase']);

const KEY_SCHEMAS: Record<KeyType, JsonSchema> = {
  number: { type: 'number' },
  string: { type: 'string' },
  boolean: { type: 'boolean' },
  array: { type: 'array' },
  object: { type: 'object' },
  'number|array': { type: ['number', 'array'] },
};

/** The JSON Schema of one entry of an analysis kind, from its `keys` and `required`. */
export function schemaFromKeys(kind: string, keys: Record<string, KeyType>, required: readonly string[] = []): JsonSchema {
  return {
    type: 'object',
    properties: { kind: { const: kind }, ...Object.fromEntries(Object.entries(keys).map(([k, t]) => [k, KEY_SCHEMAS[t]])) },
    required: ['kind', ...required],
    additionalProperties: false,
  };
}

/** Register an analysis kind; throws if the kind is taken. */
export function registerAnalysis<E>(a: RunAnalysis<E> | SweepAnalysis<E>): void {
  if (EXTERNAL.has(a.kind)) throw new Error(`analysis '${a.kind}' is already registered (validated by the scenario loader)`);
  const entry = a as unknown as Analysis;
  analyses.register({
    ...entry,
    name: entry.kind,
    schema: entry.schema ?? schemaFromKeys(entry.kind, entry.keys, entry.required),
  } as AnalysisEntry);
}

export function getAnalysis(kind: string): Analysis | undefined {
  return analyses.find(kind);
}

const PHASE_DESCRIPTION = '(sweep) classify each point by a summary metric; phases.csv and the phase boundary';

export function listAnalyses(): Array<{ name: string; description: string }> {
  return [
    ...analyses.list().map((a) => ({ name: a.kind, description: `(${a.scope}) ${a.description}` })),
    { name: 'phase', description: PHASE_DESCRIPTION },
  ].sort((a, b) => a.name.localeCompare(b.name));
}

/** The schema fragment of every analysis kind (the loader's `phase` included), for `scenarioJsonSchema({ analyses })`. */
export function analysisSchemas(): AnalysisKindSchema[] {
  return [
    ...analyses.list().map((a) => ({ name: a.kind, description: `(${a.scope}) ${a.description}`, schema: a.schema })),
    {
      name: 'phase',
      description: PHASE_DESCRIPTION,
      schema: {
        type: 'object',
        properties: {
          kind: { const: 'phase' },
          metric: { type: 'string', description: "dotted path into each point's summary.json" },
          thresholds: { type: 'array', items: { type: 'number' } },
          labels: { type: 'array', items: { type: 'string' } },
        },
        required: ['kind', 'metric', 'thresholds', 'labels'],
        additionalProperties: false,
      },
    },
  ];
}

function typeOk(t: KeyType, v: unknown): boolean {
  switch (t) {
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'string':
      return typeof v === 'string';
    case 'boolean':
      return typeof v === 'boolean';
    case 'array':
      return Array.isArray(v);
    case 'object':
      return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'number|array':
      return (typeof v === 'number' && Number.isFinite(v)) || Array.isArray(v);
  }
}

/** Check every `analysis:` entry; issues carry paths like `analysis[2].event`. */
export function checkAnalyses(s: Scenario, potential: Potential, plan?: RunPlan): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  // Callers that check a scenario on its own (tests, tools) get the plan resolved here; runs pass theirs.
  const resolved = plan ?? (potential ? resolvePlan(s, potential) : undefined);
  s.analysis.forEach((entry, i) => {
    const at = `analysis[${i}]`;
    const before = issues.length;
    if (EXTERNAL.has(entry.kind)) return;
    let a: AnalysisEntry;
    try {
      a = analyses.get(entry.kind);
    } catch (e) {
      if (!(e instanceof RegistryLookupError)) throw e;
      const kinds = [...e.known, ...EXTERNAL].sort();
      issues.push({
        path: `${at}.kind`,
        expected: `a known analysis (${kinds.join(', ')})`,
        found: renderValue(entry.kind),
        hint: e.suggestion ? `Did you mean '${e.suggestion}'?` : 'See `stochdyn list analyses`.',
      });
      return;
    }
    if (a.scope === 'sweep' && !s.sweep) {
      // A sweep point (expandSweep removes `sweep`) keeps the sweep-scope entries:
      // they are checked on the sweep-level scenario, not on its points.
      if (isSweepPoint(s)) return;
      issues.push({
        path: `${at}.kind`,
        expected: `a scenario with a sweep: block ('${a.kind}' fits across sweep points)`,
        found: 'no sweep',
        hint: 'Add sweep: and run it with `stochdyn sweep`.',
      });
    }
    for (const [key, value] of Object.entries(entry)) {
      if (key === 'kind') continue;
      const t = a.keys[key];
      if (!t) {
        const guess = didYouMean(key, Object.keys(a.keys));
        issues.push({
          path: `${at}.${key}`,
          expected: `a known key of '${a.kind}' (${Object.keys(a.keys).join(', ')})`,
          found: `unknown key ${renderValue(key)}`,
          hint: guess ? `Did you mean '${guess}'?` : undefined,
        });
      } else if (!typeOk(t, value))
        issues.push({ path: `${at}.${key}`, expected: t === 'number|array' ? 'a number or a list' : `a ${t}`, found: renderValue(value) });
    }
    for (const key of a.required ?? [])
      if (!(key in entry)) issues.push({ path: `${at}.${key}`, expected: `a ${a.keys[key]} (required by '${a.kind}')`, found: 'nothing' });
    if (issues.length === before && a.check) {
      for (const { key, ...rest } of a.check(entry, s, potential, resolved!)) issues.push({ path: `${at}.${key}`, ...rest });
    }
  });
  return issues;
}

/** Run the run-scope analyses of a scenario, in order. */
export async function runRunAnalyses(ctx: RunAnalysisContext): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (const entry of ctx.scenario.analysis) {
    const a = analyses.find(entry.kind);
    if (!a || a.scope !== 'run') continue;
    out.push({ kind: entry.kind, ...(await a.run(entry, ctx)) });
  }
  return out;
}

/** Run the sweep-scope analyses of a sweep, in order. */
export function runSweepAnalyses(ctx: SweepAnalysisContext): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const entry of ctx.scenario.analysis) {
    const a = analyses.find(entry.kind);
    if (!a || a.scope !== 'sweep') continue;
    out.push({ kind: entry.kind, ...a.run(entry, ctx) });
  }
  return out;
}

/** The terminal line of an analysis result, if its kind has one. */
export function analysisText(result: Record<string, unknown>): string | undefined {
  const a = analyses.find(String(result.kind));
  return a?.text?.(result);
}
