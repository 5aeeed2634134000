/**
 * Similarity of a randomised-model map to the original map of the same image (Adebayo et al.
 * 2018, §3: rank correlation with and without absolute values, SSIM, plus a top-k overlap), all
 * computed in float64 with the comparison statistics of main/engine/compare:
 *
 *   spearman-abs     ρ_S(|S₀|, |S_r|)   S = the signed map: Σ_c of the method's per-channel
 *                                       attributions when it has them, else its [H, W] map
 *   spearman-signed  ρ_S(S₀, S_r)
 *   ssim             SSIM(mm(M₀), mm(M_r)), M = the method's [H, W] map, mm = per-map min-max to
 *                    [0, 1] (data range 1); window 7, or the largest odd side ≤ min(H, W) when
 *                    the map is smaller (at least 3)
 *   topk             |top_k(M₀) ∩ top_k(M_r)| / k on the method's map (ties: compare/topk.ts)
 *
 * Undefined values are NaN: Spearman of a constant map, and SSIM when a map is constant (min-max
 * has no scale then). They are counted, never averaged in (stats/summary.ts).
 */
import { spearman, ssim, topKOverlap } from '../compare';
import type { Similarities } from './types';

/** One image's maps from one model state. */
export interface MapPair {
  /** The method's [H, W] map (row-major). */
  map: ArrayLike<number>;
  /** The signed [H, W] map (row-major). */
  signed: ArrayLike<number>;
}

/** Per-map min-max to [0, 1]; null for a constant map. */
function minMax(map: ArrayLike<number>): Float64Array | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < map.length; i++) {
    lo = Math.min(lo, map[i]);
    hi = Math.max(hi, map[i]);
  }
  if (!(hi > lo)) return null;
  const out = new Float64Array(map.length);
  for (let i = 0; i < map.length; i++) out[i] = (map[i] - lo) / (hi - lo);
  return out;
}

/** SSIM window side for an H × W map. */
export function ssimWindow(height: number, width: number): number {
  const side = Math.min(7, height, width);
  return side % 2 === 1 ? side : side - 1;
}

const abs = (x: ArrayLike<number>) => Float64Array.from(x as ArrayLike<number>, Math.abs);

/** Every statistic of {@link Similarities} for one pair of maps. */
export function similarities(original: MapPair, randomised: MapPair, height: number, width: number, topK: number): Similarities {
  const a = minMax(original.map);
  const b = minMax(randomised.map);
  const win = ssimWindow(height, width);
  return {
    'spearman-abs': spearman(abs(original.signed), abs(randomised.signed)),
    'spearman-signed': spearman(original.signed, randomised.signed),
    ssim: a && b && win >= 3 ? ssim(a, b, { height, width, dataRange: 1, winSize: win }).mssim : Number.NaN,
    topk: topKOverlap(original.map, randomised.map, topK).intersection
  };
}

/** Row `row` of a batch result as a {@link MapPair}. */
export function rowMaps(maps: Float32Array, raw: Float32Array | null, row: number, size: number, channels: number): MapPair {
  const map = maps.subarray(row * size, (row + 1) * size);
  if (!raw) return { map, signed: map };
  const signed = new Float64Array(size);
  const base = row * size * channels;
  for (let i = 0; i < size; i++) for (let c = 0; c < channels; c++) signed[i] += raw[base + i * channels + c];
  return { map, signed };
}
