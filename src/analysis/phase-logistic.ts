/**
 * Sweep analysis `phase-logistic` (docs/analyses.md): where does a learning
 * phase begin, with confidence intervals, from every replica of every cell?
 *
 * With `event: <name>` the outcome is instead whether a replica entered that
 * event within the run (summary.json events.<name>.entered of replicas), e.g.
 * RQI > 0.95 against the training fraction; everything below is the same.
 *
 * Each point's `learning-phases` counts give, per cell, k replicas in the
 * `positive` phases (default memorization) out of n in `positive ∪ negative`
 * (default comprehension, grokking); replicas in other phases (confusion by
 * default) and diverged ones are left out. With u = log10 of the swept key `x`
 * (e.g. the decoder learning rate), the fit is one of
 *
 *   no `by`:              logit P = β₀ + β_u·u
 *   `by`, scale log:      logit P = β₀ + β_u·u + β_v·v,  v = log10 by
 *   `by`, scale linear:   logit P = β₀ + β_u·u + β_v·by
 *   `by`, scale factor:   logit P = β_{0,ℓ} + β_u·u   (an intercept per level ℓ of `by`)
 *
 * by Firth's penalised likelihood (stats/logistic.ts: finite when the cells
 * are separated, as a sharp boundary sampled by a few replicas usually is).
 * The boundary is where P = ½:
 *
 *   u* = −β₀/β_u (no by);   u* = a + s·v with s = −β_v/β_u, a = −β₀/β_u (log);
 *   u*_ℓ = −β_{0,ℓ}/β_u (factor), its shift from the first level (β_{0,1} − β_{0,ℓ})/β_u,
 *
 * each with a delta-method 95 % interval. With a log `by` the slope s is the
 * log–log slope of the boundary in the (by, x) plane and is tested against the
 * two rules of GenEFT (Wald z): s = +1 (a ratio rule, x/by fixed) and s = −1
 * (a product rule, x·by fixed). With a factor, a likelihood-ratio test of
 * the per-level intercepts against one common intercept says whether the
 * boundary moves with `by` (χ² with levels − 1 degrees of freedom); with a
 * linear or log `by`, its Wald test does (one degree of freedom).
 *
 * The slope β_u sets how sharp the boundary is: its width from P = 0.1 to
 * P = 0.9 is 2 ln 9/|β_u| decades of x. Per cell, the observed fraction with
 * its Wilson 95 % interval and the fitted probability are listed.
 */
import { renderValue } from '../scenario/index.js';
import { wilsonInterval } from '../stats/compare.js';
import { deltaSe, likelihoodRatioTest, logisticFit, mleExists, type LogisticFit } from '../stats/logistic.js';
import { chiSquareSf } from '../stats/special.js';
import { zPValue } from '../stats/tests.js';
import { sweepKeys, valueAtPath } from '../scenario/sweep.js';
import { LEARNING_PHASES, type LearningPhase } from './learning-phases.js';
import { registerAnalysis } from './registry.js';
import { Z95, finite, fmt, type Issue, type Obj } from './sweep-points.js';

type Scale = 'log' | 'linear' | 'factor';

interface Entry {
  x: string;
  event?: string;
  by?: string;
  by_scale?: Scale;
  positive?: string[];
  negative?: string[];
}

interface Cell {
  index: number;
  x: number;
  by: unknown;
  k: number;
  n: number;
  excluded: number;
}

const DEFAULT_POSITIVE: LearningPhase[] = ['memorization'];
const DEFAULT_NEGATIVE: LearningPhase[] = ['comprehension', 'grokking'];
const SCALES: Scale[] = ['log', 'linear', 'factor'];

const interval = (v: number, se: number): [number, number] | null => (Number.isFinite(se) ? [v - Z95 * se, v + Z95 * se] : null);
const waldP = (est: number, se: number, h0: number) => (Number.isFinite(se) && se > 0 ? zPValue((est - h0) / se) : null);

function phaseList(v: unknown, key: string, issues: Issue[]): void {
  if (v === undefined) return;
  const ok = Array.isArray(v) && v.length > 0 && v.every((p) => (LEARNING_PHASES as readonly string[]).includes(String(p)));
  if (!ok) issues.push({ key, expected: `a non-empty list of learning phases (${LEARNING_PHASES.join(', ')})`, found: renderValue(v) });
}

/**
 * Pearson's χ² of the cells against the fitted probabilities, with
 * cells − coefficients degrees of freedom: a small p says the model (one slope
 * in log10 x shared by every level) does not describe the cells. With a few
 * replicas per cell the χ² reference is rough.
 */
function pearsonFit(k: number[], n: number[], fitted: number[], params: number) {
  let statistic = 0;
  for (let i = 0; i < k.length; i++) {
    const v = n[i]! * fitted[i]! * (1 - fitted[i]!);
    if (v > 0) statistic += (k[i]! - n[i]! * fitted[i]!) ** 2 / v;
  }
  const df = k.length - params;
  return {
    statistic,
    df,
    p: df > 0 ? chiSquareSf(statistic, df) : null,
    note: 'Pearson χ² over the cells; rough with a few replicas per cell',
  };
}

function coefficientTable(names: string[], f: LogisticFit) {
  return names.map((name, r) => ({
    name,
    estimate: f.coef[r]!,
    se: f.se[r]!,
    ci95: interval(f.coef[r]!, f.se[r]!),
    z: f.z[r]!,
    p: f.p[r]!,
  }));
}

registerAnalysis<Entry>({
  kind: 'phase-logistic',
  scope: 'sweep',
  description:
    'logistic regression of per-replica learning phases (default memorization vs comprehension + grokking), or of whether each replica entered an event, on log10 of a swept key, optionally with a second key (log, linear or factor): the boundary with CIs, its log–log slope against the ratio (+1) and product (−1) rules, a test of whether the second key moves it',
  keys: { x: 'string', by: 'string', by_scale: 'string', positive: 'array', negative: 'array', event: 'string' },
  required: ['x'],
  check(e, s) {
    const issues: Issue[] = [];
    const swept = s.sweep ? sweepKeys(s.sweep as Obj) : [];
    if (!swept.includes(e.x)) issues.push({ key: 'x', expected: `a swept key (${swept.join(', ') || 'none'})`, found: renderValue(e.x) });
    if (e.by !== undefined && (!swept.includes(e.by) || e.by === e.x))
      issues.push({
        key: 'by',
        expected: `another swept key (${swept.filter((k) => k !== e.x).join(', ') || 'none'})`,
        found: renderValue(e.by),
      });
    if (e.by_scale !== undefined && !SCALES.includes(e.by_scale))
      issues.push({ key: 'by_scale', expected: `one of ${SCALES.join(', ')}`, found: renderValue(e.by_scale) });
    if (e.by_scale !== undefined && e.by === undefined)
      issues.push({ key: 'by_scale', expected: 'by: a second swept key to go with it', found: 'no by' });
    if (e.event !== undefined) {
      const names = (s.observe?.events ?? []).map((v) => v.name);
      if (!names.includes(e.event))
        issues.push({ key: 'event', expected: `an event of observe.events (${names.join(', ') || 'none'})`, found: renderValue(e.event) });
      if (e.positive !== undefined || e.negative !== undefined)
        issues.push({ key: 'event', expected: 'either event or positive/negative phases, not both', found: 'both' });
      return issues;
    }
    phaseList(e.positive, 'positive', issues);
    phaseList(e.negative, 'negative', issues);
    const pos = e.positive ?? DEFAULT_POSITIVE;
    const neg = e.negative ?? DEFAULT_NEGATIVE;
    const both = pos.filter((p) => neg.includes(p));
    if (both.length) issues.push({ key: 'negative', expected: 'phases not also in positive', found: renderValue(both) });
    if (!s.analysis.some((a) => a.kind === 'learning-phases'))
      issues.push({
        key: 'x',
        expected: 'a learning-phases entry in analysis: (phase-logistic counts its phases)',
        found: `analysis kinds ${renderValue(s.analysis.map((a) => a.kind))}`,
      });
    return issues;
  },
  text: (r) => String(r.text ?? ''),
  run(e, ctx) {
    const pos = (e.positive ?? DEFAULT_POSITIVE) as LearningPhase[];
    const neg = (e.negative ?? DEFAULT_NEGATIVE) as LearningPhase[];
    const notes: string[] = [];
    const cells: Cell[] = [];
    let diverged = 0;
    for (const p of ctx.points) {
      if (e.event !== undefined) {
        const ev = valueAtPath(p.summary, `events.${e.event}`) as { replicas?: unknown; entered?: unknown } | undefined;
        const x = p.values[e.x];
        if (!ev || !finite(ev.replicas) || !finite(ev.entered) || !finite(x) || !(x > 0)) {
          notes.push(`point ${p.index}: ${ev ? `${e.x} is not a positive number` : `no event ${e.event}`}; left out`);
          continue;
        }
        diverged += Number(valueAtPath(p.summary, 'divergence.count') ?? 0);
        cells.push({ index: p.index, x, by: e.by !== undefined ? p.values[e.by] : null, k: ev.entered, n: ev.replicas, excluded: 0 });
        continue;
      }
      const counts = valueAtPath(p.summary, 'analyses.learning-phases.counts') as Record<string, number> | undefined;
      const x = p.values[e.x];
      if (!counts || !finite(x) || !(x > 0)) {
        notes.push(`point ${p.index}: ${counts ? `${e.x} is not a positive number` : 'no learning-phases counts'}; left out`);
        continue;
      }
      const k = pos.reduce((a, ph) => a + (counts[ph] ?? 0), 0);
      const n = k + neg.reduce((a, ph) => a + (counts[ph] ?? 0), 0);
      const classified = LEARNING_PHASES.reduce((a, ph) => a + (counts[ph] ?? 0), 0);
      cells.push({ index: p.index, x, by: e.by !== undefined ? p.values[e.by] : null, k, n, excluded: classified - n });
    }
    const scale: Scale | null =
      e.by === undefined ? null : (e.by_scale ?? (cells.every((c) => finite(c.by) && c.by > 0) ? 'log' : 'factor'));
    if (scale !== null && scale !== 'factor' && !cells.every((c) => finite(c.by) && (scale === 'linear' || c.by > 0))) {
      // A result that says why, rather than an exception that would stop the sweep's other files being written.
      const why = `${e.by} is not ${scale === 'log' ? 'a positive number' : 'a number'} at every point (by_scale ${scale})`;
      return {
        x: e.x,
        by: e.by,
        byScale: scale,
        fit: null,
        boundary: null,
        cells: [],
        notes: [...notes, why],
        text: `phase-logistic: no fit (${why})`,
      };
    }
    if (diverged > 0) notes.push(`${diverged} diverged replica(s) count as not having entered ${e.event} unless they entered first`);
    const used = cells.filter((c) => c.n > 0);
    const excluded = cells.reduce((a, c) => a + c.excluded, 0);
    const levels = scale === 'factor' ? [...new Map(used.map((c) => [JSON.stringify(c.by), c.by])).values()] : [];
    const levelOf = (c: Cell) => levels.findIndex((l) => JSON.stringify(l) === JSON.stringify(c.by));
    const u = (c: Cell) => Math.log10(c.x);
    const v = (c: Cell) => (scale === 'log' ? Math.log10(c.by as number) : (c.by as number));
    let names: string[];
    let row: (c: Cell) => number[];
    if (scale === null) {
      names = ['intercept', `log10 ${e.x}`];
      row = (c) => [1, u(c)];
    } else if (scale === 'factor') {
      names = [...levels.map((l) => `intercept (${e.by} = ${renderValue(l)})`), `log10 ${e.x}`];
      row = (c) => [...levels.map((_, j) => (levelOf(c) === j ? 1 : 0)), u(c)];
    } else {
      names = ['intercept', `log10 ${e.x}`, scale === 'log' ? `log10 ${e.by}` : e.by!];
      row = (c) => [1, u(c), v(c)];
    }
    const base = {
      x: e.x,
      by: e.by ?? null,
      byScale: scale,
      event: e.event ?? null,
      positive: e.event !== undefined ? [`entered ${e.event}`] : pos,
      negative: e.event !== undefined ? [`did not enter ${e.event}`] : neg,
      model: `logit P(${e.event !== undefined ? `entered ${e.event}` : pos.join(' or ')}) = ${names.map((nm) => (nm === 'intercept' ? 'β₀' : nm.startsWith('intercept') ? `β₀[${nm.slice(11, -1)}]` : `β·${nm}`)).join(' + ')}`,
      method: 'Firth penalised likelihood; Wald standard errors from the information matrix; delta-method intervals for the boundary',
      replicas: used.reduce((a, c) => a + c.n, 0),
      positives: used.reduce((a, c) => a + c.k, 0),
      excludedReplicas: excluded,
    };
    const cellRows = (fit: LogisticFit | null) =>
      cells.map((c) => {
        const i = used.indexOf(c);
        return {
          point: c.index,
          x: c.x,
          by: c.by,
          positive: c.k,
          replicas: c.n,
          excluded: c.excluded,
          fraction: c.n ? c.k / c.n : null,
          ci95: c.n ? wilsonInterval(c.k, c.n) : null,
          fitted: fit && i >= 0 ? fit.fitted[i]! : null,
        };
      });
    const positives = base.positives;
    const minGroups = names.length + 1;
    if (used.length < minGroups || positives === 0 || positives === base.replicas) {
      notes.push(
        positives === 0 || positives === base.replicas
          ? `every counted replica is ${positives === 0 ? 'negative' : 'positive'}: no boundary inside the swept range`
          : `${used.length} cell(s) with counted replicas, need ≥ ${minGroups}: no fit`,
      );
      return { ...base, fit: null, boundary: null, cells: cellRows(null), notes, text: `phase-logistic ${e.x}: no fit (${notes.at(-1)})` };
    }
    const X = used.map(row);
    const K = used.map((c) => c.k);
    const N = used.map((c) => c.n);
    const fit = logisticFit(X, K, N);
    if (!fit.converged) notes.push('the penalised Newton iterations did not converge: treat the estimates with care');
    const separated = !mleExists(X, K, N);
    if (separated)
      notes.push('the counts are (quasi-)separated: the plain maximum likelihood estimate does not exist, the Firth estimate is finite');
    const ju = scale === 'factor' ? levels.length : 1;
    const bu = fit.coef[ju]!;
    const cov = fit.cov;
    const width = Number.isFinite(bu) && bu !== 0 ? (2 * Math.log(9)) / Math.abs(bu) : null;
    let boundary: Record<string, unknown>;
    let text: string;
    if (scale === null || scale === 'factor') {
      const per = (scale === null ? [null] : levels).map((level, j) => {
        const j0 = scale === null ? 0 : j;
        const b0 = fit.coef[j0]!;
        const est = -b0 / bu;
        const g = new Array<number>(fit.coef.length).fill(0);
        g[j0] = -1 / bu;
        g[ju] = b0 / (bu * bu);
        const se = deltaSe(g, cov);
        return { level, log10X: est, se, ci95: interval(est, se), x: 10 ** est, xCi95: interval(est, se)?.map((t) => 10 ** t) ?? null };
      });
      if (scale === null) {
        boundary = { ...per[0], width10to90Decades: width };
        text = `phase-logistic: P(${e.event !== undefined ? `entered ${e.event}` : pos.join('|')}) = ½ at ${e.x} = ${fmt(per[0]!.x)} [${fmt(per[0]!.xCi95?.[0])}, ${fmt(per[0]!.xCi95?.[1])}]`;
      } else {
        // Shift of each level's boundary from the first level's, in decades of x, and the LR test of one common boundary.
        const shifts = levels.map((level, j) => {
          const g = new Array<number>(fit.coef.length).fill(0);
          g[0] = 1 / bu;
          g[j] = (g[j] ?? 0) - 1 / bu;
          g[ju] = -(fit.coef[0]! - fit.coef[j]!) / (bu * bu);
          const est = (fit.coef[0]! - fit.coef[j]!) / bu;
          const se = j === 0 ? 0 : deltaSe(g, cov);
          return { level, shiftDecades: est, se, ci95: j === 0 ? [0, 0] : interval(est, se), p: j === 0 ? null : waldP(est, se, 0) };
        });
        const common = logisticFit(
          used.map((c) => [1, u(c)]),
          K,
          N,
        );
        const lr = likelihoodRatioTest(fit, common);
        boundary = {
          perLevel: per,
          shifts,
          common: { log10X: -common.coef[0]! / common.coef[1]!, x: 10 ** (-common.coef[0]! / common.coef[1]!) },
          test: {
            hypothesis: `one boundary for every value of ${e.by}`,
            statistic: lr.statistic,
            df: lr.df,
            p: lr.p,
            method: 'penalised likelihood ratio, χ²',
          },
          width10to90Decades: width,
        };
        text =
          `phase-logistic: boundary in ${e.x} by ${e.by}: ` +
          per.map((b) => `${renderValue(b.level)} → ${fmt(b.x, 3)}`).join(', ') +
          `; one boundary for all: χ²(${lr.df}) = ${fmt(lr.statistic, 3)}, p = ${fmt(lr.p, 3)}`;
      }
    } else {
      const [b0, , bv] = fit.coef as [number, number, number];
      const slope = -bv / bu;
      const intercept = -b0 / bu;
      const se = (g: number[]) => deltaSe(g, cov);
      const slopeSe = se([0, bv / (bu * bu), -1 / bu]);
      const interceptSe = se([-1 / bu, b0 / (bu * bu), 0]);
      const byP = fit.p[2]!;
      boundary = {
        equation: `${scale === 'log' ? 'log10 ' : ''}${e.x}: log10 x = intercept + slope · ${scale === 'log' ? `log10 ${e.by}` : e.by}`,
        slope,
        slopeSe,
        slopeCi95: interval(slope, slopeSe),
        intercept,
        interceptSe,
        interceptCi95: interval(intercept, interceptSe),
        rules:
          scale === 'log'
            ? {
                ratio: { slope: 1, z: (slope - 1) / slopeSe, p: waldP(slope, slopeSe, 1) },
                product: { slope: -1, z: (slope + 1) / slopeSe, p: waldP(slope, slopeSe, -1) },
              }
            : null,
        test: { hypothesis: `the boundary does not depend on ${e.by}`, z: fit.z[2]!, p: byP, method: 'Wald' },
        width10to90Decades: width,
      };
      text =
        `phase-logistic: boundary log10 ${e.x} = ${fmt(intercept, 3)} + ${fmt(slope, 3)} · ${scale === 'log' ? `log10 ${e.by}` : e.by}` +
        ` (slope CI [${fmt(interval(slope, slopeSe)?.[0], 3)}, ${fmt(interval(slope, slopeSe)?.[1], 3)}])` +
        (scale === 'log'
          ? `; ratio rule p = ${fmt(waldP(slope, slopeSe, 1), 3)}, product rule p = ${fmt(waldP(slope, slopeSe, -1), 3)}`
          : '');
    }
    return {
      ...base,
      fit: {
        coefficients: coefficientTable(names, fit),
        logLik: fit.logLik,
        penalizedLogLik: fit.penalizedLogLik,
        iterations: fit.iterations,
        converged: fit.converged,
        separated,
        goodnessOfFit: pearsonFit(K, N, fit.fitted, names.length),
      },
      boundary,
      cells: cellRows(fit),
      notes,
      text,
    };
  },
});
