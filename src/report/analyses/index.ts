/** Analyses register themselves on import (one file per kind). */
export * from './registry.js';
