import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openImageSet } from '../../main/engine/data/image-set';
import { parseCsv } from '../../main/engine/data/manifest';
import { caught, pattern, tempDir, UNIT_RGB, writeBytes, writePng } from './helpers';

const tmp = tempDir();
const at = (...parts: string[]): string => path.join(tmp.dir, ...parts);
const ESCAPES = 'path escapes the image set';

/** A headed manifest: good rows, then every way a row can be refused. */
const HEADED_ROWS = [
  'path,label,mask',
  'imgs/a.png,cat,masks/a.png',
  '"imgs/c,comma.png","big, cat",',
  'imgs/b b.png,,',
  '../secret.png,cat',
  `${path.join(tmp.dir, 'secret.png')},cat`,
  'C:\\data\\secret.png,cat',
  'imgs/../../secret.png,dog',
  'link.png,cat',
  'imgs\\a.png,dog',
  'missing.png,cat',
  'imgs/b b.png,cat,../secret.png',
  'imgs/a.png,cat,masks/none.png',
  'notes.txt,cat',
  ',cat',
  ''
];

beforeAll(async () => {
  for (const name of ['a.png', 'b b.png', 'c,comma.png']) await writePng(at('m', 'imgs', name), pattern(4, 4, 3), 4, 4, 3);
  await writePng(at('m', 'masks', 'a.png'), new Uint8Array(16).fill(255), 4, 4, 1);
  await writePng(at('secret.png'), pattern(4, 4, 3, 9), 4, 4, 3);
  symlinkSync(at('secret.png'), at('m', 'link.png'));
  writeBytes(at('m', 'notes.txt'), 'text');
});
afterAll(() => tmp.cleanup());

describe('parseCsv', () => {
  it('handles quotes, doubled quotes, commas and newlines in quotes, CRLF and a missing final newline', () => {
    const text = 'a,"b, c","say ""hi"""\r\n"multi\nline",,x\r\nlast,row';
    expect(parseCsv(text)).toEqual([
      ['a', 'b, c', 'say "hi"'],
      ['multi\nline', '', 'x'],
      ['last', 'row']
    ]);
  });

  it('rejects an unterminated quote', () => {
    expect(() => parseCsv('a,"b\n')).toThrow(/unterminated quoted field/);
  });
});

describe('CSV manifest sets', () => {
  it('reads a manifest with a header: labels, quoted paths, empty labels, masks; rejects escaping rows', async () => {
    const manifest = writeBytes(at('m', 'with-header.csv'), HEADED_ROWS.join('\n'));
    const set = await openImageSet(manifest);
    expect(set.items.map((i) => [i.path, i.label, i.mask])).toEqual([
      ['imgs/a.png', 'cat', 'masks/a.png'],
      ['imgs/c,comma.png', 'big, cat', null],
      ['imgs/b b.png', null, null],
      ['imgs/a.png', 'dog', null],
      ['imgs/a.png', 'cat', null]
    ]);
    expect(set.summary).toMatchObject({ kind: 'manifest', name: 'with-header', root: manifest, count: 5, labels: ['cat', 'big, cat', 'dog'], hasMasks: true });
    expect(set.summary.skipped).toEqual([
      { path: '../secret.png', reason: ESCAPES },
      { path: at('secret.png'), reason: ESCAPES },
      { path: 'C:\\data\\secret.png', reason: ESCAPES },
      { path: 'imgs/../../secret.png', reason: ESCAPES },
      { path: 'link.png', reason: ESCAPES },
      { path: 'missing.png', reason: 'file not found' },
      { path: 'imgs/b b.png', reason: ESCAPES },
      { path: 'masks/none.png', reason: 'mask not found' },
      { path: 'notes.txt', reason: 'not a JPEG, PNG or BMP image (by extension)' },
      { path: '(manifest row 15)', reason: 'empty path' }
    ]);
    const batch = await set.loadBatch([0, 1, 2], UNIT_RGB, [4, 4, 3]);
    expect([batch.indices, batch.labels, batch.skipped]).toEqual([[0, 1, 2], ['cat', 'big, cat', null], []]);
    const [mask, none] = await set.loadMasks([0, 1], [2, 2]);
    expect([Array.from(mask as Float32Array), none]).toEqual([[1, 1, 1, 1], null]);
  });

  it('reads a manifest without a header (BOM, CRLF, blank lines)', async () => {
    const manifest = writeBytes(at('m', 'plain.csv'), '\uFEFFimgs/a.png,cat\r\n\r\nimgs/b b.png,dog\r\n');
    const set = await openImageSet(manifest);
    expect(set.items.map((i) => [i.path, i.label, i.mask])).toEqual([
      ['imgs/a.png', 'cat', null],
      ['imgs/b b.png', 'dog', null]
    ]);
    expect(set.summary.skipped).toEqual([]);
  });

  it('follows a header that reorders the columns', async () => {
    const manifest = writeBytes(at('m', 'reordered.csv'), 'class,mask,filename\ncat,masks/a.png,imgs/a.png\n');
    const set = await openImageSet(manifest);
    expect(set.items.map((i) => [i.path, i.label, i.mask])).toEqual([['imgs/a.png', 'cat', 'masks/a.png']]);
  });

  it('gives a new id when the manifest changes, and IMAGE_SET_EMPTY when nothing is usable', async () => {
    const manifest = writeBytes(at('m', 'changing.csv'), 'imgs/a.png,cat\n');
    const first = (await openImageSet(manifest)).summary.id;
    expect((await openImageSet(manifest)).summary.id).toBe(first);
    writeBytes(manifest, 'imgs/a.png,dog\n');
    expect((await openImageSet(manifest)).summary.id).not.toBe(first);
    const escaping = writeBytes(at('m', 'escaping.csv'), '../secret.png,cat\n');
    expect(await caught(() => openImageSet(escaping))).toMatchObject({ code: 'IMAGE_SET_EMPTY', message: expect.stringMatching(/path escapes the image set/) });
  });
});
