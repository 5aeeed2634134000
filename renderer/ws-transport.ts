/**
 * Browser-mode transport: the contract over one WebSocket to main/server. Requests are correlated
 * by id; events fan out to subscribers. The socket reconnects with exponential backoff, and any
 * request caught by a drop fails at once with a clear AppError instead of hanging.
 */
import { AppError } from '../shared/errors';
import { decode, encode } from '../shared/ipc/codec';
import type { EventName, RequestName } from '../shared/ipc/contract';
import type { Envelope } from '../shared/result';

export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting';

export interface Transport {
  invoke(channel: RequestName, params: unknown): Promise<Envelope<unknown>>;
  subscribe(event: EventName, listener: (payload: unknown) => void): () => void;
  onStatus(listener: (status: ConnectionStatus) => void): () => void;
  close(): void;
}

interface Pending {
  channel: RequestName;
  resolve: (envelope: Envelope<unknown>) => void;
  reject: (err: AppError) => void;
}

export interface WsTransportOptions {
  /** First reconnect delay (ms); doubles per failed attempt up to `maxDelayMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  createSocket?: (url: string) => WebSocket;
}

function connectionLost(channel: RequestName): AppError {
  return new AppError('ENGINE_UNAVAILABLE', `The connection to the workbench server was lost before "${channel}" was answered.`, {
    hint: 'Check that the `npm run serve` process is still running; the page reconnects by itself, then try again.'
  });
}

/** WebSocket.OPEN, spelled out so the module also runs where there is no global WebSocket (tests with `ws`). */
const OPEN = 1;

class WsTransport implements Transport {
  private readonly pending = new Map<number, Pending>();
  private readonly unsent = new Map<number, string>();
  private readonly listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  private readonly statusListeners = new Set<(status: ConnectionStatus) => void>();
  private socket: WebSocket | null = null;
  private nextId = 1;
  private attempt = 0;
  private closed = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly url: string,
    private readonly options: Required<WsTransportOptions>
  ) {
    this.connect();
  }

  invoke(channel: RequestName, params: unknown): Promise<Envelope<unknown>> {
    const id = this.nextId++;
    const text = encode({ id, channel, payload: params });
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(connectionLost(channel));
      this.pending.set(id, { channel, resolve, reject });
      if (this.socket?.readyState === OPEN) this.socket.send(text);
      else this.unsent.set(id, text);
    });
  }

  subscribe(event: EventName, listener: (payload: unknown) => void): () => void {
    const set = this.listeners.get(event) ?? new Set();
    this.listeners.set(event, set.add(listener));
    return () => void set.delete(listener);
  }

  onStatus(listener: (status: ConnectionStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => void this.statusListeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.socket?.close();
    this.failAll();
  }

  private connect(): void {
    const ws = this.options.createSocket(this.url);
    this.socket = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.setStatus('open');
      for (const text of this.unsent.values()) ws.send(text);
      this.unsent.clear();
    };
    ws.onmessage = (e: MessageEvent) => {
      if (typeof e.data === 'string') this.onMessage(e.data);
    };
    ws.onclose = () => {
      if (this.socket === ws) this.socket = null;
      this.failAll();
      if (this.closed) return;
      this.setStatus('reconnecting');
      const delay = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** this.attempt++);
      this.timer = setTimeout(() => this.connect(), delay);
    };
  }

  private onMessage(text: string): void {
    const message = decode(text) as { id?: number; envelope?: Envelope<unknown>; event?: EventName; payload?: unknown };
    if (typeof message.id === 'number' && message.envelope) {
      this.pending.get(message.id)?.resolve(message.envelope);
      this.pending.delete(message.id);
    } else if (message.event) {
      this.listeners.get(message.event)?.forEach((l) => l(message.payload));
    }
  }

  /** A dropped socket answers nothing more: every request it carried fails now. */
  private failAll(): void {
    for (const p of this.pending.values()) p.reject(connectionLost(p.channel));
    this.pending.clear();
    this.unsent.clear();
  }

  private setStatus(status: ConnectionStatus): void {
    this.statusListeners.forEach((l) => l(status));
  }
}

/** Opens the socket at `url` (token included) and keeps it open, reconnecting, until `close()`. */
export function createWsTransport(url: string, options: WsTransportOptions = {}): Transport {
  return new WsTransport(url, {
    baseDelayMs: options.baseDelayMs ?? 250,
    maxDelayMs: options.maxDelayMs ?? 10_000,
    createSocket: options.createSocket ?? ((u: string) => new WebSocket(u))
  });
}
