import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeBrowserWindow, FakeSession, FakeWebContents } from './electron-fakes';

vi.mock('electron', async () => {
  const fakes = await import('./electron-fakes');
  return { BrowserWindow: fakes.FakeBrowserWindow };
});

const { createMainWindow, guardContents, hardenSession, CONTENT_SECURITY_POLICY } = await import('../../main/electron/window');

describe('main window security', () => {
  beforeEach(() => (FakeBrowserWindow.instances = []));

  it('runs the renderer sandboxed, isolated, without Node, with our preload', () => {
    createMainWindow({ preloadPath: '/app/out/main/preload.cjs', renderer: { kind: 'file', file: '/app/out/renderer/index.html' } });
    const prefs = FakeBrowserWindow.instances[0].options.webPreferences;
    expect(prefs).toMatchObject({
      preload: '/app/out/main/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false
    });
  });

  it('loads only the given renderer: the built file, or the dev server URL', () => {
    const fromFile = createMainWindow({ preloadPath: '/p.cjs', renderer: { kind: 'file', file: '/app/out/renderer/index.html' } }) as unknown as FakeBrowserWindow;
    expect(fromFile.loaded).toEqual({ file: '/app/out/renderer/index.html' });
    const fromDev = createMainWindow({ preloadPath: '/p.cjs', renderer: { kind: 'url', url: 'http://127.0.0.1:5173/' } }) as unknown as FakeBrowserWindow;
    expect(fromDev.loaded).toEqual({ url: 'http://127.0.0.1:5173/' });
  });

  it('shows the window only once it is ready to paint', () => {
    const win = createMainWindow({ preloadPath: '/p.cjs', renderer: { kind: 'file', file: '/i.html' } }) as unknown as FakeBrowserWindow;
    expect(win.shown).toBe(false);
    win.emit('ready-to-show');
    expect(win.shown).toBe(true);
  });

  it('blocks navigation, redirects, webviews and window.open', () => {
    const contents = new FakeWebContents();
    guardContents(contents as never);
    for (const event of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const e = { preventDefault: vi.fn() };
      contents.emit(event, e, 'https://example.com/');
      expect(e.preventDefault, event).toHaveBeenCalled();
    }
    expect(contents.openHandler?.({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
  });

  it('denies every permission and adds the CSP to every response', () => {
    const session = new FakeSession();
    hardenSession(session as never);
    const callback = vi.fn();
    session.permissionRequest?.({}, 'media', callback);
    expect(callback).toHaveBeenCalledWith(false);
    expect(session.permissionCheck?.({}, 'notifications')).toBe(false);
    const headers = vi.fn();
    session.headersReceived?.({ responseHeaders: { 'X-Other': ['1'] } }, headers);
    expect(headers).toHaveBeenCalledWith({ responseHeaders: { 'X-Other': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-eval');
  });
});
