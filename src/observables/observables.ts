/**
 * Observables: named functions of one replica's state, evaluated for a whole
 * shard at once into `out[r]`. Names: the potential's coordinates (`x`, `y`,
 * `x0` …) or `x[i]`, `energy`, `grad_norm`, `radius`, `well`, `basin`, and the
 * potential's own observables (`potential.observables`: order parameters such
 * as a per-neuron Fourier concentration). A per-unit observable (units > 1) is
 * one number per replica here — its mean over units — and its unit values are
 * available through `resolveUnitObservable` (pooled posterior histograms).
 *
 * The built-in kinds (`energy`, `grad_norm`, …) form a `createRegistry`; a
 * kind may depend on what the potential declares (`available`: `well` and
 * `basin` need known minima).
 */
import { createRegistry, didYouMean, RegistryLookupError } from '../engine/registry.js';
import type { EnsembleState, Potential, PotentialObservable } from '../engine/types.js';

export interface Observable {
  readonly name: string;
  readonly description: string;
  evaluate(state: EnsembleState, out: Float64Array): void;
}

export interface ObservableInfo {
  name: string;
  description: string;
}

/** Shared scratch for full-batch re-evaluation at observation points. */
class Scratch {
  energy = new Float64Array(0);
  grad = new Float64Array(0);
  evaluatedAt = -1;
  evaluatedFor: EnsembleState | null = null;
  ensure(count: number, dim: number) {
    if (this.energy.length < count) {
      this.energy = new Float64Array(count);
      this.grad = new Float64Array(count * dim);
    }
  }
}

/** Full-batch energies and gradients of a state at its current step (see `resolveObservable`). */
export type FullBatch = (state: EnsembleState) => { energy: Float64Array; grad: Float64Array };

/** A built-in observable kind: a named function of one replica's state, built for a potential. */
export interface ObservableKind {
  readonly name: string;
  /** One line for `stochdyn list observables`. */
  readonly description: string;
  /** Whether `potential` offers it (absent: every potential does). */
  available?(potential: Potential): boolean;
  /** The observable for `potential`; `full` gives full-batch energies and gradients at observation points. */
  build(potential: Potential, full: FullBatch): Observable;
}

/** The registry of built-in observable kinds (coordinates and a potential's own observables are added per potential). */
export const observableKinds = createRegistry<ObservableKind>('observable');

const hasMinima = (potential: Potential) => !!potential.minima && potential.minima.length > 0;

function minimaOf(name: string, potential: Potential): Float64Array[] {
  const minima = potential.minima;
  if (!minima || minima.length === 0) throw new Error(`observable '${name}': potential '${potential.name}' declares no minima`);
  return minima.map((m) => Float64Array.from(m));
}

const builtInKinds: ObservableKind[] = [
  {
    name: 'energy',
    description: 'potential energy f(x) (full batch, without the weight-decay term)',
    build: (_potential, full) => ({
      name: 'energy',
      description: 'potential energy',
      evaluate(state, out) {
        const e = full(state).energy;
        for (let r = 0; r < state.count; r++) out[r] = e[r];
      },
    }),
  },
  {
    name: 'grad_norm',
    description: '|∇f(x)| (full batch)',
    build: (potential, full) => {
      const dim = potential.dim;
      return {
        name: 'grad_norm',
        description: '|∇f|',
        evaluate(state, out) {
          const g = full(state).grad;
          for (let r = 0; r < state.count; r++) {
            let s = 0;
            for (let j = 0; j < dim; j++) s += g[r * dim + j] * g[r * dim + j];
            out[r] = Math.sqrt(s);
          }
        },
      };
    },
  },
  {
    name: 'radius',
    description: '|x|, the Euclidean norm of the parameter vector',
    build: (potential) => {
      const dim = potential.dim;
      return {
        name: 'radius',
        description: '|x|',
        evaluate(state, out) {
          const x = state.x;
          for (let r = 0; r < state.count; r++) {
            let s = 0;
            for (let j = 0; j < dim; j++) s += x[r * dim + j] * x[r * dim + j];
            out[r] = Math.sqrt(s);
          }
        },
      };
    },
  },
  {
    name: 'well',
    description: 'index of the nearest known minimum of the potential (0-based)',
    available: hasMinima,
    build: (potential) => {
      const dim = potential.dim;
      const M = minimaOf('well', potential);
      return {
        name: 'well',
        description: 'nearest minimum',
        evaluate(state, out) {
          for (let r = 0; r < state.count; r++) out[r] = nearestMinimum(state.x, r, dim, M);
        },
      };
    },
  },
  {
    name: 'basin',
    description: 'index of the known minimum reached by steepest descent from the replica (its basin of attraction; costlier than well)',
    available: hasMinima,
    build: (potential) => {
      const dim = potential.dim;
      const M = minimaOf('basin', potential);
      return {
        name: 'basin',
        description: 'basin of attraction',
        evaluate(state, out) {
          steepestDescent(potential, state.x, state.count, descent);
          const y = descent.x;
          for (let r = 0; r < state.count; r++) out[r] = nearestMinimum(y, r, dim, M);
        },
      };
    },
  },
];
for (const kind of builtInKinds) observableKinds.register(kind);

/** Observables every potential has, for listings (coordinates are added per potential). */
export function listObservableKinds(): ObservableInfo[] {
  return [
    { name: '<coordinate>', description: "a coordinate by the potential's name for it (x, y, x0 …) or by index x[i]" },
    ...observableKinds.list().map((k) => ({ name: k.name, description: k.description })),
  ];
}

/** The built-in observables as registered when this module loaded (see `listObservableKinds` for the live list). */
export const builtinObservables: ObservableInfo[] = listObservableKinds();

/** The names of every observable a potential offers: coordinates, the available built-in kinds, its own. */
export function observableNames(potential: Potential): string[] {
  const names = [...potential.coordinates];
  for (const kind of observableKinds.list()) if (!kind.available || kind.available(potential)) names.push(kind.name);
  for (const o of potential.observables ?? []) if (!names.includes(o.name)) names.push(o.name);
  return names;
}

/** The observables a potential defines itself, for listings: name, description (with the number of units). */
export function potentialObservables(potential: Potential): ObservableInfo[] {
  return (potential.observables ?? []).map((o) => ({
    name: o.name,
    description:
      o.units > 1
        ? `${o.description} (per unit: ${o.units} values per replica; their mean in traces, finals, events and chains)`
        : o.description,
  }));
}

function potentialObservable(name: string, potential: Potential): PotentialObservable | undefined {
  return potential.observables?.find((o) => o.name === name);
}

/** Checked once per observable: units a positive integer, evaluate a function. */
function checkedUnits(o: PotentialObservable, potential: Potential): number {
  if (!Number.isInteger(o.units) || o.units < 1 || typeof o.evaluate !== 'function')
    throw new Error(
      `potential '${potential.name}': observable '${o.name}' must have an integer units ≥ 1 and an evaluate(x, count, out) function`,
    );
  return o.units;
}

/**
 * An observable with `units` values per replica: `out[r * units + u]` for the
 * replicas of `state`. Built-in observables and scalar potential observables
 * have units = 1.
 */
export interface UnitObservable {
  readonly name: string;
  readonly units: number;
  evaluate(state: EnsembleState, out: Float64Array): void;
}

/** Resolve an observable with its unit values (per-unit potential observables are not averaged). */
export function resolveUnitObservable(name: string, potential: Potential): UnitObservable {
  const own = coordinateIndex(name, potential) < 0 ? potentialObservable(name, potential) : undefined;
  if (own) {
    const units = checkedUnits(own, potential);
    return { name, units, evaluate: (state, out) => own.evaluate(state.x, state.count, out) };
  }
  const o = resolveObservable(name, potential);
  return { name, units: 1, evaluate: (state, out) => o.evaluate(state, out) };
}

/** Resolve an observable name for a potential; throws with the known names if unknown. */
export function resolveObservable(name: string, potential: Potential, scratch: Scratch = new Scratch()): Observable {
  const dim = potential.dim;
  const ci = coordinateIndex(name, potential);
  if (ci >= 0) {
    return {
      name,
      description: `coordinate ${ci}`,
      evaluate(state, out) {
        const x = state.x;
        for (let r = 0; r < state.count; r++) out[r] = x[r * dim + ci];
      },
    };
  }
  const own = potentialObservable(name, potential);
  if (own) {
    const units = checkedUnits(own, potential);
    if (units === 1) return { name, description: own.description, evaluate: (state, out) => own.evaluate(state.x, state.count, out) };
    // Per-unit: the mean over units, one number per replica.
    let buf = new Float64Array(0);
    return {
      name,
      description: `${own.description} (mean over ${units} units)`,
      evaluate(state, out) {
        if (buf.length < state.count * units) buf = new Float64Array(state.count * units);
        own.evaluate(state.x, state.count, buf);
        for (let r = 0; r < state.count; r++) {
          let sum = 0;
          for (let u = 0; u < units; u++) sum += buf[r * units + u];
          out[r] = sum / units;
        }
      },
    };
  }
  // Energies and gradients at observation points: the state's cache when it is
  // current and full-batch, else a fresh full-batch evaluation (kept for the
  // step and tile), so minibatch estimates never leak into observables.
  const full = (state: EnsembleState) => {
    if (!state.batch && state.cacheStep === state.step) return { energy: state.energy, grad: state.grad };
    if (scratch.evaluatedAt !== state.step || scratch.evaluatedFor !== state) {
      scratch.ensure(state.count, dim);
      potential.energyAndGradient(state.x, state.count, scratch.energy, scratch.grad);
      scratch.evaluatedAt = state.step;
      scratch.evaluatedFor = state;
    }
    return { energy: scratch.energy, grad: scratch.grad };
  };
  const kind = observableKinds.find(name);
  if (kind) return kind.build(potential, full);
  const known = observableNames(potential);
  const guess = didYouMean(name, known);
  throw new RegistryLookupError(
    `unknown observable '${name}'; known for this potential: ${known.join(', ')}, x[i]${guess !== undefined ? ` (did you mean '${guess}'?)` : ''}`,
    observableKinds.what,
    name,
    known,
    guess,
  );
}

/** Index of the minimum nearest to replica r's point in x (replica-major, dim per row). */
function nearestMinimum(x: Float64Array, r: number, dim: number, M: Float64Array[]): number {
  let best = 0;
  let bestD = Infinity;
  for (let k = 0; k < M.length; k++) {
    let d = 0;
    for (let j = 0; j < dim; j++) {
      const t = x[r * dim + j] - M[k][j];
      d += t * t;
    }
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best;
}

/** Buffers of the steepest-descent quench (reused between calls). */
const descent = {
  x: new Float64Array(0),
  e: new Float64Array(0),
  g: new Float64Array(0),
  tx: new Float64Array(0),
  te: new Float64Array(0),
  tg: new Float64Array(0),
  h: new Float64Array(0),
};

/**
 * Quench every replica by steepest descent with a per-replica backtracking
 * step (accept and grow ×1.2 when the energy does not rise, else halve), for
 * at most 4000 iterations or until |∇f| < 1e-8·(1 + |f|) — the minimum each
 * replica flows to under gradient flow from its position (its basin).
 * Results in `descent.x`.
 */
function steepestDescent(p: Potential, x0: Float64Array, count: number, b: typeof descent): void {
  const dim = p.dim;
  const n = count * dim;
  if (b.x.length < n) {
    b.x = new Float64Array(n);
    b.g = new Float64Array(n);
    b.tx = new Float64Array(n);
    b.tg = new Float64Array(n);
  }
  if (b.e.length < count) {
    b.e = new Float64Array(count);
    b.te = new Float64Array(count);
    b.h = new Float64Array(count);
  }
  b.x.set(x0.subarray(0, n));
  p.energyAndGradient(b.x, count, b.e, b.g);
  b.h.fill(1e-3, 0, count);
  for (let it = 0; it < 4000; it++) {
    let moving = 0;
    for (let r = 0; r < count; r++) {
      let g2 = 0;
      for (let j = 0; j < dim; j++) g2 += b.g[r * dim + j] ** 2;
      const done = !(Math.sqrt(g2) >= 1e-8 * (1 + Math.abs(b.e[r])));
      for (let j = 0; j < dim; j++) b.tx[r * dim + j] = done ? b.x[r * dim + j] : b.x[r * dim + j] - b.h[r] * b.g[r * dim + j];
      if (!done) moving++;
    }
    if (moving === 0) break;
    p.energyAndGradient(b.tx, count, b.te, b.tg);
    for (let r = 0; r < count; r++) {
      if (b.te[r] <= b.e[r]) {
        for (let j = 0; j < dim; j++) {
          b.x[r * dim + j] = b.tx[r * dim + j];
          b.g[r * dim + j] = b.tg[r * dim + j];
        }
        b.e[r] = b.te[r];
        b.h[r] = Math.min(b.h[r] * 1.2, 1e6);
      } else b.h[r] *= 0.5;
    }
  }
}

function coordinateIndex(name: string, potential: Potential): number {
  const i = potential.coordinates.indexOf(name);
  if (i >= 0) return i;
  const m = /^x\[(\d+)\]$/.exec(name);
  if (m) {
    const k = Number(m[1]);
    if (k < potential.dim) return k;
  }
  return -1;
}

export function isKnownObservable(name: string, potential: Potential): boolean {
  if (coordinateIndex(name, potential) >= 0) return true;
  return observableNames(potential).includes(name);
}

export function createObservableSet(names: string[], potential: Potential): Observable[] {
  const scratch = new Scratch();
  return names.map((n) => resolveObservable(n, potential, scratch));
}
