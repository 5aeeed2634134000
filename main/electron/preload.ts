/**
 * Preload (sandboxed, bundled to CommonJS): exposes `window.api`, built from the contract with
 * `buildApi`, so it has exactly one method per request channel and `on` for the contract's events.
 * Each method is `ipcRenderer.invoke` on its own channel and returns the router's envelope
 * untouched (an Error would lose its fields crossing contextBridge; renderer/api.ts unwraps).
 * Never exposes ipcRenderer itself or a generic send/invoke.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { buildApi } from '../../shared/ipc/contract';

const api = buildApi(
  (channel, params) => ipcRenderer.invoke(channel, params),
  (event, listener) => {
    const forward = (_e: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(event, forward);
    return () => void ipcRenderer.removeListener(event, forward);
  }
);

contextBridge.exposeInMainWorld('api', api);
