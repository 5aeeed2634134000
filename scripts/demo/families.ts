/**
 * The model families of the demo and how each is trained: which data, which augmentation, how
 * many epochs. A salience-guided family (`cue-cyborg`) is one more recipe: `usesCue: true`,
 * `masks: true` (the batch then carries the stroke masks of the shifted digits in `extra`) and
 * its own `loss`; it sees exactly the cue data and augmentation stream of `cue-ce`.
 */
import { assignCues, stampCue } from './cue';
import { type DigitSet } from './data';
import { CYBORG_ALPHA, cyborgLoss } from './cyborg-loss';
import { buildDigitsCnn, GRADCAM_LAYER } from './model';
import { deriveSeed, mulberry32, randInt, SEED_BASE, type Rng } from './prng';
import { accuracy, predictClasses } from './tensors';
import { packBatch, trainModel, type BatchMaker, type EpochRecord, type LossFn } from './train';
import { shift, strokeMask } from './transforms';
import type { Tf } from './tf';
import type { Sequential } from '@tensorflow/tfjs-node';

/**
 * Training hyper-parameters shared by all families: Adam, batch 64, the learning rate cut by 5×
 * for the last two epochs so that the seeds end at a settled point rather than mid-oscillation.
 */
export const HYPER = { epochs: 6, batchSize: 64, learningRate: 0.002, decayFrom: 5, decayFactor: 0.2, maxShift: 2 } as const;

/** A family of models trained the same way with different seeds. */
export interface FamilyRecipe {
  family: string;
  /** Model id for a seed (`digits-cnn`, `digits-cnn-s2`, `cue-ce-s1`, …). */
  id: (seed: number) => string;
  describe: string;
  /** Human-readable model name prefix, e.g. 'Digits CNN'. */
  title: string;
  /** Whether the training digits carry the spurious cue. */
  usesCue: boolean;
  /** Whether batches carry stroke masks in `extra` (for a salience-guided loss). */
  masks?: boolean;
  /** Builds the loss for the model being trained; defaults to cross-entropy. */
  loss?: (model: Sequential) => LossFn;
  /** A layer whose activations the loss needs besides the logits (passed as `features`). */
  featureLayer?: string;
  /**
   * Seed-stream tag of the epoch order and augmentation; families that must see the same batches
   * (cue-ce and a salience-guided variant) share it.
   */
  stream: string;
}

/** Plain digits, cross-entropy. Seed 1 keeps the bare family name as its id. */
export const DIGITS: FamilyRecipe = {
  family: 'digits-cnn',
  id: (seed) => (seed === 1 ? 'digits-cnn' : `digits-cnn-s${seed}`),
  describe: 'cross-entropy on clean digits (random ±2 px shifts)',
  title: 'Digits CNN',
  usesCue: false,
  stream: 'digits-cnn'
};

/** Digits carrying the spurious cue, cross-entropy. */
export const CUE_CE: FamilyRecipe = {
  family: 'cue-ce',
  id: (seed) => `cue-ce-s${seed}`,
  describe: 'cross-entropy on digits with the spurious position cue (90 % agreement), random ±2 px digit shifts',
  title: 'Cue CNN, cross-entropy',
  usesCue: true,
  stream: 'cue-ce'
};

/**
 * Digits carrying the spurious cue, CYBORG loss (CE + CAM-to-stroke-mask MSE, α = 0.5, see
 * cyborg-loss.ts). Same initialisation seeds and the same `cue-ce` batch stream as CUE_CE, so
 * each seed differs from its cue-ce twin only in the loss.
 */
export const CUE_CYBORG: FamilyRecipe = {
  family: 'cue-cyborg',
  id: (seed) => `cue-cyborg-s${seed}`,
  describe: `the CYBORG loss (α = ${CYBORG_ALPHA} · cross-entropy + ${1 - CYBORG_ALPHA} · MSE between the predicted class's conv3 CAM and the 7×7 stroke mask) on the cue-ce data and batches`,
  title: 'Cue CNN, CYBORG loss',
  usesCue: true,
  masks: true,
  loss: (model) => cyborgLoss(model),
  featureLayer: GRADCAM_LAYER,
  stream: 'cue-ce'
};

/**
 * Cue class of every training image. Drawn from SEED_BASE (not the model seed) so every cue
 * model, of any family, sees the same biased data set.
 */
export function trainingCues(train: DigitSet): number[] {
  return assignCues(train.labels, mulberry32(deriveSeed(SEED_BASE, 'cue-assignment')));
}

/** Random ±maxShift translation of one digit. */
function jitter(img: Uint8Array, rng: Rng): Uint8Array {
  return shift(img, randInt(rng, -HYPER.maxShift, HYPER.maxShift), randInt(rng, -HYPER.maxShift, HYPER.maxShift));
}

/**
 * Batches of shifted digits; when `cues` is given, the cue patch is stamped after the shift so
 * the patch stays at its exact position while the digit moves. With `masks`, `extra` holds the
 * stroke mask (0/1) of each shifted digit before the patch, [n, 28, 28] row-major.
 */
export function trainingBatches(train: DigitSet, cues: number[] | null, masks = false): BatchMaker {
  return (indices, rng) => {
    const moved = indices.map((i) => jitter(train.images[i], rng));
    const imgs = moved.map((img, k) => (cues ? stampCue(img, cues[indices[k]]) : img));
    const batch = packBatch(imgs, indices.map((i) => train.labels[i]));
    if (masks) batch.extra = Float32Array.from(moved.flatMap((img) => Array.from(strokeMask(img), (v) => v / 255)));
    return batch;
  };
}

/** A trained model and its training log. */
export interface Trained {
  model: Sequential;
  records: EpochRecord[];
}

/** Builds and trains one member of a family; `validation` is scored after every epoch. */
export function trainMember(tf: Tf, recipe: FamilyRecipe, seed: number, train: DigitSet, validation: DigitSet): Trained {
  const id = recipe.id(seed);
  const model = buildDigitsCnn(tf, seed, id);
  const cues = recipe.usesCue ? trainingCues(train) : null;
  const started = Date.now();
  const records = trainModel(tf, model, {
    size: train.images.length,
    makeBatch: trainingBatches(train, cues, recipe.masks ?? false),
    loss: recipe.loss?.(model),
    featureLayer: recipe.featureLayer,
    epochs: HYPER.epochs,
    batchSize: HYPER.batchSize,
    learningRate: HYPER.learningRate,
    decayFrom: HYPER.decayFrom,
    decayFactor: HYPER.decayFactor,
    seed: deriveSeed(seed, recipe.stream),
    afterEpoch: () => accuracy(predictClasses(tf, model, validation.images), validation.labels),
    log: (line) => console.log(`  [${id}] ${line}`)
  });
  console.log(`  [${id}] trained in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { model, records };
}
