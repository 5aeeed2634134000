// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../../shared/errors';
import { decode, encode } from '../../shared/ipc/codec';
import { createWsTransport, type ConnectionStatus, type Transport } from '../../renderer/ws-transport';

/** A socket the test drives: it records what is sent and opens/closes/answers on command. */
class ScriptedSocket {
  static all: ScriptedSocket[] = [];
  readyState = 0;
  sent: Array<{ id: number; channel: string; payload: unknown }> = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(readonly url: string) {
    ScriptedSocket.all.push(this);
  }
  send(text: string) {
    this.sent.push(decode(text) as ScriptedSocket['sent'][number]);
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  receive(message: unknown) {
    this.onmessage?.({ data: encode(message) });
  }
  close() {
    this.readyState = 3;
    this.onclose?.();
  }
}

describe('WebSocket transport', () => {
  let transport: Transport;
  const make = () => {
    ScriptedSocket.all = [];
    transport = createWsTransport('ws://127.0.0.1:1/ws?token=t', { baseDelayMs: 100, maxDelayMs: 400, createSocket: (u) => new ScriptedSocket(u) as unknown as WebSocket });
    return ScriptedSocket.all[0];
  };
  afterEach(() => {
    transport.close();
    vi.useRealTimers();
  });

  it('queues requests until the socket opens, then correlates replies by id', async () => {
    const socket = make();
    const reply = transport.invoke('app:info', {});
    expect(socket.sent).toHaveLength(0);
    socket.open();
    expect(socket.sent).toEqual([{ id: 1, channel: 'app:info', payload: {} }]);
    socket.receive({ id: 1, envelope: { ok: true, value: { appVersion: '1' } } });
    await expect(reply).resolves.toEqual({ ok: true, value: { appVersion: '1' } });
  });

  it('delivers events, typed arrays included, to their subscribers only', () => {
    const socket = make();
    socket.open();
    const partials: unknown[] = [];
    const states: unknown[] = [];
    transport.subscribe('jobs:partial', (p) => partials.push(p));
    const stop = transport.subscribe('jobs:state', (p) => states.push(p));
    socket.receive({ event: 'jobs:partial', payload: { jobId: 'j', item: { data: new Float32Array([1.5, -2]) } } });
    stop();
    socket.receive({ event: 'jobs:state', payload: { id: 'j' } });
    expect(partials).toHaveLength(1);
    expect((partials[0] as { item: { data: Float32Array } }).item.data).toEqual(new Float32Array([1.5, -2]));
    expect(states).toHaveLength(0);
  });

  it('fails pending requests with a clear AppError when the connection drops', async () => {
    const socket = make();
    socket.open();
    const reply = transport.invoke('jobs:start', {});
    socket.close();
    const err = await reply.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe('ENGINE_UNAVAILABLE');
    expect((err as AppError).message).toContain('jobs:start');
    expect((err as AppError).hint).toMatch(/reconnects/);
  });

  it('reconnects with exponential backoff, capped, and reports its status', async () => {
    vi.useFakeTimers();
    const first = make();
    const statuses: ConnectionStatus[] = [];
    transport.onStatus((s) => statuses.push(s));
    first.close();
    expect(statuses).toEqual(['reconnecting']);
    await vi.advanceTimersByTimeAsync(99);
    expect(ScriptedSocket.all).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(ScriptedSocket.all).toHaveLength(2);
    ScriptedSocket.all[1].close();
    await vi.advanceTimersByTimeAsync(200);
    expect(ScriptedSocket.all).toHaveLength(3);
    ScriptedSocket.all[2].close();
    await vi.advanceTimersByTimeAsync(400);
    expect(ScriptedSocket.all).toHaveLength(4);
    ScriptedSocket.all[3].open();
    expect(statuses.at(-1)).toBe('open');
    const reply = transport.invoke('jobs:list', {});
    expect(ScriptedSocket.all[3].sent).toEqual([{ id: 1, channel: 'jobs:list', payload: {} }]);
    ScriptedSocket.all[3].receive({ id: 1, envelope: { ok: true, value: [] } });
    await expect(reply).resolves.toEqual({ ok: true, value: [] });
  });

  it('fails requests at once after close()', async () => {
    make();
    transport.close();
    await expect(transport.invoke('app:info', {})).rejects.toBeInstanceOf(AppError);
  });
});
