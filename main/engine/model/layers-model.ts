/**
 * ModelHandle for TF.js Layers models: logits by switching off the final softmax/sigmoid, kernel
 * gradients through the kernels' tf.Variables, what-if kernel edits by assigning to them.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import type { ModelDescriptor } from '../../../shared/types/model';
import { buildDescriptor, nhwcInputShape } from './descriptor';
import { assertInput, checkKernelValues, checkOutputIndex, classCount, computeKernelGradients, LOG_EPSILON } from './handle-common';
import { createLayerActivations, layersActivationAccess, type LayerActivations } from './layer-activations';
import { layersConvKernels, type LayersConvKernel } from './layers-conv';
import { findOutputActivation, type OutputActivation } from './layers-logits';
import type { KernelGradients, LayerWeights, ModelHandle } from './model-handle';
import { toIOHandler, type ModelFiles } from './model-files';
import type { Sidecar } from './sidecar';

type Tf = typeof tfTypes;
type Tensor4D = tfTypes.Tensor4D;

class LayersModelHandle implements ModelHandle {
  private readonly saved = new Map<number, tfTypes.Tensor4D>();
  readonly layerActivations: LayerActivations;

  constructor(
    private readonly tf: Tf,
    private readonly model: tfTypes.LayersModel,
    private readonly kernels: LayersConvKernel[],
    private readonly activation: OutputActivation | null,
    readonly descriptor: ModelDescriptor
  ) {
    this.layerActivations = createLayerActivations(this, layersActivationAccess(tf, model));
  }

  /** The model's own output `outputIndex`, inference mode (BatchNorm moving stats, no Dropout). */
  private forward(x: Tensor4D): tfTypes.Tensor2D {
    assertInput(this.descriptor, x);
    const out = this.model.apply(x, { training: false }) as tfTypes.Tensor | tfTypes.Tensor[];
    return (Array.isArray(out) ? out[this.descriptor.outputIndex] : out) as tfTypes.Tensor2D;
  }

  logits(x: Tensor4D): tfTypes.Tensor2D {
    if (this.activation) return this.activation.withoutActivation(() => this.forward(x));
    if (!this.descriptor.outputIsProbability) return this.forward(x);
    // A probability output with no activation we can remove: log-probabilities (documented on ModelHandle).
    return this.tf.tidy(() => this.tf.log(this.tf.maximum(this.forward(x), LOG_EPSILON)) as tfTypes.Tensor2D);
  }

  probabilities(x: Tensor4D): tfTypes.Tensor2D {
    if (this.activation || this.descriptor.outputIsProbability) return this.forward(x);
    return this.tf.tidy(() => this.tf.softmax(this.forward(x)));
  }

  convKernels(): Tensor4D[] {
    return this.kernels.map((k) => k.variable.read() as unknown as Tensor4D);
  }

  kernelGradients(f: () => tfTypes.Scalar): KernelGradients {
    return computeKernelGradients(this.tf, this.convKernels(), f);
  }

  layerWeights(): LayerWeights[] {
    const leaves = (layers: tfTypes.layers.Layer[]): tfTypes.layers.Layer[] =>
      layers.flatMap((l) => {
        const inner = (l as unknown as { layers?: tfTypes.layers.Layer[] }).layers;
        return Array.isArray(inner) ? leaves(inner) : [l];
      });
    return leaves(this.model.layers)
      .filter((l) => l.weights.length > 0)
      .map((l) => ({ name: l.name, className: l.getClassName(), variables: l.weights.map((w) => ({ name: w.name, trainable: w.trainable, variable: w.read() as unknown as tfTypes.Variable })) }));
  }

  setKernel(i: number, values: Tensor4D): void {
    const kernels = this.convKernels();
    checkKernelValues(kernels, i, values);
    if (!this.saved.has(i)) this.saved.set(i, this.tf.keep(kernels[i].clone()));
    // Assign to the variable directly: LayerVariable.write would also apply the layer's constraint.
    (kernels[i] as unknown as tfTypes.Variable).assign(values);
  }

  restoreKernels(): void {
    const kernels = this.convKernels();
    for (const [i, original] of this.saved) {
      (kernels[i] as unknown as tfTypes.Variable).assign(original);
      original.dispose();
    }
    this.saved.clear();
  }

  dispose(): void {
    this.restoreKernels();
    this.model.dispose();
  }
}

async function loadLayers(tf: Tf, files: ModelFiles): Promise<tfTypes.LayersModel> {
  try {
    return await tf.loadLayersModel(toIOHandler(tf, files));
  } catch (err) {
    throw new AppError('MODEL_LOAD_FAILED', `TF.js could not build the Layers model in ${files.jsonPath}: ${(err as Error).message}`, {
      hint: 'The topology may use a layer tfjs does not support, or the weights do not match it; re-export the model with tfjs or tensorflowjs_converter.',
      cause: err
    });
  }
}

/** Loads a Layers model from already-read files and wraps it. @throws AppError */
export async function loadLayersHandle(tf: Tf, files: ModelFiles, sidecar: Sidecar | null): Promise<ModelHandle> {
  const model = await loadLayers(tf, files);
  try {
    const inputShape = model.inputs.length === 1 ? nhwcInputShape(model.inputs[0].shape) : null;
    if (!inputShape) {
      throw new AppError('MODEL_FORMAT_UNSUPPORTED', `${files.jsonPath}: the model must take one image input of shape [N, H, W, C]; it takes ${model.inputs.map((i) => `[${i.shape.join(', ')}]`).join(', ')}.`);
    }
    const outputIndex = sidecar?.outputIndex ?? 0;
    checkOutputIndex(outputIndex, model.outputs.length, files.jsonPath);
    const activation = findOutputActivation(model, outputIndex);
    const kernels = layersConvKernels(model);
    const descriptor = buildDescriptor({
      path: files.jsonPath, format: 'layers', hash: files.hash, inputShape, outputIndex,
      numClasses: classCount(model.outputs[outputIndex].shape, files.jsonPath),
      outputIsProbability: activation !== null, convLayers: kernels.map((k) => k.info),
      parameterCount: model.countParams(), canComputeGradients: true
    }, sidecar);
    return new LayersModelHandle(tf, model, kernels, activation, descriptor);
  } catch (err) {
    model.dispose();
    throw err;
  }
}
