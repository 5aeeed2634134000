import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fortranHeader, readColumnHeader, readColumns, transposeRows } from '../../../main/engine/parameter-saliency/reference/column-npy';
import { createRng } from '../../../shared/random';

describe('column-major profile matrix (.npy, Fortran order)', () => {
  let root = '';
  const N = 37;
  const L = 23;
  let rows: Float32Array;

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'saliency-colnpy-'));
    const rng = createRng(5);
    rows = Float32Array.from({ length: N * L }, () => rng.uniform());
    await fs.writeFile(path.join(root, 'rows.f32'), new Uint8Array(rows.buffer));
  });

  afterAll(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('transposes in column blocks (any block width) into a file numpy reads as (N, L) with fortran_order True', async () => {
    for (const maxBytes of [4 * N * 5, 4 * N, 1 << 20]) {
      const out = path.join(root, `p-${maxBytes}.npy`);
      const blocks: number[] = [];
      await transposeRows(path.join(root, 'rows.f32'), out, N, L, async (done) => void blocks.push(done), maxBytes);
      expect(blocks[blocks.length - 1]).toBe(L);
      const bytes = new Uint8Array(await fs.readFile(out));
      const header = Buffer.from(bytes.subarray(0, 128)).toString('latin1');
      expect(header).toContain("'descr': '<f4', 'fortran_order': True, 'shape': (37, 23)");
      const { rows: n, cols, offset } = await readColumnHeader(out);
      expect([n, cols, offset % 64]).toEqual([N, L, 0]);
      expect(bytes.length).toBe(offset + N * L * 4);
      const all = new Float32Array(bytes.slice(offset).buffer);
      for (let j = 0; j < L; j++) for (let r = 0; r < N; r++) expect(all[j * N + r]).toBe(rows[r * L + j]);
      await expect(fs.stat(`${out}.partial`)).rejects.toThrow();
    }
  });

  it('reads any run of columns with one contiguous read', async () => {
    const out = path.join(root, 'cols.npy');
    await transposeRows(path.join(root, 'rows.f32'), out, N, L, async () => {}, 4 * N * 3);
    const block = await readColumns(out, 4, 3);
    expect(block.length).toBe(3 * N);
    for (let c = 0; c < 3; c++) for (let r = 0; r < N; r++) expect(block[c * N + r]).toBe(rows[r * L + 4 + c]);
    await expect(readColumns(out, 21, 3)).rejects.toThrow(/outside/);
  });

  it('refuses files that are not such a matrix (STORAGE_CORRUPT), and a short row file', async () => {
    const bad = path.join(root, 'bad.npy');
    await fs.writeFile(bad, new Uint8Array(fortranHeader(3, 2)).map((b, i) => (i === 0 ? 0 : b)));
    await expect(readColumnHeader(bad)).rejects.toMatchObject({ code: 'STORAGE_CORRUPT' });
    await expect(transposeRows(path.join(root, 'rows.f32'), path.join(root, 'short.npy'), N + 5, L, async () => {})).rejects.toMatchObject({ code: 'STORAGE_CORRUPT' });
    await expect(fs.stat(path.join(root, 'short.npy.partial'))).rejects.toThrow();
  });
});
