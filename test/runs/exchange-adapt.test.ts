/**
 * Replica exchange with ladder adaptation (`exchange.adapt`, src/runs/exchange-adapt.ts):
 * a badly placed temperature ladder on a harmonic well in 4 dimensions ends
 * with equal pair acceptances in the sampling phase where the same ladder
 * without adaptation does not; identical bytes for 0, 1 and 2 workers; the
 * validation of the `adapt` fields.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScenarioError, validateScenarioObject } from '../../src/scenario/index.js';
import { runExchange, type ExchangePair } from '../../src/runs/exchange.js';
import { deterministicSummary } from '../../src/runs/sweep.js';
import { tempDir } from '../helpers.js';

const DIM = 4;
/** Crowded at the cold end, sparse at the hot end: on a harmonic well the acceptance depends only on θ_b/θ_a (ratios 1.1 … 3.3 here). */
const BAD_LADDER = [0.1, 0.11, 0.125, 0.15, 0.3, 1];

function harmonicLadder(exchange: Record<string, unknown>, replicas = 100, steps = 7200) {
  return {
    name: 'harmonic-ladder',
    seed: 11,
    potential: { kind: 'harmonic', params: { k: new Array(DIM).fill(1) } },
    dynamics: { integrator: 'sgld', lr: 0.01, temperature: 0.1, steps },
    ensemble: { replicas, init: { kind: 'normal', mean: new Array(DIM).fill(0), std: new Array(DIM).fill(0.3) } },
    observe: { grid: { kind: 'linear', points: 5 }, observables: ['energy'] },
    exchange: { key: 'dynamics.temperature', rungs: BAD_LADDER, interval: 50, ...exchange },
  };
}

/** Largest difference between two pair acceptances and the SE of that difference (the two largest SEs combined). */
function spread(pairs: ExchangePair[]): { range: number; se: number } {
  const acc = pairs.map((p) => p.acceptance!);
  const ses = pairs.map((p) => p.acceptanceSe!).sort((a, b) => b - a);
  return { range: Math.max(...acc) - Math.min(...acc), se: Math.hypot(ses[0], ses[1]) };
}

describe('replica exchange: ladder adaptation', () => {
  // The adapted ladder carries the noise of the acceptances it was built from, so the last adaptation round
  // (3200 steps) is made twice as long as the sampling phase (1600 steps): the SE of the sampling phase then dominates.
  it('equalises the pair acceptances of a badly placed ladder (within 4 SE) where the fixed ladder differs by far more', async () => {
    const adapted = await runExchange(validateScenarioObject(harmonicLadder({ adapt: { rounds: 3, steps: 800, space: 'log' } }), ''), {
      write: false,
      workers: 0,
    });
    const fixed = await runExchange(validateScenarioObject(harmonicLadder({}), ''), { write: false, workers: 0 });
    const a = spread(adapted.exchange.pairs),
      f = spread(fixed.exchange.pairs);
    const ad = adapted.exchange.adaptation!;
    // k = 4: the largest minus the smallest of five acceptances, against the SE of a difference of two of them.
    expect(a.range).toBeLessThan(4 * a.se);
    expect(f.range).toBeGreaterThan(4 * f.se);
    // The sampling phase starts after the adaptation: 800 · (2³ − 1) = 5600 steps; rounds at 5650 … 7150.
    expect(ad.frozenAt).toBe(5600);
    expect(adapted.exchange.rounds).toBe(31);
    expect(ad.history).toHaveLength(3);
    expect(ad.history[0].values).toEqual(BAD_LADDER);
    expect(ad.final[0]).toBe(0.1);
    expect(ad.final[5]).toBe(1);
    expect(adapted.exchange.rungs.map((r) => r.value)).toEqual(ad.final);
    expect(adapted.rungs.map((r) => r.summary.run.temperature)).toEqual(ad.final);
  });

  it('writes identical bytes for workers 0, 1 and 2 with adaptation on', async () => {
    const scenario = validateScenarioObject(
      {
        ...harmonicLadder({ rungs: [0.1, 0.12, 0.3, 1], interval: 40, adapt: { rounds: 2, steps: 80 } }, 700, 1200),
        potential: { kind: 'harmonic', params: { k: [1] } },
        ensemble: { replicas: 700, init: { kind: 'normal', mean: [0], std: [0.3] } },
        observe: {
          grid: { kind: 'linear', points: 6 },
          observables: ['x', 'energy'],
          histograms: [{ of: 'x', bins: 20, range: [-2, 2] }],
        },
      },
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
    // 700 ladders = several blocks of 128: two workers split them.
    for (const workers of [0, 1, 2]) {
      const dir = join(tempDir('exchange-adapt'), 'run');
      await runExchange(scenario, { out: dir, workers });
      dirs.push(dir);
    }
    const [a, b, c] = dirs.map(files);
    const exchange = JSON.parse(a['exchange.json']);
    expect(exchange.adaptation.history).toHaveLength(2);
    expect(exchange.adaptation.initial).toEqual([0.1, 0.12, 0.3, 1]);
    expect(exchange.adaptation.final).not.toEqual(exchange.adaptation.initial);
    expect(b).toEqual(a);
    expect(c).toEqual(a);
  });

  it('rejects bad adapt fields, naming the field and what was expected', () => {
    const issues = (exchange: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
      try {
        validateScenarioObject({ ...harmonicLadder(exchange, 10, 2000), ...extra }, '');
      } catch (e) {
        if (e instanceof ScenarioError) return e.issues.map((i) => `${i.path}: ${i.expected}`);
        throw e;
      }
      return [];
    };
    expect(issues({ adapt: { rounds: 2, steps: 100 } })).toEqual([]);
    expect(issues({ key: 'potential.params.k', rungs: [1, 2, 4], adapt: { rounds: 2, steps: 100 } }).join('\n')).toMatch(
      /exchange.adapt: a temperature ladder/,
    );
    expect(issues({ rungs: [0.1, 1], adapt: { rounds: 2, steps: 100 } }).join('\n')).toMatch(/exchange.rungs: at least 3 rungs/);
    expect(issues({ rungs: [0.1, 1, 0.5], adapt: { rounds: 2, steps: 100 } }).join('\n')).toMatch(
      /exchange.rungs: rungs in increasing or decreasing order/,
    );
    expect(issues({ adapt: { rounds: 2, steps: 75 } }).join('\n')).toMatch(/exchange.adapt.steps: a multiple of exchange.interval \(50\)/);
    expect(issues({ adapt: { rounds: 2, steps: 50 } }).join('\n')).toMatch(/exchange.adapt.steps: .*at least 100/);
    // 100 · (2⁵ − 1) = 3100 ≥ 2000 steps.
    expect(issues({ adapt: { rounds: 5, steps: 100 } }).join('\n')).toMatch(
      /exchange.adapt: an adaptation phase .*3100.* shorter than dynamics.steps \(2000\)/,
    );
    expect(issues({ adapt: { rounds: 2, steps: 100 } }, { sampling: { burn_in: 200, thin: 100, chains: ['energy'] } }).join('\n')).toMatch(
      /exchange.adapt: an adaptation phase \(300 steps\) inside sampling.burn_in \(200\)/,
    );
    expect(issues({ adapt: { rounds: 0, steps: 100 } }).join('\n')).toMatch(/exchange.adapt.rounds/);
    expect(issues({ adapt: { steps: 100 } }).join('\n')).toMatch(/exchange.adapt/);
    expect(issues({ adapt: { rounds: 2, steps: 100, every: 3 } }).join('\n')).toMatch(/exchange.adapt/);
    expect(issues({ adapt: { rounds: 2, steps: 100, space: 'cubic' } }).join('\n')).toMatch(/exchange.adapt.space/);
  });
});
