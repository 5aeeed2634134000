/**
 * The workbench's stop, which Electron's before-quit (and the browser-mode server's SIGINT) awaits:
 * running jobs are cancelled, the engine host stops, then the stop hooks (the project database's
 * close) run last-added first; it runs once however often it is asked.
 */
import { describe, expect, it, vi } from 'vitest';
import { createWorkbench } from '../../main/app/workbench';
import type { EngineTransport } from '../../main/jobs/engine-transport';

vi.mock('electron', () => ({}));

/** A host that says it is ready, never answers requests, and exits when killed. */
function hangingHost(record: string[]): () => EngineTransport {
  return () => {
    let onExit: ((code: number | null, signal: string | null) => void) | null = null;
    return {
      pid: 4242,
      send: (m) => void record.push(`host got ${m.type}`),
      onMessage: (listener) => setTimeout(() => listener({ type: 'ready', info: { backend: 'cpu' } as never }), 0),
      onExit: (listener) => void (onExit = listener),
      kill: () => {
        record.push('host killed');
        setTimeout(() => onExit?.(null, 'SIGKILL'), 0);
      }
    };
  };
}

describe('workbench stop', () => {
  it('stops the engine, then runs the stop hooks in reverse order, once', async () => {
    const record: string[] = [];
    const workbench = await createWorkbench({ mode: 'electron', launcher: hangingHost(record), log: () => undefined });
    await workbench.router.dispatch('app:info', {}, { kind: 'test', origin: 't' }); // starts the host
    workbench.onStop(() => void record.push('close database'));
    workbench.onStop(async () => void record.push('flush log'));
    const first = workbench.stop();
    expect(workbench.stop()).toBe(first);
    await first;
    await workbench.stop();
    expect(record).toEqual(['host killed', 'flush log', 'close database']);
  });

  it('a failing hook is logged and the others still run', async () => {
    const record: string[] = [];
    const log = vi.fn();
    const workbench = await createWorkbench({ mode: 'browser', launcher: hangingHost(record), log });
    workbench.onStop(() => void record.push('close database'));
    workbench.onStop(() => {
      throw new Error('flush failed');
    });
    await expect(workbench.stop()).resolves.toBeUndefined();
    expect(record).toEqual(['close database']);
    expect(log).toHaveBeenCalledWith(expect.stringContaining('flush failed'));
  });

  it('without native dialogs (browser mode) dialogs:open answers UNSUPPORTED', async () => {
    const workbench = await createWorkbench({ mode: 'browser', launcher: hangingHost([]), log: () => undefined });
    const reply = await workbench.router.dispatch('dialogs:open', { kind: 'project-folder' }, { kind: 'browser', origin: 'http://127.0.0.1:1' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'UNSUPPORTED' } });
    await workbench.stop();
  });

  it('with native dialogs (Electron) dialogs:open answers the chosen path', async () => {
    const dialogs = { open: vi.fn(async () => '/chosen/project'), save: vi.fn(async () => null) };
    const workbench = await createWorkbench({ mode: 'electron', launcher: hangingHost([]), log: () => undefined, dialogs });
    await expect(workbench.router.dispatch('dialogs:open', { kind: 'project-folder' }, { kind: 'electron', origin: 'file:///' })).resolves.toEqual({ ok: true, value: { path: '/chosen/project' } });
    expect(dialogs.open).toHaveBeenCalledWith('project-folder', undefined);
    await workbench.stop();
  });
});
