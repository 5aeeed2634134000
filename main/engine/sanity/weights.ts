/**
 * Weight randomisation for the model-parameter sanity checks (Adebayo et al. 2018): a layer's
 * trainable weights are replaced by fresh random draws, and every weight is put back bit-exactly
 * afterwards.
 *
 * Re-initialisation (`init`), per trainable variable w of a randomised layer:
 *   glorot-uniform (default)  rank ≥ 2: w ~ U(−l, l), l = √(6 / (fan_in + fan_out)), where for a
 *                             kernel of shape [k₁, …, k_r, in, out] the receptive field is
 *                             ρ = Π kᵢ, fan_in = ρ·in, fan_out = ρ·out (tfjs's glorotUniform);
 *                             rank 1 (biases, BatchNorm γ/β): w ~ N(μ_w, σ_w²) with the trained
 *                             values' mean and standard deviation, so the layer keeps its scale.
 *   gaussian                  every variable: w ~ N(0, σ_w²), σ_w = the trained values' standard
 *                             deviation (the "match the trained scale" reading of the paper).
 * Non-trainable variables (BatchNorm moving statistics) are never changed.
 *
 * Draws come from shared/random.ts seeded with (seed, layer position), and are made once per run
 * before any map is computed, so a layer gets the same random weights at every cascading step and
 * in every batch, and the result does not depend on the batch size.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import { createRng, type Rng } from '../../../shared/random';
import type { LayerWeights, ModelHandle } from '../model/model-handle';

type Tf = typeof tfTypes;

export const INIT_MODES = ['glorot-uniform', 'gaussian'] as const;
export type InitMode = (typeof INIT_MODES)[number];

/** Random replacement values for one variable. */
interface Replacement {
  variable: tfTypes.Variable;
  original: tfTypes.Tensor;
  random: tfTypes.Tensor;
}

/** A layer that can be randomised, with its replacements. */
export interface RandomisableLayer {
  name: string;
  className: string;
  replacements: Replacement[];
}

/** The layers of a model with kept originals and pre-drawn random values; dispose when done. */
export interface WeightBank {
  layers: RandomisableLayer[];
  /** Puts random values into exactly `names` and the originals into every other layer. */
  apply(names: ReadonlySet<string>): void;
  /** Restores every original value. */
  restore(): void;
  /** Restores, then frees the kept tensors. */
  dispose(): void;
}

/** Float64 mean and standard deviation (population) of a variable's values. */
function moments(values: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const mean = sum / values.length;
  let ss = 0;
  for (let i = 0; i < values.length; i++) ss += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(ss / values.length) };
}

/** Glorot-uniform limit of a kernel shape (rank ≥ 2). */
export function glorotLimit(shape: readonly number[]): number {
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  const fanIn = receptive * shape[shape.length - 2];
  const fanOut = receptive * shape[shape.length - 1];
  return Math.sqrt(6 / (fanIn + fanOut));
}

/** Draws the random values of one variable (float32), per the module's rules. */
export function drawValues(original: ArrayLike<number>, shape: readonly number[], mode: InitMode, rng: Rng): Float32Array {
  const out = new Float32Array(original.length);
  const { mean, std } = moments(original);
  if (mode === 'glorot-uniform' && shape.length >= 2) {
    const limit = glorotLimit(shape);
    for (let i = 0; i < out.length; i++) out[i] = (2 * rng.uniform() - 1) * limit;
    return out;
  }
  const centre = mode === 'gaussian' ? 0 : mean;
  for (let i = 0; i < out.length; i++) out[i] = centre + std * rng.normal();
  return out;
}

/** Derives the stream of layer `position` from the run seed (layers get unrelated streams). */
function layerRng(seed: number, position: number): Rng {
  return createRng((Math.trunc(seed) * 1_000_003 + position * 7919) % 0x100000000);
}

/** @throws AppError MODEL_CAPABILITY_MISSING when the model exposes no layer weights */
export function requireLayerWeights(model: ModelHandle): LayerWeights[] {
  if (!model.layerWeights) {
    throw new AppError('MODEL_CAPABILITY_MISSING', `Sanity checks re-initialise layer weights, which this ${model.descriptor.format} model does not expose.`, {
      hint: 'Use a TF.js Layers model (model.json with "format": "layers-model"); convert Keras models with tensorflowjs_converter --output_format tfjs_layers_model.'
    });
  }
  return model.layerWeights();
}

/** Keeps the originals and draws every randomisable layer's replacement once. */
export function createWeightBank(tf: Tf, model: ModelHandle, mode: InitMode, seed: number): WeightBank {
  const layers: RandomisableLayer[] = requireLayerWeights(model)
    .map((layer, position) => {
      const rng = layerRng(seed, position);
      const replacements = layer.variables.filter((v) => v.trainable).map(({ variable }) => {
        const values = variable.dataSync();
        const random = tf.keep(tf.tensor(drawValues(values, variable.shape, mode, rng), variable.shape, 'float32'));
        return { variable, original: tf.keep(variable.clone()), random };
      });
      return { name: layer.name, className: layer.className, replacements };
    })
    .filter((l) => l.replacements.length > 0);
  const set = (names: ReadonlySet<string>) => {
    for (const layer of layers) for (const r of layer.replacements) r.variable.assign(names.has(layer.name) ? r.random : r.original);
  };
  let disposed = false;
  return {
    layers,
    apply: set,
    restore: () => set(new Set()),
    dispose: () => {
      if (disposed) return;
      set(new Set());
      disposed = true;
      for (const layer of layers) for (const r of layer.replacements) tf.dispose([r.original, r.random]);
    }
  };
}
