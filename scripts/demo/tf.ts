/**
 * Loads the native TensorFlow backend for the generator. The environment must be set before the
 * binding loads, hence a dynamic import behind this function.
 */

/** The tfjs-node module type. */
export type Tf = typeof import('@tensorflow/tfjs-node');

let loaded: Tf | null = null;

/**
 * Thread counts the generator pins. Measured here: training is bit-exact run to run with a fixed
 * intra-op count, but 1, 2 and 4 intra-op threads give three different sets of weights (the
 * reductions are split per thread). 2 is this project's machine's default, so pinning it keeps
 * the committed files reproducible on machines with more cores.
 */
export const TF_THREADS = { intraOp: 2, interOp: 1 } as const;

/**
 * Imports `@tensorflow/tfjs-node` once. The thread counts (TF_NUM_INTRAOP_THREADS,
 * TF_NUM_INTEROP_THREADS) and TF_DETERMINISTIC_OPS are read when TensorFlow creates its first
 * context, so they must be in the environment before the import. TF_CPP_MIN_LOG_LEVEL hides the
 * start-up banner. oneDNN stays on (the default): the demo architecture has no 1×1 stride-2
 * convolution, the one case whose gradient crashes it. `intraOpThreads` exists only to measure
 * how much the thread count changes the results.
 */
export async function loadTf(intraOpThreads: number = TF_THREADS.intraOp): Promise<Tf> {
  if (loaded) return loaded;
  process.env.TF_CPP_MIN_LOG_LEVEL = '2';
  process.env.TF_DETERMINISTIC_OPS = '1';
  process.env.TF_NUM_INTRAOP_THREADS = String(intraOpThreads);
  process.env.TF_NUM_INTEROP_THREADS = String(TF_THREADS.interOp);
  loaded = await import('@tensorflow/tfjs-node');
  await loaded.ready();
  return loaded;
}

/** The TensorFlow C library version behind the binding (e.g. '2.21.0'), or null if unknown. */
export function tfLibraryVersion(tf: Tf): string | null {
  const backend = tf.backend() as unknown as { binding?: { TF_Version?: string } };
  return backend.binding?.TF_Version ?? null;
}
