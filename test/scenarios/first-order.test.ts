/**
 * The shipped first-order scenarios (scenarios/first-order/), scaled down to
 * run in a test: the same files, with fewer neurons, replicas and steps set by
 * `--set`-style overrides (never a different seed or threshold). The full
 * runs and their measured numbers are in the README ("The first-order-
 * transition picture").
 *
 * What a small run can show honestly (measured first, then asserted with the
 * stated margins): the order parameter condenses as σ² falls — the droplet
 * fraction's posterior mean rises by more than 4 combined MCSE and the
 * per-neuron Fourier concentration goes from one mode (prior-like) to two
 * (droplets). The held-out error of the posterior mean only falls clearly at
 * the full size and length (README), so it is not asserted here.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { loadScenario } from '../../src/scenario/index.js';
import { runSweep } from '../../src/runs/sweep.js';
import { runScenario } from '../../src/runs/run.js';
import { ROOT, tempDir } from '../helpers.js';

const here = path.join(ROOT, 'test');
const file = (name: string) => path.join(here, '..', 'scenarios', 'first-order', name);
const tmp = tempDir('first-order');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

type Obj = Record<string, any>;
const summaryOf = (dir: string): Obj => JSON.parse(readFileSync(path.join(dir, 'summary.json'), 'utf8'));

describe('modular-addition.yaml (P = 11, N = 16, 8 replicas, 20k steps)', () => {
  // A smoke test: it checks only the direction of the condensation (it would pass with the temperature
  // off by 10–21 %); the equipartition test below is the one that pins the sampler's temperature.
  it('smoke (direction only): as σ² falls from 0.15 to 0.02 the droplet fraction rises (> 4 MCSE) and the Fourier concentration turns bimodal', async () => {
    const s = await loadScenario(file('modular-addition.yaml'), {
      set: [
        'potential.params.N=16',
        'ensemble.replicas=8',
        'dynamics.steps=20000',
        'sampling.burn_in=10000',
        'sweep={potential.params.sigma2: [0.15, 0.02]}',
      ],
    });
    const out = await runSweep(s, { out: path.join(tmp, 'ma'), workers: 2, quiet: true });
    expect(out.complete).toBe(true);
    const [hi, lo] = [0, 1].map((i) => summaryOf(path.join(tmp, 'ma', 'points', String(i))).sampling);
    const d = [hi, lo].map((x) => x.chains.droplet_fraction);
    expect(lo.chains.droplet_fraction.mean - hi.chains.droplet_fraction.mean).toBeGreaterThan(4 * Math.hypot(d[0].mcse, d[1].mcse));
    const modes = [hi, lo].map((x) => x.posterior[0].mixture.modes.length);
    expect(modes).toEqual([1, 2]);
    // Sanity of the predictive block: a held-out set of 24 pairs (80 % of 121 for training).
    expect(hi.predictive.points).toBe(24);
  });
});

describe('modular-addition.yaml: the sampler at the shipped θ = 1 (equipartition in the prior limit)', () => {
  it('σ² = 10⁶ (data term weighed by 1/(2σ²) = 5·10⁻⁷): ⟨U⟩ = Σ_g n_g θ/(2(1 − h_g/2)) within 4 replica SE', async () => {
    // With the data term weighed by 1/(2σ²) = 5·10⁻⁷ (≈ 10⁻³ in energy units, against ⟨U⟩ ≈ 300) the energy is the Gaussian prior Σ_g |θ_g|²/(2s_g²), and
    // SGLD on it is a discrete Ornstein–Uhlenbeck process per coordinate with h_g = lr_g/s_g²: its
    // stationary variance is θ s_g²/(1 − h_g/2) (ouDiscreteStationaryVariance), so
    // ⟨U⟩ = Σ_g n_g θ / (2(1 − h_g/2)), two-sided and proportional to θ. The SE is the sd of the final
    // energy over the 16 independent replicas / 4; k = 4. A temperature off by 10 % moves ⟨U⟩ by ≈ 7 SE
    // (measured at seed 11: 312.8 ± 4.8 against 310.6, i.e. 0.45 SE).
    const P = 11;
    const N = 16;
    const s = await loadScenario(file('modular-addition.yaml'), {
      set: [
        `potential.params.N=${N}`,
        'ensemble.replicas=16',
        'dynamics.steps=2000',
        'sampling.burn_in=1000',
        'sweep={potential.params.sigma2: [1000000]}',
      ],
    });
    const out = await runSweep(s, { out: path.join(tmp, 'ma-prior'), workers: 2, quiet: true });
    expect(out.complete).toBe(true);
    const summary = summaryOf(path.join(tmp, 'ma-prior', 'points', '0'));
    const theta = 1; // the shipped dynamics.temperature
    expect(s.dynamics.temperature).toBe(theta);
    const lr = summary.run.stepSizes?.lr;
    expect(lr).toBeDefined();
    // Groups w (N × 2P, prior variance 0.5) and a (N × P, prior variance 1/N).
    const groups = [
      { n: N * 2 * P, h: lr.w / 0.5 },
      { n: N * P, h: lr.a * N },
    ];
    for (const g of groups) expect(g.h).toBeLessThan(1);
    const expected = groups.reduce((acc, g) => acc + (g.n * theta) / (2 * (1 - g.h / 2)), 0);
    const e = summary.observables.energy.final;
    expect(e.n).toBe(16);
    expect(Math.abs(e.mean - expected)).toBeLessThan(4 * e.sem);
  });
});

describe('teacher-student-cubic.yaml (d = 8, N = 8, n = 200, 8 replicas)', () => {
  // No-learning control: σ² = 10⁶ weighs the data term by n/(2σ²) = 10⁻⁴, so the chains sample the
  // prior and the overlap with the teacher is chance (mean 0: the prior is even in a). The learned
  // overlap (σ² = 0.1) must exceed the control's by k = 4 combined standard errors, each the sd over
  // the independent replicas of their final linear overlap / √replicas (not an MCSE of the code under
  // test). The control's replicas spread widely (sd ≈ 0.3, against 0.03 learned), so it runs 32 of
  // them. Measured at seed 3: 0.637 ± 0.009 against 0.067 ± 0.045 (12.5 SE).
  const shrink = [
    'potential.params.d=8',
    'potential.params.N=8',
    'potential.params.n=200',
    'potential.params.n_test=500',
    'dynamics.steps=4000',
    'sampling.burn_in=2000',
  ];
  const runAt = async (label: string, sigma2: number, replicas: number): Promise<Obj> => {
    const set = [...shrink, `ensemble.replicas=${replicas}`, `sweep={potential.params.sigma2: [${sigma2}]}`];
    const s = await loadScenario(file('teacher-student-cubic.yaml'), { set });
    const out = await runSweep(s, { out: path.join(tmp, label), workers: 1, quiet: true });
    expect(out.complete).toBe(true);
    return summaryOf(path.join(tmp, label, 'points', '0'));
  };

  it('learns: the linear overlap exceeds a no-learning control (σ² = 10⁶, the prior) by 4 replica SE; the posterior mean overlap is in (0, 1)', async () => {
    const learned = await runAt('ts', 0.1, 8);
    const control = await runAt('ts-control', 1e6, 32);
    const sm = learned.sampling;
    const lin = sm.predictive.posteriorMean.linear_overlap;
    expect(lin).toBeGreaterThan(0);
    expect(lin).toBeLessThan(1);
    expect(sm.posterior[0].samples).toBe(8 * 8 * 21);
    const [a, b] = [learned, control].map((x) => x.observables.linear_overlap.final);
    expect(a.n).toBe(8);
    expect(b.n).toBe(32);
    expect(a.mean - b.mean).toBeGreaterThan(4 * Math.hypot(a.sem, b.sem));
  });
});

describe('custom-tfjs-model.yaml', () => {
  it('runs the user tfjs module and says which tfjs it used', async () => {
    const s = await loadScenario(file('custom-tfjs-model.yaml'), {
      set: ['ensemble.replicas=4', 'dynamics.steps=300', 'sampling.burn_in=100', 'sampling.thin=50'],
    });
    let info: Record<string, unknown> = {};
    const o = await runScenario(s, { out: path.join(tmp, 'tf'), workers: 0, onStart: (p) => (info = { ...p.info }) });
    expect(o.summary.divergence.count).toBe(0);
    expect(String(info.tfjs)).toMatch(/^@tensorflow\/tfjs(-node)?$/);
    expect(['tensorflow', 'wasm', 'cpu']).toContain(info.backend);
    expect(o.summary.sampling!.chains.energy.n).toBeGreaterThan(0);
  });
});
