/**
 * Sweep analysis `crossover` (docs/models.md §1.3): where a metric (the occupancy of
 * a well) crosses a level along a temperature sweep, with a CI (parametric
 * bootstrap or the delta method), vs the harmonic θ* = 2(D₁ − D₂)/Σ ln(k₁/k₂)
 * and the exact crossing by quadrature (two-wells). The abscissa of each
 * point is the θ it integrated (read from its summary.json).
 */
import { resolveTwoWells, type TwoWellsParams } from '../potentials/index.js';
import { Stream } from '../random/rng.js';
import { renderValue } from '../scenario/index.js';
import { sweepKeys } from '../scenario/sweep.js';
import type { Scenario } from '../scenario/types.js';
import { lineFit } from '../stats/regression.js';
import { twoWellsCrossoverTemperature, twoWellsHarmonicOccupancies, twoWellsOccupanciesRadial } from '../theory/two-wells.js';
import { registerAnalysis } from './registry.js';
import {
  checkPath,
  familyParams,
  fmt,
  fmtCi,
  numericPoints,
  pointScenario,
  readMetric,
  readPointX,
  Z95,
  type Issue,
  type Obj,
} from './sweep-points.js';

interface CrossoverEntry {
  x?: string;
  y?: string;
  level?: number;
  well?: number;
  expect?: number;
  log?: boolean;
}

/** First crossing of `level` by linear interpolation of y against u (u = ln x or x), or null. */
function firstCrossing(u: number[], y: number[], level: number): { u: number; i: number } | null {
  for (let i = 0; i + 1 < u.length; i++) {
    const a = y[i] - level,
      b = y[i + 1] - level;
    if (a === 0) return { u: u[i], i };
    if (a * b < 0) return { u: u[i] + ((level - y[i]) / (y[i + 1] - y[i])) * (u[i + 1] - u[i]), i };
  }
  if (y.length > 0 && y[y.length - 1] === level) return { u: u[u.length - 1], i: u.length - 1 };
  return null;
}

/** The two-wells spec of a scenario, if that is its potential. */
function twoWellsSpec(s: Scenario) {
  const fp = familyParams(s);
  if (fp?.kind !== 'two-wells') return null;
  try {
    return resolveTwoWells(fp.params as TwoWellsParams);
  } catch {
    return null;
  }
}

const logit = (p: number) => Math.log(p / (1 - p));

registerAnalysis<CrossoverEntry>({
  kind: 'crossover',
  scope: 'sweep',
  description:
    'where a metric (a well occupancy) crosses a level along a temperature sweep, with a CI; vs θ* = 2(D₁ − D₂)/Σ ln(k₁/k₂) and the exact crossing (two-wells)',
  keys: { x: 'string', y: 'string', level: 'number', well: 'number', expect: 'number', log: 'boolean' },
  check(e, s, _potential, plan) {
    const issues: Issue[] = [...checkPath(e, 'x', s, plan, { sweptOk: true }), ...checkPath(e, 'y', s, plan, { metricOk: true })];
    const swept = s.sweep ? sweepKeys(s.sweep as Obj) : [];
    if (e.x === undefined && !swept.includes('dynamics.temperature'))
      issues.push({
        key: 'x',
        expected: 'the swept temperature key (default dynamics.temperature, which is not swept here)',
        found: 'nothing',
      });
    if (e.y === undefined && !s.observe.observables.includes('well'))
      issues.push({
        key: 'y',
        expected: 'a metric path (default observables.well.final.mean needs the `well` observable)',
        found: 'nothing',
        hint: 'Add well to observe.observables, or give y.',
      });
    if (e.well !== undefined && !(Number.isInteger(e.well) && e.well >= 0 && e.well <= 1))
      issues.push({ key: 'well', expected: 'well index 0 or 1', found: renderValue(e.well) });
    return issues;
  },
  text: (r) => String(r.text ?? ''),
  run(e, ctx) {
    const s = ctx.scenario;
    const xKey = e.x ?? 'dynamics.temperature';
    const yPath = e.y ?? 'observables.well.final.mean';
    const level = e.level ?? 0.5;
    const well = e.well ?? 1;
    const useLog = e.log !== false;
    const notes: string[] = [];
    const spec = twoWellsSpec(s);
    const isotropic =
      spec !== null &&
      spec.k1.every((k) => k === spec.k1[0]) &&
      spec.k2.every((k) => k === spec.k2[0]) &&
      spec.centre1.every((c, j) => j === 0 || c === 0) &&
      spec.centre2.every((c, j) => j === 0 || c === 0);
    const exactOcc = (sp: typeof spec, th: number): number | null => {
      if (!sp) return null;
      try {
        return twoWellsOccupanciesRadial(sp, th).occupancies[well];
      } catch {
        return null;
      }
    };
    const rows = numericPoints(ctx)
      .map((p) => {
        // θ as the point integrated it (its summary), not the swept value before group overrides.
        const x = readPointX(p, xKey, ctx.keys).value;
        const m = readMetric(p.summary, yPath);
        const ps = pointScenario(s, p);
        const sp = twoWellsSpec(ps);
        const exact = x !== null && x > 0 && isotropic ? exactOcc(sp, x) : null;
        const harmonic = x !== null && x > 0 && sp ? twoWellsHarmonicOccupancies(sp.depth1, sp.k1, sp.depth2, sp.k2, x)[well] : null;
        return {
          index: p.index,
          x,
          measured: m.value,
          se: m.se,
          measuredCi:
            m.ci ?? (m.value !== null && m.se !== null ? ([m.value - Z95 * m.se, m.value + Z95 * m.se] as [number, number]) : null),
          exact,
          harmonic,
          ratio: m.value !== null && exact ? m.value / exact : null,
          z: m.value !== null && exact !== null && m.se ? (m.value - exact) / m.se : null,
        };
      })
      .filter((r) => r.x !== null && (!useLog || r.x > 0))
      .sort((a, b) => a.x! - b.x!);
    const used = rows.filter((r) => r.measured !== null);
    const U = used.map((r) => (useLog ? Math.log(r.x!) : r.x!));
    const back = (u: number) => (useLog ? Math.exp(u) : u);
    const Y = used.map((r) => r.measured!);
    const c = firstCrossing(U, Y, level);
    let measured: number | null = null,
      deltaCi: [number, number] | null = null,
      bootCi: [number, number] | null = null,
      bootMissing: number | null = null;
    if (c) {
      measured = back(c.u);
      const i = c.i;
      if (i + 1 < used.length) {
        const dy = Y[i + 1] - Y[i];
        const du = U[i + 1] - U[i];
        const s0 = used[i].se ?? 0,
          s1 = used[i + 1].se ?? 0;
        const varU = (du * du * ((level - Y[i + 1]) ** 2 * s0 * s0 + (level - Y[i]) ** 2 * s1 * s1)) / dy ** 4;
        deltaCi = [back(c.u - Z95 * Math.sqrt(varU)), back(c.u + Z95 * Math.sqrt(varU))];
      }
      if (used.every((r) => r.se !== null)) {
        // Parametric bootstrap: y_i ~ N(y_i, se_i) independently (points are independent runs); a fixed
        // stream of src/random (keyed by the number of points), so deterministic.
        const rng = new Stream('crossover-bootstrap', used.length, 0);
        const B = 2000;
        const us: number[] = [];
        let missing = 0;
        for (let b = 0; b < B; b++) {
          const yb = Y.map((y, k) => y + used[k].se! * rng.normal());
          const cb = firstCrossing(U, yb, level);
          if (cb) us.push(cb.u);
          else missing++;
        }
        us.sort((a, b) => a - b);
        if (us.length >= 0.9 * B) bootCi = [back(us[Math.floor(0.025 * (us.length - 1))]), back(us[Math.ceil(0.975 * (us.length - 1))])];
        bootMissing = missing / B;
      }
      const crossings = Y.slice(0, -1).filter((y, k) => (y - level) * (Y[k + 1] - level) < 0).length;
      if (crossings > 1) notes.push(`${yPath} crosses ${level} ${crossings} times; the first crossing is reported`);
    } else if (used.length > 0) {
      const above = Y.every((y) => y > level);
      notes.push(
        `${yPath} stays ${above ? 'above' : 'below'} ${level} over ${xKey} ∈ [${fmt(used[0].x)}, ${fmt(used[used.length - 1].x)}]: no crossing in the swept range`,
      );
    }
    // Logit fit: logit P = a + b/θ (harmonic wells: a = ΔS, the entropy difference ½Σ ln(k_other/k_this); b = −ΔE).
    let logitFit: Record<string, unknown> | null = null;
    const lu = used.filter((r) => r.measured! > 0 && r.measured! < 1 && r.x! > 0);
    if (lu.length >= 3 && lu.every((r) => r.se !== null && r.se > 0)) {
      const f = lineFit(
        lu.map((r) => 1 / r.x!),
        lu.map((r) => logit(r.measured!)),
        lu.map((r) => r.se! / (r.measured! * (1 - r.measured!))),
      );
      const L0 = logit(level);
      // θ_c = b/(L0 − a); delta method with cov(a, b).
      const thc = f.slope / (L0 - f.intercept);
      let ci: [number, number] | null = null;
      if (f.slopeSe !== null && f.interceptSe !== null && f.covariance !== null) {
        const ga = f.slope / (L0 - f.intercept) ** 2;
        const gb = 1 / (L0 - f.intercept);
        const v = ga * ga * f.interceptSe ** 2 + gb * gb * f.slopeSe ** 2 + 2 * ga * gb * f.covariance;
        ci = v >= 0 ? [thc - Z95 * Math.sqrt(v), thc + Z95 * Math.sqrt(v)] : null;
      }
      const other = 1 - well;
      const th =
        spec !== null
          ? {
              energy: -([spec.depth1, spec.depth2][other] - [spec.depth1, spec.depth2][well]),
              entropy: 0.5 * [spec.k1, spec.k2][other].reduce((acc, k, j) => acc + Math.log(k / [spec.k1, spec.k2][well][j]), 0),
            }
          : null;
      logitFit = {
        model: 'logit y = a + b/θ  (harmonic wells: a = ΔS = ½ Σ ln(k_other/k_this), b = −(D_other − D_this))',
        intercept: f.intercept,
        interceptCi: f.interceptCi,
        slope: f.slope,
        slopeCi: f.slopeCi,
        chi2: f.chi2,
        dof: f.dof,
        pValue: f.pValue,
        crossing: thc > 0 ? thc : null,
        crossingCi: ci,
        harmonic: th ? { intercept: th.entropy, slope: th.energy } : null,
      };
    }
    // Theory: the harmonic θ* (docs/models.md §1.3) and the exact crossing of the quadrature occupancy.
    let theory: number | null = e.expect ?? null;
    let theorySource: string | null = e.expect !== undefined ? 'entry' : null;
    let exactCrossing: number | null = null;
    if (spec) {
      if (theory === null) {
        const t = twoWellsCrossoverTemperature(spec.depth1, spec.k1, spec.depth2, spec.k2);
        theory = Number.isFinite(t) ? t : null;
        theorySource = `harmonic θ* = 2(D₁ − D₂)/Σ_j ln(k₁ⱼ/k₂ⱼ) (d = ${spec.k1.length})`;
      }
      if (isotropic && xKey === 'dynamics.temperature' && level > 0 && level < 1) {
        // Bisection on ln θ of exact occupancy − level, over a bracket found by scanning.
        const g = (lt: number) => (exactOcc(spec, Math.exp(lt)) ?? NaN) - level;
        const lo0 = Math.log(Math.max(1e-3, (used[0]?.x ?? 0.1) / 8));
        const hi0 = Math.log((used[used.length - 1]?.x ?? 1) * 8);
        let a = NaN,
          b = NaN;
        let prev = g(lo0);
        for (let k = 1; k <= 48; k++) {
          const u = lo0 + ((hi0 - lo0) * k) / 48;
          const gu = g(u);
          if (prev * gu <= 0) {
            a = lo0 + ((hi0 - lo0) * (k - 1)) / 48;
            b = u;
            break;
          }
          prev = gu;
        }
        if (Number.isFinite(a)) {
          let ga = g(a);
          for (let it = 0; it < 40 && b - a > 1e-7; it++) {
            const m = 0.5 * (a + b);
            const gm = g(m);
            if (ga * gm <= 0) b = m;
            else {
              a = m;
              ga = gm;
            }
          }
          exactCrossing = Math.exp(0.5 * (a + b));
        }
      } else if (!isotropic) notes.push('exact occupancies need isotropic wells with centres on the x0 axis: only the harmonic theory');
    }
    // Dense theory curves over the swept range (for plots), when the potential is not swept.
    const curve: Array<{ x: number; exact: number | null; harmonic: number }> = [];
    if (spec && xKey === 'dynamics.temperature' && !ctx.keys.some((k) => k.startsWith('potential.')) && used.length >= 2) {
      const x0 = used[0].x!,
        x1 = used[used.length - 1].x!;
      for (let k = 0; k <= 24; k++) {
        const th = useLog ? x0 * Math.pow(x1 / x0, k / 24) : x0 + ((x1 - x0) * k) / 24;
        if (!(th > 0)) continue;
        curve.push({
          x: th,
          exact: isotropic ? exactOcc(spec, th) : null,
          harmonic: twoWellsHarmonicOccupancies(spec.depth1, spec.k1, spec.depth2, spec.k2, th)[well],
        });
      }
    }
    // The exact occupancy interpolated at the same points: separates interpolation bias from statistics.
    const ex = used.every((r) => r.exact !== null)
      ? firstCrossing(
          U,
          used.map((r) => r.exact!),
          level,
        )
      : null;
    const zs = used.map((r) => r.z).filter((z): z is number => z !== null);
    const ci = bootCi ?? deltaCi;
    return {
      quantity: `${xKey} where ${yPath} crosses ${level}`,
      measured,
      measuredCi: ci,
      ciMethod: bootCi
        ? 'parametric bootstrap of the points (y_i ~ N(y_i, se_i)), 2000 draws'
        : deltaCi
          ? 'delta method on the bracketing points'
          : null,
      theory,
      ratio: measured !== null && theory ? measured / theory : null,
      theorySource,
      exact:
        exactCrossing !== null
          ? {
              crossing: exactCrossing,
              ratio: measured !== null ? measured / exactCrossing : null,
              interpolated: ex ? back(ex.u) : null,
              note: 'root of the quadrature occupancy (theory/two-wells.ts); interpolated = the same interpolation applied to the exact occupancies at the swept points',
            }
          : null,
      x: xKey,
      y: yPath,
      level,
      well,
      interpolation: useLog ? `linear in ln ${xKey}` : `linear in ${xKey}`,
      deltaCi,
      bootstrapCi: bootCi,
      bootstrapNoCrossing: bootMissing,
      logitFit,
      maxAbsZ: zs.length ? Math.max(...zs.map(Math.abs)) : null,
      points: rows,
      curve,
      notes,
      text:
        `crossover of ${yPath} through ${level}: ${xKey} = ${fmt(measured)} ${fmtCi(ci)}` +
        (theory !== null ? ` vs θ* ${fmt(theory)} (ratio ${fmt(measured !== null && theory ? measured / theory : null, 3)})` : '') +
        (exactCrossing !== null ? `, exact ${fmt(exactCrossing)}` : '') +
        (zs.length ? `; occupancy vs quadrature max |z| = ${fmt(Math.max(...zs.map(Math.abs)), 2)}` : '') +
        (measured === null && notes.length ? ` (${notes[notes.length - 1]})` : ''),
    };
  },
});
