/**
 * The splitting tables of report.html (docs/splitting.md, docs/reports.md):
 * p(B before A) with its interval, MFPT and rate with theirs, the relative
 * variance and the cost, then the MFPT beside brute-force first passage and
 * the exact `mfpt-1d` integral when the run has them (with z-scores).
 */
import { fmt } from './plots/common.js';
import { splittingComparison } from './plots/splitting.js';
import type { RunData } from '../results/types.js';

const esc = (s: unknown) =>
  String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const ci = (p: [number, number] | null | undefined) => (p ? `${fmt(p[0])} – ${fmt(p[1])}` : '—');

function table(head: string[], rows: Array<Array<string | number>>, cls: string): string {
  return `<div class="scroll"><table class="${cls}"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('')}</tbody></table></div>`;
}

/** The splitting section of a run's tables ('' when the run has no `splitting` block). */
export function splittingTables(run: RunData, level = 'h2'): string {
  const c = splittingComparison(run);
  if (!c) return '';
  const sp = c.splitting;
  const out: string[] = [`<${level}>Rare-event splitting (AMS)</${level}>`];
  out.push(
    `<p>${sp.walkers} walkers, ${sp.kill} killed per iteration, ${sp.repetitions} independent repetitions; reaction coordinate ξ = ${esc(
      sp.coordinate,
    )}, walkers started at first crossings of ξ = ${fmt(sp.level)} after visits to A${c.event ? `; B is the event '${esc(c.event)}'` : ''}. ` +
      `Intervals are ±1.96 SE from the spread of the repetitions (delta method for the MFPT and the rate).</p>`,
  );
  const cost = sp.bruteForceSteps / sp.replicaSteps;
  out.push(
    table(
      ['quantity', 'estimate', '± SE', '95 % CI'],
      [
        ['p = P(B before A | first crossing of z₀)', fmt(sp.probability.mean), fmt(sp.probability.se, 2), ci(sp.probability.ci95)],
        ['MFPT A → B (time)', fmt(sp.mfpt.mean), fmt(sp.mfpt.se, 2), ci(sp.mfpt.ci95)],
        ['rate 1/MFPT (per time)', fmt(sp.rate.mean), fmt(sp.rate.se, 2), ci(sp.rate.ci95)],
        [
          'relative variance Var(p̂)/p̄² of one repetition',
          fmt(sp.relativeVariance, 3),
          '',
          `ideal AMS ≈ ln(1/p)/N = ${fmt(Math.log(1 / sp.probability.mean) / sp.walkers, 3)}`,
        ],
        ['flux Φ of first crossings of z₀ (per time)', fmt(sp.flux), '', ''],
        ['T₁ (A → z₀), T₂ (z₀ → A), T₃ (z₀ → B)', `${fmt(sp.timeToLevel)}, ${fmt(sp.timeBack)}, ${fmt(sp.reactiveTime)}`, '', ''],
        ['replica-steps (AMS)', fmt(sp.replicaSteps, 3), '', ''],
        [
          'replica-steps brute force would need for the same relative error',
          fmt(sp.bruteForceSteps, 3),
          '',
          Number.isFinite(cost) ? `${fmt(cost, 3)} × AMS's` : '',
        ],
        ['iterations per repetition (mean)', fmt(sp.iterations), '', ''],
        ['repetitions extinct / stopped by a guard', `${sp.extinct} / ${sp.incomplete}`, '', ''],
      ],
      'splitting-estimates',
    ),
  );
  if (c.rows.length > 1) {
    out.push(`<${level}>Mean first-passage time: splitting, brute force, theory</${level}>`);
    out.push(
      table(
        ['method', 'MFPT (time)', '± SE', '95 % CI', 'AMS / this', 'z = (AMS − this)/SE', 'detail'],
        c.rows.map((r) => [
          r.method,
          fmt(r.time),
          r.se === null ? '—' : fmt(r.se, 2),
          ci(r.ci95),
          r.z === null && r.method.startsWith('AMS') ? '1' : fmt(sp.mfpt.mean / r.time, 3),
          r.z === null ? '—' : fmt(r.z, 2),
          r.detail,
        ]),
        'splitting-mfpt',
      ),
    );
  }
  return out.join('\n');
}
