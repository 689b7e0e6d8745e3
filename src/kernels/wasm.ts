/**
 * Loader of the WebAssembly SIMD kernels (assembly/, built into
 * dist/wasm/kernels.wasm by `npm run build:wasm`). Synchronous: the module is
 * compiled from the file's bytes on first use and instantiated once per
 * thread (module scope is per worker thread, so every worker gets its own
 * instance and memory). When the file is missing or the runtime lacks 128-bit
 * SIMD, `wasmKernels()` says why and the potentials fall back to their plain
 * TypeScript kernels (the reference).
 *
 * Memory: one arena above the module's static data, reused by every call on
 * this thread (calls are synchronous and never nested). A kernel call lays out
 * its inputs, outputs and scratch there, copies in, runs, copies out.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { missingExports } from './registry.js';
import { nativeStatus, type NativeAddon } from '../native/index.js';
import { findPackageRoot } from '../native/package-root.js';

/** Potential families with native kernels (assembly/native/). */
export const NATIVE_POTENTIALS: readonly string[] = ['modular-addition-square', 'relation-learner'];

/** The parts of the WebAssembly JS API used here (the project's lib settings do not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmInstance {
  readonly exports: Record<string, unknown>;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => WasmInstance;
  validate(bytes: Uint8Array): boolean;
}
const WA = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

/** Exports of assembly/index.ts (pointers are byte offsets into `memory`). */
export interface KernelExports {
  memory: WasmMemory;
  heapBase(): number;
  maScratch64(P: number, N: number): number;
  maScratch32(P: number, N: number): number;
  maEnergyGrad64: MaEnergyGrad;
  maEnergyGrad32: MaEnergyGrad;
  rlScratch64(inputs: number, width: number, depth: number): number;
  rlScratch32(inputs: number, width: number, depth: number): number;
  rlEnergyGrad64: RlEnergyGrad;
  rlEnergyGrad32: RlEnergyGrad;
  tsScratch64(d: number, N: number, n: number): number;
  tsScratch32(d: number, N: number, n: number): number;
  tsEnergyGrad64: TsEnergyGrad;
  tsEnergyGrad32: TsEnergyGrad;
  /** `sizes`: byte offset of the L + 1 layer widths [d_in, hidden…, out] (i32), nS = L + 1. */
  taScratch64(sizes: number, nS: number): number;
  taScratch32(sizes: number, nS: number): number;
  taEnergyGrad64: TaEnergyGrad;
  taEnergyGrad32: TaEnergyGrad;
}

export type MaEnergyGrad = (
  x: number,
  count: number,
  dim: number,
  P: number,
  N: number,
  picks: number,
  pickStride: number,
  nPick: number,
  rowN: number,
  rowM: number,
  cls: number,
  off: number,
  g2: number,
  dataScale: number,
  ipw: number,
  ipa: number,
  energy: number,
  grad: number,
  scratch: number,
) => void;

export type RlEnergyGrad = (
  x: number,
  count: number,
  dim: number,
  n: number,
  d: number,
  combine: number,
  depth: number,
  width: number,
  picks: number,
  pickStride: number,
  nPick: number,
  pairs: number,
  labels: number,
  energy: number,
  grad: number,
  scratch: number,
) => void;

export type TsEnergyGrad = (
  x: number,
  count: number,
  dim: number,
  d: number,
  N: number,
  n: number,
  picks: number,
  pickStride: number,
  nPick: number,
  X: number,
  y: number,
  g2: number,
  dataScale: number,
  ipw: number,
  ipa: number,
  energy: number,
  grad: number,
  scratch: number,
) => void;

/** toy-addition: task 0 regression (targets (2p − 1) × d_out f64), 1 classification; act 0 tanh, 1 relu. */
export type TaEnergyGrad = (
  x: number,
  count: number,
  dim: number,
  p: number,
  sizes: number,
  nS: number,
  task: number,
  act: number,
  picks: number,
  pickStride: number,
  nPick: number,
  samples: number,
  targets: number,
  energy: number,
  grad: number,
  scratch: number,
) => void;

/** Kernel arithmetic of a neural potential. */
export type Precision = 'float64' | 'float32';
/**
 * Which kernels a neural potential runs: `auto` = native when the potential
 * has native kernels and the addon is loaded, else wasm when available, else js.
 */
export type KernelChoice = 'auto' | 'js' | 'wasm' | 'native';

export const KERNEL_CHOICES: readonly KernelChoice[] = ['auto', 'js', 'wasm', 'native'];
export const PRECISIONS: readonly Precision[] = ['float64', 'float32'];

/** The module's instance on this thread, with an arena allocator over its memory. */
export class WasmKernels {
  readonly exports: KernelExports;
  private readonly base: number;
  private f64view: Float64Array;
  private i32view: Int32Array;

  constructor(instance: WasmInstance) {
    this.exports = instance.exports as unknown as KernelExports;
    this.base = (this.exports.heapBase() + 63) & ~63;
    this.f64view = new Float64Array(this.exports.memory.buffer);
    this.i32view = new Int32Array(this.exports.memory.buffer);
  }

  /**
   * Lay out regions of the given byte sizes (each 64-aligned) in the arena,
   * growing memory if needed; returns their byte offsets. Views taken before
   * a call to `layout` may be stale: take them after.
   */
  layout(sizes: readonly number[]): number[] {
    const out: number[] = [];
    let p = this.base;
    for (const s of sizes) {
      out.push(p);
      p += (s + 63) & ~63;
    }
    const mem = this.exports.memory;
    if (p > mem.buffer.byteLength) mem.grow(Math.ceil((p - mem.buffer.byteLength) / 65536));
    return out;
  }

  /**
   * One batched energy-and-gradient call: lays out x (count × dim f64), the
   * energies, the gradients, the per-replica picks (i32) and `inputs` (typed
   * arrays copied in as they are), plus `scratchBytes`; copies x, picks and
   * inputs in, runs `kernel` with the byte offsets, copies energies and
   * gradients out.
   */
  energyGradient(
    x: Float64Array,
    count: number,
    dim: number,
    energy: Float64Array,
    grad: Float64Array,
    picks: Int32Array,
    inputs: readonly (Int32Array | Float64Array)[],
    scratchBytes: number,
    kernel: (at: { x: number; energy: number; grad: number; picks: number; inputs: number[]; scratch: number }) => void,
  ): void {
    const n = count * dim;
    const p = this.layout([8 * n, 8 * count, 8 * n, 4 * picks.length, ...inputs.map((a) => a.byteLength), scratchBytes]);
    const f = this.f64;
    const i = this.i32;
    f.set(x.subarray(0, n), p[0] >> 3);
    i.set(picks, p[3] >> 2);
    inputs.forEach((a, k) => (a instanceof Float64Array ? f.set(a, p[4 + k] >> 3) : i.set(a, p[4 + k] >> 2)));
    kernel({ x: p[0], energy: p[1], grad: p[2], picks: p[3], inputs: p.slice(4, 4 + inputs.length), scratch: p[4 + inputs.length] });
    const g = this.f64; // the kernel does not grow memory, but take the view afresh anyway
    energy.set(g.subarray(p[1] >> 3, (p[1] >> 3) + count));
    grad.set(g.subarray(p[2] >> 3, (p[2] >> 3) + n));
  }

  /** Float64 view over the whole memory (fresh after growth). */
  get f64(): Float64Array {
    if (this.f64view.buffer !== this.exports.memory.buffer) this.f64view = new Float64Array(this.exports.memory.buffer);
    return this.f64view;
  }

  /** Int32 view over the whole memory (fresh after growth). */
  get i32(): Int32Array {
    if (this.i32view.buffer !== this.exports.memory.buffer) this.i32view = new Int32Array(this.exports.memory.buffer);
    return this.i32view;
  }
}

export type KernelsStatus = { ok: true; kernels: WasmKernels } | { ok: false; reason: string };

let cached: KernelsStatus | undefined;

/** Where the build puts the module: <package root>/dist/wasm/kernels.wasm. */
export function wasmPath(): string {
  const root = findPackageRoot();
  return root === null ? join('dist', 'wasm', 'kernels.wasm') : join(root, 'dist', 'wasm', 'kernels.wasm');
}

/** A 1-function module using v128: compiles only where 128-bit SIMD is supported. */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00, 0x0a, 0x0a, 0x01, 0x08,
  0x00, 0x41, 0x00, 0xfd, 0x0f, 0xfd, 0x62, 0x0b,
]);

/**
 * This thread's kernels, loaded on first call (`STOCHDYN_KERNELS=js` in the
 * environment disables them, e.g. to check the fallback).
 */
export function wasmKernels(): KernelsStatus {
  if (cached) return cached;
  cached = load();
  return cached;
}

function load(): KernelsStatus {
  if (process.env.STOCHDYN_KERNELS === 'js') return { ok: false, reason: 'disabled by STOCHDYN_KERNELS=js' };
  if (!WA) return { ok: false, reason: 'this runtime has no WebAssembly' };
  if (!WA.validate(SIMD_PROBE)) return { ok: false, reason: 'this runtime lacks WebAssembly 128-bit SIMD' };
  const file = wasmPath();
  if (!existsSync(file)) return { ok: false, reason: `${file} is missing (run 'npm run build')` };
  try {
    const module = new WA.Module(readFileSync(file));
    const instance = new WA.Instance(module, {});
    // A module built before a kernel set was added lacks its exports: fall back rather than fail mid-run.
    const missing = missingExports(instance.exports);
    if (missing.length > 0) return { ok: false, reason: `${file} lacks ${missing.join(', ')} (run 'npm run build')` };
    return { ok: true, kernels: new WasmKernels(instance) };
  } catch (e) {
    return { ok: false, reason: `cannot instantiate ${file}: ${(e as Error).message}` };
  }
}

/** The kernels a potential runs after resolving `auto`, and why (for the run's info line). */
export interface KernelSelection {
  kind: 'js' | 'wasm' | 'native';
  kernels?: WasmKernels;
  /** The loaded addon (kind `native`). */
  native?: NativeAddon;
  /** Why `auto` fell back to js (absent otherwise). */
  fallback?: string;
}

/**
 * Resolve a potential's `kernels` and `precision` params. `wasm` (or float32,
 * which only the wasm and native kernels implement) throws when the module is
 * unavailable; `native` throws when the potential has no native kernels
 * (it is not in NATIVE_POTENTIALS) or the addon is not loaded; `auto` prefers native, then
 * wasm, and falls back to js with the reason.
 */
export function selectKernels(potential: string, choice: KernelChoice, precision: Precision): KernelSelection {
  const hasNative = NATIVE_POTENTIALS.includes(potential);
  if (choice === 'native' || (choice === 'auto' && hasNative)) {
    const st = nativeStatus();
    if (hasNative && st.ok) return { kind: 'native', native: st.addon };
    if (choice === 'native')
      throw new Error(
        hasNative
          ? `${potential}: kernels 'native' unavailable: ${st.ok ? '' : st.reason}`
          : `${potential}: kernels 'native' do not exist for this potential (it has wasm and js kernels; native kernels: ${NATIVE_POTENTIALS.join(', ')})`,
      );
  }
  if (choice === 'js') {
    if (precision === 'float32')
      throw new Error(`${potential}: precision 'float32' needs kernels 'wasm' or 'auto' (the js kernels are float64 only)`);
    return { kind: 'js' };
  }
  const st = wasmKernels();
  if (st.ok) return { kind: 'wasm', kernels: st.kernels };
  if (choice === 'wasm' || precision === 'float32')
    throw new Error(
      `${potential}: kernels 'wasm'${precision === 'float32' ? " (needed by precision 'float32')" : ''} unavailable: ${st.reason}`,
    );
  return { kind: 'js', fallback: st.reason };
}

/** The run's info line for a potential's kernels, e.g. `wasm SIMD, float64` or `js (wasm unavailable: …)`. */
export function kernelsInfo(selection: KernelSelection, precision: Precision): string {
  if (selection.kind === 'native') return `native ${selection.native!.simd}${selection.native!.fma === 'fma' ? '+fma' : ''}, ${precision}`;
  if (selection.kind === 'wasm') return `wasm SIMD, ${precision}`;
  return selection.fallback ? `js (wasm unavailable: ${selection.fallback})` : 'js';
}

/** Validate the `kernels` / `precision` params of a neural potential (clear errors, as the other params). */
export function checkKernelParams(potential: string, kernels: unknown, precision: unknown): void {
  if (!KERNEL_CHOICES.includes(kernels as KernelChoice))
    throw new Error(`${potential}: kernels = ${JSON.stringify(kernels)}, expected one of ${KERNEL_CHOICES.join(', ')}`);
  if (!PRECISIONS.includes(precision as Precision))
    throw new Error(`${potential}: precision = ${JSON.stringify(precision)}, expected one of ${PRECISIONS.join(', ')}`);
}

/** JSON-schema properties of the two params, for the potentials' paramsSchema. */
export const kernelParamsSchema = {
  kernels: {
    enum: [...KERNEL_CHOICES],
    default: 'auto',
    description:
      'auto: native kernels when this potential has them and they are built, else WebAssembly SIMD when available, else plain TypeScript; js | wasm | native: force one (wasm and native fail if unavailable)',
  },
  precision: {
    enum: [...PRECISIONS],
    default: 'float64',
    description: 'arithmetic of the network (float32: wasm kernels only; positions and updates stay float64)',
  },
} as const;
