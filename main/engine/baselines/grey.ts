/**
 * `grey`: every pixel at half the raw range, 127.5 of 0–255 (spec §4.2: "0.5 of the range"), in
 * every channel, converted to model space with the model's preprocessing. 127.5 rather than the
 * 8-bit 128 so that the baseline is exactly the midpoint of the range, as the spec defines it.
 * No options.
 */
import { rejectUnknownOptions } from './options';
import { constantFromRaw } from './raw-space';
import type { BaselineDefinition } from './types';

/** Raw pixel value of the grey baseline. */
export const GREY_RAW_VALUE = 127.5;

export const grey: BaselineDefinition = {
  id: 'grey',
  aliases: ['gray'],
  label: 'Grey (raw 127.5)',
  stochastic: false,
  dependsOnInput: false,
  defaults: {},
  validate(options) {
    rejectUnknownOptions('baseline grey', options, []);
    return {};
  },
  materialize: async (ctx) => constantFromRaw(ctx, GREY_RAW_VALUE)
};
