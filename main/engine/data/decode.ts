/**
 * Image files → raw 8-bit pixels. JPEG and PNG (and anything else libvips recognises by content)
 * go through sharp; BMP, which this sharp build cannot read, goes through ./bmp.
 *
 * Decisions, applied identically to every format:
 * - Alpha is composited onto a background and dropped. Images default to **white**: that is how
 *   viewers show transparency and how annotators saw the picture (PIL's `convert('RGB')`, the usual
 *   training-pipeline alternative, keeps whatever colour hides under transparent pixels, which is
 *   arbitrary). Masks are read over **black**, so a transparent background counts as "not marked".
 * - Greyscale sources stay **1 channel** (no lossy trip through RGB and back to luma for grey
 *   models); preprocessing replicates the channel for RGB models.
 * - 16-bit sources are reduced to 8 bits; CMYK and other colour spaces are converted to sRGB.
 * - EXIF orientation is **not** applied, like `tf.io.decode_image` and PIL, so pixels are the ones a
 *   model trained from these files saw; thumbnails share the same orientation, so maps line up.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { AppError } from '../../../shared/errors';
import { decodeBmp, type BmpPixels } from './bmp';

/** Raw decoded pixels, row-major HWC, 0–255. */
export interface DecodedImage {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

export type AlphaBackground = 'white' | 'black';

export interface DecodeOptions {
  /** Colour transparent pixels are composited onto (default white). */
  background?: AlphaBackground;
}

function unreadable(file: string, why: string, cause?: unknown): AppError {
  return new AppError('IMAGE_UNREADABLE', `Cannot read image ${file}: ${why}`, {
    cause,
    detail: cause instanceof Error ? cause.stack : undefined
  });
}

/**
 * Reads and decodes one image file. Throws AppError IMAGE_UNREADABLE naming the file and the reason
 * (missing, unreadable, not an image, corrupt or truncated data).
 */
export async function decodeImageFile(file: string, options: DecodeOptions = {}): Promise<DecodedImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw unreadable(file, code === 'ENOENT' ? 'the file does not exist' : `the file cannot be read (${code ?? String(err)})`, err);
  }
  return decodeImageBytes(bytes, file, options);
}

/** Decodes image bytes; `name` is used in error messages. */
export async function decodeImageBytes(bytes: Uint8Array, name: string, options: DecodeOptions = {}): Promise<DecodedImage> {
  const background = options.background ?? 'white';
  if (bytes.length === 0) throw unreadable(name, 'the file is empty');
  if (bytes[0] === 0x42 && bytes[1] === 0x4d) {
    try {
      return flattenBmp(decodeBmp(bytes), background);
    } catch (err) {
      throw unreadable(name, (err as Error).message, err);
    }
  }
  return decodeWithSharp(bytes, name, background);
}

async function decodeWithSharp(bytes: Uint8Array, name: string, background: AlphaBackground): Promise<DecodedImage> {
  try {
    // failOn 'error' rejects corrupt and truncated data but tolerates libjpeg's benign warnings
    // (e.g. stray bytes after the end marker), which viewers and PIL also accept.
    const image = sharp(bytes, { failOn: 'error' });
    const meta = await image.metadata();
    const isGrey = meta.space === 'b-w' || meta.space === 'grey16';
    let pipeline = meta.hasAlpha ? image.flatten({ background: background === 'white' ? '#ffffff' : '#000000' }) : image;
    pipeline = pipeline.toColourspace(isGrey ? 'b-w' : 'srgb');
    const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const channels = isGrey ? 1 : 3;
    if (info.channels !== channels) throw new Error(`decoder gave ${info.channels} channels, expected ${channels}`);
    return { width: info.width, height: info.height, channels, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } catch (err) {
    throw unreadable(name, describeSharpError(err), err);
  }
}

/** Turns libvips' multi-line messages into one readable clause. */
function describeSharpError(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  if (/unsupported image format/i.test(text)) return 'it is not a JPEG, PNG or BMP image (unrecognised content)';
  const first = text.split('\n').find((line) => line.trim().length > 0) ?? text;
  return `the image data is corrupt or truncated (${first.trim()})`;
}

function flattenBmp(pixels: BmpPixels, background: AlphaBackground): DecodedImage {
  if (pixels.channels !== 4) return { ...pixels, channels: pixels.channels };
  const bg = background === 'white' ? 255 : 0;
  const n = pixels.width * pixels.height;
  const rgb = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const a = pixels.data[i * 4 + 3] / 255;
    for (let c = 0; c < 3; c++) rgb[i * 3 + c] = Math.round(pixels.data[i * 4 + c] * a + bg * (1 - a));
  }
  return { width: pixels.width, height: pixels.height, channels: 3, data: rgb };
}
