/**
 * The one place the renderer touches `window.api`. In Electron the preload provides it (results
 * wrapped in envelopes); in a browser tab the same contract runs over a WebSocket to the
 * browser-mode server, authenticated with the `?token=` of the page URL. Either way callers get
 * the contract's `Api`: a value on success, a thrown AppError on failure.
 */
import { AppError } from '../shared/errors';
import { buildApi, type Api, type RequestName } from '../shared/ipc/contract';
import type { Envelope } from '../shared/result';
import type { WireApi } from './wire-api';
import { createWsTransport, type ConnectionStatus, type Transport } from './ws-transport';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in browser mode. */
    api?: WireApi;
  }
}

let instance: Api | null = null;
let transport: Transport | null = null;

/** Envelope → value, or the error rebuilt as an AppError and thrown. */
export function unwrap<T>(envelope: Envelope<T>): T {
  if (envelope.ok) return envelope.value;
  throw AppError.fromData(envelope.error);
}

function electronInvoke(wire: WireApi) {
  return (channel: RequestName, params: unknown): Promise<Envelope<unknown>> => {
    const [domain, verb] = channel.split(':');
    const group = wire[domain as keyof WireApi] as unknown as Record<string, (p: unknown) => Promise<Envelope<unknown>>>;
    return group[verb](params);
  };
}

/** ws(s)://<this host>/ws?token=<the page's token>. */
export function socketUrl(loc: Pick<Location, 'protocol' | 'host' | 'search'> = window.location): string {
  const token = new URLSearchParams(loc.search).get('token') ?? '';
  const scheme = loc.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${loc.host}/ws?token=${encodeURIComponent(token)}`;
}

function createApi(): Api {
  const wire = window.api;
  if (wire) {
    const invoke = electronInvoke(wire);
    return buildApi(async (channel, params) => unwrap(await invoke(channel, params)), (event, listener) => wire.on(event, listener));
  }
  transport = createWsTransport(socketUrl());
  const t = transport;
  return buildApi(async (channel, params) => unwrap(await t.invoke(channel, params)), (event, listener) => t.subscribe(event, listener));
}

/** The app's API, created on first use. */
export function getApi(): Api {
  instance ??= createApi();
  return instance;
}

/** Follows the browser-mode connection; Electron's IPC never drops, so there it never fires. */
export function onConnectionStatus(listener: (status: ConnectionStatus) => void): () => void {
  getApi();
  return transport ? transport.onStatus(listener) : () => undefined;
}

/** Forgets the current API so the next `getApi()` reads `window.api` again (component tests). */
export function resetApi(): void {
  transport?.close();
  transport = null;
  instance = null;
}
