/**
 * Replica exchange (src/runs/exchange.ts, src/parallel/exchange-runner.ts):
 * the coldest rung of a tilted double well against the Gibbs occupancy by
 * quadrature (and a plain run that fails the same check), the swap acceptance
 * of two harmonic rungs against its exact expectation, identical bytes for any
 * number of workers, the DEO scheme against the reversible even-odd scheme, and
 * the validation of the `exchange:` section.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario, ScenarioError, validateScenarioObject } from '../../src/scenario/index.js';
import { runExchange, exchangeRungScenarios } from '../../src/runs/exchange.js';
import { runScenario } from '../../src/runs/run.js';
import { deterministicSummary } from '../../src/runs/sweep.js';
import { runCli, tempDir } from '../helpers.js';
import { writeFileSync } from 'node:fs';

/** Tilted double well h(x² − 1)² + b x with b > 0: the right well is the higher one; the walkers start there. */
const H = 1,
  TILT = 0.15,
  COLD = 0.1,
  LR = 0.005;

function ladderScenario(extra: Record<string, unknown> = {}, replicas = 500, steps = 20000) {
  return {
    name: 'tilted-ladder',
    seed: 21,
    potential: { kind: 'tilted-double-well', params: { h: H, tilt: TILT } },
    dynamics: { integrator: 'sgld', lr: LR, temperature: COLD, steps },
    ensemble: { replicas, init: { kind: 'point', x: [1] } },
    observe: { grid: { kind: 'linear', points: 5 }, observables: ['x'] },
    ...extra,
  };
}

/** P(x < 0) under exp(−U/θ) by Simpson's rule on [−3, 3] (independent of the code under test). */
function leftOccupancy(theta: number): number {
  const n = 60000,
    a = -3,
    b = 3,
    h = (b - a) / n;
  let left = 0,
    all = 0;
  for (let i = 0; i <= n; i++) {
    const x = a + i * h;
    const w = (i === 0 || i === n ? 1 : i % 2 ? 4 : 2) * Math.exp(-(H * (x * x - 1) ** 2 + TILT * x) / theta);
    all += w;
    if (x < 0) left += w;
    else if (x === 0) left += w / 2;
  }
  return left / all;
}

const leftFraction = (values: Float64Array) => values.reduce((n, v) => n + (v < 0 ? 1 : 0), 0) / values.length;

describe('replica exchange', () => {
  it('equilibrates the coldest rung of a tilted double well (within 4 SE of quadrature) where a plain run is > 10 SE off', async () => {
    const exact = leftOccupancy(COLD);
    const ladder = validateScenarioObject(
      ladderScenario({ exchange: { key: 'dynamics.temperature', rungs: { geometric: { from: COLD, to: 1, count: 5 } }, interval: 50 } }),
      '',
    );
    const out = await runExchange(ladder, { write: false, workers: 0 });
    // The sets are independent ladders, so the final states at rung 0 are independent samples: a binomial SE.
    const m = out.rungs[0].result.count;
    const se = Math.sqrt((exact * (1 - exact)) / m);
    const withExchange = leftFraction(out.rungs[0].result.finals.values);
    expect(Math.abs(withExchange - exact)).toBeLessThan(4 * se);
    expect(out.exchange.roundTrips.count).toBeGreaterThan(0);

    const plain = await runScenario(validateScenarioObject(ladderScenario(), ''), { write: false, workers: 0 });
    const without = leftFraction(plain.result.finals.values);
    expect(Math.abs(without - exact)).toBeGreaterThan(10 * se);
  });

  it('a parameter ladder (barrier height h) equilibrates the target rung h = 1 within 4 SE of quadrature', async () => {
    const exact = leftOccupancy(COLD);
    const ladder = validateScenarioObject(
      ladderScenario({ exchange: { key: 'potential.params.h', rungs: [1, 0.6, 0.35, 0.2, 0.1], interval: 50 } }),
      '',
    );
    const out = await runExchange(ladder, { write: false, workers: 0 });
    const m = out.rungs[0].result.count;
    const se = Math.sqrt((exact * (1 - exact)) / m);
    expect(out.rungs[0].summary.run.temperature).toBe(COLD);
    expect(Math.abs(leftFraction(out.rungs[0].result.finals.values) - exact)).toBeLessThan(4 * se);
    expect(out.exchange.roundTrips.count).toBeGreaterThan(0);
  });

  it('accepts swaps between two harmonic rungs (with weight decay) at the exact expected rate (4 SE)', async () => {
    // U = k_U x²/2 plus weight decay λ: the Gibbs energy the swaps must use is (k_U + λ) x²/2 = k x²/2.
    const [t1, t2, kU, decay, lr] = [0.5, 1.0, 0.5, 0.5, 0.01];
    const k = kU + decay;
    const scenario = validateScenarioObject(
      {
        name: 'harmonic-pair',
        seed: 5,
        potential: { kind: 'harmonic', params: { k: kU } },
        dynamics: { integrator: 'sgld', lr, temperature: t1, weight_decay: decay, steps: 300 * 21 },
        ensemble: { replicas: 2000, init: { kind: 'normal', mean: [0], std: [0.85] } },
        observe: { grid: { kind: 'linear', points: 3 }, observables: ['x'] },
        // 300 steps = 3 relaxation times 1/k between rounds: successive swaps are nearly independent.
        exchange: { key: 'dynamics.temperature', rungs: [t1, t2], interval: 300, scheme: 'even-odd' },
      },
      '',
    );
    const out = await runExchange(scenario, { write: false, workers: 0 });
    const pair = out.exchange.pairs[0];
    // Exact expectation of min(1, exp((1/θ1 − 1/θ2)(U(x1) − U(x2)))), x_r ~ N(0, σ_r²), with σ_r² = θ_r / (k (1 − ηk/2)),
    // the stationary variance of the Euler–Maruyama chain (docs/models.md, discrete Ornstein–Uhlenbeck), by a 2-D grid quadrature.
    const s1 = Math.sqrt(t1 / (k * (1 - (lr * k) / 2))),
      s2 = Math.sqrt(t2 / (k * (1 - (lr * k) / 2)));
    const n = 1201,
      lim = 9,
      dz = (2 * lim) / (n - 1);
    const phi = Array.from({ length: n }, (_, i) => Math.exp(-((-lim + i * dz) ** 2) / 2) / Math.sqrt(2 * Math.PI));
    let expected = 0;
    for (let i = 0; i < n; i++) {
      const x1 = s1 * (-lim + i * dz);
      for (let j = 0; j < n; j++) {
        const x2 = s2 * (-lim + j * dz);
        const logA = (1 / t1 - 1 / t2) * ((k * x1 * x1) / 2 - (k * x2 * x2) / 2);
        expected += phi[i] * phi[j] * Math.min(1, Math.exp(logA));
      }
    }
    expected *= dz * dz;
    expect(pair.attempted).toBeGreaterThan(10000);
    expect(pair.acceptanceSe).not.toBeNull();
    expect(Math.abs(pair.acceptance! - expected)).toBeLessThan(4 * pair.acceptanceSe!);
  });

  it('writes identical bytes for workers 0, 1 and 2 (shards of whole ladders)', async () => {
    const scenario = validateScenarioObject(
      ladderScenario(
        {
          exchange: { key: 'dynamics.temperature', rungs: [0.1, 0.25, 0.6], interval: 40 },
          observe: {
            grid: { kind: 'linear', points: 6 },
            observables: ['x', 'energy'],
            histograms: [{ of: 'x', bins: 20, range: [-2, 2] }],
          },
        },
        // 700 ladders = several blocks of 128: two workers split them.
        700,
        1200,
      ),
      '',
    );
    const files = (dir: string): Record<string, string> => {
      const out: Record<string, string> = {};
      const walk = (d: string) => {
        for (const f of readdirSync(d)) {
          const p = join(d, f);
          if (statSync(p).isDirectory()) walk(p);
          else if (f === 'summary.json') out[relative(dir, p)] = JSON.stringify(deterministicSummary(JSON.parse(readFileSync(p, 'utf8'))));
          else out[relative(dir, p)] = readFileSync(p, 'utf8');
        }
      };
      walk(dir);
      return out;
    };
    const dirs: string[] = [];
    for (const workers of [0, 1, 2]) {
      const dir = join(tempDir('exchange'), 'run');
      await runExchange(scenario, { out: dir, workers });
      dirs.push(dir);
    }
    const [a, b, c] = dirs.map(files);
    expect(Object.keys(a).sort()).toContain('rungs/2/traces.csv');
    expect(Object.keys(a).sort()).toContain('exchange.json');
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it('DEO gives more round trips than the reversible even-odd scheme on an 8-rung ladder (difference > 4 SE)', async () => {
    const rate = async (scheme: 'deo' | 'even-odd') => {
      const s = validateScenarioObject(
        ladderScenario(
          { exchange: { key: 'dynamics.temperature', rungs: { geometric: { from: COLD, to: 1, count: 8 } }, interval: 50, scheme } },
          300,
          20000,
        ),
        '',
      );
      const out = await runExchange(s, { write: false, workers: 0 });
      // Round trips per ladder are independent across ladders: mean and SE over the sets.
      const trips = Array.from(out.tally.roundTrips);
      const mean = trips.reduce((a, v) => a + v, 0) / trips.length;
      const variance = trips.reduce((a, v) => a + (v - mean) ** 2, 0) / (trips.length - 1);
      return { mean, se: Math.sqrt(variance / trips.length) };
    };
    const deo = await rate('deo');
    const reversible = await rate('even-odd');
    expect(deo.mean - reversible.mean).toBeGreaterThan(4 * Math.hypot(deo.se, reversible.se));
  });

  it('stochdyn run writes the rung directories and warns on stderr where a pair needs a rung in between', () => {
    const dir = tempDir('exchange');
    const file = join(dir, 'wide.yaml');
    writeFileSync(
      file,
      [
        'name: wide-ladder',
        'seed: 3',
        'potential: { kind: harmonic, params: { k: 1 } }',
        'dynamics: { integrator: sgld, lr: 0.01, temperature: 0.1, steps: 2000 }',
        'ensemble: { replicas: 64 }',
        'observe: { grid: { kind: linear, points: 3 }, observables: [x] }',
        // θ ratio 400 between the two rungs: the swap acceptance of a harmonic pair is far below 0.1.
        'exchange: { key: dynamics.temperature, rungs: [0.1, 40], interval: 100 }',
        '',
      ].join('\n'),
    );
    const out = join(dir, 'out');
    const r = runCli(['run', file, '--out', out, '--workers', '0', '--no-report', '-q']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('2 rungs of dynamics.temperature');
    expect(r.stderr).toMatch(
      /acceptance between rung 0 \(dynamics.temperature = 0.1\) and rung 1 \(40\) is 0\.\d+ < 0.1; add a rung between them \(e.g. 2\)/,
    );
    const exchange = JSON.parse(readFileSync(join(out, 'exchange.json'), 'utf8'));
    expect(exchange.schema).toBe('stochdyn.exchange/1');
    expect(exchange.pairs[0].acceptance).toBeLessThan(0.1);
    expect(exchange.warnings).toHaveLength(1);
    const summary = JSON.parse(readFileSync(join(out, 'rungs', '1', 'summary.json'), 'utf8'));
    expect(summary.run.temperature).toBe(40);
    expect(readFileSync(join(out, 'rungs.csv'), 'utf8').split('\n')[0]).toMatch(/^index,dynamics.temperature,x_mean/);
  });

  it('builds one scenario per rung with the key set to its value (a parameter ladder)', () => {
    const s = validateScenarioObject(ladderScenario({ exchange: { key: 'potential.params.h', rungs: [1, 0.5, 0.25] } }), '');
    const rungs = exchangeRungScenarios(s);
    expect(rungs.map((r) => (r.scenario.potential as unknown as { params: { h: number } }).params.h)).toEqual([1, 0.5, 0.25]);
    expect(rungs.every((r) => r.scenario.exchange === undefined)).toBe(true);
    expect(s.exchange?.interval).toBe(100);
    expect(s.exchange?.scheme).toBe('deo');
  });

  it('rejects an invalid exchange section naming the file, the line, the field and what was expected', async () => {
    const file = join(tempDir('exchange'), 'bad.yaml');
    writeFileSync(
      file,
      [
        'name: bad-ladder',
        'potential: { kind: double-well }',
        'dynamics: { integrator: adam, lr: 0.01, temperature: 0.1, steps: 100 }',
        'ensemble: { replicas: 10 }',
        'exchange:',
        '  key: dynamics.temperature',
        '  rungs: [0.1, 0.1]',
        '  interval: 500',
        '',
      ].join('\n'),
    );
    const error = await loadScenario(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScenarioError);
    const issues = (error as ScenarioError).issues;
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i]));
    expect(byPath['dynamics.integrator']?.expected).toMatch(/sgld, baoab, sghmc/);
    expect(byPath['dynamics.integrator']?.line).toBe(3);
    expect(byPath['exchange.rungs']?.expected).toMatch(/distinct/);
    expect(byPath['exchange.rungs']?.line).toBe(7);
    expect(byPath['exchange.interval']?.found).toBe('500');
    expect(byPath['exchange.interval']?.line).toBe(8);
    expect((error as Error).message).toContain(file);

    // Every rung is validated as a scenario of its own when the file is loaded (as sweep points are).
    const badRung = join(tempDir('exchange'), 'bad-rung.yaml');
    writeFileSync(
      badRung,
      [
        'name: bad-rung',
        'potential: { kind: double-well, params: { h: 1 } }',
        'dynamics: { lr: 0.01, temperature: 0.1, steps: 100 }',
        'ensemble: { replicas: 10 }',
        'exchange: { key: potential.params.h, rungs: [1, -0.5] }',
        '',
      ].join('\n'),
    );
    const rungError = await loadScenario(badRung).catch((e: unknown) => e);
    expect(rungError).toBeInstanceOf(ScenarioError);
    const rungIssue = (rungError as ScenarioError).issues[0];
    expect(rungIssue.path).toBe('exchange rung 1 (potential.params.h = -0.5): potential.params.h');
    expect(rungIssue.line).toBe(5);

    const unknownKey = validateScenarioObjectError({ ...ladderScenario(), exchange: { key: 'dynamics.lr', rungs: [0.1, 0.2] } });
    expect(unknownKey.map((i) => i.path)).toContain('exchange.key');
  });
});

function validateScenarioObjectError(doc: Record<string, unknown>) {
  try {
    validateScenarioObject(doc, '');
  } catch (e) {
    if (e instanceof ScenarioError) return e.issues;
    throw e;
  }
  throw new Error('expected a ScenarioError');
}
