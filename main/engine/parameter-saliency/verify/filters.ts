/**
 * Global filter numbering of parameter saliency (algorithms.md §1.2), as the edits of the
 * verification protocols and the what-if call need it: kernels in `descriptor.convLayers` order
 * and, inside a kernel, by filter, so filter g of the model is (layer, index) with
 * g = offset(layer) + index. Within a kernel:
 *   conv / pointwise  [kh, kw, inC, outC]        filter j = kernel[:, :, :, j]
 *   transpose         [kh, kw, outC, inC]        filter j = kernel[:, :, j, :]
 *   depthwise         [kh, kw, inC, multiplier]  filter c·multiplier + m = kernel[:, :, c, m]
 * (the row-major flattening of `mean(|g|, [0, 1])`, algorithms.md §6).
 */
import { AppError } from '../../../../shared/errors';
import type { ModelDescriptor } from '../../../../shared/types/model';
import { buildFilterTable, type FilterKind } from '../profile/filters';

/** Where one kernel's filters sit along its 4-D shape. */
export type FilterAxes = 'out' | 'in' | 'depthwise';

/** One convolution kernel's block of the global numbering. */
export interface LayerBlock {
  /** Position in `descriptor.convLayers` (= the ModelHandle kernel index). */
  kernel: number;
  name: string;
  /** First global index of this kernel's filters. */
  offset: number;
  count: number;
  axes: FilterAxes;
  kernelShape: number[];
}

/** A filter's place in the model. */
export interface FilterRef {
  /** Global index in model order. */
  global: number;
  kernel: number;
  layer: string;
  /** Index inside its kernel. */
  index: number;
}

/** The global numbering, its kernel blocks and a global → (kernel, index) lookup. */
export interface FilterLayout {
  readonly blocks: LayerBlock[];
  /** L: the number of filters over all kernels. */
  readonly total: number;
  /** @throws AppError PARAM_INVALID unless 0 ≤ global < total */
  locate(global: number): FilterRef;
}

const AXES: Record<FilterKind, FilterAxes> = { conv: 'out', transpose: 'in', depthwise: 'depthwise' };

/**
 * The numbering of `descriptor.convLayers`, read from the profile stage's filter table
 * (profile/filters.ts), so rankings, statistics and edits share one definition of "filter j".
 * @throws AppError MODEL_CAPABILITY_MISSING when the model has no convolution kernel
 */
export function filterLayout(descriptor: ModelDescriptor): FilterLayout {
  const table = buildFilterTable(descriptor);
  const blocks = table.kernels.map((k): LayerBlock => ({ kernel: k.kernel, name: k.name, offset: k.offset, count: k.filters, axes: AXES[k.kind], kernelShape: [...k.shape] }));
  const total = table.length;
  const starts = blocks.map((b) => b.offset);
  return {
    blocks,
    total,
    locate(global) {
      if (!Number.isInteger(global) || global < 0 || global >= total) {
        throw new AppError('PARAM_INVALID', `Filter index must be an integer in 0…${total - 1}, got ${global}.`, { hint: 'Filter indices are global, in model order (see ranks.json `global`).' });
      }
      let lo = 0;
      let hi = starts.length - 1;
      // Last block whose offset ≤ global (binary search: ResNet-50 has 53 kernels, ViT many more).
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= global) lo = mid;
        else hi = mid - 1;
      }
      const b = blocks[lo];
      return { global, kernel: b.kernel, layer: b.name, index: global - b.offset };
    }
  };
}

/**
 * Checks a list of global filter indices: integers in range and no repeats (a repeated filter
 * would be edited twice by a cumulative protocol). `what` names the list in the message.
 * @throws AppError PARAM_INVALID
 */
export function checkFilterList(layout: FilterLayout, filters: ArrayLike<number>, what: string): void {
  const seen = new Set<number>();
  for (let i = 0; i < filters.length; i++) {
    const g = filters[i];
    if (!Number.isInteger(g) || g < 0 || g >= layout.total) {
      throw new AppError('PARAM_INVALID', `${what}: entry ${i} is ${g}, not a filter index in 0…${layout.total - 1}.`);
    }
    if (seen.has(g)) throw new AppError('PARAM_INVALID', `${what}: filter ${g} is listed twice (entries must be distinct).`);
    seen.add(g);
  }
}
