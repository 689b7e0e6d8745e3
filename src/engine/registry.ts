/**
 * One registry shape for every extension point (potentials, integrators,
 * observables, analyses, theory overlays, plots, kernels).
 *
 * - `register` throws on a duplicate name: nothing is silently overwritten.
 * - `get` throws a {@link RegistryLookupError} naming the known entries and,
 *   when one is close, the likeliest intent ("did you mean 'sgld'?");
 *   `find` returns `undefined` instead.
 * - Each entry may carry a JSON Schema fragment (`schema`) for its own
 *   configuration; the scenario schema is assembled from these fragments.
 *
 * It lives in the engine folder because the engine is the lowest layer that
 * has an extension point (integrators); every layer above imports it.
 */
import { closest, distance } from 'fastest-levenshtein';

/** A JSON Schema fragment (draft 2020-12, the dialect ajv validates). */
export type JsonSchema = Record<string, unknown>;

/** What every registry entry has. */
export interface RegistryEntry {
  /** Registry key, as a scenario names it. */
  readonly name: string;
  /** One line for `stochdyn list`. */
  readonly description?: string;
}

/** A name that is not registered; `known` lists the registered names, `suggestion` the closest one. */
export class RegistryLookupError extends Error {
  override readonly name = 'RegistryLookupError';
  constructor(
    message: string,
    readonly what: string,
    readonly requested: string,
    readonly known: readonly string[],
    readonly suggestion?: string,
  ) {
    super(message);
  }
}

export interface Registry<E extends RegistryEntry> {
  /** What the entries are, in the singular (`potential`, `integrator`, …), for messages. */
  readonly what: string;
  /** Add an entry; throws if the name is taken. */
  register(entry: E): E;
  /** The entry of `name`; throws RegistryLookupError (known names, did-you-mean) if there is none. */
  get(name: string): E;
  /** The entry of `name`, or undefined. */
  find(name: string): E | undefined;
  has(name: string): boolean;
  /** Remove an entry (tests and plug-ins that replace a built-in); returns whether it was there. */
  unregister(name: string): boolean;
  /** Entries in registration order. */
  list(): E[];
  /** Registered names in registration order. */
  names(): string[];
}

/**
 * The closest candidate to `word` (case-insensitive): an exact match, an
 * unambiguous prefix, or the nearest by edit distance within max(2, |word|/3).
 */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const lower = candidates.map((c) => c.toLowerCase());
  const w = word.toLowerCase();
  const exact = lower.indexOf(w);
  if (exact >= 0) return candidates[exact];
  // A prefix is the likeliest intent ('lin' → 'linear'), when it is unambiguous.
  const prefixed = lower.filter((c) => w.length >= 2 && c.startsWith(w));
  if (prefixed.length === 1) return candidates[lower.indexOf(prefixed[0])];
  const best = closest(w, lower);
  const d = distance(w, best);
  return d <= Math.max(2, Math.floor(word.length / 3)) ? candidates[lower.indexOf(best)] : undefined;
}

/** Create a registry of `what`s (e.g. `createRegistry<IntegratorEntry>('integrator')`). */
export function createRegistry<E extends RegistryEntry>(what: string): Registry<E> {
  const entries = new Map<string, E>();
  const names = () => [...entries.keys()];
  return {
    what,
    register(entry: E): E {
      if (!entry || typeof entry.name !== 'string' || entry.name === '')
        throw new TypeError(`register ${what}: the name must be a non-empty string`);
      if (entries.has(entry.name)) throw new Error(`${what} '${entry.name}' is already registered (known: ${names().join(', ')})`);
      entries.set(entry.name, entry);
      return entry;
    },
    get(name: string): E {
      const e = entries.get(name);
      if (e) return e;
      const known = names();
      const guess = didYouMean(name, known);
      const hint = guess !== undefined ? ` — did you mean '${guess}'?` : '';
      throw new RegistryLookupError(`unknown ${what} '${name}'${hint} (known: ${known.join(', ') || 'none'})`, what, name, known, guess);
    },
    find: (name) => entries.get(name),
    has: (name) => entries.has(name),
    unregister: (name) => entries.delete(name),
    list: () => [...entries.values()],
    names,
  };
}
