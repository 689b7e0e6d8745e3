/**
 * The energy of a potential as a plain function of one point (weight decay
 * included), and the integration interval of its Gibbs weight — shared by the
 * theory overlays and the analyses.
 */
import type { Potential } from '../engine/types.js';
import { WallKind, type Walls } from '../engine/walls.js';

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

/** How far out (in units of the spread of the minima, at least 1) gibbsTailProblem looks: the reach of wideInterval's search. */
const TAIL_REACH = 500;

/**
 * Why the Gibbs density exp(−(f + λ|x|²/2)/θ) is not normalisable, or null
 * when no sign of it is found. A density is normalisable only if f grows
 * without bound in every direction fast enough; this looks along the 2d
 * coordinate directions and the two diagonals from the centre of the minima
 * (or the origin) and reports a direction in which f is not 50θ above its
 * lowest value at a quarter, half and all of TAIL_REACH spreads — there exp(−f/θ) keeps mass at the
 * edge of any integration range, so a quadrature over "a wide interval" would
 * return a number that depends only on where the interval was cut.
 * A necessary condition, not a proof: a potential that passes may still have
 * heavy tails in a direction not probed.
 * With `walls` (engine/walls.ts), a coordinate in a box cannot run off: its
 * two directions, and the diagonals (which leave every box), are not probed,
 * so a potential boxed in every coordinate is normalisable whatever f does.
 */
export function gibbsTailProblem(
  potential: Potential,
  theta: number,
  weightDecay = 0,
  minima?: readonly (readonly number[])[],
  walls: Walls | null = null,
): string | null {
  if (!(theta > 0)) return null;
  const boxed = (j: number) => walls !== null && walls.kind[j] !== WallKind.none;
  const d = potential.dim;
  const f = pointEnergy(potential, weightDecay);
  const centre = new Array<number>(d).fill(0);
  let spread = 1;
  if (minima && minima.length > 0) {
    for (const m of minima) for (let j = 0; j < d; j++) centre[j]! += m[j]! / minima.length;
    for (const m of minima) for (let j = 0; j < d; j++) spread = Math.max(spread, Math.abs(m[j]! - centre[j]!) * 2);
  }
  const directions: number[][] = [];
  for (let j = 0; j < d; j++)
    for (const s of boxed(j) ? [] : [1, -1]) {
      const u = new Array<number>(d).fill(0);
      u[j] = s;
      directions.push(u);
    }
  const anyBoxed = Array.from({ length: d }, (_, j) => boxed(j)).some(Boolean);
  if (d > 1 && !anyBoxed) for (const s of [1, -1]) directions.push(new Array<number>(d).fill(s / Math.sqrt(d)));
  const fmin = Math.min(f(centre), ...(minima ?? []).map((m) => f(m)));
  const point = new Array<number>(d);
  const name = (u: number[]) =>
    d === 1
      ? u[0]! > 0
        ? '+x'
        : '−x'
      : u.filter((v) => v !== 0).length === 1
        ? `${u.find((v) => v !== 0)! > 0 ? '+' : '−'}${potential.coordinates[u.findIndex((v) => v !== 0)]}`
        : `the ${u[0]! > 0 ? '' : '−'}diagonal`;
  const reach = TAIL_REACH * spread;
  for (const u of directions) {
    // The far field decides: f must be 50θ above its minimum at R/4, R/2 and R (a NaN, e.g. an overflow, is not counted against it).
    const high = [reach / 4, reach / 2, reach].every((r) => {
      for (let j = 0; j < d; j++) point[j] = centre[j]! + r * u[j]!;
      const v = f(point);
      return Number.isNaN(v) || v - fmin > 50 * theta;
    });
    if (!high) {
      for (let j = 0; j < d; j++) point[j] = centre[j]! + reach * u[j]!;
      const far = f(point);
      return `f does not stay 50θ above its minimum along ${name(u)} out to distance ${reach.toPrecision(3)} (f = ${far.toPrecision(4)} there, min ${fmin.toPrecision(4)}, θ = ${theta}): exp(−f/θ) does not decay, so the Gibbs density is not normalisable`;
    }
  }
  return null;
}
