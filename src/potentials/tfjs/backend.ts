/**
 * Run-time detection of TensorFlow.js. `@tensorflow/tfjs-node` (native
 * libtensorflow) is an optional dependency whose installer downloads a binary:
 * on machines without internet it is absent, and stochdyn falls back to
 * `@tensorflow/tfjs` with its best available backend (wasm if
 * `@tensorflow/tfjs-backend-wasm` is installed, else cpu). tfjs is loaded
 * lazily: only user-defined tfjs potentials and gradient-oracle tests need it.
 */
export type Tf = typeof import('@tensorflow/tfjs');

export interface TfHandle {
  tf: Tf;
  /** The package that was loaded. */
  package: '@tensorflow/tfjs-node' | '@tensorflow/tfjs';
  /** The active backend name ('tensorflow', 'wasm', 'cpu'). */
  backend: string;
  /** Why the native package was not used, when it was not. */
  fallbackReason?: string;
}

let cached: Promise<TfHandle> | undefined;

async function tryImport(name: string): Promise<unknown> {
  // A variable specifier keeps TypeScript from requiring the optional package's types.
  return import(name);
}

export function loadTensorflow(): Promise<TfHandle> {
  cached ??= (async () => {
    try {
      const tf = (await tryImport('@tensorflow/tfjs-node')) as Tf;
      await tf.ready();
      return { tf, package: '@tensorflow/tfjs-node' as const, backend: tf.getBackend() };
    } catch (e) {
      const reason = (e as Error).message.split('\n')[0];
      const tf = (await import('@tensorflow/tfjs')) as Tf;
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
  })();
  return cached;
}
