import { describe, expect, it } from 'vitest';
import { buildFilterTable, filterAxes, kernelKind } from '../../../main/engine/parameter-saliency/profile/filters';
import type { ConvLayerInfo, ModelDescriptor } from '../../../shared/types/model';

function conv(name: string, kernelShape: number[], filters: number, depthwise = false): ConvLayerInfo {
  return { name, kernelShape, filters, depthwise, outputSize: null };
}

function descriptor(convLayers: ConvLayerInfo[]): ModelDescriptor {
  return { name: 'm', convLayers } as unknown as ModelDescriptor;
}

describe('filter table', () => {
  it('numbers filters kernel by kernel in model order, with stable (layer, index, global) ids', () => {
    const table = buildFilterTable(descriptor([conv('c1', [3, 3, 3, 4], 4), conv('dw', [3, 3, 4, 2], 8, true), conv('proj', [1, 1, 8, 3], 3)]));
    expect(table.length).toBe(15);
    expect(table.kernels.map((k) => [k.name, k.kind, k.offset, k.filters])).toEqual([['c1', 'conv', 0, 4], ['dw', 'depthwise', 4, 8], ['proj', 'conv', 12, 3]]);
    expect(table.ids[0]).toEqual({ layer: 'c1', index: 0, global: 0 });
    expect(table.ids[4]).toEqual({ layer: 'dw', index: 0, global: 4 });
    expect(table.ids[14]).toEqual({ layer: 'proj', index: 2, global: 14 });
    expect(table.ids.every((id, g) => id.global === g)).toBe(true);
  });

  it('reads the filter axis from the filter count: conv = last axis, transpose = axis 2, depthwise = (channel, multiplier)', () => {
    expect(kernelKind(conv('t', [3, 3, 4, 10], 4))).toBe('transpose');
    expect(kernelKind(conv('c', [3, 3, 10, 4], 4))).toBe('conv');
    expect(kernelKind(conv('square', [3, 3, 4, 4], 4))).toBe('conv');
    expect(kernelKind(conv('d', [3, 3, 4, 2], 8, true))).toBe('depthwise');
    expect(filterAxes('conv')).toEqual([0, 1, 2]);
    expect(filterAxes('transpose')).toEqual([0, 1, 3]);
    expect(filterAxes('depthwise')).toEqual([0, 1]);
  });

  it('refuses a model without convolution kernels (MODEL_CAPABILITY_MISSING)', () => {
    expect(() => buildFilterTable(descriptor([]))).toThrow(expect.objectContaining({ code: 'MODEL_CAPABILITY_MISSING' }));
  });
});
