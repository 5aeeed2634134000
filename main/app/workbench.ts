/**
 * Composition root shared by Electron's main process and the browser-mode server: creates the
 * services in dependency order (event bus → engine client → job manager → project → router)
 * and stops them in reverse (cancel jobs, then stop the engine host).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventBus } from './event-bus';
import { EngineClient } from '../jobs/engine-client';
import { JobManager } from '../jobs/job-manager';
import { createHandlers } from '../ipc/handlers';
import { createRouter } from '../ipc/router';
import { demoProjectDir } from './project-service';
import { Workspace } from './workspace';
import type { Workbench, WorkbenchOptions } from './workbench-types';

function packageVersion(): string {
  const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json');
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

export async function createWorkbench(options: WorkbenchOptions): Promise<Workbench> {
  const log = options.log ?? ((line: string) => console.log(line));
  const events = new EventBus();
  const engine = new EngineClient(options.launcher, { log, onState: (state, reason) => events.emit('engine:state', { state, reason }) });
  const jobs = new JobManager(events);
  const workspace = new Workspace({ engine, events, initialDir: options.projectDir ?? demoProjectDir(), initialIsDemo: options.projectDir === undefined });
  const router = createRouter(createHandlers({ appVersion: packageVersion(), mode: options.mode, engine, jobs, project: () => workspace.current(), workspace, dialogs: options.dialogs }), {
    onBug: (channel, err) => log(`[main] bug in ${channel}: ${(err as Error)?.stack ?? err}`)
  });
  const stopHooks: Array<() => void | Promise<void>> = [];
  let stopped: Promise<void> | null = null;
  const stopAll = async () => {
    await jobs.cancelAll();
    await workspace.closeStorage(); // the persisted job is cancelled (resumable) and the database closed
    await engine.stop();
    // Each hook runs even when an earlier one fails (a database must still be closed).
    for (const hook of [...stopHooks].reverse()) await Promise.resolve().then(hook).catch((err: unknown) => log(`[main] stop step failed: ${String(err)}`));
  };
  return {
    router,
    events,
    stop: () => (stopped ??= stopAll()),
    onStop: (hook) => void stopHooks.push(hook)
  };
}
