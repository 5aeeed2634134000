/**
 * Gradient of `StridedSlice`, which tfjs 4.22 does not register (environment.md R2.3): without it
 * `tf.grad` through Graph models such as SSR-Net (`age`, `gender-ssrnet-imdb`) fails with
 * "gradient function not found for StridedSlice".
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { GradConfig, StridedSliceAttrs, Tensor } from '@tensorflow/tfjs';

type Tf = typeof tfTypes;

/**
 * y = x[begin:end:strides] (with TF's begin/end/ellipsis/new-axis/shrink masks) picks each element
 * of x at most once, so ∂L/∂x is dy scattered back to the picked positions and 0 elsewhere:
 *
 *   idx = stridedSlice(reshape(range(0, size(x)), shape(x)), same attributes)
 *   ∂L/∂x = reshape(scatterND(idx[:, None], flatten(dy), [size(x)]), shape(x))
 *
 * Re-running the op on an index tensor reuses tfjs' own mask semantics instead of re-implementing them.
 */
export function stridedSliceGrad(tf: Tf, dy: Tensor, x: Tensor, attrs: StridedSliceAttrs): Tensor {
  return tf.tidy(() => {
    const ids = tf.reshape(tf.range(0, x.size, 1, 'int32'), x.shape);
    const picked = tf.stridedSlice(ids, attrs.begin, attrs.end, attrs.strides, attrs.beginMask, attrs.endMask,
      attrs.ellipsisMask, attrs.newAxisMask, attrs.shrinkAxisMask);
    const flat = tf.scatterND(tf.reshape(picked, [-1, 1]), tf.reshape(tf.cast(dy, 'float32'), [-1]), [x.size]);
    return tf.reshape(flat, x.shape);
  });
}

/** Registers the StridedSlice gradient (global to tfjs, all backends) unless one is registered already. */
export function registerStridedSliceGradient(tf: Tf): void {
  if (tf.getGradient(tf.StridedSlice)) return;
  const config: GradConfig = {
    kernelName: tf.StridedSlice,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      return { x: () => stridedSliceGrad(tf, dy as Tensor, x, attrs as unknown as StridedSliceAttrs) };
    }
  };
  tf.registerGradient(config);
}
