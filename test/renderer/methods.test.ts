// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { resetApi } from '../../renderer/api';
import { familyOf, groupMethods, isSignedMethod, unsupportedReason } from '../../renderer/methods/catalog';
import { fieldsOf, initialDraft, labelOf, parseDraft, parseSeed } from '../../renderer/methods/form';
import { useMethodsStore } from '../../renderer/stores/methods';
import { useNotificationsStore } from '../../renderer/stores/notifications';
import { useSaliencyStore } from '../../renderer/stores/saliency';
import type { BackendInfo, ModelDescriptor } from '../../shared/types/model';
import { createFakeApi, FAKE_METHODS } from '../support/fake-api';
import { installFakeApi } from './support';

const byId = (id: string) => FAKE_METHODS.find((m) => m.id === id)!;

describe('method catalog', () => {
  it('groups the registry into gradient family, CAM and perturbation, in registry order', () => {
    const groups = groupMethods(FAKE_METHODS).map((g) => [g.label, g.methods.map((m) => m.id)]);
    expect(groups).toEqual([
      ['Gradient family', ['gradient', 'input-x-gradient', 'smoothgrad', 'integrated-gradients']],
      ['CAM', ['grad-cam', 'grad-cam-pp']],
      ['Perturbation', ['occlusion', 'rise', 'extremal-perturbation']]
    ]);
    expect(familyOf({ ...byId('rise'), id: 'some-new-cam', requires: ['gradients', 'layer-activations'] })).toBe('cam');
    expect(isSignedMethod('integrated-gradients') && isSignedMethod('input-x-gradient')).toBe(true);
    expect(isSignedMethod('grad-cam') || isSignedMethod(null)).toBe(false);
  });

  it('says why a method cannot run: backend without gradients, forward-only model, no conv layer', async () => {
    const fake = createFakeApi({ backend: 'wasm' });
    const wasm = (await fake.api.app.info({})).engine as BackendInfo;
    const model = (await fake.api.project.current({})).models[0].descriptor as ModelDescriptor;
    expect(unsupportedReason(byId('smoothgrad'), wasm, model)).toBe('SmoothGrad needs gradients, which the wasm backend cannot compute.');
    expect(unsupportedReason(byId('occlusion'), wasm, model)).toBeNull();
    const native = { ...wasm, backend: 'tensorflow' as const, canComputeGradients: true };
    expect(unsupportedReason(byId('gradient'), native, { ...model, format: 'saved-model', canComputeGradients: false })).toContain('saved-model model cannot provide');
    expect(unsupportedReason(byId('grad-cam'), native, { ...model, convLayers: [] })).toBe('Grad-CAM needs the activations of a convolution layer, and this model has none.');
    expect(unsupportedReason(byId('grad-cam'), native, model)).toBeNull();
  });
});

describe('method parameter form', () => {
  it('builds one field per default, its kind from the default', () => {
    const fields = fieldsOf(byId('extremal-perturbation').defaults);
    expect(Object.fromEntries(fields.map((f) => [f.name, f.kind]))).toEqual({
      areas: 'numbers', iterations: 'number', learningRate: 'number', step: 'auto', sigma: 'auto', baseline: 'text', variant: 'text', init: 'text', jitter: 'boolean'
    });
    expect(fields.find((f) => f.name === 'step')?.placeholder).toBe('auto');
    expect(labelOf('learningRate')).toBe('learning rate');
    expect(initialDraft(byId('extremal-perturbation').defaults)).toMatchObject({ areas: '0.05, 0.1, 0.2', iterations: '800', step: '', jitter: false });
  });

  it('reads the draft into params: numbers, lists, auto values, booleans; empty fields fall back to the default', () => {
    const fields = fieldsOf(byId('extremal-perturbation').defaults);
    const draft = { ...initialDraft(byId('extremal-perturbation').defaults), areas: '0.1 ,0.3', iterations: ' 50 ', step: '4', sigma: '', baseline: 'blur:sigma=5', jitter: true };
    const { params, errors } = parseDraft(fields, draft);
    expect(errors).toEqual({});
    expect(params).toEqual({ areas: [0.1, 0.3], iterations: 50, learningRate: 0.01, step: 4, baseline: 'blur:sigma=5', variant: 'preserve', init: 'ones', jitter: true });
    const cam = parseDraft(fieldsOf(byId('grad-cam').defaults), { layer: 'conv2', upsample: 'none', normalize: '' });
    expect(cam.params).toEqual({ layer: 'conv2', upsample: 'none' });
  });

  it('names the field whose text is not a value of its kind', () => {
    const fields = fieldsOf(byId('extremal-perturbation').defaults);
    const { errors } = parseDraft(fields, { ...initialDraft(byId('extremal-perturbation').defaults), iterations: '12x', areas: '0.1, , 0.2' });
    expect(errors).toEqual({ iterations: 'Enter a number.', areas: 'Enter numbers separated by commas.' });
    expect(parseSeed('')).toEqual({});
    expect(parseSeed('42')).toEqual({ seed: 42 });
    expect(parseSeed('-1').error).toContain('whole number');
    expect(parseSeed('4294967296').error).toBeDefined();
  });
});

describe('methods store', () => {
  beforeEach(() => setActivePinia(createPinia()));
  afterEach(() => {
    resetApi();
    delete window.api;
  });

  it('lists the methods, preselects the vanilla gradient, and gives each method its default score', async () => {
    installFakeApi();
    const store = useMethodsStore();
    await store.load();
    expect(store.methods.map((m) => m.id)).toHaveLength(9);
    expect(store.run).toEqual({ method: 'gradient', params: {}, target: { kind: 'predicted' }, score: 'logit' });
    store.select('occlusion');
    expect(store.score).toBe('prob');
    expect(store.run).toEqual({ method: 'occlusion', params: { baseline: 'grey' }, target: { kind: 'predicted' }, score: 'prob' });
    store.setScore('logit');
    expect(store.run?.score).toBe('logit');
  });

  it('keeps what was typed per method, adds the seed of stochastic methods only, and resets to defaults', async () => {
    installFakeApi();
    const store = useMethodsStore();
    await store.load();
    store.select('integrated-gradients');
    store.setParam('steps', '16');
    store.setSeed('7');
    store.setTarget('class', 3);
    expect(store.run).toEqual({ method: 'integrated-gradients', params: { baseline: 'black', steps: 16, quadrature: 'trapezoid' }, target: { kind: 'class', classIndex: 3 }, score: 'logit', seed: 7 });
    store.select('grad-cam');
    expect(store.run?.seed).toBeUndefined();
    store.select('integrated-gradients');
    expect(store.draft.steps).toBe('16');
    store.resetParams();
    expect(store.draft.steps).toBe('50');
  });

  it('has no run while a field or the seed cannot be read', async () => {
    installFakeApi();
    const store = useMethodsStore();
    await store.load();
    store.select('rise');
    store.setParam('n', 'many');
    expect(store.parsed.errors).toEqual({ n: 'Enter a number.' });
    expect(store.run).toBeNull();
    store.setParam('n', '500');
    store.setSeed('x');
    expect(store.seedError).toContain('whole number');
    expect(store.run).toBeNull();
  });

  it('reports a failed listing as a toast and can try again', async () => {
    const fake = installFakeApi();
    fake.failNext('saliency:methods', { code: 'ENGINE_UNAVAILABLE', message: 'The engine did not start.' });
    const store = useMethodsStore();
    await store.load();
    expect(store.loaded).toBe(false);
    expect(useNotificationsStore().items[0]).toMatchObject({ title: 'Could not list the saliency methods', message: 'The engine did not start.' });
    await store.load();
    expect(store.selected?.id).toBe('gradient');
  });

  it('starts the job with the chosen method, params, target, score and seed', async () => {
    const fake = installFakeApi();
    const store = useMethodsStore();
    await store.load();
    store.select('smoothgrad');
    store.setParam('n', '8');
    store.setSeed('3');
    const saliency = useSaliencyStore();
    await saliency.start({ modelId: 'mnist-cnn', imageSetId: 'mnist-test', index: 4 }, store.run!);
    const spec = fake.calls.find((c) => c.channel === 'jobs:start')?.params;
    expect(spec).toEqual({
      kind: 'saliency-maps', modelId: 'mnist-cnn', imageSetId: 'mnist-test', indices: [4],
      method: 'smoothgrad', params: { n: 8, sigma: 0.15, aggregate: 'mean' }, target: { kind: 'predicted' }, score: 'logit', seed: 3
    });
    await vi.waitFor(() => expect(saliency.job?.state).toBe('succeeded'));
    expect(saliency.run?.method).toBe('smoothgrad');
  });

  it("a parameter the engine refuses fails the job with PARAM_INVALID and the engine's hint", async () => {
    installFakeApi();
    const store = useMethodsStore();
    await store.load();
    store.select('integrated-gradients');
    store.setParam('steps', '0');
    const saliency = useSaliencyStore();
    await saliency.start({ modelId: 'mnist-cnn', imageSetId: 'mnist-test', index: 1 }, store.run!);
    await vi.waitFor(() => expect(saliency.job?.state).toBe('failed'));
    expect(saliency.job?.error).toMatchObject({ code: 'PARAM_INVALID', message: 'integrated-gradients: `steps` must be > 0, got 0.', hint: 'Correct the parameter named in the message.' });
    expect(useNotificationsStore().items).toEqual([]);
  });
});
