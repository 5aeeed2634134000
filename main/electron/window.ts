/**
 * The app window and its security settings. The renderer is untrusted UI code: it runs sandboxed
 * with context isolation and no Node, may not navigate, open windows, attach webviews or get any
 * permission, and loads only our own bundle (file://) or the local dev server (content-policy.ts).
 */
import { BrowserWindow, type Rectangle, type Session, type WebContents, type WebPreferences } from 'electron';
import { CONTENT_SECURITY_POLICY, isAllowedResource, isSafeExternalUrl, type ContentPolicy } from './content-policy';

export { CONTENT_SECURITY_POLICY };

/** What the window loads: the built renderer file, or the Vite dev server in development. */
export type RendererSource = { kind: 'file'; file: string } | { kind: 'url'; url: string };

export interface MainWindowOptions {
  preloadPath: string;
  renderer: RendererSource;
  /** Restored position and size (window-state.ts); the default size, centred, when absent. */
  bounds?: Rectangle;
  maximized?: boolean;
  /** Link handling for the window's contents (the same guards every WebContents gets). */
  guard?: GuardOptions;
}

/** Default and minimum window sizes. */
export const WINDOW_SIZE = { width: 1440, height: 900, minWidth: 1024, minHeight: 640 };

/** The renderer's web preferences; exported so tests can check every flag. */
export function securePreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    spellcheck: false
  };
}

export interface GuardOptions {
  /** Opens a vetted https link in the system browser; links are only dropped when absent. */
  openExternal?: (url: string) => Promise<void>;
}

/**
 * Blocks navigation, redirects, webviews and new windows for one WebContents. A window.open or
 * target=_blank link to a safe https URL goes to the system browser instead; nothing opens in-app.
 */
export function guardContents(contents: WebContents, options: GuardOptions = {}): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (options.openExternal && isSafeExternalUrl(url)) void options.openExternal(url).catch(() => undefined);
    return { action: 'deny' };
  });
}

/**
 * Denies every permission request and check, cancels every request outside the content policy,
 * and stamps the CSP on every response that has headers (file:// responses have none, which is
 * why renderer/index.html carries the same policy as a meta tag).
 */
export function hardenSession(session: Session, policy: ContentPolicy): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedResource(details.url, policy) }));
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}

/** Creates the single main window, shown once its first paint is ready. */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: WINDOW_SIZE.width,
    height: WINDOW_SIZE.height,
    ...options.bounds,
    minWidth: WINDOW_SIZE.minWidth,
    minHeight: WINDOW_SIZE.minHeight,
    show: false,
    title: 'Saliency Workbench',
    backgroundColor: '#0e1116',
    webPreferences: securePreferences(options.preloadPath)
  });
  guardContents(win.webContents, options.guard);
  if (options.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());
  if (options.renderer.kind === 'file') void win.loadFile(options.renderer.file);
  else void win.loadURL(options.renderer.url);
  return win;
}
