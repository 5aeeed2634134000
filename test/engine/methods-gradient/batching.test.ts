import { describe, expect, it } from 'vitest';
import { addToRows, DEFAULT_MAX_ELEMENTS_PER_PASS, forEachChunk, planChunks, rowIndices, rowRng, unitsPerPass } from '../../../main/engine/saliency/batching';
import { appErrorOf } from '../helpers/errors';

describe('chunk planning', () => {
  it('fits ⌊budget / elements per copy⌋ units per pass, at least one', async () => {
    expect(unitsPerPass(100, 1000)).toBe(10);
    expect(unitsPerPass(100, 1099)).toBe(10);
    expect(unitsPerPass(5000, 1000)).toBe(1);
    expect(unitsPerPass(1024)).toBe(DEFAULT_MAX_ELEMENTS_PER_PASS / 1024);
    for (const bad of [0, -5, 2.5, Number.NaN]) {
      const err = await appErrorOf(() => unitsPerPass(10, bad));
      expect(err.code).toBe('PARAM_INVALID');
      expect(err.message).toContain('`maxElementsPerPass`');
    }
  });

  it('visits every (row, copy) once, row-major, in chunks that may span rows', () => {
    const chunks = planChunks(3, 5, 10, 40);
    expect(chunks.map((c) => c.count)).toEqual([4, 4, 4, 3]);
    const units = chunks.flatMap((c) => Array.from({ length: c.count }, (_, j) => [c.rows[j], c.copies[j], c.start + j]));
    expect(units).toEqual(Array.from({ length: 15 }, (_, i) => [Math.floor(i / 5), i % 5, i]));
    expect(planChunks(0, 5, 10)).toEqual([]);
  });

  it('accumulates f(value, copy) into each unit\'s row in float64', () => {
    const [chunk] = planChunks(2, 3, 2, 100);
    const acc = new Float64Array(4);
    const values = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    addToRows(acc, values, chunk, 2, (v, copy) => v * (copy + 1));
    expect(Array.from(acc)).toEqual([1 + 6 + 15, 2 + 8 + 18, 7 + 18 + 33, 8 + 20 + 36]);
  });

  it('runs chunks in order with progress, and stops with CANCELLED between chunks', async () => {
    const chunks = planChunks(2, 4, 1, 3);
    const seen: string[] = [];
    await forEachChunk(chunks, { signal: new AbortController().signal, methodId: 'm', onStep: (d, t) => seen.push(`${d}/${t}`) }, () => undefined);
    expect(seen).toEqual(['3/8', '6/8', '8/8']);
    const controller = new AbortController();
    let ran = 0;
    const err = await appErrorOf(() => forEachChunk(chunks, { signal: controller.signal, methodId: 'my-method' }, () => {
      ran += 1;
      controller.abort();
    }));
    expect([err.code, ran, err.message.includes('my-method')]).toEqual(['CANCELLED', 1, true]);
  });
});

describe('per-item random streams', () => {
  const firstDraws = (seed: number, index: number, stream: string) => {
    const rng = rowRng(seed, index, stream);
    return [rng.uint32(), rng.uint32(), rng.uint32()];
  };

  it('depend only on (seed, index, stream) and differ when any of them changes', () => {
    expect(firstDraws(1, 2, 's')).toEqual(firstDraws(1, 2, 's'));
    const variants = [firstDraws(1, 2, 's'), firstDraws(2, 2, 's'), firstDraws(1, 3, 's'), firstDraws(1, 2, 't'), firstDraws(0, 0, 's'), firstDraws(0, 1, 's')];
    expect(new Set(variants.map((v) => v.join())).size).toBe(variants.length);
  });

  it('row indices default to the row number and must match the rows', async () => {
    expect(rowIndices(3)).toEqual([0, 1, 2]);
    expect(rowIndices(2, [7, 4])).toEqual([7, 4]);
    expect((await appErrorOf(() => rowIndices(2, [1]))).code).toBe('PARAM_INVALID');
    expect((await appErrorOf(() => rowRng(Number.NaN, 0, 's'))).message).toContain('`seed`');
  });
});
