/**
 * Run-time detection of TensorFlow.js. Both packages are optional
 * dependencies, loaded only when a tfjs potential is built (or by the
 * gradient-oracle tests): `@tensorflow/tfjs-node` (native libtensorflow),
 * whose installer downloads a binary and is absent on machines without
 * internet, is preferred; else `@tensorflow/tfjs` with its best available
 * backend (wasm if `@tensorflow/tfjs-backend-wasm` is installed, else cpu).
 * Without either, building a tfjs potential fails with TfjsUnavailableError
 * (exit 2 in the CLI). `STOCHDYN_TFJS_DISABLE=1` makes this detection
 * behave as if neither were installed (to test that path where they are).
 */
import type { Tf } from './types.js';

export type { Tf } from './types.js';

export interface TfHandle {
  /**
   * The loaded module. stochdyn's own code reads it through the structural
   * `Tf` (types.ts); it is typed loosely here because the full types come with
   * the optional package, which callers that use more of the API (tests, model
   * authors in TypeScript) type themselves.
   */

  tf: any;
  /** The package that was loaded. */
  package: '@tensorflow/tfjs-node' | '@tensorflow/tfjs';
  /** The active backend name ('tensorflow', 'wasm', 'cpu'). */
  backend: string;
  /** Why the native package was not used, when it was not. */
  fallbackReason?: string;
}

/** Neither tfjs package can be loaded: a tfjs potential cannot be built. */
export class TfjsUnavailableError extends Error {
  override readonly name = 'TfjsUnavailableError';
}

let cached: Promise<TfHandle> | undefined;

async function tryImport(name: string): Promise<unknown> {
  // A variable specifier keeps TypeScript from requiring the optional packages' types.
  return import(name);
}

/** Whether tfjs is switched off for this process (STOCHDYN_TFJS_DISABLE=1): then it counts as not installed. */
export function tfjsDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env.STOCHDYN_TFJS_DISABLE;
  return v !== undefined && v !== '' && v !== '0';
}

const notInstalled = (name: string) => new Error(`Cannot find package '${name}' (STOCHDYN_TFJS_DISABLE is set)`);

export function loadTensorflow(): Promise<TfHandle> {
  const disabled = tfjsDisabled();
  const load = async (): Promise<TfHandle> => {
    try {
      if (disabled) throw notInstalled('@tensorflow/tfjs-node');
      const tf = (await tryImport('@tensorflow/tfjs-node')) as Tf;
      await tf.ready();
      return { tf, package: '@tensorflow/tfjs-node' as const, backend: tf.getBackend() };
    } catch (e) {
      const reason = (e as Error).message.split('\n')[0];
      let tf: Tf;
      try {
        if (disabled) throw notInstalled('@tensorflow/tfjs');
        tf = (await tryImport('@tensorflow/tfjs')) as Tf;
      } catch (e2) {
        throw new TfjsUnavailableError(
          `TensorFlow.js is not installed: install @tensorflow/tfjs to use tfjs potentials (npm install @tensorflow/tfjs; it is an optional dependency) — ${(e2 as Error).message.split('\n')[0]}`,
          { cause: e2 },
        );
      }
      let backend = 'cpu';
      try {
        await tryImport('@tensorflow/tfjs-backend-wasm');
        if (await tf.setBackend('wasm')) backend = 'wasm';
      } catch {
        // wasm backend not installed: cpu it is.
      }
      if (backend === 'cpu') await tf.setBackend('cpu');
      await tf.ready();
      return { tf, package: '@tensorflow/tfjs' as const, backend: tf.getBackend(), fallbackReason: reason };
    }
  };
  // A disabled process never caches a handle (the tests switch it per call); a failed load is not cached either.
  if (disabled) return load();
  cached ??= load().catch((e: unknown) => {
    cached = undefined;
    throw e;
  });
  return cached;
}
