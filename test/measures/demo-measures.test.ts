/**
 * The five measures end to end on the demo digits CNN (28×28 grey, Grad-CAM grid 7×7, as the
 * paper's ResNet-50 at 224): per-image rows agree with direct computations written here, the
 * summaries with the rows, and nothing leaks or survives cancellation.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Tensor4D } from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { salienceEntropy } from '../../main/engine/compare';
import fs from 'node:fs/promises';
import os from 'node:os';
import { computeMeasure, runMeasure } from '../../main/engine/measures/job';
import { clearModelCache, loadModel } from '../../main/engine/model/load-model';
import type { ModelHandle } from '../../main/engine/model/model-handle';
import { getMethod } from '../../main/engine/saliency';
import { getImageSet } from '../../main/engine/inputs';
import { comparePair } from '../../main/engine/measures/pair-stats';
import { hflip } from '../../main/engine/transforms';
import { useBackend } from '../support/each-backend';
import { expectClose, expectNoLeak } from '../support/tensor-asserts';
import { appErrorOf } from '../engine/helpers/errors';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const MODEL = path.join(ROOT, 'demo', 'models', 'digits-cnn');
const TEST = path.join(ROOT, 'demo', 'test.csv');
/**
 * Test digits 0 (class 0), 20, 25 (class 1), 45 (class 2), 170, 175 (class 8). Grad-CAM of this
 * model (flatten head) is all zero after the ReLU for many digits, item 0 among them: it is kept
 * on purpose as the constant-map case.
 */
const PICK = [0, 20, 25, 45, 170, 175];
const io = () => ({ signal: new AbortController().signal, progress: () => {} });

describe('measures on the demo model', () => {
  const backend = useBackend();
  let model: ModelHandle;
  let s2: ModelHandle;
  const inputs = { path: TEST, indices: PICK };

  beforeAll(async () => {
    model = await loadModel(MODEL);
    s2 = await loadModel(path.join(ROOT, 'demo', 'models', 'digits-cnn-s2'));
  });
  afterAll(() => clearModelCache());

  /** The native Grad-CAM maps and predictions of the picked images, computed directly. */
  async function directMaps(m: ModelHandle): Promise<{ maps: Float32Array; predicted: Int32Array }> {
    const { tf } = backend;
    const set = await getImageSet(TEST);
    const batch = await set.loadBatch(PICK, m.descriptor.preprocessing, m.descriptor.inputShape);
    const x = tf.tensor4d(batch.data, [PICK.length, 28, 28, 1]);
    const predicted = tf.tidy(() => tf.argMax(m.logits(x), 1).dataSync() as Int32Array);
    const r = await getMethod('grad-cam').run({ tf, model: m, x, targets: predicted, params: { upsample: 'none' }, signal: new AbortController().signal });
    x.dispose();
    return { maps: r.maps, predicted };
  }

  it('entropy: per-image Ĥ equals compare/entropy on a directly computed 7×7 Grad-CAM; summary mean = row mean, CI around it', async () => {
    const out = await expectNoLeak(backend.tf, () => computeMeasure(backend.tf, [model], { measure: 'entropy', inputs, batchSize: 4 }, io()));
    const direct = await directMaps(model);
    expect(out.perImage.map((r) => r.index)).toEqual(PICK);
    out.perImage.forEach((row, i) => {
      const h = salienceEntropy(direct.maps.subarray(i * 49, (i + 1) * 49));
      expect(row.predicted).toBe(direct.predicted[i]);
      expect(row.entropy as number).toBeCloseTo(h.entropy, 10);
      expect(row.maxEntropy as number).toBeCloseTo(Math.log2(49), 12);
    });
    expect(out.perImage[0].entropy).toBe(0);
    expect(out.perImage.slice(1).every((r) => (r.distinct as number) > 1)).toBe(true);
    expect(out.summary.constantMaps).toBe(1);
    const s = out.summary.normalized as { mean: number; n: number; ci: { lo: number; hi: number } };
    const mean = out.perImage.reduce((a, r) => a + (r.normalized as number), 0) / PICK.length;
    expect(s.n).toBe(6);
    expect(s.mean).toBeCloseTo(mean, 12);
    expect(s.ci.lo).toBeLessThanOrEqual(mean);
    expect(s.ci.hi).toBeGreaterThanOrEqual(mean);
    expect(out.summary.grid).toEqual({ height: 7, width: 7 });
  });

  it('out-of-set: level 0 (8-bit truncation of 8-bit images) leaves maps and scores unchanged; amount 1 replaces every pixel; seeded', async () => {
    const req = { measure: 'out-of-set' as const, inputs, params: { levels: [0, 0.1, 1] }, batchSize: 4 };
    const a = await expectNoLeak(backend.tf, () => computeMeasure(backend.tf, [model], req, io()));
    const b = await computeMeasure(backend.tf, [model], req, io());
    const c = await computeMeasure(backend.tf, [model], { ...req, seed: 1 }, io());
    for (const row of a.perImage) {
      const [l0, , l1] = row.levels as Array<Record<string, number | boolean>>;
      expect(l0.ssim).toBe(1);
      expect(l0.probDelta).toBe(0);
      expect(l0.changed).toBe(false);
      expect(l1.level).toBe(1);
    }
    expect(JSON.stringify(b.perImage)).toBe(JSON.stringify(a.perImage));
    // The noise of an image depends on (seed, item index, level) only, not on the batch it arrives in.
    const single = await computeMeasure(backend.tf, [model], { ...req, batchSize: 1 }, io());
    const ssims = (rows: typeof a.perImage) => rows.flatMap((r) => (r.levels as Array<{ ssim: number }>).map((l) => l.ssim));
    expectClose(ssims(single.perImage), ssims(a.perImage), { rtol: 0, atol: 1e-6 });
    expect(JSON.stringify(c.perImage)).not.toBe(JSON.stringify(a.perImage));
    const levels = a.summary.levels as Array<{ level: number; ssim: { mean: number } }>;
    expect(levels.map((l) => l.level)).toEqual([0, 0.1, 1]);
    expect(levels[0].ssim.mean).toBe(1);
    expect(levels[2].ssim.mean).toBeLessThan(1);
  });

  it('out-of-set options: gaussian and blur ladders on upsampled maps, maps of the clean class; level 0 is the identity', async () => {
    for (const corruption of ['gaussian', 'blur']) {
      const out = await expectNoLeak(backend.tf, () => computeMeasure(backend.tf, [model], { measure: 'out-of-set', inputs: { path: TEST, indices: PICK.slice(1, 3) }, params: { corruption, levels: [0, 2], resolution: 'upsampled', classOf: 'clean' } }, io()));
      for (const row of out.perImage) {
        const [l0, l1] = row.levels as Array<Record<string, number>>;
        expect(l0.ssim).toBe(1);
        expect(l1.ssim).toBeLessThan(1);
      }
      expect(out.summary.corruption).toBe(corruption);
    }
  });

  it('out-of-set with an ood set: entropy and confidence per set and the shift out − in', async () => {
    const out = await computeMeasure(backend.tf, [model], { measure: 'out-of-set', inputs, params: { levels: [0], ood: path.join(ROOT, 'demo', 'images', 'ood.csv') }, batchSize: 8 }, io());
    const ood = out.summary.ood as { count: number; confidence: { inSet: { mean: number }; outOfSet: { mean: number }; difference: { estimate: number } } };
    expect(ood.count).toBe(out.tables!.ood.length);
    expect(ood.count).toBeGreaterThan(0);
    expect(ood.confidence.difference.estimate).toBeCloseTo(ood.confidence.outOfSet.mean - ood.confidence.inSet.mean, 12);
  }, 60_000);

  it('equivariance: hflip on the native grid compares map(T(x)) with T(map(x)), as computed directly here', async () => {
    const out = await expectNoLeak(backend.tf, () => computeMeasure(backend.tf, [model], { measure: 'equivariance', inputs, params: { transforms: ['hflip', 'rot90cw', 'translate:4,0', 'scale:1.25'] } }, io()));
    const summary = out.summary.transforms as Array<{ transform: string; equivariance: { native: unknown } }>;
    expect(summary.map((t) => t.transform)).toEqual(['hflip', 'rot90cw', 'translate:4,0', 'scale:1.25']);
    expect(summary[0].equivariance.native).not.toBeNull();
    expect(summary[2].equivariance.native).toBeNull();
    // Direct: Grad-CAM of the mirrored digits (their own predicted class) against the mirrored Grad-CAM.
    const { tf } = backend;
    const direct = await directMaps(model);
    const set = await getImageSet(TEST);
    const batch = await set.loadBatch(PICK, model.descriptor.preprocessing, model.descriptor.inputShape);
    const x = tf.tidy(() => tf.reverse(tf.tensor4d(batch.data, [PICK.length, 28, 28, 1]), 2) as Tensor4D);
    const predicted = tf.tidy(() => tf.argMax(model.logits(x), 1).dataSync() as Int32Array);
    const flipped = await getMethod('grad-cam').run({ tf, model, x, targets: predicted, params: { upsample: 'none' }, signal: new AbortController().signal });
    x.dispose();
    out.perImage.forEach((row, i) => {
      const mirrored = hflip.apply({ data: direct.maps.subarray(i * 49, (i + 1) * 49), height: 7, width: 7, channels: 1 }).data;
      const expected = comparePair(flipped.maps.subarray(i * 49, (i + 1) * 49), mirrored, 7, 7, 0.1);
      const t = (row.transforms as Array<{ equivariance: { native: Record<string, number> }; predicted: number }>)[0];
      expect(t.predicted).toBe(predicted[i]);
      expect(t.equivariance.native.ssim).toBeCloseTo(expected.ssim, 6);
      expect(t.equivariance.native.topkIou).toBeCloseTo(expected.topkIou, 6);
      if (Number.isFinite(expected.spearman)) expect(t.equivariance.native.spearman).toBeCloseTo(expected.spearman, 6);
    });
  });

  it('reports progress per image up to the total', async () => {
    const seen: Array<{ done: number; total: number }> = [];
    await computeMeasure(backend.tf, [model], { measure: 'entropy', inputs, batchSize: 4 }, { signal: new AbortController().signal, progress: (p) => seen.push(p) });
    expect(seen.map((p) => p.done)).toEqual([0, 4, 6]);
    expect(seen.every((p) => p.total === 6)).toBe(true);
  });

  it('stability: a run paired with itself gives SSIM 1 and ρ 1; pairs are all C(R, 2)', async () => {
    const out = await expectNoLeak(backend.tf, () => computeMeasure(backend.tf, [model, model, s2], { measure: 'stability', inputs }, io()));
    expect(out.summary.pairCount).toBe(3);
    for (const row of out.perImage) {
      const [self, ...others] = row.pairs as Array<{ a: number; b: number; ssim: number; spearman: number }>;
      expect([self.a, self.b]).toEqual([0, 1]);
      expect(self.ssim).toBe(1);
      expect(others.map((p) => [p.a, p.b])).toEqual([[0, 2], [1, 2]]);
      expect(others[0].ssim).toBe(others[1].ssim);
    }
    // Direct: the two runs' native maps of the picked digits, compared here.
    const [a, b] = [await directMaps(model), await directMaps(s2)];
    out.perImage.forEach((row, i) => {
      const expected = comparePair(a.maps.subarray(i * 49, (i + 1) * 49), b.maps.subarray(i * 49, (i + 1) * 49), 7, 7, 0.1);
      const pair = (row.pairs as Array<Record<string, number | boolean>>)[1];
      expect(pair.ssim as number).toBeCloseTo(expected.ssim, 6);
      expect(pair.topkIou as number).toBeCloseTo(expected.topkIou, 6);
      expect(pair.samePrediction).toBe(a.predicted[i] === b.predicted[i]);
    });
  });

  it('degradation: both modes per image, counts of constant maps, object − background per image', async () => {
    const out = await expectNoLeak(backend.tf, () => computeMeasure(backend.tf, [model], { measure: 'degradation', inputs: { path: TEST, indices: PICK.slice(0, 3) } }, io()));
    expect(out.perImage).toHaveLength(3);
    for (const row of out.perImage) {
      const bg = row.background as { probDelta: number };
      const ob = row.object as { probDelta: number };
      expect(row.objectMinusBackground).toBeCloseTo(ob.probDelta - bg.probDelta, 12);
    }
    // Item 0's map is all zero: counted, left out of the summaries (default `skip`), and by the
    // all-zero-guide rule object degradation leaves it unchanged.
    expect(out.summary.constantCamCount).toBe(1);
    expect(out.summary.skippedConstantCam).toBe(1);
    expect((out.summary.object as { probDelta: { n: number } }).probDelta.n).toBe(2);
    expect(out.perImage[0].skipped).toBe(true);
    expect(out.perImage[0].constantCam).toBe(true);
    expect((out.perImage[0].object as { probDelta: number }).probDelta).toBe(0);
    expect(out.perImage.slice(1).every((r) => r.constantCam === false)).toBe(true);
  });

  it('runMeasure writes one result JSON (manifest, summary, rows); a cancelled run leaves no file', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'saliency-measure-'));
    try {
      const out = path.join(dir, 'r.json');
      const result = await runMeasure(backend.tf, backend.info, { measure: 'entropy', modelPaths: [MODEL], inputs, out, seed: 4 }, io());
      const doc = JSON.parse(await fs.readFile(out, 'utf8'));
      expect(doc.summary).toEqual(JSON.parse(JSON.stringify(result.summary)));
      expect(doc.perImage).toHaveLength(6);
      expect(doc.manifest).toMatchObject({ measure: 'entropy', seed: 4, backend: backend.info.backend, method: { id: 'grad-cam', params: { upsample: 'bicubic' } }, models: [{ hash: model.descriptor.hash }] });
      const controller = new AbortController();
      const gone = path.join(dir, 'cancelled.json');
      const err = await appErrorOf(() => runMeasure(backend.tf, backend.info, { measure: 'entropy', modelPaths: [MODEL], inputs, out: gone, batchSize: 2 }, { signal: controller.signal, progress: (p) => p.done >= 2 && controller.abort() }));
      expect(err.code).toBe('CANCELLED');
      expect((await fs.readdir(dir)).sort()).toEqual(['r.json']);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a wrong model count, and a cancelled run stops with CANCELLED and leaks nothing', async () => {
    expect((await appErrorOf(() => computeMeasure(backend.tf, [model], { measure: 'stability', inputs }, io()))).code).toBe('PARAM_INVALID');
    const controller = new AbortController();
    const err = await expectNoLeak(backend.tf, () =>
      appErrorOf(() => computeMeasure(backend.tf, [model], { measure: 'out-of-set', inputs, batchSize: 2 }, { signal: controller.signal, progress: (p) => p.done >= 2 && controller.abort() }))
    );
    expect(err.code).toBe('CANCELLED');
  });
});
