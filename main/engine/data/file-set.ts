/**
 * ImageSet over image files (folder and manifest sets). Files are decoded lazily, when a batch,
 * mask or thumbnail is asked for, with at most DECODE_CONCURRENCY decodes in flight; a file that
 * fails to decode is reported in the batch's `skipped` and never fails the set.
 */
import { AppError } from '../../../shared/errors';
import type { ImageSetItem, ImageSetSummary, RgbaImage, SkippedFile } from '../../../shared/types/images';
import type { Preprocessing } from '../../../shared/types/model';
import { checkIndices, checkPreprocessingShape, checkSize } from './checks';
import { DECODE_CONCURRENCY, mapLimit } from './concurrency';
import { decodeImageFile } from './decode';
import { loadMaskFile } from './masks';
import { preprocessImage } from './preprocess';
import { checkThumbnailSize, placeholderThumbnail, thumbnailFromPixels } from './thumbnails';
import type { FileEntry, ImageSet, LoadedBatch } from './types';

/** Only IMAGE_UNREADABLE is a per-file problem; anything else is a bug or a bad request and propagates. */
function asUnreadable(err: unknown): AppError | null {
  return err instanceof AppError && err.code === 'IMAGE_UNREADABLE' ? err : null;
}

export class FileImageSet implements ImageSet {
  readonly items: ImageSetItem[];

  constructor(
    readonly summary: ImageSetSummary,
    private readonly entries: FileEntry[]
  ) {
    this.items = entries.map((e, index) => ({ index, path: e.rel, label: e.label, mask: e.maskRel }));
  }

  async loadBatch(indices: number[], pre: Preprocessing, inputShape: [number, number, number]): Promise<LoadedBatch> {
    checkIndices(indices, this.entries.length);
    checkPreprocessingShape(pre, inputShape);
    const results = await mapLimit(indices, DECODE_CONCURRENCY, async (i) => {
      try {
        return { pixels: preprocessImage(await decodeImageFile(this.entries[i].abs), pre) };
      } catch (err) {
        const unreadable = asUnreadable(err);
        if (!unreadable) throw err;
        return { skipped: { path: this.entries[i].rel, reason: unreadable.message } satisfies SkippedFile };
      }
    });
    const per = inputShape[0] * inputShape[1] * inputShape[2];
    const batch: LoadedBatch = { data: new Float32Array(0), indices: [], labels: [], skipped: [] };
    const loaded: Float32Array[] = [];
    results.forEach((r, k) => {
      if (r.skipped) {
        batch.skipped.push(r.skipped);
        return;
      }
      loaded.push(r.pixels);
      batch.indices.push(indices[k]);
      batch.labels.push(this.entries[indices[k]].label);
    });
    batch.data = new Float32Array(loaded.length * per);
    loaded.forEach((p, k) => batch.data.set(p, k * per));
    return batch;
  }

  async loadMasks(indices: number[], size: [number, number]): Promise<Array<Float32Array | null>> {
    checkIndices(indices, this.entries.length);
    checkSize(size);
    return mapLimit(indices, DECODE_CONCURRENCY, async (i) => {
      const file = this.entries[i].maskAbs;
      if (!file) return null;
      try {
        return await loadMaskFile(file, size);
      } catch (err) {
        if (!asUnreadable(err)) throw err;
        return null;
      }
    });
  }

  async thumbnails(indices: number[], size: number): Promise<RgbaImage[]> {
    checkIndices(indices, this.entries.length);
    checkThumbnailSize(size);
    return mapLimit(indices, DECODE_CONCURRENCY, async (i) => {
      try {
        const image = await decodeImageFile(this.entries[i].abs);
        return await thumbnailFromPixels(image.data, image.width, image.height, image.channels, size);
      } catch (err) {
        if (!asUnreadable(err)) throw err;
        return placeholderThumbnail(size);
      }
    });
  }
}
