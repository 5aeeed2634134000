/**
 * Parameter-space saliency (Levin et al., arXiv 2108.01335) and its peaks-over-threshold
 * reformulation (Wang & Sato, arXiv 2310.17951), one stage per folder as style §4.4.7 lays out:
 *
 *   profile/    per-sample filter profiles s̄_j = mean_{i∈I_j} |∂CE(f(x), y)/∂θ_i| for every
 *               convolution filter in model order (filters.ts ids), batched from one backward
 *               pass (capture.ts + per-sample.ts) or one pass per image (profile.ts);
 *   reference/  the reference-statistics job: Welford μ, σ over a reference set and the N × L
 *               profile matrix on disk, cached by key, resumable (layout.ts documents the dir);
 *   stats/      float64 statistics: Welford, standardisation, GPD fits, POT calibration and scores;
 *   rank/       z-score (and naive/norm) and POT rankings of inputs against a stats dir, with POT
 *               fits cached per level/estimator, threshold-sensitivity runs, ranks.json.
 */
export * from './stats';
export { buildFilterTable, filterAxes, kernelKind } from './profile/filters';
export type { FilterId, FilterKind, FilterTable, KernelBlock } from './profile/filters';
export { trueLabelLoss } from './profile/loss';
export { filterProfiles } from './profile/profile';
export type { ProfileBatch, ProfileOptions, ProfileStrategy } from './profile/profile';
export { installFilterGradCapture, withFilterGradCapture } from './profile/capture';
export { perSampleProfiles, DEFAULT_MAX_ELEMENTS } from './profile/per-sample';
export { runReferenceStats, DEFAULT_STATS_BATCH } from './reference/job';
export type { JobIO } from './reference/job';
export type { ParamStatsRequest, ParamStatsResult } from './reference/types';
export { statsKey, PROFILE_DEFINITION } from './reference/key';
export { potFileName, statsPaths, PROFILES_FILE, STATS_FILE } from './reference/layout';
export { readColumns, readColumnHeader } from './reference/column-npy';
export { readStatsFile, statsArrays } from './reference/store';
export type { StatsFile } from './reference/store';
export { runParamRank } from './rank/job';
export { loadOrFitPot } from './rank/pot-cache';
export type { PotSpec } from './rank/pot-cache';
export { rankProfile } from './rank/rank-input';
export type { RankContext } from './rank/rank-input';
export type { InputRanking, ParamRankRequest, ParamRankResult, RankedFilter, RankingId, RanksDocument } from './rank/types';
