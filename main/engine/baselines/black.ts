/**
 * `black`: every pixel 0 in RAW pixel space, converted to model space with the model's
 * preprocessing (spec §4.2, §7 row 16). For a model normalised with a dataset mean this is NOT 0 in
 * model space (that baseline is `mean-colour`); `(0 · scale − mean) / std` per channel instead.
 * The default baseline of Integrated Gradients (spec §5.4). No options.
 */
import { rejectUnknownOptions } from './options';
import { constantFromRaw } from './raw-space';
import type { BaselineDefinition } from './types';

export const black: BaselineDefinition = {
  id: 'black',
  label: 'Black (raw 0)',
  stochastic: false,
  dependsOnInput: false,
  defaults: {},
  validate(options) {
    rejectUnknownOptions('baseline black', options, []);
    return {};
  },
  materialize: async (ctx) => constantFromRaw(ctx, 0)
};
