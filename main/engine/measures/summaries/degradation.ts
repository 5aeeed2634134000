/**
 * Dataset summary of the `degradation` measure (../degradation.ts) from its per-image rows:
 * bootstrap summaries per mode over the rows not skipped for a constant map, and the
 * object − background difference. Pure JS (no tf): the persisted analysis jobs summarise stored rows with it.
 */
import type { BootstrapOptions } from '../../stats/bootstrap';
import { summarize } from '../../stats/summary';
import type { DegradationMode } from '../degrade';
import type { DegradationRow, ModeRow } from '../degradation';

export function degradationSummary(rows: DegradationRow[], bootstrap: BootstrapOptions) {
  const used = rows.filter((r) => !r.skipped);
  const mode = (m: DegradationMode) => {
    const at = used.map((r) => r[m]);
    const s = (f: (x: ModeRow) => number) => summarize(at.map(f), bootstrap);
    return { probDelta: s((x) => x.probDelta), logitDelta: s((x) => x.logitDelta), changedFraction: s((x) => (x.changed ? 1 : 0)), ssim: s((x) => x.ssim), spearman: s((x) => x.spearman) };
  };
  return {
    constantCamCount: rows.filter((r) => r.constantCam).length,
    skippedConstantCam: rows.length - used.length,
    background: mode('background'),
    object: mode('object'),
    objectMinusBackground: summarize(used.map((r) => r.objectMinusBackground), bootstrap)
  };
}
