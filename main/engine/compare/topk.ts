import type { CompareOptions, Comparison, ComparisonStatistic, NumericArray } from './types';
import { assertPair, invalidParam } from './validate';

/** Default k when none is given: 10 % of the cells, one of the two sizes of algorithms.md §4.5. */
export const DEFAULT_TOPK = 0.1;

/**
 * Resolves k against n cells: an integer k ≥ 1 is a count (must be ≤ n); 0 < k < 1 is a
 * fraction, turned into max(1, round(k·n)). Rounding, not ceiling, because 0.1·50 evaluates to
 * 5.000000000000001 in float64 and a ceiling would give 6.
 */
export function resolveTopK(k: number, n: number): number {
  if (typeof k !== 'number' || !Number.isFinite(k) || k <= 0 || (k > 1 && !Number.isInteger(k))) {
    throw invalidParam('topk', `\`k\` must be an integer count ≥ 1 or a fraction in (0, 1), got ${String(k)}`);
  }
  if (k < 1) return Math.max(1, Math.round(k * n));
  if (k > n) throw invalidParam('topk', `\`k\` = ${k} exceeds the number of cells, ${n}`);
  return k;
}

/** Top-k class of each cell: ABOVE the k-th largest value t, TIED with it, or BELOW it. */
const BELOW = 0;
const TIED = 1;
const ABOVE = 2;

/** Cell classes plus the tie share: `slots` of the k places go to the `tied` cells equal to t. */
interface TopKMembership {
  cls: Uint8Array;
  tied: number;
  slots: number;
}

/**
 * Classifies the cells against the k-th largest value t. Cells above t are in the top k; the
 * `slots` = k − #above remaining places are shared evenly by the `tied` cells equal to t, so
 * each has membership weight slots/tied. Sharing ties instead of breaking them by cell index
 * keeps the result independent of cell order, which matters for block-constant maps
 * (occlusion windows, the zeros of a ReLU'd Grad-CAM).
 */
function topKMembership(x: NumericArray, k: number): TopKMembership {
  const n = x.length;
  const threshold = Float64Array.from(x).sort()[n - k];
  const cls = new Uint8Array(n);
  let above = 0;
  let tied = 0;
  for (let i = 0; i < n; i++) {
    cls[i] = x[i] > threshold ? ABOVE : x[i] === threshold ? TIED : BELOW;
    if (cls[i] === ABOVE) above++;
    else if (cls[i] === TIED) tied++;
  }
  return { cls, tied, slots: k - above };
}

/**
 * Σᵢ min(wᵃᵢ, wᵇᵢ) for the two memberships, summed per class pair with integer numerators so
 * that identical maps give exactly k (no 1 − 1e-16 from adding up n copies of slots/tied).
 */
function fuzzyOverlap(ma: TopKMembership, mb: TopKMembership): number {
  const counts = new Float64Array(9);
  for (let i = 0; i < ma.cls.length; i++) counts[ma.cls[i] * 3 + mb.cls[i]]++;
  const bothTied = counts[TIED * 3 + TIED];
  const tieMin = Math.min(ma.slots * mb.tied, mb.slots * ma.tied);
  // The two mixed terms are added together first so that swapping a and b is bit-identical.
  const mixed = (counts[ABOVE * 3 + TIED] * mb.slots) / mb.tied + (counts[TIED * 3 + ABOVE] * ma.slots) / ma.tied;
  return counts[ABOVE * 3 + ABOVE] + mixed + (bothTied * tieMin) / (ma.tied * mb.tied);
}

/** Result of {@link topKOverlap}: the resolved k, the overlap size and both normalisations. */
export interface TopKOverlap {
  k: number;
  /** |top_k(a) ∩ top_k(b)| (fractional under ties). */
  overlap: number;
  /** overlap / k, the statistic of algorithms.md §5.10. */
  intersection: number;
  /** overlap / (2k − overlap), the intersection over union. */
  iou: number;
}

/**
 * Top-k overlap of two maps (algorithms.md §5.10, §4.5): the share of the k highest-valued
 * cells the maps have in common, |top_k(a) ∩ top_k(b)| / k, and the IoU |∩| / |∪|.
 *
 * Tie rule: a cell above the k-th largest value has weight 1; the m cells equal to it share the
 * r places left, weight r/m each; all others 0. The overlap is the fuzzy-set intersection
 * Σᵢ min(wᵃᵢ, wᵇᵢ). Without ties at either k-th value this is exactly the set
 * intersection; with ties it does not depend on cell order, is symmetric, and gives 1 for
 * identical maps (including two constant maps). Invariant to strictly increasing transforms.
 * Throws PARAM_INVALID for a bad k, length mismatch, non-finite values or fewer than 2 cells.
 */
export function topKOverlap(a: NumericArray, b: NumericArray, k: number = DEFAULT_TOPK): TopKOverlap {
  const n = assertPair('topk', a, b);
  const kk = resolveTopK(k, n);
  const overlap = fuzzyOverlap(topKMembership(a, kk), topKMembership(b, kk));
  return { k: kk, overlap, intersection: overlap / kk, iou: overlap / (2 * kk - overlap) };
}

/** Registry entry: `opts.k` (default 0.1) and `opts.overlap` ('intersection' or 'iou'). */
export const topKStatistic: ComparisonStatistic = {
  id: 'topk',
  label: 'Top-k intersection',
  reference: '|top_k(a) ∩ top_k(b)| / k with fractional tie sharing; algorithms.md §5.10',
  range: [0, 1],
  higherIsMoreSimilar: true,
  compute: (a: NumericArray, b: NumericArray, opts: CompareOptions = {}): Comparison => {
    const measure = opts.overlap ?? 'intersection';
    if (measure !== 'intersection' && measure !== 'iou') {
      throw invalidParam('topk', `\`overlap\` must be 'intersection' or 'iou', got ${String(measure)}`);
    }
    const result = topKOverlap(a, b, opts.k ?? DEFAULT_TOPK);
    return { value: measure === 'iou' ? result.iou : result.intersection };
  }
};
