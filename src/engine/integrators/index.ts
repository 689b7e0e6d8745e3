/**
 * Integrator registry: names a scenario may use, what each needs, and the builder.
 */
import type { CoordinateSettings, Integrator, IntegratorNeeds } from '../types.js';
import { overdampedLangevin } from './overdamped-langevin.js';
import { baoab } from './baoab.js';

export interface IntegratorOptions {
  friction: number;
  momenta: 'thermal' | 'zero';
}

export interface IntegratorInfo {
  name: string;
  description: string;
  needs: IntegratorNeeds;
  /** Whether the temperature may be positive. */
  noisy: boolean;
  build(settings: CoordinateSettings, o: IntegratorOptions): Integrator;
}

const integrators: IntegratorInfo[] = [
  {
    name: 'gd',
    description: 'gradient descent x ← x − η ∇f (θ = 0, no random draws)',
    needs: { momenta: false, data: false },
    noisy: false,
    build: (s) => overdampedLangevin(s, false, 'gd'),
  },
  {
    name: 'sgld',
    description: 'overdamped Langevin / SGLD, Euler–Maruyama: x ← x − η ∇f + sqrt(2ηθ) ξ (minibatch gradients with dynamics.batch_size)',
    needs: { momenta: false, data: false },
    noisy: true,
    build: (s) => overdampedLangevin(s, true, 'sgld'),
  },
  {
    name: 'baoab',
    description: 'underdamped Langevin (unit mass, friction γ = dynamics.friction), BAOAB splitting',
    needs: { momenta: true, data: false },
    noisy: true,
    build: (s, o) => baoab(s, o.friction, o.momenta),
  },
];

export function listIntegrators(): IntegratorInfo[] {
  return integrators;
}

export function getIntegrator(name: string): IntegratorInfo | undefined {
  return integrators.find((i) => i.name === name);
}
