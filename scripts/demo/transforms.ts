/**
 * Pixel-level operations on 8-bit 28×28 grey images (row-major Uint8Array): augmentation shifts,
 * the out-of-domain corruptions and the stroke masks. Plain JS so the results are bit-exact.
 */
import { PIXELS, SIDE } from './data';
import type { Rng } from './prng';

/** Translates by (dx, dy) pixels (positive = right/down), filling with black. */
export function shift(img: Uint8Array, dx: number, dy: number): Uint8Array {
  const out = new Uint8Array(PIXELS);
  for (let y = 0; y < SIDE; y++) {
    const sy = y - dy;
    if (sy < 0 || sy >= SIDE) continue;
    for (let x = 0; x < SIDE; x++) {
      const sx = x - dx;
      if (sx >= 0 && sx < SIDE) out[y * SIDE + x] = img[sy * SIDE + sx];
    }
  }
  return out;
}

/** Photographic negative: white background, black strokes. */
export function invert(img: Uint8Array): Uint8Array {
  return img.map((v) => 255 - v);
}

/** Bilinear sample with black outside the image. */
function sample(img: Uint8Array, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const at = (xx: number, yy: number): number =>
    xx < 0 || yy < 0 || xx >= SIDE || yy >= SIDE ? 0 : img[yy * SIDE + xx];
  const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
  const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
  return top * (1 - fy) + bottom * fy;
}

/** Rotates clockwise by `degrees` about the image centre (bilinear, black fill, rounded to 8 bits). */
export function rotate(img: Uint8Array, degrees: number): Uint8Array {
  const out = new Uint8Array(PIXELS);
  const c = (SIDE - 1) / 2;
  const rad = (degrees * Math.PI) / 180;
  const cos = Math.cos(rad);
  const sin = Math.sin(rad);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      // inverse mapping: where in the source does this output pixel come from
      const sx = cos * (x - c) + sin * (y - c) + c;
      const sy = -sin * (x - c) + cos * (y - c) + c;
      out[y * SIDE + x] = Math.round(sample(img, sx, sy));
    }
  }
  return out;
}

/**
 * Salt-and-pepper noise as in scikit-image's `random_noise(mode='s&p')`: each pixel is replaced
 * with probability `amount`, by white or black with equal probability.
 */
export function saltPepper(img: Uint8Array, amount: number, rng: Rng): Uint8Array {
  const out = img.slice();
  for (let i = 0; i < PIXELS; i++) {
    if (rng() < amount) out[i] = rng() < 0.5 ? 255 : 0;
  }
  return out;
}

/** Intensity at or above which a pixel counts as stroke (half of full scale). */
export const STROKE_THRESHOLD = 128;

/**
 * Binary stroke mask (0 or 255): pixels ≥ STROKE_THRESHOLD, dilated by one pixel with a 3×3
 * square, so that the anti-aliased rim of each stroke counts as "the digit" too.
 */
export function strokeMask(img: Uint8Array): Uint8Array {
  const out = new Uint8Array(PIXELS);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      if (img[y * SIDE + x] < STROKE_THRESHOLD) continue;
      for (let yy = Math.max(0, y - 1); yy <= Math.min(SIDE - 1, y + 1); yy++) {
        for (let xx = Math.max(0, x - 1); xx <= Math.min(SIDE - 1, x + 1); xx++) out[yy * SIDE + xx] = 255;
      }
    }
  }
  return out;
}
