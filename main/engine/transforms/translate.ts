/**
 * Translation by (dx, dy) pixels with edge-replicated padding (algorithms.md §3.5, the authors'
 * notebook): pad p ≥ max(|dx|, |dy|) pixels on every side by repeating the edge pixel, then crop
 * the H×W window at the shifted position. Positive dx moves the content right, positive dy down:
 *   out(r, c) = x(clamp(r − dy, 0, H−1), clamp(c − dx, 0, W−1)),
 * which is exactly pad-then-crop for any p ≥ the shift. The inverse is the opposite shift; it
 * restores x only on the cells the first shift kept inside the frame (the rest was replaced by
 * replicated edge values): rows max(0, −dy) ≤ r < H − max(0, dy), likewise columns with dx.
 */
import { AppError } from '../../../shared/errors';
import { buildGrid, cell, type GeometricTransform, type Grid } from './types';

const clamp = (v: number, n: number): number => (v < 0 ? 0 : v >= n ? n - 1 : v);

function shift(g: Grid, dx: number, dy: number): Grid {
  return buildGrid(g.height, g.width, g.channels, (r, c, k) => cell(g, clamp(r - dy, g.height), clamp(c - dx, g.width), k));
}

/** The translation by (dx, dy) integer pixels. @throws AppError PARAM_INVALID for non-integers */
export function translate(dx: number, dy: number): GeometricTransform {
  if (!Number.isInteger(dx) || !Number.isInteger(dy)) throw new AppError('PARAM_INVALID', `translate: dx and dy must be integers (pixels), got ${dx}, ${dy}.`);
  return {
    id: `translate:${dx},${dy}`,
    label: `shift (${dx >= 0 ? '+' : ''}${dx}, ${dy >= 0 ? '+' : ''}${dy}) px`,
    exactOnGrid: false,
    swapsAxes: false,
    apply: (g) => shift(g, dx, dy),
    inverse: (g) => shift(g, -dx, -dy),
    identityDomain: (h, w) => {
      const mask = new Uint8Array(h * w);
      for (let r = Math.max(0, -dy); r < h - Math.max(0, dy); r++) for (let c = Math.max(0, -dx); c < w - Math.max(0, dx); c++) mask[r * w + c] = 1;
      return mask;
    }
  };
}
