import { describe, expect, it, vi } from 'vitest';
import { EVENT_CHANNELS, REQUEST_CHANNELS } from '../../shared/ipc/contract';

const electron = vi.hoisted(() => {
  const exposed = new Map<string, any>();
  const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
  return {
    exposed,
    listeners,
    contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.set(key, value) },
    ipcRenderer: {
      invoke: (channel: string, params: unknown) => Promise.resolve({ ok: true, value: { channel, params } }),
      on: (channel: string, fn: (...args: unknown[]) => void) => listeners.set(channel, (listeners.get(channel) ?? new Set()).add(fn)),
      removeListener: (channel: string, fn: (...args: unknown[]) => void) => listeners.get(channel)?.delete(fn)
    }
  };
});
vi.mock('electron', () => ({ contextBridge: electron.contextBridge, ipcRenderer: electron.ipcRenderer }));

await import('../../main/electron/preload');
const api = electron.exposed.get('api');

describe('preload', () => {
  it('exposes one object, window.api, and nothing else', () => {
    expect([...electron.exposed.keys()]).toEqual(['api']);
  });

  it('has exactly the contract domains and verbs, plus `on`', () => {
    const expected = new Map<string, string[]>();
    for (const channel of REQUEST_CHANNELS) {
      const [domain, verb] = channel.split(':');
      expected.set(domain, [...(expected.get(domain) ?? []), verb]);
    }
    expect(Object.keys(api).sort()).toEqual([...expected.keys(), 'on'].sort());
    for (const [domain, verbs] of expected) expect(Object.keys(api[domain]).sort()).toEqual(verbs.sort());
  });

  it('never exposes ipcRenderer or a generic send/invoke', () => {
    const names = JSON.stringify(api, (_k, v) => (typeof v === 'function' ? 'fn' : v));
    expect(names).not.toMatch(/ipcRenderer|"send"|"invoke"|"sendSync"/);
    expect(api.ipcRenderer).toBeUndefined();
  });

  it('invokes each request on its own channel and returns the envelope untouched', async () => {
    const spec = { kind: 'saliency-maps', modelId: 'm', imageSetId: 's', indices: [1], method: 'gradient' };
    await expect(api.jobs.start(spec)).resolves.toEqual({ ok: true, value: { channel: 'jobs:start', params: spec } });
    await expect(api.app.info()).resolves.toEqual({ ok: true, value: { channel: 'app:info', params: {} } });
  });

  it('subscribes to contract events only, passes the payload alone, and unsubscribes', () => {
    const seen: unknown[] = [];
    const stop = api.on('jobs:progress', (p: unknown) => seen.push(p));
    const [forward] = electron.listeners.get('jobs:progress')!;
    forward({ sender: 'ipc-event' }, { jobId: 'j', progress: { done: 1, total: 2 } });
    expect(seen).toEqual([{ jobId: 'j', progress: { done: 1, total: 2 } }]);
    stop();
    expect(electron.listeners.get('jobs:progress')!.size).toBe(0);
    expect(() => api.on('app:quit', () => undefined)).toThrow(/unknown event/);
    expect(EVENT_CHANNELS).toContain('jobs:progress');
  });
});
