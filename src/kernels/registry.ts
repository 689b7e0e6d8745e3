/**
 * The WebAssembly kernel sets (assembly/, one module dist/wasm/kernels.wasm):
 * one set per neural potential that offers SIMD kernels, each a scratch-size
 * function and a batched energy-and-gradient function in float64 and float32.
 * A `createRegistry` like every extension point: `stochdyn list kernels` and
 * `stochdyn info` read it, and `missingExports` checks a loaded module
 * against it.
 */
import { createRegistry } from '../engine/registry.js';

export interface KernelSetEntry {
  /** Registry key: the prefix of the set's exports (`ma` → maScratch64, maEnergyGrad32, …). */
  readonly name: string;
  /** One line for `stochdyn list kernels`. */
  readonly description: string;
  /** The potential family (`potential.kind`) that runs these kernels with `params.kernels: auto | wasm`. */
  readonly potential: string;
  /** The module exports of the set. */
  readonly exports: readonly string[];
}

/** The kernel-set registry. */
export const kernelSets = createRegistry<KernelSetEntry>('kernel set');

const exportsOf = (prefix: string) => ['Scratch64', 'Scratch32', 'EnergyGrad64', 'EnergyGrad32'].map((s) => `${prefix}${s}`);

const builtIn: KernelSetEntry[] = [
  {
    name: 'ma',
    potential: 'modular-addition-square',
    description: 'energy and gradient of the two-layer square-activation network on (n + m) mod P (assembly/modular-addition.ts)',
    exports: exportsOf('ma'),
  },
  {
    name: 'rl',
    potential: 'relation-learner',
    description: 'energy (mean BCE with logits) and gradient of the GenEFT encoder–decoder (assembly/relation-learner.ts)',
    exports: exportsOf('rl'),
  },
  {
    name: 'ts',
    potential: 'teacher-student-erf',
    description: 'energy and gradient of the student f(x) = Σ a_i erf(w_i · x) (assembly/teacher-student.ts)',
    exports: exportsOf('ts'),
  },
  {
    name: 'ta',
    potential: 'toy-addition',
    description: 'energy and gradient of the toy model of addition of Liu et al., embeddings and MLP decoder (assembly/toy-addition.ts)',
    exports: exportsOf('ta'),
  },
];
for (const entry of builtIn) kernelSets.register(entry);

/** The potential families that have WebAssembly kernels, in registration order. */
export function potentialsWithKernels(): string[] {
  return [...new Set(kernelSets.list().map((k) => k.potential))];
}

/** Exports of registered kernel sets that `exports` (a module's) lacks. */
export function missingExports(exports: Readonly<Record<string, unknown>>): string[] {
  return kernelSets.list().flatMap((k) => k.exports.filter((name) => typeof exports[name] !== 'function'));
}
