/**
 * Region schedule of MoRF and LeRF (Samek et al. 2017; spec §5.9 with the spec's implementation
 * decision): non-overlapping `tile`×`tile` tiles (default 9, the paper's 9×9 regions) on the image
 * padded up to a multiple of the tile side, tile relevance = Σ of pixel relevance in the tile,
 * tiles ordered by relevance (descending for MoRF, ascending for LeRF; ties stable by tile index),
 * one tile per step for L = min(`steps`, #tiles) steps (default L = 100). No pixel is perturbed twice.
 */
import { checkMap, orderByValue, scheduleFromOrder, tileGrid, tileRelevance } from './ordering';
import type { MetricParams, Schedule } from './types';

export function regionSchedule(owner: string, map: ArrayLike<number>, height: number, width: number, params: MetricParams, mostRelevantFirst: boolean): Schedule {
  checkMap(owner, map, height, width);
  const { tileOf, rows, cols } = tileGrid(height, width, params.tile ?? 9);
  const tiles = rows * cols;
  const order = orderByValue(tileRelevance(map, tileOf, tiles), mostRelevantFirst);
  return scheduleFromOrder(order, tileOf, 1, Math.min(params.steps ?? 100, tiles));
}
