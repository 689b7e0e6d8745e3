/** Option parsers shared by the commands. */
import { InvalidArgumentError } from 'commander';

/** An integer option ≥ min, with a clear message otherwise. */
export const intArg = (name: string, min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}, found '${v}'`);
  return n;
};

/** A repeatable option (`--set a=1 --set b=2`). */
export const collect = (v: string, prev: string[]) => [...prev, v];
