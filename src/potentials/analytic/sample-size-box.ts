/**
 * Sample-size box (docs/models.md §1.5, grokking time vs sample size): a box on the
 * zero-risk manifold of dimension D in which each of n training samples confines
 * one more coordinate,
 *
 *   f(x) = Σ_j (κ/2) (|x_j| − b_j)₊²,   b_j = a for j < n,  b_j = A for j ≥ n,
 *
 * zero inside the box, quadratic walls of stiffness κ (`wall`) outside (C¹, and
 * the Gibbs weight of a wall is an exact Gaussian half-tail, so the effective
 * width of a side is 2b + sqrt(2πθ/κ): theory/grokking.ts effectiveIntervalLength).
 * SGLD stability needs η κ < 2.
 *
 * The structure region is the ball |x| ≤ ρ around the ORIGIN: the origin lies in
 * the box for every n (the box is centred on it), far from every wall when
 * ρ < a, and the engine's `radius` observable is exactly |x|, so the event is
 * `grokked: enter {radius: {le: ρ}}`. Start (`ensemble.init: {kind: potential}`):
 * uniform in the box [−b_j, b_j]^D outside the target ball (the equilibrium of
 * the zero-risk region). Narrow escape: t_grok ≈ V/(θ Cap_D(ρ)) ∝ (2a)^n (2A)^{D−n}.
 */
import type { Potential } from '../../engine/types.js';
import { defaultCoordinates, registerPotential, singleGroup } from '../registry.js';

export interface SampleSizeBoxParams {
  /** Number of samples = confined coordinates, 0 ≤ n ≤ D. */
  n: number;
  /** Dimension of the manifold. */
  D: number;
  /** Half-width of a confined coordinate. */
  a: number;
  /** Half-width of a free coordinate. */
  A: number;
  /** Radius of the target ball at the origin (not part of f; used by the initialiser). */
  rho: number;
  /** Wall stiffness κ. */
  wall: number;
}

export function sampleSizeBox(p: SampleSizeBoxParams): Potential {
  const { n, D, a, A, rho, wall } = p;
  if (!(Number.isInteger(D) && D >= 1)) throw new Error(`sample-size-box: D must be an integer ≥ 1, got ${D}`);
  if (!(Number.isInteger(n) && n >= 0 && n <= D)) throw new Error(`sample-size-box: n must be an integer in [0, D = ${D}], got ${n}`);
  if (!(a > 0 && A > 0)) throw new Error(`sample-size-box: a and A must be > 0, got a = ${a}, A = ${A}`);
  if (!(rho > 0)) throw new Error(`sample-size-box: rho must be > 0, got ${rho}`);
  if (!(rho < Math.min(a, A)))
    throw new Error(`sample-size-box: rho = ${rho} must be smaller than a and A (the target ball must fit in the box)`);
  if (!(wall > 0)) throw new Error(`sample-size-box: wall stiffness must be > 0, got ${wall}`);
  const B = new Float64Array(D);
  for (let j = 0; j < D; j++) B[j] = j < n ? a : A;
  const kappa = wall;
  const halfKappa = 0.5 * wall;
  const rho2 = rho * rho;

  return {
    name: 'sample-size-box',
    dim: D,
    coordinates: defaultCoordinates(D),
    groups: singleGroup(D),
    energyAndGradient(x, count, energy, grad) {
      for (let r = 0; r < count; r++) {
        const base = r * D;
        let e = 0;
        for (let j = 0; j < D; j++) {
          const xj = x[base + j];
          const over = Math.abs(xj) - B[j];
          if (over > 0) {
            e += halfKappa * over * over;
            grad[base + j] = xj > 0 ? kappa * over : -kappa * over;
          } else grad[base + j] = 0;
        }
        energy[r] = e;
      }
    },
    // 1-D: the same expression as the batched gradient, for the fused integrator path.
    gradient1D:
      D === 1
        ? (xj: number) => {
            const over = Math.abs(xj) - B[0];
            return over > 0 ? (xj > 0 ? kappa * over : -kappa * over) : 0;
          }
        : undefined,
    initialise(out, offset, _normal, uniform) {
      // Uniform in the box, outside the target ball (rejection: the ball is a small part of the box).
      for (let tries = 0; ; tries++) {
        let s = 0;
        for (let j = 0; j < D; j++) {
          const v = (2 * uniform() - 1) * B[j];
          out[offset + j] = v;
          s += v * v;
        }
        if (s > rho2 || tries >= 10000) return;
      }
    },
  };
}

registerPotential({
  name: 'sample-size-box',
  description:
    'flat box, n coordinates in [−a, a] and D − n in [−A, A] with quadratic walls; target ball |x| ≤ rho at the origin (grokking vs sample size)',
  paramsSchema: {
    type: 'object',
    properties: {
      n: { type: 'integer', minimum: 0, default: 0, description: 'number of samples = coordinates confined to [−a, a] (0 ≤ n ≤ D)' },
      D: { type: 'integer', minimum: 1, default: 4, description: 'dimension of the zero-risk manifold (narrow-escape theory needs D ≥ 3)' },
      a: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'half-width of a confined coordinate' },
      A: { type: 'number', exclusiveMinimum: 0, default: 2.5, description: 'half-width of a free coordinate' },
      rho: {
        type: 'number',
        exclusiveMinimum: 0,
        default: 0.4,
        description: 'radius of the structure ball at the origin (event: radius ≤ rho); start is uniform outside it',
      },
      wall: {
        type: 'number',
        exclusiveMinimum: 0,
        default: 200,
        description: 'wall stiffness κ of (κ/2)(|x_j| − b_j)² outside the box (needs η κ < 2)',
      },
    },
    additionalProperties: false,
  },
  create: (p) =>
    sampleSizeBox({
      n: p.n as number,
      D: p.D as number,
      a: p.a as number,
      A: p.A as number,
      rho: p.rho as number,
      wall: p.wall as number,
    }),
});
