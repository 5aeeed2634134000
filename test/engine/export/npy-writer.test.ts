/** Streamed .npy writing: the file equals the in-memory concatenation, numpy's header rules, promised row counts. */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseNpy, parseNpyHeader, serializeNpy } from '../../../shared/npy';
import { npyHeader, NpyStreamWriter } from '../../../main/engine/export/npy-writer';
import { appErrorOf } from '../helpers/errors';

let dir = '';
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'npy-writer-'));
});
afterAll(() => fs.rm(dir, { recursive: true, force: true }));

const rows = (n: number, len: number, seed: number) => Float32Array.from({ length: n * len }, (_, i) => Math.sin(i * 0.37 + seed));

describe('npyHeader', () => {
  it('is 64-byte aligned, ends with a newline and parses back to the shape', () => {
    for (const shape of [[0, 3], [7], [10000, 224, 224], [2, 3, 4, 5]]) {
      const header = npyHeader(shape);
      expect(header.length % 64).toBe(0);
      expect(header[header.length - 1]).toBe(0x0a);
      const parsed = parseNpyHeader(header);
      expect(parsed.shape).toEqual(shape);
      expect(parsed.dtype).toBe('float32');
      expect(parsed.dataOffset).toBe(header.length);
    }
  });

  it('matches serializeNpy byte for byte for the same shape', () => {
    const data = rows(3, 4, 1);
    const whole = serializeNpy(data, [3, 4]);
    const header = npyHeader([3, 4]);
    expect(Array.from(whole.subarray(0, header.length))).toEqual(Array.from(header));
  });
});

describe('NpyStreamWriter', () => {
  it('streamed blocks equal the in-memory concatenation (and numpy’s own layout)', async () => {
    const file = path.join(dir, 'stream.npy');
    const blocks = [rows(2, 6, 1), rows(1, 6, 2), rows(3, 6, 3)];
    const writer = await NpyStreamWriter.create(file);
    await writer.begin([7, 2, 3]);
    for (const b of blocks) await writer.append(b);
    await writer.appendFilled(1, Number.NaN);
    await writer.close();
    const bytes = new Uint8Array(await fs.readFile(file));
    const all = new Float32Array(7 * 6).fill(Number.NaN);
    all.set(blocks[0], 0);
    all.set(blocks[1], 12);
    all.set(blocks[2], 18);
    expect(Array.from(bytes)).toEqual(Array.from(serializeNpy(all, [7, 2, 3])));
    const parsed = parseNpy(bytes);
    expect(parsed.shape).toEqual([7, 2, 3]);
    expect(Number.isNaN(parsed.data[41])).toBe(true);
  });

  it('a reserved header is rewritten in place with the final count', async () => {
    const file = path.join(dir, 'reserved.npy');
    const writer = await NpyStreamWriter.create(file);
    await writer.begin([1, 4], true);
    await writer.append(rows(1, 4, 1));
    await writer.append(rows(12, 4, 2));
    await writer.setLeading([13, 4]);
    await writer.close();
    const parsed = parseNpy(new Uint8Array(await fs.readFile(file)));
    expect(parsed.shape).toEqual([13, 4]);
    expect(Array.from(parsed.data.subarray(4))).toEqual(Array.from(rows(12, 4, 2)));
  });

  it('refuses partial rows, more rows than promised, and closing short', async () => {
    const writer = await NpyStreamWriter.create(path.join(dir, 'bad.npy'));
    await writer.begin([2, 3]);
    expect((await appErrorOf(() => writer.append(new Float32Array(4)))).code).toBe('INTERNAL');
    await writer.append(new Float32Array(3));
    expect((await appErrorOf(() => writer.close())).message).toContain('1 rows were written, the header promised 2');
    await writer.append(new Float32Array(3));
    expect((await appErrorOf(() => writer.append(new Float32Array(3)))).message).toContain('more than the 2 rows');
    await writer.close();
  });
});
