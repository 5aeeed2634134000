// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetApi } from '../../renderer/api';
import { useAppStore } from '../../renderer/stores/app';
import { useImagesStore } from '../../renderer/stores/images';
import type { RunSpec } from '../../renderer/stores/methods';
import { useNotificationsStore } from '../../renderer/stores/notifications';
import { useProjectStore } from '../../renderer/stores/project';
import { useSaliencyStore } from '../../renderer/stores/saliency';
import { installFakeApi } from './support';

const subject = { modelId: 'mnist-cnn', imageSetId: 'mnist-test', index: 7 };
const gradient: RunSpec = { method: 'gradient', params: {}, target: { kind: 'predicted' }, score: 'logit' };

describe('renderer stores', () => {
  beforeEach(() => setActivePinia(createPinia()));
  afterEach(() => {
    resetApi();
    delete window.api;
  });

  it('app.start settles start-up: info, project, first page with predictions', async () => {
    installFakeApi();
    const app = useAppStore();
    await app.start();
    expect(app.ready).toBe(true);
    expect(app.info?.engine.backend).toBe('tensorflow');
    expect(useProjectStore().selectedModelId).toBe('mnist-cnn');
    const images = useImagesStore();
    expect(images.items).toHaveLength(24);
    expect(images.predictions.get(3)?.top[0].className).toBe('4');
  });

  it('app.start still reports ready when the project cannot be opened, and says why', async () => {
    const fake = installFakeApi();
    fake.failNext('project:current', { code: 'IO_FAILED', message: 'Cannot read the project file /x/project.json.', hint: 'Open a folder that holds a project.json.' });
    const app = useAppStore();
    await app.start();
    expect(app.ready).toBe(true);
    expect(useNotificationsStore().items).toEqual([
      expect.objectContaining({ kind: 'error', title: 'Could not open the project', message: 'Cannot read the project file /x/project.json.', hint: 'Open a folder that holds a project.json.' })
    ]);
  });

  it('warns when the engine crashes and refreshes the backend info once it is back', async () => {
    const fake = installFakeApi();
    const app = useAppStore();
    await app.start();
    const infoCalls = () => fake.calls.filter((c) => c.channel === 'app:info').length;
    expect(infoCalls()).toBe(1);
    fake.emit('engine:state', { state: 'crashed', reason: 'exit code 134 (SIGABRT)' });
    expect(app.engineState).toBe('crashed');
    expect(useNotificationsStore().items[0]).toMatchObject({ kind: 'warning', title: 'The engine stopped', message: 'exit code 134 (SIGABRT)' });
    fake.emit('engine:state', { state: 'ready' });
    expect(app.engineState).toBe('ready');
    await vi.waitFor(() => expect(infoCalls()).toBe(2));
  });

  it('keeps the images when predictions fail, with a toast', async () => {
    const fake = installFakeApi();
    fake.failNext('models:predict', { code: 'SHAPE_MISMATCH', message: 'Wrong input shape.' });
    const images = useImagesStore();
    await images.loadPage('mnist-test', 'mnist-cnn');
    expect(images.items).toHaveLength(24);
    expect(images.predictions.size).toBe(0);
    expect(useNotificationsStore().items[0]).toMatchObject({ title: 'Could not compute predictions', message: 'Wrong input shape.' });
  });

  it('follows a job by id: events sent before jobs:start answers are not lost', async () => {
    installFakeApi();
    const saliency = useSaliencyStore();
    await saliency.start(subject, gradient);
    await vi.waitFor(() => expect(saliency.job?.state).toBe('succeeded'));
    await vi.waitFor(() => expect(saliency.map?.index).toBe(7));
    expect(saliency.map?.data).toBeInstanceOf(Float32Array);
    expect(saliency.progress).toEqual({ done: 1, total: 1 });
    expect(saliency.isActive).toBe(false);
  });

  it('ignores events of jobs it does not track', async () => {
    const fake = installFakeApi({ jobOutcome: 'manual' });
    const saliency = useSaliencyStore();
    await saliency.start(subject, gradient);
    await vi.waitFor(() => expect(saliency.job?.state).toBe('running'));
    fake.emit('jobs:progress', { jobId: 'someone-else', progress: { done: 5, total: 9 } });
    fake.emit('jobs:partial', { jobId: 'someone-else', item: { index: 1, width: 1, height: 1, data: new Float32Array(1), targetClass: 0, score: 0 } });
    expect(saliency.progress).toEqual({ done: 0, total: 1, message: 'computing gradients' });
    expect(saliency.map).toBeNull();
  });

  it('cancel ends the job as cancelled without any notification', async () => {
    installFakeApi({ jobOutcome: 'manual' });
    const saliency = useSaliencyStore();
    await saliency.start(subject, gradient);
    await vi.waitFor(() => expect(saliency.job?.state).toBe('running'));
    await saliency.cancel();
    await vi.waitFor(() => expect(saliency.job?.state).toBe('cancelled'));
    expect(useNotificationsStore().items).toEqual([]);
  });

  it('a failed job keeps its error for the job panel', async () => {
    installFakeApi({ jobOutcome: 'fail' });
    const saliency = useSaliencyStore();
    await saliency.start(subject, gradient);
    await vi.waitFor(() => expect(saliency.job?.state).toBe('failed'));
    expect(saliency.job?.error).toMatchObject({ code: 'SHAPE_MISMATCH', hint: 'Use 28×28 greyscale inputs.' });
    expect(saliency.map).toBeNull();
  });

  it('a refused start becomes a toast, and the store is ready for another try', async () => {
    const fake = installFakeApi();
    fake.failNext('jobs:start', { code: 'METHOD_UNKNOWN', message: 'Unknown method "gradient".' });
    const saliency = useSaliencyStore();
    await saliency.start(subject, gradient);
    expect(saliency.isActive).toBe(false);
    expect(useNotificationsStore().items[0]).toMatchObject({ title: 'Could not start the saliency map', message: 'Unknown method "gradient".' });
  });

  it('notifications: bugs get a generic message with the detail, cancellations nothing', () => {
    const notes = useNotificationsStore();
    notes.error(new Error('undefined is not a function'), 'Loading');
    notes.error({ code: 'CANCELLED', message: 'stopped' }, 'Job');
    expect(notes.items).toHaveLength(1);
    expect(notes.items[0]).toMatchObject({ message: 'Something went wrong inside the workbench.' });
    expect(notes.items[0].detail).toContain('undefined is not a function');
  });
});
