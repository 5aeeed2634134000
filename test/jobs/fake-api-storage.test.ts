/**
 * The renderer fake (test/support/fake-api.ts) follows the real handlers' rules for projects,
 * sessions and stored jobs, so UI built against it behaves the same on the real workbench.
 */
import { describe, expect, it } from 'vitest';
import type { StoredJobSnapshot } from '../../shared/types/workspace';
import { createFakeApi } from '../support/fake-api';

const spec = { kind: 'saliency-maps' as const, modelId: 'mnist-cnn', imageSetId: 'mnist-test', indices: [3, 4, 5], method: 'gradient' };

describe('fake API: project storage', () => {
  it('the demo is read-only: session requests fail PARAM_INVALID until a project is created', async () => {
    const { api } = createFakeApi();
    await expect(api.sessions.list({})).rejects.toMatchObject({ code: 'PARAM_INVALID' });
    const project = await api.project.create({ dir: '/tmp/p1' });
    expect(project).toMatchObject({ name: 'p1', isDemo: false, models: [] });
    expect(await api.project.current({})).toEqual(project);
    expect(await api.sessions.list({})).toEqual([]);
  });

  it('sessions: create, unique names, rename, duplicate with runs, ui state, delete, unknown ids NOT_FOUND', async () => {
    const { api } = createFakeApi();
    await api.project.create({ dir: '/tmp/p2' });
    const model = await api.project.addModel({ path: '/m/model.json', name: 'm' });
    const set = await api.project.addImages({ path: '/imgs', name: 'imgs' });
    const s = await api.sessions.create({ name: 'first', modelIds: [model.id], imageSetIds: [set.id] });
    await expect(api.sessions.create({ name: 'first' })).rejects.toMatchObject({ code: 'PARAM_INVALID' });
    expect(await api.sessions.rename({ sessionId: s.id, name: 'renamed' })).toMatchObject({ id: s.id, name: 'renamed' });
    await api.jobs.start({ ...spec, modelId: model.id, imageSetId: set.id, sessionId: s.id });
    const copy = await api.sessions.duplicate({ sessionId: s.id, name: 'copy' });
    expect(copy.runCount).toBe(1);
    expect((await api.sessions.compare({ a: s.id, b: copy.id })).pairs).toHaveLength(1);
    await api.sessions.saveUiState({ sessionId: s.id, uiState: { tab: 'maps' } });
    expect((await api.sessions.open({ sessionId: s.id })).uiState).toEqual({ tab: 'maps' });
    expect(await api.sessions.delete({ sessionId: copy.id })).toEqual({ deleted: true });
    await expect(api.sessions.open({ sessionId: copy.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('stored jobs: run into a session (Default when none), resumable after cancel, resume succeeds, runs:maps pages the maps', async () => {
    const fake = createFakeApi({ jobOutcome: 'manual' });
    const { api } = fake;
    await api.project.create({ dir: '/tmp/p3' });
    const { jobId } = await api.jobs.start(spec);
    const sessions = await api.sessions.list({});
    expect(sessions.map((s) => s.name)).toEqual(['Default']);
    await expect.poll(async () => (await api.jobs.get({ jobId })).state).toBe('running');
    expect(await api.jobs.cancel({ jobId })).toEqual({ cancelled: true });
    const cancelled = await api.jobs.get({ jobId });
    expect(cancelled).toMatchObject({ state: 'cancelled', resumable: true, sessionId: sessions[0].id });
    await api.jobs.resume({ jobId });
    await expect.poll(async () => (await api.jobs.get({ jobId })).state).toBe('running');
    fake.finishJob(jobId, 'succeed');
    const done = await api.jobs.get({ jobId });
    expect(done).toMatchObject({ state: 'succeeded', resumable: false });
    const page = await api.runs.maps({ runId: (done as StoredJobSnapshot).runId as string, offset: 1, limit: 5 });
    expect(page.items.map((i) => [i.position, i.index, i.status])).toEqual([[1, 4, 'done'], [2, 5, 'done']]);
    expect(page.items[0].map?.data).toBeInstanceOf(Float32Array);
    expect((await api.jobs.list({ sessionId: sessions[0].id })).map((j) => j.id)).toEqual([jobId]);
  });
});
