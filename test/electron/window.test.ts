import { readFileSync } from 'node:fs';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeBrowserWindow, FakeSession, FakeWebContents } from './electron-fakes';

vi.mock('electron', async () => {
  const fakes = await import('./electron-fakes');
  return { BrowserWindow: fakes.FakeBrowserWindow };
});

const { createMainWindow, guardContents, hardenSession, CONTENT_SECURITY_POLICY } = await import('../../main/electron/window');

const policy = { rendererDir: '/app/out/renderer' };

/** CSP text → directive name → sorted sources. */
function directives(csp: string): Map<string, string> {
  return new Map(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name, sources.sort().join(' ')])
  );
}

describe('main window security', () => {
  beforeEach(() => (FakeBrowserWindow.instances = []));

  it('runs the renderer sandboxed, isolated, without Node, with web security and our preload', () => {
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
      webviewTag: false,
      experimentalFeatures: false
    });
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    expect(prefs).not.toHaveProperty('enableRemoteModule');
  });

  it('loads only the given renderer: the built file, or the dev server URL', () => {
    const fromFile = createMainWindow({ preloadPath: '/p.cjs', renderer: { kind: 'file', file: '/app/out/renderer/index.html' } }) as unknown as FakeBrowserWindow;
    expect(fromFile.loaded).toEqual({ file: '/app/out/renderer/index.html' });
    const fromDev = createMainWindow({ preloadPath: '/p.cjs', renderer: { kind: 'url', url: 'http://127.0.0.1:5173/' } }) as unknown as FakeBrowserWindow;
    expect(fromDev.loaded).toEqual({ url: 'http://127.0.0.1:5173/' });
  });

  it('opens at the restored bounds, maximized when it was, and keeps the minimum size', () => {
    const bounds = { x: 40, y: 30, width: 1200, height: 800 };
    const win = createMainWindow({ preloadPath: '/p.cjs', renderer: { kind: 'file', file: '/i.html' }, bounds, maximized: true }) as unknown as FakeBrowserWindow;
    expect(win.options).toMatchObject({ ...bounds, minWidth: 1024, minHeight: 640 });
    expect(win.maximized).toBe(true);
    const plain = createMainWindow({ preloadPath: '/p.cjs', renderer: { kind: 'file', file: '/i.html' } }) as unknown as FakeBrowserWindow;
    expect(plain.options).toMatchObject({ width: 1440, height: 900 });
    expect(plain.maximized).toBe(false);
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

  it('hands only safe https links to the system browser, and still opens no window', () => {
    const contents = new FakeWebContents();
    const openExternal = vi.fn(async () => undefined);
    guardContents(contents as never, { openExternal });
    for (const url of ['https://github.com/tensorflow/tfjs', 'http://example.com/', 'file:///etc/passwd', 'javascript:alert(1)', 'https://user:pw@evil.example/', 'smb://host/share']) {
      expect(contents.openHandler?.({ url })).toEqual({ action: 'deny' });
    }
    expect(openExternal.mock.calls).toEqual([['https://github.com/tensorflow/tfjs']]);
  });

  it('the main window gets the same link handling as every other contents', () => {
    const openExternal = vi.fn(async () => undefined);
    const win = createMainWindow({ preloadPath: '/p.cjs', renderer: { kind: 'file', file: '/i.html' }, guard: { openExternal } }) as unknown as FakeBrowserWindow;
    win.webContents.openHandler?.({ url: 'https://example.com/docs' });
    expect(openExternal).toHaveBeenCalledWith('https://example.com/docs');
  });

  it('denies every permission request and check', () => {
    const session = new FakeSession();
    hardenSession(session as never, policy);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fileSystem']) {
      const callback = vi.fn();
      session.permissionRequest?.({}, permission, callback);
      expect(callback, permission).toHaveBeenCalledWith(false);
      expect(session.permissionCheck?.({}, permission), permission).toBe(false);
    }
  });

  it('cancels every request outside the packaged renderer folder (no remote content)', () => {
    const session = new FakeSession();
    hardenSession(session as never, policy);
    expect(session.allows('file:///app/out/renderer/index.html')).toBe(true);
    expect(session.allows('file:///app/out/renderer/assets/index-abc.js')).toBe(true);
    expect(session.allows('data:image/png;base64,AAAA')).toBe(true);
    expect(session.allows('https://cdn.example.com/lib.js')).toBe(false);
    expect(session.allows('http://127.0.0.1:5173/')).toBe(false);
    expect(session.allows('file:///app/out/main/index.js')).toBe(false);
    expect(session.allows('file:///etc/passwd')).toBe(false);
  });

  it('adds the CSP header to every response, without eval or remote sources', () => {
    const session = new FakeSession();
    hardenSession(session as never, policy);
    const headers = vi.fn();
    session.headersReceived?.({ responseHeaders: { 'X-Other': ['1'] } }, headers);
    expect(headers).toHaveBeenCalledWith({ responseHeaders: { 'X-Other': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] } });
    const csp = directives(CONTENT_SECURITY_POLICY);
    expect(csp.get('default-src')).toBe("'self'");
    expect(csp.get('script-src')).toBe("'self'");
    expect(csp.get('object-src')).toBe("'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|https?:|\*/);
  });

  it('renderer/index.html carries the same policy as a meta tag (file:// responses have no headers)', () => {
    const html = readFileSync(new URL('../../renderer/index.html', import.meta.url), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html);
    expect(meta, 'CSP meta tag in renderer/index.html').not.toBeNull();
    const header = directives(CONTENT_SECURITY_POLICY);
    header.delete('frame-ancestors'); // ignored in a meta tag by the CSP spec
    expect(directives(meta![1])).toEqual(header);
  });
});
