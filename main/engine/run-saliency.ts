/**
 * Runs one saliency method over a set of inputs in batches: resolves each row's target class
 * (predicted, true label, or a fixed class), calls the method, and streams one map per input
 * as a partial result. Cancellation is checked between batches (and inside methods).
 */
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import type { SkippedFile } from '../../shared/types/images';
import type { BackendInfo } from '../../shared/types/model';
import type { ScoreKind, TargetSpec } from '../../shared/types/saliency';
import { requireGradients } from './backends';
import type { ModelHandle } from './model/model-handle';
import { getMethod } from './saliency';
import { countInputs, inputBatches, type InputBatch } from './inputs';
import type { InputsSpec } from './protocol';
import type { HandlerIO } from './handlers';

export interface SaliencyRequest {
  inputs: InputsSpec;
  method: string;
  params: Record<string, unknown>;
  target: TargetSpec;
  batchSize: number;
  score?: ScoreKind;
  seed?: number;
}

/** Target class per row, and the logit of that class for the unperturbed input. */
async function resolveTargets(tfl: typeof tf, model: ModelHandle, batch: InputBatch, target: TargetSpec): Promise<{ targets: Int32Array; scores: Float32Array }> {
  const logits = tfl.tidy(() => model.logits(batch.x));
  const values = (await logits.data()) as Float32Array;
  const k = logits.shape[1];
  logits.dispose();
  const n = batch.indices.length;
  const targets = new Int32Array(n);
  for (let row = 0; row < n; row++) targets[row] = targetFor(values.subarray(row * k, (row + 1) * k), batch.labels[row], batch.indices[row], target, k);
  const scores = Float32Array.from(targets, (t, row) => values[row * k + t]);
  return { targets, scores };
}

function targetFor(rowLogits: Float32Array, label: number | null, index: number, target: TargetSpec, classes: number): number {
  if (target.kind === 'class') {
    if (target.classIndex >= classes) throw new AppError('PARAM_INVALID', `target class ${target.classIndex} is out of range: the model has ${classes} classes.`);
    return target.classIndex;
  }
  if (target.kind === 'label') {
    if (label === null) throw new AppError('LABELS_INVALID', `Input ${index} has no label the model knows, so "target: label" cannot be used.`);
    return label;
  }
  let best = 0;
  for (let j = 1; j < rowLogits.length; j++) if (rowLogits[j] > rowLogits[best]) best = j;
  return best;
}

export async function runSaliency(tfl: typeof tf, info: BackendInfo, model: ModelHandle, req: SaliencyRequest, io: HandlerIO): Promise<{ count: number; skipped: number }> {
  const method = getMethod(req.method);
  if (method.requires.includes('gradients')) {
    requireGradients(info);
    if (!model.descriptor.canComputeGradients) throw new AppError('MODEL_CAPABILITY_MISSING', `${method.label} needs gradients, which this ${model.descriptor.format} model cannot provide.`);
  }
  const params = method.validate(req.params);
  const total = await countInputs(req.inputs);
  const skipped: SkippedFile[] = [];
  let count = 0;
  for await (const batch of inputBatches(tfl, req.inputs, model.descriptor, req.batchSize, io.signal, (s) => skipped.push(...s))) {
    try {
      const { targets, scores } = await resolveTargets(tfl, model, batch, req.target);
      const result = await method.run({ tf: tfl, model, x: batch.x, targets, params, signal: io.signal, indices: batch.indices, seed: req.seed ?? 0, score: req.score });
      const size = result.height * result.width;
      batch.indices.forEach((index, row) => {
        const data = result.maps.slice(row * size, (row + 1) * size);
        io.partial({ index, width: result.width, height: result.height, data, targetClass: targets[row], score: scores[row] });
      });
    } finally {
      batch.x.dispose();
    }
    count += batch.indices.length;
    io.progress({ done: count + skipped.length, total, message: `${count} of ${total} maps` });
  }
  return { count, skipped: skipped.length };
}
