/** The types of the report's plots: what a plot receives and what it returns. */
import type { TopLevelSpec } from 'vega-lite';
import type { ResultDirectory } from '../../results/types.js';

/** A Vega-Lite specification (rendered server-side to one SVG figure). */
export type VegaLiteSpec = TopLevelSpec;

/** The context every plot's `applies` and `build` receive: the result directory, loaded by src/results/read.ts. */
export type ReportContext = ResultDirectory;
