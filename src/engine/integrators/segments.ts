/**
 * Contiguous coordinate ranges with identical optimizer constants, so that the
 * optimizer integrators run their inner loops with scalar constants (and
 * compute per-step bias corrections once per range, not per coordinate).
 */
import type { CoordinateSettings } from '../types.js';
import type { StepControl } from '../control.js';

export interface OptimizerSegment {
  start: number;
  end: number;
  lr: number;
  temperature: number;
  weightDecay: number;
  beta1: number;
  beta2: number;
  eps: number;
  alpha: number;
  /** Decoupled (AdamW) weight decay. */
  decoupled: boolean;
}

export interface OptimizerDefaults {
  beta1: number;
  beta2: number;
  eps: number;
  alpha: number;
  decoupled: boolean;
}

/** Per-coordinate constants with the integrator's defaults filled in for unset (NaN / 255) entries. */
function resolved(
  s: CoordinateSettings,
  d: OptimizerDefaults,
  j: number,
  c: StepControl | undefined,
): Omit<OptimizerSegment, 'start' | 'end'> {
  const pick = (a: Float64Array | undefined, dflt: number) => (a === undefined || Number.isNaN(a[j]) ? dflt : a[j]);
  const dec = s.decoupled?.[j];
  return {
    lr: (c ?? s).lr[j],
    temperature: (c ?? s).temperature[j],
    weightDecay: (c ?? s).weightDecay[j],
    beta1: pick(s.beta1, d.beta1),
    beta2: pick(s.beta2, d.beta2),
    eps: pick(s.eps, d.eps),
    alpha: pick(s.alpha, d.alpha),
    decoupled: dec === undefined || dec === 255 ? d.decoupled : dec === 1,
  };
}

/**
 * The segments of the build-time constants of `s`, with η, θ, λ taken from
 * `control` when given (a schedule's current values: the integrators rebuild
 * their segments when the control's version changes).
 */
export function optimizerSegments(s: CoordinateSettings, d: OptimizerDefaults, control?: StepControl): OptimizerSegment[] {
  const dim = s.lr.length;
  const out: OptimizerSegment[] = [];
  for (let j = 0; j < dim; j++) {
    const c = resolved(s, d, j, control);
    const last = out[out.length - 1];
    if (
      last &&
      last.lr === c.lr &&
      last.temperature === c.temperature &&
      last.weightDecay === c.weightDecay &&
      last.beta1 === c.beta1 &&
      last.beta2 === c.beta2 &&
      last.eps === c.eps &&
      last.alpha === c.alpha &&
      last.decoupled === c.decoupled
    )
      last.end = j + 1;
    else out.push({ start: j, end: j + 1, ...c });
  }
  return out;
}
