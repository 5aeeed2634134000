/** Request, result and the ranks.json document of the ranking job (engine protocol method `paramRank`). */
import type { SkippedFile } from '../../../../shared/types/images';
import type { InputsSpec } from '../../protocol';
import type { GpdEstimator, PotStatus } from '../stats';
import type { ProfileStrategy } from '../profile/profile';

/** Persisted ranking ids: the papers' two rankings plus Levin's two other standardisation modes. */
export type RankingId = 'zscore' | 'pot' | 'naive' | 'norm';

export interface ParamRankRequest {
  modelPath: string;
  /** A stats dir written by `paramStats` for this model. */
  stats: string;
  /** Inputs to explain; every one needs its true label. */
  inputs: InputsSpec;
  ranking: RankingId;
  /** POT threshold levels in (0, 1); several = a threshold-sensitivity run, the first is the primary one. Default [0.9]. */
  levels?: number[];
  estimator?: GpdEstimator;
  spotCompat?: boolean;
  /** Filters listed per input (null = every ranked filter). Default 50. */
  top?: number | null;
  /** POT: append the filters at or below their threshold after the ranked ones, by z-score, marked `appended`. */
  appendBelowThreshold?: boolean;
  /** ranks.json path. */
  out: string;
  /** Optional P.npy: the [N, L] float32 profile matrix of the inputs, global filter order. */
  profilesOut?: string;
  batchSize?: number;
  strategy?: ProfileStrategy;
}

/** One filter of one input's ranking. NaN is written as null (JSON); see `status` for why. */
export interface RankedFilter {
  rank: number;
  layer: string;
  index: number;
  global: number;
  profile: number;
  z: number;
  /** The chosen ranking's score for naive (s̄) and norm (s̄/μ); z for zscore; −log p for pot. */
  score: number | null;
  /** POT tail probability at the primary level: 0 beyond the fitted endpoint, null at or below the threshold. */
  p: number | null;
  /** log p; null when p is 0 or undefined. */
  logP: number | null;
  status: PotStatus;
  /** True for filters appended below their threshold (POT with appendBelowThreshold). */
  appended: boolean;
}

/** A POT ranking at another threshold level (threshold-sensitivity runs). */
export interface LevelRanking {
  level: number;
  rankedCount: number;
  counts: Record<PotStatus, number>;
  /** Global indices of the first `top` POT-ranked filters. */
  top: number[];
}

export interface InputRanking {
  index: number;
  path: string;
  label: number;
  predicted: number;
  correct: boolean;
  /** Probability of the predicted class. */
  confidence: number;
  /** Filters ranked under the chosen ranking (POT: those above their threshold, before any appended). */
  rankedCount: number;
  /** POT statuses over all L filters at the primary level. */
  potCounts: Record<PotStatus, number>;
  filters: RankedFilter[];
  levels: LevelRanking[];
}

/** Per level: the calibration's own counts and the statuses summed over all inputs. */
export interface LevelSummary {
  level: number;
  fit: { fitted: number; emptyTail: number; fallback: number; notConverged: number };
  scores: Record<PotStatus, number>;
  cached: boolean;
}

export interface RanksDocument {
  format: 'saliency-param-ranks-v1';
  model: { name: string; hash: string };
  stats: { dir: string; key: string; count: number; length: number };
  ranking: RankingId;
  levels: number[];
  estimator: GpdEstimator;
  spotCompat: boolean;
  top: number | null;
  appendBelowThreshold: boolean;
  summary: LevelSummary[];
  inputs: InputRanking[];
  skipped: SkippedFile[];
}

export interface ParamRankResult {
  out: string;
  profilesOut: string | null;
  count: number;
  misclassified: number;
  length: number;
  ranking: RankingId;
  summary: LevelSummary[];
  skipped: SkippedFile[];
  strategy: 'batched' | 'per-sample' | 'mixed';
  seconds: number;
}
