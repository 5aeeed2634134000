/**
 * The verification job behind `saliency param-verify` (issue items 5–6; algorithms.md §1.5–§1.7,
 * §2.5): the misclassified inputs of a set are ranked against a stats dir (stats-source.ts), each
 * selector's top-K filters are zeroed or fine-tuned cumulatively (run.ts), and curves.json gets
 * the available-case curves per selector, the per-input curves, and the layer-depth bias table of
 * every selector's top-k picks (Tables 1–2 format). Progress per batch, cancellation per input;
 * curves.json appears only when complete (written atomically).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../../shared/errors';
import type { SkippedFile } from '../../../../shared/types/images';
import type { ModelHandle } from '../../model/model-handle';
import { countInputs, getImageSet, inputBatches } from '../../inputs';
import { layerDepthBias, type BiasTable } from '../bias/layer-depth';
import { stageLayout, type StageLayout } from '../bias/stages';
import type { JobIO } from '../reference/job';
import { statsPaths } from '../reference/layout';
import { writeJsonAtomic } from '../reference/store';
import type { PotSpec } from '../rank/pot-cache';
import { ESTIMATORS } from '../rank/options';
import { filterLayout } from './filters';
import { runVerification, type ImageRecord, type VerifyResult } from './run';
import type { SelectorSpec } from './selectors';
import { statsSaliencySource } from './stats-source';
import { SELECTOR_IDS, type CurvesDocument, type ImageCurvesDto, type ParamVerifyRequest, type ParamVerifyResult, type SelectorId } from './types';

/** K of the papers' fine-tuning figures (25 filters). */
export const DEFAULT_VERIFY_K = 25;
/** Inputs per forward/profile pass. */
export const DEFAULT_VERIFY_BATCH = 32;

interface Resolved {
  K: number;
  ids: SelectorId[];
  specs: SelectorSpec[];
  seed: number;
  pot: PotSpec | null;
  biasK: number;
  batchSize: number;
}

function bad(message: string): AppError {
  return new AppError('PARAM_INVALID', `param-verify: ${message}`);
}

function positiveInt(value: unknown, name: string, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || (v as number) < 1) throw bad(`\`${name}\` must be a positive integer, got ${JSON.stringify(value)}.`);
  return v as number;
}

/** Defaults and validation (style §4.4.5). @throws AppError PARAM_INVALID naming the argument */
export function resolveVerifyRequest(request: ParamVerifyRequest): Resolved {
  const K = positiveInt(request.k, 'k', DEFAULT_VERIFY_K);
  const ids = request.selectors ?? SELECTOR_IDS;
  if (!Array.isArray(ids) || ids.length === 0) throw bad('`selectors` must list at least one of ' + SELECTOR_IDS.join(', ') + '.');
  const unknown = ids.find((id) => !SELECTOR_IDS.includes(id));
  if (unknown !== undefined) throw bad(`unknown selector ${JSON.stringify(unknown)}; choose from ${SELECTOR_IDS.join(', ')}.`);
  const seed = request.seed ?? 0;
  if (!Number.isFinite(seed)) throw bad(`\`seed\` must be a finite number, got ${seed}.`);
  const level = request.level ?? 0.9;
  if (!(level > 0 && level < 1)) throw bad(`\`level\` must lie in (0, 1), got ${level}.`);
  const estimator = request.estimator ?? 'mle';
  if (!ESTIMATORS.includes(estimator)) throw bad(`\`estimator\` must be one of ${ESTIMATORS.join(', ')}, got ${JSON.stringify(estimator)}.`);
  if (request.spotCompat && estimator !== 'mle') throw bad('`spotCompat` emulates the reference maximum-likelihood fit; it needs estimator mle.');
  const specs = ids.map((id): SelectorSpec => (id === 'zscore' || id === 'pot' ? { kind: 'ranking', name: id } : id === 'random' ? { kind: 'random', seed } : { kind: id }));
  const pot = ids.includes('pot') ? { level, estimator, spotCompat: !!request.spotCompat } : null;
  return { K, ids, specs, seed, pot, biasK: positiveInt(request.biasK, 'biasK', Math.min(K, 25)), batchSize: positiveInt(request.batchSize, 'batchSize', DEFAULT_VERIFY_BATCH) };
}

/** Bias table of every selector's first `k` picks over the misclassified inputs. */
export function selectorBias(images: ImageRecord[], selectors: string[], stages: StageLayout, k: number): BiasTable[] {
  return selectors.map((name) => layerDepthBias(images.map((img) => img.curves.find((c) => c.selector === name)?.filters ?? new Int32Array(0)), stages, k, name));
}

function imageDto(image: ImageRecord, path: string): ImageCurvesDto {
  const selectors: ImageCurvesDto['selectors'] = {};
  for (const c of image.curves) selectors[c.selector] = { filters: Array.from(c.filters), deltaWrong: Array.from(c.deltaWrong), deltaTrue: Array.from(c.deltaTrue), corrected: Array.from(c.corrected) };
  return { index: image.index, path, label: image.label, predicted: image.predicted, pWrongBefore: image.pWrongBefore, pTrueBefore: image.pTrueBefore, selectors };
}

/**
 * Runs the protocol of `request` and writes curves.json.
 * @throws AppError PARAM_INVALID, NOT_FOUND (no statistics), CANCELLED, IO_FAILED
 */
export async function runParamVerify(tf: typeof tfTypes, model: ModelHandle, request: ParamVerifyRequest, io: JobIO & { log?(message: string): void }): Promise<ParamVerifyResult> {
  const opts = resolveVerifyRequest(request);
  const started = performance.now();
  const stages = stageLayout(filterLayout(model.descriptor), request.stageMapping);
  const { source, stats } = await statsSaliencySource(tf, model, request.stats, opts.pot, request.strategy, io);
  const skipped: SkippedFile[] = [];
  const batches = inputBatches(tf, request.inputs, model.descriptor, opts.batchSize, io.signal, (s) => skipped.push(...s));
  const run = await runVerification(tf, model, batches, source, { protocol: request.protocol, K: opts.K, lr: request.lr, selectors: opts.specs, stageMapping: request.stageMapping }, io, await countInputs(request.inputs));
  const bias = selectorBias(run.images, run.selectors, stages, opts.biasK);
  const result: ParamVerifyResult = { out: request.out, ...summaryOf(run), bias, skipped, seconds: (performance.now() - started) / 1000 };
  const items = (await getImageSet(request.inputs.path, request.inputs.labelsPath)).items;
  const { out: _out, ...rest } = result;
  const document: CurvesDocument = {
    format: 'saliency-param-verify-v1', model: { name: model.descriptor.name, hash: model.descriptor.hash },
    stats: { dir: statsPaths(request.stats).dir, key: stats.key, count: stats.count, length: stats.length },
    inputs: request.inputs.path, units: 'probability', seed: opts.seed, pot: opts.pot, ...rest,
    stages: stages.stages.map(({ name, layers, filters, firstFilter }) => ({ name, layers, filters, firstFilter })),
    images: request.includeImages === false ? [] : run.images.map((img) => imageDto(img, items[img.index]?.path ?? ''))
  };
  await writeJsonAtomic(request.out, document);
  return result;
}

/** The run without its per-image records (those go to curves.json only). */
function summaryOf(run: VerifyResult): Omit<VerifyResult, 'images'> {
  const { images: _images, ...summary } = run;
  return summary;
}
