/**
 * The persisted `evaluate` analysis (faithfulness curves): per batch, the engine's `evaluate` runs
 * on the batch's indices only and each image's curves (one per metric) become that image's stored
 * row. The final document is built from ALL stored rows with the engine's own summary code
 * (metrics/summary.ts: bootstrap means in float64, pure JS), so it equals the document one
 * uninterrupted run writes: the per-image curves do not depend on the batch composition (every
 * random draw derives from (seed, item index): noise baselines and stochastic methods), and the
 * bootstrap sees the curves in the same order (positions) with the same seed. Pass counts and
 * time are summed over the batches.
 */
import { AppError } from '../../../../shared/errors';
import type { AnalysisSpec } from '../../../../shared/ipc/contract';
import { DEFAULT_RESAMPLES } from '../../../engine/metrics/bootstrap';
import type { CurvesFile, ImageCurve } from '../../../engine/metrics/request';
import { summarise } from '../../../engine/metrics/summary';
import type { FaithfulnessMetric, MetricParams } from '../../../engine/metrics/types';
import { batchRows, headersOf, type AnalysisKindRunner, type StoredRow } from './rows';

type EvaluateSpec = Extract<AnalysisSpec, { kind: 'evaluate' }>;
type Curves = Record<string, ImageCurve>;

/** What one batch's document says beyond its images (identical across batches but the counts and time). */
interface Header {
  head: Pick<CurvesFile, 'format' | 'model' | 'inputs' | 'maps' | 'method' | 'score' | 'target' | 'seed'>;
  metrics: Array<Pick<CurvesFile['metrics'][number], 'id' | 'baseline' | 'tile' | 'draws' | 'primary' | 'higherIsBetter'>>;
  forwards: number;
  perturbed: number;
  seconds: number;
}

function rows(doc: CurvesFile, items: Array<{ position: number; index: number }>): StoredRow[] {
  const ids = doc.metrics.map((m) => m.id);
  const records = new Map<number, { path: string; data: Curves }>();
  for (const id of ids) for (const curve of doc.images[id] ?? []) {
    const record = records.get(curve.index) ?? records.set(curve.index, { path: curve.path, data: {} }).get(curve.index)!;
    record.data[id] = curve;
  }
  const header: Header = {
    head: { format: doc.format, model: doc.model, inputs: doc.inputs, maps: doc.maps, method: doc.method, score: doc.score, target: doc.target, seed: doc.seed },
    metrics: doc.metrics.map(({ id, baseline, tile, draws, primary, higherIsBetter }) => ({ id, baseline, tile, draws, primary, higherIsBetter })),
    forwards: doc.forwards, perturbed: doc.perturbed, seconds: doc.seconds
  };
  return batchRows(items, records, doc.skipped, header);
}

/**
 * The metric record and its parameters handed to `summarise` are the fields it reads, as the
 * engine reported them in the batch header.
 */
function document(all: StoredRow[]): CurvesFile {
  const stored = all as StoredRow<Curves, Header>[];
  const headers = headersOf(stored);
  const ok = stored.filter((r) => r.status === 'ok');
  if (ok.length === 0 || headers.length === 0) throw new AppError('IMAGE_SET_EMPTY', 'evaluate: no input could be read, so there is nothing to evaluate.');
  const { head, metrics } = headers[0];
  const curves = metrics.map((m) => ok.map((r) => (r.data as Curves)[m.id]));
  const sum = (key: 'forwards' | 'perturbed' | 'seconds') => headers.reduce((s, h) => s + h[key], 0);
  const seconds = sum('seconds');
  const perturbed = sum('perturbed');
  return {
    ...head,
    count: ok.length,
    skipped: stored.filter((r) => r.status === 'skipped').map((r) => ({ path: r.path, reason: r.reason ?? 'unreadable' })),
    metrics: metrics.map((m, i) => summarise(m as unknown as FaithfulnessMetric, m as unknown as MetricParams, curves[i], DEFAULT_RESAMPLES, head.seed)),
    seconds, forwards: sum('forwards'), perturbed, perturbedPerSecond: perturbed / seconds, imagesPerSecond: ok.length / seconds,
    images: Object.fromEntries(metrics.map((m, i) => [m.id, curves[i]]))
  };
}

/** The in-memory path's engine request, restricted to the batch's indices, one engine batch per job batch. */
export const evaluateRunner: AnalysisKindRunner<CurvesFile> = {
  kind: 'evaluate',
  runBatch: (engine, spec, indices, out, options) => {
    const a = spec.analysis as EvaluateSpec;
    const params: Record<string, unknown> = {};
    if (a.baseline !== undefined) params.baseline = a.baseline;
    if (a.steps !== undefined) params.steps = a.steps;
    const inputs = { path: spec.imageSet.path, labelsPath: spec.imageSet.labelsPath, indices };
    return engine.request('evaluate', { modelPath: spec.models[0].path, inputs, metrics: a.metrics, method: { id: a.method, params: a.params }, params, seed: a.seed, batchSize: spec.batchSize, out }, options);
  },
  rows,
  document
};
