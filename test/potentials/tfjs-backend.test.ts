/**
 * TensorFlow.js is found at run time (tfjs-node when installed, else tfjs on
 * its best backend) and serves as an independent gradient oracle.
 */
import { describe, expect, it } from 'vitest';
import { loadTensorflow } from '../../src/potentials/tfjs/backend.js';
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
    const h = 1.7, b = 0.3;
    const p = doubleWell(h, b);
    const st = new Stream(8, 0, 0);
    const n = 64;
    const xs = new Float64Array(n).map(() => 3 * (st.uniform() - 0.5));
    const E = new Float64Array(n), G = new Float64Array(n);
    p.energyAndGradient(xs, n, E, G);
    const f = (x: import('@tensorflow/tfjs').Tensor) => tf.add(tf.mul(h, tf.square(tf.sub(tf.square(x), 1))), tf.mul(b, x)).sum();
    const g = tf.grad(f)(tf.tensor1d(Array.from(xs), 'float32')).dataSync();
    for (let i = 0; i < n; i++) {
      // float32: relative error ~1e-6 of the magnitudes involved (4h|x|³ ≤ 4·1.7·3.4)
      expect(Math.abs(g[i] - G[i])).toBeLessThan(1e-5 * (1 + Math.abs(G[i]) + 4 * h * Math.abs(xs[i]) ** 3));
    }
  });
});
