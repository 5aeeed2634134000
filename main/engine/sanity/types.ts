/**
 * Shapes of the model-parameter sanity checks (issue #5 item 7; Adebayo et al., "Sanity Checks
 * for Saliency Maps", NeurIPS 2018): the request of a run, the per-image and per-step results,
 * and the registry entry every check implements.
 */
import type { InputsSpec } from '../protocol';
import type { BootstrapCi } from '../stats/bootstrap';
import type { InitMode } from './weights';

/** Persisted ids of the checks. */
export const SANITY_CHECK_IDS = ['cascading', 'independent'] as const;
export type SanityCheckId = (typeof SANITY_CHECK_IDS)[number];

/** One step of a check: a label and the layers whose weights are random during it. */
export interface SanityStep {
  /** The layer this step adds (cascading) or randomises alone (independent). */
  layer: string;
  /** Every layer randomised at this step. */
  randomised: string[];
}

/** A registry entry: how the steps are built from the model's layers (in model order). */
export interface SanityCheck {
  readonly id: SanityCheckId;
  readonly label: string;
  readonly reference: string;
  steps(layers: readonly string[]): SanityStep[];
}

/** Persisted ids of the similarity statistics between an original and a randomised-model map. */
export const SIMILARITY_IDS = ['spearman-abs', 'spearman-signed', 'ssim', 'topk'] as const;
export type SimilarityId = (typeof SIMILARITY_IDS)[number];

/** Similarities of one image at one step; NaN (null in JSON) where undefined (a constant map). */
export type Similarities = Record<SimilarityId, number>;

/** What a sanity run is asked to do. */
export interface SanityRequest {
  check: SanityCheckId;
  modelPath: string;
  inputs: InputsSpec;
  /** Saliency method id (main/engine/saliency registry); default 'gradient'. */
  method?: string;
  params?: Record<string, unknown>;
  /** Class each map explains: the ORIGINAL model's prediction (default) or the label; kept fixed at every step. */
  target?: 'predicted' | 'label';
  /** Re-initialisation (weights.ts); default glorot-uniform. */
  init?: InitMode;
  /** Seed of the random weights, of stochastic methods and of the bootstrap; default 0. */
  seed?: number;
  /** Top-k size for `topk` (count ≥ 1 or fraction in (0, 1)); default 0.1. */
  topK?: number;
  /** Bootstrap resamples for the CIs; default 1000. */
  resamples?: number;
  batchSize?: number;
  /** Result JSON path (written atomically); omitted: nothing written. */
  out?: string;
}

/** Per-image record: the original target and the similarity of each step. */
export interface SanityImage {
  index: number;
  path: string;
  label: number | null;
  target: number;
  steps: Similarities[];
}

/** Dataset-level curve point of one statistic at one step. */
export interface CurvePoint {
  n: number;
  undefinedCount: number;
  mean: number;
  std: number;
  median: number;
  ci: BootstrapCi;
}

/** The summary of a sanity run (what the engine method returns). */
export interface SanityResult {
  format: 'saliency-sanity-v1';
  check: SanityCheckId;
  model: { name: string; hash: string };
  method: { id: string; params: Record<string, unknown> };
  inputs: string;
  target: 'predicted' | 'label';
  init: InitMode;
  seed: number;
  topK: number;
  /** Layers with trainable weights, in model order. */
  layers: string[];
  steps: SanityStep[];
  /** For each statistic, one point per step. */
  curves: Record<SimilarityId, CurvePoint[]>;
  counts: { images: number; skipped: number };
  seconds: number;
  out: string | null;
}

/** The result file: the summary plus every image's per-step similarities. */
export interface SanityDocument extends SanityResult {
  images: SanityImage[];
}
