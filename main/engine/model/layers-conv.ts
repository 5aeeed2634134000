/**
 * Finds the convolution kernels of a tfjs LayersModel in model order (nested models flattened),
 * with their filter counts:
 *   Conv2D            kernel [kh, kw, inC, outC]          filters = outC
 *   Conv2DTranspose   kernel [kh, kw, outC, inC]          filters = outC (= shape[2])
 *   DepthwiseConv2D   kernel [kh, kw, inC, multiplier]    filters = inC·multiplier
 *   SeparableConv2D   depthwise kernel (as above) + pointwise kernel [1, 1, inC·multiplier, outC]
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { ConvLayerInfo } from '../../../shared/types/model';

type Layer = tfTypes.layers.Layer;

/** A tfjs LayerVariable, as far as we use it. */
export interface KernelVariable {
  read(): tfTypes.Variable;
  shape: number[];
}

export interface LayersConvKernel {
  info: ConvLayerInfo;
  variable: KernelVariable;
}

type Kind = 'conv' | 'transpose' | 'depthwise' | 'pointwise';

/** Which layer property holds which kernel, per layer class. */
const KERNELS: Record<string, Array<[property: string, kind: Kind, suffix: string]>> = {
  Conv2D: [['kernel', 'conv', '']],
  Conv2DTranspose: [['kernel', 'transpose', '']],
  DepthwiseConv2D: [['depthwiseKernel', 'depthwise', '']],
  SeparableConv2D: [['depthwiseKernel', 'depthwise', '/depthwise_kernel'], ['pointwiseKernel', 'pointwise', '/pointwise_kernel']]
};

function filtersOf(shape: number[], kind: Kind): number {
  if (kind === 'depthwise') return shape[2] * shape[3];
  return kind === 'transpose' ? shape[2] : shape[3];
}

function outputSizeOf(layer: Layer): [number, number] | null {
  try {
    const shape = layer.outputShape as Array<number | null>;
    return shape.length === 4 && typeof shape[1] === 'number' && typeof shape[2] === 'number' ? [shape[1], shape[2]] : null;
  } catch {
    return null; // a layer used at several places has no single output shape
  }
}

function flatten(layers: Layer[]): Layer[] {
  return layers.flatMap((layer) => {
    const inner = (layer as unknown as { layers?: Layer[] }).layers;
    return Array.isArray(inner) ? flatten(inner) : [layer];
  });
}

/** Conv kernels of `model` in layer order. */
export function layersConvKernels(model: tfTypes.LayersModel): LayersConvKernel[] {
  const found: LayersConvKernel[] = [];
  for (const layer of flatten(model.layers)) {
    for (const [property, kind, suffix] of KERNELS[layer.getClassName()] ?? []) {
      const variable = (layer as unknown as Record<string, KernelVariable | undefined>)[property];
      if (!variable || variable.shape.length !== 4) continue;
      const kernelShape = [...variable.shape];
      found.push({
        variable,
        info: { name: layer.name + suffix, kernelShape, filters: filtersOf(kernelShape, kind), depthwise: kind === 'depthwise', outputSize: outputSizeOf(layer) }
      });
    }
  }
  return found;
}
