// @vitest-environment happy-dom
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from '../../renderer/App.vue';
import { resetApi } from '../../renderer/api';
import type { FakeApiOptions } from '../support/fake-api';
import { installFakeApi, installRecordingCanvas } from './support';

async function mountApp(options: FakeApiOptions = {}) {
  const fake = installFakeApi(options);
  const wrapper = mount(App, { global: { plugins: [createPinia()] }, attachTo: document.body });
  await vi.waitFor(() => expect(wrapper.find('[data-app-state="ready"]').exists()).toBe(true));
  await flushPromises();
  return { fake, wrapper };
}

const byTestId = (w: VueWrapper, id: string) => w.findAll(`[data-testid="${id}"]`);

describe('App shell', () => {
  let canvas: ReturnType<typeof installRecordingCanvas> | null = null;
  let wrapper: VueWrapper | null = null;
  afterEach(() => {
    wrapper?.unmount();
    canvas?.restore();
    resetApi();
    delete window.api;
  });

  it('shows the backend, the engine state, the models with notes and conv layers, and the image sets', async () => {
    ({ wrapper } = await mountApp());
    expect(wrapper.get('[data-testid="backend-info"]').text()).toBe('tensorflow · CPU · TF 2.21.0');
    expect(wrapper.get('[data-testid="engine-state"]').text()).toContain('ready');
    expect(wrapper.find('[data-testid="backend-warning"]').exists()).toBe(false);
    expect(byTestId(wrapper, 'model-name').map((n) => n.text())).toEqual(['MNIST CNN', 'MNIST CNN (planted filter)']);
    expect(wrapper.get('[data-testid="model-note"]').text()).toBe('Planted malicious filter in conv2d_1 #3');
    expect(wrapper.get('[data-testid="model-classes"]').text()).toBe('0, 1, 2, 3, 4, 5, 6, 7, 8, 9');
    expect(wrapper.get('[data-testid="model-conv-layers"]').text()).toContain('conv2d_2');
    expect(byTestId(wrapper, 'image-set-item').map((n) => n.text())).toEqual([expect.stringContaining('MNIST test digits'), expect.stringContaining('MNIST with noise')]);
  });

  it('marks each image right or wrong by its top prediction', async () => {
    ({ wrapper } = await mountApp());
    const tiles = byTestId(wrapper, 'image-tile');
    expect(tiles).toHaveLength(24);
    expect(tiles[0].attributes('data-correct')).toBe('true');
    expect(tiles[3].attributes('data-correct')).toBe('false');
    expect(tiles[3].get('[data-testid="image-prediction"]').text()).toContain('4');
    expect(wrapper.get('[data-testid="grid-accuracy"]').text()).toBe('21 / 24 correct');
  });

  it('warns visibly when the engine fell back to a pure-JS backend, with the reason', async () => {
    ({ wrapper } = await mountApp({ backend: 'cpu', fallbackReason: 'libtensorflow.so.2: cannot open shared object file' }));
    expect(wrapper.get('[data-testid="backend-info"]').text()).toBe('cpu · CPU · tfjs 4.22.0');
    expect(wrapper.get('[data-testid="backend-warning"]').text()).toContain('Running on the cpu backend');
    expect(wrapper.get('[data-testid="backend-fallback-reason"]').text()).toBe('libtensorflow.so.2: cannot open shared object file');
  });

  it('computes a gradient map for the clicked image and draws it with its range', async () => {
    canvas = installRecordingCanvas();
    ({ wrapper } = await mountApp());
    await byTestId(wrapper, 'image-tile')[5].trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="saliency-panel"]').text()).toContain('Image #5');
    await wrapper.get('[data-testid="saliency-start"]').trigger('click');
    const map = () => wrapper!.get('[data-testid="saliency-map"]');
    await vi.waitFor(() => expect(map().attributes('data-map-ready')).toBe('true'));
    expect(Number(map().attributes('data-map-max'))).toBeCloseTo(0.8, 5);
    expect(Number(map().attributes('data-map-min'))).toBeGreaterThanOrEqual(0);
    expect(wrapper.get('[data-testid="color-bar-max"]').text()).toBe('0.800');
    expect(wrapper.get('[data-testid="job-state"]').text()).toBe('Done');
    const overlay = canvas.puts.find((p) => p.width === 28 && p.height === 28);
    expect(overlay).toBeDefined();
    const alpha = (x: number, y: number) => overlay!.data[(y * 28 + x) * 4 + 3];
    expect(alpha(10, 14)).toBeGreaterThan(150);
    expect(alpha(27, 0)).toBeLessThan(alpha(10, 14) / 4);
  });

  it('shows a failed job with its message and hint, and the detail behind a disclosure', async () => {
    canvas = installRecordingCanvas();
    ({ wrapper } = await mountApp({ jobOutcome: 'fail' }));
    await byTestId(wrapper, 'image-tile')[2].trigger('click');
    await wrapper.get('[data-testid="saliency-start"]').trigger('click');
    await vi.waitFor(() => expect(wrapper!.find('[data-testid="job-error"]').exists()).toBe(true));
    const error = wrapper.get('[data-testid="job-error"]');
    expect(error.get('[data-testid="error-message"]').text()).toBe('The image does not match the model input.');
    expect(error.get('[data-testid="error-hint"]').text()).toBe('Use 28×28 greyscale inputs.');
    expect(error.get('details[data-testid="error-detail"]').text()).toContain('expected [1,28,28,1]');
    expect(wrapper.get('[data-testid="saliency-map"]').attributes('data-map-ready')).toBe('false');
  });

  it('cancels a running job from its Cancel button, silently', async () => {
    canvas = installRecordingCanvas();
    ({ wrapper } = await mountApp({ jobOutcome: 'manual' }));
    await byTestId(wrapper, 'image-tile')[1].trigger('click');
    await wrapper.get('[data-testid="saliency-start"]').trigger('click');
    await vi.waitFor(() => expect(wrapper!.find('[data-testid="job-cancel"]').exists()).toBe(true));
    expect(wrapper.get('[data-testid="saliency-start"]').attributes('disabled')).toBeDefined();
    await wrapper.get('[data-testid="job-cancel"]').trigger('click');
    await vi.waitFor(() => expect(wrapper!.get('[data-testid="job-state"]').text()).toBe('Cancelled'));
    expect(wrapper.find('[data-testid="job-cancel"]').exists()).toBe(false);
    expect(wrapper.findAll('[data-testid="toast"]')).toHaveLength(0);
  });

  it('reloads predictions for another model and pages through the set', async () => {
    let fake;
    ({ wrapper, fake } = await mountApp({ imageCount: 50 }));
    await byTestId(wrapper, 'model-item')[1].trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-model-id="mnist-planted"]').attributes('aria-pressed')).toBe('true');
    expect(fake.calls.filter((c) => c.channel === 'models:predict').at(-1)?.params.modelId).toBe('mnist-planted');
    await wrapper.get('[data-testid="page-next"]').trigger('click');
    await vi.waitFor(() => expect(wrapper!.get('[data-testid="grid-range"]').text()).toBe('41–50 of 50'));
    expect(byTestId(wrapper, 'image-tile')).toHaveLength(10);
    expect(wrapper.get('[data-testid="page-next"]').attributes('disabled')).toBeDefined();
  });

  it('turns a request failure into a toast the user can dismiss', async () => {
    let fake;
    ({ wrapper, fake } = await mountApp());
    fake.failNext('images:list', { code: 'IMAGE_SET_INVALID', message: 'The manifest has no rows.', hint: 'Add one row per image.' });
    await byTestId(wrapper, 'image-set-item')[1].trigger('click');
    await vi.waitFor(() => expect(wrapper!.findAll('[data-testid="toast"]')).toHaveLength(1));
    const toast = wrapper.get('[data-testid="toast"]');
    expect(toast.get('[data-testid="toast-title"]').text()).toBe('Could not list the images');
    expect(toast.get('[data-testid="error-message"]').text()).toBe('The manifest has no rows.');
    expect(toast.get('[data-testid="error-hint"]').text()).toBe('Add one row per image.');
    await toast.get('[data-testid="toast-dismiss"]').trigger('click');
    expect(wrapper.findAll('[data-testid="toast"]')).toHaveLength(0);
  });

  it('says when the project cannot be opened, and opens it on retry', async () => {
    resetApi();
    const fake = installFakeApi();
    fake.failNext('project:current', { code: 'IO_FAILED', message: 'Cannot read the project file /p/project.json.' });
    wrapper = mount(App, { global: { plugins: [createPinia()] }, attachTo: document.body });
    await vi.waitFor(() => expect(wrapper!.find('[data-testid="project-error"]').exists()).toBe(true));
    expect(wrapper.get('[data-testid="project-error"]').text()).toContain('Cannot read the project file /p/project.json.');
    expect(wrapper.find('[data-app-state="ready"]').exists()).toBe(true);
    await wrapper.get('[data-testid="project-retry"]').trigger('click');
    await vi.waitFor(() => expect(wrapper!.findAll('[data-testid="image-tile"]')).toHaveLength(24));
    expect(wrapper.find('[data-testid="project-error"]').exists()).toBe(false);
  });
});
