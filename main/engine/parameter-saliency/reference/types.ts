/** Request and result of the reference-statistics job (engine protocol method `paramStats`). */
import type { SkippedFile } from '../../../../shared/types/images';
import type { InputsSpec } from '../../protocol';
import type { ProfileStrategy } from '../profile/profile';

/** What to compute: model, reference set, stats dir and how. */
export interface ParamStatsRequest {
  modelPath: string;
  /** The reference set (folder, manifest or .npy with labels); every selected item needs its true label. */
  inputs: InputsSpec;
  /** The stats dir (created when missing); see reference/layout.ts. */
  out: string;
  /** Images per backward pass (default 32). A resumed job keeps the batch size it started with. */
  batchSize?: number;
  /** Profile strategy (profile.ts), default `auto`. */
  strategy?: ProfileStrategy;
  /** Recompute even when the stats dir already holds statistics with the same key. */
  force?: boolean;
}

/** What was computed (or reused), with the files and timing. */
export interface ParamStatsResult {
  dir: string;
  key: string;
  /** N: profiles in the matrix. */
  count: number;
  /** L: filters per profile. */
  length: number;
  /** True when matching statistics were found and nothing was computed. */
  cached: boolean;
  /** True when statistics or a partial job with another key were removed first. */
  invalidated: boolean;
  /** Items already done by an earlier, cancelled run that this one resumed from (0 = fresh). */
  resumedFromItems: number;
  skipped: SkippedFile[];
  strategy: 'batched' | 'per-sample' | 'mixed';
  batchSize: number;
  /** Seconds of profile computation (all runs of a resumed job). */
  seconds: number;
  /** Profiles per second of computation in this run (null when cached or nothing ran). */
  imagesPerSecond: number | null;
  files: { stats: string; profiles: string };
}
