/**
 * The N × L profile matrix on disk as a column-major (Fortran-order) float32 `.npy`: numpy reads
 * it as shape (N, L), and filter j's values are the contiguous bytes [j·N·4, (j+1)·N·4) after the
 * header, so the per-filter POT fit reads one filter with one read.
 *
 * The job appends rows (row-major) while it runs; `transposeRows` turns that file into the
 * column-major one in blocks of columns: for each block it streams the row file once and
 * scatters into a block buffer of N × (columns in block) floats, then writes the block with one
 * contiguous write. The buffer is capped by `maxBytes`, so memory stays bounded for any N × L.
 */
import { open, rename, rm } from 'node:fs/promises';
import { AppError } from '../../../../shared/errors';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
const ALIGN = 64;
/** Bytes of the row file read at a time while transposing. */
const ROW_READ_BYTES = 16 << 20;
/** Default cap on the column-block buffer (256 MB). */
export const DEFAULT_TRANSPOSE_BYTES = 256 << 20;

/** A v1 `.npy` header for little-endian float32 data of shape [rows, cols] in Fortran order. */
export function fortranHeader(rows: number, cols: number): Uint8Array {
  const dict = `{'descr': '<f4', 'fortran_order': True, 'shape': (${rows}, ${cols}), }`;
  const total = Math.ceil((10 + dict.length + 1) / ALIGN) * ALIGN;
  const text = dict + ' '.repeat(total - 10 - dict.length - 1) + '\n';
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[6] = 1;
  new DataView(out.buffer).setUint16(8, text.length, true);
  for (let i = 0; i < text.length; i++) out[10 + i] = text.charCodeAt(i);
  return out;
}

/** Shape and data offset of a Fortran-order float32 [rows, cols] `.npy` written by `transposeRows`. */
export async function readColumnHeader(file: string): Promise<{ rows: number; cols: number; offset: number }> {
  const handle = await open(file, 'r');
  try {
    const head = new Uint8Array(ALIGN * 4);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const length = bytesRead >= 10 ? new DataView(head.buffer).getUint16(8, true) : 0;
    const text = Buffer.from(head.subarray(10, 10 + length)).toString('latin1');
    const shape = /'shape': \((\d+), (\d+)\)/.exec(text);
    if (MAGIC.some((b, i) => head[i] !== b) || !text.includes("'descr': '<f4'") || !text.includes("'fortran_order': True") || !shape) {
      throw new AppError('STORAGE_CORRUPT', `${file} is not a column-major float32 profile matrix.`, { hint: 'Delete the stats dir and run `saliency param-stats` again.' });
    }
    return { rows: Number(shape[1]), cols: Number(shape[2]), offset: 10 + length };
  } finally {
    await handle.close();
  }
}

/** Columns [start, start + count) of the matrix, column-major: column start + c at [c·rows, (c+1)·rows). */
export async function readColumns(file: string, start: number, count: number): Promise<Float32Array> {
  const { rows, cols, offset } = await readColumnHeader(file);
  if (start < 0 || count < 0 || start + count > cols) throw new AppError('INTERNAL', `columns ${start}…${start + count - 1} lie outside the ${cols} of ${file}.`);
  const out = new Float32Array(rows * count);
  const handle = await open(file, 'r');
  try {
    const bytes = new Uint8Array(out.buffer);
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, offset + start * rows * 4);
    if (bytesRead !== bytes.length) throw new AppError('STORAGE_CORRUPT', `${file} is shorter than its header says.`, { hint: 'Delete the stats dir and run `saliency param-stats` again.' });
  } finally {
    await handle.close();
  }
  return out;
}

/** Scatters `rowCount` rows (starting at row `firstRow`) of a row-major block into a column block. */
function scatter(rowsBlock: Float32Array, firstRow: number, rowCount: number, cols: number, c0: number, width: number, out: Float32Array, rows: number): void {
  for (let r = 0; r < rowCount; r++) {
    const base = r * cols + c0;
    for (let c = 0; c < width; c++) out[c * rows + firstRow + r] = rowsBlock[base + c];
  }
}

/**
 * Writes `outFile` (Fortran-order [rows, cols]) from the row-major float32 file `rowsFile`,
 * through `outFile.partial` renamed at the end. `onBlock` runs after each column block (progress,
 * cancellation checks).
 */
export async function transposeRows(rowsFile: string, outFile: string, rows: number, cols: number, onBlock: (done: number) => Promise<void>, maxBytes = DEFAULT_TRANSPOSE_BYTES): Promise<void> {
  const width = Math.max(1, Math.min(cols, Math.floor(maxBytes / (4 * rows))));
  const rowsPerRead = Math.max(1, Math.floor(ROW_READ_BYTES / (4 * cols)));
  const header = fortranHeader(rows, cols);
  const partial = `${outFile}.partial`;
  const input = await open(rowsFile, 'r');
  const output = await open(partial, 'w');
  try {
    await output.write(header, 0, header.length, 0);
    for (let c0 = 0; c0 < cols; c0 += width) {
      const w = Math.min(width, cols - c0);
      const block = new Float32Array(rows * w);
      for (let r0 = 0; r0 < rows; r0 += rowsPerRead) {
        const count = Math.min(rowsPerRead, rows - r0);
        const chunk = new Float32Array(count * cols);
        const { bytesRead } = await input.read(new Uint8Array(chunk.buffer), 0, chunk.byteLength, r0 * cols * 4);
        if (bytesRead !== chunk.byteLength) throw new AppError('STORAGE_CORRUPT', `${rowsFile} holds fewer than the ${rows} rows the job recorded.`);
        scatter(chunk, r0, count, cols, c0, w, block, rows);
      }
      await output.write(new Uint8Array(block.buffer), 0, block.byteLength, header.length + c0 * rows * 4);
      await onBlock(c0 + w);
    }
    await output.sync();
  } catch (err) {
    await output.close().catch(() => {});
    await rm(partial, { force: true });
    throw err;
  } finally {
    await input.close();
  }
  await output.close();
  await rename(partial, outFile);
}
