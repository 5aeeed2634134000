/**
 * Orderly quit. The first `before-quit` is held back (preventDefault) while the workbench stops:
 * running jobs are cancelled, the engine host is stopped and the project database is closed. Then
 * the app quits for real. A quit asked for again meanwhile (a second Ctrl+Q, the window's close)
 * waits for the same stop instead of starting another, and a stop that hangs past the timeout
 * forces the exit, so quitting always ends.
 */
import type { App } from 'electron';

export interface ShutdownOptions {
  /** Stops the workbench (idempotent). */
  stop(): Promise<void>;
  /** Run once the stop is done, before the real quit (IPC handlers removed, forwarding ended). */
  disposers?: Array<() => void>;
  /** How long the stop may take before the exit is forced (ms). */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export const SHUTDOWN_TIMEOUT_MS = 15_000;

type QuitApp = Pick<App, 'on' | 'quit' | 'exit'>;

/** Installs the before-quit handler; returns a promise that settles when the stop has finished. */
export function installShutdown(app: QuitApp, options: ShutdownOptions): { done: Promise<'stopped' | 'forced'> } {
  const log = options.log ?? ((line: string) => console.error(line));
  let phase: 'running' | 'stopping' | 'done' = 'running';
  let finish!: (how: 'stopped' | 'forced') => void;
  const done = new Promise<'stopped' | 'forced'>((resolve) => (finish = resolve));

  const dispose = () => {
    for (const d of options.disposers ?? []) {
      try {
        d();
      } catch (err) {
        log(`[main] shutdown step failed: ${String(err)}`);
      }
    }
  };

  app.on('before-quit', (event) => {
    if (phase === 'done') return; // our own app.quit() after the stop: let it through
    event.preventDefault();
    if (phase === 'stopping') return; // already on its way out
    phase = 'stopping';
    const timer = setTimeout(() => {
      if (phase !== 'stopping') return;
      phase = 'done';
      log(`[main] the workbench did not stop within ${options.timeoutMs ?? SHUTDOWN_TIMEOUT_MS} ms; forcing the exit`);
      dispose();
      finish('forced');
      app.exit(1);
    }, options.timeoutMs ?? SHUTDOWN_TIMEOUT_MS);
    void options
      .stop()
      .catch((err: unknown) => log(`[main] stopping the workbench failed: ${String(err)}`))
      .then(() => {
        if (phase !== 'stopping') return; // the timeout already forced the exit
        clearTimeout(timer);
        phase = 'done';
        dispose();
        finish('stopped');
        app.quit();
      });
  });
  return { done };
}
