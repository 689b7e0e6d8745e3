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

export interface IntegratorOptions {
  friction: number;
  momenta: 'thermal' | 'zero';
  /** How the force is estimated (see ../gradients/); default: minibatch exactly when the state carries a batch buffer. */
  gradient?: GradientEstimator;
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
  build(settings: CoordinateSettings, o: IntegratorOptions): Integrator;
}

/** The integrator registry. */
export const integrators = createRegistry<IntegratorEntry>('integrator');

const builtIn: IntegratorEntry[] = [
  {
    name: 'gd',
    description: 'gradient descent x ← x − η ∇f (θ = 0, no random draws)',
    needs: { momenta: false, data: false },
    noisy: false,
    build: (s, o) => overdampedLangevin(s, false, 'gd', o.gradient),
  },
  {
    name: 'sgld',
    description: 'overdamped Langevin / SGLD, Euler–Maruyama: x ← x − η ∇f + sqrt(2ηθ) ξ (minibatch gradients with dynamics.batch_size)',
    needs: { momenta: false, data: false },
    noisy: true,
    build: (s, o) => overdampedLangevin(s, true, 'sgld', o.gradient),
  },
  {
    name: 'baoab',
    description: 'underdamped Langevin (unit mass, friction γ = dynamics.friction), BAOAB splitting',
    needs: { momenta: true, data: false },
    noisy: true,
    constants: { friction: { type: 'number', exclusiveMinimum: 0 } },
    build: (s, o) => baoab(s, o.friction, o.momenta, o.gradient),
  },
  {
    name: 'adam',
    description:
      'Adam (θ = 0): bias-corrected moments, x ← x − η m̂/(√v̂ + ε), weight decay λx added to the gradient (dynamics.betas [0.9, 0.999], dynamics.eps 1e-8; per group too, and groups.<g>.optimizer: adamw for decoupled decay on a group)',
    needs: { momenta: false, data: false, optimizerSlots: 2 },
    noisy: false,
    constants: { betas: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 }, eps: { type: 'number', exclusiveMinimum: 0 } },
    build: (s, o) => adam(s, false, 'adam', o.gradient),
  },
  {
    name: 'adamw',
    description:
      'AdamW (θ = 0): Adam with decoupled weight decay x ← x − η(m̂/(√v̂ + ε) + λx) (groups.<g>.optimizer: adam for coupled decay on a group)',
    needs: { momenta: false, data: false, optimizerSlots: 2 },
    noisy: false,
    constants: { betas: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 }, eps: { type: 'number', exclusiveMinimum: 0 } },
    build: (s, o) => adam(s, true, 'adamw', o.gradient),
  },
  {
    name: 'psgld',
    description:
      'preconditioned SGLD (Li et al. 2016): V ← αV + (1−α)g², G = 1/(ε + √V), x ← x − ηG∇f + sqrt(2ηθG) ξ, Γ term neglected (dynamics.alpha 0.99, dynamics.eps 1e-5; per group too)',
    needs: { momenta: false, data: false, optimizerSlots: 1 },
    noisy: true,
    constants: { alpha: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 }, eps: { type: 'number', exclusiveMinimum: 0 } },
    build: (s, o) => psgld(s, o.gradient),
  },
  { name: 'sghmc', description: 'SGHMC (Chen, Fox & Guestrin 2014): x ← x + ηv, v ← (1 − ηγ)v − η∇f + sqrt(2γθη) ξ, friction γ = dynamics.friction', needs: { momenta: true, data: false }, noisy: true, constants: { friction: { type: 'number', exclusiveMinimum: 0 } }, build: (s, o) => sghmc(s, o.friction, o.momenta, o.gradient) },
];

for (const entry of builtIn) integrators.register(entry);

export function listIntegrators(): IntegratorEntry[] {
  return integrators.list();
}

export function getIntegrator(name: string): IntegratorEntry | undefined {
  return integrators.find(name);
}
