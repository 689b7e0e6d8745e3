/**
 * `repon-collision` (run scope; docs/models.md §3.1, GenEFT Eq. 11): the collision
 * law p_r = (2/π) arctan((σ_a/σ_c) sqrt(η_x/(2η_A))) for a `repon-pair` run —
 * σ_a, σ_c from the potential's params, η_A and η_x the learning rates of the
 * groups `decoder` and `repons` as the run resolves them — next to the
 * measured fraction of replicas that entered the collision event, with its
 * Wilson 95 % interval and z = (measured − p_r)/sqrt(p_r(1 − p_r)/n).
 *
 * p_r is exact for the reduced scalar flow (centre and bias switched off,
 * d = m = 1) from Gaussian starts; the full (A, b, x₁, x₂) system is known to
 * collide more often once η_x/η_A > 1 (centre and bias enter the conserved
 * quantity), and replicas still undecided at the end count as not collided.
 * So a deviation here is a measurement to report, not an error. The analysis
 * makes no sense for d > m (no full collision for a row-vector decoder): it
 * is refused there.
 */
import type { Scenario } from '../scenario/types.js';
import { renderValue } from '../scenario/index.js';
import { wilsonInterval } from '../stats/compare.js';
import { collisionProbability } from '../theory/repon.js';
import type { CheckIssue } from './free-energy-profile.js';
import { registerAnalysis } from './registry.js';
import { lrOf } from '../plan/run-plan.js';

interface Entry {
  event?: string;
}

const KIND = 'repon-pair';

function params(s: Scenario): Record<string, unknown> {
  return 'kind' in s.potential && s.potential.kind === KIND ? (s.potential.params ?? {}) : {};
}

registerAnalysis<Entry>({
  kind: 'repon-collision',
  scope: 'run',
  description:
    'repon pair: the collision law p_r (GenEFT Eq. 11) from σ_a, σ_c and the decoder/repons learning rates vs the fraction of replicas that entered the collision event',
  keys: { event: 'string' },
  check(e, s) {
    const issues: CheckIssue[] = [];
    if (!('kind' in s.potential && s.potential.kind === KIND))
      issues.push({
        key: 'kind',
        expected: `a scenario with potential.kind ${KIND}`,
        found: renderValue('kind' in s.potential ? s.potential.kind : 'a non-registry potential'),
      });
    const ev = e.event ?? 'collided';
    if (!s.observe.events.some((x) => x.name === ev))
      issues.push({
        key: 'event',
        expected: `the name of an event of observe.events (the collision event)`,
        found: renderValue(ev),
        hint: `Define it, e.g. {name: ${ev}, enter: {collided: {ge: 0.5}}}.`,
      });
    if (s.dynamics.step_size)
      issues.push({
        key: 'kind',
        expected: 'explicit group learning rates (dynamics.groups.decoder.lr, .repons.lr)',
        found: 'dynamics.step_size',
      });
    const p = params(s);
    const d = (p.d as number | undefined) ?? 1;
    const m = (p.m as number | undefined) ?? 1;
    if (d > m)
      issues.push({
        key: 'kind',
        expected: 'a repon pair with d ≤ m (a row-vector decoder in d > m never fully collides)',
        found: `d = ${d}, m = ${m}`,
      });
    return issues;
  },
  run(e, { scenario: s, plan, summary }) {
    const p = params(s);
    const sigmaA = (p.sigma_a as number | undefined) ?? 1;
    const sigmaC = (p.sigma_c as number | undefined) ?? 1;
    const etaA = lrOf(plan, 'decoder');
    const etaX = lrOf(plan, 'repons');
    const pr = collisionProbability({ sigmaA, sigmaC, etaA, etaX });
    const ev = summary.events[e.event ?? 'collided'];
    const n = ev.replicas - summary.divergence.count;
    const x = ev.entered;
    const measured = n > 0 ? x / n : null;
    return {
      event: e.event ?? 'collided',
      sigmaA,
      sigmaC,
      etaA,
      etaX,
      ratio: etaX / etaA,
      pr,
      measured,
      replicas: n,
      ci95: n > 0 ? wilsonInterval(x, n) : null,
      z: measured !== null && pr > 0 && pr < 1 ? (measured - pr) / Math.sqrt((pr * (1 - pr)) / n) : null,
    };
  },
  text(r) {
    const f = (v: unknown) => (typeof v === 'number' ? v.toFixed(3) : '—');
    const ci = r.ci95 as [number, number] | null;
    return `repon-collision: η_x/η_A = ${f(r.ratio)}: collided ${f(r.measured)} [${ci ? `${f(ci[0])}, ${f(ci[1])}` : '—'}] vs p_r ${f(r.pr)} (z = ${typeof r.z === 'number' ? r.z.toFixed(2) : '—'})`;
  },
});
