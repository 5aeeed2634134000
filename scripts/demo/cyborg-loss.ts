/**
 * The CYBORG salience-guided loss (algorithms.md §3.9) for the demo architecture:
 *
 *   L = α · CE(logits, y) + (1 − α) · MSE(CAM_model, H),   α = 0.5.
 *
 * CAM of a flatten head. The demo model has conv3 (7×7×64) → flatten → Dense(10), not global
 * average pooling, so the usual CAM (GAP weights) is not defined. A flatten head gives every cell
 * its own weights, W[(i·7 + j)·64 + c, k] (tfjs flattens NHWC row-major), and the logit is
 *
 *   z_k = Σ_{i,j} CAM_k(i, j) + b_k,   CAM_k(i, j) = Σ_c A_c(i, j) · W[(i·7 + j)·64 + c, k],
 *
 * so CAM_k is the exact additive contribution of each cell to the logit (with GAP weights it
 * reduces to the usual CAM up to the factor 1/49). k is the PREDICTED class (argmax of the
 * logits, as in the CYBORG code, even during training); the argmax itself carries no gradient.
 * Per sample the CAM is min-max normalised to [0, 1] (no ReLU): (CAM − min) / (max − min + ε),
 * ε = 1e-7 so a constant CAM gives zeros instead of NaN.
 *
 * H, the human salience: the 28×28 stroke mask (0/1) area-averaged to 7×7 (4×4 blocks, exact
 * because 28 = 4·7; the spec's bilinear resize would alias a 4× downscale) and min-max normalised.
 * A sample whose H is constant (no mask, or an empty one) is left out of the MSE, which is the mean
 * over the remaining samples × 49 cells (0 when none remain).
 *
 * Gradients reach the conv layers through A and the dense kernel through W (both are read inside
 * the optimiser's closure); first-order only.
 */
import { SIDE } from './data';
import { featuresAndLogitsModel, GRADCAM_LAYER, LOGITS_LAYER } from './model';
import type { LossFn } from './train';
import type { Tf } from './tf';
import type { LayersModel, Scalar, Tensor, Tensor2D, Tensor3D, Tensor4D } from '@tensorflow/tfjs-node';

/** Weight of the cross-entropy term (1 gives plain cross-entropy). */
export const CYBORG_ALPHA = 0.5;
/** Side of the CAM grid (conv3's spatial output). */
export const CAM_SIDE = 7;
/** Guard of the min-max denominators. */
export const MINMAX_EPS = 1e-7;

/** Per-sample min-max normalisation of [n, h, w] maps to [0, 1]. */
export function minMax3d(tf: Tf, maps: Tensor3D): Tensor3D {
  return tf.tidy(() => {
    const lo = maps.min([1, 2], true);
    const hi = maps.max([1, 2], true);
    return maps.sub(lo).div(hi.sub(lo).add(MINMAX_EPS)) as Tensor3D;
  });
}

/**
 * CAM of class `classes[n]` for every sample: features [n, 7, 7, C], dense kernel [7·7·C, K]
 * (flatten order), classes [n] int32 → [n, 7, 7].
 */
export function flattenHeadCam(tf: Tf, features: Tensor4D, kernel: Tensor2D, classes: Tensor): Tensor3D {
  return tf.tidy(() => {
    const [n, h, w, c] = features.shape;
    // one-hot × kernelᵀ picks column k exactly (0/1 weights); tf.gather would try to
    // differentiate its int32 indices and fail inside the optimiser's tape
    const pick = tf.oneHot(classes.toInt(), kernel.shape[1]).toFloat();
    const perClass = pick.matMul(kernel, false, true); // [n, h·w·c]
    return features.mul(perClass.reshape([n, h, w, c])).sum(-1) as Tensor3D;
  });
}

/**
 * Human salience targets from [n, 28, 28] 0/1 stroke masks: 4×4 area means, min-max normalised;
 * `valid[n]` is 1 where the downscaled mask is not constant.
 */
export function maskTargets(tf: Tf, masks: Float32Array, n: number): { target: Tensor3D; valid: Tensor } {
  return tf.tidy(() => {
    const m = tf.tensor4d(masks, [n, SIDE, SIDE, 1]);
    const block = SIDE / CAM_SIDE;
    const small = tf.avgPool(m, block, block, 'valid').reshape([n, CAM_SIDE, CAM_SIDE]) as Tensor3D;
    const range = small.max([1, 2]).sub(small.min([1, 2]));
    return { target: minMax3d(tf, small), valid: range.greater(0).toFloat() };
  });
}

/** MSE over the valid samples × cells; 0 when no sample is valid. */
function maskedMse(tf: Tf, cam: Tensor3D, target: Tensor3D, valid: Tensor): Scalar {
  const perSample = cam.sub(target).square().mean([1, 2]);
  return perSample.mul(valid).sum().div(valid.sum().maximum(1)) as Scalar;
}

/** The CYBORG loss for models whose `features` come from conv3 and whose head is `logits`. */
export function cyborgLoss(model: LayersModel, alpha = CYBORG_ALPHA): LossFn {
  const dense = model.getLayer(LOGITS_LAYER);
  return (tf, logits, yOneHot, _x, batch, features) => {
    if (!features) throw new Error(`cyborgLoss needs the ${GRADCAM_LAYER} activations (trainModel's featureLayer option)`);
    if (!batch.extra) throw new Error('cyborgLoss needs stroke masks in Batch.extra (recipe masks: true)');
    const ce = tf.losses.softmaxCrossEntropy(yOneHot, logits) as Scalar;
    const kernel = (dense.trainableWeights[0].read() as Tensor2D);
    const predicted = logits.argMax(-1);
    const cam = minMax3d(tf, flattenHeadCam(tf, features, kernel, predicted));
    const { target, valid } = maskTargets(tf, batch.extra, batch.size);
    return ce.mul(alpha).add(maskedMse(tf, cam, target, valid).mul(1 - alpha)) as Scalar;
  };
}

/**
 * Mean over `images` (8-bit, with stroke masks) of the CYBORG mask term: the per-image MSE between
 * the min-max CAM of the predicted class and the min-max 7×7 mask, images with a constant mask
 * left out. Rounded to 4 decimals for the manifest. Measures how far a model's CAM is from the
 * human salience, for both families.
 */
export function camMaskMse(tf: Tf, model: LayersModel, images: ReadonlyArray<{ pixels: Uint8Array; mask: Uint8Array | null }>): number {
  const withMask = images.filter((i) => i.mask !== null);
  const n = withMask.length;
  const value = tf.tidy(() => {
    const x = tf.tensor4d(Float32Array.from(withMask.flatMap((i) => Array.from(i.pixels, (v) => v / 255))), [n, SIDE, SIDE, 1]);
    const net = featuresAndLogitsModel(tf, model, GRADCAM_LAYER);
    const [features, logits] = net.predict(x) as [Tensor4D, Tensor2D];
    const kernel = model.getLayer(LOGITS_LAYER).getWeights()[0] as Tensor2D;
    const cam = minMax3d(tf, flattenHeadCam(tf, features, kernel, logits.argMax(-1)));
    const { target, valid } = maskTargets(tf, Float32Array.from(withMask.flatMap((i) => Array.from(i.mask as Uint8Array, (v) => v / 255))), n);
    return maskedMse(tf, cam, target, valid);
  });
  const v = value.dataSync()[0];
  value.dispose();
  return Math.round(v * 1e4) / 1e4;
}
