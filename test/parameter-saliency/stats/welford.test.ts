import { describe, expect, it } from 'vitest';
import {
  createWelford,
  welfordFinalize,
  welfordFromSnapshot,
  welfordMerge,
  welfordPush,
  welfordToSnapshot,
  type WelfordState
} from '../../../main/engine/parameter-saliency/stats/welford';
import { createRng } from '../../../shared/random';
import { expectParamInvalid, relativeError, twoPass } from './helpers';

/**
 * Adversarial columns: offsets from 0 to 1e8 with spreads down to 1e−7 of the offset
 * (κ = |μ|/σ up to 1e7), plus gradient-like magnitudes.
 */
const COLUMNS: Array<[offset: number, spread: number]> = [
  [0, 1],
  [1e-3, 1e-4],
  [1, 1e-6],
  [1e3, 1e-3],
  [1e6, 1e-1],
  [1e8, 10],
  [-1e8, 10],
  [5e-2, 3e-2],
  [1e-6, 1e-7],
  [123456.789, 1e-2]
];
const N = 10_000;

/** N profiles (row-major, one profile of L = COLUMNS.length values per row). */
function makeRows(seed: number): Float64Array[] {
  const rng = createRng(seed);
  return Array.from({ length: N }, () => Float64Array.from(COLUMNS, ([offset, spread]) => offset + spread * rng.normal()));
}

function column(rows: Float64Array[], j: number): Float64Array {
  return Float64Array.from(rows, (row) => row[j]);
}

function pushAll(state: WelfordState, rows: Float64Array[]): WelfordState {
  for (const row of rows) welfordPush(state, row);
  return state;
}

/** Largest relative error of (mean, variance) against the two-pass reference, over all columns. */
function worstErrors(rows: Float64Array[], state: WelfordState): { mean: number; variance: number } {
  const stats = welfordFinalize(state);
  let mean = 0;
  let variance = 0;
  COLUMNS.forEach((_, j) => {
    const reference = twoPass(column(rows, j));
    mean = Math.max(mean, relativeError(stats.mean[j], reference.mean));
    variance = Math.max(variance, relativeError(stats.variance[j], reference.variance));
  });
  return { mean, variance };
}

describe('welford: streaming mean and unbiased variance (§2.3, §2.9)', () => {
  const rows = makeRows(2024);

  it('agrees with a compensated two-pass computation to 1e-12 relative on 10,000 adversarial vectors', () => {
    // Tolerance from §2.9: 1e-12 relative for both the mean and the unbiased variance.
    const errors = worstErrors(rows, pushAll(createWelford(COLUMNS.length), rows));
    expect(errors.mean).toBeLessThan(1e-12);
    expect(errors.variance).toBeLessThan(1e-12);
  });

  it('merges batches (Chan et al.) to the same statistics, 1e-12 relative to two-pass', () => {
    const cuts = [0, 1, 3_337, 7_001, N];
    const parts = cuts.slice(1).map((end, k) => pushAll(createWelford(COLUMNS.length), rows.slice(cuts[k], end)));
    const merged = parts.reduce((acc, part) => welfordMerge(acc, part), createWelford(COLUMNS.length));
    expect(merged.count).toBe(N);
    const errors = worstErrors(rows, merged);
    expect(errors.mean).toBeLessThan(1e-12);
    expect(errors.variance).toBeLessThan(1e-12);
  });

  it('resumes from a JSON snapshot bit for bit', () => {
    const uninterrupted = pushAll(createWelford(COLUMNS.length), rows);
    const half = pushAll(createWelford(COLUMNS.length), rows.slice(0, N / 2));
    const saved = JSON.parse(JSON.stringify(welfordToSnapshot(half)));
    const resumed = pushAll(welfordFromSnapshot(saved), rows.slice(N / 2));
    expect(welfordToSnapshot(resumed)).toEqual(welfordToSnapshot(uninterrupted));
  });

  it('leaves its inputs untouched when merging, and merging with an empty accumulator is a copy', () => {
    const a = pushAll(createWelford(COLUMNS.length), rows.slice(0, 10));
    const before = welfordToSnapshot(a);
    const merged = welfordMerge(createWelford(COLUMNS.length), a);
    expect(welfordToSnapshot(a)).toEqual(before);
    expect(welfordToSnapshot(merged)).toEqual(before);
    expect(welfordToSnapshot(welfordMerge(a, createWelford(COLUMNS.length)))).toEqual(before);
  });

  it('reports N = 1 as mean = the sample, variance and std undefined (NaN)', () => {
    const stats = welfordFinalize(welfordPush(createWelford(3), [0.5, 0, 1e6]));
    expect(Array.from(stats.mean)).toEqual([0.5, 0, 1e6]);
    expect(stats.variance.every(Number.isNaN)).toBe(true);
    expect(stats.std.every(Number.isNaN)).toBe(true);
  });

  it('gives exactly zero variance for a constant filter', () => {
    const state = createWelford(1);
    for (let i = 0; i < 100; i++) welfordPush(state, [0.1]);
    const stats = welfordFinalize(state);
    expect(stats.mean[0]).toBe(0.1);
    expect(stats.variance[0]).toBe(0);
  });

  it('rejects bad input with PARAM_INVALID naming the filter, without touching the state', () => {
    const state = welfordPush(createWelford(3), [1, 2, 3]);
    expectParamInvalid(() => welfordPush(state, [1, NaN, 3]), /welford: `profile` must be finite, got NaN at filter 1/);
    expectParamInvalid(() => welfordPush(state, [1, 2, -Infinity]), /at filter 2/);
    expect(state.count).toBe(1);
    expectParamInvalid(() => welfordPush(state, [1, 2]), /`profile` must have length 3, got 2/);
    expectParamInvalid(() => welfordFinalize(createWelford(2)), /holds no samples/);
    expectParamInvalid(() => createWelford(0), /`length` must be an integer ≥ 1/);
    expectParamInvalid(() => welfordMerge(createWelford(2), createWelford(3)), /cannot merge accumulators of 2 and 3 filters/);
  });

  it('validates snapshots', () => {
    const good = welfordToSnapshot(welfordPush(createWelford(2), [1, 2]));
    expectParamInvalid(() => welfordFromSnapshot({ ...good, format: 'x' as 'welford-v1' }), /`snapshot.format` must be 'welford-v1'/);
    expectParamInvalid(() => welfordFromSnapshot({ ...good, m2: [0, -1] }), /`snapshot.m2` must be ≥ 0, got -1 at filter 1/);
    expectParamInvalid(() => welfordFromSnapshot({ ...good, mean: [0] }), /`snapshot.mean` must have length 2/);
    expectParamInvalid(() => welfordFromSnapshot({ ...good, count: 1.5 }), /`snapshot.count` must be an integer/);
  });
});
