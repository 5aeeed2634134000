/**
 * Stand-ins for the parts of Electron's API the shell uses, recording what was asked of them.
 * Each test file passes them to `vi.mock('electron', …)`.
 */
import { EventEmitter } from 'node:events';

type Handler = (...args: any[]) => unknown;

export class FakeWebContents extends EventEmitter {
  openHandler: Handler | null = null;
  destroyed = false;
  sent: Array<{ channel: string; payload: unknown }> = [];
  setWindowOpenHandler(handler: Handler) {
    this.openHandler = handler;
  }
  isDestroyed() {
    return this.destroyed;
  }
  send(channel: string, payload: unknown) {
    this.sent.push({ channel, payload });
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static instances: FakeBrowserWindow[] = [];
  readonly webContents = new FakeWebContents();
  loaded: { file?: string; url?: string } = {};
  shown = false;
  constructor(readonly options: Record<string, any>) {
    super();
    FakeBrowserWindow.instances.push(this);
  }
  loadFile(file: string) {
    this.loaded.file = file;
    return Promise.resolve();
  }
  loadURL(url: string) {
    this.loaded.url = url;
    return Promise.resolve();
  }
  show() {
    this.shown = true;
  }
  isMinimized() {
    return false;
  }
  restore() {}
  focus() {}
}

export class FakeIpcMain {
  readonly handlers = new Map<string, Handler>();
  handle(channel: string, handler: Handler) {
    if (this.handlers.has(channel)) throw new Error(`second handler for ${channel}`);
    this.handlers.set(channel, handler);
  }
  removeHandler(channel: string) {
    this.handlers.delete(channel);
  }
}

export class FakeSession {
  permissionRequest: Handler | null = null;
  permissionCheck: Handler | null = null;
  headersReceived: Handler | null = null;
  readonly webRequest = { onHeadersReceived: (h: Handler) => (this.headersReceived = h) };
  setPermissionRequestHandler(h: Handler) {
    this.permissionRequest = h;
  }
  setPermissionCheckHandler(h: Handler) {
    this.permissionCheck = h;
  }
}

/** An invoke event as ipcMain passes it, from a frame at `url` (`parent` set for sub-frames). */
export function invokeEvent(url: string | null, parent: object | null = null) {
  return { senderFrame: url === null ? null : { url, parent } };
}
