/** Plain-text tables for the terminal. */
import type { Summary } from '../report/summary.js';
import { analysisText } from '../report/analyses/index.js';

const f = (v: number | null | undefined, digits = 4) => (v === null || v === undefined ? '—' : Number(v.toPrecision(digits)).toString());

export function formatRunTable(s: Summary, dir: string): string {
  const lines: string[] = [];
  const r = s.run;
  lines.push(`${s.scenario.name}: ${r.replicas} replicas × ${r.steps} steps (${r.integrator}, η = ${r.lr}, θ = ${r.temperature}, t = ${f(r.physicalTime)}) in ${f(s.timing.wallSeconds, 3)} s on ${s.timing.workers} worker(s), ${f(s.timing.replicaStepsPerSecond, 3)} replica-steps/s`);
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
      er.push([name, String(e.entered), String(e.censored), f(e.mfpt.time), e.mfpt.ci95Time ? `${f(e.mfpt.ci95Time[0])} – ${f(e.mfpt.ci95Time[1])}` : '—']);
    }
    lines.push(...table(er));
  }
  for (const t of s.theory as Array<{ kind: string; text?: string }>) if (t.text) lines.push('', t.text);
  for (const a of s.analyses ?? []) {
    const text = analysisText(a);
    if (text) lines.push('', text);
  }
  if (s.divergence.count > 0) {
    lines.push('', `diverged: ${s.divergence.count} of ${r.replicas} replicas (first at step ${s.divergence.firstStep}); try a smaller dynamics.lr`);
  }
  lines.push('', `output: ${dir}`);
  return lines.join('\n') + '\n';
}

function table(rows: string[][]): string[] {
  const w = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(w[c]) : cell.padStart(w[c]))).join('  '));
}
