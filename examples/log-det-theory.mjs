/**
 * The mean-field theory of modular addition with the log-determinant term
 * kept (docs/models.md §2.1), by its two closures: the Hartree closure (one
 * quadrature per mode) and parallel-tempered HMC on one neuron (no
 * decoupling), next to the paper's decoupled theory, at the points of
 * docs/results/first-order.md.
 *
 *   node examples/log-det-theory.mjs                 (about 5 minutes on one core; after npm run build)
 *   node examples/log-det-theory.mjs 11 512 0.01     (one point: P N σ²)
 *
 * Priors as in scenarios/first-order/modular-addition-mean-field.yaml:
 * s_w² = ½, s_a² = 1/N², γ = 3·10⁻⁴. The sampler uses 8 ladders × 8
 * temperatures and 200 samples per bisection step.
 */
import { modularAdditionHartreeTheory, modularAdditionLogDetTheory, modularAdditionTheory } from 'stochdyn';

const points =
  process.argv.length > 4
    ? [process.argv.slice(2, 5).map(Number)]
    : [
        [7, 128, 0.1],
        [11, 128, 0.1],
        [11, 128, 0.03],
        [11, 512, 0.03],
        [11, 512, 0.01],
      ];
const f = (x, d = 4) => (x === null || !Number.isFinite(x) ? '—' : x.toFixed(d));
console.log(
  'P   N    σ²     decoupled τ²  Hartree τ² (closed)  sampled τ²  | overlap ÷ prior: Hartree  sampled ± SE  | droplets: Hartree  sampled',
);
for (const [P, N, sigma2] of points) {
  const o = { P, N, sigma2, priorW: 0.5, priorA: 1 / N ** 2, sextic: 3e-4 };
  const d = modularAdditionTheory(o);
  const h = modularAdditionHartreeTheory({ ...o, logDet: true });
  const s = modularAdditionLogDetTheory({ ...o, logDet: true, chains: 8, samples: 200, rungs: 8, seed: 1 });
  console.log(
    `${P}  ${N}  ${sigma2}  ${f(d.error)}        ${f(h.error)} (${h.closed})    ${f(s.error)} (residual ${f(s.residual, 3)}) | ` +
      `${f(h.overlapRatio, 3)}  ${f(s.overlapRatio, 3)} ± ${f(s.overlapRatioSe, 3)} | ${f(h.droplet, 3)}  ${f(s.droplet, 3)}`,
  );
}
