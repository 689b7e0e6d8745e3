/**
 * stochdyn as a library (docs/api.md): register a potential written in
 * JavaScript, load a shipped scenario that uses it, run it in memory with a
 * progress line, and compare the measured escape time with the exact mean
 * first-passage time.
 *
 *   node examples/library.mjs          (about a second; after npm run build)
 *
 * The potential is the quartic double well f(x) = a x⁴ − b x² (minima at
 * x = ±√(b/2a), barrier ΔE = b²/4a; docs/models.md §1.2). With a = 1, b = 2 it
 * is the built-in double well h(x² − 1)² at h = 1 up to a constant, so the
 * quick-start scenario's MFPT and Gibbs overlays apply unchanged.
 */
import { fileURLToPath } from 'node:url';
import { loadScenario, meanFirstPassageTime, registerPotential, runScenario } from 'stochdyn';

/** f(x) = a x⁴ − b x² for all replicas at once: energy[r] and grad[r] from x[r] (dim 1). */
function quarticDoubleWell(a, b) {
  const minimum = Math.sqrt(b / (2 * a));
  return {
    name: 'quartic-double-well',
    dim: 1,
    coordinates: ['x'],
    groups: [{ name: 'x', offset: 0, size: 1 }],
    // The `well` observable labels each replica by its nearest minimum.
    minima: [[-minimum], [minimum]],
    // One batched call per step for every replica of a shard, into preallocated arrays: no allocation here.
    energyAndGradient(x, count, energy, grad) {
      for (let r = 0; r < count; r++) {
        const xr = x[r];
        const x2 = xr * xr;
        energy[r] = a * x2 * x2 - b * x2;
        grad[r] = 4 * a * x2 * xr - 2 * b * xr;
      }
    },
  };
}

registerPotential({
  name: 'quartic-double-well',
  description: 'a x⁴ − b x²: a double well with minima at ±√(b/2a) and barrier b²/4a',
  paramsSchema: {
    type: 'object',
    properties: {
      a: { type: 'number', exclusiveMinimum: 0, default: 1 },
      b: { type: 'number', exclusiveMinimum: 0, default: 2 },
    },
    additionalProperties: false,
  },
  create: (params) => quarticDoubleWell(params.a, params.b),
});

// The quick-start scenario, smaller and hotter so that it runs in about a second,
// with the potential replaced by the one registered above (overrides are YAML, as with --set).
const file = fileURLToPath(new URL('../scenarios/quickstart.yaml', import.meta.url));
const scenario = await loadScenario(file, {
  replicas: 2000,
  set: ['potential={kind: quartic-double-well, params: {a: 1, b: 2}}', 'dynamics.temperature=0.4', 'dynamics.steps=30000'],
});

let shown = -1;
const { summary, dir } = await runScenario(scenario, {
  write: false, // nothing is written: the summary and the merged result come back in memory
  workers: 0, // a potential registered from code lives in this thread only
  onProgress: (done, total) => {
    const percent = Math.floor((100 * done) / total);
    if (percent > shown && (percent >= shown + 25 || done === total)) {
      shown = percent;
      process.stderr.write(`progress ${percent}%\n`);
    }
  },
});

const theta = summary.run.temperature;
const escape = summary.events.escape;
// Exact MFPT from −1 to +1 by quadrature of the double integral (docs/models.md §1.2).
const exact = meanFirstPassageTime((x) => x ** 4 - 2 * x * x, -1, 1, theta);
const x = summary.observables.x.final;

console.log(`directory: ${dir === undefined ? 'none (in memory)' : dir}`);
console.log(`replicas: ${summary.run.completedReplicas}, θ = ${theta}, t = ${summary.run.physicalTime}`);
console.log(
  `escape MFPT: ${escape.mfpt.time?.toFixed(2)} (95% CI ${escape.mfpt.ci95Time?.map((v) => v.toFixed(2)).join('–')}), exact ${exact.toFixed(2)}`,
);
console.log(`final x: mean ${x.mean?.toFixed(3)} ± ${x.sem?.toFixed(3)}, std ${x.std?.toFixed(3)}`);
// A line for scripts (the test of this example reads it).
console.log(
  JSON.stringify({ mfpt: escape.mfpt.time, ci95: escape.mfpt.ci95Time, exact, entered: escape.entered, replicas: escape.replicas }),
);
