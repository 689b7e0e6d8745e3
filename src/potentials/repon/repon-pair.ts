/**
 * The repon pair as a potential (docs/models.md §3.1; GenEFT Sec. 5): a linear decoder
 * D(x) = A x + b (A ∈ R^{m×d}, b ∈ R^m) and two same-cluster embeddings
 * ("repons") x₁, x₂ ∈ R^d with a shared target y, loss
 *
 *   ℓ = ½ (|A x₁ + b − y|² + |A x₂ + b − y|²).
 *
 * This is the FULL system (A, b, x₁, x₂): centre s = (x₁ + x₂)/2 and bias b are
 * trained too. With e_i = A x_i + b − y the gradient is ∂A = e₁x₁ᵀ + e₂x₂ᵀ,
 * ∂b = e₁ + e₂, ∂x_i = Aᵀe_i. Run it with `gd` and per-group learning rates
 * (`dynamics.groups.decoder.lr` = η_A, `dynamics.groups.repons.lr` = η_x): in r =
 * (x₁ − x₂)/2 the flow is dr/dt = −η_x AᵀA r and dA/dt = −2η_A(A r rᵀ + u sᵀ)
 * with u = A s + b − y, i.e. GenEFT Eq. 7 plus the centre term u sᵀ.
 *
 * Conserved quantities. Writing X = [x₁ x₂] (d×2) the outputs are A X + b 1ᵀ, and
 * gradient flow conserves the d×d matrix AᵀA/η_A − X Xᵀ/η_x (a balancedness
 * law; the bias does not enter). A quarter of its trace is
 *
 *   C_full = ‖A‖_F²/(4η_A) − |r|²/(2η_x) − |s|²/(2η_x)
 *
 * (observable `C_full`), while the matrix C of docs/models.md §3.1,
 * C = ‖A‖_F²/(4η_A) − |r|²/(2η_x) (observable `C`), is conserved only by the
 * reduced flow (u = 0): in the full system it drifts by −uᵀA s per unit time.
 * η_A and η_x enter only these observables and are potential params
 * (`eta_A`, `eta_x`): keep them equal to the group learning rates (sweep them
 * together, `sweep.mode: zip`).
 *
 * Collision. `collided` = 1 when the full half-separation |r| is below
 * `collision_tol · σ_c` (σ_c = the initial spread of each component of r): an
 * absolute threshold in units of the initial spread, because an observable sees
 * only the current state, not the replica's start (theory/repon.ts uses
 * |r| ≤ tol·|r₀|; the two differ only for starts with |r₀| ≲ tol·σ_c,
 * probability ≈ 0.8·tol in d = 1). With a row-vector decoder (m = 1) in d ≥ 2
 * full collision does not happen (the flow ends at A r = 0 with r ≠ 0 unless
 * a₀ ∥ r₀; theory/repon.ts rowVectorFinalState), and the component of r along
 * the decoder's row space (`c`) goes to zero in BOTH outcomes, so it is
 * reported but not used as the collision flag. `memorized` = 1 when instead the
 * gain |A r|/|r| is below collision_tol·σ_a (and not collided); neither flag =
 * still undecided (near C = 0 the decision time grows like 1/|C|). In d > m the
 * flow always ends `memorized` (A r → 0 with r ≠ 0). `M_min`, the smallest eigenvalue
 * of M = AᵀA/(2η_A) − r rᵀ/η_x (conserved by the reduced flow; the scalar C for
 * d = m = 1), predicts the reduced flow's outcome: ≥ 0 ⇔ full collision.
 *
 * Initialisation (`ensemble.init: {kind: potential}`): A_ij ~ N(0, σ_a²),
 * r_j ~ N(0, σ_c²), s_j ~ N(centre, σ_s²), b_k ~ N(bias, σ_b²), then
 * x₁ = s + r, x₂ = s − r. Drawn in the order A, b, r, s. For d = m = 1 and σ_s =
 * σ_b = 0, centre = 0, bias = y (u = 0) the full system is exactly the reduced
 * scalar flow of GenEFT Eq. 9 and the collision law p_r applies.
 *
 * Parameter layout: group `decoder` = [A (m×d row-major), b (m)], group
 * `repons` = [x₁ (d), x₂ (d)].
 */
import type { Potential, PotentialObservable } from '../../engine/types.js';
import { registerPotential } from '../registry.js';
import { rowSpaceProjection2 } from '../../linalg/dense.js';
import { symmetricMinEigenvalue } from '../../linalg/symmetric-eigen.js';

export interface ReponPairParams {
  /** Embedding dimension d. */
  d: number;
  /** Decoder outputs m (A ∈ R^{m×d}). */
  m: number;
  /** Target, the same in every output component. */
  y: number;
  /** Initial spread of each entry of A. */
  sigma_a: number;
  /** Initial spread of each component of the HALF-separation r = (x₁ − x₂)/2. */
  sigma_c: number;
  /** Initial spread of each component of the centre s = (x₁ + x₂)/2. */
  sigma_s: number;
  /** Initial mean of each component of the centre. */
  centre: number;
  /** Initial spread of each bias component. */
  sigma_b: number;
  /** Initial mean of each bias component (null: y, so that u = A s + b − y starts at A s). */
  bias: number | null;
  /** Decoder rate η_A used by the observables C, C_full, M_min (keep equal to the decoder lr). */
  eta_A: number;
  /** Repon rate η_x used by the observables C, C_full, M_min (keep equal to the repons lr). */
  eta_x: number;
  /** `collided` when |r| ≤ collision_tol · σ_c. */
  collision_tol: number;
}

export const reponPairDefaults: ReponPairParams = {
  d: 1,
  m: 1,
  y: 1,
  sigma_a: 1,
  sigma_c: 1,
  sigma_s: 1,
  centre: 0,
  sigma_b: 1,
  bias: null,
  eta_A: 1,
  eta_x: 1,
  collision_tol: 1e-3,
};

export function resolveReponPair(params: Partial<ReponPairParams> | Record<string, unknown>): ReponPairParams {
  const p = { ...reponPairDefaults, ...(params as Partial<ReponPairParams>) };
  const name = 'repon-pair';
  for (const k of ['d', 'm'] as const)
    if (!(Number.isInteger(p[k]) && p[k] >= 1)) throw new Error(`${name}: ${k} = ${p[k]}, expected an integer ≥ 1`);
  for (const k of ['sigma_a', 'sigma_c', 'eta_A', 'eta_x', 'collision_tol'] as const)
    if (!(p[k] > 0)) throw new Error(`${name}: ${k} = ${p[k]}, expected > 0`);
  for (const k of ['sigma_s', 'sigma_b'] as const) if (!(p[k] >= 0)) throw new Error(`${name}: ${k} = ${p[k]}, expected ≥ 0`);
  for (const k of ['y', 'centre'] as const) if (!Number.isFinite(p[k])) throw new Error(`${name}: ${k} = ${p[k]}, expected a number`);
  if (!(p.bias === null || Number.isFinite(p.bias))) throw new Error(`${name}: bias = ${p.bias}, expected a number or null`);
  return p;
}

export function reponPair(params: Partial<ReponPairParams> | Record<string, unknown>): Potential {
  const p = resolveReponPair(params);
  const { d, m, y } = p;
  const nA = m * d;
  const oB = nA;
  const oX1 = nA + m;
  const oX2 = oX1 + d;
  const dim = oX2 + d;
  const bias0 = p.bias ?? y;
  const e1 = new Float64Array(m);
  const e2 = new Float64Array(m);

  function energyAndGradient(x: Float64Array, count: number, energy: Float64Array, grad: Float64Array): void {
    for (let r = 0; r < count; r++) {
      const o = r * dim;
      let en = 0;
      for (let k = 0; k < m; k++) {
        let v1 = x[o + oB + k] - y;
        let v2 = v1;
        const ao = o + k * d;
        for (let j = 0; j < d; j++) {
          v1 += x[ao + j] * x[o + oX1 + j];
          v2 += x[ao + j] * x[o + oX2 + j];
        }
        e1[k] = v1;
        e2[k] = v2;
        en += v1 * v1 + v2 * v2;
        grad[o + oB + k] = v1 + v2;
        for (let j = 0; j < d; j++) grad[ao + j] = v1 * x[o + oX1 + j] + v2 * x[o + oX2 + j];
      }
      for (let j = 0; j < d; j++) {
        let g1 = 0;
        let g2 = 0;
        for (let k = 0; k < m; k++) {
          const a = x[o + k * d + j];
          g1 += a * e1[k];
          g2 += a * e2[k];
        }
        grad[o + oX1 + j] = g1;
        grad[o + oX2 + j] = g2;
      }
      energy[r] = 0.5 * en;
    }
  }

  // ---- observables (scratch allocated once) ----
  const rv = new Float64Array(d);
  const Q = new Float64Array(nA);
  const S = new Float64Array(d * d);
  /** Half-separation of the replica at o into rv; returns |r|². */
  const half = (x: Float64Array, o: number): number => {
    let r2 = 0;
    for (let j = 0; j < d; j++) {
      rv[j] = 0.5 * (x[o + oX1 + j] - x[o + oX2 + j]);
      r2 += rv[j] * rv[j];
    }
    return r2;
  };
  const sumSq = (x: Float64Array, o: number, n: number): number => {
    let s = 0;
    for (let j = 0; j < n; j++) s += x[o + j] * x[o + j];
    return s;
  };
  const centre2 = (x: Float64Array, o: number): number => {
    let s2 = 0;
    for (let j = 0; j < d; j++) {
      const s = 0.5 * (x[o + oX1 + j] + x[o + oX2 + j]);
      s2 += s * s;
    }
    return s2;
  };
  const scalar = (name: string, description: string, f: (x: Float64Array, o: number) => number): PotentialObservable => ({
    name,
    description,
    units: 1,
    evaluate(x, count, out) {
      for (let r = 0; r < count; r++) out[r] = f(x, r * dim);
    },
  });
  const cTol = p.collision_tol * p.sigma_c;
  const gTol = p.collision_tol * p.sigma_a;
  const observables: PotentialObservable[] = [
    scalar('r_norm', '|r|, the half-separation |x₁ − x₂|/2', (x, o) => Math.sqrt(half(x, o))),
    scalar('a2', '|A r|/|r|, the decoder gain along the separation (|a₂| of GenEFT Eq. 9; 0 when r = 0)', (x, o) => {
      const r2 = half(x, o);
      if (r2 === 0) return 0;
      let ar2 = 0;
      for (let k = 0; k < m; k++) {
        let v = 0;
        for (let j = 0; j < d; j++) v += x[o + k * d + j] * rv[j];
        ar2 += v * v;
      }
      return Math.sqrt(ar2 / r2);
    }),
    scalar('c', 'component of r in the row space of A (|c| of GenEFT Eq. 9 in d = 1; → 0 in both outcomes when d > m)', (x, o) => {
      half(x, o);
      return Math.sqrt(rowSpaceProjection2(x, o, m, d, rv, 0, Q));
    }),
    scalar(
      'C',
      'C = ‖A‖_F²/(4η_A) − |r|²/(2η_x), conserved by the reduced (A, r) flow (docs/models.md §3.1)',
      (x, o) => sumSq(x, o, nA) / (4 * p.eta_A) - half(x, o) / (2 * p.eta_x),
    ),
    scalar(
      'C_full',
      'C − |s|²/(2η_x) (s the centre), conserved by the full (A, b, x₁, x₂) gradient flow',
      (x, o) => sumSq(x, o, nA) / (4 * p.eta_A) - (half(x, o) + centre2(x, o)) / (2 * p.eta_x),
    ),
    scalar(
      'M_min',
      'smallest eigenvalue of AᵀA/(2η_A) − r rᵀ/η_x (conserved by the reduced flow; ≥ 0 ⇔ it ends in full collision)',
      (x, o) => {
        half(x, o);
        for (let i = 0; i < d; i++)
          for (let j = 0; j < d; j++) {
            let v = 0;
            for (let k = 0; k < m; k++) v += x[o + k * d + i] * x[o + k * d + j];
            S[i * d + j] = v / (2 * p.eta_A) - (rv[i] * rv[j]) / p.eta_x;
          }
        return symmetricMinEigenvalue(S, d);
      },
    ),
    scalar('centre_residual', '|A s + b − y|, the fit error of the centre (0 in the reduced flow)', (x, o) => {
      let u2 = 0;
      for (let k = 0; k < m; k++) {
        let v = x[o + oB + k] - y;
        for (let j = 0; j < d; j++) v += 0.5 * x[o + k * d + j] * (x[o + oX1 + j] + x[o + oX2 + j]);
        u2 += v * v;
      }
      return Math.sqrt(u2);
    }),
    scalar('collided', `1 when |r| ≤ collision_tol·σ_c = ${cTol} (full collision), else 0`, (x, o) => (half(x, o) <= cTol * cTol ? 1 : 0)),
    scalar(
      'memorized',
      `1 when the gain |A r|/|r| ≤ collision_tol·σ_a = ${gTol} and not collided (the decoder stopped seeing the separation), else 0`,
      (x, o) => {
        const r2 = half(x, o);
        if (r2 <= cTol * cTol) return 0;
        let ar2 = 0;
        for (let k = 0; k < m; k++) {
          let v = 0;
          for (let j = 0; j < d; j++) v += x[o + k * d + j] * rv[j];
          ar2 += v * v;
        }
        return ar2 <= gTol * gTol * r2 ? 1 : 0;
      },
    ),
  ];

  const coordinates: string[] = [];
  for (let k = 0; k < m; k++) for (let j = 0; j < d; j++) coordinates.push(m === 1 && d === 1 ? 'A' : `A${k}_${j}`);
  for (let k = 0; k < m; k++) coordinates.push(m === 1 ? 'b' : `b${k}`);
  for (const w of ['x1', 'x2']) for (let j = 0; j < d; j++) coordinates.push(d === 1 ? w : `${w}_${j}`);

  return {
    name: 'repon-pair',
    dim,
    coordinates,
    groups: [
      { name: 'decoder', offset: 0, size: nA + m },
      { name: 'repons', offset: oX1, size: 2 * d },
    ],
    initialise(out, offset, normal) {
      for (let i = 0; i < nA; i++) out[offset + i] = p.sigma_a * normal();
      for (let k = 0; k < m; k++) out[offset + oB + k] = bias0 + p.sigma_b * normal();
      for (let j = 0; j < d; j++) rv[j] = p.sigma_c * normal();
      for (let j = 0; j < d; j++) {
        const s = p.centre + p.sigma_s * normal();
        out[offset + oX1 + j] = s + rv[j];
        out[offset + oX2 + j] = s - rv[j];
      }
    },
    energyAndGradient,
    observables,
    info: { collision_threshold: cTol },
  };
}

registerPotential({
  name: 'repon-pair',
  description:
    'GenEFT repon pair: linear decoder Ax + b on two same-target embeddings x₁, x₂; groups decoder / repons; C, C_full, collided',
  paramsSchema: {
    type: 'object',
    properties: {
      d: { type: 'integer', minimum: 1, default: reponPairDefaults.d, description: 'embedding dimension' },
      m: { type: 'integer', minimum: 1, default: reponPairDefaults.m, description: 'decoder outputs (A is m×d)' },
      y: { type: 'number', default: reponPairDefaults.y, description: 'shared target (every output component)' },
      sigma_a: {
        type: 'number',
        exclusiveMinimum: 0,
        default: reponPairDefaults.sigma_a,
        description: 'initial spread of each entry of A',
      },
      sigma_c: {
        type: 'number',
        exclusiveMinimum: 0,
        default: reponPairDefaults.sigma_c,
        description: 'initial spread of each component of the half-separation r',
      },
      sigma_s: {
        type: 'number',
        minimum: 0,
        default: reponPairDefaults.sigma_s,
        description: 'initial spread of the centre (0: reduced flow when also sigma_b = 0 and bias = y, centre = 0)',
      },
      centre: { type: 'number', default: reponPairDefaults.centre, description: 'initial mean of the centre components' },
      sigma_b: { type: 'number', minimum: 0, default: reponPairDefaults.sigma_b, description: 'initial spread of the bias' },
      bias: { type: ['number', 'null'], default: null, description: 'initial mean of the bias (null: y)' },
      eta_A: {
        type: 'number',
        exclusiveMinimum: 0,
        default: reponPairDefaults.eta_A,
        description: 'η_A for the C observables only (set = decoder lr)',
      },
      eta_x: {
        type: 'number',
        exclusiveMinimum: 0,
        default: reponPairDefaults.eta_x,
        description: 'η_x for the C observables only (set = repons lr)',
      },
      collision_tol: {
        type: 'number',
        exclusiveMinimum: 0,
        default: reponPairDefaults.collision_tol,
        description: 'collided when |r| ≤ collision_tol·sigma_c',
      },
    },
    additionalProperties: false,
  },
  create: (params) => reponPair(params),
});
