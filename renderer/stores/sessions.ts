/**
 * Sessions of the open storage project: the list, the open session (its runs and persisted jobs),
 * and the session actions (create, rename, duplicate, delete, compare, export, import). Opening a
 * session restores its saved UI state (session-ui.ts); while one is open, UI changes are saved
 * back, debounced, through `sessions:saveUiState`. A read-only (project.json) project has no
 * sessions: `available` is false and nothing is requested.
 */
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { AppError, type AppErrorData } from '../../shared/errors';
import type { SessionComparison, SessionDetail, SessionExportResult, SessionSummary } from '../../shared/types/workspace';
import { getApi } from '../api';
import { useAnalysesStore } from './analyses';
import { useProjectStore } from './project';
import { useRunsStore } from './runs';
import { applyUiState, captureUiState, parseUiState } from './session-ui';
import { useWorkspaceStore } from './workspace';

export type SessionAction = 'list' | 'create' | 'open' | 'rename' | 'duplicate' | 'delete' | 'compare' | 'export' | 'import';

/** Delay between the last UI change and its save. */
export const UI_SAVE_DELAY_MS = 400;

export const useSessionsStore = defineStore('sessions', () => {
  const sessions = ref<SessionSummary[]>([]);
  const current = shallowRef<SessionDetail | null>(null);
  const comparison = shallowRef<SessionComparison | null>(null);
  const lastExport = shallowRef<SessionExportResult | null>(null);
  const busy = ref<SessionAction | null>(null);
  const error = ref<{ action: SessionAction; error: AppErrorData } | null>(null);
  /** True while a saved state is being put back (its own changes must not be saved again). */
  const restoring = ref(false);
  let saveTimer: ReturnType<typeof setTimeout> | null = null;

  const available = computed(() => {
    const p = useProjectStore().project;
    return p !== null && !p.isDemo;
  });
  const currentId = computed(() => current.value?.id ?? null);

  async function act<T>(action: SessionAction, work: () => Promise<T>): Promise<T | null> {
    busy.value = action;
    error.value = null;
    try {
      return await work();
    } catch (err) {
      error.value = { action, error: AppError.from(err).toJSON() };
      return null;
    } finally {
      busy.value = null;
    }
  }

  /** Forgets the open session (a new project was opened) and lists the new project's sessions. */
  async function reset(): Promise<void> {
    cancelSave();
    current.value = null;
    comparison.value = null;
    lastExport.value = null;
    error.value = null;
    sessions.value = [];
    useRunsStore().reset();
    useAnalysesStore().forgetStored();
    if (available.value) await refresh();
  }

  async function refresh(): Promise<void> {
    const list = await act('list', () => getApi().sessions.list({}));
    if (list) sessions.value = list;
  }

  /** Creates a session with the selected model and image set, and opens it. */
  async function create(name: string): Promise<SessionSummary | null> {
    const project = useProjectStore();
    const ids = (id: string | null) => (id ? [id] : []);
    const made = await act('create', () => getApi().sessions.create({ name, modelIds: ids(project.selectedModelId), imageSetIds: ids(project.selectedImageSetId) }));
    if (!made) return null;
    await refresh();
    await open(made.id);
    return made;
  }

  /** Opens a session: its runs and jobs, then its saved UI state. */
  async function open(sessionId: string): Promise<boolean> {
    cancelSave();
    const detail = await act('open', () => getApi().sessions.open({ sessionId }));
    if (!detail) return false;
    current.value = detail;
    comparison.value = null;
    const runs = useRunsStore();
    runs.reset();
    runs.setJobs(detail.jobs);
    // A stored result belongs to the session it was read from; this session's saved state may show its own.
    useAnalysesStore().forgetStored();
    const state = parseUiState(detail.uiState);
    if (state) {
      // Busy until restored, so the session list is not clicked half-way through.
      restoring.value = true;
      busy.value = 'open';
      try {
        await applyUiState(state);
      } finally {
        restoring.value = false;
        busy.value = null;
      }
    }
    return true;
  }

  /** Re-reads the open session's runs and jobs (a job ended), keeping the UI as it is. */
  async function reloadCurrent(): Promise<void> {
    const id = currentId.value;
    if (!id) return;
    try {
      const detail = await getApi().sessions.open({ sessionId: id });
      if (currentId.value !== id) return;
      current.value = detail;
      useRunsStore().setJobs(detail.jobs);
      const summary = sessions.value.find((s) => s.id === id);
      if (summary) sessions.value = sessions.value.map((s) => (s.id === id ? { ...s, runCount: detail.runs.length, updatedAt: detail.updatedAt } : s));
    } catch (err) {
      error.value = { action: 'open', error: AppError.from(err).toJSON() };
    }
  }

  async function rename(sessionId: string, name: string): Promise<boolean> {
    const renamed = await act('rename', () => getApi().sessions.rename({ sessionId, name }));
    if (!renamed) return false;
    sessions.value = sessions.value.map((s) => (s.id === sessionId ? renamed : s));
    if (current.value?.id === sessionId) current.value = { ...current.value, name: renamed.name };
    return true;
  }

  async function duplicate(sessionId: string, name: string): Promise<SessionSummary | null> {
    const copy = await act('duplicate', () => getApi().sessions.duplicate({ sessionId, name }));
    if (copy) await refresh();
    return copy;
  }

  async function remove(sessionId: string): Promise<boolean> {
    const done = await act('delete', () => getApi().sessions.delete({ sessionId }));
    if (!done) return false;
    if (current.value?.id === sessionId) {
      cancelSave();
      current.value = null;
      useRunsStore().reset();
    }
    comparison.value = null;
    await refresh();
    return true;
  }

  async function compare(a: string, b: string): Promise<SessionComparison | null> {
    const result = await act('compare', () => getApi().sessions.compare({ a, b }));
    comparison.value = result;
    return result;
  }

  async function exportTo(sessionId: string, file: string, includeSources = false): Promise<SessionExportResult | null> {
    await flushSave();
    const result = await act('export', () => getApi().sessions.export({ sessionId, file, includeSources }));
    lastExport.value = result;
    return result;
  }

  async function importFrom(file: string): Promise<SessionSummary | null> {
    const imported = await act('import', () => getApi().sessions.import({ file }));
    if (!imported) return null;
    // An archive may bring models and image sets the project did not have.
    await useProjectStore().refresh().catch(() => undefined);
    void useWorkspaceStore().checkSources();
    await refresh();
    return imported;
  }

  function cancelSave(): void {
    if (saveTimer) clearTimeout(saveTimer);
    saveTimer = null;
  }

  /** Saves the current UI state after a quiet period; ignored while restoring or with no session open. */
  function scheduleSave(): void {
    if (restoring.value || !current.value) return;
    cancelSave();
    saveTimer = setTimeout(() => void flushSave(), UI_SAVE_DELAY_MS);
  }

  /** Saves a pending UI state now (before an export, so the archive has it). */
  async function flushSave(): Promise<void> {
    const pending = saveTimer !== null;
    cancelSave();
    const session = current.value;
    if (!pending || !session) return;
    try {
      await getApi().sessions.saveUiState({ sessionId: session.id, uiState: { ...captureUiState() } });
    } catch (err) {
      error.value = { action: 'open', error: AppError.from(err).toJSON() };
    }
  }

  return {
    sessions, current, currentId, comparison, lastExport, busy, error, restoring, available,
    reset, refresh, create, open, reloadCurrent, rename, duplicate, remove, compare, exportTo, importFrom, scheduleSave, flushSave
  };
});
