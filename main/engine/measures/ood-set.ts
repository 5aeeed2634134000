/**
 * The out-of-set measure's comparison of the inputs with a user image set marked out-of-set
 * (algorithms.md §3.4, issue #5 item 2): per image, the normalised entropy of its native map
 * (compare/entropy.ts) and its top-1 softmax confidence; per set, their summaries; and the shift
 * mean(out-of-set) − mean(in-set) with a two-sample percentile bootstrap CI (stats/bootstrap.ts).
 */
import { salienceEntropy } from '../compare';
import type { ModelHandle } from '../model/model-handle';
import { bootstrapMeanDifferenceCi } from '../stats/bootstrap';
import { summarize } from '../stats/summary';
import { explain, mapOf, type Explained } from './explain';
import type { MeasureContext } from './types';
import { walkInputs } from './walk';

/** One image of the `ood` set: normalised entropy of its native map and its top-1 confidence. */
export type OodRow = { index: number; path: string; label: number | null; predicted: number; entropy: number; confidence: number };

/** What is compared per image. */
export type SetStats = { entropy: number; confidence: number };

/** Normalised entropy of each clean map and top-1 confidence (for the in-set vs out-of-set comparison). */
export function setStats(e: Explained): SetStats[] {
  return Array.from({ length: e.n }, (_, row) => ({ entropy: salienceEntropy(mapOf(e.native, row)).normalized, confidence: e.probs[row * e.classes + e.predicted[row]] }));
}

/** In-set vs the user's out-of-set image set: entropy and confidence distributions and their shift. */
export async function outOfSetComparison(ctx: MeasureContext, model: ModelHandle, path: string, inSet: SetStats[]) {
  const rows: OodRow[] = [];
  const skipped = await walkInputs({ ...ctx, inputs: { path }, descriptor: model.descriptor, label: 'out-of-set (ood set)' }, async (batch) => {
    const e = await explain(ctx.tf, model, ctx.map, batch.x, { indices: batch.indices, signal: ctx.signal });
    setStats(e).forEach((s, row) => rows.push({ index: batch.indices[row], path: batch.paths[row], label: batch.labels[row], predicted: e.predicted[row], ...s }));
  });
  const side = (key: 'entropy' | 'confidence') => {
    const a = inSet.map((s) => s[key]);
    const b = rows.map((r) => r[key]);
    return { inSet: summarize(a, ctx.bootstrap), outOfSet: summarize(b, ctx.bootstrap), difference: bootstrapMeanDifferenceCi(a, b, ctx.bootstrap) };
  };
  return { rows, skipped, summary: { path, count: rows.length, normalizedEntropy: side('entropy'), confidence: side('confidence') } };
}

