/**
 * Shared shapes of the comparison statistics (algorithms.md §5.10): plain arrays in, plain
 * numbers out, so results can cross the engine-host boundary without conversion.
 */

/** A flattened saliency map (row-major). Values are read as float64 whatever the array type. */
export type NumericArray = ArrayLike<number>;

/** The persisted ids of the pairwise statistics; never renamed without a migration. */
export type StatisticId = 'spearman' | 'kendall' | 'ssim' | 'pearson' | 'cosine' | 'topk';

/**
 * One options bag for every statistic, so a matrix can pass the same object to any of them.
 * Each statistic reads only the fields it documents and ignores the rest.
 */
export interface CompareOptions {
  /** Map height in cells (SSIM). With `width` omitted too, a square map is assumed. */
  height?: number;
  /** Map width in cells (SSIM). */
  width?: number;
  /** SSIM data range R (maximum minus minimum possible value), e.g. 255 or 1. */
  dataRange?: number;
  /** SSIM window side; odd, default 7 (scikit-image's default). */
  winSize?: number;
  /** Top-k size: an integer ≥ 1 is a count, a value in (0, 1) a fraction of the cells. */
  k?: number;
  /** Top-k overlap measure: `intersection` (|∩|/k, the default) or `iou` (|∩|/|∪|). */
  overlap?: 'intersection' | 'iou';
}

/**
 * The outcome of one comparison. `value` is NaN exactly when the statistic is undefined for
 * these inputs (for example a constant map under a correlation), and `reason` then says why.
 */
export interface Comparison {
  value: number;
  reason?: string;
}

/** A registry entry: one pairwise statistic with its metadata (style.md §4.4). */
export interface ComparisonStatistic {
  readonly id: StatisticId;
  /** Display label; separate from the persisted id. */
  readonly label: string;
  /** Where the definition comes from. */
  readonly reference: string;
  /** Closed interval the defined values lie in. */
  readonly range: readonly [number, number];
  /** True when a larger value means the two maps are more alike. */
  readonly higherIsMoreSimilar: boolean;
  /** Computes the statistic; symmetric in `a` and `b` for every registered statistic. */
  compute(a: NumericArray, b: NumericArray, opts?: CompareOptions): Comparison;
}
