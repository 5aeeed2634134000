/**
 * Stable filter ids of a model (algorithms.md §1.2, §2.2): every convolution kernel in model
 * order (`descriptor.convLayers`, 1×1 projections included), and inside a kernel every filter:
 *   conv       kernel [kh, kw, inC, outC]   filter j = kernel[:, :, :, j]        (outC filters)
 *   transpose  kernel [kh, kw, outC, inC]   filter j = kernel[:, :, j, :]        (outC = shape[2])
 *   depthwise  kernel [kh, kw, inC, m]      filter (c, m) = kernel[:, :, c, m]   (inC·m filters,
 *                                           index c·m_count + m, the row-major flattening)
 * The global index g runs over all filters of all kernels in that order, so a profile is one
 * length-L vector and the reference matrix has L columns.
 *
 * The descriptor does not say whether a kernel is transposed; a kernel whose filter count equals
 * shape[2] but not shape[3] is read as a transpose. A square transpose (shape[2] = shape[3]) cannot
 * be told apart and is read as an ordinary conv, whose filters are then the kernel's last axis.
 */
import { AppError } from '../../../../shared/errors';
import type { ConvLayerInfo, ModelDescriptor } from '../../../../shared/types/model';

/** How one kernel's weights are grouped into filters. */
export type FilterKind = 'conv' | 'transpose' | 'depthwise';

/** One filter: kernel (layer) name, index inside the kernel, global index over the model. */
export interface FilterId {
  layer: string;
  index: number;
  global: number;
}

/** One kernel's block of the global filter order. */
export interface KernelBlock {
  /** Position of the kernel in `descriptor.convLayers` (and `ModelHandle.convKernels()`). */
  kernel: number;
  name: string;
  kind: FilterKind;
  shape: [number, number, number, number];
  /** Global index of the kernel's first filter. */
  offset: number;
  filters: number;
}

/** The model's filters in global order. */
export interface FilterTable {
  /** L, the number of filters. */
  length: number;
  kernels: KernelBlock[];
  ids: FilterId[];
}

/** The filter grouping of one kernel, from its descriptor entry. */
export function kernelKind(info: ConvLayerInfo): FilterKind {
  if (info.depthwise) return 'depthwise';
  const shape = info.kernelShape;
  return info.filters === shape[2] && info.filters !== shape[3] ? 'transpose' : 'conv';
}

/**
 * Builds the global filter order of a model.
 * @throws AppError MODEL_CAPABILITY_MISSING when the model has no convolution kernel
 */
export function buildFilterTable(descriptor: ModelDescriptor): FilterTable {
  if (descriptor.convLayers.length === 0) {
    throw new AppError('MODEL_CAPABILITY_MISSING', `${descriptor.name} has no convolution kernels, so it has no filters to rank.`, {
      hint: 'Parameter saliency ranks convolution filters; pick a CNN.'
    });
  }
  const kernels: KernelBlock[] = [];
  const ids: FilterId[] = [];
  let offset = 0;
  descriptor.convLayers.forEach((info, kernel) => {
    const shape = info.kernelShape as [number, number, number, number];
    kernels.push({ kernel, name: info.name, kind: kernelKind(info), shape, offset, filters: info.filters });
    for (let index = 0; index < info.filters; index++) ids.push({ layer: info.name, index, global: offset + index });
    offset += info.filters;
  });
  return { length: offset, kernels, ids };
}

/** Axes of a kernel gradient averaged into one value per filter (tf.mean over them). */
export function filterAxes(kind: FilterKind): number[] {
  if (kind === 'depthwise') return [0, 1];
  return kind === 'transpose' ? [0, 1, 3] : [0, 1, 2];
}
