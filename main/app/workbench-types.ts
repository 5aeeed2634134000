/** The composition root's public shape: what Electron's main and the browser-mode server both wrap. */
import type { Router } from '../ipc/router';
import type { EventBus } from './event-bus';
import type { EngineLauncher } from '../jobs/engine-transport';

export interface WorkbenchOptions {
  mode: 'electron' | 'browser';
  launcher: EngineLauncher;
  /** Project folder to open; the embedded demo project when absent. */
  projectDir?: string;
  /** Line logger (main keeps a log file); console when absent. */
  log?: (line: string) => void;
}

export interface Workbench {
  router: Router;
  events: EventBus;
  /** Cancels running jobs, stops the engine host. */
  stop(): Promise<void>;
}
