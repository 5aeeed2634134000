/**
 * Browser mode's access rules beyond the happy path (issue #6 item 7): it listens on loopback
 * only (and is unreachable through the machine's other addresses), refuses non-loopback binds,
 * refuses every upgrade that lacks the token, comes from another origin or addresses another host,
 * and the native-dialog requests answer UNSUPPORTED there.
 */
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../main/server/server';
import { createFakeWorkbench } from './fake-workbench';
import { makeStaticFixture, openSocket, TestClient, type StaticFixture } from './helpers';

const TOKEN = 'c'.repeat(64);

/** Sends a WebSocket upgrade with exactly these headers and resolves with the HTTP status (101 = accepted). */
function upgradeStatus(port: number, pathAndQuery: string, headers: Record<string, string>, host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host,
      port,
      path: pathAndQuery,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers }
    });
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve(res.statusCode ?? 0);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Whether a TCP connection to host:port is accepted. */
function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 2000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const externalIPv4 = Object.values(os.networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

describe('browser-mode access rules', () => {
  let fixture: StaticFixture;
  let server: RunningServer;
  const workbench = createFakeWorkbench();

  beforeAll(async () => {
    fixture = await makeStaticFixture();
    server = await startServer({ workbench, token: TOKEN, staticDir: fixture.root });
  });
  afterAll(async () => {
    await server.close();
    await fixture.cleanup();
  });

  it.each(['0.0.0.0', '::', '192.168.1.10', 'example.com', '127.0.0.1.nip.io'])('refuses to bind to %s', async (host) => {
    await expect(startServer({ workbench, host, staticDir: fixture.root })).rejects.toThrow(/loopback only/);
  });

  it.skipIf(!externalIPv4)("is not reachable through the machine's other addresses", async () => {
    expect(await canConnect('127.0.0.1', server.port)).toBe(true);
    expect(await canConnect(externalIPv4!, server.port)).toBe(false);
  });

  it('binds to ::1 when asked, and serves the page there with the token only', async (ctx) => {
    let v6: RunningServer;
    try {
      v6 = await startServer({ workbench, host: '::1', token: TOKEN, staticDir: fixture.root });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRNOTAVAIL' || (err as NodeJS.ErrnoException).code === 'EAFNOSUPPORT') return ctx.skip();
      throw err;
    }
    try {
      expect(v6.url).toBe(`http://[::1]:${v6.port}/?token=${TOKEN}`);
      const get = (p: string) =>
        new Promise<number>((resolve, reject) => {
          http.get({ host: '::1', port: v6.port, path: p }, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          }).on('error', reject);
        });
      expect(await get(`/?token=${TOKEN}`)).toBe(200);
      expect(await get('/')).toBe(401);
      expect(await canConnect('127.0.0.1', v6.port)).toBe(false);
    } finally {
      await v6.close();
    }
  });

  it('accepts an upgrade only with the token, its own origin and its own host', async () => {
    const own = { Origin: `http://127.0.0.1:${server.port}`, Host: `127.0.0.1:${server.port}` };
    expect(await upgradeStatus(server.port, `/ws?token=${TOKEN}`, own)).toBe(101);
    expect(await upgradeStatus(server.port, `/ws?token=${TOKEN.slice(1)}`, own)).toBe(401); // one character short
    expect(await upgradeStatus(server.port, `/ws?token=${TOKEN.toUpperCase()}`, own)).toBe(401);
    expect(await upgradeStatus(server.port, '/ws', own)).toBe(401);
    expect(await upgradeStatus(server.port, `/ws?tok=${TOKEN}`, own)).toBe(401);
    expect(await upgradeStatus(server.port, `/other?token=${TOKEN}`, own)).toBe(404);
    // DNS rebinding: the page was loaded as evil.example, which resolves to 127.0.0.1.
    expect(await upgradeStatus(server.port, `/ws?token=${TOKEN}`, { Origin: `http://evil.example:${server.port}`, Host: `evil.example:${server.port}` })).toBe(403);
    expect(await upgradeStatus(server.port, `/ws?token=${TOKEN}`, { ...own, Origin: 'null' })).toBe(403); // sandboxed iframe or file://
    expect(await upgradeStatus(server.port, `/ws?token=${TOKEN}`, { ...own, Origin: `https://127.0.0.1:${server.port}` })).toBe(403);
  });

  it('answers only GET and HEAD over HTTP', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: server.port, path: `/?token=${TOKEN}`, method: 'POST' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end('x');
    });
    expect(status).toBe(405);
  });

  it('native dialogs answer UNSUPPORTED over the socket, so the page shows a path field', async () => {
    const client = new TestClient(await openSocket(`ws://127.0.0.1:${server.port}/ws?token=${TOKEN}`, `http://127.0.0.1:${server.port}`));
    try {
      const reply = await client.request('dialogs:open', { kind: 'project-folder' });
      expect(reply).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED' } });
      const save = await client.request('dialogs:save', { kind: 'session-zip' });
      expect(save).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED' } });
    } finally {
      client.ws.close();
    }
  });
});
