/**
 * Persisted `sanity` analyses (main/jobs/persisted/analysis/sanity.ts): cascading randomisation of
 * the demo digits CNN with SmoothGrad maps (a stochastic method: per-image draws from (seed, item
 * index)) on 12 digits in batches of 4. Cancelled mid-way and resumed, the stored document equals
 * one uninterrupted in-memory `sanity` run over the same images: per-image similarities and the
 * per-step curves (bootstrap CIs, undefined similarities counted) exactly; only the time and the
 * result-file path differ. Through `analysis:*` it runs on the persisted queue and equals the
 * in-memory path's document.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisSpec } from '../../shared/ipc/contract';
import type { SanityDocument } from '../../main/engine/sanity/types';
import type { JobSnapshot } from '../../shared/types/jobs';
import { EventBus } from '../../main/app/event-bus';
import { EngineClient, nodeEngineLauncher } from '../../main/jobs/engine-client';
import { JobManager } from '../../main/jobs/job-manager';
import { PersistedJobs } from '../../main/jobs/persisted/service';
import { analysisHandlers } from '../../main/ipc/analysis-handlers';
import { runManifest } from '../../main/storage/jobs';
import { createTestProject, tempProjectDir, type TestProject } from './helpers';

const N = 12;
const BATCH = 4;
const indices = Array.from({ length: N }, (_, i) => i);
const engine = new EngineClient(nodeEngineLauncher(), { cancelGraceMs: 20_000 });
const dir = tempProjectDir();
let t: TestProject;
let reference: SanityDocument;

const spec = (): Extract<AnalysisSpec, { kind: 'sanity' }> => ({ kind: 'sanity', mode: 'cascading', modelId: t.model.id, imageSetId: t.imageSet.id, indices, method: 'smoothgrad', seed: 3, sessionId: t.sessionId });

/** The document without the time and the result file's path. */
function comparable(doc: SanityDocument): Omit<SanityDocument, 'seconds' | 'out'> {
  const { seconds: _s, out: _o, ...rest } = doc;
  return rest;
}

beforeAll(async () => {
  t = await createTestProject(dir, engine);
  const out = path.join(dir, 'reference.json');
  const s = spec();
  await engine.request('sanity', { check: s.mode, modelPath: t.model.path, inputs: { path: t.imageSet.path, indices }, method: s.method, seed: s.seed, batchSize: BATCH, out });
  reference = JSON.parse(fs.readFileSync(out, 'utf8')) as SanityDocument;
}, 60_000);

afterAll(async () => {
  await engine.stop();
  t.project.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('persisted sanity analysis', () => {
  it('cancelled mid-way then resumed: the document equals an uninterrupted in-memory run', async () => {
    let count = 0;
    let jobId = '';
    const jobs: PersistedJobs = new PersistedJobs({
      project: t.project,
      engine: {
        request: ((method: string, params: unknown, options?: unknown) => {
          const pending = (engine.request as (m: string, p: unknown, o?: unknown) => Promise<unknown>)(method, params, options);
          if (method === 'sanity' && ++count === 2) jobs.cancel(jobId);
          return pending;
        }) as EngineClient['request']
      }
    });
    const job = await jobs.createAnalysis(spec(), { batchSize: BATCH });
    jobId = job.id;
    expect(job.kind).toBe('analysis-sanity');
    const cancelled = await jobs.start(job.id);
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.done).toBeGreaterThanOrEqual(BATCH);
    expect(cancelled.done).toBeLessThan(N);
    expect(jobs.list().find((j) => j.id === job.id)).toMatchObject({ resumable: true, progress: { done: cancelled.done, total: N } });
    expect(await new PersistedJobs({ project: t.project, engine }).resume(job.id)).toMatchObject({ state: 'succeeded', done: N, total: N });
    const doc = runManifest(t.project.db, job.runId as string) as SanityDocument;
    expect(comparable(doc)).toEqual(comparable(reference));
    expect(doc.counts).toEqual({ images: N, skipped: 0 });
    expect(doc.out).toBeNull();
  }, 120_000);

  it('through analysis:* it runs on the persisted queue and equals the in-memory path\'s document', async () => {
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
    const { jobId } = await persisted['analysis:start'](spec());
    expect((await ended(jobId)).state).toBe('succeeded');
    expect(queue.get(jobId)).toMatchObject({ kind: 'analysis-sanity', progress: { done: N, total: N } });
    const stored = await persisted['analysis:result']({ jobId });
    const other = await inMemoryOnly['analysis:start'](spec());
    expect((await ended(other.jobId)).state).toBe('succeeded');
    const memoryDoc = (await inMemoryOnly['analysis:result']({ jobId: other.jobId })).document as unknown as SanityDocument;
    expect(stored.kind).toBe('sanity');
    expect(comparable(stored.document as unknown as SanityDocument)).toEqual(comparable(memoryDoc));
  }, 120_000);
});
