/**
 * Double well f(x) = h (x² − 1)² + b x   (docs/models.md §1.2; b = tilt, 0 by default).
 * Minima near ±1, saddle near 0; f''(±1) = 8h, f''(0) = −4h for b = 0.
 */
import type { Potential } from '../../engine/types.js';
import { polynomialGradient1D } from '../../engine/polynomial.js';
import { registerPotential, singleGroup } from '../registry.js';

export function doubleWell(h: number, tilt = 0): Potential {
  // f'(x) = 4h x³ − 4h x + b, by Horner's scheme (the same numbers in the native fused step).
  const { coefficients, gradient } = polynomialGradient1D([4 * h, 0, -4 * h, tilt]);
  return {
    name: tilt === 0 ? 'double-well' : 'tilted-double-well',
    dim: 1,
    coordinates: ['x'],
    groups: singleGroup(1),
    minima: tiltedMinima(h, tilt),
    energyAndGradient(x, count, energy, grad) {
      for (let r = 0; r < count; r++) {
        const xi = x[r];
        const s = xi * xi - 1;
        energy[r] = h * s * s + tilt * xi;
        grad[r] = gradient(xi);
      }
    },
    gradient1D: gradient,
    gradientPolynomial1D: coefficients,
  };
}

/** Local minima of h(x²−1)² + b x: real roots of 4h x³ − 4h x + b = 0 with f'' > 0, by Newton from ±1. */
function tiltedMinima(h: number, b: number): number[][] {
  const out: number[][] = [];
  for (const start of [-1, 1]) {
    let x = start;
    for (let i = 0; i < 100; i++) x -= (4 * h * x * (x * x - 1) + b) / (4 * h * (3 * x * x - 1));
    if (Number.isFinite(x) && 4 * h * (3 * x * x - 1) > 0 && Math.sign(x) === Math.sign(start)) out.push([x]);
  }
  return out;
}

registerPotential({
  name: 'double-well',
  description: 'h (x² − 1)² in 1-D: minima ±1, barrier h at 0',
  paramsSchema: {
    type: 'object',
    properties: { h: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'barrier height' } },
    additionalProperties: false,
  },
  create: (p) => doubleWell(p.h as number, 0),
});

registerPotential({
  name: 'tilted-double-well',
  description: 'h (x² − 1)² + tilt · x in 1-D: unequal wells',
  paramsSchema: {
    type: 'object',
    properties: {
      h: { type: 'number', exclusiveMinimum: 0, default: 1, description: 'barrier height (untilted)' },
      tilt: { type: 'number', default: 0.1, description: 'linear tilt b' },
    },
    additionalProperties: false,
  },
  create: (p) => doubleWell(p.h as number, p.tilt as number),
});
