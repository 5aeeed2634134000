/**
 * Chunking for methods that expand each input row into many copies (Integrated Gradients steps,
 * SmoothGrad samples, RISE masks, occlusion windows), and the per-row random streams they draw from.
 *
 * The N·K (row, copy) units are visited in row-major order (all of row 0's copies, then row 1's, …)
 * in chunks whose model input holds at most `maxElementsPerPass` float32 values, so peak memory is
 * bounded whatever N and K are. A chunk may span rows: in inference mode rows do not interact, so a
 * row's result does not depend on which units share its pass (up to float32 rounding of batched
 * kernels). Per-row results are accumulated in float64 on the JS side (spec §0, §6).
 */
import { AppError } from '../../../shared/errors';
import { createRng, type Rng } from '../../../shared/random';
import { throwIfCancelled } from './method';

/** Budget when the caller gives none: 4 Mi float32 input values (16 MiB) per pass. */
export const DEFAULT_MAX_ELEMENTS_PER_PASS = 4 * 1024 * 1024;

/** A run of consecutive units: unit j of the chunk is (rows[j], copies[j]). */
export interface Chunk {
  /** Flat index (row · copies + copy) of the chunk's first unit. */
  start: number;
  count: number;
  rows: Int32Array;
  copies: Int32Array;
}

/**
 * How many copies fit in one pass: ⌊maxElements / elementsPerCopy⌋, at least 1 (one copy is the
 * smallest input a pass can take, even when it alone exceeds the budget).
 * @throws AppError PARAM_INVALID when the budget is not a positive integer
 */
export function unitsPerPass(elementsPerCopy: number, maxElements: number = DEFAULT_MAX_ELEMENTS_PER_PASS): number {
  if (!Number.isInteger(maxElements) || maxElements < 1) {
    throw new AppError('PARAM_INVALID', `\`maxElementsPerPass\` must be a positive integer, got ${maxElements}.`);
  }
  return Math.max(1, Math.floor(maxElements / elementsPerCopy));
}

/** Splits the rows × copies units, row-major, into chunks of at most `unitsPerPass` units. */
export function planChunks(rows: number, copies: number, elementsPerCopy: number, maxElements?: number): Chunk[] {
  const per = unitsPerPass(elementsPerCopy, maxElements);
  const total = rows * copies;
  const chunks: Chunk[] = [];
  for (let start = 0; start < total; start += per) {
    const count = Math.min(per, total - start);
    const unitRows = new Int32Array(count);
    const unitCopies = new Int32Array(count);
    for (let j = 0; j < count; j++) {
      unitRows[j] = Math.floor((start + j) / copies);
      unitCopies[j] = (start + j) % copies;
    }
    chunks.push({ start, count, rows: unitRows, copies: unitCopies });
  }
  return chunks;
}

export interface ChunkLoopOptions {
  signal: AbortSignal;
  /** Names the method in the CANCELLED message. */
  methodId: string;
  /** Called after each chunk with units done and the total. */
  onStep?: (done: number, total: number) => void;
}

/**
 * Runs `step` on each chunk in order, checking cancellation before each one and reporting progress
 * after it. `step` owns its tensors: tidy the synchronous part and dispose what crosses an await.
 * @throws AppError CANCELLED between chunks when the signal is aborted
 */
export async function forEachChunk(chunks: Chunk[], options: ChunkLoopOptions, step: (chunk: Chunk) => void | Promise<void>): Promise<void> {
  const total = chunks.reduce((sum, c) => sum + c.count, 0);
  let done = 0;
  for (const chunk of chunks) {
    throwIfCancelled(options.signal, options.methodId);
    await step(chunk);
    done += chunk.count;
    options.onStep?.(done, total);
  }
  throwIfCancelled(options.signal, options.methodId);
}

/**
 * acc[row] += f(value, copy) element-wise for every unit of the chunk, where `values` holds the
 * chunk's per-unit results `[count, size]` and `acc` the per-row sums `[rows, size]` (float64).
 */
export function addToRows(acc: Float64Array, values: ArrayLike<number>, chunk: Chunk, size: number, f: (value: number, copy: number) => number): void {
  for (let j = 0; j < chunk.count; j++) {
    const into = chunk.rows[j] * size;
    const from = j * size;
    const copy = chunk.copies[j];
    for (let e = 0; e < size; e++) acc[into + e] += f(values[from + e], copy);
  }
}

/** Item index of each row: `ctx.indices` when given, else the row number. */
export function rowIndices(rows: number, indices?: number[]): number[] {
  if (indices && indices.length !== rows) {
    throw new AppError('PARAM_INVALID', `got ${indices.length} item indices for ${rows} inputs; give one per row.`);
  }
  return indices ?? Array.from({ length: rows }, (_, i) => i);
}

/** FNV-1a hash of a string to 32 bits (names a stream, so SmoothGrad noise and noise baselines differ). */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** MurmurHash3's 32-bit finaliser: every input bit affects every output bit. */
function fmix32(value: number): number {
  let h = value >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The random stream of one item: createRng(fmix32(fmix32(fnv1a(stream) ⊕ seed) ⊕ index)), with
 * seed and index taken modulo 2^32. It depends only on (seed, item index, stream name), never on
 * the batch the item arrives in, so maps are independent of batch composition and order.
 */
export function rowRng(seed: number, index: number, stream: string): Rng {
  if (!Number.isFinite(seed)) throw new AppError('PARAM_INVALID', `\`seed\` must be a finite number, got ${seed}.`);
  return createRng(fmix32(fmix32(fnv1a(stream) ^ (Math.trunc(seed) >>> 0)) ^ (index >>> 0)));
}
