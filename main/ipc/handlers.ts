/** Contract handlers: thin delegation from each request to the project, engine and job services. */
import type { AppInfo } from '../../shared/ipc/contract';
import { dialogHandlers, type NativeDialogs } from '../app/native-dialogs';
import type { OpenProject } from '../app/project-service';
import type { EngineClient } from '../jobs/engine-client';
import type { JobManager } from '../jobs/job-manager';
import { Workspace } from '../app/workspace';
import { EventBus } from '../app/event-bus';
import { workspaceHandlers } from './workspace-handlers';
import { analysisHandlers } from './analysis-handlers';
import type { Handlers } from './router';

export interface HandlerDeps {
  appVersion: string;
  mode: AppInfo['mode'];
  engine: EngineClient;
  jobs: JobManager;
  project: () => Promise<OpenProject>;
  /** Projects, sessions and persisted jobs (the open project: storage or read-only project.json); absent: `project` only, read-only. */
  workspace?: Workspace;
  /** Native file dialogs (Electron only); absent: `dialogs:*` answer UNSUPPORTED. */
  dialogs?: NativeDialogs;
}

export function createHandlers(deps: HandlerDeps): Handlers {
  const { engine, jobs } = deps;
  const workspace = deps.workspace ?? new Workspace({ engine, events: new EventBus(), initialDir: '', initialIsDemo: false, loadManifest: deps.project });
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
    ...workspaceHandlers({ workspace, engine, jobs }),
    ...analysisHandlers({ engine, jobs, project: () => workspace.current(), storage: async () => ((await workspace.storageJobs()) ? (await workspace.requireStorage()).project : null), persisted: () => workspace.storageJobs() }),
    ...dialogHandlers(deps.dialogs)
  };
}
