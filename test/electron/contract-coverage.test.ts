/**
 * Every request and event of the contract is carried by every transport and implemented by every
 * implementation: the real handlers, Electron's ipcMain registration and preload, and the
 * in-memory fake the renderer tests use. Adding a request or event without wiring it fails here.
 */
import { describe, expect, it, vi } from 'vitest';
import { EventBus } from '../../main/app/event-bus';
import { forwardEvents } from '../../main/electron/events';
import { registerIpcHandlers } from '../../main/electron/ipc';
import { createHandlers } from '../../main/ipc/handlers';
import type { EngineClient } from '../../main/jobs/engine-client';
import { JobManager } from '../../main/jobs/job-manager';
import { buildApi, EVENT_CHANNELS, REQUEST_CHANNELS, type EventName } from '../../shared/ipc/contract';
import { createFakeApi } from '../support/fake-api';
import { FakeIpcMain, FakeWebContents } from './electron-fakes';

vi.mock('electron', () => ({}));

/** Compile-time list of the events in EventPayloads: a new event without an entry here fails tsc. */
const EVENTS_IN_TYPE: Record<EventName, true> = { 'jobs:state': true, 'jobs:progress': true, 'jobs:partial': true, 'engine:state': true, 'menu:command': true };

const sorted = (xs: Iterable<string>) => [...xs].sort();

describe('contract coverage', () => {
  it('channel names are domain:verb and unique', () => {
    for (const name of [...REQUEST_CHANNELS, ...EVENT_CHANNELS]) expect(name).toMatch(/^[a-z]+:[a-z][a-zA-Z]*$/);
    expect(new Set(REQUEST_CHANNELS).size).toBe(REQUEST_CHANNELS.length);
    expect(new Set(EVENT_CHANNELS).size).toBe(EVENT_CHANNELS.length);
  });

  it('the runtime event list is exactly the typed events', () => {
    expect(sorted(EVENT_CHANNELS)).toEqual(sorted(Object.keys(EVENTS_IN_TYPE)));
  });

  it('the real handlers implement every request', () => {
    const handlers = createHandlers({ appVersion: '0', mode: 'electron', engine: {} as EngineClient, jobs: new JobManager(new EventBus()), project: () => Promise.reject(new Error('unused')) });
    expect(sorted(Object.keys(handlers))).toEqual(sorted(REQUEST_CHANNELS));
  });

  it("Electron's ipcMain gets a handler for every request", () => {
    const ipcMain = new FakeIpcMain();
    registerIpcHandlers(ipcMain as never, { dispatch: vi.fn() }, { rendererFile: '/r/index.html' });
    expect(sorted(ipcMain.handlers.keys())).toEqual(sorted(REQUEST_CHANNELS));
  });

  it('the preload API has a method for every request and accepts every event', () => {
    const invoked: string[] = [];
    const api = buildApi(async (channel) => void invoked.push(channel), () => () => undefined) as unknown as Record<string, Record<string, (p?: unknown) => Promise<unknown>>>;
    for (const channel of REQUEST_CHANNELS) {
      const [domain, verb] = channel.split(':');
      void api[domain][verb]({});
    }
    expect(invoked).toEqual(REQUEST_CHANNELS);
    for (const event of EVENT_CHANNELS) expect(() => (api as unknown as { on: (e: string, l: () => void) => () => void }).on(event, () => undefined)).not.toThrow();
  });

  it('Electron forwards every event to the window', () => {
    const bus = new EventBus();
    const contents = new FakeWebContents();
    forwardEvents(bus, () => contents as never);
    for (const event of EVENT_CHANNELS) bus.emit(event, {} as never);
    expect(contents.sent.map((s) => s.channel)).toEqual(EVENT_CHANNELS);
  });

  it("the renderer tests' fake implements every request", () => {
    expect(sorted(Object.keys(createFakeApi().handlers))).toEqual(sorted(REQUEST_CHANNELS));
  });
});
