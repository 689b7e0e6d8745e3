/**
 * Kozyrev's grokking claims on a trained network (scenarios/brownian/grokking-network-*.yaml): the
 * modular-addition network (P = 11, N = 32) trained from its prior draws by SGLD at low temperature,
 * with fixed step sizes. The same files with fewer points, replicas or steps set by `--set`-style
 * overrides (never another seed or threshold). The full runs and their numbers are in
 * docs/results/brownian.md.
 *
 * grokking-network-temperature.yaml. Kozyrev's picture has the weights reach the structure region
 * by a random walk on the zero-loss manifold, t_grok ∝ 1/θ. Here θ = 1e-6 and 1e-4, 4 replicas,
 * 100,000 steps. Asserted: every replica memorizes and then groks, memorization first (the delay is
 * real); and the difference of the mean ln t_grok between the two temperatures is below ln 100 (what
 * t_grok ∝ 1/θ predicts) by more than 3 combined standard errors. Measured first at this size: mean
 * ln t_grok 11.13 ± 0.08 and 10.89 ± 0.14, a difference of 0.24 against ln 100 = 4.61.
 *
 * grokking-network-samples.yaml. Kozyrev: ln t_grok falls linearly with the number of samples.
 * Here training fractions 0.8 and 0.95 (nested training sets, 97 and 115 of the 121 pairs),
 * 4 replicas, 100,000 steps. Asserted: ln t_grok at 0.8 above that at 0.95 by more than 3 combined
 * standard errors. Measured first at this size: 11.11 ± 0.09 against 9.97 ± 0.12 (z = 7.7).
 *
 * grokking-network-init.yaml. Kozyrev's t_grok ∝ t_mem² needs both times to grow together. Here
 * initialisation scales 0.25 and 2, 6 replicas, 130,000 steps. Asserted: the mean ln t_mem falls and
 * the mean ln t_grok rises from 0.25 to 2, each by more than 3 combined standard errors, so no
 * positive power of t_mem gives t_grok. Measured first at this size: ln t_mem 9.59 ± 0.03 → 9.12 ±
 * 0.10 (z = 4.7), ln t_grok 10.73 ± 0.09 → 11.29 ± 0.09 (z = 4.4).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { tempDir } from '../helpers.js';
import { meanSe, sweepShipped as sweepBrownian } from './shipped.js';

const tmp = tempDir('grokking-network');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The shipped scenario with `set` overrides, swept into tmp/<dir> on two workers; the directory once complete. */
const sweepShipped = (name: string, set: string[], dir: string) => sweepBrownian('brownian', name, set, path.join(tmp, dir));

/** Per replica, the first-entry steps of `memorized` and `grokked` of sweep point i (NaN where censored). */
function entrySteps(dir: string, i: number): { mem: number[]; grok: number[] } {
  const [head, ...rows] = readFileSync(path.join(dir, 'points', String(i), 'events.csv'), 'utf8')
    .trim()
    .split('\n');
  const cols = head!.split(',');
  const col = (name: string) =>
    rows.map((r) => r.split(',')[cols.indexOf(name)]).map((v) => (v === '' || v === undefined ? NaN : Number(v)));
  return { mem: col('memorized'), grok: col('grokked') };
}

describe('grokking-network-temperature.yaml (θ = 1e-6 and 1e-4, 4 replicas, 100,000 steps)', () => {
  it('grokking is delayed but not diffusive: ln t_grok changes by less than ln 100 − 3 SE over a 100× change of θ', async () => {
    const dir = await sweepShipped(
      'grokking-network-temperature.yaml',
      ['ensemble.replicas=4', 'dynamics.steps=100000', 'sweep={dynamics.temperature: [1.0e-6, 1.0e-4]}'],
      'temperature',
    );
    const [cold, warm] = [0, 1].map((i) => entrySteps(dir, i));
    for (const e of [cold, warm]) {
      expect(e.grok.every(Number.isFinite)).toBe(true);
      e.grok.forEach((g, r) => expect(g).toBeGreaterThan(e.mem[r]!));
    }
    const [lc, lw] = [cold, warm].map((e) => meanSe(e.grok.map(Math.log)));
    expect(lc!.m - lw!.m).toBeLessThan(Math.log(100) - 3 * Math.hypot(lc!.se, lw!.se));
  });
});

describe('grokking-network-samples.yaml (training fractions 0.8 and 0.95, 4 replicas, 100,000 steps)', () => {
  it('more samples, earlier grokking: ln t_grok at 0.8 above 0.95 by > 3 SE', async () => {
    const dir = await sweepShipped(
      'grokking-network-samples.yaml',
      ['ensemble.replicas=4', 'dynamics.steps=100000', 'sweep={potential.params.train_fraction: [0.8, 0.95]}'],
      'samples',
    );
    const [few, many] = [0, 1].map((i) => entrySteps(dir, i));
    for (const e of [few, many]) expect(e.grok.every(Number.isFinite)).toBe(true);
    const [lf, lm] = [few, many].map((e) => meanSe(e.grok.map(Math.log)));
    expect(lf!.m - lm!.m).toBeGreaterThan(3 * Math.hypot(lf!.se, lm!.se));
  });
});

describe('grokking-network-init.yaml (initialisation scale 0.25 and 2, 6 replicas, 130,000 steps)', () => {
  it('a larger initialisation memorizes sooner and groks later: t_mem and t_grok move in opposite directions (each by > 3 SE)', async () => {
    const dir = await sweepShipped(
      'grokking-network-init.yaml',
      ['ensemble.replicas=6', 'dynamics.steps=130000', 'sweep={potential.params.init_scale: [0.25, 2]}'],
      'init',
    );
    const [small, large] = [0, 1].map((i) => entrySteps(dir, i));
    for (const e of [small, large]) expect(e.grok.every(Number.isFinite)).toBe(true);
    const [ms, ml] = [small, large].map((e) => meanSe(e.mem.map(Math.log)));
    const [gs, gl] = [small, large].map((e) => meanSe(e.grok.map(Math.log)));
    expect(ms!.m - ml!.m).toBeGreaterThan(3 * Math.hypot(ms!.se, ml!.se));
    expect(gl!.m - gs!.m).toBeGreaterThan(3 * Math.hypot(gs!.se, gl!.se));
  });
});
