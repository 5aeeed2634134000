/**
 * Validation of a ranking request (style §4.4.5: checked at the top, the argument named in the
 * message) and the check that a stats dir belongs to the model being explained.
 */
import { AppError } from '../../../../shared/errors';
import type { ModelDescriptor } from '../../../../shared/types/model';
import type { GpdEstimator } from '../stats';
import type { FilterTable } from '../profile/filters';
import type { StatsFile } from '../reference/store';
import type { ParamRankRequest, RankingId } from './types';

/** Ranking ids a request may name. */
export const RANKINGS: RankingId[] = ['zscore', 'pot', 'naive', 'norm'];
/** GPD estimators (stats/gpd-fit.ts). */
export const ESTIMATORS: GpdEstimator[] = ['mle', 'mom', 'pwm'];
/** POT threshold level of the paper and its reference code. */
export const DEFAULT_LEVEL = 0.9;
/** Filters listed per input unless the request says otherwise (the papers look at the top 20–50). */
export const DEFAULT_TOP = 50;
/** Images per backward pass unless the request says otherwise. */
export const DEFAULT_RANK_BATCH = 32;

/** A request with every default applied. */
export interface ResolvedRank {
  ranking: RankingId;
  levels: number[];
  estimator: GpdEstimator;
  spotCompat: boolean;
  top: number | null;
  appendBelowThreshold: boolean;
  batchSize: number;
}

function bad(message: string, hint?: string): AppError {
  return new AppError('PARAM_INVALID', `param-rank: ${message}`, hint ? { hint } : {});
}

/** Applies defaults and validates. @throws AppError PARAM_INVALID naming the argument */
export function resolveRankRequest(request: ParamRankRequest): ResolvedRank {
  if (!RANKINGS.includes(request.ranking)) throw bad(`\`ranking\` must be one of ${RANKINGS.join(', ')}, got ${JSON.stringify(request.ranking)}.`);
  const levels = request.levels ?? [DEFAULT_LEVEL];
  if (!Array.isArray(levels) || levels.length === 0) throw bad('`levels` must list at least one threshold level.');
  for (const level of levels) {
    if (typeof level !== 'number' || !(level > 0 && level < 1)) throw bad(`every threshold level must lie in (0, 1), got ${level}.`, 'POT-saliency uses 0.9 by default; a sensitivity study typically runs 0.7, 0.8, 0.85, 0.9, 0.95.');
  }
  if (new Set(levels).size !== levels.length) throw bad(`threshold levels must be distinct, got ${levels.join(', ')}.`);
  const estimator = request.estimator ?? 'mle';
  if (!ESTIMATORS.includes(estimator)) throw bad(`\`estimator\` must be one of ${ESTIMATORS.join(', ')}, got ${JSON.stringify(estimator)}.`);
  if (request.spotCompat && estimator !== 'mle') throw bad('`spotCompat` emulates the reference maximum-likelihood routine; it needs estimator mle.');
  const top = request.top === undefined ? DEFAULT_TOP : request.top;
  if (top !== null && (!Number.isInteger(top) || top < 1)) throw bad(`\`top\` must be a positive integer (or all), got ${top}.`);
  const batchSize = request.batchSize ?? DEFAULT_RANK_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw bad(`\`batchSize\` must be a positive integer, got ${batchSize}.`);
  return { ranking: request.ranking, levels, estimator, spotCompat: !!request.spotCompat, top, appendBelowThreshold: !!request.appendBelowThreshold, batchSize };
}

/**
 * The statistics must come from this model (same weights, preprocessing and filters), or every
 * z-score and tail probability would compare unrelated numbers.
 * @throws AppError PARAM_INVALID with the way out
 */
export function checkStatsMatchModel(stats: StatsFile, descriptor: ModelDescriptor, table: FilterTable, dir: string): void {
  const hint = `Run \`saliency param-stats --model ${descriptor.path} --inputs <reference set> --out ${dir}\` to compute statistics for this model.`;
  if (stats.keyParts.modelHash !== descriptor.hash) {
    throw new AppError('PARAM_INVALID', `The statistics in ${dir} were computed for the model ${stats.keyParts.modelName} (hash ${stats.keyParts.modelHash}), not for ${descriptor.name} (hash ${descriptor.hash}).`, { hint });
  }
  if (JSON.stringify(stats.keyParts.preprocessing) !== JSON.stringify(descriptor.preprocessing)) {
    throw new AppError('PARAM_INVALID', `The statistics in ${dir} were computed with another preprocessing than ${descriptor.name} now declares.`, { hint });
  }
  const same = stats.length === table.length && stats.filters.every((f, j) => f.layer === table.ids[j].layer && f.index === table.ids[j].index);
  if (!same) throw new AppError('PARAM_INVALID', `The statistics in ${dir} list other filters (${stats.length}) than ${descriptor.name} has (${table.length}).`, { hint });
}
