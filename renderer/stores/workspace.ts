/**
 * Project-level actions: create or open a project folder, import a model or an image set, the
 * recently opened folders, and the state of each model's source files (changed or missing since
 * import). Each action keeps its own last error so the form that ran it can show it inline
 * (ErrorDetails) instead of a toast that disappears.
 */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { AppError, type AppErrorData } from '../../shared/errors';
import type { MenuCommand, OpenDialogKind } from '../../shared/ipc/contract';
import type { ProjectSnapshot } from '../../shared/types/project';
import { getApi } from '../api';
import { useImagesStore } from './images';
import { useNotificationsStore } from './notifications';
import { useProjectStore } from './project';
import { useSessionsStore } from './sessions';

export type WorkspaceAction = 'create' | 'open' | 'model' | 'images';
/** The form actions plus Close Project (menu only, no form). */
type StoreAction = WorkspaceAction | 'close';
export type SourceState = 'ok' | 'changed' | 'missing' | 'unchecked';

/** localStorage key of the recent project folders (browser mode has no OS recent list). */
export const RECENT_KEY = 'saliency.recentProjects';
const RECENT_MAX = 6;

function readRecent(): string[] {
  try {
    const list: unknown = JSON.parse(globalThis.localStorage?.getItem(RECENT_KEY) ?? '[]');
    return Array.isArray(list) ? list.filter((d): d is string => typeof d === 'string').slice(0, RECENT_MAX) : [];
  } catch {
    return [];
  }
}

/** A source problem as a state: the storage layer refuses changed or missing files with these codes. */
export function sourceStateOf(err: unknown): SourceState | null {
  const code = AppError.from(err).code;
  if (code === 'MODEL_CHANGED' || code === 'IMAGE_SET_CHANGED') return 'changed';
  if (code === 'SOURCE_MISSING') return 'missing';
  return null;
}

export const useWorkspaceStore = defineStore('workspace', () => {
  const busy = ref<StoreAction | null>(null);
  const errors = ref<Record<StoreAction, AppErrorData | null>>({ create: null, open: null, model: null, images: null, close: null });
  const recent = ref<string[]>(readRecent());
  /** Per model or image set id: whether its files still match what was imported. */
  const sources = ref<Record<string, { state: SourceState; message: string | null }>>({});
  let menuListening = false;

  function remember(dir: string): void {
    recent.value = [dir, ...recent.value.filter((d) => d !== dir)].slice(0, RECENT_MAX);
    try {
      globalThis.localStorage?.setItem(RECENT_KEY, JSON.stringify(recent.value));
    } catch {
      // A full or disabled storage only loses the recent list.
    }
  }

  /** Runs one action with its busy flag and inline error; true when it succeeded. */
  async function run(action: StoreAction, work: () => Promise<void>): Promise<boolean> {
    busy.value = action;
    errors.value = { ...errors.value, [action]: null };
    try {
      await work();
      return true;
    } catch (err) {
      errors.value = { ...errors.value, [action]: AppError.from(err).toJSON() };
      return false;
    } finally {
      busy.value = null;
    }
  }

  /** Shows a newly opened project: its snapshot, first image page, sessions and source check. */
  async function show(snapshot: ProjectSnapshot): Promise<void> {
    const project = useProjectStore();
    project.setSnapshot(snapshot);
    useImagesStore().reset();
    sources.value = {};
    await useSessionsStore().reset();
    if (project.selectedImageSetId) await useImagesStore().loadPage(project.selectedImageSetId, project.selectedModelId);
    void checkSources();
  }

  const createProject = (dir: string, name?: string) =>
    run('create', async () => {
      const snapshot = await getApi().project.create({ dir, name: name || undefined });
      remember(snapshot.root);
      await show(snapshot);
    });

  const openProject = (dir: string) =>
    run('open', async () => {
      const snapshot = await getApi().project.open({ dir });
      remember(snapshot.root);
      await show(snapshot);
    });

  /** Closes the storage project (its running job is cancelled, resumable) and shows the demo again. */
  const closeProject = () =>
    run('close', async () => {
      await show(await getApi().project.close({}));
    });

  const importModel = (path: string, copy: boolean, name?: string) =>
    run('model', async () => {
      const entry = await getApi().project.addModel({ path, copy, name: name || undefined });
      await afterImport('model', entry.id);
    });

  const importImages = (path: string, copy: boolean, name?: string) =>
    run('images', async () => {
      const set = await getApi().project.addImages({ path, copy, name: name || undefined });
      await afterImport('images', set.id);
    });

  async function afterImport(kind: 'model' | 'images', id: string): Promise<void> {
    const project = useProjectStore();
    await project.refresh();
    if (kind === 'model') project.selectModel(id);
    else project.selectImageSet(id);
    sources.value = { ...sources.value, [id]: { state: 'ok', message: null } };
    if (project.selectedImageSetId) await useImagesStore().loadPage(project.selectedImageSetId, project.selectedModelId);
  }

  /**
   * Checks every model and image set of a storage project against its recorded hashes
   * (`project:sources`, the check `saliency project show` makes). A source the check could not
   * reach stays "unchecked"; `noteSourceError` records what a later run reported.
   */
  async function checkSources(): Promise<void> {
    const project = useProjectStore().project;
    if (!project || project.isDemo) return;
    for (const s of [...project.models, ...project.imageSets]) sources.value = { ...sources.value, [s.id]: sources.value[s.id] ?? { state: 'unchecked', message: null } };
    try {
      for (const s of await getApi().project.sources({})) sources.value = { ...sources.value, [s.id]: { state: s.state, message: s.message } };
    } catch {
      // Left "unchecked": every run checks its sources again and reports a change (noteSourceError).
    }
  }

  /** Records a changed/missing source reported by another request (a run's start, say); false if `err` is not one. */
  function noteSourceError(id: string, err: unknown): boolean {
    const state = sourceStateOf(err);
    if (!state) return false;
    sources.value = { ...sources.value, [id]: { state, message: AppError.from(err).message } };
    return true;
  }

  /** A path from the native dialog (Electron); null when cancelled or where there is none (browser mode: type it). */
  async function browse(kind: OpenDialogKind): Promise<string | null> {
    try {
      return (await getApi().dialogs.open({ kind })).path;
    } catch {
      return null;
    }
  }

  /**
   * Follows the Electron menu (`menu:command`; paths already chosen in a native dialog). Close
   * Project goes back to the demo project (`project:close`).
   */
  function listenMenu(): void {
    if (menuListening) return;
    menuListening = true;
    getApi().on('menu:command', (cmd) => void runMenuCommand(cmd));
  }

  async function runMenuCommand(cmd: MenuCommand): Promise<void> {
    const notes = useNotificationsStore();
    if (cmd.command === 'project:new' && !(await createProject(cmd.dir))) notes.error(errors.value.create, 'Could not create the project');
    else if (cmd.command === 'project:open' && !(await openProject(cmd.dir))) notes.error(errors.value.open, 'Could not open the project');
    else if (cmd.command === 'session:export') {
      const sessions = useSessionsStore();
      const id = sessions.currentId;
      if (!id) notes.push({ kind: 'warning', title: 'No session to export', message: 'Open a session in the sidebar first, then export it.' });
      else if (!(await sessions.exportTo(id, cmd.file))) notes.error(sessions.error?.error, 'Could not export the session');
      else notes.push({ kind: 'info', title: 'Session exported', message: cmd.file });
    } else if (cmd.command === 'project:close') {
      if (!(await closeProject())) notes.error(errors.value.close, 'Could not close the project');
    }
  }

  function clearError(action: WorkspaceAction): void {
    errors.value = { ...errors.value, [action]: null };
  }

  return { busy, errors, recent, sources, createProject, openProject, closeProject, importModel, importImages, checkSources, noteSourceError, browse, listenMenu, runMenuCommand, clearError };
});
