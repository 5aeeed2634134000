// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetApi } from '../../renderer/api';
import { useImagesStore } from '../../renderer/stores/images';
import { useMethodsStore } from '../../renderer/stores/methods';
import { useNotificationsStore } from '../../renderer/stores/notifications';
import { useProjectStore } from '../../renderer/stores/project';
import { itemsPerSecond, MAPS_PAGE, useRunsStore } from '../../renderer/stores/runs';
import { captureUiState, parseUiState } from '../../renderer/stores/session-ui';
import { UI_SAVE_DELAY_MS, useSessionsStore } from '../../renderer/stores/sessions';
import { RECENT_KEY, sourceStateOf, useWorkspaceStore } from '../../renderer/stores/workspace';
import type { FakeApi, FakeApiOptions } from '../support/fake-api';
import { installFakeApi } from './support';

/** A fake with a created project holding one model and one 24-image set, the methods loaded. */
async function storageProject(options: FakeApiOptions = {}): Promise<FakeApi> {
  const fake = installFakeApi(options);
  await useProjectStore().load();
  await useMethodsStore().load();
  const ws = useWorkspaceStore();
  expect(await ws.createProject('/tmp/p1')).toBe(true);
  expect(await ws.importModel('/models/m/model.json', true)).toBe(true);
  expect(await ws.importImages('/sets/test.csv', false)).toBe(true);
  return fake;
}

const callsOf = (fake: FakeApi, channel: string) => fake.calls.filter((c) => c.channel === channel);

describe('workspace store (projects and imports)', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    localStorage.clear();
  });
  afterEach(() => {
    resetApi();
    delete window.api;
  });

  it('creating a project shows it empty, forgets the demo grid, lists its sessions and remembers the folder', async () => {
    const fake = installFakeApi();
    await useProjectStore().load();
    const images = useImagesStore();
    await images.loadPage('mnist-test', 'mnist-cnn');
    expect(images.items).toHaveLength(24);
    const ok = await useWorkspaceStore().createProject('/tmp/new-project', 'Digits');
    expect(ok).toBe(true);
    expect(useProjectStore().project).toMatchObject({ name: 'Digits', root: '/tmp/new-project', isDemo: false, models: [], imageSets: [] });
    expect(images.items).toEqual([]);
    expect(images.total).toBe(0);
    expect(callsOf(fake, 'sessions:list')).toHaveLength(1);
    expect(useSessionsStore().available).toBe(true);
    expect(JSON.parse(localStorage.getItem(RECENT_KEY) ?? '[]')).toEqual(['/tmp/new-project']);
    expect(useWorkspaceStore().recent).toEqual(['/tmp/new-project']);
  });

  it('a refused open keeps the current project and puts the error on the form, not in a toast', async () => {
    const fake = installFakeApi();
    await useProjectStore().load();
    fake.failNext('project:open', { code: 'NOT_FOUND', message: '/nope is not a project (no project.db or project.json).', hint: 'Create a project in an empty folder instead.' });
    const ws = useWorkspaceStore();
    expect(await ws.openProject('/nope')).toBe(false);
    expect(ws.errors.open).toMatchObject({ code: 'NOT_FOUND', hint: 'Create a project in an empty folder instead.' });
    expect(useProjectStore().project?.isDemo).toBe(true);
    expect(ws.recent).toEqual([]);
    expect(useNotificationsStore().items).toEqual([]);
    ws.clearError('open');
    expect(ws.errors.open).toBeNull();
  });

  it('imports select the new model and image set, pass the copy choice, and load the grid', async () => {
    const fake = await storageProject();
    const project = useProjectStore();
    expect(project.project?.models).toHaveLength(1);
    expect(project.selectedModelId).toBe(project.project?.models[0].id);
    expect(project.selectedImageSetId).toBe(project.project?.imageSets[0].id);
    expect(callsOf(fake, 'project:addModel')[0].params).toMatchObject({ path: '/models/m/model.json', copy: true });
    expect(callsOf(fake, 'project:addImages')[0].params).toMatchObject({ path: '/sets/test.csv', copy: false });
    expect(useImagesStore().items).toHaveLength(24);
    expect(useWorkspaceStore().sources[project.selectedModelId as string]).toEqual({ state: 'ok', message: null });
  });

  it('checks each model and image set of a storage project (project:sources) and marks a changed or missing one, with the message', async () => {
    const fake = await storageProject();
    const modelId = useProjectStore().selectedModelId as string;
    const setId = useProjectStore().selectedImageSetId as string;
    fake.workspace.sourceOverrides.set(modelId, { state: 'changed', code: 'MODEL_CHANGED', message: 'The model files changed since import: weights.bin.', currentSha256: 'abc' });
    const ws = useWorkspaceStore();
    await ws.checkSources();
    expect(ws.sources[modelId]).toEqual({ state: 'changed', message: 'The model files changed since import: weights.bin.' });
    expect(ws.sources[setId]).toEqual({ state: 'ok', message: null });
    // A check that cannot answer leaves the states as they were (a run checks again).
    fake.failNext('project:sources', { code: 'ENGINE_UNAVAILABLE', message: 'down' });
    await ws.checkSources();
    expect(ws.sources[setId]).toEqual({ state: 'ok', message: null });
    expect(ws.noteSourceError(setId, { code: 'SOURCE_MISSING', message: 'test.csv is missing.' })).toBe(true);
    expect(ws.sources[setId].state).toBe('missing');
    expect(ws.noteSourceError(setId, { code: 'PARAM_INVALID', message: 'other' })).toBe(false);
    expect([sourceStateOf({ code: 'IMAGE_SET_CHANGED', message: '' }), sourceStateOf(new Error('x'))]).toEqual(['changed', null]);
  });

  it('the demo (read-only) is never checked and has no sessions', async () => {
    const fake = installFakeApi();
    await useProjectStore().load();
    await useWorkspaceStore().checkSources();
    await useSessionsStore().reset();
    expect(callsOf(fake, 'models:describe')).toHaveLength(0);
    expect(callsOf(fake, 'project:sources')).toHaveLength(0);
    expect(callsOf(fake, 'sessions:list')).toHaveLength(0);
    expect(useSessionsStore().available).toBe(false);
  });
});

describe('sessions store', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    localStorage.clear();
  });
  afterEach(() => {
    vi.useRealTimers();
    resetApi();
    delete window.api;
  });

  it('creates a session with the selected model and image set and opens it; rename, duplicate, delete keep the list in step', async () => {
    const fake = await storageProject();
    const sessions = useSessionsStore();
    const made = await sessions.create('First');
    expect(made).not.toBeNull();
    const project = useProjectStore();
    expect(callsOf(fake, 'sessions:create')[0].params).toEqual({ name: 'First', modelIds: [project.selectedModelId], imageSetIds: [project.selectedImageSetId] });
    expect(sessions.currentId).toBe(made?.id);
    expect(await sessions.rename(made!.id, 'Renamed')).toBe(true);
    expect(sessions.current?.name).toBe('Renamed');
    expect(sessions.sessions.map((s) => s.name)).toEqual(['Renamed']);
    const copy = await sessions.duplicate(made!.id, 'Copy');
    expect(sessions.sessions.map((s) => s.name)).toEqual(['Renamed', 'Copy']);
    expect(await sessions.remove(made!.id)).toBe(true);
    expect(sessions.current).toBeNull();
    expect(sessions.sessions.map((s) => s.id)).toEqual([copy?.id]);
  });

  it('a refused action keeps its error with the action that failed', async () => {
    await storageProject();
    const sessions = useSessionsStore();
    await sessions.create('Same');
    expect(await sessions.create('Same')).toBeNull();
    expect(sessions.error).toMatchObject({ action: 'create', error: { code: 'PARAM_INVALID', message: 'A session named "Same" already exists.' } });
    expect(sessions.busy).toBeNull();
  });

  it('compares two sessions, exports to a path and imports a zip into the list', async () => {
    const fake = await storageProject();
    const sessions = useSessionsStore();
    const a = await sessions.create('A');
    const b = await sessions.create('B');
    const comparison = await sessions.compare(a!.id, b!.id);
    expect(comparison).toMatchObject({ a: a!.id, b: b!.id, pairs: [] });
    expect(comparison?.sharedModelIds).toEqual([useProjectStore().selectedModelId]);
    expect(await sessions.exportTo(b!.id, '/tmp/b.zip')).toEqual({ file: '/tmp/b.zip', bytes: 4096 });
    expect(sessions.lastExport?.file).toBe('/tmp/b.zip');
    expect(callsOf(fake, 'sessions:export')[0].params).toEqual({ sessionId: b!.id, file: '/tmp/b.zip', includeSources: false });
    const imported = await sessions.importFrom('/tmp/b.zip');
    expect(sessions.sessions.map((s) => s.id)).toContain(imported?.id);
    expect(callsOf(fake, 'sessions:import')[0].params).toEqual({ file: '/tmp/b.zip' });
  });

  it('saves the UI state after a quiet period while a session is open, and restores it on open', async () => {
    const fake = await storageProject();
    const sessions = useSessionsStore();
    const s = await sessions.create('Kept');
    const methods = useMethodsStore();
    const setId = useProjectStore().selectedImageSetId as string;
    vi.useFakeTimers();
    methods.select('smoothgrad');
    methods.setParam('n', '12');
    await useImagesStore().select(setId, 5);
    sessions.scheduleSave();
    sessions.scheduleSave();
    expect(callsOf(fake, 'sessions:saveUiState')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(UI_SAVE_DELAY_MS + 10);
    vi.useRealTimers();
    const saves = callsOf(fake, 'sessions:saveUiState');
    expect(saves).toHaveLength(1);
    expect(saves[0].params.uiState).toMatchObject({ methodId: 'smoothgrad', imageIndex: 5, imageSetId: setId, view: 'images' });

    // Change everything, then reopen: the saved state comes back.
    methods.select('gradient');
    useImagesStore().clearSelection();
    expect(await sessions.open(s!.id)).toBe(true);
    expect(methods.selectedId).toBe('smoothgrad');
    expect(methods.draft.n).toBe('12');
    expect(useImagesStore().selectedIndex).toBe(5);
    expect(captureUiState()).toMatchObject({ methodId: 'smoothgrad', imageIndex: 5 });
    // Restoring does not save the restored state again.
    sessions.scheduleSave();
    expect(sessions.restoring).toBe(false);
  });

  it('parseUiState accepts what capture writes and drops malformed fields', () => {
    expect(parseUiState({})).toBeNull();
    expect(parseUiState(null)).toBeNull();
    expect(parseUiState([1, 2])).toBeNull();
    expect(parseUiState({ modelId: 'm', imageIndex: -3, imageOffset: 1.5, params: { n: '5', bad: { x: 1 }, flag: true }, target: 'nonsense', score: 'prob', view: 'runs', runId: '' })).toEqual({
      modelId: 'm', imageSetId: null, imageOffset: 0, imageIndex: null, methodId: null, params: { n: '5', flag: true }, target: 'predicted', classIndex: 0, score: 'prob', seed: '', view: 'runs', runId: null, mapsOffset: 0, analysisJobId: null
    });
  });
});

describe('runs store (persisted jobs)', () => {
  beforeEach(() => {
    setActivePinia(createPinia());
    localStorage.clear();
  });
  afterEach(() => {
    resetApi();
    delete window.api;
  });

  async function running(): Promise<{ fake: FakeApi; jobId: string }> {
    const fake = await storageProject({ jobOutcome: 'manual' });
    await useSessionsStore().create('Runs');
    const runs = useRunsStore();
    runs.listen();
    const project = useProjectStore();
    const jobId = await runs.start({ modelId: project.selectedModelId as string, imageSetId: project.selectedImageSetId as string, how: useMethodsStore().run!, batchSize: 4 });
    expect(jobId).not.toBeNull();
    await vi.waitFor(() => expect(runs.jobs[0]?.state).toBe('running'));
    return { fake, jobId: jobId as string };
  }

  it('starts the method over the whole set in the open session, and lists its run at once', async () => {
    const { fake } = await running();
    const start = callsOf(fake, 'jobs:start')[0].params;
    expect(start).toMatchObject({ kind: 'saliency-maps', method: 'gradient', indices: [], sessionId: useSessionsStore().currentId, batchSize: 4 });
    expect(useRunsStore().jobs[0].progress).toEqual({ done: 0, total: 24 });
    expect(useSessionsStore().current?.runs).toHaveLength(1);
  });

  it('follows progress with a rate, cancels with done < total, resumes to success and refreshes the session', async () => {
    const { fake, jobId } = await running();
    const runs = useRunsStore();
    fake.progressJob(jobId, 6);
    expect(runs.jobs[0].progress).toEqual({ done: 6, total: 24 });
    await runs.cancel(jobId);
    await vi.waitFor(() => expect(runs.jobs[0].state).toBe('cancelled'));
    expect(runs.jobs[0]).toMatchObject({ resumable: true, progress: { done: 6, total: 24 } });
    await runs.resume(jobId);
    await vi.waitFor(() => expect(runs.jobs[0].state).toBe('running'));
    fake.finishJob(jobId, 'succeed');
    await vi.waitFor(() => expect(runs.jobs[0].state).toBe('succeeded'));
    expect(runs.jobs[0].progress).toEqual({ done: 24, total: 24 });
    expect(callsOf(fake, 'sessions:open').length).toBeGreaterThanOrEqual(2);
    expect(runs.error).toBeNull();
  });

  it('measures the rate from the first progress it sees (resumed items do not count)', () => {
    expect(itemsPerSecond(undefined, 10, 1000)).toBeNull();
    expect(itemsPerSecond({ at: 1000, done: 50 }, 50, 2000)).toBeNull();
    expect(itemsPerSecond({ at: 1000, done: 50 }, 80, 3000)).toBeCloseTo(15, 12);
  });

  it('the rate is measured from the first progress after the job (re)started running', async () => {
    const { fake, jobId } = await running();
    const runs = useRunsStore();
    // A state change (here back to queued, as on resume) drops the anchor; the next progress sets it.
    fake.emit('jobs:state', { ...runs.jobs[0], state: 'queued', error: undefined });
    runs.applyProgress(jobId, { done: 2, total: 24 }, 10_000);
    expect(runs.rates[jobId]).toBeNull();
    runs.applyProgress(jobId, { done: 12, total: 24 }, 12_000);
    expect(runs.rates[jobId]).toBeCloseTo(5, 12);
    expect(runs.jobs[0].progress).toEqual({ done: 12, total: 24 });
  });

  it('ignores job events of other sessions and of in-memory jobs', async () => {
    const { fake, jobId } = await running();
    const runs = useRunsStore();
    const other = { ...runs.jobs[0], id: 'job-elsewhere', sessionId: 'session-x' };
    fake.emit('jobs:state', other);
    fake.emit('jobs:state', { id: 'mem-1', kind: 'saliency-maps', spec: {}, state: 'running', progress: { done: 0, total: 1 }, createdAt: '', startedAt: null, endedAt: null });
    expect(runs.jobs.map((j) => j.id)).toEqual([jobId]);
  });

  it('pages through a finished run’s maps with the images under them', async () => {
    const { fake, jobId } = await running();
    const runs = useRunsStore();
    fake.finishJob(jobId, 'succeed');
    await vi.waitFor(() => expect(runs.jobs[0].state).toBe('succeeded'));
    const runId = runs.jobs[0].runId as string;
    await runs.viewRun(runId);
    // The job's end also reloads the viewed page; the latest request wins.
    await vi.waitFor(() => expect(runs.page?.items.map((i) => i.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]));
    expect(runs.pageError).toBeNull();
    expect(runs.view).toBe('runs');
    expect(runs.page?.items.every((i) => i.map !== null)).toBe(true);
    expect([...runs.pageImages.keys()]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    await runs.turnPage(MAPS_PAGE * 2);
    expect(runs.page?.items.map((i) => i.index)).toEqual([16, 17, 18, 19, 20, 21, 22, 23]);
    expect(callsOf(fake, 'runs:maps').at(-1)?.params).toMatchObject({ runId, offset: 16, limit: MAPS_PAGE });
  });

  it('a refused start keeps the error and marks the source it names', async () => {
    const fake = await storageProject();
    await useSessionsStore().create('S');
    const project = useProjectStore();
    fake.failNext('jobs:start', { code: 'IMAGE_SET_CHANGED', message: 'test.csv changed since import.', hint: 'Import it again.' });
    const runs = useRunsStore();
    const jobId = await runs.start({ modelId: project.selectedModelId as string, imageSetId: project.selectedImageSetId as string, how: useMethodsStore().run! });
    expect(jobId).toBeNull();
    expect(runs.error).toMatchObject({ code: 'IMAGE_SET_CHANGED', hint: 'Import it again.' });
    expect(useWorkspaceStore().sources[project.selectedImageSetId as string]).toEqual({ state: 'changed', message: 'test.csv changed since import.' });
  });
});
