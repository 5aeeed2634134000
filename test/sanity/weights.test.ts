/**
 * Weight re-initialisation (main/engine/sanity/weights.ts) against its closed forms, and the
 * similarity helpers (similarity.ts) against direct computations.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../shared/random';
import { spearman } from '../../main/engine/compare';
import { rowMaps, similarities, ssimWindow } from '../../main/engine/sanity/similarity';
import { createWeightBank, drawValues, glorotLimit } from '../../main/engine/sanity/weights';
import type { ModelHandle } from '../../main/engine/model/model-handle';
import { useBackend } from '../support/each-backend';

const meanStd = (v: ArrayLike<number>) => {
  const a = Array.from(v);
  const m = a.reduce((s, x) => s + x, 0) / a.length;
  return { m, s: Math.sqrt(a.reduce((s, x) => s + (x - m) ** 2, 0) / a.length) };
};

describe('re-initialisation draws', () => {
  it('glorot-uniform: limit √(6/(fan_in+fan_out)) with the receptive field, values inside it, std ≈ limit/√3', () => {
    expect(glorotLimit([3, 3, 16, 32])).toBeCloseTo(Math.sqrt(6 / (9 * 16 + 9 * 32)), 15);
    expect(glorotLimit([3136, 10])).toBeCloseTo(Math.sqrt(6 / 3146), 15);
    const shape = [3, 3, 32, 64];
    const v = drawValues(new Float32Array(18432).fill(0.5), shape, 'glorot-uniform', createRng(1));
    const l = glorotLimit(shape);
    expect(Math.max(...v)).toBeLessThanOrEqual(l);
    expect(Math.min(...v)).toBeGreaterThanOrEqual(-l);
    const { m, s } = meanStd(v);
    expect(Math.abs(m)).toBeLessThan(0.02 * l); // 18,432 draws: s.e. of the mean ≈ 0.004·l
    expect(s / (l / Math.sqrt(3))).toBeCloseTo(1, 1);
  });

  it('rank-1 weights keep their trained mean and spread (glorot mode); gaussian mode is N(0, σ_trained)', () => {
    const trained = Float32Array.from({ length: 4000 }, (_, i) => 0.3 + 0.1 * Math.sin(i));
    const t = meanStd(trained);
    const bias = meanStd(drawValues(trained, [4000], 'glorot-uniform', createRng(2)));
    expect(bias.m).toBeCloseTo(t.m, 2);
    expect(bias.s / t.s).toBeCloseTo(1, 1);
    const g = meanStd(drawValues(trained, [40, 100], 'gaussian', createRng(3)));
    expect(Math.abs(g.m)).toBeLessThan(0.01);
    expect(g.s / t.s).toBeCloseTo(1, 1);
  });

  it('is a pure function of the seed', () => {
    const a = drawValues(new Float32Array(100), [10, 10], 'glorot-uniform', createRng(9));
    const b = drawValues(new Float32Array(100), [10, 10], 'glorot-uniform', createRng(9));
    const c = drawValues(new Float32Array(100), [10, 10], 'glorot-uniform', createRng(10));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
  });
});

describe('weight bank', () => {
  const backend = useBackend();
  it('randomises exactly the named layers, skips non-trainable variables, restores bit-exactly, frees its tensors', () => {
    const { tf } = backend;
    const start = tf.memory().numTensors;
    const mk = (name: string, vals: number[], trainable = true) => ({ name, trainable, variable: tf.tidy(() => tf.variable(tf.tensor(vals, [2, 2]), trainable, `bank-test-${name}`)) });
    const layers = [
      { name: 'a', className: 'Dense', variables: [mk('a/k', [1, 2, 3, 4])] },
      { name: 'bn', className: 'BatchNormalization', variables: [mk('bn/mean', [5, 6, 7, 8], false)] },
      { name: 'b', className: 'Dense', variables: [mk('b/k', [9, 10, 11, 12])] }
    ];
    const model = { descriptor: { format: 'layers' }, layerWeights: () => layers } as unknown as ModelHandle;
    const bank = createWeightBank(tf, model, 'glorot-uniform', 0);
    expect(bank.layers.map((l) => l.name)).toEqual(['a', 'b']); // bn has no trainable weight
    bank.apply(new Set(['b']));
    expect(Array.from(layers[0].variables[0].variable.dataSync())).toEqual([1, 2, 3, 4]);
    const randomB = Array.from(layers[2].variables[0].variable.dataSync());
    expect(randomB).not.toEqual([9, 10, 11, 12]);
    for (const v of randomB) expect(Math.abs(v)).toBeLessThanOrEqual(glorotLimit([2, 2]));
    bank.apply(new Set(['a', 'b']));
    expect(Array.from(layers[2].variables[0].variable.dataSync())).toEqual(randomB); // same draw at every step
    bank.dispose();
    expect(Array.from(layers[0].variables[0].variable.dataSync())).toEqual([1, 2, 3, 4]);
    expect(Array.from(layers[1].variables[0].variable.dataSync())).toEqual([5, 6, 7, 8]);
    expect(Array.from(layers[2].variables[0].variable.dataSync())).toEqual([9, 10, 11, 12]);
    for (const l of layers) for (const v of l.variables) v.variable.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('similarity helpers', () => {
  it('sums the signed attributions over channels and compares with the compare statistics', () => {
    const size = 9;
    const raw = Float32Array.from({ length: 2 * size * 2 }, (_, i) => Math.sin(i * 1.7));
    const maps = Float32Array.from({ length: 2 * size }, (_, i) => Math.cos(i));
    const row = rowMaps(maps, raw, 1, size, 2);
    for (let i = 0; i < size; i++) expect(row.signed[i]).toBeCloseTo(raw[(size + i) * 2] + raw[(size + i) * 2 + 1], 12);
    expect(Array.from(row.map)).toEqual(Array.from(maps.subarray(size)));
    const other = rowMaps(maps, raw, 0, size, 2);
    const s = similarities(row, other, 3, 3, 3);
    expect(s['spearman-signed']).toBeCloseTo(spearman(row.signed, other.signed), 15);
    expect(s['spearman-abs']).toBeCloseTo(spearman(Array.from(row.signed, Math.abs), Array.from(other.signed, Math.abs)), 15);
    const same = similarities(row, row, 3, 3, 3);
    expect(same).toEqual({ 'spearman-abs': 1, 'spearman-signed': 1, ssim: 1, topk: 1 });
  });

  it('marks SSIM and Spearman undefined for a constant map', () => {
    const flat = { map: new Float32Array(49), signed: new Float32Array(49) };
    const varied = { map: Float32Array.from({ length: 49 }, (_, i) => i), signed: Float32Array.from({ length: 49 }, (_, i) => i) };
    const s = similarities(varied, flat, 7, 7, 5);
    expect(s.ssim).toBeNaN();
    expect(s['spearman-abs']).toBeNaN();
    expect(s.topk).toBeGreaterThanOrEqual(0);
  });

  it('picks an odd SSIM window no larger than the map', () => {
    expect(ssimWindow(28, 28)).toBe(7);
    expect(ssimWindow(7, 7)).toBe(7);
    expect(ssimWindow(6, 9)).toBe(5);
    expect(ssimWindow(4, 4)).toBe(3);
  });
});
