/**
 * GPD fit of threshold excesses: one entry point for the three estimators and the reference
 * emulation (algorithms.md §1.4 step 4, §5.11).
 *
 * Estimators:
 *   `mle` (default): corrected Grimshaw maximum likelihood (gpd-mle.ts), exponential candidate
 *                    included, correct log-likelihood sign;
 *   `mom`, `pwm`:    method of moments and probability-weighted moments (gpd-moments.ts).
 * `spotCompat: true` (with `mle` only) runs the reference routine instead, with its search
 * intervals, starts and exponential-likelihood sign defect (gpd-spot-compat.ts).
 *
 * Degenerate inputs (§5.11): fewer than `minExcesses` (default 10) values, all values equal, or
 * an undefined moment formula → the exponential fit γ = 0, σ = Ȳ, flagged in
 * `diagnostics.fallback`. spotCompat never falls back (the reference does not), it only flags
 * `smallSample`. An empty sample is an error: the POT stage handles empty tails itself (§1.11).
 *
 * `logLik` is always the correctly signed ℓ(γ̂, σ̂) (−∞ when a moment fit excludes some data);
 * spotCompat also reports the value the reference would print as `diagnostics.referenceLogLik`.
 *
 * Checkable property: fits of c·Y give (γ̂, c·σ̂) (scale equivariance, to ~1e−14 for mle).
 */
import { gpdLogLikelihoodUnchecked } from './gpd';
import { grimshawMle, summarize } from './gpd-mle';
import { gpdMethodOfMoments, gpdProbabilityWeightedMoments, type MomentEstimate } from './gpd-moments';
import { spotCompatGrimshaw } from './gpd-spot-compat';
import { invalidParam, requireArray, requireInteger, show } from './validate';

const STAGE = 'gpd-fit';

/** Estimator ids (persisted; never rename). */
export type GpdEstimator = 'mle' | 'mom' | 'pwm';

/** Why the exponential fit was used instead of the requested estimator. */
export type GpdFallback = 'none' | 'few-excesses' | 'constant-excesses' | 'estimator-undefined';

/** Options of `fitGpd`; every field is optional and validated (PARAM_INVALID names it). */
export interface GpdFitOptions {
  /** `mle` (default), `mom` or `pwm`. */
  estimator?: GpdEstimator;
  /** Emulate the reference SPOT routine (mle only). Default false. */
  spotCompat?: boolean;
  /** Below this many excesses the exponential fit is used and flagged. Default 10. */
  minExcesses?: number;
  /** Grid size of the corrected MLE root search. Default 1,000. */
  gridPoints?: number;
}

/** How a fit was obtained: sample size, fallbacks, search intervals and reference quirks. */
export interface GpdFitDiagnostics {
  n: number;
  fallback: GpdFallback;
  /** n < minExcesses (reported in every mode, including spotCompat). */
  smallSample: boolean;
  spotCompat: boolean;
  /** mle: number of likelihood-equation roots found; spotCompat: candidate end points tried. */
  rootCount?: number;
  negativeInterval?: [number, number] | null;
  positiveInterval?: [number, number] | null;
  /** spotCompat only: the reference's own ℓ for its choice (wrong sign when γ = 0). */
  referenceLogLik?: number;
  /** spotCompat only: optimiser iterations per interval (0 = starts returned unchanged). */
  iterations?: [number, number];
}

/** A fitted GPD(γ, σ) with its correctly signed log-likelihood ℓ(γ̂, σ̂) (§5.11). */
export interface GpdFit {
  gamma: number;
  sigma: number;
  estimator: GpdEstimator;
  logLik: number;
  converged: boolean;
  diagnostics: GpdFitDiagnostics;
}

const ESTIMATORS: readonly GpdEstimator[] = ['mle', 'mom', 'pwm'];

/**
 * Checks the fit options and fills the defaults; PARAM_INVALID names the bad option. Callers that
 * may never reach a fit (the POT stage with only empty tails) call it up front.
 */
export function resolveGpdFitOptions(options: GpdFitOptions, stage = STAGE): Required<GpdFitOptions> {
  const { estimator = 'mle', spotCompat = false, minExcesses = 10, gridPoints = 1000 } = options;
  if (!ESTIMATORS.includes(estimator)) throw invalidParam(stage, `\`estimator\` must be 'mle', 'mom' or 'pwm', got ${show(estimator)}`);
  if (typeof spotCompat !== 'boolean') throw invalidParam(stage, `\`spotCompat\` must be a boolean, got ${show(spotCompat)}`);
  if (spotCompat && estimator !== 'mle') throw invalidParam(stage, `\`spotCompat\` applies to estimator 'mle' only, got '${estimator}'`);
  requireInteger(stage, 'minExcesses', minExcesses, 1);
  requireInteger(stage, 'gridPoints', gridPoints, 4);
  return { estimator, spotCompat, minExcesses, gridPoints };
}

function validate(excesses: unknown, options: GpdFitOptions): Required<GpdFitOptions> {
  requireArray(STAGE, 'excesses', excesses);
  if (excesses.length === 0) throw invalidParam(STAGE, '`excesses` must hold at least one value');
  for (let i = 0; i < excesses.length; i++) {
    const v = excesses[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw invalidParam(STAGE, `\`excesses\` must be finite and ≥ 0, got ${show(v)} at index ${i}`);
    }
  }
  return resolveGpdFitOptions(options);
}

function exponentialFit(y: ArrayLike<number>, estimator: GpdEstimator, fallback: GpdFallback, smallSample: boolean): GpdFit {
  const sigma = summarize(y).mean;
  const logLik = -y.length * (1 + Math.log(sigma));
  return { gamma: 0, sigma, estimator, logLik, converged: true, diagnostics: { n: y.length, fallback, smallSample, spotCompat: false } };
}

function fromEstimate(y: ArrayLike<number>, estimate: MomentEstimate | null, estimator: GpdEstimator, smallSample: boolean): GpdFit {
  if (estimate === null) return exponentialFit(y, estimator, 'estimator-undefined', smallSample);
  const logLik = gpdLogLikelihoodUnchecked(y, estimate.gamma, estimate.sigma);
  const diagnostics: GpdFitDiagnostics = { n: y.length, fallback: 'none', smallSample, spotCompat: false };
  return { ...estimate, estimator, logLik, converged: true, diagnostics };
}

function spotFit(y: ArrayLike<number>, smallSample: boolean): GpdFit {
  for (let i = 0; i < y.length; i++) {
    if (y[i] <= 0) throw invalidParam(STAGE, `\`spotCompat\` needs excesses > 0 (a strict threshold test), got ${y[i]} at index ${i}`);
  }
  const r = spotCompatGrimshaw(y);
  const logLik = gpdLogLikelihoodUnchecked(y, r.gamma, r.sigma);
  const diagnostics: GpdFitDiagnostics = {
    n: y.length,
    fallback: 'none',
    smallSample,
    spotCompat: true,
    rootCount: r.candidates.length,
    negativeInterval: r.negativeInterval,
    positiveInterval: r.positiveInterval,
    referenceLogLik: r.referenceLogLik,
    iterations: r.iterations
  };
  return { gamma: r.gamma, sigma: r.sigma, estimator: 'mle', logLik, converged: r.iterations.every((k) => k < 15000), diagnostics };
}

/**
 * Fits GPD(γ, σ) to excesses Y_i ≥ 0 (finite; NaN/Infinity/negatives are rejected naming the index).
 * @returns γ̂, σ̂, the estimator used, ℓ(γ̂, σ̂), convergence and diagnostics (see the file doc)
 */
export function fitGpd(excesses: ArrayLike<number>, options: GpdFitOptions = {}): GpdFit {
  const { estimator, spotCompat, minExcesses, gridPoints } = validate(excesses, options);
  const y = excesses;
  const smallSample = y.length < minExcesses;
  if (spotCompat) return spotFit(y, smallSample);
  if (smallSample) return exponentialFit(y, estimator, 'few-excesses', smallSample);
  const { min, max } = summarize(y);
  if (min === max) return exponentialFit(y, estimator, 'constant-excesses', smallSample);
  if (estimator === 'mom') return fromEstimate(y, gpdMethodOfMoments(y), estimator, smallSample);
  if (estimator === 'pwm') return fromEstimate(y, gpdProbabilityWeightedMoments(y), estimator, smallSample);
  const r = grimshawMle(y, gridPoints);
  const diagnostics: GpdFitDiagnostics = {
    n: y.length,
    fallback: 'none',
    smallSample,
    spotCompat: false,
    rootCount: r.rootCount,
    negativeInterval: r.negativeInterval,
    positiveInterval: r.positiveInterval
  };
  return { gamma: r.gamma, sigma: r.sigma, estimator, logLik: r.logLik, converged: r.converged, diagnostics };
}
