/**
 * Report plots: the registry and the built-in plot kinds. A new kind of
 * result is one file that calls `registerPlot` once, imported here.
 */
import './traces.js';
import './histograms.js';
import './survival.js';
import './sweep.js';
import './phase-diagram.js';
import './regimes.js';
import './brownian-sweep.js';
import './brownian-run.js';
import './sampling.js';
import './splitting.js';

export { registerPlot, unregisterPlot, listPlots, getPlot, applicablePlots, type PlotEntry } from './registry.js';
export {
  loadResultDirectory as loadReportContext,
  loadRunDir,
  detectLayout,
  runsOf,
  parseCsv,
  ResultDirError as ReportDirError,
} from '../../results/read.js';
export { renderSvg } from './render.js';
export type * from '../../results/types.js';
export type * from './types.js';
