// @vitest-environment happy-dom
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia, type Pinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../../renderer/App.vue';
import SessionCompare from '../../renderer/components/sessions/SessionCompare.vue';
import { resetApi } from '../../renderer/api';
import { useWorkspaceStore } from '../../renderer/stores/workspace';
import type { FakeApi, FakeApiOptions } from '../support/fake-api';
import { installFakeApi, installRecordingCanvas } from './support';

const byTestId = (w: VueWrapper, id: string) => w.findAll(`[data-testid="${id}"]`);

async function mountApp(options: FakeApiOptions = {}): Promise<{ fake: FakeApi; wrapper: VueWrapper; pinia: Pinia }> {
  const fake = installFakeApi(options);
  const pinia = createPinia();
  const wrapper = mount(App, { global: { plugins: [pinia] }, attachTo: document.body });
  await vi.waitFor(() => expect(wrapper.find('[data-app-state="ready"]').exists()).toBe(true));
  await flushPromises();
  return { fake, wrapper, pinia };
}

/** Opens a project-bar form, types the path (and ticks copy), submits and waits for it to settle. */
async function submitProjectForm(w: VueWrapper, button: string, form: string, path: string, copy = false): Promise<void> {
  await w.get(`[data-testid="${button}"]`).trigger('click');
  await w.get(`[data-testid="${form}-path"]`).setValue(path);
  if (copy) await w.get(`[data-testid="${form}-copy"]`).setValue(true);
  await w.get(`[data-testid="${form}-form"]`).trigger('submit');
  await flushPromises();
}

async function sessionForm(w: VueWrapper, action: string, text?: string): Promise<void> {
  await w.get(`[data-testid="session-${action}"]`).trigger('click');
  if (text !== undefined) await w.get(`[data-testid="session-${action}-input"]`).setValue(text);
  await w.get(`[data-testid="session-${action}-form"]`).trigger('submit');
  await flushPromises();
}

/** The app on a created project with one model, one image set and an open session. */
async function projectWithSession(options: FakeApiOptions = {}): Promise<{ fake: FakeApi; wrapper: VueWrapper; pinia: Pinia }> {
  const mounted = await mountApp(options);
  const w = mounted.wrapper;
  await submitProjectForm(w, 'project-new', 'create-project', '/tmp/ui-project');
  await submitProjectForm(w, 'import-model', 'model-project', '/m/model.json', true);
  await submitProjectForm(w, 'import-images', 'images-project', '/sets/test.csv');
  await sessionForm(w, 'new', 'Session one');
  return mounted;
}

describe('projects, sessions and runs UI', () => {
  let wrapper: VueWrapper | null = null;
  let canvas: ReturnType<typeof installRecordingCanvas> | null = null;
  beforeEach(() => localStorage.clear());
  afterEach(() => {
    wrapper?.unmount();
    wrapper = null;
    canvas?.restore();
    canvas = null;
    resetApi();
    delete window.api;
  });

  it('the demo shows read-only: imports disabled, no sessions, no Runs tab (Images and Analyses only)', async () => {
    ({ wrapper } = await mountApp());
    expect(wrapper.get('[data-testid="project-bar-name"]').text()).toBe('Demo: MNIST digits');
    expect(wrapper.get('[data-testid="import-model"]').attributes('disabled')).toBeDefined();
    expect(wrapper.find('[data-testid="sessions-panel"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="tab-runs"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="tab-analyses"]').exists()).toBe(true);
  });

  it('creates a project from a typed folder, imports a model (copied) and an image set, and lists them with their source state', async () => {
    const mounted = await mountApp();
    wrapper = mounted.wrapper;
    await submitProjectForm(wrapper, 'project-new', 'create-project', '/tmp/ui-project');
    expect(wrapper.get('[data-testid="project-root"]').text()).toBe('/tmp/ui-project');
    expect(wrapper.find('[data-testid="create-project-form"]').exists()).toBe(false);
    expect(byTestId(wrapper, 'image-tile')).toHaveLength(0);
    expect(wrapper.find('[data-testid="sessions-empty"]').exists()).toBe(true);
    await submitProjectForm(wrapper, 'import-model', 'model-project', '/m/model.json', true);
    await submitProjectForm(wrapper, 'import-images', 'images-project', '/sets/test.csv');
    expect(mounted.fake.calls.find((c) => c.channel === 'project:addModel')?.params).toMatchObject({ path: '/m/model.json', copy: true });
    expect(byTestId(wrapper, 'model-item')).toHaveLength(1);
    expect(byTestId(wrapper, 'image-tile')).toHaveLength(24);
    const rows = byTestId(wrapper, 'source-row');
    expect(rows.map((r) => r.attributes('data-state'))).toEqual(['ok', 'ok']);
    expect(wrapper.get('[data-testid="project-summary"] summary').text()).toContain('1 model · 1 image set');
  });

  it('shows a refused import inline with its hint, keeps the form open, and no toast', async () => {
    const mounted = await mountApp();
    wrapper = mounted.wrapper;
    await submitProjectForm(wrapper, 'project-new', 'create-project', '/tmp/ui-project');
    mounted.fake.failNext('project:addModel', { code: 'MODEL_NOT_FOUND', message: 'There is no model at /nope/model.json.', hint: 'Give the path of a model.json.' });
    await submitProjectForm(wrapper, 'import-model', 'model-project', '/nope/model.json');
    const error = wrapper.get('[data-testid="model-project-error"]');
    expect(error.get('[data-testid="error-message"]').text()).toBe('There is no model at /nope/model.json.');
    expect(error.get('[data-testid="error-hint"]').text()).toBe('Give the path of a model.json.');
    expect(wrapper.find('[data-testid="model-project-form"]').exists()).toBe(true);
    expect(byTestId(wrapper, 'toast')).toHaveLength(0);
  });

  it('warns clearly when a model has changed since it was imported', async () => {
    const mounted = await mountApp();
    wrapper = mounted.wrapper;
    await submitProjectForm(wrapper, 'project-new', 'create-project', '/tmp/ui-project');
    await submitProjectForm(wrapper, 'import-model', 'model-project', '/m/model.json');
    expect(byTestId(wrapper, 'source-warning')).toHaveLength(0);
    // The next check (as on opening the project) finds the files changed.
    const modelId = mounted.fake.workspace.project!.models[0].id;
    mounted.fake.workspace.sourceOverrides.set(modelId, { state: 'changed', code: 'MODEL_CHANGED', message: 'weights.bin changed since the model was imported.', currentSha256: 'abc' });
    await useWorkspaceStore(mounted.pinia).checkSources();
    await vi.waitFor(() => expect(byTestId(wrapper!, 'source-warning')).toHaveLength(1));
    const warning = wrapper.get('[data-testid="source-warning"]');
    expect(warning.attributes('data-state')).toBe('changed');
    expect(warning.text()).toContain('has changed since it was imported');
    expect(warning.text()).toContain('weights.bin changed since the model was imported.');
  });

  it('offers recently opened folders in the Open form', async () => {
    ({ wrapper } = await mountApp());
    await submitProjectForm(wrapper, 'project-new', 'create-project', '/tmp/a');
    await wrapper.get('[data-testid="project-open"]').trigger('click');
    const recent = wrapper.get('[data-testid="open-project-recent"]');
    expect(recent.findAll('button').map((b) => b.text())).toEqual(['/tmp/a']);
    await recent.get('button').trigger('click');
    expect((wrapper.get('[data-testid="open-project-path"]').element as HTMLInputElement).value).toBe('/tmp/a');
  });

  it('session actions: create, rename, duplicate, delete only after confirming', async () => {
    const mounted = await projectWithSession();
    wrapper = mounted.wrapper;
    const names = () => byTestId(wrapper!, 'session-item').map((s) => s.attributes('data-session-name'));
    expect(names()).toEqual(['Session one']);
    expect(wrapper.get('[data-testid="session-item"]').attributes('aria-pressed')).toBe('true');
    await sessionForm(wrapper, 'rename', 'Renamed');
    expect(names()).toEqual(['Renamed']);
    await sessionForm(wrapper, 'duplicate', 'Second');
    expect(names()).toEqual(['Renamed', 'Second']);
    await wrapper.get('[data-testid="session-delete"]').trigger('click');
    expect(wrapper.get('[data-testid="session-delete-form"]').text()).toContain('Delete “Renamed”');
    expect(mounted.fake.calls.some((c) => c.channel === 'sessions:delete')).toBe(false);
    await wrapper.get('[data-testid="session-delete-form"]').trigger('submit');
    await flushPromises();
    expect(names()).toEqual(['Second']);
    expect(wrapper.find('[data-testid="session-actions"]').exists()).toBe(false);
  });

  it('a duplicate session name is refused inline', async () => {
    ({ wrapper } = await projectWithSession());
    await sessionForm(wrapper, 'new', 'Session one');
    const error = wrapper.get('[data-testid="session-error"]');
    expect(error.attributes('data-action')).toBe('create');
    expect(error.text()).toContain('A session named "Session one" already exists.');
  });

  it('exports to a typed path and says where it was written', async () => {
    const mounted = await projectWithSession();
    wrapper = mounted.wrapper;
    await wrapper.get('[data-testid="session-export"]').trigger('click');
    expect((wrapper.get('[data-testid="session-export-input"]').element as HTMLInputElement).value).toBe('Session-one.zip');
    await wrapper.get('[data-testid="session-export-input"]').setValue('/tmp/out/s1.zip');
    await wrapper.get('[data-testid="session-export-form"]').trigger('submit');
    await flushPromises();
    expect(wrapper.get('[data-testid="session-export-result"]').text()).toBe('Saved 4.0 KiB to /tmp/out/s1.zip');
    await wrapper.get('[data-testid="session-export-sources"]').setValue(false);
    await wrapper.get('[data-testid="session-export-form"]').trigger('submit');
    await flushPromises();
    const exports = mounted.fake.calls.filter((c) => c.channel === 'sessions:export').map((c) => c.params.includeSources);
    expect(exports).toEqual([true, false]);
  });

  it('runs a method over the set: progress, cancel, resume, done, then pages through the stored maps', async () => {
    canvas = installRecordingCanvas();
    const mounted = await projectWithSession({ jobOutcome: 'manual' });
    wrapper = mounted.wrapper;
    await wrapper.get('[data-testid="tab-runs"]').trigger('click');
    expect(wrapper.get('[data-testid="run-start-summary"]').text()).toContain('Vanilla gradient');
    expect(wrapper.get('[data-testid="run-start-summary"]').text()).toContain('(24 images)');
    await wrapper.get('[data-testid="run-batch"]').setValue('0');
    expect(wrapper.get('[data-testid="run-blocked"]').text()).toContain('1 to 4096');
    expect(wrapper.get('[data-testid="run-start"]').attributes('disabled')).toBeDefined();
    await wrapper.get('[data-testid="run-batch"]').setValue('4');
    await wrapper.get('[data-testid="run-start"]').trigger('click');
    await vi.waitFor(() => expect(wrapper!.get('[data-testid="run-row"]').attributes('data-state')).toBe('running'));
    const jobId = wrapper.get('[data-testid="run-row"]').attributes('data-job-id') as string;
    mounted.fake.progressJob(jobId, 6);
    await flushPromises();
    const row = () => wrapper!.get('[data-testid="run-row"]');
    expect(row().get('[data-testid="run-progress"]').text()).toBe('6 / 24');
    expect(row().get('[data-testid="run-progressbar"]').attributes('aria-valuenow')).toBe('25');
    expect(wrapper.get('[data-testid="tab-runs"]').text()).toContain('1');

    await row().get('[data-testid="run-cancel"]').trigger('click');
    await vi.waitFor(() => expect(row().attributes('data-state')).toBe('cancelled'));
    expect(row().attributes('data-done')).toBe('6');
    expect(row().find('[data-testid="run-cancel"]').exists()).toBe(false);
    await row().get('[data-testid="run-resume"]').trigger('click');
    await vi.waitFor(() => expect(row().attributes('data-state')).toBe('running'));
    mounted.fake.finishJob(jobId, 'succeed');
    await vi.waitFor(() => expect(row().attributes('data-state')).toBe('succeeded'));
    expect(row().get('[data-testid="run-progress"]').text()).toBe('24 / 24');
    expect(row().find('[data-testid="run-resume"]').exists()).toBe(false);

    await row().get('[data-testid="run-view"]').trigger('click');
    await vi.waitFor(() => expect(byTestId(wrapper!, 'stored-map')).toHaveLength(8));
    expect(wrapper.get('[data-testid="run-maps-range"]').text()).toBe('1–8 of 24');
    await vi.waitFor(() => expect(wrapper!.findAll('[data-testid="run-maps"] [data-map-ready="true"]')).toHaveLength(8));
    await wrapper.get('[data-testid="run-maps-next"]').trigger('click');
    await vi.waitFor(() => expect(wrapper!.get('[data-testid="run-maps-range"]').text()).toBe('9–16 of 24'));
    expect(byTestId(wrapper, 'stored-map').map((m) => m.attributes('data-index'))).toEqual(['8', '9', '10', '11', '12', '13', '14', '15']);
    expect(byTestId(wrapper, 'toast')).toHaveLength(0);
  });

  it('a failed run shows its error with the hint and can be resumed', async () => {
    const mounted = await projectWithSession({ jobOutcome: 'manual' });
    wrapper = mounted.wrapper;
    await wrapper.get('[data-testid="tab-runs"]').trigger('click');
    await wrapper.get('[data-testid="run-start"]').trigger('click');
    await vi.waitFor(() => expect(wrapper!.get('[data-testid="run-row"]').attributes('data-state')).toBe('running'));
    mounted.fake.finishJob(wrapper.get('[data-testid="run-row"]').attributes('data-job-id') as string, 'fail');
    await vi.waitFor(() => expect(wrapper!.get('[data-testid="run-row"]').attributes('data-state')).toBe('failed'));
    expect(wrapper.get('[data-testid="run-error"] [data-testid="error-hint"]').text()).toBe('Use 28×28 greyscale inputs.');
    expect(wrapper.find('[data-testid="run-resume"]').exists()).toBe(true);
  });

  it('follows the Electron menu: new project, export of the open session, open failure, Close Project back to the demo', async () => {
    const mounted = await mountApp();
    wrapper = mounted.wrapper;
    mounted.fake.emit('menu:command', { command: 'session:export', file: '/tmp/x.zip' });
    await flushPromises();
    expect(byTestId(wrapper, 'toast').map((t) => t.text())).toEqual([expect.stringContaining('No session to export')]);
    mounted.fake.emit('menu:command', { command: 'project:new', dir: '/tmp/from-menu' });
    await vi.waitFor(() => expect(wrapper!.get('[data-testid="project-root"]').text()).toBe('/tmp/from-menu'));
    await sessionForm(wrapper, 'new', 'S');
    mounted.fake.emit('menu:command', { command: 'session:export', file: '/tmp/s.zip' });
    await vi.waitFor(() => expect(mounted.fake.calls.filter((c) => c.channel === 'sessions:export').map((c) => c.params.file)).toEqual(['/tmp/s.zip']));
    mounted.fake.failNext('project:open', { code: 'NOT_FOUND', message: 'There is no folder /gone.' });
    mounted.fake.emit('menu:command', { command: 'project:open', dir: '/gone' });
    await vi.waitFor(() => expect(byTestId(wrapper!, 'toast').some((t) => t.text().includes('There is no folder /gone.'))).toBe(true));
    expect(wrapper.get('[data-testid="project-root"]').text()).toBe('/tmp/from-menu');
    mounted.fake.emit('menu:command', { command: 'project:close' });
    await vi.waitFor(() => expect(wrapper!.get('[data-testid="project-root"]').text()).toBe(mounted.fake.workspace.current().root));
    expect(mounted.fake.calls.filter((c) => c.channel === 'project:close')).toHaveLength(1);
    expect(wrapper.find('[data-testid="project-bar"] .tag').text()).toBe('read-only demo');
  });

  it('comparison lists the shared sources and each pair’s statistics, with — for undefined ones', () => {
    const sessions = [
      { id: 'a', name: 'A', createdAt: '', updatedAt: '', modelIds: [], imageSetIds: [], runCount: 1 },
      { id: 'b', name: 'B', createdAt: '', updatedAt: '', modelIds: [], imageSetIds: [], runCount: 1 }
    ];
    const comparison = { a: 'a', b: 'b', sharedModelIds: ['m'], sharedImageSetIds: ['s1', 's2'], pairs: [{ runA: 'r1', runB: 'r2', method: 'gradient', modelId: 'm', imageSetId: 's1', items: 200, mean: { spearman: 0.91234, ssim: null } }] };
    const w = mount(SessionCompare, { props: { comparison, sessions } });
    expect(w.get('[data-testid="compare-shared"]').text().replace(/\s+/g, ' ')).toBe('Shared: 1 model, 2 image sets');
    expect(w.get('[data-stat="spearman"]').text()).toBe('0.912');
    expect(w.get('[data-stat="ssim"]').text()).toBe('—');
    expect(w.get('[data-testid="compare-pair"]').text()).toContain('200 images in both');
    w.unmount();
  });
});
