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
  focused = false;
  minimized = false;
  maximized = false;
  normalBounds: { x: number; y: number; width: number; height: number };
  constructor(readonly options: Record<string, any>) {
    super();
    this.normalBounds = { x: options.x ?? 0, y: options.y ?? 0, width: options.width, height: options.height };
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
    return this.minimized;
  }
  restore() {
    this.minimized = false;
  }
  focus() {
    this.focused = true;
  }
  maximize() {
    this.maximized = true;
  }
  isMaximized() {
    return this.maximized;
  }
  getNormalBounds() {
    return { ...this.normalBounds };
  }
  /** What closing the window does: `close`, then `closed`. */
  close() {
    this.emit('close', { preventDefault() {} });
    this.emit('closed');
  }
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
  beforeRequest: Handler | null = null;
  readonly webRequest = {
    onHeadersReceived: (h: Handler) => (this.headersReceived = h),
    onBeforeRequest: (h: Handler) => (this.beforeRequest = h)
  };
  setPermissionRequestHandler(h: Handler) {
    this.permissionRequest = h;
  }
  setPermissionCheckHandler(h: Handler) {
    this.permissionCheck = h;
  }
  /** Whether the installed request filter lets `url` through. */
  allows(url: string): boolean {
    let answer: { cancel: boolean } | null = null;
    this.beforeRequest?.({ url }, (r: { cancel: boolean }) => (answer = r));
    if (!answer) throw new Error('no request filter answered');
    return !(answer as { cancel: boolean }).cancel;
  }
}

/** Menu.buildFromTemplate/setApplicationMenu: keeps the templates so tests can click items. */
export class FakeMenu {
  templates: any[][] = [];
  buildFromTemplate = (template: any[]) => ({ template });
  setApplicationMenu = (menu: { template: any[] } | null) => {
    if (menu) this.templates.push(menu.template);
  };
  get current(): any[] {
    return this.templates.at(-1) ?? [];
  }
}

/** Follows labels through a menu template: `item(template, 'File', 'Open Recent')`. */
export function menuItem(template: any[], ...labels: string[]): any {
  let items = template;
  let found: any;
  for (const label of labels) {
    found = items.find((i) => i.label === label || (i.role && i.role === label));
    if (!found) throw new Error(`no menu item ${labels.join(' ▸ ')} (stuck at ${label})`);
    items = found.submenu ?? [];
  }
  return found;
}

/** dialog.showOpenDialog/showSaveDialog answering from a queue; records each call's arguments. */
export class FakeDialog {
  calls: Array<{ method: 'open' | 'save'; parent: unknown; options: any }> = [];
  answers: Array<{ canceled: boolean; filePaths?: string[]; filePath?: string }> = [];
  private answer() {
    return this.answers.shift() ?? { canceled: true, filePaths: [], filePath: '' };
  }
  showOpenDialog = async (...args: unknown[]) => {
    const [parent, options] = args.length === 2 ? args : [null, args[0]];
    this.calls.push({ method: 'open', parent, options });
    const a = this.answer();
    return { canceled: a.canceled, filePaths: a.filePaths ?? [] };
  };
  showSaveDialog = async (...args: unknown[]) => {
    const [parent, options] = args.length === 2 ? args : [null, args[0]];
    this.calls.push({ method: 'save', parent, options });
    const a = this.answer();
    return { canceled: a.canceled, filePath: a.filePath ?? '' };
  };
}

/** An invoke event as ipcMain passes it, from a frame at `url` (`parent` set for sub-frames). */
export function invokeEvent(url: string | null, parent: object | null = null) {
  return { senderFrame: url === null ? null : { url, parent } };
}
