/**
 * A Gibbs density exp(−U/θ) that is not normalisable (gaussian-wells with its
 * default confinement 0 tends to exp(0) = 1 at infinity) is refused for
 * theory: a scenario that asks for the wells analysis or the gibbs overlay on
 * it fails validation naming the field and the remedy; the run itself, without
 * them, goes on (diffusion in such a potential is a legitimate simulation).
 */
import { describe, expect, it } from 'vitest';
import { validateScenarioObject, ScenarioError } from '../../src/scenario/index.js';
import { checkScenario, runScenario } from '../../src/runs/run.js';
import { gibbsTailProblem } from '../../src/analysis/energy.js';
import { analysisText, runRunAnalyses } from '../../src/analysis/registry.js';
import { theoryOverlays } from '../../src/analysis/theory-overlays.js';
import { resolvePlan } from '../../src/plan/run-plan.js';
import { gaussianWells } from '../../src/potentials/analytic/gaussian-wells.js';
import { doubleWell } from '../../src/potentials/analytic/double-well.js';

const wells1D = [
  { depth: 1, centre: [-1.5], width: 0.5 },
  { depth: 1.5, centre: [1.5], width: 0.7 },
];
const wells2D = [
  { depth: 1, centre: [-1.5, 0], width: 0.5 },
  { depth: 1.5, centre: [1.5, 0.5], width: 0.7 },
];

const scenario = (params: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  validateScenarioObject(
    {
      name: 'gibbs-normalisable',
      seed: 3,
      potential: { kind: 'gaussian-wells', params },
      dynamics: { lr: 0.01, steps: 200, temperature: 0.3 },
      ensemble: { replicas: 40, init: { kind: 'point', x: (params.wells as { centre: number[] }[])[0]!.centre } },
      observe: { observables: ['x', 'well'].slice(0, 2), histograms: [{ of: 'x', bins: 20, range: [-3, 3] }] },
      ...extra,
    },
    '',
  );

async function issues(s: ReturnType<typeof scenario>) {
  try {
    await checkScenario(s);
  } catch (e) {
    if (e instanceof ScenarioError) return e.issues;
    throw e;
  }
  return [];
}

describe('gibbsTailProblem: does exp(−f/θ) decay in every probed direction?', () => {
  it('gaussian wells without confinement: not normalisable (1-D and 2-D); with confinement or weight decay: no problem found', () => {
    const g1 = gaussianWells(wells1D, 0);
    expect(gibbsTailProblem(g1, 0.3, 0, g1.minima)).toMatch(/along [+−]x .*not normalisable/);
    const g2 = gaussianWells(wells2D, 0);
    expect(gibbsTailProblem(g2, 0.3, 0, g2.minima)).toMatch(/not normalisable/);
    expect(gibbsTailProblem(gaussianWells(wells1D, 0.05), 0.3, 0, g1.minima)).toBeNull();
    expect(gibbsTailProblem(gaussianWells(wells2D, 0.05), 0.3, 0, g2.minima)).toBeNull();
    expect(gibbsTailProblem(g1, 0.3, 0.01, g1.minima)).toBeNull();
    expect(gibbsTailProblem(doubleWell(1), 0.3, 0, [[-1], [1]])).toBeNull();
  });
});

describe('theory on a non-normalisable Gibbs density is refused at validation', () => {
  it('wells analysis on gaussian-wells with confinement 0: an issue at analysis[0].by naming confinement', async () => {
    const found = await issues(scenario({ wells: wells1D }, { analysis: [{ kind: 'wells' }] }));
    expect(found).toHaveLength(1);
    expect(found[0]!.path).toBe('analysis[0].by');
    expect(found[0]!.expected).toMatch(/normalisable Gibbs density/);
    expect(found[0]!.found).toMatch(/not normalisable/);
    expect(found[0]!.hint).toMatch(/potential\.params\.confinement > 0 .*it is 0/);
  });

  it('the same in 2-D, and for the gibbs overlay (theory[0].kind)', async () => {
    const s2 = validateScenarioObject(
      {
        name: 'gibbs-normalisable-2d',
        potential: { kind: 'gaussian-wells', params: { wells: wells2D } },
        dynamics: { lr: 0.01, steps: 10, temperature: 0.3 },
        ensemble: { replicas: 4, init: { kind: 'point', x: [-1.5, 0] } },
        observe: { observables: ['well'] },
        analysis: [{ kind: 'wells' }],
      },
      '',
    );
    expect((await issues(s2)).map((i) => i.path)).toEqual(['analysis[0].by']);
    const gibbs = await issues(scenario({ wells: wells1D }, { theory: [{ kind: 'gibbs', of: 'x' }] }));
    expect(gibbs.map((i) => i.path)).toEqual(['theory[0].kind']);
    expect(gibbs[0]!.hint).toMatch(/confinement/);
  });

  it('with confinement > 0 the same scenario is accepted and the theory is computed', async () => {
    const s = scenario({ wells: wells1D, confinement: 0.05 }, { analysis: [{ kind: 'wells' }], theory: [{ kind: 'gibbs', of: 'x' }] });
    expect(await issues(s)).toEqual([]);
    const out = await runScenario(s, { write: false, workers: 1 });
    const wells = (out.summary.analyses as Array<Record<string, unknown>>).find((a) => a.kind === 'wells') as Record<string, unknown>;
    expect(wells.theory).not.toBeNull();
    expect(wells.theorySkipped).toBeUndefined();
  });

  it('without wells analysis or overlay, a run in the unconfined potential goes on', async () => {
    const out = await runScenario(scenario({ wells: wells1D }), { write: false, workers: 1 });
    expect(out.summary.divergence.count).toBe(0);
  });
});

describe('where validation is not reached, the wells theory is skipped with a recorded reason', () => {
  it('wells analysis run directly on the unconfined potential: theory null, a note, theorySkipped and the printed warning', async () => {
    // A run of the confined potential gives a result with `well` finals; the analysis is then run, as a library
    // caller may, with the unconfined potential (no checkScenario in between).
    const confined = scenario({ wells: wells1D, confinement: 0.05 }, { analysis: [{ kind: 'wells' }] });
    const out = await runScenario(confined, { write: false, workers: 1 });
    const unconfined = scenario({ wells: wells1D }, { analysis: [{ kind: 'wells' }] });
    const potential = gaussianWells(wells1D, 0);
    const [wells] = await runRunAnalyses({
      scenario: unconfined,
      plan: resolvePlan(unconfined, potential),
      result: out.result,
      potential,
      summary: out.summary,
    });
    expect(wells!.theory).toBeNull();
    expect(wells!.theorySkipped).toMatchObject({ reason: 'gibbs density not normalisable' });
    expect((wells!.theorySkipped as { detail: string }).detail).toMatch(/not normalisable/);
    expect(wells!.notes).toEqual([expect.stringMatching(/^no theory: .*not normalisable/)]);
    expect((wells!.wells as Array<Record<string, unknown>>).every((w) => !('theoryOccupancy' in w))).toBe(true);
    expect(analysisText(wells!)).toMatch(/— theory skipped: .*not normalisable/);
    // The measured occupancies are still there.
    expect((wells!.wells as Array<{ count: number }>).reduce((n, w) => n + w.count, 0)).toBe(40);

    // The gibbs overlay likewise: skipped with the reason, no density drawn on the histogram.
    const withGibbs = scenario({ wells: wells1D }, { theory: [{ kind: 'gibbs', of: 'x' }] });
    const overlays = await theoryOverlays(withGibbs, resolvePlan(withGibbs, potential), out.result, potential);
    expect(overlays.summary).toEqual([
      expect.objectContaining({
        kind: 'gibbs',
        of: 'x',
        skipped: 'gibbs density not normalisable',
        text: expect.stringMatching(/^gibbs overlay of x skipped: .*not normalisable/),
      }),
    ]);
    expect(overlays.histograms).toEqual([null]);
  });
});
