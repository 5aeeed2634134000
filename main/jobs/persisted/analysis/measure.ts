/**
 * The persisted `measure` analysis (salience measures of "Explain to Me"): per batch, the engine's
 * `measure` runs on the batch's indices only and each image's row of the measure becomes its
 * stored row. The final document's summary comes from ALL stored rows through the measures' own
 * summary code (engine/measures/summaries/, pure JS), so it equals one uninterrupted run's
 * document: every per-image random draw derives from (seed, item index) (out-of-set corruptions,
 * stochastic map methods), and the bootstrap sees the rows in position order with the run's
 * bootstrap settings. Time is summed over the batches; `createdAt` is the first batch's. JSON
 * turns NaN into null, which the summaries leave out exactly as they leave out NaN.
 */
import { AppError } from '../../../../shared/errors';
import type { AnalysisSpec } from '../../../../shared/ipc/contract';
import type { SkippedFile } from '../../../../shared/types/images';
import type { BootstrapOptions } from '../../../engine/stats/bootstrap';
import { measureSummaryFromRows } from '../../../engine/measures/summaries';
import type { MeasureId, Row } from '../../../engine/measures/types';
import { batchRows, headersOf, type AnalysisKindRunner, type StoredRow } from './rows';

type MeasureSpec = Extract<AnalysisSpec, { kind: 'measure' }>;

/** The engine's measure document (measures/job.ts `runMeasure`). */
export interface MeasureDocument {
  schema: string;
  manifest: Record<string, unknown> & { measure: MeasureId; bootstrap: BootstrapOptions; seconds: number; inputs: Record<string, unknown> };
  summary: Record<string, unknown>;
  perImage: Row[];
  tables: Record<string, Row[]>;
  skipped: SkippedFile[];
  warnings: string[];
}

type Header = Pick<MeasureDocument, 'schema' | 'manifest' | 'summary' | 'warnings'>;

function rows(doc: MeasureDocument, items: Array<{ position: number; index: number }>): StoredRow[] {
  const records = new Map(doc.perImage.map((row) => [Number(row.index), { path: String(row.path ?? ''), data: row }]));
  return batchRows<Row, Header>(items, records, doc.skipped, { schema: doc.schema, manifest: doc.manifest, summary: doc.summary, warnings: doc.warnings });
}

function document(all: StoredRow[]): MeasureDocument {
  const stored = all as StoredRow<Row, Header>[];
  const headers = headersOf(stored);
  const perImage = stored.filter((r) => r.status === 'ok').map((r) => r.data as Row);
  if (perImage.length === 0 || headers.length === 0) throw new AppError('IMAGE_SET_EMPTY', 'measure: no input could be read, so there is nothing to measure.');
  const { schema, manifest, summary } = headers[0];
  return {
    schema,
    manifest: { ...manifest, inputs: { ...manifest.inputs, selected: stored.length }, seconds: headers.reduce((s, h) => s + h.manifest.seconds, 0) },
    summary: measureSummaryFromRows(manifest.measure, perImage, manifest.bootstrap, summary),
    perImage,
    tables: {},
    skipped: stored.filter((r) => r.status === 'skipped').map((r) => ({ path: r.path, reason: r.reason ?? 'unreadable' })),
    warnings: [...new Set(headers.flatMap((h) => h.warnings))]
  };
}

/** The in-memory path's engine request (the measure's default parameters), restricted to the batch's indices. */
export const measureRunner: AnalysisKindRunner<MeasureDocument> = {
  kind: 'measure',
  runBatch: (engine, spec, indices, out, options) => {
    const a = spec.analysis as MeasureSpec;
    const inputs = { path: spec.imageSet.path, labelsPath: spec.imageSet.labelsPath, indices };
    return engine.request('measure', { measure: a.measure, modelPaths: spec.models.map((m) => m.path), inputs, method: a.method, methodParams: a.params ?? {}, params: {}, seed: a.seed, bootstrap: {}, batchSize: spec.batchSize, out }, options);
  },
  rows,
  document
};
