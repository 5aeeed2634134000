/**
 * Determinism under a fixed seed (bytes of maps.npy, across runs and batch sizes), cancellation
 * mid-run (no outputs, no temporaries, no tensors), and every registered method through the maps
 * run on the demo model and on a third-party Graph model. Methods run with their defaults except
 * count parameters (samples, steps, masks, iterations), capped at 16 to keep the suite quick; the
 * benchmark (`npm run bench`) runs the full defaults.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { MapsRequest } from '../../../main/engine/protocol';
import { runMaps } from '../../../main/engine/run-maps';
import { listMethods } from '../../../main/engine/saliency';
import { serializeNpy } from '../../../shared/npy';
import { useBackend } from '../../support/each-backend';
import { expectNoLeak } from '../../support/tensor-asserts';
import { appErrorOf } from '../helpers/errors';
import { cheap, DEMO_IMAGES, DEMO_MODEL, EMOTION_MODEL, readNpy, recordingIO, testDeps, useMapsFixture } from './helpers';
import { loadModel } from '../../../main/engine/model/load-model';

const backend = useBackend();
const fixture = useMapsFixture('maps-determinism-');
const outDir = fixture.outDir;

function request(out: string, extra: Partial<MapsRequest>): MapsRequest {
  return { modelPath: DEMO_MODEL, inputs: { path: DEMO_IMAGES, indices: [3, 50, 77, 150, 199] }, method: 'gradient', params: {}, target: { kind: 'predicted' }, out: { maps: path.join(out, 'maps.npy') }, ...extra };
}

async function mapsBytes(extra: Partial<MapsRequest>): Promise<Buffer> {
  const out = await outDir();
  await runMaps(backend.tf, backend.info, fixture.model(), request(out, extra), recordingIO(), testDeps);
  return fs.readFile(path.join(out, 'maps.npy'));
}

describe('determinism under a fixed seed', () => {
  it('the same seed gives the same bytes, whatever the batch size; another seed differs', async () => {
    const a = await mapsBytes({ method: 'fake-noise', seed: 11, batchSize: 2 });
    const b = await mapsBytes({ method: 'fake-noise', seed: 11, batchSize: 5 });
    const c = await mapsBytes({ method: 'fake-noise', seed: 12, batchSize: 2 });
    expect(a.equals(b)).toBe(true);
    expect(a.equals(c)).toBe(false);
  });

  it('every registered stochastic method repeats exactly under its seed', async () => {
    const stochastic = listMethods().filter((m) => m.stochastic);
    for (const method of stochastic) {
      const run = () => mapsBytes({ method: method.id, params: cheap(method.defaults), seed: 7, batchSize: 2, inputs: { path: DEMO_IMAGES, indices: [3, 50, 77] } });
      const first = await run();
      const again = await run();
      expect(first.equals(again), method.id).toBe(true);
    }
  });
});

describe('cancellation', () => {
  it('cancelling after the first batch leaves no output, no temporary and no tensor', async () => {
    const out = await outDir();
    const controller = new AbortController();
    const io = recordingIO(controller.signal, (p) => p.done > 0 && controller.abort());
    const req = request(out, { batchSize: 2, out: { maps: path.join(out, 'maps.npy'), raw: path.join(out, 'raw.npy'), png: path.join(out, 'png') } });
    const err = await expectNoLeak(backend.tf, () => appErrorOf(() => runMaps(backend.tf, backend.info, fixture.model(), req, io)));
    expect(err.code).toBe('CANCELLED');
    expect(io.seen[0].done).toBe(2);
    expect(await fs.readdir(out)).toEqual([]);
  });

  it('cancelling inside a batch (between method steps) also leaves nothing', async () => {
    const out = await outDir();
    const controller = new AbortController();
    const io = recordingIO(controller.signal, (p) => p.message?.includes('step') && controller.abort());
    const req = request(out, { method: 'fake-noise', batchSize: 5, out: { maps: path.join(out, 'maps.npy'), png: path.join(out, 'png') } });
    const err = await expectNoLeak(backend.tf, () => appErrorOf(() => runMaps(backend.tf, backend.info, fixture.model(), req, io, testDeps)));
    expect(err.code).toBe('CANCELLED');
    expect(await fs.readdir(out)).toEqual([]);
  });

  it('an existing output is left untouched by a cancelled run', async () => {
    const out = await outDir();
    await fs.writeFile(path.join(out, 'maps.npy'), serializeNpy(new Float32Array(1), [1]));
    const controller = new AbortController();
    controller.abort();
    await appErrorOf(() => runMaps(backend.tf, backend.info, fixture.model(), request(out, {}), recordingIO(controller.signal)));
    expect(await fs.readdir(out)).toEqual(['maps.npy']);
    expect((await readNpy(path.join(out, 'maps.npy'))).shape).toEqual([1]);
  });
});

describe('every registered method through the maps run (default parameters, count parameters capped at 16)', () => {
  it('on the demo model (folder of PNGs)', async () => {
    for (const method of listMethods()) {
      const out = await outDir();
      const req = request(out, { method: method.id, params: cheap(method.defaults), inputs: { path: DEMO_IMAGES, indices: [5, 120] } });
      const result = await expectNoLeak(backend.tf, () => runMaps(backend.tf, backend.info, fixture.model(), req, recordingIO()));
      const maps = await readNpy(path.join(out, 'maps.npy'));
      expect(maps.shape[0], method.id).toBe(2);
      expect(Array.from(maps.data).every(Number.isFinite), method.id).toBe(true);
      expect(result.manifest.method).toBe(method.id);
    }
  });

  it('on a third-party Graph model (emotion, .npy inputs with labels, target = label)', async () => {
    const emotion = await loadModel(EMOTION_MODEL);
    const inputs = path.join(fixture.dir(), 'faces.npy');
    const labels = path.join(fixture.dir(), 'faces-labels.npy');
    await fs.writeFile(inputs, serializeNpy(Float32Array.from({ length: 2 * 64 * 64 }, (_, i) => Math.sin(i / 50)), [2, 64, 64, 1]));
    await fs.writeFile(labels, serializeNpy(Int32Array.from([3, 6]), [2]));
    for (const method of listMethods()) {
      const out = await outDir();
      const req: MapsRequest = { modelPath: EMOTION_MODEL, inputs: { path: inputs, labelsPath: labels }, method: method.id, params: cheap(method.defaults), target: { kind: 'label' }, out: { maps: path.join(out, 'maps.npy'), png: path.join(out, 'png') } };
      await expectNoLeak(backend.tf, () => runMaps(backend.tf, backend.info, emotion, req, recordingIO()));
      const rows = JSON.parse(await fs.readFile(path.join(out, 'maps.summary.json'), 'utf8'));
      expect(rows.map((r: { target: number }) => r.target), method.id).toEqual([3, 6]);
      expect((await fs.readdir(path.join(out, 'png'))).length, method.id).toBe(2);
    }
  });
});
