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
import type { SaliencyMap, TargetSpec } from '../../shared/types/saliency';
import type { JobProgress } from '../../shared/types/jobs';

/** Where inputs come from: an image set (folder / manifest.csv / .npy) and optionally a subset. */
export interface InputsSpec {
  /** Folder of class sub-folders, CSV manifest (path,label[,mask]) or NHWC float32 .npy. */
  path: string;
  /** Labels for .npy inputs (.npy of int class indices), optional. */
  labelsPath?: string;
  /** Subset of item indices; all when absent. */
  indices?: number[];
}

export interface EngineMethods {
  info: { params: Record<string, never>; result: BackendInfo };
  loadModel: { params: { path: string }; result: ModelDescriptor };
  openImageSet: { params: { path: string; labelsPath?: string }; result: ImageSetSummary };
  listItems: { params: { path: string; offset: number; limit: number }; result: ImageSetItem[] };
  thumbnails: { params: { path: string; indices: number[]; size: number }; result: RgbaImage[] };
  predict: { params: { modelPath: string; inputs: InputsSpec; top: number; batchSize?: number }; result: Prediction[] };
  saliency: {
    params: { modelPath: string; inputs: InputsSpec; method: string; params: Record<string, unknown>; target: TargetSpec; batchSize?: number };
    result: { count: number; skipped: number };
  };
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
