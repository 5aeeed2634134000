import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { clearMeanImageCache, computeMeanImage, datasetMeanFor } from '../../../main/engine/baselines';
import { openImageSet } from '../../../main/engine/data/image-set';
import { demoProjectDir } from '../../../main/app/project-service';
import type { Preprocessing } from '../../../shared/types/model';

const pre: Preprocessing = { resize: [28, 28], colorMode: 'grey', channelOrder: 'rgb', scale: 1 / 255, mean: [0], std: [1] };
const shape: [number, number, number] = [28, 28, 1];

describe('datasetMeanFor', () => {
  it('computes nothing unless the baseline is mean-image', async () => {
    const set = await openImageSet(path.join(demoProjectDir(), 'images', 'test'));
    expect(await datasetMeanFor({}, set, pre, shape)).toBeUndefined();
    expect(await datasetMeanFor({ baseline: 'blur:sigma=2' }, set, pre, shape)).toBeUndefined();
  });

  it('gives the per-pixel mean of the whole set for mean-image (string or object spec)', async () => {
    clearMeanImageCache();
    const set = await openImageSet(path.join(demoProjectDir(), 'images', 'test'));
    const mean = await datasetMeanFor({ baseline: 'mean-image' }, set, pre, shape);
    expect(mean?.count).toBe(200);
    expect(mean?.shape).toEqual(shape);
    const direct = await set.loadBatch(set.items.map((i) => i.index), pre, shape);
    const expected = new Float64Array(28 * 28);
    for (let i = 0; i < direct.data.length; i++) expected[i % expected.length] += direct.data[i] / 200;
    for (let i = 0; i < expected.length; i++) expect(mean?.data[i]).toBeCloseTo(expected[i], 6);
    expect(await datasetMeanFor({ baseline: { id: 'mean-image' } }, set, pre, shape)).toBe(mean);
    expect(await computeMeanImage(set, pre, shape)).toBe(mean); // one pass per set, cached
  });
});
