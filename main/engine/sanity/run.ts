/**
 * The in-memory sanity run: for each batch, the original maps, then every step of the check with
 * its layers randomised (weights.ts), compared row by row with the original (similarity.ts). The
 * target of each row is fixed from the ORIGINAL model (its prediction or the label) so every step
 * explains the same class. Weights are restored after each step and always on exit (also on error
 * or cancellation); the model must be a private instance, because weights stay random across the
 * method's awaits.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import type { JobProgress } from '../../../shared/types/jobs';
import type { MeanImage } from '../baselines/types';
import type { InputBatch } from '../inputs';
import type { ModelHandle } from '../model/model-handle';
import { throwIfCancelled, type SaliencyMethod } from '../saliency/method';
import { throttle } from '../throttle';
import { rowMaps, similarities } from './similarity';
import type { SanityCheck, SanityStep, Similarities } from './types';
import { createWeightBank, type InitMode, type WeightBank } from './weights';

type Tf = typeof tfTypes;

/** What a run computes. */
export interface SanityRunOptions {
  check: SanityCheck;
  method: SaliencyMethod;
  /** Validated method parameters. */
  params: Record<string, unknown>;
  target: 'predicted' | 'label';
  init: InitMode;
  seed: number;
  topK: number;
  datasetMean?: MeanImage;
}

/** Cancellation and progress. */
export interface SanityIO {
  signal: AbortSignal;
  progress?(p: JobProgress): void;
}

/** One image's outcome (paths are added by the job). */
export interface SanityRow {
  index: number;
  label: number | null;
  target: number;
  steps: Similarities[];
}

export interface SanityRunResult {
  layers: string[];
  steps: SanityStep[];
  rows: SanityRow[];
}

/** Targets of a batch from the original weights. @throws AppError PARAM_INVALID for a missing label */
function batchTargets(tf: Tf, model: ModelHandle, batch: InputBatch, target: SanityRunOptions['target']): Int32Array {
  if (target === 'label') {
    return Int32Array.from(batch.labels, (l, row) => {
      if (l === null) throw new AppError('PARAM_INVALID', `sanity: input ${batch.indices[row]} has no label; use target "predicted" or give labels.`);
      return l;
    });
  }
  const arg = tf.tidy(() => tf.argMax(model.logits(batch.x), -1));
  const out = Int32Array.from(arg.dataSync());
  arg.dispose();
  return out;
}

/** The method's maps for one batch under the current weights. */
async function mapsOf(tf: Tf, model: ModelHandle, batch: InputBatch, targets: Int32Array, opts: SanityRunOptions, signal: AbortSignal) {
  return opts.method.run({ tf, model, x: batch.x, targets, params: opts.params, signal, indices: batch.indices, seed: opts.seed, datasetMean: opts.datasetMean });
}

/** Similarities of every row of one batch at every step. */
async function runBatch(tf: Tf, model: ModelHandle, bank: WeightBank, steps: SanityStep[], batch: InputBatch, opts: SanityRunOptions, io: SanityIO, tick: () => void): Promise<SanityRow[]> {
  bank.restore();
  const targets = batchTargets(tf, model, batch, opts.target);
  const original = await mapsOf(tf, model, batch, targets, opts, io.signal);
  const size = original.height * original.width;
  const channels = batch.x.shape[3];
  const rows: SanityRow[] = batch.indices.map((index, row) => ({ index, label: batch.labels[row], target: targets[row], steps: [] }));
  for (const step of steps) {
    // The methods' own awaits are mostly resolved promises; one macrotask turn per step lets the
    // engine host read a cancel message, so a cancel takes effect within one step, not one batch.
    await new Promise((resolve) => setImmediate(resolve));
    throwIfCancelled(io.signal, `sanity ${opts.check.id}`);
    bank.apply(new Set(step.randomised));
    try {
      const r = await mapsOf(tf, model, batch, targets, opts, io.signal);
      rows.forEach((rec, row) => rec.steps.push(similarities(rowMaps(original.maps, original.raw, row, size, channels), rowMaps(r.maps, r.raw, row, size, channels), original.height, original.width, opts.topK)));
    } finally {
      bank.restore();
    }
    tick();
  }
  return rows;
}

/**
 * Runs a check over `batches` (each batch's tensor is disposed here). `total` is the number of
 * inputs, for progress (one unit per image and step).
 * @throws AppError MODEL_CAPABILITY_MISSING (no layer weights), PARAM_INVALID, CANCELLED
 */
export async function computeSanity(tf: Tf, model: ModelHandle, batches: AsyncIterable<InputBatch>, opts: SanityRunOptions, io: SanityIO, total: number): Promise<SanityRunResult> {
  const bank = createWeightBank(tf, model, opts.init, opts.seed);
  const layers = bank.layers.map((l) => l.name);
  const steps = opts.check.steps(layers);
  const rows: SanityRow[] = [];
  const progress = throttle((p: JobProgress) => io.progress?.(p), 200);
  let units = 0;
  try {
    for await (const batch of batches) {
      try {
        const n = batch.indices.length;
        rows.push(...(await runBatch(tf, model, bank, steps, batch, opts, io, () => {
          units += n;
          progress.push({ done: units, total: total * steps.length, message: `${opts.check.id}: ${rows.length + n} of ${total} images` });
        })));
      } finally {
        batch.x.dispose();
      }
    }
  } finally {
    bank.dispose();
    progress.flush();
  }
  return { layers, steps, rows };
}
