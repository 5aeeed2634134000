/**
 * WebAssembly backend (`wasm`, SIMD, one thread in Node). Forward passes only: tfjs-backend-wasm
 * 4.22 has no Conv2DBackpropFilter / DepthwiseConv2dNativeBackprop* kernels, so gradient work is
 * refused up front (see `requireGradients`).
 */
import type { BackendLoader, LoadOutcome, Tf } from './types';

async function load(tf: Tf): Promise<LoadOutcome> {
  try {
    // Registers the 'wasm' backend; in Node its .wasm files are found next to the package's dist/.
    await import('@tensorflow/tfjs-backend-wasm');
    if (!(await tf.setBackend('wasm'))) return { ok: false, reason: "the 'wasm' backend did not initialise" };
    await tf.ready();
  } catch (err) {
    return { ok: false, reason: `the 'wasm' backend failed to load: ${err instanceof Error ? err.message : String(err)}` };
  }
  return { ok: true, details: { device: 'CPU', tfVersion: null, nativePackage: null, oneDnn: null } };
}

/** Loader for the wasm backend. */
export const tfjsWasmBackend: BackendLoader = { name: 'wasm', load };
