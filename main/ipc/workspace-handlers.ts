/**
 * Contract handlers for projects, sessions and jobs (thin delegation to main/app/workspace.ts,
 * main/storage and main/jobs/persisted). Jobs go to the persisted queue when a storage project is
 * open and to the in-memory job manager for a read-only project.json project (the demo).
 *
 * Read-only requests (jobs:list/get, sessions:list/open, runs:maps, project:current) read the
 * database synchronously and never wait for the running job; only the job queue does.
 */
import { AppError } from '../../shared/errors';
import type { SaliencyJobSpec } from '../../shared/ipc/contract';
import type { EngineClient } from '../jobs/engine-client';
import type { JobManager } from '../jobs/job-manager';
import type { OpenProject } from '../app/project-service';
import type { Workspace } from '../app/workspace';
import { readMapPage } from '../jobs/persisted/map-pages';
import { resolveImageSetRef, resolveModelRef, sessionIdFor } from '../jobs/persisted/project-access';
import { compareSessions } from '../storage/compare-sessions';
import { commitImageSet, stageImageSet } from '../storage/image-sets';
import { sessionHasActiveJob } from '../storage/jobs';
import { commitModel, modelEntry, stageModel } from '../storage/models';
import { aboutSource } from '../storage/sources';
import { exportSession } from '../storage/session-export';
import { sourceStatuses } from '../storage/source-status';
import { importSession } from '../storage/session-import';
import { createSession, deleteSession, duplicateSession, getSession, listSessions, renameSession, saveUiState } from '../storage/sessions';
import type { Handlers } from './router';

export interface WorkspaceHandlerDeps {
  workspace: Workspace;
  engine: EngineClient;
  /** In-memory jobs, for read-only (project.json) projects. */
  jobs: JobManager;
}

/** Session jobs land in when `jobs:start` names none. */
export const DEFAULT_SESSION = 'Default';

type WorkspaceChannels =
  | 'project:create' | 'project:open' | 'project:addModel' | 'project:addImages' | 'project:close' | 'project:sources'
  | 'sessions:list' | 'sessions:create' | 'sessions:open' | 'sessions:rename' | 'sessions:duplicate' | 'sessions:delete' | 'sessions:compare' | 'sessions:export' | 'sessions:import' | 'sessions:saveUiState'
  | 'jobs:start' | 'jobs:cancel' | 'jobs:list' | 'jobs:get' | 'jobs:resume' | 'runs:maps';

/** The in-memory job of a project.json project (nothing is stored). */
function startInMemory(deps: WorkspaceHandlerDeps, project: OpenProject, spec: SaliencyJobSpec): { jobId: string } {
  const modelPath = project.modelPath(spec.modelId);
  const inputs = { path: project.imageSetPath(spec.imageSetId), indices: spec.indices };
  const job = deps.jobs.submit(spec.kind, spec, async (io) => {
    await deps.engine.request('saliency', { modelPath, inputs, method: spec.method, params: spec.params, target: spec.target, score: spec.score, seed: spec.seed, batchSize: spec.batchSize }, { signal: io.signal, onProgress: io.progress, onPartial: io.partial });
  });
  return { jobId: job.id };
}

function jobHandlers(deps: WorkspaceHandlerDeps): Pick<Handlers, 'jobs:start' | 'jobs:cancel' | 'jobs:list' | 'jobs:get' | 'jobs:resume' | 'runs:maps'> {
  const { workspace } = deps;
  return {
    'jobs:start': async (spec) => {
      const stored = await workspace.storageJobs();
      if (!stored) return startInMemory(deps, await workspace.current(), spec);
      const { project, jobs } = await workspace.requireStorage();
      const model = resolveModelRef(project, spec.modelId);
      const imageSet = await resolveImageSetRef(project, spec.imageSetId);
      // "Default" is created only once the job is accepted (createMapsJob calls this after validation).
      const sessionId = spec.sessionId ? getSession(project, spec.sessionId).id : () => sessionIdFor(project, DEFAULT_SESSION);
      const job = await jobs.create({ sessionId, model, imageSet, method: spec.method, params: spec.params, target: spec.target, score: spec.score, seed: spec.seed, batchSize: spec.batchSize, indices: spec.indices.length ? spec.indices : undefined });
      // Runs in the background; its outcome is recorded in the row and reported by jobs:state.
      jobs.start(job.id).catch(() => {});
      return { jobId: job.id };
    },
    'jobs:cancel': async ({ jobId }) => {
      const stored = await workspace.storageJobs();
      return { cancelled: stored ? stored.cancel(jobId) : deps.jobs.cancel(jobId) };
    },
    'jobs:list': async ({ sessionId }) => {
      const stored = await workspace.storageJobs();
      return stored ? stored.list(sessionId) : deps.jobs.list();
    },
    'jobs:get': async ({ jobId }) => {
      const stored = await workspace.storageJobs();
      return stored ? stored.get(jobId) : deps.jobs.get(jobId);
    },
    'jobs:resume': async ({ jobId }) => {
      const { jobs } = await workspace.requireStorage();
      jobs.resume(jobId).catch(() => {});
      return jobs.get(jobId);
    },
    'runs:maps': async ({ runId, offset, limit, maxSide }) => readMapPage((await workspace.requireStorage()).project, runId, offset, limit, maxSide)
  };
}

function projectHandlers(deps: WorkspaceHandlerDeps): Pick<Handlers, Extract<WorkspaceChannels, `project:${string}`>> {
  const { workspace, engine } = deps;
  return {
    'project:create': async ({ dir, name }) => workspace.create(dir, name),
    'project:open': async ({ dir }) => workspace.open(dir),
    'project:close': async () => workspace.close(),
    // A read-only project.json project records no hashes: nothing to check.
    'project:sources': async () => {
      const stored = await workspace.storageJobs();
      return stored ? sourceStatuses((await workspace.requireStorage()).project) : [];
    },
    'project:addModel': async ({ path, copy, name }) => {
      const { project } = await workspace.requireStorage();
      const staged = stageModel(project, path, copy);
      try {
        const descriptor = await engine.request('loadModel', { path: staged.entry });
        return modelEntry(project, commitModel(project, staged, descriptor, { name }));
      } catch (err) {
        staged.discard();
        throw aboutSource(staged, err);
      }
    },
    'project:addImages': async ({ path, copy, name, labelsPath }) => {
      const { project } = await workspace.requireStorage();
      const staged = await stageImageSet(project, path, { copy, labelsPath });
      try {
        const summary = await engine.request('openImageSet', { path: staged.entry, labelsPath: staged.labels ?? undefined });
        const record = commitImageSet(project, staged, summary, { name });
        return { ...record.summary, id: record.id, name: record.name };
      } catch (err) {
        staged.discard();
        throw aboutSource(staged, err);
      }
    }
  };
}

function sessionHandlers(deps: WorkspaceHandlerDeps): Pick<Handlers, Extract<WorkspaceChannels, `sessions:${string}`>> {
  const storage = () => deps.workspace.requireStorage();
  return {
    'sessions:list': async () => listSessions((await storage()).project),
    'sessions:create': async ({ name, modelIds, imageSetIds }) => createSession((await storage()).project, { name, modelIds, imageSetIds }),
    'sessions:open': async ({ sessionId }) => {
      const { project, jobs } = await storage();
      return { ...getSession(project, sessionId), jobs: jobs.list(sessionId) };
    },
    'sessions:rename': async ({ sessionId, name }) => renameSession((await storage()).project, sessionId, name),
    'sessions:duplicate': async ({ sessionId, name }) => duplicateSession((await storage()).project, sessionId, name),
    'sessions:delete': async ({ sessionId }) => {
      const { project } = await storage();
      if (sessionHasActiveJob(project.db, sessionId)) throw new AppError('PARAM_INVALID', 'The session has a queued or running job; cancel it before deleting the session.');
      return { deleted: deleteSession(project, sessionId).deleted };
    },
    'sessions:compare': async ({ a, b }) => compareSessions((await storage()).project, a, b),
    'sessions:export': async ({ sessionId, file, includeSources }) => {
      const result = await exportSession((await storage()).project, sessionId, file, { includeSources });
      return { file: result.file, bytes: result.bytes };
    },
    'sessions:import': async ({ file }) => importSession((await storage()).project, file),
    'sessions:saveUiState': async ({ sessionId, uiState }) => saveUiState((await storage()).project, sessionId, uiState)
  };
}

/** Every handler of the project, session and job requests. */
export function workspaceHandlers(deps: WorkspaceHandlerDeps): Pick<Handlers, WorkspaceChannels> {
  return { ...projectHandlers(deps), ...sessionHandlers(deps), ...jobHandlers(deps) };
}
