/** The composition root's public shape: what Electron's main and the browser-mode server both wrap. */
import type { Router } from '../ipc/router';
import type { EventBus } from './event-bus';
import type { EngineLauncher } from '../jobs/engine-transport';
import type { NativeDialogs } from './native-dialogs';

export interface WorkbenchOptions {
  mode: 'electron' | 'browser';
  launcher: EngineLauncher;
  /** Project folder to open; the embedded demo project when absent. */
  projectDir?: string;
  /** Line logger (main keeps a log file); console when absent. */
  log?: (line: string) => void;
  /** Native file dialogs (Electron's main passes them); absent: `dialogs:*` answer UNSUPPORTED. */
  dialogs?: NativeDialogs;
}

export interface Workbench {
  router: Router;
  events: EventBus;
  /**
   * Cancels running jobs, stops the engine host, then runs the stop hooks (last added first).
   * Idempotent: a second call returns the first call's promise.
   */
  stop(): Promise<void>;
  /** Adds a step to `stop()` for a resource opened later (e.g. the project database's `close()`). */
  onStop(hook: () => void | Promise<void>): void;
}
