/**
 * What a Graph model's files do not state but one forward pass on zeros shows: the class-output
 * width and each conv node's output size for the descriptor's input size.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { ConvLayerInfo } from '../../../shared/types/model';
import { convWeights, type GraphConvWeight, type GraphNodeDef } from './graph-topology';

type Tf = typeof tfTypes;
type WeightMap = Record<string, tfTypes.Tensor[]>;

/** A conv weight with its kernel shape. */
export interface GraphConv extends GraphConvWeight {
  kernelShape: number[];
}

/** Conv weights (rank-4 float32 tensors consumed by conv nodes) in topological order. */
export function graphConvLayers(nodes: GraphNodeDef[], weights: WeightMap): GraphConv[] {
  const isKernel = (name: string): boolean => weights[name]?.[0]?.rank === 4 && weights[name][0].dtype === 'float32';
  return convWeights(nodes, isKernel).map((c) => ({ ...c, kernelShape: [...weights[c.weight][0].shape] }));
}

function filtersOf(c: GraphConv): number {
  const [, , a, b] = c.kernelShape;
  if (c.kind === 'depthwise') return a * b;
  return c.kind === 'transpose' ? a : b;
}

/** Float32 weights only: int32 constants (shapes, slice bounds) are not parameters. */
function parameterCount(weights: WeightMap): number {
  return Object.values(weights).reduce((sum, ts) => sum + ts.reduce((s, t) => s + (t.dtype === 'float32' ? t.size : 0), 0), 0);
}

/** Runs the graph once on a zero image and reads the output shape and conv output sizes. */
export function probeGraph(tf: Tf, model: tfTypes.GraphModel, inputShape: [number, number, number], outputNode: string, convs: GraphConv[]): {
  outputShape: number[];
  convLayers: ConvLayerInfo[];
  parameterCount: number;
} {
  const shapes = tf.tidy(() => {
    const outs = model.execute(tf.zeros([1, ...inputShape]), [outputNode, ...convs.map((c) => c.consumer)]) as tfTypes.Tensor[];
    return outs.map((t) => t.shape);
  });
  const convLayers = convs.map((c, i): ConvLayerInfo => {
    const out = shapes[i + 1];
    return { name: c.weight, kernelShape: c.kernelShape, filters: filtersOf(c), depthwise: c.kind === 'depthwise', outputSize: out.length === 4 ? [out[1], out[2]] : null };
  });
  return { outputShape: shapes[0], convLayers, parameterCount: parameterCount(model.weights) };
}
