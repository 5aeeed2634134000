/**
 * Runs one saliency method over a set of inputs in batches: resolves each row's target class
 * (predicted, true label, a fixed class, or one class per input), calls the method, and streams
 * one map per input as a partial result. Cancellation is checked between batches (and inside
 * methods). This is the UI's in-memory path; `run-maps.ts` is the file-writing path for large runs
 * and the CLI, and shares the target resolution below (in the method's own pass when it can).
 */
import { readFile } from 'node:fs/promises';
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../shared/errors';
import { parseNpy } from '../../shared/npy';
import type { ImageSetItem, SkippedFile } from '../../shared/types/images';
import type { BackendInfo, ModelDescriptor } from '../../shared/types/model';
import type { ScoreKind, TargetSpec } from '../../shared/types/saliency';
import { requireGradients } from './backends';
import type { ModelHandle } from './model/model-handle';
import { getMethod } from './saliency';
import type { SaliencyBatchResult, SaliencyMethod } from './saliency';
import { countInputs, getImageSet, inputBatches, labelToClass } from './inputs';
import { datasetMeanFor } from './baselines';
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

/** Per row: the target class, its logit and probability for the unperturbed input, and the prediction. */
export interface TargetScores {
  targets: Int32Array;
  logits: Float32Array;
  probs: Float32Array;
  predicted: Int32Array;
  predictedProbs: Float32Array;
}

/** Chooses row `row`'s class given the predicted class. */
export type TargetPicker = (row: number, predicted: number) => number;

/**
 * Target scores from logits `[N, K]` already read back: per row the class `pick(row, argmax)`
 * (first index on ties), its logit and probability, and the prediction. Probabilities are
 * softmax(logits) in float64, which is also right when `logits` are log-probabilities (softmax(log p) = p).
 */
export function scoresFromLogits(logits: Float32Array, k: number, pick: TargetPicker): TargetScores {
  const n = logits.length / k;
  const out: TargetScores = { targets: new Int32Array(n), logits: new Float32Array(n), probs: new Float32Array(n), predicted: new Int32Array(n), predictedProbs: new Float32Array(n) };
  for (let row = 0; row < n; row++) {
    const y = logits.subarray(row * k, (row + 1) * k);
    let best = 0;
    for (let j = 1; j < k; j++) if (y[j] > y[best]) best = j;
    let z = 0;
    for (let j = 0; j < k; j++) z += Math.exp(y[j] - y[best]);
    const t = pick(row, best);
    out.targets[row] = t;
    out.logits[row] = y[t];
    out.probs[row] = Math.exp(y[t] - y[best]) / z;
    out.predicted[row] = best;
    out.predictedProbs[row] = 1 / z;
  }
  return out;
}

/** One forward pass: target class per row (via `pick`), with logit and probability (see `scoresFromLogits`). */
export async function resolveTargets(tfl: typeof tf, model: ModelHandle, x: tf.Tensor4D, pick: TargetPicker): Promise<TargetScores> {
  const logitT = tfl.tidy(() => model.logits(x));
  try {
    return scoresFromLogits((await logitT.data()) as Float32Array, logitT.shape[1], pick);
  } finally {
    logitT.dispose();
  }
}

/** Whether `method` takes targets in its own forward pass (so no separate target pass is made or counted). */
export function targetsInPass(method: SaliencyMethod, score: ScoreKind | undefined): boolean {
  return method.resolvesTargets === true && (score ?? method.score) === 'logit';
}

/** The method's result for a batch with the targets and scores it was computed for. */
export interface ExplainedBatch {
  result: SaliencyBatchResult;
  scores: TargetScores;
  /** Milliseconds of the separate target pass (0 when the method resolved targets in its own pass). */
  targetMs: number;
}

/**
 * Runs `call` (the method on x) with each row's target. A method that can (`resolvesTargets`,
 * scoring the logit) takes the targets in its own forward pass (saving one pass per input: ~20 % of
 * a ResNet gradient map) and reports x's logits for the summaries; otherwise one forward pass here
 * resolves them first.
 */
export async function explainWithTargets(
  tfl: typeof tf,
  model: ModelHandle,
  method: SaliencyMethod,
  x: tf.Tensor4D,
  target: TargetSpec,
  pick: TargetPicker,
  score: ScoreKind | undefined,
  call: (targets: Int32Array, inPass?: 'given' | 'predicted') => Promise<SaliencyBatchResult>
): Promise<ExplainedBatch> {
  const rows = x.shape[0];
  if (!targetsInPass(method, score)) {
    const start = performance.now();
    const scores = await resolveTargets(tfl, model, x, pick);
    const targetMs = performance.now() - start;
    return { result: await call(scores.targets), scores, targetMs };
  }
  const predicted = target.kind === 'predicted';
  // Non-predicted pickers ignore their second argument.
  const targets = predicted ? new Int32Array(rows) : Int32Array.from({ length: rows }, (_, row) => pick(row, -1));
  const result = await call(targets, predicted ? 'predicted' : 'given');
  const resolved = result.resolved;
  if (!resolved || resolved.targets.length !== rows) throw new AppError('INTERNAL', `${method.id} declares resolvesTargets but did not report the targets and logits of its ${rows} inputs.`);
  return { result, scores: scoresFromLogits(resolved.logits, model.descriptor.classNames.length, (row) => resolved.targets[row]), targetMs: 0 };
}

/**
 * Builds the picker for a batch: `labels[row]` is the row's class label (null when unknown),
 * `positions[row]` its position among the selected inputs (for per-input targets), `indices[row]` its item index.
 * @throws AppError PARAM_INVALID (class out of range), LABELS_INVALID (target label without a label)
 */
export function targetPicker(target: TargetSpec, classes: number, labels: Array<number | null>, positions: number[], indices: number[]): TargetPicker {
  if (target.kind === 'class') {
    if (!Number.isInteger(target.classIndex) || target.classIndex < 0 || target.classIndex >= classes) {
      throw new AppError('PARAM_INVALID', `target class ${target.classIndex} is out of range: the model has ${classes} classes (0…${classes - 1}).`);
    }
    return () => target.classIndex;
  }
  if (target.kind === 'label') {
    return (row) => {
      const label = labels[row];
      if (label === null) throw new AppError('LABELS_INVALID', `Input ${indices[row]} has no label the model knows, so "target: label" cannot be used.`);
      return label;
    };
  }
  if (target.kind === 'each') {
    return (row) => {
      const c = target.classes[positions[row]];
      if (!Number.isInteger(c) || c < 0 || c >= classes) throw new AppError('PARAM_INVALID', `per-input target ${c} (input ${positions[row]}) is not a class index in 0…${classes - 1}.`);
      return c;
    };
  }
  return (_row, predicted) => predicted;
}

/**
 * Reads per-input target classes from an integer .npy (`[n]` or `[n, 1]`), one per selected input.
 * @throws AppError NPY_INVALID (unreadable, wrong shape, not class indices), PARAM_INVALID (length ≠ count)
 */
export async function readTargetsFile(file: string, count: number): Promise<TargetSpec> {
  const bytes = await readFile(file).catch((err: NodeJS.ErrnoException) => {
    throw new AppError('NPY_INVALID', `Cannot read the targets file ${file} (${err.code ?? err.message}).`, { hint: 'Check the --targets path.' });
  });
  const { data, shape } = parseNpy(new Uint8Array(bytes));
  if (shape.length === 0 || shape.length > 2 || (shape.length === 2 && shape[1] !== 1)) throw new AppError('NPY_INVALID', `The targets file ${file} must be a 1-D array of class indices, got shape (${shape.join(', ')}).`);
  if (shape[0] !== count) throw new AppError('PARAM_INVALID', `The targets file ${file} has ${shape[0]} entries but ${count} inputs are selected; give one class per input.`, { hint: 'Write one integer class index per input, in input order.' });
  const classes = Array.from(data as ArrayLike<number>);
  const bad = classes.findIndex((v) => !Number.isInteger(v) || v < 0);
  if (bad >= 0) throw new AppError('NPY_INVALID', `The targets file ${file} holds ${classes[bad]} at row ${bad}, which is not a class index.`);
  return { kind: 'each', classes };
}

/**
 * Checks a target against the model and the selected items before any work: class range, one
 * per-input target per item, and a known label on every item when the target is the label.
 * @throws AppError PARAM_INVALID, LABELS_INVALID
 */
export function checkTarget(target: TargetSpec, items: ImageSetItem[], descriptor: ModelDescriptor): void {
  const classes = descriptor.classNames.length;
  targetPicker(target, classes, [], [], []);
  if (target.kind === 'each') {
    if (target.classes.length !== items.length) throw new AppError('PARAM_INVALID', `${target.classes.length} per-input targets were given for ${items.length} inputs; give one per input.`);
    const bad = target.classes.findIndex((t) => !Number.isInteger(t) || t < 0 || t >= classes);
    if (bad >= 0) throw new AppError('PARAM_INVALID', `Per-input target ${target.classes[bad]} (input ${bad}) is not a class index of this model (0…${classes - 1}).`);
  }
  if (target.kind !== 'label') return;
  const missing = items.find((item) => labelToClass(item.label, descriptor) === null);
  if (missing) {
    throw new AppError('LABELS_INVALID', `Input ${missing.index} (${missing.path}) has no label the model knows, so "target: label" cannot be used.`, {
      hint: 'Use labelled inputs (class folders, a manifest label column, or --labels for .npy), or another target.'
    });
  }
}

/** Refuses a gradient method on a backend or model that cannot differentiate. */
export function checkMethodCapabilities(method: SaliencyMethod, info: BackendInfo, model: ModelHandle): void {
  if (!method.requires.includes('gradients')) return;
  requireGradients(info);
  if (!model.descriptor.canComputeGradients) throw new AppError('MODEL_CAPABILITY_MISSING', `${method.label} needs gradients, which this ${model.descriptor.format} model cannot provide.`);
}

export async function runSaliency(tfl: typeof tf, info: BackendInfo, model: ModelHandle, req: SaliencyRequest, io: HandlerIO): Promise<{ count: number; skipped: number }> {
  const method = getMethod(req.method);
  checkMethodCapabilities(method, info, model);
  const params = method.validate(req.params);
  const total = await countInputs(req.inputs);
  const classes = model.descriptor.classNames.length;
  if (req.target.kind === 'each' && req.target.classes.length !== total) {
    throw new AppError('PARAM_INVALID', `${req.target.classes.length} per-input targets were given for ${total} inputs; give one per input.`);
  }
  const skipped: SkippedFile[] = [];
  let count = 0;
  const { preprocessing, inputShape } = model.descriptor;
  const datasetMean = await datasetMeanFor(params, await getImageSet(req.inputs.path, req.inputs.labelsPath), preprocessing, inputShape, io.signal);
  for await (const batch of inputBatches(tfl, req.inputs, model.descriptor, req.batchSize, io.signal, (s) => skipped.push(...s))) {
    try {
      const positions = batch.indices.map((_, row) => count + skipped.length + row);
      const pick = targetPicker(req.target, classes, batch.labels, positions, batch.indices);
      const { result, scores } = await explainWithTargets(tfl, model, method, batch.x, req.target, pick, req.score, (targets, inPassTargets) =>
        method.run({ tf: tfl, model, x: batch.x, targets, inPassTargets, params, signal: io.signal, indices: batch.indices, seed: req.seed ?? 0, score: req.score, datasetMean,
          // Fractional progress inside a batch, so a long single-image job (RISE, extremal perturbation) moves too.
          onStep: (done, steps) => io.progress({ done: count + skipped.length + (batch.indices.length * done) / Math.max(1, steps), total, message: `${method.id}: step ${done} of ${steps}` }) })
      );
      const chosen = (req.score ?? method.score) === 'prob' ? scores.probs : scores.logits;
      const size = result.height * result.width;
      batch.indices.forEach((index, row) => {
        const data = result.maps.slice(row * size, (row + 1) * size);
        io.partial({ index, width: result.width, height: result.height, data, targetClass: scores.targets[row], score: chosen[row] });
      });
    } finally {
      batch.x.dispose();
    }
    count += batch.indices.length;
    io.progress({ done: count + skipped.length, total, message: `${count} of ${total} maps` });
  }
  return { count, skipped: skipped.length };
}
