/**
 * The maps a study needs, computed once each and cached by configuration: every registered method
 * with its defaults, occlusion per (baseline, window, stride), RISE per (baseline, n, grid, p, seed),
 * and the controls. Methods run over the study's images in batches, with the run's cancellation.
 */
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import type { ModelHandle } from '../model/model-handle';
import { getMethod } from '../saliency';
import { controlMap, type ControlId } from './controls';

export interface StudyImages {
  x: tf.Tensor4D;
  targets: Int32Array;
  indices: number[];
}

export interface MapCacheOptions {
  tf: typeof tf;
  model: ModelHandle;
  images: StudyImages;
  batchSize: number;
  seed: number;
  signal: AbortSignal;
  maxElementsPerPass?: number;
  /** Called after each computed configuration, with its label. */
  onComputed?: (label: string) => void;
}

/** A canonical label for a method configuration, e.g. `occlusion[baseline=black,window=4,stride=2]`. */
export function configLabel(method: string, params: Record<string, unknown>): string {
  const entries = Object.entries(params).filter(([k]) => k !== 'returnMasks');
  return entries.length ? `${method}[${entries.map(([k, v]) => `${k}=${v}`).join(',')}]` : method;
}

export class MapCache {
  private readonly cache = new Map<string, Float32Array[]>();
  constructor(private readonly opts: MapCacheOptions) {}

  /** Maps of `method` with `params` (seed: the method's random draws), one per image. */
  async get(method: string, params: Record<string, unknown> = {}, seed = this.opts.seed): Promise<Float32Array[]> {
    const key = `${configLabel(method, params)}#${seed}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const maps = await this.compute(method, params, seed);
    this.cache.set(key, maps);
    this.opts.onComputed?.(configLabel(method, params));
    return maps;
  }

  control(id: ControlId): Float32Array[] {
    const [, h, w] = this.opts.images.x.shape;
    return this.opts.images.indices.map((index) => controlMap(id, h, w, this.opts.seed, index));
  }

  get computed(): number {
    return this.cache.size;
  }

  private async compute(id: string, params: Record<string, unknown>, seed: number): Promise<Float32Array[]> {
    const { tf: t, model, images, batchSize, signal } = this.opts;
    const method = getMethod(id);
    const validated = method.validate(params);
    const [n, h, w, c] = images.x.shape;
    const out: Float32Array[] = [];
    for (let start = 0; start < n; start += batchSize) {
      if (signal.aborted) throw new AppError('CANCELLED', 'The study was cancelled.');
      const rows = Math.min(batchSize, n - start);
      const x = t.slice(images.x, [start, 0, 0, 0], [rows, h, w, c]);
      try {
        const result = await method.run({ tf: t, model, x, targets: images.targets.slice(start, start + rows), params: validated, signal, indices: images.indices.slice(start, start + rows), seed, maxElementsPerPass: this.opts.maxElementsPerPass });
        for (let r = 0; r < rows; r++) out.push(result.maps.slice(r * h * w, (r + 1) * h * w));
      } finally {
        x.dispose();
      }
    }
    return out;
  }
}
