/**
 * The native kernels (assembly/native/stochdyn.c) against their TypeScript
 * twins: the same operations in the same order, so every comparison here is
 * exact — the noise block's normals and generator states, and whole runs of
 * the fused 1-D step (with weight decay, without noise, with replicas that
 * diverge), whatever the replica count's remainder modulo the SIMD width.
 * The addon is built by `npm install` / `npm run build:native`; in CI it must
 * load (a machine without a C compiler runs the TypeScript kernels, and this
 * file then checks that it says why).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { nativeKernels, nativeStatus, setNativeEnabled } from '../../src/native/index.js';
import { fillNormals } from '../../src/random/noise.js';
import { deriveAuxStream, normalSlow, seedStream } from '../../src/random/rng.js';
import { polynomialGradient1D } from '../../src/engine/polynomial.js';
import { runEnsemble } from '../../src/parallel/run.js';
import { validateScenarioObject, type Scenario } from '../../src/scenario/index.js';

afterEach(() => setNativeEnabled(true));

function streams(count: number, seed: number): { main: Uint32Array; aux: Uint32Array } {
  const main = new Uint32Array(4 * count);
  for (let r = 0; r < count; r++) seedStream(main, r << 2, seed, 0, r);
  const aux = new Uint32Array(4 * count);
  for (let r = 0; r < count; r++) deriveAuxStream(main, r << 2, aux, r << 2);
  return { main, aux };
}

/** K × perStep normals of `count` replicas, twice in a row (the streams carry over), with or without the addon. */
function draw(native: boolean, count: number, perStep: number, K: number, seed: number) {
  setNativeEnabled(native);
  const { main, aux } = streams(count, seed);
  const a = new Float64Array(K * count * perStep);
  const b = new Float64Array(K * count * perStep);
  fillNormals(main, aux, count, perStep, K, a);
  fillNormals(main, aux, count, perStep, K, b);
  return { a, b, main, aux };
}

const loaded = nativeStatus();

/** Run `scenario` in-process without and with the addon, expect the same bytes (timing aside), and return the TypeScript run's result. */
async function bothWaysIdentical(scenario: Scenario) {
  const bytes = (r: object) =>
    JSON.stringify(r, (k, v) => (k === 'shardWallSeconds' ? undefined : ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v));
  setNativeEnabled(false);
  const js = await runEnsemble(scenario, { workers: 0 });
  setNativeEnabled(true);
  const nat = await runEnsemble(scenario, { workers: 0 });
  expect(bytes(nat)).toBe(bytes(js));
  return js;
}

describe('native kernels: loading', () => {
  it('load where they were built (CI builds them), or say why not', () => {
    if (process.env.CI) expect(loaded.ok, loaded.ok ? '' : loaded.reason).toBe(true);
    if (loaded.ok) expect(['avx2', 'scalar']).toContain(loaded.addon.simd);
    else expect(loaded.reason).toMatch(/STOCHDYN_NATIVE|STOCHDYN_KERNELS|not built|cannot load|lacks exports/);
  });

  it('switch off in this thread and back on', () => {
    setNativeEnabled(false);
    expect(nativeKernels()).toBeNull();
    expect(nativeStatus()).toMatchObject({ ok: false, reason: 'switched off in this thread' });
    setNativeEnabled(true);
    expect(nativeKernels() !== null).toBe(loaded.ok);
  });
});

describe.runIf(loaded.ok)('native kernels: the same numbers as the TypeScript loops', () => {
  // Replica counts around the 8-lane groups; one normal per step (the 1-D layout) and several (networks).
  const cases: [number, number, number][] = [
    [1000, 1, 32],
    [13, 1, 7],
    [9, 7, 5],
    [7, 3, 4],
    [3, 2000, 2],
    [64, 40, 32],
  ];
  it.each(cases)('fillNormals: %i replicas × %i per step × %i steps, twice', (count, perStep, K) => {
    const js = draw(false, count, perStep, K, 11 + count);
    const nat = draw(true, count, perStep, K, 11 + count);
    expect(Buffer.from(nat.a.buffer).equals(Buffer.from(js.a.buffer))).toBe(true);
    expect(Buffer.from(nat.b.buffer).equals(Buffer.from(js.b.buffer))).toBe(true);
    expect(Array.from(nat.main)).toEqual(Array.from(js.main));
    expect(Array.from(nat.aux)).toEqual(Array.from(js.aux));
    // the slow path was exercised: about 1.2 % of draws leave the fast region
    if (count * perStep * K >= 10_000) {
      let tails = 0;
      for (const z of js.a) if (Math.abs(z) > 3.4426) tails++;
      expect(tails).toBeGreaterThan(0);
    }
  });

  it('fillNormals hands back before its rejection lists could overflow, and continues where it stopped', () => {
    const addon = nativeKernels()!;
    const count = 37,
      perStep = 3,
      K = 16;
    const ref = draw(false, count, perStep, K, 5);
    // Lists with room for exactly one replica's worst case: the C side must hand back after any replica with a rejection.
    const { main, aux } = streams(count, 5);
    const out = new Float64Array(K * count * perStep);
    const cap = K * perStep;
    const idx = new Int32Array(cap),
      word = new Int32Array(cap),
      rep = new Int32Array(cap),
      io = new Int32Array(2);
    let calls = 0;
    while (io[0] < count) {
      const before = io[0];
      addon.fillNormals(main, count, perStep, K, out, idx, word, rep, io);
      calls++;
      expect(io[0]).toBeGreaterThan(before);
      if (io[1] > 0) expect(io[0]).toBe(rep[0] + 1);
      for (let f = 0; f < io[1]; f++) {
        expect(rep[f]).toBe(io[0] - 1);
        const t = word[f];
        out[idx[f]] = normalSlow(aux, rep[f] << 2, t & 127, ((t >> 7) + 0.5) / 16777216);
      }
    }
    expect(calls).toBeGreaterThan(5);
    expect(Buffer.from(out.buffer).equals(Buffer.from(ref.a.buffer))).toBe(true);
  });

  it('stepPoly1D leaves frozen replicas alone and lists the ones that leave the bounds', () => {
    const addon = nativeKernels()!;
    const { coefficients, gradient } = polynomialGradient1D([4, 0, -4, 0.1]);
    const x0 = [0.5, 0.3, -0.2, 1.1, 0.9, -1.3, 2e40, 0.7, -0.4];
    const frozen = Uint8Array.from([0, 1, 0, 0, 1, 0, 0, 1, 0]);
    const z = Float64Array.from(x0, (_, i) => ((i * 7) % 5) - 2);
    const x = Float64Array.from(x0);
    const badIdx = new Int32Array(9),
      badVal = new Float64Array(9);
    const nbad = addon.stepPoly1D(x, frozen, z, 0, 9, 0.01, 0.2, 0.3, 1, coefficients, badIdx, badVal);
    for (let r = 0; r < 9; r++) {
      const expected = x0[r] - 0.01 * (gradient(x0[r]) + 0.2 * x0[r]) + 0.3 * z[r];
      if (frozen[r] || r === 6) expect(x[r]).toBe(x0[r]);
      else expect(x[r]).toBe(expected);
    }
    expect(nbad).toBe(1);
    expect(badIdx[0]).toBe(6);
    expect(Number.isFinite(badVal[0]) && Math.abs(badVal[0]) >= 1e100).toBe(true);
  });

  it('stepPoly1D refuses arrays that do not match', () => {
    const addon = nativeKernels()!;
    const coef = new Float64Array([1, 0]);
    const x = new Float64Array(4);
    expect(() =>
      addon.stepPoly1D(x, new Uint8Array(4), new Float64Array(2), 0, 4, 0.1, 0, 1, 1, coef, new Int32Array(4), new Float64Array(4)),
    ).toThrow(/sizes do not match/);
    expect(() =>
      addon.stepPoly1D(
        x,
        new Float64Array(4) as unknown as Uint8Array,
        new Float64Array(4),
        0,
        4,
        0.1,
        0,
        1,
        1,
        coef,
        new Int32Array(4),
        new Float64Array(4),
      ),
    ).toThrow(/frozen must be a Uint8Array/);
  });

  type Dyn = { integrator: string; lr: number; temperature?: number; weight_decay?: number };
  const runs: [string, Dyn, number, number][] = [
    ['sgld', { integrator: 'sgld', lr: 1e-3, temperature: 0.25 }, 1003, 3000],
    ['sgld with weight decay', { integrator: 'sgld', lr: 2e-3, temperature: 0.3, weight_decay: 0.05 }, 2053, 1500],
    ['gd (no noise)', { integrator: 'gd', lr: 1e-2 }, 21, 500],
    ['sgld with diverging replicas', { integrator: 'sgld', lr: 0.12, temperature: 0.5 }, 203, 200],
  ];
  const networkRuns: [string, Dyn, number][] = [
    ['sgld with weight decay', { integrator: 'sgld', lr: 1e-3, temperature: 1e-3, weight_decay: 0.01 }, 60],
    ['gd', { integrator: 'gd', lr: 1e-3 }, 40],
    ['sgld with diverging replicas', { integrator: 'sgld', lr: 3, temperature: 1 }, 30],
  ];
  it.each(networkRuns)('networks (the uniform update): whole runs are byte-identical: %s', async (name, dynamics, steps) => {
    const scenario = validateScenarioObject(
      {
        name: 'native-vs-ts-network',
        seed: 5,
        potential: { kind: 'modular-addition-square', params: { P: 5, N: 7, kernels: 'js' } },
        dynamics: { ...dynamics, steps },
        ensemble: { replicas: 9, init: { kind: 'potential' } },
        observe: { grid: { kind: 'linear', points: 4 }, observables: ['energy'], finals: true },
      },
      '',
    );
    const js = await bothWaysIdentical(scenario);
    const diverged = Array.from(js.divergedAt as ArrayLike<number>).filter((s) => s >= 0).length;
    if (name.includes('diverging')) expect(diverged).toBeGreaterThan(0);
    else expect(diverged).toBe(0);
  });

  it.each(runs)('whole runs are byte-identical: %s', async (_name, dynamics, replicas, steps) => {
    const scenario = validateScenarioObject(
      {
        name: 'native-vs-ts',
        seed: 77,
        potential: { kind: 'tilted-double-well', params: { h: 1, tilt: 0.1 } },
        dynamics: { ...dynamics, steps },
        ensemble: { replicas, init: { kind: 'normal', mean: [0], std: [1.5] } },
        observe: { grid: { kind: 'linear', points: 7 }, observables: ['x', 'energy'], finals: true },
      },
      '',
    );
    const js = await bothWaysIdentical(scenario);
    if (_name.includes('diverging')) {
      const diverged = Array.from(js.divergedAt as ArrayLike<number>).filter((s) => s >= 0).length;
      expect(diverged).toBeGreaterThan(0);
      expect(diverged).toBeLessThan(replicas);
    }
  });
});

describe('polynomialGradient1D', () => {
  it("evaluates Horner's scheme, highest power first", () => {
    for (const coef of [[2.5], [3, -1], [1, 2, 3], [4, 0, -4, 0.1], [0.5, -1, 2, 0, 3, -0.25]]) {
      const { gradient, coefficients } = polynomialGradient1D(coef);
      expect(Array.from(coefficients)).toEqual(coef);
      for (const x of [-2.3, -1, 0, 0.7, 1.9]) {
        const direct = coef.reduce((s, c, k) => s + c * x ** (coef.length - 1 - k), 0);
        expect(Math.abs(gradient(x) - direct)).toBeLessThanOrEqual(1e-13 * (1 + Math.abs(direct)));
      }
    }
  });
  it('refuses an empty or too long coefficient list', () => {
    expect(() => polynomialGradient1D([])).toThrow(/1 to 17 coefficients, got 0/);
    expect(() => polynomialGradient1D(new Array(18).fill(1))).toThrow(/got 18/);
  });
});
