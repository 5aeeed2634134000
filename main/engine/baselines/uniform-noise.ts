/**
 * `uniform-noise`: i.i.d. U(low, high) per pixel and channel in RAW pixel space (default U(0, 255),
 * Samek et al.'s MoRF perturbation, spec §4.2), converted to model space with the preprocessing.
 * Seeded per (seed, item index): see ./noise. Options `low` (default 0) and `high` (default 255),
 * raw pixel values with low < high.
 */
import { AppError } from '../../../shared/errors';
import { drawPerRow } from './noise';
import { readNumber, rejectUnknownOptions } from './options';
import { modelFromRaw } from './raw-space';
import type { BaselineDefinition } from './types';

export const uniformNoise: BaselineDefinition = {
  id: 'uniform-noise',
  label: 'Uniform noise (raw)',
  stochastic: true,
  dependsOnInput: false,
  defaults: { low: 0, high: 255 },
  validate(options) {
    rejectUnknownOptions('baseline uniform-noise', options, ['low', 'high']);
    const low = readNumber('baseline uniform-noise', options, 'low', 0);
    const high = readNumber('baseline uniform-noise', options, 'high', 255);
    if (!(high > low)) throw new AppError('PARAM_INVALID', `baseline uniform-noise: \`high\` must be > \`low\`, got low=${low}, high=${high}.`);
    return { low, high };
  },
  async materialize(ctx, options) {
    const low = options.low as number;
    const span = (options.high as number) - low;
    const raw = drawPerRow(ctx, 'uniform-noise', new Float32Array(ctx.x.size), (rng) => low + span * rng.uniform());
    return modelFromRaw(ctx, raw);
  }
};
