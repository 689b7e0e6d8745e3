/**
 * Walls: reflecting or periodic boundaries per coordinate (docs/models.md,
 * boundaries). The integrators move the positions as on the whole line and
 * then fold every walled coordinate back into its box:
 *  - reflect [lo, hi]: the free path is mirrored at the walls, which for a jump
 *    of any length is the fold with period 2L (L = hi − lo); an odd number of
 *    mirrorings flips the momentum component (elastic collision). The
 *    stationary density is the Gibbs density restricted to the box (a
 *    reflecting wall is a zero-flux boundary of the Fokker–Planck equation).
 *  - periodic [lo, hi): the coordinate is wrapped with period L; momenta keep
 *    their sign.
 * Nothing here knows a potential: the boxes come from the run plan.
 */
import type { EnsembleState } from './types.js';

/** Kind codes of Walls.kind. */
export const WallKind = { none: 0, reflect: 1, periodic: 2 } as const;

/** Per-coordinate boxes: `kind[j]` (WallKind), and `[lo[j], hi[j]]` where kind[j] ≠ none. Plain typed arrays (structured-cloneable). */
export interface Walls {
  readonly lo: Float64Array;
  readonly hi: Float64Array;
  readonly kind: Uint8Array;
}

/**
 * Fold a position into [lo, hi] by mirroring at the walls (period 2L); the
 * sign is −1 when the number of mirrorings is odd. Positions inside are
 * returned unchanged (bit for bit).
 */
export function reflectInto(x: number, lo: number, hi: number): { x: number; sign: 1 | -1 } {
  if (x >= lo && x <= hi) return { x, sign: 1 };
  const length = hi - lo;
  const t = x - lo;
  const n = Math.floor(t / length);
  const rest = t - n * length;
  // n even: the image is lo + rest, reached after an even number of mirrorings.
  return n % 2 === 0 ? { x: Math.min(hi, lo + rest), sign: 1 } : { x: Math.max(lo, hi - rest), sign: -1 };
}

/** Wrap a position into [lo, hi) with period hi − lo; positions inside are returned unchanged. */
export function wrapInto(x: number, lo: number, hi: number): number {
  if (x >= lo && x < hi) return x;
  const length = hi - lo;
  const t = x - lo;
  const y = lo + (t - Math.floor(t / length) * length);
  // Rounding can land exactly on hi (t a tiny negative number): that point is lo.
  return y >= hi || y < lo ? lo : y;
}

/**
 * Fold the positions of every live replica of the shard into their boxes,
 * flipping the momentum components of reflected coordinates when the state
 * carries momenta. Called by each integrator after its position update and
 * before the force is evaluated at the new positions. Frozen replicas and
 * non-finite positions are left alone (the divergence check owns them).
 */
export function applyWalls(state: EnsembleState, walls: Walls): void {
  const { x, v, frozen, count, dim } = state;
  const { lo, hi, kind } = walls;
  const momenta = v.length > 0;
  for (let r = 0; r < count; r++) {
    if (frozen[r] !== 0) continue;
    const base = r * dim;
    for (let j = 0; j < dim; j++) {
      const k = kind[j];
      if (k === WallKind.none) continue;
      const xj = x[base + j];
      if (!Number.isFinite(xj)) continue;
      if (k === WallKind.reflect) {
        if (xj >= lo[j] && xj <= hi[j]) continue;
        const folded = reflectInto(xj, lo[j], hi[j]);
        x[base + j] = folded.x;
        if (momenta && folded.sign < 0) v[base + j] = -v[base + j];
      } else x[base + j] = wrapInto(xj, lo[j], hi[j]);
    }
  }
}
