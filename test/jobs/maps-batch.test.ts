/**
 * The engine side of a persisted job (`mapsBatch`, main/engine/maps-batch.ts) in-process on the
 * native backend: maps as arrays in request order, each independent of the batch it is computed in
 * (what makes resume exact; equality with the in-memory `saliency` path: runner.test.ts), unreadable
 * items reported as skipped, bad indices refused, and no tensor left behind.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMapsBatch, type MapsBatchRequest } from '../../main/engine/maps-batch';
import { useBackend } from '../support/each-backend';
import { expectNoLeak } from '../support/tensor-asserts';
import { appErrorOf } from '../engine/helpers/errors';
import { DEMO_IMAGES, DEMO_MODEL, recordingIO, useMapsFixture } from '../engine/run-maps/helpers';

const backend = useBackend();
const fixture = useMapsFixture('maps-batch-');
const request = (indices: number[], extra: Partial<MapsBatchRequest> = {}): MapsBatchRequest => ({ modelPath: DEMO_MODEL, inputs: { path: DEMO_IMAGES }, indices, firstPosition: 0, method: 'gradient', params: {}, target: { kind: 'predicted' }, ...extra });
const run = (req: MapsBatchRequest) => runMapsBatch(backend.tf, backend.info, fixture.model(), req, recordingIO());
let badSet = '';

beforeAll(() => {
  // Two readable digits and one file that is not an image, in a flat folder (set order: a, b, c).
  badSet = fs.mkdtempSync(path.join(os.tmpdir(), 'saliency-badset-'));
  const first = path.join(DEMO_IMAGES, fs.readdirSync(DEMO_IMAGES).sort()[0]);
  const images = fs.readdirSync(first).sort().slice(0, 2);
  fs.copyFileSync(path.join(first, images[0]), path.join(badSet, `a${path.extname(images[0])}`));
  fs.writeFileSync(path.join(badSet, 'b.png'), 'not a png');
  fs.copyFileSync(path.join(first, images[1]), path.join(badSet, `c${path.extname(images[1])}`));
});

afterAll(() => fs.rmSync(badSet, { recursive: true, force: true }));

describe('mapsBatch', () => {
  it('returns one map per item in request order, leaking no tensor, with target and score per item', async () => {
    const result = await expectNoLeak(backend.tf, () => run(request([7, 3, 11])));
    expect([result.height, result.width]).toEqual([28, 28]);
    expect(result.maps).toHaveLength(3 * 784);
    expect(result.items.map((i) => [i.index, i.status])).toEqual([[7, 'ok'], [3, 'ok'], [11, 'ok']]);
    for (const item of result.items) {
      expect(item.target).toBe(item.predicted); // target: predicted
      expect(Number.isFinite(item.score)).toBe(true);
      expect(item.predictedProb).toBeGreaterThan(0);
      expect(item.path).toMatch(/\.(png|jpg|bmp)$/);
    }
  });

  it('a map does not depend on the batch it is computed in (the basis of bit-identical resume)', async () => {
    const together = await run(request([3, 4, 5, 6]));
    for (const [k, index] of [3, 4, 5, 6].entries()) {
      const alone = await run(request([index], { firstPosition: k }));
      expect(Array.from(alone.maps)).toEqual(Array.from(together.maps.subarray(k * 784, (k + 1) * 784)));
    }
    // A stochastic method draws from (seed, index): the same with SmoothGrad.
    const sg = { method: 'smoothgrad', params: { n: 4 }, seed: 9 };
    const pair = await run(request([20, 21], sg));
    const single = await run(request([21], { ...sg, firstPosition: 1 }));
    expect(Array.from(single.maps)).toEqual(Array.from(pair.maps.subarray(784)));
  });

  it('reports an unreadable item as skipped with its reason and returns maps only for the readable ones', async () => {
    const result = await run(request([0, 1, 2], { inputs: { path: badSet } }));
    expect(result.items.map((i) => i.status)).toEqual(['ok', 'skipped', 'ok']);
    expect(result.items[1].reason).toBeTruthy();
    expect(result.items[1]).toMatchObject({ target: null, score: null });
    expect(result.maps).toHaveLength(2 * 784);
  });

  it('refuses an out-of-range index or an empty batch with PARAM_INVALID', async () => {
    expect((await appErrorOf(() => run(request([0, 200])))).code).toBe('PARAM_INVALID');
    expect((await appErrorOf(() => run(request([])))).code).toBe('PARAM_INVALID');
    expect((await appErrorOf(() => run(request([0], { method: 'nope' })))).code).toBe('METHOD_UNKNOWN');
  });
});
