/**
 * The persisted `sanity` analysis (model-parameter randomisation): per batch, the engine's `sanity`
 * runs on the batch's indices only and each image's per-step similarities become its stored row.
 * The final document's curves come from ALL stored rows through the engine's own summary code
 * (sanity/curves.ts, pure JS), so it equals one uninterrupted run's document: the randomised
 * weights are drawn once per run from the seed (the same for every batch), stochastic methods draw
 * per (seed, item index), and the curves see the rows in position order with the same seed.
 * Undefined similarities (constant maps) are NaN to the summary and null in JSON; stored rows are
 * JSON, so nulls are turned back into NaN before summarising.
 */
import { AppError } from '../../../../shared/errors';
import type { AnalysisSpec } from '../../../../shared/ipc/contract';
import { curvesOf, DEFAULT_SANITY_RESAMPLES } from '../../../engine/sanity/curves';
import type { SanityDocument, SanityImage, Similarities } from '../../../engine/sanity/types';
import { batchRows, headersOf, type AnalysisKindRunner, type StoredRow } from './rows';

type SanitySpec = Extract<AnalysisSpec, { kind: 'sanity' }>;
type Header = Omit<SanityDocument, 'curves' | 'counts' | 'out' | 'images'>;

function rows(doc: SanityDocument, items: Array<{ position: number; index: number }>): StoredRow[] {
  const records = new Map(doc.images.map((image) => [image.index, { path: image.path, data: image }]));
  const { curves: _c, counts: _n, out: _o, images: _i, ...header } = doc;
  // The document counts unreadable images but does not list them.
  return batchRows<SanityImage, Header>(items, records, [], header);
}

const nanFromNull = (steps: Similarities[]): Similarities[] => steps.map((s) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, v === null ? Number.NaN : v])) as Similarities);

function document(all: StoredRow[]): SanityDocument {
  const stored = all as StoredRow<SanityImage, Header>[];
  const headers = headersOf(stored);
  const images = stored.filter((r) => r.status === 'ok').map((r) => ({ ...(r.data as SanityImage), steps: nanFromNull((r.data as SanityImage).steps) }));
  if (images.length === 0 || headers.length === 0) throw new AppError('IMAGE_SET_EMPTY', 'sanity: no input could be read, so there is nothing to check.');
  const { seconds: _s, ...head } = headers[0];
  return {
    ...head,
    curves: curvesOf(images, head.steps.length, DEFAULT_SANITY_RESAMPLES, head.seed),
    counts: { images: images.length, skipped: stored.length - images.length },
    seconds: headers.reduce((s, h) => s + h.seconds, 0),
    // The persisted run's document is its manifest; no result file is written.
    out: null,
    images
  };
}

/** The in-memory path's engine request (defaults for everything the app does not set), restricted to the batch's indices. */
export const sanityRunner: AnalysisKindRunner<SanityDocument> = {
  kind: 'sanity',
  runBatch: (engine, spec, indices, out, options) => {
    const a = spec.analysis as SanitySpec;
    const inputs = { path: spec.imageSet.path, labelsPath: spec.imageSet.labelsPath, indices };
    return engine.request('sanity', { check: a.mode, modelPath: spec.models[0].path, inputs, method: a.method, seed: a.seed, batchSize: spec.batchSize, out }, options);
  },
  rows,
  document
};
