/**
 * Draws an image with a saliency map over it on a 2-D canvas. Both are put on small scratch
 * canvases at their own resolution and scaled up by `drawImage` with smoothing, so a 28×28 map
 * becomes a smooth overlay aligned with the image, at any display size.
 */
import type { RgbaImage } from '../../../shared/types/images';
import type { SaliencyMap } from '../../../shared/types/saliency';
import { mapToRgba, type MapRange } from './colormap';

function scratch(width: number, height: number, rgba: Uint8ClampedArray): HTMLCanvasElement | null {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) return null;
  const pixels = ctx.createImageData(width, height);
  pixels.data.set(rgba);
  ctx.putImageData(pixels, 0, 0);
  return canvas;
}

const BASE_ALPHA_UNDER_MAP = 0.45;

export interface HeatmapLayers {
  image: RgbaImage | null;
  map: SaliencyMap | null;
  range: MapRange | null;
  /** Overlay opacity, 0–1. */
  opacity: number;
}

/**
 * Paints the layers onto `target`, filling it. Returns false when the canvas has no 2-D context
 * (nothing could be drawn), so callers only report a map as ready once it is on screen.
 */
export function drawHeatmap(target: HTMLCanvasElement, layers: HeatmapLayers): boolean {
  const ctx = target.getContext('2d');
  if (!ctx) return false;
  const { width, height } = target;
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = '#10131a';
  ctx.fillRect(0, 0, width, height);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  if (layers.image) {
    const base = scratch(layers.image.width, layers.image.height, layers.image.data);
    if (!base) return false;
    // Under a map the image is dimmed, so bright pixels (e.g. white digit strokes) do not wash out the colours.
    ctx.globalAlpha = layers.map ? BASE_ALPHA_UNDER_MAP : 1;
    ctx.drawImage(base, 0, 0, width, height);
    ctx.globalAlpha = 1;
  }
  if (layers.map && layers.range) {
    const { map, range } = layers;
    const overlay = scratch(map.width, map.height, mapToRgba(map.data, range, layers.opacity));
    if (!overlay) return false;
    ctx.drawImage(overlay, 0, 0, width, height);
  }
  return true;
}
