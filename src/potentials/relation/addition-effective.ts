/**
 * The effective theory of the toy addition model as a potential of the
 * embeddings alone (docs/models.md §3.4; Liu et al. Sec. 3.2, Eq. 5, App. F):
 *
 *   U(E) = ℓ_eff = ℓ₀/Z₀,   ℓ₀ = Σ_{P₀(D)} |E_i + E_j − E_m − E_n|² / |P₀(D)|,   Z₀ = Σ_k |E_k|²,
 *
 * with P₀(D) the permissible parallelograms of the training set D
 * (theory/toy-addition.ts: each unordered pair of distinct samples with equal
 * sum once; D drawn as in `toy-addition`, same seed → same D for the same p and
 * train_fraction). E ∈ R^{p×d}, one group `embeddings`.
 *
 *   ∇U = ∇ℓ₀/Z₀ − 2ℓ₀E/Z₀²   (= theory's `effectiveLoss`, recomputed here allocation-free).
 *
 * Gradient flow conserves Z₀ for every E (U is scale invariant), and ΣE only
 * on ΣE = 0 (Σ_k ∇_k U = −2ℓ₀ΣE/Z₀²; App. F drops that term): `init: centred`
 * (default) subtracts the mean of the initial draw so that ΣE starts at 0.
 * Discrete gradient descent conserves Z₀ only to O(η²) per step (the step is
 * orthogonal to E, so |E|² grows by η²|∇U|²).
 *
 * Observables: `rqi` (full dataset's parallelograms within δ), `rqi_train`,
 * `rqi_normalised` (δ relative to the embeddings' σ), `l0`, `z0`, `sum_e`
 * (|Σ_k E_k|), `leff` (= the energy). `info`: the training set's nullity,
 * ideal RQI and λ₃ (theory/toy-addition.ts).
 */
import type { Potential, PotentialObservable } from '../../engine/types.js';
import { permissibleParallelograms } from '../../theory/toy-addition.js';
import { registerPotential, type BuildContext } from '../registry.js';
import { effectiveTheoryInfo, rqi, toyAdditionData } from './toy-addition/index.js';

export interface AdditionEffectiveParams {
  p: number;
  d: number;
  train_fraction: number;
  /** Standard deviation of the Gaussian initial embeddings. */
  init_scale: number;
  /** Subtract the mean of the initial draw (ΣE = 0, the invariant subspace). */
  centred: boolean;
  delta: number;
}

export const additionEffectiveDefaults: AdditionEffectiveParams = {
  p: 10,
  d: 1,
  train_fraction: 0.82,
  init_scale: 1,
  centred: true,
  delta: 0.01,
};

export function resolveAdditionEffective(params: Partial<AdditionEffectiveParams> | Record<string, unknown>): AdditionEffectiveParams {
  const o = { ...additionEffectiveDefaults, ...(params as Partial<AdditionEffectiveParams>) };
  const name = 'addition-effective';
  if (!(Number.isInteger(o.p) && o.p >= 2)) throw new Error(`${name}: p = ${o.p}, expected an integer ≥ 2`);
  if (!(Number.isInteger(o.d) && o.d >= 1)) throw new Error(`${name}: d = ${o.d}, expected an integer ≥ 1`);
  if (!(o.train_fraction > 0 && o.train_fraction <= 1))
    throw new Error(`${name}: train_fraction = ${o.train_fraction}, expected in (0, 1]`);
  if (!(o.init_scale > 0)) throw new Error(`${name}: init_scale = ${o.init_scale}, expected > 0`);
  if (typeof o.centred !== 'boolean') throw new Error(`${name}: centred = ${JSON.stringify(o.centred)}, expected a boolean`);
  if (!(o.delta >= 0)) throw new Error(`${name}: delta = ${o.delta}, expected ≥ 0`);
  return o;
}

export function additionEffective(params: Partial<AdditionEffectiveParams> | Record<string, unknown>, ctx: BuildContext): Potential {
  const o = resolveAdditionEffective(params);
  const { p, d } = o;
  const dim = p * d;
  // Same split as toy-addition (keyed by the seed and p only).
  const { train } = toyAdditionData({ p, train_fraction: o.train_fraction, task: 'classification' }, ctx);
  const quads = permissibleParallelograms(p, train);
  const quadsAll = permissibleParallelograms(p);
  const P = quads.length / 4;

  let lastL0 = 0;
  let lastZ0 = 0;
  /** ℓ₀ and Z₀ of the replica at base; with grad, writes ∇U there. */
  function evaluate(x: Float64Array, base: number, grad?: Float64Array): number {
    if (grad) grad.fill(0, base, base + dim);
    let l0 = 0;
    for (let q = 0; q < P; q++) {
      const i = base + quads[4 * q] * d,
        j = base + quads[4 * q + 1] * d,
        m = base + quads[4 * q + 2] * d,
        n = base + quads[4 * q + 3] * d;
      for (let a = 0; a < d; a++) {
        const v = x[i + a] + x[j + a] - x[m + a] - x[n + a];
        l0 += v * v;
        if (grad) {
          const g = (2 * v) / P;
          grad[i + a] += g;
          grad[j + a] += g;
          grad[m + a] -= g;
          grad[n + a] -= g;
        }
      }
    }
    l0 = P > 0 ? l0 / P : 0;
    let z0 = 0;
    for (let k = 0; k < dim; k++) z0 += x[base + k] * x[base + k];
    if (grad) {
      const c = (2 * l0) / (z0 * z0);
      for (let k = 0; k < dim; k++) grad[base + k] = grad[base + k] / z0 - c * x[base + k];
    }
    lastL0 = l0;
    lastZ0 = z0;
    return l0 / z0;
  }

  const scalar = (name: string, description: string, f: (x: Float64Array, base: number) => number): PotentialObservable => ({
    name,
    description,
    units: 1,
    evaluate(x, count, out) {
      for (let r = 0; r < count; r++) out[r] = f(x, r * dim);
    },
  });

  const observables: PotentialObservable[] = [
    scalar('rqi', `RQI: fraction of the full dataset's ${quadsAll.length / 4} parallelograms realised within δ = ${o.delta}`, (x, b) =>
      rqi(x, b, p, d, o.delta, quadsAll),
    ),
    scalar('rqi_normalised', `RQI of the normalised embeddings (E − μ)/σ: δ = ${o.delta} relative to σ`, (x, b) =>
      rqi(x, b, p, d, o.delta, quadsAll, true),
    ),
    scalar('rqi_train', `fraction of the training set's ${P} parallelograms realised within δ = ${o.delta}`, (x, b) =>
      rqi(x, b, p, d, o.delta, quads),
    ),
    scalar('leff', 'ℓ_eff = ℓ₀/Z₀ (= the energy)', (x, b) => evaluate(x, b)),
    scalar('l0', 'ℓ₀: mean squared parallelogram violation over P₀(D)', (x, b) => (evaluate(x, b), lastL0)),
    scalar('z0', 'Z₀ = Σ_k |E_k|² (conserved by the gradient flow)', (x, b) => (evaluate(x, b), lastZ0)),
    scalar('sum_e', '|Σ_k E_k| (conserved by the flow only when 0)', (x, b) => {
      let s2 = 0;
      for (let a = 0; a < d; a++) {
        let s = 0;
        for (let k = 0; k < p; k++) s += x[b + k * d + a];
        s2 += s * s;
      }
      return Math.sqrt(s2);
    }),
  ];

  const coordinates: string[] = [];
  for (let i = 0; i < p; i++) for (let k = 0; k < d; k++) coordinates.push(d === 1 ? `E${i}` : `E${i}_${k}`);

  return {
    name: 'addition-effective',
    dim,
    coordinates,
    groups: [{ name: 'embeddings', offset: 0, size: dim }],
    initialise(out, offset, normal) {
      for (let k = 0; k < dim; k++) out[offset + k] = o.init_scale * normal();
      if (o.centred)
        for (let a = 0; a < d; a++) {
          let m = 0;
          for (let k = 0; k < p; k++) m += out[offset + k * d + a];
          m /= p;
          for (let k = 0; k < p; k++) out[offset + k * d + a] -= m;
        }
    },
    energyAndGradient(x, count, energy, grad) {
      for (let r = 0; r < count; r++) energy[r] = evaluate(x, r * dim, grad);
    },
    observables,
    info: { train_samples: train.length / 2, train_parallelograms: P, ...effectiveTheoryInfo(p, train) },
  };
}

registerPotential({
  name: 'addition-effective',
  description: 'Liu et al. effective loss ℓ₀/Z₀ over the training set’s parallelograms, a potential of the embeddings only; RQI, Z₀, ΣE',
  paramsSchema: {
    type: 'object',
    properties: {
      p: { type: 'integer', minimum: 2, default: additionEffectiveDefaults.p, description: 'symbols 0 … p−1' },
      d: { type: 'integer', minimum: 1, default: additionEffectiveDefaults.d, description: 'embedding dimension' },
      train_fraction: {
        type: 'number',
        exclusiveMinimum: 0,
        maximum: 1,
        default: additionEffectiveDefaults.train_fraction,
        description: 'fraction of the p(p+1)/2 unordered pairs in the training set (same split as toy-addition)',
      },
      init_scale: {
        type: 'number',
        exclusiveMinimum: 0,
        default: additionEffectiveDefaults.init_scale,
        description: 'σ of the Gaussian initial embeddings',
      },
      centred: { type: 'boolean', default: additionEffectiveDefaults.centred, description: 'subtract the initial mean (ΣE = 0)' },
      delta: { type: 'number', minimum: 0, default: additionEffectiveDefaults.delta, description: 'RQI tolerance δ' },
    },
    additionalProperties: false,
  },
  create: (p, ctx) => additionEffective(p, ctx),
});
