/**
 * stochdyn's own folder (the nearest ancestor of this file whose package.json
 * is named `stochdyn`): where its built files live — dist/wasm/, dist/workers/,
 * assembly/native/build/. The one search for it; found once per thread.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | null | undefined;

/** The package root, or null when no ancestor folder is stochdyn's (e.g. a bundled copy). */
export function findPackageRoot(): string | null {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pj = join(dir, 'package.json');
    if (existsSync(pj)) {
      try {
        if (JSON.parse(readFileSync(pj, 'utf8')).name === 'stochdyn') return (cached = dir);
      } catch {
        // not ours: keep looking
      }
    }
    const up = dirname(dir);
    if (up === dir) return (cached = null);
    dir = up;
  }
}
