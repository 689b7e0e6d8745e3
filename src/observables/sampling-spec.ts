/**
 * The `sampling:` section of a scenario after validation. Declared here, beside
 * the sampling recorder that consumes it, so observables/ need not import
 * scenario/ (which sits above it); scenario/types.ts re-exports it.
 */

/** One `sampling.posterior` entry: a histogram pooled over units, replicas and samples. */
export interface PosteriorSpec {
  of: string;
  bins: number;
  range: [number, number];
  /** Largest number of Gaussian components tried by the BIC-chosen mixture fit (0 = no fit). */
  mixture: number;
}

/** `sampling:` — posterior sampling at steps burn_in, burn_in + thin, … ≤ dynamics.steps. */
export interface SamplingSpec {
  burn_in: number;
  thin: number;
  /** Observables recorded per replica per sample (per-unit ones as their mean over units). */
  chains: string[];
  posterior: PosteriorSpec[];
  /** Posterior-predictive metrics; absent = on when the potential has a predictive. */
  predictive?: boolean;
  /** Warn when split R-hat > rhat or total ESS < ess. */
  warn: { rhat: number; ess: number };
}
