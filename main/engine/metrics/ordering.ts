/**
 * Orderings and schedules shared by the metrics (algorithms.md §5.8–§5.9):
 * - pixels by saliency, descending, ties broken stably by flat index (the spec's first option,
 *   deterministic without a seed);
 * - non-overlapping square tiles on a grid padded up to a multiple of the tile side (padding
 *   pixels do not exist and add nothing), tile relevance = Σ of the pixel relevance inside it;
 * - a schedule giving each pixel the step at which it is perturbed.
 */
import { AppError } from '../../../shared/errors';
import type { Schedule } from './types';

/** @throws AppError PARAM_INVALID unless the map holds H·W finite values */
export function checkMap(owner: string, map: ArrayLike<number>, height: number, width: number): void {
  if (map.length !== height * width) throw new AppError('PARAM_INVALID', `${owner}: the saliency map has ${map.length} values, expected ${height}×${width} = ${height * width}.`);
  for (let i = 0; i < map.length; i++) {
    if (!Number.isFinite(map[i])) throw new AppError('PARAM_INVALID', `${owner}: the saliency map holds ${map[i]} at pixel ${i}; maps must be finite.`, { hint: 'Recompute the map, or replace NaN/Inf before evaluating.' });
  }
}

/** Indices 0…n−1 sorted by value, descending (or ascending), ties by index ascending. */
export function orderByValue(values: ArrayLike<number>, descending: boolean): Int32Array {
  const order = Int32Array.from({ length: values.length }, (_, i) => i);
  const sign = descending ? -1 : 1;
  return order.sort((a, b) => sign * (values[a] - values[b]) || a - b);
}

/** Tile grid of an H×W image with square tiles of side `tile`: tile index of each pixel and the tile count. */
export function tileGrid(height: number, width: number, tile: number): { tileOf: Int32Array; rows: number; cols: number } {
  const rows = Math.ceil(height / tile);
  const cols = Math.ceil(width / tile);
  const tileOf = new Int32Array(height * width);
  for (let i = 0; i < height; i++) for (let j = 0; j < width; j++) tileOf[i * width + j] = Math.floor(i / tile) * cols + Math.floor(j / tile);
  return { tileOf, rows, cols };
}

/** Σ of pixel relevance per tile, accumulated in float64. */
export function tileRelevance(map: ArrayLike<number>, tileOf: Int32Array, tiles: number): Float64Array {
  const sums = new Float64Array(tiles);
  for (let p = 0; p < tileOf.length; p++) sums[tileOf[p]] += map[p];
  return sums;
}

/**
 * Schedule from a unit ordering: unit `order[r]` (r = 0, 1, …) is perturbed at step ⌊r / perStep⌋ + 1,
 * for the first `steps · perStep` units; `unitOf` maps each pixel to its unit.
 */
export function scheduleFromOrder(order: Int32Array, unitOf: Int32Array | null, perStep: number, steps: number): Schedule {
  const stepOfUnit = new Int32Array(order.length);
  for (let r = 0; r < order.length && r < steps * perStep; r++) stepOfUnit[order[r]] = Math.floor(r / perStep) + 1;
  const stepOf = unitOf ? Int32Array.from(unitOf, (u) => stepOfUnit[u]) : stepOfUnit;
  const counts = new Float64Array(steps + 1);
  for (const s of stepOf) if (s > 0) counts[s]++;
  const fraction = new Float64Array(steps + 1);
  for (let k = 1; k <= steps; k++) fraction[k] = fraction[k - 1] + counts[k] / stepOf.length;
  return { stepOf, steps, fraction };
}
