/**
 * `project:sources` and `project:close` through the workbench router (real engine, a storage
 * project with a copied model and a small copied image set):
 * - sources: all ok after import; a model file changed → "changed" with the stored and the current
 *   overall hash (the current one equals a fresh listing's); an image removed → "missing"; the
 *   check answers the code using the source would give;
 * - close: with a job running it is cancelled and left resumable, the database is closed and the
 *   lock released (the project opens in-process right after), `project:current` is the demo.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkbench } from '../../main/app/workbench';
import type { Workbench } from '../../main/app/workbench-types';
import { EngineClient, nodeEngineLauncher } from '../../main/jobs/engine-client';
import { commitImageSet, stageImageSet } from '../../main/storage/image-sets';
import { commitModel, stageModel } from '../../main/storage/models';
import { createProject, openProject } from '../../main/storage/project';
import { listModelFiles } from '../../main/storage/sources';
import { getJob } from '../../main/storage/jobs';
import type { SourceStatus } from '../../shared/types/sources';
import type { StoredJobSnapshot } from '../../shared/types/workspace';
import { DEMO_MODEL_JSON } from '../jobs/helpers';
import { ROOT } from '../cli/helpers';

const sender = { kind: 'test' as const, origin: 'test://' };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'saliency-close-'));
const dir = path.join(tmp, 'project');
const setDir = path.join(tmp, 'digits');
let bench: Workbench;
let modelId = '';
let setId = '';

async function call<T = any>(channel: string, payload: unknown): Promise<T> {
  const reply = await bench.router.dispatch(channel, payload, sender);
  if (!reply.ok) throw Object.assign(new Error(reply.error.message), reply.error);
  return reply.value as T;
}

beforeAll(async () => {
  // 12 digits (classes 0–3, 3 each) copied so the test may delete one.
  for (const c of ['0', '1', '2', '3']) {
    fs.mkdirSync(path.join(setDir, c), { recursive: true });
    const src = path.join(ROOT, 'demo', 'images', 'test', c);
    for (const f of fs.readdirSync(src).sort().slice(0, 3)) fs.copyFileSync(path.join(src, f), path.join(setDir, c, f));
  }
  fs.mkdirSync(dir);
  const engine = new EngineClient(nodeEngineLauncher());
  try {
    const project = createProject(dir, 'close test');
    const m = stageModel(project, DEMO_MODEL_JSON, true);
    modelId = commitModel(project, m, await engine.request('loadModel', { path: m.entry }), { name: 'digits' }).id;
    const s = await stageImageSet(project, setDir, { copy: false });
    setId = commitImageSet(project, s, await engine.request('openImageSet', { path: s.entry }), { name: 'few' }).id;
    project.close();
  } finally {
    await engine.stop();
  }
  bench = await createWorkbench({ mode: 'browser', launcher: nodeEngineLauncher(), projectDir: dir, log: () => {} });
}, 60_000);

afterAll(async () => {
  await bench?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

describe('project:sources', () => {
  it('reports ok, then a changed model (stored vs current hash) and a missing image', async () => {
    const ok = await call<SourceStatus[]>('project:sources', {});
    expect(ok.map((s) => [s.id, s.kind, s.state, s.code, s.currentSha256])).toEqual([[modelId, 'model', 'ok', null, null], [setId, 'imageSet', 'ok', null, null]]);

    const modelJson = path.join(dir, 'sources', 'models', modelId, 'model.json');
    expect(fs.existsSync(modelJson)).toBe(true);
    const weights = path.join(path.dirname(modelJson), 'weights.bin');
    const bytes = fs.readFileSync(weights);
    bytes[100] ^= 0xff; // same size, different content: found by the hash, not the size
    fs.writeFileSync(weights, bytes);
    fs.utimesSync(weights, new Date(), new Date(Date.now() + 5000));
    const gone = path.join(setDir, '2', fs.readdirSync(path.join(setDir, '2'))[0]);
    fs.rmSync(gone);

    const after = await call<SourceStatus[]>('project:sources', {});
    const [model, set] = after;
    expect(model).toMatchObject({ id: modelId, state: 'changed', code: 'MODEL_CHANGED', storedSha256: ok[0].storedSha256 });
    expect(model.message).toContain('weights.bin');
    expect(model.currentSha256).toBe(listModelFiles(modelJson).sha256);
    expect(model.currentSha256).not.toBe(model.storedSha256);
    expect(set).toMatchObject({ id: setId, state: 'missing', code: 'SOURCE_MISSING', currentSha256: null });
    expect(set.message).toContain(path.basename(gone));
    // The same refusal a use gives.
    await expect(call('models:describe', { modelId })).rejects.toMatchObject({ code: 'MODEL_CHANGED' });
    bytes[100] ^= 0xff;
    fs.writeFileSync(weights, bytes);
    expect((await call<SourceStatus[]>('project:sources', {}))[0].state).toBe('ok');
  }, 30_000);
});

describe('project:close', () => {
  it('cancels the running job (resumable), closes the database, releases the lock and falls back to the demo', async () => {
    // A job over the demo test set (its files stay put) long enough to be running when closed.
    const demoSet = path.join(ROOT, 'demo', 'images', 'test');
    const added = await call<{ id: string }>('project:addImages', { path: demoSet, copy: false, name: 'demo test' });
    const { jobId } = await call<{ jobId: string }>('jobs:start', {
      kind: 'saliency-maps', modelId, imageSetId: added.id, indices: Array.from({ length: 60 }, (_, i) => i), method: 'integrated-gradients', params: { steps: 64 }, batchSize: 2
    });
    await expect.poll(async () => (await call<StoredJobSnapshot>('jobs:get', { jobId })).state, { timeout: 20_000, interval: 50 }).toBe('running');

    const demo = await call('project:close', {});
    expect(demo).toMatchObject({ isDemo: true, root: path.join(ROOT, 'demo') });
    expect((await call('project:current', {})).isDemo).toBe(true);
    expect(fs.existsSync(path.join(dir, 'project.db.owner'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'project.db.lock'))).toBe(false);
    await expect(call('sessions:list', {})).rejects.toMatchObject({ code: 'PARAM_INVALID' });
    expect(await call('project:sources', {})).toEqual([]);

    const reopened = openProject(dir); // would be PROJECT_LOCKED if the lock were still held
    try {
      const row = getJob(reopened.db, jobId);
      expect(row?.state).toBe('cancelled');
    } finally {
      reopened.close();
    }
    // Opened again in the workbench, the job is resumable.
    await call('project:open', { dir });
    expect(await call<StoredJobSnapshot>('jobs:get', { jobId })).toMatchObject({ state: 'cancelled', resumable: true });
    // Closing twice (demo already open) is harmless.
    await call('project:close', {});
    expect((await call('project:close', {})).isDemo).toBe(true);
  }, 60_000);
});
