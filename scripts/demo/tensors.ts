/** Conversions between the generator's 8-bit images and tensors, and batched prediction. */
import { PIXELS, SIDE } from './data';
import type { Tf } from './tf';
import type { LayersModel, Tensor, Tensor4D } from '@tensorflow/tfjs-node';

/** Packs 8-bit images into one float buffer scaled by 1/255 (the models' preprocessing). */
export function packImages(images: readonly Uint8Array[]): Float32Array {
  const out = new Float32Array(images.length * PIXELS);
  images.forEach((img, n) => {
    for (let i = 0; i < PIXELS; i++) out[n * PIXELS + i] = img[i] / 255;
  });
  return out;
}

/** A [n, 28, 28, 1] input tensor for 8-bit images. */
export function imagesToTensor(tf: Tf, images: readonly Uint8Array[]): Tensor4D {
  return tf.tensor4d(packImages(images), [images.length, SIDE, SIDE, 1]);
}

/** Predicted class per image (argmax of the model output), in chunks to bound memory. */
export function predictClasses(tf: Tf, model: LayersModel, images: readonly Uint8Array[]): number[] {
  const out: number[] = [];
  const chunk = 500;
  for (let s = 0; s < images.length; s += chunk) {
    const part = tf.tidy(() => {
      const x = imagesToTensor(tf, images.slice(s, s + chunk));
      return (model.predict(x) as Tensor).argMax(-1);
    });
    out.push(...Array.from(part.dataSync()));
    part.dispose();
  }
  return out;
}

/** Fraction of predictions equal to the labels. */
export function accuracy(predicted: readonly number[], labels: readonly number[]): number {
  let hits = 0;
  predicted.forEach((p, i) => {
    if (p === labels[i]) hits++;
  });
  return labels.length ? hits / labels.length : 0;
}
