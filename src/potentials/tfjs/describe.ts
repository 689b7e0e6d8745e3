/** How the tfjs potential's error messages describe what a model module handed over. */
import type { Tensor } from './types.js';

/** Throws `<where>: <what>: expected <expected>; found <found>` (the prefix is bound by the caller). */
export type Fail = (what: string, expected: string, found: string) => never;

export const fmtShape = (s: readonly number[]) => `[${s.join(', ')}]`;

export const isTensor = (v: unknown): v is Tensor =>
  typeof v === 'object' && v !== null && typeof (v as Tensor).dataSync === 'function' && Array.isArray((v as Tensor).shape);

export const describeValue = (v: unknown): string => {
  if (isTensor(v)) return `a tensor of shape ${fmtShape(v.shape)}`;
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === 'object') return `an object with keys ${Object.keys(v as object).join(', ') || '(none)'}`;
  return `${typeof v} ${JSON.stringify(v)}`;
};

export const firstLine = (e: unknown) => String((e as Error)?.message ?? e).split('\n')[0];
