/** Analyses register themselves on import (one file per kind). */
export * from './registry.js';
import './arrhenius.js';
import './scaling.js';
import './exponential-fit.js';
import './crossover.js';
import './dataset-average.js';
export { classifyPhase, phaseAnalyses } from './phases.js';
import './free-energy-profile.js';
import './wells.js';
import './first-passage.js';
import './grokking-times.js';
import './relation-bounds.js';
import './repon-collision.js';
import './learning-phases.js';
import './phase-logistic.js';
