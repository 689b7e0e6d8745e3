/**
 * Helpers shared by the built-in plots: the shared look (palette, size, axis
 * config), display labels of keys and observables, the scale a sweep's values
 * ask for, the time axis of traces, Kaplan–Meier curves from events.csv and
 * thinning.
 */
import { kaplanMeier } from '../../stats/first-passage.js';
import { column } from '../../results/read.js';
import type { RunData, TraceRow } from '../../results/types.js';

/** Default figure size (the drawing area, in px): every single-panel figure has it. */
export const WIDTH = 520;
export const HEIGHT = 230;

/**
 * The categorical palette of every figure: Okabe & Ito's colour-blind-safe
 * set (Okabe & Ito 2008, "Color Universal Design"), blue first and the yellow,
 * which is faint on white, last.
 */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#000000', '#F0E442'] as const;
/** Named members of {@link PALETTE}, for figures that give a series a fixed role. */
export const COLOR = {
  blue: PALETTE[0],
  orange: PALETTE[1],
  green: PALETTE[2],
  vermillion: PALETTE[3],
  purple: PALETTE[4],
  sky: PALETTE[5],
  black: PALETTE[6],
  yellow: PALETTE[7],
  grey: '#999999',
} as const;
/** Tints of the palette's blue (35 % and 65 % of it over white) for nested quantile bands under a blue median. */
export const BLUE_TINTS = ['#A6CEE4', '#59A3CD'] as const;
/** Opacity of confidence and quantile bands (visible, yet lines drawn over them stay readable). */
export const BAND_OPACITY = 0.25;

/**
 * The figure-level Vega-Lite config every builder attaches (`config` of the
 * spec; the renderer merges it over its fonts and axis defaults): the
 * palette for every categorical scale and sequential schemes that stay
 * readable for colour-blind readers.
 */
export const FIGURE_CONFIG = {
  range: {
    category: [...PALETTE] as string[],
    ordinal: { scheme: 'viridis' },
    ramp: { scheme: 'viridis' },
    heatmap: { scheme: 'viridis' },
  },
  legend: { labelFontSize: 11, titleFontSize: 11, labelLimit: 320, symbolStrokeWidth: 2 },
};

/** A figure with the shared size and config; `width`/`height` of `spec` win (e.g. a row of panels). */
export function figure<T extends object>(spec: T): T & { width: number; height: number; config: typeof FIGURE_CONFIG } {
  return { width: WIDTH, height: HEIGHT, ...spec, config: FIGURE_CONFIG };
}

/**
 * The axis of a log scale over [min, max]: ticks at the powers of ten only
 * (no minor ticks or grid lines between them, which read as a barcode), or
 * 1-2-5 ticks when the range spans fewer than three powers of ten.
 */
export function logAxis(min: number, max: number): { values?: number[]; tickCount?: number; format: string } {
  if (!(min > 0) || !(max > min)) return { tickCount: 5, format: '~g' };
  const lo = Math.ceil(Math.log10(min) - 1e-9),
    hi = Math.floor(Math.log10(max) + 1e-9);
  if (hi - lo >= 2) {
    const step = Math.max(1, Math.ceil((hi - lo + 1) / 8));
    const values: number[] = [];
    for (let k = lo; k <= hi; k += step) values.push(Number(`1e${k}`));
    return { values, format: '~g' };
  }
  // Fewer than three powers of ten inside: the 1-2-5 ticks inside the range.
  const values: number[] = [];
  for (let k = Math.floor(Math.log10(min)); k <= Math.ceil(Math.log10(max)); k++)
    for (const m of [1, 2, 5]) {
      const v = m * Math.pow(10, k);
      if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) values.push(Number(v.toPrecision(6)));
    }
  return values.length >= 2 ? { values, format: '~g' } : { tickCount: 4, format: '~g' };
}

/** A quantitative scale and axis for values on a log or linear axis (log: the decade ticks of {@link logAxis}). */
export function quantScale(values: Array<number | null | undefined>, log: boolean, extra: object = {}): { scale: object; axis?: object } {
  if (!log) return { scale: { zero: false, ...extra } };
  const v = values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0);
  return { scale: { type: 'log', nice: false, ...extra }, axis: v.length ? logAxis(Math.min(...v), Math.max(...v)) : { tickCount: 5 } };
}

/**
 * The x encoding's scale and axis of a swept key: log or linear as the sweep
 * asks ({@link sweepScale}), without padding to "nice" ends, and with ticks
 * at the swept values themselves when there are at most ten of them.
 */
export function sweepAxis(values: Array<number | null>, log: boolean): { scale: object; axis?: object } {
  const v = [...new Set(values.filter((x): x is number => x !== null && Number.isFinite(x) && (!log || x > 0)))].sort((a, b) => a - b);
  if (v.length === 0) return { scale: log ? { type: 'log' } : { zero: false } };
  const pad = log ? Math.pow(v[v.length - 1] / v[0], 0.04) : 0.04 * (v[v.length - 1] - v[0] || 1);
  const domain = log ? [v[0] / pad, v[v.length - 1] * pad] : [v[0] - pad, v[v.length - 1] + pad];
  const scale = log ? { type: 'log', domain, nice: false } : { zero: false, domain, nice: false };
  if (v.length <= 10) return { scale, axis: { values: v, format: '.3~g', labelOverlap: true } };
  return { scale, ...(log ? { axis: logAxis(v[0], v[v.length - 1]) } : {}) };
}

/** The x encoding of a figure against a swept key: its label, and the scale and ticks of {@link sweepAxis}. */
export function sweepXEncoding(key: string, values: Array<number | null>, log: boolean) {
  return { field: 'x', type: 'quantitative' as const, title: keyLabel(key), ...sweepAxis(values, log) };
}

// ------------------------------------------------------------------ labels

/** Display names of well-known scenario keys (by the last segments of the dotted path). */
const KEY_LABELS: Array<[RegExp, string]> = [
  [/(^|\.)(temperature|theta)$/, 'θ (temperature)'],
  [/(^|\.)(lr|step_size|learning_rate|eta)$/, 'η (learning rate)'],
  [/(^|\.)sigma2$/, 'σ²'],
  [/(^|\.)sigma$/, 'σ'],
  [/(^|\.)epsilon$/, 'ε'],
  [/(^|\.)lambda$/, 'λ'],
  [/(^|\.)alpha$/, 'α'],
  [/(^|\.)beta$/, 'β'],
  [/(^|\.)gamma$/, 'γ'],
  [/(^|\.)friction$/, 'γ (friction)'],
  [/(^|\.)train_fraction$/, 'training fraction'],
  [/(^|\.)replicas$/, 'N (replicas)'],
  [/^dynamics\.steps$/, 'steps'],
  [/^potential\.params\.h$/, 'h (barrier)'],
];

/**
 * The axis or legend label of a scenario key (`dynamics.temperature` → "θ
 * (temperature)", `potential.params.sigma2` → "σ²"), else its last path
 * segment with underscores as spaces; never a dotted path.
 */
export function keyLabel(key: string): string {
  // A per-group setting names its group: dynamics.groups.encoder.lr → "η_encoder (learning rate)".
  const group = /^dynamics\.groups\.([^.]+)\.(.+)$/.exec(key);
  if (group) {
    const inner = keyLabel(`dynamics.${group[2]}`);
    const m = /^(\S+)( \(.*)$/.exec(inner);
    return m ? `${m[1]}_${group[1]}${m[2]}` : `${inner} (${group[1]})`;
  }
  for (const [re, label] of KEY_LABELS) if (re.test(key)) return label;
  return lastSegment(key);
}

/** The short symbol of a key for legends ("θ", "η", "σ²"), else its last path segment. */
export function keySymbol(key: string): string {
  const l = keyLabel(key);
  const m = /^(\S+) \(/.exec(l);
  return m ? m[1] : l;
}

/** The last segment of a dotted path (`potential.params.sigma2` → "sigma2", `x[0]` stays), underscores as spaces. */
export function lastSegment(key: string): string {
  const cut = key.replace(/\[[^\]]*\]/g, (m) => m.replace(/\./g, '\u0000')).lastIndexOf('.');
  return key.slice(cut + 1).replace(/_/g, ' ');
}

/**
 * The label of a sweep.csv metric column (docs/outputs.md, sweep.csv):
 * `escape_mfpt_time` → "MFPT of 'escape' (time)", `x_mean` → "x (final
 * mean)", … (short enough for an axis); other columns by {@link keyLabel}.
 */
export function metricLabel(column: string): string {
  const patterns: Array<[RegExp, (m: RegExpExecArray) => string]> = [
    // sweep.csv columns (no dots: a dotted path such as potential.params.train_fraction is a key)
    [/^([^.]+)_mfpt_time$/, (m) => `MFPT of '${m[1]}' (time)`],
    [/^([^.]+)_mfpt_steps$/, (m) => `MFPT of '${m[1]}' (steps)`],
    [/^([^.]+)_fraction$/, (m) => `fraction entered '${m[1]}'`],
    [/^([^.]+)_entered$/, (m) => `replicas entered '${m[1]}'`],
    [/^([^.]+)_mean$/, (m) => `${observableLabel(m[1])} (final mean)`],
    [/^([^.]+)_q50$/, (m) => `${observableLabel(m[1])} (final median)`],
    [/^([^.]+)_sem$/, (m) => `${observableLabel(m[1])} (standard error)`],
    [/^diverged$/, () => 'diverged replicas'],
    // summary.json paths, as sweep analyses name their x and y
    [/^events\.([^.]+)\.mfpt\.time$/, (m) => `MFPT of '${m[1]}' (time)`],
    [/^events\.([^.]+)\.mfpt\.steps$/, (m) => `MFPT of '${m[1]}' (steps)`],
    [/^events\.([^.]+)\.fractionEntered$/, (m) => `fraction entered '${m[1]}'`],
    [/^events\.([^.]+)\.medianSteps$/, (m) => `median steps to '${m[1]}'`],
    [/^analyses\[\d+\]\.tGrok\.(steps|time)$/, (m) => `t_grok (${m[1]})`],
    [/^analyses\[\d+\]\.tMem\.(steps|time)$/, (m) => `t_mem (${m[1]})`],
    [/^events\.([^.]+)\.rate\.perTime$/, (m) => `rate of '${m[1]}' (per time)`],
    [/^observables\.([^.]+)\.final\.(mean|q50)$/, (m) => `${observableLabel(m[1])} (final ${m[2] === 'q50' ? 'median' : 'mean'})`],
  ];
  for (const [re, f] of patterns) {
    const m = re.exec(column);
    if (m) return f(m);
  }
  if (column.includes('.')) return keyLabel(column);
  return column.replace(/_/g, ' ');
}

/** The label of an observable (traces, chains): `grad_norm` → "|∇f|", `x[0]` stays; else the name with spaces for underscores. */
export function observableLabel(name: string): string {
  if (name === 'grad_norm') return '|∇f|';
  if (name === 'radius') return '|x|';
  return name.replace(/_/g, ' ');
}

/** The time-axis title: t in physical time units (t = step·η), or the step count. */
export const TIME_TITLE = 't (time, t = step·η)';
export const STEP_TITLE = 't (steps)';

// ------------------------------------------------------------------ sweep spacing

/**
 * Whether distinct positive values are geometrically spaced: at least three,
 * the ratios of neighbours equal (within 5 %) while the differences are not.
 */
export function isGeometric(values: Array<number | null | undefined>): boolean {
  const v = [...new Set(values.filter((x): x is number => typeof x === 'number' && Number.isFinite(x)))].sort((a, b) => a - b);
  if (v.length < 3 || v[0] <= 0) return false;
  const ratios = v.slice(1).map((x, i) => x / v[i]);
  const diffs = v.slice(1).map((x, i) => x - v[i]);
  const rel = (a: number[]) => (Math.max(...a) - Math.min(...a)) / Math.max(...a.map(Math.abs));
  return Math.max(...ratios) / Math.min(...ratios) - 1 <= 0.05 && rel(diffs) > 0.05;
}

/**
 * The scale a swept key asks for. The sweep definition in sweep.json's
 * scenario decides (`{log: …}` → log, `{linear: …}` → linear); a list of
 * values is log when geometrically spaced ({@link isGeometric}), linear when
 * evenly spaced, and otherwise log when positive values span ≥ 20×.
 */
export function sweepScale(meta: Record<string, unknown> | null | undefined, key: string, values: Array<number | null>): 'log' | 'linear' {
  const sweep = (meta?.scenario as { sweep?: Record<string, unknown> } | undefined)?.sweep;
  const def = sweep && typeof sweep === 'object' ? sweep[key] : undefined;
  const positive = values.every((x) => x === null || x > 0);
  if (def && typeof def === 'object' && !Array.isArray(def)) {
    if ('log' in def && positive) return 'log';
    if ('linear' in def) return 'linear';
  }
  if (!positive) return 'linear';
  if (isGeometric(values)) return 'log';
  const v = [...new Set(values.filter((x): x is number => x !== null))].sort((a, b) => a - b);
  const diffs = v.slice(1).map((x, i) => x - v[i]);
  if (v.length >= 3 && Math.max(...diffs) / Math.min(...diffs) - 1 <= 0.05) return 'linear';
  return wantsLog(values) ? 'log' : 'linear';
}

/** Format a number for titles and captions (4 significant digits). */
export const fmt = (v: number | null | undefined, digits = 4): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : Number(v.toPrecision(digits)).toString();

/** The observation grid kind of a run: from scenario.resolved.json, else inferred from the spacing of the steps. */
export function gridKind(run: RunData): 'log' | 'linear' {
  const k = run.scenario?.observe?.grid?.kind;
  if (k === 'log' || k === 'linear') return k;
  const steps = [...new Set(run.traces.map((t) => t.step))].filter((s) => s > 0).sort((a, b) => a - b);
  if (steps.length < 4) return 'linear';
  const d = steps.slice(1).map((s, i) => s - steps[i]);
  return Math.max(...d) / Math.max(1, Math.min(...d)) > 4 ? 'log' : 'linear';
}

/** Observables of a run's traces, in first-appearance order. */
export function traceObservables(run: RunData): string[] {
  return [...new Set(run.traces.map((t) => t.observable))];
}

/** Trace rows of one observable that can go on the time axis (time > 0 on a log axis). */
export function traceRows(run: RunData, observable: string, log: boolean): TraceRow[] {
  return run.traces.filter((t) => t.observable === observable && (!log || t.time > 0));
}

export interface SurvivalCurve {
  /** Step-function points (time, S), starting at (0, 1) and ending at the censoring horizon. */
  points: Array<{ time: number; s: number; lower: number; upper: number }>;
  replicas: number;
  entered: number;
  /** Physical time of the last step (the censoring horizon). */
  horizon: number;
}

/**
 * Kaplan–Meier survival of an event from events.csv (physical time t = step·η).
 * Replicas that never entered are censored at the last step `run.steps`;
 * replicas that diverged first (finals.csv `diverged_step`) at their divergence
 * step, as in summary.json.
 */
export function survivalCurve(run: RunData, event: string, maxPoints = 1500): SurvivalCurve | null {
  const ev = run.events;
  const e = ev ? ev.names.indexOf(event) : -1;
  if (!ev || e < 0) return null;
  const steps = run.summary.run.steps;
  const lr = run.summary.run.lr;
  const first = ev.firstStep[e];
  const diverged = run.finals ? column(run.finals, 'diverged_step') : [];
  const n = first.length;
  const observed = new Float64Array(n);
  const isEvent = new Uint8Array(n);
  let entered = 0;
  for (let i = 0; i < n; i++) {
    const d = diverged[i];
    const censor = d !== null && d !== undefined && d >= 0 ? Math.min(d, steps) : steps;
    const t = first[i];
    if (t !== null && t >= 0 && t <= censor) {
      observed[i] = t;
      isEvent[i] = 1;
      entered++;
    } else observed[i] = censor;
  }
  const km = kaplanMeier(observed, isEvent);
  const pts: SurvivalCurve['points'] = [{ time: 0, s: 1, lower: 1, upper: 1 }];
  // Thin to about maxPoints steps: keep a point when S moved by ≥ 1/maxPoints since the last kept one.
  const tol = 1 / maxPoints;
  let last = 1;
  for (let k = 0; k < km.times.length; k++) {
    const s = km.survival[k];
    const isLast = k === km.times.length - 1;
    if (Math.abs(last - s) >= tol || isLast) {
      pts.push({ time: km.times[k] * lr, s, lower: km.lower[k], upper: km.upper[k] });
      last = s;
    }
  }
  const end = pts[pts.length - 1];
  if (end.time < steps * lr) pts.push({ ...end, time: steps * lr });
  return { points: pts, replicas: n, entered, horizon: steps * lr };
}

/** The mfpt-1d theory entry of an event in summary.json, if any. */
export function mfptTheory(run: RunData, event: string): { exactTime?: number; kramersTime?: number } | null {
  for (const t of run.summary.theory as Array<Record<string, unknown>>) {
    if (t && t.kind === 'mfpt-1d' && t.event === event) return t as { exactTime?: number; kramersTime?: number };
  }
  return null;
}

/** Whether positive values span enough decades to deserve a log axis. */
export function wantsLog(values: Array<number | null>): boolean {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length < 3 || v.some((x) => x <= 0)) return false;
  return Math.max(...v) / Math.min(...v) >= 20;
}

/** Evaluate f on n+1 evenly spaced points of [a, b]. */
export function sample(a: number, b: number, n: number, f: (x: number) => number): Array<{ x: number; y: number }> {
  return Array.from({ length: n + 1 }, (_, i) => {
    const x = a + ((b - a) * i) / n;
    return { x, y: f(x) };
  });
}
