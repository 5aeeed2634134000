/**
 * The three map-agreement statistics every comparing measure reports (algorithms.md §5.10, §7
 * row 13), reusing main/engine/compare:
 * - SSIM with scikit-image defaults on the maps quantised as the authors store them (per-map
 *   min-max to [0, 1], ×255, truncated to 8 bits; §3.2), data range R = 255, 7×7 window — a
 *   7×7 native grid is exactly one window (§3.6). Grids smaller than 7 use the largest odd
 *   window that fits (≥ 3; recorded as `ssimWindow`); below 3×3 SSIM is undefined (NaN).
 * - Spearman ρ of the float maps (NaN when a map is constant).
 * - Top-k IoU, |top_k(a) ∩ top_k(b)| / |top_k(a) ∪ top_k(b)|, k a count or a fraction of cells.
 */
import { quantize8bit } from '../compare/entropy';
import { spearman, ssim, topKOverlap } from '../compare';

export interface PairStats {
  ssim: number;
  spearman: number;
  topkIou: number;
}

/** The SSIM window for an h × w grid: 7, or the largest odd side ≥ 3 that fits; 0 when none does. */
export function ssimWindow(height: number, width: number): number {
  const side = Math.min(7, height, width);
  const odd = side % 2 === 1 ? side : side - 1;
  return odd >= 3 ? odd : 0;
}

/** SSIM of two maps after the §3.2 8-bit quantisation; NaN for grids below 3 × 3. */
export function ssim8(a: ArrayLike<number>, b: ArrayLike<number>, height: number, width: number): number {
  const win = ssimWindow(height, width);
  if (win === 0) return Number.NaN;
  return ssim(quantize8bit(a), quantize8bit(b), { height, width, dataRange: 255, winSize: win }).mssim;
}

/** SSIM, Spearman ρ and top-k IoU of two maps of the same h × w grid. */
export function comparePair(a: ArrayLike<number>, b: ArrayLike<number>, height: number, width: number, k: number): PairStats {
  return { ssim: ssim8(a, b, height, width), spearman: spearman(a, b), topkIou: topKOverlap(a, b, k).iou };
}

/** Per-statistic arrays of a list of PairStats (for summaries). */
export function columns(stats: PairStats[]): Record<keyof PairStats, number[]> {
  return { ssim: stats.map((s) => s.ssim), spearman: stats.map((s) => s.spearman), topkIou: stats.map((s) => s.topkIou) };
}
