/**
 * What the workbench has open: a storage project (a folder with `project.db`: models, image sets,
 * sessions, persisted jobs; main/storage) or a read-only `project.json` project such as the
 * embedded demo (main/app/project-service.ts; jobs there run in memory and are not kept).
 *
 * One project is open at a time. Opening another cancels the open project's running job (it stays
 * resumable) and closes its database. A storage project's persisted jobs report through the event
 * bus exactly like in-memory jobs (`jobs:state`, `jobs:progress`, `jobs:partial`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors';
import type { ImageSetSummary } from '../../shared/types/images';
import type { ProjectSnapshot } from '../../shared/types/project';
import type { EngineClient } from '../jobs/engine-client';
import { PersistedJobs } from '../jobs/persisted/service';
import { listImageSets } from '../storage/image-sets';
import { listModels, modelEntry, resolveModel } from '../storage/models';
import { createProject, isProject, openProject as openStorage, resolveStored, type Project } from '../storage/project';
import type { EventBus } from './event-bus';
import { demoProjectDir, openProject as openManifestProject, type OpenProject } from './project-service';

/** An open storage project with its job queue. */
export interface StorageProject {
  project: Project;
  jobs: PersistedJobs;
}

export interface WorkspaceDeps {
  engine: EngineClient;
  events: EventBus;
  /** Folder opened first (a storage project or a project.json folder). */
  initialDir: string;
  /** Whether `initialDir` is the embedded demo. */
  initialIsDemo: boolean;
  /** Opens the initial project.json project instead of reading `initialDir` (tests, the read-only default). */
  loadManifest?: () => Promise<OpenProject>;
}

function storageSnapshot(project: Project): ProjectSnapshot {
  const imageSets: ImageSetSummary[] = listImageSets(project).map((r) => ({ ...r.summary, id: r.id, name: r.name, root: resolveStored(project, r.storedPath) }));
  return { name: project.name, root: project.root, isDemo: false, models: listModels(project).map((r) => modelEntry(project, r)), imageSets };
}

/** The OpenProject view (used by the model/image/predict handlers) of a storage project. */
function storageView(project: Project): OpenProject {
  return {
    get snapshot() {
      return storageSnapshot(project);
    },
    // Models are checked against their recorded hashes before use (MODEL_CHANGED / SOURCE_MISSING).
    modelPath: (id) => resolveModel(project, id).path,
    imageSetPath: (id) => {
      const set = listImageSets(project).find((s) => s.id === id);
      if (!set) throw new AppError('NOT_FOUND', `The project has no image set "${id}".`);
      return resolveStored(project, set.storedPath);
    }
  };
}

export class Workspace {
  private manifest: Promise<OpenProject> | null = null;
  private storage: StorageProject | null = null;
  private dir: string;
  private isDemo: boolean;

  constructor(private readonly deps: WorkspaceDeps) {
    this.dir = deps.initialDir;
    this.isDemo = deps.initialIsDemo;
  }

  /** The open project as the read-only handlers use it; opens the initial folder on first use. */
  async current(): Promise<OpenProject> {
    if (this.storage) return storageView(this.storage.project);
    if (!(this.dir === this.deps.initialDir && this.deps.loadManifest) && isProject(this.dir)) return storageView(this.openStorage(this.dir).project);
    if (!this.manifest) {
      const initial = this.dir === this.deps.initialDir && this.deps.loadManifest;
      const opening = initial ? initial() : openManifestProject(this.dir, this.deps.engine, this.isDemo);
      this.manifest = opening;
      opening.catch(() => {
        if (this.manifest === opening) this.manifest = null; // a failed open is retried on the next request
      });
    }
    return this.manifest;
  }

  /** The open storage project, or a clear error when a read-only project.json project is open. */
  async requireStorage(): Promise<StorageProject> {
    await this.current();
    if (this.storage) return this.storage;
    throw new AppError('PARAM_INVALID', `${this.isDemo ? 'The demo project' : `The project in ${this.dir}`} is read-only (a project.json folder): it has no sessions or stored jobs.`, {
      hint: 'Create a project (a new empty folder) and add models and image sets to it, or open an existing one.'
    });
  }

  /** The persisted job queue when a storage project is open, else null (in-memory jobs). */
  async storageJobs(): Promise<PersistedJobs | null> {
    await this.current().catch(() => null);
    return this.storage?.jobs ?? null;
  }

  async create(dir: string, name?: string): Promise<ProjectSnapshot> {
    const root = path.resolve(dir);
    await this.closeStorage();
    createProject(root, name).close();
    this.switchTo(root);
    return storageSnapshot(this.openStorage(root).project);
  }

  async open(dir: string): Promise<ProjectSnapshot> {
    const root = path.resolve(dir);
    if (!fs.existsSync(root)) throw new AppError('NOT_FOUND', `There is no folder ${root}.`);
    if (!isProject(root) && !fs.existsSync(path.join(root, 'project.json'))) {
      throw new AppError('NOT_FOUND', `${root} is not a project (no project.db or project.json).`, { hint: 'Create a project in an empty folder instead.' });
    }
    await this.closeStorage();
    this.switchTo(root);
    return (await this.current()).snapshot;
  }

  /**
   * `project:close`: closes the open storage project (running job cancelled and left resumable,
   * database closed, lock released) and falls back to the demo project. With the demo (or another
   * read-only project.json project) open it only switches to the demo.
   */
  async close(): Promise<ProjectSnapshot> {
    await this.closeStorage();
    const initialDemo = this.deps.initialIsDemo;
    this.dir = initialDemo ? this.deps.initialDir : demoProjectDir();
    this.isDemo = true;
    this.manifest = null;
    return (await this.current()).snapshot;
  }

  /** Cancels the running job (it stays resumable) and closes the database. */
  async closeStorage(): Promise<void> {
    const open = this.storage;
    if (!open) return;
    this.storage = null;
    await open.jobs.cancelAll();
    open.project.close();
  }

  private switchTo(root: string): void {
    this.dir = root;
    this.isDemo = false;
    this.manifest = null;
  }

  private openStorage(dir: string): StorageProject {
    const project = openStorage(dir);
    const { events } = this.deps;
    const jobs = new PersistedJobs({
      project,
      engine: this.deps.engine,
      events: {
        state: (job) => events.emit('jobs:state', job),
        progress: (jobId, progress) => events.emit('jobs:progress', { jobId, progress }),
        partial: (jobId, item) => events.emit('jobs:partial', { jobId, item })
      }
    });
    this.storage = { project, jobs };
    return this.storage;
  }
}
