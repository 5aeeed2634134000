/**
 * A persisted analysis stores one row per selected image (`image_summaries` of its run, JSON):
 * its position, status, the analysis's own per-image record, and — on the first row of each batch —
 * the batch's header (what the batch's document says beyond its images). Every analysis kind
 * (./evaluate, ./measure, ./sanity) turns a batch document into rows and all rows into the final document.
 */
import type { AnalysisSpec } from '../../../../shared/ipc/contract';
import type { EngineClient } from '../../engine-client';
import type { AnalysisStoredSpec } from './spec';

export interface StoredRow<D = unknown, H = unknown> {
  position: number;
  index: number;
  path: string;
  status: 'ok' | 'skipped';
  reason?: string;
  data?: D;
  batch?: H;
}

/** One analysis kind as a persisted job. */
export interface AnalysisKindRunner<Doc = unknown> {
  kind: AnalysisSpec['kind'];
  /** Runs the engine on the batch's indices only, writing its document to `out`. */
  runBatch(engine: Pick<EngineClient, 'request'>, spec: AnalysisStoredSpec, indices: number[], out: string, options: { signal: AbortSignal; onProgress: (p: { done: number; total: number; message?: string }) => void }): Promise<unknown>;
  /** The stored rows of one batch (one per item, in item order) from its document. */
  rows(doc: Doc, items: Array<{ position: number; index: number }>): StoredRow[];
  /** The final document from every stored row, in position order. @throws AppError IMAGE_SET_EMPTY when no image could be read */
  document(rows: StoredRow[]): unknown;
}

/**
 * Rows of one batch: an item with a record is ok; one without was unreadable (skipped, with the
 * batch's skip reasons in order when the document lists them). The header rides on the first row.
 */
export function batchRows<D, H>(items: Array<{ position: number; index: number }>, records: Map<number, { path: string; data: D }>, skipped: Array<{ path: string; reason: string }>, header: H): StoredRow<D, H>[] {
  const reasons = [...skipped];
  return items.map((item, k) => {
    const base = { position: item.position, index: item.index, ...(k === 0 ? { batch: header } : {}) };
    const record = records.get(item.index);
    if (record) return { ...base, path: record.path, status: 'ok' as const, data: record.data };
    const skip = reasons.shift();
    return { ...base, path: skip?.path ?? '', status: 'skipped' as const, reason: skip?.reason ?? 'unreadable' };
  });
}

/** The batch headers of stored rows, in batch order. */
export const headersOf = <H>(rows: StoredRow<unknown, H>[]): H[] => rows.flatMap((r) => (r.batch ? [r.batch] : []));
