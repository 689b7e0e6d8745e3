export * from './shard-plan.js';
export * from './shard-runner.js';
export * from './merge.js';
export * from './faults.js';
export * from './worker-pool.js';
export * from './pool.js';
export * from './run.js';
