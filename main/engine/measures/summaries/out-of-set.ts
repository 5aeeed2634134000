/**
 * Dataset summary of the in-set part of the `out-of-set` measure (../out-of-set.ts) from its
 * per-image rows: per corruption level, bootstrap summaries of the map agreement with the clean
 * map, the changed-prediction fraction and the score deltas. (The optional out-of-set image set's
 * comparison is summarised by ../ood-set.ts.) Pure JS (no tf): the persisted analysis jobs
 * summarise stored rows with it.
 */
import type { BootstrapOptions } from '../../stats/bootstrap';
import { summarize } from '../../stats/summary';
import type { OutOfSetRow } from '../out-of-set';
import { columns } from '../pair-stats';

export function levelSummaries(rows: OutOfSetRow[], levels: number[], bootstrap: BootstrapOptions) {
  return levels.map((level, li) => {
    const at = rows.map((r) => r.levels[li]);
    const cols = columns(at);
    return {
      level,
      ssim: summarize(cols.ssim, bootstrap),
      spearman: summarize(cols.spearman, bootstrap),
      topkIou: summarize(cols.topkIou, bootstrap),
      changedFraction: summarize(at.map((r) => (r.changed ? 1 : 0)), bootstrap),
      probDelta: summarize(at.map((r) => r.probDelta), bootstrap),
      logitDelta: summarize(at.map((r) => r.logitDelta), bootstrap)
    };
  });
}
