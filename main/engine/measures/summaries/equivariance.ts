/**
 * Dataset summary of the `equivariance` measure (../equivariance.ts) from its per-image rows: per
 * transform, bootstrap summaries of the equivariance and invariance statistics (native grid: null
 * when the transform does not move whole cells), the changed-prediction fraction and the score
 * deltas. Pure JS (no tf): the persisted analysis jobs summarise stored rows with it.
 */
import type { BootstrapOptions } from '../../stats/bootstrap';
import { summarize } from '../../stats/summary';
import type { EquivarianceRow, TransformRow } from '../equivariance';
import { columns, type PairStats } from '../pair-stats';

/** What the summary shows of a transform. */
export interface TransformInfo {
  id: string;
  label: string;
  exactOnGrid: boolean;
}

function transformSummary(t: TransformInfo, at: TransformRow[], bootstrap: BootstrapOptions) {
  const stats = (list: Array<PairStats | null>) => {
    if (list.some((s) => s === null)) return null;
    const cols = columns(list as PairStats[]);
    return { ssim: summarize(cols.ssim, bootstrap), spearman: summarize(cols.spearman, bootstrap), topkIou: summarize(cols.topkIou, bootstrap) };
  };
  const part = (key: 'equivariance' | 'invariance') => ({ native: stats(at.map((r) => r[key].native)), upsampled: stats(at.map((r) => r[key].upsampled)) });
  return {
    transform: t.id,
    label: t.label,
    exactOnGrid: t.exactOnGrid,
    equivariance: part('equivariance'),
    invariance: part('invariance'),
    changedFraction: summarize(at.map((r) => (r.changed ? 1 : 0)), bootstrap),
    probDelta: summarize(at.map((r) => r.probDelta), bootstrap),
    logitDelta: summarize(at.map((r) => r.logitDelta), bootstrap)
  };
}

export function equivarianceSummary(rows: EquivarianceRow[], bootstrap: BootstrapOptions, transforms: TransformInfo[]) {
  return { transforms: transforms.map((t, ti) => transformSummary(t, rows.map((r) => r.transforms[ti]), bootstrap)) };
}
