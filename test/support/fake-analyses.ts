/**
 * The fake API's `analysis:*` requests: an analysis job goes queued → running (progress) →
 * succeeded with a synthetic document shaped like the engine's (evaluate curves.json, measure and
 * sanity result JSON), or stays running in `manual` mode until cancelled. Deterministic: curves are
 * closed forms of the image index, so component tests can check what the charts draw. Started into a
 * session of a storage project, the job is a stored one with its run (`analysis-<kind>`), as in main.
 */
import { AppError } from '../../shared/errors';
import type { EventName, EventPayloads } from '../../shared/ipc/contract';
import type { JobSnapshot } from '../../shared/types/jobs';
import type { AnalysisMetric, AnalysisResult, EvaluateDocument, MeasureDocument, SanityDocument } from '../../shared/types/analyses';
import { ANALYSIS_SIMILARITIES } from '../../shared/types/analyses';

interface FakeAnalysisHost {
  jobs: Map<string, JobSnapshot>;
  emit<E extends EventName>(event: E, payload: EventPayloads[E]): void;
  stepMs: number;
  /** `manual`: the job keeps running until cancelled. */
  outcome: 'succeed' | 'fail' | 'manual';
  /** The session and run of a job started into a session of a storage project; null otherwise. */
  place(spec: Record<string, unknown>): { sessionId: string; runId: string } | null;
}

const ci = (mean: number, n: number) => ({ mean, lo: mean - 0.05, hi: mean + 0.05, n });
const steps = 10;
const xs = Array.from({ length: steps + 1 }, (_, k) => k / steps);

/** Deletion falls, insertion rises, faster for higher image indices. */
function curve(metric: AnalysisMetric, index: number): number[] {
  const rate = 3 + (index % 4);
  return xs.map((x) => (metric === 'deletion' || metric === 'morf' ? Math.exp(-rate * x) : 1 - Math.exp(-rate * x)));
}

const trapezoid = (y: number[]) => y.slice(1).reduce((s, v, k) => s + (v + y[k]) / 2 / steps, 0);

export function fakeEvaluate(spec: Record<string, unknown>): EvaluateDocument {
  const indices = spec.indices as number[];
  const metrics = spec.metrics as AnalysisMetric[];
  const images: EvaluateDocument['images'] = {};
  const docs = metrics.map((id) => {
    images[id] = indices.map((index) => {
      const y = curve(id, index);
      return { index, x: xs, y, auc: trapezoid(y), aopc: 1 - trapezoid(y) };
    });
    const mean = xs.map((_, k) => images[id].reduce((s, c) => s + c.y[k], 0) / indices.length);
    const auc = images[id].reduce((s, c) => s + (c.auc as number), 0) / indices.length;
    const primary = id === 'deletion' || id === 'insertion' ? 'auc' : 'aopc';
    const value = primary === 'auc' ? auc : 1 - auc;
    return { id, baseline: String(spec.baseline ?? 'mean-colour'), steps, primary, higherIsBetter: id !== 'deletion', value: ci(value, indices.length), auc: ci(auc, indices.length), aopc: ci(1 - auc, indices.length), meanCurve: { x: xs, y: mean } } as const;
  });
  return { format: 'saliency-evaluate-v1', count: indices.length, metrics: docs, method: { id: String(spec.method), params: {} }, images, skipped: [], seconds: 0.1 };
}

export function fakeMeasure(spec: Record<string, unknown>): MeasureDocument {
  const n = (spec.indices as number[]).length;
  const stat = (mean: number) => ({ n, mean, ci: { lo: mean - 0.1, hi: mean + 0.1, level: 0.95 } });
  return {
    schema: 'saliency-measure-v1',
    manifest: { measure: spec.measure as MeasureDocument['manifest']['measure'], measureLabel: `Fake ${String(spec.measure)}`, method: { id: String(spec.method ?? 'grad-cam') }, seconds: 0.1 },
    summary: { entropy: stat(5.25), normalizedEntropy: stat(0.8), confidence: { correct: stat(0.97), incorrect: { n: 0, mean: null, ci: { lo: null, hi: null, level: 0.95 } } } },
    perImage: (spec.indices as number[]).map((index) => ({ index, entropy: 5 + index / 100 })),
    warnings: []
  };
}

export function fakeSanity(spec: Record<string, unknown>): SanityDocument {
  const layers = ['dense_2', 'dense_1', 'conv2d_2', 'conv2d_1'];
  const n = (spec.indices as number[]).length;
  const curves = Object.fromEntries(
    ANALYSIS_SIMILARITIES.map((sim, s) => [sim, layers.map((_, k) => ({ n, undefinedCount: 0, mean: 0.9 / (k + 1) - s * 0.05, ci: { lo: 0.8 / (k + 1) - s * 0.05, hi: 1 / (k + 1) - s * 0.05 } }))])
  ) as SanityDocument['curves'];
  return { format: 'saliency-sanity-v1', check: spec.mode as SanityDocument['check'], method: { id: String(spec.method), params: {} }, layers, steps: layers.map((layer) => ({ layer })), curves, counts: { images: n, skipped: 0 }, seconds: 0.1 };
}

export class FakeAnalyses {
  private readonly results = new Map<string, AnalysisResult>();
  private count = 0;

  constructor(private readonly host: FakeAnalysisHost) {}

  private set(job: JobSnapshot): void {
    this.host.jobs.set(job.id, job);
    this.host.emit('jobs:state', job);
  }

  start(spec: Record<string, unknown>): { jobId: string } {
    if (spec.kind === 'measure' && spec.measure === 'stability' && new Set(spec.modelIds as string[]).size < 2) {
      throw new AppError('PARAM_INVALID', 'The stability measure compares training runs: pick two or more different models.');
    }
    const total = (spec.indices as number[]).length;
    const placed = this.host.place(spec);
    const stored = placed ? { ...placed, skipped: 0, resumable: false } : {};
    const job: JobSnapshot = { id: `analysis-${++this.count}`, kind: `analysis-${String(spec.kind)}`, spec, state: 'queued', progress: { done: 0, total }, createdAt: new Date().toISOString(), startedAt: null, endedAt: null, ...stored };
    this.set(job);
    setTimeout(() => {
      if (this.host.jobs.get(job.id)?.state !== 'queued') return;
      const running = { ...job, state: 'running' as const, startedAt: new Date().toISOString() };
      this.set(running);
      this.host.emit('jobs:progress', { jobId: job.id, progress: { done: Math.floor(total / 2), total, message: 'computing maps' } });
      if (this.host.outcome !== 'manual') setTimeout(() => this.finish(job.id, spec), this.host.stepMs);
    }, this.host.stepMs);
    return { jobId: job.id };
  }

  private finish(jobId: string, spec: Record<string, unknown>): void {
    const job = this.host.jobs.get(jobId) as JobSnapshot;
    if (job.state !== 'running') return;
    const endedAt = new Date().toISOString();
    if (this.host.outcome === 'fail') {
      this.set({ ...job, state: 'failed', endedAt, error: { code: 'PARAM_INVALID', message: 'deletion: `steps` must be ≥ 1.' } });
      return;
    }
    const document = spec.kind === 'evaluate' ? fakeEvaluate(spec) : spec.kind === 'measure' ? fakeMeasure(spec) : fakeSanity(spec);
    this.results.set(jobId, { kind: spec.kind, jobId, document } as AnalysisResult);
    const progress = { done: job.progress.total, total: job.progress.total };
    this.host.emit('jobs:progress', { jobId, progress });
    this.set({ ...job, state: 'succeeded', progress, endedAt, error: undefined });
  }

  cancel(jobId: string): { cancelled: boolean } {
    const job = this.host.jobs.get(jobId);
    if (!job) throw new AppError('NOT_FOUND', `There is no job with id ${jobId}.`);
    if (job.state !== 'queued' && job.state !== 'running') return { cancelled: false };
    this.set({ ...job, state: 'cancelled', endedAt: new Date().toISOString(), error: undefined });
    return { cancelled: true };
  }

  result(jobId: string): AnalysisResult {
    const found = this.results.get(jobId);
    if (!found) throw new AppError('NOT_FOUND', `Analysis job ${jobId} has no result.`);
    return found;
  }
}
