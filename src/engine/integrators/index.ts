/**
 * Integrator registry: names a scenario may use, their traits (noisy or not,
 * what they need, which dynamics constants they read) and the builder. The
 * scenario schema's integrator enum and the compatibility checks are built
 * from these entries.
 */
import { createRegistry, type JsonSchema } from '../registry.js';
import type { CoordinateSettings, Integrator, IntegratorNeeds } from '../types.js';
import type { GradientEstimator } from '../gradients/types.js';
import { overdampedLangevin } from './overdamped-langevin.js';
import { baoab } from './baoab.js';
import { adam } from './adam.js';
import { psgld } from './psgld.js';
import { sghmc } from './sghmc.js';
import type { Walls } from '../walls.js';

export interface IntegratorOptions {
  friction: number;
  momenta: 'thermal' | 'zero';
  /** How the force is estimated (see ../gradients/); default: minibatch exactly when the state carries a batch buffer. */
  gradient?: GradientEstimator;
  /** Reflecting / periodic boxes per coordinate, applied after every position update (../walls.ts); null or absent: no walls. */
  walls?: Walls | null;
}

export interface IntegratorEntry {
  name: string;
  description: string;
  needs: IntegratorNeeds;
  /** Whether the temperature may be positive. */
  noisy: boolean;
  /**
   * Dynamics constants this integrator reads besides lr / temperature /
   * weight_decay (e.g. `friction`, `betas`), each with its JSON Schema
   * fragment; a constant set for an integrator that does not read it is an error.
   */
  constants?: Readonly<Record<string, JsonSchema>>;
  /**
   * Constants that may also be set per parameter group
   * (`dynamics.groups.<g>.<name>`), each with its fragment; a name here need
   * not be in `constants` (e.g. `optimizer`, which only a group sets).
   */
  groupConstants?: Readonly<Record<string, JsonSchema>>;
  build(settings: CoordinateSettings, o: IntegratorOptions): Integrator;
}

// Fragments of the constants, one copy each (an entry's `title` names the
// constant in messages, `description` documents it in the published schema).
const FRICTION: JsonSchema = {
  type: 'number',
  exclusiveMinimum: 0,
  default: 1,
  title: 'the friction γ of the underdamped integrators',
  description: 'friction γ of the underdamped integrators (baoab, sghmc)',
};
const BETAS: JsonSchema = {
  type: 'array',
  items: { type: 'number', minimum: 0, exclusiveMaximum: 1 },
  minItems: 2,
  maxItems: 2,
  title: "Adam's (β₁, β₂)",
  description: "Adam's (β₁, β₂), each in [0, 1) (default [0.9, 0.999])",
};
const ADAM_EPS: JsonSchema = { type: 'number', exclusiveMinimum: 0, title: "Adam's ε", description: "Adam's ε added to √v̂ (default 1e-8)" };
const PSGLD_EPS: JsonSchema = {
  type: 'number',
  exclusiveMinimum: 0,
  title: "pSGLD's λ",
  description: "pSGLD's λ added to √V (default 1e-5)",
};
const ALPHA: JsonSchema = {
  type: 'number',
  minimum: 0,
  exclusiveMaximum: 1,
  title: "pSGLD's RMSprop decay α",
  description: "pSGLD's RMSprop decay α of the squared-gradient average (default 0.99)",
};
const OPTIMIZER: JsonSchema = {
  enum: ['adam', 'adamw'],
  title: 'the per-group choice between coupled (adam) and decoupled (adamw) weight decay',
  description: 'adam: weight decay added to the gradient; adamw: decoupled decay',
};

/** The integrator registry. */
export const integrators = createRegistry<IntegratorEntry>('integrator');

const builtIn: IntegratorEntry[] = [
  {
    name: 'gd',
    description: 'gradient descent x ← x − η ∇f (θ = 0, no random draws)',
    needs: { momenta: false, data: false },
    noisy: false,
    build: (s, o) => overdampedLangevin(s, false, 'gd', o.gradient, o.walls ?? null),
  },
  {
    name: 'sgld',
    description: 'overdamped Langevin / SGLD, Euler–Maruyama: x ← x − η ∇f + sqrt(2ηθ) ξ (minibatch gradients with dynamics.batch_size)',
    needs: { momenta: false, data: false },
    noisy: true,
    build: (s, o) => overdampedLangevin(s, true, 'sgld', o.gradient, o.walls ?? null),
  },
  {
    name: 'baoab',
    description: 'underdamped Langevin (unit mass, friction γ = dynamics.friction), BAOAB splitting',
    needs: { momenta: true, data: false },
    noisy: true,
    constants: { friction: FRICTION },
    build: (s, o) => baoab(s, o.friction, o.momenta, o.gradient, o.walls ?? null),
  },
  {
    name: 'adam',
    description:
      'Adam (θ = 0): bias-corrected moments, x ← x − η m̂/(√v̂ + ε), weight decay λx added to the gradient (dynamics.betas [0.9, 0.999], dynamics.eps 1e-8; per group too, and groups.<g>.optimizer: adamw for decoupled decay on a group)',
    needs: { momenta: false, data: false, optimizerSlots: 2 },
    noisy: false,
    constants: { betas: BETAS, eps: ADAM_EPS },
    groupConstants: { betas: BETAS, eps: ADAM_EPS, optimizer: OPTIMIZER },
    build: (s, o) => adam(s, false, 'adam', o.gradient, o.walls ?? null),
  },
  {
    name: 'adamw',
    description:
      'AdamW (θ = 0): Adam with decoupled weight decay x ← x − η(m̂/(√v̂ + ε) + λx) (groups.<g>.optimizer: adam for coupled decay on a group)',
    needs: { momenta: false, data: false, optimizerSlots: 2 },
    noisy: false,
    constants: { betas: BETAS, eps: ADAM_EPS },
    groupConstants: { betas: BETAS, eps: ADAM_EPS, optimizer: OPTIMIZER },
    build: (s, o) => adam(s, true, 'adamw', o.gradient, o.walls ?? null),
  },
  {
    name: 'psgld',
    description:
      'preconditioned SGLD (Li et al. 2016): V ← αV + (1−α)g², G = 1/(ε + √V), x ← x − ηG∇f + sqrt(2ηθG) ξ, Γ term neglected (dynamics.alpha 0.99, dynamics.eps 1e-5; per group too)',
    needs: { momenta: false, data: false, optimizerSlots: 1 },
    noisy: true,
    constants: { alpha: ALPHA, eps: PSGLD_EPS },
    groupConstants: { alpha: ALPHA, eps: PSGLD_EPS },
    build: (s, o) => psgld(s, o.gradient, o.walls ?? null),
  },
  {
    name: 'sghmc',
    description: 'SGHMC (Chen, Fox & Guestrin 2014): x ← x + ηv, v ← (1 − ηγ)v − η∇f + sqrt(2γθη) ξ, friction γ = dynamics.friction',
    needs: { momenta: true, data: false },
    noisy: true,
    constants: { friction: FRICTION },
    build: (s, o) => sghmc(s, o.friction, o.momenta, o.gradient, o.walls ?? null),
  },
];

for (const entry of builtIn) integrators.register(entry);

export function listIntegrators(): IntegratorEntry[] {
  return integrators.list();
}

export function getIntegrator(name: string): IntegratorEntry | undefined {
  return integrators.find(name);
}
