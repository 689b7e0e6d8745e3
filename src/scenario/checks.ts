/**
 * Checks across fields that the schema cannot express (ordered ranges,
 * unique event names, a sample after the burn-in, …), and the checks that
 * need the built potential (`checkAgainstPotential`: observable names,
 * dimensions, parameter groups, data for minibatches).
 */
import { didYouMean, quoteList, renderValue, type ScenarioIssue } from './errors.js';
import { exchangeIssues } from './exchange-spec.js';
import { integratorIssues } from './integrator-checks.js';
import { isPlainObject, origins, place, type Obj, type RawIssue, type Seg } from './issues.js';
import { splittingIssues } from './splitting.js';
import type { Scenario } from './types.js';

/** A long list shortened for a message: the first 8 and the last 2 names with how many there are ("E0, E1, …, b3_7 (1394)"). */
export function abbreviateList(names: readonly string[], head = 8, tail = 2): string {
  if (names.length <= head + tail + 1) return names.join(', ');
  return `${names.slice(0, head).join(', ')}, …, ${names.slice(-tail).join(', ')} (${names.length} in all)`;
}

export function scanNonFinite(v: unknown, segs: Seg[], report: (segs: Seg[], v: number) => void): void {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) report(segs, v);
  } else if (Array.isArray(v)) v.forEach((x, i) => scanNonFinite(x, [...segs, i], report));
  else if (isPlainObject(v)) for (const [k, x] of Object.entries(v)) scanNonFinite(x, [...segs, k], report);
}

/** Checks across fields that the schema cannot express. Defensive: fields may still be invalid here. */
export function semanticChecks(data: Obj): RawIssue[] {
  const issues: RawIssue[] = [];
  const dyn = isPlainObject(data.dynamics) ? data.dynamics : {};
  const obs = isPlainObject(data.observe) ? data.observe : {};
  const ens = isPlainObject(data.ensemble) ? data.ensemble : {};

  if (isPlainObject(data.dynamics) && dyn.lr === undefined && dyn.step_size === undefined)
    issues.push({
      segs: ['dynamics', 'lr'],
      expected: 'a learning rate > 0 (or dynamics.step_size)',
      found: 'nothing',
      hint: 'Every run needs a step size.',
    });
  if (dyn.step_size !== undefined && isPlainObject(dyn.groups))
    for (const [g, gs] of Object.entries(dyn.groups))
      if (isPlainObject(gs) && gs.lr !== undefined)
        issues.push({
          segs: ['dynamics', 'groups', g, 'lr'],
          expected: 'no per-group lr with dynamics.step_size',
          found: renderValue(gs.lr),
          hint: 'dynamics.step_size sets the learning rate of every group; remove one of the two.',
        });

  issues.push(...integratorIssues(dyn));

  if (Array.isArray(obs.histograms))
    obs.histograms.forEach((h: unknown, i: number) => {
      if (!isPlainObject(h)) return;
      const r = h.range;
      if (Array.isArray(r) && r.length === 2 && typeof r[0] === 'number' && typeof r[1] === 'number' && !(r[0] < r[1]))
        issues.push({
          segs: ['observe', 'histograms', i, 'range'],
          expected: '[lo, hi] with lo < hi',
          found: renderValue(r),
          hint: r[0] > r[1] ? 'Swap the two bounds.' : 'The range is empty; widen it.',
        });
      if (Number.isInteger(h.from) && Number.isInteger(dyn.steps) && (h.from as number) > (dyn.steps as number))
        issues.push({
          segs: ['observe', 'histograms', i, 'from'],
          expected: `a step ≤ dynamics.steps (${dyn.steps})`,
          found: renderValue(h.from),
          hint: 'No grid point would be recorded.',
        });
    });

  if (Array.isArray(obs.events)) {
    const seen = new Map<string, number>();
    obs.events.forEach((ev: unknown, i: number) => {
      if (!isPlainObject(ev)) return;
      if (typeof ev.name === 'string') {
        const first = seen.get(ev.name);
        if (first !== undefined)
          issues.push({
            segs: ['observe', 'events', i, 'name'],
            expected: 'a name not used by another event',
            found: renderValue(ev.name),
            hint: `observe.events[${first}] already has this name.`,
          });
        else seen.set(ev.name, i);
      }
      if (isPlainObject(ev.enter))
        for (const [o, b] of Object.entries(ev.enter)) {
          if (!isPlainObject(b)) continue;
          const lo = pickBound(b.ge, b.gt, Math.max);
          const hi = pickBound(b.le, b.lt, Math.min);
          if (lo && hi && (lo.v > hi.v || (lo.v === hi.v && (lo.strict || hi.strict))))
            issues.push({
              segs: ['observe', 'events', i, 'enter', o],
              expected: 'bounds that leave a non-empty region',
              found: renderValue(b),
              hint: 'The lower bound (ge/gt) must lie below the upper bound (le/lt).',
            });
        }
    });
  }

  issues.push(...samplingIssues(data.sampling, dyn, ens));
  issues.push(...boundsIssues(ens.bounds));
  issues.push(...exchangeIssues(data));

  if (isPlainObject(ens.init)) {
    const init = ens.init;
    const pairs: Array<[string, string]> = init.kind === 'normal' ? [['mean', 'std']] : init.kind === 'uniform' ? [['low', 'high']] : [];
    for (const [a, b] of pairs) {
      const va = init[a],
        vb = init[b];
      if (Array.isArray(va) && Array.isArray(vb) && va.length > 1 && vb.length > 1 && va.length !== vb.length)
        issues.push({
          segs: ['ensemble', 'init', b],
          expected: `a number or a list of ${va.length} numbers (as many as ${a})`,
          found: renderValue(vb),
        });
      else if (init.kind === 'uniform' && isNumOrNums(va) && isNumOrNums(vb)) {
        const n = Math.max(asList(va).length, asList(vb).length);
        const lo = asList(va),
          hi = asList(vb);
        for (let j = 0; j < n; j++)
          if (!(lo[lo.length === 1 ? 0 : j] < hi[hi.length === 1 ? 0 : j])) {
            issues.push({
              segs: ['ensemble', 'init', 'high'],
              expected: 'values above low (low < high in every coordinate)',
              found: renderValue(vb),
            });
            break;
          }
      }
    }
  }
  return issues;
}

/** `ensemble.bounds` checks the schema cannot express: one kind of wall per entry, lo < hi. */
function boundsIssues(bounds: unknown): RawIssue[] {
  const issues: RawIssue[] = [];
  if (!isPlainObject(bounds)) return issues;
  for (const [name, wall] of Object.entries(bounds)) {
    if (!isPlainObject(wall)) continue;
    const kinds = Object.keys(wall).filter((k) => k === 'reflect' || k === 'periodic');
    if (kinds.length > 1)
      issues.push({
        segs: ['ensemble', 'bounds', name],
        expected: "exactly one of 'reflect', 'periodic'",
        found: 'both',
        hint: 'A coordinate has one kind of wall; remove one of the two.',
      });
    for (const k of kinds) {
      const r = wall[k];
      if (Array.isArray(r) && r.length === 2 && typeof r[0] === 'number' && typeof r[1] === 'number' && !(r[0] < r[1]))
        issues.push({
          segs: ['ensemble', 'bounds', name, k],
          expected: '[lo, hi] with lo < hi',
          found: renderValue(r),
          hint: r[0] > r[1] ? 'Swap the two bounds.' : 'The box is empty; widen it.',
        });
    }
  }
  return issues;
}

/** Most chain values a run may hold (replicas × samples × chains, 8 bytes each: 160 MB). */
export const MAX_CHAIN_VALUES = 2e7;

/** `sampling:` checks across fields: a sample exists (burn_in ≤ steps), ordered ranges, a bounded chain store. */
function samplingIssues(sampling: unknown, dyn: Obj, ens: Obj): RawIssue[] {
  const issues: RawIssue[] = [];
  if (!isPlainObject(sampling)) return issues;
  const steps = Number.isInteger(dyn.steps) ? (dyn.steps as number) : undefined;
  const burnIn = Number.isInteger(sampling.burn_in) ? (sampling.burn_in as number) : undefined;
  const thin = Number.isInteger(sampling.thin) && (sampling.thin as number) >= 1 ? (sampling.thin as number) : 1;
  if (steps !== undefined && burnIn !== undefined && burnIn > steps)
    issues.push({
      segs: ['sampling', 'burn_in'],
      expected: `a step ≤ dynamics.steps (${steps}), so that at least one sample is taken`,
      found: renderValue(burnIn),
      hint: 'Samples are taken at steps burn_in, burn_in + thin, … up to dynamics.steps; lower burn_in or raise dynamics.steps.',
    });
  else if (steps !== undefined && burnIn !== undefined && Number.isInteger(ens.replicas)) {
    const samples = Math.floor((steps - burnIn) / thin) + 1;
    const chains = Array.isArray(sampling.chains) ? sampling.chains.length : 1;
    const values = (ens.replicas as number) * samples * Math.max(1, chains);
    if (values > MAX_CHAIN_VALUES) {
      const minThin = Math.ceil(
        (steps - burnIn) / Math.max(1, Math.floor(MAX_CHAIN_VALUES / ((ens.replicas as number) * Math.max(1, chains))) - 1),
      );
      issues.push({
        segs: ['sampling', 'thin'],
        expected: `a thinning that keeps replicas × samples × chains ≤ ${MAX_CHAIN_VALUES.toExponential(0)} (thin ≥ ${minThin})`,
        found: `${thin} (${samples} samples × ${ens.replicas} replicas × ${Math.max(1, chains)} chains = ${values.toExponential(2)} values)`,
        hint: 'Raise thin or burn_in, or record fewer chains.',
      });
    }
  }
  if (Array.isArray(sampling.posterior))
    sampling.posterior.forEach((h: unknown, i: number) => {
      if (!isPlainObject(h)) return;
      const r = h.range;
      if (Array.isArray(r) && r.length === 2 && typeof r[0] === 'number' && typeof r[1] === 'number' && !(r[0] < r[1]))
        issues.push({
          segs: ['sampling', 'posterior', i, 'range'],
          expected: '[lo, hi] with lo < hi',
          found: renderValue(r),
          hint: r[0] > r[1] ? 'Swap the two bounds.' : 'The range is empty; widen it.',
        });
    });
  return issues;
}

function pickBound(
  inclusive: unknown,
  strict: unknown,
  pick: (a: number, b: number) => number,
): { v: number; strict: boolean } | undefined {
  const a = typeof inclusive === 'number' ? inclusive : undefined;
  const b = typeof strict === 'number' ? strict : undefined;
  if (a === undefined && b === undefined) return undefined;
  if (a === undefined) return { v: b as number, strict: true };
  if (b === undefined) return { v: a, strict: false };
  const v = pick(a, b);
  return { v, strict: v === b };
}

const isNumOrNums = (v: unknown): v is number | number[] =>
  typeof v === 'number' || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number'));
const asList = (v: number | number[]): number[] => (typeof v === 'number' ? [v] : v);

/**
 * Checks that need the built potential (done by the engine side once it has
 * one): observable names exist, initial-condition dimensions fit, group names
 * exist, minibatches have data. Returns issues in the loader's format (with
 * lines when `s` came from `loadScenario`); throw them as
 * `new ScenarioError(s.source, issues)`.
 *
 * @param knownObservables whether an observable name can be computed for this potential
 * @param observableNames optional list of known names, used for "did you mean" hints
 */
export function checkAgainstPotential(
  s: Scenario,
  p: {
    dim: number;
    coordinates: readonly string[];
    groups: readonly { name: string }[];
    dataSize?: number;
    predictive?: unknown;
    name?: string;
    observables?: readonly { name: string; units: number }[];
  },
  knownObservables: (name: string) => boolean,
  observableNames: readonly string[] = [],
): ScenarioIssue[] {
  const issues: RawIssue[] = [];
  const candidates = [...new Set([...observableNames, ...p.coordinates])];
  const checkObservable = (name: string, segs: Seg[]) => {
    if (knownObservables(name)) return;
    const guess = didYouMean(name, candidates);
    issues.push({
      segs,
      expected: 'a known observable',
      found: renderValue(name),
      hint: [
        guess ? `Did you mean '${guess}'?` : '',
        `Coordinates of this potential: ${abbreviateList(p.coordinates)}; see \`stochdyn list observables\`.`,
      ]
        .filter(Boolean)
        .join(' '),
    });
  };
  s.observe.observables.forEach((o, i) => checkObservable(o, ['observe', 'observables', i]));
  s.observe.histograms.forEach((h, i) => checkObservable(h.of, ['observe', 'histograms', i, 'of']));
  s.observe.events.forEach((ev, i) => {
    for (const o of Object.keys(ev.enter)) checkObservable(o, ['observe', 'events', i, 'enter', o]);
  });
  if (s.sampling) {
    s.sampling.chains.forEach((o, i) => checkObservable(o, ['sampling', 'chains', i]));
    s.sampling.posterior.forEach((h, i) => checkObservable(h.of, ['sampling', 'posterior', i, 'of']));
    if (s.sampling.predictive === true && !p.predictive)
      issues.push({
        segs: ['sampling', 'predictive'],
        expected: `false (or no predictive key): potential${p.name ? ` '${p.name}'` : ''} defines no posterior predictive`,
        found: 'true',
        hint: 'Only potentials with a held-out set or trained on every point (e.g. modular-addition-square, teacher-student-erf) define one.',
      });
  }

  const init = s.ensemble.init as Obj;
  for (const key of ['x', 'mean', 'std', 'low', 'high']) {
    const v = init[key];
    if (Array.isArray(v) && v.length !== 1 && v.length !== p.dim)
      issues.push({
        segs: ['ensemble', 'init', key],
        expected: `a number or a list of ${p.dim} numbers (the potential has dim = ${p.dim})`,
        found: `a list of ${v.length}: ${renderValue(v)}`,
      });
  }

  const groupNames = p.groups.map((g) => g.name);
  issues.push(...boundsAgainstPotential(s, p));
  for (const name of Object.keys(s.dynamics.groups)) {
    if (groupNames.includes(name)) continue;
    const guess = didYouMean(name, groupNames);
    issues.push({
      segs: ['dynamics', 'groups', name],
      expected: `a parameter group of the potential (${quoteList(groupNames)})`,
      found: renderValue(name),
      hint: guess ? `Did you mean '${guess}'?` : undefined,
    });
  }

  if (s.dynamics.batch_size !== null && !p.dataSize)
    issues.push({
      segs: ['dynamics', 'batch_size'],
      expected: 'null (full batch): this potential has no data set to draw minibatches from',
      found: renderValue(s.dynamics.batch_size),
      hint: 'Remove batch_size, or use a potential whose energy is a sum over data.',
    });

  if (s.splitting) {
    const init = s.ensemble.init;
    const scalars = (p.observables ?? []).filter((o) => o.units === 1).map((o) => o.name);
    issues.push(...splittingIssues(s.splitting, s.observe.events, p.coordinates, init.kind === 'point' ? init.x : undefined, scalars));
  }

  return place(issues, origins.get(s) ?? { overrides: [] });
}

/**
 * `ensemble.bounds` against the potential: every key is a coordinate name
 * (`x`, `x[3]`), a parameter group or '*'; a point start lies inside every box.
 */
function boundsAgainstPotential(
  s: Scenario,
  p: { dim: number; coordinates: readonly string[]; groups: readonly { name: string }[] },
): RawIssue[] {
  const issues: RawIssue[] = [];
  const bounds = s.ensemble.bounds;
  if (!bounds) return issues;
  const names = [...p.coordinates, ...p.groups.map((g) => g.name).filter((g) => !p.coordinates.includes(g)), '*'];
  const init = s.ensemble.init;
  for (const [name, wall] of Object.entries(bounds)) {
    const indexed = /^x\[(\d+)\]$/.exec(name);
    const known = names.includes(name) || (indexed !== null && Number(indexed[1]) < p.dim);
    if (!known) {
      const guess = didYouMean(name, names);
      issues.push({
        segs: ['ensemble', 'bounds', name],
        expected: `a coordinate of the potential (${quoteList(p.coordinates.slice(0, 12))}${p.coordinates.length > 12 ? ', …' : ''}), a parameter group or '*'`,
        found: renderValue(name),
        hint: guess ? `Did you mean '${guess}'?` : undefined,
      });
      continue;
    }
    if (init.kind !== 'point') continue;
    const [lo, hi] = 'reflect' in wall ? wall.reflect : wall.periodic;
    const kind = 'reflect' in wall ? 'reflect' : 'periodic';
    const coordinates = coordinatesNamed(name, p);
    for (const j of coordinates) {
      const x0 = init.x.length === 1 ? init.x[0] : init.x[j];
      if (x0 === undefined) continue;
      const inside = kind === 'reflect' ? x0 >= lo && x0 <= hi : x0 >= lo && x0 < hi;
      if (!inside) {
        issues.push({
          segs: ['ensemble', 'init', 'x'],
          expected: `a start inside ensemble.bounds.${name} (${kind} [${lo}, ${hi}${kind === 'reflect' ? ']' : ')'})`,
          found: `${p.coordinates[j] ?? `x[${j}]`} = ${x0}`,
          hint: 'Move the start into the box, or widen the box.',
        });
        break;
      }
    }
  }
  return issues;
}

/** Coordinate indices an `ensemble.bounds` key denotes (a coordinate name, `x[i]`, a group, or '*'). */
export function coordinatesNamed(
  name: string,
  p: { dim: number; coordinates: readonly string[]; groups: readonly { name: string; offset?: number; size?: number }[] },
): number[] {
  if (name === '*') return Array.from({ length: p.dim }, (_, j) => j);
  const j = p.coordinates.indexOf(name);
  if (j >= 0) return [j];
  const indexed = /^x\[(\d+)\]$/.exec(name);
  if (indexed && Number(indexed[1]) < p.dim) return [Number(indexed[1])];
  const g = p.groups.find((q) => q.name === name);
  if (g && g.offset !== undefined && g.size !== undefined) return Array.from({ length: g.size }, (_, k) => g.offset! + k);
  return [];
}
