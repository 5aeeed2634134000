/**
 * Centre zoom by a factor s > 0 with bilinear interpolation (our addition to §3.5's set):
 *   out(r, c) = x̃(cy + (r − cy)/s, cx + (c − cx)/s),   cy = (H − 1)/2, cx = (W − 1)/2,
 * where x̃ interpolates x bilinearly and clamps positions to the grid (edge replication beyond
 * it). s > 1 magnifies the centre, s < 1 shrinks the image into the centre.
 *
 * The inverse is the zoom by 1/s. On a pixel grid the pair is not an exact identity (two
 * interpolations); its domain, stated by `identityDomain`, is the cells whose positions stay
 * inside the grid through both steps with a one-cell margin, |r − cy|·max(s, 1) ≤ cy − 1 (likewise
 * columns). There, inverse(apply(x)) = x exactly for images that are affine in position (bilinear
 * interpolation reproduces them), and approximately for smooth ones.
 */
import { AppError } from '../../../shared/errors';
import { buildGrid, type GeometricTransform, type Grid } from './types';

/** Bilinear sample of channel k at fractional (y, x), positions clamped into the grid. */
function sample(g: Grid, y: number, x: number, k: number): number {
  const yc = Math.min(g.height - 1, Math.max(0, y));
  const xc = Math.min(g.width - 1, Math.max(0, x));
  const y0 = Math.floor(yc);
  const x0 = Math.floor(xc);
  const y1 = Math.min(g.height - 1, y0 + 1);
  const x1 = Math.min(g.width - 1, x0 + 1);
  const ty = yc - y0;
  const tx = xc - x0;
  const at = (r: number, c: number) => g.data[(r * g.width + c) * g.channels + k];
  return (1 - ty) * ((1 - tx) * at(y0, x0) + tx * at(y0, x1)) + ty * ((1 - tx) * at(y1, x0) + tx * at(y1, x1));
}

function zoom(g: Grid, s: number): Grid {
  const cy = (g.height - 1) / 2;
  const cx = (g.width - 1) / 2;
  return buildGrid(g.height, g.width, g.channels, (r, c, k) => sample(g, cy + (r - cy) / s, cx + (c - cx) / s, k));
}

/** Zoom about the centre by `s`. @throws AppError PARAM_INVALID unless s is finite and > 0 */
export function scale(s: number): GeometricTransform {
  if (!Number.isFinite(s) || s <= 0) throw new AppError('PARAM_INVALID', `scale: the factor must be a finite number > 0, got ${s}.`);
  return {
    id: `scale:${s}`,
    label: `zoom ×${s}`,
    exactOnGrid: false,
    swapsAxes: false,
    apply: (g) => zoom(g, s),
    inverse: (g) => zoom(g, 1 / s),
    identityDomain: (h, w) => {
      const cy = (h - 1) / 2;
      const cx = (w - 1) / 2;
      const f = Math.max(s, 1);
      const mask = new Uint8Array(h * w);
      for (let r = 0; r < h; r++) for (let c = 0; c < w; c++) if (Math.abs(r - cy) * f <= cy - 1 && Math.abs(c - cx) * f <= cx - 1) mask[r * w + c] = 1;
      return mask;
    }
  };
}
