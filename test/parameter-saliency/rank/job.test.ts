import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openImageSet } from '../../../main/engine/data/image-set';
import { clearModelCache, loadModel } from '../../../main/engine/model/load-model';
import { buildFilterTable } from '../../../main/engine/parameter-saliency/profile/filters';
import { filterProfiles } from '../../../main/engine/parameter-saliency/profile/profile';
import { runParamRank } from '../../../main/engine/parameter-saliency/rank/job';
import type { ParamRankRequest, RanksDocument } from '../../../main/engine/parameter-saliency/rank/types';
import { readColumns } from '../../../main/engine/parameter-saliency/reference/column-npy';
import { runReferenceStats } from '../../../main/engine/parameter-saliency/reference/job';
import { readStatsFile, statsArrays } from '../../../main/engine/parameter-saliency/reference/store';
import { fitPotMatrix } from '../../../main/engine/parameter-saliency/stats';
import { parseNpy } from '../../../shared/npy';
import { ROOT } from '../../cli/helpers';
import { useBackend } from '../../support/each-backend';
import { makeTempDir } from '../../support/make-fixtures';
import { expectNoLeak } from '../../support/tensor-asserts';
import { DEMO_MODEL, DEMO_REFERENCE, DEMO_TEST, jobIO } from '../reference/helpers';

/** 100 reference images, 10 per class. */
const REF100 = Array.from({ length: 100 }, (_, i) => Math.floor(i / 10) * 100 + (i % 10));
const TEST30 = Array.from({ length: 30 }, (_, i) => i * 6);

describe('ranking job (native, demo model)', () => {
  const backend = useBackend();
  let root = '';
  let stats = '';

  beforeAll(async () => {
    root = await makeTempDir('saliency-rank-');
    stats = path.join(root, 'stats');
    await runReferenceStats(backend.tf, await loadModel(DEMO_MODEL), { modelPath: DEMO_MODEL, inputs: { path: DEMO_REFERENCE, indices: REF100 }, out: stats }, jobIO());
  });

  afterAll(async () => {
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  const request = (name: string, extra: Partial<ParamRankRequest> = {}): ParamRankRequest => ({
    modelPath: DEMO_MODEL, stats, inputs: { path: DEMO_TEST, indices: TEST30 }, ranking: 'pot', out: path.join(root, `${name}.json`), ...extra
  });

  const readDoc = async (file: string): Promise<RanksDocument> => JSON.parse(await fs.readFile(file, 'utf8'));

  it('zscore: ranks.json lists each input\'s filters by z descending with profile, z, p, log p; P.npy holds the profiles', async () => {
    const { tf } = backend;
    const model = await loadModel(DEMO_MODEL);
    const req = request('zscore', { ranking: 'zscore', top: 10, profilesOut: path.join(root, 'P.npy') });
    const result = await expectNoLeak(tf, () => runParamRank(tf, model, req, jobIO()));
    expect(result).toMatchObject({ count: 30, length: 112, ranking: 'zscore', strategy: 'batched', profilesOut: req.profilesOut });
    const doc = await readDoc(req.out);
    expect(doc).toMatchObject({ format: 'saliency-param-ranks-v1', model: { hash: model.descriptor.hash }, stats: { count: 100, length: 112 }, levels: [0.9], estimator: 'mle', top: 10 });
    const P = parseNpy(new Uint8Array(await fs.readFile(req.profilesOut!)));
    expect(P.shape).toEqual([30, 112]);
    const { mean, std } = statsArrays(await readStatsFile(stats));
    const set = await openImageSet(DEMO_TEST);
    doc.inputs.forEach((input, n) => {
      expect(input).toMatchObject({ index: TEST30[n], path: set.items[TEST30[n]].path, label: Number(set.items[TEST30[n]].label), correct: input.predicted === input.label });
      expect(input.filters.map((f) => f.rank)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      const zs = input.filters.map((f) => f.z);
      expect(zs).toEqual([...zs].sort((a, b) => b - a));
      for (const f of input.filters) {
        expect(f.profile).toBe(P.data[n * 112 + f.global]);
        const sigma = std[f.global] > 1e-14 ? std[f.global] : 1; // §2.3 guard for dead filters
        expect(f.z).toBeCloseTo((f.profile - mean[f.global]) / sigma, 10);
        if (f.p !== null && f.p > 0) expect(f.logP).toBeCloseTo(Math.log(f.p), 10);
      }
    });
    expect(result.misclassified).toBe(doc.inputs.filter((i) => !i.correct).length);
  });

  it('P.npy rows equal the profiles of the same images computed directly', async () => {
    const { tf } = backend;
    const model = await loadModel(DEMO_MODEL);
    const set = await openImageSet(DEMO_TEST);
    const batch = await set.loadBatch(TEST30, model.descriptor.preprocessing, model.descriptor.inputShape);
    const direct = await expectNoLeak(tf, () => {
      const x = tf.tensor4d(batch.data, [30, 28, 28, 1]);
      const values = filterProfiles(tf, model, buildFilterTable(model.descriptor), x, batch.labels.map(Number)).values;
      x.dispose();
      return values;
    });
    expect(Array.from(parseNpy(new Uint8Array(await fs.readFile(path.join(root, 'P.npy')))).data)).toEqual(Array.from(direct));
  });

  it('pot: fits once per level from the stored matrix and caches them; ranked filters by ascending log p, the rest not listed', async () => {
    const { tf } = backend;
    const model = await loadModel(DEMO_MODEL);
    await fs.rm(path.join(stats, 'pot-0.9-mle.json'), { force: true }); // the zscore run above fitted it already
    const first = await runParamRank(tf, model, request('pot', { top: null }), jobIO());
    expect(first.summary[0]).toMatchObject({ level: 0.9, cached: false });
    const cacheFile = path.join(stats, 'pot-0.9-mle.json');
    const cached = JSON.parse(await fs.readFile(cacheFile, 'utf8'));
    const direct = fitPotMatrix(await readColumns(path.join(stats, 'profiles.npy'), 0, 112), 100, 112, { level: 0.9 });
    expect(cached.thresholds).toEqual(Array.from(direct.thresholds));
    expect(cached.gamma).toEqual(Array.from(direct.gamma, (v) => (Number.isNaN(v) ? null : v)));
    expect(cached.counts).toEqual(direct.counts);
    const again = await runParamRank(tf, model, request('pot2', { top: null }), jobIO());
    expect(again.summary[0]).toMatchObject({ cached: true, fit: direct.counts, scores: first.summary[0].scores });
    const doc = await readDoc(first.out);
    for (const input of doc.inputs) {
      expect(input.rankedCount).toBe(112 - input.potCounts['at-or-below']);
      expect(input.filters).toHaveLength(input.rankedCount);
      const logs = input.filters.map((f) => (f.status === 'beyond-endpoint' ? -Infinity : f.logP!));
      expect(logs).toEqual([...logs].sort((a, b) => a - b));
    }
    const totals = doc.inputs.reduce((sum, i) => sum + i.potCounts['beyond-endpoint'] + i.potCounts['empty-tail'], 0);
    expect(first.summary[0].scores['beyond-endpoint'] + first.summary[0].scores['empty-tail']).toBe(totals);
  });

  it('a threshold-sensitivity run fits every level in one job; spotCompat and estimators get their own cache files', async () => {
    const { tf } = backend;
    const model = await loadModel(DEMO_MODEL);
    const result = await runParamRank(tf, model, request('levels', { levels: [0.8, 0.9, 0.95], top: 5, appendBelowThreshold: true }), jobIO());
    expect(result.summary.map((s) => [s.level, s.cached])).toEqual([[0.8, false], [0.9, true], [0.95, false]]);
    const doc = await readDoc(result.out);
    for (const input of doc.inputs) expect(input.levels.map((l) => [l.level, l.top.length <= 5])).toEqual([[0.8, true], [0.9, true], [0.95, true]]);
    await runParamRank(tf, model, request('spot', { spotCompat: true, top: 5 }), jobIO());
    await runParamRank(tf, model, request('pwm', { estimator: 'pwm', top: 5 }), jobIO());
    const files = (await fs.readdir(stats)).filter((f) => f.startsWith('pot-')).sort();
    expect(files).toEqual(['pot-0.8-mle.json', 'pot-0.9-mle-spot.json', 'pot-0.9-mle.json', 'pot-0.9-pwm.json', 'pot-0.95-mle.json']);
  });

  it('refuses statistics of another model, a missing stats dir and bad options; a cancel leaves no output', async () => {
    const { tf } = backend;
    const other = await loadModel(path.join(ROOT, 'demo', 'models', 'digits-cnn'));
    await expect(runParamRank(tf, other, request('other'), jobIO())).rejects.toMatchObject({ code: 'PARAM_INVALID', message: expect.stringContaining('not for') });
    const model = await loadModel(DEMO_MODEL);
    await expect(runParamRank(tf, model, request('missing', { stats: path.join(root, 'nope') }), jobIO())).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(runParamRank(tf, model, request('bad', { levels: [1.2] }), jobIO())).rejects.toThrow(/level/);
    await expect(runParamRank(tf, model, request('bad', { estimator: 'pwm', spotCompat: true }), jobIO())).rejects.toThrow(/spotCompat/);
    const req = request('cancelled', { profilesOut: path.join(root, 'cancelled.npy') });
    await expect(expectNoLeak(tf, () => runParamRank(tf, model, { ...req, batchSize: 8 }, jobIO((p) => p.message === 'ranking')))).rejects.toMatchObject({ code: 'CANCELLED' });
    for (const file of [req.out, req.profilesOut!, `${req.profilesOut}.partial`]) await expect(fs.stat(file)).rejects.toThrow();
  });
});
