/**
 * App-level state: backend and engine status, the browser-mode connection, and start-up. `start()`
 * runs the start-up requests; `ready` turns true once they have all settled (succeeded or failed),
 * which is what the root's `data-app-state` reports to tests.
 */
import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import type { AppInfo, EngineState } from '../../shared/ipc/contract';
import { getApi, onConnectionStatus } from '../api';
import type { ConnectionStatus } from '../ws-transport';
import { useImagesStore } from './images';
import { useMethodsStore } from './methods';
import { useNotificationsStore } from './notifications';
import { useProjectStore } from './project';
import { useSaliencyStore } from './saliency';
import { useSessionsStore } from './sessions';
import { useWorkspaceStore } from './workspace';

function warnEngineStopped(reason: string | undefined): void {
  const message = reason ?? 'The engine process ended unexpectedly.';
  useNotificationsStore().push({ kind: 'warning', title: 'The engine stopped', message, hint: 'It restarts on the next request.' });
}

/** Opens the project, then its first page of images and (storage projects) its sessions; each store reports its own failures. */
async function openProjectAndFirstPage(): Promise<void> {
  const project = useProjectStore();
  await project.load();
  await useSessionsStore().reset();
  if (project.selectedImageSetId) await useImagesStore().loadPage(project.selectedImageSetId, project.selectedModelId);
  void useWorkspaceStore().checkSources();
}

export const useAppStore = defineStore('app', () => {
  const info = shallowRef<AppInfo | null>(null);
  const engineState = ref<EngineState>('starting');
  const engineReason = ref<string | null>(null);
  const connection = ref<ConnectionStatus | 'none'>('none');
  const ready = ref(false);
  let started = false;

  async function loadInfo(): Promise<void> {
    try {
      info.value = await getApi().app.info({});
      engineState.value = info.value.engineState;
    } catch (err) {
      useNotificationsStore().error(err, 'Could not reach the engine');
    }
  }

  function watchEngine(): void {
    getApi().on('engine:state', ({ state, reason }) => {
      if (state === 'crashed') warnEngineStopped(reason);
      else if (state === 'ready' && engineState.value === 'crashed') void loadInfo();
      engineState.value = state;
      engineReason.value = reason ?? null;
    });
    onConnectionStatus((status) => {
      if (status === 'open' && connection.value === 'reconnecting') void loadInfo();
      connection.value = status;
    });
  }

  /** Subscribes to events, then loads app info, the project with its first page of images, and the saliency methods. */
  async function start(): Promise<void> {
    if (started) return;
    started = true;
    try {
      watchEngine();
      useSaliencyStore().init();
      useWorkspaceStore().listenMenu();
      await Promise.all([loadInfo(), openProjectAndFirstPage(), useMethodsStore().load()]);
    } finally {
      ready.value = true;
    }
  }

  return { info, engineState, engineReason, connection, ready, start };
});
