/**
 * Generalized Pareto Distribution of an excess y ≥ 0 over a threshold, shape γ, scale σ > 0
 * (Pickands 1975; as used by SPOT, Siffer et al. 2017, and POT-saliency, Wang & Sato,
 * arXiv 2310.17951 — algorithms.md §5.11):
 *   survival  S(y) = (1 + γy/σ)^(−1/γ)          (γ ≠ 0),   exp(−y/σ)   (γ = 0)
 *   cdf       G(y) = 1 − S(y)
 *   density   g(y) = (1/σ)(1 + γy/σ)^(−1/γ − 1)
 *   support   y ≥ 0 for γ ≥ 0;  0 ≤ y ≤ −σ/γ for γ < 0.
 *
 * Numerics: everything goes through log S(y) = −(1/γ)·log1p(γy/σ), so neither a small γ nor a
 * small y cancels; the cdf is −expm1(log S). |γ| < 1e−12 uses the exponential branch (§1.11),
 * which is the γ → 0 limit of the same expression (the two agree to ~1e−12·(y/σ)² there).
 * Beyond the upper endpoint (γ < 0, 1 + γy/σ ≤ 0) the survival is exactly 0 (log −∞).
 *
 * Checkable properties: G(quantile(p)) = p; S(inverseSurvival(q)) = q; uniform excesses are
 * GPD(γ = −1, σ = 1): G(1) = 1 and S(y) = 0 for y ≥ 1.
 */
import { invalidParam, requireArray, requireFinite, requireFiniteEntries, requirePositive, show } from './validate';

const STAGE = 'gpd';

/** |γ| below this is treated as exactly 0 (exponential branch). */
export const GPD_GAMMA_ZERO = 1e-12;

function checkParams(gamma: number, sigma: number): void {
  requireFinite(STAGE, 'gamma', gamma);
  requirePositive(STAGE, 'sigma', sigma);
}

function checkPoint(name: string, value: number): void {
  if (typeof value !== 'number' || Number.isNaN(value)) throw invalidParam(STAGE, `\`${name}\` must be a number, got ${show(value)}`);
}

/** log S(y) without argument checks; callers validate once, this runs in the fitting loops. */
export function gpdLogSurvivalUnchecked(y: number, gamma: number, sigma: number): number {
  if (y <= 0) return 0;
  if (Math.abs(gamma) < GPD_GAMMA_ZERO) return -y / sigma;
  const z = (gamma * y) / sigma;
  if (z <= -1) return -Infinity;
  return -Math.log1p(z) / gamma;
}

/** log S(y) = −(1/γ)·log1p(γy/σ); 0 for y ≤ 0, −∞ at or beyond the endpoint. */
export function gpdLogSurvival(y: number, gamma: number, sigma: number): number {
  checkParams(gamma, sigma);
  checkPoint('y', y);
  return gpdLogSurvivalUnchecked(y, gamma, sigma);
}

/** S(y) = P(Y > y) = (1 + γy/σ)^(−1/γ). */
export function gpdSurvival(y: number, gamma: number, sigma: number): number {
  return Math.exp(gpdLogSurvival(y, gamma, sigma));
}

/** G(y) = 1 − S(y), computed as −expm1(log S) so small probabilities keep full precision. */
export function gpdCdf(y: number, gamma: number, sigma: number): number {
  return -Math.expm1(gpdLogSurvival(y, gamma, sigma));
}

/** log g(y) = −log σ − (1/γ + 1)·log1p(γy/σ); −∞ outside the support. */
export function gpdLogPdf(y: number, gamma: number, sigma: number): number {
  checkParams(gamma, sigma);
  checkPoint('y', y);
  return gpdLogPdfUnchecked(y, gamma, sigma);
}

function gpdLogPdfUnchecked(y: number, gamma: number, sigma: number): number {
  if (y < 0) return -Infinity;
  if (Math.abs(gamma) < GPD_GAMMA_ZERO) return -Math.log(sigma) - y / sigma;
  const z = (gamma * y) / sigma;
  if (z < -1) return -Infinity;
  const power = 1 / gamma + 1;
  if (z === -1) {
    // At the endpoint the density is 0 (γ > −1), 1/σ (γ = −1, uniform) or unbounded (γ < −1).
    return power === 0 ? -Math.log(sigma) : power > 0 ? Infinity : -Infinity;
  }
  return -Math.log(sigma) - power * Math.log1p(z);
}

/** g(y), the density. */
export function gpdPdf(y: number, gamma: number, sigma: number): number {
  return Math.exp(gpdLogPdf(y, gamma, sigma));
}

/**
 * Log-likelihood of excesses Y_1..Y_n ≥ 0:
 *   ℓ = −n ln σ − (1 + 1/γ) Σ ln(1 + γY_i/σ)   (γ ≠ 0),   −n ln σ − ΣY_i/σ   (γ = 0);
 * −∞ when any Y_i lies outside the support. This is the correct sign for the exponential branch
 * (SPOT's code returns +n(1 + ln Ȳ) there; see gpd-spot-compat.ts).
 */
export function gpdLogLikelihood(excesses: ArrayLike<number>, gamma: number, sigma: number): number {
  checkParams(gamma, sigma);
  requireArray(STAGE, 'excesses', excesses);
  requireFiniteEntries(STAGE, 'excesses', excesses);
  return gpdLogLikelihoodUnchecked(excesses, gamma, sigma);
}

/** Log-likelihood without argument checks (for the estimators' inner loops). */
export function gpdLogLikelihoodUnchecked(excesses: ArrayLike<number>, gamma: number, sigma: number): number {
  let total = 0;
  for (let i = 0; i < excesses.length; i++) total += gpdLogPdfUnchecked(excesses[i], gamma, sigma);
  return total;
}

/** Quantile y_p with G(y_p) = p: (σ/γ)·expm1(−γ·log1p(−p)); −σ·log1p(−p) for γ = 0. */
export function gpdQuantile(p: number, gamma: number, sigma: number): number {
  checkParams(gamma, sigma);
  if (typeof p !== 'number' || !(p >= 0 && p <= 1)) throw invalidParam(STAGE, `\`p\` must lie in [0, 1], got ${show(p)}`);
  return excessAtLogSurvival(Math.log1p(-p), gamma, sigma);
}

/**
 * Inverse survival y_q with S(y_q) = q, for tail probabilities too small for 1 − q:
 * (σ/γ)·expm1(−γ ln q). SPOT's extreme quantile is z_q = t + inverseSurvival(q·N/N_t).
 */
export function gpdInverseSurvival(q: number, gamma: number, sigma: number): number {
  checkParams(gamma, sigma);
  if (typeof q !== 'number' || !(q >= 0 && q <= 1)) throw invalidParam(STAGE, `\`q\` must lie in [0, 1], got ${show(q)}`);
  return excessAtLogSurvival(Math.log(q), gamma, sigma);
}

function excessAtLogSurvival(logS: number, gamma: number, sigma: number): number {
  if (logS === -Infinity) return gpdUpperEndpoint(gamma, sigma);
  if (Math.abs(gamma) < GPD_GAMMA_ZERO) return -sigma * logS;
  return (sigma / gamma) * Math.expm1(-gamma * logS);
}

/** Upper end of the support: −σ/γ for γ < 0, +∞ otherwise. */
export function gpdUpperEndpoint(gamma: number, sigma: number): number {
  checkParams(gamma, sigma);
  return gamma <= -GPD_GAMMA_ZERO ? -sigma / gamma : Infinity;
}
