/**
 * Reads rows of a large float `.npy` piece by piece (RISE masks a user supplies: 4,000 × 224² floats
 * are 803 MB), so a run holds one chunk of it, not the file. Reads are synchronous (`fs.readSync`
 * at the row's offset): they are short and a method asks for rows between tensor passes.
 */
import fs from 'node:fs';
import { AppError } from '../../../shared/errors';
import { decodeNpyData, parseNpyHeader, type NpyHeader } from '../../../shared/npy';

/** Longest header parseNpyHeader may need (v2/v3 headers are longer than v1's 64 KiB cap in principle; this covers real files). */
const HEADER_BYTES = 1 << 16;

export interface NpyRows {
  shape: number[];
  /** Rows [first, first + count) as float32 values. */
  read(first: number, count: number): Float32Array;
  close(): void;
}

/** Opens `file` for row reads. @throws AppError NPY_INVALID (not a float .npy, truncated, unreadable) */
export function openNpyRows(file: string, role: string): NpyRows {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw new AppError('NPY_INVALID', `Cannot read the ${role} file ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)}).`, { hint: `Check the --${role} path.` });
  }
  try {
    const head = Buffer.alloc(Math.min(HEADER_BYTES, fs.fstatSync(fd).size));
    fs.readSync(fd, head, 0, head.length, 0);
    const header: NpyHeader = parseNpyHeader(head);
    if (header.dtype !== 'float32' && header.dtype !== 'float64') throw new AppError('NPY_INVALID', `The ${role} file ${file} holds ${header.dtype} values; it must be float32 or float64.`);
    if (fs.fstatSync(fd).size < header.dataOffset + header.count * header.itemSize) throw new AppError('NPY_INVALID', `The ${role} file ${file} is truncated.`);
    const rowLength = header.shape.slice(1).reduce((a, b) => a * b, 1);
    const read = (first: number, count: number): Float32Array => {
      const bytes = Buffer.alloc(count * rowLength * header.itemSize);
      fs.readSync(fd, bytes, 0, bytes.length, header.dataOffset + first * rowLength * header.itemSize);
      const values = decodeNpyData(bytes, header.dtype, count * rowLength);
      return values instanceof Float32Array ? values : Float32Array.from(values);
    };
    return { shape: header.shape, read, close: () => fs.closeSync(fd) };
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}

/**
 * Checks every value of `rows` lies in [0, 1] and returns their mean (float64), reading `perRead`
 * rows at a time. @throws AppError NPY_INVALID naming the first bad value
 */
export function checkUnitInterval(rows: NpyRows, role: string, perRead = 64): number {
  const n = rows.shape[0];
  const rowLength = rows.shape.slice(1).reduce((a, b) => a * b, 1);
  let total = 0;
  let count = 0;
  for (let first = 0; first < n; first += perRead) {
    const values = rows.read(first, Math.min(perRead, n - first));
    for (let e = 0; e < values.length; e++) {
      const v = values[e];
      if (!(v >= 0 && v <= 1)) throw new AppError('NPY_INVALID', `--${role} values must lie in [0, 1]; found ${v} in row ${first + Math.floor(e / rowLength)}.`);
      total += v;
    }
    count += values.length;
  }
  return count > 0 ? total / count : Number.NaN;
}
