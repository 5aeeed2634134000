/**
 * The app window and its security settings. The renderer is untrusted UI code: it runs sandboxed
 * with context isolation and no Node, may not navigate, open windows, attach webviews or get any
 * permission, and loads only our own bundle (file://) or the local dev server.
 */
import { BrowserWindow, type Session, type WebContents, type WebPreferences } from 'electron';

/** Content-Security-Policy for every response the renderer gets (also set as a meta tag in index.html). */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** What the window loads: the built renderer file, or the Vite dev server in development. */
export type RendererSource = { kind: 'file'; file: string } | { kind: 'url'; url: string };

export interface MainWindowOptions {
  preloadPath: string;
  renderer: RendererSource;
}

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

/** Blocks navigation, new windows, redirects and webviews for one WebContents. */
export function guardContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** Denies every permission request and check, and stamps the CSP on every response. */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
  });
}

/** Creates the single main window, shown once its first paint is ready. */
export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 640,
    show: false,
    title: 'Saliency Workbench',
    backgroundColor: '#0e1116',
    webPreferences: securePreferences(options.preloadPath)
  });
  guardContents(win.webContents);
  win.once('ready-to-show', () => win.show());
  if (options.renderer.kind === 'file') void win.loadFile(options.renderer.file);
  else void win.loadURL(options.renderer.url);
  return win;
}
