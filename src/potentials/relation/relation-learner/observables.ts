/**
 * Observables and held-out predictions of relation-learner: train and
 * held-out loss and accuracy, the accuracy over all n² pairs, the spread of
 * the embeddings and, for `mod` and `bipartite`, how far the embeddings have
 * collapsed onto the classes of the repon picture (docs/models.md §3.1).
 * Evaluated at observation points only.
 */
import type { PosteriorPredictive, PotentialObservable } from '../../../engine/types.js';
import { sigmoid, bceWithLogits } from '../../neural/dense.js';
import { scalarObservable } from '../../neural/replica-observables.js';
import type { RelationLearnerData } from './data.js';
import type { RelationLearnerModel } from './model.js';
import type { RelationLearnerParams } from './params.js';

export function relationLearnerObservables(
  p: RelationLearnerParams,
  data: RelationLearnerData,
  model: RelationLearnerModel,
): { observables: PotentialObservable[]; predictive?: PosteriorPredictive } {
  const { n, d } = p;
  const { dim } = model.layout;
  const { train, test, truth, side } = data;
  const nTest = test.length;
  const allLogits = new Float64Array(n * n);
  const allPairs = Int32Array.from({ length: n * n }, (_, i) => i);

  /** Mean BCE or accuracy (prediction R = 1 iff z > 0) of one replica on a set of pairs. */
  function metricOn(x: Float64Array, base: number, pairs: Int32Array, want: 'loss' | 'accuracy'): number {
    if (pairs.length === 0) return Number.NaN;
    model.logits(x, base, pairs, allLogits);
    let s = 0;
    for (let i = 0; i < pairs.length; i++) {
      const z = allLogits[pairs[i]];
      const y = truth[pairs[i]];
      if (want === 'loss') s += bceWithLogits(z, y);
      else if ((z > 0 ? 1 : 0) === y) s++;
    }
    return s / pairs.length;
  }

  /** RMS distance of the embeddings from their centroid. */
  const centroid = new Float64Array(d);
  function spread(x: Float64Array, base: number): number {
    centroid.fill(0);
    for (let s = 0; s < n; s++) for (let j = 0; j < d; j++) centroid[j] += x[base + s * d + j] / n;
    let ss = 0;
    for (let s = 0; s < n; s++)
      for (let j = 0; j < d; j++) {
        const u = x[base + s * d + j] - centroid[j];
        ss += u * u;
      }
    return Math.sqrt(ss / n);
  }

  // Classes of the repon picture (docs/models.md §3.1): residues mod k, or the two sides of the bipartite split.
  const classOf: Int32Array | undefined =
    p.relation === 'mod' ? Int32Array.from({ length: n }, (_, s) => s % p.k) : side ? Int32Array.from(side) : undefined;
  const nClasses = p.relation === 'mod' ? p.k : 2;
  const classMean = new Float64Array(nClasses * d);
  const classCount = new Float64Array(nClasses);
  /** Within-class sum of squares / total sum of squares of the embeddings (0: every class collapsed to a point). */
  function clusterRatio(x: Float64Array, base: number): number {
    const cls = classOf!;
    classMean.fill(0);
    classCount.fill(0);
    for (let s = 0; s < n; s++) {
      classCount[cls[s]]++;
      for (let j = 0; j < d; j++) classMean[cls[s] * d + j] += x[base + s * d + j];
    }
    for (let c = 0; c < nClasses; c++) for (let j = 0; j < d; j++) if (classCount[c] > 0) classMean[c * d + j] /= classCount[c];
    let within = 0;
    for (let s = 0; s < n; s++)
      for (let j = 0; j < d; j++) {
        const u = x[base + s * d + j] - classMean[cls[s] * d + j];
        within += u * u;
      }
    const total = spread(x, base) ** 2 * n;
    return total > 0 ? within / total : Number.NaN;
  }

  const scalar = (name: string, description: string, f: (x: Float64Array, base: number) => number) =>
    scalarObservable(dim, name, description, f);
  const observables: PotentialObservable[] = [
    scalar('train_accuracy', 'fraction of training pairs with (logit > 0) = R(a, b), this sample', (x, b) =>
      metricOn(x, b, train, 'accuracy'),
    ),
    scalar('train_loss', 'mean binary cross-entropy over the training pairs (= the energy at full batch)', (x, b) =>
      metricOn(x, b, train, 'loss'),
    ),
    scalar('test_accuracy', 'fraction of held-out pairs with (logit > 0) = R(a, b), this sample (NaN without held-out pairs)', (x, b) =>
      metricOn(x, b, test, 'accuracy'),
    ),
    scalar('test_loss', 'mean binary cross-entropy over the held-out pairs (NaN without held-out pairs)', (x, b) =>
      metricOn(x, b, test, 'loss'),
    ),
    scalar(
      'accuracy',
      `fraction of all ${n * n} ordered pairs (training and held-out) with (logit > 0) = R(a, b): GenEFT's accuracy`,
      (x, b) => metricOn(x, b, allPairs, 'accuracy'),
    ),
    scalar('embedding_spread', 'RMS distance of the n embeddings from their centroid', spread),
  ];
  if (classOf)
    observables.push(
      scalar(
        'cluster_ratio',
        `within-class / total sum of squares of the embeddings, classes = ${p.relation === 'mod' ? `residues mod ${p.k}` : 'the two sides of the split'} (0: each class collapsed to a point)`,
        clusterRatio,
      ),
    );

  const predictive: PosteriorPredictive | undefined =
    nTest > 0
      ? {
          size: nTest,
          points: nTest,
          predict(x, count, out) {
            for (let r = 0; r < count; r++) {
              model.logits(x, r * dim, test, allLogits);
              for (let i = 0; i < nTest; i++) out[r * nTest + i] = sigmoid(allLogits[test[i]]);
            }
          },
          metrics(pred, offset) {
            // BCE of probabilities with log clamped at −100, as PyTorch's nn.BCELoss.
            let bce = 0;
            let hits = 0;
            for (let i = 0; i < nTest; i++) {
              const q = pred[offset + i];
              const y = truth[test[i]];
              bce -= y ? Math.max(Math.log(q), -100) : Math.max(Math.log1p(-q), -100);
              if ((q > 0.5 ? 1 : 0) === y) hits++;
            }
            return { error: bce / nTest, accuracy: hits / nTest };
          },
        }
      : undefined;

  return { observables, predictive };
}
