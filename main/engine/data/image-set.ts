/**
 * Opening image sets: the data layer's entry point for the engine host (`openImageSet`,
 * `thumbnails`, and the `inputs` of predict/saliency requests). Produces plain typed arrays, never
 * tensors, so it works on every backend and in the CLI.
 *
 * What a path may be:
 * - a folder: class sub-folders or a flat folder of images, masks under `<root>/_masks/` (./folder-set);
 * - a `.csv` manifest, `path,label[,mask]` (./manifest);
 * - a `.npy` array of preprocessed NHWC inputs, with `labelsPath` an optional `.npy` of class indices (./npy-set).
 */
import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import type { ImageSetKind, ImageSetSummary } from '../../../shared/types/images';
import { FileImageSet } from './file-set';
import { listFolderSet } from './folder-set';
import { readManifest } from './manifest';
import { openNpySet } from './npy-set';
import { setId } from './paths';
import type { FileListing, ImageSet } from './types';

export type { ImageSet, LoadedBatch } from './types';

export interface OpenImageSetOptions {
  /** Labels for `.npy` inputs: a `.npy` of integer class indices, one per row. */
  labelsPath?: string;
}

async function statOrThrow(target: string, what: 'image set' | 'labels file'): Promise<Stats> {
  try {
    return await stat(target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new AppError(what === 'image set' ? 'IMAGE_SET_INVALID' : 'LABELS_INVALID', `The ${what} ${target} does not exist.`, {
        hint: 'Check the path: give a folder of images, a CSV manifest or a .npy file.'
      });
    }
    throw new AppError('IO_FAILED', `Cannot open the ${what} ${target}: ${(err as Error).message}`, { cause: err });
  }
}

/**
 * Opens the image set at `target` (resolved against the working directory). The summary's `root`
 * is the resolved path opened (folder, manifest or .npy file); item paths are relative to the folder
 * (for a manifest, the manifest's folder). `summary.id` hashes the root with every listed file's
 * name, size and mtime, so a changed set gets a new id.
 *
 * Throws IMAGE_SET_INVALID (missing path, unsupported file type), IO_FAILED (unreadable),
 * IMAGE_SET_EMPTY (no loadable image), NPY_INVALID / SHAPE_MISMATCH / LABELS_INVALID (.npy sets).
 */
export async function openImageSet(target: string, options: OpenImageSetOptions = {}): Promise<ImageSet> {
  const root = path.resolve(target);
  const info = await statOrThrow(root, 'image set');
  const ext = path.extname(root).toLowerCase();
  if (info.isFile() && ext === '.npy') {
    const labelsPath = options.labelsPath ? path.resolve(options.labelsPath) : undefined;
    if (labelsPath) await statOrThrow(labelsPath, 'labels file');
    return openNpySet(root, labelsPath);
  }
  if (options.labelsPath) {
    throw new AppError('LABELS_INVALID', 'A separate labels file applies only to .npy inputs.', {
      hint: 'Folder sets take labels from class sub-folder names; manifests from their label column.'
    });
  }
  if (info.isDirectory()) return fromListing('folder', root, await readListing(() => listFolderSet(root), root));
  if (info.isFile() && ext === '.csv') {
    const listing = await readListing(() => readManifest(root), root);
    listing.fingerprint.unshift([path.basename(root), info.size, Math.trunc(info.mtimeMs)]);
    return fromListing('manifest', root, listing);
  }
  throw new AppError('IMAGE_SET_INVALID', `${root} is not an image set: expected a folder, a .csv manifest or a .npy file.`);
}

async function readListing(read: () => Promise<FileListing>, root: string): Promise<FileListing> {
  try {
    return await read();
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('IO_FAILED', `Cannot list the image set ${root}: ${(err as Error).message}`, { cause: err });
  }
}

function fromListing(kind: ImageSetKind, root: string, listing: FileListing): ImageSet {
  if (listing.entries.length === 0) {
    const seen = listing.skipped.length ? ` (${listing.skipped.length} file(s) skipped, e.g. ${listing.skipped[0].path}: ${listing.skipped[0].reason})` : '';
    throw new AppError('IMAGE_SET_EMPTY', `The image set ${root} has no JPEG, PNG or BMP images${seen}.`);
  }
  const summary: ImageSetSummary = {
    id: setId(kind, root, listing.fingerprint),
    name: path.basename(root, path.extname(root)),
    root,
    kind,
    count: listing.entries.length,
    labels: [...new Set(listing.entries.map((e) => e.label).filter((l): l is string => l !== null))],
    hasMasks: listing.entries.some((e) => e.maskAbs !== null),
    skipped: listing.skipped
  };
  return new FileImageSet(summary, listing.entries);
}
