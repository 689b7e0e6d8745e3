/** Closed forms and exact numerics for the models of docs/models.md §1 (bottom layer). */
export * from './quadrature.js';
export * from './gibbs.js';
export * from './ornstein-uhlenbeck.js';
export * from './mfpt.js';
export * from './wells.js';
export * from './grokking.js';
export * from './two-wells.js';
export * from './repon.js';
export * from './relations.js';
export * from './toy-addition.js';
export * from './nngp.js';
export * from './fourier-prior.js';
export * from './modular-addition.js';
export * from './modular-addition-logdet.js';
