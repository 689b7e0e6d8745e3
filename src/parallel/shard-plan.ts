/**
 * Shard plan: contiguous ranges of whole blocks of replicas (blockSize), so
 * the per-block accumulators, and hence every merged number, are the same
 * whatever the number of shards.
 */
import { blockSize } from '../observables/results.js';

export interface ReplicaRange {
  firstReplica: number;
  count: number;
}

export function planShards(replicas: number, shards: number): ReplicaRange[] {
  const BLOCK = blockSize(replicas);
  const blocks = Math.ceil(replicas / BLOCK);
  const n = Math.max(1, Math.min(shards, blocks));
  const out: ReplicaRange[] = [];
  for (let i = 0; i < n; i++) {
    const b0 = Math.floor((i * blocks) / n);
    const b1 = Math.floor(((i + 1) * blocks) / n);
    const first = b0 * BLOCK;
    const last = Math.min(replicas, b1 * BLOCK);
    if (last > first) out.push({ firstReplica: first, count: last - first });
  }
  return out;
}

/**
 * Shards over the replicas of `ranges` (each starting on a block boundary of a
 * run of `replicas`): about `shards` pieces in all, each of whole blocks and
 * inside one range. Used when part of a run is already done (a checkpoint) or
 * when one machine runs one part of it (`run --shard`).
 */
export function planRanges(ranges: readonly ReplicaRange[], replicas: number, shards: number): ReplicaRange[] {
  const BLOCK = blockSize(replicas);
  const blocksOf = (r: ReplicaRange) => Math.ceil(r.count / BLOCK);
  const total = ranges.reduce((n, r) => n + blocksOf(r), 0);
  const out: ReplicaRange[] = [];
  for (const r of ranges) {
    if (r.count <= 0) continue;
    if (r.firstReplica % BLOCK !== 0 || (r.firstReplica + r.count !== replicas && r.count % BLOCK !== 0))
      throw new Error(`planRanges: replicas ${r.firstReplica}…${r.firstReplica + r.count - 1} are not whole blocks of ${BLOCK}`);
    const blocks = blocksOf(r);
    const n = Math.max(1, Math.min(blocks, Math.round((shards * blocks) / Math.max(1, total))));
    const end = r.firstReplica + r.count;
    for (let i = 0; i < n; i++) {
      const first = r.firstReplica + Math.floor((i * blocks) / n) * BLOCK;
      const last = Math.min(end, r.firstReplica + Math.floor(((i + 1) * blocks) / n) * BLOCK);
      if (last > first) out.push({ firstReplica: first, count: last - first });
    }
  }
  return out;
}

/** The replicas of [0, replicas) — or of `within` — not covered by `done` (sorted, non-overlapping ranges). */
export function uncovered(done: readonly ReplicaRange[], replicas: number, within?: ReplicaRange): ReplicaRange[] {
  const lo = within?.firstReplica ?? 0;
  const hi = within ? within.firstReplica + within.count : replicas;
  const sorted = [...done].sort((a, b) => a.firstReplica - b.firstReplica);
  const gaps: ReplicaRange[] = [];
  let at = lo;
  for (const d of sorted) {
    const a = Math.max(lo, d.firstReplica);
    const b = Math.min(hi, d.firstReplica + d.count);
    if (b <= a) continue;
    if (a < at) throw new Error(`uncovered: replicas ${a}…${Math.min(b, at) - 1} are done twice`);
    if (a > at) gaps.push({ firstReplica: at, count: a - at });
    at = b;
  }
  if (at < hi) gaps.push({ firstReplica: at, count: hi - at });
  return gaps;
}
