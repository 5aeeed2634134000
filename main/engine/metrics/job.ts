/**
 * The `evaluate` engine job behind `saliency evaluate` (issue #5 item 6): faithfulness curves of
 * saliency maps over an image set under any baseline, per-image curves and AUC/AOPC, dataset means
 * with bootstrap CIs, written to curves.json (temporary + rename, so a cancelled run leaves nothing).
 * Inputs are walked in batches; within a batch every requested metric is evaluated in one shared
 * set of passes (./evaluate.ts). Progress per batch and per pass; cancellation within one pass.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import type { SkippedFile } from '../../../shared/types/images';
import { writeJsonAtomic } from '../parameter-saliency/reference/store';
import type { JobIO } from '../parameter-saliency/reference/job';
import { countInputs, getImageSet, inputBatches } from '../inputs';
import type { ModelHandle } from '../model/model-handle';
import { aopc, trapezoidAuc } from './curve';
import { evaluateCurves, type CurveTask } from './evaluate';
import { getMetric } from './index';
import { mapsFromArray, mapsFromMethod, readMapsFile, type MapsForBatch } from './maps-source';
import type { CurvesFile, EvaluateRequest, EvaluateResult, ImageCurve } from './request';
import { predictedClasses } from './score';
import { summarise } from './summary';
import type { FaithfulnessMetric, MetricParams } from './types';
import { DEFAULT_RESAMPLES } from './bootstrap';
import { sharedParamsFor } from './params';

/** Inputs per batch when the request gives none. */
export const DEFAULT_EVALUATE_BATCH = 16;

function bad(message: string, hint?: string): AppError {
  return new AppError('PARAM_INVALID', `evaluate: ${message}`, hint ? { hint } : undefined);
}

interface Resolved {
  metrics: Array<{ metric: FaithfulnessMetric; params: MetricParams }>;
  score: 'prob' | 'logit';
  target: 'predicted' | 'label';
  seed: number;
  batchSize: number;
  resamples: number;
}

/** Defaults and validation before any work. @throws AppError PARAM_INVALID naming the field */
export function resolveEvaluateRequest(request: EvaluateRequest): Resolved {
  if (!Array.isArray(request.metrics) || request.metrics.length === 0) throw bad('give at least one metric (deletion, insertion, morf, lerf).');
  if (new Set(request.metrics).size !== request.metrics.length) throw bad(`a metric is listed twice: ${request.metrics.join(', ')}.`);
  if (!!request.mapsPath === !!request.method) throw bad('give exactly one source of maps: a maps .npy or a saliency method.');
  const score = request.score ?? 'prob';
  if (score !== 'prob' && score !== 'logit') throw bad(`\`score\` must be prob or logit, got ${JSON.stringify(score)}.`);
  const target = request.target ?? 'predicted';
  if (target !== 'predicted' && target !== 'label') throw bad(`\`target\` must be predicted or label, got ${JSON.stringify(target)}.`);
  const seed = request.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0) throw bad(`\`seed\` must be a non-negative integer, got ${seed}.`);
  const batchSize = request.batchSize ?? DEFAULT_EVALUATE_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw bad(`\`batchSize\` must be a positive integer, got ${batchSize}.`);
  const resamples = request.bootstrap ?? DEFAULT_RESAMPLES;
  if (!Number.isInteger(resamples) || resamples < 1) throw bad(`\`bootstrap\` must be a positive integer, got ${resamples}.`);
  const metrics = request.metrics.map((id) => {
    const metric = getMetric(id);
    return { metric, params: metric.validate(sharedParamsFor(metric.primary === 'aopc', request.params ?? {})) };
  });
  return { metrics, score, target, seed, batchSize, resamples };
}

/** The classes scored for a batch: predicted on x, or the labels (every row must have one). */
async function batchTargets(tf: typeof tfTypes, model: ModelHandle, x: tfTypes.Tensor4D, labels: Array<number | null>, indices: number[], target: 'predicted' | 'label'): Promise<Int32Array> {
  if (target === 'predicted') return predictedClasses(tf, model, x);
  const missing = labels.findIndex((l) => l === null);
  if (missing >= 0) throw new AppError('LABELS_INVALID', `evaluate: input ${indices[missing]} has no label the model knows, and the target is the label.`, { hint: 'Use the predicted class as target, or give labels.' });
  return Int32Array.from(labels as number[]);
}

/** Per-image record of one task's curve. */
function imageCurve(task: CurveTask, row: number, y: Float64Array, baselineScore: number, index: number, path: string, target: number): ImageCurve {
  const x = task.schedules[row].fraction;
  return { index, path, target, x: Array.from(x), y: Array.from(y), auc: trapezoidAuc(x, y), aopc: aopc(y), baselineScore };
}

/**
 * Runs the evaluation and writes curves.json.
 * @throws AppError PARAM_INVALID, SHAPE_MISMATCH, NPY_INVALID, NOT_FOUND, LABELS_INVALID, CANCELLED, IO_FAILED
 */
export async function runEvaluate(tf: typeof tfTypes, model: ModelHandle, request: EvaluateRequest, io: JobIO): Promise<EvaluateResult> {
  const opts = resolveEvaluateRequest(request);
  const started = performance.now();
  const [h, w] = model.descriptor.inputShape;
  const count = await countInputs(request.inputs);
  const source: MapsForBatch = request.mapsPath
    ? mapsFromArray((await readMapsFile(request.mapsPath, h, w, count)).data, h * w)
    : mapsFromMethod(tf, model, request.method!.id, request.method!.params ?? {}, opts.seed, request.maxElementsPerPass);
  const set = await getImageSet(request.inputs.path, request.inputs.labelsPath);
  const wanted = request.inputs.indices ?? set.items.map((item) => item.index);
  const position = new Map(wanted.map((index, p) => [index, p]));
  const curves: ImageCurve[][] = opts.metrics.map(() => []);
  const skipped: SkippedFile[] = [];
  let forwards = 0;
  let perturbed = 0;
  let done = 0;
  io.progress({ done, total: count, message: 'evaluating' });
  for await (const batch of inputBatches(tf, request.inputs, model.descriptor, opts.batchSize, io.signal, (s) => skipped.push(...s))) {
    try {
      const targets = await batchTargets(tf, model, batch.x, batch.labels, batch.indices, opts.target);
      const maps = await source(batch.x, batch.indices.map((i) => position.get(i)!), batch.indices, targets, io.signal);
      const tasks: CurveTask[] = opts.metrics.map(({ metric, params }) => ({ metric, params, schedules: maps.map((m) => metric.schedule(m, h, w, params)) }));
      const result = await evaluateCurves(
        { tf, model, x: batch.x, targets, score: opts.score, signal: io.signal, indices: batch.indices, seed: opts.seed, maxElementsPerPass: request.maxElementsPerPass,
          onStep: (d, t) => io.progress({ done, total: count, message: `${d}/${t} model inputs of this batch` }) },
        tasks
      );
      forwards += result.forwards;
      perturbed += result.perturbed;
      tasks.forEach((task, ti) => batch.indices.forEach((index, r) => curves[ti].push(imageCurve(task, r, result.curves[ti][r], result.baselineScores[ti][r], index, set.items[index]?.path ?? '', targets[r]))));
    } finally {
      batch.x.dispose();
    }
    done += batch.indices.length;
    io.progress({ done, total: count, message: 'evaluating' });
  }
  if (curves[0].length === 0) throw new AppError('IMAGE_SET_EMPTY', 'evaluate: no input could be read, so there is nothing to evaluate.');
  const seconds = (performance.now() - started) / 1000;
  const result: EvaluateResult = {
    out: request.out, count: curves[0].length, skipped,
    metrics: opts.metrics.map(({ metric, params }, i) => summarise(metric, params, curves[i], opts.resamples, opts.seed)),
    seconds, forwards, perturbed, perturbedPerSecond: perturbed / seconds, imagesPerSecond: curves[0].length / seconds
  };
  const { out: _out, ...rest } = result;
  const file: CurvesFile = {
    format: 'saliency-evaluate-v1', model: { name: model.descriptor.name, hash: model.descriptor.hash }, inputs: request.inputs.path,
    maps: request.mapsPath ?? null, method: request.method ? { id: request.method.id, params: request.method.params ?? {} } : null,
    score: opts.score, target: opts.target, seed: opts.seed, ...rest,
    images: Object.fromEntries(opts.metrics.map(({ metric }, i) => [metric.id, curves[i]]))
  };
  await writeJsonAtomic(request.out, file);
  return result;
}
