/** Types shared by the image-set readers (folder, manifest, .npy) and their callers in the engine. */
import type { ImageSetItem, ImageSetSummary, RgbaImage, SkippedFile } from '../../../shared/types/images';
import type { Preprocessing } from '../../../shared/types/model';

/** A batch of model inputs, NHWC, holding only the items that loaded. */
export interface LoadedBatch {
  /** `[n, h, w, c]` in model space, n = `indices.length`. */
  data: Float32Array;
  /** Item indices of the rows of `data`, in the order requested. */
  indices: number[];
  /** Label of each row (class name, or the decimal class index for .npy sets), null when unknown. */
  labels: (string | null)[];
  /** Requested items that could not be loaded, with the reason. */
  skipped: SkippedFile[];
}

/** An opened image set: its listing plus loaders. All loaders validate `indices` (PARAM_INVALID). */
export interface ImageSet {
  summary: ImageSetSummary;
  items: ImageSetItem[];
  /**
   * Preprocessed inputs for the given item indices, NHWC Float32Array `[n, h, w, c]` of the ones
   * that loaded; unreadable files go to `skipped`. Throws SHAPE_MISMATCH when `pre` (or, for .npy
   * sets, the stored array) does not produce `inputShape`.
   */
  loadBatch(indices: number[], pre: Preprocessing, inputShape: [number, number, number]): Promise<LoadedBatch>;
  /**
   * Masks resized to `[h, w]` (bilinear, like the inputs) with values in [0, 1], one `h·w` array per
   * index; null where an item has no mask or its mask file cannot be decoded.
   */
  loadMasks(indices: number[], size: [number, number]): Promise<Array<Float32Array | null>>;
  /** Display thumbnails, RGBA, longest side = `size`. An unreadable image gives a mid-grey square. */
  thumbnails(indices: number[], size: number): Promise<RgbaImage[]>;
}

/** One image of a folder or manifest set, resolved on disk. */
export interface FileEntry {
  /** Path relative to the set's base folder, `/`-separated (also `ImageSetItem.path`). */
  rel: string;
  abs: string;
  label: string | null;
  /** Mask path relative to the base folder, and absolute. */
  maskRel: string | null;
  maskAbs: string | null;
}

/** What a folder or manifest reader found: entries in set order, skipped files, and what feeds the id. */
export interface FileListing {
  entries: FileEntry[];
  skipped: SkippedFile[];
  /** `[relative path, size, mtimeMs]` of every file the set depends on, for the stable id. */
  fingerprint: Array<[string, number, number]>;
}
