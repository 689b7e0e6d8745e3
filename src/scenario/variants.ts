/**
 * Sweep points, regimes and exchange rungs during validation: every point / regime / rung is its
 * overrides applied to the raw document (without `sweep` / `regimes` / `exchange`) and
 * validated again as a scenario of its own. The validator is passed in (it is
 * the loader's, which calls back here for a document with variants).
 */
import { ScenarioError, parsePath, type ScenarioIssue } from './errors.js';
import { isPlainObject, place, startsWith, type Obj, type Origin, type RawIssue } from './issues.js';
import { applyOverride } from './overrides.js';
import { regimeVariants, sweepSize, sweepVariants, type Variant } from './sweep.js';
import type { Scenario } from './types.js';
import { exchangeVariants, type ExchangeSpec } from './exchange-spec.js';

/** Validates one document (the loader's `validate`). */
export type DocumentValidator = (doc: Obj, source: string, origin: Origin) => Scenario;

/** Most points a sweep may have (each is validated when the file is loaded, and run). */
export const MAX_SWEEP_POINTS = 100_000;

/** At most this many failing sweep points / regimes are reported in one error. */
const MAX_VARIANT_FAILURES = 5;

/**
 * The raw document without `sweep` / `regimes` (a shallow copy, not a clone):
 * each variant clones only this, so a sweep of N listed values costs O(N), not
 * O(N²) (a 10,000-value list took 11 s to load and 24 s to expand).
 */
export function withoutVariants(raw: Obj): Obj {
  const { sweep: _sweep, regimes: _regimes, exchange: _exchange, ...rest } = raw;
  return rest;
}

export function validateVariantDoc(rawBase: Obj, source: string, origin: Origin, v: Variant, validate: DocumentValidator): Scenario {
  const doc = structuredClone(rawBase);
  delete doc.sweep;
  delete doc.regimes;
  delete doc.exchange;
  const mark = v.label;
  const sub: Origin = { locate: origin.locate, overrides: [...origin.overrides] };
  const issues: RawIssue[] = [];
  for (const o of v.overrides) applyOverride(doc, o.segments, structuredClone(o.value), mark, sub, issues);
  const relabel = (list: ScenarioIssue[]) =>
    list.map((i) => {
      const own = v.overrides.find((o) => {
        try {
          return startsWith(parsePath(i.path), o.segments);
        } catch {
          return false;
        }
      });
      const out: ScenarioIssue = { path: `${v.label}: ${i.path}`, expected: i.expected, found: i.found };
      const hint = i.hint?.replace(`(Value from ${mark}.)`, '').replace(`(In ${mark}.)`, '').trim();
      if (hint) out.hint = hint;
      const line = own ? origin.locate?.(own.anchor) : i.line;
      if (line !== undefined) out.line = line;
      return out;
    });
  if (issues.length > 0) throw new ScenarioError(source, relabel(place(issues, sub)));
  try {
    return validate(doc, source, sub);
  } catch (e) {
    if (e instanceof ScenarioError) throw new ScenarioError(source, relabel(e.issues));
    throw e;
  }
}

/**
 * Issues of the sweep / regimes of a raw document: a bound on the number of
 * sweep points, then every point / regime validated on its own (at most
 * MAX_VARIANT_FAILURES of the failures are listed). Throws `ScenarioError`.
 */
export function checkVariants(rawDoc: Obj, source: string, origin: Origin, validate: DocumentValidator): void {
  const fail = (issues: RawIssue[]): never => {
    throw new ScenarioError(source, place(issues, origin));
  };
  // A sweep is expanded (and each point validated) below: bound its size first,
  // so that a few long axes in a grid cannot make the loader run out of memory.
  if (isPlainObject(rawDoc.sweep)) {
    const n = sweepSize(rawDoc.sweep);
    if (!(n <= MAX_SWEEP_POINTS))
      fail([
        {
          segs: ['sweep'],
          expected: `a sweep of at most ${MAX_SWEEP_POINTS.toLocaleString('en-US')} points`,
          found: `${n.toLocaleString('en-US')} points`,
          hint: 'Shorten the axes, or split the sweep into several scenarios.',
        },
      ]);
  }
  // Every sweep point / regime must be a valid scenario on its own.
  const variants = isPlainObject(rawDoc.sweep)
    ? sweepVariants(rawDoc.sweep)
    : isPlainObject(rawDoc.regimes)
      ? regimeVariants(rawDoc.regimes)
      : isPlainObject(rawDoc.exchange)
        ? exchangeVariants(rawDoc.exchange as unknown as ExchangeSpec)
        : [];
  if (variants.length > 0) {
    const failed: ScenarioIssue[] = [];
    let failures = 0;
    const base = withoutVariants(rawDoc);
    for (const v of variants) {
      try {
        validateVariantDoc(base, source, origin, v, validate);
      } catch (e) {
        if (!(e instanceof ScenarioError)) throw e;
        if (++failures <= MAX_VARIANT_FAILURES) failed.push(...e.issues);
      }
    }
    if (failures > MAX_VARIANT_FAILURES) {
      const what = isPlainObject(rawDoc.sweep) ? 'sweep points' : isPlainObject(rawDoc.regimes) ? 'regimes' : 'exchange rungs';
      failed.push({
        path: isPlainObject(rawDoc.sweep) ? 'sweep' : isPlainObject(rawDoc.regimes) ? 'regimes' : 'exchange',
        expected: `${what} that are valid scenarios`,
        found: `${failures} of ${variants.length} invalid (the first ${MAX_VARIANT_FAILURES} are listed above)`,
      });
    }
    if (failed.length > 0) throw new ScenarioError(source, failed);
  }
}
