/**
 * Adaptive multilevel splitting (src/engine/splitting.ts, src/runs/splitting.ts):
 * the escape time of the double well h(x² − 1)² at θ = 0.25 against brute
 * force and the exact MFPT integral (docs/models.md §1.2), p̂ with k > 1
 * against brute force of the same discrete-time probability, the
 * determinism that makes repetitions distributable, and the loader's errors.
 * Tolerances are k·σ with k stated, σ from the repetitions' spread; seeds fixed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, validateScenarioObject } from '../../src/scenario/load.js';
import { checkScenario, runScenario } from '../../src/runs/run.js';
import { runSplitting, splittingRepetitionRunner } from '../../src/runs/splitting.js';
import { meanFirstPassageTime } from '../../src/theory/mfpt.js';
import { tempDir } from '../helpers.js';

const f = (x: number) => (x * x - 1) ** 2;

function doubleWell(theta: number, lr: number, splitting: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return validateScenarioObject(
    {
      name: 'ams-double-well',
      seed: 5,
      potential: { kind: 'double-well', params: { h: 1 } },
      dynamics: { integrator: 'sgld', lr, temperature: theta, steps: 1 },
      ensemble: { replicas: 1, init: { kind: 'point', x: [-1] } },
      observe: { events: [{ name: 'escape', enter: { x: { ge: 1 } } }], finals: false },
      splitting: { from: { x: { le: -0.9 } }, to: 'escape', coordinate: 'x', initial: { level: -0.8 }, ...splitting },
      ...extra,
    },
    'inline',
  );
}

describe('AMS on the double well at θ = 0.25 (ΔE/θ = 4)', () => {
  const theta = 0.25;
  const lr = 5e-3;

  it('the MFPT agrees with brute force (3σ combined) and with the exact integral (3σ and 10 %)', async () => {
    // Brute force: 2000 replicas over 200 time units (≈ 3 MFPTs); censored-MLE MFPT.
    const bf = await runScenario(
      doubleWell(theta, lr, { walkers: 100, repetitions: 20 }, { dynamics: { integrator: 'sgld', lr, temperature: theta, steps: 40000 } }),
      { write: false, workers: 0 },
    );
    const fp = bf.summary.events.escape;
    const bfMean = fp.mfpt.time!;
    const bfSe = (fp.mfpt.ci95Time![1] - fp.mfpt.ci95Time![0]) / (2 * 1.96);
    const ams = bf.summary.splitting!;
    const exact = meanFirstPassageTime(f, -1, 1, theta);
    expect(ams.mfpt.se).toBeGreaterThan(0);
    expect(Math.abs(ams.mfpt.mean - exact)).toBeLessThan(3 * ams.mfpt.se);
    expect(Math.abs(ams.mfpt.mean / exact - 1)).toBeLessThan(0.1);
    expect(Math.abs(ams.mfpt.mean - bfMean)).toBeLessThan(3 * Math.hypot(ams.mfpt.se, bfSe));
    expect(ams.rate.mean).toBeCloseTo(1 / ams.mfpt.mean, 12);
    expect(ams.extinct + ams.incomplete).toBe(0);
  });
});

describe('AMS probability against brute force of the same process', () => {
  // The equilibrium trajectory's crossings of z₀ are independent trials of exactly the
  // probability AMS estimates (same discrete-time dynamics, same start distribution):
  // escapes / (escapes + returns) is its brute-force estimate, binomial SE. With BAOAB
  // the walkers carry momenta: a clone that did not copy them would bias p̂.
  it.each([
    ['sgld', {}, 1000, 10],
    ['baoab', { friction: 5 }, 500, 8],
  ])(
    '%s: p̂ (k = 1 % of the walkers) agrees within 3σ with the fraction of equilibrium loops that reach B (θ = 0.4)',
    async (integrator, constants, walkers, repetitions) => {
      const kill = walkers / 100;
      const s = doubleWell(
        0.4,
        5e-3,
        { walkers, kill, repetitions },
        { dynamics: { integrator, lr: 5e-3, temperature: 0.4, steps: 1, ...constants } },
      );
      const { plan, potential } = await checkScenario(s);
      const run = splittingRepetitionRunner(plan, potential);
      const reps = Array.from({ length: repetitions }, (_, r) => run(r));
      const ps = reps.map((r) => r.probability);
      const mean = ps.reduce((a, b) => a + b, 0) / ps.length;
      const se = Math.sqrt(ps.reduce((a, p) => a + (p - mean) ** 2, 0) / (ps.length - 1) / ps.length);
      const escapes = reps.reduce((a, r) => a + r.escapes, 0);
      const trials = escapes + reps.reduce((a, r) => a + r.loops, 0);
      const pBf = escapes / trials;
      const seBf = Math.sqrt((pBf * (1 - pBf)) / trials);
      expect(escapes).toBeGreaterThan(100);
      expect(reps.every((r) => r.complete && !r.extinct && r.killed >= kill * r.iterations)).toBe(true);
      expect(Math.abs(mean - pBf)).toBeLessThan(3 * Math.hypot(se, seBf));
    },
  );
});

describe('AMS determinism', () => {
  it('a repetition gives the same numbers whatever the number of repetitions, and reruns are identical', async () => {
    const three = doubleWell(0.25, 5e-3, { walkers: 20, repetitions: 3 });
    const five = doubleWell(0.25, 5e-3, { walkers: 20, repetitions: 5 });
    const a = await checkScenario(three);
    const b = await checkScenario(five);
    const r3 = await runSplitting(three, a.plan, a.potential);
    const r3again = await runSplitting(three, a.plan, a.potential);
    const r5 = await runSplitting(five, b.plan, b.potential);
    expect(r3again).toEqual(r3);
    expect(r5.perRepetition.slice(0, 3)).toEqual(r3.perRepetition);
    // Different repetitions use different streams.
    expect(new Set(r5.perRepetition.map((r) => r.probability)).size).toBeGreaterThan(1);
  });

  it('the splitting block is identical with 0 and 2 workers', async () => {
    const s = doubleWell(0.25, 5e-3, { walkers: 20, repetitions: 4 }, { ensemble: { replicas: 64, init: { kind: 'point', x: [-1] } } });
    const zero = await runScenario(s, { write: false, workers: 0 });
    const two = await runScenario(s, { write: false, workers: 2 });
    expect(two.summary.splitting).toEqual(zero.summary.splitting);
    expect(new Set(zero.summary.splitting!.perRepetition.map((r) => r.probability)).size).toBe(4);
  });
});

describe('splitting: validation', () => {
  const write = (body: string) => {
    const file = join(tempDir('split-'), 'scenario.yaml');
    writeFileSync(file, body);
    return file;
  };
  const head = `name: bad-split
potential: { kind: double-well, params: { h: 1 } }
dynamics: { integrator: sgld, lr: 1.0e-3, temperature: 0.25, steps: 10 }
ensemble: { replicas: 2, init: { kind: point, x: [-1] } }
observe:
  events: [{ name: escape, enter: { x: { ge: 1 } } }]
`;

  it('an unknown coordinate, an unknown event and kill ≥ walkers are named with file, line, expected and found', async () => {
    const file = write(
      head +
        `splitting:
  from: { x: { le: -0.9 } }
  to: escpe
  coordinate: y
  walkers: 4
  kill: 4
  initial: { level: -0.8 }
`,
    );
    const s = await loadScenario(file);
    const err = await checkScenario(s).then(
      () => null,
      (e: Error) => e,
    );
    expect(err).not.toBeNull();
    const msg = err!.message;
    expect(msg).toContain(file);
    expect(msg).toMatch(/splitting\.coordinate[\s\S]*:10|:10[\s\S]*splitting\.coordinate/);
    expect(msg).toContain('found "y". Did you mean \'x\'?');
    expect(msg).toContain("Did you mean 'escape'?");
    expect(msg).toMatch(/splitting\.kill/);
    expect(msg).toContain('fewer than splitting.walkers (4)');
  });

  it('B may be a region, and a region over an unknown coordinate is named', async () => {
    const ok = write(head + `splitting: { from: { x: { le: -0.9 } }, to: { x: { ge: 1 } }, coordinate: x, initial: { level: -0.8 } }\n`);
    await expect(checkScenario(await loadScenario(ok))).resolves.toBeDefined();
    const bad = write(head + `splitting: { from: { z: { le: -0.9 } }, to: { x: { ge: 1 } }, coordinate: x, initial: { level: -0.8 } }\n`);
    await expect(checkScenario(await loadScenario(bad))).rejects.toThrow(
      /splitting\.from\.z: expected a coordinate of the potential \(x\), found "z"/,
    );
  });

  it('a level inside A and an unknown key are errors', async () => {
    const file = write(
      head +
        `splitting:
  from: { x: { le: -0.9 } }
  to: escape
  coordinate: x
  initial: { level: -0.95 }
`,
    );
    const err = await checkScenario(await loadScenario(file)).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toContain('splitting.initial.level');
    const cold = write(
      head.replace('temperature: 0.25', 'temperature: 0') +
        `splitting: { from: { x: { le: -0.9 } }, to: escape, coordinate: x, initial: { level: -0.8 } }\n`,
    );
    const coldErr = await checkScenario(await loadScenario(cold)).then(
      () => null,
      (e: Error) => e,
    );
    expect(coldErr?.message).toMatch(/dynamics\.temperature: expected θ > 0 with a splitting section/);
    const file2 = write(
      head + `splitting: { from: { x: { le: -0.9 } }, to: escape, coordinate: x, initial: { level: -0.8 }, walker: 3 }\n`,
    );
    await expect(loadScenario(file2)).rejects.toThrow(/walker/);
  });
});
