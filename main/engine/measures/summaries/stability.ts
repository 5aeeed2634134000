/**
 * Dataset summary of the `stability` measure (../stability.ts) from its per-image rows: bootstrap
 * summaries of the per-image mean SSIM / Spearman / top-k IoU over pairs of runs, and per pair.
 * Pure JS (no tf): the persisted analysis jobs summarise stored rows with it.
 */
import type { BootstrapOptions } from '../../stats/bootstrap';
import { summarize } from '../../stats/summary';
import type { StabilityRow } from '../stability';

export function stabilitySummary(rows: StabilityRow[], bootstrap: BootstrapOptions, runs: Array<{ path: string; name: string; hash: string }>) {
  const col = (key: 'meanSsim' | 'meanSpearman' | 'meanTopkIou') => rows.map((r) => r[key]);
  const pairsAt = (i: number) => rows.map((r) => r.pairs[i]);
  const pairCount = rows.length ? rows[0].pairs.length : 0;
  return {
    runs,
    pairCount,
    ssim: summarize(col('meanSsim'), bootstrap),
    spearman: summarize(col('meanSpearman'), bootstrap),
    topkIou: summarize(col('meanTopkIou'), bootstrap),
    perPair: Array.from({ length: pairCount }, (_, i) => {
      const at = pairsAt(i);
      return { a: at[0].a, b: at[0].b, ssim: summarize(at.map((q) => q.ssim), bootstrap), spearman: summarize(at.map((q) => q.spearman), bootstrap), agreement: summarize(at.map((q) => (q.samePrediction ? 1 : 0)), bootstrap) };
    })
  };
}
