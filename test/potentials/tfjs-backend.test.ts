/**
 * TensorFlow.js is found at run time (tfjs-node when installed, else tfjs on
 * its best backend) and serves as an independent gradient oracle.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadTensorflow, TfjsUnavailableError } from '../../src/potentials/tfjs/backend.js';
import { ROOT, runCli, tempDir } from '../helpers.js';
import { doubleWell } from '../../src/potentials/analytic/double-well.js';
import { Stream } from '../../src/random/rng.js';

describe('tfjs backend detection', () => {
  it('loads a working tfjs and says which package and backend', async () => {
    const h = await loadTensorflow();
    expect(['@tensorflow/tfjs-node', '@tensorflow/tfjs']).toContain(h.package);
    expect(['tensorflow', 'wasm', 'cpu']).toContain(h.backend);
    if (h.package === '@tensorflow/tfjs') expect(h.fallbackReason).toBeTruthy();
    expect(h.tf.add(h.tf.scalar(2), h.tf.scalar(3)).dataSync()[0]).toBe(5);
  });

  it('tf.grad of h(x²−1)² + b·x matches the built-in tilted double well (float32 tolerance)', async () => {
    const { tf } = await loadTensorflow();
    const h = 1.7,
      b = 0.3;
    const p = doubleWell(h, b);
    const st = new Stream(8, 0, 0);
    const n = 64;
    const xs = new Float64Array(n).map(() => 3 * (st.uniform() - 0.5));
    const E = new Float64Array(n),
      G = new Float64Array(n);
    p.energyAndGradient(xs, n, E, G);
    const f = (x: import('@tensorflow/tfjs').Tensor) => tf.add(tf.mul(h, tf.square(tf.sub(tf.square(x), 1))), tf.mul(b, x)).sum();
    const g = tf
      .grad(f)(tf.tensor1d(Array.from(xs), 'float32'))
      .dataSync();
    for (let i = 0; i < n; i++) {
      // float32: relative error ~1e-6 of the magnitudes involved (4h|x|³ ≤ 4·1.7·3.4)
      expect(Math.abs(g[i] - G[i])).toBeLessThan(1e-5 * (1 + Math.abs(G[i]) + 4 * h * Math.abs(xs[i]) ** 3));
    }
  });
});

describe('tfjs is optional', () => {
  const SCENARIO = join(ROOT, 'scenarios', 'first-order', 'custom-tfjs-model.yaml');
  const withDisabled = async <T>(f: () => Promise<T>): Promise<T> => {
    const before = process.env.STOCHDYN_TFJS_DISABLE;
    process.env.STOCHDYN_TFJS_DISABLE = '1';
    try {
      return await f();
    } finally {
      if (before === undefined) delete process.env.STOCHDYN_TFJS_DISABLE;
      else process.env.STOCHDYN_TFJS_DISABLE = before;
    }
  };

  it('absent (STOCHDYN_TFJS_DISABLE=1 stands for "not installed"): loading fails with the install hint; present: it loads', async () => {
    const err = await withDisabled(() => loadTensorflow().catch((e: unknown) => e));
    expect(err).toBeInstanceOf(TfjsUnavailableError);
    expect((err as Error).message).toMatch(/^TensorFlow\.js is not installed: install @tensorflow\/tfjs to use tfjs potentials/);
    // Without the switch, this machine's installation decides: either the real module or the same clean error.
    const h = await loadTensorflow().catch((e: unknown) => e);
    if (h instanceof TfjsUnavailableError) expect(h.message).toMatch(/install @tensorflow\/tfjs/);
    else
      expect(
        (h as Awaited<ReturnType<typeof loadTensorflow>>).tf
          .sum((h as Awaited<ReturnType<typeof loadTensorflow>>).tf.tensor([1, 2, 3]))
          .dataSync()[0],
      ).toBe(6);
  });

  it('a scenario with a tfjs potential: absent → invalid scenario at potential.tfjs, exit 2, nothing run; present → it runs', () => {
    const dir = tempDir('tfjs-optional');
    const absent = runCli(
      [
        'run',
        SCENARIO,
        '--out',
        join(dir, 'absent'),
        '-q',
        '--no-report',
        '--replicas',
        '4',
        '--set',
        'dynamics.steps=40',
        '--set',
        'sampling.burn_in=20',
        '--set',
        'sampling.thin=10',
      ],
      { env: { STOCHDYN_TFJS_DISABLE: '1' } },
    );
    expect(absent.status, absent.stderr).toBe(2);
    expect(absent.stderr).toMatch(/invalid scenario/);
    expect(absent.stderr).toMatch(/potential\.tfjs/);
    expect(absent.stderr).toMatch(/install @tensorflow\/tfjs to use tfjs potentials/);
    expect(existsSync(join(dir, 'absent', 'summary.json'))).toBe(false);
    const present = runCli([
      'run',
      SCENARIO,
      '--out',
      join(dir, 'present'),
      '-q',
      '--no-report',
      '--replicas',
      '4',
      '--set',
      'dynamics.steps=40',
      '--set',
      'sampling.burn_in=20',
      '--set',
      'sampling.thin=10',
    ]);
    const installed = !/install @tensorflow\/tfjs/.test(present.stderr);
    if (installed) {
      expect(present.status, present.stderr).toBe(0);
      expect(JSON.parse(readFileSync(join(dir, 'present', 'summary.json'), 'utf8')).run.status).toBe('completed');
    } else expect(present.status).toBe(2);
  });
});
