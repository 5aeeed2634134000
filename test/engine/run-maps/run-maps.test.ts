/**
 * The file-writing maps run on the demo model (native backend), small subsets: streamed outputs
 * equal the in-memory result, manifest and summaries, PNGs, per-input targets, skipped files,
 * artifacts and supplied arrays, and no tensor leaks.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { serializeNpy } from '../../../shared/npy';
import type { MapsRequest } from '../../../main/engine/protocol';
import { getImageSet, labelToClass } from '../../../main/engine/inputs';
import { planMaps, runMaps } from '../../../main/engine/run-maps';
import { resolveTargets, targetPicker } from '../../../main/engine/run-saliency';
import { getMethod } from '../../../main/engine/saliency';
import { SUMMARY_COLUMNS } from '../../../main/engine/export/summary';
import { useBackend } from '../../support/each-backend';
import { expectNoLeak } from '../../support/tensor-asserts';
import { appErrorOf } from '../helpers/errors';
import { DEMO_IMAGES, DEMO_MODEL, readNpy, recordingIO, testDeps, useMapsFixture } from './helpers';

const backend = useBackend();
const fixture = useMapsFixture('run-maps-');
const outDir = fixture.outDir;

function request(out: string, extra: Partial<MapsRequest> = {}): MapsRequest {
  return { modelPath: DEMO_MODEL, inputs: { path: DEMO_IMAGES, indices: [0, 21, 42, 63, 84, 105, 126] }, method: 'gradient', params: {}, target: { kind: 'predicted' }, batchSize: 3, out: { maps: path.join(out, 'maps.npy') }, ...extra };
}

/** The same batches through method.run, concatenated in memory. */
async function inMemory(indices: number[], batch: number): Promise<{ maps: number[]; raw: number[] }> {
  const { tf } = backend;
  const set = await getImageSet(DEMO_IMAGES);
  const method = getMethod('gradient');
  const maps: number[] = [];
  const raw: number[] = [];
  for (let s = 0; s < indices.length; s += batch) {
    const loaded = await set.loadBatch(indices.slice(s, s + batch), fixture.model().descriptor.preprocessing, fixture.model().descriptor.inputShape);
    const x = tf.tensor4d(loaded.data, [loaded.indices.length, 28, 28, 1]);
    const scores = await resolveTargets(tf, fixture.model(), x, targetPicker({ kind: 'predicted' }, 10, [], [], []));
    const r = await method.run({ tf, model: fixture.model(), x, targets: scores.targets, params: {}, signal: new AbortController().signal });
    maps.push(...r.maps);
    raw.push(...r.raw!);
    x.dispose();
  }
  return { maps, raw };
}

describe('maps run (demo model, gradient)', () => {
  let out = '';
  let result: Awaited<ReturnType<typeof runMaps>>;
  const io = recordingIO();

  beforeAll(async () => {
    out = await outDir();
    const req = request(out, { out: { maps: path.join(out, 'maps.npy'), raw: path.join(out, 'attr.npy'), png: path.join(out, 'png') } });
    result = await expectNoLeak(backend.tf, () => runMaps(backend.tf, backend.info, fixture.model(), req, io));
  });

  it('streams maps [N,H,W] and raw [N,H,W,C] equal to the in-memory concatenation of the same batches', async () => {
    const maps = await readNpy(path.join(out, 'maps.npy'));
    const raw = await readNpy(path.join(out, 'attr.npy'));
    expect(maps.shape).toEqual([7, 28, 28]);
    expect(raw.shape).toEqual([7, 28, 28, 1]);
    const want = await inMemory([0, 21, 42, 63, 84, 105, 126], 3);
    expect(Array.from(maps.data)).toEqual(want.maps);
    expect(Array.from(raw.data)).toEqual(want.raw);
  });

  it('writes only the final files (no temporaries), manifest included', async () => {
    expect((await fs.readdir(out)).sort()).toEqual(['attr.npy', 'maps.manifest.json', 'maps.npy', 'maps.summary.csv', 'maps.summary.json', 'png']);
    expect(Object.keys(result.outputs).sort()).toEqual(['manifest', 'maps', 'png', 'raw', 'summaryCsv', 'summaryJson']);
  });

  it('records method, params, seed, target and score, model hash, backend, versions, counts, estimate and timing', async () => {
    const m = JSON.parse(await fs.readFile(path.join(out, 'maps.manifest.json'), 'utf8'));
    expect(m).toEqual(result.manifest);
    expect(m).toMatchObject({ schema: 'saliency-workbench/maps@1', method: 'gradient', params: {}, stochastic: false, seed: null, target: { kind: 'predicted' }, score: 'logit', scoreSource: 'method-default', baseline: null });
    expect(m.modelHash).toBe(fixture.model().descriptor.hash);
    expect(m.backend).toBe('tensorflow');
    expect(m.device).toBe('CPU');
    expect(Object.keys(m.versions)).toEqual(expect.arrayContaining(['app', 'tfjs', 'tensorflow', 'node']));
    expect(Number.isNaN(Date.parse(m.createdAt))).toBe(false);
    expect(m.inputs).toMatchObject({ path: DEMO_IMAGES, kind: 'folder', selected: 7 });
    expect(m.counts).toEqual({ maps: 7, skipped: 0 });
    expect(m.shapes).toEqual({ maps: [7, 28, 28], raw: [7, 28, 28, 1] });
    expect(m.batchSize).toBe(3);
    expect(m.estimate.passes).toEqual({ forward: 7, backward: 7, total: 14 }); // no separate target pass for the gradient
    expect(m.estimate.seconds).toBeGreaterThan(0);
    expect(m.timing.passes.total).toBe(14);
    expect(m.memory.maxElementsPerPass).toBeGreaterThanOrEqual(784);
    expect(m.png).toEqual({ colormap: 'inferno', normalize: 'percentile:99', alpha: 0.5 });
  });

  it('summaries: documented columns, one row per input with target, scores and map statistics', async () => {
    const lines = (await fs.readFile(path.join(out, 'maps.summary.csv'), 'utf8')).trimEnd().split('\n');
    expect(lines[0].split(',')).toEqual(SUMMARY_COLUMNS);
    expect(lines).toHaveLength(8);
    const rows = JSON.parse(await fs.readFile(path.join(out, 'maps.summary.json'), 'utf8'));
    expect(rows.map((r: { index: number }) => r.index)).toEqual([0, 21, 42, 63, 84, 105, 126]);
    const maps = await readNpy(path.join(out, 'maps.npy'));
    for (const [k, r] of rows.entries()) {
      expect(r.status).toBe('ok');
      expect(r.target).toBe(r.predicted);
      expect(r.score).toBe(r.logit);
      expect(r.prob).toBeGreaterThan(0);
      expect(r.mapMax).toBe(Math.max(...maps.data.subarray(k * 784, (k + 1) * 784)));
      expect(r.label).toBe(labelToClass(r.labelName, fixture.model().descriptor));
    }
  });

  it('PNG overlays decode as RGB at the input resolution, one per input', async () => {
    const names = (await fs.readdir(path.join(out, 'png'))).sort();
    expect(names).toEqual(['000.png', '021.png', '042.png', '063.png', '084.png', '105.png', '126.png']);
    const meta = await sharp(path.join(out, 'png', names[3])).metadata();
    expect([meta.width, meta.height, meta.channels, meta.format]).toEqual([28, 28, 3, 'png']);
  });

  it('reports progress per batch up to N and a display-sized partial per input', () => {
    expect(io.seen.map((p) => p.done)).toEqual([3, 6, 7]);
    expect(io.partials.map((p) => p.index)).toEqual([0, 21, 42, 63, 84, 105, 126]);
  });
});

describe('maps run: targets, skipped files, artifacts, supplied arrays', () => {
  it('per-input targets from a .npy: each row explains its own class; the manifest names the file', async () => {
    const out = await outDir();
    const classes = Int32Array.from([3, 1, 4, 1, 5, 9, 2]);
    const tfile = path.join(out, 't.npy');
    await fs.writeFile(tfile, serializeNpy(classes, [7]));
    const req = request(out, { targetsPath: tfile, score: 'prob', out: { maps: path.join(out, 'maps.npy') } });
    const result = await runMaps(backend.tf, backend.info, fixture.model(), req, recordingIO());
    const rows = JSON.parse(await fs.readFile(path.join(out, 'maps.summary.json'), 'utf8'));
    expect(rows.map((r: { target: number }) => r.target)).toEqual(Array.from(classes));
    expect(rows.every((r: { score: number; prob: number }) => r.score === r.prob)).toBe(true);
    expect(result.manifest.target).toEqual({ kind: 'each', source: tfile, count: 7 });
    expect(result.manifest).toMatchObject({ score: 'prob', scoreSource: 'requested' });
    await fs.writeFile(tfile, serializeNpy(classes.subarray(0, 5), [5]));
    const err = await appErrorOf(() => runMaps(backend.tf, backend.info, fixture.model(), req, recordingIO()));
    expect(err.message).toContain('5 entries but 7 inputs');
    expect((await fs.readdir(out)).sort()).toEqual(['maps.manifest.json', 'maps.npy', 'maps.summary.csv', 'maps.summary.json', 't.npy']);
  });

  it('an unreadable image gets a NaN row and a skipped summary; the other rows are computed', async () => {
    const out = await outDir();
    const set = await getImageSet(DEMO_IMAGES);
    await fs.copyFile(path.join(DEMO_IMAGES, set.items[0].path), path.join(out, 'a.png'));
    await fs.writeFile(path.join(out, 'broken.png'), 'not a png');
    await fs.copyFile(path.join(DEMO_IMAGES, set.items[40].path), path.join(out, 'c.png'));
    await fs.writeFile(path.join(out, 'set.csv'), 'path,label\na.png,0\nbroken.png,1\nc.png,2\n');
    const req = request(out, { inputs: { path: path.join(out, 'set.csv') }, batchSize: 2 });
    const result = await runMaps(backend.tf, backend.info, fixture.model(), req, recordingIO());
    expect(result.manifest.counts).toEqual({ maps: 2, skipped: 1 });
    const maps = await readNpy(path.join(out, 'maps.npy'));
    expect(maps.shape).toEqual([3, 28, 28]);
    expect(Array.from(maps.data.subarray(784, 1568)).every(Number.isNaN)).toBe(true);
    expect(Array.from(maps.data.subarray(1568)).every(Number.isFinite)).toBe(true);
    const rows = JSON.parse(await fs.readFile(path.join(out, 'maps.summary.json'), 'utf8'));
    expect(rows.map((r: { status: string }) => r.status)).toEqual(['ok', 'skipped', 'ok']);
    expect(rows[1].reason).toBeTruthy();
  });

  it('a seeded method sees seed, indices, budget and supplied noise; its diagnostics and shared artifact are exported', async () => {
    const out = await outDir();
    const noise = path.join(out, 'eps.npy');
    await fs.writeFile(noise, serializeNpy(new Float32Array(2 * 784), [2, 28, 28, 1]));
    const req = request(out, { method: 'fake-noise', seed: 5, noisePath: noise, batchSize: 2 });
    const result = await runMaps(backend.tf, backend.info, fixture.model(), req, recordingIO(), testDeps);
    expect(result.manifest).toMatchObject({ method: 'fake-noise', seed: 5, stochastic: true, params: { scale: 1 }, score: 'prob' });
    expect(result.manifest.supplied.noise).toMatchObject({ path: noise, shape: [2, 28, 28, 1] });
    expect(result.manifest.supplied.noise!.sha256).toMatch(/^[0-9a-f]{64}$/);
    const masks = await readNpy(path.join(out, 'maps.masks.npy'));
    expect(masks.shape).toEqual([1, 2, 2]);
    const header = (await fs.readFile(path.join(out, 'maps.summary.csv'), 'utf8')).split('\n')[0];
    expect(header.endsWith(',first,noiseRows,budget')).toBe(true);
    const rows = JSON.parse(await fs.readFile(path.join(out, 'maps.summary.json'), 'utf8'));
    expect(rows[0].diagnostics.noiseRows).toBe(2);
    expect(rows[0].diagnostics.budget).toBe(result.manifest.memory.maxElementsPerPass);
  });

  it('--raw for a method without raw attributions: a warning, no file', async () => {
    const out = await outDir();
    const req = request(out, { method: 'fake-noise', out: { maps: path.join(out, 'maps.npy'), raw: path.join(out, 'attr.npy') } });
    const result = await runMaps(backend.tf, backend.info, fixture.model(), req, recordingIO(), testDeps);
    expect(result.warnings.join(' ')).toContain('no raw attributions');
    expect(result.manifest.shapes.raw).toBeNull();
    expect(await fs.readdir(out)).not.toContain('attr.npy');
    expect((await fs.readdir(out)).some((f) => f.endsWith('.partial'))).toBe(false);
  });

  it('plans without writing: estimate, batch from the budget, and early refusals', async () => {
    const out = await outDir();
    const plan = await expectNoLeak(backend.tf, () => planMaps(backend.tf, backend.info, fixture.model(), request(out, { batchSize: undefined, memoryBudgetMB: 64 })));
    expect(plan).toMatchObject({ method: 'gradient', count: 7, memoryBudgetMB: 64, memorySource: 'requested' });
    expect(plan.batchSize).toBeGreaterThanOrEqual(1);
    expect(plan.batchSize).toBeLessThanOrEqual(7);
    expect(plan.estimate.passesPerInput).toEqual({ forward: 1, backward: 1 });
    expect(await fs.readdir(out)).toEqual([]);
    const unknown = await appErrorOf(() => planMaps(backend.tf, backend.info, fixture.model(), request(out, { method: 'nope' })));
    expect(unknown.code).toBe('METHOD_UNKNOWN');
    expect(unknown.message).toContain('gradient');
    expect((await appErrorOf(() => planMaps(backend.tf, backend.info, fixture.model(), request(out, { target: { kind: 'class', classIndex: 10 } })))).code).toBe('PARAM_INVALID');
    expect((await appErrorOf(() => planMaps(backend.tf, backend.info, fixture.model(), request(out, { out: { maps: path.join(out, 'no', 'm.npy') } })))).code).toBe('IO_FAILED');
  });
});
