/**
 * `image`: a user-supplied image, the same for every row, preprocessed like the inputs.
 * - An image file (JPEG, PNG, BMP) is decoded and goes through `preprocessImage` exactly as an
 *   input of a folder set does (bilinear resize, grey/RGB, then `fromRawPixels`).
 * - A `.npy` file is taken as ALREADY preprocessed (model space), like the rows of a `.npy` image
 *   set: float `[h, w, c]`, `[1, h, w, c]`, or `[h, w]` for one channel.
 * Option `path` (required), resolved against the working directory. Loaded files are cached by
 * path, size, mtime and preprocessing.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import { parseNpy } from '../../../shared/npy';
import type { Preprocessing } from '../../../shared/types/model';
import { decodeImageFile } from '../data/decode';
import { modelChannels, preprocessImage } from '../data/preprocess';
import { readString, rejectUnknownOptions } from './options';
import { repeatImage } from './raw-space';
import type { BaselineDefinition } from './types';

interface LoadedImage {
  data: Float32Array;
  shape: number[];
}

const CACHE_LIMIT = 8;
const cache = new Map<string, LoadedImage>();

async function readNpyImage(file: string): Promise<LoadedImage> {
  const { data, shape, dtype } = parseNpy(new Uint8Array(await readFile(file)));
  if (dtype !== 'float32' && dtype !== 'float64') throw new AppError('NPY_INVALID', `baseline image ${file}: expected float32 or float64 values, got ${dtype}.`);
  const dims = shape.length === 4 && shape[0] === 1 ? shape.slice(1) : shape.length === 2 ? [...shape, 1] : shape;
  if (dims.length !== 3) throw new AppError('NPY_INVALID', `baseline image ${file}: expected shape [h, w, c], [1, h, w, c] or [h, w], got [${shape.join(', ')}].`);
  return { data: Float32Array.from(data), shape: dims };
}

/** The model-space image at `file`, from the cache when the file has not changed. */
async function loadImage(file: string, pre: Preprocessing): Promise<LoadedImage> {
  let info;
  try {
    info = await stat(file);
  } catch (err) {
    throw new AppError('PARAM_INVALID', `baseline image: \`path\` ${file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}).`, { cause: err });
  }
  const isNpy = path.extname(file).toLowerCase() === '.npy';
  const key = JSON.stringify([file, info.size, info.mtimeMs, isNpy ? null : pre]);
  const hit = cache.get(key);
  if (hit) return hit;
  const loaded = isNpy ? await readNpyImage(file) : { data: preprocessImage(await decodeImageFile(file), pre), shape: [...pre.resize, modelChannels(pre)] };
  cache.set(key, loaded);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return loaded;
}

export const image: BaselineDefinition = {
  id: 'image',
  label: 'Image file',
  stochastic: false,
  dependsOnInput: false,
  defaults: {},
  validate(options) {
    rejectUnknownOptions('baseline image', options, ['path']);
    return { path: readString('baseline image', options, 'path') };
  },
  async materialize(ctx, options) {
    const file = path.resolve(options.path as string);
    const loaded = await loadImage(file, ctx.descriptor.preprocessing);
    return repeatImage(ctx, loaded.data, loaded.shape, `the image ${file}`);
  }
};
