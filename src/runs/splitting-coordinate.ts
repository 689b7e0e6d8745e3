/**
 * The reaction coordinate ξ of a splitting section as a function of one
 * replica's coordinates (docs/splitting.md): a coordinate, a formula in the
 * coordinates, or a scalar observable of the potential. Formulas are parsed
 * and compiled once by the expression potentials' own parser and tape
 * (src/potentials/expression.ts): ξ is the "energy" of an expression
 * potential over the same coordinates, so it accepts exactly the language
 * `potential.expression` accepts and never runs scenario text as code.
 */
import type { Potential } from '../engine/types.js';
import { createExpressionPotential } from '../potentials/expression.js';
import { isExpressionConstant } from '../potentials/expression-check.js';
import type { PlanCoordinate } from '../plan/splitting-plan.js';

/** ξ of the replica whose coordinates start at `x[offset]`. */
export type CoordinateFunction = (x: Float64Array, offset: number) => number;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** One replica's row of `x` (no copy when `x` is exactly that row). */
function row(x: Float64Array, offset: number, dim: number): Float64Array {
  return offset === 0 && x.length === dim ? x : x.subarray(offset, offset + dim);
}

/**
 * Build ξ for `potential`. Throws an Error naming the formula or observable
 * when it cannot be evaluated (the scenario checks report these earlier, with
 * the file and line).
 */
export function reactionCoordinate(xi: PlanCoordinate, potential: Potential): CoordinateFunction {
  const dim = potential.dim;
  if (xi.kind === 'coordinate') {
    const index = xi.index;
    return (x, offset) => x[offset + index];
  }
  if (xi.kind === 'expression') {
    // Coordinates whose names a formula cannot spell (x[3], w.1, a constant's name) get placeholders no formula refers to.
    const names = potential.coordinates.map((c, j) => (IDENTIFIER.test(c) && !isExpressionConstant(c) ? c : `__xi_coordinate_${j}`));
    let formula: Potential;
    try {
      formula = createExpressionPotential({ expression: xi.expression, coordinates: names, params: {} });
    } catch (e) {
      throw new Error(`splitting.coordinate: ${(e as Error).message.replace(/^expression potential/, 'expression')}`, { cause: e });
    }
    const value = new Float64Array(1);
    const grad = new Float64Array(dim);
    return (x, offset) => {
      formula.energyAndGradient(row(x, offset, dim), 1, value, grad);
      return value[0];
    };
  }
  const name = xi.name;
  const own = potential.observables?.find((o) => o.name === name);
  if (own) {
    if (own.units !== 1) throw new Error(`splitting.coordinate: observable '${name}' has ${own.units} values per replica, expected 1`);
    const out = new Float64Array(1);
    return (x, offset) => {
      own.evaluate(row(x, offset, dim), 1, out);
      return out[0];
    };
  }
  if (name === 'radius')
    return (x, offset) => {
      let s = 0;
      for (let j = 0; j < dim; j++) s += x[offset + j] * x[offset + j];
      return Math.sqrt(s);
    };
  if (name === 'energy' || name === 'grad_norm') {
    const energy = new Float64Array(1);
    const grad = new Float64Array(dim);
    return (x, offset) => {
      potential.energyAndGradient(row(x, offset, dim), 1, energy, grad);
      if (name === 'energy') return energy[0];
      let s = 0;
      for (let j = 0; j < dim; j++) s += grad[j] * grad[j];
      return Math.sqrt(s);
    };
  }
  throw new Error(`splitting.coordinate: '${name}' is not a scalar observable of potential '${potential.name}' that a walker can evaluate`);
}
