import { mkdirSync, readFileSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImageFile } from '../../main/engine/data/decode';
import { openImageSet } from '../../main/engine/data/image-set';
import { preprocessImage } from '../../main/engine/data/preprocess';
import { buildBmp, caught, pattern, tempDir, UNIT_RGB, writeBytes, writeJpeg, writePng } from './helpers';

const tmp = tempDir();
const at = (...parts: string[]): string => path.join(tmp.dir, ...parts);

beforeAll(async () => {
  // Class-folder set with masks, a stray root image, non-images, a dotfile and a nested folder.
  await writePng(at('classes', 'dog', 'b.png'), pattern(6, 3, 3, 1), 6, 3, 3);
  await writeJpeg(at('classes', 'dog', 'a.jpg'), pattern(5, 5, 3, 2), 5, 5);
  writeBytes(at('classes', 'dog', 'notes.txt'), 'not an image');
  writeBytes(at('classes', 'dog', '.DS_Store'), 'finder metadata');
  await writePng(at('classes', 'dog', 'deeper', 'x.png'), pattern(2, 2, 3), 2, 2, 3);
  await writePng(at('classes', 'cat', 'z.PNG'), pattern(4, 4, 1, 3), 4, 4, 1);
  writeBytes(at('classes', 'cat', 'c.bmp'), buildBmp({ width: 3, height: 2, bpp: 24, value: (x, y) => x * 40 + y * 9000 }));
  await writePng(at('classes', 'stray.png'), pattern(2, 2, 3), 2, 2, 3);
  writeBytes(at('classes', 'README.md'), '# classes');
  await writePng(at('classes', '_masks', 'cat', 'z.png'), new Uint8Array(16).fill(255), 4, 4, 1);
  await writePng(at('classes', '_masks', 'dog', 'a.png'), Uint8Array.from([1, 0, 1, 0, 1, 0]), 2, 3, 1);
  // Flat folder.
  for (const name of ['2.png', '10.png']) await writePng(at('flat', name), pattern(3, 3, 3), 3, 3, 3);
  await writeJpeg(at('flat', '1.jpg'), pattern(3, 3, 3), 3, 3);
  await writePng(at('flat', '_masks', '1.png'), new Uint8Array(9).fill(255), 3, 3, 1);
  // Set with a corrupt JPEG and a text file.
  const good = readFileSync(await writeJpeg(at('corrupt', 'ok.jpg'), pattern(32, 32, 3), 32, 32));
  writeBytes(at('corrupt', 'bad.jpg'), good.subarray(0, Math.floor(good.length / 2)));
  writeBytes(at('corrupt', 'list.txt'), 'a\nb\n');
  for (let i = 0; i < 10; i++) await writePng(at('corrupt', `p${i}.png`), pattern(4, 4, 3, i), 4, 4, 3);
  // Empty and non-image-only folders.
  mkdirSync(at('empty'));
  writeBytes(at('textonly', 'a.txt'), 'text');
});
afterAll(() => tmp.cleanup());

describe('folder of class sub-folders', () => {
  it('lists classes and files in code-unit order, with labels, masks and skipped files', async () => {
    const set = await openImageSet(at('classes'));
    expect(set.items.map((i) => [i.index, i.path, i.label, i.mask])).toEqual([
      [0, 'cat/c.bmp', 'cat', null],
      [1, 'cat/z.PNG', 'cat', '_masks/cat/z.png'],
      [2, 'dog/a.jpg', 'dog', '_masks/dog/a.png'],
      [3, 'dog/b.png', 'dog', null]
    ]);
    expect(set.summary).toMatchObject({ kind: 'folder', name: 'classes', root: at('classes'), count: 4, labels: ['cat', 'dog'], hasMasks: true });
    expect(set.summary.skipped).toEqual(
      expect.arrayContaining([
        { path: 'README.md', reason: 'not a JPEG, PNG or BMP image (by extension)' },
        { path: 'stray.png', reason: 'image outside the class sub-folders' },
        { path: 'dog/notes.txt', reason: 'not a JPEG, PNG or BMP image (by extension)' },
        { path: 'dog/deeper', reason: expect.stringMatching(/nested folder is not read/) }
      ])
    );
    expect(set.summary.skipped).toHaveLength(4);
    expect(set.summary.id).toMatch(/^[0-9a-f]{16}$/);
  });

  it('keeps its id when reopened and changes it when a file changes (content or mtime)', async () => {
    for (const name of ['a.png', 'b.png']) await writePng(at('idset', 'k', name), pattern(6, 3, 3), 6, 3, 3);
    const first = (await openImageSet(at('idset'))).summary.id;
    expect((await openImageSet(at('idset') + path.sep)).summary.id).toBe(first);
    await writePng(at('idset', 'k', 'b.png'), pattern(6, 4, 3, 1), 6, 4, 3);
    const afterEdit = (await openImageSet(at('idset'))).summary.id;
    expect(afterEdit).not.toBe(first);
    utimesSync(at('idset', 'k', 'b.png'), new Date(2001, 1, 1), new Date(2001, 1, 1));
    expect((await openImageSet(at('idset'))).summary.id).not.toBe(afterEdit);
  });

  it('loads batches in the requested order, preprocessed exactly like preprocessImage', async () => {
    const set = await openImageSet(at('classes'));
    const batch = await set.loadBatch([3, 0, 1], UNIT_RGB, [4, 4, 3]);
    expect(batch.indices).toEqual([3, 0, 1]);
    expect(batch.labels).toEqual(['dog', 'cat', 'cat']);
    expect(batch.skipped).toEqual([]);
    expect(batch.data.length).toBe(3 * 4 * 4 * 3);
    const files = ['dog/b.png', 'cat/c.bmp', 'cat/z.PNG'];
    for (const [k, rel] of files.entries()) {
      const expected = preprocessImage(await decodeImageFile(at('classes', rel)), UNIT_RGB);
      expect(Array.from(batch.data.subarray(k * 48, (k + 1) * 48))).toEqual(Array.from(expected));
    }
    // The BMP's first pixel: B = 0, G = 0, R = 0 → 0; its second: B = 40 → 40/255 after scale.
    const bmp = await decodeImageFile(at('classes', 'cat', 'c.bmp'));
    expect(Array.from(bmp.data.subarray(0, 6))).toEqual([0, 0, 0, 0, 0, 40]);
  });

  it('rejects a preprocessing that does not make the model input shape, and bad indices', async () => {
    const set = await openImageSet(at('classes'));
    const mismatch = await caught(() => set.loadBatch([0], UNIT_RGB, [4, 4, 1]));
    expect(mismatch).toMatchObject({ code: 'SHAPE_MISMATCH', message: expect.stringMatching(/\[4, 4, 3\].*\[4, 4, 1\]/) });
    expect(await caught(() => set.loadBatch([4], UNIT_RGB, [4, 4, 3]))).toMatchObject({ code: 'PARAM_INVALID', message: expect.stringMatching(/index 4 is out of range/) });
    expect(await caught(() => set.thumbnails([0.5], 8))).toMatchObject({ code: 'PARAM_INVALID' });
  });

  it('loads masks resized to [h, w] in [0, 1], null where there is none', async () => {
    const set = await openImageSet(at('classes'));
    const [none, full, half] = await set.loadMasks([0, 1, 2], [3, 2]);
    expect(none).toBeNull();
    expect(Array.from(full as Float32Array)).toEqual([1, 1, 1, 1, 1, 1]);
    // 0/1-valued mask at its own size: taken as is, not divided by 255.
    expect(Array.from(half as Float32Array)).toEqual([1, 0, 1, 0, 1, 0]);
  });

  it('makes RGBA thumbnails whose longest side is the requested size', async () => {
    const set = await openImageSet(at('classes'));
    const [bmp, grey, square, wide] = await set.thumbnails([0, 1, 2, 3], 8);
    expect([bmp.width, bmp.height]).toEqual([8, 5]); // 3×2
    expect([grey.width, grey.height, square.width, square.height]).toEqual([8, 8, 8, 8]);
    expect([wide.width, wide.height]).toEqual([8, 4]); // 6×3
    for (const t of [bmp, grey, square, wide]) {
      expect(t.data).toBeInstanceOf(Uint8ClampedArray);
      expect(t.data.length).toBe(t.width * t.height * 4);
      expect(t.data[3]).toBe(255);
    }
    // A uniform grey source stays grey in all three colour channels.
    expect(grey.data[0]).toBe(grey.data[1]);
    expect(grey.data[1]).toBe(grey.data[2]);
  });
});

describe('flat folder and failures', () => {
  it('lists a flat folder sorted, without labels, with masks from <root>/_masks/<stem>.*', async () => {
    const set = await openImageSet(at('flat'));
    expect(set.items.map((i) => [i.path, i.label, i.mask])).toEqual([['1.jpg', null, '_masks/1.png'], ['10.png', null, null], ['2.png', null, null]]);
    expect(set.summary).toMatchObject({ labels: [], hasMasks: true, skipped: [] });
  });

  it('reports a corrupt JPEG in the batch and a text file in the summary; the rest loads', async () => {
    const set = await openImageSet(at('corrupt'));
    expect(set.summary.skipped).toEqual([{ path: 'list.txt', reason: 'not a JPEG, PNG or BMP image (by extension)' }]);
    expect(set.items.map((i) => i.path).slice(0, 2)).toEqual(['bad.jpg', 'ok.jpg']);
    const all = set.items.map((i) => i.index);
    const batch = await set.loadBatch(all, { ...UNIT_RGB, resize: [8, 8] }, [8, 8, 3]);
    expect(batch.indices).toEqual(all.slice(1));
    expect(batch.data.length).toBe(11 * 8 * 8 * 3);
    expect(batch.skipped).toHaveLength(1);
    expect(batch.skipped[0].path).toBe('bad.jpg');
    expect(batch.skipped[0].reason).toMatch(/bad\.jpg: the image data is corrupt or truncated/);
    const [placeholder, ok] = await set.thumbnails([0, 1], 6);
    expect([placeholder.width, placeholder.height, placeholder.data[0], placeholder.data[3]]).toEqual([6, 6, 128, 255]);
    expect([ok.width, ok.height]).toEqual([6, 6]);
  });

  it('throws IMAGE_SET_EMPTY for an empty folder or one without images', async () => {
    expect(await caught(() => openImageSet(at('empty')))).toMatchObject({ code: 'IMAGE_SET_EMPTY' });
    const textOnly = await caught(() => openImageSet(at('textonly')));
    expect(textOnly).toMatchObject({ code: 'IMAGE_SET_EMPTY', message: expect.stringMatching(/1 file\(s\) skipped, e\.g\. a\.txt/) });
  });

  it('throws IMAGE_SET_INVALID naming a missing path or an unsupported file', async () => {
    const missing = at('nope', 'set');
    expect(await caught(() => openImageSet(missing))).toMatchObject({ code: 'IMAGE_SET_INVALID', message: expect.stringContaining(missing) });
    const text = at('textonly', 'a.txt');
    expect(await caught(() => openImageSet(text))).toMatchObject({ code: 'IMAGE_SET_INVALID', message: expect.stringContaining(text) });
    expect(await caught(() => openImageSet(at('flat'), { labelsPath: at('x.npy') }))).toMatchObject({ code: 'LABELS_INVALID' });
  });
});
