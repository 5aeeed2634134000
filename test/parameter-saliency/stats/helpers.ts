/** Shared helpers of the parameter-saliency statistics tests: seeded draws and reference computations. */
import { expect } from 'vitest';
import { AppError } from '../../../shared/errors';
import { createRng } from '../../../shared/random';

/** n inverse-cdf draws of GPD(γ, σ): Y = (σ/γ)(U^(−γ) − 1), or −σ ln U for γ = 0 (§5.11). */
export function gpdDraws(gamma: number, sigma: number, n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => {
    const logU = Math.log(rng.uniform());
    return gamma === 0 ? -sigma * logU : (sigma / gamma) * Math.expm1(-gamma * logU);
  });
}

/** Deterministic stratified GPD sample Y_i = Q((i − 0.5)/n), as built by fixtures/make-spot-reference.py. */
export function gpdStratified(gamma: number, sigma: number, n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => {
    const logU = Math.log1p(-(i + 1 - 0.5) / n);
    return gamma !== 0 ? (sigma / gamma) * Math.expm1(-gamma * logU) : -sigma * logU;
  });
}

/** n Pareto draws with survival x^(−α), x ≥ 1: X = U^(−1/α). */
export function paretoDraws(alpha: number, n: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: n }, () => Math.exp(-Math.log(rng.uniform()) / alpha));
}

/** Neumaier-compensated sum: the reference sums of the two-pass statistics. */
export function compensatedSum(values: ArrayLike<number>): number {
  let sum = 0;
  let carry = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i];
    const t = sum + x;
    carry += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
  }
  return sum + carry;
}

/**
 * Two-pass mean and unbiased variance with the corrected second pass (Björck):
 * var = (Σ(x − m)² − (Σ(x − m))²/N)/(N − 1), every sum compensated.
 */
export function twoPass(values: ArrayLike<number>): { mean: number; variance: number } {
  const n = values.length;
  const mean = compensatedSum(values) / n;
  const deviations = Float64Array.from(values, (x) => x - mean);
  const squares = compensatedSum(Float64Array.from(deviations, (d) => d * d));
  const drift = compensatedSum(deviations);
  return { mean, variance: (squares - (drift * drift) / n) / (n - 1) };
}

/** |a/b − 1|, or |a − b| when b = 0. */
export function relativeError(a: number, b: number): number {
  return b === 0 ? Math.abs(a - b) : Math.abs(a / b - 1);
}

/** Runs `fn`, expecting an AppError PARAM_INVALID whose message matches `pattern`. */
export function expectParamInvalid(fn: () => unknown, pattern: RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(AppError);
  expect((caught as AppError).code).toBe('PARAM_INVALID');
  expect((caught as AppError).message).toMatch(pattern);
}
