/**
 * Fixture models of the filter-profile tests, with closed forms where the model is simple enough:
 * one conv (or depthwise) layer followed by global average pooling gives class logits
 *   z_k = (1/P) Σ_p Σ_a P_p[a] W[a, k] + b_k   (P_p the input patch at output position p)
 * so with δ = softmax(z) − onehot(y),  ∂CE/∂W[a, k] = δ_k · m_a,  m = (1/P) Σ_p P_p  and
 *   s̄_k = |δ_k| · mean_a |m_a|,
 * the correlation of the input patches with (softmax − onehot) of algorithms.md §2.9.
 */
import * as tf from '@tensorflow/tfjs';
import type { FilterTable } from '../../../main/engine/parameter-saliency/profile/filters';

const seeded = (seed: number) => tf.initializers.randomNormal({ mean: 0, stddev: 0.6, seed });

/** Input 6×6×2 → conv 3×3 valid, 4 filters (linear, bias) → GAP → softmax over 4 classes. */
export function buildGapConv(seed = 3): tf.LayersModel {
  return tf.sequential({
    name: 'gap_conv',
    layers: [
      tf.layers.conv2d({ name: 'conv', inputShape: [6, 6, 2], filters: 4, kernelSize: 3, padding: 'valid', kernelInitializer: seeded(seed), biasInitializer: seeded(seed + 1) }),
      tf.layers.globalAveragePooling2d({ name: 'gap' }),
      tf.layers.activation({ name: 'softmax', activation: 'softmax' })
    ]
  });
}

/** Input 6×6×2 → depthwise 3×3 valid, multiplier 2 (4 channels, bias) → GAP → softmax over 4 classes. */
export function buildGapDepthwise(seed = 5): tf.LayersModel {
  return tf.sequential({
    name: 'gap_depthwise',
    layers: [
      tf.layers.depthwiseConv2d({ name: 'dw', inputShape: [6, 6, 2], kernelSize: 3, depthMultiplier: 2, padding: 'valid', depthwiseInitializer: seeded(seed), biasInitializer: seeded(seed + 1) }),
      tf.layers.globalAveragePooling2d({ name: 'gap' }),
      tf.layers.activation({ name: 'softmax', activation: 'softmax' })
    ]
  });
}

/**
 * Convolutions whose outputs have one position (the rank-1 shortcut of per-sample.ts):
 * 7×7×3 → conv 3×3 stride 2 valid (3×3×5) → depthwise 3×3 valid ×2 (1×1×10) → conv 1×1 (1×1×6) → flatten → dense 4.
 */
export function buildSinglePosition(seed = 9): tf.LayersModel {
  const init = (s: number) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed: s }), biasInitializer: seeded(s + 100) });
  return tf.sequential({
    name: 'single_position',
    layers: [
      tf.layers.conv2d({ name: 'c1', inputShape: [7, 7, 3], filters: 5, kernelSize: 3, strides: 2, padding: 'valid', activation: 'tanh', ...init(seed) }),
      tf.layers.depthwiseConv2d({ name: 'dw', kernelSize: 3, depthMultiplier: 2, padding: 'valid', activation: 'tanh', depthwiseInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
      tf.layers.conv2d({ name: 'c2', filters: 6, kernelSize: 1, activation: 'tanh', ...init(seed + 2) }),
      tf.layers.flatten({ name: 'flat' }),
      tf.layers.dense({ name: 'out', units: 4, ...init(seed + 3) })
    ]
  });
}

/** One conv layer applied twice (a shared kernel): its gradient is a sum of two calls. */
export function buildSharedConv(seed = 13): tf.LayersModel {
  const input = tf.input({ shape: [6, 6, 3], name: 'image' });
  const shared = tf.layers.conv2d({ name: 'shared', filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed }) });
  const twice = shared.apply(shared.apply(input)) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(twice) as tf.SymbolicTensor;
  const out = tf.layers.dense({ name: 'out', units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }).apply(pooled) as tf.SymbolicTensor;
  return tf.model({ name: 'shared_conv', inputs: input, outputs: out });
}

/** Row-major im2col mean over output positions of one row: m[(i·kw + j)·C + c] = (1/P) Σ_p x[p + (i, j), c] (valid, stride 1). */
function meanPatch(x: Float32Array, h: number, w: number, c: number, k: number): Float64Array {
  const ho = h - k + 1;
  const wo = w - k + 1;
  const m = new Float64Array(k * k * c);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) for (let ch = 0; ch < c; ch++) {
    let sum = 0;
    for (let r = 0; r < ho; r++) for (let s = 0; s < wo; s++) sum += x[((r + i) * w + (s + j)) * c + ch];
    m[(i * k + j) * c + ch] = sum / (ho * wo);
  }
  return m;
}

function softmaxDelta(z: Float64Array, label: number): Float64Array {
  const max = Math.max(...z);
  const e = z.map((v) => Math.exp(v - max));
  const total = e.reduce((a, b) => a + b, 0);
  return e.map((v, k) => v / total - (k === label ? 1 : 0));
}

/**
 * Closed-form profiles (float64) of a GAP model whose kernel is `kernel` ([k, k, C, F] for conv;
 * [k, k, C, M] for depthwise, F = C·M) with bias `bias`, for one row x [h, w, C].
 */
export function gapProfile(x: Float32Array, shape: [number, number, number], kernel: Float32Array, kshape: number[], bias: Float32Array, label: number, depthwise: boolean): Float64Array {
  const [h, w, c] = shape;
  const k = kshape[0];
  const m = meanPatch(x, h, w, c, k);
  const filters = depthwise ? c * kshape[3] : kshape[3];
  const z = new Float64Array(filters);
  for (let f = 0; f < filters; f++) {
    // conv: Σ_a m_a W[a, f]; depthwise filter f = (ch, mult) only sees channel ch.
    for (let a = 0; a < k * k * c; a++) {
      const ch = a % c;
      if (depthwise && ch !== Math.floor(f / kshape[3])) continue;
      z[f] += m[a] * kernel[depthwise ? a * kshape[3] + (f % kshape[3]) : a * filters + f];
    }
    z[f] += bias[f];
  }
  const delta = softmaxDelta(z, label);
  return delta.map((d, f) => {
    if (!depthwise) return Math.abs(d) * (m.reduce((s, v) => s + Math.abs(v), 0) / m.length);
    const ch = Math.floor(f / kshape[3]);
    let sum = 0;
    for (let kk = 0; kk < k * k; kk++) sum += Math.abs(m[kk * c + ch]);
    return Math.abs(d) * (sum / (k * k));
  });
}

/** Largest |a − b| per kernel block, divided by that block's largest |b| (rows and filters together). */
export function blockError(table: FilterTable, a: Float32Array, b: Float32Array, rows: number): number {
  let worst = 0;
  for (const k of table.kernels) {
    let diff = 0;
    let scale = 0;
    for (let n = 0; n < rows; n++) {
      for (let f = 0; f < k.filters; f++) {
        const i = n * table.length + k.offset + f;
        diff = Math.max(diff, Math.abs(a[i] - b[i]));
        scale = Math.max(scale, Math.abs(b[i]));
      }
    }
    worst = Math.max(worst, scale === 0 ? diff : diff / scale);
  }
  return worst;
}

/**
 * Outputs above per-sample.ts's LOOP_MIN_POSITIONS (1,024), where one backend kernel call per
 * sample replaces im2col: 36×36×2 → conv 3×3 ×4 (1,296 positions) → depthwise 3×3 ×2 → transpose
 * 3×3 stride 2 → 3 (72×72) → conv 1×1 ×3 → GAP → dense 3.
 */
export function buildLargeOutput(seed = 17): tf.LayersModel {
  const init = (s: number) => ({ kernelInitializer: tf.initializers.glorotUniform({ seed: s }), biasInitializer: seeded(s + 100) });
  return tf.sequential({
    name: 'large_output',
    layers: [
      tf.layers.conv2d({ name: 'c1', inputShape: [36, 36, 2], filters: 4, kernelSize: 3, padding: 'same', activation: 'tanh', ...init(seed) }),
      tf.layers.depthwiseConv2d({ name: 'dw', kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'tanh', depthwiseInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
      tf.layers.conv2dTranspose({ name: 'tr', filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh', ...init(seed + 2) }),
      tf.layers.conv2d({ name: 'c2', filters: 3, kernelSize: 1, activation: 'tanh', ...init(seed + 3) }),
      tf.layers.globalAveragePooling2d({ name: 'gap' }),
      tf.layers.dense({ name: 'out', units: 3, ...init(seed + 4) })
    ]
  });
}
