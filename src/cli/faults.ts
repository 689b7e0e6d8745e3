/**
 * STOCHDYN_INJECT_FAULT: fault injection for testing the fault handling from
 * the command line (README "Reliability"). Not for normal use.
 *
 *   throw|exit|kill[,shard=N][,run=N][,times=N]   a shard fails (see FaultInjection)
 *   enospc,file=NAME                              writing output file NAME fails as on a full disk
 */
import type { FaultInjection } from '../parallel/pool.js';

export interface CliFaults {
  fault?: FaultInjection;
  writeFault?: string;
}

export function faultsFromEnv(env: NodeJS.ProcessEnv = process.env): CliFaults {
  const spec = env.STOCHDYN_INJECT_FAULT;
  if (!spec) return {};
  const [kind, ...rest] = spec.split(',').map((t) => t.trim());
  const kv: Record<string, string> = {};
  for (const t of rest) {
    const m = /^(\w+)=(.+)$/.exec(t);
    if (!m) throw new Error(`STOCHDYN_INJECT_FAULT: expected key=value after the kind, found '${t}' in '${spec}'`);
    kv[m[1]] = m[2];
  }
  const int = (k: string) => {
    if (kv[k] === undefined) return undefined;
    const n = Number(kv[k]);
    if (!Number.isInteger(n) || n < 0) throw new Error(`STOCHDYN_INJECT_FAULT: ${k} must be an integer ≥ 0, found '${kv[k]}'`);
    return n;
  };
  if (kind === 'enospc') {
    if (!kv.file) throw new Error(`STOCHDYN_INJECT_FAULT: enospc needs file=NAME (e.g. enospc,file=traces.csv), found '${spec}'`);
    return { writeFault: kv.file };
  }
  if (kind !== 'throw' && kind !== 'exit' && kind !== 'kill')
    throw new Error(`STOCHDYN_INJECT_FAULT: kind must be throw, exit, kill or enospc, found '${kind}'`);
  return { fault: { kind, shard: int('shard'), run: int('run'), times: int('times') } };
}
