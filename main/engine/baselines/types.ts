/**
 * Baseline images ("reference inputs") for Integrated Gradients and for perturbation methods and
 * metrics: x̃ = M ⊙ x + (1 − M) ⊙ B (algorithms.md §4.2). Every baseline is defined in RAW pixel
 * space (0–255, RGB) and converted to model space through the model's preprocessing
 * (`fromRawPixels`), except `constant` and `mean-colour`, which are model-space values by definition
 * (spec §5.0, §7 row 16).
 */
import type * as tf from '@tensorflow/tfjs';
import type { ModelDescriptor } from '../../../shared/types/model';

/** Option values as the CLI form `id:k=v,…` and the JSON form `{ id, k: v }` carry them. */
export type BaselineOptions = Record<string, number | string | boolean>;

/** `{ id, ...options }`: the object form of a baseline spec. */
export type BaselineSpecObject = { id: string } & BaselineOptions;

/** Per-pixel mean of an image set in model space, `[h, w, c]` (see computeMeanImage). */
export interface MeanImage {
  data: Float32Array;
  shape: [number, number, number];
  /** Number of images averaged. */
  count: number;
}

export interface BaselineContext {
  tf: typeof tf;
  /** Model-space inputs `[N, H, W, C]`, owned by the caller; the baseline has the same shape. */
  x: tf.Tensor4D;
  /** Only the preprocessing is used: it maps raw pixels to model space. */
  descriptor: Pick<ModelDescriptor, 'preprocessing'>;
  /** Item index of each row within its set (noise is seeded per index); default the row number. */
  indices?: number[];
  /** Run seed for noise baselines; default 0. */
  seed?: number;
  /** The image set's mean image, needed by `mean-image` and `mean-colour:source=dataset`. */
  datasetMean?: MeanImage;
}

/** One registered baseline kind (one file each). */
export interface BaselineDefinition {
  /** Persisted id (kebab-case; never changes). */
  id: string;
  /** Other accepted names, e.g. `zero-normalised` for `mean-colour`. */
  aliases?: readonly string[];
  label: string;
  /** Whether it depends on the seed (then record the seed with results). */
  stochastic: boolean;
  /** Whether it depends on the input x (blur, additive noise, per-image mean colour). */
  dependsOnInput: boolean;
  defaults: BaselineOptions;
  /** Fills defaults and checks every option. @throws AppError PARAM_INVALID naming the option */
  validate(options: Record<string, unknown>): BaselineOptions;
  /** The baseline for each row of ctx.x, model space, same shape; the caller disposes it. */
  materialize(ctx: BaselineContext, options: BaselineOptions): Promise<tf.Tensor4D>;
}

/** A baseline with its options resolved, as `getBaseline` returns it. */
export interface Baseline {
  id: string;
  label: string;
  options: BaselineOptions;
  /** Canonical CLI form with every option, e.g. `blur:sigma=5,radius=20`; record it with results. */
  spec: string;
  stochastic: boolean;
  dependsOnInput: boolean;
  materialize(ctx: BaselineContext): Promise<tf.Tensor4D>;
}
