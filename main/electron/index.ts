/**
 * Electron main entry (built to out/main/index.js): single instance, one window, the shared
 * workbench (router + engine host in a utilityProcess), IPC bound to the contract, the application
 * menu, and an orderly stop before the app quits. Wiring only; every piece is its own module.
 */
import { app, dialog, ipcMain, Menu, screen, session, shell } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createWorkbench } from '../app/workbench';
import { AppWindow } from './app-window';
import { projectDirFromArgv } from './argv';
import { createNativeDialogs } from './dialogs';
import { electronEngineLauncher, packagedEngineEnv } from './engine-launcher';
import { forwardEvents } from './events';
import { registerIpcHandlers, type TrustedRenderer } from './ipc';
import { createAppMenu, type AppMenu } from './menu';
import { RecentProjects, rememberOpenedProjects } from './recent-projects';
import { installShutdown } from './shutdown';
import { guardContents, hardenSession, type GuardOptions } from './window';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererDir = path.join(here, '..', 'renderer');
const paths = { preload: path.join(here, 'preload.cjs'), host: path.join(here, 'host.js'), renderer: path.join(rendererDir, 'index.html') };
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const log = (line: string) => console.log(line);
const guard: GuardOptions = { openExternal: (url) => shell.openExternal(url) };

// Tests and side-by-side runs give each instance its own profile folder.
if (process.env.SALIENCY_USER_DATA) app.setPath('userData', process.env.SALIENCY_USER_DATA);
const userFile = (name: string) => path.join(app.getPath('userData'), name);

const windows = new AppWindow({
  preloadPath: paths.preload,
  renderer: devServerUrl ? { kind: 'url', url: devServerUrl } : { kind: 'file', file: paths.renderer },
  stateFile: userFile('window-state.json'),
  workAreas: () => screen.getAllDisplays().map((d) => d.workArea),
  guard
});
let menu: AppMenu | null = null;
let pendingProject: string | null = null;

const argvProject = (argv: readonly string[], cwd: string) => projectDirFromArgv(argv, { cwd, appPath: app.getAppPath() });

/** A second `saliency-workbench [dir]`: bring our window forward and open the folder it named. */
function onSecondInstance(argv: string[], cwd: string): void {
  if (app.isReady()) windows.focus();
  const dir = argvProject(argv, cwd);
  if (!dir) return;
  if (menu) menu.openProject(dir);
  else pendingProject = dir; // still starting: the workbench opens it
}

async function start(): Promise<void> {
  await app.whenReady();
  hardenSession(session.defaultSession, { rendererDir, devServerUrl });
  const recent = new RecentProjects(userFile('recent-projects.json'), { log });
  const projectDir = process.env.SALIENCY_PROJECT || argvProject(process.argv, process.cwd()) || pendingProject || undefined;
  const dialogs = createNativeDialogs(dialog, () => windows.current);
  const workbench = await createWorkbench({ mode: 'electron', launcher: electronEngineLauncher(paths.host, packagedEngineEnv(app.isPackaged, process.resourcesPath, process.env)), projectDir, dialogs, log });
  const trust: TrustedRenderer = { rendererFile: paths.renderer, devServerUrl };
  const appMenu = createAppMenu({
    Menu, dialogs, recent, log,
    send: (command) => workbench.events.emit('menu:command', command),
    appName: app.name, platform: process.platform, isPackaged: app.isPackaged,
    osRecent: { add: (dir) => app.addRecentDocument(dir), clear: () => app.clearRecentDocuments() }
  });
  const disposers = [
    registerIpcHandlers(ipcMain, workbench.router, trust, rememberOpenedProjects((dir) => appMenu.remember(dir))),
    forwardEvents(workbench.events, () => windows.current?.webContents ?? null)
  ];
  installShutdown(app, { stop: () => workbench.stop(), disposers, log });
  menu = appMenu;
  // A second instance that named a folder while the workbench was starting.
  if (pendingProject && pendingProject !== projectDir) appMenu.openProject(pendingProject);
  pendingProject = null;
  windows.open();
  app.on('activate', () => windows.focus());
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_event, argv, cwd) => onSecondInstance(argv, cwd));
  app.on('web-contents-created', (_event, contents) => guardContents(contents, guard));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  // Ctrl-C or a kill in a terminal goes through the same orderly stop as the menu's Quit.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
  start().catch((err: unknown) => {
    console.error('[main] start-up failed:', err);
    app.exit(1);
  });
}
