import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
    // Every summary.json written during the suite is validated against its JSON Schema.
    setupFiles: ['./test/results/validate-summaries.setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Statistical and CLI tests spawn worker threads and child processes; two cores.
    maxWorkers: 2,
  },
});
