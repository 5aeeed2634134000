/** Dataset-level summaries of per-image curves: means with bootstrap CIs and the mean curve (float64). */
import { bootstrapMean } from './bootstrap';
import type { ImageCurve, MetricSummary } from './request';
import type { FaithfulnessMetric, MetricParams } from './types';

/** Pointwise mean of the curves when they all have the same length, else null. */
export function meanCurve(curves: ImageCurve[]): { x: number[]; y: number[] } | null {
  if (curves.length === 0 || curves.some((c) => c.y.length !== curves[0].y.length)) return null;
  const n = curves[0].y.length;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (const c of curves) for (let k = 0; k < n; k++) {
    x[k] += c.x[k] / curves.length;
    y[k] += c.y[k] / curves.length;
  }
  return { x: Array.from(x), y: Array.from(y) };
}

export function summarise(metric: FaithfulnessMetric, params: MetricParams, curves: ImageCurve[], resamples: number, seed: number): MetricSummary {
  const auc = bootstrapMean(curves.map((c) => c.auc), { resamples, seed });
  const aopc = bootstrapMean(curves.map((c) => c.aopc), { resamples, seed });
  return {
    id: metric.id, baseline: params.baseline, steps: curves.length ? curves[0].y.length - 1 : 0, tile: params.tile, draws: params.draws,
    primary: metric.primary, higherIsBetter: metric.higherIsBetter, value: metric.primary === 'auc' ? auc : aopc, auc, aopc, meanCurve: meanCurve(curves)
  };
}
