/**
 * Modular addition with a two-layer square-activation network (docs/models.md §2.1,
 * Gromov's setting), as the negative log posterior at temperature 1:
 *
 *   U(w, a) = λ Σ_{μ ∈ train} |f(x_μ) − y_μ|² + |w|²/(2 s_w²) + |a|²/(2 s_a²),
 *   f_k(x) = Σ_c a_{c,k} (w_c · x)²,   λ = 1/(2σ²) (or `loss_scale`).
 *
 * Input of the pair (n, m): two-hot x ∈ R^{2P} (1 at n and at P + m). Targets
 * y_k = δ_{k,(n+m) mod P} − 1/P (`centred`) or δ_{k,(n+m) mod P} (`one-hot`).
 * Training pairs: a random subset (train_fraction of the P² pairs) drawn from
 * the scenario seed only, so every run index, sweep point and regime sees the
 * same split; the other pairs are the held-out set.
 *
 * params.ts (params, defaults, schema) · data.ts (the split) · model.ts (the
 * network, energy and gradient, kernel dispatch) · observables.ts (order
 * parameters, errors, held-out predictions) · this file: the potential and
 * its registration.
 */
import type { Potential } from '../../../engine/types.js';
import { choleskyInPlace, choleskySolve } from '../../../linalg/cholesky.js';
import { kernelsInfo } from '../../../kernels/wasm.js';
import { registerPotential, type BuildContext } from '../../registry.js';
import { modularAdditionData } from './data.js';
import { modularAdditionModel } from './model.js';
import { modularAdditionObservables } from './observables.js';
import { MODULAR_ADDITION, modularAdditionSchema, resolveModularAddition, type ModularAdditionParams } from './params.js';

export type { PriorVariance } from '../prior.js';
export { modularAdditionDefaults, resolveModularAddition, type ModularAdditionParams } from './params.js';
export { modularAdditionData, type ModularAdditionData } from './data.js';
export { modularAdditionModel, type ModularAdditionModel } from './model.js';
export { modularAdditionObservables } from './observables.js';

export function modularAdditionSquare(params: Partial<ModularAdditionParams> | Record<string, unknown>, ctx: BuildContext): Potential {
  const p = resolveModularAddition(params);
  const { P, N } = p;
  const D2 = 2 * P;
  const data = modularAdditionData(p, ctx);
  const model = modularAdditionModel(p, data);
  const { dim, wSize: Wsz, aSize: Asz, priorW: pw, priorA: pa } = model;
  const { observables, predictive, dropletThreshold } = modularAdditionObservables(p, data, model);
  // The initial spread: the prior's (or, when flat, the default draw's) times init_scale.
  const sw = p.init_scale * Math.sqrt(pw.initVariance);
  const sa = p.init_scale * Math.sqrt(pa.initVariance);

  const coordinates: string[] = [];
  for (let c = 0; c < N; c++) for (let j = 0; j < D2; j++) coordinates.push(`w${c}_${j}`);
  for (let c = 0; c < N; c++) for (let k = 0; k < P; k++) coordinates.push(`a${c}_${k}`);

  return {
    name: MODULAR_ADDITION,
    dim,
    coordinates,
    groups: [
      { name: 'w', offset: 0, size: Wsz },
      { name: 'a', offset: Wsz, size: Asz },
    ],
    dataSize: data.train.length,
    // Prior variances (the initial spread when flat): the preconditioner of dynamics.step_size.
    preconditioner: { w: pw.initVariance, a: pa.initVariance },
    initialise(out, offset, normal, uniform) {
      if (p.init_state === 'fourier') {
        fourierState(p, data.train, model, out, offset, uniform);
        return;
      }
      for (let j = 0; j < Wsz; j++) out[offset + j] = sw * normal();
      for (let j = 0; j < Asz; j++) out[offset + Wsz + j] = sa * normal();
    },
    energyAndGradient: model.energyAndGradient,
    observables,
    predictive,
    info: {
      kernels: kernelsInfo(model.selection, p.precision),
      train_pairs: data.train.length,
      test_pairs: data.test.length,
      droplet_threshold: dropletThreshold,
    },
  };
}

/**
 * The ordered phase as a starting point (`init_state: fourier`, for heating
 * runs and hysteresis checks): neuron c is a unit cosine at frequency
 * k = 1 + (c mod K) in both input halves, u_n = cos(2πkn/P + α_c),
 * v_m = cos(2πkm/P + β_c) with uniform random phases, and the readout weights
 * are their posterior mean given these input weights — the ridge solution
 * (ΦᵀΦ/σ² + I/s_a²)⁻¹ Φᵀy/σ² over the training pairs, Φ the N features
 * (w_c·x)², with the data weight and prior precision of the energy.
 */
function fourierState(
  p: ModularAdditionParams,
  train: Int32Array,
  model: ReturnType<typeof modularAdditionModel>,
  out: Float64Array,
  offset: number,
  uniform: () => number,
): void {
  const { P, N } = p;
  const K = (P - 1) >> 1;
  const D2 = 2 * P;
  for (let c = 0; c < N; c++) {
    const k = 1 + (c % K);
    const alpha = 2 * Math.PI * uniform();
    const beta = 2 * Math.PI * uniform();
    for (let n = 0; n < P; n++) {
      out[offset + c * D2 + n] = Math.cos((2 * Math.PI * ((k * n) % P)) / P + alpha);
      out[offset + c * D2 + P + n] = Math.cos((2 * Math.PI * ((k * n) % P)) / P + beta);
    }
  }
  const lam = 2 * (p.loss_scale ?? 1 / (2 * p.sigma2)); // ∂/∂f of λ|f − y|² is 2λ(f − y)
  const prec = model.priorA.precision > 0 ? model.priorA.precision : 1e-9;
  const A = new Float64Array(N * N);
  const B = new Float64Array(N * P);
  const phi = new Float64Array(N);
  for (const pair of train) {
    const n = Math.floor(pair / P);
    const m = pair - n * P;
    const cls = (n + m) % P;
    for (let c = 0; c < N; c++) {
      const z = out[offset + c * D2 + n] + out[offset + c * D2 + P + m];
      phi[c] = z * z;
    }
    for (let i = 0; i < N; i++) {
      for (let j = 0; j <= i; j++) A[i * N + j] += lam * phi[i] * phi[j];
      for (let j = 0; j < P; j++) B[i * P + j] += lam * phi[i] * ((j === cls ? 1 : 0) - model.targetOffset);
    }
  }
  for (let i = 0; i < N; i++) A[i * N + i] += prec;
  choleskyInPlace(A, N);
  const col = new Float64Array(N);
  for (let j = 0; j < P; j++) {
    for (let i = 0; i < N; i++) col[i] = B[i * P + j];
    choleskySolve(A, N, col);
    for (let c = 0; c < N; c++) out[offset + model.wSize + c * P + j] = col[c];
  }
}

registerPotential({
  name: MODULAR_ADDITION,
  description: 'two-layer square-activation network on (n + m) mod P: posterior energy (MSE/(2σ²) + Gaussian priors), train/held-out split',
  paramsSchema: modularAdditionSchema,
  create: (params, ctx) => modularAdditionSquare(params, ctx),
});
