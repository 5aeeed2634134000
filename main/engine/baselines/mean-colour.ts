/**
 * `mean-colour` (alias `zero-normalised`): one colour per channel, spread over the whole image.
 *
 * Naming: with the default `source=preprocessing` this is the ZERO of model space. Under mean/std
 * normalisation whose `mean` is the training set's channel means, model-space 0 is exactly that
 * mean colour (raw value mean/scale per channel), hence the name; it is also what several
 * reference implementations (RISE deletion) silently use when they say "black" (spec §5.0, §7 row
 * 16). When the preprocessing has mean 0 (e.g. only scale 1/255) it coincides with `black`.
 *
 * Option `source` (spec §4.2 "per-channel dataset mean, or per-image mean colour"):
 * - `preprocessing` (default): model-space 0;
 * - `dataset`: channel means of the image set's mean image (`ctx.datasetMean`, see `mean-image`);
 * - `image`: each input's own channel means.
 * Means are taken in model space, which equals converting the raw-space mean, since the
 * preprocessing is affine per channel.
 */
import { AppError } from '../../../shared/errors';
import { readChoice, rejectUnknownOptions } from './options';
import { checkImageShape } from './raw-space';
import type { BaselineDefinition } from './types';

const SOURCES = ['preprocessing', 'dataset', 'image'] as const;

export const meanColour: BaselineDefinition = {
  id: 'mean-colour',
  aliases: ['zero-normalised'],
  label: 'Mean colour (model-space zero)',
  stochastic: false,
  dependsOnInput: false,
  defaults: { source: 'preprocessing' },
  validate(options) {
    rejectUnknownOptions('baseline mean-colour', options, ['source']);
    return { source: readChoice('baseline mean-colour', options, 'source', 'preprocessing', SOURCES) };
  },
  async materialize(ctx, options) {
    const { tf, x } = ctx;
    if (options.source === 'preprocessing') return tf.zerosLike(x);
    if (options.source === 'image') return tf.tidy(() => tf.add(tf.zerosLike(x), tf.mean(x, [1, 2], true)) as typeof x);
    if (!ctx.datasetMean) {
      throw new AppError('PARAM_INVALID', 'baseline mean-colour: `source=dataset` needs the image set\'s mean image, and none was given.', {
        hint: 'Compute it with computeMeanImage (one pass over the set) and pass it as datasetMean.'
      });
    }
    const [h, w, c] = checkImageShape(ctx, ctx.datasetMean.shape, 'the dataset mean image');
    const { data } = ctx.datasetMean;
    return tf.tidy(() => tf.add(tf.zerosLike(x), tf.mean(tf.tensor4d(data, [1, h, w, c]), [1, 2], true)) as typeof x);
  }
};
