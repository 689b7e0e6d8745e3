/**
 * Engine-level tests that need no closed form beyond exact arithmetic:
 * GD exactness, seeding, divergence handling, generator statistics.
 */
import { describe, expect, it } from 'vitest';
import {
  createState,
  getIntegrator,
  coordinateSettings,
  initialise,
  simulate,
  normal,
  seedStream,
  Stream,
  timeGrid,
} from '../../src/engine/index.js';
import { doubleWell } from '../../src/potentials/analytic/double-well.js';
import { harmonic } from '../../src/potentials/analytic/harmonic.js';
import type { Potential } from '../../src/engine/types.js';

function runRaw(
  p: Potential,
  integrator: string,
  o: { lr: number; temperature: number; steps: number; replicas: number; x0: number[]; seed?: number },
) {
  const info = getIntegrator(integrator)!;
  const settings = coordinateSettings(p.dim, p.groups, { lr: o.lr, temperature: o.temperature, weight_decay: 0 }, {});
  const integ = info.build(settings, { friction: 1, momenta: 'thermal' });
  const state = createState({ count: o.replicas, dim: p.dim, firstReplica: 0, seed: o.seed ?? 1, run: 0, momenta: info.needs.momenta });
  initialise(state, p, { kind: 'point', x: o.x0 });
  simulate(state, p, integ, { steps: o.steps, observers: [], watchers: [] });
  return state;
}

describe('gradient descent limit', () => {
  it('sgld at θ = 0 equals gd exactly, and gd equals a hand-written loop', () => {
    const p = doubleWell(1.3);
    const a = runRaw(p, 'sgld', { lr: 0.01, temperature: 0, steps: 500, replicas: 5, x0: [0.3] });
    const b = runRaw(p, 'gd', { lr: 0.01, temperature: 0, steps: 500, replicas: 5, x0: [0.3] });
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    let x = 0.3;
    // f'(x) = 4h x³ − 4h x by Horner's scheme, the double well's documented evaluation order
    for (let i = 0; i < 500; i++) x = x - 0.01 * (((4 * 1.3 * x + 0) * x - 4 * 1.3) * x + 0);
    expect(b.x[0]).toBe(x);
    expect(x).toBeGreaterThan(0.99); // it did descend into the right minimum
  });
});

describe('random streams', () => {
  it('same seed ⇒ same trajectory; different seed ⇒ different', () => {
    const p = doubleWell(1);
    const o = { lr: 1e-3, temperature: 0.25, steps: 200, replicas: 8, x0: [-1] };
    const a = runRaw(p, 'sgld', { ...o, seed: 5 });
    const b = runRaw(p, 'sgld', { ...o, seed: 5 });
    const c = runRaw(p, 'sgld', { ...o, seed: 6 });
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    for (let r = 0; r < 8; r++) expect(c.x[r]).not.toBe(a.x[r]);
  });

  it('a replica stream depends only on (seed, run, replica), not on its slot', () => {
    const s = new Uint32Array(12);
    seedStream(s, 0, 3, 0, 17);
    seedStream(s, 2, 3, 0, 17);
    seedStream(s, 1, 3, 1, 17);
    expect([s[0], s[1], s[2], s[3]]).toEqual([s[8], s[9], s[10], s[11]]);
    expect([s[4], s[5], s[6], s[7]]).not.toEqual([s[0], s[1], s[2], s[3]]);
  });

  it('neighbouring replicas and runs have uncorrelated streams (|ρ| < 5/√n)', () => {
    const n = 100_000;
    const s = new Uint32Array(4 * n);
    const t = new Uint32Array(4 * n);
    for (let r = 0; r < n; r++) {
      seedStream(s, r, 42, 0, r);
      seedStream(t, r, 42, 1, r);
    }
    const z = Float64Array.from({ length: n }, (_, r) => normal(s, r * 4));
    const w = Float64Array.from({ length: n }, (_, r) => normal(t, r * 4));
    const corr = (a: (i: number) => number, b: (i: number) => number, m: number) => {
      let sab = 0,
        saa = 0,
        sbb = 0;
      for (let i = 0; i < m; i++) {
        sab += a(i) * b(i);
        saa += a(i) ** 2;
        sbb += b(i) ** 2;
      }
      return sab / Math.sqrt(saa * sbb);
    };
    const bound = 5 / Math.sqrt(n);
    expect(
      Math.abs(
        corr(
          (i) => z[i],
          (i) => z[i + 1],
          n - 1,
        ),
      ),
    ).toBeLessThan(bound); // replica r vs r + 1
    expect(
      Math.abs(
        corr(
          (i) => z[i],
          (i) => w[i],
          n,
        ),
      ),
    ).toBeLessThan(bound); // run 0 vs run 1, same replica
    let mean = 0;
    for (let i = 0; i < n; i++) mean += z[i] / n;
    expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
  });

  it('ziggurat normals have the moments of N(0,1) within 5σ (n = 2·10⁶)', () => {
    const s = new Uint32Array(4);
    seedStream(s, 0, 11, 0, 0);
    const n = 2_000_000;
    let m1 = 0,
      m2 = 0,
      m3 = 0,
      m4 = 0,
      tail3 = 0;
    for (let i = 0; i < n; i++) {
      const z = normal(s, 0);
      m1 += z;
      m2 += z * z;
      m3 += z * z * z;
      m4 += z * z * z * z;
      if (Math.abs(z) > 3) tail3++;
    }
    m1 /= n;
    m2 /= n;
    m3 /= n;
    m4 /= n;
    // Standard errors of sample moments of N(0,1): sqrt(Var(z^k)/n), Var(z)=1, Var(z²)=2, Var(z³)=15, Var(z⁴)=96.
    const k = 5;
    expect(Math.abs(m1)).toBeLessThan(k * Math.sqrt(1 / n));
    expect(Math.abs(m2 - 1)).toBeLessThan(k * Math.sqrt(2 / n));
    expect(Math.abs(m3)).toBeLessThan(k * Math.sqrt(15 / n));
    expect(Math.abs(m4 - 3)).toBeLessThan(k * Math.sqrt(96 / n));
    // P(|z| > 3) = 0.0026998: binomial standard error.
    const p3 = 0.0026997960632601866;
    expect(Math.abs(tail3 / n - p3)).toBeLessThan(k * Math.sqrt((p3 * (1 - p3)) / n));
  });

  it('Stream.int is uniform over its range (χ² with 9 dof below the 0.1 % critical value 27.88)', () => {
    const st = new Stream(1, 0, 0);
    const counts = new Array(10).fill(0);
    const n = 100000;
    for (let i = 0; i < n; i++) counts[st.int(10)]++;
    const chi2 = counts.reduce((a, c) => a + (c - n / 10) ** 2 / (n / 10), 0);
    expect(chi2).toBeLessThan(27.88);
  });
});

describe('divergence', () => {
  it('a too-large step freezes replicas with the step and reason; the rest go on', () => {
    // GD on h(x²−1)² with η = 0.1: the minima ±1 are fixed points (|1 − 8hη| = 0.2 < 1)
    // and x = 0.5 converges to 1, but x = 50 overshoots cubically and leaves ±1e100.
    const p = doubleWell(1);
    const info = getIntegrator('gd')!;
    const settings = coordinateSettings(1, p.groups, { lr: 0.1, temperature: 0, weight_decay: 0 }, {});
    const integ = info.build(settings, { friction: 1, momenta: 'zero' });
    const state = createState({ count: 4, dim: 1, firstReplica: 0, seed: 0, run: 0, momenta: false });
    state.x.set([1, -1, 50, 0.5]);
    simulate(state, p, integ, { steps: 100, observers: [], watchers: [] });
    expect(state.frozenCount).toBe(1);
    expect(state.frozen[2]).toBe(1);
    expect(state.divergedAt[2]).toBeGreaterThan(0);
    expect(state.divergedAt[2]).toBeLessThan(10);
    expect(Number.isFinite(state.x[2])).toBe(true); // frozen at its last finite position
    expect(state.x[0]).toBe(1);
    expect(state.x[1]).toBe(-1);
    expect(Math.abs(state.x[3] - 1)).toBeLessThan(1e-9);
  });
});

describe('time grid', () => {
  it('log and linear grids are sorted, unique, and include 0 and the last step', () => {
    for (const kind of ['log', 'linear'] as const) {
      const g = timeGrid(kind, 50, 100000);
      expect(g[0]).toBe(0);
      expect(g[g.length - 1]).toBe(100000);
      for (let i = 1; i < g.length; i++) expect(g[i]).toBeGreaterThan(g[i - 1]);
      expect(g.length).toBeGreaterThan(40);
    }
  });
});

describe('harmonic potential under BAOAB keeps momenta finite and samples equipartition', () => {
  it('⟨v²⟩ = θ within 5σ after equilibration (BAOAB momenta are exact in equilibrium for harmonic f)', () => {
    const p = harmonic([2], [0]);
    const s = runRaw(p, 'baoab', { lr: 0.05, temperature: 0.7, steps: 2000, replicas: 20000, x0: [0] });
    let v2 = 0;
    for (let r = 0; r < 20000; r++) v2 += s.v[r] * s.v[r];
    v2 /= 20000;
    // Var(v²) = 2θ² for v ~ N(0, θ).
    expect(Math.abs(v2 - 0.7)).toBeLessThan(5 * Math.sqrt((2 * 0.7 * 0.7) / 20000));
  });
});

describe('fused 1-D path (gradient1D)', () => {
  it('gives exactly the trajectory of the batched path, and observables see fresh energies', async () => {
    const fused = doubleWell(1.2, 0.1);
    const { gradient1D: _g, ...rest } = fused;
    const batched: Potential = rest;
    expect(fused.gradient1D).toBeTypeOf('function');
    expect(batched.gradient1D).toBeUndefined();
    const o = { lr: 2e-3, temperature: 0.3, steps: 700, replicas: 50, x0: [-1] };
    const a = runRaw(fused, 'sgld', o);
    const b = runRaw(batched, 'sgld', o);
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    // The fused path leaves the energy cache stale; the energy observable recomputes it.
    expect(a.cacheStep).toBeLessThan(a.step);
    const { resolveObservable } = await import('../../src/observables/observables.js');
    const out = new Float64Array(50);
    resolveObservable('energy', fused).evaluate(a, out);
    for (let r = 0; r < 50; r++) {
      const s = a.x[r] * a.x[r] - 1;
      expect(out[r]).toBe(1.2 * s * s + 0.1 * a.x[r]);
    }
  });
});
