/**
 * Available-case averages of the protocol curves (algorithms.md §1.6 quirk, §7 row 10): at each k
 * the means run over the inputs whose selector reached k filters (a POT ranking can be shorter
 * than K), and `count[k]` says how many that was. Means are in probability units (the papers print
 * them ×100, as percentage points); `null` where no input reached k.
 *
 *   meanDeltaWrong[k] = Σ_{i: n_i ≥ k} Δwrong_i[k] / count[k],   likewise Δtrue,
 *   correctedFraction[k] = Σ_{i: n_i ≥ k} corrected_i[k] / count[k].
 *
 * Checkable property: count is non-increasing in k and count[1] = number of inputs with a
 * non-empty selection.
 */
import type { ImageCurves } from './protocol';

/** One selector's available-case curves, indexed by k − 1. */
export interface CurveSummary {
  selector: string;
  /** 1 … K. */
  k: number[];
  /** Inputs contributing at each k. */
  count: number[];
  meanDeltaWrong: Array<number | null>;
  meanDeltaTrue: Array<number | null>;
  correctedFraction: Array<number | null>;
}

interface Sums {
  count: Float64Array;
  wrong: Float64Array;
  right: Float64Array;
  corrected: Float64Array;
}

function emptySums(K: number): Sums {
  return { count: new Float64Array(K), wrong: new Float64Array(K), right: new Float64Array(K), corrected: new Float64Array(K) };
}

/** Available-case summaries, one per selector (in order of first appearance), for k = 1 … K. */
export function aggregateCurves(images: ImageCurves[], K: number): CurveSummary[] {
  const sums = new Map<string, Sums>();
  for (const image of images) {
    for (const curve of image.curves) {
      if (!sums.has(curve.selector)) sums.set(curve.selector, emptySums(K));
      const s = sums.get(curve.selector) as Sums;
      const n = Math.min(K, curve.filters.length);
      for (let k = 0; k < n; k++) {
        s.count[k]++;
        s.wrong[k] += curve.deltaWrong[k];
        s.right[k] += curve.deltaTrue[k];
        s.corrected[k] += curve.corrected[k];
      }
    }
  }
  const mean = (total: Float64Array, count: Float64Array) => Array.from(total, (v, k) => (count[k] > 0 ? v / count[k] : null));
  return [...sums].map(([selector, s]) => ({
    selector,
    k: Array.from({ length: K }, (_, i) => i + 1),
    count: Array.from(s.count),
    meanDeltaWrong: mean(s.wrong, s.count),
    meanDeltaTrue: mean(s.right, s.count),
    correctedFraction: mean(s.corrected, s.count)
  }));
}
