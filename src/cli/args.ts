/** Option parsers shared by the commands. */
import { availableParallelism } from 'node:os';
import { InvalidArgumentError } from 'commander';

/** An integer option ≥ min, with a clear message otherwise. */
export const intArg = (name: string, min: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}, found '${v}'`);
  return n;
};

/** A number option ≥ min (finite), with a clear message otherwise. */
export const numberArg = (name: string, min: number) => (v: string) => {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min) throw new InvalidArgumentError(`${name} must be a number ≥ ${min}, found '${v}'`);
  return n;
};

/**
 * `--workers N`: worker threads, at most one per core. More threads than
 * cores only time-slice (measured: 99 workers on 2 cores ran 2–3× slower with
 * 5× the memory), and results do not depend on the count, so a larger N is
 * capped with a one-line notice on stderr.
 */
export function workersArg(v: string): number {
  const n = intArg('--workers', 0)(v);
  const cores = availableParallelism();
  if (n <= cores) return n;
  process.stderr.write(
    `note: --workers ${n} is more than the ${cores} cores of this machine; using ${cores} (results do not depend on the number of workers)\n`,
  );
  return cores;
}

/** A repeatable option (`--set a=1 --set b=2`). */
export const collect = (v: string, prev: string[]) => [...prev, v];

/** `--kernels auto|js|wasm|native`: the kernels of potentials that have WASM kernels (a scenario override of potential.params.kernels; a potential whose params schema lacks `kernels` refuses it). */
export const KERNELS_HELP =
  'kernels of the neural potentials with WebAssembly kernels (modular-addition-square, relation-learner, teacher-student-erf, toy-addition): auto (native, then wasm, when available), js (plain TypeScript), wasm or native (relation-learner only); sets potential.params.kernels';

export function kernelsArg(v: string): 'auto' | 'js' | 'wasm' | 'native' {
  if (v !== 'auto' && v !== 'js' && v !== 'wasm' && v !== 'native')
    throw new InvalidArgumentError(`--kernels must be auto, js, wasm or native, found '${v}'`);
  return v;
}

/** The --set list with --kernels added as an override of potential.params.kernels. */
export function withKernels(set: string[], kernels: string | undefined): string[] {
  return kernels ? [...set, `potential.params.kernels=${kernels}`] : set;
}
