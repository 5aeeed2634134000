/**
 * Pixel schedule of deletion and insertion (Petsiuk et al. 2018; spec §5.8): pixels by saliency,
 * descending, ties stable by flat index, n = ⌈H·W / K⌉ per step, so K = ⌈H·W / n⌉ steps and
 * K + 1 curve points. Default K = round(√(H·W)): 224 steps of 224 pixels at 224×224 (the
 * reference setting), 28 steps of 28 pixels at 28×28.
 */
import { checkMap, orderByValue, scheduleFromOrder } from './ordering';
import type { MetricParams, Schedule } from './types';

/** Default step count for an H×W map. */
export function defaultPixelSteps(height: number, width: number): number {
  return Math.max(1, Math.round(Math.sqrt(height * width)));
}

export function pixelSchedule(owner: string, map: ArrayLike<number>, height: number, width: number, params: MetricParams): Schedule {
  checkMap(owner, map, height, width);
  const pixels = height * width;
  const wanted = Math.min(params.steps ?? defaultPixelSteps(height, width), pixels);
  const perStep = Math.ceil(pixels / wanted);
  return scheduleFromOrder(orderByValue(map, true), null, perStep, Math.ceil(pixels / perStep));
}
