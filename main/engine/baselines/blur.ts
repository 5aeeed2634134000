/**
 * `blur`: a Gaussian blur of each input in RAW pixel space, converted back to model space (spec
 * §4.2; Petsiuk et al.'s insertion baseline). Separable: one 1-D pass down the columns, then one
 * along the rows, each a depthwise convolution (spec §6).
 *
 * Conventions follow scipy.ndimage.gaussian_filter, the reference the spec names: kernel
 * weights exp(−t²/2σ²) for t = −r…r, normalised to sum 1, radius r = round(4σ); boundary "reflect"
 * with the edge pixel repeated (… b a | a b c … , TF.js mirrorPad `symmetric`), extended
 * periodically when r exceeds the image size. Because the weights sum to 1 and the boundary only
 * re-uses real pixels, a constant image blurs to itself.
 *
 * Options: `sigma` in pixels (default 5, > 0); `radius` (default round(4σ); 5 with σ = 5 gives
 * Petsiuk's 11×11 kernel).
 */
import type * as tf from '@tensorflow/tfjs';
import { readNumber, rejectUnknownOptions } from './options';
import { modelFromRaw, rawFromInput } from './raw-space';
import type { BaselineDefinition } from './types';

/** Normalised 1-D Gaussian weights for t = −radius…radius (computed in float64). */
export function gaussianKernel(sigma: number, radius: number): Float64Array {
  const weights = Float64Array.from({ length: 2 * radius + 1 }, (_, k) => Math.exp(-((k - radius) ** 2) / (2 * sigma * sigma)));
  const total = weights.reduce((a, b) => a + b, 0);
  return weights.map((v) => v / total);
}

/** Symmetric (edge-repeating) padding by `pad` on both ends of `axis`, repeated while pad > size. */
function symmetricPad(t: typeof tf, image: tf.Tensor4D, axis: 1 | 2, pad: number): tf.Tensor4D {
  let out = image;
  for (let left = pad; left > 0; ) {
    const step = Math.min(left, out.shape[axis]);
    const paddings: Array<[number, number]> = [[0, 0], [0, 0], [0, 0], [0, 0]];
    paddings[axis] = [step, step];
    out = t.mirrorPad(out, paddings, 'symmetric');
    left -= step;
  }
  return out;
}

/** Gaussian blur of NHWC `image` along H then W (call inside tf.tidy). */
export function gaussianBlur(t: typeof tf, image: tf.Tensor4D, sigma: number, radius: number): tf.Tensor4D {
  if (radius === 0) return t.clone(image);
  const channels = image.shape[3];
  const weights = Float32Array.from(gaussianKernel(sigma, radius));
  const taps = 2 * radius + 1;
  const column = t.tile(t.tensor4d(weights, [taps, 1, 1, 1]), [1, 1, channels, 1]) as tf.Tensor4D;
  const row = t.reshape(column, [1, taps, channels, 1]) as tf.Tensor4D;
  const down = t.depthwiseConv2d(symmetricPad(t, image, 1, radius), column, 1, 'valid');
  return t.depthwiseConv2d(symmetricPad(t, down, 2, radius), row, 1, 'valid');
}

export const blur: BaselineDefinition = {
  id: 'blur',
  label: 'Gaussian blur',
  stochastic: false,
  dependsOnInput: true,
  defaults: { sigma: 5 },
  validate(options) {
    rejectUnknownOptions('baseline blur', options, ['sigma', 'radius']);
    const sigma = readNumber('baseline blur', options, 'sigma', 5, { above: 0 });
    const radius = readNumber('baseline blur', options, 'radius', Math.round(4 * sigma), { min: 0, integer: true });
    return { sigma, radius };
  },
  async materialize(ctx, options) {
    const { tf: t } = ctx;
    const raw = await rawFromInput(ctx);
    const blurred = t.tidy(() => gaussianBlur(t, t.tensor4d(raw, ctx.x.shape), options.sigma as number, options.radius as number));
    try {
      return modelFromRaw(ctx, (await blurred.data()) as Float32Array);
    } finally {
      blurred.dispose();
    }
  }
};
