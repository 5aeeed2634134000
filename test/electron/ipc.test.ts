import { describe, expect, it, vi } from 'vitest';
import { EventBus } from '../../main/app/event-bus';
import { forwardEvents } from '../../main/electron/events';
import { isTrustedUrl, registerIpcHandlers } from '../../main/electron/ipc';
import type { Router } from '../../main/ipc/router';
import { REQUEST_CHANNELS } from '../../shared/ipc/contract';
import { FakeIpcMain, FakeWebContents, invokeEvent } from './electron-fakes';

vi.mock('electron', () => ({}));

const trust = { rendererFile: '/app/out/renderer/index.html' };
const ownUrl = 'file:///app/out/renderer/index.html';

function setup(options = trust) {
  const ipcMain = new FakeIpcMain();
  const router: Router = { dispatch: vi.fn(async (channel: string) => ({ ok: true as const, value: `answered ${channel}` })) };
  const dispose = registerIpcHandlers(ipcMain as never, router, options);
  return { ipcMain, router, dispose };
}

describe('Electron IPC registration', () => {
  it('registers a handler for every request channel of the contract, and nothing else', () => {
    const { ipcMain } = setup();
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...REQUEST_CHANNELS].sort());
  });

  it('dispatches requests from our own renderer to the router as an electron sender', async () => {
    const { ipcMain, router } = setup();
    const reply = await ipcMain.handlers.get('jobs:get')!(invokeEvent(ownUrl), { jobId: 'j1' });
    expect(reply).toEqual({ ok: true, value: 'answered jobs:get' });
    expect(router.dispatch).toHaveBeenCalledWith('jobs:get', { jobId: 'j1' }, { kind: 'electron', origin: ownUrl });
  });

  it.each([
    ['a remote page', invokeEvent('https://evil.example/')],
    ['another local file', invokeEvent('file:///etc/passwd')],
    ['another file beside ours', invokeEvent('file:///app/out/renderer/other.html')],
    ['a sub-frame of our page', invokeEvent(ownUrl, { url: ownUrl })],
    ['a destroyed frame', invokeEvent(null)],
    ['a dev-server URL when none is configured', invokeEvent('http://127.0.0.1:5173/')]
  ])('refuses %s with an UNAUTHORIZED envelope, without calling the router', async (_name, event) => {
    const { ipcMain, router } = setup();
    const reply = await ipcMain.handlers.get('app:info')!(event, {});
    expect(reply).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(router.dispatch).not.toHaveBeenCalled();
  });

  it('accepts the dev server origin only when it is configured', () => {
    const dev = { ...trust, devServerUrl: 'http://127.0.0.1:5173/' };
    expect(isTrustedUrl('http://127.0.0.1:5173/index.html', dev)).toBe(true);
    expect(isTrustedUrl('http://127.0.0.1:5174/', dev)).toBe(false);
    expect(isTrustedUrl('not a url', dev)).toBe(false);
  });

  it('shows each answered request to the observer, which can never change the answer', async () => {
    const ipcMain = new FakeIpcMain();
    const router: Router = { dispatch: vi.fn(async () => ({ ok: true as const, value: { root: '/p' } })) };
    const seen: unknown[] = [];
    registerIpcHandlers(ipcMain as never, router, trust, (channel, envelope) => {
      seen.push([channel, envelope]);
      throw new Error('observer bug');
    });
    await expect(ipcMain.handlers.get('project:current')!(invokeEvent(ownUrl), {})).resolves.toEqual({ ok: true, value: { root: '/p' } });
    expect(seen).toEqual([['project:current', { ok: true, value: { root: '/p' } }]]);
    await ipcMain.handlers.get('app:info')!(invokeEvent('https://evil.example/'), {});
    expect(seen).toHaveLength(1); // refused requests never reach the router or the observer
  });

  it('removes every handler when disposed', () => {
    const { ipcMain, dispose } = setup();
    dispose();
    expect(ipcMain.handlers.size).toBe(0);
  });
});

describe('event forwarding', () => {
  it('sends each workbench event to the live window, and nothing once it is gone', () => {
    const bus = new EventBus();
    const contents = new FakeWebContents();
    let target: FakeWebContents | null = contents;
    forwardEvents(bus, () => target as never);
    bus.emit('engine:state', { state: 'ready' });
    contents.destroyed = true;
    bus.emit('engine:state', { state: 'stopped' });
    target = null;
    bus.emit('engine:state', { state: 'crashed' });
    expect(contents.sent).toEqual([{ channel: 'engine:state', payload: { state: 'ready' } }]);
  });
});
