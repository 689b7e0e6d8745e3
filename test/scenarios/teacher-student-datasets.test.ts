/**
 * scenarios/first-order/teacher-student-datasets.yaml at reduced size: three of its data sets at
 * n = 400 and at n = 100, σ² = 0.05, 4 chains × 20,000 SGLD steps (samples after 8,000) instead of
 * 10 data sets × 5 chains × 60,000 steps. On each data set the GP limit is computed on the very same
 * samples, so the comparison is paired; as in the scenario, the gaps are averaged over data sets:
 *   - at n = 400 the network's posterior-mean cubic-harmonic overlap exceeds the GP's, averaged over
 *     the data sets, by more than K = 4 standard errors (each data set's SE is that of its per-chain
 *     posterior means — chains that have not mixed make it large; the GP value is exact given the
 *     data) — the scenario's claim that the finite network learns the degree-3 part earlier;
 *   - at n = 100 the same check fails (neither learns the cubic part yet), so the assertion can fail;
 *   - the overlay's GP value is the GP's at the same n in its own curve, and its equivalent sample size
 *     is consistent with the curve (above the run's n when the network beats the GP).
 */
import { describe, expect, it } from 'vitest';
import * as path from 'node:path';
import { loadScenario } from '../../src/scenario/index.js';
import { runScenario } from '../../src/runs/run.js';
import { ROOT } from '../helpers.js';

const K = 4;
type Obj = Record<string, any>;
const FILE = path.join(ROOT, 'scenarios', 'first-order', 'teacher-student-datasets.yaml');

async function runAt(n: number, dataset: number): Promise<Obj> {
  const s = await loadScenario(FILE, {
    set: [
      `potential.params.n=${n}`,
      `potential.params.dataset=${dataset}`,
      'ensemble.replicas=4',
      'dynamics.steps=20000',
      'sampling.burn_in=8000',
      'theory[0].gp_n=[100,400,1600]',
    ],
  });
  expect(s.potential.params).toMatchObject({ d: 16, N: 16, sigma2: 0.05, epsilon: 0.3 });
  const out = await runScenario({ ...s, sweep: undefined, analysis: [] }, { write: false, workers: 2 });
  return out.summary as unknown as Obj;
}

/** The network's posterior-mean cubic-harmonic overlap minus the GP's on the same data, in SEs of the network's value. */
function margin(s: Obj): { gap: number; se: number; text: string } {
  const t = s.theory[0] as Obj;
  const se = s.sampling.predictive.perReplica.cubic_harmonic_overlap.sem as number;
  const gap = t.measured.cubicHarmonic - t.gp.cubicHarmonic;
  return { gap, se, text: `network ${t.measured.cubicHarmonic}, GP ${t.gp.cubicHarmonic}, SE ${se}` };
}

/** The mean gap over data sets and its SE, sqrt(Σ se²)/k. */
function pooled(ms: Array<ReturnType<typeof margin>>): { gap: number; se: number; text: string } {
  const k = ms.length;
  return {
    gap: ms.reduce((a, m) => a + m.gap, 0) / k,
    se: Math.sqrt(ms.reduce((a, m) => a + m.se * m.se, 0)) / k,
    text: ms.map((m) => m.text).join('; '),
  };
}

describe('teacher-student-datasets.yaml (reduced size)', () => {
  it('at n = 400 the network’s cubic-harmonic overlap beats the GP’s on the same data; at n = 100 it does not', async () => {
    const big: Obj[] = [];
    const small: Obj[] = [];
    for (const dataset of [0, 1, 2]) {
      big.push(await runAt(400, dataset));
      small.push(await runAt(100, dataset));
    }
    const atBig = pooled(big.map(margin));
    expect(atBig.gap, `n = 400: ${atBig.text}`).toBeGreaterThan(K * atBig.se);
    const atSmall = pooled(small.map(margin));
    expect(atSmall.gap, `n = 100: ${atSmall.text}`).toBeLessThan(K * atSmall.se);
    for (const s of big) {
      const t = s.theory[0] as Obj;
      expect(t.curve.find((c: Obj) => c.n === 400).cubicHarmonic).toBe(t.gp.cubicHarmonic);
      const eq = t.equivalent.cubicHarmonic;
      // Where the network beats the GP at its own n, the GP needs more samples (or more than the curve has).
      if (t.measured.cubicHarmonic > t.gp.cubicHarmonic) expect(eq.n === null ? eq.above : eq.n).toBeGreaterThan(400);
    }
  });
});
