/**
 * PNG heat-map overlays: the map, normalised and coloured, blended over the input image at the
 * model's input resolution (what the model saw, not the original file): for image files the
 * preprocessed input mapped back to pixels (`toRawPixels`, clamped to 0–255); for `.npy` inputs,
 * whose preprocessing is unknown, the input min-max scaled. Maps at another resolution (e.g. a
 * layer's grid) are resized bilinearly to the input size first.
 *
 *   pixel = (1 − alpha)·image + alpha·colour(normalise(map))
 */
import sharp from 'sharp';
import type { Preprocessing } from '../../../shared/types/model';
import { resizeBilinear, toRawPixels } from '../data/preprocess';
import { minMaxToBytes } from '../data/thumbnails';
import { applyColormap } from './colormap';
import { normalizeMap, type NormalizeSpec } from './normalize';

export interface OverlayStyle {
  colormap: string;
  normalize: NormalizeSpec;
  /** Weight of the heat map in the blend, 0–1. */
  alpha: number;
}

/** An RGB image, 8 bits per channel, row-major HWC. */
export interface RgbImage {
  width: number;
  height: number;
  data: Uint8Array;
}

function toRgb(grey: Uint8Array): Uint8Array {
  const out = new Uint8Array(grey.length * 3);
  for (let i = 0; i < grey.length; i++) out[i * 3] = out[i * 3 + 1] = out[i * 3 + 2] = grey[i];
  return out;
}

/**
 * The image an overlay is drawn on, from one model-space input row `[h, w, c]`: `pre` undoes the
 * preprocessing (image files); null min-max scales it (`.npy` inputs).
 */
export function backgroundImage(row: Float32Array, shape: [number, number, number], pre: Preprocessing | null): RgbImage {
  const [height, width, c] = shape;
  if (!pre) {
    const bytes = minMaxToBytes(row, c);
    return { width, height, data: bytes.channels === 3 ? bytes.data : toRgb(bytes.data) };
  }
  const raw = toRawPixels(row, pre);
  const bytes = Uint8Array.from(raw, (v) => Math.round(Math.min(255, Math.max(0, v))));
  return { width, height, data: c === 3 ? bytes : toRgb(bytes) };
}

/** Blends the coloured map over the image; the map is resized to the image when their sizes differ. */
export function overlayPixels(map: Float32Array, mapHeight: number, mapWidth: number, image: RgbImage, style: OverlayStyle): RgbImage {
  const { width, height } = image;
  const sized = mapHeight === height && mapWidth === width ? map : resizeBilinear(map, mapHeight, mapWidth, 1, height, width);
  const colours = applyColormap(normalizeMap(sized, style.normalize), style.colormap);
  const out = new Uint8Array(width * height * 3);
  const a = style.alpha;
  for (let i = 0; i < out.length; i++) out[i] = Math.round((1 - a) * image.data[i] + a * colours[i]);
  return { width, height, data: out };
}

/** Encodes an RGB image as PNG at `file`. */
export async function writePng(file: string, image: RgbImage): Promise<void> {
  await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } }).png().toFile(file);
}

/** A map shrunk (bilinear) so its longest side is at most `maxSide`: the display-sized copy sent to the UI. */
export function displayMap(map: Float32Array, height: number, width: number, maxSide: number): { data: Float32Array; height: number; width: number } {
  const scale = maxSide / Math.max(height, width);
  if (scale >= 1) return { data: map.slice(), height, width };
  const [h, w] = [Math.max(1, Math.round(height * scale)), Math.max(1, Math.round(width * scale))];
  return { data: resizeBilinear(map, height, width, 1, h, w), height: h, width: w };
}
