/**
 * Per-sample filter profiles of one convolution from its input x and its output gradient dy,
 * for a whole batch at once (the "batched im2col" formulation).
 *
 * For a convolution y_n = x_n ⋆ W with loss L = Σ_n L_n (rows independent), the kernel gradient
 * of sample n is a sum over output positions p of input patches times output gradients:
 *
 *   ∂L_n/∂W[a, o] = Σ_p P_n[p, a] · δ_n[p, o],   P_n = im2col(x_n) [Ho·Wo, kh·kw·C],  δ_n = ∂L/∂y_n
 *
 * i.e. G_n = P_nᵀ δ_n, one batched matmul over n. The profile is then mean_a |G_n[a, o]| (abs
 * before the mean, per sample: never a sum over samples first, §1.2). Depthwise kernels work per
 * channel: G_n[k, c, m] = Σ_p P_n[p, k, c] · δ_n[p, c, m] (a matmul batched over (n, c)).
 *
 * When the output has a single position (Ho·Wo = 1, e.g. the last stage of a ResNet on 32×32
 * inputs) G_n is the outer product P_nᵀ δ_n of two vectors and |G_n[a, o]| = |P_n[a]|·|δ_n[o]|, so
 * mean_a |G_n[a, o]| = mean_a |P_n[a]| · |δ_n[o]| exactly, without forming G_n.
 *
 * When the output is large (more than LOOP_MIN_POSITIONS positions, e.g. the 112×112 stem of a
 * 224×224 ResNet) the kh·kw strided copies of im2col cost more than the arithmetic, and the
 * backend's own filter-gradient kernel is called once per sample instead (measured on the 7×7 stem:
 * 21 ms vs 204 ms for 8 samples; equal at 56×56, im2col ahead below 32×32).
 * Rows are processed in chunks so that neither the patches nor G exceed `maxElements` floats.
 * Checkable property: for any batch, row n equals the profile of a batch-1 pass over x_n alone.
 */
import type * as tfTypes from '@tensorflow/tfjs';

type Tf = typeof tfTypes;
type Tensor = tfTypes.Tensor;
type Pad = 'valid' | 'same' | number | tfTypes.backend_util.ExplicitPadding;

/** One intercepted filter-gradient call (Conv2DBackpropFilter or its depthwise twin). */
export interface FilterGradCall {
  x: tfTypes.Tensor4D;
  dy: tfTypes.Tensor4D;
  filterShape: [number, number, number, number];
  strides: number | [number, number];
  dilations: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  depthwise: boolean;
}

/** Which axis of the kernel holds the filters: 3 (conv, depthwise: (c, m)) or 2 (transpose). */
export type FilterAxis = 2 | 3;

/** Default cap on floats held by one chunk's patches or per-sample gradients (64 MB). */
export const DEFAULT_MAX_ELEMENTS = 1 << 24;

/** Output positions above which one backend kernel call per sample beats im2col (see the file doc). */
export const LOOP_MIN_POSITIONS = 1024;

/** im2col patches of x: [N, Ho·Wo, kh·kw, C], in the kernel's (i, j, c) order. */
function patches(tf: Tf, x: Tensor, call: FilterGradCall): tfTypes.Tensor4D {
  const [kh, kw, c] = call.filterShape;
  const info = tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], call.filterShape, call.strides, call.dilations, call.pad, call.dimRoundingMode, call.depthwise);
  const { top, bottom, left, right } = info.padInfo;
  const { outHeight: ho, outWidth: wo, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  const n = x.shape[0] as number;
  const padded = top || bottom || left || right ? tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]) : x;
  const cols: Tensor[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const begin = [0, i * dh, j * dw, 0];
      cols.push(tf.stridedSlice(padded, begin, [n, i * dh + sh * (ho - 1) + 1, j * dw + sw * (wo - 1) + 1, c], [1, sh, sw, 1]));
    }
  }
  const stacked = cols.length === 1 ? tf.expandDims(cols[0], 3) : tf.stack(cols, 3);
  return tf.reshape(stacked, [n, ho * wo, kh * kw, c]) as tfTypes.Tensor4D;
}

/** Conv (axis 3) or transpose (axis 2) profiles of one chunk: [n, filters]. */
function convChunk(tf: Tf, call: FilterGradCall, x: Tensor, dy: Tensor, axis: FilterAxis): Tensor {
  const [kh, kw, c, o] = call.filterShape;
  const p = patches(tf, x, call);
  const [n, positions] = p.shape;
  const d = tf.reshape(dy, [n, positions, o]);
  if (positions === 1) {
    // Outer product: mean |p_a δ_o| factorises (file doc).
    if (axis === 3) return tf.mul(tf.mean(tf.abs(p), [1, 2, 3]).reshape([n, 1]), tf.abs(tf.reshape(d, [n, o])));
    return tf.mul(tf.mean(tf.abs(p), [1, 2]), tf.mean(tf.abs(d), [1, 2]).reshape([n, 1]));
  }
  const g = tf.abs(tf.matMul(tf.reshape(p, [n, positions, kh * kw * c]), d, true, false));
  return axis === 3 ? tf.mean(g, 1) : tf.mean(tf.reshape(g, [n, kh * kw, c, o]), [1, 3]);
}

/** Depthwise profiles of one chunk: [n, C·M], filter (c, m) at c·M + m. */
function depthwiseChunk(tf: Tf, call: FilterGradCall, x: Tensor, dy: Tensor): Tensor {
  const [kh, kw, c, m] = call.filterShape;
  const p = patches(tf, x, call);
  const [n, positions] = p.shape;
  const d = tf.reshape(dy, [n, positions, c, m]);
  if (positions === 1) return tf.reshape(tf.mul(tf.reshape(tf.mean(tf.abs(p), [1, 2]), [n, c, 1]), tf.abs(tf.reshape(d, [n, c, m]))), [n, c * m]);
  const pt = tf.reshape(tf.transpose(p, [0, 3, 2, 1]), [n * c, kh * kw, positions]);
  const dt = tf.reshape(tf.transpose(d, [0, 2, 1, 3]), [n * c, positions, m]);
  return tf.reshape(tf.mean(tf.abs(tf.matMul(pt, dt)), 1), [n, c * m]);
}

/** Profiles [n, filters] by the backend's filter-gradient kernel, one sample at a time. */
function loopChunk(tf: Tf, call: FilterGradCall, x: Tensor, dy: Tensor, axis: FilterAxis): Tensor {
  const { strides, pad, dimRoundingMode, filterShape, dilations } = call;
  const kernel = call.depthwise ? tf.DepthwiseConv2dNativeBackpropFilter : tf.Conv2DBackpropFilter;
  const attrs = call.depthwise ? { strides, pad, dilations, dimRoundingMode, filterShape } : { strides, pad, dataFormat: 'NHWC', dimRoundingMode, filterShape };
  const axes = call.depthwise ? [0, 1] : axis === 3 ? [0, 1, 2] : [0, 1, 3];
  const rows: Tensor[] = [];
  for (let n = 0; n < x.shape[0]; n++) {
    const g = tf.engine().runKernel(kernel, { x: tf.slice(x, n, 1), dy: tf.slice(dy, n, 1) }, attrs as unknown as tfTypes.NamedAttrMap) as Tensor;
    rows.push(tf.reshape(tf.mean(tf.abs(g), axes), [-1]));
  }
  return tf.stack(rows);
}

/** Rows per chunk so that patches and per-sample gradients stay under `maxElements`. */
export function chunkRows(call: FilterGradCall, maxElements: number): number {
  const [kh, kw, c, o] = call.filterShape;
  const positions = call.dy.shape[1] * call.dy.shape[2];
  // G holds kh·kw·C·outC floats per row (depthwise: kh·kw·C·M, the same product); none when Ho·Wo = 1.
  const perRow = Math.max(positions * kh * kw * c, positions === 1 ? 0 : kh * kw * c * o, 1);
  return Math.max(1, Math.min(call.x.shape[0], Math.floor(maxElements / perRow)));
}

/**
 * Per-sample profiles [N, filters] of one filter-gradient call, row-major float32.
 * `axis` 2 is for transposed kernels (filters on shape[2]); depthwise calls ignore it.
 */
export function perSampleProfiles(tf: Tf, call: FilterGradCall, axis: FilterAxis = 3, maxElements = DEFAULT_MAX_ELEMENTS): Float32Array {
  const n = call.x.shape[0];
  const filters = call.depthwise ? call.filterShape[2] * call.filterShape[3] : call.filterShape[axis];
  const out = new Float32Array(n * filters);
  const step = chunkRows(call, maxElements);
  for (let start = 0; start < n; start += step) {
    const rows = Math.min(step, n - start);
    const values = tf.tidy(() => {
      const x = rows === n ? call.x : tf.slice(call.x, start, rows);
      const dy = rows === n ? call.dy : tf.slice(call.dy, start, rows);
      const positions = call.dy.shape[1] * call.dy.shape[2];
      if (positions > LOOP_MIN_POSITIONS) return loopChunk(tf, call, x, dy, axis).dataSync() as Float32Array;
      return (call.depthwise ? depthwiseChunk(tf, call, x, dy) : convChunk(tf, call, x, dy, axis)).dataSync() as Float32Array;
    });
    out.set(values, start * filters);
  }
  return out;
}
