/**
 * Forward-only ModelHandle for TensorFlow SavedModel folders, through tfjs-node's
 * `tf.node.loadSavedModel` (needs the native backend; TensorFlow runs the graph itself, so tfjs
 * sees no ops to differentiate and the handle reports `canComputeGradients: false`).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import { getNativeModule } from '../backends';
import { buildDescriptor, nhwcInputShape } from './descriptor';
import { assertInput, checkOutputIndex, classCount, LOG_EPSILON } from './handle-common';
import type { KernelGradients, ModelHandle } from './model-handle';
import type { Sidecar } from './sidecar';
import type { ModelDescriptor } from '../../../shared/types/model';

type Tf = typeof tfTypes;
type Tensor4D = tfTypes.Tensor4D;
type SavedModel = Awaited<ReturnType<NonNullable<ReturnType<typeof getNativeModule>>['node']['loadSavedModel']>>;

function noGradients(what: string): AppError {
  return new AppError('MODEL_CAPABILITY_MISSING', `${what} is not possible for a SavedModel: TensorFlow runs it as one opaque call, so tfjs cannot differentiate it.`, {
    hint: 'Convert the model with tensorflowjs_converter (tfjs_graph_model) to use gradient-based methods.'
  });
}

/**
 * Output `outputIndex` of one predict call. With a Tensor input, tfjs-node returns one Tensor, or
 * a Tensor[] in signature-output order when there are several (the others are freed).
 */
function predictOutput(tf: Tf, model: SavedModel, outputIndex: number, x: Tensor4D): tfTypes.Tensor2D {
  const out = model.predict(x) as tfTypes.Tensor | tfTypes.Tensor[];
  if (out instanceof tf.Tensor) return out as tfTypes.Tensor2D;
  out.forEach((t, i) => i !== outputIndex && t.dispose());
  return out[outputIndex] as tfTypes.Tensor2D;
}

/**
 * tfjs-node 4.22 reports SavedModel shapes as protobuf `TensorShapeProto.Dim` messages rather
 * than numbers (with the google-protobuf it resolves to); read their size either way.
 */
export function dimsOf(shape: ReadonlyArray<unknown> | undefined): number[] {
  return (shape ?? []).map((d) => (typeof d === 'number' ? d : Number((d as { getSize(): number | string }).getSize())));
}

/** parameterCount is reported as 0 and convLayers as empty: the weights are not visible through tfjs. */
class SavedModelHandle implements ModelHandle {
  constructor(private readonly tf: Tf, private readonly model: SavedModel, private readonly outputIndex: number, readonly descriptor: ModelDescriptor) {}

  private forward(x: Tensor4D): tfTypes.Tensor2D {
    assertInput(this.descriptor, x);
    return predictOutput(this.tf, this.model, this.outputIndex, x);
  }

  logits(x: Tensor4D): tfTypes.Tensor2D {
    if (!this.descriptor.outputIsProbability) return this.forward(x);
    return this.tf.tidy(() => this.tf.log(this.tf.maximum(this.forward(x), LOG_EPSILON)) as tfTypes.Tensor2D);
  }

  probabilities(x: Tensor4D): tfTypes.Tensor2D {
    if (this.descriptor.outputIsProbability) return this.forward(x);
    return this.tf.tidy(() => this.tf.softmax(this.forward(x)));
  }

  convKernels(): Tensor4D[] {
    return [];
  }

  kernelGradients(): KernelGradients {
    throw noGradients('Computing kernel gradients');
  }

  setKernel(): void {
    throw noGradients('Editing kernels');
  }

  restoreKernels(): void {}

  dispose(): void {
    this.model.dispose();
  }
}

/** sha256 over every file of the SavedModel folder, in sorted relative-path order. */
async function hashFolder(dir: string): Promise<string> {
  const files = (await fs.readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name)).sort();
  const hash = createHash('sha256');
  for (const f of files) {
    hash.update(path.relative(dir, f));
    for await (const chunk of createReadStream(f)) hash.update(chunk as Buffer);
  }
  return hash.digest('hex').slice(0, 16);
}

/** Probes on a zero and a mid-grey image: non-negative rows summing to 1 mean the output is already softmaxed. */
function looksLikeProbabilities(tf: Tf, forward: (x: Tensor4D) => tfTypes.Tensor2D, inputShape: [number, number, number]): boolean {
  return tf.tidy(() => {
    const x = tf.concat([tf.zeros([1, ...inputShape]), tf.fill([1, ...inputShape], 0.5)]) as Tensor4D;
    const p = forward(x);
    const sums = tf.sum(p, 1).arraySync() as number[];
    return tf.min(p).arraySync() as number >= 0 && sums.every((s) => Math.abs(s - 1) < 1e-4);
  });
}

async function loadNative(dir: string): Promise<SavedModel> {
  const native = getNativeModule();
  if (!native) {
    throw new AppError('BACKEND_UNSUPPORTED', `${dir} is a TensorFlow SavedModel, which only the native TensorFlow backend can run.`, {
      hint: 'Run `npm run setup-native` (and unset SALIENCY_BACKEND), or convert the model with tensorflowjs_converter.'
    });
  }
  try {
    return await native.node.loadSavedModel(dir);
  } catch (err) {
    throw new AppError('MODEL_LOAD_FAILED', `TensorFlow could not load the SavedModel in ${dir}: ${(err as Error).message}`, {
      hint: "The SavedModel needs the 'serve' tag and a 'serving_default' signature; re-export it with tf.saved_model.save, or convert it with tensorflowjs_converter.",
      cause: err
    });
  }
}

/** Loads a SavedModel folder (forward only). @throws AppError */
export async function loadSavedModelHandle(tf: Tf, dir: string, sidecar: Sidecar | null): Promise<ModelHandle> {
  const model = await loadNative(dir);
  try {
    const inputShape = model.inputs.length === 1 ? nhwcInputShape(dimsOf(model.inputs[0].shape)) : null;
    if (!inputShape) throw new AppError('MODEL_FORMAT_UNSUPPORTED', `${dir}: the SavedModel must take one float image input [N, H, W, C] with known H, W, C.`);
    const outputIndex = sidecar?.outputIndex ?? 0;
    checkOutputIndex(outputIndex, model.outputs.length, dir);
    const probability = sidecar?.outputIsProbability ?? looksLikeProbabilities(tf, (x) => predictOutput(tf, model, outputIndex, x), inputShape);
    const descriptor = buildDescriptor({
      path: dir, format: 'saved-model', hash: await hashFolder(dir), inputShape, outputIndex,
      numClasses: classCount(dimsOf(model.outputs[outputIndex].shape), dir), outputIsProbability: probability,
      convLayers: [], parameterCount: 0, canComputeGradients: false
    }, sidecar);
    return new SavedModelHandle(tf, model, outputIndex, descriptor);
  } catch (err) {
    model.dispose();
    throw err;
  }
}
