/** Display-sized copies of stored maps: what travels to the renderer (events and page reads). */
import { resizeBilinear } from '../../engine/data/preprocess';

/** Longest side of a map sent to the renderer; larger maps stay on disk at full size. */
export const DISPLAY_SIDE = 128;

/** Bilinear downsizing so the longest side is at most `maxSide`; smaller maps are copied as they are. */
export function displaySized(map: Float32Array, height: number, width: number, maxSide = DISPLAY_SIDE): { data: Float32Array; height: number; width: number } {
  const scale = maxSide / Math.max(height, width);
  if (scale >= 1) return { data: map.slice(), height, width };
  const h = Math.max(1, Math.round(height * scale));
  const w = Math.max(1, Math.round(width * scale));
  return { data: resizeBilinear(map, height, width, 1, h, w), height: h, width: w };
}
