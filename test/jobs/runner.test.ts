/**
 * Persisted maps jobs against the real engine host on the 200 demo test digits: results are
 * committed per batch, and a job stopped by cancel or by a full disk resumes to stored maps
 * bit-identical to an uninterrupted run (and to the in-memory `saliency` request's maps, an
 * independent path through the same method). Engine kill -9: engine-kill.test.ts.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SaliencyMap } from '../../shared/types/saliency';
import { EngineClient, nodeEngineLauncher } from '../../main/jobs/engine-client';
import { PersistedJobs } from '../../main/jobs/persisted/service';
import { requestCancel } from '../../main/jobs/persisted/control-files';
import { listRuns } from '../../main/storage/sessions';
import { nodeFs } from '../../main/storage/artifacts';
import { createTestProject, DEMO_MODEL_JSON, DEMO_TEST_SET, reopen, sameBits, storedMaps, tempProjectDir, type TestProject } from './helpers';

const N = 200;
const BATCH = 20;
const engine = new EngineClient(nodeEngineLauncher(), { cancelGraceMs: 20_000 });
const dirs: string[] = [];

async function project(io = nodeFs): Promise<TestProject> {
  const dir = tempProjectDir();
  dirs.push(dir);
  const t = await createTestProject(dir, engine);
  if (io === nodeFs) return t;
  t.project.close();
  return reopen(t, io);
}

function service(p: TestProject, onProgress?: (done: number) => void, partials?: SaliencyMap[]): PersistedJobs {
  return new PersistedJobs({ project: p.project, engine, events: { progress: (_id, pr) => onProgress?.(pr.done), partial: partials && ((_id, m) => partials.push(m)) } });
}

const newJob = (jobs: PersistedJobs, p: TestProject) => jobs.create({ sessionId: p.sessionId, model: p.model, imageSet: p.imageSet, method: 'gradient', params: {}, target: { kind: 'predicted' }, batchSize: BATCH });

let reference: Float32Array;

beforeAll(async () => {
  // The uninterrupted run, once, in its own project.
  const p = await project();
  const jobs = service(p);
  const job = await newJob(jobs, p);
  const final = await jobs.start(job.id);
  expect(final).toMatchObject({ state: 'succeeded', done: N, total: N, skipped: 0 });
  reference = storedMaps(p.project.artifacts, job.runId as string, N);
  p.project.close();
}, 60_000);

afterAll(async () => {
  await engine.stop();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('persisted maps job', () => {
  it('refuses to run (or resume) on a model whose files changed since the job was created: MODEL_CHANGED, nothing computed', async () => {
    const dir = tempProjectDir();
    dirs.push(dir);
    const p = await createTestProject(dir, engine, { copyModel: true });
    const jobs = service(p);
    const job = await newJob(jobs, p);
    const modelJson = p.model.path;
    const json = JSON.parse(fs.readFileSync(modelJson, 'utf8'));
    fs.writeFileSync(modelJson, JSON.stringify({ ...json, changed: true }));
    const failed = await jobs.start(job.id);
    expect(failed).toMatchObject({ state: 'failed', done: 0, error: { code: 'MODEL_CHANGED' } });
    expect(p.project.artifacts.chunks(job.runId as string, 'maps')).toEqual([]);
    expect(jobs.get(job.id).resumable).toBe(true);
    p.project.close();
  }, 60_000);

  it('stores one map per input equal to the in-memory saliency request (independent path)', async () => {
    const maps: SaliencyMap[] = [];
    await engine.request('saliency', { modelPath: DEMO_MODEL_JSON, inputs: { path: DEMO_TEST_SET }, method: 'gradient', params: {}, target: { kind: 'predicted' }, batchSize: BATCH }, { onPartial: (m) => maps.push(m) });
    expect(maps).toHaveLength(N);
    const direct = new Float32Array(N * 28 * 28);
    maps.forEach((m) => direct.set(m.data, m.index * 784));
    expect(reference.length).toBe(N * 784);
    expect(sameBits(reference, direct)).toBe(true);
    expect(reference.some((v) => v > 0)).toBe(true);
  });

  it('cancel stops within one batch, keeps the committed batches, and resume completes identically', async () => {
    const p = await project();
    let jobId = '';
    const jobs: PersistedJobs = service(p, (done) => done >= 2 * BATCH && jobs.cancel(jobId));
    const job = await newJob(jobs, p);
    jobId = job.id;
    const cancelled = await jobs.start(job.id);
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.done % BATCH).toBe(0); // whole batches only
    expect(cancelled.done).toBeGreaterThanOrEqual(2 * BATCH);
    expect(cancelled.done).toBeLessThanOrEqual(3 * BATCH + BATCH);
    const kept = storedMaps(p.project.artifacts, job.runId as string, cancelled.done);
    expect(sameBits(kept, reference.subarray(0, kept.length))).toBe(true);
    expect(jobs.get(job.id)).toMatchObject({ state: 'cancelled', resumable: true });
    // A cancel request left behind by a process killed before it read it must not stop the resumed run.
    requestCancel(p.project.root, job.id);
    const resumed = await service(p).resume(job.id);
    expect(resumed).toMatchObject({ state: 'succeeded', done: N, total: N });
    expect(sameBits(storedMaps(p.project.artifacts, job.runId as string, N), reference)).toBe(true);
    p.project.close();
  }, 60_000);

  it('bad input is refused before anything is stored: out-of-range index, unknown method, bad parameter', async () => {
    const p = await project();
    const jobs = service(p);
    const base = { sessionId: p.sessionId, model: p.model, imageSet: p.imageSet, method: 'gradient', params: {}, target: { kind: 'predicted' as const } };
    await expect(jobs.create({ ...base, indices: [0, 500] })).rejects.toMatchObject({ code: 'PARAM_INVALID', message: expect.stringContaining('500') });
    await expect(jobs.create({ ...base, method: 'no-such-method' })).rejects.toMatchObject({ code: 'METHOD_UNKNOWN' });
    await expect(jobs.create({ ...base, method: 'integrated-gradients', params: { steps: -3 } })).rejects.toMatchObject({ code: 'PARAM_INVALID' });
    await expect(jobs.create({ ...base, batchSize: 0 })).rejects.toMatchObject({ code: 'PARAM_INVALID' });
    expect(jobs.list()).toEqual([]);
    expect(listRuns(p.project, p.sessionId)).toEqual([]);
    p.project.close();
  }, 60_000);

  it('runs one job at a time: a second job waits queued until the first ends; a queued job cancels without running', async () => {
    const p = await project();
    const seen: string[] = [];
    const jobs = new PersistedJobs({ project: p.project, engine, events: { state: (j) => seen.push(`${j.id.slice(0, 4)}:${j.state}`) } });
    const [a, b, c] = [await newJob(jobs, p), await newJob(jobs, p), await newJob(jobs, p)];
    const runs = [jobs.start(a.id), jobs.start(b.id), jobs.start(c.id)];
    expect(jobs.cancel(c.id)).toBe(true);
    const [ra, rb, rc] = await Promise.all(runs);
    expect([ra.state, rb.state, rc.state]).toEqual(['succeeded', 'succeeded', 'cancelled']);
    expect(rc.done).toBe(0);
    const tag = (id: string, state: string) => seen.indexOf(`${id.slice(0, 4)}:${state}`);
    expect(tag(b.id, 'running')).toBeGreaterThan(tag(a.id, 'succeeded'));
    expect(tag(c.id, 'running')).toBe(-1);
    p.project.close();
  }, 60_000);

  it('disk full while writing a chunk: committed batches intact, DISK_FULL, resumable to identical maps', async () => {
    let chunkWrites = 0;
    // The 4th chunk file runs out of space half-way through its data (ENOSPC from write(2)).
    const full = { ...nodeFs, writeSync: (fd: number, buf: Uint8Array, off: number, len: number) => {
      if (len > 64 && ++chunkWrites === 4) {
        nodeFs.writeSync(fd, buf, off, Math.floor(len / 2));
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      }
      return nodeFs.writeSync(fd, buf, off, len);
    } };
    const p = await project(full);
    const job = await newJob(service(p), p);
    const failed = await service(p).start(job.id);
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'DISK_FULL' });
    expect(failed.error?.message).toMatch(/disk filled up/);
    expect(failed.done).toBe(3 * BATCH);
    expect(sameBits(storedMaps(p.project.artifacts, job.runId as string, 3 * BATCH), reference.subarray(0, 3 * BATCH * 784))).toBe(true);
    expect(p.project.artifacts.verify(job.runId as string)).toEqual([]);
    p.project.close();
    const again = reopen(p); // space freed: the normal file system
    const resumed = await service(again).resume(job.id);
    expect(resumed).toMatchObject({ state: 'succeeded', done: N });
    expect(sameBits(storedMaps(again.project.artifacts, job.runId as string, N), reference)).toBe(true);
    again.project.close();
  }, 60_000);
});
