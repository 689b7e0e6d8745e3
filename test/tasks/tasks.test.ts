/**
 * The data sets of the learning problems (src/tasks/): exact structure of the
 * toy-addition D₀ and the relation truth tables, and the uniformity of the
 * random training splits and bipartite splits (inclusion frequencies within
 * k = 4 binomial standard errors, seeds fixed).
 */
import { describe, expect, it } from 'vitest';
import { Stream } from '../../src/random/rng.js';
import { bipartiteSplit, relationTable } from '../../src/tasks/relations.js';
import { additionSamples, additionTrainingCount, randomAdditionTrainingSet } from '../../src/tasks/toy-addition.js';

describe('tasks: toy addition', () => {
  it('D₀ holds every unordered pair (i ≤ j) once, in lexicographic order', () => {
    for (const p of [2, 5, 10]) {
      const all = additionSamples(p);
      expect(all.length).toBe(p * (p + 1));
      const keys = new Set<number>();
      for (let k = 0; k < all.length / 2; k++) {
        const i = all[2 * k],
          j = all[2 * k + 1];
        expect(0 <= i && i <= j && j < p).toBe(true);
        keys.add(i * p + j);
        if (k > 0) expect(i * p + j).toBeGreaterThan(all[2 * k - 2] * p + all[2 * k - 1]);
      }
      expect(keys.size).toBe((p * (p + 1)) / 2);
    }
    expect(() => additionSamples(1)).toThrow(/additionSamples: p must be an integer ≥ 2, got 1/);
  });

  it('training count is round(fraction · p(p+1)/2)', () => {
    expect(additionTrainingCount(10, 0.5)).toBe(28); // 27.5 → 28
    expect(additionTrainingCount(10, 0)).toBe(0);
    expect(additionTrainingCount(10, 1)).toBe(55);
    expect(() => additionTrainingCount(10, 1.5)).toThrow(/fraction must be in \[0, 1\]/);
  });

  it('a random training set is a sorted subset of distinct samples; each sample is included with probability count/|D₀| (4 SE)', () => {
    const p = 6,
      S = 21,
      count = 7,
      trials = 3000;
    const hits = new Float64Array(S);
    const all = additionSamples(p);
    const index = new Map<number, number>();
    for (let k = 0; k < S; k++) index.set(all[2 * k] * p + all[2 * k + 1], k);
    const malformed: number[] = [];
    for (let t = 0; t < trials; t++) {
      const train = randomAdditionTrainingSet(p, count, new Stream('tasks-addition', 0, t));
      if (train.length !== 2 * count) malformed.push(t);
      let previous = -1;
      for (let k = 0; k < count; k++) {
        const position = index.get(train[2 * k] * p + train[2 * k + 1]);
        // A sample outside D₀, a repeat or an out-of-order sample.
        if (position === undefined || position <= previous) {
          malformed.push(t);
          break;
        }
        previous = position;
        hits[position]++;
      }
    }
    expect(malformed).toEqual([]);
    const q = count / S;
    const se = Math.sqrt((q * (1 - q)) / trials);
    for (let k = 0; k < S; k++) expect(Math.abs(hits[k] / trials - q)).toBeLessThan(4 * se);
  });
});

describe('tasks: relations', () => {
  it('mod-k is an equivalence relation with Σ_r c_r² true pairs; greater-than is a strict total order', () => {
    const n = 11,
      k = 3;
    const mod = relationTable({ kind: 'mod', k }, n);
    let ones = 0;
    for (let x = 0; x < n; x++)
      for (let y = 0; y < n; y++) {
        ones += mod[x * n + y];
        expect(mod[x * n + y]).toBe(mod[y * n + x]);
        if (x === y) expect(mod[x * n + y]).toBe(1);
        for (let z = 0; z < n; z++) if (mod[x * n + y] && mod[y * n + z]) expect(mod[x * n + z]).toBe(1);
      }
    // Residue classes of 0…10 mod 3 have sizes 4, 4, 3.
    expect(ones).toBe(16 + 16 + 9);
    const gt = relationTable({ kind: 'greater-than' }, n);
    let count = 0;
    for (let x = 0; x < n; x++)
      for (let y = 0; y < n; y++) {
        count += gt[x * n + y];
        if (x !== y) expect(gt[x * n + y] + gt[y * n + x]).toBe(1);
        else expect(gt[x * n + y]).toBe(0);
      }
    expect(count).toBe((n * (n - 1)) / 2);
    expect(() => relationTable({ kind: 'mod', k: 1 }, n)).toThrow(/relationTable: mod-k needs an integer k ≥ 2, got 1/);
  });

  it('a bipartite split has ⌊n/2⌋ members, each symbol a member with probability ⌊n/2⌋/n (4 SE); its table has 2|S||S̄| true pairs', () => {
    const n = 9,
      trials = 4000;
    const hits = new Float64Array(n);
    for (let t = 0; t < trials; t++) {
      const side = bipartiteSplit(n, new Stream('tasks-bipartite', 0, t));
      expect(side.reduce((a, b) => a + b, 0)).toBe(4);
      for (let x = 0; x < n; x++) hits[x] += side[x];
      if (t < 20) expect(relationTable({ kind: 'bipartite' }, n, side).reduce((a, b) => a + b, 0)).toBe(2 * 4 * 5);
    }
    const q = 4 / n;
    const se = Math.sqrt((q * (1 - q)) / trials);
    for (let x = 0; x < n; x++) expect(Math.abs(hits[x] / trials - q)).toBeLessThan(4 * se);
    expect(() => relationTable({ kind: 'bipartite' }, n)).toThrow(/bipartite needs a side array of length n/);
  });
});
