/**
 * The evaluate job in-process on demo digits: maps computed by a method match the same method's
 * maps read from a .npy (same curves), curves.json is written atomically and only on success,
 * target=label, several metrics share the original and baseline forward passes, no tensor leaks.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serializeNpy } from '../../shared/npy';
import { getImageSet } from '../../main/engine/inputs';
import { runEvaluate } from '../../main/engine/metrics/job';
import type { CurvesFile } from '../../main/engine/metrics/request';
import { clearModelCache, loadModel } from '../../main/engine/model/load-model';
import type { ModelHandle } from '../../main/engine/model/model-handle';
import { getMethod } from '../../main/engine/saliency';
import { useBackend } from '../support/each-backend';
import { appErrorOf } from '../engine/helpers/errors';

const ROOT = path.resolve(__dirname, '..', '..');
const MODEL = path.join(ROOT, 'demo', 'models', 'digits-cnn', 'model.json');
const INPUTS = { path: path.join(ROOT, 'demo', 'test.csv'), indices: [3, 4, 5, 6, 7] };
const io = () => ({ signal: new AbortController().signal, progress: () => {} });

describe('evaluate job (demo model, native)', () => {
  useBackend();
  let root = '';
  let model: ModelHandle;

  beforeAll(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'saliency-evaluate-job-'));
    model = await loadModel(MODEL);
  });

  afterAll(async () => {
    await clearModelCache();
    await fs.rm(root, { recursive: true, force: true });
  });

  it('--method and --maps give the same curves for the same maps; no tensor leaks', async () => {
    const before = tf.memory().numTensors;
    const set = await getImageSet(INPUTS.path);
    const loaded = await set.loadBatch(INPUTS.indices, model.descriptor.preprocessing, model.descriptor.inputShape);
    const x = tf.tensor4d(loaded.data, [5, 28, 28, 1]);
    const targets = tf.tidy(() => Int32Array.from(tf.argMax(model.probabilities(x), 1).dataSync()));
    const maps = await getMethod('input-x-gradient').run({ tf, model, x, targets, params: {}, signal: new AbortController().signal });
    x.dispose();
    await fs.writeFile(path.join(root, 'ixg.npy'), serializeNpy(maps.maps, [5, 28, 28]));
    const common = { modelPath: MODEL, inputs: INPUTS, metrics: ['deletion', 'insertion', 'lerf'] as const, params: { tile: 4 }, bootstrap: 100, batchSize: 2 };
    const fromMethod = await runEvaluate(tf, model, { ...common, metrics: [...common.metrics], method: { id: 'input-x-gradient' }, out: path.join(root, 'a.json') }, io());
    const fromFile = await runEvaluate(tf, model, { ...common, metrics: [...common.metrics], mapsPath: path.join(root, 'ixg.npy'), out: path.join(root, 'b.json') }, io());
    expect(tf.memory().numTensors).toBe(before);
    const a: CurvesFile = JSON.parse(await fs.readFile(path.join(root, 'a.json'), 'utf8'));
    const b: CurvesFile = JSON.parse(await fs.readFile(path.join(root, 'b.json'), 'utf8'));
    for (const id of ['deletion', 'insertion', 'lerf']) a.images[id].forEach((c, i) => expect(b.images[id][i].y).toEqual(c.y));
    expect(fromFile.metrics.map((m) => m.value.mean)).toEqual(fromMethod.metrics.map((m) => m.value.mean));
    expect(a.method).toEqual({ id: 'input-x-gradient', params: {} });
    // Shared passes: per image one original, one pass per distinct baseline draw (deletion's mean-colour,
    // insertion's blur, LeRF's 5 noise draws), plus every mixed point: 27 + 27 (28 steps) + 5 · 48
    // (49 tiles of 4×4; the last step is B itself) per image.
    expect(fromFile.forwards).toBe(5 * (1 + 1 + 1 + 5) + fromFile.perturbed);
    expect(fromFile.perturbed).toBe(5 * (27 + 27 + 5 * 48));
  });

  it('target=label scores the label class; a cancelled run writes nothing', async () => {
    const out = path.join(root, 'label.json');
    await runEvaluate(tf, model, { modelPath: MODEL, inputs: INPUTS, metrics: ['deletion'], method: { id: 'gradient' }, target: 'label', bootstrap: 10, out }, io());
    const doc: CurvesFile = JSON.parse(await fs.readFile(out, 'utf8'));
    const set = await getImageSet(INPUTS.path);
    doc.images.deletion.forEach((c) => expect(String(c.target)).toBe(set.items[c.index].label));
    const controller = new AbortController();
    const cancelled = path.join(root, 'cancelled.json');
    const err = await appErrorOf(() => runEvaluate(tf, model, { modelPath: MODEL, inputs: INPUTS, metrics: ['deletion'], method: { id: 'gradient' }, batchSize: 1, out: cancelled }, { signal: controller.signal, progress: (p) => p.done >= 1 && controller.abort() }));
    expect(err.code).toBe('CANCELLED');
    await expect(fs.stat(cancelled)).rejects.toThrow();
  });

  it('rejects requests with no or two map sources, a repeated metric, or maps for another selection size', async () => {
    const base = { modelPath: MODEL, inputs: INPUTS, out: path.join(root, 'x.json') };
    expect((await appErrorOf(() => runEvaluate(tf, model, { ...base, metrics: ['deletion'] }, io()))).message).toContain('exactly one source');
    expect((await appErrorOf(() => runEvaluate(tf, model, { ...base, metrics: ['deletion', 'deletion'], method: { id: 'gradient' } }, io()))).message).toContain('twice');
    await fs.writeFile(path.join(root, 'three.npy'), serializeNpy(new Float32Array(3 * 784), [3, 28, 28]));
    const err = await appErrorOf(() => runEvaluate(tf, model, { ...base, metrics: ['deletion'], mapsPath: path.join(root, 'three.npy') }, io()));
    expect(err.code).toBe('SHAPE_MISMATCH');
    expect(err.message).toContain('3 maps but 5 inputs');
  });
});
