import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../main/server/server';
import { createFakeWorkbench, type FakeWorkbench } from './fake-workbench';
import { makeStaticFixture, openSocket, rawGet, TestClient, type StaticFixture } from './helpers';

const TOKEN = 'a'.repeat(64);

describe('browser-mode server', () => {
  let fixture: StaticFixture;
  let workbench: FakeWorkbench;
  let server: RunningServer;
  let origin: string;
  const wsUrl = (token = TOKEN) => `ws://127.0.0.1:${server.port}/ws?token=${token}`;

  beforeAll(async () => {
    fixture = await makeStaticFixture();
    workbench = createFakeWorkbench();
    server = await startServer({ workbench, token: TOKEN, staticDir: fixture.root });
    origin = `http://127.0.0.1:${server.port}`;
  });
  afterAll(async () => {
    await server.close();
    await fixture.cleanup();
  });

  it('prints a Jupyter-style URL that carries the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${TOKEN}`);
  });

  it('makes a random 32-byte hex token when none is given', async () => {
    const other = await startServer({ workbench, staticDir: fixture.root });
    try {
      expect(other.token).toMatch(/^[0-9a-f]{64}$/);
      expect(other.token).not.toBe(server.token);
    } finally {
      await other.close();
    }
  });

  it('refuses to bind to a non-loopback address', async () => {
    await expect(startServer({ workbench, host: '0.0.0.0', staticDir: fixture.root })).rejects.toThrow(/loopback/);
  });

  it('answers the page with 401 without the right token, and serves it with a CSP with it', async () => {
    expect((await rawGet(server.port, '/')).status).toBe(401);
    expect((await rawGet(server.port, '/?token=wrong')).status).toBe(401);
    const denied = await rawGet(server.port, '/index.html');
    expect(denied.status).toBe(401);
    expect(denied.body).toContain('access token');
    const page = await rawGet(server.port, `/?token=${TOKEN}`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.body).toContain('<div id="app">');
  });

  it('serves assets with their MIME types and lists no directories', async () => {
    const js = await rawGet(server.port, '/assets/app.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect((await rawGet(server.port, '/assets/style.css')).headers['content-type']).toBe('text/css; charset=utf-8');
    expect((await rawGet(server.port, '/assets/')).status).toBe(404);
    expect((await rawGet(server.port, '/assets')).status).toBe(404);
    expect((await rawGet(server.port, '/missing.js')).status).toBe(404);
  });

  it.each(['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/..%5csecret.txt', '/assets/link.txt', '/%00index.html', '/%E0%A4%A'])(
    'never serves anything outside the folder: %s',
    async (p) => {
      const res = await rawGet(server.port, p);
      expect(res.status).toBe(404);
      expect(res.body).not.toContain('TOP SECRET');
    }
  );

  it('refuses requests addressed to a foreign Host (DNS rebinding)', async () => {
    const res = await rawGet(server.port, `/?token=${TOKEN}`, { Host: `evil.example:${server.port}` });
    expect(res.status).toBe(403);
  });

  it('refuses WebSocket upgrades without the right token (401)', async () => {
    await expect(openSocket(wsUrl(''), origin)).rejects.toMatchObject({ status: 401 });
    await expect(openSocket(wsUrl('b'.repeat(64)), origin)).rejects.toMatchObject({ status: 401 });
  });

  it('refuses WebSocket upgrades from another origin, or with none (403)', async () => {
    await expect(openSocket(wsUrl(), 'http://evil.example')).rejects.toMatchObject({ status: 403 });
    await expect(openSocket(wsUrl(), `http://127.0.0.1:${server.port + 1}`)).rejects.toMatchObject({ status: 403 });
    await expect(openSocket(wsUrl(), undefined)).rejects.toMatchObject({ status: 403 });
  });

  it('dispatches requests to the router as a browser sender and returns envelopes', async () => {
    const client = new TestClient(await openSocket(wsUrl(), origin));
    try {
      const info = await client.request('app:info', {});
      expect(info.ok).toBe(true);
      expect(info.value.engine.backend).toBe('tensorflow');
      expect(workbench.senders.at(-1)).toEqual({ kind: 'browser', origin });
      const bad = await client.request('nope:never', {});
      expect(bad).toMatchObject({ ok: false, error: { code: 'IPC_INVALID' } });
      const invalid = await client.request('images:list', { imageSetId: '' });
      expect(invalid).toMatchObject({ ok: false, error: { code: 'IPC_INVALID' } });
    } finally {
      client.ws.close();
    }
  });

  it('keeps typed arrays intact in replies and events', async () => {
    const client = new TestClient(await openSocket(wsUrl(), origin));
    try {
      const page = await client.request('images:list', { imageSetId: 'mnist-test', offset: 0, limit: 2, thumbSize: 16 });
      expect(page.value.items[0].thumbnail.data).toBeInstanceOf(Uint8ClampedArray);
      expect(page.value.items[0].thumbnail.data).toHaveLength(16 * 16 * 4);
      const started = await client.request('jobs:start', { kind: 'saliency-maps', modelId: 'mnist-cnn', imageSetId: 'mnist-test', indices: [4], method: 'gradient' });
      const jobId = started.value.jobId as string;
      const partial = await client.waitForEvent((e) => e.event === 'jobs:partial' && e.payload.jobId === jobId);
      expect(partial.payload.item.data).toBeInstanceOf(Float32Array);
      expect(partial.payload.item.data).toHaveLength(28 * 28);
      expect(partial.payload.item.index).toBe(4);
    } finally {
      client.ws.close();
    }
  });

  it('delivers workbench events to every connected page', async () => {
    const a = new TestClient(await openSocket(wsUrl(), origin));
    const b = new TestClient(await openSocket(wsUrl(), origin));
    try {
      workbench.events.emit('engine:state', { state: 'crashed', reason: 'exit code 134' });
      for (const client of [a, b]) {
        const e = await client.waitForEvent((x) => x.event === 'engine:state');
        expect(e.payload).toEqual({ state: 'crashed', reason: 'exit code 134' });
      }
    } finally {
      a.ws.close();
      b.ws.close();
    }
  });
});
