/**
 * Browser-mode server: the same main-side router Electron uses, reached from a normal browser tab.
 * It serves the built renderer over HTTP and the IPC over a WebSocket at /ws, on loopback only.
 * Access needs the random token printed in the URL (as Jupyter does), and the socket must come
 * from this server's own origin, so other pages open in the same browser cannot drive it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { WebSocketServer } from 'ws';
import type { Workbench } from '../app/workbench-types';
import { isLoopbackHost, isOwnHost, isOwnOrigin, newToken, tokenMatches } from './auth';
import { resolveStatic, sendFile, sendStatus } from './static-files';
import { serveSocket } from './ws-endpoint';

export interface ServerOptions {
  workbench: Workbench;
  /** Loopback name to bind; anything else is refused. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Access token; a random 32-byte hex token when absent. */
  token?: string;
  /** Folder holding the built renderer (index.html + assets). */
  staticDir: string;
}

export interface RunningServer {
  /** The URL to open, token included. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const HTML_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'",
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer'
};

const UNAUTHORIZED_PAGE =
  '<!doctype html><meta charset="utf-8"><title>Saliency Workbench: access token needed</title>' +
  '<body style="font:15px system-ui;margin:3rem"><h1>401: access token missing or wrong</h1>' +
  '<p>Open the workbench with the full URL printed by <code>npm run serve</code>; it ends in <code>?token=…</code>.</p></body>';

/** Writes a bare HTTP refusal on a socket that asked to upgrade, then closes it. */
function refuseUpgrade(socket: Duplex, status: 401 | 403 | 404, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function requestUrl(req: IncomingMessage): URL {
  return new URL(req.url ?? '/', 'http://localhost');
}

/** Starts the server; resolves once it listens. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  if (!isLoopbackHost(host)) throw new Error(`The browser-mode server binds to loopback only; "${host}" is not a loopback host.`);
  const token = options.token ?? newToken();
  const root = await realpath(path.resolve(options.staticDir));
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  let port = 0;

  const server = createServer((req, res) => void handleHttp(req, res, { root, token, port: () => port }));
  server.on('upgrade', (req, socket, head) => {
    const url = requestUrl(req);
    if (url.pathname !== '/ws') return refuseUpgrade(socket, 404, 'Not Found');
    if (!tokenMatches(token, url.searchParams.get('token'))) return refuseUpgrade(socket, 401, 'Unauthorized');
    if (!isOwnOrigin(req.headers.origin, req.headers.host, port)) return refuseUpgrade(socket, 403, 'Forbidden');
    const origin = req.headers.origin as string;
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, options.workbench, origin));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  port = (server.address() as { port: number }).port;
  const urlHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}/?token=${token}`,
    port,
    token,
    close: () => closeServer(server, wss)
  };
}

interface HttpContext {
  root: string;
  token: string;
  port: () => number;
}

async function handleHttp(req: IncomingMessage, res: ServerResponse, ctx: HttpContext): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendStatus(res, 405, 'Method not allowed', { Allow: 'GET, HEAD' });
  if (!isOwnHost(req.headers.host, ctx.port())) return sendStatus(res, 403, 'Forbidden: unexpected Host header');
  const url = requestUrl(req);
  const isPage = url.pathname === '/' || url.pathname === '/index.html';
  if (isPage && !tokenMatches(ctx.token, url.searchParams.get('token'))) {
    res.writeHead(401, { 'Content-Type': 'text/html; charset=utf-8', ...HTML_HEADERS });
    res.end(UNAUTHORIZED_PAGE);
    return;
  }
  const file = await resolveStatic(ctx.root, isPage ? '/index.html' : url.pathname);
  if (!file) return sendStatus(res, 404, 'Not found');
  sendFile(req, res, file, file.endsWith('.html') ? HTML_HEADERS : { 'Cache-Control': 'no-cache' });
}

async function closeServer(server: ReturnType<typeof createServer>, wss: WebSocketServer): Promise<void> {
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
