import { describe, expect, it } from 'vitest';
import type { BackendInfo } from '../../shared/types/model';
import type { HostMessage, HostRequest } from '../../main/engine/protocol';
import { EngineClient } from '../../main/jobs/engine-client';
import type { EngineTransport } from '../../main/jobs/engine-transport';

const info = { backend: 'cpu', pid: 1 } as BackendInfo;

/** An in-memory engine host: answers `info`, holds `saliency` until told, can crash. */
class FakeHost implements EngineTransport {
  static started: FakeHost[] = [];
  readonly pid = 1000 + FakeHost.started.length;
  readonly received: HostRequest[] = [];
  private messageListener: (m: HostMessage) => void = () => {};
  private exitListeners: Array<(code: number | null, signal: string | null) => void> = [];
  ignoreCancel = false;

  constructor() {
    FakeHost.started.push(this);
    queueMicrotask(() => this.messageListener({ type: 'ready', info }));
  }
  send(message: HostRequest): void {
    this.received.push(message);
    if (message.type === 'cancel' && !this.ignoreCancel) this.emit({ type: 'error', id: message.id, error: { code: 'CANCELLED', message: 'cancelled' } });
    if (message.type === 'request' && message.method === 'loadModel') this.emit({ type: 'result', id: message.id, value: 'described' });
  }
  emit(m: HostMessage): void {
    queueMicrotask(() => this.messageListener(m));
  }
  onMessage(listener: (m: HostMessage) => void): void {
    this.messageListener = listener;
  }
  onExit(listener: (code: number | null, signal: string | null) => void): void {
    this.exitListeners.push(listener);
  }
  kill(): void {
    this.crash(null, 'SIGKILL');
  }
  crash(code: number | null, signal: string | null): void {
    queueMicrotask(() => this.exitListeners.forEach((l) => l(code, signal)));
  }
  lastRequestId(): string {
    return (this.received.filter((m) => m.type === 'request').pop() as { id: string }).id;
  }
}

const launcher = () => new FakeHost();

describe('EngineClient', () => {
  it('starts the host lazily, reports its info, and correlates replies by id', async () => {
    FakeHost.started = [];
    const states: string[] = [];
    const client = new EngineClient(launcher, { onState: (s) => states.push(s) });
    expect(FakeHost.started).toHaveLength(0);
    expect(await client.info()).toBe(info);
    expect(await client.request('loadModel', { path: 'm' })).toBe('described');
    expect(FakeHost.started).toHaveLength(1);
    expect(states).toEqual(['starting', 'ready']);
  });

  it('forwards progress and partial messages to the request that owns them', async () => {
    FakeHost.started = [];
    const client = new EngineClient(launcher);
    const progress: number[] = [];
    const pending = client.request('saliency', {} as never, { onProgress: (p) => progress.push(p.done) });
    await new Promise((r) => setTimeout(r, 5));
    const host = FakeHost.started[0];
    const id = host.lastRequestId();
    host.emit({ type: 'progress', id, progress: { done: 1, total: 2 } });
    host.emit({ type: 'progress', id: 'other', progress: { done: 99, total: 2 } });
    host.emit({ type: 'result', id, value: { count: 2, skipped: 0 } });
    expect(await pending).toEqual({ count: 2, skipped: 0 });
    expect(progress).toEqual([1]);
  });

  it('fails running requests with ENGINE_CRASHED when the host dies, and restarts it on the next request', async () => {
    FakeHost.started = [];
    const states: string[] = [];
    const client = new EngineClient(launcher, { onState: (s) => states.push(s) });
    const pending = client.request('saliency', {} as never);
    await new Promise((r) => setTimeout(r, 5));
    FakeHost.started[0].crash(null, 'SIGKILL');
    await expect(pending).rejects.toMatchObject({ code: 'ENGINE_CRASHED', message: expect.stringContaining('SIGKILL') });
    expect(states).toContain('crashed');
    expect(await client.request('loadModel', { path: 'm' })).toBe('described');
    expect(FakeHost.started).toHaveLength(2);
  });

  it('turns an aborted signal into a cancel message and a CANCELLED rejection', async () => {
    FakeHost.started = [];
    const client = new EngineClient(launcher);
    const controller = new AbortController();
    const pending = client.request('saliency', {} as never, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(FakeHost.started[0].received.some((m) => m.type === 'cancel')).toBe(true);
  });

  it('removes its abort listener when a request settles, so one signal can serve many requests', async () => {
    FakeHost.started = [];
    const client = new EngineClient(launcher);
    const controller = new AbortController();
    let listeners = 0;
    const signal = controller.signal;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((...args: Parameters<typeof add>) => (listeners++, add(...args))) as typeof add;
    signal.removeEventListener = ((...args: Parameters<typeof remove>) => (listeners--, remove(...args))) as typeof remove;
    for (let i = 0; i < 20; i++) expect(await client.request('loadModel', { path: 'm' }, { signal })).toBe('described');
    expect(listeners).toBe(0);
    const failing = client.request('saliency', {} as never, { signal });
    await new Promise((r) => setTimeout(r, 5));
    FakeHost.started[0].emit({ type: 'error', id: FakeHost.started[0].lastRequestId(), error: { code: 'PARAM_INVALID', message: 'bad' } });
    await expect(failing).rejects.toMatchObject({ code: 'PARAM_INVALID' });
    expect(listeners).toBe(0);
  });

  it('kills and restarts a host that ignores a cancel past the grace period; the request ends cancelled', async () => {
    FakeHost.started = [];
    const client = new EngineClient(launcher, { cancelGraceMs: 30 });
    const controller = new AbortController();
    const pending = client.request('saliency', {} as never, { signal: controller.signal });
    await new Promise((r) => setTimeout(r, 5));
    FakeHost.started[0].ignoreCancel = true;
    controller.abort();
    await expect(pending).rejects.toMatchObject({ code: 'CANCELLED' });
    await new Promise((r) => setTimeout(r, 5));
    expect(client.state).toBe('crashed');
    expect(await client.request('loadModel', { path: 'm' })).toBe('described');
  });

  it('refuses requests once stopped', async () => {
    FakeHost.started = [];
    const client = new EngineClient(launcher);
    await client.info();
    await client.stop();
    await expect(client.request('loadModel', { path: 'm' })).rejects.toMatchObject({ code: 'ENGINE_UNAVAILABLE' });
  });
});
