/**
 * Control maps ranked alongside the saliency methods (spec §4.3): a random map (i.i.d. U(0, 1)
 * per pixel from the stream `rowRng(seed, item index, 'study:random')`, so it depends only on the
 * seed and the image) and a centre-Gaussian map exp(−((i − c_i)² + (j − c_j)²)/(2σ²)) with the
 * centre of the image and σ = min(H, W)/4 (the same for every image: a "centre bias" prior).
 */
import { rowRng } from '../saliency/batching';

export type ControlId = 'random' | 'centre-gaussian';

export function randomMap(height: number, width: number, seed: number, index: number): Float32Array {
  const rng = rowRng(seed, index, 'study:random');
  return Float32Array.from({ length: height * width }, () => rng.uniform());
}

export function centreGaussianMap(height: number, width: number): Float32Array {
  const ci = (height - 1) / 2;
  const cj = (width - 1) / 2;
  const sigma = Math.min(height, width) / 4;
  return Float32Array.from({ length: height * width }, (_, p) => {
    const [i, j] = [Math.floor(p / width), p % width];
    return Math.exp(-((i - ci) ** 2 + (j - cj) ** 2) / (2 * sigma * sigma));
  });
}

export function controlMap(id: ControlId, height: number, width: number, seed: number, index: number): Float32Array {
  return id === 'random' ? randomMap(height, width, seed, index) : centreGaussianMap(height, width);
}
