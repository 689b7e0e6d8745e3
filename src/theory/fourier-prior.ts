/**
 * The law of a neuron's Fourier concentration under an isotropic Gaussian
 * prior (the droplet threshold of modular-addition-square's observables and
 * of its theory, src/theory/modular-addition.ts). The spectrum and the
 * concentration are defined in src/potentials/neural/fourier.ts.
 */
import { lnGamma } from '../stats/special.js';

/**
 * P(C > t) for the concentration C of an isotropic Gaussian neuron
 * (w ~ N(0, s² I_{2P}); C does not depend on s), exactly.
 *
 * For such w, S_0 = P s² χ²_2 and S_k = P s² χ²_4 (k = 1 … K), all independent,
 * so (S_0, S_1, …, S_K)/ΣS ~ Dirichlet(1, 2, …, 2) and C = max_{k≥1} D_k.
 * Inclusion–exclusion over the K symmetric events {D_k > t}:
 *   P(C > t) = Σ_{j=1}^{K} (−1)^{j+1} C(K, j) P_j(t),
 *   P_j(t) = P(D_1 > t, …, D_j > t)
 *          = Σ_{a=0}^{j} C(j, a) t^{j−a} ρ^{2K−j+a} (2K)! / (2K−j+a)!,   ρ = 1 − j t > 0
 * (the Dirichlet(2,…,2, 1+2(K−j)) density integrated over d_i > t: substitute
 * d_i = t + u_i, expand Π(t + u_i), and use the Dirichlet integral).
 */
export function priorConcentrationSf(P: number, t: number): number {
  const K = (P - 1) >> 1;
  if (!(t > 0)) return 1;
  if (t >= 1) return 0;
  const lnFact2K = lnGamma(2 * K + 1);
  let sum = 0;
  for (let j = 1; j <= K; j++) {
    const rho = 1 - j * t;
    if (rho <= 0) break;
    let pj = 0;
    for (let a = 0; a <= j; a++) {
      const lnTerm = lnBinomial(j, a) + (j - a) * Math.log(t) + (2 * K - j + a) * Math.log(rho) + lnFact2K - lnGamma(2 * K - j + a + 1);
      pj += Math.exp(lnTerm);
    }
    sum += (j % 2 === 1 ? 1 : -1) * Math.exp(lnBinomial(K, j)) * pj;
  }
  return Math.min(1, Math.max(0, sum));
}

function lnBinomial(n: number, k: number): number {
  return lnGamma(n + 1) - lnGamma(k + 1) - lnGamma(n - k + 1);
}

const quantileCache = new Map<string, number>();

/**
 * The q-quantile of the concentration under an isotropic Gaussian prior
 * (default q = 0.99: the droplet threshold), by bisection on the exact
 * survival function to 1e-12.
 */
export function priorConcentrationQuantile(P: number, q = 0.99): number {
  const key = `${P}/${q}`;
  const hit = quantileCache.get(key);
  if (hit !== undefined) return hit;
  const K = (P - 1) >> 1;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = 0.5 * (lo + hi);
    if (priorConcentrationSf(P, mid) > 1 - q) lo = mid;
    else hi = mid;
  }
  const t = 0.5 * (lo + hi);
  if (K >= 1) quantileCache.set(key, t);
  return t;
}
