import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { installShutdown } from '../../main/electron/shutdown';

vi.mock('electron', () => ({}));

/** An app whose quit() emits before-quit like Electron's, and records whether the quit went through. */
function fakeApp() {
  const app = Object.assign(new EventEmitter(), {
    quitted: 0,
    exitCode: null as number | null,
    quit: vi.fn(() => {
      const event = { defaultPrevented: false, preventDefault: () => (event.defaultPrevented = true) };
      app.emit('before-quit', event);
      if (!event.defaultPrevented) app.quitted++;
    }),
    exit: vi.fn((code: number) => (app.exitCode = code))
  });
  return app;
}

function deferred() {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => ([resolve, reject] = [res, rej]));
  return { promise, resolve, reject };
}

describe('orderly shutdown', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('holds the first quit until the workbench has stopped, then quits for real, disposing once', async () => {
    const app = fakeApp();
    const stopping = deferred();
    const stop = vi.fn(() => stopping.promise);
    const dispose = vi.fn();
    const { done } = installShutdown(app as never, { stop, disposers: [dispose], log: vi.fn() });
    app.quit();
    expect(stop).toHaveBeenCalledTimes(1);
    expect(app.quitted).toBe(0);
    expect(dispose).not.toHaveBeenCalled();
    stopping.resolve();
    await expect(done).resolves.toBe('stopped');
    expect(app.quitted).toBe(1);
    expect(dispose).toHaveBeenCalledTimes(1);
    expect(app.exit).not.toHaveBeenCalled();
  });

  it('a second quit during the stop neither starts another stop nor hangs', async () => {
    const app = fakeApp();
    const stopping = deferred();
    const stop = vi.fn(() => stopping.promise);
    const { done } = installShutdown(app as never, { stop, log: vi.fn() });
    app.quit();
    app.quit();
    app.quit();
    expect(stop).toHaveBeenCalledTimes(1);
    expect(app.quitted).toBe(0);
    stopping.resolve();
    await done;
    expect(app.quitted).toBe(1);
  });

  it('quits even when the stop fails, and logs why', async () => {
    const app = fakeApp();
    const log = vi.fn();
    const { done } = installShutdown(app as never, { stop: () => Promise.reject(new Error('db busy')), log });
    app.quit();
    await expect(done).resolves.toBe('stopped');
    expect(app.quitted).toBe(1);
    expect(log).toHaveBeenCalledWith(expect.stringContaining('db busy'));
  });

  it('forces the exit when the stop hangs past the timeout, and ignores a late finish', async () => {
    const app = fakeApp();
    const stopping = deferred();
    const dispose = vi.fn();
    const log = vi.fn();
    const { done } = installShutdown(app as never, { stop: () => stopping.promise, disposers: [dispose], timeoutMs: 5000, log });
    app.quit();
    await vi.advanceTimersByTimeAsync(4999);
    expect(app.exit).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(app.exit).toHaveBeenCalledWith(1);
    await expect(done).resolves.toBe('forced');
    expect(log).toHaveBeenCalledWith(expect.stringContaining('did not stop within 5000 ms'));
    stopping.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(app.quit).toHaveBeenCalledTimes(1); // only the user's quit; no second one after the forced exit
    expect(dispose).toHaveBeenCalledTimes(1);
  });

  it('a failing disposer does not stop the others or the quit', async () => {
    const app = fakeApp();
    const second = vi.fn();
    const { done } = installShutdown(app as never, {
      stop: async () => undefined,
      disposers: [
        () => {
          throw new Error('gone');
        },
        second
      ],
      log: vi.fn()
    });
    app.quit();
    await done;
    expect(second).toHaveBeenCalled();
    expect(app.quitted).toBe(1);
  });
});
