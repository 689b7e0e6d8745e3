/**
 * The sampling pipeline (`sampling:` scenario section): validation through
 * the real loader, chains, pooled per-unit posterior histograms, −ln p and the
 * mixture fit, posterior-predictive metrics, determinism across workers, the
 * summary without a sampling section, sweep columns, plots and CLI lines.
 *
 * A small fake potential (a module, so the worker threads can build it too)
 * defines a per-unit observable, a scalar one and a predictive: U independent
 * double wells h(x_u² − 1)², `unit_x` = x_u (units U), `xbar` = mean of x_u,
 * predictive = the coordinates themselves with metrics `error` = mean_k p_k²
 * and `mean` = mean_k p_k.
 *
 *   npm run build && npx vitest run test/analysis/sampling.test.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario, ScenarioError, validateScenarioObject, type Scenario } from '../../src/scenario/index.js';
import { checkScenario, runScenario } from '../../src/runs/run.js';
import { runSweep } from '../../src/runs/sweep.js';
import { buildReportHtml } from '../../src/report/html.js';
import { loadReportContext, parseCsv } from '../../src/report/plots/index.js';
import { fitHistogramMixtureBIC, mixtureDensity } from '../../src/stats/mixture.js';
import { samplingLines } from '../../src/cli/format.js';
import { posteriorChainReplicas, POSTERIOR_CHAIN_VALUES } from '../../src/observables/sampling.js';
import type { Summary } from '../../src/analysis/summary.js';
import { CLI_MAIN, tempDir } from '../helpers.js';

const MAIN = CLI_MAIN;
const U = 4;

const FAKE_MODULE = `
export function createPotential(params) {
  const U = params.units ?? ${U};
  const h = params.h ?? 1;
  return {
    name: 'fake-units',
    dim: U,
    coordinates: Array.from({ length: U }, (_, i) => 'x' + i),
    groups: [{ name: 'x', offset: 0, size: U }],
    energyAndGradient(x, count, energy, grad) {
      for (let r = 0; r < count; r++) {
        let e = 0;
        for (let u = 0; u < U; u++) {
          const v = x[r * U + u];
          const q = v * v - 1;
          e += h * q * q;
          grad[r * U + u] = 4 * h * v * q;
        }
        energy[r] = e;
      }
    },
    observables: [
      { name: 'unit_x', description: 'x_u of each unit', units: U,
        evaluate(x, count, out) { for (let i = 0; i < count * U; i++) out[i] = x[i]; } },
      { name: 'xbar', description: 'mean of the x_u', units: 1,
        evaluate(x, count, out) {
          for (let r = 0; r < count; r++) { let s = 0; for (let u = 0; u < U; u++) s += x[r * U + u]; out[r] = s / U; }
        } },
    ],
    predictive: {
      size: U,
      points: U,
      predict(x, count, out) { for (let i = 0; i < count * U; i++) out[i] = x[i]; },
      metrics(pred, off) {
        let s = 0, s2 = 0;
        for (let k = 0; k < U; k++) { s += pred[off + k]; s2 += pred[off + k] * pred[off + k]; }
        return { error: s2 / U, mean: s / U };
      },
    },
    info: { backend: 'plain JavaScript', units: U },
  };
}
`;

let TMP: string;
let MODULE: string;

beforeAll(() => {
  TMP = realpathSync(tempDir('sampling-test'));
  MODULE = path.join(TMP, 'fake-units.mjs');
  writeFileSync(MODULE, FAKE_MODULE);
});

afterAll(() => {
  if (TMP) rmSync(TMP, { recursive: true, force: true });
});

const dir = (name: string) => path.join(TMP, name);
const readJson = (f: string) => JSON.parse(readFileSync(f, 'utf8'));

/** A fake-potential scenario; `sampling` merged in (null = no sampling section). */
function fakeScenario(sampling: Record<string, unknown> | null, extra: Record<string, unknown> = {}): Record<string, any> {
  return {
    name: 'fake-sampling',
    seed: 11,
    potential: { module: MODULE, params: { h: 1 } },
    dynamics: { integrator: 'sgld', lr: 0.01, temperature: 0.25, steps: 1200 },
    // 32 replicas: blocks of 2 (blockSize), so 2 workers split them.
    ensemble: { replicas: 32, init: { kind: 'uniform', low: [-1.5], high: [1.5] } },
    observe: { grid: { kind: 'linear', points: 7 }, observables: ['x0', 'xbar', 'unit_x', 'energy'] },
    ...(sampling ? { sampling } : {}),
    ...extra,
  };
}

const SAMPLING = {
  burn_in: 200,
  thin: 10,
  chains: ['energy', 'xbar', 'unit_x', 'x0', 'x1', 'x2', 'x3'],
  posterior: [
    { of: 'unit_x', bins: 40, range: [-3, 3], mixture: 2 },
    { of: 'xbar', bins: 20, range: [-2, 2], mixture: 0 },
  ],
};

/** The summary without its run-dependent parts (timing, run id). */
function deterministic(s: Summary): Record<string, unknown> {
  const c = structuredClone(s) as any;
  delete c.timing;
  delete c.run.id;
  return c;
}

// ------------------------------------------------------------------ validation

/** Write a YAML scenario and return [file, the ScenarioError of loading and checking it]. */
async function yamlError(name: string, text: string): Promise<[string, ScenarioError]> {
  const file = dir(`${name}.yaml`);
  writeFileSync(file, text);
  try {
    const s = await loadScenario(file);
    await checkScenario(s);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    return [file, e as ScenarioError];
  }
  throw new Error(`${name}: expected a ScenarioError, but the scenario was accepted`);
}

const yaml = (sampling: string, potential = '{ kind: double-well }', steps = 100) => `name: bad
potential: ${potential}
dynamics: { lr: 0.01, steps: ${steps} }
ensemble: { replicas: 4 }
sampling:
${sampling}
`;

describe('sampling: validation through the loader (file:line: path: expected …, found …)', () => {
  it('burn_in after the last step', async () => {
    const [file, e] = await yamlError('burn', yaml('  burn_in: 150\n  thin: 5'));
    expect(e.issues.map((i) => i.path)).toEqual(['sampling.burn_in']);
    expect(e.message).toContain(
      `${file}:6: sampling.burn_in: expected a step ≤ dynamics.steps (100), so that at least one sample is taken, found 150.`,
    );
  });

  it('thin < 1, missing burn_in, an unknown key, an unordered range (schema and cross-field checks together)', async () => {
    const [file, e] = await yamlError('schema', yaml('  thin: 0\n  posterior:\n    - { of: x, range: [1, -1] }\n  burnin: 3'));
    const at = (p: string) => e.issues.find((i) => i.path === p);
    expect(at('sampling.thin')?.expected).toBe('an integer ≥ 1');
    expect(at('sampling.thin')?.line).toBe(6);
    expect(at('sampling.burn_in')?.found).toBe('nothing');
    expect(at('sampling.burnin')?.hint).toContain("Did you mean 'burn_in'?");
    expect(at('sampling.burnin')?.line).toBe(9);
    expect(e.message).toContain(
      `${file}:8: sampling.posterior[0].range: expected [lo, hi] with lo < hi, found [1, -1]. Swap the two bounds.`,
    );
  });

  it('unknown observables in chains and posterior name the potential’s own observables', async () => {
    const [file, e] = await yamlError(
      'names',
      yaml(`  burn_in: 10\n  chains: [energy, unit_z]\n  posterior:\n    - { of: xbr, range: [0, 1] }`, `{ module: ${MODULE} }`),
    );
    expect(e.issues.map((i) => i.path)).toEqual(['sampling.chains[1]', 'sampling.posterior[0].of']);
    expect(e.message).toContain(`${file}:7: sampling.chains[1]: expected a known observable, found "unit_z". Did you mean 'unit_x'?`);
    expect(e.message).toContain(`${file}:9: sampling.posterior[0].of: expected a known observable, found "xbr". Did you mean 'xbar'?`);
  });

  it('predictive: true on a potential without a predictive', async () => {
    const [file, e] = await yamlError('pred', yaml('  burn_in: 10\n  predictive: true'));
    expect(e.message).toContain(
      `${file}:7: sampling.predictive: expected false (or no predictive key): potential 'double-well' defines no posterior predictive, found true.`,
    );
  });

  it('a chain store beyond the limit asks for a larger thin', async () => {
    const [, e] = await yamlError('big', yaml('  burn_in: 0\n  chains: [energy, x]', '{ kind: double-well }', 20_000_000));
    expect(e.issues[0].path).toBe('sampling.thin');
    expect(e.issues[0].expected).toMatch(/thin ≥ 9\)$/);
  });

  it('fills the defaults; a scenario without sampling resolves without the key', () => {
    const s = validateScenarioObject(fakeScenario({ burn_in: 5 }), '');
    expect(s.sampling).toEqual({ burn_in: 5, thin: 1, chains: ['energy'], posterior: [], warn: { rhat: 1.05, ess: 100 } });
    expect('sampling' in validateScenarioObject(fakeScenario(null), '')).toBe(false);
  });
});

// ------------------------------------------------------------------ runs

describe('sampling: a run with the fake potential', () => {
  let scenario: Scenario;
  let one: { dir: string; summary: Summary };
  let two: { dir: string; summary: Summary };
  let plain: { dir: string; summary: Summary };

  beforeAll(async () => {
    scenario = validateScenarioObject(fakeScenario(SAMPLING), '');
    one = await runScenario(scenario, { out: dir('one'), workers: 1 });
    two = await runScenario(scenario, { out: dir('two'), workers: 2 });
    plain = await runScenario(validateScenarioObject(fakeScenario(null), ''), { out: dir('plain'), workers: 2 });
  });

  it('samples at burn_in, burn_in + thin, … steps; chains.csv has one row per replica per sample', () => {
    const sm = one.summary.sampling!;
    const samples = Math.floor((1200 - 200) / 10) + 1;
    expect(sm).toMatchObject({ burnIn: 200, thin: 10, samplesPerReplica: samples, firstSampleStep: 200, lastSampleStep: 1200 });
    const t = parseCsv(readFileSync(path.join(one.dir, 'chains.csv'), 'utf8'));
    expect(t.header).toEqual(['replica', 'sample', 'step', ...SAMPLING.chains]);
    expect(t.rows.length).toBe(32 * samples);
    t.rows.forEach((r, i) => {
      expect(Number(r[0])).toBe(Math.floor(i / samples));
      expect(Number(r[2])).toBe(200 + 10 * (i % samples));
    });
    for (const c of SAMPLING.chains) expect(sm.chains[c]).toMatchObject({ n: 32 * samples, chains: 32 });
    // The last sample is the final state: chains.csv agrees with finals.csv replica by replica (replica order across tiles and workers).
    const finals = parseCsv(readFileSync(path.join(one.dir, 'finals.csv'), 'utf8'));
    const last = t.rows.filter((r) => Number(r[1]) === samples - 1);
    const col = (tab: { header: string[] }, name: string) => tab.header.indexOf(name);
    finals.rows.forEach((r, i) => expect(Number(last[i][col(t, 'x0')])).toBe(Number(r[col(finals, 'x0')])));
    // A per-unit observable as a chain is its mean over units: the same numbers as the scalar xbar.
    for (const r of t.rows) expect(r[col(t, 'unit_x')]).toBe(r[col(t, 'xbar')]);
  });

  it('1 and 2 workers give identical sampling blocks and chains.csv', () => {
    expect(two.summary.sampling).toEqual(one.summary.sampling);
    expect(readFileSync(path.join(two.dir, 'chains.csv'), 'utf8')).toBe(readFileSync(path.join(one.dir, 'chains.csv'), 'utf8'));
    expect(readJson(path.join(two.dir, 'summary.json')).sampling).toEqual(readJson(path.join(one.dir, 'summary.json')).sampling);
  });

  it('a per-unit posterior pools units × replicas × samples values', () => {
    const sm = one.summary.sampling!;
    const h = sm.posterior[0];
    expect(h.units).toBe(U);
    expect(h.samples).toBe(U * 32 * sm.samplesPerReplica);
    expect(h.underflow + h.overflow).toBe(0);
    expect(h.counts.reduce((a, b) => a + b, 0)).toBe(h.samples);
    const scalar = sm.posterior[1];
    expect(scalar.units).toBe(1);
    expect(scalar.samples).toBe(32 * sm.samplesPerReplica);
    expect(scalar.mixture).toBeNull();
  });

  it('keeps the per-unit chains of every replica unless they exceed the store, then of the first ones (at least 2)', () => {
    expect(posteriorChainReplicas(32, U, 101)).toBe(32);
    expect(posteriorChainReplicas(10_000, 32, 500)).toBe(Math.floor(POSTERIOR_CHAIN_VALUES / (32 * 500)));
    expect(posteriorChainReplicas(10_000, 1, 1e7)).toBe(2);
  });

  // Wiring: the summary's −ln p and mixture fields follow their written definitions. The physics lives elsewhere:
  // −θ ln p against the Gibbs profile in test/analysis/analyses.test.ts (free-energy-profile), mixture recovery and
  // the BIC choice on known mixtures in test/stats/mcmc.test.ts (Gaussian mixture (EM, BIC)), and the BIC value
  // itself on the hand-checked case below.
  it('wiring: −ln p and the mixture fields follow their definitions on the run’s histogram', () => {
    const h = one.summary.sampling!.posterior[0];
    const width = (h.range[1] - h.range[0]) / h.bins;
    h.counts.forEach((c, b) => {
      if (c === 0) expect(h.negLogP[b]).toBeNull();
      else expect(h.negLogP[b]).toBeCloseTo(-Math.log(c / (h.inRange * width)), 12);
    });
    const m = h.mixture!;
    // Two wells at ±1 (θ = 0.25 with h = 1: the barrier 1 is 4θ) populated from a uniform start: BIC takes both components.
    expect(m.components).toBe(2);
    expect(m.bic.length).toBe(2);
    expect(m.bic[1]).toBeLessThan(m.bic[0]);
    expect(m.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(m.means[0]).toBeLessThan(-0.5);
    expect(m.means[1]).toBeGreaterThan(0.5);
    // BIC counts effective draws: n = min(inRange, ESS · inRange / samples), with the ESS of the pooled per-unit chains.
    expect(h.essReplicas).toBe(32);
    expect(h.ess).toBeGreaterThan(0);
    expect(h.ess!).toBeLessThan(h.samples);
    expect(m.n).toBeCloseTo(Math.min(h.inRange, (h.ess! * h.inRange) / h.samples), 9);
    // ln L is the counts-weighted log mixture density at the bin centres, rescaled to n points; BIC = −2 ln L + (3k − 1) ln n.
    let ll = 0;
    h.counts.forEach((c, b) => {
      if (c > 0) ll += c * Math.log(mixtureDensity(m, h.range[0] + (b + 0.5) * width));
    });
    ll *= m.n / h.inRange;
    expect(m.logLikelihood).toBeCloseTo(ll, 6);
    expect(m.bic[m.components - 1]).toBeCloseTo(-2 * ll + (3 * m.components - 1) * Math.log(m.n), 5);
    // Two modes of the fitted density, one in each well.
    expect(m.modes.length).toBe(2);
    expect(m.modes[0]).toBeLessThan(-0.5);
    expect(m.modes[1]).toBeGreaterThan(0.5);
    // At an EM fixed point the mixture mean equals the counts-weighted mean of the bin centres.
    let wm = 0;
    h.counts.forEach((c, b) => (wm += c * (h.range[0] + (b + 0.5) * width)));
    wm /= h.inRange;
    expect(m.weights.reduce((a, w, j) => a + w * m.means[j], 0)).toBeCloseTo(wm, 6);
  });

  it('BIC on a hand-checked histogram: counts 1, 1, 1 at −1, 0, 1 → μ = 0, σ² = 2/3, BIC = 3(ln(4π/3) + 1) + 2 ln 3 = 9.4945', () => {
    // One Gaussian by maximum likelihood: μ = 0, σ² = (1 + 0 + 1)/3; ln L = −(3/2)(ln(2πσ²) + 1); 3k − 1 = 2 parameters, n = 3.
    const fit = fitHistogramMixtureBIC([1, 1, 1], [-1.5, 1.5], { maxComponents: 1 });
    expect(fit.means[0]).toBeCloseTo(0, 9);
    expect(fit.sds[0] ** 2).toBeCloseTo(2 / 3, 6);
    expect(fit.logLikelihood).toBeCloseTo(-1.5 * (Math.log((4 * Math.PI) / 3) + 1), 6);
    expect(fit.bic[0]).toBeCloseTo(9.4945, 3);
  });

  it('posterior-predictive metrics: the posterior-mean predictor and each replica’s own', () => {
    const sm = one.summary.sampling!;
    const p = sm.predictive!;
    expect(p).toMatchObject({ points: U, size: U, samples: 32 * sm.samplesPerReplica, replicas: 32 });
    // The predictor predicts x itself: its average over every sample of every replica is the chain means of x0 … x3.
    const means = [0, 1, 2, 3].map((k) => sm.chains[`x${k}`].mean);
    expect(p.posteriorMean.mean).toBeCloseTo(sm.chains.xbar.mean, 12);
    expect(p.posteriorMean.error).toBeCloseTo(means.reduce((a, v) => a + v * v, 0) / U, 12);
    // Per replica: mean over replicas of each replica's own posterior mean = the pooled mean (equal sample counts).
    expect(p.perReplica.mean.n).toBe(32);
    expect(p.perReplica.mean.mean).toBeCloseTo(sm.chains.xbar.mean, 12);
    // A single replica's posterior mean is a worse predictor of 0 than the pooled one (Jensen): error larger.
    expect(p.perReplica.error.mean).toBeGreaterThan(p.posteriorMean.error);
  });

  it('the chains of replicas stuck in different wells are warned about (split R-hat, ESS)', () => {
    // θ = 0.25 < barrier: each x_u rarely crosses within 1200 steps of η = 0.01, so x0's chains disagree.
    const w = one.summary.sampling!.warnings;
    expect(one.summary.sampling!.chains.x0.rhat).toBeGreaterThan(1.05);
    expect(w.some((s) => s.startsWith('x0: split R-hat'))).toBe(true);
    const lines = samplingLines(one.summary.sampling!);
    expect(lines[0]).toBe('sampling: 101 samples per replica (steps 200 … 1200 every 10, after a burn-in of 200 steps)');
    expect(lines.some((l) => l.startsWith('warning: x0: split R-hat'))).toBe(true);
    expect(
      lines.some((l) =>
        /^posterior of unit_x \(4 units pooled\): 12928 values, ESS [\d.]+; BIC \(n = [\d.]+\) chose 2 of 2 components: .*; 2 modes at -0\.\d+, 0\.\d+$/.test(
          l,
        ),
      ),
    ).toBe(true);
  });

  it('without a sampling section the summary has no sampling key and every other result is the same', () => {
    expect('sampling' in plain.summary).toBe(false);
    expect(existsSync(path.join(plain.dir, 'chains.csv'))).toBe(false);
    expect('sampling' in readJson(path.join(plain.dir, 'summary.json'))).toBe(false);
    expect('sampling' in readJson(path.join(plain.dir, 'scenario.resolved.json'))).toBe(false);
    // Sampling draws no random numbers: traces, finals, histograms are those of the run without it.
    const { sampling: _s, ...rest } = deterministic(two.summary) as Record<string, unknown>;
    expect(rest).toEqual(deterministic(plain.summary));
    for (const f of ['traces.csv', 'finals.csv', 'histograms.json'])
      expect(readFileSync(path.join(two.dir, f), 'utf8')).toBe(readFileSync(path.join(plain.dir, f), 'utf8'));
  });

  it('potential observables in traces and finals: a per-unit one is its mean over units', () => {
    const finals = parseCsv(readFileSync(path.join(one.dir, 'finals.csv'), 'utf8'));
    const k = (n: string) => finals.header.indexOf(n);
    for (const r of finals.rows) expect(r[k('unit_x')]).toBe(r[k('xbar')]);
    expect(one.summary.observables.unit_x.final).toEqual(one.summary.observables.xbar.final);
  });

  it('the run report shows the sampling tables, the posterior and chain plots', async () => {
    const html = await buildReportHtml(loadReportContext(one.dir));
    expect(html).toContain('<h2>Posterior sampling</h2>');
    expect(html.includes('class="error"'), 'no plot failed').toBe(false);
    for (const kind of ['posterior', 'chains']) expect(html).toContain(`<figure class="plot" data-kind="${kind}"`);
    expect((html.match(/<figure class="plot" data-kind="posterior"/g) ?? []).length).toBe(2);
    // Per chain observable: a trace-and-density figure and a rank plot.
    expect((html.match(/<figure class="plot" data-kind="chains"/g) ?? []).length).toBe(2 * SAMPLING.chains.length);
  });
});

// ------------------------------------------------------------------ sweep, CLI

describe('sampling: sweeps and the CLI', () => {
  it('sweep.csv gains the sampling columns (existing ones unchanged) and the report the sweep plots', async () => {
    const sweep = { 'dynamics.temperature': [0.2, 0.4, 0.8] };
    const small = {
      ensemble: { replicas: 8, init: { kind: 'uniform', low: [-1.5], high: [1.5] } },
      dynamics: { integrator: 'sgld', lr: 0.01, temperature: 0.25, steps: 600 },
    };
    const withS = validateScenarioObject({ ...fakeScenario({ ...SAMPLING, chains: ['energy', 'xbar'] }, small), sweep }, '');
    const without = validateScenarioObject({ ...fakeScenario(null, small), sweep }, '');
    const a = await runSweep(withS, { out: dir('sweep-s'), workers: 0 });
    const b = await runSweep(without, { out: dir('sweep-plain'), workers: 0 });
    const ta = parseCsv(readFileSync(path.join(a.dir, 'sweep.csv'), 'utf8'));
    const tb = parseCsv(readFileSync(path.join(b.dir, 'sweep.csv'), 'utf8'));
    const added = ['energy', 'xbar'].flatMap((o) => [`${o}_post_mean`, `${o}_post_mcse`, `${o}_ess`, `${o}_rhat`]);
    const pred = ['error', 'mean'].flatMap((m) => [`pred_${m}`, `pred_${m}_mean`, `pred_${m}_sem`]);
    // The integrated dynamics (temperature, lr, weight_decay) are the last columns of both.
    const dynamics = ['temperature', 'lr', 'weight_decay'];
    const before = tb.header.length - dynamics.length;
    expect(tb.header.slice(before)).toEqual(dynamics);
    expect(ta.header).toEqual([...tb.header.slice(0, before), ...added, ...pred, ...dynamics]);
    ta.rows.forEach((r, i) => {
      expect(r.slice(0, before)).toEqual(tb.rows[i].slice(0, before));
      expect(r.slice(-dynamics.length)).toEqual(tb.rows[i].slice(before));
    });
    const s1 = readJson(path.join(a.dir, 'points', '1', 'summary.json')) as Summary;
    const row = ta.rows[1];
    expect(Number(row[ta.header.indexOf('xbar_post_mean')])).toBe(s1.sampling!.chains.xbar.mean);
    expect(Number(row[ta.header.indexOf('pred_error')])).toBe(s1.sampling!.predictive!.posteriorMean.error);
    const html = await buildReportHtml(loadReportContext(a.dir));
    expect(html.includes('class="error"'), 'no plot failed').toBe(false);
    // 2 chain observables + 2 predictive metrics + ESS + R-hat; one −ln p overlay per posterior entry.
    expect((html.match(/<figure class="plot" data-kind="sampling-sweep"/g) ?? []).length).toBe(6);
    expect((html.match(/<figure class="plot" data-kind="posterior-sweep"/g) ?? []).length).toBe(2);
    // The generic sweep plot leaves the sampling columns to the sampling plot.
    const generic = html.match(/<figure class="plot" data-kind="sweep"[\s\S]*?<\/figure>/g) ?? [];
    expect(generic.some((f) => f.includes('_post_mean') || f.includes('pred_'))).toBe(false);
  });

  it('run prints the potential info, diagnostics and warnings; list observables --potential shows its own', () => {
    const file = dir('cli.json');
    writeFileSync(
      file,
      JSON.stringify(
        fakeScenario({ ...SAMPLING, chains: ['x0'] }, { ensemble: { replicas: 8, init: { kind: 'uniform', low: [-1.5], high: [1.5] } } }),
      ),
    );
    const r = spawnSync(process.execPath, [MAIN, 'run', file, '--out', dir('cli-run'), '--workers', '0', '--no-report'], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('potential fake-units: backend = plain JavaScript, units = 4');
    expect(r.stdout).toMatch(/^sampling: 101 samples per replica/m);
    expect(r.stdout).toMatch(/^chain +posterior mean +± MCSE +sd +ESS +split R-hat +chains\n^x0 /m);
    expect(r.stdout).toMatch(
      /^posterior-mean predictor on 4 held-out points: error [\d.]+, mean -?[\d.e-]+; single replicas' posterior means: error/m,
    );
    expect(r.stdout).toMatch(/^warning: x0: split R-hat/m);
    const l = spawnSync(process.execPath, [MAIN, 'list', 'observables', '--potential', file], { encoding: 'utf8' });
    expect(l.status, l.stderr).toBe(0);
    expect(l.stdout).toMatch(/unit_x +\(fake-units\) x_u of each unit \(per unit: 4 values per replica/);
    expect(l.stdout).toMatch(/xbar +\(fake-units\) mean of the x_u/);
  });
});
