/**
 * Resolve per-group dynamics settings (lr, temperature, weight decay) into
 * per-coordinate arrays for the integrators.
 */
import type { CoordinateSettings, ParamGroup } from './types.js';

export interface GroupOverride {
  lr?: number;
  temperature?: number;
  weight_decay?: number;
}

export function coordinateSettings(
  dim: number,
  groups: readonly ParamGroup[],
  base: { lr: number; temperature: number; weight_decay: number },
  overrides: Record<string, GroupOverride>,
): CoordinateSettings {
  const lr = new Float64Array(dim).fill(base.lr);
  const temperature = new Float64Array(dim).fill(base.temperature);
  const weightDecay = new Float64Array(dim).fill(base.weight_decay);
  for (const [name, o] of Object.entries(overrides)) {
    const g = groups.find((q) => q.name === name);
    if (!g) throw new Error(`dynamics.groups.${name}: no such parameter group (known: ${groups.map((q) => q.name).join(', ')})`);
    for (let j = g.offset; j < g.offset + g.size; j++) {
      if (o.lr !== undefined) lr[j] = o.lr;
      if (o.temperature !== undefined) temperature[j] = o.temperature;
      if (o.weight_decay !== undefined) weightDecay[j] = o.weight_decay;
    }
  }
  let uniform = true;
  for (let j = 1; j < dim; j++) {
    if (lr[j] !== lr[0] || temperature[j] !== temperature[0] || weightDecay[j] !== weightDecay[0]) uniform = false;
  }
  return { lr, temperature, weightDecay, uniform };
}
