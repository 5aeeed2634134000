/**
 * Child script for the oneDNN test: with oneDNN on, computes filter gradients of 1×1 stride-2
 * convolutions that crash TensorFlow's own kernel (environment.md R2.2) and compares them with
 * the plain-JS closed form. Prints one JSON line; a crash shows up as a non-zero exit code.
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../../main/engine/backends';
import { relativeError } from '../../support/tensor-asserts';
import { filterGradReference } from './conv-reference';

const { info } = await selectBackend();

/** ∂/∂W Σ (conv2d(x, W, stride 2) ⊙ R): the gradient is the filter gradient with dy = R. */
function rawOpCase(pad: 'same' | 'valid'): number {
  const x = tf.randomUniform([2, 60, 60, 8], 0, 1, 'float32', 1) as tf.Tensor4D;
  const w = tf.randomUniform([1, 1, 8, 16], -1, 1, 'float32', 2) as tf.Tensor4D;
  const r = tf.randomUniform([2, 30, 30, 16], 0, 1, 'float32', 3) as tf.Tensor4D;
  const g = tf.grad((f: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, f as tf.Tensor4D, 2, pad), r)))(w);
  const ref = filterGradReference(x.dataSync() as Float32Array, x.shape, r.dataSync() as Float32Array, r.shape, [1, 1], [2, 2]);
  const err = relativeError(g.dataSync(), ref);
  tf.dispose([x, w, r, g]);
  return err;
}

/** The same through a Layers model: kernel gradient (training path) and input gradient (fused linear conv). */
function layersCase(): { kernelError: number; inputGradFinite: boolean } {
  const model = tf.sequential({ layers: [tf.layers.conv2d({ name: 'c', inputShape: [60, 60, 8], filters: 16, kernelSize: 1, strides: 2, padding: 'same', useBias: true, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) })] });
  const x = tf.randomUniform([2, 60, 60, 8], 0, 1, 'float32', 5) as tf.Tensor4D;
  const r = tf.randomUniform([2, 30, 30, 16], 0, 1, 'float32', 6) as tf.Tensor4D;
  const loss = () => tf.sum(tf.mul(model.apply(x, { training: false }) as tf.Tensor, r)) as tf.Scalar;
  const kernel = (model.getLayer('c') as unknown as { kernel: { read(): tf.Variable } }).kernel.read();
  const { value, grads } = tf.engine().gradients(loss, [kernel]);
  const ref = filterGradReference(x.dataSync() as Float32Array, x.shape, r.dataSync() as Float32Array, r.shape, [1, 1], [2, 2]);
  const kernelError = relativeError(grads[0].dataSync(), ref);
  const gx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(model.apply(input, { training: false }) as tf.Tensor, r)))(x);
  const inputGradFinite = (gx.dataSync() as Float32Array).every(Number.isFinite);
  tf.dispose([x, r, value, ...grads, gx]);
  model.dispose();
  return { kernelError, inputGradFinite };
}

const before = tf.memory().numTensors;
const result = { backend: info.backend, oneDnn: info.oneDnn, same: rawOpCase('same'), valid: rawOpCase('valid'), ...layersCase() };
console.log(JSON.stringify({ ...result, leaked: tf.memory().numTensors - before }));
