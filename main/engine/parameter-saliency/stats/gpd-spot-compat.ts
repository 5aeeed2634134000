/**
 * `spotCompat`: the GPD fit exactly as SPOT (Siffer et al. 2017) and its copy in the POT-saliency
 * code (Wang & Sato, arXiv 2310.17951) compute it, defects included (algorithms.md §5.11, §7 row 6).
 * Use it only to replicate the paper's rankings; gpd-mle.ts is the correct estimator.
 *
 * Reproduced exactly:
 *  - intervals: ε = 1e−8 (ε = |1/Y_max|/10 when 1/Y_max < 2ε); negative roots searched in
 *    (−1/Y_max + 2ε, −ε); positive roots in (2(Ȳ − Y_min)/(Ȳ·Y_min), 2(Ȳ − Y_min)/Y_min²) — the
 *    lower end of the latter usually lies far above the true root (the defect: no γ̂ > 0);
 *  - starts: step = (hi − lo)/11, starts = numpy.arange(lo + step, hi, step) (10, sometimes 11,
 *    points, built the way numpy fills arange), or the single start 0 (clipped into the bounds)
 *    when step ≤ 1e−8;
 *  - L-BFGS-B's first test: when the projected gradient of Σ w(θ_j)² has ∞-norm ≤ 1e−5 at the
 *    starts (the usual case at gradient scale, Y ≈ 1e−3), the starts themselves are the candidates;
 *  - candidates: the distinct end points (sorted, negative interval first), γ = u(θ) − 1,
 *    σ = γ/θ, a candidate replaces the best only if its log-likelihood is strictly larger;
 *  - the exponential candidate (0, Ȳ) starts as best with the wrong-signed ℓ = +n(1 + ln Ȳ).
 * Approximated: when the optimiser does iterate (excess scale ≳ 0.1), L-BFGS-B's path is
 * replaced by a per-start damped Newton iteration on w with the same bounds and the same stopping
 * tests (projected gradient ≤ 1e−5, relative reduction of Σw² ≤ 1e7·ε_mach, 15,000 iterations);
 * end points that are not roots can then differ from scipy's.
 */
const START_COUNT = 10;
const ARANGE_EPS = 1e-8;
const PGTOL = 1e-5;
const FTOL = 2.220446049250313e-9;
const MAX_ITERATIONS = 15000;

/** The reference routine's outcome and how it got there. */
export interface SpotCompatResult {
  gamma: number;
  sigma: number;
  /** The log-likelihood the reference reports for its choice (wrong sign when γ = 0). */
  referenceLogLik: number;
  negativeInterval: [number, number];
  positiveInterval: [number, number];
  /** Candidate end points (θ), negative interval first. */
  candidates: number[];
  /** Optimiser iterations per interval (0: the starts were returned unchanged). */
  iterations: [number, number];
}

/** u, v and w of the reference, with its plain log(1 + θY) (not log1p). */
function uvw(y: ArrayLike<number>, theta: number): { u: number; v: number; v2: number } {
  let logs = 0;
  let inv = 0;
  let inv2 = 0;
  for (let i = 0; i < y.length; i++) {
    const s = 1 + theta * y[i];
    logs += Math.log(s);
    inv += 1 / s;
    inv2 += 1 / (s * s);
  }
  const n = y.length;
  return { u: 1 + logs / n, v: inv / n, v2: inv2 / n };
}

/** w(θ) and w'(θ) as the reference computes them: w' = u·(mean(s⁻²) − v)/θ + v·(1 − v)/θ. */
function wAndSlope(y: ArrayLike<number>, theta: number): [number, number] {
  const { u, v, v2 } = uvw(y, theta);
  return [u * v - 1, u * ((v2 - v) / theta) + v * ((1 - v) / theta)];
}

/** numpy.arange(start, stop, step) for floats: length ceil((stop − start)/step), x_i = start + i·(x_1 − x_0). */
export function numpyArange(start: number, stop: number, step: number): number[] {
  const length = Math.ceil((stop - start) / step);
  if (!(length > 0)) return [];
  const second = start + step;
  const delta = second - start;
  return Array.from({ length }, (_, i) => (i === 0 ? start : i === 1 ? second : start + i * delta));
}

/** Starting points of one root search, clipped into the bounds as L-BFGS-B does. */
function startsFor(lo: number, hi: number): number[] {
  const step = (hi - lo) / (START_COUNT + 1);
  const raw = step <= ARANGE_EPS ? [0] : numpyArange(lo + step, hi, step);
  return raw.map((x) => Math.min(Math.max(x, lo), hi));
}

/** ∞-norm of L-BFGS-B's projected gradient for box bounds [lo, hi]. */
function projectedGradientNorm(x: number[], g: number[], lo: number, hi: number): number {
  let norm = 0;
  for (let j = 0; j < x.length; j++) {
    const gj = g[j] < 0 ? Math.max(x[j] - hi, g[j]) : Math.min(x[j] - lo, g[j]);
    norm = Math.max(norm, Math.abs(gj));
  }
  return norm;
}

/** Damped Newton step on w for one coordinate, kept inside [lo, hi]; returns the new θ and w. */
function newtonStep(y: ArrayLike<number>, theta: number, w: number, slope: number, lo: number, hi: number): [number, number] {
  let step = -w / slope;
  if (!Number.isFinite(step)) return [theta, w];
  for (let halving = 0; halving < 60; halving++, step /= 2) {
    const next = Math.min(Math.max(theta + step, lo), hi);
    const [wNext] = wAndSlope(y, next);
    if (wNext * wNext < w * w) return [next, wNext];
  }
  return [theta, w];
}

/** Minimises Σ w(θ_j)² over the box from the starts, stopping as L-BFGS-B would. */
function searchInterval(y: ArrayLike<number>, lo: number, hi: number): { ends: number[]; iterations: number } {
  const x = startsFor(lo, hi);
  let evals = x.map((t) => wAndSlope(y, t));
  let total = evals.reduce((acc, [w]) => acc + w * w, 0);
  for (let iteration = 0; iteration < MAX_ITERATIONS; iteration++) {
    const gradient = evals.map(([w, slope]) => 2 * w * slope);
    if (!(projectedGradientNorm(x, gradient, lo, hi) > PGTOL)) return { ends: x, iterations: iteration };
    const moved = evals.map(([w, slope], j) => newtonStep(y, x[j], w, slope, lo, hi));
    moved.forEach(([t], j) => (x[j] = t));
    evals = x.map((t) => wAndSlope(y, t));
    const next = evals.reduce((acc, [w]) => acc + w * w, 0);
    const reduction = (total - next) / Math.max(Math.abs(total), Math.abs(next), 1);
    total = next;
    if (reduction <= FTOL) return { ends: x, iterations: iteration + 1 };
  }
  return { ends: x, iterations: MAX_ITERATIONS };
}

/** The reference log-likelihood, exponential branch with its sign defect: +n(1 + ln Ȳ). */
function referenceLogLik(y: ArrayLike<number>, gamma: number, sigma: number, mean: number): number {
  const n = y.length;
  if (gamma === 0) return n * (1 + Math.log(mean));
  const tau = gamma / sigma;
  let logs = 0;
  for (let i = 0; i < n; i++) logs += Math.log(1 + tau * y[i]);
  return -n * Math.log(sigma) - (1 + 1 / gamma) * logs;
}

/** Reference intervals (see the file doc), before the search adds its own offsets. */
function referenceIntervals(min: number, max: number, mean: number): { negative: [number, number]; positive: [number, number] } {
  let epsilon = 1e-8;
  let a = -1 / max;
  if (Math.abs(a) < 2 * epsilon) epsilon = Math.abs(a) / START_COUNT;
  a += epsilon;
  const b = (2 * (mean - min)) / (mean * min);
  const c = (2 * (mean - min)) / (min * min);
  return { negative: [a + epsilon, -epsilon], positive: [b, c] };
}

/**
 * SPOT/POT-saliency Grimshaw fit on strictly positive excesses `y` (n ≥ 1), defects included.
 */
export function spotCompatGrimshaw(y: ArrayLike<number>): SpotCompatResult {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < y.length; i++) {
    sum += y[i];
    min = Math.min(min, y[i]);
    max = Math.max(max, y[i]);
  }
  const mean = sum / y.length;
  const { negative, positive } = referenceIntervals(min, max, mean);
  const left = negative[0] < negative[1] ? searchInterval(y, negative[0], negative[1]) : { ends: [], iterations: 0 };
  const right = searchInterval(y, positive[0], positive[1]);
  const distinct = (ends: number[]) => [...new Set(ends)].sort((p, q) => p - q);
  const candidates = [...distinct(left.ends), ...distinct(right.ends)];
  let best = { gamma: 0, sigma: mean, ll: referenceLogLik(y, 0, mean, mean) };
  for (const theta of candidates) {
    const gamma = uvw(y, theta).u - 1;
    const sigma = gamma / theta;
    const ll = referenceLogLik(y, gamma, sigma, mean);
    if (ll > best.ll) best = { gamma, sigma, ll };
  }
  return {
    gamma: best.gamma,
    sigma: best.sigma,
    referenceLogLik: best.ll,
    negativeInterval: negative,
    positiveInterval: positive,
    candidates,
    iterations: [left.iterations, right.iterations]
  };
}
