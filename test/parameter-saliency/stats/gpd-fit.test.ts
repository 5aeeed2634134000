import { describe, expect, it } from 'vitest';
import { gpdLogLikelihood } from '../../../main/engine/parameter-saliency/stats/gpd';
import { fitGpd, type GpdEstimator } from '../../../main/engine/parameter-saliency/stats/gpd-fit';
import { expectParamInvalid, gpdDraws, gpdStratified, relativeError } from './helpers';

const SHAPES = [-0.3, 0, 0.3, 0.5];
const mean = (y: ArrayLike<number>) => Array.from(y).reduce((a, b) => a + b, 0) / y.length;

describe('GPD maximum likelihood (corrected Grimshaw search, §5.11)', () => {
  it.each(SHAPES)('recovers γ = %s within ±0.06 and σ within 7 percent in 20 seeded repetitions of n = 5,000', (gamma) => {
    // Tolerances from §5.11 (the authors' numpy check: every one of 20 repetitions inside them).
    const sigma = 1.5;
    for (let rep = 0; rep < 20; rep++) {
      const fit = fitGpd(gpdDraws(gamma, sigma, 5_000, 1_000 + rep));
      expect(Math.abs(fit.gamma - gamma)).toBeLessThanOrEqual(0.06);
      expect(relativeError(fit.sigma, sigma)).toBeLessThanOrEqual(0.07);
      expect(fit.converged).toBe(true);
      expect(fit.diagnostics.fallback).toBe('none');
    }
  });

  it('returns a likelihood maximum: no better nearby point, and at least the exponential candidate', () => {
    const y = gpdDraws(0.3, 2, 5_000, 5);
    const fit = fitGpd(y);
    expect(fit.logLik).toBeCloseTo(gpdLogLikelihood(y, fit.gamma, fit.sigma), 8);
    for (const [dg, ds] of [[1e-3, 0], [-1e-3, 0], [0, 1e-3], [0, -1e-3]]) {
      expect(gpdLogLikelihood(y, fit.gamma + dg, fit.sigma * (1 + ds))).toBeLessThan(fit.logLik);
    }
    expect(fit.logLik).toBeGreaterThanOrEqual(-y.length * (1 + Math.log(mean(y))));
  });

  it('finds the heavy-tail root that the reference interval excludes (§5.11 defect example)', () => {
    // 5,000 stratified GPD(0.3, 2) excesses: the root θ̂ = γ̂/σ̂ ≈ 0.15 lies inside our positive
    // interval (δ, …) but far below SPOT's lower end 2(Ȳ − Y_min)/(Ȳ·Y_min) ≈ 1e4.
    const y = gpdStratified(0.3, 2, 5_000);
    const fit = fitGpd(y);
    const theta = fit.gamma / fit.sigma;
    expect(Math.abs(fit.gamma - 0.3)).toBeLessThan(0.01);
    expect(fit.diagnostics.positiveInterval![0]).toBeLessThan(theta);
    expect(fitGpd(y, { spotCompat: true }).diagnostics.positiveInterval![0]).toBeGreaterThan(1_000 * theta);
  });

  it('fits exponential data with γ̂ ≈ 0 and σ̂ ≈ Ȳ (mle, mom and pwm)', () => {
    const y = gpdDraws(0, 0.02, 5_000, 77);
    for (const estimator of ['mle', 'mom', 'pwm'] as GpdEstimator[]) {
      const fit = fitGpd(y, { estimator });
      // Tolerances: ±0.06 on γ (the §5.11 recovery band) and 5 % on σ/Ȳ (σ̂ ≈ Ȳ(1 − γ̂)).
      expect(Math.abs(fit.gamma)).toBeLessThanOrEqual(0.06);
      expect(relativeError(fit.sigma, mean(y))).toBeLessThanOrEqual(0.05);
    }
  });

  it('is scale equivariant: fits of c·Y give (γ̂, c·σ̂) to 1e-12 for every estimator', () => {
    for (const estimator of ['mle', 'mom', 'pwm'] as GpdEstimator[]) {
      for (const gamma of SHAPES) {
        const y = gpdDraws(gamma, 1.5, 2_000, 11);
        const base = fitGpd(y, { estimator });
        for (const c of [3e-7, 1e-3, 7.3, 1e4]) {
          const scaled = fitGpd(y.map((v) => v * c), { estimator });
          // Measured ≤ 2e-14; 1e-12 leaves room for other platforms' libm.
          expect(Math.abs(scaled.gamma - base.gamma)).toBeLessThanOrEqual(1e-12);
          expect(relativeError(scaled.sigma, c * base.sigma)).toBeLessThanOrEqual(1e-12);
        }
      }
    }
  });
});

describe('GPD moment estimators (§5.11)', () => {
  it.each([-0.3, 0, 0.3])('probability-weighted moments recover γ = %s within ±0.05 (single seed, n = 5,000)', (gamma) => {
    // §5.11 saw ±0.03 on its seed; PWM's standard error at n = 5,000 is ≈ 0.02, so ±0.05 ≈ 2.5 s.e.
    const fit = fitGpd(gpdDraws(gamma, 1.5, 5_000, 21), { estimator: 'pwm' });
    expect(Math.abs(fit.gamma - gamma)).toBeLessThanOrEqual(0.05);
    expect(relativeError(fit.sigma, 1.5)).toBeLessThanOrEqual(0.07);
  });

  it('probability-weighted moments at γ = 0.5: median of 5 seeds within ±0.05', () => {
    // PWM's asymptotic variance is finite only for γ < 1/2 (Hosking & Wallis 1987): at γ = 0.5 a
    // single sample can miss by 0.2 (seed 21 does), so only a robust summary is a sound test.
    const estimates = [21, 22, 23, 24, 25].map((seed) => fitGpd(gpdDraws(0.5, 1.5, 5_000, seed), { estimator: 'pwm' }).gamma);
    const median = estimates.sort((a, b) => a - b)[2];
    expect(Math.abs(median - 0.5)).toBeLessThanOrEqual(0.05);
  });

  it('PWM on an exact exponential sample gives a1 = σ/4, so σ̂ = σ and γ̂ = 0 (to 1e-4)', () => {
    const fit = fitGpd(gpdStratified(0, 2, 100_000), { estimator: 'pwm' });
    expect(Math.abs(fit.gamma)).toBeLessThan(1e-4);
    expect(relativeError(fit.sigma, 2)).toBeLessThan(1e-4);
  });

  it('method of moments recovers light tails within ±0.06 and is biased low at γ = 0.5 (documented)', () => {
    for (const gamma of [-0.3, 0]) {
      expect(Math.abs(fitGpd(gpdDraws(gamma, 1.5, 5_000, 21), { estimator: 'mom' }).gamma - gamma)).toBeLessThanOrEqual(0.06);
    }
    // γ = 0.5: the variance does not exist; §5.11 saw γ̂ ≈ 0.43. Mean over 5 seeds must be < 0.47.
    const estimates = [1, 2, 3, 4, 5].map((seed) => fitGpd(gpdDraws(0.5, 1.5, 5_000, seed), { estimator: 'mom' }).gamma);
    expect(mean(estimates)).toBeLessThan(0.47);
  });
});

describe('GPD fit edge cases and validation', () => {
  it('falls back to the exponential fit for fewer than minExcesses values, and flags it', () => {
    for (const estimator of ['mle', 'mom', 'pwm'] as GpdEstimator[]) {
      const fit = fitGpd([0.1, 0.3, 0.2], { estimator });
      expect(fit).toMatchObject({ gamma: 0, estimator, converged: true });
      expect(fit.sigma).toBeCloseTo(0.2, 15);
      expect(fit.diagnostics).toMatchObject({ fallback: 'few-excesses', smallSample: true, n: 3 });
    }
    expect(fitGpd([0.5]).sigma).toBe(0.5);
    expect(fitGpd(gpdDraws(0.2, 1, 12, 1), { minExcesses: 20 }).diagnostics.fallback).toBe('few-excesses');
  });

  it('fits all-equal excesses with the exponential candidate only (σ = Ȳ)', () => {
    const fit = fitGpd(new Float64Array(50).fill(0.004));
    expect(fit.gamma).toBe(0);
    expect(fit.sigma).toBeCloseTo(0.004, 15);
    expect(fit.diagnostics.fallback).toBe('constant-excesses');
    expect(fit.logLik).toBeCloseTo(-50 * (1 + Math.log(0.004)), 10);
  });

  it('runs spotCompat even on tiny samples, as the reference does, flagging smallSample', () => {
    const fit = fitGpd([0.001, 0.003, 0.002], { spotCompat: true });
    expect(fit.diagnostics).toMatchObject({ spotCompat: true, smallSample: true, fallback: 'none' });
    expect(Number.isFinite(fit.gamma) && fit.sigma > 0).toBe(true);
  });

  it('rejects bad input with PARAM_INVALID naming the argument and index', () => {
    expectParamInvalid(() => fitGpd([]), /gpd-fit: `excesses` must hold at least one value/);
    expectParamInvalid(() => fitGpd([1, NaN]), /`excesses` must be finite and ≥ 0, got NaN at index 1/);
    expectParamInvalid(() => fitGpd([1, 2, -0.5]), /got -0.5 at index 2/);
    expectParamInvalid(() => fitGpd([1, Infinity]), /got Infinity at index 1/);
    expectParamInvalid(() => fitGpd([1, 2], { estimator: 'lmom' as GpdEstimator }), /`estimator` must be 'mle', 'mom' or 'pwm', got "lmom"/);
    expectParamInvalid(() => fitGpd([1, 2], { estimator: 'pwm', spotCompat: true }), /`spotCompat` applies to estimator 'mle' only/);
    expectParamInvalid(() => fitGpd([0, 1, 2], { spotCompat: true }), /`spotCompat` needs excesses > 0/);
    expectParamInvalid(() => fitGpd([1, 2], { minExcesses: 0 }), /`minExcesses` must be an integer ≥ 1/);
    expectParamInvalid(() => fitGpd([1, 2], { gridPoints: 2 }), /`gridPoints` must be an integer ≥ 4/);
  });
});
