/** Params of relation-learner: types, defaults, validation and the JSON Schema of `potential.params`. */
import { checkKernelParams, kernelParamsSchema, type KernelChoice, type Precision } from '../../../kernels/wasm.js';
import type { RelationSpec } from '../../../theory/relations.js';

export const RELATION_LEARNER = 'relation-learner';

export type CombineMode = 'concat' | 'difference' | 'squared-difference';
export type RelationKind = 'mod' | 'greater-than' | 'bipartite';

export interface RelationLearnerParams {
  /** Number of symbols. */
  n: number;
  /** Embedding dimension. */
  d: number;
  /** How the two embeddings form the decoder input. */
  combine: CombineMode;
  /** Hidden tanh layers n_h (0: a linear decoder). */
  depth: number;
  /** Width w of each hidden layer. */
  width: number;
  relation: RelationKind;
  /** Modulus of the `mod` relation. */
  k: number;
  /** Fraction of the n² ordered pairs used for training. */
  train_fraction: number;
  /** Standard deviation of the initial embeddings (PyTorch's nn.Embedding: 1). */
  embedding_std: number;
  /** Kernels of the energy/gradient: auto (wasm when available), js (plain TypeScript, the reference) or wasm. */
  kernels: KernelChoice;
  /** Arithmetic of the network: float64, or float32 (wasm only; positions and updates stay float64). */
  precision: Precision;
}

export const relationLearnerDefaults: RelationLearnerParams = {
  n: 30,
  d: 2,
  combine: 'concat',
  depth: 3,
  width: 50,
  relation: 'mod',
  k: 3,
  train_fraction: 0.75,
  embedding_std: 1,
  kernels: 'auto',
  precision: 'float64',
};

const COMBINES: readonly CombineMode[] = ['concat', 'difference', 'squared-difference'];
const RELATIONS: readonly RelationKind[] = ['mod', 'greater-than', 'bipartite'];

/** Defaults filled in and every param checked; errors name the param, the value and what was expected. */
export function resolveRelationLearner(params: Partial<RelationLearnerParams> | Record<string, unknown>): RelationLearnerParams {
  const p = { ...relationLearnerDefaults, ...(params as Partial<RelationLearnerParams>) };
  const int = (key: keyof RelationLearnerParams, min: number) => {
    const v = p[key] as number;
    if (!(Number.isInteger(v) && v >= min)) throw new Error(`${RELATION_LEARNER}: ${key} = ${v}, expected an integer ≥ ${min}`);
  };
  int('n', 2);
  int('d', 1);
  int('depth', 0);
  int('width', 1);
  int('k', 2);
  if (!COMBINES.includes(p.combine))
    throw new Error(`${RELATION_LEARNER}: combine = ${JSON.stringify(p.combine)}, expected one of ${COMBINES.join(', ')}`);
  if (!RELATIONS.includes(p.relation))
    throw new Error(`${RELATION_LEARNER}: relation = ${JSON.stringify(p.relation)}, expected one of ${RELATIONS.join(', ')}`);
  if (!(p.train_fraction > 0 && p.train_fraction <= 1))
    throw new Error(`${RELATION_LEARNER}: train_fraction = ${p.train_fraction}, expected in (0, 1]`);
  if (!(p.embedding_std > 0)) throw new Error(`${RELATION_LEARNER}: embedding_std = ${p.embedding_std}, expected > 0`);
  checkKernelParams(RELATION_LEARNER, p.kernels, p.precision);
  return p;
}

/** The relation the params name, as src/theory/relations.ts takes it. */
export function relationSpecOf(p: RelationLearnerParams): RelationSpec {
  return p.relation === 'mod' ? { kind: 'mod', k: p.k } : { kind: p.relation };
}

export const relationLearnerSchema = {
  type: 'object',
  properties: {
    n: { type: 'integer', minimum: 2, default: relationLearnerDefaults.n, description: 'number of symbols' },
    d: { type: 'integer', minimum: 1, default: relationLearnerDefaults.d, description: 'embedding dimension' },
    combine: {
      enum: [...COMBINES],
      default: relationLearnerDefaults.combine,
      description: 'decoder input: concat [E_a, E_b] | difference E_a − E_b | squared-difference (E_a − E_b)² element-wise',
    },
    depth: {
      type: 'integer',
      minimum: 0,
      default: relationLearnerDefaults.depth,
      description: 'hidden tanh layers n_h (0: linear decoder)',
    },
    width: { type: 'integer', minimum: 1, default: relationLearnerDefaults.width, description: 'width w of each hidden layer' },
    relation: {
      enum: [...RELATIONS],
      default: relationLearnerDefaults.relation,
      description: 'mod: a ≡ b (mod k); greater-than: a < b; bipartite: complete bipartite graph on a random balanced split',
    },
    k: { type: 'integer', minimum: 2, default: relationLearnerDefaults.k, description: 'modulus of the mod relation' },
    train_fraction: {
      type: 'number',
      exclusiveMinimum: 0,
      maximum: 1,
      default: relationLearnerDefaults.train_fraction,
      description: 'fraction of the n² ordered pairs used for training (split drawn from the seed)',
    },
    embedding_std: {
      type: 'number',
      exclusiveMinimum: 0,
      default: relationLearnerDefaults.embedding_std,
      description: 'standard deviation of the initial embeddings (PyTorch nn.Embedding: 1)',
    },
    ...kernelParamsSchema,
  },
  additionalProperties: false,
};
