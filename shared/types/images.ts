/** Image sets: folders of class sub-folders, CSV manifests, or preprocessed .npy arrays. */

export type ImageSetKind = 'folder' | 'manifest' | 'npy';

export interface ImageSetItem {
  index: number;
  /** Path relative to the set's root (npy: `#<row>`). */
  path: string;
  /** Class name, when known. */
  label: string | null;
  /** Path of the per-image mask (human annotation), relative to the set's root. */
  mask: string | null;
}

export interface SkippedFile {
  path: string;
  reason: string;
}

export interface ImageSetSummary {
  /** Stable id: hash of the set's root path and listing. */
  id: string;
  name: string;
  root: string;
  kind: ImageSetKind;
  count: number;
  /** Distinct labels in first-seen order. */
  labels: string[];
  hasMasks: boolean;
  /** Files that were reported and skipped (unreadable, unsupported). */
  skipped: SkippedFile[];
}

/** A display-sized RGBA image, row-major. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8ClampedArray;
}
