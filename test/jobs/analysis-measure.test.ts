/**
 * Persisted `measure` analyses (main/jobs/persisted/analysis/measure.ts) on demo digits, batches
 * of 4. `out-of-set` (salt-and-pepper corruptions drawn per (seed, image, level)) cancelled mid-way
 * and resumed: per-image rows and the dataset summary (bootstrap CIs) equal one uninterrupted
 * in-memory `measure` run's exactly; only the time and creation stamp differ. `stability` over two
 * training runs through `analysis:*`: the persisted document equals the in-memory path's.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AnalysisSpec } from '../../shared/ipc/contract';
import type { JobSnapshot } from '../../shared/types/jobs';
import { EventBus } from '../../main/app/event-bus';
import { EngineClient, nodeEngineLauncher } from '../../main/jobs/engine-client';
import { JobManager } from '../../main/jobs/job-manager';
import type { MeasureDocument } from '../../main/jobs/persisted/analysis/measure';
import { PersistedJobs } from '../../main/jobs/persisted/service';
import { analysisHandlers } from '../../main/ipc/analysis-handlers';
import { runManifest } from '../../main/storage/jobs';
import { commitModel, stageModel } from '../../main/storage/models';
import { ROOT } from '../cli/helpers';
import { createTestProject, tempProjectDir, type TestProject } from './helpers';

const N = 12;
const BATCH = 4;
const indices = Array.from({ length: N }, (_, i) => i);
const engine = new EngineClient(nodeEngineLauncher(), { cancelGraceMs: 20_000 });
const dir = tempProjectDir();
let t: TestProject;
let second: { id: string; path: string };

/** The document without the time and creation stamp. */
function comparable(doc: MeasureDocument): unknown {
  const { seconds: _s, createdAt: _c, ...manifest } = doc.manifest;
  return { ...doc, manifest };
}

beforeAll(async () => {
  t = await createTestProject(dir, engine);
  const staged = stageModel(t.project, path.join(ROOT, 'demo', 'models', 'digits-cnn-s2', 'model.json'), false);
  const model = commitModel(t.project, staged, await engine.request('loadModel', { path: staged.entry }), { name: 'digits-cnn-s2' });
  second = { id: model.id, path: staged.entry };
}, 60_000);

afterAll(async () => {
  await engine.stop();
  t.project.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('persisted measure analysis', () => {
  it('out-of-set cancelled mid-way then resumed: the document equals an uninterrupted in-memory run', async () => {
    const spec: Extract<AnalysisSpec, { kind: 'measure' }> = { kind: 'measure', measure: 'out-of-set', modelIds: [t.model.id], imageSetId: t.imageSet.id, indices, seed: 5, sessionId: t.sessionId };
    const out = path.join(dir, 'reference.json');
    await engine.request('measure', { measure: 'out-of-set', modelPaths: [t.model.path], inputs: { path: t.imageSet.path, indices }, methodParams: {}, params: {}, seed: 5, bootstrap: {}, batchSize: BATCH, out });
    const reference = JSON.parse(fs.readFileSync(out, 'utf8')) as MeasureDocument;
    let count = 0;
    let jobId = '';
    const jobs: PersistedJobs = new PersistedJobs({
      project: t.project,
      engine: {
        request: ((method: string, params: unknown, options?: unknown) => {
          const pending = (engine.request as (m: string, p: unknown, o?: unknown) => Promise<unknown>)(method, params, options);
          if (method === 'measure' && ++count === 2) jobs.cancel(jobId);
          return pending;
        }) as EngineClient['request']
      }
    });
    const job = await jobs.createAnalysis(spec, { batchSize: BATCH });
    jobId = job.id;
    expect(job.kind).toBe('analysis-measure');
    const cancelled = await jobs.start(job.id);
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.done).toBeGreaterThanOrEqual(BATCH);
    expect(cancelled.done).toBeLessThan(N);
    expect(jobs.list().find((j) => j.id === job.id)).toMatchObject({ resumable: true, progress: { done: cancelled.done, total: N } });
    expect(await new PersistedJobs({ project: t.project, engine }).resume(job.id)).toMatchObject({ state: 'succeeded', done: N, total: N });
    const doc = runManifest(t.project.db, job.runId as string) as MeasureDocument;
    expect(comparable(doc)).toEqual(comparable(reference));
    expect(doc.perImage.map((r) => r.index)).toEqual(indices);
    expect((doc.manifest.inputs as { selected: number }).selected).toBe(N);
  }, 120_000);

  it('stability over two runs through analysis:* equals the in-memory path\'s document', async () => {
    const events = new EventBus();
    const states: JobSnapshot[] = [];
    events.on((event, payload) => event === 'jobs:state' && states.push(payload as JobSnapshot));
    const queue = new PersistedJobs({ project: t.project, engine, events: { state: (s) => events.emit('jobs:state', s) } });
    const paths: Record<string, string> = { [t.model.id]: t.model.path, [second.id]: second.path };
    const view = { snapshot: { name: 't', root: dir, isDemo: false, models: [], imageSets: [] }, modelPath: (id: string) => paths[id], imageSetPath: () => t.imageSet.path };
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
    const spec: AnalysisSpec = { kind: 'measure', measure: 'stability', modelIds: [t.model.id, second.id], imageSetId: t.imageSet.id, indices: indices.slice(0, 6), sessionId: t.sessionId };
    const { jobId } = await persisted['analysis:start'](spec);
    expect((await ended(jobId)).state).toBe('succeeded');
    expect(queue.get(jobId)).toMatchObject({ kind: 'analysis-measure', progress: { done: 6, total: 6 } });
    const stored = await persisted['analysis:result']({ jobId });
    const other = await inMemoryOnly['analysis:start'](spec);
    expect((await ended(other.jobId)).state).toBe('succeeded');
    const memoryDoc = (await inMemoryOnly['analysis:result']({ jobId: other.jobId })).document as unknown as MeasureDocument;
    expect(stored.kind).toBe('measure');
    expect(comparable(stored.document as unknown as MeasureDocument)).toEqual(comparable(memoryDoc));
    expect((memoryDoc.summary as { pairCount: number }).pairCount).toBe(1);
  }, 120_000);
});
