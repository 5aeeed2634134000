import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearModelCache, loadModel } from '../../../main/engine/model/load-model';
import type { ModelHandle } from '../../../main/engine/model/model-handle';
import { runBias } from '../../../main/engine/parameter-saliency/bias/request';
import { runProject } from '../../../main/engine/parameter-saliency/projection/request';
import { runParamRank } from '../../../main/engine/parameter-saliency/rank/job';
import { runReferenceStats } from '../../../main/engine/parameter-saliency/reference/job';
import { runTriage } from '../../../main/engine/parameter-saliency/triage/job';
import { serializeNpy } from '../../../shared/npy';
import { appErrorOf } from '../../engine/helpers/errors';
import { useBackend } from '../../support/each-backend';
import { makeTempDir } from '../../support/make-fixtures';
import { expectNoLeak } from '../../support/tensor-asserts';

const DEMO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../demo');
const io = () => ({ signal: new AbortController().signal, progress: () => {} });

describe('engine requests paramTriage, paramBias and paramProject on the demo (out-of-domain digits)', () => {
  const backend = useBackend();
  let root = '';
  let model: ModelHandle;
  let stats = '';
  const ranks: Record<string, string> = {};
  let profiles = '';

  beforeAll(async () => {
    const { tf } = backend;
    root = await makeTempDir('ps-triage-requests-');
    model = await loadModel(path.join(DEMO, 'models/digits-cnn/model.json'));
    stats = path.join(root, 'stats');
    await runReferenceStats(tf, model, { modelPath: model.descriptor.path, inputs: { path: path.join(DEMO, 'images/reference') }, out: stats }, io());
    for (const ranking of ['zscore', 'pot'] as const) {
      ranks[ranking] = path.join(root, `${ranking}.json`);
      const profilesOut = ranking === 'zscore' ? path.join(root, 'P.npy') : undefined;
      await runParamRank(tf, model, { modelPath: model.descriptor.path, stats, inputs: { path: path.join(DEMO, 'images/ood') }, ranking, top: 25, out: ranks[ranking], profilesOut }, io());
    }
    profiles = path.join(root, 'P.npy');
  });

  afterAll(async () => {
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('triage: clusters cover every error once; neighbours are errors, nearest first; the same-confusion rates are reported', async () => {
    const result = await runTriage({ ranks: ranks.zscore, profiles, stats, k: 10, neighbours: 5 });
    const n = result.errors.length;
    expect(n).toBeGreaterThan(100);
    expect(result.errors.every((e) => e.label !== e.predicted)).toBe(true);
    expect(result.clusters.flatMap((c) => c.members).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(result.neighbours).toHaveLength(n);
    for (const [a, list] of result.neighbours!.entries()) {
      expect(list).toHaveLength(5);
      expect(list.every((x) => x.error !== a)).toBe(true);
      expect(list.map((x) => x.distance)).toEqual([...list.map((x) => x.distance)].sort((p, q) => p - q));
    }
    expect(result.sameConfusion!.neighbours).toBeGreaterThanOrEqual(0);
    expect(await runTriage({ ranks: ranks.zscore, profiles, stats, k: 10, neighbours: 5 })).toEqual(result);
    const noProfiles = await runTriage({ ranks: ranks.pot });
    expect(noProfiles.neighbours).toBeNull();
  });

  it('triage refuses a P.npy of another shape, a file that is no .npy, and a missing ranks.json', async () => {
    const wrong = path.join(root, 'wrong.npy');
    await fs.writeFile(wrong, serializeNpy(new Float32Array(3 * 112), [3, 112]));
    expect((await appErrorOf(() => runTriage({ ranks: ranks.zscore, profiles: wrong, stats }))).code).toBe('SHAPE_MISMATCH');
    expect((await appErrorOf(() => runTriage({ ranks: ranks.zscore, profiles: ranks.pot, stats }))).code).toBe('NPY_INVALID');
    expect((await appErrorOf(() => runTriage({ ranks: path.join(root, 'missing.json') }))).code).toBe('NOT_FOUND');
  });

  it('bias: one table per ranks file (z-score and POT) over the errors, shares summing to 1, k above --top refused', async () => {
    const result = await runBias(model, { modelPath: '', ranks: [ranks.zscore, ranks.pot], k: 20 });
    expect(result.stages.map((s) => s.name)).toEqual(['conv1', 'conv2', 'conv3']);
    expect(result.tables.map((t) => t.ranking)).toEqual(['zscore', 'pot']);
    for (const t of result.tables) expect(t.rows.reduce((s, r) => s + r.pickShare, 0)).toBeCloseTo(1, 12);
    expect((await appErrorOf(() => runBias(model, { modelPath: '', ranks: [ranks.zscore], k: 30 }))).message).toContain('top 25');
  });

  it('project: a map in [0, 1] of the input size, the boosted filters with their z-scores, the masking check, no leaks', async () => {
    const { tf } = backend;
    const result = await expectNoLeak(tf, () => runProject(tf, model, { modelPath: '', stats, inputs: { path: path.join(DEMO, 'images/ood') }, index: 0, k: 5, maskFraction: 0.1 }));
    expect(result.size).toEqual([28, 28]);
    expect(result.map).toHaveLength(784);
    expect(Math.max(...result.map)).toBe(1);
    expect(result.filters).toHaveLength(5);
    expect(result.filters[0].z).toBeGreaterThanOrEqual(result.filters[4].z);
    expect(result.masking!.masked).toBe(78);
  });
});
