// @vitest-environment happy-dom
/**
 * The Analyses tab with the fake API: the three forms send the right `analysis:start` requests,
 * a running job shows progress and Cancel (→ `analysis:cancel`, state cancelled), results draw
 * the curve charts with AUC ± CI in the summary, the measures' table and the sanity chart; the
 * view-model's transforms are checked against direct computations.
 */
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../../renderer/App.vue';
import { resetApi } from '../../renderer/api';
import { curveLines, summaryRows, sanityLines } from '../../renderer/analyses/view-model';
import { scopeIndices } from '../../renderer/components/analyses/scope';
import { fakeEvaluate, fakeMeasure, fakeSanity } from '../support/fake-analyses';
import type { FakeApi, FakeApiOptions } from '../support/fake-api';
import { installFakeApi, installRecordingCanvas } from './support';

let wrapper: VueWrapper | null = null;
let canvas: ReturnType<typeof installRecordingCanvas> | null = null;

async function openAnalyses(options: FakeApiOptions = {}): Promise<{ fake: FakeApi; w: VueWrapper }> {
  const fake = installFakeApi(options);
  wrapper = mount(App, { global: { plugins: [createPinia()] }, attachTo: document.body });
  await vi.waitFor(() => expect(wrapper!.find('[data-app-state="ready"]').exists()).toBe(true));
  await flushPromises();
  await wrapper.get('[data-testid="tab-analyses"]').trigger('click');
  await flushPromises();
  return { fake, w: wrapper };
}

const starts = (fake: FakeApi) => fake.calls.filter((c) => c.channel === 'analysis:start').map((c) => c.params);

beforeEach(() => {
  localStorage.clear();
  canvas = installRecordingCanvas();
});
afterEach(() => {
  wrapper?.unmount();
  wrapper = null;
  canvas?.restore();
  resetApi();
  delete window.api;
});

describe('Analyses tab', () => {
  it('runs deletion + insertion of gradient on the first 4 images and shows both curves with AUC ± CI', async () => {
    const { fake, w } = await openAnalyses();
    expect(w.find('[data-testid="image-grid"]').exists()).toBe(false);
    expect(w.get('[data-testid="analysis-subject"]').text()).toBe('MNIST CNN · MNIST test digits · 24 images');
    await w.get('[data-testid="form-evaluate"]').trigger('submit');
    await vi.waitFor(() => expect(w.find('[data-testid="analysis-results"]').exists()).toBe(true));
    expect(starts(fake)).toEqual([{ kind: 'evaluate', modelId: 'mnist-cnn', imageSetId: 'mnist-test', indices: [0, 1, 2, 3], metrics: ['deletion', 'insertion'], method: 'gradient', params: {} }]);
    const summary = w.get('[data-testid="evaluate-summary"]').text();
    const doc = fakeEvaluate(starts(fake)[0]);
    const del = doc.metrics[0].auc;
    expect(summary).toContain(`AUC ${del.mean!.toFixed(3)} [${del.lo!.toFixed(3)}, ${del.hi!.toFixed(3)}]`);
    expect(w.findAll('[data-testid="curves-chart"]').map((c) => c.attributes('data-metrics'))).toEqual(['deletion,insertion']);
    // The chart's SVG holds 4 faint image curves and the mean curve per metric.
    expect(w.get('[data-testid="curves-chart"]').findAll('path').length).toBeGreaterThanOrEqual(10);
    expect(w.get('[data-testid="analysis-job"] [data-testid="job-state"]').text()).toBe('Done');
  });

  it('sends the chosen metrics, baseline, steps and the selected image', async () => {
    const { fake, w } = await openAnalyses();
    await w.get('[data-testid="metric-deletion"]').setValue(false);
    await w.get('[data-testid="metric-insertion"]').setValue(false);
    expect(w.get('[data-testid="evaluate-blocked"]').text()).toContain('at least one metric');
    expect(w.get('[data-testid="evaluate-run"]').attributes('disabled')).toBeDefined();
    await w.get('[data-testid="metric-morf"]').setValue(true);
    await w.get('[data-testid="scope-selected"]').setValue(true);
    expect(w.get('[data-testid="evaluate-blocked"]').text()).toContain('Select an image');
    await w.get('[data-testid="tab-images"]').trigger('click');
    await flushPromises();
    await w.findAll('[data-testid="image-tile"]')[5].trigger('click');
    await flushPromises();
    await w.get('[data-testid="tab-analyses"]').trigger('click');
    await flushPromises();
    // The form is rebuilt on each visit to the tab (its choices are not kept): choose again.
    await w.get('[data-testid="metric-deletion"]').setValue(false);
    await w.get('[data-testid="metric-insertion"]').setValue(false);
    await w.get('[data-testid="metric-morf"]').setValue(true);
    await w.get('[data-testid="evaluate-baseline"]').setValue('blur:sigma=5');
    await w.get('[data-testid="evaluate-steps"]').setValue('20');
    await w.get('[data-testid="scope-selected"]').setValue(true);
    await w.get('[data-testid="form-evaluate"]').trigger('submit');
    await vi.waitFor(() => expect(w.find('[data-testid="curves-chart"]').exists()).toBe(true));
    expect(starts(fake)[0]).toMatchObject({ indices: [5], metrics: ['morf'], baseline: 'blur:sigma=5', steps: 20 });
    expect(w.get('[data-testid="curves-chart"]').attributes('data-metrics')).toBe('morf,lerf');
    expect(w.get('[data-testid="evaluate-summary"]').text()).toContain('AOPC');
  });

  it('shows progress and Cancel while a job runs; Cancel ends it cancelled with no result', async () => {
    const { fake, w } = await openAnalyses({ jobOutcome: 'manual' });
    await w.get('[data-testid="form-evaluate"]').trigger('submit');
    await vi.waitFor(() => expect(w.find('[data-testid="analysis-job"] [data-testid="job-percent"]').exists()).toBe(true));
    expect(w.get('[data-testid="analysis-job"] [data-testid="job-percent"]').text()).toBe('50%');
    expect(w.get('[data-testid="evaluate-run"]').attributes('disabled')).toBeDefined();
    await w.get('[data-testid="analysis-job"] [data-testid="job-cancel"]').trigger('click');
    await vi.waitFor(() => expect(w.get('[data-testid="analysis-job"] [data-testid="job-state"]').text()).toBe('Cancelled'));
    expect(fake.calls.filter((c) => c.channel === 'analysis:cancel')).toHaveLength(1);
    expect(w.find('[data-testid="analysis-results"]').exists()).toBe(false);
    expect(w.get('[data-testid="evaluate-run"]').attributes('disabled')).toBeUndefined();
  });

  it('a failed job shows its error', async () => {
    const { w } = await openAnalyses({ jobOutcome: 'fail' });
    await w.get('[data-testid="form-evaluate"]').trigger('submit');
    await vi.waitFor(() => expect(w.find('[data-testid="analysis-job"] [data-testid="job-error"]').exists()).toBe(true));
    expect(w.get('[data-testid="job-error"]').text()).toContain('steps');
  });

  it('runs the entropy measure on 8 images and lists every statistic with mean, CI and n', async () => {
    const { fake, w } = await openAnalyses();
    await w.get('[data-testid="analysis-form-measure"]').trigger('click');
    await w.get('[data-testid="form-measure"]').trigger('submit');
    await vi.waitFor(() => expect(w.find('[data-testid="measure-table"]').exists()).toBe(true));
    expect(starts(fake)).toEqual([{ kind: 'measure', measure: 'entropy', modelIds: ['mnist-cnn'], imageSetId: 'mnist-test', indices: [0, 1, 2, 3, 4, 5, 6, 7], method: 'gradient' }]);
    const rows = w.findAll('[data-testid="measure-row"]').map((r) => r.findAll('td').map((td) => td.text()));
    expect(rows[0]).toEqual(['entropy', '5.250', '[5.150, 5.350]', '8']);
    expect(rows.find((r) => r[0] === 'confidence.incorrect')).toEqual(['confidence.incorrect', 'n/a', '[n/a, n/a]', '0']);
  });

  it('stability needs two models; the ticked models are sent', async () => {
    const { fake, w } = await openAnalyses();
    await w.get('[data-testid="analysis-form-measure"]').trigger('click');
    await w.get('[data-testid="measure-select"]').setValue('stability');
    expect(w.get('[data-testid="measure-blocked"]').text()).toContain('two or more models');
    await w.get('[data-testid="measure-model-mnist-planted"]').setValue(true);
    await w.get('[data-testid="form-measure"]').trigger('submit');
    await vi.waitFor(() => expect(w.find('[data-testid="measure-table"]').exists()).toBe(true));
    expect(starts(fake)[0]).toMatchObject({ measure: 'stability', modelIds: ['mnist-cnn', 'mnist-planted'] });
  });

  it('runs an independent sanity check and draws the similarity per layer', async () => {
    const { fake, w } = await openAnalyses();
    await w.get('[data-testid="analysis-form-sanity"]').trigger('click');
    await w.get('[data-testid="sanity-independent"]').setValue(true);
    await w.get('[data-testid="form-sanity"]').trigger('submit');
    await vi.waitFor(() => expect(w.find('[data-testid="sanity-chart"]').exists()).toBe(true));
    expect(starts(fake)).toEqual([{ kind: 'sanity', mode: 'independent', modelId: 'mnist-cnn', imageSetId: 'mnist-test', indices: [0, 1, 2, 3, 4, 5, 6, 7], method: 'gradient' }]);
    const text = w.get('[data-testid="sanity-chart"]').text();
    for (const layer of ['dense_2', 'conv2d_1', 'spearman-abs', 'ssim']) expect(text).toContain(layer);
  });
});

describe('analysis view-model', () => {
  const spec = { kind: 'evaluate', indices: [0, 1, 2], metrics: ['deletion', 'insertion'], method: 'gradient' };

  it('curve lines: each image faint, the mean bold and named with its AUC and CI', () => {
    const doc = fakeEvaluate(spec);
    const lines = curveLines(doc, ['deletion', 'insertion']);
    expect(lines.filter((l) => !l.mean)).toHaveLength(6);
    const means = lines.filter((l) => l.mean);
    expect(means.map((l) => l.name)).toEqual(doc.metrics.map((m) => `${m.id === 'deletion' ? 'Deletion' : 'Insertion'}: AUC ${m.auc.mean!.toFixed(3)} [${m.auc.lo!.toFixed(3)}, ${m.auc.hi!.toFixed(3)}]`));
    expect(means[0].data).toEqual(doc.metrics[0].meanCurve!.x.map((x, k) => [x, doc.metrics[0].meanCurve!.y[k]]));
    expect(curveLines(doc, ['morf', 'lerf'])).toEqual([]);
  });

  it('summary rows: every statistic by path, arrays named by transform/level/pair', () => {
    const stat = (mean: number | null, n: number) => ({ n, mean, ci: { lo: mean, hi: mean, level: 0.95 } });
    const rows = summaryRows({ grid: 7, entropy: stat(1, 3), perTransform: [{ transform: 'hflip', iou: stat(0.5, 3) }, { level: 0.1, drop: stat(0.2, 2) }, { a: 'm1', b: 'm2', rho: stat(0.9, 3) }, stat(null, 0)] });
    expect(rows.map((r) => [r.name, r.mean, r.n])).toEqual([
      ['entropy', 1, 3], ['perTransform[hflip].iou', 0.5, 3], ['perTransform[0.1].drop', 0.2, 2], ['perTransform[m1-m2].rho', 0.9, 3], ['perTransform[3]', null, 0]
    ]);
    expect(summaryRows(fakeMeasure({ measure: 'entropy', indices: [0, 1] }).summary).map((r) => r.name)).toEqual(['entropy', 'normalizedEntropy', 'confidence.correct', 'confidence.incorrect']);
  });

  it('sanity lines follow the steps in order with their CI bounds', () => {
    const doc = fakeSanity({ mode: 'cascading', indices: [0, 1], method: 'gradient' });
    const { layers, lines } = sanityLines(doc);
    expect(layers).toEqual(doc.steps.map((s) => s.layer));
    expect(lines.map((l) => l.id)).toEqual(['spearman-abs', 'spearman-signed', 'ssim', 'topk']);
    expect(lines[2].mean).toEqual(doc.curves.ssim.map((p) => p.mean));
    expect(lines[2].lo).toEqual(doc.curves.ssim.map((p) => p.ci.lo));
  });

  it('image scope: the selected image or the first N, clamped to the set', () => {
    expect(scopeIndices({ mode: 'selected', count: 4 }, 7, 24)).toEqual([7]);
    expect(scopeIndices({ mode: 'selected', count: 4 }, null, 24)).toEqual([]);
    expect(scopeIndices({ mode: 'first', count: 4 }, 7, 24)).toEqual([0, 1, 2, 3]);
    expect(scopeIndices({ mode: 'first', count: 40 }, null, 3)).toEqual([0, 1, 2]);
    expect(scopeIndices({ mode: 'first', count: 0 }, null, 3)).toEqual([]);
  });
});
