import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { openImageSet } from '../../main/engine/data/image-set';
import { serializeNpy } from '../../shared/npy';
import { caught, tempDir, UNIT_RGB, writeBytes } from './helpers';

/** numpy-made fixtures (test/data/fixtures/make-npy-fixtures.py). */
const NPY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'npy');
const fixture = (name: string): string => path.join(NPY, name);
const tmp = tempDir();
afterAll(() => tmp.cleanup());

/** The generator's formula for set-nhwc-f4.npy. */
const nhwc = (n: number, h: number, w: number, c: number): number => Math.fround(Math.sin(n + h * 0.1 + w * 0.01 + c));

describe('.npy image sets', () => {
  it('opens NHWC float32 inputs with labels and loads rows in the requested order', async () => {
    const set = await openImageSet(fixture('set-nhwc-f4.npy'), { labelsPath: fixture('set-labels-i8.npy') });
    expect(set.summary).toMatchObject({ kind: 'npy', name: 'set-nhwc-f4', count: 4, labels: ['2', '0', '1'], hasMasks: false, skipped: [] });
    expect(set.items.map((i) => [i.path, i.label, i.mask])).toEqual([['#0', '2', null], ['#1', '0', null], ['#2', '1', null], ['#3', '2', null]]);
    const batch = await set.loadBatch([3, 1], UNIT_RGB, [5, 6, 3]);
    expect([batch.indices, batch.labels, batch.skipped]).toEqual([[3, 1], ['2', '0'], []]);
    const expected: number[] = [];
    for (const n of [3, 1]) for (let h = 0; h < 5; h++) for (let w = 0; w < 6; w++) for (let c = 0; c < 3; c++) expected.push(nhwc(n, h, w, c));
    // numpy's float64 sin rounded to float32 vs JS's: equal to 1 float32 ulp near 1.
    let worst = 0;
    batch.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - expected[i]))));
    expect(batch.data.length).toBe(2 * 5 * 6 * 3);
    expect(worst).toBeLessThanOrEqual(1e-6);
  });

  it('reads NHW float64 as one channel, exactly', async () => {
    const set = await openImageSet(fixture('set-nhw-f8.npy'));
    const batch = await set.loadBatch([1], UNIT_RGB, [3, 4, 1]);
    expect(Array.from(batch.data)).toEqual(Array.from({ length: 12 }, (_, i) => 100 + Math.floor(i / 4) * 10 + (i % 4)));
    expect(batch.labels).toEqual([null]);
  });

  it('throws SHAPE_MISMATCH naming both shapes', async () => {
    const set = await openImageSet(fixture('set-nhwc-f4.npy'));
    const err = await caught(() => set.loadBatch([0], UNIT_RGB, [5, 6, 1]));
    expect(err).toMatchObject({ code: 'SHAPE_MISMATCH', message: expect.stringMatching(/\[5, 6, 3\].*\[5, 6, 1\]/) });
  });

  it('throws LABELS_INVALID for labels of the wrong length, a missing labels file or negative labels', async () => {
    const short = await caught(() => openImageSet(fixture('set-nhwc-f4.npy'), { labelsPath: fixture('set-labels-short.npy') }));
    expect(short).toMatchObject({ code: 'LABELS_INVALID', message: expect.stringMatching(/3 labels but the inputs have 4 rows/) });
    const missing = await caught(() => openImageSet(fixture('set-nhwc-f4.npy'), { labelsPath: path.join(tmp.dir, 'none.npy') }));
    expect(missing).toMatchObject({ code: 'LABELS_INVALID', message: expect.stringContaining('none.npy') });
    const negative = writeBytes(path.join(tmp.dir, 'neg.npy'), serializeNpy(Int32Array.from([0, -1, 2, 3]), [4]));
    const neg = await caught(() => openImageSet(fixture('set-nhwc-f4.npy'), { labelsPath: negative }));
    expect(neg).toMatchObject({ code: 'LABELS_INVALID', message: expect.stringMatching(/label -1 is not a non-negative integer/) });
    const floats = writeBytes(path.join(tmp.dir, 'floats.npy'), serializeNpy(Float64Array.from([0, 1, 2, 3]), [4]));
    const ok = await openImageSet(fixture('set-nhwc-f4.npy'), { labelsPath: floats });
    expect(ok.items.map((i) => i.label)).toEqual(['0', '1', '2', '3']);
  });

  it('rejects non-float inputs, wrong ranks and zero rows', async () => {
    expect(await caught(() => openImageSet(fixture('u1.npy')))).toMatchObject({ code: 'NPY_INVALID', message: expect.stringMatching(/float32 or float64, this array is uint8/) });
    expect(await caught(() => openImageSet(fixture('f8-v2.npy')))).toMatchObject({ code: 'NPY_INVALID', message: expect.stringMatching(/NHWC/) });
    const empty = writeBytes(path.join(tmp.dir, 'empty.npy'), serializeNpy(new Float32Array(0), [0, 2, 2, 3]));
    expect(await caught(() => openImageSet(empty))).toMatchObject({ code: 'IMAGE_SET_EMPTY' });
    const cut = path.join(tmp.dir, 'cut.npy');
    const full = serializeNpy(new Float32Array(2 * 2 * 2 * 3), [2, 2, 2, 3]);
    writeBytes(cut, full.subarray(0, full.length - 8));
    expect(await caught(() => openImageSet(cut))).toMatchObject({ code: 'NPY_INVALID', message: expect.stringMatching(/truncated/) });
  });

  it('renders min-max scaled thumbnails (longest side = size) and has no masks', async () => {
    const set = await openImageSet(fixture('set-nhw-f8.npy'));
    // 4 wide × 3 tall at its own size: values 0…23 → 0…255 grey, opaque.
    const [t] = await set.thumbnails([0], 4);
    expect([t.width, t.height]).toEqual([4, 3]);
    expect(Array.from(t.data.subarray(0, 4))).toEqual([0, 0, 0, 255]);
    expect(Array.from(t.data.subarray(44, 48))).toEqual([255, 255, 255, 255]);
    const [big] = await set.thumbnails([1], 10);
    expect([big.width, big.height, big.data.length]).toEqual([10, 8, 10 * 8 * 4]);
    const rgb = await openImageSet(fixture('set-nhwc-f4.npy'));
    const [r] = await rgb.thumbnails([2], 12);
    expect([r.width, r.height]).toEqual([12, 10]);
    expect(await rgb.loadMasks([0, 1], [5, 6])).toEqual([null, null]);
  });

  it('gives a different id when the file changes', async () => {
    const copy = path.join(tmp.dir, 'copy.npy');
    copyFileSync(fixture('set-nhwc-f4.npy'), copy);
    const first = (await openImageSet(copy)).summary.id;
    expect((await openImageSet(copy)).summary.id).toBe(first);
    writeBytes(copy, serializeNpy(new Float32Array(2 * 5 * 6 * 3), [2, 5, 6, 3]));
    expect((await openImageSet(copy)).summary.id).not.toBe(first);
  });
});
