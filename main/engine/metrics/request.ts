/** Request, result and file types of the `evaluate` engine method (`saliency evaluate`). */
import type { InputsSpec } from '../protocol';
import type { MeanCI } from './bootstrap';
import type { MetricScore } from './score';
import type { CurveSummary, MetricId } from './types';

export interface EvaluateRequest {
  modelPath: string;
  inputs: InputsSpec;
  /** Metric ids; several metrics in one request share the original and baseline forward passes. */
  metrics: MetricId[];
  /** Saliency maps [N, H, W] (or [N, H, W, 1]) .npy, one per selected input, in input order. */
  mapsPath?: string;
  /** Compute the maps with a registered saliency method instead of reading them. */
  method?: { id: string; params?: Record<string, unknown> };
  /** Metric parameters applied to every metric: `baseline`, `steps`, `tile`, `draws`. */
  params?: Record<string, unknown>;
  /** Scored output: probability (default, spec §5.0) or logit. */
  score?: MetricScore;
  /** Class scored: the one predicted on the original input (default) or the label. */
  target?: 'predicted' | 'label';
  seed?: number;
  batchSize?: number;
  maxElementsPerPass?: number;
  /** Bootstrap resamples for the confidence intervals (default 1000). */
  bootstrap?: number;
  /** curves.json; written through a temporary and a rename. */
  out: string;
}

/** One image's curve under one metric. */
export interface ImageCurve {
  index: number;
  path: string;
  target: number;
  /** Fraction of pixels perturbed at each point. */
  x: number[];
  /** Score at each point. */
  y: number[];
  auc: number;
  aopc: number;
  /** s_c(B): the baseline's own score (mean over draws). */
  baselineScore: number;
}

/** Dataset-level summary of one metric. */
export interface MetricSummary {
  id: MetricId;
  baseline: string;
  steps: number;
  tile: number | null;
  draws: number;
  primary: CurveSummary;
  higherIsBetter: boolean;
  /** Mean and bootstrap CI of the primary value over images. */
  value: MeanCI;
  auc: MeanCI;
  aopc: MeanCI;
  /** Mean curve over images (float64), when every image has the same number of points. */
  meanCurve: { x: number[]; y: number[] } | null;
}

export interface EvaluateResult {
  out: string;
  count: number;
  metrics: MetricSummary[];
  skipped: Array<{ path: string; reason: string }>;
  seconds: number;
  /** Model inputs scored (originals, baselines, perturbed copies) and perturbed copies alone. */
  forwards: number;
  perturbed: number;
  perturbedPerSecond: number;
  imagesPerSecond: number;
}

/** curves.json */
export interface CurvesFile extends Omit<EvaluateResult, 'out'> {
  format: 'saliency-evaluate-v1';
  model: { name: string; hash: string };
  inputs: string;
  maps: string | null;
  method: { id: string; params: Record<string, unknown> } | null;
  score: MetricScore;
  target: 'predicted' | 'label';
  seed: number;
  images: Record<string, ImageCurve[]>;
}
