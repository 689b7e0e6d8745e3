/** The data of modular-addition-square: the train/held-out split of the P² pairs, drawn from the seed. */
import type { BuildContext } from '../../registry.js';
import { shuffledSplit } from '../split.js';
import { MODULAR_ADDITION, resolveModularAddition, type ModularAdditionParams } from './params.js';

export interface ModularAdditionData {
  /** Training pairs, as n·P + m, ascending. */
  train: Int32Array;
  /** Held-out pairs, as n·P + m, ascending (empty with train_fraction 1). */
  test: Int32Array;
}

/**
 * The train/held-out split: the first round(train_fraction · P²) pairs (at
 * least 1) of a Fisher–Yates shuffle keyed by the seed and P only (not by
 * ctx.run), so a larger fraction extends the same training set.
 */
export function modularAdditionData(
  params: Partial<ModularAdditionParams> | Record<string, unknown>,
  ctx: BuildContext,
): ModularAdditionData {
  const { P, train_fraction } = resolveModularAddition(params);
  return shuffledSplit(P * P, train_fraction, `${ctx.seed}/data:${MODULAR_ADDITION}/${P}`);
}
