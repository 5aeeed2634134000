/**
 * `analysis:start` / `analysis:result` / `analysis:cancel` through the router with the real engine
 * on the demo project: deletion + insertion of gradient maps on 4 digits (the result is the CLI's
 * curves.json: per-image curves from 1 down/up to the baseline, AUC inside [0, 1], the mean curve
 * the pointwise mean of the per-image curves), a cancelled sanity job ends `cancelled` with no
 * result, and bad requests are refused before any job exists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANALYSIS_MEASURES, ANALYSIS_METRICS, ANALYSIS_SANITY_MODES, ANALYSIS_SIMILARITIES, type AnalysisResult, type EvaluateDocument } from '../../shared/types/analyses';
import type { JobSnapshot } from '../../shared/types/jobs';
import { createRouter, type Router } from '../../main/ipc/router';
import { createHandlers } from '../../main/ipc/handlers';
import { EventBus } from '../../main/app/event-bus';
import { JobManager } from '../../main/jobs/job-manager';
import { EngineClient, nodeEngineLauncher } from '../../main/jobs/engine-client';
import { demoProjectDir, openProject } from '../../main/app/project-service';
import { listMetrics } from '../../main/engine/metrics';
import { MEASURE_IDS } from '../../main/engine/measures/types';
import { SANITY_CHECK_IDS, SIMILARITY_IDS } from '../../main/engine/sanity/types';

const sender = { kind: 'test' as const, origin: 'test://' };
const engine = new EngineClient(nodeEngineLauncher());
const events = new EventBus();
const states: JobSnapshot[] = [];
let router: Router;

async function call<T = unknown>(channel: string, payload: unknown): Promise<T> {
  const reply = await router.dispatch(channel, payload, sender);
  if (!reply.ok) throw Object.assign(new Error(reply.error.message), reply.error);
  return reply.value as T;
}

/** Resolves with the job's final snapshot. */
function finalState(jobId: string): Promise<JobSnapshot> {
  return new Promise((resolve) => {
    const check = () => {
      const s = states.filter((x) => x.id === jobId).at(-1);
      if (s && (s.state === 'succeeded' || s.state === 'failed' || s.state === 'cancelled')) resolve(s);
      else setTimeout(check, 50);
    };
    check();
  });
}

beforeAll(() => {
  events.on((event, payload) => event === 'jobs:state' && states.push(payload as JobSnapshot));
  const project = openProject(demoProjectDir(), engine, true);
  router = createRouter(createHandlers({ appVersion: '0', mode: 'browser', engine, jobs: new JobManager(events), project: () => project }));
});
afterAll(() => engine.stop());

describe('analysis id lists', () => {
  it('mirror the engine registries', () => {
    expect([...ANALYSIS_METRICS].sort()).toEqual(listMetrics().map((m) => m.id).sort());
    expect([...ANALYSIS_MEASURES]).toEqual([...MEASURE_IDS]);
    expect([...ANALYSIS_SANITY_MODES]).toEqual([...SANITY_CHECK_IDS]);
    expect([...ANALYSIS_SIMILARITIES]).toEqual([...SIMILARITY_IDS]);
  });
});

describe('analysis:start (real engine, demo digits)', () => {
  it('evaluates deletion + insertion of gradient maps on 4 images and returns the curves document', async () => {
    const { jobId } = await call<{ jobId: string }>('analysis:start', { kind: 'evaluate', modelId: 'digits-cnn', imageSetId: 'test', indices: [0, 1, 2, 3], metrics: ['deletion', 'insertion'], method: 'gradient', steps: 14 });
    const end = await finalState(jobId);
    expect(end.state, JSON.stringify(end.error)).toBe('succeeded');
    expect(end.kind).toBe('analysis-evaluate');
    const result = await call<AnalysisResult>('analysis:result', { jobId });
    expect(result.kind).toBe('evaluate');
    const doc = result.document as EvaluateDocument;
    expect(doc.format).toBe('saliency-evaluate-v1');
    expect(doc.count).toBe(4);
    expect(doc.method?.id).toBe('gradient');
    expect(doc.metrics.map((m) => m.id)).toEqual(['deletion', 'insertion']);
    for (const m of doc.metrics) {
      expect(m.steps).toBe(14);
      const curves = doc.images[m.id];
      expect(curves.map((c) => c.index)).toEqual([0, 1, 2, 3]);
      for (const c of curves) {
        expect(c.x[0]).toBe(0);
        expect(c.x.at(-1)).toBeCloseTo(1, 12);
        expect(c.y.length).toBe(c.x.length);
        expect(c.auc as number).toBeGreaterThanOrEqual(0);
        expect(c.auc as number).toBeLessThanOrEqual(1);
      }
      // The mean curve is the pointwise mean of the image curves (float64 in the engine; JSON keeps it).
      const mean = m.meanCurve!.y;
      mean.forEach((v, k) => expect(v).toBeCloseTo(curves.reduce((s, c) => s + c.y[k], 0) / curves.length, 10));
      expect(m.auc.n).toBe(4);
      expect(m.auc.mean as number).toBeCloseTo(curves.reduce((s, c) => s + (c.auc as number), 0) / 4, 10);
      expect(m.auc.lo as number).toBeLessThanOrEqual(m.auc.mean as number);
      expect(m.auc.hi as number).toBeGreaterThanOrEqual(m.auc.mean as number);
    }
    // Deletion starts at the unperturbed score, insertion ends there: the two meet at the original input.
    for (let i = 0; i < 4; i++) expect(doc.images.deletion[i].y[0]).toBeCloseTo(doc.images.insertion[i].y.at(-1)!, 5);
  }, 60_000);

  it('cancels a running sanity job: final state cancelled, no result', async () => {
    const { jobId } = await call<{ jobId: string }>('analysis:start', { kind: 'sanity', mode: 'cascading', modelId: 'digits-cnn', imageSetId: 'test', indices: Array.from({ length: 64 }, (_, i) => i), method: 'smoothgrad' });
    await new Promise<void>((resolve) => {
      const wait = () => (states.some((s) => s.id === jobId && s.state === 'running') ? resolve() : setTimeout(wait, 20));
      wait();
    });
    expect(await call('analysis:cancel', { jobId })).toEqual({ cancelled: true });
    const end = await finalState(jobId);
    expect(end.state).toBe('cancelled');
    await expect(call('analysis:result', { jobId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  }, 60_000);

  it('refuses bad requests before any job exists', async () => {
    const before = states.length;
    await expect(call('analysis:start', { kind: 'evaluate', modelId: 'digits-cnn', imageSetId: 'test', indices: [0], metrics: ['deletion', 'deletion'], method: 'gradient' })).rejects.toMatchObject({ code: 'IPC_INVALID' });
    await expect(call('analysis:start', { kind: 'measure', measure: 'stability', modelIds: ['digits-cnn'], imageSetId: 'test', indices: [0, 1] })).rejects.toMatchObject({ code: 'PARAM_INVALID' });
    await expect(call('analysis:start', { kind: 'sanity', mode: 'cascading', modelId: 'no-such-model', imageSetId: 'test', indices: [0], method: 'gradient' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(call('analysis:result', { jobId: 'nope' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(states.length).toBe(before);
  });
});
