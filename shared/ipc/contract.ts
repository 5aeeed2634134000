/**
 * The IPC contract: every request (name, params schema, result type) and every event (name,
 * payload type) between the renderer and main. One hand-written file, the single source for the
 * preload, the router, the browser-mode transport and the renderer's fake API.
 *
 * Channel names are `domain:verb`. Params are validated at the router with these zod schemas;
 * results are typed through a phantom. Pure: imports nothing runtime-specific.
 */
import { z } from 'zod';
import type { BackendInfo, ModelDescriptor, Prediction } from '../types/model';
import type { ImageListPage, ProjectSnapshot } from '../types/project';
import type { SourceStatus } from '../types/sources';
import type { JobProgress, JobSnapshot } from '../types/jobs';
import type { SaliencyMap, SaliencyMethodInfo } from '../types/saliency';
import type { ImageSetSummary } from '../types/images';
import type { ModelEntry } from '../types/project';
import type { SessionComparison, SessionDetail, SessionExportResult, SessionSummary, StoredJobSnapshot, StoredMapPage } from '../types/workspace';
import { ANALYSIS_MEASURES, ANALYSIS_METRICS, ANALYSIS_SANITY_MODES, type AnalysisResult } from '../types/analyses';

/** Phantom carrier of a result type: the value is never read. */
const returns = <T>(): T => undefined as T;

const id = z.string().min(1).max(200);
const indices = z.array(z.number().int().min(0)).max(10_000);
export const targetSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('predicted') }),
  z.object({ kind: z.literal('label') }),
  z.object({ kind: z.literal('class'), classIndex: z.number().int().min(0) })
]);

export const saliencyJobSpec = z.object({
  kind: z.literal('saliency-maps'),
  modelId: id,
  imageSetId: id,
  indices,
  method: z.string().min(1).max(64),
  params: z.record(z.string(), z.unknown()).default({}),
  target: targetSchema.default({ kind: 'predicted' }),
  /** Score the logit or the probability; absent: the method's own default. */
  score: z.enum(['logit', 'prob']).optional(),
  /** Seed of every random draw (stochastic methods); absent: 0. */
  seed: z.number().int().min(0).max(0xffffffff).optional(),
  /** Project storage only: the session the job's run is stored in (absent: the session named "Default", created when missing). */
  sessionId: z.string().min(1).max(200).optional(),
  /** Project storage only: inputs per batch = per commit (absent: from the engine's memory plan). */
  batchSize: z.number().int().min(1).max(4096).optional()
});
export type SaliencyJobSpec = z.infer<typeof saliencyJobSpec>;

/**
 * An analysis job (issue #5): faithfulness metrics (`evaluate`), a salience measure (`measure`) or a
 * sanity check (`sanity`) over images of one image set, run by the engine: a persisted job
 * (resumable, on the project's job queue; docs/jobs.md) in a storage project, an in-memory job in a
 * read-only project; its result document is read with `analysis:result`.
 */
const analysisMethod = z.string().min(1).max(64);
const analysisParams = z.record(z.string(), z.unknown());
/** Storage projects only: the session the result is recorded in (absent: "Default", created when missing). */
const analysisSession = { sessionId: id.optional() };
export const analysisSpec = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('evaluate'), modelId: id, imageSetId: id, indices: indices.min(1),
    metrics: z.array(z.enum(ANALYSIS_METRICS)).min(1).max(4).refine((m) => new Set(m).size === m.length, 'a metric is listed twice'),
    method: analysisMethod, params: analysisParams.default({}),
    /** Baseline id of the shared registry, e.g. `mean-colour` or `blur:sigma=5`; absent: each metric's default. */
    baseline: z.string().min(1).max(200).optional(),
    steps: z.number().int().min(1).max(10_000).optional(),
    seed: z.number().int().min(0).max(0xffffffff).optional(),
    ...analysisSession
  }).strict(),
  z.object({
    kind: z.literal('measure'), measure: z.enum(ANALYSIS_MEASURES), modelIds: z.array(id).min(1).max(20), imageSetId: id, indices: indices.min(1),
    method: analysisMethod.optional(), params: analysisParams.optional(), seed: z.number().int().min(0).max(0xffffffff).optional(),
    ...analysisSession
  }).strict(),
  z.object({
    kind: z.literal('sanity'), mode: z.enum(ANALYSIS_SANITY_MODES), modelId: id, imageSetId: id, indices: indices.min(1),
    method: analysisMethod, seed: z.number().int().min(0).max(0xffffffff).optional(),
    ...analysisSession
  }).strict()
]);
export type AnalysisSpec = z.infer<typeof analysisSpec>;

export interface AppInfo {
  appVersion: string;
  mode: 'electron' | 'browser';
  engine: BackendInfo;
  engineState: EngineState;
}

export type EngineState = 'starting' | 'ready' | 'crashed' | 'stopped';

/**
 * Native file dialogs (Electron mode only; browser mode answers UNSUPPORTED and the UI shows a
 * path field). `kind` picks what is chosen and the filters; `path` is null when the user cancels.
 */
export const OPEN_DIALOG_KINDS = ['project-folder', 'model', 'image-folder', 'image-file', 'session-zip'] as const;
export const SAVE_DIALOG_KINDS = ['session-zip'] as const;
const dialogPath = z.string().min(1).max(4096).optional();
const filePath = z.string().min(1).max(4096);
const sessionName = z.string().trim().min(1).max(200);
export type OpenDialogKind = (typeof OPEN_DIALOG_KINDS)[number];
export type SaveDialogKind = (typeof SAVE_DIALOG_KINDS)[number];

/** What the application menu asks the renderer to do; paths were already chosen in a native dialog. */
export type MenuCommand =
  | { command: 'project:new'; dir: string }
  | { command: 'project:open'; dir: string }
  | { command: 'project:close' }
  | { command: 'session:export'; file: string };

export const requests = {
  'app:info': { params: z.object({}).strict(), result: returns<AppInfo>() },
  'project:current': { params: z.object({}).strict(), result: returns<ProjectSnapshot>() },
  'models:describe': { params: z.object({ modelId: id }).strict(), result: returns<ModelDescriptor>() },
  'models:predict': {
    params: z.object({ modelId: id, imageSetId: id, indices, top: z.number().int().min(1).max(100).default(3) }).strict(),
    result: returns<Prediction[]>()
  },
  'images:list': {
    params: z
      .object({ imageSetId: id, offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(500).default(50), thumbSize: z.number().int().min(8).max(512).default(64) })
      .strict(),
    result: returns<ImageListPage>()
  },
  'saliency:methods': { params: z.object({}).strict(), result: returns<SaliencyMethodInfo[]>() },
  'jobs:start': { params: saliencyJobSpec.strict(), result: returns<{ jobId: string }>() },
  'jobs:cancel': { params: z.object({ jobId: id }).strict(), result: returns<{ cancelled: boolean }>() },
  'jobs:list': { params: z.object({ sessionId: id.optional() }).strict(), result: returns<JobSnapshot[]>() },
  'jobs:get': { params: z.object({ jobId: id }).strict(), result: returns<JobSnapshot>() },
  'dialogs:open': { params: z.object({ kind: z.enum(OPEN_DIALOG_KINDS), defaultPath: dialogPath }).strict(), result: returns<{ path: string | null }>() },
  'dialogs:save': { params: z.object({ kind: z.enum(SAVE_DIALOG_KINDS), defaultPath: dialogPath }).strict(), result: returns<{ path: string | null }>() },
  // Project storage (main/storage): a project folder with its database; the demo stays a read-only project.json project.
  'project:create': { params: z.object({ dir: filePath, name: z.string().min(1).max(200).optional() }).strict(), result: returns<ProjectSnapshot>() },
  'project:open': { params: z.object({ dir: filePath }).strict(), result: returns<ProjectSnapshot>() },
  'project:addModel': { params: z.object({ path: filePath, copy: z.boolean().default(false), name: z.string().min(1).max(200).optional() }).strict(), result: returns<ModelEntry>() },
  'project:addImages': {
    params: z.object({ path: filePath, copy: z.boolean().default(false), name: z.string().min(1).max(200).optional(), labelsPath: filePath.optional() }).strict(),
    result: returns<ImageSetSummary>()
  },
  'sessions:list': { params: z.object({}).strict(), result: returns<SessionSummary[]>() },
  'sessions:create': { params: z.object({ name: sessionName, modelIds: z.array(id).max(100).default([]), imageSetIds: z.array(id).max(100).default([]) }).strict(), result: returns<SessionSummary>() },
  'sessions:open': { params: z.object({ sessionId: id }).strict(), result: returns<SessionDetail>() },
  'sessions:rename': { params: z.object({ sessionId: id, name: sessionName }).strict(), result: returns<SessionSummary>() },
  'sessions:duplicate': { params: z.object({ sessionId: id, name: sessionName }).strict(), result: returns<SessionSummary>() },
  'sessions:delete': { params: z.object({ sessionId: id }).strict(), result: returns<{ deleted: boolean }>() },
  'sessions:compare': { params: z.object({ a: id, b: id }).strict(), result: returns<SessionComparison>() },
  'sessions:export': { params: z.object({ sessionId: id, file: filePath, includeSources: z.boolean().default(false) }).strict(), result: returns<SessionExportResult>() },
  'sessions:import': { params: z.object({ file: filePath }).strict(), result: returns<SessionSummary>() },
  'sessions:saveUiState': { params: z.object({ sessionId: id, uiState: z.record(z.string(), z.unknown()) }).strict(), result: returns<{ savedAt: string }>() },
  /** Closes the open storage project (running job cancelled, resumable; database closed) and opens the demo; answers the demo's snapshot. */
  'project:close': { params: z.object({}).strict(), result: returns<ProjectSnapshot>() },
  /** Every model and image set of the open storage project checked against its import hash (empty for a read-only project.json project). */
  'project:sources': { params: z.object({}).strict(), result: returns<SourceStatus[]>() },
  /** Puts a cancelled or failed persisted job back in the queue; finished items are kept. */
  'jobs:resume': { params: z.object({ jobId: id }).strict(), result: returns<StoredJobSnapshot>() },
  'analysis:start': { params: analysisSpec, result: returns<{ jobId: string }>() },
  'analysis:result': { params: z.object({ jobId: id }).strict(), result: returns<AnalysisResult>() },
  /** Cancels an analysis job (persisted in a storage project, else in-memory). */
  'analysis:cancel': { params: z.object({ jobId: id }).strict(), result: returns<{ cancelled: boolean }>() },
  /** A page of a run's stored maps, display-sized (longest side ≤ maxSide); full-size arrays stay on disk. */
  'runs:maps': {
    params: z.object({ runId: id, offset: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(256).default(32), maxSide: z.number().int().min(8).max(512).default(128) }).strict(),
    result: returns<StoredMapPage>()
  }
} as const;

export interface EventPayloads {
  'jobs:state': JobSnapshot;
  'jobs:progress': { jobId: string; progress: JobProgress };
  'jobs:partial': { jobId: string; item: SaliencyMap };
  'engine:state': { state: EngineState; reason?: string };
  'menu:command': MenuCommand;
}

export type RequestName = keyof typeof requests;
export type EventName = keyof EventPayloads;
export type ParamsOf<K extends RequestName> = z.input<(typeof requests)[K]['params']>;
export type ValidParamsOf<K extends RequestName> = z.output<(typeof requests)[K]['params']>;
export type ResultOf<K extends RequestName> = (typeof requests)[K]['result'];

export const REQUEST_CHANNELS = Object.keys(requests) as RequestName[];
export const EVENT_CHANNELS: EventName[] = ['jobs:state', 'jobs:progress', 'jobs:partial', 'engine:state', 'menu:command'];

type Domain<K extends string> = K extends `${infer D}:${string}` ? D : never;
type Verb<K extends string, D extends string> = K extends `${D}:${infer V}` ? V : never;

/** The API object the renderer sees (`window.api` in Electron), derived from the contract. */
export type Api = {
  [D in Domain<RequestName>]: { [V in Verb<RequestName, D>]: (params: ParamsOf<`${D}:${V}` & RequestName>) => Promise<ResultOf<`${D}:${V}` & RequestName>> };
} & {
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
};

/** Builds the nested API object from two primitives; used by the preload and the browser transport. */
export function buildApi(
  invoke: (channel: RequestName, params: unknown) => Promise<unknown>,
  subscribe: (event: EventName, listener: (payload: unknown) => void) => () => void
): Api {
  const api: Record<string, Record<string, unknown>> = {};
  for (const channel of REQUEST_CHANNELS) {
    const [domain, verb] = channel.split(':') as [string, string];
    (api[domain] ??= {})[verb] = (params: unknown) => invoke(channel, params ?? {});
  }
  return Object.assign(api, {
    on: (event: EventName, listener: (payload: unknown) => void) => {
      if (!EVENT_CHANNELS.includes(event)) throw new Error(`unknown event channel ${event}`);
      return subscribe(event, listener);
    }
  }) as unknown as Api;
}
