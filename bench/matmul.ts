/**
 * The reference rate: a float32 matrix product (2048×2048 · 2048×2048 = 2·2048³ FLOPs) on the same
 * backend in the same run, the practical ceiling for dense maths on this machine. Each timed run is
 * the product plus a scalar sum of it (so the timing ends when the result exists, without copying
 * 16 MB back); the reference is the fastest of `reps` runs after one warm-up (the machine is shared,
 * so slower runs mostly measure other load), the median is reported beside it.
 */
import type * as tfTypes from '@tensorflow/tfjs';

export interface MatmulRate {
  size: number;
  bestMs: number;
  medianMs: number;
  flops: number;
  /** FLOP/s of the fastest run: the reference. */
  rate: number;
}

export async function measureMatmul(tf: typeof tfTypes, size = 2048, reps = 7): Promise<MatmulRate> {
  const a = tf.randomNormal([size, size], 0, 1, 'float32', 1);
  const b = tf.randomNormal([size, size], 0, 1, 'float32', 2);
  const once = async (): Promise<number> => {
    const start = performance.now();
    const total = tf.tidy(() => tf.sum(tf.matMul(a, b)));
    await total.data();
    total.dispose();
    return performance.now() - start;
  };
  try {
    await once();
    const times: number[] = [];
    for (let i = 0; i < reps; i++) times.push(await once());
    times.sort((x, y) => x - y);
    const flops = 2 * size ** 3;
    return { size, bestMs: times[0], medianMs: times[Math.floor(reps / 2)], flops, rate: flops / (times[0] / 1000) };
  } finally {
    tf.dispose([a, b]);
  }
}
