/**
 * Main ⇄ engine-host messages. Internal to main/ (never in shared/): the renderer never talks to
 * the engine directly. Plain data only: numbers, strings, typed arrays, plain objects; never tensors.
 *
 * Requests carry an id; the host answers each with exactly one `result` or `error`, and may send
 * `progress` (throttled) and `partial` messages with the same id before that. `cancel` aborts the
 * request's AbortSignal; the method stops at its next check and the reply is an error CANCELLED.
 */
import type { AppErrorData } from '../../shared/errors';
import type { ImageSetItem, ImageSetSummary, RgbaImage } from '../../shared/types/images';
import type { BackendInfo, ModelDescriptor, Prediction } from '../../shared/types/model';
import type { CostEstimate, MapsManifest, SaliencyMap, SaliencyMethodInfo, ScoreKind, TargetSpec } from '../../shared/types/saliency';
import type { JobProgress } from '../../shared/types/jobs';
import type { MapsOutputSpec, OutputPaths } from './export/paths';
import type { PngRequest } from './export/png-style';
import type { ParamRankRequest, ParamRankResult } from './parameter-saliency/rank/types';
import type { ParamStatsRequest, ParamStatsResult } from './parameter-saliency/reference/types';
import type { ParamVerifyRequest, ParamVerifyResult } from './parameter-saliency/verify/types';
import type { WhatIfRequest, WhatIfResponse } from './parameter-saliency/what-if/request';
import type { ProjectRequest, ProjectResponse } from './parameter-saliency/projection/request';
import type { BiasRequest, BiasResponse } from './parameter-saliency/bias/request';
import type { TriageRequest, TriageResult } from './parameter-saliency/triage/job';
import type { MeasureRequest, MeasureResult } from './measures/job';
import type { SanityRequest, SanityResult } from './sanity/types';
import type { EvaluateRequest, EvaluateResult } from './metrics/request';
import type { StudyRequest, StudyResult } from './study/types';
import type { MapsBatchRequest, MapsBatchResult } from './maps-batch';

/** Where inputs come from: an image set (folder / manifest.csv / .npy) and optionally a subset. */
export interface InputsSpec {
  /** Folder of class sub-folders, CSV manifest (path,label[,mask]) or NHWC float32 .npy. */
  path: string;
  /** Labels for .npy inputs (.npy of int class indices), optional. */
  labelsPath?: string;
  /** Subset of item indices; all when absent. */
  indices?: number[];
}

/**
 * A file-writing saliency run (`maps`): the host reads the inputs and writes every output itself,
 * so nothing large crosses the process boundary. See main/engine/run-maps.ts.
 */
export interface MapsRequest {
  modelPath: string;
  inputs: InputsSpec;
  /** Registered method id (main/engine/saliency/index.ts). */
  method: string;
  /** Method parameters (validated by the method; a baseline travels as `baseline: 'id[:k=v,...]'`). */
  params: Record<string, unknown>;
  target: TargetSpec;
  /** Per-input target classes: an integer .npy, one per selected input, in order; replaces `target`. */
  targetsPath?: string;
  /** Differentiate/perturb the logit or the probability; default: the method's own choice. */
  score?: ScoreKind;
  /** Seed of every random draw (default 0). */
  seed?: number;
  /** Standard-normal noise [n, H, W, C] (.npy) used instead of random draws (SmoothGrad). */
  noisePath?: string;
  /** Masks [n, H, W] in [0, 1] (.npy) used instead of random draws (RISE). */
  masksPath?: string;
  /** Images per batch; default from the memory budget. */
  batchSize?: number;
  /** Memory budget in MB; default half of the available memory (main/engine/budget.ts). */
  memoryBudgetMB?: number;
  out: MapsOutputSpec;
  /** PNG overlay style (used when `out.png` is set). */
  png?: PngRequest;
  /** Names this run's temporaries (`.<file>.<runId>.partial`), so the caller can remove them after a crash. */
  runId?: string;
  /** Stream display-sized maps as `partial` messages (default true). */
  partials?: boolean;
}

/** What `mapsEstimate` answers before any work: the validated plan and the cost estimate. */
export interface MapsPlan {
  method: string;
  params: Record<string, unknown>;
  count: number;
  batchSize: number;
  maxElementsPerPass: number;
  memoryBudgetMB: number;
  memorySource: 'requested' | 'default';
  estimate: CostEstimate;
  outputs: OutputPaths;
  warnings: string[];
}

/** What `maps` answers after committing every file. */
export interface MapsResult {
  manifest: MapsManifest;
  /** Final paths written, by role (maps, raw, png, summaryCsv, summaryJson, manifest, artifact:<name>). */
  outputs: Record<string, string>;
  warnings: string[];
}

export interface EngineMethods {
  info: { params: Record<string, never>; result: BackendInfo };
  loadModel: { params: { path: string }; result: ModelDescriptor };
  openImageSet: { params: { path: string; labelsPath?: string }; result: ImageSetSummary };
  listItems: { params: { path: string; offset: number; limit: number }; result: ImageSetItem[] };
  thumbnails: { params: { path: string; indices: number[]; size: number }; result: RgbaImage[] };
  predict: { params: { modelPath: string; inputs: InputsSpec; top: number; batchSize?: number }; result: Prediction[] };
  saliency: {
    params: { modelPath: string; inputs: InputsSpec; method: string; params: Record<string, unknown>; target: TargetSpec; batchSize?: number; score?: ScoreKind; seed?: number };
    result: { count: number; skipped: number };
  };
  /** The registered saliency methods as plain data (the UI's method picker). */
  listMethods: { params: Record<string, never>; result: SaliencyMethodInfo[] };
  /** Validates a maps run and estimates its cost (probe passes on real inputs); writes nothing. */
  mapsEstimate: { params: MapsRequest; result: MapsPlan };
  /** Runs a maps run, streaming every output to disk (see MapsRequest). */
  maps: { params: MapsRequest; result: MapsResult };
  /** Reference statistics of parameter saliency into a stats dir (cached, resumable; parameter-saliency/reference/job.ts). */
  paramStats: { params: ParamStatsRequest; result: ParamStatsResult };
  /** Filter rankings (z-score/POT) of inputs against a stats dir, written to ranks.json (parameter-saliency/rank/job.ts). */
  paramRank: { params: ParamRankRequest; result: ParamRankResult };
  /** Verification protocols (zero / one-step fine-tune of the top-k filters) over a set's errors, written to curves.json (parameter-saliency/verify/job.ts). */
  paramVerify: { params: ParamVerifyRequest; result: ParamVerifyResult };
  /** Live what-if: one image's prediction after zeroing / scaling / fine-tuning a set of filters; weights restored before it answers. */
  whatIf: { params: WhatIfRequest; result: WhatIfResponse };
  /** Input-space projection of parameter saliency for one image (boosted-cosine double backprop), optionally with the masking check. */
  paramProject: { params: ProjectRequest; result: ProjectResponse };
  /** Layer-depth bias tables (share of top-k filters per stage vs the stage's share of filters) of ranks.json runs. */
  paramBias: { params: BiasRequest; result: BiasResponse };
  /** Misclassification triage of a ranks.json run: clusters of errors sharing salient filters, saliency-space neighbours. */
  paramTriage: { params: TriageRequest; result: TriageResult };
  /** One batch of a persisted maps job: the batch's maps as arrays, for one storage transaction (maps-batch.ts). */
  mapsBatch: { params: MapsBatchRequest; result: MapsBatchResult };
  /** Faithfulness curves (deletion/insertion/MoRF/LeRF) of maps over an image set, written to curves.json (metrics/job.ts). */
  evaluate: { params: EvaluateRequest; result: EvaluateResult };
  /** Perturbation-consistency study over a grid of baselines and hyperparameters, written to study.json (study/perturbation.ts). */
  studyPerturbation: { params: StudyRequest; result: StudyResult };
  /** A salience measure of "Explain to Me" (entropy, out-of-set, equivariance, stability, degradation) over an image set, written to a result JSON (measures/job.ts). */
  measure: { params: MeasureRequest; result: MeasureResult };
  /** Model-parameter sanity check (cascading / independent layer randomisation) over an image set, per-step similarity curves written to a result JSON (sanity/job.ts). */
  sanity: { params: SanityRequest; result: SanityResult };
  /** Test hook: the host exits at once with the given code (simulates a crash). */
  crash: { params: { exitCode?: number }; result: never };
}

export type EngineMethodName = keyof EngineMethods;

export type HostRequest =
  | { type: 'request'; id: string; method: EngineMethodName; params: unknown }
  | { type: 'cancel'; id: string };

export type HostMessage =
  | { type: 'ready'; info: BackendInfo }
  | { type: 'result'; id: string; value: unknown }
  | { type: 'error'; id: string; error: AppErrorData }
  | { type: 'progress'; id: string; progress: JobProgress }
  | { type: 'partial'; id: string; item: SaliencyMap }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };
