/**
 * Brent's root finder (Brent 1973, "Algorithms for Minimization without Derivatives", ch. 4):
 * inverse quadratic interpolation and secant steps, falling back to bisection whenever they do
 * not shrink the bracket fast enough, so it always converges on a sign-change bracket.
 * Used to polish the Grimshaw likelihood roots of the GPD fit (gpd-mle.ts).
 *
 * Checkable property: for f(x) = x² − 2 on [0, 2] it returns √2 to within 2 ulps.
 */

/** Result of a bracketed root search. */
export interface BrentResult {
  root: number;
  /** f at the root estimate. */
  value: number;
  iterations: number;
  /** False when `maxIterations` ran out before the bracket reached the tolerance. */
  converged: boolean;
}

/**
 * Finds a root of `f` in [a, b], where f(a) and f(b) have opposite signs (or one is 0).
 * Stops when the bracket is below 2·ε·|x| + `absTol` (ε = machine epsilon) or f(x) = 0.
 */
export function brentRoot(
  f: (x: number) => number,
  a: number,
  b: number,
  fa: number = f(a),
  fb: number = f(b),
  absTol = 0,
  maxIterations = 200
): BrentResult {
  if (fa === 0) return { root: a, value: 0, iterations: 0, converged: true };
  if (fb === 0) return { root: b, value: 0, iterations: 0, converged: true };
  if (Math.sign(fa) === Math.sign(fb)) throw new RangeError('brentRoot: f(a) and f(b) must differ in sign');
  let c = a;
  let fc = fa;
  let d = b - a;
  let e = d;
  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    if (Math.sign(fb) === Math.sign(fc)) {
      // Keep the root bracketed between b and c.
      c = a;
      fc = fa;
      d = b - a;
      e = d;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      // Make b the best estimate so far.
      [a, b, c] = [b, c, b];
      [fa, fb, fc] = [fb, fc, fb];
    }
    const tol = 2 * Number.EPSILON * Math.abs(b) + 0.5 * absTol;
    const half = 0.5 * (c - b);
    if (Math.abs(half) <= tol || fb === 0) return { root: b, value: fb, iterations: iteration, converged: true };
    [d, e] = nextStep(a, b, c, fa, fb, fc, d, e, half, tol);
    a = b;
    fa = fb;
    b += Math.abs(d) > tol ? d : half > 0 ? tol : -tol;
    fb = f(b);
  }
  return { root: b, value: fb, iterations: maxIterations, converged: false };
}

/** One Brent step: interpolation when it is safe and fast enough, bisection otherwise. Returns [d, e]. */
function nextStep(
  a: number,
  b: number,
  c: number,
  fa: number,
  fb: number,
  fc: number,
  d: number,
  e: number,
  half: number,
  tol: number
): [number, number] {
  if (Math.abs(e) < tol || Math.abs(fa) <= Math.abs(fb)) return [half, half];
  let p: number;
  let q: number;
  const s = fb / fa;
  if (a === c) {
    p = 2 * half * s; // secant
    q = 1 - s;
  } else {
    const qa = fa / fc;
    const r = fb / fc;
    p = s * (2 * half * qa * (qa - r) - (b - a) * (r - 1)); // inverse quadratic interpolation
    q = (qa - 1) * (r - 1) * (s - 1);
  }
  if (p > 0) q = -q;
  else p = -p;
  const accept = 2 * p < Math.min(3 * half * q - Math.abs(tol * q), Math.abs(e * q));
  return accept ? [p / q, d] : [half, half];
}
