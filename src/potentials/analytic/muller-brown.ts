/**
 * Müller–Brown surface (Müller & Brown 1979), the standard 2-D test of
 * transition-path and rate methods:
 *
 *   V(x, y) = s · Σ_k A_k exp(a_k (x − x0_k)² + b_k (x − x0_k)(y − y0_k) + c_k (y − y0_k)²)
 *
 * s = `scale` (default 1). At s = 1 the three minima have V ≈ −146.70, −108.17,
 * −80.77 and barriers of tens of energy units, so θ ~ 1 is frozen; s = 0.1 or
 * 0.01 brings the interesting temperatures to θ ~ 1.
 */
import type { Potential } from '../../engine/types.js';
import { registerPotential, singleGroup } from '../registry.js';

const A = [-200, -100, -170, 15];
const a = [-1, -1, -6.5, 0.7];
const b = [0, 0, 11, 0.6];
const c = [-10, -10, -6.5, 0.7];
const X0 = [1, 0, -0.5, -1];
const Y0 = [0, 0.5, 1.5, 1];

/** Approximate minima (literature values), refined by Newton at build time. */
const MINIMA_START: readonly (readonly [number, number])[] = [
  [-0.558, 1.442],
  [0.623, 0.028],
  [-0.05, 0.467],
];

export function mullerBrown(scale = 1): Potential {
  if (!(scale > 0) || !Number.isFinite(scale)) throw new Error(`muller-brown: scale ${scale}, expected a finite number > 0`);
  const sA = A.map((v) => v * scale);
  const [A0, A1, A2, A3] = sA;
  const potential: Potential = {
    name: 'muller-brown',
    dim: 2,
    coordinates: ['x', 'y'],
    groups: singleGroup(2),
    minima: MINIMA_START.map(([x, y]) => newtonMinimum(x, y, scale)),
    energyAndGradient(x, count, energy, grad) {
      for (let r = 0; r < count; r++) {
        const px = x[2 * r];
        const py = x[2 * r + 1];
        let e = 0;
        let gx = 0;
        let gy = 0;
        // Unrolled over the four terms: constants stay in registers.
        {
          const dx = px - 1,
            dy = py;
          const t = A0 * Math.exp(-dx * dx - 10 * dy * dy);
          e += t;
          gx += t * (-2 * dx);
          gy += t * (-20 * dy);
        }
        {
          const dx = px,
            dy = py - 0.5;
          const t = A1 * Math.exp(-dx * dx - 10 * dy * dy);
          e += t;
          gx += t * (-2 * dx);
          gy += t * (-20 * dy);
        }
        {
          const dx = px + 0.5,
            dy = py - 1.5;
          const t = A2 * Math.exp(-6.5 * dx * dx + 11 * dx * dy - 6.5 * dy * dy);
          e += t;
          gx += t * (-13 * dx + 11 * dy);
          gy += t * (11 * dx - 13 * dy);
        }
        {
          const dx = px + 1,
            dy = py - 1;
          const t = A3 * Math.exp(0.7 * dx * dx + 0.6 * dx * dy + 0.7 * dy * dy);
          e += t;
          gx += t * (1.4 * dx + 0.6 * dy);
          gy += t * (0.6 * dx + 1.4 * dy);
        }
        energy[r] = e;
        grad[2 * r] = gx;
        grad[2 * r + 1] = gy;
      }
    },
  };
  return potential;
}

/** Energy, gradient and Hessian [V, Vx, Vy, Vxx, Vxy, Vyy] from the generic coefficient table. */
export function mullerBrownDerivatives(x: number, y: number, scale = 1): [number, number, number, number, number, number] {
  let v = 0,
    vx = 0,
    vy = 0,
    vxx = 0,
    vxy = 0,
    vyy = 0;
  for (let k = 0; k < 4; k++) {
    const dx = x - X0[k];
    const dy = y - Y0[k];
    const t = scale * A[k] * Math.exp(a[k] * dx * dx + b[k] * dx * dy + c[k] * dy * dy);
    const ux = 2 * a[k] * dx + b[k] * dy;
    const uy = b[k] * dx + 2 * c[k] * dy;
    v += t;
    vx += t * ux;
    vy += t * uy;
    vxx += t * (ux * ux + 2 * a[k]);
    vxy += t * (ux * uy + b[k]);
    vyy += t * (uy * uy + 2 * c[k]);
  }
  return [v, vx, vy, vxx, vxy, vyy];
}

function newtonMinimum(x: number, y: number, scale: number): number[] {
  for (let it = 0; it < 50; it++) {
    const [, gx, gy, hxx, hxy, hyy] = mullerBrownDerivatives(x, y, scale);
    const det = hxx * hyy - hxy * hxy;
    const sx = (hyy * gx - hxy * gy) / det;
    const sy = (hxx * gy - hxy * gx) / det;
    x -= sx;
    y -= sy;
    if (Math.abs(sx) + Math.abs(sy) < 1e-15) break;
  }
  return [x, y];
}

registerPotential({
  name: 'muller-brown',
  description: 'Müller–Brown 2-D surface (three minima, two saddles) times a scale',
  paramsSchema: {
    type: 'object',
    properties: {
      scale: {
        type: 'number',
        exclusiveMinimum: 0,
        default: 1,
        description: 'multiplies V; 0.1 or 0.01 makes θ ~ 1 meaningful (minima at scale 1: −146.70, −108.17, −80.77)',
      },
    },
    additionalProperties: false,
  },
  create: (p) => mullerBrown(p.scale as number),
});
