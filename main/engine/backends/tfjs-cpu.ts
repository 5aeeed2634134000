/**
 * Pure-JavaScript backend (`cpu`) from `@tensorflow/tfjs`. Always available and complete (forward
 * and backward), but slow: the last resort, and the backend the conformance tests cross-check on.
 */
import type { BackendLoader, LoadOutcome, Tf } from './types';

async function load(tf: Tf): Promise<LoadOutcome> {
  if (!(await tf.setBackend('cpu'))) return { ok: false, reason: "the 'cpu' backend did not initialise" };
  return { ok: true, details: { device: 'CPU', tfVersion: null, nativePackage: null, oneDnn: null } };
}

/** Loader for the cpu backend. */
export const tfjsCpuBackend: BackendLoader = { name: 'cpu', load };
