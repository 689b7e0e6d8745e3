/**
 * Cost of an expression potential: nanoseconds per energy + full gradient
 * evaluation of one replica (batched calls of 1000 replicas, positions spread
 * over [−3, 3] so walls and kinks are crossed), for the double well with and
 * without a confining wall written with abs, max or an even power. Each case
 * runs in its own process (as a run's worker has one potential), and the
 * fastest of the timed blocks is reported (the machine's other load only adds).
 *
 * Standalone: `npm run build && node dist/bench/expression.js [--mathjs] [--reps N]`.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createExpressionPotential } from '../src/potentials/expression.js';

export const EXPRESSION_CASES: [string, string][] = [
  ['double well', 'x^4 - 2*x^2'],
  ['+ max/abs wall', 'x^4 - 2*x^2 + 10*max(0, abs(x)-2)^2'],
  ['+ abs^8 wall', 'x^4 - 2*x^2 + 1e-3*abs(x)^8'],
  ['+ x^8 wall', 'x^4 - 2*x^2 + 1e-3*x^8'],
  ['+ abs wall', 'x^4 - 2*x^2 + 10*abs(x)'],
];

const REPLICAS = 1000;

/** Fastest over `reps` timed blocks (≈ 50 ms each) of ns per replica evaluation (energy and gradient). */
export function nsPerEvaluation(expression: string, evaluator: 'tape' | 'mathjs', reps = 15): number {
  const p = createExpressionPotential({ expression, coordinates: ['x'], params: {} }, { evaluator });
  const x = new Float64Array(REPLICAS);
  for (let r = 0; r < REPLICAS; r++) x[r] = -3 + (6 * (r + 0.5)) / REPLICAS;
  const energy = new Float64Array(REPLICAS);
  const grad = new Float64Array(REPLICAS);
  // CPU time of this process (user + system, µs), not wall time: other processes on the machine do not count.
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) * 1000;
  };
  let calls = 1;
  for (;;) {
    const t0 = cpu();
    for (let k = 0; k < calls; k++) p.energyAndGradient(x, REPLICAS, energy, grad);
    if (cpu() - t0 > 5e7) break;
    calls *= 2;
  }
  let best = Infinity;
  for (let k = 0; k < reps; k++) {
    const t0 = cpu();
    for (let c = 0; c < calls; c++) p.energyAndGradient(x, REPLICAS, energy, grad);
    best = Math.min(best, (cpu() - t0) / (calls * REPLICAS));
  }
  return best;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name: string) => {
    const at = process.argv.indexOf(name);
    return at > 0 ? process.argv[at + 1] : undefined;
  };
  const reps = Number(arg('--reps') ?? 15);
  const one = arg('--one');
  if (one !== undefined) {
    const [expression, evaluator] = [EXPRESSION_CASES[Number(one)][1], arg('--evaluator') as 'tape' | 'mathjs'];
    try {
      process.stdout.write(`${nsPerEvaluation(expression, evaluator, reps).toFixed(1).padStart(8)} ns`);
    } catch (err) {
      process.stdout.write(`not built (${(err as Error).message.split(': ').slice(1).join(': ').slice(0, 80)})`);
    }
  } else {
    const evaluators = process.argv.includes('--mathjs') ? ['tape', 'mathjs'] : ['tape'];
    for (const evaluator of evaluators)
      EXPRESSION_CASES.forEach(([label, expression], k) => {
        const self = fileURLToPath(import.meta.url);
        const cost = execFileSync(process.execPath, [self, '--one', String(k), '--evaluator', evaluator, '--reps', String(reps)], {
          encoding: 'utf8',
        });
        process.stdout.write(`${evaluator.padEnd(8)} ${label.padEnd(16)} ${expression.padEnd(40)} ${cost}\n`);
      });
  }
}
