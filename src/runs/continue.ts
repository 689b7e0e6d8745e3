/**
 * Extending a finished run: more replicas (`stochdyn run --continue DIR
 * --replicas N`) and more steps (`--steps N`), each giving the same bytes as a
 * run that asked for that many from the start.
 *
 * Replicas.
 * A run that kept its shard results (`<dir>/shards/`, the CLI's default)
 * already holds the mergeable accumulators of its replicas. A run of the same
 * scenario with N replicas draws replica r from the same streams whatever N
 * is, so the old replicas' results are exactly those the larger run would
 * compute: only replicas [old, N) are run, and the merged outputs are the
 * same bytes as a run that asked for N replicas from the start.
 *
 * That holds while N leaves the run's other derived values unchanged; each is
 * checked and a difference is refused with the reason:
 *  - the block size of the trace statistics (blockSize: the power of two b ≤
 *    1,024 with 16·b ≤ N < 32·b, so it changes when N crosses 16·2^k below
 *    16,384 replicas);
 *  - the number of replicas whose per-unit posterior chains are kept;
 *  - the resolved dynamics (step sizes from the first draws, the grid).
 * The old run's last shard ends inside a block when its replica count is not
 * a multiple of the block size; that shard is run again.
 *
 * Steps. A run that kept its shards also kept each shard's final state (every
 * tile's positions, momenta, optimizer moments, streams and unused pre-drawn
 * noise, and every recorder's accumulators): the longer run goes on from step
 * N₀ with the recorders of its own plan, into which the old accumulators are
 * moved (trace rows and samples by their step; the final-step recorders start
 * empty). That equals a run of N steps when every value of steps ≤ N₀ is the
 * same in both plans, which is checked:
 *  - the observation grid: a linear grid keeps its spacing (points grow with
 *    the steps; N must be a multiple of the spacing), a log grid cannot;
 *  - schedules of η or θ with no `steps` of their own (they stretch with the
 *    run) are refused;
 *  - the sample steps of `sampling` (burn-in and thinning), and the replicas
 *    whose posterior chains are kept;
 *  - the resolved dynamics.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { Scenario } from '../scenario/types.js';
import { blockSize, type ShardResult } from '../observables/results.js';
import { posteriorChainReplicas } from '../observables/sampling.js';
import { PARTIAL_DIR, SHARDS_DIR } from '../results/checkpoint.js';
import { writeAtomic } from '../results/write.js';
import { checkScenario, resolvedScenarioJson, runScenario, type RunOutput, type RunScenarioOptions } from './run.js';
import type { RunPlan } from '../plan/run-plan.js';
import { isConstant, type ScheduledValue } from '../engine/schedule.js';
import type { ShardSnapshot } from '../parallel/shard-runner.js';

/** A run directory that cannot be continued as asked (exit code 2 in the CLI); nothing was changed. */
export class ContinueError extends Error {
  override readonly name = 'ContinueError';
}

export interface ContinueOptions extends Omit<RunScenarioOptions, 'out' | 'outputRoot' | 'write' | 'run'> {
  /** The replica count of the extended run (≥ the run's; default: the run's). */
  replicas?: number;
  /** The step count of the extended run (≥ the run's; default: the run's). */
  steps?: number;
}

/** The scenario a run directory was run with (its lossless copy, scenario.bin). */
export function scenarioOfRunDir(dir: string): Scenario {
  const file = join(dir, 'scenario.bin');
  if (!existsSync(file))
    throw new ContinueError(
      `${dir}: no scenario.bin — the run did not keep what an extension needs (written with --no-checkpoint, by the library without keepShards, merged from run shards, a regime run, or by an older stochdyn); run the scenario afresh`,
    );
  const s = deserialize(readFileSync(file)) as Scenario;
  let text = '';
  try {
    text = readFileSync(join(dir, 'scenario.resolved.json'), 'utf8');
  } catch {
    // compared below
  }
  if (text !== resolvedScenarioJson(s))
    throw new ContinueError(`${dir}: scenario.bin does not match scenario.resolved.json (written by another stochdyn version?)`);
  return s;
}

/** The scenario of the extended run: steps and replicas, and a linear grid's points for the same spacing. */
function extendedScenario(s: Scenario, R1: number, N1: number): Scenario | string {
  const N0 = s.dynamics.steps;
  let grid = s.observe.grid;
  if (N1 !== N0) {
    if (grid.kind !== 'linear')
      return `a ${grid.kind} grid over ${N0} steps has other points below step ${N0} over ${N1} steps (only a linear grid keeps its points)`;
    const points = ((grid.points - 1) * N1) / N0 + 1;
    if (!Number.isInteger(points))
      return `the linear grid (${grid.points} points over ${N0} steps, every ${N0 / (grid.points - 1)} steps) cannot keep its spacing over ${N1} steps: give a multiple of ${N0 / gcd(N0, grid.points - 1)} steps`;
    grid = { ...grid, points };
  }
  return {
    ...s,
    dynamics: { ...s.dynamics, steps: N1 },
    ensemble: { ...s.ensemble, replicas: R1 },
    observe: { ...s.observe, grid },
  };
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Why the extended plan would not reproduce the old run's accumulators (undefined: it does). */
function incompatibility(old: RunPlan, next: RunPlan): string | undefined {
  const R0 = old.replicas;
  const R1 = next.replicas;
  const N0 = old.steps;
  if (blockSize(R0) !== blockSize(R1)) {
    const b = blockSize(R0);
    const top = b === 1024 ? Infinity : 32 * b - 1;
    return (
      `the block size of the trace statistics changes from ${b} to ${blockSize(R1)} replicas ` +
      `(with ${R0} replicas the run can grow to at most ${Number.isFinite(top) ? top : 'any number of'} replicas)`
    );
  }
  if (JSON.stringify(old.settings) !== JSON.stringify(next.settings)) return 'the resolved dynamics (step sizes, η, θ, λ) differ';
  const upTo = (steps: number[]) => JSON.stringify(steps.filter((x) => x <= N0));
  if (upTo(next.grid) !== JSON.stringify(old.grid)) return 'the observation grid differs below the old last step';
  if (upTo(next.sampleSteps) !== JSON.stringify(old.sampleSteps)) return 'the sample steps differ below the old last step';
  if (next.steps !== N0) {
    const { lr, temperature, groups } = old.schedules;
    const stretched = (v: ScheduledValue | undefined) =>
      v !== undefined && !isConstant(v) && typeof v !== 'number' && v.steps === undefined;
    if ([lr, temperature, ...Object.values(groups ?? {}).flatMap((g) => [g.lr, g.temperature])].some(stretched))
      return 'a schedule of η or θ runs over the whole run (it has no steps of its own), so its values change with the step count';
  }
  return undefined;
}

/**
 * Extend the completed run in `dir` (see the module comment): returns the
 * extended run's outputs, written into `dir`. An extension stopped part-way
 * is continued by calling this again with the same counts.
 */
export async function continueRun(dirIn: string, o: ContinueOptions): Promise<RunOutput> {
  const dir = resolve(dirIn);
  const s = scenarioOfRunDir(dir);
  const R0 = s.ensemble.replicas;
  const N0 = s.dynamics.steps;
  const R1 = o.replicas ?? R0;
  const N1 = o.steps ?? N0;
  const runOptions = { ...o, out: dir, keepShards: true };
  const asked = [o.replicas !== undefined && `--replicas ${R1}`, o.steps !== undefined && `--steps ${N1}`].filter(Boolean).join(' ');
  const refuse = (why: string) =>
    new ContinueError(`${asked}: cannot extend the run in ${dir} bit-identically: ${why}; run it afresh with these counts`);
  // Already the requested size: an unfinished extension goes on from its partial/.
  if (R1 === R0 && N1 === N0) {
    if (existsSync(join(dir, PARTIAL_DIR))) return runScenario(s, runOptions);
    throw new ContinueError(`${dir}: the run already has ${R0} replicas and ${N0} steps; ask for more (--replicas, --steps)`);
  }
  if (R1 < R0 || N1 < N0)
    throw new ContinueError(`${asked}: the run in ${dir} has ${R0} replicas and ${N0} steps already; a continuation only adds`);
  if (s.exchange || s.splitting)
    throw new ContinueError(`${dir}: a ${s.exchange ? 'replica-exchange' : 'splitting'} run cannot be extended; run it afresh`);
  const shards = join(dir, SHARDS_DIR);
  if (!existsSync(shards))
    throw new ContinueError(
      `${dir}: no shards/ folder — the run did not keep its shard results (run with --no-checkpoint, merged from run shards, or an unfinished run); run it afresh with these counts`,
    );
  const next = extendedScenario(s, R1, N1);
  if (typeof next === 'string') throw refuse(next);
  const [{ plan: oldPlan }, { plan: newPlan }] = [await checkScenario(s), await checkScenario(next)];
  const why = incompatibility(oldPlan, newPlan);
  if (why) throw refuse(why);
  const B = blockSize(R1);
  const results: Array<{ name: string; r: ShardResult }> = readdirSync(shards)
    .filter((n) => /^replicas-\d+-\d+\.bin$/.test(n))
    .map((name) => ({ name, r: deserialize(readFileSync(join(shards, name))) as ShardResult }));
  // Posterior histograms keep the per-unit chains of their first replicas, as many as fit a fixed budget: the same count?
  for (const { r } of results.slice(0, 1))
    for (const h of r.sampling?.posterior ?? []) {
      const kept = posteriorChainReplicas(R1, h.units, newPlan.sampleSteps.length);
      if (kept !== h.chainReplicas)
        throw refuse(`the posterior histogram of ${h.of} would keep the chains of ${kept} replicas instead of ${h.chainReplicas}`);
    }
  if (N1 !== N0 && results.some(({ r }) => r.final === undefined))
    throw refuse('the run kept its shard results but not their final states (it was continued from a snapshot taken without them)');

  // The kept shards become the saved part of the extended run: as results (more replicas only) or as snapshots at
  // step N₀ (more steps); a shard that ends inside a block of the extended run is run again.
  // Built aside and moved in one rename: a continuation that dies half-way leaves shards/ whole, and is done again.
  const partial = join(dir, PARTIAL_DIR);
  const building = join(dir, '.extending');
  rmSync(partial, { recursive: true, force: true });
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building);
  for (const { name, r } of results) {
    if ((r.firstReplica + r.count) % B !== 0 && r.firstReplica + r.count !== R1) continue;
    if (N1 !== N0)
      writeAtomic(join(building, `state-${r.firstReplica}-${r.count}.bin`), serialize(extendedSnapshot(r.final as ShardSnapshot, s)));
    else copyFileSync(join(shards, name), join(building, name));
  }
  renameSync(building, partial);
  // From here the directory holds an unfinished run of the extended scenario: runScenario continues it (and so does calling this again).
  writeAtomic(join(dir, 'scenario.bin'), serialize(next));
  writeAtomic(join(dir, 'scenario.resolved.json'), resolvedScenarioJson(next));
  rmSync(shards, { recursive: true, force: true });
  return runScenario(next, runOptions);
}

/**
 * A shard's final state at step N₀ as a snapshot of the longer run: the same
 * ensemble, tiles and accumulators (the recorders of the longer run move the
 * rows of the shorter grid and samples into theirs), except the recorders of
 * the last step, which start empty (the order of runShard: traces,
 * histograms, finals, sampling, then events).
 */
function extendedSnapshot(final: ShardSnapshot, s: Scenario): ShardSnapshot {
  const rec = [...final.recorders];
  // Traces (rows of the longer grid past N₀ start empty; the recorder moves the rows) come first.
  let i = 1;
  // Histograms: on the grid they go on; at the final step they start empty.
  for (const h of s.observe.histograms) {
    const saved = rec[i] as { counts: Float64Array };
    if (h.at === 'final') rec[i] = { counts: new Float64Array(saved.counts.length), underflow: 0, overflow: 0, samples: 0 };
    i++;
  }
  // Finals: observed at the (new) last step only.
  const f = rec[i] as { values: Float64Array };
  rec[i] = { values: new Float64Array(f.values.length) };
  // Sampling (its recorder moves the samples into the longer rows) and events go on as they are.
  return { ...final, recorders: rec, tileStart: 0, frozenBefore: 0 };
}
