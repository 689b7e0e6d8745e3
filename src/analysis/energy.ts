/**
 * The energy of a potential as a plain function of one point (weight decay
 * included), and the integration interval of its Gibbs weight — shared by the
 * theory overlays and the analyses.
 */
import type { Potential } from '../engine/types.js';

/** Energy of a potential at one point (length dim), plus weight decay λ|x|²/2 (what the dynamics sees). */
export function pointEnergy(potential: Potential, weightDecay = 0): (x: ArrayLike<number>) => number {
  const X = new Float64Array(potential.dim);
  const E = new Float64Array(1);
  const G = new Float64Array(potential.dim);
  return (x) => {
    let r2 = 0;
    for (let j = 0; j < potential.dim; j++) {
      X[j] = x[j]!;
      r2 += X[j]! * X[j]!;
    }
    potential.energyAndGradient(X, 1, E, G);
    return E[0]! + 0.5 * weightDecay * r2;
  };
}

/** f of a 1-D potential as a scalar function (weight decay included). */
export function scalarEnergy(potential: Potential, weightDecay = 0): (x: number) => number {
  const f = pointEnergy(potential, weightDecay);
  const X = [0];
  return (x) => {
    X[0] = x;
    return f(X);
  };
}

/** An interval ⊇ [lo, hi] outside which exp(−(f − min f)/θ) < e^{−50}. */
export function wideInterval(f: (x: number) => number, theta: number, lo: number, hi: number): [number, number] {
  let fmin = Infinity;
  for (let i = 0; i <= 400; i++) fmin = Math.min(fmin, f(lo + ((hi - lo) * i) / 400));
  const w = Math.max(hi - lo, 1e-6);
  let a = lo;
  let b = hi;
  for (let i = 0; i < 60 && !(f(a) - fmin > 50 * theta); i++) a -= w * 0.25 * (i + 1);
  for (let i = 0; i < 60 && !(f(b) - fmin > 50 * theta); i++) b += w * 0.25 * (i + 1);
  return [a, b];
}
