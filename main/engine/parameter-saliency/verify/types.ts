/** Request, result and the curves.json document of the verification job (engine protocol method `paramVerify`). */
import type { SkippedFile } from '../../../../shared/types/images';
import type { InputsSpec } from '../../protocol';
import type { StageMapping } from '../bias/stages';
import type { BiasTable } from '../bias/layer-depth';
import type { ProfileStrategy } from '../profile/profile';
import type { GpdEstimator } from '../stats';
import type { ProtocolKind } from './protocol';
import type { VerifyResult } from './run';

/** Persisted selector ids (CLI `--selector`). */
export type SelectorId = 'zscore' | 'pot' | 'random' | 'least' | 'last-stage';

/** Every selector id, in the order curves.json lists them. */
export const SELECTOR_IDS: SelectorId[] = ['zscore', 'pot', 'random', 'least', 'last-stage'];

/** The `paramVerify` engine request (CLI `saliency param-verify`). */
export interface ParamVerifyRequest {
  modelPath: string;
  /** Stats dir written by `paramStats` for this model. */
  stats: string;
  /** Inputs; the protocol runs on the misclassified ones (true labels needed for those). */
  inputs: InputsSpec;
  protocol: ProtocolKind;
  /** K: filters modified, k = 1 … K (default 25). */
  k?: number;
  /** Selectors compared (default all five). */
  selectors?: SelectorId[];
  /** Seed of the random selector (default 0). */
  seed?: number;
  /** Fine-tuning learning rate (default 0.001). */
  lr?: number;
  /** POT calibration of the `pot` selector (defaults 0.9, mle, false). */
  level?: number;
  estimator?: GpdEstimator;
  spotCompat?: boolean;
  /** Layer → stage mapping (last-stage selector and bias tables); default one stage per conv layer. */
  stageMapping?: StageMapping;
  /** Top-k of the layer-depth bias tables (default min(K, 25)). */
  biasK?: number;
  batchSize?: number;
  strategy?: ProfileStrategy;
  /** curves.json path. */
  out: string;
  /** Keep every input's curves in curves.json (default true). */
  includeImages?: boolean;
}

/** One misclassified input in curves.json. */
export interface ImageCurvesDto {
  index: number;
  path: string;
  label: number;
  predicted: number;
  pWrongBefore: number;
  pTrueBefore: number;
  /** Per selector: the filters modified (in order) and the three metrics per available k. */
  selectors: Record<string, { filters: number[]; deltaWrong: number[]; deltaTrue: number[]; corrected: number[] }>;
}

/**
 * What `paramVerify` answers once curves.json is written: the run's summary (its curves are
 * available-case means per k, probability units; ×100 = the papers' percentage points) without the
 * per-image records, plus where it was written, the layer-depth bias of each selector's top-biasK
 * picks over the misclassified inputs, skipped files and timing.
 */
export interface ParamVerifyResult extends Omit<VerifyResult, 'images'> {
  out: string;
  bias: BiasTable[];
  skipped: SkippedFile[];
  seconds: number;
}

/** curves.json. */
export interface CurvesDocument extends Omit<ParamVerifyResult, 'out'> {
  format: 'saliency-param-verify-v1';
  model: { name: string; hash: string };
  stats: { dir: string; key: string; count: number; length: number };
  inputs: string;
  units: 'probability';
  seed: number;
  pot: { level: number; estimator: GpdEstimator; spotCompat: boolean } | null;
  stages: Array<{ name: string; layers: string[]; filters: number; firstFilter: number }>;
  images: ImageCurvesDto[];
}
