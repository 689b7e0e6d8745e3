/**
 * SIGINT/SIGTERM during a run: the first signal aborts the run (workers are
 * stopped, what is complete is written, marked `interrupted`); a second one
 * quits at once. Files are written atomically, so quitting never leaves a
 * half-written file.
 */
export interface Interruption {
  signal: AbortSignal;
  /** The signal received, if any. */
  received(): NodeJS.Signals | undefined;
  /** Exit code for an interrupted command: 128 + signal number (130 for SIGINT, 143 for SIGTERM). */
  exitCode(): number;
  dispose(): void;
}

export function onInterrupt(what: string): Interruption {
  const controller = new AbortController();
  let got: NodeJS.Signals | undefined;
  const handler = (sig: NodeJS.Signals) => {
    if (got) {
      process.stderr.write(
        `\nstochdyn: ${sig} again: quitting now (files already written are complete; the ${what} in progress is not written)\n`,
      );
      process.exit(sig === 'SIGTERM' ? 143 : 130);
    }
    got = sig;
    process.stderr.write(
      `\nstochdyn: ${sig}: stopping the workers and writing what is complete (${sig === 'SIGINT' ? 'Ctrl-C' : 'send it'} again to quit at once)\n`,
    );
    controller.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    received: () => got,
    exitCode: () => (got === 'SIGTERM' ? 143 : 130),
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
