/**
 * The artifact store: large arrays of a run (maps, profile matrices, curves) as chunk files under
 * `<project>/artifacts/<runId>/<name>/chunk-NNNNNN.f32|.f16`, each holding `itemsPerChunk` items
 * (64 by default) so a 10,000-image session is paged a chunk at a time, never loaded whole.
 *
 * Chunk file (little-endian), documented in docs/storage.md:
 *   0   8 bytes  magic "SWCHUNK1"
 *   8   u8       dtype: 1 = float32, 2 = float16 (IEEE binary16, loss stated in float16.ts)
 *   9   u8       rank of one item (0…8)
 *   10  u16      0
 *   12  u32      item count in this chunk
 *   16  u64      index of the chunk's first item in the whole array
 *   24  8 × u32  item shape (unused dims 0)
 *   56  8 bytes  0
 *   64  …        item data, row-major, items one after another
 *
 * Every chunk's sha256, size, dtype, shape and item range are recorded in the `artifacts` table.
 * Writes go to a temp file in the same folder, fsync, rename, fsync of the folder, so a crash
 * leaves either the old chunk or the new one. `writeChunk` only writes the file and returns the
 * record; `recordChunk` inserts it, inside the caller's transaction (a job inserts it together
 * with its job-item row). Reads check size, hash and header against the record and throw
 * ARTIFACT_CORRUPT naming the file. A chunk file is deleted only when no row references it
 * (duplicated sessions share chunk files; `deleteUnreferenced`).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import type { ProjectDb } from './db';
import { decodeFloat16, encodeFloat16 } from './float16';
import { sha256 } from './hash';

export type ArtifactDtype = 'float32' | 'float16';

export const DEFAULT_ITEMS_PER_CHUNK = 64;
export const HEADER_BYTES = 64;
const MAGIC = Buffer.from('SWCHUNK1', 'latin1');
const DTYPE_CODE: Record<ArtifactDtype, number> = { float32: 1, float16: 2 };
const MAX_RANK = 8;
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

if (os.endianness() !== 'LE') throw new Error('The artifact store writes little-endian typed arrays and needs a little-endian machine.');

/** The file-system calls the store makes; tests swap in one that fails (disk full) mid-write. */
export interface StorageFs {
  openSync: typeof fs.openSync;
  writeSync: (fd: number, buffer: Uint8Array, offset: number, length: number) => number;
  fsyncSync: typeof fs.fsyncSync;
  closeSync: typeof fs.closeSync;
  renameSync: typeof fs.renameSync;
  mkdirSync: typeof fs.mkdirSync;
  rmSync: typeof fs.rmSync;
  readFileSync: (file: string) => Buffer;
}

export const nodeFs: StorageFs = {
  openSync: fs.openSync,
  writeSync: (fd, buffer, offset, length) => fs.writeSync(fd, buffer, offset, length),
  fsyncSync: fs.fsyncSync,
  closeSync: fs.closeSync,
  renameSync: fs.renameSync,
  mkdirSync: fs.mkdirSync,
  rmSync: fs.rmSync,
  readFileSync: (file) => fs.readFileSync(file)
};

export interface ChunkSpec {
  runId: string;
  name: string;
  chunkIndex: number;
  firstItem: number;
  itemShape: readonly number[];
  dtype: ArtifactDtype;
  /** itemCount × prod(itemShape) values. */
  data: Float32Array;
}

/** One row of the `artifacts` table. `path` is relative to the project folder, with '/'. */
export interface ArtifactRecord {
  runId: string;
  name: string;
  chunkIndex: number;
  path: string;
  sha256: string;
  bytes: number;
  dtype: ArtifactDtype;
  itemShape: number[];
  firstItem: number;
  itemCount: number;
}

interface ArtifactRow {
  run_id: string;
  name: string;
  chunk_index: number;
  path: string;
  sha256: string;
  bytes: number;
  dtype: ArtifactDtype;
  item_shape_json: string;
  first_item: number;
  item_count: number;
}

export function itemSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function invalid(message: string): AppError {
  return new AppError('PARAM_INVALID', message);
}

function checkSpec(spec: ChunkSpec): number {
  if (!SAFE_NAME.test(spec.runId)) throw invalid(`Run id "${spec.runId}" may hold only letters, digits, '.', '_' and '-'.`);
  if (!SAFE_NAME.test(spec.name) || spec.name.includes('..')) throw invalid(`Artifact name "${spec.name}" may hold only letters, digits, '.', '_' and '-'.`);
  if (!Number.isInteger(spec.chunkIndex) || spec.chunkIndex < 0 || spec.chunkIndex > 999_999) throw invalid(`Chunk index ${spec.chunkIndex} must be an integer in 0…999999.`);
  if (!Number.isInteger(spec.firstItem) || spec.firstItem < 0) throw invalid(`First item ${spec.firstItem} must be a non-negative integer.`);
  if (spec.itemShape.length > MAX_RANK || spec.itemShape.some((d) => !Number.isInteger(d) || d < 1)) throw invalid(`Item shape [${spec.itemShape.join(', ')}] must have at most ${MAX_RANK} positive integer dimensions.`);
  if (!(spec.dtype in DTYPE_CODE)) throw invalid(`dtype "${spec.dtype}" must be float32 or float16.`);
  const size = itemSize(spec.itemShape);
  if (spec.data.length === 0 || spec.data.length % size !== 0) throw invalid(`Chunk data has ${spec.data.length} values, not a positive multiple of the item size ${size}.`);
  return spec.data.length / size;
}

export function chunkPath(runId: string, name: string, chunkIndex: number, dtype: ArtifactDtype): string {
  return `artifacts/${runId}/${name}/chunk-${String(chunkIndex).padStart(6, '0')}.${dtype === 'float32' ? 'f32' : 'f16'}`;
}

function encodeHeader(dtype: ArtifactDtype, itemShape: readonly number[], itemCount: number, firstItem: number): Buffer {
  const h = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(h, 0);
  h.writeUInt8(DTYPE_CODE[dtype], 8);
  h.writeUInt8(itemShape.length, 9);
  h.writeUInt32LE(itemCount, 12);
  h.writeBigUInt64LE(BigInt(firstItem), 16);
  itemShape.forEach((d, i) => h.writeUInt32LE(d, 24 + 4 * i));
  return h;
}

function encodeData(spec: ChunkSpec): Uint8Array {
  if (spec.dtype === 'float32') return new Uint8Array(spec.data.buffer, spec.data.byteOffset, spec.data.byteLength);
  try {
    const bits = encodeFloat16(spec.data);
    return new Uint8Array(bits.buffer);
  } catch (err) {
    throw invalid(`Artifact ${spec.name} cannot be stored as float16: ${(err as Error).message}. Store it as float32.`);
  }
}

function fromRow(r: ArtifactRow): ArtifactRecord {
  return { runId: r.run_id, name: r.name, chunkIndex: r.chunk_index, path: r.path, sha256: r.sha256, bytes: r.bytes, dtype: r.dtype, itemShape: JSON.parse(r.item_shape_json) as number[], firstItem: r.first_item, itemCount: r.item_count };
}

export class ArtifactStore {
  constructor(
    readonly root: string,
    private readonly db: ProjectDb,
    private readonly io: StorageFs = nodeFs
  ) {}

  /**
   * Writes one chunk file durably (temp, fsync, rename, fsync folder) and returns its record; does
   * NOT touch the database. On failure the temp file is removed and nothing else has changed.
   */
  writeChunk(spec: ChunkSpec): ArtifactRecord {
    const itemCount = checkSpec(spec);
    const rel = chunkPath(spec.runId, spec.name, spec.chunkIndex, spec.dtype);
    const file = path.join(this.root, rel);
    const dir = path.dirname(file);
    const header = encodeHeader(spec.dtype, spec.itemShape, itemCount, spec.firstItem);
    const body = encodeData(spec);
    const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
    try {
      this.io.mkdirSync(dir, { recursive: true });
      const fd = this.io.openSync(tmp, 'w');
      try {
        this.writeAll(fd, header);
        this.writeAll(fd, body);
        this.io.fsyncSync(fd);
      } finally {
        this.io.closeSync(fd);
      }
      this.io.renameSync(tmp, file);
      this.syncDir(dir);
    } catch (err) {
      try {
        this.io.rmSync(tmp, { force: true });
      } catch {
        // Removing the temp file is best effort; the write error is what the caller needs.
      }
      const e = AppError.from(err, 'IO_FAILED');
      if (e.code === 'DISK_FULL') throw new AppError('DISK_FULL', `The disk filled up while writing ${rel}; nothing of this chunk was recorded and earlier results are intact.`, { cause: err });
      throw new AppError(e.code, `Could not write ${rel}: ${e.message}`, { cause: err });
    }
    const bytesOut = Buffer.concat([header, body]);
    return { runId: spec.runId, name: spec.name, chunkIndex: spec.chunkIndex, path: rel, sha256: sha256(bytesOut), bytes: bytesOut.length, dtype: spec.dtype, itemShape: [...spec.itemShape], firstItem: spec.firstItem, itemCount };
  }

  /** Inserts (or replaces) the row for a written chunk; call inside the caller's transaction. */
  recordChunk(rec: ArtifactRecord): void {
    this.db.run(
      `INSERT OR REPLACE INTO artifacts (run_id, name, chunk_index, path, sha256, bytes, dtype, item_shape_json, first_item, item_count, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [rec.runId, rec.name, rec.chunkIndex, rec.path, rec.sha256, rec.bytes, rec.dtype, JSON.stringify(rec.itemShape), rec.firstItem, rec.itemCount, new Date().toISOString()]
    );
  }

  /** writeChunk + recordChunk in one transaction. */
  putChunk(spec: ChunkSpec): ArtifactRecord {
    const rec = this.writeChunk(spec);
    this.db.transaction(() => this.recordChunk(rec));
    return rec;
  }

  /** Splits `data` (items one after another) into chunks of `itemsPerChunk` and stores them. */
  putItems(runId: string, name: string, itemShape: readonly number[], data: Float32Array, options: { dtype?: ArtifactDtype; itemsPerChunk?: number; firstItem?: number } = {}): ArtifactRecord[] {
    const per = options.itemsPerChunk ?? DEFAULT_ITEMS_PER_CHUNK;
    const first = options.firstItem ?? 0;
    if (!Number.isInteger(per) || per < 1) throw invalid(`itemsPerChunk must be a positive integer, got ${per}.`);
    if (first % per !== 0) throw invalid(`firstItem ${first} must be a multiple of itemsPerChunk ${per}.`);
    const size = itemSize(itemShape);
    const count = data.length / size;
    const records: ArtifactRecord[] = [];
    for (let start = 0; start < count; start += per) {
      const n = Math.min(per, count - start);
      const item = first + start;
      records.push(this.putChunk({ runId, name, chunkIndex: item / per, firstItem: item, itemShape, dtype: options.dtype ?? 'float32', data: data.subarray(start * size, (start + n) * size) }));
    }
    return records;
  }

  /** Records of an artifact, in item order. */
  chunks(runId: string, name: string): ArtifactRecord[] {
    return this.db.all<ArtifactRow>('SELECT * FROM artifacts WHERE run_id = ? AND name = ? ORDER BY first_item', [runId, name]).map(fromRow);
  }

  /** Total items stored for an artifact (the chunks must be contiguous from item 0). */
  itemCount(runId: string, name: string): number {
    const r = this.db.get<{ n: number | null }>('SELECT SUM(item_count) AS n FROM artifacts WHERE run_id = ? AND name = ?', [runId, name]);
    return r?.n ?? 0;
  }

  /** Reads and verifies one chunk; returns its values as float32. */
  readChunk(rec: ArtifactRecord): Float32Array {
    const file = path.join(this.root, rec.path);
    let bytes: Buffer;
    try {
      bytes = this.io.readFileSync(file);
    } catch (err) {
      throw this.corrupt(rec, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file is missing' : `it cannot be read (${(err as Error).message})`);
    }
    if (bytes.length !== rec.bytes) throw this.corrupt(rec, `it has ${bytes.length} bytes, ${rec.bytes} were written (truncated or overwritten)`);
    if (sha256(bytes) !== rec.sha256) throw this.corrupt(rec, 'its sha256 checksum does not match the one recorded when it was written');
    const expected = encodeHeader(rec.dtype, rec.itemShape, rec.itemCount, rec.firstItem);
    if (!bytes.subarray(0, HEADER_BYTES).equals(expected)) throw this.corrupt(rec, 'its header disagrees with the database record');
    const body = bytes.subarray(HEADER_BYTES);
    const aligned = new Uint8Array(body.length);
    aligned.set(body); // typed arrays need aligned offsets; Buffer slices may not be
    return rec.dtype === 'float32' ? new Float32Array(aligned.buffer) : decodeFloat16(new Uint16Array(aligned.buffer));
  }

  /**
   * Items [offset, offset + count) of an artifact, reading only the chunks that hold them.
   * Returns the item shape and the values as one float32 array.
   */
  readItems(runId: string, name: string, offset: number, count: number): { itemShape: number[]; data: Float32Array } {
    if (!Number.isInteger(offset) || offset < 0 || !Number.isInteger(count) || count < 1) throw invalid(`Item range offset=${offset}, count=${count} must be non-negative integers with count ≥ 1.`);
    const rows = this.db
      .all<ArtifactRow>('SELECT * FROM artifacts WHERE run_id = ? AND name = ? AND first_item < ? AND first_item + item_count > ? ORDER BY first_item', [runId, name, offset + count, offset])
      .map(fromRow);
    if (rows.length === 0) throw new AppError('NOT_FOUND', `Run ${runId} has no items ${offset}…${offset + count - 1} of "${name}".`);
    const itemShape = rows[0].itemShape;
    const size = itemSize(itemShape);
    const out = new Float32Array(count * size);
    let next = offset;
    for (const rec of rows) {
      if (rec.firstItem > next) break;
      const values = this.readChunk(rec);
      const from = next - rec.firstItem;
      const to = Math.min(rec.itemCount, offset + count - rec.firstItem);
      out.set(values.subarray(from * size, to * size), (next - offset) * size);
      next = rec.firstItem + to;
    }
    if (next < offset + count) throw new AppError('NOT_FOUND', `Run ${runId} has items of "${name}" only up to ${next - 1}; ${offset}…${offset + count - 1} were asked for.`);
    return { itemShape, data: out };
  }

  /** Verifies every chunk of a run (or of the project); returns the problems found, empty when all is well. */
  verify(runId?: string): { path: string; problem: string }[] {
    const rows = (runId ? this.db.all<ArtifactRow>('SELECT * FROM artifacts WHERE run_id = ?', [runId]) : this.db.all<ArtifactRow>('SELECT * FROM artifacts')).map(fromRow);
    const problems: { path: string; problem: string }[] = [];
    for (const rec of rows) {
      try {
        this.readChunk(rec);
      } catch (err) {
        problems.push({ path: rec.path, problem: (err as Error).message });
      }
    }
    return problems;
  }

  /** Deletes chunk files that no row references any more (after deleting runs or sessions). */
  deleteUnreferenced(paths: Iterable<string>): number {
    let removed = 0;
    for (const p of new Set(paths)) {
      if (this.db.get('SELECT 1 AS x FROM artifacts WHERE path = ? LIMIT 1', [p])) continue;
      this.io.rmSync(path.join(this.root, p), { force: true });
      removed++;
      this.removeEmptyParents(path.dirname(path.join(this.root, p)));
    }
    return removed;
  }

  private removeEmptyParents(dir: string): void {
    const stop = path.join(this.root, 'artifacts');
    for (let d = dir; d.startsWith(stop + path.sep); d = path.dirname(d)) {
      try {
        fs.rmdirSync(d);
      } catch {
        return; // not empty (or already gone): stop climbing
      }
    }
  }

  private writeAll(fd: number, data: Uint8Array): void {
    for (let off = 0; off < data.length; ) off += this.io.writeSync(fd, data, off, data.length - off);
  }

  private syncDir(dir: string): void {
    let fd: number | undefined;
    try {
      fd = this.io.openSync(dir, 'r');
      this.io.fsyncSync(fd);
    } catch {
      // Some file systems refuse fsync on a directory; the rename itself is still atomic.
    } finally {
      if (fd !== undefined) this.io.closeSync(fd);
    }
  }

  private corrupt(rec: ArtifactRecord, what: string): AppError {
    return new AppError('ARTIFACT_CORRUPT', `The result file ${rec.path} (run ${rec.runId}, "${rec.name}", items ${rec.firstItem}…${rec.firstItem + rec.itemCount - 1}) is damaged: ${what}.`, {
      hint: 'Re-run the analysis that produced it (or resume its job), or restore the project from a backup or export.'
    });
  }
}
