import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inputBatches } from '../../../main/engine/inputs';
import { clearModelCache, loadModel } from '../../../main/engine/model/load-model';
import type { ModelHandle } from '../../../main/engine/model/model-handle';
import { runReferenceStats } from '../../../main/engine/parameter-saliency/reference/job';
import { runParamVerify } from '../../../main/engine/parameter-saliency/verify/job';
import { runVerification } from '../../../main/engine/parameter-saliency/verify/run';
import type { CurvesDocument } from '../../../main/engine/parameter-saliency/verify/types';
import { appErrorOf } from '../../engine/helpers/errors';
import { useBackend } from '../../support/each-backend';
import { makeTempDir } from '../../support/make-fixtures';
import { expectNoLeak } from '../../support/tensor-asserts';

const DEMO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../demo');
const io = () => ({ signal: new AbortController().signal, progress: () => {} });

describe('param-verify job on the demo model with the planted filter', () => {
  const backend = useBackend();
  let root = '';
  let model: ModelHandle;
  let stats = '';

  beforeAll(async () => {
    root = await makeTempDir('ps-verify-demo-');
    model = await loadModel(path.join(DEMO, 'models/digits-cnn-malicious/model.json'));
    stats = path.join(root, 'stats');
    await runReferenceStats(backend.tf, model, { modelPath: model.descriptor.path, inputs: { path: path.join(DEMO, 'images/reference') }, out: stats }, io());
  });

  afterAll(async () => {
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('known effect: zeroing the planted filter conv2 #11 (global 27) alone corrects 30 of the 32 test errors', async () => {
    const { tf } = backend;
    const planted = (_x: unknown, _labels: number[], indices: number[]) => indices.map((index) => ({ index, rankings: { planted: [27] } }));
    const batches = inputBatches(tf, { path: path.join(DEMO, 'test.csv') }, model.descriptor, 64, new AbortController().signal, () => {});
    const result = await runVerification(tf, model, batches, planted, { protocol: 'zero', K: 1, selectors: [{ kind: 'ranking', name: 'planted' }] }, io());
    expect(result.counts.misclassified).toBe(32);
    expect(result.curves[0].correctedFraction[0]).toBe(30 / 32);
    expect(result.curves[0].meanDeltaWrong[0]).toBeLessThan(-0.5);
  });

  it('zero, all five selectors: curves.json holds per-input curves whose available-case means are the curves, and bias shares sum to 1', async () => {
    const { tf } = backend;
    const out = path.join(root, 'zero.json');
    const result = await expectNoLeak(tf, () => runParamVerify(tf, model, { modelPath: model.descriptor.path, stats, inputs: { path: path.join(DEMO, 'test.csv') }, protocol: 'zero', k: 5, out }, io()));
    const doc = JSON.parse(await fs.readFile(out, 'utf8')) as CurvesDocument;
    expect(doc.format).toBe('saliency-param-verify-v1');
    expect(doc.selectors).toEqual(['zscore', 'pot', 'random', 'least', 'last-stage']);
    expect(doc.images).toHaveLength(32);
    expect(doc.lastStage).toEqual({ name: 'conv3', firstFilter: 48, filters: 64 });
    expect(doc.images.every((img) => img.selectors['last-stage'].filters.every((g) => g >= 48))).toBe(true);
    expect(doc.images.every((img) => img.label !== img.predicted && img.path.endsWith('.png'))).toBe(true);
    for (const curve of result.curves) {
      for (let k = 1; k <= 5; k++) {
        const reached = doc.images.map((img) => img.selectors[curve.selector]).filter((s) => s.filters.length >= k);
        expect(curve.count[k - 1]).toBe(reached.length);
        if (reached.length === 0) continue;
        expect(curve.meanDeltaWrong[k - 1]).toBeCloseTo(reached.reduce((s, c) => s + c.deltaWrong[k - 1], 0) / reached.length, 12);
      }
    }
    for (const table of result.bias) expect(table.rows.reduce((s, r) => s + r.pickShare, 0)).toBeCloseTo(1, 12);
    expect(doc.pot).toEqual({ level: 0.9, estimator: 'mle', spotCompat: false });
  });

  it('finetune (lr 0.001): at K = 10 the true class gains on average with z-score filters, more than with the least salient ones; no per-input curves when not asked', async () => {
    const { tf } = backend;
    const out = path.join(root, 'finetune.json');
    const result = await runParamVerify(tf, model, { modelPath: model.descriptor.path, stats, inputs: { path: path.join(DEMO, 'test.csv') }, protocol: 'finetune', k: 10, selectors: ['zscore', 'least'], includeImages: false, out }, io());
    expect(result.lr).toBe(0.001);
    const zscore = result.curves.find((c) => c.selector === 'zscore')!;
    const least = result.curves.find((c) => c.selector === 'least')!;
    // One SGD step along the true-label gradient lowers the loss to first order, so the true class gains on average.
    expect(zscore.meanDeltaTrue[9]!).toBeGreaterThan(0);
    expect(Math.abs(least.meanDeltaTrue[9]!)).toBeLessThan(zscore.meanDeltaTrue[9]!);
    expect((JSON.parse(await fs.readFile(out, 'utf8')) as CurvesDocument).images).toEqual([]);
  });

  it('refuses statistics of another model and bad requests, naming the argument', async () => {
    const { tf } = backend;
    const clean = await loadModel(path.join(DEMO, 'models/digits-cnn/model.json'));
    const base = { modelPath: '', stats, inputs: { path: path.join(DEMO, 'test.csv') }, protocol: 'zero' as const, out: path.join(root, 'x.json') };
    expect((await appErrorOf(() => runParamVerify(tf, clean, base, io()))).message).toContain('not for');
    expect((await appErrorOf(() => runParamVerify(tf, model, { ...base, k: 0 }, io()))).message).toContain('`k`');
    expect((await appErrorOf(() => runParamVerify(tf, model, { ...base, selectors: ['zscore', 'best' as never] }, io()))).message).toContain('"best"');
    expect((await appErrorOf(() => runParamVerify(tf, model, { ...base, level: 1.5 }, io()))).message).toContain('`level`');
  });
});
