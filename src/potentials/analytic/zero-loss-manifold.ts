/**
 * Zero-loss manifold (docs/models.md §1.4, grokking as Brownian motion): coordinates
 * `u` (off the manifold) and `y0 … y{m−1}` (on it), dim = 1 + m,
 *
 *   f(u, y) = g · φ_ε(u) + (κ/2) (|y| − W)₊²          (wall term optional)
 *   φ_ε(u) = u²/(2ε) for |u| < ε,  |u| − ε/2 otherwise   (Huber: a smoothed |u|)
 *
 * f = 0 exactly on the manifold M = {u = 0}. The Huber form keeps the slope
 * exactly g for |u| ≥ ε, so the memorization passage from u = L to any δ ≥ ε is
 * exactly the drifted-Brownian (inverse-Gaussian) one of theory/grokking.ts;
 * inside |u| < ε the stiffness is g/ε, which bounds the SGLD step: η < 2ε/g.
 * The loss does not depend on y: the walk on M is free (with the default
 * `wall: null`); an optional wall (κ/2)(|y| − W)² beyond |y| = W confines it.
 *
 * Start (`ensemble.init: {kind: potential}`): u = L, y = 0. The structure radius
 * R does not enter f; it is carried for the events and theory overlays:
 *   memorized: enter {u: {le: δ}}          (δ ≥ eps)
 *   grokked:   |y| ≥ R. The engine's `radius` is |x| over all coordinates; with
 *              enter {radius: {ge: R}, u: {ge: −δ, le: δ}} it means
 *              |y|² ≥ R² − u², i.e. |y| ≥ R up to O(δ²/R²) (exact when the
 *              off-manifold group runs at temperature 0, where u → 0).
 * Parameter groups: `u` (the off-manifold coordinate) and `y` (the manifold),
 * so each can get its own temperature or learning rate.
 */
import type { Potential } from '../../engine/types.js';
import { registerPotential } from '../registry.js';

export interface ZeroLossManifoldParams {
  /** Start distance L > 0 of u from the manifold. Default 1. */
  L: number;
  /** Structure radius R > 0 on the manifold (not part of f). Default L. */
  R: number;
  /** Loss slope g > 0. Default 1. */
  g: number;
  /** Manifold dimension m ≥ 1. Default 2. */
  m: number;
  /** Huber smoothing half-width ε > 0 of |u|. Default 0.01 L. */
  eps: number;
  /** Optional wall on |y|: radius W > 0 and stiffness κ > 0. Default none. */
  wall: { radius: number; stiffness: number } | null;
}

export function zeroLossManifold(p: ZeroLossManifoldParams): Potential {
  const { L, g, m, eps } = p;
  if (!(L > 0)) throw new Error(`zero-loss-manifold: L must be > 0, got ${L}`);
  if (!(g > 0)) throw new Error(`zero-loss-manifold: g must be > 0, got ${g}`);
  if (!(Number.isInteger(m) && m >= 1)) throw new Error(`zero-loss-manifold: m must be an integer ≥ 1, got ${m}`);
  if (!(eps > 0)) throw new Error(`zero-loss-manifold: eps must be > 0, got ${eps}`);
  if (!(p.R > 0)) throw new Error(`zero-loss-manifold: R must be > 0, got ${p.R}`);
  const hasWall = p.wall !== null;
  const W = hasWall ? p.wall!.radius : 0;
  const kappa = hasWall ? p.wall!.stiffness : 0;
  if (hasWall && !(W > 0 && kappa > 0)) throw new Error(`zero-loss-manifold: wall needs radius > 0 and stiffness > 0`);
  const dim = 1 + m;
  const gOverEps = g / eps;
  const halfEps = 0.5 * eps;

  return {
    name: 'zero-loss-manifold',
    dim,
    coordinates: ['u', ...Array.from({ length: m }, (_, i) => `y${i}`)],
    groups: [
      { name: 'u', offset: 0, size: 1 },
      { name: 'y', offset: 1, size: m },
    ],
    energyAndGradient(x, count, energy, grad) {
      for (let r = 0; r < count; r++) {
        const base = r * dim;
        const u = x[base];
        const au = Math.abs(u);
        let e: number;
        if (au < eps) {
          e = 0.5 * gOverEps * u * u;
          grad[base] = gOverEps * u;
        } else {
          e = g * (au - halfEps);
          grad[base] = u > 0 ? g : -g;
        }
        if (hasWall) {
          let s = 0;
          for (let j = 1; j < dim; j++) s += x[base + j] * x[base + j];
          const ry = Math.sqrt(s);
          if (ry > W) {
            const over = ry - W;
            e += 0.5 * kappa * over * over;
            const c = (kappa * over) / ry;
            for (let j = 1; j < dim; j++) grad[base + j] = c * x[base + j];
          } else for (let j = 1; j < dim; j++) grad[base + j] = 0;
        } else for (let j = 1; j < dim; j++) grad[base + j] = 0;
        energy[r] = e;
      }
    },
    initialise(out, offset) {
      out[offset] = L;
      for (let j = 1; j < dim; j++) out[offset + j] = 0;
    },
  };
}

registerPotential({
  name: 'zero-loss-manifold',
  description: 'g·huber_ε(u) on coordinates (u, y0 … y{m−1}): zero loss on u = 0, free walk in y (grokking as Brownian motion)',
  paramsSchema: {
    type: 'object',
    properties: {
      L: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'start distance: replicas start at u = L, y = 0' },
      R: {
        type: ['number', 'null'],
        exclusiveMinimum: 0,
        default: null,
        description: 'structure radius on the manifold (|y| ≥ R = grokked); not part of f; null = L',
      },
      g: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'loss slope off the manifold' },
      m: { type: 'integer', minimum: 1, default: 2, description: 'manifold dimension (coordinates y0 … y{m−1})' },
      eps: {
        type: ['number', 'null'],
        exclusiveMinimum: 0,
        default: null,
        description: 'Huber half-width ε of the smoothed |u| (stiffness g/ε inside: needs η < 2ε/g); null = 0.01·L',
      },
      wall: {
        oneOf: [
          { type: 'null' },
          {
            type: 'object',
            properties: {
              radius: { type: 'number', exclusiveMinimum: 0, description: 'wall radius W on |y|' },
              stiffness: { type: 'number', exclusiveMinimum: 0, default: 100, description: 'κ of (κ/2)(|y| − W)² beyond W' },
            },
            required: ['radius'],
            additionalProperties: false,
          },
        ],
        default: null,
        description: 'optional confining wall on |y| (default none: the walk on the manifold is free)',
      },
    },
    additionalProperties: false,
  },
  create: (p) => {
    const L = p.L as number;
    const wall = (p.wall ?? null) as { radius: number; stiffness?: number } | null;
    return zeroLossManifold({
      L,
      R: (p.R as number | null) ?? L,
      g: p.g as number,
      m: p.m as number,
      eps: (p.eps as number | null) ?? 0.01 * L,
      wall: wall === null ? null : { radius: wall.radius, stiffness: wall.stiffness ?? 100 },
    });
  },
});
