/**
 * ModelHandle for TF.js Graph models (tensorflowjs_converter output): logits by executing up to
 * the input of a final Softmax/Sigmoid node, kernel gradients w.r.t. the conv weight tensors
 * (R2 row 2d), what-if kernel edits by swapping entries of the executor's weight map.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '../../../shared/errors';
import type { ModelDescriptor } from '../../../shared/types/model';
import { buildDescriptor, nhwcInputShape } from './descriptor';
import { graphConvLayers, probeGraph } from './graph-probe';
import { preActivation, type GraphNodeDef } from './graph-topology';
import { assertInput, checkKernelValues, checkOutputIndex, classCount, computeKernelGradients, LOG_EPSILON } from './handle-common';
import { createLayerActivations, graphActivationAccess, type LayerActivations } from './layer-activations';
import type { KernelGradients, ModelHandle } from './model-handle';
import { toIOHandler, type ModelFiles } from './model-files';
import type { Sidecar } from './sidecar';

type Tf = typeof tfTypes;
type Tensor4D = tfTypes.Tensor4D;
type WeightMap = Record<string, tfTypes.Tensor[]>;

/** The executor's weight map setter also records which tensor ids are weights (never disposed mid-run). */
interface GraphExecutorLike {
  weightMap: WeightMap;
}

class GraphModelHandle implements ModelHandle {
  private readonly originals = new Map<string, tfTypes.Tensor>();
  /** Intermediate nodes fed beside x while a layer split substitutes an activation. */
  private feeds: Record<string, tfTypes.Tensor> | null = null;
  readonly layerActivations: LayerActivations;

  constructor(
    private readonly tf: Tf,
    private readonly model: tfTypes.GraphModel,
    private readonly outputNode: string,
    private readonly logitsNode: string | null,
    private readonly weightNames: string[],
    readonly descriptor: ModelDescriptor,
    nodes: GraphNodeDef[],
    convs: Array<{ weight: string; consumer: string }>
  ) {
    this.layerActivations = createLayerActivations(this, graphActivationAccess(model, nodes, convs, (feeds) => (this.feeds = feeds)));
  }

  private run(x: Tensor4D, node: string): tfTypes.Tensor2D {
    assertInput(this.descriptor, x);
    const inputs = this.feeds ? { [this.model.inputs[0].name]: x, ...this.feeds } : x;
    return this.model.execute(inputs, node) as tfTypes.Tensor2D;
  }

  logits(x: Tensor4D): tfTypes.Tensor2D {
    if (this.logitsNode) return this.run(x, this.logitsNode);
    if (!this.descriptor.outputIsProbability) return this.run(x, this.outputNode);
    return this.tf.tidy(() => this.tf.log(this.tf.maximum(this.run(x, this.outputNode), LOG_EPSILON)) as tfTypes.Tensor2D);
  }

  probabilities(x: Tensor4D): tfTypes.Tensor2D {
    if (this.logitsNode || this.descriptor.outputIsProbability) return this.run(x, this.outputNode);
    return this.tf.tidy(() => this.tf.softmax(this.run(x, this.outputNode)));
  }

  convKernels(): Tensor4D[] {
    const weights = this.model.weights;
    return this.weightNames.map((name) => weights[name][0] as Tensor4D);
  }

  kernelGradients(f: () => tfTypes.Scalar): KernelGradients {
    return computeKernelGradients(this.tf, this.convKernels(), f);
  }

  /** Swaps one weight via the executor's setter, which re-registers the weight ids (tfjs-converter internals). */
  private putWeight(name: string, tensor: tfTypes.Tensor): void {
    const executor = (this.model as unknown as { executor: GraphExecutorLike }).executor;
    executor.weightMap = { ...executor.weightMap, [name]: [tensor] };
  }

  setKernel(i: number, values: Tensor4D): void {
    const kernels = this.convKernels();
    checkKernelValues(kernels, i, values);
    const name = this.weightNames[i];
    if (this.originals.has(name)) kernels[i].dispose();
    else this.originals.set(name, kernels[i]);
    this.putWeight(name, this.tf.keep(values.clone()));
  }

  restoreKernels(): void {
    for (const [name, original] of this.originals) {
      this.model.weights[name][0].dispose();
      this.putWeight(name, original);
    }
    this.originals.clear();
  }

  dispose(): void {
    this.restoreKernels();
    this.model.dispose();
  }
}

async function loadGraph(tf: Tf, files: ModelFiles): Promise<tfTypes.GraphModel> {
  try {
    return await tf.loadGraphModel(toIOHandler(tf, files));
  } catch (err) {
    throw new AppError('MODEL_LOAD_FAILED', `TF.js could not build the Graph model in ${files.jsonPath}: ${(err as Error).message}`, {
      hint: 'The graph may use an op tfjs does not support; re-convert it with a current tensorflowjs_converter.',
      cause: err
    });
  }
}

function inputShapeOf(model: tfTypes.GraphModel, where: string): [number, number, number] {
  const shape = model.inputs.length === 1 ? nhwcInputShape(model.inputs[0].shape) : null;
  if (shape) return shape;
  throw new AppError('MODEL_FORMAT_UNSUPPORTED', `${where}: the graph must have one image input of shape [N, H, W, C] with known H, W, C; it has ${model.inputs.map((i) => `${i.name} [${(i.shape ?? []).join(', ')}]`).join(', ')}.`);
}

/** Loads a Graph model from already-read files and wraps it. @throws AppError */
export async function loadGraphHandle(tf: Tf, files: ModelFiles, sidecar: Sidecar | null): Promise<ModelHandle> {
  const model = await loadGraph(tf, files);
  try {
    const nodes = ((files.json.modelTopology as { node?: GraphNodeDef[] }).node ?? []);
    const inputShape = inputShapeOf(model, files.jsonPath);
    const outputIndex = sidecar?.outputIndex ?? 0;
    checkOutputIndex(outputIndex, model.outputs.length, files.jsonPath);
    const outputNode = model.outputs[outputIndex].name;
    const pre = preActivation(nodes, outputNode);
    const convs = graphConvLayers(nodes, model.weights);
    const probe = probeGraph(tf, model, inputShape, outputNode, convs);
    const descriptor = buildDescriptor({
      path: files.jsonPath, format: 'graph', hash: files.hash, inputShape, outputIndex,
      numClasses: classCount(probe.outputShape, files.jsonPath), outputIsProbability: pre !== null,
      convLayers: probe.convLayers, parameterCount: probe.parameterCount, canComputeGradients: true
    }, sidecar);
    return new GraphModelHandle(tf, model, outputNode, pre?.node ?? null, convs.map((c) => c.weight), descriptor, nodes, convs);
  } catch (err) {
    model.dispose();
    throw err;
  }
}
