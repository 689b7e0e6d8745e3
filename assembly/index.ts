/**
 * WebAssembly (128-bit SIMD) kernels of the built-in neural potentials, built
 * by `npm run build:wasm` (AssemblyScript, --runtime stub: no allocator, no GC;
 * the JS loader in src/kernels/wasm.ts lays out memory above heapBase()).
 * Suffix 64: float64 arithmetic (f64x2); 32: float32 (f32x4).
 */
import { maEnergyGrad, maScratchBytes } from './modular-addition';
import { rlEnergyGrad, rlScratchBytes } from "./relation-learner";
import { tsEnergyGrad, tsScratchBytes } from './teacher-student';
import { taEnergyGrad, taScratchBytes } from './toy-addition';

/** First free byte above the static data (16-aligned by the loader). */
export function heapBase(): usize {
  return __heap_base;
}

export function maScratch64(P: i32, N: i32): i32 {
  return maScratchBytes<f64>(P, N);
}
export function maScratch32(P: i32, N: i32): i32 {
  return maScratchBytes<f32>(P, N);
}

export function maEnergyGrad64(
  x: usize, count: i32, dim: i32, P: i32, N: i32, picks: usize, pickStride: i32, nPick: i32,
  rowN: usize, rowM: usize, cls: usize, off: f64, g2: f64, dataScale: f64, ipw: f64, ipa: f64,
  energy: usize, grad: usize, scratch: usize,
): void {
  maEnergyGrad<f64>(x, count, dim, P, N, picks, pickStride, nPick, rowN, rowM, cls, off, g2, dataScale, ipw, ipa, energy, grad, scratch);
}
export function maEnergyGrad32(
  x: usize, count: i32, dim: i32, P: i32, N: i32, picks: usize, pickStride: i32, nPick: i32,
  rowN: usize, rowM: usize, cls: usize, off: f64, g2: f64, dataScale: f64, ipw: f64, ipa: f64,
  energy: usize, grad: usize, scratch: usize,
): void {
  maEnergyGrad<f32>(x, count, dim, P, N, picks, pickStride, nPick, rowN, rowM, cls, off, g2, dataScale, ipw, ipa, energy, grad, scratch);
}

export function rlScratch64(inputs: i32, width: i32, depth: i32): i32 {
  return rlScratchBytes<f64>(inputs, width, depth);
}
export function rlScratch32(inputs: i32, width: i32, depth: i32): i32 {
  return rlScratchBytes<f32>(inputs, width, depth);
}

export function rlEnergyGrad64(
  x: usize, count: i32, dim: i32, n: i32, d: i32, combine: i32, depth: i32, width: i32,
  picks: usize, pickStride: i32, nPick: i32, pairs: usize, labels: usize, energy: usize, grad: usize, scratch: usize,
): void {
  rlEnergyGrad<f64>(x, count, dim, n, d, combine, depth, width, picks, pickStride, nPick, pairs, labels, energy, grad, scratch);
}
export function rlEnergyGrad32(
  x: usize, count: i32, dim: i32, n: i32, d: i32, combine: i32, depth: i32, width: i32,
  picks: usize, pickStride: i32, nPick: i32, pairs: usize, labels: usize, energy: usize, grad: usize, scratch: usize,
): void {
  rlEnergyGrad<f32>(x, count, dim, n, d, combine, depth, width, picks, pickStride, nPick, pairs, labels, energy, grad, scratch);
}

export function tsScratch64(d: i32, N: i32, n: i32): i32 {
  return tsScratchBytes<f64>(d, N, n);
}
export function tsScratch32(d: i32, N: i32, n: i32): i32 {
  return tsScratchBytes<f32>(d, N, n);
}

export function tsEnergyGrad64(
  x: usize, count: i32, dim: i32, d: i32, N: i32, n: i32, picks: usize, pickStride: i32, nPick: i32, X: usize, y: usize,
  g2: f64, dataScale: f64, ipw: f64, ipa: f64, energy: usize, grad: usize, scratch: usize,
): void {
  tsEnergyGrad<f64>(x, count, dim, d, N, n, picks, pickStride, nPick, X, y, g2, dataScale, ipw, ipa, energy, grad, scratch);
}
export function tsEnergyGrad32(
  x: usize, count: i32, dim: i32, d: i32, N: i32, n: i32, picks: usize, pickStride: i32, nPick: i32, X: usize, y: usize,
  g2: f64, dataScale: f64, ipw: f64, ipa: f64, energy: usize, grad: usize, scratch: usize,
): void {
  tsEnergyGrad<f32>(x, count, dim, d, N, n, picks, pickStride, nPick, X, y, g2, dataScale, ipw, ipa, energy, grad, scratch);
}

/** `sizes`: the L + 1 layer widths [d_in, hidden…, out] (i32), nS = L + 1. */
export function taScratch64(sizes: usize, nS: i32): i32 {
  return taScratchBytes<f64>(sizes, nS);
}
export function taScratch32(sizes: usize, nS: i32): i32 {
  return taScratchBytes<f32>(sizes, nS);
}

export function taEnergyGrad64(
  x: usize, count: i32, dim: i32, p: i32, sizes: usize, nS: i32, task: i32, act: i32,
  picks: usize, pickStride: i32, nPick: i32, samples: usize, targets: usize, energy: usize, grad: usize, scratch: usize,
): void {
  taEnergyGrad<f64>(x, count, dim, p, sizes, nS, task, act, picks, pickStride, nPick, samples, targets, energy, grad, scratch);
}
export function taEnergyGrad32(
  x: usize, count: i32, dim: i32, p: i32, sizes: usize, nS: i32, task: i32, act: i32,
  picks: usize, pickStride: i32, nPick: i32, samples: usize, targets: usize, energy: usize, grad: usize, scratch: usize,
): void {
  taEnergyGrad<f32>(x, count, dim, p, sizes, nS, task, act, picks, pickStride, nPick, samples, targets, energy, grad, scratch);
}
