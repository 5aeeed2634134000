/**
 * Nearest neighbours of a misclassified input in saliency space (Levin et al.; algorithms.md
 * §2.6): the distance between two standardised filter profiles ŝ_a, ŝ_b (z-scores over all L
 * filters) is the cosine distance of the reference code,
 *
 *   d(a, b) = |cos(ŝ_a, ŝ_b) − 1| = 1 − ŝ_a·ŝ_b / (‖ŝ_a‖‖ŝ_b‖)     ∈ [0, 2],
 *
 * with cos taken as 0 when either profile is all zeros. Ties are broken by item index, so the
 * answer is reproducible. Checkable property: d(a, c·a) = 0 for every c > 0.
 */
import { AppError } from '../../../../shared/errors';

/** A neighbour and its cosine distance. */
export interface Neighbour {
  /** Position of the neighbour in the `profiles` list. */
  item: number;
  distance: number;
}

function unitRows(profiles: ArrayLike<number>[]): Float64Array[] {
  const L = profiles[0]?.length ?? 0;
  return profiles.map((p, i) => {
    if (p.length !== L) throw new AppError('PARAM_INVALID', `triage: profile ${i} has ${p.length} filters, profile 0 has ${L}.`);
    let norm = 0;
    for (let j = 0; j < L; j++) {
      if (!Number.isFinite(p[j])) throw new AppError('PARAM_INVALID', `triage: profile ${i} has ${p[j]} at filter ${j}; standardised profiles must be finite.`);
      norm += p[j] * p[j];
    }
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    return Float64Array.from(p, (v) => v * scale);
  });
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j] * b[j];
  return s;
}

/** d(a, b) = |cos(a, b) − 1| (1 when either vector is all zeros). */
export function cosineDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const [ua, ub] = unitRows([a, b]);
  return Math.abs(dot(ua, ub) - 1);
}

/**
 * The `k` profiles nearest to `profiles[query]` (itself excluded), nearest first; among
 * `candidates` (positions in `profiles`) when given.
 * @throws AppError PARAM_INVALID for a bad query, k, or ragged / non-finite profiles
 */
export function nearestNeighbours(profiles: ArrayLike<number>[], query: number, k: number, candidates?: number[]): Neighbour[] {
  if (!Number.isInteger(query) || query < 0 || query >= profiles.length) throw new AppError('PARAM_INVALID', `triage: \`query\` must be an index in 0…${profiles.length - 1}, got ${query}.`);
  if (!Number.isInteger(k) || k < 1) throw new AppError('PARAM_INVALID', `triage: \`k\` must be a positive integer, got ${k}.`);
  const pool = candidates ?? profiles.map((_, i) => i);
  for (const c of pool) if (!Number.isInteger(c) || c < 0 || c >= profiles.length) throw new AppError('PARAM_INVALID', `triage: candidate ${c} is not an index in 0…${profiles.length - 1}.`);
  const rows = unitRows(profiles);
  const found = pool.filter((i) => i !== query).map((item) => ({ item, distance: Math.abs(dot(rows[query], rows[item]) - 1) }));
  found.sort((a, b) => a.distance - b.distance || a.item - b.item);
  return found.slice(0, k);
}

/** The `k` nearest neighbours of every profile (itself excluded), normalising each profile once. */
export function allNearestNeighbours(profiles: ArrayLike<number>[], k: number): Neighbour[][] {
  if (!Number.isInteger(k) || k < 1) throw new AppError('PARAM_INVALID', `triage: \`k\` must be a positive integer, got ${k}.`);
  const rows = unitRows(profiles);
  return rows.map((q, query) => {
    const found: Neighbour[] = [];
    rows.forEach((r, item) => item !== query && found.push({ item, distance: Math.abs(dot(q, r) - 1) }));
    return found.sort((a, b) => a.distance - b.distance || a.item - b.item).slice(0, k);
  });
}

/** All pairwise distances d(i, j), row-major [N·N] (for many queries or for clustering). */
export function cosineDistanceMatrix(profiles: ArrayLike<number>[]): Float64Array {
  const rows = unitRows(profiles);
  const n = rows.length;
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = Math.abs(dot(rows[i], rows[j]) - 1);
      out[i * n + j] = d;
      out[j * n + i] = d;
    }
  }
  return out;
}
