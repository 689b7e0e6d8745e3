/**
 * Wells as basins of attraction (the `basin` observable: steepest descent from
 * each replica to a declared minimum) vs wells as nearest minima (`well`):
 * both occupancies match their own exact 1-D quadrature (split at the barrier
 * top, resp. at the midpoint between minima) within 3 SE.
 */
import { describe, expect, it } from 'vitest';
import { validateScenarioObject } from '../../src/scenario/index.js';
import { runScenario } from '../../src/runs/run.js';
import { tempDir } from '../helpers.js';

describe('wells by basin of attraction', () => {
  it('basin and nearest-minimum occupancies each match their quadrature (|z| < 3) and differ from each other', async () => {
    const s = validateScenarioObject(
      {
        name: 'basins',
        seed: 3,
        potential: { kind: 'two-wells', params: { depth1: 1, depth2: 0.5, k1: 9, k2: 1, centre1: -1, centre2: 1 } },
        dynamics: { integrator: 'sgld', lr: 0.005, temperature: 0.6, steps: 12000 },
        ensemble: { replicas: 8000, init: { kind: 'point', x: [0] } },
        observe: { grid: { kind: 'linear', points: 2 }, observables: ['well', 'basin'] },
        analysis: [
          { kind: 'wells', by: 'well' },
          { kind: 'wells', by: 'basin' },
        ],
      },
      '',
    );
    const { summary } = await runScenario(s, { out: tempDir('basin'), workers: 2 });
    type W = { occupancy: number; theoryOccupancy: number; z: number };
    const [byWell, byBasin] = summary.analyses as Array<{ wells: W[]; theory: { method: string } }>;
    for (const a of [byWell, byBasin]) for (const w of a.wells) expect(Math.abs(w.z)).toBeLessThan(3);
    expect(byBasin.theory.method).toMatch(/energy maxima/);
    expect(byWell.theory.method).toMatch(/midpoints/);
    // The basin boundary (barrier top, near the narrow well) is not the midpoint: the theories differ by ≫ 3 SE.
    const se = Math.sqrt(0.25 / 8000);
    expect(Math.abs(byBasin.wells[0].theoryOccupancy - byWell.wells[0].theoryOccupancy)).toBeGreaterThan(5 * se);
  });
});
