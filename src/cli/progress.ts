/**
 * Whether a command draws a progress bar. Progress goes to stderr, so it never
 * mixes with what `--json` prints on stdout: `--json` does not switch it off.
 * It is drawn only on a terminal (a redirected stderr would collect the
 * redraws as text) and not with `--quiet`.
 */
export interface ProgressContext {
  /** `process.stderr.isTTY`. */
  stderrIsTTY: boolean | undefined;
  /** `--quiet` was given. */
  quiet: boolean | undefined;
  /** `--json` was given (changes stdout only; listed so the decision is visibly independent of it). */
  json: boolean | undefined;
}

export function showProgress(context: ProgressContext): boolean {
  return !!context.stderrIsTTY && !context.quiet;
}

/** The decision for this process's stderr. */
export function showProgressHere(options: { quiet?: boolean; json?: boolean }): boolean {
  return showProgress({ stderrIsTTY: process.stderr.isTTY, quiet: options.quiet, json: options.json });
}
