// @vitest-environment happy-dom
/**
 * Analysis runs of a session (issue #6 item 3) with the fake API: a finished analysis run in the
 * Runs tab has "View result", which reads its stored document (`analysis:result` with the run's
 * job id) and shows it in the Analyses tab, labelled with the run; the shown job id is saved with
 * the session's UI state and the result comes back when the session is reopened.
 */
import { flushPromises, mount, type VueWrapper } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import App from '../../renderer/App.vue';
import { resetApi } from '../../renderer/api';
import { useAnalysesStore, type AnalysisRequest } from '../../renderer/stores/analyses';
import { useProjectStore } from '../../renderer/stores/project';
import { useSessionsStore } from '../../renderer/stores/sessions';
import { useWorkspaceStore } from '../../renderer/stores/workspace';
import { fakeEvaluate } from '../support/fake-analyses';
import type { FakeApi, FakeApiOptions } from '../support/fake-api';
import { installFakeApi, installRecordingCanvas } from './support';

let wrapper: VueWrapper | null = null;
let canvas: ReturnType<typeof installRecordingCanvas> | null = null;

/** The app on a created storage project (one model, one 24-image set) with session "A" open. */
async function storageApp(options: FakeApiOptions = {}): Promise<{ fake: FakeApi; w: VueWrapper; sessionId: string }> {
  const fake = installFakeApi(options);
  wrapper = mount(App, { global: { plugins: [createPinia()] }, attachTo: document.body });
  await vi.waitFor(() => expect(wrapper!.find('[data-app-state="ready"]').exists()).toBe(true));
  await flushPromises();
  const ws = useWorkspaceStore();
  expect(await ws.createProject('/tmp/p1')).toBe(true);
  expect(await ws.importModel('/models/m/model.json', true)).toBe(true);
  expect(await ws.importImages('/sets/test.csv', false)).toBe(true);
  const made = await useSessionsStore().create('A');
  await flushPromises();
  return { fake, w: wrapper, sessionId: made!.id };
}

function evaluateRequest(): Extract<AnalysisRequest, { kind: 'evaluate' }> {
  const project = useProjectStore();
  return { kind: 'evaluate', modelId: project.selectedModelId!, imageSetId: project.selectedImageSetId!, indices: [0, 1, 2, 3], metrics: ['deletion', 'insertion'], method: 'gradient', params: {} };
}

/** Runs an analysis from the store (as the forms do) and waits until its run is listed as finished. */
async function runAnalysis(w: VueWrapper, request: AnalysisRequest): Promise<string> {
  const analyses = useAnalysesStore();
  await analyses.start(request);
  await vi.waitFor(() => expect(analyses.result?.kind).toBe(request.kind));
  const jobId = analyses.result!.jobId;
  await vi.waitFor(() => expect(useSessionsStore().current?.jobs.find((j) => j.id === jobId)?.state).toBe('succeeded'));
  await flushPromises();
  return jobId;
}

const rowOf = (w: VueWrapper, jobId: string) => w.get(`[data-testid="run-row"][data-job-id="${jobId}"]`);
const resultCalls = (fake: FakeApi) => fake.calls.filter((c) => c.channel === 'analysis:result').map((c) => c.params.jobId);

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

describe('stored analysis results in the Runs tab', () => {
  it('an analysis started in a session is a run; View result shows its stored document in the Analyses tab, labelled with the run', async () => {
    const { fake, w } = await storageApp();
    const request = evaluateRequest();
    const evalJob = await runAnalysis(w, request);
    // A second analysis replaces the shown result, so the first one can only come back from storage.
    const measureJob = await runAnalysis(w, { kind: 'measure', measure: 'entropy', modelIds: [request.modelId], imageSetId: request.imageSetId, indices: [0, 1], method: 'gradient' });

    await w.get('[data-testid="tab-runs"]').trigger('click');
    await flushPromises();
    const row = rowOf(w, evalJob);
    const runId = row.attributes('data-run-id');
    expect(useSessionsStore().current!.runs.find((r) => r.id === runId)?.kind).toBe('analysis-evaluate');
    expect(row.attributes('data-state')).toBe('succeeded');
    expect(row.find('[data-testid="run-view"]').exists()).toBe(false);
    expect(rowOf(w, measureJob).find('[data-testid="run-view-result"]').exists()).toBe(true);
    const before = resultCalls(fake).length;

    await row.get('[data-testid="run-view-result"]').trigger('click');
    await flushPromises();
    await vi.waitFor(() => expect(w.find('[data-testid="analysis-results"]').attributes('data-kind')).toBe('evaluate'));
    expect(resultCalls(fake).slice(before)).toEqual([evalJob]);
    expect(w.get('[data-testid="tab-analyses"]').attributes('aria-selected')).toBe('true');
    expect(w.get('[data-testid="analysis-form-evaluate"]').attributes('aria-selected')).toBe('true');
    const label = w.get('[data-testid="analysis-stored-label"]');
    expect(label.attributes('data-run-id')).toBe(runId);
    expect(label.text()).toMatch(/^Stored result of run gradient · .+ · .+ \(\d{4}-\d\d-\d\d \d\d:\d\d\)$/);
    // The same charts and AUC ± CI as right after the run: the stored document is the run's.
    const del = fakeEvaluate(request).metrics[0].auc;
    expect(w.get('[data-testid="evaluate-summary"]').text()).toContain(`AUC ${del.mean!.toFixed(3)} [${del.lo!.toFixed(3)}, ${del.hi!.toFixed(3)}]`);
    expect(w.findAll('[data-testid="curves-chart"]').map((c) => c.attributes('data-metrics'))).toEqual(['deletion,insertion']);
  });

  it('a failed analysis run has no View result; an unreadable stored result says so', async () => {
    const { fake, w } = await storageApp({ jobOutcome: 'fail' });
    const analyses = useAnalysesStore();
    await analyses.start(evaluateRequest());
    const jobId = analyses.job!.id;
    await vi.waitFor(() => expect(useSessionsStore().current?.jobs.find((j) => j.id === jobId)?.state).toBe('failed'));
    await w.get('[data-testid="tab-runs"]').trigger('click');
    await flushPromises();
    expect(rowOf(w, jobId).find('[data-testid="run-view-result"]').exists()).toBe(false);
    expect(w.find('[data-testid="run-view-result"]').exists()).toBe(false);

    fake.failNext('analysis:result', { code: 'NOT_FOUND', message: 'Analysis job x has no result.' });
    expect(await analyses.showStored(jobId)).toBe(false);
    await flushPromises();
    expect(w.get('[data-testid="analysis-result-error"]').text()).toContain('Analysis job x has no result.');
    expect(w.find('[data-testid="analysis-results"]').exists()).toBe(false);
    expect(analyses.stored).toBeNull();
  });

  it('the shown stored result is saved with the session and shown again when the session is reopened', async () => {
    const { fake, w, sessionId } = await storageApp();
    const sessions = useSessionsStore();
    const evalJob = await runAnalysis(w, evaluateRequest());
    await w.get('[data-testid="tab-runs"]').trigger('click');
    await flushPromises();
    await rowOf(w, evalJob).get('[data-testid="run-view-result"]').trigger('click');
    await vi.waitFor(() => expect(w.find('[data-testid="analysis-stored-label"]').exists()).toBe(true));
    // Saved after the quiet period (real timers: the fake's jobs run on them too).
    await vi.waitFor(() => {
      const saves = fake.calls.filter((c) => c.channel === 'sessions:saveUiState');
      expect(saves.at(-1)?.params.uiState).toMatchObject({ analysisJobId: evalJob });
    }, { timeout: 2000 });

    // Another session shows nothing of it; reopening the first restores tab, result and label.
    await sessions.create('B');
    await flushPromises();
    expect(useAnalysesStore().stored).toBeNull();
    expect(w.find('[data-testid="analysis-stored-label"]').exists()).toBe(false);
    await w.get('[data-testid="tab-images"]').trigger('click');
    const before = resultCalls(fake).length;
    expect(await sessions.open(sessionId)).toBe(true);
    await flushPromises();
    expect(resultCalls(fake).slice(before)).toEqual([evalJob]);
    expect(w.get('[data-testid="tab-analyses"]').attributes('aria-selected')).toBe('true');
    expect(w.get('[data-testid="analysis-results"]').attributes('data-kind')).toBe('evaluate');
    expect(w.get('[data-testid="analysis-stored-label"]').attributes('data-run-id')).toBe(sessions.current!.jobs.find((j) => j.id === evalJob)?.runId);
  });
});
