/**
 * Dataset summary of the `entropy` measure (../entropy.ts) from its per-image rows: bootstrap
 * summaries (stats/summary.ts) of normalised entropy, entropy and distinct levels, and the count
 * of constant maps. Pure JS (no tf): the persisted analysis jobs summarise stored rows with it.
 */
import type { BootstrapOptions } from '../../stats/bootstrap';
import { summarize } from '../../stats/summary';
import type { EntropyRow } from '../entropy';

export function entropySummary(rows: EntropyRow[], bootstrap: BootstrapOptions, grid: { height: number; width: number }) {
  const col = (key: 'normalized' | 'entropy' | 'distinct') => rows.map((r) => r[key]);
  return { grid, maxEntropy: rows.length ? rows[0].maxEntropy : null, constantMaps: rows.filter((r) => r.distinct === 1).length, normalized: summarize(col('normalized'), bootstrap), entropy: summarize(col('entropy'), bootstrap), distinct: summarize(col('distinct'), bootstrap) };
}
