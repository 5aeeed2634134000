/**
 * The sanity-check job behind the engine method `sanity` and `saliency sanity` (issue #5 item 7):
 * checks the request, loads a PRIVATE instance of the model (the check edits its weights across
 * awaits, so the shared cached handle is never touched), runs the check over the image set
 * (run.ts) and summarises every statistic per step with a seeded bootstrap CI of the mean
 * (stats/summary.ts). The result JSON (summary + per-image similarities) is written atomically,
 * only when the run completed.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import type { BackendInfo } from '../../../shared/types/model';
import { datasetMeanFor } from '../baselines';
import { countInputs, getImageSet, inputBatches } from '../inputs';
import { loadModelUncached } from '../model/load-model';
import type { ModelHandle } from '../model/model-handle';
import { writeJsonAtomic } from '../parameter-saliency/reference/store';
import { checkMethodCapabilities } from '../run-saliency';
import { getMethod } from '../saliency';
import { curvesOf, DEFAULT_SANITY_RESAMPLES } from './curves';
import { getSanityCheck } from './index';
import { computeSanity, type SanityIO, type SanityRunOptions } from './run';
import type { SanityDocument, SanityRequest, SanityResult } from './types';
import { INIT_MODES, type InitMode } from './weights';

type Tf = typeof tfTypes;

export const SANITY_DEFAULTS = { method: 'gradient', target: 'predicted', init: 'glorot-uniform', seed: 0, topK: 0.1, resamples: DEFAULT_SANITY_RESAMPLES, batchSize: 16 } as const;

function bad(message: string): AppError {
  return new AppError('PARAM_INVALID', `sanity: ${message}`);
}

/** Defaults and checks of everything but the model and inputs. @throws AppError PARAM_INVALID naming the field */
export function resolveSanityRequest(req: SanityRequest) {
  const check = getSanityCheck(req.check);
  const method = getMethod(req.method ?? SANITY_DEFAULTS.method);
  const params = method.validate(req.params ?? {});
  const target = req.target ?? SANITY_DEFAULTS.target;
  if (target !== 'predicted' && target !== 'label') throw bad(`\`target\` must be "predicted" or "label", got ${JSON.stringify(target)}.`);
  const init: InitMode = req.init ?? SANITY_DEFAULTS.init;
  if (!INIT_MODES.includes(init)) throw bad(`\`init\` must be one of ${INIT_MODES.join(', ')}, got ${JSON.stringify(init)}.`);
  const seed = req.seed ?? SANITY_DEFAULTS.seed;
  if (!Number.isFinite(seed)) throw bad(`\`seed\` must be a finite number, got ${seed}.`);
  const topK = req.topK ?? SANITY_DEFAULTS.topK;
  if (!(topK > 0 && (topK < 1 || Number.isInteger(topK)))) throw bad(`\`topK\` must be a count ≥ 1 or a fraction in (0, 1), got ${topK}.`);
  const resamples = req.resamples ?? SANITY_DEFAULTS.resamples;
  if (!Number.isInteger(resamples) || resamples < 1) throw bad(`\`resamples\` must be a positive integer, got ${resamples}.`);
  const batchSize = req.batchSize ?? SANITY_DEFAULTS.batchSize;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 4096) throw bad(`\`batchSize\` must be an integer in 1…4096, got ${batchSize}.`);
  return { check, method, params, target, init, seed, topK, resamples, batchSize };
}

export { curvesOf };

/**
 * Runs a check on an already loaded private model (tests and scripts; the caller disposes it).
 * @throws AppError PARAM_INVALID, MODEL_CAPABILITY_MISSING, CANCELLED, IO_FAILED
 */
export async function runSanityOn(tf: Tf, info: BackendInfo, model: ModelHandle, req: SanityRequest, io: SanityIO): Promise<SanityDocument> {
  const started = performance.now();
  const r = resolveSanityRequest(req);
  checkMethodCapabilities(r.method, info, model);
  const set = await getImageSet(req.inputs.path, req.inputs.labelsPath);
  const { preprocessing, inputShape } = model.descriptor;
  const datasetMean = await datasetMeanFor(r.params, set, preprocessing, inputShape, io.signal);
  const skipped: unknown[] = [];
  const opts: SanityRunOptions = { check: r.check, method: r.method, params: r.params, target: r.target, init: r.init, seed: r.seed, topK: r.topK, datasetMean };
  const total = await countInputs(req.inputs);
  const batches = inputBatches(tf, req.inputs, model.descriptor, r.batchSize, io.signal, (s) => skipped.push(...s));
  const run = await computeSanity(tf, model, batches, opts, io, total);
  const result: SanityResult = {
    format: 'saliency-sanity-v1', check: r.check.id, model: { name: model.descriptor.name, hash: model.descriptor.hash },
    method: { id: r.method.id, params: r.params }, inputs: req.inputs.path, target: r.target, init: r.init, seed: r.seed, topK: r.topK,
    layers: run.layers, steps: run.steps, curves: curvesOf(run.rows, run.steps.length, r.resamples, r.seed),
    counts: { images: run.rows.length, skipped: skipped.length }, seconds: (performance.now() - started) / 1000, out: req.out ?? null
  };
  const images = run.rows.map((row) => ({ ...row, path: set.items[row.index]?.path ?? '' }));
  return { ...result, images };
}

/**
 * The engine method: loads a private model instance, runs, writes `req.out` when given, returns
 * the summary (per-image records only in the file).
 */
export async function runSanity(tf: Tf, info: BackendInfo, req: SanityRequest, io: SanityIO): Promise<SanityResult> {
  resolveSanityRequest(req);
  const model = await loadModelUncached(req.modelPath);
  try {
    const doc = await runSanityOn(tf, info, model, req, io);
    if (req.out) await writeJsonAtomic(req.out, doc);
    const { images: _images, ...summary } = doc;
    return summary;
  } finally {
    model.dispose();
  }
}
