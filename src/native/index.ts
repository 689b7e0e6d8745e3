/**
 * Loader of the native kernels (assembly/native/stochdyn.c, an N-API addon
 * that `npm install` / `npm run build` compiles with node-gyp when a C
 * compiler and Node's headers are present). They are a faster route to the
 * same numbers: each computes exactly the floating-point operations of its
 * TypeScript twin in the same order (no fused multiply-adds), so a run gives
 * the same bytes with or without them. When the addon is missing, fails to
 * load or is switched off (`STOCHDYN_NATIVE=0`, or `STOCHDYN_KERNELS=js`),
 * `nativeKernels()` says why and the callers keep their TypeScript loops.
 *
 * Loaded synchronously, once per thread (a context-aware addon: every worker
 * thread may load it).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { findPackageRoot } from './package-root.js';

/** The addon's exports (assembly/native/stochdyn.c documents each). */
export interface NativeAddon {
  /** `avx2` or `scalar`: the instruction set the addon was compiled for. */
  readonly simd: string;
  /** `fma` when the network kernels use fused multiply-adds, else `none`. */
  readonly fma: string;
  /** `libmvec` (glibc's vector tanh) or `libm` (per lane): the tanh of the network kernels. */
  readonly tanh: string;
  setTables(kn: Int32Array, wn: Float64Array): void;
  fillNormals(
    states: Uint32Array,
    count: number,
    perStep: number,
    K: number,
    out: Float64Array,
    fixIdx: Int32Array,
    fixWord: Int32Array,
    fixRep: Int32Array,
    io: Int32Array,
  ): void;
  rlEnergyGrad(
    precision: 32 | 64,
    x: Float64Array,
    count: number,
    dim: number,
    n: number,
    d: number,
    combine: number,
    depth: number,
    width: number,
    picks: Int32Array,
    pickStride: number,
    nPick: number,
    pairs: Int32Array,
    labels: Float64Array,
    energy: Float64Array,
    grad: Float64Array,
  ): void;
  maEnergyGrad(
    precision: 32 | 64,
    x: Float64Array,
    count: number,
    dim: number,
    P: number,
    N: number,
    picks: Int32Array,
    pickStride: number,
    nPick: number,
    rowN: Int32Array,
    rowM: Int32Array,
    cls: Int32Array,
    off: number,
    g2: number,
    dataScale: number,
    ipw: number,
    ipa: number,
    energy: Float64Array,
    grad: Float64Array,
  ): void;
  stepUniform(
    x: Float64Array,
    grad: Float64Array,
    z: Float64Array,
    zOff: number,
    frozen: Uint8Array,
    count: number,
    dim: number,
    lr: number,
    wd: number,
    sig: number,
    noise: number,
    badIdx: Int32Array,
    badVal: Float64Array,
  ): number;
  stepPoly1D(
    x: Float64Array,
    frozen: Uint8Array,
    z: Float64Array,
    zOff: number,
    count: number,
    lr: number,
    wd: number,
    sig: number,
    noise: number,
    coef: Float64Array,
    badIdx: Int32Array,
    badVal: Float64Array,
  ): number;
}

/** What the native kernels speed up (for `stochdyn info`). */
export const NATIVE_KERNELS: readonly string[] = [
  'Gaussian noise blocks of every integrator (ziggurat fast path)',
  'the overdamped update with one step size, temperature and weight decay for every coordinate (networks)',
  'the fused overdamped step of 1-D potentials that declare a polynomial gradient (gradientPolynomial1D)',
  'energy and gradient of relation-learner and modular-addition-square (AVX2 with fused multiply-adds; they agree with the TypeScript kernels to rounding)',
];

export type NativeStatus = { ok: true; addon: NativeAddon; path: string } | { ok: false; reason: string; path: string };

let cached: NativeStatus | undefined;
let forcedOff = false;

/** Where the build puts the addon: assembly/native/build/Release/stochdyn.node of the package. */
export function nativePath(): string {
  const file = join('assembly', 'native', 'build', 'Release', 'stochdyn.node');
  const root = findPackageRoot();
  return root === null ? file : join(root, file);
}

/** The native kernels of this thread, or why they are not used. */
export function nativeStatus(): NativeStatus {
  if (forcedOff) return { ok: false, reason: 'switched off in this thread', path: nativePath() };
  cached ??= load();
  return cached;
}

/** The addon when it is loaded and switched on, else null (the callers' TypeScript loops run). */
export function nativeKernels(): NativeAddon | null {
  const s = nativeStatus();
  return s.ok ? s.addon : null;
}

/**
 * Switch the native kernels off (or back on) in this thread — for tests and
 * benchmarks that compare both routes in one process. Worker threads follow
 * `STOCHDYN_NATIVE` instead.
 */
export function setNativeEnabled(enabled: boolean): void {
  forcedOff = !enabled;
}

function load(): NativeStatus {
  const path = nativePath();
  if (process.env.STOCHDYN_NATIVE === '0') return { ok: false, reason: 'switched off by STOCHDYN_NATIVE=0', path };
  if (process.env.STOCHDYN_KERNELS === 'js') return { ok: false, reason: 'switched off by STOCHDYN_KERNELS=js', path };
  if (!existsSync(path))
    return { ok: false, reason: `${path} is not built (a C compiler and Node's headers are needed: npm run build:native)`, path };
  try {
    const addon = createRequire(import.meta.url)(path) as NativeAddon;
    if (
      typeof addon.fillNormals !== 'function' ||
      typeof addon.stepPoly1D !== 'function' ||
      typeof addon.setTables !== 'function' ||
      typeof addon.rlEnergyGrad !== 'function'
    ) {
      return { ok: false, reason: `${path} lacks exports of this version (npm run build:native)`, path };
    }
    return { ok: true, addon, path };
  } catch (e) {
    return { ok: false, reason: `cannot load ${path}: ${(e as Error).message}`, path };
  }
}
