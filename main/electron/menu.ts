/**
 * The application menu. File holds the project commands; Edit, View, Window and Help are
 * Electron's standard roles (plus the app menu on macOS). Project commands stay out of main:
 * the menu asks for a path in a native dialog and sends a typed `menu:command` event
 * (shared/ipc/contract.ts) that the renderer acts on through its ordinary contract requests
 * (`project:open`, `project:create`, `sessions:export`), so the Electron shell knows nothing about
 * how projects or sessions are stored. Open Recent lists the projects those requests opened.
 */
import type { Menu, MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../../shared/ipc/contract';
import type { NativeDialogs } from '../app/native-dialogs';
import type { RecentProjects } from './recent-projects';

/** What the File menu's items do; built by `createAppMenu`, separate so the template is plain data. */
export interface MenuActions {
  newProject(): void;
  openProject(): void;
  openRecent(dir: string): void;
  clearRecent(): void;
  exportSession(): void;
  closeProject(): void;
}

export interface MenuTemplateOptions {
  appName: string;
  platform: NodeJS.Platform;
  /** Reload and developer tools only in development builds. */
  isPackaged: boolean;
  recent: string[];
  actions: MenuActions;
}

const separator: MenuItemConstructorOptions = { type: 'separator' };

/** Electron reads `&` as a mnemonic marker on Windows and Linux; a path's own `&` must be doubled. */
export function menuLabel(text: string): string {
  return text.replace(/&/g, '&&');
}

function recentSubmenu(recent: string[], actions: MenuActions): MenuItemConstructorOptions[] {
  const entries: MenuItemConstructorOptions[] = recent.length
    ? recent.map((dir) => ({ label: menuLabel(dir), click: () => actions.openRecent(dir) }))
    : [{ label: 'No Recent Projects', enabled: false }];
  return [...entries, separator, { label: 'Clear Recent', enabled: recent.length > 0, click: () => actions.clearRecent() }];
}

function fileMenu(o: MenuTemplateOptions): MenuItemConstructorOptions {
  const { actions } = o;
  return {
    label: '&File',
    submenu: [
      { label: 'New Project…', accelerator: 'CmdOrCtrl+Shift+N', click: () => actions.newProject() },
      { label: 'Open Project…', accelerator: 'CmdOrCtrl+O', click: () => actions.openProject() },
      { label: 'Open Recent', submenu: recentSubmenu(o.recent, actions) },
      separator,
      { label: 'Export Session…', accelerator: 'CmdOrCtrl+E', click: () => actions.exportSession() },
      separator,
      { label: 'Close Project', click: () => actions.closeProject() },
      // macOS quits from the app menu; elsewhere File ends with Quit.
      ...(o.platform === 'darwin' ? [] : [separator, { role: 'quit' } as const])
    ]
  };
}

function viewMenu(isPackaged: boolean): MenuItemConstructorOptions {
  const dev: MenuItemConstructorOptions[] = isPackaged ? [] : [{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, separator];
  return { label: '&View', submenu: [...dev, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, separator, { role: 'togglefullscreen' }] };
}

/** The whole menu as a template: plain data, checked item by item in tests. */
export function buildMenuTemplate(o: MenuTemplateOptions): MenuItemConstructorOptions[] {
  const mac = o.platform === 'darwin';
  const appMenu: MenuItemConstructorOptions[] = mac ? [{ label: o.appName, role: 'appMenu' }] : [];
  return [
    ...appMenu,
    fileMenu(o),
    { role: 'editMenu' },
    viewMenu(o.isPackaged),
    { role: 'windowMenu' },
    { role: 'help', submenu: [{ role: 'about' }] }
  ];
}

export interface AppMenuDeps {
  Menu: Pick<typeof Menu, 'buildFromTemplate' | 'setApplicationMenu'>;
  dialogs: NativeDialogs;
  recent: RecentProjects;
  /** Delivers a command to the renderer (the workbench's event bus → `menu:command`). */
  send(command: MenuCommand): void;
  appName: string;
  platform: NodeJS.Platform;
  isPackaged: boolean;
  /** The OS's own recent-documents list (macOS Dock, Windows jump list); optional. */
  osRecent?: { add(dir: string): void; clear(): void };
  log?: (line: string) => void;
}

export interface AppMenu {
  /** Rebuilds and installs the menu (after the recent list changed). */
  refresh(): void;
  /** Opens `dir` as if chosen in File ▸ Open (second-instance argv). */
  openProject(dir: string): void;
  /** Records a project that was opened successfully (whoever asked) in Open Recent. */
  remember(dir: string): void;
}

/** Builds the menu's actions over the dialogs and the recent list, and installs the menu. */
export function createAppMenu(deps: AppMenuDeps): AppMenu {
  const log = deps.log ?? ((line: string) => console.warn(line));
  const refresh = () => {
    const template = buildMenuTemplate({ appName: deps.appName, platform: deps.platform, isPackaged: deps.isPackaged, recent: deps.recent.list(), actions });
    deps.Menu.setApplicationMenu(deps.Menu.buildFromTemplate(template));
  };
  const remember = (dir: string) => {
    deps.recent.add(dir);
    deps.osRecent?.add(dir);
    refresh();
  };
  // Only a project that actually opened goes into Open Recent (see `remember`), not every folder picked.
  const open = (command: 'project:new' | 'project:open', dir: string) => deps.send({ command, dir });
  // A dialog that fails (rare: no display server) must not become an unhandled rejection.
  const pick = (what: string, run: () => Promise<void>) => () => void run().catch((err: unknown) => log(`[main] ${what} dialog failed: ${String(err)}`));
  const actions: MenuActions = {
    newProject: pick('new project', async () => {
      const dir = await deps.dialogs.open('project-folder');
      if (dir) open('project:new', dir);
    }),
    openProject: pick('open project', async () => {
      const dir = await deps.dialogs.open('project-folder');
      if (dir) open('project:open', dir);
    }),
    openRecent: (dir) => {
      // The folder may have gone since the menu was built: drop it instead of sending a dead path.
      if (!deps.recent.list().includes(dir)) return refresh();
      open('project:open', dir);
    },
    clearRecent: () => {
      deps.recent.clear();
      deps.osRecent?.clear();
      refresh();
    },
    exportSession: pick('export', async () => {
      const file = await deps.dialogs.save('session-zip');
      if (file) deps.send({ command: 'session:export', file });
    }),
    closeProject: () => deps.send({ command: 'project:close' })
  };
  refresh();
  return { refresh, openProject: (dir) => open('project:open', dir), remember };
}
