/**
 * Persisted `evaluate` analyses in a storage project (main/jobs/persisted/analysis/): 20 demo
 * digits, batches of 4, deletion + insertion of gradient maps against a uniform-noise baseline (a
 * per-image random draw, so batch composition must not matter). A job cancelled mid-way and resumed,
 * one whose engine host is killed (-9) mid-batch and resumed, and one left `running` by a dead
 * process (INTERRUPTED on open) and resumed all end with the document of one uninterrupted
 * in-memory `evaluate` run over the same images: per-image curves and dataset summaries (bootstrap
 * CIs) exactly equal; only the timing fields differ. Through `analysis:*` the app's job lands on
 * the same queue, `jobs:list` shows done/total, and `analysis:result` reads the run's document.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisSpec } from '../../shared/ipc/contract';
import type { CurvesFile } from '../../main/engine/metrics/request';
import type { JobSnapshot } from '../../shared/types/jobs';
import { EventBus } from '../../main/app/event-bus';
import { EngineClient, nodeEngineLauncher } from '../../main/jobs/engine-client';
import { JobManager } from '../../main/jobs/job-manager';
import { PersistedJobs } from '../../main/jobs/persisted/service';
import { analysisHandlers } from '../../main/ipc/analysis-handlers';
import { jobItems, markRunning, runManifest } from '../../main/storage/jobs';
import { getSession } from '../../main/storage/sessions';
import { createTestProject, reopen, tempProjectDir, type TestProject } from './helpers';

const N = 20;
const BATCH = 4;
const indices = Array.from({ length: N }, (_, i) => i);
const engine = new EngineClient(nodeEngineLauncher(), { cancelGraceMs: 20_000 });
const dir = tempProjectDir();
let t: TestProject;
let reference: CurvesFile;

const spec = (sessionId: string): Extract<AnalysisSpec, { kind: 'evaluate' }> => ({
  kind: 'evaluate', modelId: t.model.id, imageSetId: t.imageSet.id, indices, metrics: ['deletion', 'insertion'], method: 'gradient', params: {}, baseline: 'uniform-noise', steps: 8, seed: 7, sessionId
});

/** The document without what measures time (seconds and rates differ between runs). */
function timeless(doc: CurvesFile): Omit<CurvesFile, 'seconds' | 'perturbedPerSecond' | 'imagesPerSecond'> {
  const { seconds: _s, perturbedPerSecond: _p, imagesPerSecond: _i, ...rest } = doc;
  return rest;
}

/** One uninterrupted in-memory run over the same images (the engine method the in-memory path calls). */
async function inMemory(batchSize: number | undefined): Promise<CurvesFile> {
  const out = path.join(dir, `reference-${batchSize}.json`);
  const s = spec(t.sessionId);
  await engine.request('evaluate', { modelPath: t.model.path, inputs: { path: t.imageSet.path, indices }, metrics: s.metrics, method: { id: s.method, params: {} }, params: { baseline: s.baseline, steps: s.steps }, seed: s.seed, batchSize, out });
  return JSON.parse(fs.readFileSync(out, 'utf8')) as CurvesFile;
}

/** An engine that runs `act` right after sending the `k`-th evaluate request (k from 1). */
function engineActingOn(k: number, act: () => void): Pick<EngineClient, 'request'> {
  let count = 0;
  return {
    request: ((method: string, params: unknown, options?: unknown) => {
      const pending = (engine.request as (m: string, p: unknown, o?: unknown) => Promise<unknown>)(method, params, options);
      if (method === 'evaluate' && ++count === k) act();
      return pending;
    }) as EngineClient['request']
  };
}

const documentOf = (runId: string | null) => runManifest(t.project.db, runId as string) as CurvesFile;

beforeAll(async () => {
  t = await createTestProject(dir, engine);
  reference = await inMemory(BATCH);
}, 60_000);

afterAll(async () => {
  await engine.stop();
  t.project.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('persisted evaluate analysis', () => {
  it('cancelled mid-way then resumed: the document equals an uninterrupted in-memory run', async () => {
    let jobId = '';
    const jobs: PersistedJobs = new PersistedJobs({ project: t.project, engine: engineActingOn(3, () => jobs.cancel(jobId)) });
    const job = await jobs.createAnalysis(spec(t.sessionId), { batchSize: BATCH });
    jobId = job.id;
    expect(job).toMatchObject({ kind: 'analysis-evaluate', state: 'queued', done: 0, total: N });
    const cancelled = await jobs.start(job.id);
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.done).toBeGreaterThanOrEqual(2 * BATCH);
    expect(cancelled.done).toBeLessThan(N);
    expect(cancelled.done % BATCH).toBe(0);
    expect(jobItems(t.project.db, job.id).filter((i) => i.state === 'done')).toHaveLength(cancelled.done);
    expect(jobs.list(t.sessionId).find((j) => j.id === job.id)).toMatchObject({ state: 'cancelled', resumable: true, progress: { done: cancelled.done, total: N } });
    expect(documentOf(job.runId)).toBeNull();

    const resumed = await new PersistedJobs({ project: t.project, engine }).resume(job.id);
    expect(resumed).toMatchObject({ state: 'succeeded', done: N, total: N, skipped: 0 });
    const doc = documentOf(job.runId);
    expect(timeless(doc)).toEqual(timeless(reference));
    expect(doc.metrics.map((m) => m.id)).toEqual(['deletion', 'insertion']);
    expect(doc.images.deletion.map((c) => c.index)).toEqual(indices);
    expect(doc.seconds).toBeGreaterThan(0);
    const run = getSession(t.project, t.sessionId).runs.find((r) => r.id === job.runId);
    expect(run).toMatchObject({ kind: 'analysis-evaluate', method: 'gradient · deletion+insertion', state: 'complete' });
    expect(run?.results).toEqual([{ name: 'analysis', dtype: 'json', itemShape: [], itemCount: N, summary: { kind: 'evaluate' } }]);
  }, 120_000);

  it('engine host killed mid-batch: failed ENGINE_CRASHED, resumable, resume completes with the same document', async () => {
    let hostPid: number | undefined;
    const jobs = new PersistedJobs({ project: t.project, engine: engineActingOn(3, () => {
      hostPid = engine.pid;
      process.kill(hostPid as number, 'SIGKILL');
    }) });
    const job = await jobs.createAnalysis(spec(t.sessionId), { batchSize: BATCH });
    const crashed = await jobs.start(job.id);
    expect(crashed.state).toBe('failed');
    expect(crashed.error?.code).toBe('ENGINE_CRASHED');
    expect(crashed.done).toBe(2 * BATCH);
    expect(jobs.get(job.id)).toMatchObject({ state: 'failed', resumable: true, progress: { done: 2 * BATCH, total: N } });
    const resumed = await jobs.resume(job.id);
    expect(engine.pid).not.toBe(hostPid);
    expect(resumed).toMatchObject({ state: 'succeeded', done: N, total: N });
    expect(timeless(documentOf(job.runId))).toEqual(timeless(reference));
  }, 120_000);

  it('left running by a dead process: INTERRUPTED when the project is opened, then resumed to the same document', async () => {
    let jobId = '';
    const jobs: PersistedJobs = new PersistedJobs({ project: t.project, engine: engineActingOn(2, () => jobs.cancel(jobId)) });
    const job = await jobs.createAnalysis(spec(t.sessionId), { batchSize: BATCH });
    jobId = job.id;
    const stopped = await jobs.start(job.id);
    expect(stopped.state).toBe('cancelled');
    // As a process killed while running it would have left the row (its batches committed).
    markRunning(t.project.db, job.id, 999_999);
    t.project.close();
    t = reopen(t);
    const reopened = new PersistedJobs({ project: t.project, engine });
    expect(reopened.recovered).toEqual([job.id]);
    expect(reopened.get(job.id)).toMatchObject({ state: 'failed', error: { code: 'INTERRUPTED' }, resumable: true, progress: { done: stopped.done, total: N } });
    expect(await reopened.resume(job.id)).toMatchObject({ state: 'succeeded', done: N });
    expect(timeless(documentOf(job.runId))).toEqual(timeless(reference));
  }, 120_000);

  it('through analysis:* the app runs it on the persisted queue; its document equals the in-memory path\'s', async () => {
    const events = new EventBus();
    const states: JobSnapshot[] = [];
    events.on((event, payload) => event === 'jobs:state' && states.push(payload as JobSnapshot));
    const queue = new PersistedJobs({ project: t.project, engine, events: { state: (s) => events.emit('jobs:state', s) } });
    const view = { snapshot: { name: 't', root: dir, isDemo: false, models: [], imageSets: [] }, modelPath: () => t.model.path, imageSetPath: () => t.imageSet.path };
    const memory = new JobManager(events);
    const persisted = analysisHandlers({ engine, jobs: memory, project: async () => view, storage: async () => t.project, persisted: async () => queue });
    const inMemoryOnly = analysisHandlers({ engine, jobs: memory, project: async () => view });
    const ended = (jobId: string) => new Promise<JobSnapshot>((resolve) => {
      const check = () => {
        const s = states.filter((x) => x.id === jobId).at(-1);
        if (s && ['succeeded', 'failed', 'cancelled'].includes(s.state)) resolve(s);
        else setTimeout(check, 50);
      };
      check();
    });
    const { jobId } = await persisted['analysis:start'](spec(t.sessionId));
    expect(queue.list().map((j) => j.id)).toContain(jobId);
    expect((await ended(jobId)).state).toBe('succeeded');
    expect(queue.get(jobId)).toMatchObject({ kind: 'analysis-evaluate', progress: { done: N, total: N } });
    const stored = await persisted['analysis:result']({ jobId });
    expect(stored.kind).toBe('evaluate');
    const other = await inMemoryOnly['analysis:start'](spec(t.sessionId));
    expect((await ended(other.jobId)).state).toBe('succeeded');
    const memoryDoc = (await inMemoryOnly['analysis:result']({ jobId: other.jobId })).document as unknown as CurvesFile;
    expect(timeless(stored.document as unknown as CurvesFile)).toEqual(timeless(memoryDoc));
    expect(await persisted['analysis:cancel']({ jobId })).toEqual({ cancelled: false });
  }, 120_000);
});
