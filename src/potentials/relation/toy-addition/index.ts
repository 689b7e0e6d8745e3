/**
 * Toy model of addition (docs/models.md §3.4; Liu et al., "Towards understanding
 * grokking", Sec. 2 and App. L): symbols 0 … p−1 with learnable embeddings
 * E_i ∈ R^{d_in}; the pair (a, b) is mapped to Dec(E_a + E_b) by an MLP
 * decoder (addition hard-coded in the input, as the paper's toy setup).
 *
 * Tasks: `regression` (MSE to fixed random targets Y_{a+b}; accuracy: the
 * nearest target is Y_{a+b}) or `classification` (2p − 1 logits, mean
 * cross-entropy; accuracy: argmax = a + b).
 * Decoder: `hidden` layers (default [200, 200], the paper's 1-200-200-30 MLP
 * of App. L) with activation `tanh` or `relu` (the paper does not state the
 * toy decoder's activation; tanh is our default), then a linear output layer.
 * Initialisation: embeddings U[−s/2, s/2] with s = `init_scale` (App. L;
 * default 1), decoder as PyTorch's nn.Linear U(−1/√fan_in, 1/√fan_in).
 * `info`: split sizes, parallelogram counts, and the effective theory's
 * nullity, ideal RQI and λ₃ of the split.
 *
 * params.ts (params, defaults, schema) · data.ts (split and targets) ·
 * model.ts (layout, network, energy and gradient, kernel dispatch) ·
 * observables.ts (RQI, losses, accuracies, effective-theory info) · this
 * file: the potential and its registration.
 */
import type { Potential } from '../../../engine/types.js';
import { kernelsInfo } from '../../../kernels/wasm.js';
import { registerPotential, type BuildContext } from '../../registry.js';
import { toyAdditionData } from './data.js';
import { toyAdditionModel } from './model.js';
import { effectiveTheoryInfo, toyAdditionObservables } from './observables.js';
import { resolveToyAddition, TOY_ADDITION, toyAdditionSchema, type ToyAdditionParams } from './params.js';

export {
  toyAdditionDefaults,
  resolveToyAddition,
  type ToyAdditionParams,
  type ToyAdditionTask,
  type ToyAdditionActivation,
} from './params.js';
export { toyAdditionData, type ToyAdditionData } from './data.js';
export { toyAdditionLayers, toyAdditionModel, type ToyAdditionModel } from './model.js';
export { toyAdditionObservables, rqi, predictedAccuracy, pairKeys, effectiveTheoryInfo } from './observables.js';

export function toyAddition(params: Partial<ToyAdditionParams> | Record<string, unknown>, ctx: BuildContext): Potential {
  const o = resolveToyAddition(params);
  const { p, d_in: din } = o;
  const data = toyAdditionData(o, ctx);
  const { train, test } = data;
  const model = toyAdditionModel(o, data);
  const { dim, embeddingSize: Esz } = model;
  const { sizes, wOff, decoderSize } = model.layers;
  const L = sizes.length - 1; // number of linear layers
  const nTrain = train.length / 2;
  const { observables, parallelograms } = toyAdditionObservables(o, data, model);

  const coordinates: string[] = [];
  for (let i = 0; i < p; i++) for (let k = 0; k < din; k++) coordinates.push(din === 1 ? `E${i}` : `E${i}_${k}`);
  for (let l = 0; l < L; l++) {
    for (let j = 0; j < sizes[l + 1]; j++) for (let i = 0; i < sizes[l]; i++) coordinates.push(`W${l + 1}_${j}_${i}`);
    for (let j = 0; j < sizes[l + 1]; j++) coordinates.push(`b${l + 1}_${j}`);
  }
  const s = o.init_scale;

  return {
    name: TOY_ADDITION,
    dim,
    coordinates,
    groups: [
      { name: 'embeddings', offset: 0, size: Esz },
      { name: 'decoder', offset: Esz, size: decoderSize },
    ],
    dataSize: nTrain,
    initialise(out, offset, _normal, uniform) {
      for (let j = 0; j < Esz; j++) out[offset + j] = s * (uniform() - 0.5);
      for (let l = 0; l < L; l++) {
        const bound = 1 / Math.sqrt(sizes[l]);
        const wo = offset + wOff[l];
        const n = sizes[l] * sizes[l + 1] + sizes[l + 1]; // W_l then b_l, contiguous
        for (let j = 0; j < n; j++) out[wo + j] = bound * (2 * uniform() - 1);
      }
    },
    energyAndGradient: model.energyAndGradient,
    observables,
    info: {
      kernels: kernelsInfo(model.selection, o.precision),
      train_samples: nTrain,
      test_samples: test.length / 2,
      train_parallelograms: parallelograms.train,
      parallelograms: parallelograms.all,
      ...effectiveTheoryInfo(p, train),
    },
  };
}

registerPotential({
  name: TOY_ADDITION,
  description:
    'Liu et al. toy addition: embeddings E_i, MLP decoder on E_a + E_b, regression to random targets or classification; RQI, accuracies',
  paramsSchema: toyAdditionSchema,
  create: (params, ctx) => toyAddition(params, ctx),
});
