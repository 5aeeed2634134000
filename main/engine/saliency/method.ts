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
}

export interface SaliencyBatchResult {
  /** [N, H, W] row-major, one map per input row. */
  maps: Float32Array;
  /** [N, H, W, C] signed attributions, or null when the method has none. */
  raw: Float32Array | null;
  height: number;
  width: number;
}

/** Capabilities a method can require of the model and backend. */
export type MethodRequirement = 'gradients';

export interface SaliencyMethod {
  /** Persisted id (kebab-case; never changes). */
  id: string;
  label: string;
  /** The paper it implements. */
  reference: string;
  requires: MethodRequirement[];
  defaults: Record<string, unknown>;
  /** Fills defaults and checks every parameter. @throws AppError PARAM_INVALID naming the parameter */
  validate(params: Record<string, unknown>): Record<string, unknown>;
  run(ctx: SaliencyContext): Promise<SaliencyBatchResult>;
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
