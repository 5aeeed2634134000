/**
 * The reference rate: a large float32 matrix product (2048×2048 · 2048×2048 = 2·2048³ FLOPs) on
 * the same backend in the same run, the practical ceiling for dense maths on this machine. The
 * median of `reps` timed runs after one warm-up.
 */
import type * as tfTypes from '@tensorflow/tfjs';

export interface MatmulRate {
  size: number;
  medianMs: number;
  flops: number;
  /** FLOP/s of the median run. */
  rate: number;
}

export async function measureMatmul(tf: typeof tfTypes, size = 2048, reps = 5): Promise<MatmulRate> {
  const a = tf.randomNormal([size, size], 0, 1, 'float32', 1);
  const b = tf.randomNormal([size, size], 0, 1, 'float32', 2);
  const once = async (): Promise<number> => {
    const start = performance.now();
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
    return performance.now() - start;
  };
  try {
    await once();
    const times: number[] = [];
    for (let i = 0; i < reps; i++) times.push(await once());
    times.sort((x, y) => x - y);
    const medianMs = times[Math.floor(reps / 2)];
    const flops = 2 * size ** 3;
    return { size, medianMs, flops, rate: flops / (medianMs / 1000) };
  } finally {
    tf.dispose([a, b]);
  }
}
