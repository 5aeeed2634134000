/**
 * Reader and writer for NumPy's `.npy` format (versions 1, 2 and 3), on plain bytes.
 * Pure: no Node or DOM imports, so the engine, the CLI and the renderer can all use it.
 *
 * Written here rather than taken from npm: `npyjs` and `numpy-parser` only read, and `npyjs`
 * pulls in a fetch polyfill. The format is small: a 6-byte magic, a version, a little-endian header
 * length (u16 in v1, u32 in v2/v3), a Python-dict header (`descr`, `fortran_order`, `shape`) padded
 * so the data starts on a 64-byte boundary, then the raw C-order data.
 * Typed arrays are read and written in host byte order, which is little-endian on every platform
 * Node, Electron and browsers ship on, so `.npy` data is copied byte for byte.
 * https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
import { AppError } from './errors';

/** Element types this reader understands (the NumPy `descr` it came from is kept in the header). */
export type NpyDtype = 'float32' | 'float64' | 'int8' | 'int16' | 'int32' | 'int64' | 'uint8' | 'uint16' | 'bool';

/** Typed array a dtype is read into: int64 becomes Int32Array (range-checked), bool Uint8Array of 0/1. */
export type NpyData = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array;

export interface NpyHeader {
  version: 1 | 2 | 3;
  dtype: NpyDtype;
  /** The NumPy type string, e.g. `<f4`. */
  descr: string;
  shape: number[];
  /** Byte offset of the first element. */
  dataOffset: number;
  /** Bytes per element in the file. */
  itemSize: number;
  /** Number of elements (product of the shape; 1 for a scalar). */
  count: number;
}

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: NpyData;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const ALIGN = 64;

/** Little-endian and single-byte type strings; `=` (native order) is treated as little-endian. */
const DESCRS: Record<string, { dtype: NpyDtype; size: number }> = {
  f4: { dtype: 'float32', size: 4 },
  f8: { dtype: 'float64', size: 8 },
  i1: { dtype: 'int8', size: 1 },
  i2: { dtype: 'int16', size: 2 },
  i4: { dtype: 'int32', size: 4 },
  i8: { dtype: 'int64', size: 8 },
  u1: { dtype: 'uint8', size: 1 },
  u2: { dtype: 'uint16', size: 2 },
  b1: { dtype: 'bool', size: 1 }
};

function invalid(message: string, hint?: string): AppError {
  return new AppError('NPY_INVALID', message, hint ? { hint } : {});
}

/**
 * Reads the magic, version and header dict. Throws NPY_INVALID for anything this reader cannot
 * honour: big-endian data, unknown or structured dtypes, and Fortran order (except where at most one
 * axis is longer than 1, where both orders lay the bytes out identically).
 */
export function parseNpyHeader(bytes: Uint8Array): NpyHeader {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw invalid('This is not a .npy file: it does not start with the \\x93NUMPY magic.');
  }
  const major = bytes[6];
  if (major !== 1 && major !== 2 && major !== 3) throw invalid(`Unsupported .npy format version ${major}.${bytes[7]}.`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenSize = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenSize) throw invalid('The .npy file is truncated inside its header.');
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataOffset = 8 + lenSize + headerLen;
  if (bytes.length < dataOffset) throw invalid('The .npy file is truncated inside its header.');
  // v3 headers are UTF-8; v1/v2 are latin-1, of which the ASCII subset is all a valid header uses.
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(8 + lenSize, dataOffset));
  const { descr, fortranOrder, shape } = parseHeaderDict(text);
  const { dtype, size } = resolveDescr(descr);
  if (fortranOrder && shape.filter((d) => d > 1).length > 1) {
    throw invalid('The .npy array is stored in Fortran (column-major) order, which is not supported.', 'Save a C-order copy: numpy.save(path, numpy.ascontiguousarray(a)).');
  }
  const count = shape.reduce((a, b) => a * b, 1);
  return { version: major, dtype, descr, shape, dataOffset, itemSize: size, count };
}

function parseHeaderDict(text: string): { descr: string; fortranOrder: boolean; shape: number[] } {
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(text);
  if (!descr) {
    const structured = /['"]descr['"]\s*:\s*\[/.test(text);
    throw invalid(structured ? 'Structured (record) .npy arrays are not supported.' : `The .npy header has no 'descr': ${text.trim()}`);
  }
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text);
  if (!fortran) throw invalid(`The .npy header has no 'fortran_order': ${text.trim()}`);
  const shape = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  if (!shape) throw invalid(`The .npy header has no 'shape': ${text.trim()}`);
  const dims = shape[1]
    .split(',')
    .map((s) => s.trim().replace(/L$/, '')) // Python 2 wrote long ints as `3L`.
    .filter((s) => s.length > 0)
    .map((s) => (/^\d+$/.test(s) ? Number(s) : Number.NaN));
  if (dims.some((d) => !Number.isSafeInteger(d))) throw invalid(`The .npy header has an invalid shape: (${shape[1]}).`);
  return { descr: descr[1], fortranOrder: fortran[1] === 'True', shape: dims };
}

function resolveDescr(descr: string): { dtype: NpyDtype; size: number } {
  const order = descr[0];
  const known = DESCRS[descr.slice(1)];
  if (order === '>' && known && known.size > 1) {
    throw invalid(`The .npy array is big-endian (${descr}), which is not supported.`, "Save a little-endian copy: numpy.save(path, a.astype(a.dtype.newbyteorder('<'))).");
  }
  const orderOk = ['<', '|', '='].includes(order) || (order === '>' && known?.size === 1);
  if (!known || !orderOk) {
    throw invalid(`The .npy dtype ${descr} is not supported.`, 'Use float32, float64, int8/16/32/64, uint8/16 or bool.');
  }
  return known;
}

/**
 * Decodes `count` elements of `dtype` starting at `bytes[0]` into a fresh typed array. Used for whole
 * arrays and for row ranges of large files read piecewise. int64 values outside the int32 range throw.
 */
export function decodeNpyData(bytes: Uint8Array, dtype: NpyDtype, count: number): NpyData {
  const size = DESCRS[descrKey(dtype)].size;
  if (bytes.length < count * size) {
    throw invalid(`The .npy data is truncated: ${count} ${dtype} values need ${count * size} bytes, ${bytes.length} are there.`);
  }
  // Copy into a fresh, aligned buffer so the view below never depends on the file's offset. Not
  // bytes.slice(): on a Node Buffer slice() returns a view into the shared pool, not a copy.
  const copy = new Uint8Array(count * size);
  copy.set(bytes.subarray(0, count * size));
  if (dtype === 'int64') return int64ToInt32(copy, count);
  if (dtype === 'bool') return copy.map((b) => (b ? 1 : 0));
  return new CTORS[dtype](copy.buffer, 0, count);
}

type Ctor = new (buffer: ArrayBuffer, offset: number, length: number) => NpyData;
const CTORS: Record<Exclude<NpyDtype, 'int64' | 'bool'>, Ctor> = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  int16: Int16Array,
  int32: Int32Array,
  uint8: Uint8Array,
  uint16: Uint16Array
};

function descrKey(dtype: NpyDtype): string {
  return Object.keys(DESCRS).find((k) => DESCRS[k].dtype === dtype) as string;
}

function int64ToInt32(copy: Uint8Array, count: number): Int32Array {
  const view = new DataView(copy.buffer);
  const out = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const v = view.getBigInt64(i * 8, true);
    if (v < -2147483648n || v > 2147483647n) {
      throw invalid(`The int64 .npy value ${v} at element ${i} does not fit in int32.`, 'Store class indices or other integers as int32 (or smaller).');
    }
    out[i] = Number(v);
  }
  return out;
}

/** Parses a whole `.npy` file. Throws AppError NPY_INVALID naming what is wrong. */
export function parseNpy(bytes: Uint8Array): NpyArray {
  const header = parseNpyHeader(bytes);
  const data = decodeNpyData(bytes.subarray(header.dataOffset), header.dtype, header.count);
  return { dtype: header.dtype, shape: header.shape, data };
}

/** Writable element types and their NumPy type strings. */
export type NpyWritable = Float32Array | Float64Array | Int32Array | Uint8Array;

function descrOf(data: NpyWritable): string {
  if (data instanceof Float32Array) return '<f4';
  if (data instanceof Float64Array) return '<f8';
  if (data instanceof Int32Array) return '<i4';
  if (data instanceof Uint8Array) return '|u1';
  throw new AppError('PARAM_INVALID', 'serializeNpy takes a Float32Array, Float64Array, Int32Array or Uint8Array.');
}

/**
 * Writes a C-order `.npy` file (v1 header, or v2 when the header would not fit in 64 KiB) that
 * `numpy.load` reads back. Throws PARAM_INVALID when the shape does not match the data's length.
 */
export function serializeNpy(data: NpyWritable, shape: number[]): Uint8Array {
  const descr = descrOf(data);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0) || shape.reduce((a, b) => a * b, 1) !== data.length) {
    throw new AppError('PARAM_INVALID', `Shape (${shape.join(', ')}) does not hold the ${data.length} values given to serializeNpy.`);
  }
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${tuple}, }`;
  const version = Math.ceil((10 + dict.length + 1) / ALIGN) * ALIGN - 10 > 0xffff ? 2 : 1;
  const prefix = version === 1 ? 10 : 12;
  // Pad with spaces and end with a newline so that the data starts on a 64-byte boundary.
  const total = Math.ceil((prefix + dict.length + 1) / ALIGN) * ALIGN;
  const header = dict + ' '.repeat(total - prefix - dict.length - 1) + '\n';
  const out = new Uint8Array(total + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, header.length, true);
  else view.setUint32(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[prefix + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}
