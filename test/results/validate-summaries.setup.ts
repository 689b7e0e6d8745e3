/**
 * vitest setup file: every summary.json the suite writes is validated against
 * the summary.json JSON Schema (src/results/summary-schema.ts) before it is
 * written; a summary that does not conform fails the run that wrote it. The
 * variable is inherited by worker threads and by the CLI processes the tests
 * spawn.
 */
import { VALIDATE_SUMMARY_ENV } from '../../src/results/summary-schema.js';

process.env[VALIDATE_SUMMARY_ENV] = '1';
