import { readFileSync } from 'node:fs';
import path from 'node:path';
import bmpJs from 'bmp-js';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeImageBytes, decodeImageFile } from '../../main/engine/data/decode';
import { buildBmp, caught, pattern, tempDir, writeBytes, writeJpeg, writePng } from './helpers';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
const file = (name: string): string => path.join(tmp.dir, name);

describe('decodeImageFile: PNG and JPEG through sharp', () => {
  it('reads an RGB PNG exactly', async () => {
    const pixels = pattern(5, 3, 3);
    const img = await decodeImageFile(await writePng(file('rgb.png'), pixels, 5, 3, 3));
    expect([img.width, img.height, img.channels]).toEqual([5, 3, 3]);
    expect(Array.from(img.data)).toEqual(Array.from(pixels));
  });

  it('keeps a grey PNG at one channel', async () => {
    const pixels = pattern(4, 4, 1);
    const img = await decodeImageFile(await writePng(file('grey.png'), pixels, 4, 4, 1));
    expect(img.channels).toBe(1);
    expect(Array.from(img.data)).toEqual(Array.from(pixels));
  });

  it('reduces a 16-bit PNG to 8 bits', async () => {
    const pixels = pattern(3, 2, 3);
    const png16 = await sharp(pixels, { raw: { width: 3, height: 2, channels: 3 } }).toColourspace('rgb16').png().toBuffer();
    expect((await sharp(png16).metadata()).depth).toBe('ushort');
    const img = await decodeImageBytes(png16, 'rgb16.png');
    expect(Array.from(img.data)).toEqual(Array.from(pixels));
  });

  it('composites alpha onto white by default and onto black when asked (±1 for partial alpha)', async () => {
    // Pixels: opaque red, transparent green, half-transparent blue (alpha 128).
    const rgba = Uint8Array.from([255, 0, 0, 255, 0, 255, 0, 0, 0, 0, 255, 128]);
    const p = await writePng(file('rgba.png'), rgba, 3, 1, 4);
    const white = await decodeImageFile(p);
    const black = await decodeImageFile(p, { background: 'black' });
    expect(white.channels).toBe(3);
    expect(Array.from(white.data.subarray(0, 6))).toEqual([255, 0, 0, 255, 255, 255]);
    expect(Array.from(black.data.subarray(0, 6))).toEqual([255, 0, 0, 0, 0, 0]);
    const a = 128 / 255;
    const expectWhite = [255 * (1 - a), 255 * (1 - a), 255];
    const expectBlack = [0, 0, 255 * a];
    expectWhite.forEach((v, c) => expect(Math.abs(white.data[6 + c] - v)).toBeLessThanOrEqual(1));
    expectBlack.forEach((v, c) => expect(Math.abs(black.data[6 + c] - v)).toBeLessThanOrEqual(1));
  });

  it('keeps grey+alpha at one channel, flattened', async () => {
    const ga = Uint8Array.from([100, 255, 100, 0]);
    const img = await decodeImageFile(await writePng(file('ga.png'), ga, 2, 1, 2));
    expect(img.channels).toBe(1);
    expect(Array.from(img.data)).toEqual([100, 255]);
  });

  it('reads a JPEG within JPEG error of the original (smooth image, quality 95: mean |err| < 2, max < 10)', async () => {
    const [w, h] = [16, 12];
    const pixels = new Uint8Array(w * h * 3).map((_, i) => {
      const [x, y, c] = [Math.floor(i / 3) % w, Math.floor(i / 3 / w), i % 3];
      return 40 + x * 6 + y * 4 + c * 30;
    });
    const img = await decodeImageFile(await writeJpeg(file('smooth.jpg'), pixels, w, h));
    expect([img.width, img.height, img.channels]).toEqual([w, h, 3]);
    const errs = Array.from(img.data, (v, i) => Math.abs(v - pixels[i]));
    expect(errs.reduce((a, b) => a + b, 0) / errs.length).toBeLessThan(2);
    expect(Math.max(...errs)).toBeLessThan(10);
  });
});

describe('decodeImageFile: errors name the file and the reason', () => {
  it('rejects a truncated JPEG', async () => {
    const full = readFileSync(await writeJpeg(file('full.jpg'), pattern(32, 32, 3), 32, 32));
    const p = writeBytes(file('truncated.jpg'), full.subarray(0, Math.floor(full.length * 0.6)));
    const err = await caught(() => decodeImageFile(p));
    expect(err.code).toBe('IMAGE_UNREADABLE');
    expect(err.message).toContain(p);
    expect(err.message).toMatch(/corrupt or truncated/);
  });

  it('rejects text saved as .png, a missing file and an empty file', async () => {
    const text = writeBytes(file('not-really.png'), 'hello, I am text');
    expect(await caught(() => decodeImageFile(text))).toMatchObject({ code: 'IMAGE_UNREADABLE', message: expect.stringMatching(/not-really\.png: it is not a JPEG, PNG or BMP image/) });
    expect(await caught(() => decodeImageFile(file('absent.png')))).toMatchObject({ code: 'IMAGE_UNREADABLE', message: expect.stringMatching(/absent\.png: the file does not exist/) });
    const empty = writeBytes(file('empty.jpg'), new Uint8Array(0));
    expect(await caught(() => decodeImageFile(empty))).toMatchObject({ code: 'IMAGE_UNREADABLE', message: expect.stringMatching(/empty\.jpg: the file is empty/) });
  });
});

describe('decodeImageBytes: BMP', () => {
  const rgbAt = (x: number, y: number): number[] => [(x * 60 + 10) % 256, (y * 70 + 20) % 256, (x * 13 + y * 29) % 256];
  const packBgr = (x: number, y: number): number => {
    const [r, g, b] = rgbAt(x, y);
    return b | (g << 8) | (r << 16);
  };
  const expectedRgb = (w: number, h: number): number[] => Array.from({ length: w * h }, (_, i) => rgbAt(i % w, Math.floor(i / w))).flat();

  it('reads 24-bit bottom-up with row padding and top-down rows', async () => {
    for (const topDown of [false, true]) {
      const img = await decodeImageBytes(buildBmp({ width: 3, height: 2, bpp: 24, value: packBgr, topDown }), 'a.bmp');
      expect([img.width, img.height, img.channels]).toEqual([3, 2, 3]);
      expect(Array.from(img.data)).toEqual(expectedRgb(3, 2));
    }
  });

  it('ignores the reserved byte of 32-bit BI_RGB when it is zero, and uses V5 alpha masks', async () => {
    const opaque = await decodeImageBytes(buildBmp({ width: 2, height: 2, bpp: 32, value: packBgr }), 'x.bmp');
    expect(Array.from(opaque.data)).toEqual(expectedRgb(2, 2));
    // V5 header, BGRA bitfields: pixel 0 fully transparent, the others opaque.
    const v5 = buildBmp({ width: 2, height: 2, bpp: 32, headerSize: 124, bitfields: [0xff0000, 0xff00, 0xff, 0xff000000], value: (x, y) => (packBgr(x, y) | ((x + y === 0 ? 0 : 255) << 24)) >>> 0 });
    const img = await decodeImageBytes(v5, 'v5.bmp');
    const expected = expectedRgb(2, 2);
    expected.splice(0, 3, 255, 255, 255);
    expect(Array.from(img.data)).toEqual(expected);
  });

  it('reads 16-bit 5-5-5 (BI_RGB) and 5-6-5 (BI_BITFIELDS)', async () => {
    const p555 = await decodeImageBytes(buildBmp({ width: 2, height: 1, bpp: 16, value: (x) => (x === 0 ? 0x7c00 : 0x03ff) }), 'a.bmp');
    expect(Array.from(p555.data)).toEqual([255, 0, 0, 0, 255, 255]);
    const p565 = await decodeImageBytes(buildBmp({ width: 2, height: 1, bpp: 16, bitfields: [0xf800, 0x07e0, 0x001f, 0], value: (x) => (x === 0 ? 0x07e0 : 0x8010) }), 'b.bmp');
    expect(Array.from(p565.data)).toEqual([0, 255, 0, Math.round((16 * 255) / 31), 0, Math.round((16 * 255) / 31)]);
  });

  it('reads palette images: grey palette at 1 channel; colour 8-, 4- and 1-bit at 3', async () => {
    const greyPalette = Array.from({ length: 256 }, (_, i) => [i, i, i]);
    const grey = await decodeImageBytes(buildBmp({ width: 3, height: 2, bpp: 8, palette: greyPalette, value: (x, y) => x * 50 + y * 7 }), 'g.bmp');
    expect([grey.channels, Array.from(grey.data)]).toEqual([1, [0, 50, 100, 7, 57, 107]]);
    const colours = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [10, 20, 30]];
    for (const bpp of [8, 4] as const) {
      const img = await decodeImageBytes(buildBmp({ width: 5, height: 2, bpp, palette: colours, value: (x, y) => (x + y) % 4 }), 'c.bmp');
      expect(Array.from(img.data)).toEqual(Array.from({ length: 10 }, (_, i) => colours[((i % 5) + Math.floor(i / 5)) % 4]).flat());
    }
    const one = await decodeImageBytes(buildBmp({ width: 9, height: 1, bpp: 1, palette: [[0, 0, 0], [255, 255, 0]], value: (x) => x % 2 }), 'o.bmp');
    expect(Array.from(one.data)).toEqual(Array.from({ length: 9 }, (_, x) => (x % 2 ? [255, 255, 0] : [0, 0, 0])).flat());
  });

  it('reads RLE8 and RLE4 (bottom-up rows)', async () => {
    const rle = (bpp: 4 | 8, compression: number, data: number[]): Uint8Array => {
      const base = buildBmp({ width: 4, height: 2, bpp, palette: [[255, 0, 0], [0, 255, 0]], value: () => 0 });
      const out = new Uint8Array(14 + 40 + 8 + data.length);
      out.set(base.subarray(0, 14 + 40 + 8));
      new DataView(out.buffer).setUint32(30, compression, true);
      out.set(data, 14 + 40 + 8);
      return out;
    };
    const red = [255, 0, 0];
    const green = [0, 255, 0];
    // Bottom row: 4× index 0; top row: literal run 1, 0, 1, 1. Then end of image.
    const rle8 = await decodeImageBytes(rle(8, 1, [4, 0, 0, 0, 0, 4, 1, 0, 1, 1, 0, 1]), 'r8.bmp');
    expect(Array.from(rle8.data)).toEqual([green, red, green, green, red, red, red, red].flat());
    // RLE4: bottom row a run of 4 alternating nibbles 1,0; top row a literal run 0,1,1,0 (2 bytes).
    const rle4 = await decodeImageBytes(rle(4, 2, [4, 0x10, 0, 0, 0, 4, 0x01, 0x10, 0, 1]), 'r4.bmp');
    expect(Array.from(rle4.data)).toEqual([red, green, green, red, green, red, green, red].flat());
  });

  it('agrees with an independent writer (bmp-js encode, 24-bit top-down)', async () => {
    const [w, h] = [7, 3];
    const rgb = pattern(w, h, 3);
    const abgr = Buffer.alloc(w * h * 4);
    for (let i = 0; i < w * h; i++) abgr.set([255, rgb[i * 3 + 2], rgb[i * 3 + 1], rgb[i * 3]], i * 4);
    const encoded = bmpJs.encode({ data: abgr, width: w, height: h }).data;
    const img = await decodeImageBytes(encoded, 'bmpjs.bmp');
    expect(Array.from(img.data)).toEqual(Array.from(rgb));
  });

  it('reports truncated or unsupported BMPs as IMAGE_UNREADABLE', async () => {
    const full = buildBmp({ width: 4, height: 4, bpp: 24, value: packBgr });
    expect(await caught(() => decodeImageBytes(full.subarray(0, full.length - 10), 'cut.bmp'))).toMatchObject({ code: 'IMAGE_UNREADABLE', message: expect.stringMatching(/cut\.bmp: BMP pixel data is truncated/) });
    const odd = full.slice();
    new DataView(odd.buffer).setUint16(28, 2, true);
    expect(await caught(() => decodeImageBytes(odd, 'odd.bmp'))).toMatchObject({ message: expect.stringMatching(/unsupported BMP bit depth 2/) });
  });
});
