/**
 * The parameter layout of a tfjs potential: the model's `parameters` list
 * parsed and checked, the flat vector x (each parameter flattened row-major,
 * in declaration order), engine groups, coordinate names, the initialiser and
 * the Gaussian prior terms (float64, in JS).
 */
import type { ParamGroup, Potential } from '../../engine/types.js';
import { describeValue, fmtShape, type Fail } from './describe.js';

export const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface ParamSpec {
  name: string;
  shape: number[];
  size: number;
  offset: number;
  group: string;
  /** 1/s² of the Gaussian prior, 0 when flat. */
  precision: number;
  init:
    | { kind: 'normal'; mean: number; std: number }
    | { kind: 'uniform'; low: number; high: number }
    | { kind: 'values'; values: Float64Array };
}

export function parseParameters(raw: unknown, fail: Fail): ParamSpec[] {
  if (!Array.isArray(raw) || raw.length === 0)
    fail(
      'parameters',
      'a non-empty array of {name, shape, group?, prior?, init?}',
      raw === undefined ? 'nothing (no parameters key)' : describeValue(raw),
    );
  const specs: ParamSpec[] = [];
  let offset = 0;
  (raw as unknown[]).forEach((q, i) => {
    const at = `parameters[${i}]`;
    if (typeof q !== 'object' || q === null || Array.isArray(q))
      fail(at, 'an object {name, shape, group?, prior?, init?}', describeValue(q));
    const e = q as Record<string, unknown>;
    const extra = Object.keys(e).filter((k) => !['name', 'shape', 'group', 'prior', 'init'].includes(k));
    if (extra.length > 0) fail(at, 'only the keys name, shape, group, prior, init', `also ${extra.join(', ')}`);
    if (typeof e.name !== 'string' || !IDENT.test(e.name)) fail(`${at}.name`, 'an identifier (letters, digits, _)', describeValue(e.name));
    const name = e.name as string;
    const here = `parameter '${name}'`;
    if (specs.some((s) => s.name === name)) fail(here, 'a unique name', 'it twice');
    if (!Array.isArray(e.shape) || !e.shape.every((s) => Number.isInteger(s) && (s as number) >= 1))
      fail(`${here}: shape`, 'an array of positive integers ([] for a scalar)', describeValue(e.shape));
    const shape = [...(e.shape as number[])];
    const size = shape.reduce((a, b) => a * b, 1);
    if (e.group !== undefined && (typeof e.group !== 'string' || !IDENT.test(e.group)))
      fail(`${here}: group`, 'an identifier', describeValue(e.group));
    let precision = 0;
    if (e.prior !== undefined && e.prior !== null) {
      const pr = e.prior as Record<string, unknown>;
      const keys = typeof pr === 'object' && !Array.isArray(pr) ? Object.keys(pr) : [];
      const v =
        keys.length === 1 && keys[0] === 'std'
          ? (pr.std as number) ** 2
          : keys.length === 1 && keys[0] === 'variance'
            ? (pr.variance as number)
            : NaN;
      if (!(v > 0 && Number.isFinite(v)))
        fail(`${here}: prior`, '{std: s} or {variance: s²} with s > 0, or null (flat)', describeValue(e.prior));
      precision = 1 / v;
    }
    let init: ParamSpec['init'];
    if (e.init === undefined) init = { kind: 'normal', mean: 0, std: precision > 0 ? 1 / Math.sqrt(precision) : 0 };
    else {
      const it = e.init as Record<string, unknown>;
      const ok = typeof it === 'object' && it !== null && !Array.isArray(it);
      const keys = ok ? Object.keys(it).sort().join(',') : '';
      const expected = '{std, mean?} (normal), {low, high} (uniform) or {values} (fixed, nested like shape or flat)';
      if (keys === 'std' || keys === 'mean,std') {
        const mean = (it.mean ?? 0) as number,
          std = it.std as number;
        if (!(Number.isFinite(mean) && Number.isFinite(std) && std >= 0))
          fail(`${here}: init`, expected + ' with std ≥ 0', describeValue(e.init));
        init = { kind: 'normal', mean, std };
      } else if (keys === 'high,low') {
        const low = it.low as number,
          high = it.high as number;
        if (!(Number.isFinite(low) && Number.isFinite(high) && high > low))
          fail(`${here}: init`, expected + ' with low < high', describeValue(e.init));
        init = { kind: 'uniform', low, high };
      } else if (keys === 'values') {
        const flat = Array.isArray(it.values) ? (it.values as unknown[]).flat(Infinity) : typeof it.values === 'number' ? [it.values] : [];
        if (flat.length !== size || !flat.every((v) => typeof v === 'number' && Number.isFinite(v)))
          fail(`${here}: init.values`, `${size} finite numbers (shape ${fmtShape(shape)})`, describeValue(it.values));
        init = { kind: 'values', values: Float64Array.from(flat as number[]) };
      } else return fail(`${here}: init`, expected, describeValue(e.init));
    }
    specs.push({ name, shape, size, offset, group: (e.group as string | undefined) ?? name, precision, init });
    offset += size;
  });
  return specs;
}

export interface ParameterLayout {
  dim: number;
  /** Consecutive parameters with the same `group` form one engine group (a contiguous slice of x). */
  groups: ParamGroup[];
  /** The shared prior variance of a group whose parameters all have the same Gaussian prior (dynamics.step_size). */
  preconditioner: Record<string, number>;
  /** name (scalar), name_i, name_i_j … per coordinate, row-major. */
  coordinates: string[];
}

/** Groups, preconditioner and coordinate names of the parsed parameters; a group split by another group, or a coordinate name used twice, fails. */
export function parameterLayout(specs: ParamSpec[], fail: Fail): ParameterLayout {
  const dim = specs.reduce((a, p) => a + p.size, 0);
  const groups: ParamGroup[] = [];
  for (const p of specs) {
    const last = groups[groups.length - 1];
    if (last && last.name === p.group) last.size += p.size;
    else {
      if (groups.some((g) => g.name === p.group))
        fail(
          `parameter '${p.name}'`,
          `group '${p.group}' to be declared next to the other parameters of group '${p.group}' (groups are contiguous slices of x)`,
          'another group in between',
        );
      groups.push({ name: p.group, offset: p.offset, size: p.size });
    }
  }
  // A group whose parameters share one Gaussian prior has that variance as its
  // preconditioner (dynamics.step_size); other groups get none (1).
  const preconditioner: Record<string, number> = {};
  for (const g of groups) {
    const own = specs.filter((p) => p.group === g.name);
    if (own.every((p) => p.precision > 0 && p.precision === own[0].precision)) preconditioner[g.name] = 1 / own[0].precision;
  }
  const coordinates: string[] = [];
  for (const p of specs) coordinates.push(...coordinateNames(p));
  const seen = new Map<string, string>();
  for (const [i, c] of coordinates.entries()) {
    const owner = specs.find((p) => i >= p.offset && i < p.offset + p.size)!.name;
    if (seen.has(c))
      fail('parameter names', 'distinct coordinate names (name, name_i, name_i_j …)', `'${c}' from both '${seen.get(c)}' and '${owner}'`);
    seen.set(c, owner);
  }
  return { dim, groups, preconditioner, coordinates };
}

function coordinateNames(p: ParamSpec): string[] {
  if (p.shape.length === 0) return [p.name];
  const names: string[] = [];
  const idx = new Array<number>(p.shape.length).fill(0);
  for (let k = 0; k < p.size; k++) {
    names.push(`${p.name}_${idx.join('_')}`);
    for (let a = p.shape.length - 1; a >= 0; a--) {
      if (++idx[a] < p.shape[a]) break;
      idx[a] = 0;
    }
  }
  return names;
}

/** The initialiser of `ensemble.init: {kind: potential}`: each parameter's declared init (default: a draw from its prior, else zeros). */
export function parameterInitialiser(specs: ParamSpec[]): NonNullable<Potential['initialise']> {
  return (out, offset, normal, uniform) => {
    for (const p of specs) {
      const o = offset + p.offset;
      const it = p.init;
      for (let j = 0; j < p.size; j++) {
        if (it.kind === 'normal') out[o + j] = it.std > 0 ? it.mean + it.std * normal() : it.mean;
        else if (it.kind === 'uniform') out[o + j] = it.low + (it.high - it.low) * uniform();
        else out[o + j] = it.values[j];
      }
    }
  };
}

/** Gaussian priors in float64: U += λ|θ|²/2, ∇U += λθ for every parameter with a prior (λ = 1/s²). */
export function priorTerms(
  specs: ParamSpec[],
  dim: number,
): (x: Float64Array, count: number, energy: Float64Array, grad: Float64Array) => void {
  const priors = specs.filter((p) => p.precision > 0);
  return (x, count, energy, grad) => {
    for (let r = 0; r < count; r++) {
      let e = 0;
      for (const p of priors) {
        const lam = p.precision;
        const o = r * dim + p.offset;
        let s = 0;
        for (let j = o; j < o + p.size; j++) {
          const v = x[j];
          s += v * v;
          grad[j] += lam * v;
        }
        e += 0.5 * lam * s;
      }
      energy[r] += e;
    }
  };
}
