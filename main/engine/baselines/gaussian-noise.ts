/**
 * `gaussian-noise`: Gaussian noise in RAW pixel space (spec §4.2), converted to model space:
 * - `mean=input` (default): x_raw + N(0, σ²), the noisy copy of each input;
 * - `mean=<number>`: N(mean, σ²) independent of x, e.g. the data mean and spread.
 * Option `sigma` in raw pixel units (default 25.5, a tenth of the 0–255 range; a choice of ours,
 * the spec gives none). Values are not clipped to 0–255. Seeded per (seed, item index): see ./noise.
 */
import { AppError } from '../../../shared/errors';
import { drawPerRow } from './noise';
import { readNumber, rejectUnknownOptions } from './options';
import { modelFromRaw, rawFromInput } from './raw-space';
import type { BaselineDefinition } from './types';

function readMean(options: Record<string, unknown>): number | 'input' {
  const value = options.mean ?? 'input';
  if (value === 'input' || (typeof value === 'number' && Number.isFinite(value))) return value;
  throw new AppError('PARAM_INVALID', `baseline gaussian-noise: \`mean\` must be "input" or a finite raw pixel value, got ${JSON.stringify(value)}.`);
}

export const gaussianNoise: BaselineDefinition = {
  id: 'gaussian-noise',
  label: 'Gaussian noise (raw)',
  stochastic: true,
  dependsOnInput: true,
  defaults: { sigma: 25.5, mean: 'input' },
  validate(options) {
    rejectUnknownOptions('baseline gaussian-noise', options, ['sigma', 'mean']);
    return { sigma: readNumber('baseline gaussian-noise', options, 'sigma', 25.5, { min: 0 }), mean: readMean(options) };
  },
  async materialize(ctx, options) {
    const sigma = options.sigma as number;
    const mean = options.mean;
    const start = mean === 'input' ? await rawFromInput(ctx) : new Float32Array(ctx.x.size).fill(mean as number);
    const raw = drawPerRow(ctx, 'gaussian-noise', start, (rng, centre) => centre + sigma * rng.normal());
    return modelFromRaw(ctx, raw);
  }
};
