/**
 * Effective theory of the toy addition model (docs/models.md §3.4; Liu et al.,
 * "Towards understanding grokking", Sec. 3, App. F).
 *
 * Symbols 0…p−1, embeddings E_k ∈ R^d (row-major Float64Array p×d). A sample
 * is an unordered pair (i, j), i ≤ j, so the full dataset D₀ has p(p+1)/2
 * samples (i + j and j + i are the same sample); training fraction = |D|/|D₀|.
 * Sample lists are flat Int32Arrays [i₀, j₀, i₁, j₁, …].
 *
 * Permissible parallelograms (Liu et al. Eq. 1): P₀(D) = {(i, j, m, n) : (i, j),
 * (m, n) ∈ D, i + j = m + n}. Here each unordered pair of DISTINCT samples with
 * the same sum is one parallelogram: the trivial (i, j, i, j) is dropped (it is
 * satisfied by every representation, and keeping it would give a random
 * representation RQI > 0, against the paper's "RQI = 0 with high probability"),
 * and (m, n, i, j) is the same equation as (i, j, m, n). Counting both orders
 * would double both ℓ₀'s sum and |P₀(D)|, leaving ℓ₀ unchanged.
 */
import { Stream } from '../random/rng.js';
import { additionSamples, additionTrainingCount, checkSymbolCount as checkP, randomAdditionTrainingSet } from '../tasks/toy-addition.js';
import { symmetricEigen, type SymmetricEigen } from '../linalg/symmetric-eigen.js';

// The data sets (D₀, random training splits) live in tasks/; re-exported for callers of this module.
export { additionSamples, additionTrainingCount, randomAdditionTrainingSet };

/**
 * Permissible parallelograms P₀(D) of a sample list (Liu et al. Eq. 1, with the
 * conventions of the file header): flat Int32Array [i, j, m, n, …], one entry
 * per unordered pair of distinct samples with i + j = m + n. Default D = D₀.
 */
export function permissibleParallelograms(p: number, samples: Int32Array = additionSamples(p)): Int32Array {
  checkP(p, 'permissibleParallelograms');
  const bySum: number[][] = Array.from({ length: 2 * p - 1 }, () => []);
  for (let k = 0; k < samples.length; k += 2) bySum[samples[k] + samples[k + 1]].push(k);
  const out: number[] = [];
  for (const group of bySum)
    for (let a = 0; a < group.length; a++)
      for (let b = a + 1; b < group.length; b++) {
        const u = group[a];
        const v = group[b];
        if (samples[u] === samples[v] && samples[u + 1] === samples[v + 1]) continue; // repeated sample
        out.push(samples[u], samples[u + 1], samples[v], samples[v + 1]);
      }
  return Int32Array.from(out);
}

/**
 * The linear system A(P) of Liu et al. Eq. 7 for d = 1: one row per
 * parallelogram, coefficients +1 at i and j, −1 at m and n (accumulated, so
 * i = j gives +2). Row-major Float64Array rows×p.
 */
export function parallelogramMatrix(p: number, quads: Int32Array): Float64Array {
  const rows = quads.length / 4;
  const M = new Float64Array(rows * p);
  for (let r = 0; r < rows; r++) {
    M[r * p + quads[4 * r]] += 1;
    M[r * p + quads[4 * r + 1]] += 1;
    M[r * p + quads[4 * r + 2]] -= 1;
    M[r * p + quads[4 * r + 3]] -= 1;
  }
  return M;
}

/** Reduced row echelon form (copy), its rank and pivot columns; |pivot| ≤ tol·max|M| counts as zero. */
function rref(M: Float64Array, rows: number, cols: number, tol = 1e-9): { R: Float64Array; rank: number; pivots: number[] } {
  const R = Float64Array.from(M);
  let scale = 0;
  for (let i = 0; i < R.length; i++) scale = Math.max(scale, Math.abs(R[i]));
  const eps = tol * Math.max(scale, 1);
  const pivots: number[] = [];
  let row = 0;
  for (let col = 0; col < cols && row < rows; col++) {
    let best = row;
    for (let r = row + 1; r < rows; r++) if (Math.abs(R[r * cols + col]) > Math.abs(R[best * cols + col])) best = r;
    if (Math.abs(R[best * cols + col]) <= eps) continue;
    if (best !== row)
      for (let c = 0; c < cols; c++) {
        const t = R[row * cols + c];
        R[row * cols + c] = R[best * cols + c];
        R[best * cols + c] = t;
      }
    const piv = R[row * cols + col];
    for (let c = 0; c < cols; c++) R[row * cols + c] /= piv;
    for (let r = 0; r < rows; r++) {
      if (r === row) continue;
      const f = R[r * cols + col];
      if (f === 0) continue;
      for (let c = 0; c < cols; c++) R[r * cols + c] -= f * R[row * cols + c];
    }
    pivots.push(col);
    row++;
  }
  return { R, rank: row, pivots };
}

/**
 * Nullity n₀ of A(P₀(D)) (Liu et al. Sec. 3.2): p − rank. Always ≥ 2
 * (translation E_k → E_k + a and the linear mode E_k → E_k + k b solve every
 * equation); n₀ = 2 ⇔ the training set pins the linear structure E_k = a + k b
 * up to those two. The full dataset D₀ gives 2 (for p ≥ 3).
 */
export function parallelogramNullity(p: number, samples: Int32Array = additionSamples(p)): number {
  const quads = permissibleParallelograms(p, samples);
  const { rank } = rref(parallelogramMatrix(p, quads), quads.length / 4, p);
  return p - rank;
}

/**
 * Orthonormal-free basis of the null space of A(P₀(D)) from the RREF: one
 * vector per free column, as a flat Float64Array nullity×p.
 */
export function parallelogramNullSpace(p: number, samples: Int32Array = additionSamples(p)): { basis: Float64Array; nullity: number } {
  const quads = permissibleParallelograms(p, samples);
  const { R, rank, pivots } = rref(parallelogramMatrix(p, quads), quads.length / 4, p);
  const isPivot = new Uint8Array(p);
  for (const c of pivots) isPivot[c] = 1;
  const free: number[] = [];
  for (let c = 0; c < p; c++) if (!isPivot[c]) free.push(c);
  const basis = new Float64Array(free.length * p);
  free.forEach((fc, k) => {
    basis[k * p + fc] = 1;
    for (let r = 0; r < rank; r++) basis[k * p + pivots[r]] = -R[r * p + fc];
  });
  return { basis, nullity: free.length };
}

/**
 * Ideal RQI (Liu et al. App. E, Eq. 16, RQI-bar): fraction of the full
 * dataset's parallelograms P₀(D₀) implied by the training set's — an equation
 * is implied iff it vanishes on the null space of A(P₀(D)). Equals 1 iff the
 * nullity is 2.
 */
export function idealRQI(p: number, samples: Int32Array): number {
  const { basis, nullity } = parallelogramNullSpace(p, samples);
  const all = permissibleParallelograms(p);
  const P = all.length / 4;
  let implied = 0;
  for (let q = 0; q < P; q++) {
    let ok = true;
    for (let k = 0; k < nullity && ok; k++) {
      const v = basis.subarray(k * p, (k + 1) * p);
      const s = v[all[4 * q]] + v[all[4 * q + 1]] - v[all[4 * q + 2]] - v[all[4 * q + 3]];
      let norm = 0;
      for (let i = 0; i < p; i++) norm = Math.max(norm, Math.abs(v[i]));
      if (Math.abs(s) > 1e-9 * Math.max(norm, 1)) ok = false;
    }
    if (ok) implied++;
  }
  return P > 0 ? implied / P : 1;
}

/**
 * Representation quality index (Liu et al. Eqs. 2–3): fraction of the
 * parallelograms of `samples` (default D₀: the paper's P₀ = P₀(D₀)) realised
 * within δ, |(E_i + E_j) − (E_m + E_n)| ≤ δ (Euclidean norm in R^d).
 * E is row-major p×d.
 */
export function representationQuality(E: ArrayLike<number>, p: number, d: number, delta: number, samples?: Int32Array): number {
  if (E.length !== p * d) throw new RangeError(`representationQuality: E must have p·d = ${p * d} entries, got ${E.length}`);
  const quads = permissibleParallelograms(p, samples);
  const P = quads.length / 4;
  let hit = 0;
  for (let q = 0; q < P; q++) {
    const [i, j, m, n] = [quads[4 * q], quads[4 * q + 1], quads[4 * q + 2], quads[4 * q + 3]];
    let s = 0;
    for (let a = 0; a < d; a++) {
      const v = E[i * d + a] + E[j * d + a] - E[m * d + a] - E[n * d + a];
      s += v * v;
    }
    if (Math.sqrt(s) <= delta) hit++;
  }
  return P > 0 ? hit / P : 1;
}

/**
 * The normalised linear structure in d = 1: E_k = (k − (p−1)/2)/s with s² =
 * (p² − 1)/12, i.e. zero mean and unit variance (Liu et al. Fig. 4d), so Z₀ = p.
 */
export function linearStructure(p: number): Float64Array {
  checkP(p, 'linearStructure');
  const s = Math.sqrt((p * p - 1) / 12);
  return Float64Array.from({ length: p }, (_, k) => (k - (p - 1) / 2) / s);
}

/** ℓ₀, Z₀, ℓ_eff = ℓ₀/Z₀ and ∇ℓ_eff at E (row-major p×d). */
export interface EffectiveLoss {
  l0: number;
  z0: number;
  leff: number;
  grad: Float64Array;
}

/**
 * Effective loss (Liu et al. Eq. 5): `ℓ₀ = Σ_{P₀(D)} |E_i + E_j − E_m − E_n|² / |P₀(D)|`
 * (no ½, as in Eq. 5; App. G's Eq. 42 has ½ — it halves ℓ₀, H and λ₃),
 * `Z₀ = Σ_k |E_k|²`, `ℓ_eff = ℓ₀/Z₀`, with
 * `∇ℓ_eff = ∇ℓ₀/Z₀ − 2ℓ₀E/Z₀²`. Its gradient flow conserves Z₀ for every E
 * (Σ_k E_k·∇_k ℓ_eff = 0 since ℓ₀ is 2-homogeneous). The paper's second
 * conserved quantity C = Σ_k E_k (Eq. 6, App. F) holds only on the zero-mean
 * subspace: Σ_k ∇_k ℓ_eff = −2ℓ₀ C/Z₀² (App. F drops this term), so
 * dC/dt = 2ℓ₀C/Z₀² — C = 0 (the normalised embeddings) is invariant, any other
 * C grows while ℓ₀ > 0.
 */
export function effectiveLoss(E: ArrayLike<number>, p: number, d: number, quads: Int32Array): EffectiveLoss {
  if (E.length !== p * d) throw new RangeError(`effectiveLoss: E must have p·d = ${p * d} entries, got ${E.length}`);
  const P = quads.length / 4;
  const g0 = new Float64Array(p * d);
  let l0 = 0;
  for (let q = 0; q < P; q++) {
    const i = quads[4 * q],
      j = quads[4 * q + 1],
      m = quads[4 * q + 2],
      n = quads[4 * q + 3];
    for (let a = 0; a < d; a++) {
      const v = E[i * d + a] + E[j * d + a] - E[m * d + a] - E[n * d + a];
      l0 += v * v;
      const g = (2 * v) / P;
      g0[i * d + a] += g;
      g0[j * d + a] += g;
      g0[m * d + a] -= g;
      g0[n * d + a] -= g;
    }
  }
  l0 = P > 0 ? l0 / P : 0;
  let z0 = 0;
  for (let k = 0; k < p * d; k++) z0 += E[k] * E[k];
  const grad = new Float64Array(p * d);
  for (let k = 0; k < p * d; k++) grad[k] = g0[k] / z0 - (2 * l0 * E[k]) / (z0 * z0);
  return { l0, z0, leff: l0 / z0, grad };
}

/**
 * Hessian of ℓ_eff = ℓ₀/Z₀ (d = 1, p×p row-major) at a ground state (ℓ₀ = 0,
 * ∇ℓ₀ = 0) with normalisation Z₀: there ∇²(ℓ₀/Z₀) = ∇²ℓ₀/Z₀ exactly (the
 * other terms carry ℓ₀ or ∇ℓ₀), which is Liu et al.'s H of Eq. 8:
 * `H = 2 MᵀM / (|P₀(D)| Z₀)`, M = {@link parallelogramMatrix}. Every linear
 * structure a + k b is a ground state for every D, so this is the Hessian at
 * the linear structure; with d > 1 it is H ⊗ I_d.
 */
export function effectiveHessian(p: number, quads: Int32Array, z0: number): Float64Array {
  const P = quads.length / 4;
  const M = parallelogramMatrix(p, quads);
  const H = new Float64Array(p * p);
  if (P === 0) return H;
  const f = 2 / (P * z0);
  for (let r = 0; r < P; r++)
    for (let a = 0; a < p; a++) {
      const ma = M[r * p + a];
      if (ma === 0) continue;
      for (let b = 0; b < p; b++) H[a * p + b] += f * ma * M[r * p + b];
    }
  return H;
}

// The one symmetric eigensolver lives in linalg/; re-exported for callers of this module.
export { symmetricEigen, type SymmetricEigen };

/** λ₃ and what it rests on. */
export interface GrokkingRate {
  /** Eigenvalues of H, ascending (λ₁ = λ₂ = 0 up to rounding). */
  eigenvalues: Float64Array;
  /** Third eigenvalue; 0 (exactly) when the nullity exceeds 2. */
  lambda3: number;
  nullity: number;
  /** |P₀(D)| and the Z₀ used. */
  parallelograms: number;
  z0: number;
}

/**
 * Grokking rate λ₃ (Liu et al. Sec. 3.2, Eqs. 8–9): the third-smallest
 * eigenvalue of the Hessian of ℓ_eff at the normalised linear structure
 * ({@link effectiveHessian}; default Z₀ = p, zero mean and unit variance in
 * d = 1 — rescaling the embeddings by s divides λ₃ by s²). The first two
 * eigenvalues vanish (translation and the linear mode); if the nullity exceeds
 * 2, λ₃ is reported as exactly 0 (no unique structure: no grokking).
 */
export function grokkingRate(p: number, samples: Int32Array, z0 = p): GrokkingRate {
  checkP(p, 'grokkingRate');
  const quads = permissibleParallelograms(p, samples);
  const nullity = parallelogramNullity(p, samples);
  const { values } = symmetricEigen(effectiveHessian(p, quads, z0), p);
  return { eigenvalues: values, lambda3: nullity > 2 ? 0 : values[2], nullity, parallelograms: quads.length / 4, z0 };
}

/** Predicted grokking steps `1/(λ₃ η)` (Liu et al. Sec. 3.2); Infinity for λ₃ = 0. η: embedding learning rate. */
export function predictedGrokkingSteps(lambda3: number, eta: number): number {
  if (!(eta > 0)) throw new RangeError(`predictedGrokkingSteps: η must be > 0, got ${eta}`);
  return lambda3 > 0 ? 1 / (lambda3 * eta) : Infinity;
}

/** Options for {@link uniqueStructureMonteCarlo}. */
export interface UniqueStructureOptions {
  p: number;
  /** Training fraction of the p(p+1)/2 samples. */
  fraction: number;
  /** Random training sets (default 500). */
  trials?: number;
  /** Seed of the engine Stream (default 0); trial t uses Stream(seed, 0, t). */
  seed?: number | string;
}

/** Result of {@link uniqueStructureMonteCarlo}. */
export interface UniqueStructureResult {
  p: number;
  count: number;
  trials: number;
  /** P(nullity = 2) and its binomial standard error. */
  probability: number;
  se: number;
  meanNullity: number;
  /** Mean λ₃ over all training sets (0 where nullity > 2), and over those with nullity 2 (NaN if none). */
  meanLambda3: number;
  meanLambda3Unique: number;
}

/**
 * Probability that a random training set of the given fraction pins a unique
 * linear structure (nullity 2; Liu et al. Fig. 4a) and the mean grokking rate
 * λ₃ (Fig. 5a), by seeded Monte Carlo over training sets.
 */
export function uniqueStructureMonteCarlo(o: UniqueStructureOptions): UniqueStructureResult {
  const { p } = o;
  const count = additionTrainingCount(p, o.fraction);
  const trials = o.trials ?? 500;
  const seed = o.seed ?? 0;
  let unique = 0;
  let nullSum = 0;
  let lamSum = 0;
  for (let t = 0; t < trials; t++) {
    const D = randomAdditionTrainingSet(p, count, new Stream(seed, 0, t));
    const g = grokkingRate(p, D);
    nullSum += g.nullity;
    if (g.nullity === 2) {
      unique++;
      lamSum += g.lambda3;
    }
  }
  const probability = unique / trials;
  return {
    p,
    count,
    trials,
    probability,
    se: Math.sqrt((probability * (1 - probability)) / trials),
    meanNullity: nullSum / trials,
    meanLambda3: lamSum / trials,
    meanLambda3Unique: unique > 0 ? lamSum / unique : Number.NaN,
  };
}
