/**
 * Captures per-sample filter profiles during one ordinary backward pass, for Layers and Graph
 * models alike, by wrapping the backend's two filter-gradient kernels (`Conv2DBackpropFilter`,
 * `DepthwiseConv2dNativeBackpropFilter`). Every kernel gradient tfjs computes ends in one of them —
 * the registered Conv2D/Conv2DTranspose/depthwise gradients and the fused-conv custom gradient
 * alike — and each call receives exactly what per-sample.ts needs: the conv input x and the
 * output gradient dy of the whole batch.
 *
 * Outside a capture session the wrapper hands every call to the original kernel unchanged
 * (the same seam as ops/onednn-safe-conv-grad.ts). Inside one, it computes the per-sample
 * profiles of the call, files them under the dataId of the tensor it returns, and returns zeros
 * of the filter's shape instead of the batch-summed gradient nobody reads. After the pass,
 * `gradients[i].dataId` names kernel i's record: dataIds survive the reshapes, clones and
 * identity ops between the kernel call and the gradient tfjs hands back.
 *
 * A call is left to the original kernel and counted in `unattributed` when its rows are not the
 * batch's samples (x.shape[0] ≠ N, e.g. a space-to-batch dilated conv) or its data format is
 * NCHW; a kernel used twice gets an added gradient with a new dataId. In both cases the kernel has
 * no record and profile.ts falls back to one backward pass per sample, which is always exact.
 *
 * The session is module state: tfjs kernels run synchronously, so one session can never see
 * another job's calls.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { AppError } from '../../../../shared/errors';
import { DEFAULT_MAX_ELEMENTS, perSampleProfiles, type FilterGradCall } from './per-sample';

type Tf = typeof tfTypes;

/** Marks our wrapper so a second install is a no-op. */
const WRAPPED = Symbol.for('saliency-workbench/per-sample-filter-grad');

/** Per-sample profiles of one call: filters on axis 3 always, on axis 2 when the shape may be a transpose's. */
export interface CallRecord {
  rows: number;
  axis3: Float32Array;
  axis2: Float32Array | null;
}

/** What one capture session collected. */
export interface CaptureResult {
  records: Map<object, CallRecord>;
  /** Filter-gradient calls whose rows were not the batch's samples. */
  unattributed: number;
}

interface Session extends CaptureResult {
  tf: Tf;
  rows: number;
  transposeShapes: Set<string>;
  maxElements: number;
}

let session: Session | null = null;

/** Session options: batch rows and the shapes of transposed kernels (their filters lie on axis 2). */
export interface CaptureOptions {
  rows: number;
  transposeShapes?: number[][];
  maxElements?: number;
}

const shapeKey = (shape: ArrayLike<number>): string => Array.from(shape).join('x');

function toCall(inputs: { x: tfTypes.Tensor4D; dy: tfTypes.Tensor4D }, attrs: NamedAttrMap, depthwise: boolean): FilterGradCall {
  return {
    x: inputs.x,
    dy: inputs.dy,
    filterShape: attrs.filterShape as unknown as [number, number, number, number],
    strides: attrs.strides as unknown as [number, number],
    dilations: (attrs.dilations as unknown as [number, number] | undefined) ?? 1,
    pad: attrs.pad as unknown as FilterGradCall['pad'],
    dimRoundingMode: attrs.dimRoundingMode as unknown as FilterGradCall['dimRoundingMode'],
    depthwise
  };
}

/** The capturing body of the wrapper; returns null when the call cannot be attributed per sample. */
function capture(s: Session, call: FilterGradCall, dataFormat: unknown): tfTypes.Tensor | null {
  if (call.x.shape[0] !== s.rows || call.dy.shape[0] !== s.rows || dataFormat === 'NCHW') return null;
  const axis3 = perSampleProfiles(s.tf, call, 3, s.maxElements);
  const transpose = !call.depthwise && s.transposeShapes.has(shapeKey(call.filterShape));
  const axis2 = transpose ? perSampleProfiles(s.tf, call, 2, s.maxElements) : null;
  const zeros = s.tf.zeros(call.filterShape);
  s.records.set(zeros.dataId, { rows: s.rows, axis3, axis2 });
  return zeros;
}

function wrapKernel(tf: Tf, kernelName: string, depthwise: boolean): void {
  const original = tf.getKernel(kernelName, tf.getBackend());
  if (!original) {
    throw new AppError('MODEL_CAPABILITY_MISSING', `The ${tf.getBackend()} backend has no ${kernelName} kernel, so filter gradients cannot be computed.`);
  }
  if ((original.kernelFunc as unknown as Record<symbol, boolean>)[WRAPPED]) return;
  const kernelFunc: KernelFunc = (args) => {
    const active = session;
    if (!active) return original.kernelFunc(args);
    // Our own ops never call these kernels; clearing the session still guards against re-entry.
    session = null;
    try {
      const call = toCall(args.inputs as unknown as { x: tfTypes.Tensor4D; dy: tfTypes.Tensor4D }, args.attrs ?? {}, depthwise);
      const out = capture(active, call, args.attrs?.dataFormat);
      if (out) return out as unknown as TensorInfo;
      active.unattributed++;
      return original.kernelFunc(args);
    } finally {
      session = active;
    }
  };
  (kernelFunc as unknown as Record<symbol, boolean>)[WRAPPED] = true;
  tf.unregisterKernel(kernelName, original.backendName);
  tf.registerKernel({ ...original, kernelFunc } as KernelConfig);
}

/** Installs the wrapper on the current backend's filter-gradient kernels (idempotent). */
export function installFilterGradCapture(tf: Tf): void {
  wrapKernel(tf, tf.Conv2DBackpropFilter, false);
  wrapKernel(tf, tf.DepthwiseConv2dNativeBackpropFilter, true);
}

/** Runs `fn` (one backward pass over `rows` samples) with capturing on; returns what was captured. */
export function withFilterGradCapture<T>(tf: Tf, options: CaptureOptions, fn: () => T): { result: T; captured: CaptureResult } {
  installFilterGradCapture(tf);
  if (session) throw new AppError('INTERNAL', 'A filter-gradient capture is already running.');
  const s: Session = {
    tf,
    rows: options.rows,
    transposeShapes: new Set((options.transposeShapes ?? []).map(shapeKey)),
    maxElements: options.maxElements ?? DEFAULT_MAX_ELEMENTS,
    records: new Map(),
    unattributed: 0
  };
  session = s;
  try {
    return { result: fn(), captured: { records: s.records, unattributed: s.unattributed } };
  } finally {
    session = null;
  }
}
