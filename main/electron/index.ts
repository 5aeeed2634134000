/**
 * Electron main entry (built to out/main/index.js): single instance, one window, the shared
 * workbench (router + engine host in a utilityProcess), IPC bound to the contract, and an orderly
 * stop (jobs cancelled, engine stopped) before the app quits. Owns no domain logic.
 */
import { app, ipcMain, session, type BrowserWindow } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWorkbench } from '../app/workbench';
import type { Workbench } from '../app/workbench-types';
import { electronEngineLauncher } from './engine-launcher';
import { forwardEvents } from './events';
import { registerIpcHandlers, type TrustedRenderer } from './ipc';
import { createMainWindow, guardContents, hardenSession, type RendererSource } from './window';

const here = path.dirname(fileURLToPath(import.meta.url));
const paths = {
  preload: path.join(here, 'preload.cjs'),
  host: path.join(here, 'host.js'),
  renderer: path.join(here, '..', 'renderer', 'index.html')
};
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
let mainWindow: BrowserWindow | null = null;

function openWindow(): void {
  const renderer: RendererSource = devServerUrl ? { kind: 'url', url: devServerUrl } : { kind: 'file', file: paths.renderer };
  mainWindow = createMainWindow({ preloadPath: paths.preload, renderer });
  mainWindow.on('closed', () => (mainWindow = null));
}

function focusWindow(): void {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
}

/** Stops the workbench once, then lets the quit go ahead. */
function stopBeforeQuit(workbench: Workbench, disposers: Array<() => void>): void {
  let stopped = false;
  app.on('before-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    void workbench
      .stop()
      .catch((err: unknown) => console.error('[main] stopping the workbench failed:', err))
      .finally(() => {
        stopped = true;
        disposers.forEach((dispose) => dispose());
        app.quit();
      });
  });
}

async function start(): Promise<void> {
  await app.whenReady();
  hardenSession(session.defaultSession);
  const workbench = await createWorkbench({ mode: 'electron', launcher: electronEngineLauncher(paths.host), projectDir: process.env.SALIENCY_PROJECT || undefined });
  const trust: TrustedRenderer = { rendererFile: paths.renderer, devServerUrl };
  const disposers = [registerIpcHandlers(ipcMain, workbench.router, trust), forwardEvents(workbench.events, () => mainWindow?.webContents ?? null)];
  stopBeforeQuit(workbench, disposers);
  openWindow();
  app.on('activate', () => (mainWindow ? focusWindow() : openWindow()));
}

// Tests and side-by-side runs give each instance its own profile folder.
if (process.env.SALIENCY_USER_DATA) app.setPath('userData', process.env.SALIENCY_USER_DATA);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', focusWindow);
  app.on('web-contents-created', (_event, contents) => guardContents(contents));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  start().catch((err: unknown) => {
    console.error('[main] start-up failed:', err);
    app.exit(1);
  });
}
