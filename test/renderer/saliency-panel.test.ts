// @vitest-environment happy-dom
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from '../../renderer/App.vue';
import { resetApi } from '../../renderer/api';
import type { FakeApi, FakeApiOptions } from '../support/fake-api';
import { installFakeApi, installRecordingCanvas } from './support';

/** The app with the fake API, one image selected. */
async function mountWithImage(options: FakeApiOptions = {}): Promise<{ fake: FakeApi; wrapper: VueWrapper }> {
  const fake = installFakeApi(options);
  const wrapper = mount(App, { global: { plugins: [createPinia()] }, attachTo: document.body });
  await vi.waitFor(() => expect(wrapper.find('[data-app-state="ready"]').exists()).toBe(true));
  await flushPromises();
  await wrapper.findAll('[data-testid="image-tile"]')[3].trigger('click');
  await flushPromises();
  return { fake, wrapper };
}

const option = (w: VueWrapper, id: string) => w.get(`[data-testid="method-option"][data-method-id="${id}"]`);
const param = (w: VueWrapper, name: string) => w.get(`[data-testid="param-input"][data-param="${name}"]`);
const lastSpec = (fake: FakeApi) => fake.calls.filter((c) => c.channel === 'jobs:start').at(-1)?.params;

describe('saliency panel: choosing a method', () => {
  let canvas: ReturnType<typeof installRecordingCanvas> | null = null;
  let wrapper: VueWrapper | null = null;
  afterEach(() => {
    wrapper?.unmount();
    canvas?.restore();
    resetApi();
    delete window.api;
  });

  it('lists every method by family, the vanilla gradient chosen, with no parameters to set', async () => {
    ({ wrapper } = await mountWithImage());
    const families = wrapper.findAll('[data-family]').map((g) => [g.attributes('data-family'), g.findAll('[data-testid="method-option"]').length]);
    expect(families).toEqual([['gradient', 4], ['cam', 2], ['perturbation', 3]]);
    expect(option(wrapper, 'gradient').attributes('aria-checked')).toBe('true');
    expect(wrapper.find('[data-testid="method-params-none"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="seed-input"]').exists()).toBe(false);
  });

  it('computes Grad-CAM for a chosen class, with the caption naming method, class and score', async () => {
    canvas = installRecordingCanvas();
    let fake: FakeApi;
    ({ wrapper, fake } = await mountWithImage());
    await option(wrapper, 'grad-cam').trigger('click');
    expect(wrapper.findAll('[data-testid="param-input"]').map((i) => i.attributes('data-param'))).toEqual(['layer', 'upsample', 'normalize']);
    expect(param(wrapper, 'layer').attributes('placeholder')).toBe('auto');
    await param(wrapper, 'layer').setValue('conv2d_2');
    await wrapper.get('[data-testid="target-kind"]').setValue('class');
    await wrapper.get('[data-testid="target-class"]').setValue('6');
    await wrapper.get('[data-testid="saliency-start"]').trigger('click');
    await vi.waitFor(() => expect(wrapper!.get('[data-testid="saliency-map"]').attributes('data-map-ready')).toBe('true'));
    expect(lastSpec(fake)).toMatchObject({ method: 'grad-cam', params: { layer: 'conv2d_2', upsample: 'bilinear', normalize: 'none' }, target: { kind: 'class', classIndex: 6 }, score: 'logit' });
    expect(wrapper.get('[data-testid="saliency-target"]').text()).toMatch(/^Grad-CAM for class 6 \(logit 0\.930\)/);
    expect(wrapper.get('[data-testid="color-bar"]').attributes('data-scale')).toBe('sequential');
  });

  it('shows a signed map (Integrated Gradients) on the diverging scale', async () => {
    canvas = installRecordingCanvas();
    ({ wrapper } = await mountWithImage());
    await option(wrapper, 'integrated-gradients').trigger('click');
    await param(wrapper, 'steps').setValue('16');
    await wrapper.get('[data-testid="saliency-start"]').trigger('click');
    await vi.waitFor(() => expect(wrapper!.get('[data-testid="saliency-map"]').attributes('data-map-ready')).toBe('true'));
    expect(wrapper.get('[data-testid="color-bar"]').attributes('data-scale')).toBe('diverging');
    expect(Number(wrapper.get('[data-testid="saliency-map"]').attributes('data-map-min'))).toBeLessThan(0);
    expect(wrapper.get('[data-testid="saliency-target"]').text()).toContain('red raises it, blue lowers it');
  });

  it('perturbation methods default to the probability; the seed goes with stochastic methods', async () => {
    let fake: FakeApi;
    ({ wrapper, fake } = await mountWithImage());
    await option(wrapper, 'rise').trigger('click');
    expect(wrapper.get('[data-testid="score-option"][data-score="prob"]').attributes('aria-checked')).toBe('true');
    await param(wrapper, 'n').setValue('200');
    await param(wrapper, 'returnMasks').setValue(false);
    await wrapper.get('[data-testid="seed-input"]').setValue('11');
    expect(wrapper.get('[data-testid="run-options"]').text()).not.toContain('method default');
    await wrapper.get('[data-testid="score-option"][data-score="logit"]').trigger('click');
    expect(wrapper.get('[data-testid="run-options"]').text()).toContain('Score (method default: probability)');
    await wrapper.get('[data-testid="saliency-start"]').trigger('click');
    await vi.waitFor(() => expect(wrapper!.get('[data-testid="job-state"]').text()).toBe('Done'));
    expect(lastSpec(fake)).toMatchObject({ method: 'rise', params: { n: 200, grid: 7, p: 0.5, returnMasks: false }, score: 'logit', seed: 11 });
  });

  it('will not start while a field cannot be read, and says which', async () => {
    ({ wrapper } = await mountWithImage());
    await option(wrapper, 'occlusion').trigger('click');
    await param(wrapper, 'window').setValue('4');
    await param(wrapper, 'stride').setValue('2');
    expect(wrapper.get('[data-testid="saliency-start"]').attributes('disabled')).toBeUndefined();
    await option(wrapper, 'extremal-perturbation').trigger('click');
    await param(wrapper, 'areas').setValue('0.1; 0.2');
    expect(wrapper.get('[data-testid="param-error"][data-param="areas"]').text()).toBe('Enter numbers separated by commas.');
    expect(wrapper.get('[data-testid="saliency-start"]').attributes('disabled')).toBeDefined();
    await wrapper.get('[data-testid="params-reset"]').trigger('click');
    expect(wrapper.find('[data-testid="param-error"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="saliency-start"]').attributes('disabled')).toBeUndefined();
  });

  it("shows the engine's PARAM_INVALID as the job's error, with its hint", async () => {
    ({ wrapper } = await mountWithImage());
    await option(wrapper, 'smoothgrad').trigger('click');
    await param(wrapper, 'sigma').setValue('-0.5');
    await wrapper.get('[data-testid="saliency-start"]').trigger('click');
    await vi.waitFor(() => expect(wrapper!.find('[data-testid="job-error"]').exists()).toBe(true));
    expect(wrapper.get('[data-testid="error-message"]').text()).toBe('smoothgrad: `sigma` must be > 0, got -0.5.');
    expect(wrapper.get('[data-testid="error-hint"]').text()).toBe('Correct the parameter named in the message.');
    expect(wrapper.findAll('[data-testid="toast"]')).toHaveLength(0);
  });

  it('without gradients, gradient methods are unavailable with the reason, and occlusion still runs', async () => {
    ({ wrapper } = await mountWithImage({ backend: 'wasm' }));
    const gradCam = option(wrapper, 'grad-cam');
    expect(gradCam.attributes('aria-disabled')).toBe('true');
    expect(gradCam.attributes('title')).toBe('Grad-CAM needs gradients, which the wasm backend cannot compute.');
    expect(wrapper.get('[data-testid="saliency-blocked"]').text()).toContain('Vanilla gradient needs gradients');
    expect(wrapper.get('[data-testid="saliency-start"]').attributes('disabled')).toBeDefined();
    await gradCam.trigger('click');
    expect(option(wrapper, 'gradient').attributes('aria-checked')).toBe('true');
    await option(wrapper, 'occlusion').trigger('click');
    expect(option(wrapper, 'occlusion').attributes('aria-checked')).toBe('true');
    expect(wrapper.find('[data-testid="saliency-blocked"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="saliency-start"]').attributes('disabled')).toBeUndefined();
  });

  it('says so when a CAM is zero everywhere, instead of showing a bare image', async () => {
    canvas = installRecordingCanvas();
    let fake: FakeApi;
    ({ wrapper, fake } = await mountWithImage({ jobOutcome: 'manual' }));
    await option(wrapper, 'grad-cam').trigger('click');
    await wrapper.get('[data-testid="saliency-start"]').trigger('click');
    await vi.waitFor(() => expect(wrapper!.find('[data-testid="job-cancel"]').exists()).toBe(true));
    const jobId = wrapper.get('[data-testid="job-status"]').attributes('data-job-id') as string;
    fake.emit('jobs:partial', { jobId, item: { index: 3, width: 28, height: 28, data: new Float32Array(784), targetClass: 3, score: 2.5 } });
    await vi.waitFor(() => expect(wrapper!.find('[data-testid="saliency-flat"]').exists()).toBe(true));
    expect(wrapper.get('[data-testid="saliency-flat"]').text()).toBe('The map is zero everywhere, so there is no overlay. This layer holds no positive evidence for the class; try an earlier layer.');
  });

  it('locks the settings while a job runs, and a long job can be cancelled', async () => {
    ({ wrapper } = await mountWithImage({ jobOutcome: 'manual' }));
    await option(wrapper, 'occlusion').trigger('click');
    await wrapper.get('[data-testid="saliency-start"]').trigger('click');
    await vi.waitFor(() => expect(wrapper!.find('[data-testid="job-cancel"]').exists()).toBe(true));
    expect(wrapper.get('[role="progressbar"] .fill').classes()).toContain('indeterminate');
    expect(param(wrapper, 'window').attributes('disabled')).toBeDefined();
    await option(wrapper, 'rise').trigger('click');
    expect(option(wrapper, 'occlusion').attributes('aria-checked')).toBe('true');
    await wrapper.get('[data-testid="job-cancel"]').trigger('click');
    await vi.waitFor(() => expect(wrapper!.get('[data-testid="job-state"]').text()).toBe('Cancelled'));
    expect(param(wrapper, 'window').attributes('disabled')).toBeUndefined();
  });
});
