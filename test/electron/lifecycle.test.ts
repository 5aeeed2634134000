import { EventEmitter } from 'node:events';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { REQUEST_CHANNELS } from '../../shared/ipc/contract';
import { FakeBrowserWindow, FakeIpcMain, FakeSession } from './electron-fakes';

const state = vi.hoisted(() => ({
  app: null as any,
  ipcMain: null as any,
  session: null as any,
  workbench: null as any,
  createWorkbench: null as any,
  BrowserWindow: null as any
}));

// Getters, not values: each test re-imports main/electron/index (vi.resetModules) against fresh fakes.
vi.mock('electron', () => {
  return {
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
    utilityProcess: { fork: vi.fn() }
  };
});
vi.mock('../../main/app/workbench', () => ({ createWorkbench: (...args: unknown[]) => state.createWorkbench(...args) }));

function fakeApp(hasLock: boolean) {
  let ready!: () => void;
  const whenReadyPromise = new Promise<void>((resolve) => (ready = resolve));
  return Object.assign(new EventEmitter(), {
    isPackaged: true,
    ready,
    quit: vi.fn(),
    exit: vi.fn(),
    setPath: vi.fn(),
    requestSingleInstanceLock: () => hasLock,
    whenReady: () => whenReadyPromise
  });
}

async function boot(hasLock: boolean) {
  vi.resetModules();
  FakeBrowserWindow.instances = [];
  state.BrowserWindow = FakeBrowserWindow;
  state.app = fakeApp(hasLock);
  state.ipcMain = new FakeIpcMain();
  state.session = new FakeSession();
  state.workbench = { router: { dispatch: vi.fn() }, events: { on: vi.fn(() => () => undefined) }, stop: vi.fn(async () => undefined) };
  state.createWorkbench = vi.fn(async () => state.workbench);
  await import('../../main/electron/index');
  return state.app;
}

describe('Electron main lifecycle', () => {
  beforeEach(() => vi.restoreAllMocks());

  it('a second instance quits at once and opens nothing', async () => {
    const app = await boot(false);
    expect(app.quit).toHaveBeenCalled();
    app.ready();
    await Promise.resolve();
    expect(state.createWorkbench).not.toHaveBeenCalled();
    expect(FakeBrowserWindow.instances).toHaveLength(0);
  });

  it('on ready: hardens the session, starts the workbench, binds IPC, opens one window on the built renderer', async () => {
    const app = await boot(true);
    app.ready();
    await vi.waitFor(() => expect(FakeBrowserWindow.instances).toHaveLength(1));
    expect(state.session.permissionRequest).not.toBeNull();
    expect(state.createWorkbench).toHaveBeenCalledWith(expect.objectContaining({ mode: 'electron' }));
    expect([...state.ipcMain.handlers.keys()].sort()).toEqual([...REQUEST_CHANNELS].sort());
    const win = FakeBrowserWindow.instances[0];
    expect(win.loaded.file?.endsWith(path.join('renderer', 'index.html'))).toBe(true);
    expect(win.options.webPreferences.preload.endsWith('preload.cjs')).toBe(true);
  });

  it('stops the workbench before letting the app quit', async () => {
    const app = await boot(true);
    app.ready();
    await vi.waitFor(() => expect(FakeBrowserWindow.instances).toHaveLength(1));
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

  it('guards every web contents created later', async () => {
    const app = await boot(true);
    const contents = Object.assign(new EventEmitter(), { setWindowOpenHandler: vi.fn() });
    app.emit('web-contents-created', {}, contents);
    const e = { preventDefault: vi.fn() };
    contents.emit('will-navigate', e, 'https://example.com');
    expect(e.preventDefault).toHaveBeenCalled();
    expect(contents.setWindowOpenHandler).toHaveBeenCalled();
  });
});
