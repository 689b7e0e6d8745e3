/**
 * The erf student of teacher-student-erf and its energy and gradient
 * (docs/models.md §2.2), the negative log posterior at temperature 1:
 *
 *   U(w, a) = Σ_{μ ∈ train} (f(x_μ) − y_μ)²/(2σ²) + |w|²/(2 s_w²) + |a|²/(2 s_a²),
 *   f(x) = Σ_i a_i erf(w_i · x).
 *
 * Parameter layout: group `w` = N rows of d (row i = neuron i), then group `a` (N).
 * Energy and gradient are fused by hand and batched over the replicas of a
 * shard (samples in blocks of 4 per weight row, dense.ts); no allocation per
 * call. The same kernel exists as WebAssembly SIMD (assembly/teacher-student.ts),
 * chosen by the params `kernels` and `precision`; the TypeScript one here is
 * the reference.
 */
import type { Minibatch, Potential } from '../../../engine/types.js';
import { selectKernels, type KernelSelection } from '../../../kernels/wasm.js';
import { erf } from '../../../stats/special.js';
import { addRowGradient4, dot4, erfActivation } from '../dense.js';
import type { TeacherStudentData } from './data.js';
import { TEACHER_STUDENT, type TeacherStudentParams } from './params.js';

export interface TeacherStudentModel {
  dim: number;
  /** Size of group `w` (N · d, at offset 0); group `a` (N) follows. */
  wSize: number;
  /** Prior variances of w and a (the defaults 1/d and 1/N when null or flat): initialise and the preconditioner. */
  varianceW: number;
  varianceA: number;
  selection: KernelSelection;
  /** The batched energy and gradient (the wasm kernel when selected, else the TypeScript reference). */
  energyAndGradient: Potential['energyAndGradient'];
  /** f(x_μ) of the replica at x[base …] for input row inputs[xo … xo + d). */
  output(x: Float64Array, base: number, inputs: Float64Array, xo: number): number;
}

export function teacherStudentModel(p: TeacherStudentParams, data: TeacherStudentData): TeacherStudentModel {
  const { d, N, n } = p;
  const Wsz = N * d;
  const dim = Wsz + N;
  const { X, y } = data;
  const ls = 1 / (2 * p.sigma2);
  const ipw = typeof p.prior_w === 'number' ? 1 / p.prior_w : p.prior_w === null ? d : 0;
  const ipa = typeof p.prior_a === 'number' ? 1 / p.prior_a : p.prior_a === null ? N : 0;

  // Scratch for a block of 4 samples (allocated once).
  const act = new Float64Array(4 * N);
  const dact = new Float64Array(4 * N);
  const u = new Float64Array(4);
  const xo4 = new Int32Array(4);
  const mu4 = new Int32Array(4);

  /**
   * Samples go through in blocks of 4 (a short last block repeats its last
   * sample with zero weight): each row w_i is loaded once per block for the 4
   * projections, and each gradient row is updated once per block.
   */
  function energyAndGradient(x: Float64Array, count: number, energy: Float64Array, grad: Float64Array, batch?: Minibatch): void {
    const B = batch ? batch.size : n;
    const factor = batch ? n / B : 1;
    const idx = batch?.indices;
    const g2 = 2 * ls * factor;
    for (let r = 0; r < count; r++) {
      const base = r * dim;
      const ab = base + Wsz;
      for (let j = 0; j < dim; j++) grad[base + j] = 0;
      let data = 0;
      for (let k0 = 0; k0 < B; k0 += 4) {
        const nb = Math.min(4, B - k0);
        for (let q = 0; q < 4; q++) {
          const k = k0 + (q < nb ? q : nb - 1);
          const mu = idx ? idx[r * B + k] : k;
          mu4[q] = mu;
          xo4[q] = mu * d;
        }
        const x0 = xo4[0],
          x1 = xo4[1],
          x2 = xo4[2],
          x3 = xo4[3];
        let f0 = 0,
          f1 = 0,
          f2 = 0,
          f3 = 0;
        for (let i = 0; i < N; i++) {
          dot4(x, base + i * d, X, x0, x1, x2, x3, d, 0, u);
          erfActivation(u[0], act, dact, i);
          erfActivation(u[1], act, dact, N + i);
          erfActivation(u[2], act, dact, 2 * N + i);
          erfActivation(u[3], act, dact, 3 * N + i);
          const ai = x[ab + i];
          f0 += ai * act[i];
          f1 += ai * act[N + i];
          f2 += ai * act[2 * N + i];
          f3 += ai * act[3 * N + i];
        }
        const r0 = f0 - y[mu4[0]];
        data += r0 * r0;
        const e0 = g2 * r0;
        let e1 = 0,
          e2 = 0,
          e3 = 0;
        if (nb > 1) {
          const r1 = f1 - y[mu4[1]];
          data += r1 * r1;
          e1 = g2 * r1;
        }
        if (nb > 2) {
          const r2 = f2 - y[mu4[2]];
          data += r2 * r2;
          e2 = g2 * r2;
        }
        if (nb > 3) {
          const r3 = f3 - y[mu4[3]];
          data += r3 * r3;
          e3 = g2 * r3;
        }
        for (let i = 0; i < N; i++) {
          const a0 = act[i],
            a1 = act[N + i],
            a2 = act[2 * N + i],
            a3 = act[3 * N + i];
          grad[ab + i] += e0 * a0 + e1 * a1 + e2 * a2 + e3 * a3;
          const ai = x[ab + i];
          const c0 = e0 * ai * dact[i];
          const c1 = e1 * ai * dact[N + i];
          const c2 = e2 * ai * dact[2 * N + i];
          const c3 = e3 * ai * dact[3 * N + i];
          addRowGradient4(grad, base + i * d, c0, c1, c2, c3, X, x0, x1, x2, x3, d);
        }
      }
      let w2 = 0;
      for (let j = 0; j < Wsz; j++) {
        const v = x[base + j];
        w2 += v * v;
        grad[base + j] += ipw * v;
      }
      let a2 = 0;
      for (let i = 0; i < N; i++) {
        const v = x[ab + i];
        a2 += v * v;
        grad[ab + i] += ipa * v;
      }
      energy[r] = ls * factor * data + 0.5 * ipw * w2 + 0.5 * ipa * a2;
    }
  }

  const selection = selectKernels(TEACHER_STUDENT, p.kernels, p.precision);
  const wasm = selection.kernels;
  const f32 = p.precision === 'float32';
  const identity = Int32Array.from({ length: n }, (_, i) => i);

  /** The same energy and gradient by the wasm kernel (assembly/teacher-student.ts). */
  function energyAndGradientWasm(x: Float64Array, count: number, energy: Float64Array, grad: Float64Array, batch?: Minibatch): void {
    const ex = wasm!.exports;
    const B = batch ? batch.size : n;
    const factor = batch ? n / B : 1;
    const picks = batch ? batch.indices.subarray(0, count * B) : identity;
    const scratch = f32 ? ex.tsScratch32(d, N, n) : ex.tsScratch64(d, N, n);
    const kernel = f32 ? ex.tsEnergyGrad32 : ex.tsEnergyGrad64;
    wasm!.energyGradient(x, count, dim, energy, grad, picks, [X, y], scratch, (at) => {
      const [xs, ys] = at.inputs;
      kernel(
        at.x,
        count,
        dim,
        d,
        N,
        n,
        at.picks,
        batch ? B : 0,
        B,
        xs,
        ys,
        2 * ls * factor,
        ls * factor,
        ipw,
        ipa,
        at.energy,
        at.grad,
        at.scratch,
      );
    });
  }

  /** f(x_μ) of the replica at `base` for input row `xo` of `inputs` (observation points only). */
  function output(x: Float64Array, base: number, inputs: Float64Array, xo: number): number {
    let f = 0;
    for (let i = 0; i < N; i++) {
      const wo = base + i * d;
      let s = 0;
      for (let j = 0; j < d; j++) s += x[wo + j] * inputs[xo + j];
      f += x[base + Wsz + i] * erf(s);
    }
    return f;
  }

  return {
    dim,
    wSize: Wsz,
    varianceW: typeof p.prior_w === 'number' ? p.prior_w : 1 / d,
    varianceA: typeof p.prior_a === 'number' ? p.prior_a : 1 / N,
    selection,
    energyAndGradient: wasm ? energyAndGradientWasm : energyAndGradient,
    output,
  };
}
