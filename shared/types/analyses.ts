/**
 * Analyses (issue #5): faithfulness metrics, salience measures and sanity checks run from the app.
 * The result of a finished analysis is the same JSON document the CLI writes (`saliency evaluate`
 * curves.json, `saliency measure` result JSON, `saliency sanity` result JSON); these are the parts
 * the renderer reads. The id lists mirror the engine registries (a test checks they agree).
 */

export const ANALYSIS_METRICS = ['deletion', 'insertion', 'morf', 'lerf'] as const;
export const ANALYSIS_MEASURES = ['entropy', 'out-of-set', 'equivariance', 'stability', 'degradation'] as const;
export const ANALYSIS_SANITY_MODES = ['cascading', 'independent'] as const;
export const ANALYSIS_SIMILARITIES = ['spearman-abs', 'spearman-signed', 'ssim', 'topk'] as const;

export type AnalysisMetric = (typeof ANALYSIS_METRICS)[number];
export type AnalysisMeasure = (typeof ANALYSIS_MEASURES)[number];
export type AnalysisSanityMode = (typeof ANALYSIS_SANITY_MODES)[number];
export type AnalysisSimilarity = (typeof ANALYSIS_SIMILARITIES)[number];

/** Mean with a bootstrap interval (NaN is written as null in JSON). */
export interface AnalysisMeanCI {
  mean: number | null;
  lo: number | null;
  hi: number | null;
  n: number;
}

/** One metric of an evaluate document. */
export interface EvaluateMetricDoc {
  id: AnalysisMetric;
  baseline: string;
  steps: number;
  primary: 'auc' | 'aopc';
  higherIsBetter: boolean;
  value: AnalysisMeanCI;
  auc: AnalysisMeanCI;
  aopc: AnalysisMeanCI;
  meanCurve: { x: number[]; y: number[] } | null;
}

/** `saliency evaluate` curves.json (the parts the app reads). */
export interface EvaluateDocument {
  format: 'saliency-evaluate-v1';
  count: number;
  metrics: EvaluateMetricDoc[];
  method: { id: string; params: Record<string, unknown> } | null;
  images: Record<string, Array<{ index: number; x: number[]; y: number[]; auc: number | null; aopc: number | null }>>;
  skipped: Array<{ path: string; reason: string }>;
  seconds: number;
}

/** A summary statistic of a measure document: mean with its CI and sample size. */
export interface MeasureStat {
  n: number;
  mean: number | null;
  ci: { lo: number | null; hi: number | null; level: number };
}

/** `saliency measure` result JSON (the parts the app reads). */
export interface MeasureDocument {
  schema: string;
  manifest: { measure: AnalysisMeasure; measureLabel: string; method: { id: string }; seconds: number };
  summary: Record<string, unknown>;
  perImage: Array<Record<string, unknown>>;
  warnings: string[];
}

/** One step of a sanity curve. */
export interface SanityCurvePoint {
  n: number;
  undefinedCount: number;
  mean: number | null;
  ci: { lo: number | null; hi: number | null };
}

/** `saliency sanity` result JSON (the parts the app reads). */
export interface SanityDocument {
  format: 'saliency-sanity-v1';
  check: AnalysisSanityMode;
  method: { id: string; params: Record<string, unknown> };
  layers: string[];
  steps: Array<{ layer: string }>;
  curves: Record<AnalysisSimilarity, SanityCurvePoint[]>;
  counts: { images: number; skipped: number };
  seconds: number;
}

export type AnalysisResult =
  | { kind: 'evaluate'; jobId: string; document: EvaluateDocument }
  | { kind: 'measure'; jobId: string; document: MeasureDocument }
  | { kind: 'sanity'; jobId: string; document: SanityDocument };
