/**
 * The measure job: resolves the measure, its parameters and the map method, loads the model(s),
 * walks the inputs (progress per image, cancellation per batch), and writes one result JSON —
 * manifest (measure, parameters, method + parameters, seed, models with hashes, inputs, backend,
 * device, versions, bootstrap settings, timing), dataset summaries and per-image rows — through a
 * temporary file and a rename, so a cancelled or failed run leaves nothing at `out`.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import type { BackendInfo } from '../../../shared/types/model';
import { getImageSet } from '../inputs';
import { versionsOf } from '../manifest';
import { loadModel } from '../model/load-model';
import type { ModelHandle } from '../model/model-handle';
import type { InputsSpec } from '../protocol';
import { writeJsonAtomic } from '../parameter-saliency/reference/store';
import { resolveBootstrap, type BootstrapOptions } from '../stats/bootstrap';
import { getMeasure } from './index';
import { resolveMapSpec } from './map-spec';
import type { MeasureId, MeasureOutput } from './types';
import type { JobProgress } from '../../../shared/types/jobs';

export const MEASURE_SCHEMA = 'saliency-workbench/measure@1';
export const DEFAULT_MEASURE_BATCH = 16;

/** A measure run over an image set. */
export interface MeasureRequest {
  measure: MeasureId;
  /** Model(s): one for every measure but `stability`, which takes two or more runs of one architecture. */
  modelPaths: string[];
  inputs: InputsSpec;
  /** Map method id (default grad-cam) and its parameters. */
  method?: string;
  methodParams?: Record<string, unknown>;
  /** The measure's own parameters (validated by the measure). */
  params?: Record<string, unknown>;
  /** Seed of every random draw: noise, stochastic methods, bootstrap (default 0). */
  seed?: number;
  batchSize?: number;
  /** Bootstrap resamples and level (its seed is `seed`). */
  bootstrap?: Omit<BootstrapOptions, 'seed'>;
  /** Where the result JSON goes. */
  out: string;
}

/** What the engine answers: where the file is, and the summaries. */
export interface MeasureResult {
  out: string;
  measure: MeasureId;
  count: number;
  skipped: number;
  summary: Record<string, unknown>;
  warnings: string[];
  seconds: number;
}

export interface MeasureIO {
  signal: AbortSignal;
  progress(p: JobProgress): void;
}

/** A measure's validated plan: everything but the models. */
export function planMeasure(request: Omit<MeasureRequest, 'out' | 'modelPaths'> & { modelCount: number }) {
  const measure = getMeasure(request.measure);
  const [min, max] = measure.models;
  if (request.modelCount < min || request.modelCount > max) {
    throw new AppError('PARAM_INVALID', `${measure.id} takes ${min === max ? min : `${min} or more`} model${max > 1 ? 's' : ''}, got ${request.modelCount}.`, {
      hint: measure.id === 'stability' ? 'Pass the runs with --models a,b,c (two or more checkpoints of one architecture).' : 'Pass one model with --model.'
    });
  }
  const batchSize = request.batchSize ?? DEFAULT_MEASURE_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 4096) throw new AppError('PARAM_INVALID', `measure: \`batchSize\` must be an integer in 1…4096, got ${batchSize}.`);
  const seed = request.seed ?? 0;
  const map = resolveMapSpec(request.method, request.methodParams ?? {}, seed);
  const bootstrap = resolveBootstrap({ ...request.bootstrap, seed });
  return { measure, params: measure.validate(request.params ?? {}), map, bootstrap, batchSize, seed };
}

/**
 * Computes a measure in memory on models the caller holds (for scripts); writes nothing.
 * @throws AppError PARAM_INVALID (bad parameter, wrong model count), CANCELLED, …
 */
export async function computeMeasure(tf: typeof tfTypes, models: ModelHandle[], request: Omit<MeasureRequest, 'out' | 'modelPaths'>, io: MeasureIO): Promise<MeasureOutput & { plan: ReturnType<typeof planMeasure> }> {
  const plan = planMeasure({ ...request, modelCount: models.length });
  const output = await plan.measure.run({ tf, models, inputs: request.inputs, map: plan.map, batchSize: plan.batchSize, bootstrap: plan.bootstrap, signal: io.signal, progress: io.progress }, plan.params);
  return { ...output, plan };
}

/** Runs `request` end to end and writes its result JSON (see the file comment). */
export async function runMeasure(tf: typeof tfTypes, info: BackendInfo, request: MeasureRequest, io: MeasureIO): Promise<MeasureResult> {
  const started = performance.now();
  planMeasure({ ...request, modelCount: request.modelPaths.length });
  const models = [];
  for (const p of request.modelPaths) models.push(await loadModel(p));
  const result = await computeMeasure(tf, models, request, io);
  const set = await getImageSet(request.inputs.path, request.inputs.labelsPath);
  const seconds = (performance.now() - started) / 1000;
  const { plan } = result;
  const manifest = {
    measure: plan.measure.id, measureLabel: plan.measure.label, reference: plan.measure.reference, params: plan.params,
    method: { id: plan.map.method.id, params: plan.map.params, score: plan.map.method.score, stochastic: plan.map.method.stochastic, target: 'predicted' },
    seed: plan.seed, bootstrap: plan.bootstrap, batchSize: plan.batchSize,
    models: models.map(({ descriptor: d }) => ({ path: d.path, name: d.name, hash: d.hash, format: d.format, inputShape: d.inputShape, classes: d.classNames.length })),
    inputs: { path: set.summary.root, id: set.summary.id, kind: set.summary.kind, selected: request.inputs.indices?.length ?? set.summary.count, labelsPath: request.inputs.labelsPath ?? null },
    backend: info.backend, device: info.device, versions: versionsOf(info), createdAt: new Date().toISOString(), seconds
  };
  const document = { schema: MEASURE_SCHEMA, manifest, summary: result.summary, perImage: result.perImage, tables: result.tables ?? {}, skipped: result.skipped, warnings: result.warnings };
  if (io.signal.aborted) throw new AppError('CANCELLED', `The ${plan.measure.id} measure was cancelled.`);
  await writeJsonAtomic(request.out, document);
  return { out: request.out, measure: plan.measure.id, count: result.perImage.length, skipped: result.skipped.length, summary: result.summary, warnings: result.warnings, seconds };
}
