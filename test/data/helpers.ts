/** Fixture builders for the data-layer tests: temp folders, PNG/JPEG via sharp, BMP byte by byte. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

/** A fresh temp folder and a function that deletes it. */
export function tempDir(prefix = 'saliency-data-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Deterministic test pattern: channel c of pixel (x, y), 0–255. */
export function pattern(width: number, height: number, channels: number, seed = 0): Uint8Array {
  const out = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) out[(y * width + x) * channels + c] = (x * 37 + y * 91 + c * 53 + seed * 17) % 256;
    }
  }
  return out;
}

function ensureParent(file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
}

/** Writes raw pixels (1 = grey, 2 = grey+alpha, 3 = RGB, 4 = RGBA) as a lossless PNG; returns the path. */
export async function writePng(file: string, pixels: Uint8Array, width: number, height: number, channels: 1 | 2 | 3 | 4): Promise<string> {
  ensureParent(file);
  let img = sharp(pixels, { raw: { width, height, channels } });
  if (channels <= 2) img = img.toColourspace('b-w');
  await img.png().toFile(file);
  return file;
}

/** Writes RGB pixels as a JPEG (quality 95 unless given); returns the path. */
export async function writeJpeg(file: string, pixels: Uint8Array, width: number, height: number, quality = 95): Promise<string> {
  ensureParent(file);
  await sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality }).toFile(file);
  return file;
}

export function writeBytes(file: string, bytes: Uint8Array | string): string {
  ensureParent(file);
  writeFileSync(file, bytes);
  return file;
}

export interface BmpSpec {
  width: number;
  height: number;
  bpp: 1 | 4 | 8 | 16 | 24 | 32;
  /** Raw stored value of pixel (x, y), y = 0 the top row: a palette index, or the packed pixel. */
  value: (x: number, y: number) => number;
  /** 40 (BITMAPINFOHEADER), 108 (V4) or 124 (V5). */
  headerSize?: 40 | 108 | 124;
  topDown?: boolean;
  /** RGB palette entries for bpp ≤ 8. */
  palette?: number[][];
  /** Channel masks [r, g, b, a] stored with BI_BITFIELDS. */
  bitfields?: [number, number, number, number];
}

/** Builds a BMP file from its parts, following the Windows bitmap layout exactly. */
export function buildBmp(spec: BmpSpec): Uint8Array {
  const headerSize = spec.headerSize ?? 40;
  const masksAfterHeader = spec.bitfields && headerSize === 40 ? 12 : 0;
  const palette = spec.palette ?? [];
  const dataOffset = 14 + headerSize + masksAfterHeader + palette.length * 4;
  const stride = Math.floor((spec.bpp * spec.width + 31) / 32) * 4;
  const out = new Uint8Array(dataOffset + stride * spec.height);
  const v = new DataView(out.buffer);
  out.set([0x42, 0x4d]);
  v.setUint32(2, out.length, true);
  v.setUint32(10, dataOffset, true);
  v.setUint32(14, headerSize, true);
  v.setInt32(18, spec.width, true);
  v.setInt32(22, spec.topDown ? -spec.height : spec.height, true);
  v.setUint16(26, 1, true);
  v.setUint16(28, spec.bpp, true);
  v.setUint32(30, spec.bitfields ? 3 : 0, true);
  v.setUint32(46, palette.length, true);
  if (spec.bitfields) spec.bitfields.slice(0, headerSize === 40 ? 3 : 4).forEach((m, i) => v.setUint32(54 + i * 4, m, true));
  palette.forEach(([r, g, b], i) => out.set([b, g, r, 0], 14 + headerSize + masksAfterHeader + i * 4));
  for (let y = 0; y < spec.height; y++) {
    const row = dataOffset + (spec.topDown ? y : spec.height - 1 - y) * stride;
    for (let x = 0; x < spec.width; x++) writePixel(out, row, x, spec.bpp, spec.value(x, y));
  }
  return out;
}

function writePixel(out: Uint8Array, row: number, x: number, bpp: number, value: number): void {
  if (bpp <= 8) {
    const bit = x * bpp;
    out[row + (bit >> 3)] |= value << (8 - bpp - (bit & 7));
    return;
  }
  const bytes = bpp / 8;
  for (let k = 0; k < bytes; k++) out[row + x * bytes + k] = (value >>> (8 * k)) & 0xff;
}

/** Default preprocessing for tests: RGB, [0, 1] inputs, no normalisation. */
export const UNIT_RGB = { resize: [4, 4] as [number, number], colorMode: 'rgb' as const, channelOrder: 'rgb' as const, scale: 1 / 255, mean: [0], std: [1] };

/** Runs `fn` and returns the AppError-like object it throws (fails the test if it does not throw). */
export async function caught(fn: () => unknown): Promise<{ code: string; message: string }> {
  try {
    await fn();
  } catch (err) {
    return err as { code: string; message: string };
  }
  throw new Error('expected an error, none was thrown');
}
