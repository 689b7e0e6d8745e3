/**
 * The one significance level of every verdict stochdyn states: the Gibbs
 * overlay of a run ("consistent with Gibbs" / "differs from Gibbs") and every
 * row of a comparison (`differs`). Both say the level in their text and record
 * it in their JSON (`level`).
 *
 * Why 0.001 and not 0.05: one run or comparison states many verdicts at once
 * (a comparison of two runs has four rows per observable, two per event, one
 * per well and one for divergence — a three-regime comparison easily has 30),
 * each tested on its own. At 0.05, two runs of the same law would show a
 * "differs" in about one row of twenty; at 0.001, in one of a thousand. The
 * ensembles are large (10³–10⁵ replicas), so real differences and real
 * departures from equilibrium give p-values far below 0.001 and lose nothing.
 * The family-wise view stays available: a comparison also reports the
 * Holm-adjusted p-value of each row (`pHolm`).
 */
export const SIGNIFICANCE_LEVEL = 0.001;

/** "at the 0.001 level": the phrase every verdict line ends with. */
export function levelPhrase(level: number = SIGNIFICANCE_LEVEL): string {
  return `at the ${level} level`;
}
