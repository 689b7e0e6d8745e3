/** Plain-text tables for the terminal. */
import type { Summary } from '../analysis/summary.js';
import { analysisText } from '../analysis/index.js';
import type { SamplingSummary } from '../analysis/sampling.js';
import type { SplittingSummary } from '../analysis/splitting.js';
import { initialValue, type ScheduledValue } from '../engine/schedule.js';
import { errorTextLine, stochdynRoots } from './errors.js';
import type { SavedWork } from '../runs/run.js';

const f = (v: number | null | undefined, digits = 4) => (v === null || v === undefined ? '—' : Number(v.toPrecision(digits)).toString());

export function formatRunTable(s: Summary, dir: string): string {
  const lines: string[] = [];
  const r = s.run;
  lines.push(
    `${s.scenario.name}: ${r.replicas} replicas × ${r.steps} steps (${r.integrator}, η = ${r.lr}, θ = ${r.temperature}, t = ${f(r.physicalTime)}) in ${f(s.timing.wallSeconds, 3)} s on ${s.timing.workers} worker(s), ${f(s.timing.replicaStepsPerSecond, 3)} replica-steps/s`,
  );
  if (r.stepSizes)
    lines.push(
      `step sizes (dynamics.step_size: c = ${r.stepSizes.c}, safety = ${r.stepSizes.safety}; curvature L = ${f(r.stepSizes.curvature, 4)}): ` +
        Object.entries(r.stepSizes.lr)
          .map(([g, v]) => `${g} ${f(v, 4)}`)
          .join(', '),
    );
  lines.push('');
  const rows: string[][] = [['observable (final)', 'mean', '± sem', 'std', 'q05', 'q50', 'q95']];
  for (const [name, o] of Object.entries(s.observables)) {
    const d = o.final;
    rows.push([name, f(d.mean), f(d.sem, 2), f(d.std), f(d.q05), f(d.q50), f(d.q95)]);
  }
  lines.push(...table(rows));
  const ev = Object.entries(s.events);
  if (ev.length > 0) {
    lines.push('');
    const er: string[][] = [['event', 'entered', 'censored', 'MFPT (time)', '95% CI']];
    for (const [name, e] of ev) {
      er.push([
        name,
        String(e.entered),
        String(e.censored),
        f(e.mfpt.time),
        e.mfpt.ci95Time ? `${f(e.mfpt.ci95Time[0])} – ${f(e.mfpt.ci95Time[1])}` : '—',
      ]);
    }
    lines.push(...table(er));
  }
  for (const t of s.theory as Array<{ kind: string; text?: string }>) if (t.text) lines.push('', t.text);
  for (const a of s.analyses ?? []) {
    const text = analysisText(a);
    if (text) lines.push('', text);
  }
  if (s.sampling) lines.push('', ...samplingLines(s.sampling));
  if (s.splitting)
    lines.push('', ...splittingLines(s.splitting, s.theory as Array<{ kind: string; exactTime?: number; kramersTime?: number }>));
  if (s.divergence.count > 0) {
    lines.push(
      '',
      `diverged: ${s.divergence.count} of ${r.completedReplicas ?? r.replicas} replicas (first at step ${s.divergence.firstStep}); try a smaller dynamics.lr`,
    );
  }
  if (r.status && r.status !== 'completed')
    lines.push('', `status: ${r.status} — results of ${r.completedReplicas} of ${r.replicas} replicas; missing: ${missingText(s)}`);
  lines.push('', `output: ${dir}`);
  return lines.join('\n') + '\n';
}

/** Terminal lines of the `splitting` block, beside the exact MFPT of an `mfpt-1d` overlay when there is one. */
export function splittingLines(
  sp: SplittingSummary,
  theory: ReadonlyArray<{ kind: string; exactTime?: number; kramersTime?: number }> = [],
): string[] {
  const ci = (e: { ci95: [number, number] }) => `${f(e.ci95[0])} – ${f(e.ci95[1])}`;
  const lines = [
    `splitting (AMS, ${sp.walkers} walkers, kill ${sp.kill}, ${sp.repetitions} repetitions, ${sp.coordinate} from level ${sp.level}): ` +
      `p = ${f(sp.probability.mean)} (95% CI ${ci(sp.probability)}), flux ${f(sp.flux)} per unit time, relative variance ${f(sp.relativeVariance, 3)}`,
    `  MFPT ${f(sp.mfpt.mean)} (95% CI ${ci(sp.mfpt)}), rate ${f(sp.rate.mean)} (95% CI ${ci(sp.rate)}); ` +
      `${f(sp.replicaSteps, 3)} replica-steps (brute force for the same relative error: ${f(sp.bruteForceSteps, 3)})`,
  ];
  const exact = theory.find((t) => t.kind === 'mfpt-1d' && typeof t.exactTime === 'number');
  if (exact?.exactTime !== undefined)
    lines.push(
      `  vs exact integral ${f(exact.exactTime)} (ratio ${f(sp.mfpt.mean / exact.exactTime, 3)})` +
        (exact.kramersTime !== undefined ? `, Kramers ${f(exact.kramersTime)}` : ''),
    );
  if (sp.extinct + sp.incomplete > 0) lines.push(`  ${sp.extinct} repetition(s) went extinct, ${sp.incomplete} stopped by a guard`);
  return lines;
}

/** Terminal lines of the `sampling` block: chain diagnostics, predictive metrics, mixtures, warnings. */
export function samplingLines(sm: SamplingSummary): string[] {
  const lines = [
    `sampling: ${sm.samplesPerReplica} samples per replica (steps ${sm.firstSampleStep} … ${sm.lastSampleStep} every ${sm.thin}, after a burn-in of ${sm.burnIn} steps)`,
  ];
  const ch = Object.entries(sm.chains);
  if (ch.length) {
    const rows: string[][] = [['chain', 'posterior mean', '± MCSE', 'sd', 'ESS', 'split R-hat', 'chains']];
    for (const [n, c] of ch) rows.push([n, f(c.mean), f(c.mcse, 2), f(c.sd), f(c.ess, 3), f(c.rhat, 4), String(c.chains)]);
    lines.push(...table(rows));
  }
  const p = sm.predictive;
  if (p) {
    const pm = Object.entries(p.posteriorMean)
      .map(([k, v]) => `${k} ${f(v)}`)
      .join(', ');
    const pr = Object.entries(p.perReplica)
      .map(([k, v]) => `${k} ${f(v.mean)} ± ${f(v.sem, 2)}`)
      .join(', ');
    lines.push(
      `posterior-mean predictor on ${p.points} ${p.set === 'training' ? 'training points (every point there is)' : 'held-out points'}: ${pm || '—'}; single replicas' posterior means: ${pr || '—'}`,
    );
  }
  for (const h of sm.posterior) {
    const m = h.mixture;
    const mix = m
      ? `BIC (n = ${f(m.n, 3)}) chose ${m.components} of ${m.bic.length} components: ${m.weights.map((w, j) => `${f(w, 3)} at ${f(m.means[j], 3)} (sd ${f(m.sds[j], 2)})`).join(', ')}; ` +
        `${m.modes.length} mode${m.modes.length === 1 ? '' : 's'}${m.modes.length ? ` at ${m.modes.map((x) => f(x, 3)).join(', ')}` : ''}`
      : 'no mixture fit';
    lines.push(`posterior of ${h.of}${h.units > 1 ? ` (${h.units} units pooled)` : ''}: ${h.samples} values, ESS ${f(h.ess, 3)}; ${mix}`);
  }
  for (const w of sm.warnings) lines.push(`warning: ${w}`);
  return lines;
}

/** `potential.info` as one line (empty when the potential has none). */
export function potentialInfoLine(name: string, info: Readonly<Record<string, string | number | boolean>> | undefined): string {
  const entries = Object.entries(info ?? {});
  return entries.length ? `potential ${name}: ${entries.map(([k, v]) => `${k} = ${v}`).join(', ')}` : '';
}

function table(rows: string[][]): string[] {
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join('  '));
}

/** The missing replica ranges of a summary, as text. */
export function missingText(s: Summary): string {
  // A failed shard's reason may carry the stack of user code: one line, with its file:line.
  const roots = stochdynRoots();
  return (s.run.missing ?? [])
    .map(
      (g) =>
        `${g.first}…${g.first + g.count - 1} (${g.status}${g.errors.length ? `: ${g.errors.map((e) => errorTextLine(e, roots)).join('; ')}` : ''})`,
    )
    .join(', ');
}

/**
 * What went wrong in a run that still produced a summary, as the message for
 * stderr and the exit code: interrupted (130; the CLI uses 128 + the signal),
 * replicas missing after a failed retry (4), every replica diverged (3).
 */
export function runTrouble(
  s: Summary,
  scenario: { dynamics: { lr: ScheduledValue; step_size?: unknown } },
  dir: string,
): { status: string; message: string; exitCode: number } | null {
  const r = s.run;
  if (r.status === 'interrupted')
    return {
      status: 'interrupted',
      message: `stochdyn: interrupted — ${dir}/summary.json is marked "interrupted" and covers the ${r.completedReplicas} of ${r.replicas} replicas whose shards had finished, which are saved in ${dir}/partial/; the same command with --out ${dir} continues the run and runs only the others`,
      exitCode: 130,
    };
  if (r.status === 'partial')
    return {
      status: 'partial',
      message: `stochdyn: ${r.replicas - r.completedReplicas} of ${r.replicas} replicas are missing: their worker failed twice (${missingText(s)}); ${dir}/summary.json is marked "partial" and covers the other ${r.completedReplicas} (saved in ${dir}/partial/: the same command with --out ${dir} runs only the missing ones)`,
      exitCode: 4,
    };
  const done = r.completedReplicas ?? r.replicas;
  if (done > 0 && s.divergence.count === done) {
    const lr = initialValue(scenario.dynamics.lr);
    const suggestion = scenario.dynamics.step_size
      ? 'lower dynamics.step_size.c (or raise dynamics.step_size.safety)'
      : `use a smaller step size, e.g. --set dynamics.lr=${Number((lr / 10).toPrecision(3))} (now ${lr}), or let dynamics.step_size choose it from the curvature`;
    const reasons = Object.entries(s.divergence.byReason)
      .map(([k, v]) => `${k}: ${v}`)
      .join(', ');
    return {
      status: 'diverged',
      message: `stochdyn: every one of the ${done} replicas diverged (the first at step ${s.divergence.firstStep}; ${reasons}) — ${suggestion}. The summary was still written: ${dir}/summary.json`,
      exitCode: 3,
    };
  }
  return null;
}

/** The line a continued run prints: what was saved and where each unfinished shard goes on from. */
export function resumeLine(saved: SavedWork): string {
  const parts: string[] = [];
  if (saved.replicasDone > 0) parts.push(`${saved.replicasDone.toLocaleString('en-US')} replicas already done`);
  for (const c of saved.continued)
    parts.push(`replicas ${c.firstReplica}…${c.firstReplica + c.count - 1} continue from step ${c.step.toLocaleString('en-US')}`);
  return `stochdyn: continuing the saved run: ${parts.join('; ')}`;
}
