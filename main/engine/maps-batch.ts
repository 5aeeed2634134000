/**
 * One batch of a persisted maps job (`mapsBatch`): the maps of the given item indices, returned as
 * arrays instead of files, so the caller (main/jobs/persisted) can commit them to the project's
 * artifact store in one transaction with the job's item rows.
 *
 * Determinism is what makes resume exact: the caller fixes the batch plan (which indices form each
 * batch, `maxElementsPerPass`) when the job is created, and every random draw derives from
 * (seed, item index) inside the methods, so recomputing a batch after a crash gives the same
 * numbers as the uninterrupted run. Unreadable items are reported as skipped, never fatal.
 */
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import type { BackendInfo } from '../../shared/types/model';
import type { ScoreKind, TargetSpec } from '../../shared/types/saliency';
import { datasetMeanFor } from './baselines';
import type { HandlerIO } from './handlers';
import { getImageSet, labelToClass } from './inputs';
import type { ModelHandle } from './model/model-handle';
import { checkMethodCapabilities, checkTarget, resolveTargets, targetPicker } from './run-saliency';
import { getMethod } from './saliency';

export interface MapsBatchRequest {
  modelPath: string;
  inputs: { path: string; labelsPath?: string };
  /** Item indices of this batch, in job order. */
  indices: number[];
  /** Position of `indices[0]` among the job's items (per-input targets are indexed by position). */
  firstPosition: number;
  method: string;
  params: Record<string, unknown>;
  target: TargetSpec;
  score?: ScoreKind;
  seed?: number;
  /** Fixed by the job at creation so a resumed batch chunks its passes exactly like the first try. */
  maxElementsPerPass?: number;
}

/** One requested item: its target and scores when computed, the reason when skipped. */
export interface MapsBatchItem {
  index: number;
  /** The item's path in its set and its label (as the set gives it), for the per-image summaries. */
  path: string;
  label: string | null;
  status: 'ok' | 'skipped';
  reason: string | null;
  target: number | null;
  score: number | null;
  predicted: number | null;
  predictedProb: number | null;
}

export interface MapsBatchResult {
  height: number;
  width: number;
  /** Requested items in request order. */
  items: MapsBatchItem[];
  /** `[k, height, width]` float32, k = the number of `ok` items, in request order. */
  maps: Float32Array;
}

function checkIndices(indices: number[], size: number): void {
  if (indices.length === 0) throw new AppError('PARAM_INVALID', 'A maps batch needs at least one input index.');
  const bad = indices.find((i) => !Number.isInteger(i) || i < 0 || i >= size);
  if (bad !== undefined) throw new AppError('PARAM_INVALID', `Input index ${bad} is out of range: the set has ${size} items.`);
}

type Where = Pick<MapsBatchItem, 'index' | 'path' | 'label'>;
const skippedItem = (where: Where, reason: string): MapsBatchItem => ({ ...where, status: 'skipped', reason, target: null, score: null, predicted: null, predictedProb: null });

/** Computes one batch (see the file comment). @throws AppError CANCELLED when the signal aborts */
export async function runMapsBatch(tfl: typeof tf, info: BackendInfo, model: ModelHandle, req: MapsBatchRequest, io: HandlerIO): Promise<MapsBatchResult> {
  const method = getMethod(req.method);
  checkMethodCapabilities(method, info, model);
  const params = method.validate(req.params ?? {});
  const set = await getImageSet(req.inputs.path, req.inputs.labelsPath);
  checkIndices(req.indices, set.items.length);
  const { preprocessing, inputShape, classNames } = model.descriptor;
  if (req.target.kind !== 'each') checkTarget(req.target, req.indices.map((i) => set.items[i]), model.descriptor);
  const datasetMean = await datasetMeanFor(params, set, preprocessing, inputShape, io.signal);
  const loaded = await set.loadBatch(req.indices, preprocessing, inputShape);
  if (io.signal.aborted) throw new AppError('CANCELLED', 'The maps batch was cancelled.');
  const where = (index: number): Where => ({ index, path: set.items[index].path, label: set.items[index].label });
  const reasonOf = (index: number) => loaded.skipped.find((f) => f.path === set.items[index].path)?.reason ?? 'not loaded';
  if (loaded.indices.length === 0) {
    return { height: 0, width: 0, maps: new Float32Array(0), items: req.indices.map((i) => skippedItem(where(i), reasonOf(i))) };
  }
  const positions = loaded.indices.map((index) => req.firstPosition + req.indices.indexOf(index));
  const x = tfl.tensor4d(loaded.data, [loaded.indices.length, ...inputShape]);
  try {
    const labels = loaded.labels.map((l) => labelToClass(l, model.descriptor));
    const scores = await resolveTargets(tfl, model, x, targetPicker(req.target, classNames.length, labels, positions, loaded.indices));
    const onStep = (done: number, total: number) => io.progress({ done, total, message: `${method.id}: step ${done} of ${total}` });
    const result = await method.run({ tf: tfl, model, x, targets: scores.targets, params, signal: io.signal, indices: loaded.indices, seed: req.seed ?? 0, score: req.score, maxElementsPerPass: req.maxElementsPerPass, datasetMean, onStep });
    const chosen = (req.score ?? method.score) === 'prob' ? scores.probs : scores.logits;
    const items = req.indices.map((index) => {
      const row = loaded.indices.indexOf(index);
      if (row < 0) return skippedItem(where(index), reasonOf(index));
      return { ...where(index), status: 'ok' as const, reason: null, target: scores.targets[row], score: chosen[row], predicted: scores.predicted[row], predictedProb: scores.predictedProbs[row] };
    });
    return { height: result.height, width: result.width, items, maps: result.maps };
  } finally {
    x.dispose();
  }
}
