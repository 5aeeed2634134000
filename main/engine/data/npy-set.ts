/**
 * `.npy` image sets: an array of inputs that are already preprocessed (model space), float32 or
 * float64, NHWC `[n, h, w, c]` or NHW `[n, h, w]` (read as c = 1, like skimage's lfw_subset.npy).
 * Only the header is read on open; rows are read from disk when asked for, so large arrays are
 * never held in memory whole. Labels come from an optional second `.npy` of integer class indices
 * (`[n]` or `[n, 1]`, integer dtype or whole-valued floats); they become decimal strings ("3").
 * `loadBatch` ignores the preprocessing (already applied) and only checks the shape; there are no masks.
 */
import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import { decodeNpyData, parseNpy, parseNpyHeader, type NpyHeader } from '../../../shared/npy';
import type { ImageSetItem, ImageSetSummary, RgbaImage } from '../../../shared/types/images';
import type { Preprocessing } from '../../../shared/types/model';
import { checkIndices, checkSize } from './checks';
import { setId } from './paths';
import { checkThumbnailSize, minMaxToBytes, thumbnailFromPixels } from './thumbnails';
import type { ImageSet, LoadedBatch } from './types';

/** Reads just the header of a .npy file (magic, length, dict), however large the data is. */
async function readHeader(file: string): Promise<{ header: NpyHeader; size: number }> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const prefix = new Uint8Array(12);
    await handle.read(prefix, 0, 12, 0);
    const lengthBytes = prefix[6] === 1 ? 2 : 4;
    const view = new DataView(prefix.buffer);
    const headerEnd = 8 + lengthBytes + (lengthBytes === 2 ? view.getUint16(8, true) : view.getUint32(8, true));
    const bytes = new Uint8Array(Math.min(headerEnd, size));
    await handle.read(bytes, 0, bytes.length, 0);
    try {
      return { header: parseNpyHeader(bytes), size };
    } catch (err) {
      // parseNpyHeader knows only bytes: name the file, or the user cannot tell which one is bad.
      if (err instanceof AppError) throw new AppError(err.code, `${file}: ${err.message}`, { hint: err.hint, detail: err.detail, cause: err });
      throw err;
    }
  } finally {
    await handle.close();
  }
}

function checkInputsHeader(file: string, header: NpyHeader, size: number): [number, number, number, number] {
  const fail = (what: string): never => {
    throw new AppError('NPY_INVALID', `${file}: ${what}`);
  };
  if (header.dtype !== 'float32' && header.dtype !== 'float64') fail(`inputs must be float32 or float64, this array is ${header.dtype}.`);
  if (header.shape.length !== 4 && header.shape.length !== 3) fail(`inputs must be NHWC [n, h, w, c] (or [n, h, w]), this array has shape (${header.shape.join(', ')}).`);
  const [n, h, w, c = 1] = header.shape;
  if (h === 0 || w === 0 || c === 0) fail(`inputs have an empty image shape (${header.shape.join(', ')}).`);
  const need = header.dataOffset + header.count * header.itemSize;
  if (size < need) fail(`the file is truncated: its shape needs ${need} bytes, the file has ${size}.`);
  return [n, h, w, c];
}

/** Reads the labels .npy; throws LABELS_INVALID unless it holds `count` non-negative integers. */
async function readLabels(file: string, count: number): Promise<string[]> {
  const fail = (what: string, cause?: unknown): never => {
    throw new AppError('LABELS_INVALID', `Labels file ${file}: ${what}`, { cause });
  };
  let values: ArrayLike<number> = [];
  let shape: number[] = [];
  try {
    ({ data: values, shape } = parseNpy(new Uint8Array(await readFile(file))));
  } catch (err) {
    fail(err instanceof AppError ? err.message : `cannot be read (${(err as Error).message}).`, err);
  }
  if (shape.length === 0 || shape.length > 2 || (shape.length === 2 && shape[1] !== 1)) fail(`expected a 1-D array of class indices, got shape (${shape.join(', ')}).`);
  if (shape[0] !== count) fail(`it has ${shape[0]} labels but the inputs have ${count} rows; the lengths must match.`);
  const labels = Array.from(values, (v) => (Number.isInteger(v) && v >= 0 ? String(v) : fail(`label ${v} is not a non-negative integer class index.`)));
  return labels;
}

/** Opens a .npy inputs file (and optional labels); see the file comment. */
export async function openNpySet(file: string, labelsPath?: string): Promise<ImageSet> {
  const { header, size } = await readHeader(file);
  const shape = checkInputsHeader(file, header, size);
  if (shape[0] === 0) throw new AppError('IMAGE_SET_EMPTY', `The .npy inputs ${file} hold no rows (shape (${header.shape.join(', ')})).`);
  const labels = labelsPath ? await readLabels(labelsPath, shape[0]) : null;
  const fingerprint: unknown[] = [size, Math.trunc((await stat(file)).mtimeMs)];
  if (labelsPath) {
    const s = await stat(labelsPath);
    fingerprint.push(path.resolve(labelsPath), s.size, Math.trunc(s.mtimeMs));
  }
  const summary: ImageSetSummary = {
    id: setId('npy', file, fingerprint),
    name: path.basename(file, path.extname(file)),
    root: file,
    kind: 'npy',
    count: shape[0],
    labels: labels ? [...new Set(labels)] : [],
    hasMasks: false,
    skipped: []
  };
  return new NpyImageSet(summary, file, header, shape, labels);
}

class NpyImageSet implements ImageSet {
  readonly items: ImageSetItem[];

  constructor(
    readonly summary: ImageSetSummary,
    private readonly file: string,
    private readonly header: NpyHeader,
    private readonly shape: [number, number, number, number],
    private readonly labels: string[] | null
  ) {
    this.items = Array.from({ length: shape[0] }, (_, index) => ({ index, path: `#${index}`, label: labels?.[index] ?? null, mask: null }));
  }

  /** Reads the given rows as float32, in the order given. */
  private async readRows(indices: number[]): Promise<Float32Array[]> {
    const per = this.shape[1] * this.shape[2] * this.shape[3];
    const rowBytes = per * this.header.itemSize;
    const handle = await open(this.file, 'r');
    try {
      const rows: Float32Array[] = [];
      for (const i of indices) {
        const bytes = new Uint8Array(rowBytes);
        const { bytesRead } = await handle.read(bytes, 0, rowBytes, this.header.dataOffset + i * rowBytes);
        if (bytesRead < rowBytes) throw new AppError('NPY_INVALID', `${this.file}: row ${i} is cut short; the file changed after it was opened.`, { hint: 'Open the image set again.' });
        rows.push(Float32Array.from(decodeNpyData(bytes, this.header.dtype, per)));
      }
      return rows;
    } finally {
      await handle.close();
    }
  }

  async loadBatch(indices: number[], _pre: Preprocessing, inputShape: [number, number, number]): Promise<LoadedBatch> {
    checkIndices(indices, this.shape[0]);
    const stored = this.shape.slice(1);
    if (stored.some((d, k) => d !== inputShape[k])) {
      throw new AppError('SHAPE_MISMATCH', `The .npy inputs have shape [${stored.join(', ')}] per image but the model expects [${inputShape.join(', ')}].`, {
        hint: "Save the inputs at the model's input size and channels, already preprocessed."
      });
    }
    const rows = await this.readRows(indices);
    const data = new Float32Array(rows.length * (rows[0]?.length ?? 0));
    rows.forEach((r, k) => data.set(r, k * r.length));
    return { data, indices: [...indices], labels: indices.map((i) => this.labels?.[i] ?? null), skipped: [] };
  }

  async loadMasks(indices: number[], size: [number, number]): Promise<Array<Float32Array | null>> {
    checkIndices(indices, this.shape[0]);
    checkSize(size);
    return indices.map(() => null);
  }

  async thumbnails(indices: number[], size: number): Promise<RgbaImage[]> {
    checkIndices(indices, this.shape[0]);
    checkThumbnailSize(size);
    const [, h, w, c] = this.shape;
    const out: RgbaImage[] = [];
    for (const row of await this.readRows(indices)) {
      const bytes = minMaxToBytes(row, c);
      out.push(await thumbnailFromPixels(bytes.data, w, h, bytes.channels, size));
    }
    return out;
  }
}
