import { EventEmitter } from 'node:events';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REQUEST_CHANNELS } from '../../shared/ipc/contract';
import { FakeBrowserWindow, FakeDialog, FakeIpcMain, FakeMenu, FakeSession, menuItem } from './electron-fakes';

const state = vi.hoisted(() => ({
  app: null as any,
  ipcMain: null as any,
  session: null as any,
  workbench: null as any,
  createWorkbench: null as any,
  BrowserWindow: null as any,
  Menu: null as any,
  dialog: null as any,
  displays: [] as any[],
  shell: { openExternal: null as any }
}));

// Getters, not values: each test re-imports main/electron/index (vi.resetModules) against fresh fakes.
vi.mock('electron', () => ({
  get app() {
    return state.app;
  },
  get ipcMain() {
    return state.ipcMain;
  },
  session: {
    get defaultSession() {
      return state.session;
    }
  },
  get BrowserWindow() {
    return state.BrowserWindow;
  },
  get Menu() {
    return state.Menu;
  },
  get dialog() {
    return state.dialog;
  },
  screen: { getAllDisplays: () => state.displays },
  get shell() {
    return state.shell;
  },
  utilityProcess: { fork: vi.fn() }
}));
vi.mock('../../main/app/workbench', () => ({ createWorkbench: (...args: unknown[]) => state.createWorkbench(...args) }));

function fakeApp(hasLock: boolean, userData: string) {
  let ready!: () => void;
  let isReady = false;
  const whenReadyPromise = new Promise<void>((resolve) => (ready = resolve));
  return Object.assign(new EventEmitter(), {
    isPackaged: true,
    name: 'Saliency Workbench',
    ready: () => {
      isReady = true;
      ready();
    },
    isReady: () => isReady,
    quit: vi.fn(),
    exit: vi.fn(),
    setPath: vi.fn(),
    getPath: (name: string) => (name === 'userData' ? userData : '/tmp'),
    getAppPath: () => '/opt/saliency/resources/app.asar',
    addRecentDocument: vi.fn(),
    clearRecentDocuments: vi.fn(),
    requestSingleInstanceLock: () => hasLock,
    whenReady: () => whenReadyPromise
  });
}

let userData: string;
type Listener = NodeJS.SignalsListener;
let signalListeners: { SIGINT: Listener[]; SIGTERM: Listener[] };

async function boot(hasLock: boolean, argv: string[] = [process.argv[0]]) {
  vi.resetModules();
  FakeBrowserWindow.instances = [];
  state.BrowserWindow = FakeBrowserWindow;
  state.app = fakeApp(hasLock, userData);
  state.ipcMain = new FakeIpcMain();
  state.session = new FakeSession();
  state.Menu = new FakeMenu();
  state.dialog = new FakeDialog();
  state.displays = [{ workArea: { x: 0, y: 0, width: 1920, height: 1050 } }];
  state.shell.openExternal = vi.fn(async () => undefined);
  state.workbench = { router: { dispatch: vi.fn() }, events: { on: vi.fn(() => () => undefined), emit: vi.fn() }, stop: vi.fn(async () => undefined), onStop: vi.fn() };
  state.createWorkbench = vi.fn(async () => state.workbench);
  vi.spyOn(process, 'argv', 'get').mockReturnValue(argv);
  await import('../../main/electron/index');
  return state.app;
}

async function bootReady(argv?: string[]) {
  const app = await boot(true, argv);
  app.ready();
  await vi.waitFor(() => expect(FakeBrowserWindow.instances).toHaveLength(1));
  return app;
}

describe('Electron main lifecycle', () => {
  beforeEach(async () => {
    userData = await mkdtemp(path.join(os.tmpdir(), 'shell-userdata-'));
    signalListeners = { SIGINT: process.listeners('SIGINT'), SIGTERM: process.listeners('SIGTERM') };
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    // index.ts adds SIGINT/SIGTERM handlers on each import: take ours off again.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      for (const l of process.listeners(signal)) if (!signalListeners[signal].includes(l)) process.off(signal, l as never);
    }
    await rm(userData, { recursive: true, force: true });
  });

  it('a second instance quits at once and opens nothing', async () => {
    const app = await boot(false);
    expect(app.quit).toHaveBeenCalled();
    app.ready();
    await Promise.resolve();
    expect(state.createWorkbench).not.toHaveBeenCalled();
    expect(FakeBrowserWindow.instances).toHaveLength(0);
  });

  it('on ready: hardens the session, starts the workbench with native dialogs, binds IPC, installs the menu, opens one window', async () => {
    await bootReady();
    expect(state.session.permissionRequest).not.toBeNull();
    expect(state.session.allows('https://example.com/x.js')).toBe(false);
    expect(state.createWorkbench).toHaveBeenCalledWith(expect.objectContaining({ mode: 'electron', dialogs: expect.any(Object) }));
    expect([...state.ipcMain.handlers.keys()].sort()).toEqual([...REQUEST_CHANNELS].sort());
    expect(menuItem(state.Menu.current, '&File', 'Open Project…')).toBeDefined();
    const win = FakeBrowserWindow.instances[0];
    expect(win.loaded.file?.endsWith(path.join('renderer', 'index.html'))).toBe(true);
    expect(win.options.webPreferences.preload.endsWith('preload.cjs')).toBe(true);
    expect(win.options).toMatchObject({ x: 240, y: 75, width: 1440, height: 900 }); // nothing saved: centred
  });

  it('restores the saved window state and saves it again when the window closes', async () => {
    await writeFile(path.join(userData, 'window-state.json'), JSON.stringify({ bounds: { x: 3000, y: 10, width: 1200, height: 800 }, maximized: true }));
    await bootReady();
    const win = FakeBrowserWindow.instances[0];
    expect(win.options).toMatchObject({ x: 360, y: 125, width: 1200, height: 800 }); // its monitor is gone: centred on this one
    expect(win.maximized).toBe(true);
    win.maximized = false;
    win.normalBounds = { x: 20, y: 30, width: 1100, height: 700 };
    win.close();
    expect(JSON.parse(await readFile(path.join(userData, 'window-state.json'), 'utf8'))).toEqual({ bounds: { x: 20, y: 30, width: 1100, height: 700 }, maximized: false });
  });

  it('stops the workbench before letting the app quit, and removes the IPC handlers', async () => {
    const app = await bootReady();
    const event = { preventDefault: vi.fn() };
    app.emit('before-quit', event);
    expect(event.preventDefault).toHaveBeenCalled();
    expect(state.workbench.stop).toHaveBeenCalledTimes(1);
    await vi.waitFor(() => expect(app.quit).toHaveBeenCalledTimes(1));
    expect(state.ipcMain.handlers.size).toBe(0);
    const again = { preventDefault: vi.fn() };
    app.emit('before-quit', again);
    expect(again.preventDefault).not.toHaveBeenCalled();
  });

  it('SIGTERM quits through the same orderly path', async () => {
    const app = await bootReady();
    const added = process.listeners('SIGTERM').filter((l) => !signalListeners.SIGTERM.includes(l));
    expect(added).toHaveLength(1);
    (added[0] as () => void)();
    expect(app.quit).toHaveBeenCalled();
  });

  it('a second instance focuses the window and opens the project folder named on its command line', async () => {
    const app = await bootReady();
    const project = path.join(userData, 'projects', 'cats');
    await mkdir(project, { recursive: true });
    const win = FakeBrowserWindow.instances[0];
    win.minimized = true;
    app.emit('second-instance', {}, ['/opt/saliency/saliency-workbench', '--some-chromium-switch', project], '/home/u');
    expect(win.minimized).toBe(false);
    expect(win.focused).toBe(true);
    expect(state.workbench.events.emit).toHaveBeenCalledWith('menu:command', { command: 'project:open', dir: project });
  });

  it('Open Recent lists a project once the renderer opened it through IPC (not a folder that failed)', async () => {
    await bootReady();
    const [good, bad] = [path.join(userData, 'good'), path.join(userData, 'bad')];
    await mkdir(good);
    await mkdir(bad);
    const own = { senderFrame: { url: 'file://' + FakeBrowserWindow.instances[0].loaded.file, parent: null } };
    state.workbench.router.dispatch.mockResolvedValueOnce({ ok: false, error: { code: 'STORAGE_CORRUPT', message: 'x' } });
    await state.ipcMain.handlers.get('project:current')(own, {});
    state.workbench.router.dispatch.mockResolvedValueOnce({ ok: true, value: { root: good, isDemo: false } });
    await state.ipcMain.handlers.get('project:current')(own, {});
    expect(labels(menuItem(state.Menu.current, '&File', 'Open Recent').submenu)).toEqual([good, 'separator', 'Clear Recent']);
    expect(state.app.addRecentDocument).toHaveBeenCalledWith(good);
  });

  it('a folder named by a second instance while the first is still starting is opened once it is up', async () => {
    const app = await boot(true);
    const project = path.join(userData, 'early');
    await mkdir(project);
    app.emit('second-instance', {}, ['/opt/saliency/saliency-workbench', project], '/home/u');
    expect(FakeBrowserWindow.instances).toHaveLength(0); // not ready: nothing to focus yet
    app.ready();
    await vi.waitFor(() => expect(FakeBrowserWindow.instances).toHaveLength(1));
    // Either the workbench opened it at start, or the renderer was told to: never lost.
    const opened = state.createWorkbench.mock.calls[0][0].projectDir === project || state.workbench.events.emit.mock.calls.some((c: unknown[]) => (c[1] as { dir?: string }).dir === project);
    expect(opened).toBe(true);
  });

  it('a second instance without a folder only focuses; with the window closed it opens a new one', async () => {
    const app = await bootReady();
    FakeBrowserWindow.instances[0].close();
    app.emit('second-instance', {}, ['/opt/saliency/saliency-workbench'], '/home/u');
    expect(FakeBrowserWindow.instances).toHaveLength(2);
    expect(FakeBrowserWindow.instances[1].focused).toBe(true);
    expect(state.workbench.events.emit).not.toHaveBeenCalled();
  });

  it('a project folder on the first command line is opened by the workbench', async () => {
    const project = path.join(userData, 'p1');
    await mkdir(project);
    await bootReady([process.argv[0], project]);
    expect(state.createWorkbench).toHaveBeenCalledWith(expect.objectContaining({ projectDir: project }));
  });

  it('menu commands reach the renderer through the workbench events', async () => {
    await bootReady();
    menuItem(state.Menu.current, '&File', 'Close Project').click();
    expect(state.workbench.events.emit).toHaveBeenCalledWith('menu:command', { command: 'project:close' });
  });

  it('guards every web contents created later, with https links going to the system browser', async () => {
    const app = await boot(true);
    const contents = Object.assign(new EventEmitter(), { setWindowOpenHandler: vi.fn() });
    app.emit('web-contents-created', {}, contents);
    const e = { preventDefault: vi.fn() };
    contents.emit('will-navigate', e, 'https://example.com');
    expect(e.preventDefault).toHaveBeenCalled();
    const handler = contents.setWindowOpenHandler.mock.calls[0][0];
    expect(handler({ url: 'https://example.com/help' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(state.shell.openExternal.mock.calls).toEqual([['https://example.com/help']]);
  });
});

function labels(items: any[]) {
  return items.map((i) => i.label ?? i.role ?? i.type);
}
