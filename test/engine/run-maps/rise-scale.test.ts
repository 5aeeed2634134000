/**
 * RISE at scale through the maps run: masks streamed to disk (never held whole), identical for a
 * seed whatever the batching, reusable with `masksPath`; cancellation inside a large RISE batch
 * stops at the next chunk and leaves nothing; and the artifact writer's streamed form.
 */
import fsSync from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArtifactWriter } from '../../../main/engine/export/artifacts';
import { checkUnitInterval, openNpyRows } from '../../../main/engine/export/npy-rows';
import type { MapsRequest } from '../../../main/engine/protocol';
import { runMaps } from '../../../main/engine/run-maps';
import { parseNpy, serializeNpy } from '../../../shared/npy';
import { useBackend } from '../../support/each-backend';
import { expectClose, expectNoLeak } from '../../support/tensor-asserts';
import { appErrorOf } from '../helpers/errors';
import { DEMO_IMAGES, DEMO_MODEL, readNpy, recordingIO, useMapsFixture } from './helpers';

const backend = useBackend();
const fixture = useMapsFixture('maps-rise-');

function request(out: string, extra: Partial<MapsRequest>): MapsRequest {
  return { modelPath: DEMO_MODEL, inputs: { path: DEMO_IMAGES, indices: [3, 50, 77] }, method: 'rise', params: { n: 150, grid: 4 }, target: { kind: 'predicted' }, seed: 4, out: { maps: path.join(out, 'maps.npy') }, ...extra };
}

describe('RISE masks through the maps run', () => {
  it('are written streamed as [n, H, W], byte-identical across batch sizes and budgets, and reproduce the maps when supplied', async () => {
    const outA = await fixture.outDir();
    const outB = await fixture.outDir();
    const outC = await fixture.outDir();
    const a = await expectNoLeak(backend.tf, () => runMaps(backend.tf, backend.info, fixture.model(), request(outA, { batchSize: 1 }), recordingIO()));
    // The smallest budget splits each image's masks over many passes.
    const b = await runMaps(backend.tf, backend.info, fixture.model(), request(outB, { batchSize: 3, memoryBudgetMB: 16 }), recordingIO());
    const masksFile = a.outputs['artifact:masks'];
    expect(masksFile).toBeDefined();
    const masks = await readNpy(masksFile);
    expect(masks.shape).toEqual([150, 28, 28]);
    expect((await fs.readFile(masksFile)).equals(await fs.readFile(b.outputs['artifact:masks']))).toBe(true);
    const mapsB = await fs.readFile(path.join(outB, 'maps.npy'));
    const [ma, mb] = [await readNpy(path.join(outA, 'maps.npy')), await readNpy(path.join(outB, 'maps.npy'))];
    expectClose(ma.data, mb.data, { rtol: 1e-4, atol: 1e-6 }); // same masks; batching changes only float32 rounding
    const mean = Array.from(masks.data).reduce((s, v) => s + v, 0) / masks.data.length;
    const rows = JSON.parse(await fs.readFile(path.join(outA, 'maps.summary.json'), 'utf8')) as Array<{ diagnostics: { maskMean: number } }>;
    expect(rows[0].diagnostics.maskMean).toBeCloseTo(mean, 6); // the written masks are the ones the run drew
    const reused = await runMaps(backend.tf, backend.info, fixture.model(), request(outC, { seed: 99, batchSize: 3, memoryBudgetMB: 16, masksPath: masksFile, params: { n: 150, grid: 4, returnMasks: false } }), recordingIO());
    expect(reused.outputs['artifact:masks']).toBeUndefined();
    expect((await fs.readFile(path.join(outC, 'maps.npy'))).equals(mapsB)).toBe(true);
  });

  it('returnMasks: false writes no masks file; progress inside batches is fractional, monotone and says the time left', async () => {
    const out = await fixture.outDir();
    const io = recordingIO();
    const result = await runMaps(backend.tf, backend.info, fixture.model(), request(out, { batchSize: 2, memoryBudgetMB: 16, params: { n: 200, returnMasks: false } }), io);
    expect(Object.keys(result.outputs).some((k) => k.startsWith('artifact:'))).toBe(false);
    const done = io.seen.map((p) => p.done);
    expect(done.every((d, i) => i === 0 || d >= done[i - 1])).toBe(true);
    expect(done.some((d) => !Number.isInteger(d))).toBe(true);
    expect(done[done.length - 1]).toBe(3);
    expect(io.seen.every((p) => /about \d+ (s|min) left|h \d+ min left/.test(p.message ?? ''))).toBe(true);
  });
});

describe('supplied masks read chunk by chunk (--masks)', () => {
  const openFds = () => fsSync.readdirSync('/proc/self/fd').length;

  it('openNpyRows reads any row range of float32 and float64 files; checkUnitInterval gives the float64 mean', async () => {
    const values = Float32Array.from({ length: 7 * 3 * 2 }, (_, e) => ((e * 37) % 100) / 100);
    for (const [name, data] of [['f32.npy', values], ['f64.npy', Float64Array.from(values)]] as const) {
      const file = path.join(fixture.dir(), name);
      await fs.writeFile(file, serializeNpy(data, [7, 3, 2]));
      const rows = openNpyRows(file, 'masks');
      try {
        expect(rows.shape).toEqual([7, 3, 2]);
        expect(Array.from(rows.read(2, 3))).toEqual(Array.from(values.subarray(12, 30)));
        expect(checkUnitInterval(rows, 'masks', 3)).toBeCloseTo(Array.from(values).reduce((a, v) => a + v, 0) / values.length, 12);
      } finally {
        rows.close();
      }
    }
  });

  it('refuses values outside [0, 1], a wrong shape and a wrong mask count, naming them, and closes the file every time', async () => {
    const bad = path.join(fixture.dir(), 'bad-masks.npy');
    const data = new Float32Array(5 * 28 * 28).fill(0.5);
    data[3 * 784 + 10] = 1.5;
    await fs.writeFile(bad, serializeNpy(data, [5, 28, 28]));
    const wrongShape = path.join(fixture.dir(), 'shape-masks.npy');
    await fs.writeFile(wrongShape, serializeNpy(new Float32Array(5 * 27 * 28), [5, 27, 28]));
    const fine = path.join(fixture.dir(), 'fine-masks.npy');
    await fs.writeFile(fine, serializeNpy(new Float32Array(5 * 28 * 28).fill(0.25), [5, 28, 28]));
    const before = openFds();
    const run = (masksPath: string, n: number) => appErrorOf(async () => runMaps(backend.tf, backend.info, fixture.model(), request(await fixture.outDir(), { masksPath, params: { n } }), recordingIO()));
    const range = await run(bad, 5);
    expect([range.code, range.message]).toEqual(['NPY_INVALID', expect.stringContaining('[0, 1]')]);
    expect(range.message).toContain('row 3');
    expect((await run(wrongShape, 5)).code).toBe('SHAPE_MISMATCH');
    const count = await run(fine, 6);
    expect([count.code, count.message]).toEqual(['PARAM_INVALID', expect.stringContaining('`masks`')]);
    expect(openFds()).toBe(before);
  });
});

describe('cancelling a large RISE batch', () => {
  it('stops at the next chunk of masks: no step after the abort, CANCELLED, no output, no temporary, no tensor', async () => {
    const out = await fixture.outDir();
    const controller = new AbortController();
    let stepsAfterAbort = 0;
    let abortedAt = 0;
    const io = recordingIO(controller.signal, (p) => {
      if (!p.message?.includes('step')) return;
      if (controller.signal.aborted) stepsAfterAbort++;
      else if (p.message.includes('step')) {
        abortedAt = performance.now();
        controller.abort();
      }
    });
    // 20,000 masks × 4 images in one batch: 80,000 masked copies, hundreds of chunks under a 16 MB budget.
    const req = request(out, { inputs: { path: DEMO_IMAGES, indices: [1, 2, 3, 4] }, batchSize: 4, memoryBudgetMB: 16, params: { n: 20_000, grid: 7 }, out: { maps: path.join(out, 'maps.npy'), png: path.join(out, 'png') } });
    const err = await expectNoLeak(backend.tf, () => appErrorOf(() => runMaps(backend.tf, backend.info, fixture.model(), req, io)));
    const latencyMs = performance.now() - abortedAt;
    expect(err.code).toBe('CANCELLED');
    expect(stepsAfterAbort).toBe(0);
    const steps = io.seen.filter((p) => p.message?.includes('step'));
    expect(steps).toHaveLength(1);
    expect(steps[0].message).toMatch(/step \d+ of 80000/);
    expect(latencyMs).toBeLessThan(5000); // one chunk, not the batch (the whole batch takes far longer)
    expect(await fs.readdir(out)).toEqual([]);
  });
});

describe('streamed artifacts (ArtifactWriter.addStreamed)', () => {
  const streamed = (key: string, rows: number[][]) => ({ key, shape: [rows.length, 2], chunks: function* () {
    for (const row of rows) yield Float32Array.from(row);
  } });

  it('the same key is written once (shared), a new key is stacked; slices go straight to the file', async () => {
    const dir = fixture.dir();
    const writer = new ArtifactWriter((name) => path.join(dir, `${name}.npy`));
    await writer.addStreamed({ shared: streamed('k1', [[1, 2], [3, 4]]), perBatch: streamed('a', [[5, 6]]) });
    await writer.addStreamed({ shared: streamed('k1', [[9, 9], [9, 9]]), perBatch: streamed('b', [[7, 8], [9, 10]]) });
    const records = await writer.close();
    expect(records.map((r) => [r.name, r.mode, r.shape])).toEqual([['shared', 'shared', [2, 2]], ['perBatch', 'stacked', [3, 2]]]);
    const shared = parseNpy(new Uint8Array(await fs.readFile(path.join(dir, 'shared.npy'))));
    expect(Array.from(shared.data)).toEqual([1, 2, 3, 4]);
    const stacked = parseNpy(new Uint8Array(await fs.readFile(path.join(dir, 'perBatch.npy'))));
    expect(Array.from(stacked.data)).toEqual([5, 6, 7, 8, 9, 10]);
  });

  it('slices that do not add up to the declared rows are an internal error', async () => {
    const writer = new ArtifactWriter((name) => path.join(fixture.dir(), `${name}-short.npy`));
    const short = { key: 'k', shape: [3, 2], chunks: function* () {
      yield Float32Array.from([1, 2]);
    } };
    const err = await appErrorOf(() => writer.addStreamed({ short }));
    expect(err.code).toBe('INTERNAL');
    await writer.abort();
  });
});
