/**
 * Streams a float32 `.npy` file to disk row block by row block, so that a run over 10,000 images
 * never holds its maps in memory: the header goes first (with the final leading dimension when it
 * is known), rows are appended as they are computed, and `close()` checks that every promised row
 * arrived. When the leading dimension is not known up front (`reserve`), the header is padded so
 * it can be rewritten in place with the final count (`setLeading`) without moving the data.
 * https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */
import { open, type FileHandle } from 'node:fs/promises';
import { AppError } from '../../../shared/errors';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
const ALIGN = 64;
/** Room for the shape to grow when the header is rewritten later (digits of a larger count). */
const RESERVED_HEADER = 256;

/** A v1 `.npy` header for little-endian float32 C-order data, at least `minLength` bytes long. */
export function npyHeader(shape: number[], minLength = 0): Uint8Array {
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': ${tuple}, }`;
  const total = Math.max(Math.ceil((10 + dict.length + 1) / ALIGN) * ALIGN, minLength);
  if (total - 10 > 0xffff) throw new AppError('INTERNAL', `The .npy header for shape (${shape.join(', ')}) is too long.`);
  const text = dict + ' '.repeat(total - 10 - dict.length - 1) + '\n';
  const out = new Uint8Array(total);
  out.set(MAGIC, 0);
  out[6] = 1;
  new DataView(out.buffer).setUint16(8, text.length, true);
  for (let i = 0; i < text.length; i++) out[10 + i] = text.charCodeAt(i);
  return out;
}

export class NpyStreamWriter {
  private rowLength = 0;
  private rows = 0;
  private leading: number | null = null;
  private headerLength = 0;
  private offset = 0;

  private constructor(
    readonly path: string,
    private handle: FileHandle | null
  ) {}

  /** Creates (truncates) the file; nothing is written until `begin`. */
  static async create(path: string): Promise<NpyStreamWriter> {
    return new NpyStreamWriter(path, await open(path, 'w'));
  }

  get started(): boolean {
    return this.headerLength > 0;
  }

  get rowsWritten(): number {
    return this.rows;
  }

  /**
   * Writes the header. `shape[0]` is the number of rows that must follow; with `reserve`, the
   * leading dimension is provisional and `setLeading` fixes it before `close`.
   */
  async begin(shape: number[], reserve = false): Promise<void> {
    if (this.started) throw new AppError('INTERNAL', `${this.path}: the .npy header was already written.`);
    this.rowLength = shape.slice(1).reduce((a, b) => a * b, 1);
    this.leading = reserve ? null : shape[0];
    const header = npyHeader(shape, reserve ? RESERVED_HEADER : 0);
    await this.write(header);
    this.headerLength = header.length;
  }

  /** Appends whole rows (`data.length` must be a multiple of the row length). */
  async append(data: Float32Array): Promise<void> {
    if (!this.started) throw new AppError('INTERNAL', `${this.path}: rows were appended before the header.`);
    if (data.length % this.rowLength !== 0) {
      throw new AppError('INTERNAL', `${this.path}: ${data.length} values are not whole rows of ${this.rowLength}.`);
    }
    const count = data.length / this.rowLength;
    if (this.leading !== null && this.rows + count > this.leading) {
      throw new AppError('INTERNAL', `${this.path}: more than the ${this.leading} rows promised in the header.`);
    }
    await this.write(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    this.rows += count;
  }

  /** Appends `count` rows of one value (NaN marks inputs that could not be explained). */
  async appendFilled(count: number, value: number): Promise<void> {
    if (count > 0) await this.append(new Float32Array(count * this.rowLength).fill(value));
  }

  /** Rewrites the header of a `reserve`d file with the final leading dimension. */
  async setLeading(shape: number[]): Promise<void> {
    const header = npyHeader(shape, this.headerLength);
    if (header.length !== this.headerLength) throw new AppError('INTERNAL', `${this.path}: the new header does not fit the reserved space.`);
    await this.handle!.write(header, 0, header.length, 0);
    this.leading = shape[0];
  }

  /** Flushes and closes; throws INTERNAL when fewer rows arrived than the header promised. */
  async close(): Promise<void> {
    if (this.leading !== null && this.rows !== this.leading) {
      throw new AppError('INTERNAL', `${this.path}: ${this.rows} rows were written, the header promised ${this.leading}.`);
    }
    const handle = this.handle;
    this.handle = null;
    await handle?.sync();
    await handle?.close();
  }

  /** Closes without checks (the file is about to be deleted). */
  async abort(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await handle?.close().catch(() => {});
  }

  private async write(bytes: Uint8Array): Promise<void> {
    if (!this.handle) throw new AppError('INTERNAL', `${this.path}: the writer is closed.`);
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, done, bytes.length - done, this.offset + done);
      done += bytesWritten;
    }
    this.offset += bytes.length;
  }
}
