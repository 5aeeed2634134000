/**
 * The workbench's persisted jobs through the router (real engine, a storage project): quick
 * read-only requests answer while a long job runs (they never queue behind it), a session with a
 * running job cannot be deleted, cancel leaves the job resumable, runs:maps pages stored maps at
 * display size, and resume completes the job with maps equal to the stored full-size arrays.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobSnapshot } from '../../shared/types/jobs';
import type { StoredJobSnapshot, StoredMapPage } from '../../shared/types/workspace';
import { createWorkbench } from '../../main/app/workbench';
import type { Workbench } from '../../main/app/workbench-types';
import { EngineClient, nodeEngineLauncher } from '../../main/jobs/engine-client';
import { resizeBilinear } from '../../main/engine/data/preprocess';
import { createTestProject, tempProjectDir, type TestProject } from './helpers';

const sender = { kind: 'test' as const, origin: 'test://' };
const COUNT = 40;
const dir = tempProjectDir();
let ids: Pick<TestProject, 'sessionId' | 'model' | 'imageSet'>;
let bench: Workbench;
const states: JobSnapshot[] = [];

async function call<T = any>(channel: string, payload: unknown): Promise<T> {
  const reply = await bench.router.dispatch(channel, payload, sender);
  if (!reply.ok) throw Object.assign(new Error(reply.error.message), reply.error);
  return reply.value as T;
}

beforeAll(async () => {
  const engine = new EngineClient(nodeEngineLauncher());
  try {
    const t = await createTestProject(dir, engine);
    ids = t;
    t.project.close();
  } finally {
    await engine.stop();
  }
  bench = await createWorkbench({ mode: 'browser', launcher: nodeEngineLauncher(), projectDir: dir, log: () => {} });
  bench.events.on((event, payload) => {
    if (event === 'jobs:state') states.push(payload as JobSnapshot);
  });
}, 60_000);

afterAll(async () => {
  await bench.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const endOf = (jobId: string, after = 0) => expect.poll(() => states.slice(after).find((s) => s.id === jobId && ['succeeded', 'failed', 'cancelled'].includes(s.state)), { timeout: 90_000, interval: 50 }).toBeTruthy();

describe('persisted jobs in the workbench', () => {
  it('answers quick requests while a job runs, refuses deleting its session, cancels it resumable, pages its maps, resumes it', async () => {
    const project = await call('project:current', {});
    expect(project).toMatchObject({ isDemo: false, models: [{ id: ids.model.id }], imageSets: [{ id: ids.imageSet.id, count: 200 }] });
    const firstProgress = new Promise<void>((resolve) => {
      const off = bench.events.on((event, payload) => {
        if (event === 'jobs:progress' && (payload as { progress: { done: number } }).progress.done >= 4) {
          off();
          resolve();
        }
      });
    });
    const { jobId } = await call<{ jobId: string }>('jobs:start', {
      kind: 'saliency-maps', modelId: ids.model.id, imageSetId: ids.imageSet.id, indices: Array.from({ length: COUNT }, (_, i) => i), method: 'integrated-gradients', params: { steps: 64 }, sessionId: ids.sessionId, batchSize: 4
    });
    await firstProgress;

    // Quick requests while the job runs: all answer, and the job is still running afterwards.
    const quick = await Promise.all([
      call<StoredJobSnapshot[]>('jobs:list', {}), call('sessions:list', {}), call('sessions:open', { sessionId: ids.sessionId }), call('project:current', {}),
      call('models:predict', { modelId: ids.model.id, imageSetId: ids.imageSet.id, indices: [0, 1] })
    ]);
    expect(quick[0].find((j) => j.id === jobId)).toMatchObject({ state: 'running', sessionId: ids.sessionId });
    expect(quick[4]).toHaveLength(2);
    const running = await call<StoredJobSnapshot>('jobs:get', { jobId });
    expect(running.state).toBe('running');
    await expect(call('sessions:delete', { sessionId: ids.sessionId })).rejects.toMatchObject({ code: 'PARAM_INVALID' });

    expect(await call('jobs:cancel', { jobId })).toEqual({ cancelled: true });
    await endOf(jobId);
    const cancelled = await call<StoredJobSnapshot>('jobs:get', { jobId });
    expect(cancelled).toMatchObject({ state: 'cancelled', resumable: true });
    expect(cancelled.progress.done).toBeGreaterThan(0);
    expect(cancelled.progress.done).toBeLessThan(COUNT);

    const page = await call<StoredMapPage>('runs:maps', { runId: cancelled.runId, offset: 0, limit: COUNT, maxSide: 14 });
    expect(page).toMatchObject({ runId: cancelled.runId, total: COUNT, storedShape: [28, 28] });
    expect(page.items.filter((i) => i.status === 'done')).toHaveLength(cancelled.progress.done);
    for (const item of page.items) {
      if (item.status === 'done') expect([item.map?.width, item.map?.height]).toEqual([14, 14]);
      else expect(item.map).toBeNull();
    }

    const mark = states.length;
    const resumed = await call<StoredJobSnapshot>('jobs:resume', { jobId });
    expect(resumed.state === 'queued' || resumed.state === 'running').toBe(true);
    await endOf(jobId, mark);
    expect(await call('jobs:get', { jobId })).toMatchObject({ state: 'succeeded', progress: { done: COUNT, total: COUNT } });

    // Full-size page (28 ≤ maxSide) equals the stored arrays; the display-sized one is their bilinear downsizing.
    const full = await call<StoredMapPage>('runs:maps', { runId: cancelled.runId, offset: 0, limit: COUNT, maxSide: 128 });
    const small = await call<StoredMapPage>('runs:maps', { runId: cancelled.runId, offset: 0, limit: COUNT, maxSide: 14 });
    full.items.forEach((item, k) => {
      expect(item.status).toBe('done');
      expect(Array.from(small.items[k].map!.data)).toEqual(Array.from(resizeBilinear(item.map!.data, 28, 28, 1, 14, 14)));
    });
    const session = await call('sessions:open', { sessionId: ids.sessionId });
    expect(session.runs.find((r: { id: string }) => r.id === cancelled.runId)).toMatchObject({ state: 'complete', results: [{ name: 'maps', itemShape: [28, 28], itemCount: COUNT }] });
    expect(session.jobs.map((j: { id: string }) => j.id)).toEqual([jobId]);

    // The session's other requests through the router: duplicate (maps shared), compare, export/import, ui state, delete.
    const copy = await call('sessions:duplicate', { sessionId: ids.sessionId, name: 'copy' });
    const copyRun = (await call('sessions:open', { sessionId: copy.id })).runs[0];
    const copyPage = await call<StoredMapPage>('runs:maps', { runId: copyRun.id, offset: 0, limit: COUNT, maxSide: 128 });
    expect(copyPage.items.map((i) => Array.from(i.map!.data))).toEqual(full.items.map((i) => Array.from(i.map!.data)));
    const compared = await call('sessions:compare', { a: ids.sessionId, b: copy.id });
    expect(compared.pairs).toHaveLength(1);
    expect(compared.pairs[0]).toMatchObject({ items: COUNT, mean: { spearman: 1, pearson: 1 } });
    const zip = `${dir}-export.zip`;
    expect((await call('sessions:export', { sessionId: copy.id, file: zip })).bytes).toBeGreaterThan(COUNT * 784 * 4 * 0.1);
    await call('sessions:rename', { sessionId: copy.id, name: 'copy renamed' });
    const imported = await call('sessions:import', { file: zip });
    expect(imported.name).not.toBe('copy renamed');
    fs.rmSync(zip, { force: true });
    await call('sessions:saveUiState', { sessionId: copy.id, uiState: { selected: [1, 2] } });
    expect((await call('sessions:open', { sessionId: copy.id })).uiState).toEqual({ selected: [1, 2] });
    expect(await call('sessions:delete', { sessionId: ids.sessionId })).toEqual({ deleted: true });
    expect(await call('jobs:list', {})).toEqual([]);
    // The copy still reads its maps: chunk files shared with the deleted session were kept.
    expect((await call<StoredMapPage>('runs:maps', { runId: copyRun.id, offset: 0, limit: 2 })).items).toHaveLength(2);
  }, 150_000);
});
