/**
 * Keeps TensorFlow's oneDNN optimisations on without its crash: with oneDNN (default in the TF 2.21
 * wheel) `Conv2DBackpropFilter` of a 1×1 convolution with stride > 1 frees a bad pointer and kills
 * the process (environment.md row 2e, R2.2; exit 134 or SIGSEGV). It is reached by any input
 * gradient through a fused 1×1 strided conv with linear activation (tfjs' fused-conv gradient also
 * computes the filter gradient) and by training such a layer.
 *
 * The wrapper answers that one case with a closed form and hands every other call to the original
 * kernel unchanged. tfjs' Conv2DBackpropFilter has no dilation attribute (always 1).
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { Conv2DBackpropFilterAttrs, KernelFunc, Tensor4D } from '@tensorflow/tfjs';

type Tf = typeof tfTypes;

/** Marks our wrapper so a second install is a no-op. */
const WRAPPED = Symbol.for('saliency-workbench/onednn-safe-conv-grad');

function strideOf(attrs: Conv2DBackpropFilterAttrs): [number, number] {
  return typeof attrs.strides === 'number' ? [attrs.strides, attrs.strides] : [attrs.strides[0], attrs.strides[1]];
}

/** True for the crashing case: NHWC, 1×1 filter, a stride above 1, and no padding. */
export function isStrided1x1(attrs: Conv2DBackpropFilterAttrs): boolean {
  const [kh, kw] = attrs.filterShape;
  const [sh, sw] = strideOf(attrs);
  // For a 1×1 filter 'same' and 'valid' both pad nothing and give ceil(H/s) outputs; explicit padding does not.
  const noPadding = attrs.pad === 'same' || attrs.pad === 'valid' || attrs.pad === 0;
  return attrs.dataFormat !== 'NCHW' && kh === 1 && kw === 1 && (sh > 1 || sw > 1) && noPadding;
}

/**
 * Filter gradient of a 1×1 convolution with strides (sh, sw), NHWC, no padding:
 *
 *   y[n,i,j,o] = Σ_c x[n, i·sh, j·sw, c] · W[0,0,c,o]
 *   ⇒ ∂L/∂W[0,0,c,o] = Σ_{n,i,j} x[n, i·sh, j·sw, c] · dy[n,i,j,o] = (X_sᵀ · DY)[c,o]
 *
 * with X_s = x[:, ::sh, ::sw, :] reshaped to [N·outH·outW, C] and DY = dy reshaped to
 * [N·outH·outW, O]: one StridedSlice and one MatMul, neither of which goes through oneDNN's
 * backprop-filter primitive. Returns null when the shapes do not line up (then the caller uses
 * the original kernel).
 */
export function conv1x1FilterGrad(tf: Tf, x: Tensor4D, dy: Tensor4D, strides: [number, number]): Tensor4D | null {
  const [n, h, w, c] = x.shape;
  const [, outH, outW, o] = dy.shape;
  if (Math.ceil(h / strides[0]) !== outH || Math.ceil(w / strides[1]) !== outW) return null;
  return tf.tidy(() => {
    const picked = tf.stridedSlice(x, [0, 0, 0, 0], [n, h, w, c], [1, strides[0], strides[1], 1]);
    const grad = tf.matMul(tf.reshape(picked, [-1, c]), tf.reshape(dy, [-1, o]), true, false);
    return tf.reshape(grad, [1, 1, c, o]) as Tensor4D;
  });
}

/**
 * Replaces `backendName`'s registered Conv2DBackpropFilter kernel by a wrapper that computes the
 * strided 1×1 case with `conv1x1FilterGrad` and defers everything else to the original kernel.
 * Idempotent. Returns false when the backend has no such kernel.
 */
export function installOneDnnSafeConvGrad(tf: Tf, backendName = 'tensorflow'): boolean {
  const original = tf.getKernel(tf.Conv2DBackpropFilter, backendName);
  if (!original) return false;
  if ((original.kernelFunc as unknown as Record<symbol, boolean>)[WRAPPED]) return true;
  const kernelFunc: KernelFunc = (args) => {
    const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
    if (isStrided1x1(attrs)) {
      const { x, dy } = args.inputs as unknown as { x: Tensor4D; dy: Tensor4D };
      const grad = conv1x1FilterGrad(tf, x, dy, strideOf(attrs));
      if (grad) return grad;
    }
    return original.kernelFunc(args);
  };
  (kernelFunc as unknown as Record<symbol, boolean>)[WRAPPED] = true;
  tf.unregisterKernel(tf.Conv2DBackpropFilter, backendName);
  tf.registerKernel({ ...original, kernelFunc });
  return true;
}

/** Whether the wrapper is installed for `backendName` (diagnostics and tests). */
export function isOneDnnSafeConvGradInstalled(tf: Tf, backendName = 'tensorflow'): boolean {
  const kernel = tf.getKernel(tf.Conv2DBackpropFilter, backendName);
  return Boolean(kernel && (kernel.kernelFunc as unknown as Record<symbol, boolean>)[WRAPPED]);
}
