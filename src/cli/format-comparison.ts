/** The printed comparison of `stochdyn compare`: one table per pair of runs, then the notes. */
import type { Comparison, ComparisonSide, Estimate } from '../analysis/compare.js';
import { levelPhrase } from '../analysis/significance.js';

/** 4 significant digits, exponent outside [1e-3, 1e5). */
export function fmtNum(v: number | null | undefined): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '—';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/** A p-value: ≤floor at the resolution of a bootstrap, exponent below 1e-3. */
export function fmtP(p: number | null, floor = 0): string {
  if (p === null) return '—';
  if (floor > 0 && p <= floor * (1 + 1e-12)) return `≤${fmtNum(floor)}`;
  if (p < 1e-16) return '<1e-16';
  if (p < 1e-3) return p.toExponential(1);
  return p.toFixed(3);
}

const est = (e: Estimate) =>
  e.value === null ? '—' : e.ci95 ? `${fmtNum(e.value)} [${fmtNum(e.ci95[0])}, ${fmtNum(e.ci95[1])}]` : fmtNum(e.value);

function table(header: string[], body: string[][]): string[] {
  const w = header.map((h, k) => Math.max(h.length, ...body.map((r) => r[k]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, k) => c.padEnd(w[k]!))
      .join('  ')
      .trimEnd();
  return [line(header), w.map((x) => '─'.repeat(x)).join('  '), ...body.map(line)];
}

/** The printed comparison: one table per pair, then the notes. */
export function formatComparison(c: Comparison): string {
  const out: string[] = [];
  const bs = Array.isArray(c.b) ? c.b : [c.b];
  const fmtSide = (s: ComparisonSide) =>
    `${s.label}: ${s.settings.integrator}, η = ${fmtNum(s.settings.lr)}, θ = ${fmtNum(s.settings.temperature)}, ${s.settings.steps} steps, ${s.settings.replicas} replicas, seed ${s.settings.seed}  (${s.dir})`;
  out.push(
    c.kind === 'regimes'
      ? `Regimes of '${c.a.scenario}' against the baseline '${c.a.label}'`
      : `Comparison of two runs (differences are B − A)`,
  );
  out.push(`  A  ${fmtSide(c.a)}`);
  for (const b of bs) out.push(`  B  ${fmtSide(b)}`);
  for (const b of bs) {
    const rows = c.rows.filter((r) => r.pair.b === b.label && r.pair.a === c.a.label);
    // The verdict column states its level (the comparison's own, as recorded in comparison.json).
    out.push('', `${c.a.label} (A) vs ${b.label} (B), tested ${levelPhrase(c.level)} (differs: p < ${c.level})`);
    out.push(
      ...table(
        ['result', 'A [95% CI]', 'B [95% CI]', 'B − A [95% CI]', 'test', 'statistic', 'p', `differs (p < ${c.level})`],
        rows.map((r) => [
          r.name,
          est(r.a),
          est(r.b),
          r.kind === 'shape' ? '—' : est({ value: r.difference.value, ci95: r.difference.ci95, n: null }),
          r.test,
          r.statistic === null ? '—' : `${r.statisticName} = ${fmtNum(r.statistic)}`,
          fmtP(r.pValue, typeof r.detail.pValueResolution === 'number' ? r.detail.pValueResolution : 0),
          r.differs === null ? '—' : r.differs ? 'yes' : 'no',
        ]),
      ).map((l) => '  ' + l),
    );
  }
  out.push('', 'Notes:', ...c.notes.map((n) => `  - ${n}`));
  return out.join('\n') + '\n';
}
