import { describe, expect, it } from 'vitest';
import {
  GPD_GAMMA_ZERO,
  gpdCdf,
  gpdInverseSurvival,
  gpdLogLikelihood,
  gpdLogPdf,
  gpdLogSurvival,
  gpdPdf,
  gpdQuantile,
  gpdSurvival,
  gpdUpperEndpoint
} from '../../../main/engine/parameter-saliency/stats/gpd';
import { expectParamInvalid, gpdDraws, relativeError } from './helpers';

const SHAPES = [-0.5, -1e-13, 0, 1e-8, 0.3, 2];

describe('GPD distribution functions (§5.11)', () => {
  it('inverts: G(quantile(p)) = p to 1e-13 relative, from p = 1e-12 up', () => {
    for (const gamma of SHAPES) {
      for (const p of [1e-12, 1e-6, 0.1, 0.5, 0.9, 1 - 1e-9]) {
        const y = gpdQuantile(p, gamma, 2);
        expect(relativeError(gpdCdf(y, gamma, 2), p)).toBeLessThan(1e-13);
      }
    }
  });

  it('inverts in the far tail: S(inverseSurvival(q)) = q to 1e-12 relative, down to q = 1e-300', () => {
    // For γ < 0 the tail ends at −σ/γ, where S is ill-conditioned in y (a 1-ulp change of y near the
    // endpoint moves S by a large factor), so those shapes are checked down to q = 1e-6 only; for
    // γ = 2, y(1e-300) ≈ 1e598 overflows, so that shape stops at q = 1e-120.
    for (const gamma of SHAPES) {
      const smallest = gamma > 1 ? 1e-120 : 1e-300;
      for (const q of gamma < 0 ? [1e-6, 1e-3, 0.5, 1] : [smallest, 1e-20, 1e-3, 0.5, 1]) {
        const y = gpdInverseSurvival(q, gamma, 0.01);
        expect(relativeError(gpdSurvival(y, gamma, 0.01), q)).toBeLessThan(1e-12);
      }
    }
  });

  it('handles the γ → 0 limit without cancellation (log1p/expm1)', () => {
    // Tiny excess: G(y) ≈ y/σ must keep full precision (1 − S would return 0 or garbage).
    expect(relativeError(gpdCdf(1e-20, 0.3, 2), 5e-21)).toBeLessThan(1e-15);
    expect(relativeError(gpdCdf(1e-20, 0, 2), 5e-21)).toBeLessThan(1e-15);
    // Either side of the |γ| < 1e-12 switch the survival is continuous: |Δ log S| ≤ 1e-11·(y/σ)².
    for (const y of [1e-3, 1, 30]) {
      const exponential = gpdLogSurvival(y, 0, 1);
      for (const gamma of [GPD_GAMMA_ZERO * 1.0001, -GPD_GAMMA_ZERO * 1.0001, 1e-13]) {
        expect(Math.abs(gpdLogSurvival(y, gamma, 1) - exponential)).toBeLessThanOrEqual(1e-11 * y * y);
      }
    }
  });

  it('treats uniform excesses as GPD(γ = −1, σ = 1): endpoint 1, G(1) = 1, survival 0 beyond', () => {
    expect(gpdUpperEndpoint(-1, 1)).toBe(1);
    expect(gpdCdf(1, -1, 1)).toBe(1);
    expect(gpdCdf(0.25, -1, 1)).toBeCloseTo(0.25, 15);
    expect(gpdSurvival(1.5, -1, 1)).toBe(0);
    expect(gpdLogSurvival(1.5, -1, 1)).toBe(-Infinity);
    expect(gpdPdf(0.5, -1, 1)).toBeCloseTo(1, 15);
    expect(gpdPdf(1, -1, 1)).toBe(1);
    expect(gpdPdf(1.5, -1, 1)).toBe(0);
  });

  it('has the right support ends and values below 0', () => {
    expect(gpdUpperEndpoint(-0.5, 2)).toBe(4);
    expect(gpdUpperEndpoint(0, 2)).toBe(Infinity);
    expect(gpdUpperEndpoint(0.5, 2)).toBe(Infinity);
    expect(gpdSurvival(-1, 0.3, 1)).toBe(1);
    expect(gpdPdf(-1, 0.3, 1)).toBe(0);
    expect(gpdSurvival(Infinity, 0.3, 1)).toBe(0);
    expect(gpdQuantile(1, -0.5, 2)).toBe(4);
    expect(gpdQuantile(1, 0.5, 2)).toBe(Infinity);
  });

  it('has a density equal to the derivative of the cdf (central differences, 1e-6 relative)', () => {
    for (const gamma of SHAPES) {
      for (const y of [0.01, 0.5, 1.9]) {
        const h = 1e-5;
        const slope = (gpdCdf(y + h, gamma, 1) - gpdCdf(y - h, gamma, 1)) / (2 * h);
        expect(relativeError(gpdPdf(y, gamma, 1), slope)).toBeLessThan(1e-6);
      }
    }
  });

  it('reproduces the Pareto tail exactly: t^(−α)·S(x − t; 1/α, t/α) = x^(−α)', () => {
    for (const alpha of [0.5, 2, 5]) {
      for (const [t, x] of [[1.5, 2], [10, 1e3], [3, 3.000001]]) {
        const p = Math.pow(t, -alpha) * gpdSurvival(x - t, 1 / alpha, t / alpha);
        expect(relativeError(p, Math.pow(x, -alpha))).toBeLessThan(1e-13);
      }
    }
  });

  it('log-likelihood: Σ log g, with the correct sign in the exponential branch', () => {
    const y = gpdDraws(0.2, 1.5, 200, 3);
    let manual = 0;
    y.forEach((v) => (manual += gpdLogPdf(v, 0.2, 1.5)));
    expect(relativeError(gpdLogLikelihood(y, 0.2, 1.5), manual)).toBeLessThan(1e-13);
    const mean = y.reduce((a, b) => a + b, 0) / y.length;
    // ℓ(0, Ȳ) = −n(1 + ln Ȳ) (SPOT's code has +n(1 + ln Ȳ)).
    expect(relativeError(gpdLogLikelihood(y, 0, mean), -y.length * (1 + Math.log(mean)))).toBeLessThan(1e-12);
    // A value beyond the endpoint −σ/γ makes the sample impossible.
    expect(gpdLogLikelihood([0.5, 3], -0.5, 1)).toBe(-Infinity);
  });

  it('rejects bad parameters naming them', () => {
    expectParamInvalid(() => gpdSurvival(1, 0.1, 0), /gpd: `sigma` must be a finite number > 0, got 0/);
    expectParamInvalid(() => gpdCdf(1, NaN, 1), /gpd: `gamma` must be a finite number, got NaN/);
    expectParamInvalid(() => gpdPdf(NaN, 0.1, 1), /gpd: `y` must be a number, got NaN/);
    expectParamInvalid(() => gpdQuantile(1.5, 0.1, 1), /gpd: `p` must lie in \[0, 1\], got 1.5/);
    expectParamInvalid(() => gpdInverseSurvival(-1, 0.1, 1), /gpd: `q` must lie in \[0, 1\]/);
    expectParamInvalid(() => gpdLogLikelihood([1, Infinity], 0.1, 1), /`excesses` must be finite, got Infinity at index 1/);
  });
});
