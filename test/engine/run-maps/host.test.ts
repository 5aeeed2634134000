/**
 * The maps run through the real engine host process (EngineClient): estimate then run, display-
 * sized partials, cooperative cancellation, and a host killed mid-run whose temporaries the caller
 * removes with removeRunTemps.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SaliencyMap } from '../../../shared/types/saliency';
import { EngineClient, nodeEngineLauncher } from '../../../main/jobs/engine-client';
import { deriveOutputs, outputFolders, removeRunTemps } from '../../../main/engine/export/paths';
import type { MapsRequest } from '../../../main/engine/protocol';
import { makeTempDir } from '../../support/make-fixtures';
import { DEMO_IMAGES, DEMO_MODEL, readNpy } from './helpers';

describe('maps through the engine host', () => {
  const client = new EngineClient(nodeEngineLauncher(), { cancelGraceMs: 20_000 });
  let dir = '';
  beforeAll(async () => {
    dir = await makeTempDir('maps-host-');
  });
  afterAll(async () => {
    await client.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });

  const request = (out: string, extra: Partial<MapsRequest> = {}): MapsRequest => ({
    modelPath: DEMO_MODEL, inputs: { path: DEMO_IMAGES, indices: [0, 1, 2, 3, 4, 5] }, method: 'gradient', params: {}, target: { kind: 'predicted' }, batchSize: 2,
    out: { maps: path.join(out, 'maps.npy'), png: path.join(out, 'png') }, ...extra
  });

  it('estimates, then writes every output and streams one partial per input', async () => {
    const out = path.join(dir, 'ok');
    await fs.mkdir(out);
    const plan = await client.request('mapsEstimate', request(out));
    expect(plan.estimate.passes.total).toBe(12); // 6 × (1 forward + 1 backward): the gradient takes its target in its own pass
    expect(await fs.readdir(out)).toEqual([]);
    const partials: SaliencyMap[] = [];
    const result = await client.request('maps', request(out), { onPartial: (m) => partials.push(m) });
    expect(partials.map((m) => m.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(partials[0].data).toBeInstanceOf(Float32Array);
    expect((await readNpy(result.outputs.maps)).shape).toEqual([6, 28, 28]);
    expect(result.manifest.estimate.passes.total).toBe(12);
  });

  it('cancelled mid-run: CANCELLED, nothing written, the host keeps serving', async () => {
    const out = path.join(dir, 'cancel');
    await fs.mkdir(out);
    const controller = new AbortController();
    const pending = client.request('maps', request(out, { batchSize: 1 }), { signal: controller.signal, onProgress: () => controller.abort() });
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(await fs.readdir(out)).toEqual([]);
    expect((await client.info()).backend).toBe('tensorflow');
  });

  it('a host killed mid-run leaves only temporaries, which removeRunTemps clears', async () => {
    const out = path.join(dir, 'crash');
    await fs.mkdir(out);
    const req = request(out, { batchSize: 1, runId: 'crashtest1' });
    let killed = false;
    const pending = client.request('maps', req, {
      onProgress: () => {
        if (!killed) process.kill(client.pid!, 'SIGKILL');
        killed = true;
      }
    });
    await expect(pending).rejects.toMatchObject({ code: 'ENGINE_CRASHED' });
    const left = await fs.readdir(out);
    expect(left.length).toBeGreaterThan(0);
    expect(left.every((name) => name.startsWith('.') && name.endsWith('.crashtest1.partial'))).toBe(true);
    await removeRunTemps(outputFolders(deriveOutputs(req.out)), 'crashtest1');
    expect(await fs.readdir(out)).toEqual([]);
  });
});
