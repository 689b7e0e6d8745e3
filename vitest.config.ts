import { defineConfig } from 'vitest/config';

/**
 * Three disjoint projects (`npm test` runs all of them):
 * - `unit`: in-process tests of the numerics, the theory, the loader and the
 *   potentials; they need no build (no WebAssembly, no worker threads, no CLI)
 *   and run in well under a minute (`npm run test:unit`);
 * - `integration`: everything else that is quick — worker threads, the CLI,
 *   reports, faults and resume (they load `dist/`, so `npm run build` first);
 * - `slow`: the shipped scenarios at reduced size and the loader fuzz
 *   (`npm run test:slow`).
 *
 * No test may fail because the machine is slow: the timeouts below only catch
 * a hang (a test that normally takes seconds would have to run a hundred times
 * slower to reach them), and no test asserts a duration.
 */
const HANG_LIMIT_MS = 30 * 60_000;

const UNIT = [
  'test/architecture.test.ts',
  'test/{random,linalg,stats,theory,tasks,native}/**/*.test.ts',
  'test/engine/{engine,sghmc,posterior-exact,splitting-coordinate}.test.ts',
  'test/potentials/{dense,neural,potentials,repon,expression-derivatives}.test.ts',
  'test/scenario/{load,json-files,registry,untrusted,expression-validation}.test.ts',
  'test/analysis/{registry,relation-bounds}.test.ts',
  'test/results/compare-input.test.ts',
  'test/runs/claim.test.ts',
  'test/api/docs.test.ts',
  'test/cli/{progress,scheduler}.test.ts',
  'test/runs/exchange-ladder.test.ts',
  'test/parallel/shard-snapshot.test.ts',
  'test/parallel/exchange-snapshot.test.ts',
];
const SLOW = ['test/scenarios/**/*.test.ts', 'test/**/*.slow.test.ts'];

export default defineConfig({
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    // Every summary.json written during the suite is validated against its JSON Schema.
    setupFiles: ['./test/results/validate-summaries.setup.ts'],
    testTimeout: HANG_LIMIT_MS,
    hookTimeout: HANG_LIMIT_MS,
    // Statistical and CLI tests spawn worker threads and child processes; two cores.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT } },
      { extends: true, test: { name: 'integration', include: ['test/**/*.test.ts'], exclude: [...UNIT, ...SLOW] } },
      { extends: true, test: { name: 'slow', include: SLOW } },
    ],
  },
});
