/** Shared set-up for the browser-mode server tests: a temp static folder and raw HTTP/WS clients. */
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { decode, encode } from '../../shared/ipc/codec';

export interface StaticFixture {
  /** The folder the server serves. */
  root: string;
  /** Its parent, which also holds a secret file the server must never return. */
  parent: string;
  cleanup(): Promise<void>;
}

/** index.html + one JS asset inside `static/`, `secret.txt` next to it, and a symlink pointing out. */
export async function makeStaticFixture(): Promise<StaticFixture> {
  const parent = await mkdtemp(path.join(os.tmpdir(), 'saliency-server-'));
  const root = path.join(parent, 'static');
  await mkdir(path.join(root, 'assets'), { recursive: true });
  await writeFile(path.join(root, 'index.html'), '<!doctype html><title>workbench</title><div id="app"></div>');
  await writeFile(path.join(root, 'assets', 'app.js'), 'console.log("app");');
  await writeFile(path.join(root, 'assets', 'style.css'), 'body{}');
  await writeFile(path.join(parent, 'secret.txt'), 'TOP SECRET');
  await symlink(path.join(parent, 'secret.txt'), path.join(root, 'assets', 'link.txt'));
  return { root, parent, cleanup: () => rm(parent, { recursive: true, force: true }) };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** GET with the path sent exactly as given (no client-side normalisation of `..`). */
export function rawGet(port: number, rawPath: string, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method: 'GET', headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Resolves with the socket once open, or rejects with the HTTP status the upgrade was refused with. */
export function openSocket(url: string, origin: string | undefined): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`refused ${res.statusCode}`), { status: res.statusCode })));
    ws.once('error', reject);
  });
}

/** A tiny client speaking the server's message format, for assertions. */
export class TestClient {
  private nextId = 1;
  readonly events: Array<{ event: string; payload: unknown }> = [];
  private readonly waiters = new Map<number, (envelope: unknown) => void>();
  private readonly eventWaiters: Array<{ match: (e: { event: string; payload: unknown }) => boolean; resolve: (e: { event: string; payload: unknown }) => void }> = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => this.onMessage(decode(data.toString()) as Record<string, unknown>));
  }

  private onMessage(message: Record<string, unknown>): void {
    if (typeof message.id === 'number') this.waiters.get(message.id)?.(message.envelope);
    if (typeof message.event !== 'string') return;
    const e = { event: message.event, payload: message.payload };
    this.events.push(e);
    for (const w of [...this.eventWaiters]) {
      if (!w.match(e)) continue;
      this.eventWaiters.splice(this.eventWaiters.indexOf(w), 1);
      w.resolve(e);
    }
  }

  /** Sends one request and resolves with the reply's envelope. */
  request(channel: string, payload: unknown): Promise<{ ok: boolean; value?: any; error?: any }> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiters.set(id, resolve as (e: unknown) => void);
      this.ws.send(encode({ id, channel, payload }));
    });
  }

  /** Resolves with the first event (already received or future) that matches. */
  waitForEvent(match: (e: { event: string; payload: any }) => boolean): Promise<{ event: string; payload: any }> {
    const seen = this.events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.eventWaiters.push({ match, resolve }));
  }
}
