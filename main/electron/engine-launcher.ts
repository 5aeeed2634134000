/**
 * Starts the engine host as an Electron utilityProcess (a Chromium-managed Node process, so
 * TensorFlow never runs on main's thread) and adapts it to the EngineTransport the engine client
 * speaks. Messages go over the process's MessagePort, which carries typed arrays by structured clone.
 */
import { utilityProcess } from 'electron';
import path from 'node:path';
import type { HostMessage } from '../engine/protocol';
import type { EngineLauncher } from '../jobs/engine-transport';

/** A launcher for the built host module at `hostEntry` (out/main/host.js). */
export function electronEngineLauncher(hostEntry: string, extraEnv: Record<string, string> = {}): EngineLauncher {
  return () => {
    const child = utilityProcess.fork(hostEntry, [], {
      serviceName: 'Saliency Workbench engine',
      stdio: 'inherit',
      env: { ...process.env, ...extraEnv }
    });
    let exited = false;
    child.once('exit', () => (exited = true));
    return {
      get pid() {
        return child.pid;
      },
      send: (message) => {
        if (!exited) child.postMessage(message);
      },
      onMessage: (listener) => void child.on('message', (message: unknown) => listener(message as HostMessage)),
      onExit: (listener) => void child.once('exit', (code: number) => listener(code, null)),
      kill: () => void child.kill()
    };
  };
}

/**
 * A packaged app has no node_modules/.cache: electron-builder ships setup-native's status file
 * (which wheel, CPU or GPU, the binding was built against) as resources/tfjs-native/status.json,
 * and the engine host is told where it is. A value the user set wins; development needs nothing.
 */
export function packagedEngineEnv(isPackaged: boolean, resourcesPath: string | undefined, env: NodeJS.ProcessEnv): Record<string, string> {
  if (!isPackaged || !resourcesPath || env.SALIENCY_NATIVE_STATUS_FILE) return {};
  return { SALIENCY_NATIVE_STATUS_FILE: path.join(resourcesPath, 'tfjs-native', 'status.json') };
}
