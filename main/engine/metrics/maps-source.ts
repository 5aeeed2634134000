/**
 * Where an evaluation gets its saliency maps: a maps .npy `[N, H, W]` (or `[N, H, W, 1]`, as
 * `saliency maps` writes them) aligned with the selected inputs, or a registered saliency method
 * run on each batch. Shapes are checked against the model before any work.
 */
import { readFile } from 'node:fs/promises';
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import { parseNpy } from '../../../shared/npy';
import type { ModelHandle } from '../model/model-handle';
import { getMethod } from '../saliency';

/** Maps for a batch: one Float32Array [H·W] per row. */
export type MapsForBatch = (x: tf.Tensor4D, positions: number[], indices: number[], targets: Int32Array, signal: AbortSignal) => Promise<Float32Array[]>;

/**
 * Reads a maps .npy `[N, H, W]` (or `[N, H, W, 1]`) as float32, whatever its shape against a model.
 * @throws AppError NOT_FOUND, NPY_INVALID, SHAPE_MISMATCH (not a stack of 2-D maps)
 */
export async function readMapsNpy(file: string): Promise<{ data: Float32Array; count: number; height: number; width: number }> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new AppError('NOT_FOUND', `Cannot read the maps file ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)}).`, { hint: 'Check the --maps path; `saliency maps --out` writes one.' });
  }
  let array;
  try {
    array = parseNpy(bytes);
  } catch (err) {
    throw new AppError('NPY_INVALID', `The maps file ${file} is not a readable .npy array: ${(err as Error).message}`);
  }
  const { shape } = array;
  if (!(shape.length === 3 || (shape.length === 4 && shape[3] === 1)) || shape[0] < 1) {
    throw new AppError('SHAPE_MISMATCH', `The maps file ${file} has shape (${shape.join(', ')}); expected [N, H, W] maps.`, { hint: 'Give maps as `saliency maps --out` writes them.' });
  }
  return { data: Float32Array.from(array.data as ArrayLike<number>), count: shape[0], height: shape[1], width: shape[2] };
}

/** Reads a maps .npy as [N, H·W] float32 for a model's input size. @throws AppError NOT_FOUND, NPY_INVALID, SHAPE_MISMATCH */
export async function readMapsFile(file: string, height: number, width: number, count: number | null): Promise<{ data: Float32Array; count: number }> {
  const maps = await readMapsNpy(file);
  if (maps.height !== height || maps.width !== width) {
    throw new AppError('SHAPE_MISMATCH', `The maps file ${file} has maps of ${maps.height}×${maps.width}; this model needs maps [N, ${height}, ${width}] (one per input).`, { hint: 'Compute the maps with the same model (saliency maps --model … --out maps.npy).' });
  }
  if (count !== null && maps.count !== count) {
    throw new AppError('SHAPE_MISMATCH', `The maps file ${file} holds ${maps.count} maps but ${count} inputs are selected; give one map per input, in input order.`);
  }
  return { data: maps.data, count: maps.count };
}

/** Maps by position among the selected inputs, from a [N, H·W] array. */
export function mapsFromArray(data: Float32Array, pixels: number): MapsForBatch {
  return async (_x, positions) => positions.map((p) => data.slice(p * pixels, (p + 1) * pixels));
}

/** Maps computed by a saliency method (its own default score; seed shared with the run). */
export function mapsFromMethod(t: typeof tf, model: ModelHandle, id: string, params: Record<string, unknown>, seed: number, maxElementsPerPass?: number): MapsForBatch {
  const method = getMethod(id);
  const validated = method.validate(params);
  return async (x, _positions, indices, targets, signal) => {
    const result = await method.run({ tf: t, model, x, targets, params: validated, signal, indices, seed, maxElementsPerPass });
    const pixels = result.height * result.width;
    return Array.from({ length: x.shape[0] }, (_, r) => result.maps.slice(r * pixels, (r + 1) * pixels));
  };
}
