import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openImageSet } from '../../../main/engine/data/image-set';
import { clearModelCache, loadModel } from '../../../main/engine/model/load-model';
import { buildFilterTable } from '../../../main/engine/parameter-saliency/profile/filters';
import { filterProfiles } from '../../../main/engine/parameter-saliency/profile/profile';
import { readColumnHeader, readColumns } from '../../../main/engine/parameter-saliency/reference/column-npy';
import { runReferenceStats } from '../../../main/engine/parameter-saliency/reference/job';
import { statsPaths } from '../../../main/engine/parameter-saliency/reference/layout';
import { readState, readStatsFile } from '../../../main/engine/parameter-saliency/reference/store';
import type { ParamStatsRequest } from '../../../main/engine/parameter-saliency/reference/types';
import { serializeNpy } from '../../../shared/npy';
import { useBackend } from '../../support/each-backend';
import { makeTempDir } from '../../support/make-fixtures';
import { expectNoLeak } from '../../support/tensor-asserts';
import { blockError } from '../profile/helpers';
import { twoPass } from '../stats/helpers';
import { copyModel, copyReference, DEMO_MODEL, DEMO_REFERENCE, jobIO, REF20 } from './helpers';

describe('reference-statistics job (native, demo model)', () => {
  const backend = useBackend();
  let root = '';

  beforeAll(async () => {
    root = await makeTempDir('saliency-refstats-');
  });

  afterAll(async () => {
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  const request = (out: string, extra: Partial<ParamStatsRequest> = {}): ParamStatsRequest => ({
    modelPath: DEMO_MODEL, inputs: { path: DEMO_REFERENCE, indices: REF20 }, out: path.join(root, out), batchSize: 8, ...extra
  });

  /** Largest relative difference between two float64 vectors (absolute where the reference is 0). */
  function maxRel(a: ArrayLike<number | null>, b: ArrayLike<number | null>): number {
    let worst = 0;
    for (let i = 0; i < b.length; i++) worst = Math.max(worst, b[i] === 0 ? Math.abs(a[i]!) : Math.abs(a[i]! / b[i]! - 1));
    return worst;
  }

  it('keeps the N × L matrix column-major on disk and μ, σ equal to a two-pass computation over it (1e-12)', async () => {
    const { tf } = backend;
    const model = await loadModel(DEMO_MODEL);
    const io = jobIO();
    const result = await expectNoLeak(tf, () => runReferenceStats(tf, model, request('full'), io));
    expect(result).toMatchObject({ count: 20, length: 112, cached: false, invalidated: false, resumedFromItems: 0, strategy: 'batched', batchSize: 8 });
    expect(io.seen.filter((p) => p.message === 'profiles').map((p) => p.done)).toEqual([0, 8, 16, 20]);
    const stats = await readStatsFile(result.dir);
    expect(stats.keyParts).toMatchObject({ modelHash: model.descriptor.hash, indices: REF20 });
    expect(stats.filters[27]).toEqual({ layer: 'conv2', index: 11, global: 27 });
    expect(await readColumnHeader(result.files.profiles)).toMatchObject({ rows: 20, cols: 112 });
    const columns = await readColumns(result.files.profiles, 0, 112);
    const mean = new Float64Array(112);
    const std = new Float64Array(112);
    for (let j = 0; j < 112; j++) {
      const { mean: m, variance } = twoPass(columns.subarray(j * 20, (j + 1) * 20));
      mean[j] = m;
      std[j] = Math.sqrt(variance);
    }
    expect(maxRel(stats.mean, mean)).toBeLessThan(1e-12);
    expect(maxRel(stats.std, std)).toBeLessThan(1e-12);
    const paths = statsPaths(result.dir);
    for (const gone of [paths.state, paths.rows]) await expect(fs.stat(gone)).rejects.toThrow();
  });

  it('stores the same profiles one backward pass per image would give (1e-5 of each kernel\'s largest value)', async () => {
    const { tf } = backend;
    const model = await loadModel(DEMO_MODEL);
    const table = buildFilterTable(model.descriptor);
    const columns = await readColumns(statsPaths(path.join(root, 'full')).profiles, 0, 112);
    const set = await openImageSet(DEMO_REFERENCE);
    const batch = await set.loadBatch(REF20, model.descriptor.preprocessing, model.descriptor.inputShape);
    const expected = await expectNoLeak(tf, () => {
      const x = tf.tensor4d(batch.data, [20, 28, 28, 1]);
      const values = filterProfiles(tf, model, table, x, batch.labels.map(Number), { strategy: 'per-sample' }).values;
      x.dispose();
      return values;
    });
    const stored = Float32Array.from({ length: 20 * 112 }, (_, i) => columns[(i % 112) * 20 + Math.floor(i / 112)]);
    expect(blockError(table, stored, expected, 20)).toBeLessThan(1e-5);
  });

  it('a cancelled job resumes from its Welford snapshot and row count and ends equal to an uninterrupted one', async () => {
    const { tf } = backend;
    const model = await loadModel(DEMO_MODEL);
    const whole = await runReferenceStats(tf, model, request('whole', { batchSize: 4 }), jobIO());
    const io = jobIO((p) => p.message === 'profiles' && p.done >= 8);
    await expect(expectNoLeak(tf, () => runReferenceStats(tf, model, request('resumed', { batchSize: 4 }), io))).rejects.toMatchObject({ code: 'CANCELLED' });
    const dir = path.join(root, 'resumed');
    const state = await readState(dir);
    expect(state).toMatchObject({ itemsDone: 8, rows: 8, batchSize: 4 });
    expect((await fs.stat(statsPaths(dir).rows)).size).toBe(8 * 112 * 4);
    await expect(fs.stat(statsPaths(dir).stats)).rejects.toThrow();
    // A kill after appending rows but before state.json was rewritten leaves extra bytes: resume drops them.
    await fs.appendFile(statsPaths(dir).rows, new Uint8Array(112 * 4 * 3).fill(7));
    const resumed = await runReferenceStats(tf, model, request('resumed', { batchSize: 16 }), jobIO());
    expect(resumed).toMatchObject({ resumedFromItems: 8, batchSize: 4, count: 20, cached: false });
    const [a, b] = await Promise.all([readStatsFile(whole.dir), readStatsFile(dir)]);
    expect(maxRel(b.mean, a.mean)).toBeLessThanOrEqual(1e-12);
    expect(maxRel(b.std, a.std)).toBeLessThanOrEqual(1e-12);
    expect(Buffer.compare(await fs.readFile(whole.files.profiles), await fs.readFile(resumed.files.profiles))).toBe(0);
  });

  it('reuses matching statistics and invalidates them when the image set, the weights or the preprocessing change', async () => {
    const { tf } = backend;
    const modelDir = await copyModel(path.join(root, 'model-copy'));
    const setDir = await copyReference(path.join(root, 'set-copy'), 1);
    const req: ParamStatsRequest = { modelPath: modelDir, inputs: { path: setDir }, out: path.join(root, 'cache') };
    const run = async () => runReferenceStats(tf, await loadModel(modelDir), req, jobIO());
    const first = await run();
    expect(first).toMatchObject({ count: 10, cached: false, invalidated: false });
    const again = await run();
    expect(again).toMatchObject({ cached: true, key: first.key, count: 10, imagesPerSecond: null });
    await fs.copyFile(path.join(DEMO_REFERENCE, '0', (await fs.readdir(path.join(DEMO_REFERENCE, '0'))).sort()[5]), path.join(setDir, '0', 'extra.png'));
    const newSet = await run();
    expect(newSet).toMatchObject({ count: 11, cached: false, invalidated: true });
    expect(newSet.key).not.toBe(first.key);
    const weights = path.join(modelDir, 'weights.bin');
    const bytes = new Float32Array(new Uint8Array(await fs.readFile(weights)).buffer);
    bytes[0] += 0.01;
    await fs.writeFile(weights, new Uint8Array(bytes.buffer));
    // A re-export rewrites model.json too; the engine's model cache stamps model.json and the sidecar.
    await fs.utimes(path.join(modelDir, 'model.json'), new Date(), new Date(Date.now() + 5000));
    const newWeights = await run();
    expect(newWeights).toMatchObject({ cached: false, invalidated: true });
    expect(newWeights.key).not.toBe(newSet.key);
    const sidecar = path.join(modelDir, 'saliency-model.json');
    const meta = JSON.parse(await fs.readFile(sidecar, 'utf8'));
    meta.preprocessing.std = [0.5];
    await fs.writeFile(sidecar, JSON.stringify(meta));
    await fs.utimes(sidecar, new Date(), new Date(Date.now() + 10000));
    const newPre = await run();
    expect(newPre).toMatchObject({ cached: false, invalidated: true });
    expect((await readStatsFile(req.out)).keyParts.preprocessing.std).toEqual([0.5]);
  });

  it('needs every reference image\'s true label, and validates its options first', async () => {
    const { tf } = backend;
    const model = await loadModel(DEMO_MODEL);
    const x = path.join(root, 'x.npy');
    await fs.writeFile(x, serializeNpy(new Float32Array(3 * 28 * 28), [3, 28, 28, 1]));
    await expect(runReferenceStats(tf, model, { modelPath: DEMO_MODEL, inputs: { path: x }, out: path.join(root, 'nolabels') }, jobIO())).rejects.toMatchObject({ code: 'LABELS_INVALID', hint: expect.stringContaining('--labels') });
    await expect(runReferenceStats(tf, model, request('bad', { batchSize: 0 }), jobIO())).rejects.toMatchObject({ code: 'PARAM_INVALID' });
    await expect(runReferenceStats(tf, model, request('bad', { strategy: 'fast' as never }), jobIO())).rejects.toThrow(/strategy/);
  });
});
