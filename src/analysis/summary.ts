/**
 * The run summary (`summary.json`): a documented, stable schema — see the
 * README section "Output files". Everything except the `timing` block is a
 * deterministic function of (scenario, seed): it is bit-identical for any
 * number of workers.
 */
import { divergenceReasonText } from '../engine/types.js';
import { replicaId, type RunResult } from '../parallel/merge.js';
import type { Scenario } from '../scenario/types.js';
import { uniformLr, uniformTemperature, uniformWeightDecay, type RunPlan, planTime, timeAtStep } from '../plan/run-plan.js';
import { QuantileSketch } from '../stats/quantile-sketch.js';
import { firstPassageSummary, type FirstPassageSummary } from './event-stats.js';
import type { SamplingSummary } from './sampling.js';
import type { SplittingSummary } from './splitting.js';

export const SUMMARY_SCHEMA = 'stochdyn.summary/1';

export interface Distribution {
  n: number;
  mean: number | null;
  std: number | null;
  sem: number | null;
  min: number | null;
  q05: number | null;
  q25: number | null;
  q50: number | null;
  q75: number | null;
  q95: number | null;
  max: number | null;
}

export interface TracePoint {
  step: number;
  time: number;
  n: number;
  mean: number | null;
  std: number | null;
  q05: number | null;
  q25: number | null;
  q50: number | null;
  q75: number | null;
  q95: number | null;
}

export type RunStatus = 'completed' | 'partial' | 'interrupted';

export interface Summary {
  schema: typeof SUMMARY_SCHEMA;
  stochdyn: { version: string; kernels?: string };
  scenario: { name: string; description: string; source: string };
  run: {
    id: string;
    seed: number;
    run: number;
    /**
     * 'completed'; 'partial' when some replicas have no result (their shard
     * failed twice, see `missing`); 'interrupted' when SIGINT/SIGTERM stopped
     * the run (the statistics cover the replicas finished by then).
     */
    status: RunStatus;
    /** Replicas asked for (ensemble.replicas). */
    replicas: number;
    /** Replicas with results: every statistic of this summary is over these (= replicas when completed). */
    completedReplicas: number;
    /** Replica ranges without results: first, count, status ('failed' | 'interrupted'), errors (one per failed attempt). [] when completed. */
    missing: Array<{ first: number; count: number; status: 'failed' | 'interrupted'; errors: string[] }>;
    dim: number;
    coordinates: string[];
    integrator: string;
    /** η integrated on every coordinate; when the groups differ, the scenario-wide `dynamics.lr` (see `groups`). */
    lr: number;
    /** θ integrated on every coordinate; when the groups differ, the scenario-wide `dynamics.temperature` (see `groups`). */
    temperature: number;
    /** Weight decay λ on every coordinate; when the groups differ, the scenario-wide `dynamics.weight_decay` (see `groups`). */
    weightDecay?: number;
    /** True when every coordinate integrates with the same η, θ and λ. */
    uniform?: boolean;
    /** Present when the groups differ in η, θ or λ: the values integrated, per parameter group. */
    groups?: Record<string, { size: number; lr: number; temperature: number; weightDecay: number }>;
    steps: number;
    physicalTime: number;
    observationPoints: number;
    /**
     * Present with `dynamics.step_size`: the learning rate chosen per group,
     * lr_g = c·preconditioner_g/(safety·curvature), and the curvature estimate.
     */
    stepSizes?: {
      lr: Record<string, number>;
      curvature: number;
      perProbe: number[];
      preconditioner: Record<string, number>;
      c: number;
      safety: number;
    };
  };
  rng: { generator: string; normals: string; seeding: string };
  observables: Record<string, { final: Distribution }>;
  histograms: Array<{
    of: string;
    bins: number;
    range: [number, number];
    at: 'final' | 'grid';
    from: number;
    samples: number;
    underflow: number;
    overflow: number;
  }>;
  events: Record<string, FirstPassageSummary>;
  divergence: {
    count: number;
    fraction: number;
    firstStep: number | null;
    byReason: Record<string, number>;
    /** The first (at most 20) diverged replicas in replica order. */
    examples: Array<{ replica: number; step: number; reason: string }>;
  };
  theory: unknown[];
  /** Results of the run-scope `analysis:` entries, in order (each has `kind`); [] when none. */
  analyses: Record<string, unknown>[];
  /** Posterior sampling results (README "summary.json"): only when the scenario has a `sampling:` section. */
  sampling?: SamplingSummary;
  /** Rare-event splitting results (docs/splitting.md): only when the scenario has a `splitting:` section. */
  splitting?: SplittingSummary;
  /** Wall-clock facts: the only part of the summary that varies between identical runs. */
  timing: {
    workers: number;
    startedAt: string;
    finishedAt: string;
    wallSeconds: number;
    replicaStepsPerSecond: number;
  };
}

const nn = (v: number) => (Number.isFinite(v) ? v : null);

/**
 * Exact distribution statistics of a sample (NaNs dropped). The values are
 * copied once into a Float64Array and sorted there (8 bytes a value, numeric
 * sort without a comparator), not into boxed JS arrays: 10⁶ finals cost 8 MB.
 * The order is the numeric order of the old comparator sort, so every
 * statistic is unchanged.
 */
export function distribution(values: ArrayLike<number>): Distribution {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) n++;
  const v = new Float64Array(n);
  for (let i = 0, j = 0; i < values.length; i++) {
    const x = values[i];
    if (x === x) v[j++] = x;
  }
  v.sort();
  if (n === 0)
    return { n: 0, mean: null, std: null, sem: null, min: null, q05: null, q25: null, q50: null, q75: null, q95: null, max: null };
  let mean = 0;
  for (let i = 0; i < n; i++) mean += (v[i] - mean) / (i + 1);
  let m2 = 0;
  for (let i = 0; i < n; i++) m2 += (v[i] - mean) * (v[i] - mean);
  const std = n > 1 ? Math.sqrt(m2 / (n - 1)) : 0;
  const q = (p: number) => {
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    return lo + 1 < n ? v[lo] + (h - lo) * (v[lo + 1] - v[lo]) : v[lo];
  };
  return {
    n,
    mean: nn(mean),
    std: nn(std),
    sem: nn(std / Math.sqrt(n)),
    min: v[0],
    q05: q(0.05),
    q25: q(0.25),
    q50: q(0.5),
    q75: q(0.75),
    q95: q(0.95),
    max: v[n - 1],
  };
}

/** Reduce the block moments of a trace in block order: one TracePoint per grid point per observable. */
/** `time`: the time per step (constant η) or the time of a step (scheduled η), see planTime. */
export function tracePoints(r: RunResult, time: number | ((step: number) => number)): Record<string, TracePoint[]> {
  const timeAt = typeof time === 'number' ? (step: number) => step * time : time;
  const t = r.traces;
  const nGrid = t.steps.length;
  const nObs = t.observables.length;
  const out: Record<string, TracePoint[]> = {};
  for (let k = 0; k < nObs; k++) {
    const pts: TracePoint[] = [];
    for (let g = 0; g < nGrid; g++) {
      // Chan et al. pairwise merge, sequential in block order.
      let n = 0,
        mean = 0,
        m2 = 0;
      for (let b = 0; b < t.blocks; b++) {
        const o = ((b * nGrid + g) * nObs + k) * 3;
        const nb = t.moments[o];
        if (nb === 0) continue;
        const mb = t.moments[o + 1];
        const tot = n + nb;
        const d = mb - mean;
        mean += (d * nb) / tot;
        m2 += t.moments[o + 2] + (d * d * n * nb) / tot;
        n = tot;
      }
      const sk = QuantileSketch.fromJSON(t.sketches[g * nObs + k] as never);
      const q = (p: number) => (n > 0 ? nn(sk.quantile(p)) : null);
      pts.push({
        step: t.steps[g],
        time: timeAt(t.steps[g]),
        n,
        mean: n > 0 ? nn(mean) : null,
        std: n > 1 ? nn(Math.sqrt(m2 / (n - 1))) : null,
        q05: q(0.05),
        q25: q(0.25),
        q50: q(0.5),
        q75: q(0.75),
        q95: q(0.95),
      });
    }
    out[t.observables[k]] = pts;
  }
  return out;
}

export interface SummaryMeta {
  id: string;
  version: string;
  /** The potential's kernels (its `info.kernels`), when it has a choice. */
  kernels?: string;
  workers: number;
  startedAt: Date;
  finishedAt: Date;
  theory: unknown[];
  /** The `sampling` block (src/analysis/sampling.ts), when the scenario has a `sampling:` section. */
  sampling?: SamplingSummary;
}

/** The dynamics facts of `run`: the values integrated, from the run plan. */
function runDynamics(plan: RunPlan): Pick<Summary['run'], 'integrator' | 'lr' | 'temperature' | 'weightDecay' | 'uniform' | 'groups'> {
  const lr = uniformLr(plan),
    temperature = uniformTemperature(plan),
    weightDecay = uniformWeightDecay(plan);
  const uniform = lr !== null && temperature !== null && weightDecay !== null;
  return {
    integrator: plan.integrator,
    lr: lr ?? plan.base.lr,
    temperature: temperature ?? plan.base.temperature,
    weightDecay: weightDecay ?? plan.base.weightDecay,
    uniform,
    ...(uniform
      ? {}
      : {
          groups: Object.fromEntries(
            plan.groups.map((g) => [g.name, { size: g.size, lr: g.lr, temperature: g.temperature, weightDecay: g.weightDecay }]),
          ),
        }),
  };
}

/** summary.json of a run: the scenario names it, the plan gives every resolved setting, the result every number. */
export function buildSummary(s: Scenario, plan: RunPlan, r: RunResult, m: SummaryMeta): Summary {
  const nObs = r.finals.observables.length;
  const alive = (i: number) => !(r.divergedAt[i] >= 0);
  const observables: Summary['observables'] = {};
  r.finals.observables.forEach((name, k) => {
    const vals: number[] = [];
    for (let i = 0; i < r.count; i++) if (alive(i)) vals.push(r.finals.values[i * nObs + k]);
    observables[name] = { final: distribution(vals) };
  });
  const events: Summary['events'] = {};
  const time = planTime(plan);
  for (const e of r.events) events[e.name] = firstPassageSummary(e.firstStep, r.divergedAt, r.steps, time);

  const byReason: Record<string, number> = {};
  const examples: Summary['divergence']['examples'] = [];
  let count = 0;
  let firstStep = Infinity;
  for (let i = 0; i < r.count; i++) {
    if (!(r.divergedAt[i] >= 0)) continue;
    count++;
    const reason = divergenceReasonText[r.divergedReason[i]] ?? 'unknown';
    byReason[reason] = (byReason[reason] ?? 0) + 1;
    firstStep = Math.min(firstStep, r.divergedAt[i]);
    if (examples.length < 20) examples.push({ replica: replicaId(r, i), step: r.divergedAt[i], reason });
  }
  const wall = (m.finishedAt.getTime() - m.startedAt.getTime()) / 1000;
  return {
    schema: SUMMARY_SCHEMA,
    stochdyn: { version: m.version, ...(m.kernels !== undefined ? { kernels: m.kernels } : {}) },
    scenario: { name: s.name, description: s.description, source: s.source },
    run: {
      id: m.id,
      seed: plan.seed,
      run: plan.run,
      status: r.missing.length === 0 ? 'completed' : r.missing.some((g) => g.status === 'interrupted') ? 'interrupted' : 'partial',
      replicas: r.requested,
      completedReplicas: r.count,
      missing: r.missing.map((g) => ({ first: g.firstReplica, count: g.count, status: g.status, errors: g.errors })),
      dim: plan.dim,
      coordinates: plan.coordinates,
      ...runDynamics(plan),
      steps: r.steps,
      physicalTime: timeAtStep(time)(r.steps),
      observationPoints: r.traces.steps.length,
      ...(plan.stepSizes
        ? {
            stepSizes: {
              lr: plan.stepSizes.lr,
              curvature: plan.stepSizes.curvature,
              perProbe: plan.stepSizes.perProbe,
              preconditioner: plan.stepSizes.preconditioner,
              c: plan.stepSizes.c,
              safety: plan.stepSizes.safety,
            },
          }
        : {}),
    },
    rng: {
      generator: 'sfc32 per replica',
      normals: 'ziggurat, 128 layers (Marsaglia–Tsang, Doornik bit split)',
      seeding:
        'seedrandom ARC4 keyed "stochdyn/<seed>/<run>" gives a root key; replica r: root key hashed with r (murmur3 fmix32) + 12 sfc32 rounds',
    },
    observables,
    histograms: r.histograms.map((h) => ({
      of: h.of,
      bins: h.bins,
      range: h.range,
      at: h.at,
      from: h.from,
      samples: h.samples,
      underflow: h.underflow,
      overflow: h.overflow,
    })),
    events,
    divergence: {
      count,
      fraction: r.count > 0 ? count / r.count : 0,
      firstStep: count > 0 ? firstStep : null,
      byReason,
      examples,
    },
    theory: m.theory,
    analyses: [],
    ...(m.sampling ? { sampling: m.sampling } : {}),
    timing: {
      workers: m.workers,
      startedAt: m.startedAt.toISOString(),
      finishedAt: m.finishedAt.toISOString(),
      wallSeconds: wall,
      replicaStepsPerSecond: wall > 0 ? (r.count * r.steps) / wall : 0,
    },
  };
}
