/**
 * A succeeded analysis in a storage project is recorded as a complete run of the named session
 * (else of "Default"): kind `analysis-<kind>`, its manifest the result document; a cancelled one
 * records nothing. Real engine, demo digits CNN, 3 images.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EvaluateDocument, SanityDocument } from '../../shared/types/analyses';
import type { JobSnapshot } from '../../shared/types/jobs';
import { analysisHandlers } from '../../main/ipc/analysis-handlers';
import { EventBus } from '../../main/app/event-bus';
import { JobManager } from '../../main/jobs/job-manager';
import { EngineClient, nodeEngineLauncher } from '../../main/jobs/engine-client';
import { findSessionByName, getSession } from '../../main/storage/sessions';
import { createTestProject, tempProjectDir, type TestProject } from '../jobs/helpers';

const engine = new EngineClient(nodeEngineLauncher());
const events = new EventBus();
const states: JobSnapshot[] = [];
const dir = tempProjectDir();
let t: TestProject;
let handlers: ReturnType<typeof analysisHandlers>;

const ended = (jobId: string) =>
  new Promise<JobSnapshot>((resolve) => {
    const check = () => {
      const s = states.filter((x) => x.id === jobId).at(-1);
      if (s && ['succeeded', 'failed', 'cancelled'].includes(s.state)) resolve(s);
      else setTimeout(check, 50);
    };
    check();
  });

beforeAll(async () => {
  events.on((event, payload) => event === 'jobs:state' && states.push(payload as JobSnapshot));
  t = await createTestProject(dir, engine);
  const view = { snapshot: { name: 't', root: dir, isDemo: false, models: [], imageSets: [] }, modelPath: () => t.model.path, imageSetPath: () => t.imageSet.path };
  handlers = analysisHandlers({ engine, jobs: new JobManager(events), project: async () => view, storage: async () => t.project });
});
afterAll(async () => {
  await engine.stop();
  t.project.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('analysis results in a storage project', () => {
  it('records an evaluate run in the named session with the document as its manifest', async () => {
    const before = getSession(t.project, t.sessionId).runs.length;
    const { jobId } = await handlers['analysis:start']({ kind: 'evaluate', modelId: t.model.id, imageSetId: t.imageSet.id, indices: [0, 1, 2], metrics: ['deletion'], method: 'gradient', params: {}, steps: 7, sessionId: t.sessionId });
    expect((await ended(jobId)).state).toBe('succeeded');
    const runs = getSession(t.project, t.sessionId).runs;
    expect(runs.length).toBe(before + 1);
    const run = runs.at(-1)!;
    expect(run).toMatchObject({ kind: 'analysis-evaluate', method: 'gradient · deletion', modelId: t.model.id, imageSetId: t.imageSet.id, state: 'complete' });
    const manifest = run.manifest as EvaluateDocument;
    const { document } = await handlers['analysis:result']({ jobId });
    expect(manifest).toEqual(JSON.parse(JSON.stringify(document)));
    expect(manifest.metrics[0].steps).toBe(7);
    expect(run.results).toEqual([{ name: 'analysis', dtype: 'json', itemShape: [], itemCount: 3, summary: { kind: 'evaluate' } }]);
  }, 60_000);

  it('records in "Default" when no session is named; a cancelled job records nothing', async () => {
    const { jobId } = await handlers['analysis:start']({ kind: 'sanity', mode: 'independent', modelId: t.model.id, imageSetId: t.imageSet.id, indices: [0, 1, 2], method: 'gradient' });
    expect((await ended(jobId)).state).toBe('succeeded');
    const session = getSession(t.project, findSessionByName(t.project, 'Default').id);
    expect(session.runs.map((r) => r.kind)).toEqual(['analysis-sanity']);
    expect((session.runs[0].manifest as SanityDocument).check).toBe('independent');

    const cancelled = await handlers['analysis:start']({ kind: 'sanity', mode: 'cascading', modelId: t.model.id, imageSetId: t.imageSet.id, indices: Array.from({ length: 64 }, (_, i) => i), method: 'smoothgrad' });
    await new Promise<void>((resolve) => {
      const wait = () => (states.some((s) => s.id === cancelled.jobId && s.state === 'running') ? resolve() : setTimeout(wait, 20));
      wait();
    });
    expect(await handlers['analysis:cancel']({ jobId: cancelled.jobId })).toEqual({ cancelled: true });
    expect((await ended(cancelled.jobId)).state).toBe('cancelled');
    expect(getSession(t.project, session.id).runs).toHaveLength(1);
  }, 60_000);

  it('refuses an unknown session before any job exists', async () => {
    const count = states.length;
    await expect(handlers['analysis:start']({ kind: 'sanity', mode: 'cascading', modelId: t.model.id, imageSetId: t.imageSet.id, indices: [0], method: 'gradient', sessionId: 'no-such-session' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(states.length).toBe(count);
  });
});
