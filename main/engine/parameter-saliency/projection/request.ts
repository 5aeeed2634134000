/**
 * The engine's `paramProject` request: input-space projection (input-saliency.ts) of one image
 * of a set against a stats dir, optionally with the masking check (masking.ts). The twin network
 * is built per request and freed after it, so no decoded weights outlive a model reload.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../../shared/errors';
import type { ModelHandle } from '../../model/model-handle';
import { getImageSet, labelToClass } from '../../inputs';
import { buildFilterTable } from '../profile/filters';
import { checkStatsMatchModel } from '../rank/options';
import { readStatsFile, statsArrays } from '../reference/store';
import { inputSpaceSaliency } from './input-saliency';
import { maskingCheck, type MaskingResult } from './masking';
import { buildProjectionNetwork } from './network';

/** The `paramProject` engine request. */
export interface ProjectRequest {
  modelPath: string;
  /** Stats dir of this model (μ, σ standardise the profile). */
  stats: string;
  inputs: { path: string; labelsPath?: string };
  index: number;
  /** True class; default the item's label (required: the profile uses it). */
  label?: number;
  /** Boosted filters: the top-k of ŝ (default 10) or this explicit list. */
  k?: number;
  filters?: number[];
  boost?: number;
  iterations?: number;
  noise?: number;
  seed?: number;
  /** Also run the masking check with this share of pixels (e.g. 0.1). */
  maskFraction?: number;
}

/** The projection of one image: display map, raw gradient, boosted filters, masking check. */
export interface ProjectResponse {
  index: number;
  label: number;
  /** [h, w] of `map`. */
  size: [number, number];
  /** Display map in [0, 1], row-major [h·w]. */
  map: Float32Array;
  /** Raw input gradient G, [h·w·c]. */
  gradient: Float32Array;
  filters: Array<{ global: number; layer: string; index: number; z: number }>;
  nonPositive: number[];
  masking: MaskingResult | null;
}

async function loadItem(model: ModelHandle, request: ProjectRequest): Promise<{ data: Float32Array; label: number }> {
  const set = await getImageSet(request.inputs.path, request.inputs.labelsPath);
  if (!Number.isInteger(request.index) || request.index < 0 || request.index >= set.items.length) throw new AppError('PARAM_INVALID', `param-project: \`index\` must be an item index in 0…${set.items.length - 1}, got ${request.index}.`);
  const batch = await set.loadBatch([request.index], model.descriptor.preprocessing, model.descriptor.inputShape);
  if (batch.indices.length === 0) throw new AppError('IMAGE_UNREADABLE', `param-project: ${set.items[request.index].path} could not be read.`);
  const label = request.label ?? labelToClass(batch.labels[0], model.descriptor);
  if (label === null) throw new AppError('LABELS_INVALID', `param-project: ${set.items[request.index].path} has no known class; the projection needs its true label.`, { hint: 'Pass `label`.' });
  return { data: batch.data, label };
}

/** Answers one projection request. @throws AppError MODEL_CAPABILITY_MISSING, PARAM_INVALID, LABELS_INVALID */
export async function runProject(tf: typeof tfTypes, model: ModelHandle, request: ProjectRequest): Promise<ProjectResponse> {
  const table = buildFilterTable(model.descriptor);
  const stats = await readStatsFile(request.stats);
  checkStatsMatchModel(stats, model.descriptor, table, request.stats);
  const reference = statsArrays(stats);
  const { data, label } = await loadItem(model, request);
  const net = await buildProjectionNetwork(tf, model);
  const [h, w, c] = model.descriptor.inputShape;
  const x = tf.tensor4d(data, [1, h, w, c]);
  try {
    const options = { k: request.k, boost: request.boost, filters: request.filters ? [request.filters] : undefined, iterations: request.iterations, noise: request.noise, seed: request.seed };
    const [row] = inputSpaceSaliency(tf, net, x, [label], reference, options);
    const masking = request.maskFraction === undefined ? null : maskingCheck(tf, net, x, label, reference, row, { fraction: request.maskFraction, seed: request.seed });
    const filters = row.filters.map((g) => ({ global: g, layer: table.ids[g].layer, index: table.ids[g].index, z: row.zScores[g] }));
    return { index: request.index, label, size: [h, w], map: row.map, gradient: row.gradient, filters, nonPositive: row.nonPositive, masking };
  } finally {
    x.dispose();
    net.dispose();
  }
}
