/**
 * In-memory implementation of the IPC contract for renderer component tests, server tests and
 * the fake-backed UI run. It behaves like the real workbench in the ways the UI depends on:
 * `jobs:state` for a new job is emitted before `jobs:start` resolves, a job streams progress, one
 * partial map per image and a final state, and requests can be made to fail with an AppError.
 */
import { AppError, type AppErrorData } from '../../shared/errors';
import { buildApi, type Api, type AppInfo, type EventName, type EventPayloads, type RequestName } from '../../shared/ipc/contract';
import type { JobSnapshot } from '../../shared/types/jobs';
import type { ImageSetSummary, RgbaImage } from '../../shared/types/images';
import type { BackendName, ModelDescriptor, Prediction } from '../../shared/types/model';
import type { ImageListPage, ModelEntry, ProjectSnapshot } from '../../shared/types/project';
import type { SaliencyMap, SaliencyMethodInfo } from '../../shared/types/saliency';
import type { WireApi } from '../../shared/ipc/wire';
import type { StoredJobSnapshot } from '../../shared/types/workspace';
import { FakeWorkspace } from './fake-workspace';
import { FakeAnalyses } from './fake-analyses';

export interface FakeApiOptions {
  backend?: BackendName;
  fallbackReason?: string | null;
  imageCount?: number;
  /** How a saliency job ends; `manual` waits for `finishJob`. */
  jobOutcome?: 'succeed' | 'fail' | 'manual';
  /** Delay between a job's steps (ms); 0 runs them on the next macrotask. */
  stepMs?: number;
}

/** The enveloped API as the preload exposes it (one definition, in shared/ipc/wire.ts). */
export type FakeWireApi = WireApi;

type Handler = (params: Record<string, unknown>) => Promise<unknown>;
type AnyListener = (event: EventName, payload: unknown) => void;

export interface FakeApi {
  /** The unwrapped API (as renderer/api.ts returns it). */
  api: Api;
  /** The enveloped API (as the Electron preload exposes it on `window.api`). */
  wire: FakeWireApi;
  handlers: Record<RequestName, Handler>;
  calls: Array<{ channel: RequestName; params: Record<string, unknown> }>;
  emit<E extends EventName>(event: E, payload: EventPayloads[E]): void;
  onAny(listener: AnyListener): () => void;
  /** Makes the next call of `channel` fail with this error. */
  failNext(channel: RequestName, error: AppErrorData): void;
  /** Ends a `manual` job: emits its map (on success) and final state. */
  finishJob(jobId: string, outcome: 'succeed' | 'fail'): void;
  /** A running `manual` job reports progress (`done` items of its total). */
  progressJob(jobId: string, done: number): void;
  options: Required<FakeApiOptions>;
  /** The fake project storage (e.g. `sourceOverrides` for project:sources). */
  workspace: FakeWorkspace;
}

const CLASSES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

function model(id: string, name: string, note: string | null): ModelEntry {
  const descriptor: ModelDescriptor = {
    hash: `hash-${id}`, name, path: `/demo/models/${id}/model.json`, format: 'layers', inputShape: [28, 28, 1], inputDtype: 'float32',
    preprocessing: { resize: [28, 28], colorMode: 'grey', channelOrder: 'rgb', scale: 1 / 255, mean: [0], std: [1] },
    classNames: CLASSES, outputIndex: 0, outputIsProbability: true, canComputeGradients: true, parameterCount: 225_034, descriptorSource: 'sidecar',
    convLayers: [
      { name: 'conv2d_1', kernelShape: [3, 3, 1, 16], filters: 16, depthwise: false, outputSize: [26, 26] },
      { name: 'conv2d_2', kernelShape: [3, 3, 16, 32], filters: 32, depthwise: false, outputSize: [11, 11] }
    ]
  };
  return { id, descriptor, note };
}

const ref = (text: string) => `${text} (see main/engine/saliency)`;
/** The real registry's methods as `saliency:methods` lists them (same ids, needs, score defaults and defaults). */
export const FAKE_METHODS: SaliencyMethodInfo[] = [
  { id: 'gradient', label: 'Vanilla gradient', reference: ref('Simonyan et al. 2013'), requires: ['gradients'], score: 'logit', stochastic: false, defaults: {} },
  { id: 'input-x-gradient', label: 'Gradient × input', reference: ref('Shrikumar et al. 2016'), requires: ['gradients'], score: 'logit', stochastic: false, defaults: {} },
  { id: 'smoothgrad', label: 'SmoothGrad', reference: ref('Smilkov et al. 2017'), requires: ['gradients'], score: 'logit', stochastic: true, defaults: { n: 50, sigma: 0.15, aggregate: 'mean' } },
  { id: 'integrated-gradients', label: 'Integrated Gradients', reference: ref('Sundararajan et al. 2017'), requires: ['gradients'], score: 'logit', stochastic: true, defaults: { baseline: 'black', steps: 50, quadrature: 'trapezoid' } },
  { id: 'grad-cam', label: 'Grad-CAM', reference: ref('Selvaraju et al. 2017'), requires: ['gradients', 'layer-activations'], score: 'logit', stochastic: false, defaults: { layer: null, upsample: 'bilinear', normalize: 'none' } },
  { id: 'grad-cam-pp', label: 'Grad-CAM++', reference: ref('Chattopadhay et al. 2018'), requires: ['gradients', 'layer-activations'], score: 'logit', stochastic: false, defaults: { layer: null, upsample: 'bilinear', normalize: 'none' } },
  { id: 'occlusion', label: 'Occlusion', reference: ref('Zeiler & Fergus 2014'), requires: [], score: 'prob', stochastic: true, defaults: { window: null, stride: null, baseline: 'grey' } },
  { id: 'rise', label: 'RISE', reference: ref('Petsiuk et al. 2018'), requires: [], score: 'prob', stochastic: true, defaults: { n: 4000, grid: 7, p: 0.5, baseline: 'mean-colour', returnMasks: true } },
  {
    id: 'extremal-perturbation', label: 'Extremal perturbation', reference: ref('Fong et al. 2019'), requires: ['gradients'], score: 'logit', stochastic: true,
    defaults: { areas: [0.05, 0.1, 0.2], iterations: 800, learningRate: 0.01, step: null, sigma: null, baseline: 'blur:sigma=20', variant: 'preserve', init: 'ones', jitter: false }
  }
];

/**
 * The engine's PARAM_INVALID for a spec, in a simplified form: unknown method, unknown parameter,
 * or a number that is not positive (every numeric parameter of the real methods is > 0).
 */
function paramError(spec: Record<string, unknown>): AppErrorData | null {
  const method = FAKE_METHODS.find((m) => m.id === spec.method);
  if (!method) return { code: 'METHOD_UNKNOWN', message: `Unknown saliency method "${String(spec.method)}".` };
  const params = (spec.params ?? {}) as Record<string, unknown>;
  const unknown = Object.keys(params).find((k) => !(k in method.defaults));
  if (unknown) return { code: 'PARAM_INVALID', message: `${method.id}: unknown parameter(s) \`${unknown}\`.`, hint: 'Correct the parameter named in the message.' };
  const bad = Object.entries(params).find(([, v]) => typeof v === 'number' && !(v > 0));
  if (bad) return { code: 'PARAM_INVALID', message: `${method.id}: \`${bad[0]}\` must be > 0, got ${String(bad[1])}.`, hint: 'Correct the parameter named in the message.' };
  return null;
}

/** How many steps a job runs in the fake: one per 100 samples, integration steps or iterations, so long settings take long. */
function workSteps(spec: Record<string, unknown>): number {
  const params = (spec.params ?? {}) as Record<string, unknown>;
  const counts = ['n', 'steps', 'iterations'].map((k) => params[k]).filter((v): v is number => typeof v === 'number');
  return Math.max(1, Math.floor(Math.max(0, ...counts) / 100));
}

/** A synthetic, deterministic "digit": a ring whose radius depends on the index. */
function digitImage(index: number, size: number): RgbaImage {
  const data = new Uint8ClampedArray(size * size * 4);
  const r = size * (0.2 + 0.15 * ((index % 5) / 4));
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.abs(Math.hypot(x - size / 2, y - size / 2) - r) / (size / 14);
      const v = Math.round(255 * Math.max(0, 1 - d));
      data.set([v, v, v, 255], (y * size + x) * 4);
    }
  }
  return { width: size, height: size, data };
}

/** A blob left of centre; signed methods get a negative blob on the right as well. A chosen class is the target, else the label. */
function saliencyMap(index: number, spec: Record<string, unknown>): SaliencyMap {
  const size = 28;
  const signed = spec.method === 'input-x-gradient' || spec.method === 'integrated-gradients';
  const target = spec.target as { kind: string; classIndex?: number } | undefined;
  const blob = (i: number, cx: number) => Math.exp(-(((i % size) - cx) ** 2 + (Math.floor(i / size) - 14) ** 2) / 30);
  const data = new Float32Array(size * size);
  for (let i = 0; i < data.length; i++) data[i] = blob(i, 10) * 0.8 - (signed ? blob(i, 20) * 0.5 : 0);
  return { index, width: size, height: size, data, targetClass: target?.kind === 'class' ? (target.classIndex as number) : index % 10, score: 0.93 };
}

function prediction(index: number): Prediction {
  const label = index % 10;
  const predicted = index % 7 === 3 ? (label + 1) % 10 : label;
  const top = [predicted, (predicted + 3) % 10, (predicted + 5) % 10].map((c, k) => ({ classIndex: c, className: CLASSES[c], probability: [0.91, 0.06, 0.02][k] }));
  return { index, top, label };
}

function backendInfo(o: Required<FakeApiOptions>): AppInfo['engine'] {
  const native = o.backend === 'tensorflow';
  return {
    backend: o.backend, device: 'CPU', canComputeGradients: o.backend !== 'wasm', tfVersion: native ? '2.21.0' : null, tfjsVersion: '4.22.0',
    nativePackage: native ? '@tensorflow/tfjs-node' : null, oneDnn: native ? true : null, fallbackReason: o.fallbackReason, nodeVersion: 'v20.20.2', platform: 'linux', pid: 4242
  };
}

/** The fake's state and behaviour; one instance per `createFakeApi` call. */
class FakeBackend {
  readonly listeners = new Set<AnyListener>();
  readonly failures = new Map<RequestName, AppErrorData>();
  readonly jobs = new Map<string, JobSnapshot>();
  readonly calls: FakeApi['calls'] = [];
  readonly project: ProjectSnapshot;
  /** Projects, sessions, runs and stored maps (read-only demo until a project is created or opened). */
  readonly workspace: FakeWorkspace;
  /** Analysis jobs (`analysis:*`, issue #5). */
  readonly analyses: FakeAnalyses;

  constructor(readonly o: Required<FakeApiOptions>) {
    const set: ImageSetSummary = { id: 'mnist-test', name: 'MNIST test digits', root: '/demo/images/mnist-test', kind: 'folder', count: o.imageCount, labels: CLASSES, hasMasks: false, skipped: [] };
    this.project = {
      name: 'Demo: MNIST digits', root: '/demo', isDemo: true, imageSets: [set, { ...set, id: 'mnist-noisy', name: 'MNIST with noise', count: 12 }],
      models: [model('mnist-cnn', 'MNIST CNN', null), model('mnist-planted', 'MNIST CNN (planted filter)', 'Planted malicious filter in conv2d_1 #3')]
    };
    this.workspace = new FakeWorkspace(this.project);
    this.analyses = new FakeAnalyses({
      jobs: this.jobs, emit: (e, p) => this.emit(e, p), stepMs: o.stepMs, outcome: o.jobOutcome,
      place: (spec) => (this.workspace.project && spec.sessionId ? this.workspace.placeJob(spec, `analysis-${String(spec.kind)}`) : null)
    });
  }

  emit<E extends EventName>(event: E, payload: EventPayloads[E]): void {
    this.listeners.forEach((l) => l(event, payload));
  }

  private setState(job: JobSnapshot): void {
    // A stored job (it has a run) is resumable once cancelled or failed, as in the real workbench.
    if ('runId' in job) (job as StoredJobSnapshot).resumable = job.state === 'failed' || job.state === 'cancelled';
    this.jobs.set(job.id, job);
    this.emit('jobs:state', job);
  }

  private step(fn: () => void, steps = 1): void {
    setTimeout(fn, this.o.stepMs * steps);
  }

  finishJob(jobId: string, outcome: 'succeed' | 'fail'): void {
    const job = this.jobs.get(jobId) as JobSnapshot;
    if (job.state !== 'running') return;
    const endedAt = new Date().toISOString();
    const invalid = paramError(job.spec);
    if (outcome === 'fail' || invalid) {
      const error = invalid ?? { code: 'SHAPE_MISMATCH' as const, message: 'The image does not match the model input.', hint: 'Use 28×28 greyscale inputs.', detail: 'expected [1,28,28,1], got [1,32,32,3]' };
      this.setState({ ...job, state: 'failed', endedAt, error });
      return;
    }
    // A stored whole-set job (indices filled in by startJob) ends with every item done.
    const total = 'runId' in job ? Math.max(1, (job.spec.indices as number[]).length) : 1;
    this.emit('jobs:partial', { jobId, item: saliencyMap((job.spec.indices as number[])[0] ?? 0, job.spec) });
    this.emit('jobs:progress', { jobId, progress: { done: total, total } });
    this.setState({ ...job, state: 'succeeded', progress: { done: total, total }, endedAt, error: undefined });
  }

  startJob(spec: Record<string, unknown>): { jobId: string } {
    const now = new Date().toISOString();
    const placed = this.workspace.project ? { ...this.workspace.placeJob(spec), skipped: 0, resumable: false } : {};
    // As in the real handler, no indices in a storage project means the whole image set.
    const set = this.workspace.current().imageSets.find((s) => s.id === spec.imageSetId);
    const whole = this.workspace.project && set && !(spec.indices as number[] | undefined)?.length;
    const full = whole ? { ...spec, indices: Array.from({ length: set.count }, (_, i) => i) } : spec;
    const total = this.workspace.project ? Math.max(1, (full.indices as number[]).length) : 1;
    const job: JobSnapshot = { id: `job-${this.jobs.size + 1}`, kind: 'saliency-maps', spec: full, state: 'queued', progress: { done: 0, total }, createdAt: now, startedAt: null, endedAt: null, ...placed };
    this.setState(job);
    this.schedule(job, full);
    return { jobId: job.id };
  }

  /** jobs:resume: a cancelled or failed stored job runs again from where it stopped. */
  resumeJob(jobId: string): JobSnapshot {
    const job = this.jobs.get(jobId);
    if (!job) throw new AppError('NOT_FOUND', `There is no job with id ${jobId}.`);
    if (!(job as StoredJobSnapshot).resumable) throw new AppError('PARAM_INVALID', `Job ${jobId} is ${job.state}; only a cancelled or failed job can be resumed.`);
    const queued = { ...job, state: 'queued' as const, endedAt: null, error: undefined };
    this.setState(queued);
    this.schedule(queued, job.spec);
    return queued;
  }

  private schedule(job: JobSnapshot, spec: Record<string, unknown>): void {
    this.step(() => {
      if (this.jobs.get(job.id)?.state !== 'queued') return;
      this.setState({ ...job, state: 'running', startedAt: new Date().toISOString(), error: undefined });
      this.emit('jobs:progress', { jobId: job.id, progress: { done: job.progress.done, total: job.progress.total, message: 'computing gradients' } });
      // The engine validates parameters before any work, so a bad spec fails even in `manual` mode.
      const outcome = paramError(spec) ? 'fail' : this.o.jobOutcome;
      if (outcome !== 'manual') this.step(() => this.finishJob(job.id, outcome), workSteps(spec));
    });
  }

  /** A running job reports `done` items (kept in its snapshot, so a cancel keeps the count). */
  progressJob(jobId: string, done: number): void {
    const job = this.jobs.get(jobId);
    if (!job || job.state !== 'running') return;
    const progress = { done, total: job.progress.total };
    this.jobs.set(jobId, { ...job, progress });
    this.emit('jobs:progress', { jobId, progress });
  }

  cancelJob(jobId: string): { cancelled: boolean } {
    const job = this.jobs.get(jobId);
    if (!job) throw new AppError('NOT_FOUND', `There is no job with id ${jobId}.`);
    if (job.state !== 'queued' && job.state !== 'running') return { cancelled: false };
    this.setState({ ...job, state: 'cancelled', endedAt: new Date().toISOString(), error: undefined });
    return { cancelled: true };
  }

  imagesList(p: Record<string, unknown>): ImageListPage {
    const set = this.workspace.current().imageSets.find((s) => s.id === p.imageSetId);
    if (!set) throw new AppError('NOT_FOUND', `There is no image set ${String(p.imageSetId)}.`);
    const offset = (p.offset as number) ?? 0;
    const end = Math.min(set.count, offset + ((p.limit as number) ?? 50));
    const items = [];
    for (let i = offset; i < end; i++) items.push({ index: i, path: `${i % 10}/${i}.png`, label: CLASSES[i % 10], thumbnail: digitImage(i, (p.thumbSize as number) ?? 64) });
    return { imageSetId: set.id, total: set.count, offset, items };
  }

  /** One async handler per channel: records the call, applies a queued failure, then answers. */
  handlers(): Record<RequestName, Handler> {
    const impl: Record<RequestName, (p: Record<string, unknown>) => unknown> = {
      'app:info': () => ({ appVersion: '0.1.0', mode: 'browser', engine: backendInfo(this.o), engineState: 'ready' }),
      // A copy, as the real transports serialise every answer (the fake mutates its project in place).
      'project:current': () => structuredClone(this.workspace.current()),
      'models:describe': (p) => this.workspace.current().models.find((m) => m.id === p.modelId)?.descriptor,
      'models:predict': (p) => (p.indices as number[]).map(prediction),
      'images:list': (p) => this.imagesList(p),
      'saliency:methods': () => structuredClone(FAKE_METHODS),
      'jobs:start': (p) => this.startJob(p),
      'jobs:cancel': (p) => this.cancelJob(p.jobId as string),
      'jobs:list': (p) => [...this.jobs.values()].filter((j) => !p.sessionId || (j as StoredJobSnapshot).sessionId === p.sessionId),
      'jobs:get': (p) => this.jobs.get(p.jobId as string),
      // Like browser mode (app:info says `browser`): no native dialogs, the UI shows a path field.
      'dialogs:open': () => {
        throw new AppError('UNSUPPORTED', 'Native open dialogs exist only in the desktop app, not in browser mode.');
      },
      'dialogs:save': () => {
        throw new AppError('UNSUPPORTED', 'Native save dialogs exist only in the desktop app, not in browser mode.');
      },
      'project:create': (p) => this.workspace.openProject(p),
      'project:open': (p) => this.workspace.openProject(p),
      'project:addModel': (p) => this.workspace.addModel(p),
      'project:addImages': (p) => this.workspace.addImages(p),
      'project:close': () => this.workspace.close(),
      'project:sources': () => this.workspace.sourceStates(),
      'sessions:list': () => this.workspace.list(),
      'sessions:create': (p) => this.workspace.create(p),
      'sessions:open': (p) => this.workspace.open(p, [...this.jobs.values()]),
      'sessions:rename': (p) => this.workspace.rename(p),
      'sessions:duplicate': (p) => this.workspace.duplicate(p),
      'sessions:delete': (p) => this.workspace.remove(p),
      'sessions:compare': (p) => this.workspace.compare(p),
      'sessions:export': (p) => ({ file: String(p.file), bytes: 4096 }),
      'sessions:import': () => this.workspace.create({ name: `Imported ${this.workspace.list().length + 1}` }),
      'sessions:saveUiState': (p) => this.workspace.saveUiState(p),
      'jobs:resume': (p) => this.resumeJob(p.jobId as string),
      'runs:maps': (p) => this.workspace.mapsPage(p, [...this.jobs.values()]),
      'analysis:start': (p) => this.analyses.start(p),
      'analysis:result': (p) => this.analyses.result(p.jobId as string),
      'analysis:cancel': (p) => this.analyses.cancel(p.jobId as string)
    };
    const out = {} as Record<RequestName, Handler>;
    for (const channel of Object.keys(impl) as RequestName[]) {
      out[channel] = async (params) => {
        this.calls.push({ channel, params });
        const failure = this.failures.get(channel);
        this.failures.delete(channel);
        if (failure) throw AppError.fromData(failure);
        return impl[channel](params);
      };
    }
    return out;
  }
}

/** Creates a fresh fake with its own state; nothing is shared between instances. */
export function createFakeApi(options: FakeApiOptions = {}): FakeApi {
  const o: Required<FakeApiOptions> = { backend: 'tensorflow', fallbackReason: null, imageCount: 24, jobOutcome: 'succeed', stepMs: 0, ...options };
  const backend = new FakeBackend(o);
  const handlers = backend.handlers();
  const onAny = (listener: AnyListener) => {
    backend.listeners.add(listener);
    return () => void backend.listeners.delete(listener);
  };
  const subscribe = (event: EventName, listener: (payload: unknown) => void) => onAny((e, payload) => e === event && listener(payload));
  const api = buildApi((channel, params) => handlers[channel](params as Record<string, unknown>), subscribe);
  const wire = buildApi(async (channel, params) => {
    try {
      return { ok: true, value: await handlers[channel](params as Record<string, unknown>) };
    } catch (err) {
      return { ok: false, error: AppError.from(err).toJSON() };
    }
  }, subscribe) as unknown as FakeWireApi;
  return {
    api, wire, handlers, calls: backend.calls, onAny, options: o, workspace: backend.workspace,
    emit: (event, payload) => backend.emit(event, payload),
    failNext: (channel, error) => void backend.failures.set(channel, error),
    finishJob: (jobId, outcome) => backend.finishJob(jobId, outcome),
    progressJob: (jobId, done) => backend.progressJob(jobId, done)
  };
}
