export * from './types.js';
export * from './rng.js';
export * from './state.js';
export * from './simulate.js';
export * from './grid.js';
export * from './settings.js';
export * from './integrators/index.js';
export { evaluate, DIVERGENCE_LIMIT } from './integrators/common.js';
export * from './init.js';
