/**
 * The run plan (src/plan/run-plan.ts) is the one place where η, θ and λ are
 * resolved; every consumer that reports or uses them must show the values the
 * integrator was given. The overrides go through the loader (`--set`).
 *
 * The coverage tables at the bottom enumerate the registries (analyses,
 * theory overlays) and the summary's `run` fields: a consumer registered or
 * added without being listed there fails the enumeration test.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../../src/scenario/index.js';
import type { Scenario } from '../../src/scenario/types.js';
import { checkScenario, runScenario } from '../../src/runs/run.js';
import { runSweep } from '../../src/runs/sweep.js';
import { lrOf, resolvePlan, temperatureOf, uniformTemperature, weightDecayOf } from '../../src/plan/run-plan.js';
import { buildPotential } from '../../src/potentials/index.js';
import { listAnalyses } from '../../src/analysis/index.js';
import { pearsonChi2, theoryOverlayKinds } from '../../src/analysis/theory-overlays.js';
import { pointLr, pointTemperature, readPointX } from '../../src/analysis/sweep-points.js';
import { sweepTable, type SweepMeta } from '../../src/results/sweep-files.js';
import type { Summary } from '../../src/analysis/summary.js';
import { gibbsDensity1D } from '../../src/theory/gibbs.js';
import { meanFirstPassageTime } from '../../src/theory/mfpt.js';
import { grokkingSteps, memorizationSteps } from '../../src/theory/grokking.js';
import { buildReportHtml } from '../../src/report/html.js';
import { loadReportContext, parseCsv } from '../../src/report/plots/index.js';
import { ScenarioError } from '../../src/scenario/errors.js';

type Obj = Record<string, any>;

const tmp = (tag: string) => mkdtempSync(join(tmpdir(), `stochdyn-plan-${tag}-`));

/** Write a scenario document to a file and load it with `--set` overrides, as the CLI does. */
async function load(doc: Obj, set: string[] = []): Promise<Scenario> {
  const file = join(tmp('doc'), 'scenario.json');
  writeFileSync(file, JSON.stringify(doc));
  return loadScenario(file, { set });
}

const doubleWell = (extra: Obj = {}): Obj => ({
  name: 'plan-dw',
  seed: 3,
  potential: { kind: 'double-well', params: { h: 1 } },
  dynamics: { integrator: 'sgld', lr: 1e-3, temperature: 0.25, steps: 4000 },
  ensemble: { replicas: 200, init: { kind: 'point', x: [-1] } },
  observe: {
    grid: { kind: 'linear', points: 5 },
    observables: ['x', 'well'],
    histograms: [{ of: 'x', bins: 40, range: [-2, 2] }],
    events: [{ name: 'escape', enter: { x: { ge: 1 } } }],
  },
  ...extra,
});

/** f(x) = h(x² − 1)² with h = 1, plus λx²/2 (what the integrators see with weight decay λ). */
const wellEnergy = (lambda: number) => (x: number) => (x * x - 1) ** 2 + 0.5 * lambda * x * x;

describe('the quickstart with a group temperature override', () => {
  it('summary.json and the Gibbs overlay say θ = 0.5, and the run equals a plain θ = 0.5 run bit for bit', async () => {
    const common = ['dynamics.steps=40000', 'observe.grid.points=20'];
    const grouped = await loadScenario('scenarios/quickstart.yaml', {
      set: ['dynamics.groups.x.temperature=0.5', ...common],
      replicas: 400,
    });
    const plain = await loadScenario('scenarios/quickstart.yaml', { set: ['dynamics.temperature=0.5', ...common], replicas: 400 });
    const a = await runScenario(grouped, { out: tmp('qs-group'), workers: 0 });
    const b = await runScenario(plain, { out: tmp('qs-plain'), workers: 0 });
    expect(a.summary.run.temperature).toBe(0.5);
    expect(a.summary.run.uniform).toBe(true);
    const gibbs = (a.summary.theory as Obj[]).find((t) => t.kind === 'gibbs')!;
    expect(gibbs.temperature).toBe(0.5);
    // The overlay's own verdict threshold (p < 0.001 = "differs from Gibbs"); t = 40 is ≈ 4 MFPTs at θ = 0.5.
    expect(gibbs.pValue).toBeGreaterThan(0.001);
    expect(gibbs.text).toMatch(/consistent with Gibbs at the 0.001 level/);
    const mfpt = (a.summary.theory as Obj[]).find((t) => t.kind === 'mfpt-1d')!;
    expect(mfpt.temperature).toBe(0.5);
    expect(mfpt.exactTime).toBeCloseTo(meanFirstPassageTime(wellEnergy(0), -1, 1, 0.5), 6);
    // Same per-coordinate settings, same streams: identical events and histograms.
    expect(a.summary.events).toEqual(b.summary.events);
    expect(a.summary.observables).toEqual(b.summary.observables);
    // The test can fail: the same histogram against Gibbs at the scenario's θ = 0.25 (what was reported before) is rejected.
    const h = a.result.histograms[0];
    const g = gibbsDensity1D(wellEnergy(0), 0.25, -4, 4);
    const width = (h.range[1] - h.range[0]) / h.bins;
    const probs = Array.from(g.binProbabilities(Array.from({ length: h.bins + 1 }, (_, k) => h.range[0] + k * width)));
    const under = g.cdf(h.range[0]);
    const wrong = pearsonChi2(
      [h.underflow, ...Array.from(h.counts), h.overflow],
      [under, ...probs, Math.max(0, 1 - under - probs.reduce((x, y) => x + y, 0))],
      h.samples,
    );
    expect(wrong.pValue).toBeLessThan(1e-6);
  });
});

describe('one resolved plan', () => {
  it('resolves per-group values once; structured-cloneable; helpers answer by group, coordinate name or index', async () => {
    const s = await load(doubleWell(), ['dynamics.groups.x.temperature=0.4', 'dynamics.groups.x.weight_decay=0.2']);
    const potential = await buildPotential(s.potential, { seed: s.seed, run: 0 });
    const plan = resolvePlan(s, potential, 0);
    expect(plan.groups).toEqual([
      {
        name: 'x',
        offset: 0,
        size: 1,
        lr: 1e-3,
        temperature: 0.4,
        weightDecay: 0.2,
        sources: { lr: 'dynamics.lr', temperature: 'dynamics.groups.x.temperature', weightDecay: 'dynamics.groups.x.weight_decay' },
      },
    ]);
    expect([temperatureOf(plan, 'x'), temperatureOf(plan, 0), lrOf(plan, 'x'), weightDecayOf(plan, 0)]).toEqual([0.4, 0.4, 1e-3, 0.2]);
    expect(Array.from(plan.settings.temperature)).toEqual([0.4]);
    expect(plan.timeStep).toBe(1e-3);
    expect(plan.events).toEqual([{ name: 'escape', enter: { x: { ge: 1 } }, every: 1 }]);
    expect(structuredClone(plan)).toEqual(plan);
    expect(() => temperatureOf(plan, 'nope')).toThrow(/no parameter group or coordinate 'nope'/);
  });

  it('a 1-D double well with η, θ, λ set on its group: every run consumer reports the integrated values', async () => {
    const doc = doubleWell({
      theory: [
        { kind: 'gibbs', of: 'x' },
        { kind: 'mfpt-1d', event: 'escape', from: -1, to: 1 },
      ],
      analysis: [{ kind: 'wells' }, { kind: 'free-energy-profile', of: 'x', bootstrap: 20 }, { kind: 'first-passage', event: 'escape' }],
    });
    const s = await load(doc, ['dynamics.groups.x.temperature=0.4', 'dynamics.groups.x.weight_decay=0.2', 'dynamics.groups.x.lr=2e-3']);
    const dir = tmp('dw');
    const { summary } = await runScenario(s, { out: dir, workers: 0 });
    const seen = checked(summary);
    seen.run({ lr: 2e-3, temperature: 0.4, weightDecay: 0.2, uniform: true, physicalTime: 4000 * 2e-3 });
    const ev = summary.events.escape;
    expect(ev.mfpt.time).toBeCloseTo(ev.mfpt.steps! * 2e-3, 12);
    // Overlays: θ and λ of the group; the exact MFPT by independent quadrature of f + λx²/2 at θ = 0.4.
    const gibbs = seen.overlay('gibbs');
    expect([gibbs.temperature, gibbs.weightDecay]).toEqual([0.4, 0.2]);
    const mfpt = seen.overlay('mfpt-1d');
    expect(mfpt.temperature).toBe(0.4);
    expect(mfpt.exactTime).toBeCloseTo(meanFirstPassageTime(wellEnergy(0.2), -1, 1, 0.4), 6);
    expect(mfpt.measuredTime).toBeCloseTo(ev.mfpt.time!, 12);
    // Analyses.
    expect(seen.analysis('wells').temperature).toBe(0.4);
    expect(seen.analysis('free-energy-profile').temperature).toBe(0.4);
    const fp = seen.analysis('first-passage');
    expect(fp.mfpt.time).toBeCloseTo(fp.mfpt.steps * 2e-3, 12);
    // traces.csv: time = step · η.
    const traces = parseCsv(readFileSync(join(dir, 'traces.csv'), 'utf8'));
    const last = traces.rows[traces.rows.length - 1];
    expect(Number(last[1])).toBeCloseTo(Number(last[0]) * 2e-3, 12);
    // The report header.
    const html = await buildReportHtml(loadReportContext(dir));
    expect(html).toContain('<dt>η</dt><dd>0.002</dd>');
    expect(html).toContain('<dt>θ</dt><dd>0.4</dd>');
    expect(html).toContain('<dt>λ (weight decay)</dt><dd>0.2</dd>');
  });

  it('dynamics.step_size: the chosen η is what summary, report and overlays report; the curvature is estimated once, in the plan', async () => {
    const s = await load(doubleWell({ theory: [{ kind: 'mfpt-1d', event: 'escape', from: -1, to: 1 }] }), [
      'dynamics.step_size.c=0.3',
      'dynamics.groups.x.temperature=0.5',
    ]);
    const { plan } = await checkScenario(s);
    expect(plan.stepSizes).toBeDefined();
    const eta = plan.stepSizes!.lr.x;
    expect(plan.groups[0]).toMatchObject({ lr: eta, temperature: 0.5, sources: { lr: 'dynamics.step_size' } });
    const dir = tmp('step');
    const { summary, result } = await runScenario(s, { out: dir, workers: 0 });
    expect(result.stepSizes).toEqual({
      curvature: plan.stepSizes!.curvature,
      perProbe: plan.stepSizes!.perProbe,
      lr: plan.stepSizes!.lr,
      preconditioner: plan.stepSizes!.preconditioner,
    });
    expect(summary.run.lr).toBe(eta);
    expect(summary.run.temperature).toBe(0.5);
    // With step_size, dynamics.lr is only the unit of time (schema: default 1e-3 here as given).
    expect(summary.run.physicalTime).toBe(4000 * 1e-3);
    expect(summary.run.stepSizes!.lr.x).toBe(eta);
    expect((summary.theory[0] as Obj).temperature).toBe(0.5);
    const html = await buildReportHtml(loadReportContext(dir));
    expect(html).toContain(`<dt>η</dt><dd>${eta}</dd>`);
  });

  it('groups that differ: summary.run.groups, grokking-times per group; overlays and analyses that need one θ refuse', async () => {
    const zlm: Obj = {
      name: 'plan-zlm',
      seed: 21,
      potential: { kind: 'zero-loss-manifold', params: { L: 1, R: 1, g: 1, m: 2 } },
      dynamics: { integrator: 'sgld', lr: 5e-3, temperature: 0.05, steps: 1000 },
      ensemble: { replicas: 64, init: { kind: 'potential' } },
      observe: {
        grid: { kind: 'log', points: 6 },
        observables: ['u', 'radius'],
        events: [
          { name: 'memorized', enter: { u: { le: 0.25 } } },
          { name: 'grokked', enter: { radius: { ge: 1 }, u: { ge: -0.25, le: 0.25 } } },
        ],
      },
      analysis: [{ kind: 'grokking-times', memorized: 'memorized', grokked: 'grokked' }],
    };
    const set = ['dynamics.groups.y.temperature=0.1', 'dynamics.groups.u.lr=1e-2'];
    const s = await load(zlm, set);
    const dir = tmp('zlm');
    const { summary } = await runScenario(s, { out: dir, workers: 0 });
    const seen = checked(summary);
    seen.run({ uniform: false, temperature: 0.05, lr: 5e-3, weightDecay: 0 });
    expect(summary.run.groups).toEqual({
      u: { size: 1, lr: 1e-2, temperature: 0.05, weightDecay: 0 },
      y: { size: 2, lr: 5e-3, temperature: 0.1, weightDecay: 0 },
    });
    const g = seen.analysis('grokking-times');
    expect([g.theory.tMem.temperature, g.theory.tMem.lr]).toEqual([0.05, 1e-2]);
    expect(g.theory.tMem.steps).toBe(memorizationSteps(1, 0.25, 1, 1e-2, 0.05));
    expect(g.theory.tGrok.steps).toBe(grokkingSteps(1, 2, 0.1, 5e-3));
    const html = await buildReportHtml(loadReportContext(dir));
    expect(html).toContain('<dt>θ</dt><dd>u: 0.05, y: 0.1</dd>');
    expect(html).toContain('<dt>η</dt><dd>u: 0.01, y: 0.005</dd>');
    // Needs one θ: the wells' F = −θ ln P, and Gibbs (besides needing 1-D).
    const refused = await checkScenario(await load({ ...zlm, analysis: [{ kind: 'wells' }], theory: [{ kind: 'gibbs' }] }, set)).catch(
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(ScenarioError);
    const issues = (refused as ScenarioError).issues.map((i) => `${i.path}: ${i.expected}`);
    expect(issues).toContain('analysis[0].by: one temperature on every coordinate (F = −θ ln P)');
    expect(issues).toContain("theory[0].kind: one temperature and weight decay on every coordinate for 'gibbs'");
  });

  it('sweeps: sweep.csv columns and arrhenius points carry θ and λ as each point integrated', async () => {
    const doc = doubleWell({
      dynamics: { integrator: 'sgld', lr: 2e-3, temperature: 0.25, steps: 3000, groups: { x: { weight_decay: 0.5 } } },
      ensemble: { replicas: 64, init: { kind: 'point', x: [-1] } },
      sweep: { 'dynamics.temperature': [0.4, 0.6] },
      analysis: [{ kind: 'arrhenius', event: 'escape', from: -1, to: 1 }],
    });
    const out = await runSweep(await load(doc), { out: tmp('sweep'), workers: 0 });
    const table = parseCsv(readFileSync(join(out.dir, 'sweep.csv'), 'utf8'));
    const col = (name: string) => table.rows.map((r) => Number(r[table.header.indexOf(name)]));
    expect(col('temperature')).toEqual([0.4, 0.6]);
    expect(col('lr')).toEqual([2e-3, 2e-3]);
    expect(col('weight_decay')).toEqual([0.5, 0.5]);
    for (const c of SWEEP_CSV_DYNAMICS) expect(table.header).toContain(c);
    const analyses = JSON.parse(readFileSync(join(out.dir, 'analyses.json'), 'utf8')).analyses as Obj[];
    const arr = analyses.find((a) => a.kind === 'arrhenius')!;
    arr.points.forEach((p: Obj, i: number) => {
      expect(p.theta).toBe([0.4, 0.6][i]);
      // Exact MFPT of f + λx²/2 with the group's λ = 0.5 (independent quadrature).
      expect(p.exact).toBeCloseTo(meanFirstPassageTime(wellEnergy(0.5), -1, 1, p.theta), 6);
    });
  });

  it('sweep points: a temperature abscissa is the θ the point integrated, per group when its groups differ in θ', () => {
    const summary = (run: Obj) =>
      ({ run: { lr: 1e-3, temperature: 0.25, weightDecay: 0, steps: 10, physicalTime: 0.01, ...run } }) as unknown as Summary;
    // The swept value says 0.25, the point integrated 0.5 (a group override).
    const point = { index: 0, values: { 'dynamics.temperature': 0.25 }, summary: summary({ temperature: 0.5 }) };
    expect(readPointX(point, 'dynamics.temperature', ['dynamics.temperature']).value).toBe(0.5);
    const split = summary({
      uniform: false,
      groups: { u: { size: 1, lr: 1e-3, temperature: 0.1, weightDecay: 0 }, y: { size: 2, lr: 1e-3, temperature: 0.3, weightDecay: 0 } },
    });
    expect(pointTemperature(split)).toBeNull();
    expect(pointTemperature(split, 'y')).toBe(0.3);
    // Groups that differ in η only (θ set once for the run): the point has one θ, and no one η.
    const lrOnly = summary({
      uniform: false,
      groups: {
        w: { size: 4, lr: 2e-5, temperature: 1e-4, weightDecay: 0 },
        a: { size: 2, lr: 1.25e-6, temperature: 1e-4, weightDecay: 0 },
      },
    });
    expect(pointTemperature(lrOnly)).toBe(1e-4);
    expect(pointLr(lrOnly)).toBeNull();
    expect(pointLr(lrOnly, 'a')).toBe(1.25e-6);
    // sweep.csv follows the same rule: temperature filled, lr empty, the per-group columns beside.
    const meta = {
      axes: [{ key: 'dynamics.temperature', values: [1e-4] }],
      points: [{ index: 0, values: { 'dynamics.temperature': 1e-4 } }],
      scenario: { analysis: [] },
    } as unknown as SweepMeta;
    const lrOnlyRun = { ...lrOnly, observables: {}, events: {}, divergence: { count: 0 } } as unknown as Summary;
    const table = sweepTable(meta, [lrOnlyRun]);
    const cell = (name: string) => table.rows[0][table.header.indexOf(name)];
    expect([cell('temperature'), cell('lr'), cell('lr_w'), cell('lr_a'), cell('temperature_a')]).toEqual([1e-4, null, 2e-5, 1.25e-6, 1e-4]);
    expect(
      readPointX({ index: 0, values: { 'dynamics.groups.y.temperature': 9 }, summary: split }, 'dynamics.groups.y.temperature', [
        'dynamics.groups.y.temperature',
      ]).value,
    ).toBe(0.3);
    expect(
      readPointX({ index: 0, values: { 'potential.params.h': 2 }, summary: split }, 'potential.params.h', ['potential.params.h']).value,
    ).toBe(2);
  });

  it('uniformTemperature: one θ or null', async () => {
    const s = await load(doubleWell());
    const plan = resolvePlan(s, await buildPotential(s.potential, { seed: 3, run: 0 }));
    expect(uniformTemperature(plan)).toBe(0.25);
    expect(uniformTemperature({ ...plan, groups: [plan.groups[0], { ...plan.groups[0], name: 'z', temperature: 1 }] })).toBeNull();
  });
});

// ---------------------------------------------------------------- coverage of the consumers

/**
 * Every consumer of η, θ or λ and the test above that checks it with group
 * overrides (and step_size), or why it has none of them.
 */
const ANALYSES: Record<string, string> = {
  wells: 'checked: θ of the group (F = −θ ln P); refused when the groups differ',
  'free-energy-profile': 'checked: θ of the binned coordinate',
  'first-passage': 'checked: times = steps · η of the plan',
  'grokking-times': 'checked: η, θ of the u and y groups',
  arrhenius: 'checked: θ and λ per point from the point summaries',
  crossover: 'θ per point by readPointX (checked in "sweep points")',
  scaling: 'θ, η of the closed-form means by pointTemperature / pointLr (checked in "sweep points")',
  'exponential-fit': 'θ of the expected slope by pointTemperature (checked in "sweep points")',
  'repon-collision': 'η_A, η_x = lrOf(plan, decoder / repons): test/scenarios/repon-collision.test.ts sets both by group',
  'relation-bounds': 'none: reads the potential and the finals only',
  'learning-phases': 'none: event steps and plan.steps only',
  'dataset-average': 'none: averages summary metrics over a swept key',
  'phase-logistic': 'none: counts of the points’ learning-phases and the swept values (η or λ as swept keys, not from the plan)',
  phase: 'none: classifies a summary metric',
};
const OVERLAYS: Record<string, string> = {
  gibbs: 'checked: θ and λ of the group; refused when the groups differ',
  'mfpt-1d': 'checked: θ, λ of the group; measured time in the plan’s time step',
  'toy-addition': 'η of the named group from the plan: test/theory/toy-addition.test.ts sets it by group',
  'modular-addition-mean-field':
    'checked: temperature 1 and no weight decay on every group (the posterior); no η: test/scenarios/modular-addition-mean-field.test.ts',
  'teacher-student-gp':
    'checked: temperature 1 and no weight decay on every group (the posterior); no η: test/theory/teacher-student-gp.test.ts',
};
/** summary.json `run` fields that carry η, θ or λ and the test above that checks them, and the others. */
const RUN_DYNAMICS: Record<string, string> = {
  lr: 'double well by group; step_size; groups that differ',
  temperature: 'quickstart; double well by group; step_size; groups that differ',
  weightDecay: 'double well by group',
  uniform: 'quickstart; double well; groups that differ',
  groups: 'groups that differ (present only then)',
  physicalTime: 'double well by group (steps · η); step_size (steps · unit)',
  stepSizes: 'step_size',
};
const RUN_OTHER = [
  'id',
  'seed',
  'run',
  'status',
  'replicas',
  'completedReplicas',
  'missing',
  'dim',
  'coordinates',
  'integrator',
  'steps',
  'observationPoints',
];
/** The dynamics columns of sweep.csv, checked in "sweeps". */
const SWEEP_CSV_DYNAMICS = ['temperature', 'lr', 'weight_decay'];

function checked(summary: Summary) {
  const find = (list: unknown[], kind: string) => {
    const x = (list as Obj[]).find((t) => t.kind === kind);
    expect(x, kind).toBeDefined();
    return x!;
  };
  return {
    run: (want: Obj) => expect(summary.run).toMatchObject(want),
    overlay: (kind: string) => find(summary.theory, kind),
    analysis: (kind: string) => find(summary.analyses, kind),
  };
}

describe('a scheduled temperature', () => {
  it('the gibbs and mfpt-1d overlays and the wells and free-energy-profile analyses refuse it (they hold at one θ); the same run at constant θ is accepted', async () => {
    const theory = [{ kind: 'gibbs' }, { kind: 'mfpt-1d', from: -1, to: 1, event: 'escape' }];
    const analysis = [
      { kind: 'wells', by: 'well' },
      { kind: 'free-energy-profile', of: 'x', bins: 20, range: [-2, 2] },
    ];
    const constant = await load(doubleWell({ theory, analysis }));
    await expect(checkScenario(constant)).resolves.toBeDefined();
    const annealed = await load(
      doubleWell({
        theory,
        analysis,
        dynamics: { integrator: 'sgld', lr: 1e-3, temperature: { schedule: 'exponential', from: 1, to: 0.05 }, steps: 4000 },
      }),
    );
    const refused = await checkScenario(annealed).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ScenarioError);
    const issues = (refused as ScenarioError).issues.map((i) => `${i.path}: ${i.expected} / ${i.found}`);
    expect(issues).toEqual([
      "theory[0].kind: a constant temperature for 'gibbs' (its prediction holds at one θ) / a temperature schedule",
      "theory[1].kind: a constant temperature for 'mfpt-1d' (its prediction holds at one θ) / a temperature schedule",
      'analysis[0].by: a constant temperature (F = −θ ln P at one θ) / a temperature schedule',
      "analysis[1].of: a constant temperature for 'x' (F = −θ ln p at one θ) / a temperature schedule",
    ]);
  });
});

describe('every consumer is enumerated', () => {
  it('the analysis and theory-overlay registries match the coverage tables', () => {
    expect(
      listAnalyses()
        .map((a) => a.name)
        .sort(),
    ).toEqual(Object.keys(ANALYSES).sort());
    expect(theoryOverlayKinds.names().sort()).toEqual(Object.keys(OVERLAYS).sort());
  });

  it('every summary.json run field and sweep.csv column is listed: dynamics ones with the test that checks them', async () => {
    const s = await load(
      doubleWell({
        dynamics: { integrator: 'sgld', lr: 1e-3, temperature: 0.25, steps: 10, step_size: {}, groups: { x: { temperature: 0.3 } } },
      }),
    );
    const { summary } = await runScenario(s, { out: tmp('fields'), workers: 0 });
    const fields = Object.keys(summary.run);
    for (const f of fields) expect(f in RUN_DYNAMICS || RUN_OTHER.includes(f), `summary.run.${f} is not listed`).toBe(true);
    // `groups` is present only when the groups differ (see "groups that differ"); the other dynamics fields appear here.
    expect(fields.filter((f) => f in RUN_DYNAMICS).sort()).toEqual(
      Object.keys(RUN_DYNAMICS)
        .filter((f) => f !== 'groups')
        .sort(),
    );
  });
});
