/**
 * `constant`: every value equal to `value` IN MODEL SPACE (the space the network is fed), by
 * definition; no preprocessing is applied. Use `black`/`grey` for constants in raw pixel space.
 * Option `value` (default 0, which is the same tensor as `mean-colour`).
 */
import { readNumber, rejectUnknownOptions } from './options';
import type { BaselineDefinition } from './types';

export const constant: BaselineDefinition = {
  id: 'constant',
  label: 'Constant (model space)',
  stochastic: false,
  dependsOnInput: false,
  defaults: { value: 0 },
  validate(options) {
    rejectUnknownOptions('baseline constant', options, ['value']);
    return { value: readNumber('baseline constant', options, 'value', 0) };
  },
  materialize: async ({ tf, x }, options) => tf.fill(x.shape, options.value as number) as typeof x
};
