/**
 * A deterministic training loop: the caller's seeded PRNG decides the epoch order and the
 * augmentation, and the loss is pluggable so that a salience-guided loss (CYBORG: CE plus a
 * CAM-to-mask MSE) can reuse the same loop with masks carried in `Batch.extra`.
 */
import { SIDE } from './data';
import { featuresAndLogitsModel, logitsModel } from './model';
import { mulberry32, shuffled, type Rng } from './prng';
import { packImages } from './tensors';
import type { Tf } from './tf';
import type { LayersModel, Scalar, Tensor2D, Tensor4D } from '@tensorflow/tfjs-node';

/** One mini-batch in host memory. */
export interface Batch {
  /** Inputs, [size, 28, 28, 1] row-major, already scaled to the model's input range. */
  x: Float32Array;
  /** Class labels. */
  y: Int32Array;
  size: number;
  /** Optional per-sample extra data for custom losses (e.g. human-salience masks). */
  extra?: Float32Array;
}

/** Builds a batch from training-set indices; may draw augmentation from `rng`. */
export type BatchMaker = (indices: readonly number[], rng: Rng) => Batch;

/**
 * Scalar loss for one batch; `logits` is the model's pre-softmax output for `x`, `features` the
 * output of `TrainOptions.featureLayer` from the same forward pass (when one is named).
 */
export type LossFn = (tf: Tf, logits: Tensor2D, yOneHot: Tensor2D, x: Tensor4D, batch: Batch, features?: Tensor4D) => Scalar;

/** Options of {@link trainModel}. */
export interface TrainOptions {
  /** Number of training samples (indices 0..n−1 are passed to `makeBatch`). */
  size: number;
  makeBatch: BatchMaker;
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** From this epoch (1-based) on, the learning rate is multiplied by `decayFactor`. */
  decayFrom?: number;
  decayFactor?: number;
  /** Seeds the epoch-order and augmentation stream. */
  seed: number;
  /** Defaults to softmax cross-entropy on the logits. */
  loss?: LossFn;
  /** A layer whose output the loss also needs (e.g. the CAM layer of a salience-guided loss). */
  featureLayer?: string;
  /** Called after every epoch (e.g. validation accuracy), its result goes into the log. */
  afterEpoch?: () => number;
  /** Progress line sink. */
  log: (line: string) => void;
}

/** Per-epoch record of {@link trainModel}. */
export interface EpochRecord {
  epoch: number;
  meanLoss: number;
  /** What `afterEpoch` returned (validation accuracy in the demo), or null. */
  metric: number | null;
}

const crossEntropy: LossFn = (tf, logits, yOneHot) => tf.losses.softmaxCrossEntropy(yOneHot, logits) as Scalar;

/** One optimiser step on one batch; returns the batch loss. */
function step(tf: Tf, net: LayersModel, opt: ReturnType<Tf['train']['adam']>, batch: Batch, loss: LossFn): number {
  const value = tf.tidy(() => {
    const x = tf.tensor4d(batch.x, [batch.size, SIDE, SIDE, 1]);
    const y = tf.oneHot(tf.tensor1d(batch.y, 'int32'), 10) as Tensor2D;
    return opt.minimize(() => {
      const out = net.apply(x, { training: true });
      // A two-output net is [features, logits]; the plain net (cross-entropy families) only logits.
      if (Array.isArray(out)) return loss(tf, out[1] as Tensor2D, y, x, batch, out[0] as Tensor4D);
      return loss(tf, out as Tensor2D, y, x, batch);
    }, true) as Scalar;
  });
  const v = value.dataSync()[0];
  value.dispose();
  return v;
}

/** Trains `model` in place with Adam and prints one line per epoch. */
export function trainModel(tf: Tf, model: LayersModel, opts: TrainOptions): EpochRecord[] {
  const rng = mulberry32(opts.seed);
  const opt = tf.train.adam(opts.learningRate);
  const net = opts.featureLayer ? featuresAndLogitsModel(tf, model, opts.featureLayer) : logitsModel(tf, model);
  const loss = opts.loss ?? crossEntropy;
  const all = Array.from({ length: opts.size }, (_, i) => i);
  const records: EpochRecord[] = [];
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    const started = Date.now();
    // tfjs has no learning-rate schedules; Adam reads this field on every step, so a step decay
    // is one assignment (a fresh optimiser would also reset the moment estimates).
    if (opts.decayFrom !== undefined && epoch === opts.decayFrom) {
      (opt as unknown as { learningRate: number }).learningRate = opts.learningRate * (opts.decayFactor ?? 1);
    }
    const order = shuffled(all, rng);
    let total = 0;
    for (let s = 0; s < order.length; s += opts.batchSize) {
      const batch = opts.makeBatch(order.slice(s, s + opts.batchSize), rng);
      total += step(tf, net, opt, batch, loss) * batch.size;
    }
    const metric = opts.afterEpoch ? opts.afterEpoch() : null;
    records.push({ epoch, meanLoss: total / opts.size, metric });
    const m = metric === null ? '' : ` val ${(metric * 100).toFixed(2)} %`;
    opts.log(`epoch ${epoch}/${opts.epochs} loss ${(total / opts.size).toFixed(4)}${m} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  opt.dispose();
  return records;
}

/** Packs per-sample images (already augmented) and labels into a {@link Batch}. */
export function packBatch(images: readonly Uint8Array[], labels: readonly number[]): Batch {
  return { x: packImages(images), y: Int32Array.from(labels), size: images.length };
}
