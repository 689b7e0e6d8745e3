/**
 * `relation-bounds` (run scope; docs/models.md §3.3, GenEFT Sec. 3, Eqs. 1–4): the
 * critical-data theory for the run's relation and training fraction, next to
 * the measured accuracies of a `relation-learner` run, so that a sweep over
 * `potential.params.train_fraction` compares them point by point in
 * summary.json (`analyses[i]`), not by hand.
 *
 * With m = the number of training pairs of the run (round(fraction·n²), as the
 * potential splits) and b the relation's description length:
 *  - closed forms (theory/relations.ts): f(m) = 1 − (1 − 1/b)^m,
 *    f_UB(m) = f + max(p*, 1 − p*)(1 − f), p_c = critical fraction at α;
 *  - `split`: the run's own training set (the potential's seeded split),
 *    exactly: the known fraction (training ∪ reflexive ∪ inferred pairs)/n²,
 *    the inferable fraction of the held-out pairs, and the held-out accuracy
 *    bound inferable + max(p*, 1 − p*)·(1 − inferable) — the bound the
 *    measured `test_accuracy` is held to;
 *  - `monteCarlo`: the same over `trials` uniformly random training sets of
 *    size m (seed `seed`, default the scenario's), means ± SE (what f(m)
 *    approximates);
 *  - `measured`: the final `train_accuracy` / `test_accuracy` over the
 *    replicas (mean, sem) when they are observed, and test accuracy minus the
 *    split's held-out bound (positive = above the bound: a model can beat it
 *    only through an inductive bias the bound does not credit, or by chance);
 *    and the final `accuracy` over all n² pairs (the quantity GenEFT plots)
 *    minus the split's whole-data bound and minus f_UB.
 * The scalars also go to `columns`, which a sweep writes to sweep.csv as
 * `relation_bounds_<key>` (m, f, f_ub, p_c, split_known, test_inferable,
 * test_bound, mc_known, mc_known_se, test_accuracy, test_minus_bound,
 * accuracy, accuracy_bound, accuracy_minus_bound).
 */
import { relationLearnerData, relationSpecOf, resolveRelationLearner } from '../potentials/relation/relation-learner/index.js';
import { renderValue } from '../scenario/index.js';
import type { Scenario } from '../scenario/types.js';
import {
  accuracyUpperBound,
  criticalDataFraction,
  descriptionLength,
  guessProbability,
  inferableFraction,
  inferableMonteCarlo,
  inferPairs,
  type RelationSpec,
} from '../theory/relations.js';
import type { CheckIssue } from './free-energy-profile.js';
import { registerAnalysis } from './registry.js';

interface Entry {
  trials?: number;
  seed?: number;
  alpha?: number;
}

const KIND = 'relation-learner';

function isRelationLearner(s: Scenario): boolean {
  return 'kind' in s.potential && s.potential.kind === KIND;
}

export interface RelationBounds {
  relation: RelationSpec;
  n: number;
  N: number;
  m: number;
  fraction: number;
  b: number;
  pStar: number;
  alpha: number;
  pc: number;
  f: number;
  fUB: number;
  split: { knownFraction: number; testInferableFraction: number | null; testAccuracyBound: number | null; accuracyBound: number };
  monteCarlo: {
    trials: number;
    seed: number;
    knownFraction: { mean: number; se: number };
    testInferableFraction: { mean: number; se: number };
    accuracyBound: { mean: number; se: number };
  } | null;
}

/** The bounds for relation-learner params (defaults filled in) with the data seed `seed`. */
export function relationBounds(
  params: Record<string, unknown>,
  seed: number,
  opts: { trials?: number; mcSeed?: number; alpha?: number } = {},
): RelationBounds {
  const p = resolveRelationLearner(params);
  const rel = relationSpecOf(p);
  const n = p.n;
  const N = n * n;
  const data = relationLearnerData(p, { seed, run: 0 });
  const m = data.train.length;
  const b = descriptionLength(rel, n);
  const pStar = guessProbability(rel);
  const g = Math.max(pStar, 1 - pStar);
  const alpha = opts.alpha ?? 0.9;
  const inf = inferPairs(rel, n, data.train, data.truth);
  const nTest = N - m;
  const testInf = nTest > 0 ? (inf.count - m) / nTest : null;
  const trials = opts.trials ?? 200;
  const mcSeed = opts.mcSeed ?? seed;
  let monteCarlo: RelationBounds['monteCarlo'] = null;
  if (trials > 0) {
    const mc = inferableMonteCarlo({ rel, n, m, trials, seed: mcSeed, side: data.side });
    monteCarlo = {
      trials,
      seed: mcSeed,
      knownFraction: mc.knownFraction,
      testInferableFraction: mc.testInferableFraction,
      accuracyBound: mc.accuracyBound,
    };
  }
  return {
    relation: rel,
    n,
    N,
    m,
    fraction: m / N,
    b,
    pStar,
    alpha,
    pc: criticalDataFraction(b, alpha, N),
    f: inferableFraction(m, b),
    fUB: accuracyUpperBound(m, b, pStar),
    split: {
      knownFraction: inf.count / N,
      testInferableFraction: testInf,
      testAccuracyBound: testInf === null ? null : testInf + g * (1 - testInf),
      accuracyBound: (inf.count + g * (N - inf.count)) / N,
    },
    monteCarlo,
  };
}

registerAnalysis<Entry>({
  kind: 'relation-bounds',
  scope: 'run',
  description:
    "critical-data theory for a relation-learner run: f(m), f_UB(m), p_c, the exact inferable fraction of the run's split and its Monte Carlo mean, next to the measured accuracies",
  keys: { trials: 'number', seed: 'number', alpha: 'number' },
  check(e, s) {
    const issues: CheckIssue[] = [];
    if (!isRelationLearner(s))
      issues.push({
        key: 'kind',
        expected: `a scenario with potential.kind ${KIND}`,
        found: renderValue('kind' in s.potential ? s.potential.kind : 'a non-registry potential'),
      });
    if (e.trials !== undefined && !(Number.isInteger(e.trials) && e.trials >= 0))
      issues.push({ key: 'trials', expected: 'an integer ≥ 0 (0: no Monte Carlo)', found: renderValue(e.trials) });
    if (e.seed !== undefined && !(Number.isInteger(e.seed) && e.seed >= 0))
      issues.push({ key: 'seed', expected: 'an integer ≥ 0', found: renderValue(e.seed) });
    if (e.alpha !== undefined && !(e.alpha > 0 && e.alpha < 1))
      issues.push({ key: 'alpha', expected: 'a number in (0, 1)', found: renderValue(e.alpha) });
    return issues;
  },
  run(e, { scenario: s, summary }) {
    const params = 'kind' in s.potential ? (s.potential.params ?? {}) : {};
    const bounds = relationBounds(params, s.seed, { trials: e.trials, mcSeed: e.seed, alpha: e.alpha });
    const obs = (name: string) => {
      const d = summary.observables[name]?.final;
      return d && d.mean !== null ? { mean: d.mean, sem: d.sem, n: d.n } : null;
    };
    const train = obs('train_accuracy');
    const test = obs('test_accuracy');
    const all = obs('accuracy');
    const tb = bounds.split.testAccuracyBound;
    const testMinusBound = test && tb !== null ? test.mean - tb : null;
    const accuracyMinusBound = all ? all.mean - bounds.split.accuracyBound : null;
    return {
      ...bounds,
      // sweep.csv columns relation_bounds_<key> (see sweep-outputs.ts): the theory next to the measured accuracy.
      columns: {
        m: bounds.m,
        f: bounds.f,
        f_ub: bounds.fUB,
        p_c: bounds.pc,
        split_known: bounds.split.knownFraction,
        test_inferable: bounds.split.testInferableFraction,
        test_bound: tb,
        mc_known: bounds.monteCarlo ? bounds.monteCarlo.knownFraction.mean : null,
        mc_known_se: bounds.monteCarlo ? bounds.monteCarlo.knownFraction.se : null,
        test_accuracy: test ? test.mean : null,
        test_minus_bound: testMinusBound,
        accuracy: all ? all.mean : null,
        accuracy_bound: bounds.split.accuracyBound,
        accuracy_minus_bound: accuracyMinusBound,
      },
      measured: {
        trainAccuracy: train,
        testAccuracy: test,
        testMinusBound,
        testMinusBoundZ: test && tb !== null && test.sem ? (test.mean - tb) / test.sem : null,
        accuracy: all,
        accuracyMinusBound,
        accuracyMinusBoundZ: all && all.sem ? accuracyMinusBound! / all.sem : null,
        accuracyMinusFUB: all ? all.mean - bounds.fUB : null,
        note: test
          ? 'final test_accuracy over the replicas vs split.testAccuracyBound; final accuracy (all n² pairs, GenEFT Fig. 2) vs split.accuracyBound and fUB'
          : 'test_accuracy is not in observe.observables: no measured comparison',
      },
    };
  },
  text(res) {
    const r = res as unknown as RelationBounds & { measured: { testAccuracy: { mean: number } | null } };
    const f = (v: number | null | undefined) => (typeof v === 'number' ? v.toFixed(3) : '—');
    return (
      `relation-bounds: m = ${r.m} (${f(r.fraction)}), f = ${f(r.f)}, f_UB = ${f(r.fUB)}, p_c = ${f(r.pc)}; ` +
      `split: known ${f(r.split.knownFraction)}, test bound ${f(r.split.testAccuracyBound)}; test accuracy ${f(r.measured.testAccuracy?.mean)}`
    );
  },
});
