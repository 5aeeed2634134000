/**
 * The real engine host in a child process: crash handling (kill -9 mid-job), cancellation, and
 * the workbench's job view of both. Uses the embedded demo project.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobSnapshot } from '../../shared/types/jobs';
import type { SaliencyMap } from '../../shared/types/saliency';
import { EngineClient, nodeEngineLauncher } from '../../main/jobs/engine-client';
import { createWorkbench } from '../../main/app/workbench';
import { demoProjectDir } from '../../main/app/project-service';

const demo = demoProjectDir();
const modelPath = path.join(demo, 'models', 'digits-cnn', 'model.json');
const inputs = { path: path.join(demo, 'images', 'test') };
const sender = { kind: 'test' as const, origin: 'test://' };

describe('engine host process', () => {
  const client = new EngineClient(nodeEngineLauncher(), { cancelGraceMs: 20_000 });
  afterAll(() => client.stop());

  it('reports the native backend and describes the demo model', async () => {
    const info = await client.info();
    expect(info.backend).toBe('tensorflow');
    expect(info.canComputeGradients).toBe(true);
    const descriptor = await client.request('loadModel', { path: modelPath });
    expect(descriptor.classNames).toHaveLength(10);
    expect(descriptor.convLayers.length).toBeGreaterThanOrEqual(3);
  });

  it('streams one gradient map per input with progress, then returns the count', async () => {
    const maps: SaliencyMap[] = [];
    let lastDone = 0;
    const result = await client.request(
      'saliency',
      { modelPath, inputs: { ...inputs, indices: [0, 5, 10, 15] }, method: 'gradient', params: {}, target: { kind: 'predicted' }, batchSize: 2 },
      { onPartial: (m) => maps.push(m), onProgress: (p) => (lastDone = p.done) }
    );
    expect(result).toEqual({ count: 4, skipped: 0 });
    expect(maps.map((m) => m.index)).toEqual([0, 5, 10, 15]);
    expect(lastDone).toBe(4);
    for (const m of maps) {
      expect([m.height, m.width]).toEqual([28, 28]);
      expect(m.data).toBeInstanceOf(Float32Array);
      expect(Math.max(...m.data)).toBeGreaterThan(0);
      expect(Math.min(...m.data)).toBeGreaterThanOrEqual(0); // max_c |g| is non-negative
    }
  });

  it('cancels a running job cooperatively: it ends CANCELLED and the host keeps serving', async () => {
    const controller = new AbortController();
    const pending = client.request(
      'saliency',
      { modelPath, inputs, method: 'gradient', params: {}, target: { kind: 'predicted' }, batchSize: 1 },
      { signal: controller.signal, onPartial: () => controller.abort() }
    );
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    const pidBefore = client.pid;
    expect((await client.info()).backend).toBe('tensorflow');
    expect(client.pid).toBe(pidBefore); // cancelled without a restart
  });

  it('survives being killed mid-job: the job fails with ENGINE_CRASHED and the next request works', async () => {
    let killed = false;
    const pending = client.request(
      'saliency',
      { modelPath, inputs, method: 'gradient', params: {}, target: { kind: 'predicted' }, batchSize: 1 },
      {
        onPartial: () => {
          if (!killed) {
            killed = true;
            process.kill(client.pid as number, 'SIGKILL');
          }
        }
      }
    );
    await expect(pending).rejects.toMatchObject({ code: 'ENGINE_CRASHED', message: expect.stringContaining('SIGKILL') });
    const predictions = await client.request('predict', { modelPath, inputs: { ...inputs, indices: [0, 1] }, top: 1 });
    expect(predictions).toHaveLength(2);
  });
});

describe('workbench with the real engine', () => {
  it('marks a job failed with ENGINE_CRASHED when the engine dies, and serves the next request', async () => {
    const bench = await createWorkbench({ mode: 'browser', launcher: nodeEngineLauncher(), log: () => {} });
    try {
      const states: JobSnapshot[] = [];
      let enginePid = 0;
      bench.events.on((event, payload) => {
        if (event === 'jobs:state') states.push(payload as JobSnapshot);
      });
      const info = await bench.router.dispatch('app:info', {}, sender);
      expect(info).toMatchObject({ ok: true, value: { engine: { backend: 'tensorflow' } } });
      if (info.ok) enginePid = (info.value as { engine: { pid: number } }).engine.pid;
      const project = await bench.router.dispatch('project:current', {}, sender);
      expect(project.ok).toBe(true);
      const killOnFirstMap = bench.events.on((event) => {
        if (event === 'jobs:partial') {
          killOnFirstMap();
          process.kill(enginePid, 'SIGKILL');
        }
      });
      const started = await bench.router.dispatch('jobs:start', { kind: 'saliency-maps', modelId: 'digits-cnn', imageSetId: 'test', indices: Array.from({ length: 200 }, (_, i) => i), method: 'gradient' }, sender);
      expect(started.ok).toBe(true);
      const jobId = started.ok ? (started.value as { jobId: string }).jobId : '';
      await expect.poll(() => states.find((s) => s.id === jobId && s.state === 'failed'), { timeout: 60_000 }).toBeTruthy();
      expect(states.find((s) => s.id === jobId && s.state === 'failed')?.error?.code).toBe('ENGINE_CRASHED');
      const after = await bench.router.dispatch('models:predict', { modelId: 'digits-cnn', imageSetId: 'test', indices: [0] }, sender);
      expect(after).toMatchObject({ ok: true });
    } finally {
      await bench.stop();
    }
  });
});
