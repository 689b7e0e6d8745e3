/**
 * The data of relation-learner: the relation's truth table and the
 * train/held-out split of the n² ordered pairs, from the seed only
 * (src/theory/relations.ts for the relations).
 */
import { Stream } from '../../../random/rng.js';
import { bipartiteSplit, relationTable } from '../../../theory/relations.js';
import type { BuildContext } from '../../registry.js';
import { shuffledSplit } from '../../neural/split.js';
import { RELATION_LEARNER, relationSpecOf, resolveRelationLearner, type RelationLearnerParams } from './params.js';

export interface RelationLearnerData {
  /** Training pairs a·n + b, ascending. */
  train: Int32Array;
  /** Held-out pairs a·n + b, ascending (empty with train_fraction 1). */
  test: Int32Array;
  /** R(a, b) at index a·n + b (relationTable of src/theory/relations.ts). */
  truth: Uint8Array;
  /** The bipartite split S (side[x] = 1 for x ∈ S); only for `bipartite`. */
  side?: Uint8Array;
}

/**
 * The relation's truth table and the train/held-out split, from the seed only.
 * Train: the first round(train_fraction · n²) pairs (at least 1) of a
 * Fisher–Yates shuffle keyed by the seed and n (not by ctx.run nor the
 * relation, so every relation sees the same pairs); the bipartite split S from
 * a second stream keyed by the seed and n.
 */
export function relationLearnerData(
  params: Partial<RelationLearnerParams> | Record<string, unknown>,
  ctx: BuildContext,
): RelationLearnerData {
  const p = resolveRelationLearner(params);
  const { n } = p;
  // Keys no replica stream can have (replica keys are all-numeric).
  const { train, test } = shuffledSplit(n * n, p.train_fraction, `${ctx.seed}/data:${RELATION_LEARNER}/${n}`);
  const side =
    p.relation === 'bipartite' ? bipartiteSplit(n, new Stream(`${ctx.seed}/data:${RELATION_LEARNER}/bipartite/${n}`, 0, 0)) : undefined;
  const truth = relationTable(relationSpecOf(p), n, side);
  return { train, test, truth, side };
}
