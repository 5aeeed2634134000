import { describe, expect, it } from 'vitest';
import { REQUEST_CHANNELS } from '../../shared/ipc/contract';
import { AppError } from '../../shared/errors';
import { createRouter, type Handlers } from '../../main/ipc/router';
import { createHandlers } from '../../main/ipc/handlers';
import { EventBus } from '../../main/app/event-bus';
import { JobManager } from '../../main/jobs/job-manager';
import type { EngineClient } from '../../main/jobs/engine-client';

const sender = { kind: 'test' as const, origin: 'test://' };

function handlersWith(overrides: Partial<Handlers>): Handlers {
  const unused = async () => {
    throw new Error('not called in this test');
  };
  return Object.fromEntries(REQUEST_CHANNELS.map((c) => [c, overrides[c] ?? unused])) as unknown as Handlers;
}

describe('contract completeness', () => {
  it('the real handler set has exactly one handler per contract request', () => {
    const handlers = createHandlers({ appVersion: '0', mode: 'browser', engine: {} as EngineClient, jobs: new JobManager(new EventBus()), project: async () => { throw new Error('unused'); } });
    expect(Object.keys(handlers).sort()).toEqual([...REQUEST_CHANNELS].sort());
    for (const channel of REQUEST_CHANNELS) expect(typeof handlers[channel]).toBe('function');
  });
});

describe('router', () => {
  it('validates payloads and applies schema defaults before the handler runs', async () => {
    let seen: unknown;
    const router = createRouter(handlersWith({ 'models:predict': async (p) => ((seen = p), []) }));
    const reply = await router.dispatch('models:predict', { modelId: 'm', imageSetId: 's', indices: [0, 1] }, sender);
    expect(reply).toEqual({ ok: true, value: [] });
    expect(seen).toEqual({ modelId: 'm', imageSetId: 's', indices: [0, 1], top: 3 });
  });

  it('refuses an invalid payload with IPC_INVALID naming the field, without calling the handler', async () => {
    let called = false;
    const router = createRouter(handlersWith({ 'models:predict': async () => ((called = true), []) }));
    const reply = await router.dispatch('models:predict', { modelId: 'm', imageSetId: 's', indices: [-1] }, sender);
    expect(reply.ok).toBe(false);
    if (!reply.ok) {
      expect(reply.error.code).toBe('IPC_INVALID');
      expect(reply.error.message).toContain('indices.0');
    }
    expect(called).toBe(false);
  });

  it('refuses unknown keys (strict schemas) and unknown channels', async () => {
    const router = createRouter(handlersWith({}));
    const extra = await router.dispatch('app:info', { evil: 1 }, sender);
    expect(extra.ok).toBe(false);
    const unknown = await router.dispatch('fs:readFile', {}, sender);
    expect(unknown).toMatchObject({ ok: false, error: { code: 'IPC_INVALID' } });
  });

  it('wraps AppErrors as they are and unexpected errors as INTERNAL (reported as bugs)', async () => {
    const bugs: string[] = [];
    const router = createRouter(
      handlersWith({
        'jobs:get': async () => {
          throw new AppError('NOT_FOUND', 'no job x');
        },
        'jobs:list': async () => {
          throw new TypeError('boom');
        }
      }),
      { onBug: (c) => bugs.push(c) }
    );
    expect(await router.dispatch('jobs:get', { jobId: 'x' }, sender)).toMatchObject({ ok: false, error: { code: 'NOT_FOUND', message: 'no job x' } });
    expect(await router.dispatch('jobs:list', {}, sender)).toMatchObject({ ok: false, error: { code: 'INTERNAL', message: 'boom' } });
    expect(bugs).toEqual(['jobs:list']);
  });

  it('refuses requests from senders the transport does not allow', async () => {
    const router = createRouter(handlersWith({ 'jobs:list': async () => [] }), { isSenderAllowed: (s) => s.origin === 'file://' });
    expect(await router.dispatch('jobs:list', {}, { kind: 'electron', origin: 'https://evil.example' })).toMatchObject({ ok: false, error: { code: 'UNAUTHORIZED' } });
    expect(await router.dispatch('jobs:list', {}, { kind: 'electron', origin: 'file://' })).toEqual({ ok: true, value: [] });
  });
});
