import { describe, expect, it } from 'vitest';
import { gaussianLogTail, gaussianTail } from '../../../main/engine/parameter-saliency/stats/normal';
import { fitPotMatrix } from '../../../main/engine/parameter-saliency/stats/pot';
import { scorePot, type PotScores, type PotStatus } from '../../../main/engine/parameter-saliency/stats/pot-score';
import { gaussianLogTails, proposition1Holds, rankByLogTail, rankPot } from '../../../main/engine/parameter-saliency/stats/ranking';
import { createWelford, welfordFinalize, welfordPush } from '../../../main/engine/parameter-saliency/stats/welford';
import { rankDescending, standardize } from '../../../main/engine/parameter-saliency/stats/zscore';
import { createRng } from '../../../shared/random';
import { expectParamInvalid, relativeError } from './helpers';

describe('Gaussian tail 1 − Φ(z) in log space', () => {
  // mpmath 1.3 references at 40 digits (ncdf(−z) and its log), rounded to the nearest float64.
  const REFERENCE: Array<[z: number, tail: number, logTail: number]> = [
    [-8, 0.9999999999999993, -6.220960574271786e-16],
    [-1, 0.8413447460685429, -0.17275377902344988],
    [0, 0.5, -0.6931471805599453],
    [0.3, 0.3820885778110474, -0.9621028181688507],
    [1.9, 0.028716559816001807, -3.5502813255421346],
    [2.0, 0.02275013194817921, -3.783184333682032],
    [2.83, 0.002327400206731554, -6.063003425465195],
    [6, 9.86587645037698e-10, -20.736768949974707],
    [10, 7.619853024160525e-24, -53.23128515051247],
    [38, 2.88542835e-316, -726.5572160188201],
    [40, 0, -804.6084420137538],
    [100, 0, -5005.524208694205]
  ];

  it.each(REFERENCE)('z = %s: log tail to 1e-14 relative, tail to 1e-13 relative', (z, tail, logTail) => {
    expect(relativeError(gaussianLogTail(z), logTail)).toBeLessThan(1e-14);
    // Below 1e-308 the value is subnormal (fewer significant bits), so compare the normal range only.
    if (tail > 1e-300) expect(relativeError(gaussianTail(z), tail)).toBeLessThan(1e-13);
  });

  it('is strictly decreasing on a fine grid from z = −8 to 60', () => {
    let previous = gaussianLogTail(-8);
    for (let k = 1; k <= 6_800; k++) {
      const next = gaussianLogTail(-8 + k * 0.01);
      expect(next).toBeLessThan(previous);
      previous = next;
    }
  });
});

describe('Proposition 1 on Gaussian profiles (§1.3, §1.12)', () => {
  // 400 filters with profiles S_j ~ N(μ_j, σ_j²), μ_j from 1e-4 to 1, σ_j from 0.05μ_j to 2μ_j.
  const rng = createRng(11);
  const L = 400;
  const mus = Float64Array.from({ length: L }, () => 10 ** (-4 * rng.uniform()));
  const sds = Float64Array.from(mus, (mu) => mu * (0.05 + 1.95 * rng.uniform()));
  const state = createWelford(L);
  for (let n = 0; n < 2_000; n++) welfordPush(state, Float64Array.from(mus, (mu, j) => mu + sds[j] * rng.normal()));
  const stats = welfordFinalize(state);
  const test = Float64Array.from(mus, (mu, j) => mu + sds[j] * 3 * rng.normal());
  const z = standardize(test, stats);

  it('ranks by z descending exactly as by 1 − Φ(z) ascending', () => {
    expect(Array.from(rankByLogTail(gaussianLogTails(z)))).toEqual(Array.from(rankDescending(z)));
    expect(proposition1Holds(z)).toBe(true);
  });

  it('has ŝ_j ≤ ŝ_j′ ⇔ P_j ≥ P_j′ (the paper prints the reversed inequality)', () => {
    const logP = gaussianLogTails(z);
    const order = rankDescending(z);
    let reversedHolds = true;
    for (let k = 1; k < L; k++) {
      const [hi, lo] = [order[k - 1], order[k]];
      expect(z[lo]).toBeLessThanOrEqual(z[hi]);
      expect(logP[lo]).toBeGreaterThanOrEqual(logP[hi]);
      if (z[lo] < z[hi] && !(logP[lo] <= logP[hi])) reversedHolds = false;
    }
    expect(reversedHolds).toBe(false);
  });
});

/** Hand-made scores: [status, logP, scaledExcess] per filter. */
function scores(rows: Array<[PotStatus, number, number]>): PotScores {
  return {
    status: rows.map((r) => r[0]),
    logP: Float64Array.from(rows, (r) => r[1]),
    p: Float64Array.from(rows, (r) => Math.exp(r[1])),
    scaledExcess: Float64Array.from(rows, (r) => r[2]),
    counts: { exceeds: 0, 'beyond-endpoint': 0, 'empty-tail': 0, 'at-or-below': 0 }
  };
}

describe('rankPot (§1.4 step 6, §1.11, §7 rows 4–5)', () => {
  const s = scores([
    ['exceeds', -5, 1],
    ['beyond-endpoint', -Infinity, 3],
    ['beyond-endpoint', -Infinity, 7],
    ['exceeds', -5, 2],
    ['at-or-below', NaN, NaN],
    ['empty-tail', -Math.log(1001), NaN],
    ['exceeds', -5, 0.5],
    ['at-or-below', NaN, NaN],
    ['beyond-endpoint', -Infinity, 7]
  ]);
  const z = [1, 9, 9, 4, 2, 0, 4, 5, 8];

  it('orders by log p ascending; p = 0 ties by scaled exceedance, then z, then index', () => {
    // The empty tail (log p = −log 1001 ≈ −6.9) comes before the log p = −5 group.
    expect(Array.from(rankPot(s, { zScores: z }).order)).toEqual([2, 8, 1, 5, 3, 6, 0]);
    // Without z-scores the last tie-break is the index alone.
    expect(Array.from(rankPot(s).order)).toEqual([2, 8, 1, 5, 0, 3, 6]);
    expect(rankPot(s).rankedCount).toBe(7);
  });

  it('appends the filters at or below threshold by z-score when asked, marking where they start', () => {
    const ranking = rankPot(s, { zScores: z, appendBelowThreshold: true });
    expect(Array.from(ranking.order)).toEqual([2, 8, 1, 5, 3, 6, 0, 7, 4]);
    expect(ranking.rankedCount).toBe(7);
  });

  it('rejects appending without z-scores and bad z-scores', () => {
    expectParamInvalid(() => rankPot(s, { appendBelowThreshold: true }), /`zScores` is required when `appendBelowThreshold` is true/);
    expectParamInvalid(() => rankPot(s, { zScores: [1, 2] }), /`zScores` must have length 9, got 2/);
    expectParamInvalid(() => rankPot(s, { zScores: [1, 2, 3, 4, NaN, 6, 7, 8, 9] }), /`zScores` must be finite, got NaN at filter 4/);
    expectParamInvalid(() => rankByLogTail([-1, NaN]), /`logP` must be ≤ 0 and not NaN, got NaN at filter 1/);
  });
});

describe('scale invariance of both rankings (§1.12)', () => {
  // 3,000 reference profiles of 24 filters: gradient-like |N(μ, σ)|, log-normal heavy tails,
  // a constant filter and a mostly-zero filter; column-major.
  const rng = createRng(99);
  const N = 3_000;
  const L = 24;
  const draw = (j: number): number => {
    if (j === 0) return 0.02;
    if (j === 1) return rng.uniform() < 0.95 ? 0 : rng.uniform() * 1e-3;
    const mu = 10 ** (-5 + (4 * j) / L);
    return j % 2 === 0 ? Math.abs(mu + mu * rng.normal()) : mu * Math.exp(0.8 * rng.normal());
  };
  const matrix = new Float64Array(N * L);
  for (let j = 0; j < L; j++) for (let i = 0; i < N; i++) matrix[j * N + i] = draw(j);
  const test = Float64Array.from({ length: L }, (_, j) => matrix[j * N + 7] * (1 + 3 * rng.uniform()));
  const rowsOf = (m: Float64Array) => Array.from({ length: N }, (_, i) => Float64Array.from({ length: L }, (_, j) => m[j * N + i]));

  function run(c: number) {
    const scaled = matrix.map((v) => v * c);
    const model = fitPotMatrix(scaled, N, L);
    const state = createWelford(L);
    rowsOf(scaled).forEach((row) => welfordPush(state, row));
    const z = standardize(test.map((v) => v * c), welfordFinalize(state));
    const potScores = scorePot(model, test.map((v) => v * c));
    return { model, z, potScores, pot: rankPot(potScores, { zScores: z }), baseline: rankDescending(z) };
  }

  it.each([1e-3, 37])('multiplying every profile by c = %s scales T and σ by c and leaves γ, p and both rankings unchanged', (c) => {
    const base = run(1);
    const scaled = run(c);
    expect(base.potScores.counts.exceeds).toBeGreaterThan(3);
    for (let j = 0; j < L; j++) {
      // T is one data value times c: exact. σ and γ: fits of c·Y, measured ≤ 1e-13; tolerance 1e-10.
      expect(scaled.model.thresholds[j]).toBe(base.model.thresholds[j] * c);
      expect(scaled.model.exceedances[j]).toBe(base.model.exceedances[j]);
      if (base.model.exceedances[j] === 0) continue;
      expect(Math.abs(scaled.model.gamma[j] - base.model.gamma[j])).toBeLessThan(1e-10);
      expect(relativeError(scaled.model.sigma[j], c * base.model.sigma[j])).toBeLessThan(1e-10);
      if (base.potScores.status[j] === 'exceeds') expect(Math.abs(scaled.potScores.logP[j] - base.potScores.logP[j])).toBeLessThan(1e-9);
    }
    expect(scaled.potScores.status).toEqual(base.potScores.status);
    expect(Array.from(scaled.pot.order)).toEqual(Array.from(base.pot.order));
    // The z-score ranking is invariant except for guarded (σ ≤ 1e-14) filters: their score
    // s̄ − μ carries units and scales by c (filter 0 is constant), so compare the others.
    expect(scaled.z[0]).toBeCloseTo(base.z[0] * c, 12);
    const unguarded = (order: Int32Array) => Array.from(order).filter((j) => j !== 0);
    expect(unguarded(scaled.baseline)).toEqual(unguarded(base.baseline));
  });
});
