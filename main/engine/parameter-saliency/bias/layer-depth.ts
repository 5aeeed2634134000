/**
 * Layer-depth bias of a filter ranking (Wang & Sato, Tables 1–2; algorithms.md §1.7, §1.9): for
 * every misclassified image take the top-k filters of its ranking, count how many fall in each
 * stage, and report each stage's share of all picks next to the stage's share of all filters
 * (what a uniformly random pick would give, §1.8):
 *
 *   pickShare_s   = Σ_images |top_k(image) ∩ stage_s| / Σ_images |top_k(image)|
 *   filterShare_s = |stage_s| / L,          ratio_s = pickShare_s / filterShare_s
 *
 * A ranking shorter than k (POT ranks only filters above their threshold) contributes the picks it
 * has; such images are counted in `shortRankings`, empty ones in `emptyRankings`.
 * Checkable property: the pick shares of a table sum to 1 whenever there is at least one pick.
 */
import { AppError } from '../../../../shared/errors';
import type { StageLayout } from './stages';

/** One stage of a bias table. */
export interface BiasRow {
  stage: string;
  /** Number of top-k picks in the stage over all images. */
  picks: number;
  /** picks / all picks (0 when there are no picks). */
  pickShare: number;
  filters: number;
  /** The stage's share of all filters (random-selection reference). */
  filterShare: number;
  /** pickShare / filterShare. */
  ratio: number;
}

/** One ranking's bias table over a set of images. */
export interface BiasTable {
  ranking: string;
  k: number;
  images: number;
  picks: number;
  /** Images whose ranking has fewer than k (but some) filters. */
  shortRankings: number;
  /** Images whose ranking is empty. */
  emptyRankings: number;
  rows: BiasRow[];
}

/**
 * Bias table of one ranking over a set of images.
 * @param rankings per image: global filter indices, most salient first
 * @param stages from `stageLayout`
 * @param k picks per image (the papers use 20 for ResNet-18, 25 for ResNet-50)
 * @param name the ranking's label in the table
 */
export function layerDepthBias(rankings: ArrayLike<number>[], stages: StageLayout, k: number, name: string): BiasTable {
  if (!Number.isInteger(k) || k < 1) throw new AppError('PARAM_INVALID', `bias: \`k\` must be a positive integer, got ${k}.`);
  const counts = new Float64Array(stages.stages.length);
  let picks = 0;
  let shortRankings = 0;
  let emptyRankings = 0;
  rankings.forEach((order, image) => {
    const n = Math.min(k, order.length);
    if (n === 0) emptyRankings++;
    else if (n < k) shortRankings++;
    for (let r = 0; r < n; r++) {
      const g = order[r];
      if (!Number.isInteger(g) || g < 0 || g >= stages.stageOf.length) throw new AppError('PARAM_INVALID', `bias: ranking ${image} has ${g} at rank ${r + 1}, not a filter index in 0…${stages.stageOf.length - 1}.`);
      counts[stages.stageOf[g]]++;
    }
    picks += n;
  });
  const rows = stages.stages.map((stage, s) => {
    const pickShare = picks > 0 ? counts[s] / picks : 0;
    return { stage: stage.name, picks: counts[s], pickShare, filters: stage.filters, filterShare: stage.share, ratio: pickShare / stage.share };
  });
  return { ranking: name, k, images: rankings.length, picks, shortRankings, emptyRankings, rows };
}

/**
 * The papers' table layout: one row per stage, the filter share then one column per ranking, in
 * percent with one decimal (Markdown).
 */
export function formatBiasTables(tables: BiasTable[]): string {
  if (tables.length === 0) return '';
  const pct = (v: number) => (100 * v).toFixed(1);
  const head = `| stage | filters (share %) | ${tables.map((t) => `${t.ranking} top-${t.k} (%)`).join(' | ')} |`;
  const rule = `|---|---|${tables.map(() => '---|').join('')}`;
  const body = tables[0].rows.map((row, s) => `| ${row.stage} | ${row.filters} (${pct(row.filterShare)}) | ${tables.map((t) => pct(t.rows[s].pickShare)).join(' | ')} |`);
  const foot = `| images / picks | | ${tables.map((t) => `${t.images} / ${t.picks}`).join(' | ')} |`;
  return [head, rule, ...body, foot].join('\n') + '\n';
}
