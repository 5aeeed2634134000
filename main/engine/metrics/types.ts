/**
 * The faithfulness-metric contract (algorithms.md §5.8, §5.9, §4.4). Every metric is a schedule of
 * cumulative perturbations x^(0) … x^(K) of one input, each `x̃ = M ⊙ x + (1 − M) ⊙ B` with a
 * 0/1 keep-mask M broadcast over channels and a baseline B from the shared registry:
 *
 * - direction `delete`: x^(0) = x and step k replaces the pixels scheduled at steps ≤ k by B;
 * - direction `insert`: x^(0) = B and step k copies the pixels scheduled at steps ≤ k back from x.
 *
 * A metric only decides the schedule (which pixels move at which step) from the saliency map;
 * batching, baselines and scores are shared (./evaluate.ts), so metrics that meet at the same
 * input (x itself, B itself) share those forward passes.
 */

/** The persisted metric ids (never renamed). */
export type MetricId = 'deletion' | 'insertion' | 'morf' | 'lerf';

/** Which number summarises a curve: the trapezoid AUC (§5.8) or AOPC (§5.9). */
export type CurveSummary = 'auc' | 'aopc';

/** Validated metric parameters. */
export interface MetricParams {
  /** Canonical baseline spec (`id:k=v,…`) as the registry resolves it. */
  baseline: string;
  /** Pixel metrics: number of steps K; region metrics: number of regions L perturbed. */
  steps: number | null;
  /** Region metrics: side of the square non-overlapping tiles (px). */
  tile: number | null;
  /** Baseline draws averaged per curve (noise baselines); 1 for deterministic baselines. */
  draws: number;
}

/**
 * When each pixel is perturbed: `stepOf[p]` ∈ 1…K is the step at which pixel p (row-major H·W)
 * is replaced (delete) or restored (insert); 0 means never within the K steps. `fraction[k]` is
 * the fraction of the H·W pixels perturbed after k steps (the curve's x, float64).
 */
export interface Schedule {
  stepOf: Int32Array;
  steps: number;
  fraction: Float64Array;
}

/** One registered metric (one file each, listed in ./index.ts). */
export interface FaithfulnessMetric {
  id: MetricId;
  label: string;
  reference: string;
  direction: 'delete' | 'insert';
  /** The number reported per image and overall. */
  primary: CurveSummary;
  /** Whether a larger primary value means a more faithful map. */
  higherIsBetter: boolean;
  /** Baseline when none is given (spec defaults: Petsiuk's substrates, Samek's uniform noise). */
  defaultBaseline: string;
  /** Fills defaults and checks every parameter. @throws AppError PARAM_INVALID naming the parameter */
  validate(params: Record<string, unknown>): MetricParams;
  /** The schedule for one [H, W] map (row-major). @throws AppError PARAM_INVALID for a non-finite map */
  schedule(map: ArrayLike<number>, height: number, width: number, params: MetricParams): Schedule;
}
