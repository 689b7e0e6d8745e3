/**
 * Theory overlays named in a scenario's `theory:` list, computed by
 * quadrature and closed forms (src/theory) and compared with the run. Each
 * kind is one entry of the overlay registry (`theoryOverlayKinds`, the shared
 * registry shape of src/engine/registry.ts): name, description, a JSON Schema
 * fragment for its keys, `check` and `compute`. Built in:
 *   gibbs   — 1-D: histogram of a coordinate vs exp(−(f + λx²/2)/θ)/Z (Pearson χ²)
 *   mfpt-1d — 1-D: exact mean first-passage time and the Kramers asymptote vs
 *             the measured (censored-MLE) MFPT of an event
 *   toy-addition — the effective theory of a toy-addition split (toy-addition-theory.ts)
 *   modular-addition-mean-field — the mean-field theory of modular addition on the
 *             whole table (modular-addition-theory.ts)
 *   teacher-student-gp — the GP (NNGP) limit of teacher-student-erf on the run's
 *             own data set (teacher-student-theory.ts)
 * Every θ, η and λ comes from the run plan (the values integrated), never
 * from the raw `dynamics:` section.
 */
import { createRegistry, type JsonSchema, type RegistryEntry } from '../engine/registry.js';
import type { Potential } from '../engine/types.js';
import type { RunResult } from '../parallel/merge.js';
import type { Scenario } from '../scenario/types.js';
import { didYouMean, renderValue, type ScenarioIssue } from '../scenario/index.js';
import { chiSquareSf } from '../stats/special.js';
import { gibbsDensity1D } from '../theory/gibbs.js';
import { kramersRate, meanFirstPassageTime } from '../theory/mfpt.js';
import { temperatureScheduled, temperatureText, uniformThermostat, type RunPlan, planTime, wallOf } from '../plan/run-plan.js';
import { eventIssue, firstPassageSummary } from './event-stats.js';
import { checkToyAdditionTheory, toyAdditionOverlay } from './toy-addition-theory.js';
import { checkModularAdditionTheory, modularAdditionTheoryOverlay } from './modular-addition-theory.js';
import { checkTeacherStudentTheory, teacherStudentTheoryOverlay } from './teacher-student-theory.js';
import { scalarEnergy, wideInterval } from './energy.js';
import { levelPhrase, SIGNIFICANCE_LEVEL } from './significance.js';
import { normalisabilityProblem } from './wells.js';

/** What an overlay's check sees: the scenario (observe section), its run plan and the built potential. */
export interface TheoryCheckContext {
  scenario: Scenario;
  plan: RunPlan;
  potential: Potential;
}

/** What an overlay's compute sees: the check context and the merged result. */
export interface TheoryComputeContext extends TheoryCheckContext {
  result: RunResult;
  /** Per histogram of the result: the overlay drawn on it (set by the kinds that draw one). */
  histograms: (HistogramOverlay | null)[];
}

/** One theory overlay kind. */
export interface TheoryOverlayEntry extends RegistryEntry {
  readonly name: string;
  readonly description: string;
  /**
   * JSON Schema fragment of the entry's keys besides `kind`
   * (`{type: 'object', properties, required}`); the generic key and type
   * checks, and the scenario schema, are built from it.
   */
  readonly schema: JsonSchema & {
    properties: Record<string, JsonSchema & { type: 'number' | 'string' | 'boolean' | 'array' }>;
    required?: string[];
  };
  /** Semantic checks of one entry (events, histograms, dimension, temperature); paths are absolute (`theory[i].event`). */
  check(entry: Record<string, unknown>, context: TheoryCheckContext, at: string): ScenarioIssue[];
  /** The summary entries of one `theory:` entry (several when it applies to several histograms). */
  compute(entry: Record<string, unknown>, context: TheoryComputeContext): Promise<unknown[]> | unknown[];
}

/** The theory overlay registry; `theory: [{kind}]` is looked up here. */
export const theoryOverlayKinds = createRegistry<TheoryOverlayEntry>('theory overlay');

/** Significance level of the gibbs overlay's verdict (stated in its text): the one level of every verdict, src/analysis/significance.ts. */
export const GIBBS_LEVEL = SIGNIFICANCE_LEVEL;

export function listTheoryKinds(): Array<{ name: string; description: string }> {
  return theoryOverlayKinds.list().map((k) => ({ name: k.name, description: k.description }));
}

/**
 * What the 1-D overlays need: a 1-D potential and one θ > 0 and λ on every
 * coordinate (the stationary law exp(−(f + λ|x|²/2)/θ) holds only then).
 */
function oneDimensionalIssues(kind: string, { plan }: TheoryCheckContext, at: string): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  if (plan.dim !== 1) issues.push({ path: `${at}.kind`, expected: `a 1-D potential for '${kind}'`, found: `dim = ${plan.dim}` });
  const thermostat = uniformThermostat(plan);
  if (temperatureScheduled(plan))
    issues.push({
      path: `${at}.kind`,
      expected: `a constant temperature for '${kind}' (its prediction holds at one θ)`,
      found: 'a temperature schedule',
      hint: 'Remove this overlay for an annealed run, or run at a constant temperature.',
    });
  else if (!thermostat)
    issues.push({
      path: `${at}.kind`,
      expected: `one temperature and weight decay on every coordinate for '${kind}'`,
      found: `${temperatureText(plan)}, λ per group (${plan.groups.map((g) => `${g.name}: ${g.weightDecay}`).join(', ')})`,
    });
  else if (!(thermostat.temperature > 0))
    issues.push({ path: `${at}.kind`, expected: `dynamics.temperature > 0 for '${kind}'`, found: String(thermostat.temperature) });
  return issues;
}

/**
 * Check a scenario's `theory:` entries against the overlay registry and
 * against the run (events, histograms, dimension, the temperature integrated):
 * every problem becomes a ScenarioIssue, so a misspelt overlay is an error,
 * not a silently skipped entry.
 */
export function checkTheory(s: Scenario, plan: RunPlan, potential: Potential): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const kinds = theoryOverlayKinds.names();
  s.theory.forEach((t, i) => {
    const at = `theory[${i}]`;
    const spec = theoryOverlayKinds.find(t.kind);
    if (!spec) {
      const guess = didYouMean(t.kind, kinds);
      issues.push({
        path: `${at}.kind`,
        expected: `one of ${kinds.map((k) => `'${k}'`).join(', ')}`,
        found: renderValue(t.kind),
        hint: guess ? `Did you mean '${guess}'?` : undefined,
      });
      return;
    }
    const keys = spec.schema.properties;
    for (const [key, value] of Object.entries(t)) {
      if (key === 'kind') continue;
      const type = keys[key]?.type;
      if (!type) {
        const guess = didYouMean(key, Object.keys(keys));
        issues.push({
          path: `${at}.${key}`,
          expected: `a known key of '${t.kind}' (${Object.keys(keys).join(', ')})`,
          found: `unknown key ${renderValue(key)}`,
          hint: guess ? `Did you mean '${guess}'?` : undefined,
        });
      } else if (type === 'array' ? !Array.isArray(value) : typeof value !== type || (type === 'number' && !Number.isFinite(value))) {
        const expected =
          type === 'number' ? 'a finite number' : type === 'array' ? 'a list' : type === 'boolean' ? 'true or false' : 'a string';
        issues.push({ path: `${at}.${key}`, expected, found: renderValue(value) });
      }
    }
    for (const key of spec.schema.required ?? [])
      if (!(key in t)) issues.push({ path: `${at}.${key}`, expected: `a ${keys[key].type} (required for '${t.kind}')`, found: 'nothing' });
    issues.push(...spec.check(t, { scenario: s, plan, potential }, at));
  });
  return issues;
}

export interface HistogramOverlay {
  kind: 'gibbs';
  temperature: number;
  /** Gibbs probability of each bin (of the whole line's mass). */
  probabilities: number[];
  /** Gibbs density at the bin centres. */
  density: number[];
}

export interface OverlayOutput {
  summary: unknown[];
  histograms: (HistogramOverlay | null)[];
}

/**
 * Pearson χ² of observed bin counts (plus an 'outside' cell for under/overflow)
 * against expected probabilities, pooling adjacent cells with expected count < 5.
 */
export function pearsonChi2(observed: number[], probs: number[], n: number): { chi2: number; dof: number; pValue: number } {
  const cells: Array<[number, number]> = [];
  let o = 0,
    e = 0;
  for (let i = 0; i < observed.length; i++) {
    o += observed[i];
    e += probs[i] * n;
    if (e >= 5) {
      cells.push([o, e]);
      o = 0;
      e = 0;
    }
  }
  if (e > 0 || o > 0) {
    if (cells.length > 0) {
      cells[cells.length - 1][0] += o;
      cells[cells.length - 1][1] += e;
    } else cells.push([o, e]);
  }
  let chi2 = 0;
  for (const [ob, ex] of cells) chi2 += ex > 0 ? ((ob - ex) * (ob - ex)) / ex : 0;
  const dof = Math.max(1, cells.length - 1);
  return { chi2, dof, pValue: chiSquareSf(chi2, dof) };
}

/** Compute every `theory:` entry of the scenario, in order, from the registry. */
export async function theoryOverlays(s: Scenario, plan: RunPlan, r: RunResult, potential: Potential): Promise<OverlayOutput> {
  const out: OverlayOutput = { summary: [], histograms: r.histograms.map(() => null) };
  const context: TheoryComputeContext = { scenario: s, plan, potential, result: r, histograms: out.histograms };
  for (const t of s.theory) {
    const kind = theoryOverlayKinds.find(t.kind);
    if (!kind) out.summary.push({ kind: t.kind, skipped: 'unknown theory kind in this version' });
    else out.summary.push(...(await kind.compute(t, context)));
  }
  return out;
}

theoryOverlayKinds.register({
  name: 'gibbs',
  description: 'histogram of a coordinate vs exp(−(f + λx²/2)/θ)/Z at the θ and λ integrated (1-D potentials, θ > 0)',
  schema: {
    type: 'object',
    properties: { of: { type: 'string', description: 'coordinate whose histogram is compared (default the first)' } },
    required: [],
  },
  check(t, context, at) {
    const { scenario: s, potential } = context;
    const issues = oneDimensionalIssues('gibbs', context, at);
    const of = (t.of as string | undefined) ?? potential.coordinates[0];
    if (!potential.coordinates.includes(of))
      issues.push({
        path: `${at}.of`,
        expected: `a coordinate of the potential (${potential.coordinates.join(', ')})`,
        found: renderValue(of),
      });
    else if (!s.observe.histograms.some((h) => h.of === of))
      issues.push({
        path: `${at}.of`,
        expected: `a histogram of '${of}' in observe.histograms to compare with`,
        found: 'none',
        hint: `Add observe.histograms: [{of: ${of}, bins: 100, range: [lo, hi]}].`,
      });
    const thermostat = uniformThermostat(context.plan);
    if (issues.length === 0 && thermostat) {
      // Z = ∫ exp(−f/θ) must exist: over "a wide interval" a non-normalisable density gives a Z set only by where it was cut.
      const problem = normalisabilityProblem(s, potential, thermostat.temperature, thermostat.weightDecay, context.plan.walls);
      if (problem) issues.push({ path: `${at}.kind`, ...problem });
      // exp(−f/θ) over one period is stationary on a ring only when f itself has that period (a tilted ring carries a current).
      const box = wallOf(context.plan, potential.coordinates.indexOf(of));
      if (box?.kind === 'periodic') {
        const f = scalarEnergy(potential, thermostat.weightDecay);
        const [fLo, fHi] = [f(box.lo), f(box.hi)];
        if (!(Math.abs(fHi - fLo) <= 1e-9 * (1 + Math.abs(fLo))))
          issues.push({
            path: `${at}.kind`,
            expected: `a potential with period ${box.hi - box.lo} in ${of} (f(lo) = f(hi)) for the Gibbs density on the periodic box`,
            found: `f(${box.lo}) = ${fLo.toPrecision(6)}, f(${box.hi}) = ${fHi.toPrecision(6)}`,
            hint: 'A potential that is not periodic drives a current around the ring and its stationary density is not exp(−f/θ); use reflecting walls or remove this overlay.',
          });
      }
    }
    return issues;
  },
  compute(t, { scenario, plan, potential, result: r, histograms }) {
    const of = (t.of as string | undefined) ?? potential.coordinates[0];
    if (potential.dim !== 1) return [{ kind: 'gibbs', of, skipped: `needs a 1-D potential (this one has dim ${potential.dim})` }];
    const thermostat = uniformThermostat(plan);
    if (!thermostat) return [{ kind: 'gibbs', of, skipped: `needs one θ on every coordinate (${temperatureText(plan)})` }];
    const { temperature: theta, weightDecay } = thermostat;
    if (!(theta > 0)) return [{ kind: 'gibbs', of, skipped: 'needs θ > 0' }];
    const problem = normalisabilityProblem(scenario, potential, theta, weightDecay, plan.walls);
    if (problem)
      return [
        {
          kind: 'gibbs',
          of,
          skipped: 'gibbs density not normalisable',
          detail: problem.found,
          text: `gibbs overlay of ${of} skipped: ${problem.found}`,
        },
      ];
    // The integrators add λx to the gradient: the stationary law is Gibbs in f + λx²/2.
    const f = scalarEnergy(potential, weightDecay);
    const out: unknown[] = [];
    // Walls restrict the stationary density to the box (reflecting: zero flux; periodic: one period).
    const box = wallOf(plan, potential.coordinates.indexOf(of));
    r.histograms.forEach((h, i) => {
      if (h.of !== of) return;
      const [a, b] = box ? [box.lo, box.hi] : wideInterval(f, theta, h.range[0], h.range[1]);
      const g = gibbsDensity1D(f, theta, a, b);
      const width = (h.range[1] - h.range[0]) / h.bins;
      const edges = Array.from({ length: h.bins + 1 }, (_, k) => h.range[0] + k * width);
      const probs = Array.from(g.binProbabilities(edges));
      const inside = probs.reduce((x, y) => x + y, 0);
      const pUnder = g.cdf(h.range[0]);
      const pOver = Math.max(0, 1 - inside - pUnder);
      const observed = [h.underflow, ...Array.from(h.counts), h.overflow];
      const expected = [pUnder, ...probs, pOver];
      const test = pearsonChi2(observed, expected, h.samples);
      histograms[i] = {
        kind: 'gibbs',
        temperature: theta,
        probabilities: probs,
        density: edges.slice(0, -1).map((e) => g.pdf(e + width / 2)),
      };
      // The verdict states its level: at 0.001 a correct, equilibrated sampler is flagged in 1 run of 1000.
      const differs = test.pValue < GIBBS_LEVEL;
      const verdict = differs
        ? `differs from Gibbs ${levelPhrase(GIBBS_LEVEL)} (not yet at equilibrium?)`
        : `consistent with Gibbs ${levelPhrase(GIBBS_LEVEL)}`;
      out.push({
        kind: 'gibbs',
        of,
        histogram: i,
        temperature: theta,
        ...(weightDecay !== 0 ? { weightDecay } : {}),
        logZ: g.logZ,
        ...(box ? { box } : {}),
        ...test,
        level: GIBBS_LEVEL,
        differs,
        text: `histogram of ${of} vs Gibbs exp(−f/θ)/Z at θ = ${theta}${weightDecay !== 0 ? ` (f with λx²/2, λ = ${weightDecay})` : ''}${box ? ` in the ${box.kind === 'reflect' ? 'reflecting' : 'periodic'} box [${box.lo}, ${box.hi}]` : ''}: χ² = ${test.chi2.toFixed(1)} on ${test.dof} dof, p = ${test.pValue.toPrecision(3)} — ${verdict}`,
      });
    });
    return out;
  },
});

theoryOverlayKinds.register({
  name: 'mfpt-1d',
  description: 'exact mean first-passage time from → to and the Kramers asymptote vs an event, at the θ and λ integrated (1-D, θ > 0)',
  schema: {
    type: 'object',
    properties: {
      event: { type: 'string', description: 'event whose measured MFPT is compared' },
      from: { type: 'number', description: 'start (a minimum)' },
      to: { type: 'number', description: 'target (> from)' },
    },
    required: ['from', 'to'],
  },
  check(t, context, at) {
    const issues = oneDimensionalIssues('mfpt-1d', context, at);
    if (typeof t.from === 'number' && typeof t.to === 'number' && !(t.to > t.from))
      issues.push({ path: `${at}.to`, expected: `a number > from (${t.from})`, found: renderValue(t.to) });
    if (typeof t.event === 'string') {
      const issue = eventIssue(context.plan.events, t.event, `${at}.event`);
      if (issue) issues.push(issue);
    }
    return issues;
  },
  compute(t, { plan, potential, result: r }) {
    const from = Number(t.from),
      to = Number(t.to);
    const event = t.event as string | undefined;
    const thermostat = uniformThermostat(plan);
    const theta = thermostat?.temperature ?? NaN;
    if (potential.dim !== 1 || !(theta > 0) || !(to > from))
      return [{ kind: 'mfpt-1d', event, skipped: `needs a 1-D potential, one θ > 0 and from < to (${temperatureText(plan)})` }];
    const f = scalarEnergy(potential, thermostat!.weightDecay);
    const exact = meanFirstPassageTime(f, from, to, theta);
    // Kramers: curvature at the start minimum and at the highest point between (the saddle).
    let xs = from,
      fs = -Infinity;
    for (let i = 0; i <= 2000; i++) {
      const x = from + ((to - from) * i) / 2000;
      const v = f(x);
      if (v > fs) {
        fs = v;
        xs = x;
      }
    }
    const h = 1e-4;
    const fpp = (x: number) => (f(x + h) - 2 * f(x) + f(x - h)) / (h * h);
    const kr = kramersRate(fpp(from), Math.abs(fpp(xs)), fs - f(from), theta);
    const ev = r.events.find((e) => e.name === event);
    const measured = ev ? firstPassageSummary(ev.firstStep, r.divergedAt, r.steps, planTime(plan)) : null;
    const m = measured?.mfpt;
    return [
      {
        kind: 'mfpt-1d',
        event: event ?? null,
        from,
        to,
        temperature: theta,
        exactTime: exact,
        kramersTime: 1 / kr,
        measuredTime: m?.time ?? null,
        measuredCi95Time: m?.ci95Time ?? null,
        text:
          `mean first-passage time ${from} → ${to} at θ = ${theta}: exact integral ${exact.toPrecision(4)}, Kramers ${(1 / kr).toPrecision(4)}` +
          (m && m.time !== null
            ? `, measured ${m.time.toPrecision(4)} (95% CI ${m.ci95Time?.map((v) => v.toPrecision(4)).join(' – ')})`
            : ''),
      },
    ];
  },
});

theoryOverlayKinds.register({
  name: 'toy-addition',
  description:
    "effective theory of the run's toy-addition split (nullity, ideal RQI, λ₃, 1/(λ₃η), unique-structure probability) vs the measured grokking step of an event",
  schema: {
    type: 'object',
    properties: {
      event: { type: 'string', description: 'grokking event' },
      group: { type: 'string', description: 'parameter group whose η sets 1/(λ₃η) (default embeddings)' },
      trials: { type: 'number', description: 'Monte Carlo splits for P(unique structure)' },
      mc_seed: { type: 'number', description: 'seed of the Monte Carlo' },
    },
    required: [],
  },
  check: (t, { scenario, plan }, at) => checkToyAdditionTheory(scenario, plan, t, at),
  compute: (t, { scenario, plan, result }) => [toyAdditionOverlay(scenario, plan, result, t)],
});

theoryOverlayKinds.register({
  name: 'modular-addition-mean-field',
  description:
    "mean-field (adaptive-kernel) theory of modular-addition-square on the whole table at the run's P, N, σ², priors and fourier_sextic: posterior-mean error τ² and its GP limit, target overlap, droplet fraction and saddle-point phase, vs the sampled posterior",
  schema: {
    type: 'object',
    properties: {
      mc_neurons: { type: 'number', description: 'Monte Carlo neurons of the theory droplet fraction (default 20000)' },
      mc_seed: { type: 'number', description: 'seed of that Monte Carlo (default 1)' },
      log_det: {
        type: 'boolean',
        description:
          'also solve the theory with the first-order log-determinant term kept (Hartree closure; seconds to a minute per point; default false)',
      },
    },
    required: [],
  },
  check: (t, { scenario, plan }, at) => checkModularAdditionTheory(scenario, plan, t, at),
  compute: (t, { scenario, result, potential }) => [modularAdditionTheoryOverlay(scenario, result, potential, t)],
});

theoryOverlayKinds.register({
  name: 'teacher-student-gp',
  description:
    "GP (erf NNGP) limit of teacher-student-erf on the run's own data set and priors: test error and linear, cubic and cubic-harmonic overlaps vs the network's posterior-mean predictor, and the GP sample size that matches the network's cubic overlaps",
  schema: {
    type: 'object',
    properties: {
      gp_n: {
        type: 'array',
        items: { type: 'integer', minimum: 1 },
        description: "GP training-set sizes on the same data set (the run's n is always included)",
      },
    },
    required: [],
  },
  check: (t, { scenario, plan }, at) => checkTeacherStudentTheory(scenario, plan, t, at),
  compute: (t, { scenario, result, potential }) => [teacherStudentTheoryOverlay(scenario, result, potential, t)],
});
