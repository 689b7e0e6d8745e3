/**
 * Resolve per-group dynamics settings (lr, temperature, weight decay, and the
 * optimizer constants β₁, β₂, ε, α, coupled/decoupled decay) into
 * per-coordinate arrays for the integrators. Optimizer constants not set
 * anywhere stay NaN (255 for `decoupled`): the integrator fills its defaults.
 * A scheduled lr or temperature enters with the value of its first step; the
 * DynamicsSchedule (schedule.ts) moves it from there.
 */
import { initialValue, type ScheduledValue } from './schedule.js';
import type { CoordinateSettings, ParamGroup } from './types.js';

export interface GroupOverride {
  lr?: ScheduledValue;
  temperature?: ScheduledValue;
  weight_decay?: number;
  /** Adam's (β₁, β₂). */
  betas?: readonly number[];
  /** Adam's ε / pSGLD's λ. */
  eps?: number;
  /** pSGLD's RMSprop decay α. */
  alpha?: number;
  /** `adamw` = decoupled weight decay, `adam` = coupled (only with integrators adam / adamw). */
  optimizer?: 'adam' | 'adamw';
}

/** Base (scenario-wide) settings; optimizer constants optional. */
export interface BaseSettings {
  lr: ScheduledValue;
  temperature: ScheduledValue;
  weight_decay: number;
  betas?: readonly number[];
  eps?: number;
  alpha?: number;
}

export function coordinateSettings(
  dim: number,
  groups: readonly ParamGroup[],
  base: BaseSettings,
  overrides: Record<string, GroupOverride>,
): CoordinateSettings {
  const lr = new Float64Array(dim).fill(initialValue(base.lr));
  const temperature = new Float64Array(dim).fill(initialValue(base.temperature));
  const weightDecay = new Float64Array(dim).fill(base.weight_decay);
  const beta1 = new Float64Array(dim).fill(base.betas?.[0] ?? NaN);
  const beta2 = new Float64Array(dim).fill(base.betas?.[1] ?? NaN);
  const eps = new Float64Array(dim).fill(base.eps ?? NaN);
  const alpha = new Float64Array(dim).fill(base.alpha ?? NaN);
  const decoupled = new Uint8Array(dim).fill(255);
  for (const [name, o] of Object.entries(overrides)) {
    const g = groups.find((q) => q.name === name);
    if (!g) throw new Error(`dynamics.groups.${name}: no such parameter group (known: ${groups.map((q) => q.name).join(', ')})`);
    for (let j = g.offset; j < g.offset + g.size; j++) {
      if (o.lr !== undefined) lr[j] = initialValue(o.lr);
      if (o.temperature !== undefined) temperature[j] = initialValue(o.temperature);
      if (o.weight_decay !== undefined) weightDecay[j] = o.weight_decay;
      if (o.betas !== undefined) {
        beta1[j] = o.betas[0];
        beta2[j] = o.betas[1];
      }
      if (o.eps !== undefined) eps[j] = o.eps;
      if (o.alpha !== undefined) alpha[j] = o.alpha;
      if (o.optimizer !== undefined) decoupled[j] = o.optimizer === 'adamw' ? 1 : 0;
    }
  }
  let uniform = true;
  for (let j = 1; j < dim; j++) {
    if (lr[j] !== lr[0] || temperature[j] !== temperature[0] || weightDecay[j] !== weightDecay[0]) uniform = false;
  }
  return { lr, temperature, weightDecay, uniform, beta1, beta2, eps, alpha, decoupled };
}
