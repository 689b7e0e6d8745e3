/** The progress-bar decision of every command (src/cli/progress.ts): stderr is a terminal and no --quiet; --json does not matter. */
import { describe, expect, it } from 'vitest';
import { showProgress } from '../../src/cli/progress.js';

describe('showProgress', () => {
  it('all eight combinations of stderr TTY, --quiet and --json', () => {
    const seen: string[] = [];
    for (const stderrIsTTY of [false, true])
      for (const quiet of [false, true])
        for (const json of [false, true])
          if (showProgress({ stderrIsTTY, quiet, json })) seen.push(`tty=${stderrIsTTY} quiet=${quiet} json=${json}`);
    // Only on a terminal without --quiet, with and without --json.
    expect(seen).toEqual(['tty=true quiet=false json=false', 'tty=true quiet=false json=true']);
  });

  it('an unknown isTTY (stderr piped: undefined) counts as no terminal', () => {
    expect(showProgress({ stderrIsTTY: undefined, quiet: undefined, json: true })).toBe(false);
    expect(showProgress({ stderrIsTTY: true, quiet: undefined, json: undefined })).toBe(true);
  });
});
