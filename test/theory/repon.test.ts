// Theory of the repon-interaction picture (docs/models.md §3): repon pair, relation
// learning critical data, toy-addition effective theory. Closed forms against
// independent closed forms, brute force, or Monte Carlo with k·SE tolerances.
import { describe, expect, test } from 'vitest';
import {
  lambertW0FromLog,
  reponDecayBoundaryRatio,
  reponFinalSeparationWithDecay,
  accuracyUpperBound,
  additionSamples,
  bipartiteSplit,
  collisionProbability,
  collisionRatioForProbability,
  conservedMatrix,
  conservedScalar,
  criticalDataFraction,
  descriptionLength,
  effectiveHessian,
  effectiveLoss,
  grokkingRate,
  guessProbability,
  idealRQI,
  inferableFraction,
  inferableMonteCarlo,
  inferPairs,
  integrateReponMatrix,
  integrateReponScalar,
  linearStructure,
  parallelogramNullity,
  permissibleParallelograms,
  predictedGrokkingSteps,
  randomAdditionTrainingSet,
  relationTable,
  reponCollisionMonteCarlo,
  reponPhaseBoundary,
  representationQuality,
  rowVectorFinalState,
  scalarReponDecisionTime,
  scalarReponExact,
  symmetricEigen,
  uniqueStructureMonteCarlo,
  type RelationSpec,
} from '../../src/theory/index.js';
import { Stream } from '../../src/random/rng.js';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

// ------------------------------------------------------------------ repon pair

describe('repon pair: collision law (GenEFT Eq. 11)', () => {
  test('p_r closed form at hand values', () => {
    // σ_a = σ_c, η_x = 2η_A: argument 1, p_r = (2/π)(π/4) = 1/2.
    expect(collisionProbability({ sigmaA: 1, sigmaC: 1, etaX: 2, etaA: 1 })).toBeCloseTo(0.5, 15);
    // argument sqrt(3): arctan = π/3, p_r = 2/3.
    expect(collisionProbability({ sigmaA: 1, sigmaC: 1, etaX: 6, etaA: 1 })).toBeCloseTo(2 / 3, 14);
    // σ_a/σ_c = 2, η_x/η_A = 1/2: argument 2·(1/2) = 1.
    expect(collisionProbability({ sigmaA: 2, sigmaC: 1, etaX: 0.5, etaA: 1 })).toBeCloseTo(0.5, 15);
    expect(collisionRatioForProbability(2 / 3, 1, 1)).toBeCloseTo(6, 12);
  });

  test('phase boundary: slope +1 in (log η_x, log η_A), p_r = threshold on it', () => {
    const b = reponPhaseBoundary(1.5, 0.7, 0.3);
    expect(b.slope).toBe(1);
    for (const etaX of [1e-5, 1e-3, 0.1]) {
      expect(collisionProbability({ sigmaA: 1.5, sigmaC: 0.7, etaX, etaA: b.etaA(etaX) })).toBeCloseTo(0.3, 12);
      // A faster decoder than the boundary's lowers p_r.
      expect(collisionProbability({ sigmaA: 1.5, sigmaC: 0.7, etaX, etaA: 2 * b.etaA(etaX) })).toBeLessThan(0.3);
    }
    // threshold 1/2, σ_a = σ_c: η_A = η_x/2 (the C = 0 line through the median draw).
    expect(reponPhaseBoundary(1, 1).ratio).toBeCloseTo(0.5, 14);
  });

  // collision frequency of the scalar flow over ≥ 4,000
  // Gaussian initialisations within 3 SE of p_r at three ratios (k = 3, SE the
  // binomial sqrt(p_r(1 − p_r)/N) ≈ 0.007; seeds fixed).
  test.each([0.5, 2, 8])('scalar flow Monte Carlo vs p_r at η_x/η_A = %s (4,000 draws, 3 SE)', (ratio) => {
    const s = new Stream('repon-pr', 0, Math.round(ratio * 10));
    const mc = reponCollisionMonteCarlo({ sigmaA: 1, sigmaC: 1, etaA: 0.1, etaX: 0.1 * ratio, samples: 4000, normal: () => s.normal() });
    expect(mc.undecided).toBe(0);
    expect(mc.signMismatches).toBe(0); // the integrator agrees with sign(C₀) draw by draw
    expect(Math.abs(mc.fraction - mc.pr)).toBeLessThan(3 * mc.se);
    // Power: the full-separation variant (σ_c of x₁ − x₂, i.e. sqrt(2η_x/η_A) in the
    // arctan) differs from p_r by ≥ 0.13 at these ratios, > 10 SE — this test would catch it.
    const wrong = (2 / Math.PI) * Math.atan(Math.sqrt(2 * ratio));
    expect(Math.abs(mc.fraction - wrong)).toBeGreaterThan(10 * mc.se);
  });
});

describe('repon pair: reduced flows', () => {
  const rates = { etaA: 0.7, etaX: 1.3 };

  test('scalar RK4 against the exact logistic solution', () => {
    for (const [a2, c] of [
      [1.2, 0.4],
      [0.3, 1.1],
      [-0.9, 0.6],
      [0.8, -0.8],
    ]) {
      for (const tEnd of [0.5, 3, 20]) {
        const num = integrateReponScalar(a2, c, rates, { step: 1e-3, tEnd });
        const ex = scalarReponExact(a2, c, rates, tEnd);
        expect(Math.abs(num.A[0] - ex.a2)).toBeLessThan(1e-10);
        expect(Math.abs(num.r[0] - ex.c)).toBeLessThan(1e-10);
      }
    }
  });

  test('exact solution: C conserved, limits a₂² → 2η_A C (C > 0) and c² → −η_x C (C < 0)', () => {
    const C1 = conservedScalar(1.2, 0.4, rates);
    const e1 = scalarReponExact(1.2, 0.4, rates, 1e4);
    expect(rel(e1.a2 ** 2, 2 * rates.etaA * C1)).toBeLessThan(1e-12);
    expect(e1.c).toBe(0 * e1.c); // underflowed to ±0 after 10⁴ time units
    const mid = scalarReponExact(1.2, 0.4, rates, 0.37);
    expect(rel(conservedScalar(mid.a2, mid.c, rates), C1)).toBeLessThan(1e-13);
    const C2 = conservedScalar(0.3, 1.1, rates);
    const e2 = scalarReponExact(0.3, 1.1, rates, 1e4);
    expect(rel(e2.c ** 2, -rates.etaX * C2)).toBeLessThan(1e-12);
  });

  test('adaptive integrator stops at the exact decision time (to one step)', () => {
    for (const [a2, c] of [
      [1.2, 0.4],
      [0.3, 1.1],
      [1, 0.7],
    ]) {
      const res = integrateReponScalar(a2, c, rates, { tol: 1e-6 });
      expect(res.decided).toBe(true);
      expect(res.collided).toBe(conservedScalar(a2, c, rates) > 0);
      const tExact = scalarReponDecisionTime(a2, c, rates, 1e-6);
      expect(res.t).toBeGreaterThanOrEqual(tExact * (1 - 1e-6));
      expect(rel(res.t, tExact)).toBeLessThan(0.01); // last step ≤ κ/λ ≈ 0.4 % of the decision time
    }
  });

  // the reduced (A, r) flow conserves C = ‖A‖²/(4η_A) − |r|²/(2η_x) to 1e-3 relative with a small step.
  test('matrix flow conserves C (RK4 and gradient-descent Euler, h = 1e-3)', () => {
    const s = new Stream('repon-C', 0, 0);
    const rows = 3,
      d = 4;
    const A = Array.from({ length: rows * d }, () => 0.6 * s.normal());
    const r = Array.from({ length: d }, () => s.normal());
    const rk = integrateReponMatrix(A, r, rows, rates, { step: 1e-3, tEnd: 10 });
    expect(rk.steps).toBe(10_000);
    expect(rk.maxRelDrift).toBeLessThan(1e-3);
    expect(rk.maxRelDrift).toBeLessThan(1e-10); // RK4: O(h⁴)
    const eu = integrateReponMatrix(A, r, rows, rates, { step: 1e-3, tEnd: 10, method: 'euler' });
    expect(eu.maxRelDrift).toBeLessThan(1e-3);
    // Euler's drift is first order in h: ten times the step, ≈ ten times the drift.
    const eu10 = integrateReponMatrix(A, r, rows, rates, { step: 1e-2, tEnd: 10, method: 'euler' });
    expect(eu10.maxRelDrift / eu.maxRelDrift).toBeGreaterThan(5);
    expect(eu10.maxRelDrift / eu.maxRelDrift).toBeLessThan(20);
    expect(rel(conservedMatrix(rk.A, rk.r, rates), rk.C0)).toBeLessThan(1e-10);
  });

  test('rows = d = 1 matrix flow is the scalar flow with C halved', () => {
    const a = integrateReponMatrix([1.1], [0.5], 1, rates, { step: 1e-3, tEnd: 4 });
    const ex = scalarReponExact(1.1, 0.5, rates, 4);
    expect(Math.abs(a.A[0] - ex.a2)).toBeLessThan(1e-10);
    expect(rel(a.C0, conservedScalar(1.1, 0.5, rates) / 2)).toBeLessThan(1e-14);
  });

  test('row-vector decoder in d = 3: never collides; end state matches the two invariants (C and |a∧r|)', () => {
    const s = new Stream('repon-row', 0, 0);
    for (let k = 0; k < 5; k++) {
      const a = [s.normal(), s.normal(), s.normal()];
      const r = [s.normal(), s.normal(), s.normal()];
      const res = integrateReponMatrix(a, r, 1, rates, { tol: 1e-9 });
      const cf = rowVectorFinalState(a, r, rates);
      expect(res.decided).toBe(true);
      expect(res.collided).toBe(false);
      expect(rel(Math.hypot(...res.r), cf.rNorm)).toBeLessThan(1e-6);
      expect(rel(Math.hypot(...res.A), cf.aNorm)).toBeLessThan(1e-6);
    }
  });
});

// ---------------------------------------------------------- relation learning

describe('relations: information-theoretic closed forms (GenEFT Eqs. 2–4)', () => {
  const mod3: RelationSpec = { kind: 'mod', k: 3 };
  const gt: RelationSpec = { kind: 'greater-than' };
  const bip: RelationSpec = { kind: 'bipartite' };

  test('description lengths and guess rates', () => {
    expect(descriptionLength(mod3)).toBeCloseTo(30 * Math.log2(3), 12);
    expect(descriptionLength(gt)).toBeCloseTo(107.70906734197342, 10); // log₂ 30!
    expect(descriptionLength(bip)).toBe(30);
    expect([guessProbability(mod3), guessProbability(gt), guessProbability(bip), guessProbability({ kind: 'mod', k: 5 })]).toEqual([
      1 / 3,
      1 / 3,
      1 / 2,
      1 / 5,
    ]);
  });

  // Hand values: p_c = log₂(1 − α)/(N log₂(1 − 1/b)), N = 900; e.g. mod 3:
  // b = 47.5489, log₂(0.978969) = −0.0306648, −3.321928/−0.0306648/900 = 0.120367.
  test.each([
    ['mod 3', mod3, 0.12036662198610854, 0.15660058568067478],
    ['mod 5', { kind: 'mod', k: 5 } as RelationSpec, 0.17693227045634738, 0.23019419106463987],
    ['greater-than', gt, 0.2742846783239444, 0.35685259385049767],
    ['bipartite', bip, 0.07546639474144592, 0.09818404322323963],
  ])('p_c for %s at α = 0.9, 0.95', (_n, r, pc90, pc95) => {
    const b = descriptionLength(r);
    expect(rel(criticalDataFraction(b, 0.9), pc90)).toBeLessThan(1e-12);
    expect(rel(criticalDataFraction(b, 0.95), pc95)).toBeLessThan(1e-12);
    expect(rel(inferableFraction(criticalDataFraction(b, 0.9) * 900, b), 0.9)).toBeLessThan(1e-12);
  });

  test.each([
    ['mod 3', mod3, 0.8523597071649286, 0.9507865690549762, 0.8719200367673594],
    ['greater-than', gt, 0.5680680901220347, 0.856022696707345, 0.7809282436486049],
    ['bipartite', bip, 0.9526950175021651, 0.9763475087510826, 0.8912514569087995],
  ])('f and f_UB for %s at m = 90 (and f_UB at 45)', (_n, r, f90, fub90, fub45) => {
    const b = descriptionLength(r);
    const ps = guessProbability(r);
    expect(rel(inferableFraction(90, b), f90)).toBeLessThan(1e-12);
    expect(rel(accuracyUpperBound(90, b, ps), fub90)).toBeLessThan(1e-12);
    expect(rel(accuracyUpperBound(45, b, ps), fub45)).toBeLessThan(1e-12);
    expect(accuracyUpperBound(0, b, ps)).toBeCloseTo(Math.max(ps, 1 - ps), 15);
  });
});

/** All relations of the class on n symbols (the a-priori knowledge of inferPairs), as truth tables. */
function classMembers(kind: RelationSpec['kind'], n: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  if (kind === 'mod') {
    // Set partitions by restricted growth strings.
    const a = new Int32Array(n);
    const rec = (i: number, max: number): void => {
      if (i === n) {
        const R = new Uint8Array(n * n);
        for (let x = 0; x < n; x++) for (let y = 0; y < n; y++) R[x * n + y] = a[x] === a[y] ? 1 : 0;
        out.push(R);
        return;
      }
      for (let v = 0; v <= max + 1; v++) {
        a[i] = v;
        rec(i + 1, Math.max(max, v));
      }
    };
    a[0] = 0;
    rec(1, 0);
  } else if (kind === 'greater-than') {
    const perm = Array.from({ length: n }, (_, i) => i);
    const rec = (k: number): void => {
      if (k === n) {
        const pos = new Int32Array(n);
        perm.forEach((x, i) => (pos[x] = i));
        const R = new Uint8Array(n * n);
        for (let x = 0; x < n; x++) for (let y = 0; y < n; y++) R[x * n + y] = pos[x] < pos[y] ? 1 : 0;
        out.push(R);
        return;
      }
      for (let i = k; i < n; i++) {
        [perm[k], perm[i]] = [perm[i], perm[k]];
        rec(k + 1);
        [perm[k], perm[i]] = [perm[i], perm[k]];
      }
    };
    rec(0);
  } else {
    for (let S = 0; S < 1 << n; S++) {
      const R = new Uint8Array(n * n);
      for (let x = 0; x < n; x++) for (let y = 0; y < n; y++) R[x * n + y] = ((S >> x) & 1) !== ((S >> y) & 1) ? 1 : 0;
      out.push(R);
    }
  }
  return out;
}

describe('relations: directly inferable pairs', () => {
  test('hand examples on n = 4', () => {
    // mod 2: 0~2 and 1≁2 ⇒ components {0,2},{1},{3}; known: 4 diagonal + (0,2),(2,0) + {0,2}×{1} both ways.
    const m2 = inferPairs({ kind: 'mod', k: 2 }, 4, [0 * 4 + 2, 1 * 4 + 2], relationTable({ kind: 'mod', k: 2 }, 4));
    expect(m2.count).toBe(10);
    expect(m2.known[0 * 4 + 1]).toBe(1);
    expect(m2.value[0 * 4 + 1]).toBe(0);
    expect(m2.known[0 * 4 + 3]).toBe(0);
    // greater-than: 0 < 1 and 2 > 1 ⇒ 0 < 1 < 2; 3 unknown.
    const g = inferPairs({ kind: 'greater-than' }, 4, [0 * 4 + 1, 2 * 4 + 1], relationTable({ kind: 'greater-than' }, 4));
    expect(g.count).toBe(10);
    expect([g.value[0 * 4 + 2], g.value[2 * 4 + 0], g.known[0 * 4 + 3]]).toEqual([1, 0, 0]);
    // bipartite, S = {0, 3}: (0,1) across, (1,2) same side ⇒ 0 and 2 across.
    const side = [1, 0, 0, 1];
    const b = inferPairs({ kind: 'bipartite' }, 4, [0 * 4 + 1, 1 * 4 + 2], relationTable({ kind: 'bipartite' }, 4, side));
    expect(b.count).toBe(10);
    expect([b.known[0 * 4 + 2], b.value[0 * 4 + 2], b.known[0 * 4 + 3]]).toEqual([1, 1, 0]);
  });

  // The definition: a pair is inferable iff every relation of the class that agrees with
  // the training pairs gives it the same value. Brute force over the whole class on n = 5
  // (52 partitions, 120 orders, 32 two-colourings).
  test.each([
    ['mod', { kind: 'mod', k: 2 } as RelationSpec],
    ['greater-than', { kind: 'greater-than' } as RelationSpec],
    ['bipartite', { kind: 'bipartite' } as RelationSpec],
  ])('%s: inferPairs equals brute force over the class (n = 5)', (_name, r) => {
    const n = 5,
      N = 25;
    const truth = relationTable(r, n, [1, 0, 0, 1, 0]);
    const members = classMembers(r.kind, n);
    const s = new Stream('infer-brute', 0, 0);
    for (const m of [0, 2, 4, 6, 8, 10, 14, 20]) {
      for (let rep = 0; rep < 6; rep++) {
        const perm = Array.from({ length: N }, (_, i) => i);
        for (let i = 0; i < m; i++) {
          const j = i + s.int(N - i);
          [perm[i], perm[j]] = [perm[j], perm[i]];
        }
        const train = perm.slice(0, m);
        const inf = inferPairs(r, n, train, truth);
        const consistent = members.filter((R) => train.every((i) => R[i] === truth[i]));
        expect(consistent.length).toBeGreaterThan(0);
        for (let i = 0; i < N; i++) {
          const determined = consistent.every((R) => R[i] === consistent[0][i]);
          expect(inf.known[i]).toBe(determined ? 1 : 0);
          if (determined) expect(inf.value[i]).toBe(truth[i]);
        }
      }
    }
  });

  test('Monte Carlo: limits, determinism, and the inferred values are the truth', () => {
    for (const r of [{ kind: 'mod', k: 3 }, { kind: 'greater-than' }, { kind: 'bipartite' }] as RelationSpec[]) {
      expect(inferableMonteCarlo({ rel: r, m: 0, trials: 3 }).knownFraction.mean).toBeCloseTo(1 / 30, 15);
      expect(inferableMonteCarlo({ rel: r, m: 900, trials: 3 }).knownFraction.mean).toBe(1);
      const a = inferableMonteCarlo({ rel: r, fraction: 0.1, trials: 20, seed: 5 });
      const b = inferableMonteCarlo({ rel: r, fraction: 0.1, trials: 20, seed: 5 });
      expect(a).toEqual(b);
      expect(a.m).toBe(90);
      expect(a.f).toBeCloseTo(inferableFraction(90, descriptionLength(r)), 15);
    }
    const side = bipartiteSplit(30, new Stream(1, 1, 0));
    expect(side.reduce((x, y) => x + y, 0)).toBe(15);
    for (const r of [{ kind: 'mod', k: 3 }, { kind: 'greater-than' }, { kind: 'bipartite' }] as RelationSpec[]) {
      const truth = relationTable(r, 30, side);
      const s = new Stream('infer-truth', 0, 0);
      const perm = Array.from({ length: 900 }, (_, i) => i);
      for (let i = 0; i < 150; i++) {
        const j = i + s.int(900 - i);
        [perm[i], perm[j]] = [perm[j], perm[i]];
      }
      const inf = inferPairs(r, 30, perm.slice(0, 150), truth);
      for (let i = 0; i < 900; i++) if (inf.known[i]) expect(inf.value[i]).toBe(truth[i]);
    }
  });
});

// ------------------------------------------------------------- toy addition

describe('toy addition: parallelograms, nullity, unique structure (Liu et al. Sec. 3)', () => {
  test('counts: p(p+1)/2 samples; |P₀(D₀)| = Σ_s C(c_s, 2) (70 for p = 10)', () => {
    expect(additionSamples(10).length / 2).toBe(55);
    expect(permissibleParallelograms(10).length / 4).toBe(70);
    // p = 4: sums 2, 3, 4 have two samples each ⇒ 3 parallelograms.
    expect(Array.from(permissibleParallelograms(4))).toEqual([0, 2, 1, 1, 0, 3, 1, 2, 1, 3, 2, 2]);
  });

  // nullity 2 for the full training set.
  test.each([3, 5, 10, 12])('full training set p = %s ⇒ nullity 2; empty ⇒ nullity p', (p) => {
    expect(parallelogramNullity(p)).toBe(2);
    expect(parallelogramNullity(p, new Int32Array(0))).toBe(p);
    expect(idealRQI(p, additionSamples(p))).toBe(1);
  });

  // unique-structure probability < 0.2 at fraction 0.2 and > 0.8 at
  // 0.6 for p = 10, with a 3-SE margin (SE binomial, floored at 1/trials when p̂ ∈ {0, 1}).
  test('p = 10: P(nullity 2) rises from < 0.2 at fraction 0.2 to > 0.8 at 0.6', () => {
    const lo = uniqueStructureMonteCarlo({ p: 10, fraction: 0.2, trials: 400, seed: 'unique' });
    const hi = uniqueStructureMonteCarlo({ p: 10, fraction: 0.6, trials: 400, seed: 'unique' });
    const se = (r: { se: number; trials: number }): number => Math.max(r.se, 1 / r.trials);
    expect(lo.count).toBe(11);
    expect(hi.count).toBe(33);
    expect(lo.probability + 3 * se(lo)).toBeLessThan(0.2);
    expect(hi.probability - 3 * se(hi)).toBeGreaterThan(0.8);
    expect(hi.meanLambda3).toBeGreaterThan(lo.meanLambda3);
  });

  test('ideal RQI is 1 exactly when the nullity is 2', () => {
    for (let t = 0; t < 40; t++) {
      const D = randomAdditionTrainingSet(8, 12 + (t % 12), new Stream('ideal', 0, t));
      expect(idealRQI(8, D) === 1).toBe(parallelogramNullity(8, D) === 2);
    }
  });

  test('RQI: hand case, linear structure, noise within and beyond δ', () => {
    // p = 4, E = [0, 1, 2, 4]: 0+2 = 1+1 holds; 0+4 ≠ 1+2; 1+4 ≠ 2+2 ⇒ 1/3.
    expect(representationQuality([0, 1, 2, 4], 4, 1, 1e-9)).toBeCloseTo(1 / 3, 15);
    // 2-D linear structure a + k b.
    const p = 10;
    const E = new Float64Array(2 * p);
    for (let k = 0; k < p; k++) {
      E[2 * k] = 0.3 + 0.7 * k;
      E[2 * k + 1] = -1 + 0.2 * k;
    }
    expect(representationQuality(E, p, 2, 1e-9)).toBe(1);
    const s = new Stream('rqi', 0, 0);
    const noisy = E.map((v) => v + 1e-3 * s.normal());
    expect(representationQuality(noisy, p, 2, 0.05)).toBe(1); // 4 noise terms: sd 2e-3 per axis, δ ≈ 18 sd
    const rand = Float64Array.from({ length: 2 * p }, () => s.normal());
    expect(representationQuality(rand, p, 2, 1e-6)).toBe(0);
  });
});

describe('toy addition: effective loss, Hessian and λ₃', () => {
  const p = 10;

  // Z₀ is conserved for every E (ℓ₀ is 2-homogeneous: E·∇ℓ_eff = 0). Σ_k E_k is NOT
  // conserved in general (Liu et al. App. F drop a term): Σ_k ∇_k ℓ_eff = −2ℓ₀ Σ_k E_k / Z₀²,
  // so only the zero-mean subspace (the paper's normalised embeddings) is invariant.
  test('gradient matches finite differences; E·∇ = 0 (Z₀ conserved); Σ∇ = −2ℓ₀ΣE/Z₀² (zero mean invariant)', () => {
    const s = new Stream('leff', 0, 0);
    const D = randomAdditionTrainingSet(p, 30, s);
    const quads = permissibleParallelograms(p, D);
    const d = 2;
    const E = Float64Array.from({ length: p * d }, () => s.normal());
    const L = effectiveLoss(E, p, d, quads);
    let sum0 = 0,
      sum1 = 0,
      dot = 0;
    for (let k = 0; k < p; k++) {
      sum0 += L.grad[2 * k];
      sum1 += L.grad[2 * k + 1];
    }
    for (let i = 0; i < p * d; i++) dot += E[i] * L.grad[i];
    const gscale = Math.hypot(...L.grad);
    let mean0 = 0,
      mean1 = 0;
    for (let k = 0; k < p; k++) {
      mean0 += E[2 * k];
      mean1 += E[2 * k + 1];
    }
    expect(Math.abs(sum0 + (2 * L.l0 * mean0) / L.z0 ** 2)).toBeLessThan(1e-13 * gscale * p);
    expect(Math.abs(sum1 + (2 * L.l0 * mean1) / L.z0 ** 2)).toBeLessThan(1e-13 * gscale * p);
    expect(Math.abs(sum0)).toBeGreaterThan(1e-6 * gscale); // the correction is not negligible here
    const Ec = Float64Array.from(E);
    for (let k = 0; k < p; k++) {
      Ec[2 * k] -= mean0 / p;
      Ec[2 * k + 1] -= mean1 / p;
    }
    const Lc = effectiveLoss(Ec, p, d, quads);
    let c0 = 0,
      c1 = 0;
    for (let k = 0; k < p; k++) {
      c0 += Lc.grad[2 * k];
      c1 += Lc.grad[2 * k + 1];
    }
    expect(Math.abs(c0) + Math.abs(c1)).toBeLessThan(1e-13 * Math.hypot(...Lc.grad) * p);
    expect(Math.abs(dot)).toBeLessThan(1e-13 * gscale * Math.hypot(...E));
    const h = 1e-6;
    for (let i = 0; i < p * d; i++) {
      const Ep = Float64Array.from(E),
        Em = Float64Array.from(E);
      Ep[i] += h;
      Em[i] -= h;
      const fd = (effectiveLoss(Ep, p, d, quads).leff - effectiveLoss(Em, p, d, quads).leff) / (2 * h);
      expect(Math.abs(fd - L.grad[i])).toBeLessThan(1e-8);
    }
  });

  test('Hessian of ℓ₀/Z₀ at the normalised linear structure (finite differences of ∇) = 2MᵀM/(|P|Z₀)', () => {
    const D = randomAdditionTrainingSet(p, 33, new Stream('hess', 0, 0));
    const quads = permissibleParallelograms(p, D);
    const E0 = linearStructure(p);
    const z0 = E0.reduce((s, v) => s + v * v, 0);
    expect(z0).toBeCloseTo(p, 12);
    const H = effectiveHessian(p, quads, z0);
    const h = 1e-5;
    for (let j = 0; j < p; j++) {
      const Ep = Float64Array.from(E0),
        Em = Float64Array.from(E0);
      Ep[j] += h;
      Em[j] -= h;
      const gp = effectiveLoss(Ep, p, 1, quads).grad,
        gm = effectiveLoss(Em, p, 1, quads).grad;
      for (let i = 0; i < p; i++) expect(Math.abs((gp[i] - gm[i]) / (2 * h) - H[i * p + j])).toBeLessThan(1e-8);
    }
  });

  test('Jacobi eigen-decomposition: residuals, orthonormality, trace', () => {
    const H = effectiveHessian(p, permissibleParallelograms(p), p);
    const { values, vectors } = symmetricEigen(H, p);
    let trace = 0;
    for (let i = 0; i < p; i++) trace += H[i * p + i];
    expect(
      rel(
        values.reduce((s, v) => s + v, 0),
        trace,
      ),
    ).toBeLessThan(1e-12);
    for (let k = 0; k < p; k++) {
      for (let i = 0; i < p; i++) {
        let hv = 0;
        for (let j = 0; j < p; j++) hv += H[i * p + j] * vectors[k * p + j];
        expect(Math.abs(hv - values[k] * vectors[k * p + i])).toBeLessThan(1e-13);
      }
      for (let l = 0; l <= k; l++) {
        let dp = 0;
        for (let i = 0; i < p; i++) dp += vectors[k * p + i] * vectors[l * p + i];
        expect(Math.abs(dp - (k === l ? 1 : 0))).toBeLessThan(1e-12);
      }
    }
    for (let k = 1; k < p; k++) expect(values[k]).toBeGreaterThanOrEqual(values[k - 1]);
  });

  test('symmetries: λ₁ = λ₂ = 0 with eigenvectors spanning {1, k} (translation, linear mode); λ₃ > 0 iff nullity 2', () => {
    for (let t = 0; t < 20; t++) {
      const D = t === 0 ? additionSamples(p) : randomAdditionTrainingSet(p, 20 + t, new Stream('sym', 0, t));
      const g = grokkingRate(p, D);
      const { vectors } = symmetricEigen(effectiveHessian(p, permissibleParallelograms(p, D), p), p);
      const lmax = g.eigenvalues[p - 1];
      expect(Math.abs(g.eigenvalues[0])).toBeLessThan(1e-12 * lmax);
      expect(Math.abs(g.eigenvalues[1])).toBeLessThan(1e-12 * lmax);
      // Orthonormal basis of span{1, k − mean}; the two null eigenvectors lie in it.
      const one = new Float64Array(p).fill(1 / Math.sqrt(p));
      const lin = linearStructure(p).map((v) => v / Math.sqrt(p));
      const H = effectiveHessian(p, permissibleParallelograms(p, D), p);
      for (let i = 0; i < p; i++) {
        let h1 = 0,
          hk = 0;
        for (let j = 0; j < p; j++) {
          h1 += H[i * p + j] * one[j];
          hk += H[i * p + j] * lin[j];
        }
        expect(Math.abs(h1) + Math.abs(hk)).toBeLessThan(1e-14 * lmax * p);
      }
      if (g.nullity === 2)
        for (const k of [0, 1]) {
          const v = vectors.subarray(k * p, (k + 1) * p);
          const a = v.reduce((s, x, i) => s + x * one[i], 0);
          const b = v.reduce((s, x, i) => s + x * lin[i], 0);
          expect(a * a + b * b).toBeCloseTo(1, 10);
        }
      expect(g.lambda3 > 0).toBe(g.nullity === 2);
      if (g.nullity > 2) expect(Math.abs(g.eigenvalues[2])).toBeLessThan(1e-12 * lmax);
      else expect(g.eigenvalues[2]).toBeGreaterThan(1e-6 * lmax);
    }
  });

  test('λ₃ scales as 1/Z₀; predicted grokking steps 1/(λ₃η)', () => {
    const D = additionSamples(p);
    const g1 = grokkingRate(p, D);
    const g4 = grokkingRate(p, D, 4 * p);
    expect(rel(g4.lambda3, g1.lambda3 / 4)).toBeLessThan(1e-12);
    expect(predictedGrokkingSteps(g1.lambda3, 1e-3)).toBeCloseTo(1 / (g1.lambda3 * 1e-3), 8);
    expect(predictedGrokkingSteps(0, 1e-3)).toBe(Infinity);
  });
});

describe('repon pair with decoder weight decay (Liu et al. App. L)', () => {
  /** RK4 on da/dt = −2η_A a (c² + γ), dc/dt = −η_x a² c to time T (independent of the closed form). */
  function integrate(a: number, c: number, etaA: number, etaX: number, gamma: number, T: number, h: number): number {
    const f = (x: number, y: number): [number, number] => [-2 * etaA * x * (y * y + gamma), -etaX * x * x * y];
    for (let t = 0; t < T; t += h) {
      const [k1a, k1c] = f(a, c);
      const [k2a, k2c] = f(a + (h / 2) * k1a, c + (h / 2) * k1c);
      const [k3a, k3c] = f(a + (h / 2) * k2a, c + (h / 2) * k2c);
      const [k4a, k4c] = f(a + h * k3a, c + h * k3c);
      a += (h / 6) * (k1a + 2 * k2a + 2 * k3a + k4a);
      c += (h / 6) * (k1c + 2 * k2c + 2 * k3c + k4c);
    }
    return c;
  }

  test('Lambert W₀ from its logarithm: w e^w = z from z = 1e-300 to e^2000 (1e-12 relative in log)', () => {
    for (const logZ of [-690, -20, -1, 0, 0.5, 3, 50, 700, 2000]) {
      const w = lambertW0FromLog(logZ);
      expect(Math.abs(Math.log(w) + w - logZ)).toBeLessThan(1e-12 * Math.max(1, Math.abs(logZ)));
    }
  });

  test('the closed-form end separation equals RK4 integration of the flow (1e-6 relative), on both sides of C₀ = 0', () => {
    const rates = { etaA: 1, etaX: 1.5 };
    for (const [a, c, gamma] of [
      [1, 0.8, 0.05], // B = 0.64 − 0.75 < 0: would collide without decay; stops at a small separation
      [0.6, 0.9, 0.05], // B > 0: no collision
      [1, 0.8, 0.3],
      [0.9, 0.5, 0.02],
    ]) {
      const exact = reponFinalSeparationWithDecay(a, c, rates, gamma);
      const numeric = integrate(a, c, rates.etaA, rates.etaX, gamma, 40 / (rates.etaA * gamma), 0.005);
      expect(Math.abs(exact.c - numeric), `a ${a}, c ${c}, γ ${gamma}: ${exact.c} vs ${numeric}`).toBeLessThan(1e-6 * Math.abs(numeric));
    }
  });

  test('γ → 0 gives the conserved-C outcome; the boundary ratio inverts the end-separation law', () => {
    const rates = { etaA: 1, etaX: 1.5 };
    // B = c² − η_x a²/(2η_A): 0.81 − 0.27 > 0 → c_∞² = B; 0.25 − 0.6075 < 0 → collision
    expect(reponFinalSeparationWithDecay(0.6, 0.9, rates, 0).c).toBeCloseTo(Math.sqrt(0.81 - 0.27), 14);
    expect(reponFinalSeparationWithDecay(0.9, 0.5, rates, 0).c).toBe(0);
    expect(reponFinalSeparationWithDecay(0.6, 0.9, rates, 1e-9).c).toBeCloseTo(Math.sqrt(0.81 - 0.27), 7);
    for (const gamma of [0, 0.01, 0.1])
      for (const s of [1e-6, 0.5]) {
        const ratio = reponDecayBoundaryRatio(0.7, 0.4, gamma, s);
        const end = reponFinalSeparationWithDecay(0.7, 0.4, { etaA: 1, etaX: ratio }, gamma);
        // (γ = 0, s = 10⁻⁶: u₀s² is the difference of two O(1) numbers there, accurate to 10⁻³ only)
        if (gamma > 0 || s > 0.1) expect(Math.abs(end.separationRatio - s)).toBeLessThan(1e-9 * Math.max(s, 1e-6));
      }
    // decay moves the collision line to a faster encoder
    expect(reponDecayBoundaryRatio(0.7, 0.4, 0.01, 1e-6)).toBeGreaterThan(reponDecayBoundaryRatio(0.7, 0.4, 0, 1e-6));
  });
});
