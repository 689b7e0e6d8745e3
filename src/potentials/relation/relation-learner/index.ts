/**
 * GenEFT relation learner (docs/models.md §3.2; Baek, Liu & Tegmark, "GenEFT", Sec. 2
 * and Appendix A): an encoder–decoder that learns a binary relation R on n
 * symbols from a fraction of the n² ordered pairs.
 *
 * Encoder: learnable embeddings E_x ∈ R^d (x = 0 … n−1). Decoder input of the
 * pair (a, b), by `combine`:
 *   concat               [E_a, E_b]        (2d inputs; the paper's default)
 *   difference           E_a − E_b         (d inputs)
 *   squared-difference   (E_a − E_b)²      (d inputs, element-wise)
 * Decoder: `depth` (= the paper's n_h) tanh layers of width `width` (= w),
 * then a linear layer to one logit z; the model's probability is sigmoid(z).
 * depth 0 is a single linear layer input → logit.
 *
 * Energy: the mean binary cross-entropy over the training pairs (the paper's
 * loss). Because U is a mean, an SGLD temperature θ refers to this
 * normalisation: the stationary density exp(−U/θ) is the Bayesian posterior
 * with a flat prior and the summed log likelihood at θ = 1/M. Weight decay is
 * the dynamics' business (`dynamics.groups.<g>.weight_decay`), not a term of U.
 *
 * Relations (src/theory/relations.ts): `mod` (x ≡ y mod k), `greater-than`
 * (R(x, y) = [x < y]), `bipartite` (complete bipartite graph; the balanced split
 * S from a stream keyed by the seed and n). The train/test split is drawn from
 * the seed and n only, so every run index, sweep point, regime and relation
 * sees the same pairs and a larger fraction extends the same training set.
 *
 * Initialisation as PyTorch's defaults: nn.Embedding N(0, 1) (scaled by
 * `embedding_std`), nn.Linear weights and biases U(−1/√fan_in, 1/√fan_in).
 *
 * params.ts (params, defaults, schema) · data.ts (truth table and split) ·
 * model.ts (layout, network, energy and gradient, kernel dispatch) ·
 * observables.ts (losses, accuracies, embedding geometry, held-out
 * predictions) · this file: the potential and its registration.
 */
import type { Potential } from '../../../engine/types.js';
import { kernelsInfo } from '../../../kernels/wasm.js';
import { registerPotential, type BuildContext } from '../../registry.js';
import { relationLearnerData, type RelationLearnerData } from './data.js';
import { relationLearnerModel } from './model.js';
import { relationLearnerObservables } from './observables.js';
import { RELATION_LEARNER, relationLearnerSchema, resolveRelationLearner, type RelationLearnerParams } from './params.js';

export {
  relationLearnerDefaults,
  resolveRelationLearner,
  relationSpecOf,
  type RelationLearnerParams,
  type CombineMode,
  type RelationKind,
} from './params.js';
export { relationLearnerData, type RelationLearnerData } from './data.js';
export {
  relationLearnerLayout,
  relationLearnerModel,
  type DenseLayer,
  type RelationLearnerLayout,
  type RelationLearnerModel,
} from './model.js';
export { relationLearnerObservables } from './observables.js';

export function relationLearner(params: Partial<RelationLearnerParams> | Record<string, unknown>, ctx: BuildContext): Potential {
  const p = resolveRelationLearner(params);
  return relationLearnerOn(p, relationLearnerData(p, ctx));
}

/**
 * The relation learner on given data (a truth table and a train/held-out
 * split) instead of the seeded relation and split of `relationLearnerData`:
 * for workloads defined elsewhere, such as W3 of the peer benchmarks.
 */
export function relationLearnerOn(params: Partial<RelationLearnerParams> | Record<string, unknown>, data: RelationLearnerData): Potential {
  const p = resolveRelationLearner(params);
  const { n, d } = p;
  const model = relationLearnerModel(p, data);
  const { encoderSize, layers, dim } = model.layout;
  const { train, test, truth } = data;
  const nTrain = train.length;
  const { observables, predictive } = relationLearnerObservables(p, data, model);

  const coordinates: string[] = [];
  for (let s = 0; s < n; s++) for (let j = 0; j < d; j++) coordinates.push(`E${s}_${j}`);
  layers.forEach((ly, l) => {
    for (let o = 0; o < ly.fanOut; o++) for (let i = 0; i < ly.fanIn; i++) coordinates.push(`W${l + 1}_${o}_${i}`);
    for (let o = 0; o < ly.fanOut; o++) coordinates.push(`b${l + 1}_${o}`);
  });

  const es = p.embedding_std;
  return {
    name: RELATION_LEARNER,
    dim,
    coordinates,
    groups: [
      { name: 'encoder', offset: 0, size: encoderSize },
      { name: 'decoder', offset: encoderSize, size: dim - encoderSize },
    ],
    dataSize: nTrain,
    initialise(out, offset, normal, uniform) {
      for (let j = 0; j < encoderSize; j++) out[offset + j] = es * normal();
      for (const ly of layers) {
        const bound = 1 / Math.sqrt(ly.fanIn);
        const size = ly.fanIn * ly.fanOut + ly.fanOut;
        for (let j = 0; j < size; j++) out[offset + ly.w + j] = bound * (2 * uniform() - 1);
      }
    },
    energyAndGradient: model.energyAndGradient,
    observables,
    predictive,
    info: {
      kernels: kernelsInfo(model.selection, p.precision),
      relation: p.relation === 'mod' ? `mod ${p.k}` : p.relation,
      train_pairs: nTrain,
      test_pairs: test.length,
      positive_fraction_train: train.reduce((s, i) => s + truth[i], 0) / nTrain,
    },
  };
}

registerPotential({
  name: RELATION_LEARNER,
  description: 'GenEFT encoder–decoder learning a relation on n symbols (embeddings + tanh MLP, mean BCE), train/held-out split',
  paramsSchema: relationLearnerSchema,
  create: (params, ctx) => relationLearner(params, ctx),
});
