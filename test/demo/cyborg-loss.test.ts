/**
 * The CYBORG loss of the demo generator (scripts/demo/cyborg-loss.ts) against a direct float64
 * computation written here, its gradient against central differences, and the batch stream it
 * trains on against cue-ce's.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cyborgLoss, MINMAX_EPS } from '../../scripts/demo/cyborg-loss';
import { loadPart } from '../../scripts/demo/data';
import { trainingBatches, trainingCues } from '../../scripts/demo/families';
import { buildDigitsCnn, featuresAndLogitsModel, GRADCAM_LAYER, LOGITS_LAYER } from '../../scripts/demo/model';
import { mulberry32 } from '../../scripts/demo/prng';
import type { Batch } from '../../scripts/demo/train';
import { loadTf, type Tf } from './helpers';
import type { LayersModel, Scalar, Sequential, Tensor2D, Tensor4D, Variable } from '@tensorflow/tfjs-node';

const N = 6;
let tf: Tf;
let model: Sequential;
let net: LayersModel;
let batch: Batch;
let tensorsBefore = 0;

/** A batch of N training digits with their masks; sample 2's mask is emptied (must be left out). */
function makeBatch(): Batch {
  const train = loadPart('train');
  const indices = [3, 700, 1400, 2100, 4200, 5900];
  const b = trainingBatches(train, trainingCues(train), true)(indices, mulberry32(7));
  (b.extra as Float32Array).fill(0, 2 * 784, 3 * 784);
  return b;
}

/** Min-max of a float64 array with the loss's ε. */
const minMax = (v: number[]) => {
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  return v.map((x) => (x - lo) / (hi - lo + MINMAX_EPS));
};

/** The loss computed directly in float64 from the activations and the dense kernel. */
function referenceLoss(alpha: number): number {
  const x = tf.tensor4d(batch.x, [N, 28, 28, 1]);
  const [feat, logit] = net.predict(x) as [Tensor4D, Tensor2D];
  const A = Array.from(feat.dataSync());
  const Z = Array.from(logit.dataSync());
  const W = Array.from((model.getLayer(LOGITS_LAYER).getWeights()[0]).dataSync());
  tf.dispose([x, feat, logit]);
  let ce = 0;
  let mse = 0;
  let valid = 0;
  for (let n = 0; n < N; n++) {
    const z = Z.slice(n * 10, n * 10 + 10);
    const m = Math.max(...z);
    const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
    ce += (lse - z[batch.y[n]]) / N;
    const k = z.indexOf(m);
    const cam: number[] = [];
    for (let cell = 0; cell < 49; cell++) {
      let s = 0;
      for (let c = 0; c < 64; c++) s += A[n * 3136 + cell * 64 + c] * W[(cell * 64 + c) * 10 + k];
      cam.push(s);
    }
    const h: number[] = [];
    for (let i = 0; i < 7; i++) for (let j = 0; j < 7; j++) {
      let s = 0;
      for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) s += (batch.extra as Float32Array)[n * 784 + (4 * i + a) * 28 + 4 * j + b];
      h.push(s / 16);
    }
    if (Math.max(...h) === Math.min(...h)) continue;
    valid++;
    const cn = minMax(cam);
    const hn = minMax(h);
    mse += cn.reduce((s, v, i) => s + (v - hn[i]) ** 2, 0) / 49;
  }
  return alpha * ce + (1 - alpha) * (valid ? mse / valid : 0);
}

/** The loss as training evaluates it (two-output forward pass, same tensors as trainModel). */
function engineLoss(alpha: number): Scalar {
  return tf.tidy(() => {
    const x = tf.tensor4d(batch.x, [N, 28, 28, 1]);
    const y = tf.oneHot(tf.tensor1d(batch.y, 'int32'), 10) as Tensor2D;
    const [feat, logits] = net.apply(x, { training: true }) as [Tensor4D, Tensor2D];
    return cyborgLoss(model, alpha)(tf, logits, y, x, batch, feat);
  });
}

const value = (alpha: number) => {
  const t = engineLoss(alpha);
  const v = t.dataSync()[0];
  t.dispose();
  return v;
};

beforeAll(async () => {
  tf = await loadTf();
  model = buildDigitsCnn(tf, 5, 'cyborg-test');
  net = featuresAndLogitsModel(tf, model, GRADCAM_LAYER);
  batch = makeBatch();
});
afterAll(() => model.dispose());
beforeEach(() => {
  tensorsBefore = tf.memory().numTensors;
});
afterEach(() => {
  expect(tf.memory().numTensors).toBe(tensorsBefore);
});

describe('CYBORG loss', () => {
  it('matches a direct float64 computation (CE, CAM of the predicted class, 4×4 mask means, empty mask left out)', () => {
    for (const alpha of [0.5, 0.2, 1]) {
      const ref = referenceLoss(alpha);
      expect(Math.abs(value(alpha) - ref), `alpha ${alpha}`).toBeLessThan(1e-5 * Math.max(1, ref));
    }
    // the MSE term is really there: α = 0 gives a positive mask loss, different from CE alone
    expect(value(0)).toBeGreaterThan(0.01);
    expect(Math.abs(value(0.5) - value(1))).toBeGreaterThan(1e-3);
  });

  it('has a finite gradient that reaches conv and dense kernels and agrees with central differences', () => {
    const vars = model.trainableWeights.map((w) => w.read() as Variable);
    // inside tidy: the tape's saved activations are released with the scope
    const grads = tf.tidy(() => tf.variableGrads(() => engineLoss(0), vars).grads);
    const kernels = [vars[0], vars[4], vars[6]]; // conv1, conv3, logits kernels
    for (const k of kernels) {
      const g = grads[k.name].dataSync();
      expect(g.every(Number.isFinite)).toBe(true);
      expect(g.some((e) => e !== 0), k.name).toBe(true);
    }
    // directional derivative of the mask term along a random direction of the dense kernel
    const kernel = vars[6];
    const rng = mulberry32(11);
    const dir = tf.tensor(Float32Array.from({ length: kernel.size }, () => rng() - 0.5), kernel.shape);
    const analytic = tf.tidy(() => tf.sum(tf.mul(grads[kernel.name], dir)).dataSync()[0]);
    const saved = kernel.clone();
    // small step: min-max normalisation makes the loss only piecewise smooth (the arg-min/max cell can switch)
    const h = 1e-4;
    tf.tidy(() => kernel.assign(tf.add(saved, tf.mul(dir, h))));
    const up = value(0);
    tf.tidy(() => kernel.assign(tf.sub(saved, tf.mul(dir, h))));
    const down = value(0);
    kernel.assign(saved);
    const numeric = (up - down) / (2 * h);
    expect(Math.abs(numeric - analytic)).toBeLessThan(0.02 * Math.abs(analytic) + 1e-3);
    tf.dispose([dir, saved, ...Object.values(grads)]);
  });

  it('trains on exactly the cue-ce inputs: masks only add Batch.extra', () => {
    const train = loadPart('train');
    const cues = trainingCues(train);
    const idx = [10, 20, 30, 40];
    const plain = trainingBatches(train, cues, false)(idx, mulberry32(3));
    const guided = trainingBatches(train, cues, true)(idx, mulberry32(3));
    expect(guided.x).toEqual(plain.x);
    expect(guided.y).toEqual(plain.y);
    expect(plain.extra).toBeUndefined();
    expect(guided.extra).toHaveLength(4 * 784);
  });
});
