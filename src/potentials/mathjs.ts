/**
 * mathjs, loaded on first use: parsing a formula needs it, but importing it
 * costs ≈ 0.6 s of start-up (its typed-function dispatch tables), which every
 * command without a formula — `stochdyn --help`, a plain run — would pay.
 */
import { createRequire } from 'node:module';
import type * as MathJs from 'mathjs';

let loaded: typeof MathJs | undefined;

export function mathjs(): typeof MathJs {
  return (loaded ??= createRequire(import.meta.url)('mathjs') as typeof MathJs);
}
