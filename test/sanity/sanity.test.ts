/**
 * Model-parameter sanity checks (main/engine/sanity) on the demo digits CNN: the gradient map loses
 * its similarity under full cascading randomisation while a model-independent edge detector keeps
 * it at exactly 1; weights come back bit-exactly (also after cancellation); no tensors leak; the
 * per-step curves equal a direct float64 computation from the per-image values.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelUncached } from '../../main/engine/model/load-model';
import type { ModelHandle } from '../../main/engine/model/model-handle';
import { getMethod, type SaliencyMethod } from '../../main/engine/saliency';
import { getSanityCheck, listSanityChecks } from '../../main/engine/sanity';
import { runSanity, runSanityOn } from '../../main/engine/sanity/job';
import { computeSanity } from '../../main/engine/sanity/run';
import { inputBatches } from '../../main/engine/inputs';
import { useBackend } from '../support/each-backend';
import { appErrorOf } from '../engine/helpers/errors';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const MODEL = path.join(ROOT, 'demo/models/digits-cnn/model.json');
const INPUTS = { path: path.join(ROOT, 'demo/test.csv'), indices: [0, 21, 42, 63, 84, 105, 126, 147, 168, 189] };

/**
 * Test-only "method" that ignores the model: |Sobel| gradient magnitude of the channel sum of x.
 * A map that does not depend on the weights must stay identical under any randomisation.
 */
const edges: SaliencyMethod = {
  id: 'test-edges', label: 'Edge detector (test)', reference: 'test', requires: [], score: 'logit', stochastic: false,
  passesPerInput: () => ({ forward: 0, backward: 0 }), defaults: {}, validate: (p) => p,
  run: async ({ x }) => {
    const [n, h, w, c] = x.shape;
    const v = x.dataSync();
    const at = (b: number, i: number, j: number) => {
      const ii = Math.min(h - 1, Math.max(0, i));
      const jj = Math.min(w - 1, Math.max(0, j));
      let s = 0;
      for (let k = 0; k < c; k++) s += v[((b * h + ii) * w + jj) * c + k];
      return s;
    };
    const maps = new Float32Array(n * h * w);
    for (let b = 0; b < n; b++) for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) {
      const gx = at(b, i - 1, j + 1) + 2 * at(b, i, j + 1) + at(b, i + 1, j + 1) - at(b, i - 1, j - 1) - 2 * at(b, i, j - 1) - at(b, i + 1, j - 1);
      const gy = at(b, i + 1, j - 1) + 2 * at(b, i + 1, j) + at(b, i + 1, j + 1) - at(b, i - 1, j - 1) - 2 * at(b, i - 1, j) - at(b, i - 1, j + 1);
      maps[(b * h + i) * w + j] = Math.hypot(gx, gy);
    }
    return { maps, raw: null, height: h, width: w };
  }
};

/** Every weight of the model as bytes, for bit-exact comparison. */
function weightBytes(model: ModelHandle): Buffer[] {
  return (model.layerWeights?.() ?? []).flatMap((l) => l.variables.map((v) => Buffer.from(v.variable.dataSync().buffer.slice(0))));
}

describe('sanity checks', () => {
  const backend = useBackend();
  let model: ModelHandle;
  let before: Buffer[];
  const signal = () => new AbortController().signal;
  const options = (method: SaliencyMethod, check = 'cascading') => ({
    check: getSanityCheck(check), method, params: method.validate({}), target: 'predicted' as const, init: 'glorot-uniform' as const, seed: 3, topK: 0.1
  });
  const batches = (batchSize: number, s = signal()) => inputBatches(backend.tf, INPUTS, model.descriptor, batchSize, s, () => undefined);

  beforeAll(async () => {
    model = await loadModelUncached(MODEL);
    before = weightBytes(model);
  });
  afterAll(() => model.dispose());

  it('registers cascading (top-down, cumulative) and independent (one layer) schedules', () => {
    expect(listSanityChecks().map((c) => c.id)).toEqual(['cascading', 'independent']);
    const layers = ['a', 'b', 'c'];
    expect(getSanityCheck('cascading').steps(layers)).toEqual([
      { layer: 'c', randomised: ['c'] }, { layer: 'b', randomised: ['c', 'b'] }, { layer: 'a', randomised: ['c', 'b', 'a'] }
    ]);
    expect(getSanityCheck('independent').steps(layers)).toEqual([
      { layer: 'c', randomised: ['c'] }, { layer: 'b', randomised: ['b'] }, { layer: 'a', randomised: ['a'] }
    ]);
  });

  it('gradient maps lose similarity under full cascading randomisation; the edge detector stays at 1', async () => {
    const { tf } = backend;
    const tensors = tf.memory().numTensors;
    const grad = await computeSanity(tf, model, batches(4), options(getMethod('gradient')), { signal: signal() }, INPUTS.indices.length);
    const edge = await computeSanity(tf, model, batches(4), options(edges), { signal: signal() }, INPUTS.indices.length);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(grad.layers).toEqual(['conv1', 'conv2', 'conv3', 'logits']);
    expect(grad.rows).toHaveLength(10);
    const meanAt = (rows: typeof grad.rows, step: number, id: 'spearman-abs' | 'ssim') => rows.reduce((s, r) => s + r.steps[step][id], 0) / rows.length;
    const last = grad.steps.length - 1;
    expect(meanAt(grad.rows, last, 'spearman-abs')).toBeLessThan(0.5);
    expect(meanAt(grad.rows, last, 'ssim')).toBeLessThan(0.5);
    for (const r of edge.rows) for (const s of r.steps) expect(s).toEqual({ 'spearman-abs': 1, 'spearman-signed': 1, ssim: 1, topk: 1 });
    expect(weightBytes(model)).toEqual(before);
  });

  it('independent randomisation of the logits layer alone changes the gradient map; weights restored bit-exactly', async () => {
    const run = await computeSanity(backend.tf, model, batches(5), options(getMethod('gradient'), 'independent'), { signal: signal() }, 10);
    expect(run.steps[0]).toEqual({ layer: 'logits', randomised: ['logits'] });
    const first = run.rows.map((r) => r.steps[0]['spearman-signed']);
    expect(Math.max(...first)).toBeLessThan(0.999);
    expect(weightBytes(model)).toEqual(before);
  });

  it('does not depend on the batch size (random weights drawn once per run)', async () => {
    const a = await computeSanity(backend.tf, model, batches(3), options(getMethod('gradient')), { signal: signal() }, 10);
    const b = await computeSanity(backend.tf, model, batches(10), options(getMethod('gradient')), { signal: signal() }, 10);
    for (let i = 0; i < 10; i++) for (let s = 0; s < a.steps.length; s++) {
      for (const id of ['spearman-abs', 'ssim'] as const) expect(a.rows[i].steps[s][id]).toBeCloseTo(b.rows[i].steps[s][id], 4);
    }
  });

  it('stops on cancellation within a batch and leaves the weights restored, without leaks', async () => {
    const { tf } = backend;
    const tensors = tf.memory().numTensors;
    const ctl = new AbortController();
    let progressCalls = 0;
    const err = await appErrorOf(() => computeSanity(tf, model, batches(5, ctl.signal), options(getMethod('gradient')), {
      signal: ctl.signal, progress: () => { progressCalls++; ctl.abort(); }
    }, 10));
    expect(err.code).toBe('CANCELLED');
    expect(progressCalls).toBe(1); // aborted at the first step's progress, no further step ran
    expect(weightBytes(model)).toEqual(before);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('summarises each step with the mean of the per-image values and a bootstrap CI around it', async () => {
    const doc = await runSanityOn(backend.tf, backend.info, model, { check: 'cascading', modelPath: MODEL, inputs: INPUTS, seed: 3, resamples: 200 }, { signal: signal() });
    expect(doc.images).toHaveLength(10);
    expect(doc.method.id).toBe('gradient');
    for (const id of ['spearman-abs', 'spearman-signed', 'ssim', 'topk'] as const) {
      doc.curves[id].forEach((point, s) => {
        const values = doc.images.map((img) => img.steps[s][id]).filter(Number.isFinite);
        const mean = values.reduce((a, v) => a + v, 0) / values.length;
        expect(point.n).toBe(values.length);
        expect(point.mean).toBeCloseTo(mean, 12);
        expect(point.ci.lo).toBeLessThanOrEqual(point.mean + 1e-12);
        expect(point.ci.hi).toBeGreaterThanOrEqual(point.mean - 1e-12);
      });
    }
    expect(doc.images[0].path).toMatch(/^images\/test\//);
    expect(weightBytes(model)).toEqual(before);
  });

  it('writes the result file only through the engine entry, with per-image records', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sanity-'));
    const out = path.join(dir, 'r.json');
    const summary = await runSanity(backend.tf, backend.info, { check: 'independent', modelPath: MODEL, inputs: { ...INPUTS, indices: [0, 1] }, out, resamples: 50 }, { signal: signal() });
    const file = JSON.parse(await fs.readFile(out, 'utf8'));
    expect(file.format).toBe('saliency-sanity-v1');
    expect(file.images).toHaveLength(2);
    expect(file.curves.ssim).toHaveLength(4);
    expect('images' in summary).toBe(false);
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('rejects bad requests with what to do', async () => {
    const bad = async (req: object) => appErrorOf(() => runSanity(backend.tf, backend.info, { check: 'cascading', modelPath: MODEL, inputs: INPUTS, ...req } as never, { signal: signal() }));
    expect((await bad({ check: 'sideways' })).message).toContain('known checks: cascading, independent');
    expect((await bad({ init: 'he' })).message).toContain('`init`');
    expect((await bad({ topK: 0 })).message).toContain('`topK`');
    const noWeights = { ...model, descriptor: model.descriptor, layerWeights: undefined } as unknown as ModelHandle;
    const err = await appErrorOf(() => computeSanity(backend.tf, noWeights, batches(5), options(edges), { signal: signal() }, 10));
    expect(err.code).toBe('MODEL_CAPABILITY_MISSING');
  });
});
