/**
 * Twice-differentiable replacements for the two TF.js kernels whose gradient is not registered
 * (algorithms.md §2.4, §6): Conv2DBackpropFilter (the per-sample kernel gradient) and MaxPool's
 * MaxPoolGrad. Built only from pad, slice, reshape, concat, matMul and maximum, which TF.js
 * differentiates to any order.
 *
 * Strided windows: for a kernel offset (a, b) the inputs seen by outputs (i, j) are
 * x[a + i·sh, b + j·sw]. Cut x[a : a + Ho·sh, b : b + Wo·sw] (after padding bottom/right so it
 * fits), reshape to [B, Ho, sh, Wo, sw, C] and keep index 0 of both stride axes — a strided
 * subsample made of ops with registered gradients (StridedSlice has none in tfjs 4.22).
 */
import type * as tfTypes from '@tensorflow/tfjs';

type Tf = typeof tfTypes;
type Tensor4D = tfTypes.Tensor4D;

/** TF 'same' padding of one axis: total = max((out − 1)·s + k − in, 0), top = ⌊total/2⌋. */
export function samePadding(size: number, kernel: number, stride: number): { out: number; before: number; after: number } {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  return { out, before: Math.floor(total / 2), after: total - Math.floor(total / 2) };
}

/** Output size and padding of a window op over one axis. */
export function windowGeometry(size: number, kernel: number, stride: number, padding: 'same' | 'valid'): { out: number; before: number; after: number } {
  if (padding === 'same') return samePadding(size, kernel, stride);
  return { out: Math.floor((size - kernel) / stride) + 1, before: 0, after: 0 };
}

/** Geometry of a window op (conv or pool): kernel, strides, TF padding. */
export interface WindowSpec {
  kernel: [number, number];
  strides: [number, number];
  padding: 'same' | 'valid';
}

/**
 * Pads x so that every strided window fits: the op's own padding (value `fill`) plus extra rows
 * and columns at the bottom/right. Returns the padded tensor and the output size.
 */
function padForWindows(tf: Tf, x: Tensor4D, spec: WindowSpec, fill: number): { padded: Tensor4D; ho: number; wo: number } {
  const [, h, w] = x.shape;
  const gh = windowGeometry(h, spec.kernel[0], spec.strides[0], spec.padding);
  const gw = windowGeometry(w, spec.kernel[1], spec.strides[1], spec.padding);
  const needH = spec.kernel[0] - 1 + gh.out * spec.strides[0];
  const needW = spec.kernel[1] - 1 + gw.out * spec.strides[1];
  const extraH = Math.max(0, needH - (h + gh.before + gh.after));
  const extraW = Math.max(0, needW - (w + gw.before + gw.after));
  const pads: Array<[number, number]> = [[0, 0], [gh.before, gh.after + extraH], [gw.before, gw.after + extraW], [0, 0]];
  const padded = pads.some(([a, b]) => a > 0 || b > 0) ? tf.pad(x, pads, fill) : x;
  return { padded, ho: gh.out, wo: gw.out };
}

/** The [B, Ho, Wo, C] inputs seen at kernel offset (a, b) of a padded input. */
function windowAt(tf: Tf, padded: Tensor4D, a: number, b: number, ho: number, wo: number, strides: [number, number]): Tensor4D {
  const [n, , , c] = padded.shape;
  const [sh, sw] = strides;
  const cut = tf.slice(padded, [0, a, b, 0], [n, ho * sh, wo * sw, c]);
  if (sh === 1 && sw === 1) return cut;
  const split = tf.reshape(cut, [n, ho, sh, wo, sw, c]);
  return tf.reshape(tf.slice(split, [0, 0, 0, 0, 0, 0], [n, ho, 1, wo, 1, c]), [n, ho, wo, c]);
}

/**
 * Per-sample kernel gradient of a conv y = x ⋆ W from its input x [B, H, W, C] (unpadded) and
 * output gradient dy [B, Ho, Wo, O]:
 *   G_n[a, b, c, o] = Σ_{i,j} x̃_n[a + i·sh, b + j·sw, c] · dy_n[i, j, o]     (x̃ = padded x)
 * computed as one batched matMul of the im2col patches [B, Ho·Wo, kh·kw·C] with dy. Returns
 * [B, kh, kw, C, O] as a 5-D tensor (B = 1 gives the ordinary kernel gradient).
 */
export function perSampleKernelGradient(tf: Tf, x: Tensor4D, dy: Tensor4D, spec: WindowSpec): tfTypes.Tensor {
  const [n, , , c] = x.shape;
  const o = dy.shape[3];
  const { padded, ho, wo } = padForWindows(tf, x, spec, 0);
  const windows: Tensor4D[] = [];
  for (let a = 0; a < spec.kernel[0]; a++) for (let b = 0; b < spec.kernel[1]; b++) windows.push(windowAt(tf, padded, a, b, ho, wo, spec.strides));
  const patches = tf.reshape(windows.length === 1 ? windows[0] : tf.concat(windows, 3), [n, ho * wo, windows.length * c]);
  const grads = tf.matMul(patches, tf.reshape(dy, [n, ho * wo, o]), true, false);
  return tf.reshape(grads, [n, spec.kernel[0], spec.kernel[1], c, o]);
}

/**
 * Max-pooling as the maximum over the pool's shifted strided windows (padding with a very
 * negative value for 'same'). Its gradient goes through Maximum, which routes ties to the first
 * window in row-major order, like TF's MaxPoolGrad, and is itself differentiable.
 */
export function maxPoolByMaximum(tf: Tf, x: Tensor4D, spec: WindowSpec): Tensor4D {
  const { padded, ho, wo } = padForWindows(tf, x, spec, -3.4e38);
  let out: Tensor4D | null = null;
  for (let a = 0; a < spec.kernel[0]; a++) {
    for (let b = 0; b < spec.kernel[1]; b++) {
      const w = windowAt(tf, padded, a, b, ho, wo, spec.strides);
      out = out === null ? w : (tf.maximum(out, w) as Tensor4D);
    }
  }
  return out as Tensor4D;
}
