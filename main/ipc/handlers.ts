/** Contract handlers: thin delegation from each request to the project, engine and job services. */
import type { AppInfo } from '../../shared/ipc/contract';
import { dialogHandlers, type NativeDialogs } from '../app/native-dialogs';
import type { OpenProject } from '../app/project-service';
import type { EngineClient } from '../jobs/engine-client';
import type { JobManager } from '../jobs/job-manager';
import type { Handlers } from './router';

export interface HandlerDeps {
  appVersion: string;
  mode: AppInfo['mode'];
  engine: EngineClient;
  jobs: JobManager;
  project: () => Promise<OpenProject>;
  /** Native file dialogs (Electron only); absent: `dialogs:*` answer UNSUPPORTED. */
  dialogs?: NativeDialogs;
}

export function createHandlers(deps: HandlerDeps): Handlers {
  const { engine, jobs } = deps;
  return {
    'app:info': async () => ({ appVersion: deps.appVersion, mode: deps.mode, engine: await engine.info(), engineState: engine.state }),
    'project:current': async () => (await deps.project()).snapshot,
    'models:describe': async ({ modelId }) => engine.request('loadModel', { path: (await deps.project()).modelPath(modelId) }),
    'models:predict': async ({ modelId, imageSetId, indices, top }) => {
      const project = await deps.project();
      return engine.request('predict', { modelPath: project.modelPath(modelId), inputs: { path: project.imageSetPath(imageSetId), indices }, top });
    },
    'images:list': async ({ imageSetId, offset, limit, thumbSize }) => {
      const project = await deps.project();
      const setPath = project.imageSetPath(imageSetId);
      const summary = project.snapshot.imageSets.find((s) => s.id === imageSetId);
      const items = await engine.request('listItems', { path: setPath, offset, limit });
      const thumbs = await engine.request('thumbnails', { path: setPath, indices: items.map((i) => i.index), size: thumbSize });
      return { imageSetId, total: summary?.count ?? items.length, offset, items: items.map((item, k) => ({ index: item.index, path: item.path, label: item.label, thumbnail: thumbs[k] })) };
    },
    'saliency:methods': async () => engine.request('listMethods', {}),
    'jobs:start': async (spec) => {
      const project = await deps.project();
      const modelPath = project.modelPath(spec.modelId);
      const inputs = { path: project.imageSetPath(spec.imageSetId), indices: spec.indices };
      const job = jobs.submit(spec.kind, spec, async (io) => {
        await engine.request('saliency', { modelPath, inputs, method: spec.method, params: spec.params, target: spec.target, score: spec.score, seed: spec.seed }, { signal: io.signal, onProgress: io.progress, onPartial: io.partial });
      });
      return { jobId: job.id };
    },
    'jobs:cancel': async ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),
    'jobs:list': async () => jobs.list(),
    'jobs:get': async ({ jobId }) => jobs.get(jobId),
    ...dialogHandlers(deps.dialogs)
  };
}
