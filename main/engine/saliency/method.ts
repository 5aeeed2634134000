/**
 * The saliency-method contract and the checks every method shares. A method maps a batch of
 * inputs and one target class per row to one [H, W] map per row (plus signed per-channel
 * attributions when it has them); it is batched, cancellable between steps, and states up front
 * which model capabilities it needs.
 */
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import { requireGradients } from '../backends';
import type { ModelHandle } from '../model/model-handle';
import type { MeanImage } from '../baselines/types';

export interface SaliencyContext {
  tf: typeof tf;
  model: ModelHandle;
  /** Model-ready inputs [N, H, W, C] (already preprocessed). Owned by the caller. */
  x: tf.Tensor4D;
  /** One class index per row of x. */
  targets: Int32Array;
  /** Parameters as returned by `validate`. */
  params: Record<string, unknown>;
  signal: AbortSignal;
  /**
   * Item index (within its image set) of each row of x. Methods that draw random numbers per
   * input derive the stream from `(seed, index)`, so a map does not depend on batch composition.
   */
  indices?: number[];
  /** Which model output is scored: the pre-softmax logit or the softmax probability; default `method.score`. */
  score?: ScoreDefault;
  /** Run seed for every random draw (SmoothGrad noise, RISE masks, …); default 0. */
  seed?: number;
  /**
   * Arrays supplied by the user instead of random draws, for exact replication by another tool:
   * `noise` standard-normal draws `[n, H, W, C]` (SmoothGrad), `masks` `[n, H, W]` in [0, 1] (RISE).
   */
  supplied?: Partial<Record<'noise' | 'masks', { data: Float32Array; shape: number[] }>>;
  /**
   * Supplied RISE masks read piece by piece from a file instead of `supplied.masks`, so masks larger
   * than the memory budget can be reused: `read(first, count)` gives rows of an [n, H, W] array whose
   * values were checked to lie in [0, 1], `mean` their mean.
   */
  suppliedMaskRows?: SuppliedRows;
  /**
   * Most float32 elements one forward/backward pass may hold in its input (rows × H × W × C);
   * methods that expand each input into many (steps, samples, masks, windows) chunk by it.
   */
  maxElementsPerPass?: number;
  /**
   * Measured bytes one input element costs in a pass (activations kept for the backward pass, with
   * the safety factor), when the run probed it: lets a method weigh its own per-copy tensors (e.g.
   * extremal perturbation's smooth-max candidates) against `maxElementsPerPass`.
   */
  bytesPerPassElement?: number;
  /** Per-pixel mean of the image set in model space, for the `mean-image` baseline (see `datasetMeanFor`). */
  datasetMean?: MeanImage;
  /** Progress inside the batch, in the method's own units (steps, samples, masks, windows). */
  onStep?: (done: number, total: number) => void;
  /**
   * Asks a method with `resolvesTargets` to report x's logits from its own forward pass
   * (`result.resolved`), so the caller needs no separate pass for targets and summaries; with
   * `'predicted'` the method also takes each row's target there (argmax of those logits) and
   * `targets` is ignored. Honoured only when the logit is scored; other methods ignore it.
   */
  inPassTargets?: 'given' | 'predicted';
}

export interface SaliencyBatchResult {
  /** [N, H, W] row-major, one map per input row. */
  maps: Float32Array;
  /** [N, H, W, C] signed attributions, or null when the method has none. */
  raw: Float32Array | null;
  height: number;
  width: number;
  /**
   * Per-row diagnostics reported with each map (e.g. Integrated Gradients' completeness gap
   * `Σ attributions − (f(x) − f(baseline))`); plain numbers only.
   */
  diagnostics?: Array<Record<string, number>>;
  /**
   * Arrays the run produced that are worth keeping and reusing (e.g. RISE's masks), by name.
   * Exported beside the maps and accepted back through `supplied`.
   */
  artifacts?: Record<string, { data: Float32Array; shape: number[] }>;
  /**
   * Artifacts too large to hold whole (e.g. RISE's masks: 4,000 × 224² floats are 803 MB), produced
   * on demand in consecutive slices along axis 0 by `chunks()` (e.g. regenerated from the seed).
   * `key` names the content: a batch handing back a key already written adds nothing (one array
   * shared by the run); a new key is stacked along axis 0. Memory: one slice at a time.
   */
  streamedArtifacts?: Record<string, StreamedArtifact>;
  /** When `ctx.inPassTargets` was honoured: the targets used and x's logits `[N, K]` from the method's own pass. */
  resolved?: { targets: Int32Array; logits: Float32Array };
}

/** Rows of a supplied array read on demand (see `SaliencyContext.suppliedMaskRows`). */
export interface SuppliedRows {
  shape: number[];
  mean: number;
  read(first: number, count: number): Float32Array;
}

/** An artifact written slice by slice (see `SaliencyBatchResult.streamedArtifacts`). */
export interface StreamedArtifact {
  shape: number[];
  key: string;
  chunks: () => Iterable<Float32Array>;
}

/** Capabilities a method can require of the model and backend. */
export type MethodRequirement = 'gradients' | 'layer-activations';

/** Model output a method scores by default (record the choice with every result). */
export type ScoreDefault = 'logit' | 'prob';

export interface SaliencyMethod {
  /** Persisted id (kebab-case; never changes). */
  id: string;
  label: string;
  /** The paper it implements. */
  reference: string;
  requires: MethodRequirement[];
  /** Gradient methods differentiate the logit; perturbation methods use the probability (spec §5.0). */
  score: ScoreDefault;
  /** Whether the method draws random numbers (then `seed` matters and is recorded). */
  stochastic: boolean;
  /** Its first forward pass is of x itself, so it honours `ctx.inPassTargets` (when scoring the logit). */
  resolvesTargets?: boolean;
  /**
   * Forward/backward passes per input for these parameters, for the cost estimate shown before
   * a run (passes × measured time per pass).
   */
  passesPerInput(params: Record<string, unknown>, inputShape?: readonly number[]): { forward: number; backward: number };
  /**
   * Rows one input becomes within a single pass, for methods whose passes are sequential rather
   * than parallel copies (extremal perturbation: its areas, iterated 800 times): sizes the image
   * batch. Without it the larger of `passesPerInput`'s counts is used (steps, samples, masks).
   */
  copiesPerPass?(params: Record<string, unknown>): number;
  defaults: Record<string, unknown>;
  /** Fills defaults and checks every parameter. @throws AppError PARAM_INVALID naming the parameter */
  validate(params: Record<string, unknown>): Record<string, unknown>;
  run(ctx: SaliencyContext): Promise<SaliencyBatchResult>;
}

/**
 * The scalar whose gradient/perturbation response a method measures: Σ_i score_i(x)[target_i]
 * over rows, where score is the logit or the probability as `ctx.score` (or the method's default) says.
 * Rows do not interact in inference mode, so ∂/∂x_i of the sum is row i's own gradient.
 */
export function targetScores(ctx: SaliencyContext, method: SaliencyMethod, input: tf.Tensor4D, targets: Int32Array = ctx.targets): tf.Tensor1D {
  const { tf: t, model } = ctx;
  const out = (ctx.score ?? method.score) === 'prob' ? model.probabilities(input) : model.logits(input);
  const k = model.descriptor.classNames.length;
  const rows = out.shape[0];
  // Flat index of out[i, target[i mod targets.length]]; gather keeps the selection exact (no 0·inf from a one-hot mask).
  const picks = t.tensor1d(Int32Array.from({ length: rows }, (_, i) => i * k + targets[i % targets.length]), 'int32');
  return t.gather(t.reshape(out, [-1]), picks) as tf.Tensor1D;
}

/** @throws AppError CANCELLED when the job was cancelled; call between steps. */
export function throwIfCancelled(signal: AbortSignal, methodId: string): void {
  if (signal.aborted) throw new AppError('CANCELLED', `${methodId} was cancelled.`);
}

/**
 * Checks what `method.requires` of the backend and model, the shape of x against the model, and
 * that there is one valid target per row. Runs before any tensor work.
 * @throws AppError BACKEND_UNSUPPORTED, MODEL_CAPABILITY_MISSING, SHAPE_MISMATCH, PARAM_INVALID
 */
export function checkContext(method: SaliencyMethod, ctx: SaliencyContext): void {
  const { descriptor } = ctx.model;
  if (method.requires.includes('gradients')) {
    requireGradients();
    if (!descriptor.canComputeGradients) {
      throw new AppError('MODEL_CAPABILITY_MISSING', `${method.label} needs gradients, which this ${descriptor.format} model cannot provide.`);
    }
  }
  if (method.requires.includes('layer-activations') && !ctx.model.layerActivations) {
    throw new AppError('MODEL_CAPABILITY_MISSING', `${method.label} needs the activations of a convolution layer, which this ${descriptor.format} model cannot provide.`);
  }
  const [h, w, c] = descriptor.inputShape;
  const [n, xh, xw, xc] = ctx.x.shape;
  if (ctx.x.rank !== 4 || xh !== h || xw !== w || xc !== c) {
    throw new AppError('SHAPE_MISMATCH', `${method.id}: x must have shape [N, ${h}, ${w}, ${c}], got [${ctx.x.shape.join(', ')}].`);
  }
  if (ctx.targets.length !== n) throw new AppError('PARAM_INVALID', `${method.id}: got ${ctx.targets.length} targets for ${n} inputs; give one per row.`);
  const k = descriptor.classNames.length;
  const bad = ctx.targets.findIndex((t) => t < 0 || t >= k);
  if (bad >= 0) throw new AppError('PARAM_INVALID', `${method.id}: target ${ctx.targets[bad]} (row ${bad}) is not a class index in 0…${k - 1}.`);
}

/** Rejects parameters a method does not know, naming them and the accepted ones. */
export function rejectUnknownParams(methodId: string, params: Record<string, unknown>, known: string[]): void {
  const unknown = Object.keys(params).filter((p) => !known.includes(p));
  if (unknown.length > 0) {
    const accepted = known.length > 0 ? known.join(', ') : 'none';
    throw new AppError('PARAM_INVALID', `${methodId}: unknown parameter(s) ${unknown.map((p) => `\`${p}\``).join(', ')}; accepted: ${accepted}.`);
  }
}
