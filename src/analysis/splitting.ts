/**
 * The `splitting` block of summary.json: the AMS estimate of the probability
 * p of reaching B before A from the first crossings of z₀, combined over the
 * independent repetitions, and the mean first-passage time A → B it implies.
 *
 * MFPT relation (Cérou, Guyader, Lelièvre & Pommier, J. Chem. Phys. 134,
 * 054108, 2011, §II; Lopes & Lelièvre, J. Comput. Chem. 40, 1198, 2019, eq. 3):
 * a trajectory from A crosses z₀ after a time T₁, then either returns to A
 * (time T₂, probability 1 − p: one loop) or reaches B (time T₃, probability p).
 * The number of failed loops before the success is geometric with mean
 * (1 − p)/p, so
 *   E[τ_AB] = (1/p − 1)(E T₁ + E[T₂ | back]) + E T₁ + E[T₃ | reach]
 *           = E T₁ / p + (1/p − 1) E[T₂ | back] + E[T₃ | reach],
 * ≈ 1/(Φ p) when p ≪ 1, with Φ = 1/(E T₁ + E T₂) the rate of first crossings
 * of z₀ of the trajectory kept in A's basin. T₁ and T₂ come from the
 * equilibrium trajectory that also supplied the walkers; T₃ from the walkers
 * that reached B.
 */
import type { SplittingRepetition } from '../engine/splitting.js';

/** An estimate with its standard error and 95 % confidence interval (normal, ±1.96 SE). */
export interface SplittingEstimate {
  mean: number;
  se: number;
  ci95: [number, number];
}

export interface SplittingSummary {
  method: 'ams';
  walkers: number;
  kill: number;
  repetitions: number;
  /** Level z₀ of the reaction coordinate (`coordinate`) whose first crossings start the walkers. */
  coordinate: string;
  level: number;
  /** P(reach B before A | start at a first crossing of z₀): mean of the R unbiased estimates, SE from their spread. */
  probability: SplittingEstimate;
  /** Var(p̂)/p̄² of one repetition (the sample variance over repetitions). */
  relativeVariance: number;
  /** Rate Φ of first crossings of z₀ out of A (per unit time) and the mean times T₁ (A → z₀) and T₂ (z₀ → A), physical time. */
  flux: number;
  timeToLevel: number;
  timeBack: number;
  /** Mean duration of the reactive paths z₀ → B (physical time). */
  reactiveTime: number;
  /** Mean first-passage time A → B (physical time, the relation above) and the rate 1/MFPT; SE by the delta method. */
  mfpt: SplittingEstimate;
  rate: SplittingEstimate;
  /** Mean iterations per repetition; repetitions that went extinct (p̂ = 0) or were stopped by a guard. */
  iterations: number;
  extinct: number;
  incomplete: number;
  /** Integrator steps of all repetitions (equilibrium trajectories + walkers). */
  replicaSteps: number;
  /**
   * Replica-steps brute force needs for the same relative error of the MFPT:
   * n = 1/relErr² exponential first-passage times of MFPT/η steps each, i.e.
   * (MFPT/η)/relErr² (the mean of n exponentials has relative SE 1/√n).
   */
  bruteForceSteps: number;
  /** Per repetition: p̂, iterations, walkers in B, replica-steps. */
  perRepetition: Array<{ repetition: number; probability: number; iterations: number; reached: number; replicaSteps: number }>;
}

const interval = (mean: number, se: number): SplittingEstimate => ({ mean, se, ci95: [mean - 1.96 * se, mean + 1.96 * se] });

/**
 * Combine the repetitions of one AMS run. `lr` is η (physical time = steps · η).
 * Needs at least one repetition; the SEs need two.
 */
export function summariseSplitting(
  repetitions: readonly SplittingRepetition[],
  settings: { walkers: number; kill: number; coordinate: string; level: number; lr: number },
): SplittingSummary {
  const R = repetitions.length;
  const ps = repetitions.map((r) => r.probability);
  const pMean = ps.reduce((a, b) => a + b, 0) / R;
  const pVar = R > 1 ? ps.reduce((a, p) => a + (p - pMean) ** 2, 0) / (R - 1) : NaN;
  const pSe = Math.sqrt(pVar / R);
  let crossings = 0,
    t1 = 0,
    t1sq = 0,
    loops = 0,
    t2 = 0,
    t2sq = 0,
    reached = 0,
    t3 = 0,
    steps = 0,
    iterations = 0;
  for (const r of repetitions) {
    crossings += r.crossings;
    t1 += r.toLevelSum;
    t1sq += r.toLevelSumSq;
    loops += r.loops;
    t2 += r.backSum;
    t2sq += r.backSumSq;
    if (r.reached > 0) {
      reached += r.reached;
      t3 += r.reactiveSteps * r.reached;
    }
    steps += r.replicaSteps;
    iterations += r.iterations;
  }
  const eta = settings.lr;
  const T1 = t1 / crossings;
  const T2 = t2 / loops;
  const T3 = reached > 0 ? t3 / reached : 0;
  // SE of the loop time T₁ + T₂ from the spread of the loop durations.
  const loopVar = (t1sq / crossings - T1 * T1) / crossings + (t2sq / loops - T2 * T2) / loops;
  const loopRelSe = Math.sqrt(loopVar) / (T1 + T2);
  const mfptSteps = T1 / pMean + (1 / pMean - 1) * T2 + T3;
  const relSe = Math.sqrt((pSe / pMean) ** 2 + loopRelSe ** 2);
  const mfpt = mfptSteps * eta;
  const mfptSe = mfpt * relSe;
  return {
    method: 'ams',
    walkers: settings.walkers,
    kill: settings.kill,
    repetitions: R,
    coordinate: settings.coordinate,
    level: settings.level,
    probability: interval(pMean, pSe),
    relativeVariance: pVar / (pMean * pMean),
    flux: 1 / ((T1 + T2) * eta),
    timeToLevel: T1 * eta,
    timeBack: T2 * eta,
    reactiveTime: reached > 0 ? T3 * eta : NaN,
    mfpt: interval(mfpt, mfptSe),
    rate: interval(1 / mfpt, mfptSe / (mfpt * mfpt)),
    iterations: iterations / R,
    extinct: repetitions.filter((r) => r.extinct).length,
    incomplete: repetitions.filter((r) => !r.complete).length,
    replicaSteps: steps,
    bruteForceSteps: mfptSteps / (relSe * relSe),
    perRepetition: repetitions.map((r) => ({
      repetition: r.repetition,
      probability: r.probability,
      iterations: r.iterations,
      reached: r.reached,
      replicaSteps: r.replicaSteps,
    })),
  };
}
