/**
 * Helpers for statistics that need the 2-D layout of a flattened (row-major) map.
 */
import type { CompareOptions } from './types';
import { invalidParam } from './validate';

/**
 * Resolves [height, width] of an n-cell map for statistic `stat`: both given (their product
 * must be n), or neither, meaning a square map of √n × √n. Throws PARAM_INVALID otherwise.
 */
export function resolveShape(stat: string, n: number, opts: CompareOptions): [number, number] {
  const { height, width } = opts;
  if (height === undefined && width === undefined) {
    const side = Math.round(Math.sqrt(n));
    if (side * side !== n) throw invalidParam(stat, `\`height\` and \`width\` are required for a non-square map of ${n} cells`);
    return [side, side];
  }
  const ok = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;
  if (!ok(height) || !ok(width)) {
    throw invalidParam(stat, `\`height\` and \`width\` must be positive integers, got ${String(height)} and ${String(width)}`);
  }
  if (height * width !== n) throw invalidParam(stat, `\`height\` × \`width\` = ${height * width} does not match the ${n} cells of the maps`);
  return [height, width];
}

/**
 * Sums of `src` (h × w, row-major) over every fully-inside win × win window, as a
 * (h − win + 1) × (w − win + 1) row-major array: a separable box sum, O(h·w·win).
 */
export function windowSums(src: Float64Array, h: number, w: number, win: number): Float64Array {
  const ow = w - win + 1;
  const oh = h - win + 1;
  const rows = new Float64Array(h * ow);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      // Direct sums rather than a running sum: no drift from add-then-subtract.
      for (let d = 0; d < win; d++) s += src[y * w + x + d];
      rows[y * ow + x] = s;
    }
  }
  const out = new Float64Array(oh * ow);
  for (let y = 0; y < oh; y++) {
    for (let x = 0; x < ow; x++) {
      let s = 0;
      for (let d = 0; d < win; d++) s += rows[(y + d) * ow + x];
      out[y * ow + x] = s;
    }
  }
  return out;
}

