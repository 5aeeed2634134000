/**
 * Parameter validation shared by the four metrics: `baseline` (any registry spec), `steps`
 * (pixel metrics: K; region metrics: L), `tile` (region metrics), `draws` (baseline draws averaged
 * per curve; default 5 for a noise baseline as Samek et al. average 5 uniform-noise draws, always
 * 1 for a deterministic baseline, where every draw is the same).
 */
import { getBaseline, readBaselineParam } from '../baselines';
import { readNumber } from '../baselines/options';
import { rejectUnknownParams } from '../saliency/method';
import type { MetricParams } from './types';

/** Default draws for a stochastic baseline (Samek et al.'s 5 noise draws, spec §5.9). */
export const DEFAULT_NOISE_DRAWS = 5;

export function readMetricParams(owner: string, params: Record<string, unknown>, fallbackBaseline: string, region: boolean): MetricParams {
  rejectUnknownParams(owner, params, region ? ['baseline', 'steps', 'tile', 'draws'] : ['baseline', 'steps', 'draws']);
  const baseline = readBaselineParam(owner, params, 'baseline', fallbackBaseline);
  const stochastic = getBaseline(baseline).stochastic;
  const steps = params.steps == null ? (region ? 100 : null) : readNumber(owner, params, 'steps', 1, { min: 1, max: 10_000_000, integer: true });
  const tile = region ? readNumber(owner, params, 'tile', 9, { min: 1, max: 100_000, integer: true }) : null;
  const draws = stochastic ? readNumber(owner, params, 'draws', DEFAULT_NOISE_DRAWS, { min: 1, max: 1000, integer: true }) : 1;
  return { baseline, steps, tile, draws };
}

/**
 * One parameter bag shared by several metrics (a comma list on the CLI, a study grid): `tile`
 * only applies to the region metrics (MoRF, LeRF) and is dropped for the pixel metrics.
 */
export function sharedParamsFor(region: boolean, shared: Record<string, unknown>): Record<string, unknown> {
  const { tile, ...rest } = shared;
  return region ? { ...rest, ...(tile === undefined ? {} : { tile }) } : rest;
}
