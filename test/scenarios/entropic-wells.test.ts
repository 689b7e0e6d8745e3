/**
 * scenarios/brownian/entropic-wells.yaml at reduced size (2,000 replicas, t = 150; nothing else changed):
 * two Gaussian wells of equal depth and widths 0.2 / 0.6 in a reflecting box, θ = 0.4 and 0.2.
 * Per point, against the criteria of docs/results/brownian.md:
 *   - the final histogram is consistent with the Gibbs density normalised in the box (χ² p > 1e-3);
 *   - each well's occupancy within K = 4 binomial SE of the quadrature in the box, and ΔF within
 *     K standard errors (the half-width of its 95 % interval / 1.96);
 *   - control at θ = 0.4: the harmonic estimate, which sees neither the flat floor nor the walls,
 *     is more than K SE away from the measured occupancy (the box quadrature is what agrees).
 * scenarios/brownian/entropic-wells-exchange.yaml at reduced size (1,000 ladders, t = 40; nothing else changed):
 *   - the coldest rung (θ = 0.1) has each well's occupancy within K SE of the quadrature in the box, every
 *     neighbour pair accepts at least 0.2 of its swaps and walkers complete round trips;
 *   - control: the same scenario without its exchange section (a plain run at θ = 0.1, same replicas and
 *     steps) is more than 10 SE off, so the first check can fail.
 * Seeds are the scenario's own.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { loadScenario } from '../../src/scenario/index.js';
import { runSweep } from '../../src/runs/sweep.js';
import { runExchange } from '../../src/runs/exchange.js';
import { runScenario } from '../../src/runs/run.js';
import { ROOT, tempDir } from '../helpers.js';

const K = 4;
const tmp = tempDir('entropic-wells');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Obj = Record<string, any>;

describe('entropic-wells.yaml (2,000 replicas, t = 150)', () => {
  it('θ = 0.4 and 0.2: histogram vs Gibbs in the box, occupancies and ΔF vs quadrature in the box; the harmonic estimate is rejected at θ = 0.4', async () => {
    const s = await loadScenario(path.join(ROOT, 'scenarios', 'brownian', 'entropic-wells.yaml'), {
      set: ['ensemble.replicas=2000', 'dynamics.steps=75000'],
    });
    const out = await runSweep(s, { out: path.join(tmp, 'sweep'), workers: 2, quiet: true });
    expect(out.complete).toBe(true);
    const points = out.points.map((p) => p.summary as Obj);
    expect(points.map((p) => p.run.temperature)).toEqual([0.4, 0.2]);
    for (const p of points) {
      const theta = p.run.temperature;
      const gibbs = p.theory.find((t: Obj) => t.kind === 'gibbs');
      expect(gibbs.box).toEqual({ kind: 'reflect', lo: -2.5, hi: 2.5 });
      expect(gibbs.pValue, `θ = ${theta}: ${gibbs.text}`).toBeGreaterThan(1e-3);
      const wells = p.analyses.find((a: Obj) => a.kind === 'wells');
      expect(wells.theory.method).toMatch(/reflecting box \[-2\.5, 2\.5\]/);
      expect(wells.replicas).toBe(2000);
      for (const w of wells.wells) expect(Math.abs(w.z), `θ = ${theta}, well ${w.well}`).toBeLessThan(K);
      const dF = wells.deltaF[0];
      const se = (dF.ci95[1] - dF.ci95[0]) / (2 * 1.96);
      expect(Math.abs(dF.deltaF - dF.theory), `θ = ${theta}: ΔF ${dF.deltaF} vs ${dF.theory}`).toBeLessThan(K * se);
    }
    const hot = points[0]!.analyses.find((a: Obj) => a.kind === 'wells');
    const narrow = hot.wells[0];
    const se = Math.sqrt((narrow.theoryOccupancy * (1 - narrow.theoryOccupancy)) / hot.replicas);
    expect(Math.abs(narrow.occupancy - narrow.harmonicOccupancy)).toBeGreaterThan(K * se);
  });
});

describe('entropic-wells-exchange.yaml (1,000 ladders × 5 rungs, t = 40)', () => {
  it('θ = 0.1: replica exchange brings the coldest rung within 4 SE of quadrature in the box; the plain run is > 10 SE off', async () => {
    const s = await loadScenario(path.join(ROOT, 'scenarios', 'brownian', 'entropic-wells-exchange.yaml'), {
      set: ['ensemble.replicas=1000', 'dynamics.steps=20000'],
    });
    const out = await runExchange(s, { write: false, workers: 2 });
    expect(out.exchange.rungs[0].temperature).toBe(0.1);
    for (const pair of out.exchange.pairs) expect(pair.acceptance, `pair ${pair.rungs.join('–')}`).toBeGreaterThanOrEqual(0.2);
    expect(out.exchange.roundTrips.count).toBeGreaterThan(0);
    // The ladders are independent, so the final states at rung 0 are independent samples: binomial SE (the analysis' z).
    const cold = out.rungs[0].summary.analyses.find((a: Obj) => a.kind === 'wells') as Obj;
    expect(cold.temperature).toBe(0.1);
    expect(cold.replicas).toBe(1000);
    expect(cold.theory.method).toMatch(/reflecting box \[-2\.5, 2\.5\]/);
    for (const w of cold.wells) expect(Math.abs(w.z), `exchange, well ${w.well}: ${w.occupancy} vs ${w.theoryOccupancy}`).toBeLessThan(K);

    const plain = await runScenario({ ...s, exchange: undefined }, { write: false, workers: 2 });
    const wells = plain.summary.analyses.find((a: Obj) => a.kind === 'wells') as Obj;
    expect(wells.temperature).toBe(0.1);
    const narrow = wells.wells[0];
    expect(narrow.occupancy - narrow.theoryOccupancy, `plain: ${narrow.occupancy} vs ${narrow.theoryOccupancy}`).toBeGreaterThan(0);
    expect(Math.abs(narrow.z), `plain: ${narrow.occupancy} vs ${narrow.theoryOccupancy}`).toBeGreaterThan(10);
  });
});
