/**
 * Numeric assertions for engine tests (tfjs' expectArraysClose idea) and a tensor-leak guard:
 * every engine test checks that `tf.memory().numTensors` is unchanged by what it ran.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { expect } from 'vitest';

type Tf = typeof tfTypes;

export interface Tolerance {
  /** Relative tolerance, scaled by |expected|. */
  rtol?: number;
  /** Absolute tolerance. */
  atol?: number;
}

/** Element-wise |a − e| ≤ atol + rtol·|e|; the failure names the first offending index. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, { rtol = 1e-5, atol = 1e-7 }: Tolerance = {}): void {
  expect(actual.length, 'length').toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const limit = atol + rtol * Math.abs(expected[i]);
    if (!(Math.abs(actual[i] - expected[i]) <= limit)) {
      expect.fail(`element ${i}: got ${actual[i]}, expected ${expected[i]} (tolerance ${limit.toExponential(2)})`);
    }
  }
}

/** ‖a − b‖₂ / ‖b‖₂ in float64 (b is the reference; 0 when both are 0). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let ref = 0;
  for (let i = 0; i < b.length; i++) {
    diff += (a[i] - b[i]) ** 2;
    ref += b[i] ** 2;
  }
  return ref === 0 ? Math.sqrt(diff) : Math.sqrt(diff / ref);
}

/** Runs fn and asserts it left no tensor behind (tensors fn returns count as leaks unless disposed inside). */
export async function expectNoLeak<T>(tf: Tf, fn: () => T | Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const result = await fn();
  expect(tf.memory().numTensors, 'tensors leaked').toBe(before);
  return result;
}

/** Largest |value|. */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}
